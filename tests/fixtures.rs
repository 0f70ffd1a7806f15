//! The binary over the hand-checked fixtures in `fixtures/`: every file's counts must equal
//! `tests/fixtures-expected.toml`, which was worked out by hand line by line (see
//! `fixtures/README.md`).

mod support;

use std::collections::BTreeMap;

use serde::Deserialize;
use support::{TestEnv, repo_root};

#[derive(Deserialize)]
struct Expected {
    file: Vec<ExpectedFile>,
}

#[derive(Deserialize)]
struct ExpectedFile {
    path: String,
    lines: u64,
    #[serde(default)]
    codes: BTreeMap<String, u64>,
    #[serde(default)]
    unknown: BTreeMap<String, u64>,
}

fn expected() -> Expected {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures-expected.toml"))
        .expect("read expectations");
    toml::from_str(&text).expect("expectations parse")
}

/// `vendor:code` → count of one report list.
fn counts(list: &serde_json::Value) -> BTreeMap<String, u64> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|row| {
            (
                format!(
                    "{}:{}",
                    row["vendor"].as_str().unwrap_or_default(),
                    row["code"].as_str().unwrap_or_default()
                ),
                row["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn every_fixture_gives_its_hand_checked_counts() {
    let env = TestEnv::new();
    let mut failures = Vec::new();
    for file in expected().file {
        let path = repo_root().join("fixtures").join(&file.path);
        let path = path.to_str().expect("utf-8 path");
        let report = env
            .run(&["scan", "--format", "json", path])
            .expect_code(0)
            .json();
        let found_codes = counts(&report["codes"]);
        let found_unknown = counts(&report["unknown"]);
        if found_codes != file.codes {
            failures.push(format!(
                "{}: codes\n  expected {:?}\n  found    {:?}",
                file.path, file.codes, found_codes
            ));
        }
        if found_unknown != file.unknown {
            failures.push(format!(
                "{}: unknown\n  expected {:?}\n  found    {:?}",
                file.path, file.unknown, found_unknown
            ));
        }
        if report["totals"]["lines"] != file.lines {
            failures.push(format!(
                "{}: lines expected {} found {}",
                file.path, file.lines, report["totals"]["lines"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_whole_fixture_tree_adds_up_to_the_sum_of_its_files() {
    let expected = expected();
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    let mut unknown: BTreeMap<String, u64> = BTreeMap::new();
    for file in &expected.file {
        for (key, count) in &file.codes {
            *codes.entry(key.clone()).or_default() += count;
        }
        for (key, count) in &file.unknown {
            *unknown.entry(key.clone()).or_default() += count;
        }
    }
    let env = TestEnv::new();
    let fixtures = repo_root().join("fixtures");
    for threads in ["1", "2"] {
        let report = env
            .run(&[
                "scan",
                "--format",
                "json",
                "-j",
                threads,
                fixtures.to_str().expect("utf-8 path"),
            ])
            .expect_code(0)
            .json();
        assert_eq!(counts(&report["codes"]), codes, "-j{threads}");
        assert_eq!(counts(&report["unknown"]), unknown, "-j{threads}");
        // fixtures/README.md is scanned too and must hold no code.
        assert_eq!(report["totals"]["files"], expected.file.len() as u64 + 1);
    }
}
