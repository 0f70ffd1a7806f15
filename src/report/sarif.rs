//! SARIF 2.1.0, as GitHub code scanning reads it: one result per (input, vendor, code) with the
//! count and the first line, one rule per code from the catalog, and GitHub's upload limits kept.
//!
//! - Rule ids are `vendor/code` (`bigbluebutton/1101`); codes absent from the catalog share one
//!   rule per vendor, `vendor/unknown-code`. Levels: fatal and error → `error`, warning →
//!   `warning`, info → `note`, unknown codes → `warning`.
//! - `partialFingerprints` hash (vendor, code, path), so an alert keeps its identity when lines
//!   move or counts change; `primaryLocationLineHash` carries the same hash, so that GitHub's
//!   upload step does not try to compute one from the (often absent) log file.
//! - At most 25,000 results (worst first are kept) and at most 10 MB gzipped; what was left out
//!   is said in the run's `properties.errscan` and in a tool notification.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde::Serialize;

use super::{FileCodeRow, Report};
use crate::catalog::{Catalog, Severity};
use crate::escape::escape_text;
use crate::report::text::first_sentence;
use crate::vendor::Vendor;

/// GitHub code scanning's limit on results per run.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub code scanning's limit on an upload, gzipped.
pub const MAX_GZIPPED_BYTES: usize = 10_000_000;
/// Unreadable inputs listed as notifications at most.
const MAX_INPUT_NOTIFICATIONS: usize = 100;
/// The schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes the report as a SARIF 2.1.0 log with one run.
pub fn write_sarif<W: Write>(report: &Report, catalog: &Catalog, mut out: W) -> io::Result<()> {
    let bytes = render(report, catalog, Limits::GITHUB)?;
    out.write_all(&bytes)
}

/// The limits a rendered log keeps to.
#[derive(Debug, Clone, Copy)]
struct Limits {
    results: usize,
    gzipped_bytes: usize,
}

impl Limits {
    const GITHUB: Limits = Limits {
        results: MAX_RESULTS,
        gzipped_bytes: MAX_GZIPPED_BYTES,
    };
}

/// Renders the log, halving the number of results until it fits `limits.gzipped_bytes`.
fn render(report: &Report, catalog: &Catalog, limits: Limits) -> io::Result<Vec<u8>> {
    let mut kept = report.by_file.len().min(limits.results);
    loop {
        let log = build(report, catalog, kept, limits);
        let mut bytes = serde_json::to_vec_pretty(&log)?;
        bytes.push(b'\n');
        if kept == 0
            || bytes.len() <= limits.gzipped_bytes
            || gzipped_len(&bytes)? <= limits.gzipped_bytes
        {
            return Ok(bytes);
        }
        kept /= 2;
    }
}

fn gzipped_len(bytes: &[u8]) -> io::Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

fn text(text: impl Into<String>) -> Text {
    Text { text: text.into() }
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    vendor: Vendor,
    category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<Severity>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    occurrence_count: u64,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
}

#[derive(Serialize)]
struct ResultProperties {
    vendor: Vendor,
    code: String,
    known: bool,
    category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<Severity>,
    count: u64,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    errscan: ErrscanProperties<'a>,
}

#[derive(Serialize)]
struct ErrscanProperties<'a> {
    schema: &'a str,
    totals: &'a super::Totals,
    /// Results before any cap.
    results_total: usize,
    /// Results written.
    results_shown: usize,
    /// True when results were left out to keep within GitHub's limits.
    results_capped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'a super::GateResult>,
}

/// The SARIF level of a severity (`None`: a code absent from the catalog).
pub fn level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Fatal | Severity::Error) => "error",
        Some(Severity::Warning) | None => "warning",
        Some(Severity::Info) => "note",
    }
}

fn build<'a>(report: &'a Report, catalog: &Catalog, kept: usize, limits: Limits) -> Log<'a> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_index: HashMap<String, usize> = HashMap::new();
    let mut results = Vec::with_capacity(kept);
    for row in report.by_file.iter().take(kept) {
        let id = rule_id(row);
        let index = match rule_index.get(&id) {
            Some(index) => *index,
            None => {
                rules.push(rule(row, catalog));
                rule_index.insert(id.clone(), rules.len() - 1);
                rules.len() - 1
            }
        };
        results.push(result(row, id, index));
    }
    let mut notifications: Vec<Notification> = report
        .files
        .iter()
        .filter_map(|file| file.error.as_ref().map(|error| (file, error)))
        .take(MAX_INPUT_NOTIFICATIONS)
        .map(|(file, error)| Notification {
            level: "error",
            message: text(format!(
                "{}: {}",
                escape_text(&file.path),
                escape_text(error)
            )),
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: path_to_uri(&file.path),
                    },
                    region: None,
                },
            }],
        })
        .collect();
    let unreadable = report.totals.errors as usize;
    if unreadable > MAX_INPUT_NOTIFICATIONS {
        notifications.push(Notification {
            level: "error",
            message: text(format!(
                "… and {} more inputs that could not be read (see the JSON report)",
                unreadable - MAX_INPUT_NOTIFICATIONS
            )),
            locations: Vec::new(),
        });
    }
    let total = report.by_file.len();
    if kept < total {
        let why = if kept == total.min(limits.results) {
            format!(
                "GitHub code scanning takes at most {} results per run",
                limits.results
            )
        } else {
            format!(
                "GitHub code scanning takes at most {} bytes gzipped per upload",
                limits.gzipped_bytes
            )
        };
        notifications.push(Notification {
            level: "warning",
            message: text(format!(
                "{kept} of {total} results written, worst first: {why}; the JSON report has every code"
            )),
            locations: Vec::new(),
        });
    }
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &report.tool.name,
                    version: &report.tool.version,
                    semantic_version: &report.tool.version,
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: report.totals.errors == 0,
                tool_execution_notifications: notifications,
            }],
            results,
            properties: RunProperties {
                errscan: ErrscanProperties {
                    schema: &report.schema,
                    totals: &report.totals,
                    results_total: total,
                    results_shown: kept,
                    results_capped: kept < total,
                    gate: report.gate.as_ref(),
                },
            },
        }],
    }
}

/// The rule id of a row: `vendor/code`, or `vendor/unknown-code` for codes the catalog lacks.
pub fn rule_id(row: &FileCodeRow) -> String {
    if row.is_known() {
        format!("{}/{}", row.vendor.id(), row.code)
    } else {
        format!("{}/unknown-code", row.vendor.id())
    }
}

fn rule(row: &FileCodeRow, catalog: &Catalog) -> Rule {
    let vendor = row.vendor.display_name();
    let entry = catalog
        .get(row.vendor, &row.code)
        .filter(|_| row.is_known());
    let (name, short, full, help) = match (entry, &row.name) {
        (Some(entry), _) => (
            entry.name.clone(),
            first_sentence(&entry.description),
            entry.description.clone(),
            entry.remediation.clone(),
        ),
        // A known row whose entry the catalog no longer has (a report from elsewhere).
        (None, Some(name)) => (
            name.clone(),
            format!("{vendor} code {}", escape_text(&row.code)),
            format!("{vendor} code {} ({name}).", escape_text(&row.code)),
            format!(
                "Run `errscan explain {}:{}`.",
                row.vendor.id(),
                escape_text(&row.code)
            ),
        ),
        (None, None) => (
            "UNKNOWN_CODE".to_string(),
            format!("A {vendor} code that errscan's catalog does not know"),
            format!(
                "A code seen in {vendor}'s error context but absent from errscan's catalog; \
                 each result names the code."
            ),
            format!(
                "Look the code up in {vendor}'s documentation. To make errscan know it, add it to \
                 a catalog file passed with --catalog (see catalogs/README.md)."
            ),
        ),
    };
    let mut tags = vec![row.category.id().to_string(), row.vendor.id().to_string()];
    if let Some(severity) = row.severity {
        tags.push(severity.id().to_string());
    }
    Rule {
        id: rule_id(row),
        name,
        short_description: text(short),
        full_description: text(full),
        help: text(help),
        default_configuration: Configuration {
            level: level(row.severity),
        },
        properties: RuleProperties {
            tags,
            vendor: row.vendor,
            category: row.category.id().to_string(),
            severity: row.severity,
        },
    }
}

fn result(row: &FileCodeRow, rule_id: String, rule_index: usize) -> SarifResult {
    let lines = if row.count == 1 { "line" } else { "lines" };
    let what = match (&row.name, row.severity) {
        (Some(name), Some(severity)) => format!(
            "{} {} {name} ({}, {})",
            row.vendor.display_name(),
            escape_text(&row.code),
            row.category.id(),
            severity.id()
        ),
        _ => format!(
            "{} code {} (not in errscan's catalog)",
            row.vendor.display_name(),
            escape_text(&row.code)
        ),
    };
    let message = format!(
        "{what} on {} {lines} of {}, first on line {}",
        row.count,
        escape_text(&row.path),
        row.line
    );
    let fingerprint = fingerprint(row);
    let partial_fingerprints = BTreeMap::from([
        ("errscan/v1", fingerprint.clone()),
        ("primaryLocationLineHash", format!("{fingerprint}:1")),
    ]);
    SarifResult {
        rule_id,
        rule_index,
        level: level(row.severity),
        message: text(message),
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: path_to_uri(&row.path),
                },
                region: Some(Region {
                    start_line: row.line.max(1),
                }),
            },
        }],
        partial_fingerprints,
        occurrence_count: row.count.max(1),
        properties: ResultProperties {
            vendor: row.vendor,
            code: row.code.clone(),
            known: row.is_known(),
            category: row.category.id().to_string(),
            severity: row.severity,
            count: row.count,
        },
    }
}

/// A stable fingerprint of (vendor, code, path): 64-bit FNV-1a of `vendor NUL code NUL path`,
/// as 16 hex digits. Written out here rather than taken from `std`, whose hashers may change
/// between Rust releases.
pub fn fingerprint(row: &FileCodeRow) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let key = format!("{}\0{}\0{}", row.vendor.id(), row.code, row.path);
    let hash = key.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    format!("{hash:016x}")
}

/// A display path as a relative URI reference: every byte but unreserved characters and `/` is
/// percent-encoded (so `%`, `:`, `,`, `#`, spaces and control characters survive). On Windows,
/// `\` separators become `/`.
pub fn path_to_uri(path: &str) -> String {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Category;

    fn row(path: &str, code: &str, severity: Option<Severity>) -> FileCodeRow {
        FileCodeRow {
            path: path.to_string(),
            vendor: Vendor::BigBlueButton,
            code: code.to_string(),
            name: severity.map(|_| "SIGNALLING_TRANSPORT_DISCONNECTED".to_string()),
            category: if severity.is_some() {
                Category::Network
            } else {
                Category::Unknown
            },
            severity,
            count: 4,
            line: 12,
        }
    }

    #[test]
    fn uris_encode_everything_but_unreserved_characters() {
        assert_eq!(path_to_uri("logs/a-b_c.log~"), "logs/a-b_c.log~");
        assert_eq!(
            path_to_uri("we%ird: na,me#\n\x01é.log"),
            "we%25ird%3A%20na%2Cme%23%0A%01%C3%A9.log"
        );
    }

    #[test]
    fn fingerprints_are_stable_and_ignore_lines_and_counts() {
        let a = row("logs/a.log", "1101", Some(Severity::Error));
        let mut moved = a.clone();
        moved.line = 99;
        moved.count = 1;
        assert_eq!(fingerprint(&a), fingerprint(&moved));
        // Pinned: a change here changes every alert's identity on GitHub.
        assert_eq!(fingerprint(&a), "c512158c9e080031");
        assert_ne!(
            fingerprint(&a),
            fingerprint(&row("logs/b.log", "1101", None))
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        let mut left = a.clone();
        left.code = "11".to_string();
        left.path = "01logs/a.log".to_string();
        assert_ne!(fingerprint(&a), fingerprint(&left));
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Some(Severity::Fatal)), "error");
        assert_eq!(level(Some(Severity::Error)), "error");
        assert_eq!(level(Some(Severity::Warning)), "warning");
        assert_eq!(level(Some(Severity::Info)), "note");
        assert_eq!(level(None), "warning");
        assert_eq!(
            rule_id(&row("a", "1101", Some(Severity::Error))),
            "bigbluebutton/1101"
        );
        assert_eq!(
            rule_id(&row("a", "1999", None)),
            "bigbluebutton/unknown-code"
        );
    }

    fn report_with_rows(count: usize) -> Report {
        let mut report: Report = serde_json::from_str(
            r#"{"schema":"errscan/report@1","tool":{"name":"errscan","version":"0.1.0"},
            "totals":{"files":1,"bytes":0,"lines":0,"matches":0,"unknown":0,"errors":0},
            "by_category":[],"by_vendor":[],"codes":[],"unknown":[],"files":[]}"#,
        )
        .expect("valid report");
        report.by_file = (0..count)
            .map(|index| row(&format!("logs/{index:05}.log"), "1999", None))
            .collect();
        report
    }

    fn results_of(bytes: &[u8]) -> (usize, serde_json::Value) {
        let log: serde_json::Value = serde_json::from_slice(bytes).expect("json");
        let run = log["runs"][0].clone();
        (run["results"].as_array().map_or(0, Vec::len), run)
    }

    #[test]
    fn results_are_capped_and_the_cap_is_said() {
        let catalog = Catalog::default();
        let report = report_with_rows(30);
        let limits = Limits {
            results: 25,
            gzipped_bytes: MAX_GZIPPED_BYTES,
        };
        let (shown, run) = results_of(&render(&report, &catalog, limits).expect("rendered"));
        assert_eq!(shown, 25);
        assert_eq!(run["properties"]["errscan"]["results_total"], 30);
        assert_eq!(run["properties"]["errscan"]["results_capped"], true);
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(note["level"], "warning");
        assert!(
            note["message"]["text"]
                .as_str()
                .is_some_and(|text| text.starts_with("25 of 30 results written")),
            "{note}"
        );
        // One rule serves every unknown code of a vendor.
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn a_log_too_big_gzipped_loses_results_until_it_fits() {
        let catalog = Catalog::default();
        let report = report_with_rows(400);
        let limits = Limits {
            results: MAX_RESULTS,
            gzipped_bytes: 6_000,
        };
        let bytes = render(&report, &catalog, limits).expect("rendered");
        assert!(gzipped_len(&bytes).expect("gzip") <= 6_000);
        let (shown, run) = results_of(&bytes);
        assert!(shown > 0 && shown < 400, "{shown}");
        let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(note.contains("bytes gzipped"), "{note}");
    }
}
