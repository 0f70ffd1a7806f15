//! The CI gate: rules checked against a finished [`Report`], giving a [`GateResult`].
//!
//! # Brief overview
//!
//! - A [`Key`] picks matches: `total`, a category (`network`), a severity (`severity>=error`,
//!   `severity=fatal`, `severity>warning`), a vendor (`jitsi`, `bbb`) or one code
//!   (`bbb:1101`). Every key counts rows of the report, so a gate's number is always a number
//!   the report shows; codes absent from the catalog count under the category `unknown`, under
//!   their vendor and under `total`, but under no severity.
//! - A [`Rule`] is `--fail-on KEY` (trips on any match), `--max [KEY=]N` (trips above N) or
//!   `--fail-on-unknown` (trips on any code absent from the catalog).
//! - A [`Baseline`] is a previous report: a code absent from it, or whose count grew by more than
//!   `--max-growth` percent (default 0: any growth), trips the `baseline` rule once per code.
//!   Counts are compared as they are, not per line scanned: the same errors in a shorter log
//!   must not fail, and a CI scenario's log length is its own business.
//! - `--allow vendor:code` takes a code out of every rule; it is still reported.
//!
//! [`GateOptions`] holds the options as given on the command line or in `errscan.toml`, and
//! merges the two. Nothing here reads files or the environment.
//!
//! # Example
//!
//! ```
//! use errscan::gate::{Gate, GateOptions, Key};
//! use errscan::report::Report;
//!
//! let options = GateOptions {
//!     max: vec![(Key::parse("network").unwrap(), 0)],
//!     ..GateOptions::default()
//! };
//! let gate = Gate::new(options, None);
//! let report: Report = serde_json::from_str(r#"{"schema":"errscan/report@1",
//!   "tool":{"name":"errscan","version":"0.1.0"},
//!   "totals":{"files":1,"bytes":10,"lines":1,"matches":1,"unknown":0,"errors":0},
//!   "by_category":[],"by_vendor":[],"unknown":[],"files":[],
//!   "codes":[{"vendor":"bigbluebutton","code":"1101","name":"X","category":"network",
//!             "severity":"error","count":1,"first":{"path":"a.log","line":1}}]}"#).unwrap();
//! let result = gate.evaluate(&report);
//! assert!(!result.passed);
//! assert_eq!(result.violations[0].message, "network 1 > 0");
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use crate::catalog::{Category, Severity};
use crate::report::{CodeCount, GateResult, Report, RuleCheck, TOP_CODES, Violation};
use crate::vendor::Vendor;

/// A gate option that could not be parsed; the message names the value and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GateParseError {
    message: String,
}

impl GateParseError {
    fn new(message: impl Into<String>) -> GateParseError {
        GateParseError {
            message: message.into(),
        }
    }
}

/// How a severity key compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// `severity>=LEVEL`: this level and worse.
    AtLeast,
    /// `severity>LEVEL`: worse than this level.
    Above,
    /// `severity=LEVEL`: exactly this level.
    Exactly,
}

/// One vendor's code, as in `--allow bbb:1110` or the key `bbb:1101`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeKey {
    /// The vendor.
    pub vendor: Vendor,
    /// The code as written in reports (`1101`, `conference.iceFailed`).
    pub code: String,
}

impl CodeKey {
    /// Parses `vendor:code`; the vendor may be an alias (`bbb`, `zego`).
    pub fn parse(text: &str) -> Result<CodeKey, GateParseError> {
        let text = text.trim();
        let Some((vendor, code)) = text.split_once(':') else {
            return Err(GateParseError::new(format!(
                "expected vendor:code (like bbb:1110), found `{text}`"
            )));
        };
        let vendor = vendor
            .trim()
            .parse::<Vendor>()
            .map_err(|error| GateParseError::new(error.to_string()))?;
        let code = code.trim();
        if code.is_empty() {
            return Err(GateParseError::new(format!(
                "`{text}` has no code after the colon"
            )));
        }
        Ok(CodeKey {
            vendor,
            code: code.to_string(),
        })
    }

    fn is(&self, vendor: Vendor, code: &str) -> bool {
        self.vendor == vendor && self.code == code
    }
}

impl fmt::Display for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.vendor.id(), self.code)
    }
}

/// Which matches a rule counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// Every match.
    Total,
    /// Matches of one category; codes absent from the catalog count under `unknown`.
    Category(Category),
    /// Matches of known codes whose severity compares so.
    Severity {
        /// How to compare.
        comparison: Comparison,
        /// With what.
        severity: Severity,
    },
    /// Matches of one vendor.
    Vendor(Vendor),
    /// Matches of one code.
    Code(CodeKey),
    /// Codes absent from the catalog (`--fail-on-unknown`); not written as a key.
    Uncatalogued,
}

impl Key {
    /// Parses a key: `total`, a category, `severity>=LEVEL` (or `=`, `>`), a vendor or an alias,
    /// or `vendor:code`.
    pub fn parse(text: &str) -> Result<Key, GateParseError> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        if lower.is_empty() {
            return Err(GateParseError::new("empty gate key"));
        }
        if lower == "total" {
            return Ok(Key::Total);
        }
        if let Some(rest) = lower.strip_prefix("severity") {
            return parse_severity_key(text, rest.trim_start());
        }
        if text.contains(':') {
            return CodeKey::parse(text).map(Key::Code);
        }
        if let Some(category) = Category::from_id(&lower) {
            return Ok(Key::Category(category));
        }
        if let Some(vendor) = Vendor::from_id(&lower) {
            return Ok(Key::Vendor(vendor));
        }
        if Severity::from_id(&lower).is_some() {
            return Err(GateParseError::new(format!(
                "`{text}` is a severity: write severity>={lower} (this level and worse) or severity={lower}"
            )));
        }
        let mut message = format!(
            "unknown gate key `{text}` (expected total, a category ({}), severity>=LEVEL, a vendor ({}), or vendor:code)",
            Category::ALL.map(Category::id).join(", "),
            Vendor::ALL.map(Vendor::id).join(", "),
        );
        if let Some(near) = closest_word(&lower) {
            message.push_str(&format!("; did you mean `{near}`?"));
        }
        Err(GateParseError::new(message))
    }

    /// True when a known code with these attributes counts under this key.
    fn counts_known(
        &self,
        vendor: Vendor,
        code: &str,
        category: Category,
        severity: Severity,
    ) -> bool {
        match self {
            Key::Total => true,
            Key::Category(wanted) => *wanted == category,
            Key::Severity {
                comparison,
                severity: wanted,
            } => match comparison {
                Comparison::AtLeast => severity >= *wanted,
                Comparison::Above => severity > *wanted,
                Comparison::Exactly => severity == *wanted,
            },
            Key::Vendor(wanted) => *wanted == vendor,
            Key::Code(key) => key.is(vendor, code),
            Key::Uncatalogued => false,
        }
    }

    /// True when one match counts under this key: `known` holds the category and severity of
    /// a code the catalog knows, `None` for a code absent from it. `watch --exit-on-first`
    /// tests each match with this.
    pub fn matches(&self, vendor: Vendor, code: &str, known: Option<(Category, Severity)>) -> bool {
        match known {
            Some((category, severity)) => self.counts_known(vendor, code, category, severity),
            None => self.counts_unknown(vendor, code),
        }
    }

    /// True when a code absent from the catalog counts under this key.
    fn counts_unknown(&self, vendor: Vendor, code: &str) -> bool {
        match self {
            Key::Total | Key::Uncatalogued => true,
            Key::Category(wanted) => *wanted == Category::Unknown,
            Key::Severity { .. } => false,
            Key::Vendor(wanted) => *wanted == vendor,
            Key::Code(key) => key.is(vendor, code),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Total => f.write_str("total"),
            Key::Category(category) => f.write_str(category.id()),
            Key::Severity {
                comparison,
                severity,
            } => {
                let operator = match comparison {
                    Comparison::AtLeast => ">=",
                    Comparison::Above => ">",
                    Comparison::Exactly => "=",
                };
                write!(f, "severity{operator}{}", severity.id())
            }
            Key::Vendor(vendor) => f.write_str(vendor.id()),
            Key::Code(key) => key.fmt(f),
            Key::Uncatalogued => f.write_str("codes not in the catalog"),
        }
    }
}

fn parse_severity_key(text: &str, rest: &str) -> Result<Key, GateParseError> {
    let (comparison, level) = if let Some(level) = rest.strip_prefix(">=") {
        (Comparison::AtLeast, level)
    } else if let Some(level) = rest.strip_prefix('>') {
        (Comparison::Above, level)
    } else if let Some(level) = rest.strip_prefix('=') {
        (Comparison::Exactly, level)
    } else {
        return Err(GateParseError::new(format!(
            "expected severity>=LEVEL, severity>LEVEL or severity=LEVEL, found `{text}`"
        )));
    };
    let level = level.trim();
    let severity = Severity::from_id(level).ok_or_else(|| {
        GateParseError::new(format!(
            "unknown severity `{level}` in `{text}` (expected one of {})",
            Severity::ALL.map(Severity::id).join(", ")
        ))
    })?;
    Ok(Key::Severity {
        comparison,
        severity,
    })
}

/// The category or vendor id closest to a mistyped key, if one is close.
fn closest_word(text: &str) -> Option<&'static str> {
    Category::ALL
        .map(Category::id)
        .into_iter()
        .chain(Vendor::ALL.map(Vendor::id))
        .chain(["total"])
        .map(|word| (strsim::levenshtein(text, word), word))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, word)| word)
}

/// Parses a `--max` value: `N` (on the total) or `KEY=N`.
pub fn parse_limit(text: &str) -> Result<(Key, u64), GateParseError> {
    let text = text.trim();
    let (key, number) = match text.rsplit_once('=') {
        Some((key, number)) => (Key::parse(key)?, number.trim()),
        None => (Key::Total, text),
    };
    let limit = number.parse::<u64>().map_err(|_| {
        GateParseError::new(format!(
            "expected N or KEY=N with N a whole number (like 5 or network=0), found `{text}`"
        ))
    })?;
    Ok((key, limit))
}

/// A growth limit in hundredths of a percent, so that comparisons stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Growth {
    basis_points: u64,
}

impl Growth {
    /// The largest growth accepted: up to 10,000,000 percent.
    const MAX_BASIS_POINTS: u64 = 1_000_000_000;

    /// Parses a percentage: `10`, `12.5`, `0.25` or `10%` (at most two decimals).
    pub fn parse(text: &str) -> Result<Growth, GateParseError> {
        let text = text.trim();
        let number = text.strip_suffix('%').unwrap_or(text).trim();
        let invalid = || {
            GateParseError::new(format!(
                "expected a percentage like 10 or 12.5, found `{text}`"
            ))
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let is_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if whole.is_empty() || !is_digits(whole) || !is_digits(fraction) || fraction.len() > 2 {
            return Err(invalid());
        }
        let whole = whole.parse::<u64>().map_err(|_| invalid())?;
        let fraction = format!("{fraction:0<2}")
            .parse::<u64>()
            .map_err(|_| invalid())?;
        let basis_points = whole
            .checked_mul(100)
            .and_then(|points| points.checked_add(fraction))
            .filter(|points| *points <= Growth::MAX_BASIS_POINTS)
            .ok_or_else(invalid)?;
        Ok(Growth { basis_points })
    }

    /// A growth from a floating-point percentage (the config file's number), rounded to
    /// hundredths; `None` when negative, not finite or too large.
    pub fn from_percent(percent: f64) -> Option<Growth> {
        let points = (percent * 100.0).round();
        let is_valid =
            percent.is_finite() && points >= 0.0 && points <= Growth::MAX_BASIS_POINTS as f64;
        is_valid.then_some(Growth {
            basis_points: points as u64,
        })
    }

    /// True when going from `before` to `now` grows by more than this.
    pub fn is_exceeded(self, before: u64, now: u64) -> bool {
        u128::from(now) * 10_000 > u128::from(before) * (10_000 + u128::from(self.basis_points))
    }
}

impl fmt::Display for Growth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.basis_points / 100;
        let fraction = self.basis_points % 100;
        match fraction {
            0 => write!(f, "{whole}%"),
            _ if fraction % 10 == 0 => write!(f, "{whole}.{}%", fraction / 10),
            _ => write!(f, "{whole}.{fraction:02}%"),
        }
    }
}

/// The gate options as given on the command line or in a config file, before they become a
/// [`Gate`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateOptions {
    /// `--fail-on KEY`, in order.
    pub fail_on: Vec<Key>,
    /// `--max [KEY=]N`, in order; a later limit for the same key replaces the earlier one.
    pub max: Vec<(Key, u64)>,
    /// `--allow vendor:code`.
    pub allow: Vec<CodeKey>,
    /// `--baseline report.json`.
    pub baseline: Option<PathBuf>,
    /// `--max-growth PCT`.
    pub max_growth: Option<Growth>,
    /// `--fail-on-unknown`.
    pub fail_on_unknown: bool,
}

impl GateOptions {
    /// True when any gate option is set, so that the report carries a gate verdict.
    pub fn is_given(&self) -> bool {
        !self.fail_on.is_empty()
            || !self.max.is_empty()
            || !self.allow.is_empty()
            || self.baseline.is_some()
            || self.max_growth.is_some()
            || self.fail_on_unknown
    }

    /// These options (from the config file) with `over` (from the command line) on top: lists
    /// are joined, a `--max` for a key the file also limits replaces the file's limit, and
    /// `--baseline` and `--max-growth` replace the file's. `fail_on_unknown` is on when either
    /// turns it on.
    pub fn overridden_by(mut self, over: GateOptions) -> GateOptions {
        for key in over.fail_on {
            if !self.fail_on.contains(&key) {
                self.fail_on.push(key);
            }
        }
        for (key, limit) in over.max {
            self.set_max(key, limit);
        }
        for code in over.allow {
            if !self.allow.contains(&code) {
                self.allow.push(code);
            }
        }
        self.baseline = over.baseline.or(self.baseline);
        self.max_growth = over.max_growth.or(self.max_growth);
        self.fail_on_unknown |= over.fail_on_unknown;
        self
    }

    /// Sets the limit of a key, replacing an earlier one in place.
    pub fn set_max(&mut self, key: Key, limit: u64) {
        match self.max.iter_mut().find(|(existing, _)| *existing == key) {
            Some(entry) => entry.1 = limit,
            None => self.max.push((key, limit)),
        }
    }
}

/// One rule of the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// `--fail-on KEY`: trips when any match has the key.
    FailOn(Key),
    /// `--max [KEY=]N`: trips when more than N matches have the key.
    Max(Key, u64),
    /// `--fail-on-unknown`: trips when any code absent from the catalog was seen.
    FailOnUnknown,
}

impl Rule {
    fn key_and_limit(&self) -> (&Key, u64) {
        match self {
            Rule::FailOn(key) => (key, 0),
            Rule::Max(key, limit) => (key, *limit),
            Rule::FailOnUnknown => (&Key::Uncatalogued, 0),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::FailOn(key) => write!(f, "fail-on {key}"),
            Rule::Max(Key::Total, limit) => write!(f, "max {limit}"),
            Rule::Max(key, limit) => write!(f, "max {key}={limit}"),
            Rule::FailOnUnknown => f.write_str("fail-on-unknown"),
        }
    }
}

/// The counts of a previous report, to compare against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    counts: HashMap<(Vendor, String), u64>,
    label: String,
    max_growth: Growth,
}

impl Baseline {
    /// The counts of `report` (known and unknown codes), named `label` (its path) in messages.
    pub fn new(report: &Report, label: impl Into<String>, max_growth: Growth) -> Baseline {
        let known = report
            .codes
            .iter()
            .map(|row| ((row.vendor, row.code.clone()), row.count));
        let unknown = report
            .unknown
            .iter()
            .map(|row| ((row.vendor, row.code.clone()), row.count));
        let mut counts: HashMap<(Vendor, String), u64> = HashMap::new();
        for (key, count) in known.chain(unknown) {
            *counts.entry(key).or_default() += count;
        }
        Baseline {
            counts,
            label: label.into(),
            max_growth,
        }
    }

    fn count(&self, vendor: Vendor, code: &str) -> u64 {
        self.counts
            .get(&(vendor, code.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

/// The name the baseline rule has in [`GateResult`].
pub const BASELINE_RULE: &str = "baseline";

/// The name of the one JUnit test case written when no gate was given.
pub const IMPLICIT_RULE: &str = "errscan";

/// Built gate rules, ready to check reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gate {
    rules: Vec<Rule>,
    allow: HashSet<CodeKey>,
    baseline: Option<Baseline>,
}

impl Gate {
    /// Builds the gate of `options`: the `--fail-on` rules, then the `--max` rules, then
    /// `--fail-on-unknown`, then the baseline (whose counts the caller has read).
    pub fn new(options: GateOptions, baseline: Option<Baseline>) -> Gate {
        let mut rules: Vec<Rule> = options.fail_on.into_iter().map(Rule::FailOn).collect();
        rules.extend(
            options
                .max
                .into_iter()
                .map(|(key, limit)| Rule::Max(key, limit)),
        );
        if options.fail_on_unknown {
            rules.push(Rule::FailOnUnknown);
        }
        Gate {
            rules,
            allow: options.allow.into_iter().collect(),
            baseline,
        }
    }

    /// The rules, in the order they are checked (the baseline comes last).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Checks every rule against `report`.
    pub fn evaluate(&self, report: &Report) -> GateResult {
        let rows = self.counted_rows(report);
        let mut violations = Vec::new();
        let mut checks = Vec::new();
        for rule in &self.rules {
            let (key, limit) = rule.key_and_limit();
            let (count, codes) = count_key(&rows, key);
            let passed = count <= limit;
            let summary = if passed {
                format!("{key} {count} <= {limit}")
            } else {
                format!("{key} {count} > {limit}")
            };
            if !passed {
                violations.push(Violation {
                    rule: rule.to_string(),
                    message: summary.clone(),
                    codes,
                });
            }
            checks.push(RuleCheck {
                rule: rule.to_string(),
                passed,
                summary,
            });
        }
        if let Some(baseline) = &self.baseline {
            let found = baseline_violations(baseline, &rows);
            let summary = format!(
                "{} {} new or grown by more than {} against {}",
                found.len(),
                if found.len() == 1 { "code" } else { "codes" },
                baseline.max_growth,
                baseline.label
            );
            checks.push(RuleCheck {
                rule: BASELINE_RULE.to_string(),
                passed: found.is_empty(),
                summary,
            });
            violations.extend(found);
        }
        GateResult {
            passed: violations.is_empty(),
            violations,
            rules: checks,
        }
    }

    /// The verdict the JUnit report shows when no gate was given: one rule, named
    /// [`IMPLICIT_RULE`], that fails on any code of severity error or fatal. It is only shown;
    /// the exit status stays that of the options given.
    pub fn implicit_junit_verdict(report: &Report) -> GateResult {
        let key = Key::Severity {
            comparison: Comparison::AtLeast,
            severity: Severity::Error,
        };
        let gate = Gate::new(
            GateOptions {
                fail_on: vec![key],
                ..GateOptions::default()
            },
            None,
        );
        let mut result = gate.evaluate(report);
        for check in &mut result.rules {
            check.rule = IMPLICIT_RULE.to_string();
        }
        for violation in &mut result.violations {
            violation.rule = IMPLICIT_RULE.to_string();
        }
        result
    }

    /// Every row of the report that the rules count: known and unknown codes, allowed ones left
    /// out, most frequent first.
    fn counted_rows(&self, report: &Report) -> Vec<CountedRow> {
        let known = report.codes.iter().map(|row| CountedRow {
            vendor: row.vendor,
            code: row.code.clone(),
            count: row.count,
            known: Some((row.category, row.severity)),
        });
        let unknown = report.unknown.iter().map(|row| CountedRow {
            vendor: row.vendor,
            code: row.code.clone(),
            count: row.count,
            known: None,
        });
        let mut rows: Vec<CountedRow> = known
            .chain(unknown)
            .filter(|row| {
                !self.allow.contains(&CodeKey {
                    vendor: row.vendor,
                    code: row.code.clone(),
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.vendor.id().cmp(b.vendor.id()))
                .then_with(|| a.code.cmp(&b.code))
        });
        rows
    }
}

/// One code of the report as the rules see it.
struct CountedRow {
    vendor: Vendor,
    code: String,
    count: u64,
    /// Category and severity of a known code; `None` when the catalog does not know it.
    known: Option<(Category, Severity)>,
}

impl CountedRow {
    fn has(&self, key: &Key) -> bool {
        match self.known {
            Some((category, severity)) => {
                key.counts_known(self.vendor, &self.code, category, severity)
            }
            None => key.counts_unknown(self.vendor, &self.code),
        }
    }

    fn code_count(&self) -> CodeCount {
        CodeCount {
            vendor: self.vendor,
            code: self.code.clone(),
            count: self.count,
        }
    }
}

/// The matches under `key` and the most frequent codes among them.
fn count_key(rows: &[CountedRow], key: &Key) -> (u64, Vec<CodeCount>) {
    let matching = rows.iter().filter(|row| row.has(key));
    let count = matching.clone().map(|row| row.count).sum();
    let codes = matching
        .take(TOP_CODES)
        .map(CountedRow::code_count)
        .collect();
    (count, codes)
}

fn baseline_violations(baseline: &Baseline, rows: &[CountedRow]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for row in rows {
        let before = baseline.count(row.vendor, &row.code);
        let key = format!("{}:{}", row.vendor.id(), row.code);
        let message = if before == 0 {
            format!("{key} new: {} (absent from the baseline)", row.count)
        } else if baseline.max_growth.is_exceeded(before, row.count) {
            format!(
                "{key} grew {before} -> {} (+{}, more than {})",
                row.count,
                percent_change(before, row.count),
                baseline.max_growth
            )
        } else {
            continue;
        };
        violations.push(Violation {
            rule: BASELINE_RULE.to_string(),
            message,
            codes: vec![row.code_count()],
        });
    }
    violations
}

/// `now` over `before` as a percentage with at most one decimal (`150%`, `3.3%`).
fn percent_change(before: u64, now: u64) -> String {
    let percent = (now.saturating_sub(before)) as f64 * 100.0 / before.max(1) as f64;
    let text = format!("{percent:.1}");
    format!("{}%", text.strip_suffix(".0").unwrap_or(&text))
}

#[cfg(test)]
mod tests;
