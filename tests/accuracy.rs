//! Accuracy: `errscan scan` over generated mixed-vendor logs reports exactly what the generator
//! wrote, code by code.
//!
//! The generator ([`errscan::synth::generate`]) keeps its truth from the codes it chose to write,
//! never from a pattern or the scanner, so any difference is a scanner (or pattern) bug, or an
//! unrealistic template. Each run goes through the real binary: the default thread count, `-j1`,
//! a gzip copy, a file large enough to be split into parallel chunks, and a directory.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;

use errscan::Vendor;
use errscan::catalog::Catalog;
use errscan::synth::{Truth, generate};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

/// Size of each generated log: about 27,000 lines and 550 codes.
const LOG_BYTES: u64 = 4 * 1024 * 1024;

/// (vendor id, code) -> lines.
type Counts = BTreeMap<(String, String), u64>;

/// What a JSON report says, in the truth's terms.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    codes: Counts,
    unknown: Counts,
    lines: u64,
    bytes: u64,
    matches: u64,
}

fn write_log(path: &Path, bytes: u64, seed: u64) -> Truth {
    let file = File::create(path).expect("create the log in the temporary directory");
    let mut out = BufWriter::new(file);
    let truth = generate(&mut out, bytes, seed, &Catalog::builtin()).expect("write the log");
    out.flush().expect("flush the log");
    truth
}

fn write_gzip_copy(from: &Path, to: &Path) {
    let bytes = std::fs::read(from).expect("read the log back");
    let mut encoder = GzEncoder::new(
        File::create(to).expect("create the .gz copy"),
        Compression::fast(),
    );
    encoder.write_all(&bytes).expect("compress the log");
    encoder.finish().expect("finish the .gz copy");
}

/// Runs `errscan scan --format json ARGS...` and parses its report.
fn scan(args: &[&str], input: &Path) -> Found {
    let mut command = Command::new(env!("CARGO_BIN_EXE_errscan"));
    command
        .args(["scan", "--format", "json"])
        .args(args)
        .arg(input);
    let output = command.output().expect("run errscan");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{command:?} exited with {}\nstderr:\n{}\nstdout:\n{stdout}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
    );
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("{command:?}: the report is not JSON: {error}\n{stdout}"));
    let totals = &report["totals"];
    Found {
        codes: rows(&report, "codes"),
        unknown: rows(&report, "unknown"),
        lines: number(&totals["lines"], "totals.lines"),
        bytes: number(&totals["bytes"], "totals.bytes"),
        matches: number(&totals["matches"], "totals.matches"),
    }
}

fn number(value: &Value, what: &str) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("{what} is not a count: {value}"))
}

/// `codes[]` or `unknown[]` of a report as counts; a (vendor, code) listed twice is an error.
fn rows(report: &Value, key: &str) -> Counts {
    let mut counts = Counts::new();
    let list = report[key]
        .as_array()
        .unwrap_or_else(|| panic!("the report has no {key}[]"));
    for row in list {
        let text = |field: &str| {
            row[field]
                .as_str()
                .unwrap_or_else(|| panic!("{key}[] row without {field}: {row}"))
                .to_string()
        };
        let previous = counts.insert(
            (text("vendor"), text("code")),
            number(&row["count"], "count"),
        );
        assert!(previous.is_none(), "{key}[] lists a code twice: {row}");
    }
    counts
}

fn expected_counts(truth: &BTreeMap<(Vendor, String), u64>) -> Counts {
    truth
        .iter()
        .map(|((vendor, code), count)| ((vendor.id().to_string(), code.clone()), *count))
        .collect()
}

fn add_truth(total: &mut Truth, part: &Truth) {
    for (key, count) in &part.codes {
        *total.codes.entry(key.clone()).or_insert(0) += count;
    }
    for (key, count) in &part.unknown {
        *total.unknown.entry(key.clone()).or_insert(0) += count;
    }
    total.lines += part.lines;
    total.bytes += part.bytes;
}

/// One line per code whose count differs: `vendor:code expected N, found M`.
fn diff_counts(what: &str, expected: &Counts, found: &Counts) -> Vec<String> {
    let mut keys: Vec<&(String, String)> = expected.keys().chain(found.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| expected.get(*key) != found.get(*key))
        .map(|(vendor, code)| {
            let key = (vendor.clone(), code.clone());
            let show = |count: Option<&u64>| count.map_or("none".to_string(), u64::to_string);
            format!(
                "  {what} {vendor}:{code}: expected {}, found {}",
                show(expected.get(&key)),
                show(found.get(&key)),
            )
        })
        .collect()
}

/// Asserts that a report equals the truth; `check_bytes` is off for compressed inputs.
fn assert_equals_truth(label: &str, truth: &Truth, found: &Found, check_bytes: bool) {
    let mut problems = diff_counts("codes", &expected_counts(&truth.codes), &found.codes);
    problems.extend(diff_counts(
        "unknown",
        &expected_counts(&truth.unknown),
        &found.unknown,
    ));
    if found.lines != truth.lines {
        problems.push(format!(
            "  totals.lines: expected {}, found {}",
            truth.lines, found.lines
        ));
    }
    if check_bytes && found.bytes != truth.bytes {
        problems.push(format!(
            "  totals.bytes: expected {}, found {}",
            truth.bytes, found.bytes
        ));
    }
    if found.matches != truth.matches() {
        problems.push(format!(
            "  totals.matches: expected {}, found {}",
            truth.matches(),
            found.matches
        ));
    }
    assert!(
        problems.is_empty(),
        "{label}: the report differs from what the generator wrote ({} of {} known codes, {} unknown):\n{}",
        problems.len(),
        truth.codes.len(),
        truth.unknown.len(),
        problems.join("\n"),
    );
}

/// The generated log must exercise every vendor, known and unknown codes, or the test proves
/// little.
fn assert_truth_is_broad(truth: &Truth) {
    for vendor in Vendor::ALL {
        let known = truth.codes.keys().filter(|(v, _)| *v == vendor).count();
        assert!(
            known >= 10,
            "only {known} known {vendor} codes were written"
        );
    }
    assert!(
        truth.unknown.len() >= 3,
        "only {} unknown codes were written",
        truth.unknown.len()
    );
}

fn check_seed(seed: u64) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let log = dir.path().join(format!("mixed-{seed}.log"));
    let truth = write_log(&log, LOG_BYTES, seed);
    assert_truth_is_broad(&truth);

    let found = scan(&[], &log);
    assert_equals_truth(&format!("seed {seed}"), &truth, &found, true);

    let single = scan(&["-j1"], &log);
    assert_equals_truth(&format!("seed {seed}, -j1"), &truth, &single, true);
    assert_eq!(single, found, "seed {seed}: -j1 and the default differ");

    let gz = dir.path().join(format!("mixed-{seed}.log.gz"));
    write_gzip_copy(&log, &gz);
    let unzipped = scan(&[], &gz);
    assert_equals_truth(&format!("seed {seed}, gzip"), &truth, &unzipped, false);
    assert_eq!(
        (&unzipped.codes, &unzipped.unknown),
        (&found.codes, &found.unknown),
        "seed {seed}: the gzip copy and the plain file differ"
    );
}

#[test]
fn scan_equals_truth_seed_1() {
    check_seed(1);
}

#[test]
fn scan_equals_truth_seed_7() {
    check_seed(7);
}

#[test]
fn scan_equals_truth_seed_2024() {
    check_seed(2024);
}

/// Larger than one parallel chunk (8 MiB), so chunk boundaries and the merge of chunk tallies
/// are on the path.
#[test]
fn scan_equals_truth_across_chunks() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let log = dir.path().join("big.log");
    let truth = write_log(&log, 10 * 1024 * 1024, 99);
    let found = scan(&[], &log);
    assert_equals_truth("10 MiB, default threads", &truth, &found, true);
    let single = scan(&["-j1"], &log);
    assert_eq!(single, found, "10 MiB: -j1 and the default differ");
}

/// A directory of logs adds up to the sum of their truths.
#[test]
fn scan_of_a_directory_adds_up() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut total = Truth::default();
    for seed in [11, 12, 13] {
        let log = dir.path().join(format!("part-{seed}.log"));
        add_truth(&mut total, &write_log(&log, 1024 * 1024, seed));
    }
    let found = scan(&[], dir.path());
    assert_equals_truth("directory of three logs", &total, &found, true);
}
