//! Parsing and validating one catalog file (TOML), collecting every problem with its position.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::entry::{Category, Entry, Severity};
use crate::datafile::{self, DataFileError, LineIndex, Problem};
use crate::vendor::Vendor;

/// The entries of one valid catalog file.
#[derive(Debug, Clone)]
pub struct CatalogFile {
    /// The vendor named at the top of the file.
    pub vendor: Vendor,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    vendor: Option<Spanned<String>>,
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
    category: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    remediation: Option<Spanned<String>>,
    source: Option<Spanned<String>>,
    group: Option<Spanned<String>>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    messages: Vec<String>,
    conflict: Option<Spanned<String>>,
    #[serde(default)]
    beyond_seed: bool,
    #[serde(default)]
    derived_name: bool,
}

/// Parses catalog text; `path` is only used in the error.
pub fn parse(path: &Path, text: &str) -> Result<CatalogFile, DataFileError> {
    let invalid = |problems: Vec<Problem>| DataFileError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    let raw: RawCatalog =
        toml::from_str(text).map_err(|error| invalid(vec![Problem::from_toml(text, &error)]))?;
    let lines = LineIndex::new(text);
    let mut problems = Vec::new();
    let vendor = datafile::file_vendor(&lines, &mut problems, &raw.vendor);
    let mut first_line_of_code: HashMap<String, usize> = HashMap::new();
    let mut entries = Vec::with_capacity(raw.entry.len());
    for raw_entry in &raw.entry {
        let entry_span = raw_entry.span();
        let required =
            |problems: &mut Vec<Problem>, field: &str, value: &Option<Spanned<String>>| {
                datafile::required_text(&lines, problems, &entry_span, "entry", field, value)
                    .map(|(text, span)| (text.trim().to_string(), span))
            };
        let before = problems.len();
        let entry = raw_entry.get_ref();
        let code = required(&mut problems, "code", &entry.code);
        let name = required(&mut problems, "name", &entry.name);
        let category =
            required(&mut problems, "category", &entry.category).and_then(|(category, span)| {
                match Category::from_id(&category) {
                    Some(category) => Some(category),
                    None => {
                        problems.push(lines.problem(
                            span,
                            format!(
                                "unknown category `{category}` (expected one of {})",
                                list(&Category::ALL.map(Category::id))
                            ),
                        ));
                        None
                    }
                }
            });
        let severity =
            required(&mut problems, "severity", &entry.severity).and_then(|(severity, span)| {
                match Severity::from_id(&severity) {
                    Some(severity) => Some(severity),
                    None => {
                        problems.push(lines.problem(
                            span,
                            format!(
                                "unknown severity `{severity}` (expected one of {})",
                                list(&Severity::ALL.map(Severity::id))
                            ),
                        ));
                        None
                    }
                }
            });
        let description = required(&mut problems, "description", &entry.description);
        let remediation = required(&mut problems, "remediation", &entry.remediation);
        let source = required(&mut problems, "source", &entry.source);
        if let Some((code, span)) = &code {
            let (line, _) = lines.position(span.start);
            if let Some(first_line) = first_line_of_code.get(code) {
                problems.push(lines.problem(
                    span.clone(),
                    format!("duplicate code `{code}` (first defined on line {first_line})"),
                ));
            } else {
                first_line_of_code.insert(code.clone(), line);
            }
        }
        if let (true, Some((source, span))) = (entry.beyond_seed, &source) {
            if source.starts_with("seed:") {
                problems.push(lines.problem(
                    span.clone(),
                    "an entry marked `beyond_seed` must name a source other than a seed document",
                ));
            }
        }
        if problems.len() > before {
            continue;
        }
        if let (Some(vendor), Some((code, _)), Some((name, _)), Some(category), Some(severity)) =
            (vendor, code, name, category, severity)
        {
            entries.push(Entry {
                vendor,
                code,
                name,
                category,
                severity,
                description: description.map(|(text, _)| text).unwrap_or_default(),
                remediation: remediation.map(|(text, _)| text).unwrap_or_default(),
                source: source.map(|(text, _)| text).unwrap_or_default(),
                group: entry.group.as_ref().map(|group| group.get_ref().clone()),
                aliases: entry.aliases.clone(),
                related: entry.related.clone(),
                messages: entry.messages.clone(),
                conflict: entry
                    .conflict
                    .as_ref()
                    .map(|conflict| conflict.get_ref().clone()),
                beyond_seed: entry.beyond_seed,
                derived_name: entry.derived_name,
            });
        }
    }
    match vendor {
        Some(vendor) if problems.is_empty() => Ok(CatalogFile { vendor, entries }),
        _ => Err(invalid(problems)),
    }
}

fn list(ids: &[&str]) -> String {
    ids.join(", ")
}
