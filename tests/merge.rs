//! `errscan merge` end to end: the sum of the reports of the parts of a log equals one scan over
//! all the parts; catalogs that differ are refused unless `--force`; a broken report is named
//! and left out while the rest is still merged.

mod support;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use errscan::catalog::Catalog;
use support::TestEnv;

/// A generated log of a few hundred lines with every vendor, unknown codes and timestamps, and
/// one code repeated often enough to have intervals.
fn generated_lines() -> Vec<Vec<u8>> {
    let mut log = Vec::new();
    errscan::synth::generate(&mut log, 48 * 1024, 11, &Catalog::builtin()).expect("generated");
    let mut lines: Vec<Vec<u8>> = log
        .split_inclusive(|&byte| byte == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    // A code that repeats, at irregular times, spread over the log: intervals for every split.
    let step = lines.len() / 24 + 1;
    for repeat in 0..24u64 {
        let line = format!(
            "2024-03-07T10:{:02}:{:02}.{:03}Z clientLogger: Audio error - errorCode=1007, cause=ICE\n",
            repeat * 2,
            repeat * 7 % 60,
            repeat * 37 % 1000
        );
        let at = (repeat as usize * step).min(lines.len());
        lines.insert(at, line.into_bytes());
    }
    lines
}

/// The fields of a report that must be the same however the inputs were split and merged.
const FIELDS: [&str; 9] = [
    "tool",
    "totals",
    "by_category",
    "by_vendor",
    "codes",
    "unknown",
    "files",
    "timeline",
    "percentiles",
];

fn assert_same_report(merged: &Value, whole: &Value) {
    for field in FIELDS {
        assert_eq!(merged[field], whole[field], "field `{field}`");
    }
    assert_eq!(merged, whole);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Split at random line boundaries into 2-4 files, scan each, merge: the same report as one
    /// scan over the parts, for counts, unknowns, files and the timeline (at the automatic
    /// width and at a given one).
    #[test]
    fn merging_the_parts_equals_scanning_them_together(
        cuts in prop::collection::vec(any::<Index>(), 1..=3),
        bucket in prop::sample::select(vec!["", "1m", "1h"]),
    ) {
        let lines = generated_lines();
        let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut.index(lines.len() + 1)).collect();
        cuts.sort_unstable();
        let env = TestEnv::new();
        let mut parts = Vec::new();
        let mut start = 0;
        for (number, end) in cuts.into_iter().chain([lines.len()]).enumerate() {
            let name = format!("part{number}.log");
            env.write(&name, lines[start..end].concat());
            parts.push(name);
            start = end;
        }
        let bucket_args: Vec<&str> = if bucket.is_empty() { vec![] } else { vec!["--bucket", bucket] };
        let mut reports = Vec::new();
        for part in &parts {
            let report = format!("{part}.json");
            env.run(&["scan", part, "--format", "json", "-o", &report]).expect_code(0);
            reports.push(report);
        }
        let mut merge_args = vec!["merge", "--format", "json"];
        merge_args.extend(reports.iter().map(String::as_str));
        merge_args.extend(&bucket_args);
        let merged = env.run(&merge_args).expect_code(0);
        let mut scan_args = vec!["scan", "--format", "json"];
        scan_args.extend(parts.iter().map(String::as_str));
        scan_args.extend(&bucket_args);
        let whole = env.run(&scan_args).expect_code(0);
        let (merged, whole) = (merged.json(), whole.json());
        prop_assert!(whole["totals"]["matches"].as_u64().unwrap_or(0) > 0);
        prop_assert!(whole["timeline"]["buckets"].is_array());
        prop_assert!(
            whole["percentiles"]["per_minute"]
                .as_object()
                .is_some_and(|categories| categories.values().all(|c| c["histogram"].is_string()) && !categories.is_empty())
        );
        let with_intervals = whole["codes"].as_array().into_iter().flatten()
            .filter(|row| row["intervals_ms"]["count"].as_u64().is_some_and(|n| n > 0))
            .count();
        prop_assert!(with_intervals > 0);
        assert_same_report(&merged, &whole);
    }
}

const LOG: &str = "2024-03-07T10:00:01.000Z clientLogger: Audio error - errorCode=1999, cause=x\n\
2024-03-07T10:05:00.000Z [conference.js] <ge._onConferenceFailed>:  CONFERENCE FAILED: conference.iceFailed\n";

const LOCAL_CATALOG: &str = "vendor = \"bigbluebutton\"\n[[entry]]\ncode = \"1999\"\nname = \"LOCAL_AUDIO_PROBLEM\"\ncategory = \"media\"\nseverity = \"warning\"\ndescription = \"d\"\nremediation = \"r\"\nsource = \"local\"\n";

#[test]
fn reports_of_different_catalogs_are_refused_unless_forced() {
    let env = TestEnv::new();
    env.write("a.log", LOG);
    env.write("local.toml", LOCAL_CATALOG);
    env.run(&["scan", "a.log", "--format", "json", "-o", "builtin.json"])
        .expect_code(0);
    env.run(&[
        "scan",
        "a.log",
        "--catalog",
        "local.toml",
        "--format",
        "json",
        "-o",
        "local.json",
    ])
    .expect_code(0);
    let refused = env
        .run(&["merge", "builtin.json", "local.json", "--format", "json"])
        .expect_code(2);
    assert_eq!(refused.stdout, "", "{}", refused.describe());
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.describe());
    assert!(
        refused.stderr.starts_with(
            "errscan: local.json: made with a different catalog than builtin.json (catalog fnv1a64:"
        ) && refused.stderr.contains("use --force"),
        "{}",
        refused.describe()
    );
    let forced = env
        .run(&[
            "merge",
            "builtin.json",
            "local.json",
            "--format",
            "json",
            "--force",
        ])
        .expect_code(0);
    let report = forced.json();
    assert_eq!(report["tool"]["catalog"], "mixed");
    assert_eq!(report["totals"]["matches"], 4);
    // 1999 is known to one catalog and unknown to the other: each side keeps its own row.
    assert_eq!(report["unknown"][0]["code"], "1999");
    assert_eq!(report["unknown"][0]["count"], 1);
    let local = report["codes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|row| row["code"] == "1999")
        .expect("the local catalog's 1999");
    assert_eq!(local["name"], "LOCAL_AUDIO_PROBLEM");
    // The same catalog twice merges without --force.
    env.run(&["merge", "local.json", "local.json", "--format", "json"])
        .expect_code(0);
}

#[test]
fn a_file_that_is_not_a_report_is_named_and_the_rest_still_merged() {
    let env = TestEnv::new();
    env.write("a.log", LOG);
    env.run(&["scan", "a.log", "--format", "json", "-o", "a.json"])
        .expect_code(0);
    env.write("other.json", "{\"name\": \"not a report\"}\n");
    env.write("broken.json", "{\"schema\": \"errscan/report@1\",");
    let run = env
        .run(&[
            "merge",
            "other.json",
            "a.json",
            "missing.json",
            "broken.json",
            "--format",
            "csv",
            "-o",
            "out/merged.csv",
        ])
        .expect_code(2);
    let errors: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(errors.len(), 3, "{}", run.describe());
    assert_eq!(
        errors[0],
        "errscan: other.json: not an errscan report (missing schema)"
    );
    assert!(
        errors[1].starts_with("errscan: missing.json: "),
        "{}",
        run.describe()
    );
    assert!(
        errors[2].starts_with("errscan: broken.json:1:"),
        "{}",
        run.describe()
    );
    let csv = std::fs::read_to_string(env.path("out/merged.csv")).expect("the merged report");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("jitsi,conference.iceFailed,"), "{csv}");
}

/// Intervals across chunk boundaries: every chunk size, down to one byte, gives the intervals of
/// one chunk over the whole input.
#[test]
fn chunk_boundaries_do_not_change_intervals() {
    use std::sync::Arc;

    use errscan::input::Input;
    use errscan::patterns::PatternSet;
    use errscan::report::Report;
    use errscan::scan::Scanner;
    use errscan::worker::{WorkerOptions, scan_input};

    // Hand-checked: 1007 at 10:00:01.000, 10:00:01.250 and 10:00:03.000 gives the intervals
    // 250 ms and 1750 ms; the untimed 1007 in between is no occurrence in time. 1750 lies in
    // [1024, 2048), kept in steps of 8 (2 significant digits): [1744, 1751], reported as 1751.
    let log = "2024-03-07T10:00:01.000Z clientLogger: Audio error - errorCode=1007, cause=ICE\n\
2024-03-07T10:00:01.250Z clientLogger: Audio error - errorCode=1007, cause=ICE\n\
no time clientLogger: Audio error - errorCode=1007, cause=ICE\n\
2024-03-07T10:00:03.000Z clientLogger: Audio error - errorCode=1007, cause=ICE\n";
    let env = TestEnv::new();
    let path = env.write("a.log", log);
    let catalog = Arc::new(Catalog::builtin());
    let scanner = Scanner::new(&PatternSet::builtin(), Arc::clone(&catalog), &[]).expect("scanner");
    for chunk_bytes in 1..=log.len() {
        let options = WorkerOptions {
            chunk_bytes,
            ..WorkerOptions::default()
        };
        let outcome = scan_input(&scanner, &Input::Path(path.clone()), &options);
        let report = Report::from_tally(&outcome.tally, &catalog);
        let intervals = report.codes[0].intervals_ms.as_ref().expect("intervals");
        assert_eq!(
            (intervals.count, intervals.p50, intervals.max),
            (2, 250, 1751),
            "chunk {chunk_bytes}"
        );
    }
}
