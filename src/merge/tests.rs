use std::sync::Arc;

use super::*;
use crate::catalog::Catalog;
use crate::scan::{Code, Hit};
use crate::tally::{ChunkTally, FileStat, Tally};

/// One hit: (path, line, vendor, code, time).
type Line = (
    &'static str,
    u64,
    Vendor,
    &'static str,
    Option<&'static str>,
);

/// The report of a run over `lines`, one input per path, scanned with the built-in catalog.
fn report_of(lines: &[Line]) -> Report {
    let catalog = Catalog::builtin();
    let mut paths: Vec<&str> = lines.iter().map(|line| line.0).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut tally = Tally::default();
    for path in paths {
        let mut chunk = ChunkTally::default();
        for &(_, line_number, vendor, code, time) in lines.iter().filter(|line| line.0 == path) {
            let code = match catalog.id_of(vendor, code) {
                Some(id) => Code::Known(id),
                None => Code::Unknown(Arc::from(code)),
            };
            let hit = Hit {
                vendor,
                code,
                line_number,
                byte_offset: 0,
            };
            chunk.timed_hit(
                hit,
                time.map(|text| text.parse().expect("an RFC 3339 time")),
            );
        }
        let path: Arc<str> = Arc::from(path);
        let matches = chunk.matches;
        chunk.add_into(&mut tally, &path, 0);
        tally.files.push(FileStat {
            path,
            bytes: 100,
            lines: 10,
            matches,
            ..FileStat::default()
        });
    }
    Report::from_tally(&tally, &catalog)
}

const A: &[Line] = &[
    (
        "a.log",
        3,
        Vendor::BigBlueButton,
        "1101",
        Some("2024-03-21T10:15:01Z"),
    ),
    ("a.log", 7, Vendor::BigBlueButton, "1101", None),
    (
        "a.log",
        9,
        Vendor::Jitsi,
        "conference.iceFailed",
        Some("2024-03-21T12:00:00Z"),
    ),
];
const B: &[Line] = &[
    (
        "b.log",
        1,
        Vendor::BigBlueButton,
        "1101",
        Some("2024-03-20T23:59:59.500Z"),
    ),
    (
        "b.log",
        2,
        Vendor::BigBlueButton,
        "1999",
        Some("2024-03-21T10:15:30Z"),
    ),
];
const C: &[Line] = &[
    ("c.log", 5, Vendor::BigBlueButton, "1999", None),
    (
        "c.log",
        6,
        Vendor::VideoSdk,
        "4009",
        Some("2024-03-22T08:00:00Z"),
    ),
    (
        "0.log",
        4,
        Vendor::BigBlueButton,
        "1101",
        Some("2024-03-21T10:15:02Z"),
    ),
];

fn without_by_file(mut report: Report) -> Report {
    report.by_file.clear();
    report
}

#[test]
fn adding_is_commutative_and_associative() {
    let (a, b, c) = (report_of(A), report_of(B), report_of(C));
    assert_eq!(merge(&a, &b), merge(&b, &a));
    assert_eq!(merge(&merge(&a, &b), &c), merge(&a, &merge(&b, &c)));
    assert_eq!(merge(&merge(&c, &a), &b), merge(&merge(&a, &b), &c));
    let all = merge_all([&c, &b, &a]).expect("three reports");
    assert_eq!(all, merge(&merge(&a, &b), &c));
}

#[test]
fn the_sum_of_reports_is_the_report_of_all_inputs() {
    let all: Vec<Line> = [A, B, C].concat();
    let merged = merge_all(&[report_of(A), report_of(B), report_of(C)]).expect("reports");
    assert_eq!(merged, without_by_file(report_of(&all)));
    // Hand-checked: 1101 four times (a.log twice, b.log, 0.log), first at 0.log:4, earliest on
    // b.log, latest on a.log; 1999 twice, unknown; one untimed 1101 and one untimed 1999.
    let row = &merged.codes[0];
    assert_eq!((row.code.as_str(), row.count), ("1101", 4));
    assert_eq!((row.first.path.as_str(), row.first.line), ("0.log", 4));
    assert_eq!(row.first_time.as_deref(), Some("2024-03-20T23:59:59.500Z"));
    assert_eq!(row.last_time.as_deref(), Some("2024-03-21T10:15:02.000Z"));
    assert_eq!((merged.unknown[0].count, merged.totals.unknown), (2, 2));
    assert_eq!((merged.totals.matches, merged.totals.untimed), (8, 2));
    assert_eq!((merged.totals.files, merged.totals.bytes), (4, 400));
    let timeline = merged.timeline.expect("timed matches");
    assert_eq!(timeline.buckets.iter().map(|b| b.count).sum::<u64>(), 6);
}

#[test]
fn one_report_merges_to_itself() {
    let a = report_of(A);
    assert_eq!(merge_all([&a]), Some(without_by_file(a)));
    assert_eq!(merge_all(std::iter::empty::<&Report>()), None);
}

#[test]
fn different_catalogs_are_found_and_marked() {
    let a = report_of(A);
    let mut b = report_of(B);
    assert!(catalog_mismatches(&[a.clone(), b.clone()]).is_empty());
    b.tool.catalog = "fnv1a64:0000000000000000".to_string();
    assert_eq!(
        catalog_mismatches(&[a.clone(), b.clone()]),
        vec![(1, "fnv1a64:0000000000000000")]
    );
    assert_eq!(merge(&a, &b).tool.catalog, MIXED_CATALOGS);
    assert_eq!(merge(&a, &a).tool.catalog, a.tool.catalog);
}
