//! The report: built once from a [`Tally`] and the catalog, already in contract order, then
//! rendered by one writer per format. Writers never count and never sort.

mod csv;
mod github;
mod html;
mod json;
mod junit;
mod sarif;
mod text;

pub use csv::write_csv;
pub use github::{write_github, write_step_summary};
pub use html::{escape_html, write_html};
pub use json::{read_json, write_event, write_json, write_summary_event};
pub use junit::write_junit;
pub use sarif::write_sarif;
pub use text::{TextOptions, gate_verdict, human_millis, interval_summary, write_text};

use std::borrow::Borrow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Category, Severity};
use crate::percentiles::{Distribution, Percentiles, per_minute};
use crate::scan::Code;
use crate::tally::Tally;
use crate::timeline::{BaseGrid, Timeline};
use crate::vendor::Vendor;

/// The schema id written in every JSON report.
pub const SCHEMA: &str = "errscan/report@1";

/// A finished report, in the order the contract gives (counts descending, then names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// Totals over all inputs.
    pub totals: Totals,
    /// Hits per category; unknown codes count under `unknown`.
    pub by_category: Vec<CategoryCount>,
    /// Hits per vendor.
    pub by_vendor: Vec<VendorCount>,
    /// Known codes.
    pub codes: Vec<CodeRow>,
    /// Codes seen in a vendor's error context but absent from the catalog.
    pub unknown: Vec<UnknownRow>,
    /// One row per input.
    pub files: Vec<FileRow>,
    /// Matches over time, when any match had a time (see [`crate::timeline`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// How bursty matches are: per category, matches per minute over the timeline's span (see
    /// [`crate::percentiles`]); present when the timeline is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentiles: Option<Percentiles>,
    /// The gate's verdict, when a gate option was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateResult>,
    /// Per (input, vendor, code), worst first: what the per-file formats (SARIF, GitHub
    /// annotations) show. Not part of the JSON report, so it is empty in a report read back.
    #[serde(skip)]
    pub by_file: Vec<FileCodeRow>,
}

/// Name and version of the tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `errscan`.
    pub name: String,
    /// The crate version.
    pub version: String,
    /// The fingerprint of the catalog the report was made with
    /// ([`Catalog::fingerprint`](crate::catalog::Catalog::fingerprint)); empty in reports
    /// written before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub catalog: String,
}

/// Totals over all inputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Inputs scanned or attempted.
    pub files: u64,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Hits, known and unknown.
    pub matches: u64,
    /// Hits whose code the catalog does not know.
    pub unknown: u64,
    /// Inputs that could not be read, wholly or in part.
    pub errors: u64,
    /// Matches whose line had no time of its own: counted everywhere, but on no timeline and
    /// never filtered out by `--since`/`--until`.
    #[serde(default)]
    pub untimed: u64,
}

/// Hits of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// The category.
    pub category: Category,
    /// Hits.
    pub count: u64,
}

/// Hits of one vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorCount {
    /// The vendor.
    pub vendor: Vendor,
    /// Hits.
    pub count: u64,
}

/// A location in the input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FirstSeen {
    /// Display path.
    pub path: String,
    /// 1-based line.
    pub line: u64,
}

/// A known code and how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRow {
    /// Vendor.
    pub vendor: Vendor,
    /// Code.
    pub code: String,
    /// Constant name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// Lines carrying it.
    pub count: u64,
    /// Smallest (path, line) where it was seen.
    pub first: FirstSeen,
    /// The earliest time it was seen (RFC 3339 UTC); null when no line of it had a time.
    #[serde(default)]
    pub first_time: Option<String>,
    /// The latest time it was seen.
    #[serde(default)]
    pub last_time: Option<String>,
    /// Milliseconds between consecutive timed occurrences within one input (see
    /// [`crate::percentiles`]); absent when there were fewer than two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals_ms: Option<Distribution>,
}

/// A code absent from the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownRow {
    /// Vendor.
    pub vendor: Vendor,
    /// The code (or name) as seen.
    pub code: String,
    /// Lines carrying it.
    pub count: u64,
    /// Smallest (path, line) where it was seen.
    pub first: FirstSeen,
    /// The earliest time it was seen (RFC 3339 UTC); null when no line of it had a time.
    #[serde(default)]
    pub first_time: Option<String>,
    /// The latest time it was seen.
    #[serde(default)]
    pub last_time: Option<String>,
    /// Milliseconds between consecutive timed occurrences within one input (see
    /// [`crate::percentiles`]); absent when there were fewer than two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals_ms: Option<Distribution>,
}

/// One input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    /// Display path.
    pub path: String,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Hits.
    pub matches: u64,
    /// Why it could not be read, wholly or in part.
    pub error: Option<String>,
    /// Why it was skipped without error (e.g. `binary file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// One (input, vendor, code): how often the code was seen in that input and where first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCodeRow {
    /// Display path of the input.
    pub path: String,
    /// Vendor.
    pub vendor: Vendor,
    /// The code as the catalog writes it, or as seen when it is unknown.
    pub code: String,
    /// The catalog's constant name; `None` for a code absent from the catalog.
    pub name: Option<String>,
    /// Category (`unknown` for a code absent from the catalog).
    pub category: Category,
    /// Severity; `None` for a code absent from the catalog.
    pub severity: Option<Severity>,
    /// Lines of this input carrying it.
    pub count: u64,
    /// The first of those lines (1-based).
    pub line: u64,
}

impl FileCodeRow {
    /// True when the catalog knows the code.
    pub fn is_known(&self) -> bool {
        self.severity.is_some()
    }
}

/// How far up the "worst first" order a severity goes; a code absent from the catalog ranks
/// with warnings (it was seen in an error context, but nobody says how bad it is).
pub fn severity_rank(severity: Option<Severity>) -> u8 {
    match severity {
        Some(Severity::Fatal) => 4,
        Some(Severity::Error) => 3,
        Some(Severity::Warning) | None => 2,
        Some(Severity::Info) => 1,
    }
}

/// The verdict of the gate options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateResult {
    /// True when no rule tripped.
    pub passed: bool,
    /// Each rule that tripped; a rule can trip more than once (the baseline, once per code).
    pub violations: Vec<Violation>,
    /// Every rule that was checked, passed or not, in the order given.
    #[serde(default)]
    pub rules: Vec<RuleCheck>,
}

impl GateResult {
    /// How many distinct rules tripped.
    pub fn failed_rules(&self) -> usize {
        self.rules.iter().filter(|rule| !rule.passed).count()
    }
}

/// One rule that tripped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The rule, as `fail-on network`, `max capacity=5`, `fail-on-unknown` or `baseline`.
    pub rule: String,
    /// What was found, e.g. `network 5 > 0`.
    pub message: String,
    /// The codes that made it trip, most frequent first (at most [`TOP_CODES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeCount>,
}

/// How many codes a violation names.
pub const TOP_CODES: usize = 5;

/// One rule and whether it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    /// The rule, as in [`Violation::rule`].
    pub rule: String,
    /// True when it held.
    pub passed: bool,
    /// What was measured, e.g. `network 0 <= 0` or `network 5 > 0`.
    pub summary: String,
}

/// A code and a count, as named by a violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCount {
    /// Vendor.
    pub vendor: Vendor,
    /// Code.
    pub code: String,
    /// How many lines (for a count rule) or the count now (for the baseline).
    pub count: u64,
}

impl Totals {
    /// `N matches in F files (L lines, B)`, the opening of every report's summary line.
    pub fn summary(&self) -> String {
        self.summary_with(&self.matches.to_string())
    }

    /// [`summary`](Self::summary) with the match count rendered by the caller (e.g. in bold).
    pub fn summary_with(&self, matches: &str) -> String {
        format!(
            "{matches} {} in {} {} ({} lines, {})",
            text::plural(self.matches, "match", "matches"),
            self.files,
            text::plural(self.files, "file", "files"),
            self.lines,
            text::human_bytes(self.bytes),
        )
    }
}

impl Report {
    /// Builds the report of a tally, joining codes against the catalog it was scanned with.
    pub fn from_tally(tally: &Tally, catalog: &Catalog) -> Report {
        let minutes = tally
            .times
            .iter()
            .map(|(key, times)| (key, times.minutes().to_vec()));
        Report::assemble(tally, catalog, minutes)
    }

    /// [`from_tally`](Self::from_tally) for a tally that is not needed afterwards (a scan's):
    /// its per-minute counts are moved into the timeline's grid rather than copied. A 1 GiB
    /// scan's grid is 1.2 MB, most of the fresh memory the report's build touched.
    pub fn from_owned_tally(mut tally: Tally, catalog: &Catalog) -> Report {
        let minutes: Vec<_> = tally
            .times
            .iter_mut()
            .map(|(key, times)| (key.clone(), times.take_minutes()))
            .collect();
        Report::assemble(&tally, catalog, minutes.into_iter())
    }

    /// The report of `tally`, whose per-minute counts by (vendor, code) `minutes` gives.
    fn assemble<K: Borrow<(Vendor, Code)>>(
        tally: &Tally,
        catalog: &Catalog,
        minutes: impl Iterator<Item = (K, Vec<(i64, u64)>)> + Send,
    ) -> Report {
        // The timeline and the per-minute percentiles on one thread, the rows on another: the
        // pool is idle once the scan is done, and a big scan's timeline is half the report.
        let (mut report, (percentiles, timeline)) = rayon::join(
            || Report::rows_of(tally, catalog),
            || {
                let (base, categories) = base_grid(minutes, catalog);
                timeline_of(base, None, &categories)
            },
        );
        report.percentiles = percentiles;
        report.timeline = timeline;
        report
    }

    /// The report of a tally without its timeline and per-minute percentiles, sorted.
    fn rows_of(tally: &Tally, catalog: &Catalog) -> Report {
        let mut codes = Vec::new();
        let mut unknown = Vec::new();
        let mut by_category: HashMap<Category, u64> = HashMap::new();
        let mut by_vendor: HashMap<Vendor, u64> = HashMap::new();
        // Each row's key, to give it its intervals once they are computed (below).
        let mut code_keys = Vec::new();
        let mut unknown_keys = Vec::new();
        for ((vendor, code), stat) in &tally.codes {
            let first = FirstSeen {
                path: stat.first.path.to_string(),
                line: stat.first.line,
            };
            *by_vendor.entry(*vendor).or_default() += stat.count;
            let times = tally.times.get(&(*vendor, code.clone()));
            let first_time = times.and_then(|t| t.first).map(|t| t.to_string());
            let last_time = times.and_then(|t| t.last).map(|t| t.to_string());
            match code {
                Code::Known(id) => {
                    let entry = catalog.entry(*id);
                    *by_category.entry(entry.category).or_default() += stat.count;
                    codes.push(CodeRow {
                        vendor: *vendor,
                        code: entry.code.clone(),
                        name: entry.name.clone(),
                        category: entry.category,
                        severity: entry.severity,
                        count: stat.count,
                        first,
                        first_time,
                        last_time,
                        intervals_ms: None,
                    });
                    code_keys.push((*vendor, code));
                }
                Code::Unknown(text) => {
                    *by_category.entry(Category::Unknown).or_default() += stat.count;
                    unknown.push(UnknownRow {
                        vendor: *vendor,
                        code: text.to_string(),
                        count: stat.count,
                        first,
                        first_time,
                        last_time,
                        intervals_ms: None,
                    });
                    unknown_keys.push((*vendor, code));
                }
            }
        }
        let by_file = tally
            .by_file
            .iter()
            .map(|((path, vendor, code), stat)| {
                let (code, name, category, severity) = match code {
                    Code::Known(id) => {
                        let entry = catalog.entry(*id);
                        (
                            entry.code.clone(),
                            Some(entry.name.clone()),
                            entry.category,
                            Some(entry.severity),
                        )
                    }
                    Code::Unknown(text) => (text.to_string(), None, Category::Unknown, None),
                };
                FileCodeRow {
                    path: path.to_string(),
                    vendor: *vendor,
                    code,
                    name,
                    category,
                    severity,
                    count: stat.count,
                    line: stat.first.line,
                }
            })
            .collect();
        let files: Vec<FileRow> = tally
            .files
            .iter()
            .map(|stat| FileRow {
                path: stat.path.to_string(),
                bytes: stat.bytes,
                lines: stat.lines,
                matches: stat.matches,
                error: stat.error.clone(),
                skipped: stat.skipped.clone(),
            })
            .collect();
        let totals = Totals {
            files: files.len() as u64,
            bytes: files.iter().map(|file| file.bytes).sum(),
            lines: files.iter().map(|file| file.lines).sum(),
            matches: tally.matches(),
            unknown: tally.unknown(),
            errors: files.iter().filter(|file| file.error.is_some()).count() as u64,
            untimed: tally.times.values().map(|times| times.untimed).sum(),
        };
        // The intervals last, on every thread: one histogram per code is most of building a big
        // report, and the thread building the timeline meanwhile joins in once it is done, so
        // the rest of the rows is better made before than after.
        let mut distributions: HashMap<(Vendor, Code), Distribution> = {
            use rayon::prelude::*;
            tally
                .times
                .par_iter()
                .filter_map(|(key, times)| Some((key.clone(), times.intervals.distribution()?)))
                .collect()
        };
        let mut intervals_of =
            |(vendor, code): (Vendor, &Code)| distributions.remove(&(vendor, code.clone()));
        for (row, key) in codes.iter_mut().zip(code_keys) {
            row.intervals_ms = intervals_of(key);
        }
        for (row, key) in unknown.iter_mut().zip(unknown_keys) {
            row.intervals_ms = intervals_of(key);
        }
        let mut report = Report {
            schema: SCHEMA.to_string(),
            tool: Tool {
                name: "errscan".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                catalog: catalog.fingerprint(),
            },
            totals,
            by_category: by_category
                .into_iter()
                .map(|(category, count)| CategoryCount { category, count })
                .collect(),
            by_vendor: by_vendor
                .into_iter()
                .map(|(vendor, count)| VendorCount { vendor, count })
                .collect(),
            codes,
            unknown,
            files,
            timeline: None,
            percentiles: None,
            gate: None,
            by_file,
        };
        report.sort();
        report
    }

    /// Sets the timeline from `base` at `width` base minutes (automatic when `None`), and the
    /// per-minute percentiles (which do not depend on the width); codes take their category
    /// from the report's rows (`unknown` when absent).
    pub fn rebucket(&mut self, base: BaseGrid, width: Option<i64>) {
        let categories: HashMap<String, Category> = self
            .codes
            .iter()
            .map(|row| (format!("{}:{}", row.vendor.id(), row.code), row.category))
            .collect();
        (self.percentiles, self.timeline) = timeline_of(base, width, &categories);
    }

    /// Puts every list in contract order: count descending, then by name.
    pub fn sort(&mut self) {
        self.by_category.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.category.id().cmp(b.category.id()))
        });
        self.by_vendor.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.vendor.id().cmp(b.vendor.id()))
        });
        self.codes.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.vendor.id().cmp(b.vendor.id()))
                .then_with(|| a.code.cmp(&b.code))
        });
        self.unknown.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.vendor.id().cmp(b.vendor.id()))
                .then_with(|| a.code.cmp(&b.code))
        });
        self.files
            .sort_by(|a, b| b.matches.cmp(&a.matches).then_with(|| a.path.cmp(&b.path)));
        self.by_file.sort_by(|a, b| {
            severity_rank(b.severity)
                .cmp(&severity_rank(a.severity))
                .then_with(|| b.count.cmp(&a.count))
                .then_with(|| a.path.cmp(&b.path))
                .then_with(|| a.line.cmp(&b.line))
                .then_with(|| a.vendor.id().cmp(b.vendor.id()))
                .then_with(|| a.code.cmp(&b.code))
        });
    }
}

/// The per-minute percentiles and the timeline of `base` at `width` base minutes (automatic
/// when `None`), each key taking its category from `categories` (`unknown` when absent).
fn timeline_of(
    base: BaseGrid,
    width: Option<i64>,
    categories: &HashMap<String, Category>,
) -> (Option<Percentiles>, Option<Timeline>) {
    let category_of = |key: &str| categories.get(key).copied().unwrap_or(Category::Unknown);
    (
        per_minute(&base, category_of),
        Timeline::build(base, width, category_of),
    )
}

/// The base grid (see [`crate::timeline`]) of per-minute counts by (vendor, code), and the
/// category of each of its `vendor:code` keys.
fn base_grid<K: Borrow<(Vendor, Code)>>(
    minutes: impl Iterator<Item = (K, Vec<(i64, u64)>)>,
    catalog: &Catalog,
) -> (BaseGrid, HashMap<String, Category>) {
    let mut base = BaseGrid {
        seconds: crate::timeline::BASE_SECONDS,
        ..BaseGrid::default()
    };
    let mut categories = HashMap::new();
    for (key, minutes) in minutes {
        if minutes.is_empty() {
            continue;
        }
        let (vendor, code) = key.borrow();
        let (text, category) = match code {
            Code::Known(id) => {
                let entry = catalog.entry(*id);
                (entry.code.as_str(), entry.category)
            }
            Code::Unknown(text) => (&**text, Category::Unknown),
        };
        let key = format!("{}:{text}", vendor.id());
        categories.insert(key.clone(), category);
        base.codes.insert(key, minutes);
    }
    (base, categories)
}
