//! Adding up JSON reports from separate runs (shards, machines, days) into one, for
//! `errscan merge`.
//!
//! # Brief overview
//!
//! [`merge`] adds two [`Report`]s; [`merge_all`] folds a list. Every field of a report is a sum
//! (counts, totals, the timeline's base grid), a minimum (`first` by (path, line),
//! `first_time`) or a maximum (`last_time`), or is recomputed from those (`by_category`,
//! `by_vendor`, the timeline's buckets), so adding is commutative and associative: any order
//! and any grouping of the same reports gives the same report. Per-code interval histograms
//! (`intervals_ms`) are added; the per-minute `percentiles` are recomputed from the added grid. Adding the reports of separate
//! inputs gives the report of one run over all of them, because no field of a report spans two
//! inputs.
//!
//! What is not added: the gate verdict (a merged report has none; gate the merged report again
//! if needed) and the per-file rows of SARIF and GitHub annotations, which JSON reports do not
//! carry. The timeline is re-bucketed at the automatic width; [`Report::rebucket`] picks another.
//! Whether two reports were made with the same catalog is for the caller to check
//! ([`Tool::catalog`]); a merge of different catalogs is marked [`MIXED_CATALOGS`].

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::catalog::Category;
use crate::percentiles::Distribution;
use crate::report::{
    CategoryCount, CodeRow, FileRow, Report, SCHEMA, Tool, Totals, UnknownRow, VendorCount,
};
use crate::timeline::BaseGrid;
use crate::timestamp::Timestamp;
use crate::vendor::Vendor;

/// `tool.catalog` of a report added up from reports made with different catalogs (`--force`).
pub const MIXED_CATALOGS: &str = "mixed";

/// Adds up `reports`; `None` when there are none.
pub fn merge_all<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Option<Report> {
    let mut reports = reports.into_iter();
    let first = reports.next()?;
    // Adding an empty report normalises a single one (order, timeline width), so that one
    // report in gives the same shape as many.
    let mut sum = merge(first, &empty_like(first));
    for report in reports {
        sum = merge(&sum, report);
    }
    Some(sum)
}

/// Adds two reports. Commutative and associative (see the module documentation).
pub fn merge(left: &Report, right: &Report) -> Report {
    let mut codes: BTreeMap<(Vendor, String), CodeRow> = BTreeMap::new();
    for row in left.codes.iter().chain(&right.codes) {
        match codes.get_mut(&(row.vendor, row.code.clone())) {
            Some(sum) => add_code_row(sum, row),
            None => {
                codes.insert((row.vendor, row.code.clone()), row.clone());
            }
        }
    }
    let mut unknown: BTreeMap<(Vendor, String), UnknownRow> = BTreeMap::new();
    for row in left.unknown.iter().chain(&right.unknown) {
        match unknown.get_mut(&(row.vendor, row.code.clone())) {
            Some(sum) => {
                sum.count += row.count;
                sum.first = sum.first.clone().min(row.first.clone());
                sum.first_time = earliest(&sum.first_time, &row.first_time);
                sum.last_time = latest(&sum.last_time, &row.last_time);
                sum.intervals_ms =
                    Distribution::add(sum.intervals_ms.as_ref(), row.intervals_ms.as_ref());
            }
            None => {
                unknown.insert((row.vendor, row.code.clone()), row.clone());
            }
        }
    }
    let codes: Vec<CodeRow> = codes.into_values().collect();
    let unknown: Vec<UnknownRow> = unknown.into_values().collect();

    let mut by_category: BTreeMap<Category, u64> = BTreeMap::new();
    let mut by_vendor: BTreeMap<Vendor, u64> = BTreeMap::new();
    for row in &codes {
        *by_category.entry(row.category).or_default() += row.count;
        *by_vendor.entry(row.vendor).or_default() += row.count;
    }
    for row in &unknown {
        *by_category.entry(Category::Unknown).or_default() += row.count;
        *by_vendor.entry(row.vendor).or_default() += row.count;
    }

    let mut files: Vec<FileRow> = left.files.iter().chain(&right.files).cloned().collect();
    // A total order first, so that rows equal in the contract's order (count, path) still come
    // out the same whichever report they came from.
    files.sort_by(compare_files);

    let mut base = BaseGrid::default();
    for report in [left, right] {
        if let Some(timeline) = &report.timeline {
            base.add(&timeline.base);
        }
    }

    let mut report = Report {
        schema: SCHEMA.to_string(),
        tool: Tool {
            name: "errscan".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            catalog: if left.tool.catalog == right.tool.catalog {
                left.tool.catalog.clone()
            } else {
                MIXED_CATALOGS.to_string()
            },
        },
        totals: add_totals(&left.totals, &right.totals),
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
        by_file: Vec::new(),
    };
    report.sort();
    report.rebucket(base, None);
    report
}

/// A report with nothing in it, made with the same catalog as `report`.
fn empty_like(report: &Report) -> Report {
    Report {
        schema: SCHEMA.to_string(),
        tool: report.tool.clone(),
        totals: Totals::default(),
        by_category: Vec::new(),
        by_vendor: Vec::new(),
        codes: Vec::new(),
        unknown: Vec::new(),
        files: Vec::new(),
        timeline: None,
        percentiles: None,
        gate: None,
        by_file: Vec::new(),
    }
}

fn add_code_row(sum: &mut CodeRow, row: &CodeRow) {
    sum.count += row.count;
    sum.first = sum.first.clone().min(row.first.clone());
    sum.first_time = earliest(&sum.first_time, &row.first_time);
    sum.last_time = latest(&sum.last_time, &row.last_time);
    sum.intervals_ms = Distribution::add(sum.intervals_ms.as_ref(), row.intervals_ms.as_ref());
    // Equal under one catalog; under different ones (`--force`) the smaller description wins,
    // whichever side it is on, so that the sum does not depend on the order.
    let described = |row: &CodeRow| (row.name.clone(), row.category.id(), row.severity.id());
    if described(row) < described(sum) {
        sum.name = row.name.clone();
        sum.category = row.category;
        sum.severity = row.severity;
    }
}

fn add_totals(left: &Totals, right: &Totals) -> Totals {
    Totals {
        files: left.files + right.files,
        bytes: left.bytes + right.bytes,
        lines: left.lines + right.lines,
        matches: left.matches + right.matches,
        unknown: left.unknown + right.unknown,
        errors: left.errors + right.errors,
        untimed: left.untimed + right.untimed,
    }
}

fn compare_files(a: &FileRow, b: &FileRow) -> Ordering {
    let key = |row: &FileRow| {
        (
            row.path.clone(),
            row.bytes,
            row.lines,
            row.matches,
            row.error.clone(),
            row.skipped.clone(),
        )
    };
    key(a).cmp(&key(b))
}

/// Orders RFC 3339 times by the instant they name (text that does not parse sorts first).
fn time_key(text: &str) -> (Option<Timestamp>, &str) {
    (text.parse().ok(), text)
}

fn earliest(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(std::cmp::min_by_key(a, b, |t| time_key(t)).clone()),
        (a, b) => a.clone().or_else(|| b.clone()),
    }
}

fn latest(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(std::cmp::max_by_key(a, b, |t| time_key(t)).clone()),
        (a, b) => a.clone().or_else(|| b.clone()),
    }
}

/// Which catalog fingerprints differ from the first report's: `(index, fingerprint)` of each
/// report whose `tool.catalog` is not the first one's.
pub fn catalog_mismatches(reports: &[Report]) -> Vec<(usize, &str)> {
    let Some(first) = reports.first() else {
        return Vec::new();
    };
    reports
        .iter()
        .enumerate()
        .filter(|(_, report)| report.tool.catalog != first.tool.catalog)
        .map(|(index, report)| (index, report.tool.catalog.as_str()))
        .collect()
}

#[cfg(test)]
mod tests;
