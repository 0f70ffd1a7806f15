//! `errscan catalog list` and `errscan catalog check`.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use super::{load_catalog, warn};
use crate::catalog::{self, Catalog, Entry};
use crate::cli::{CatalogArgs, CatalogCommand, ListFormat};
use crate::datafile::{self, DataFileError};
use crate::escape::escape_text;
use crate::exit::ExitStatus;
use crate::patterns::{self, PatternSet};
use crate::scan::{Scanner, check_samples};

pub fn run(args: CatalogArgs) -> anyhow::Result<ExitStatus> {
    match args.command {
        CatalogCommand::List {
            data,
            category,
            format,
        } => {
            let catalog = load_catalog(&data)?;
            let entries: Vec<&Entry> = catalog
                .entries()
                .iter()
                .filter(|entry| data.vendor.is_empty() || data.vendor.contains(&entry.vendor))
                .filter(|entry| category.is_none_or(|category| entry.category == category))
                .collect();
            list(&entries, format)?;
            Ok(ExitStatus::Success)
        }
        CatalogCommand::Check { paths, catalog } => check(&paths, &catalog),
    }
}

fn list(entries: &[&Entry], format: ListFormat) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, entries)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut out);
            writer.write_record([
                "vendor",
                "code",
                "name",
                "category",
                "severity",
                "description",
                "remediation",
                "source",
            ])?;
            for entry in entries {
                writer.write_record([
                    entry.vendor.id(),
                    &entry.code,
                    &entry.name,
                    entry.category.id(),
                    entry.severity.id(),
                    &entry.description,
                    &entry.remediation,
                    &entry.source,
                ])?;
            }
            writer.flush()?;
        }
        ListFormat::Text => {
            for entry in entries {
                writeln!(
                    out,
                    "{:<14} {:<42} {:<44} {:<15} {}",
                    entry.vendor.id(),
                    escape_text(&entry.code),
                    escape_text(&entry.name),
                    entry.category.id(),
                    entry.severity.id()
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// What kind of data file a path holds, judged by its top-level tables.
enum DataKind {
    Catalog,
    Patterns,
}

fn data_kind(text: &str) -> DataKind {
    let has_patterns = text
        .lines()
        .any(|line| line.trim_start().starts_with("[[pattern]]"));
    if has_patterns {
        DataKind::Patterns
    } else {
        DataKind::Catalog
    }
}

fn check(
    paths: &[std::path::PathBuf],
    catalogs: &[std::path::PathBuf],
) -> anyhow::Result<ExitStatus> {
    let mut status = ExitStatus::Success;
    let mut resolution_catalog = Catalog::with_user_files(catalogs)?;
    // Catalog files among the checked paths also resolve the samples of the checked patterns.
    let mut texts = Vec::new();
    for path in paths {
        match datafile::read(path) {
            Ok(text) => texts.push((path.as_path(), Some(text))),
            Err(error) => {
                warn(&error.to_string());
                status = ExitStatus::Error;
                texts.push((path.as_path(), None));
            }
        }
    }
    for (path, text) in &texts {
        if let (Some(text), DataKind::Catalog) = (
            text,
            text.as_deref().map(data_kind).unwrap_or(DataKind::Catalog),
        ) {
            if let Ok(file) = catalog::parse(path, text) {
                resolution_catalog.merge(file);
            }
        }
    }
    let resolution_catalog = Arc::new(resolution_catalog);
    let mut out = io::stdout().lock();
    for (path, text) in &texts {
        let Some(text) = text else { continue };
        let result = match data_kind(text) {
            DataKind::Catalog => {
                catalog::parse(path, text).map(|file| format!("{} entries", file.entries.len()))
            }
            DataKind::Patterns => check_patterns(path, text, &resolution_catalog),
        };
        match result {
            Ok(summary) => writeln!(
                out,
                "{}: ok ({summary})",
                escape_text(&path.display().to_string())
            )?,
            Err(error) => {
                status = ExitStatus::Error;
                let mut stderr = io::stderr().lock();
                writeln!(stderr, "{}", escape_text_lines(&error.to_string()))?;
            }
        }
    }
    out.flush()?;
    Ok(status)
}

fn check_patterns(
    path: &Path,
    text: &str,
    catalog: &Arc<Catalog>,
) -> Result<String, DataFileError> {
    let parsed = patterns::parse(path, text)?;
    let count = parsed.len();
    let mut set = PatternSet::default();
    set.extend(parsed);
    let scanner =
        Scanner::new(&set, Arc::clone(catalog), &[]).map_err(|error| DataFileError::Invalid {
            path: path.to_path_buf(),
            problems: vec![datafile::Problem {
                line: 1,
                column: 1,
                message: error.to_string(),
            }],
        })?;
    let failures = check_samples(&scanner);
    if failures.is_empty() {
        Ok(format!("{count} patterns, samples pass"))
    } else {
        Err(DataFileError::Invalid {
            path: path.to_path_buf(),
            problems: failures
                .into_iter()
                .map(|failure| failure.problem)
                .collect(),
        })
    }
}

/// Escapes each line of a multi-line message on its own, keeping the newlines between them.
fn escape_text_lines(text: &str) -> String {
    text.lines().map(escape_text).collect::<Vec<_>>().join("\n")
}
