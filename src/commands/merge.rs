//! `errscan merge`: read JSON reports, refuse mixed catalogs unless `--force`, add them up
//! ([`crate::merge`]) and write the sum. A file that cannot be read or is not a report is named
//! on stderr and left out; the rest is still merged and written, and the run exits 2.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use super::warn;
use crate::catalog::Catalog;
use crate::cli::{MergeArgs, MergeFormat};
use crate::config::resolve_color;
use crate::exit::ExitStatus;
use crate::input::describe_io_error;
use crate::merge::{catalog_mismatches, merge_all};
use crate::report::{self, Report, TextOptions};
use crate::tally::Tally;

pub fn run(args: MergeArgs) -> anyhow::Result<ExitStatus> {
    let catalog = Catalog::with_user_files(&args.catalog)?;
    let mut status = ExitStatus::Success;
    let mut reports: Vec<Report> = Vec::new();
    let mut paths: Vec<&Path> = Vec::new();
    for path in &args.reports {
        let read = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {}", path.display(), describe_io_error(&error)))
            .and_then(|text| report::read_json(path, &text));
        match read {
            Ok(report) => {
                reports.push(report);
                paths.push(path);
            }
            Err(message) => {
                warn(&message);
                status = status.merge(ExitStatus::Error);
            }
        }
    }
    if !args.force {
        if let Some(&(index, fingerprint)) = catalog_mismatches(&reports).first() {
            let named = |fingerprint: &str| match fingerprint {
                "" => "no catalog fingerprint".to_string(),
                _ => format!("catalog {fingerprint}"),
            };
            let first = reports
                .first()
                .map_or("", |report| report.tool.catalog.as_str());
            anyhow::bail!(
                "{}: made with a different catalog than {} ({} vs {}); use --force to merge anyway",
                paths
                    .get(index)
                    .map_or_else(String::new, |p| p.display().to_string()),
                paths
                    .first()
                    .map_or_else(String::new, |p| p.display().to_string()),
                named(fingerprint),
                named(first),
            );
        }
    }
    let mut merged =
        merge_all(&reports).unwrap_or_else(|| Report::from_tally(&Tally::default(), &catalog));
    if let Some(width) = args.bucket {
        let base = merged.timeline.take().map(|timeline| timeline.base);
        merged.rebucket(base.unwrap_or_default(), Some(width));
    }

    let is_stdout_terminal = args.output.is_none() && io::stdout().is_terminal();
    let color = resolve_color(
        args.color.into(),
        std::env::var("NO_COLOR").ok().as_deref(),
        std::env::var("TERM").ok().as_deref(),
        is_stdout_terminal,
    );
    let mut out = super::open_output(args.output.as_ref())?;
    let written = match args.format {
        MergeFormat::Text => {
            let options = TextOptions {
                color,
                top_codes: args.top,
            };
            report::write_text(&merged, &catalog, options, &mut out)
        }
        MergeFormat::Json => report::write_json(&merged, &mut out),
        MergeFormat::Csv => report::write_csv(&merged, &mut out),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|error| match &args.output {
            // A closed stdout stays a bare io::Error, so that main ends quietly.
            None => error.into(),
            Some(path) => anyhow::anyhow!(
                "{}: cannot write the report: {}",
                path.display(),
                describe_io_error(&error)
            ),
        })?;
    Ok(status)
}
