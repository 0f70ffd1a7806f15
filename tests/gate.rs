//! The CI gate end to end (issue 6): exit codes, gate rules, the config file, baselines, several
//! outputs from one pass, and the CI formats (SARIF, JUnit XML, GitHub annotations), including
//! hostile file names.
//!
//! Expected numbers are worked out by hand from `tests/fixtures-expected.toml` (which codes each
//! fixture holds, how often, and on which line) and the categories and severities written in
//! `catalogs/`, never taken from errscan's output. The file used most,
//! `fixtures/bigbluebutton/html5-client.log`, holds:
//!
//! | code | category | severity | count | first line |
//! | --- | --- | --- | --- | --- |
//! | 1004 | network | error | 1 | 21 |
//! | 1007 | network | error | 1 | 5 |
//! | 1010 | network | error | 1 | 17 |
//! | 1107 ICE_STATE_FAILED | network | error | 2 | 14 |
//! | 2001 MEDIA_SERVER_OFFLINE | server | fatal | 1 | 17 |
//! | 2211 | media | error | 1 | 22 |
//! | 2300 | client | error | 1 | 20 |
//! | 1999 (not in the catalog) | unknown | none | 1 | 19 |
//!
//! so 9 matches: network 5, severity>=error 8, severity=fatal 1, unknown 1.

mod support;

use std::collections::BTreeMap;

use support::{Run, TestEnv, repo_root};

const HTML5: &str = "bigbluebutton/html5-client.log";

/// The path of a file in `fixtures/`, or of `fixtures/` itself for "".
fn fixture(relative: &str) -> String {
    let mut path = repo_root().join("fixtures");
    if !relative.is_empty() {
        path = path.join(relative);
    }
    path.to_str().expect("utf-8 path").to_string()
}

/// `scan --format json ARGS... PATHS...`.
fn scan_json(env: &TestEnv, args: &[&str], paths: &[&str]) -> Run {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    all.extend_from_slice(paths);
    env.run(&all)
}

fn gate_messages(report: &serde_json::Value) -> Vec<(String, String)> {
    report["gate"]["violations"]
        .as_array()
        .unwrap_or_else(|| panic!("no gate violations in {report}"))
        .iter()
        .map(|violation| {
            (
                violation["rule"].as_str().unwrap_or_default().to_string(),
                violation["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Exit codes and rules

#[test]
fn exit_codes_follow_the_contract() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    // Under the threshold, over it, a bad value, a bad key.
    scan_json(&env, &["--max", "network=5"], &[&html5]).expect_code(0);
    scan_json(&env, &["--max", "network=4"], &[&html5]).expect_code(1);
    let run = scan_json(&env, &["--max", "network=x"], &[&html5]).expect_code(2);
    assert!(run.stderr.contains("--max"), "{}", run.describe());
    let run = scan_json(&env, &["--fail-on", "netwrk"], &[&html5]).expect_code(2);
    assert!(
        run.stderr.contains("did you mean `network`?"),
        "{}",
        run.describe()
    );
    scan_json(&env, &["--no-such-flag"], &[&html5]).expect_code(2);
    let run = scan_json(&env, &["--max-growth", "5"], &[&html5]).expect_code(2);
    assert!(
        run.stderr.contains("needs a baseline"),
        "{}",
        run.describe()
    );
    // Over the threshold and an unreadable input: errors win, and the report is still written.
    let run = scan_json(&env, &["--max", "network=4"], &["missing.log", &html5]).expect_code(2);
    assert!(
        run.stderr
            .contains("missing.log: no such file or directory"),
        "{}",
        run.describe()
    );
    let report = run.json();
    assert_eq!(report["totals"]["errors"], 1);
    assert_eq!(report["gate"]["passed"], false);
    // A missing path alone: nothing trips, but the run is still an error.
    let run = scan_json(&env, &["--fail-on", "network"], &["missing.log"]).expect_code(2);
    assert_eq!(run.json()["gate"]["passed"], true);
}

#[test]
fn every_kind_of_key_trips_on_what_it_names() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    let cases: [(&[&str], i32); 16] = [
        (&["--fail-on", "network"], 1),
        (&["--fail-on", "media"], 1),
        (&["--fail-on", "capacity"], 0),
        (&["--fail-on", "severity>=error"], 1),
        (&["--fail-on", "severity=fatal"], 1),
        (&["--fail-on", "severity=warning"], 0),
        (&["--fail-on", "jitsi"], 0),
        (&["--fail-on", "bbb"], 1),
        (&["--fail-on", "bbb:1101"], 0),
        (&["--fail-on", "bbb:1107"], 1),
        (&["--fail-on", "unknown"], 1),
        (&["--fail-on-unknown"], 1),
        (&["--fail-on-unknown", "--allow", "bbb:1999"], 0),
        (&["--max", "9"], 0),
        (&["--max", "8"], 1),
        (&["--max", "severity>=error=8", "--max", "server=1"], 0),
    ];
    for (args, expected) in cases {
        scan_json(&env, args, &[&html5]).expect_code(expected);
    }
}

#[test]
fn the_json_gate_lists_every_violation_and_allowed_codes_stay_reported() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    let report = scan_json(
        &env,
        &[
            "--fail-on",
            "network",
            "--max",
            "20",
            "--allow",
            "bbb:1107",
            "--fail-on-unknown",
        ],
        &[&html5],
    )
    .expect_code(1)
    .json();
    // network: 5 minus the 2 of the allowed 1107; total 9 - 2 = 7 <= 20; 1999 is unknown.
    assert_eq!(
        gate_messages(&report),
        vec![
            ("fail-on network".to_string(), "network 3 > 0".to_string()),
            (
                "fail-on-unknown".to_string(),
                "codes not in the catalog 1 > 0".to_string()
            ),
        ]
    );
    let codes: Vec<&str> = report["gate"]["violations"][0]["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|code| code["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["1004", "1007", "1010"]);
    let rules: Vec<(&str, bool)> = report["gate"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|rule| {
            (
                rule["rule"].as_str().unwrap_or_default(),
                rule["passed"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("fail-on network", false),
            ("max 20", true),
            ("fail-on-unknown", false)
        ]
    );
    // The allowed code is still reported.
    let allowed = report["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .find(|row| row["code"] == "1107")
        .expect("1107 reported");
    assert_eq!(allowed["count"], 2);
    // --allow alone is a gate option: the gate is present and passes.
    let report = scan_json(&env, &["--allow", "bbb:1107"], &[&html5])
        .expect_code(0)
        .json();
    assert_eq!(report["gate"]["passed"], true);
    assert_eq!(report["gate"]["violations"], serde_json::json!([]));
}

#[test]
fn the_text_report_ends_with_a_one_line_verdict() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    let run = env
        .run(&["scan", "--max", "network=4", "--fail-on", "server", &html5])
        .expect_code(1);
    assert_eq!(
        run.stdout.lines().last(),
        Some("gate: FAILED (2 rules): server 1 > 0; network 5 > 4"),
        "{}",
        run.describe()
    );
    // The verdict is on stdout; stderr stays quiet for the text report.
    assert!(run.stderr.is_empty(), "{}", run.describe());
    let run = env
        .run(&["scan", "--max", "network=5", &html5])
        .expect_code(0);
    assert_eq!(run.stdout.lines().last(), Some("gate: passed"));
    // Without a gate, no verdict.
    let run = env.run(&["scan", &html5]).expect_code(0);
    assert!(!run.stdout.contains("gate:"), "{}", run.describe());
    // Other formats say why the run failed on stderr.
    let run = scan_json(&env, &["--max", "network=4"], &[&html5]).expect_code(1);
    assert_eq!(
        run.stderr.trim_end(),
        "errscan: gate: FAILED (1 rule): network 5 > 4"
    );
}

// ---------------------------------------------------------------------------------------------
// The config file

#[test]
fn errscan_toml_holds_the_gate_and_the_command_line_adds_and_overrides() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    env.write(
        "errscan.toml",
        "[gate]\nfail_on = [\"server\"]\nmax = { network = 0 }\n",
    );
    let report = scan_json(&env, &[], &[&html5]).expect_code(1).json();
    assert_eq!(
        gate_messages(&report),
        vec![
            ("fail-on server".to_string(), "server 1 > 0".to_string()),
            ("max network=0".to_string(), "network 5 > 0".to_string()),
        ]
    );
    // The command line overrides the file's limit for the same key and adds rules.
    let report = scan_json(
        &env,
        &[
            "--max",
            "network=5",
            "--allow",
            "bbb:2001",
            "--fail-on",
            "media",
        ],
        &[&html5],
    )
    .expect_code(1)
    .json();
    assert_eq!(
        gate_messages(&report),
        vec![("fail-on media".to_string(), "media 1 > 0".to_string())]
    );
    // --no-config ignores the file: no gate at all.
    let report = scan_json(&env, &["--no-config"], &[&html5])
        .expect_code(0)
        .json();
    assert!(report.get("gate").is_none());
    // --config reads another file; a relative baseline is relative to that file.
    env.write(
        "ci/gate.toml",
        "[gate]\nbaseline = \"base.json\"\nmax_growth = 100\n",
    );
    let baseline = scan_json(&env, &["--no-config"], &[&html5])
        .expect_code(0)
        .stdout;
    env.write("ci/base.json", baseline);
    let report = scan_json(&env, &["--config", "ci/gate.toml"], &[&html5])
        .expect_code(0)
        .json();
    assert_eq!(report["gate"]["passed"], true);
    assert_eq!(report["gate"]["rules"][0]["rule"], "baseline");
}

#[test]
fn a_bad_config_file_is_one_line_with_its_position() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    env.write(
        "errscan.toml",
        "# CI gate\n[gate]\nmax = { network = 0, netwrk = 1 }\n",
    );
    let run = scan_json(&env, &[], &[&html5]).expect_code(2);
    assert!(
        run.stderr
            .starts_with("errscan: errscan.toml:3:22: unknown gate key `netwrk`"),
        "{}",
        run.describe()
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.describe());
    assert!(run.stdout.is_empty());
    let run = scan_json(&env, &["--config", "nowhere.toml"], &[&html5]).expect_code(2);
    assert!(run.stderr.contains("nowhere.toml"), "{}", run.describe());
}

// ---------------------------------------------------------------------------------------------
// Baselines

/// A hand-written baseline: bbb 1107 seen once, 1004 twice, 1999 (unknown) once.
const BASELINE: &str = r#"{
  "schema": "errscan/report@1",
  "tool": {"name": "errscan", "version": "0.0.1"},
  "totals": {"files": 1, "bytes": 100, "lines": 29, "matches": 4, "unknown": 1, "errors": 0},
  "by_category": [], "by_vendor": [],
  "codes": [
    {"vendor": "bigbluebutton", "code": "1004", "name": "audioFailedError1004", "category": "network",
     "severity": "error", "count": 2, "first": {"path": "old.log", "line": 1}},
    {"vendor": "bigbluebutton", "code": "1107", "name": "ICE_STATE_FAILED", "category": "network",
     "severity": "error", "count": 1, "first": {"path": "old.log", "line": 2}}
  ],
  "unknown": [{"vendor": "bigbluebutton", "code": "1999", "count": 1, "first": {"path": "old.log", "line": 3}}],
  "files": [{"path": "old.log", "bytes": 100, "lines": 29, "matches": 4, "error": null}]
}"#;

#[test]
fn the_baseline_fails_on_new_codes_and_on_growth() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    env.write("base.json", BASELINE);
    let report = scan_json(&env, &["--baseline", "base.json"], &[&html5])
        .expect_code(1)
        .json();
    // Now: 1107 x2 (was 1: +100%), 1004 x1 (was 2: fine), 1999 x1 (same); 1007, 1010, 2001,
    // 2211 and 2300 are new. Order: count descending, then code.
    assert_eq!(
        gate_messages(&report)
            .into_iter()
            .map(|(_, message)| message)
            .collect::<Vec<_>>(),
        vec![
            "bigbluebutton:1107 grew 1 -> 2 (+100%, more than 0%)",
            "bigbluebutton:1007 new: 1 (absent from the baseline)",
            "bigbluebutton:1010 new: 1 (absent from the baseline)",
            "bigbluebutton:2001 new: 1 (absent from the baseline)",
            "bigbluebutton:2211 new: 1 (absent from the baseline)",
            "bigbluebutton:2300 new: 1 (absent from the baseline)",
        ]
    );
    assert_eq!(
        report["gate"]["rules"][0]["summary"],
        "6 codes new or grown by more than 0% against base.json"
    );
    // 100% growth is allowed with --max-growth 100; the new codes still fail, unless allowed.
    let allow_new = [
        "--allow", "bbb:1007", "--allow", "bbb:1010", "--allow", "bbb:2001", "--allow", "bbb:2211",
        "--allow", "bbb:2300",
    ];
    let mut args = vec!["--baseline", "base.json", "--max-growth", "100"];
    scan_json(&env, &args, &[&html5]).expect_code(1);
    args.extend_from_slice(&allow_new);
    scan_json(&env, &args, &[&html5]).expect_code(0);
    // 99.5% is not enough for +100%.
    let mut args = vec!["--baseline", "base.json", "--max-growth", "99.5%"];
    args.extend_from_slice(&allow_new);
    scan_json(&env, &args, &[&html5]).expect_code(1);
}

#[test]
fn a_bad_baseline_is_an_error_naming_the_file() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    let run = scan_json(&env, &["--baseline", "nope.json"], &[&html5]).expect_code(2);
    assert!(
        run.stderr
            .starts_with("errscan: nope.json: cannot read the baseline: no such file"),
        "{}",
        run.describe()
    );
    env.write(
        "broken.json",
        "{\n  \"schema\": \"errscan/report@1\",\n  oops\n}\n",
    );
    let run = scan_json(&env, &["--baseline", "broken.json"], &[&html5]).expect_code(2);
    assert!(
        run.stderr.starts_with("errscan: broken.json:3:3: "),
        "{}",
        run.describe()
    );
    env.write(
        "other.json",
        BASELINE.replace("errscan/report@1", "other@1"),
    );
    let run = scan_json(&env, &["--baseline", "other.json"], &[&html5]).expect_code(2);
    assert!(
        run.stderr.contains("not an errscan report"),
        "{}",
        run.describe()
    );
}

// ---------------------------------------------------------------------------------------------
// Several outputs from one pass

#[test]
fn one_pass_writes_every_report_asked_for() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    let run = env
        .run(&[
            "scan",
            "--max",
            "network=4",
            "--report",
            "json:out/report.json",
            "--report",
            "sarif:out/deep/er/scan.sarif",
            "--report",
            "junit:out/junit.xml",
            "--report",
            "github:out/annotations.txt",
            "--report",
            "csv:codes.csv",
            "--report",
            "ndjson:events.ndjson",
            "--report",
            "text:report.txt",
            &html5,
        ])
        .expect_code(1);
    assert!(
        run.stdout
            .ends_with("gate: FAILED (1 rule): network 5 > 4\n")
    );
    let read = |name: &str| std::fs::read_to_string(env.path(name)).expect(name);
    let json: serde_json::Value = serde_json::from_str(&read("out/report.json")).expect("json");
    assert_eq!(json["totals"]["matches"], 9);
    assert_eq!(json["gate"]["passed"], false);
    let sarif: serde_json::Value =
        serde_json::from_str(&read("out/deep/er/scan.sarif")).expect("sarif");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(8)
    );
    assert!(read("out/junit.xml").contains("<testsuites"));
    assert!(read("out/annotations.txt").starts_with("::error "));
    assert_eq!(read("codes.csv").lines().count(), 1 + 8);
    let events = read("events.ndjson");
    assert_eq!(events.lines().count(), 9 + 1);
    assert!(
        events
            .lines()
            .last()
            .is_some_and(|line| line.contains("\"summary\""))
    );
    let text = read("report.txt");
    assert!(!text.contains('\x1b'));
    assert!(text.ends_with("gate: FAILED (1 rule): network 5 > 4\n"));
}

#[test]
fn an_unwritable_report_path_is_an_error_naming_it() {
    let env = TestEnv::new();
    let html5 = fixture(HTML5);
    env.write("plain-file", "x");
    // Root may write anywhere, but nobody can make a directory inside a plain file.
    let run = env
        .run(&["scan", "--report", "json:plain-file/report.json", &html5])
        .expect_code(2);
    assert!(
        run.stderr
            .starts_with("errscan: plain-file/report.json: cannot create the output file"),
        "{}",
        run.describe()
    );
    let run = env
        .run(&["scan", "--report", "xml:report.xml", &html5])
        .expect_code(2);
    assert!(
        run.stderr.contains("unknown report format `xml`"),
        "{}",
        run.describe()
    );
    let run = env
        .run(&[
            "scan",
            "-o",
            "same.json",
            "--report",
            "json:same.json",
            &html5,
        ])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("same.json: named as more than one output")
    );
    // -o creates missing parent directories too.
    env.run(&["scan", "--format", "json", "-o", "a/b/report.json", &html5])
        .expect_code(0);
    assert!(env.path("a/b/report.json").is_file());
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The SARIF schemas (rtm.5 and the OASIS final alike) give the `language` properties the
/// pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`, with a stray `]` that fails the
/// meta-schema's `regex` format. errscan never writes `language`, so that one pattern is
/// dropped from the in-memory copy; the bundled file stays as published.
const BROKEN_SCHEMA_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn drop_broken_patterns(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("pattern").and_then(|pattern| pattern.as_str())
                == Some(BROKEN_SCHEMA_PATTERN)
            {
                map.remove("pattern");
            }
            map.values_mut().for_each(drop_broken_patterns);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_broken_patterns),
        _ => {}
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_root().join("tests/data/sarif-2.1.0-rtm.5.json"))
        .expect("the bundled SARIF schema");
    let mut schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    drop_broken_patterns(&mut schema);
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(sarif: &serde_json::Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

fn sarif_of(env: &TestEnv, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["scan", "--format", "sarif"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    let value: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("not JSON: {error}\n{}", run.describe()));
    value
}

#[test]
fn the_schema_validator_catches_a_broken_log() {
    // Proves the validation below can fail: a result without a message is invalid SARIF.
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"ruleId": "a", "level": "loud"}]}]});
    assert!(sarif_validator().iter_errors(&broken).next().is_some());
}

#[test]
fn sarif_of_one_fixture_has_one_result_per_code_with_counts_and_first_lines() {
    let env = TestEnv::new();
    let sarif = sarif_of(&env, &[&fixture(HTML5)]);
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    // rule id -> (level, count, first line)
    let found: BTreeMap<String, (String, u64, u64)> = results
        .iter()
        .map(|result| {
            (
                result["ruleId"].as_str().unwrap_or_default().to_string(),
                (
                    result["level"].as_str().unwrap_or_default().to_string(),
                    result["occurrenceCount"].as_u64().unwrap_or_default(),
                    result["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap_or_default(),
                ),
            )
        })
        .collect();
    let expected: BTreeMap<String, (String, u64, u64)> = [
        ("bigbluebutton/1004", "error", 1, 21),
        ("bigbluebutton/1007", "error", 1, 5),
        ("bigbluebutton/1010", "error", 1, 17),
        ("bigbluebutton/1107", "error", 2, 14),
        ("bigbluebutton/2001", "error", 1, 17),
        ("bigbluebutton/2211", "error", 1, 22),
        ("bigbluebutton/2300", "error", 1, 20),
        ("bigbluebutton/unknown-code", "warning", 1, 19),
    ]
    .into_iter()
    .map(|(id, level, count, line)| (id.to_string(), (level.to_string(), count, line)))
    .collect();
    assert_eq!(found, expected);
    // Worst first: the fatal 2001 leads.
    assert_eq!(results[0]["ruleId"], "bigbluebutton/2001");
    let ice = results
        .iter()
        .find(|result| result["ruleId"] == "bigbluebutton/1107")
        .expect("1107");
    let message = ice["message"]["text"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("BigBlueButton 1107 ICE_STATE_FAILED (network, error) on 2 lines of "),
        "{message}"
    );
    assert!(
        message.ends_with("html5-client.log, first on line 14"),
        "{message}"
    );
    assert_eq!(ice["properties"]["count"], 2);
    // Rules carry the catalog's text.
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 8);
    let rule = &rules[ice["ruleIndex"].as_u64().expect("ruleIndex") as usize];
    assert_eq!(rule["id"], "bigbluebutton/1107");
    assert_eq!(rule["name"], "ICE_STATE_FAILED");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    let explained = env
        .run(&["explain", "--format", "json", "bbb:1107"])
        .expect_code(0)
        .json();
    assert_eq!(rule["fullDescription"]["text"], explained[0]["description"]);
    assert_eq!(rule["help"]["text"], explained[0]["remediation"]);
    let short = rule["shortDescription"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        explained[0]["description"]
            .as_str()
            .is_some_and(|full| full.starts_with(short)),
        "{short}"
    );
    // Fingerprints: one per result, the same on a second run.
    let fingerprints = |sarif: &serde_json::Value| -> Vec<String> {
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|result| result["partialFingerprints"]["errscan/v1"].to_string())
            .collect()
    };
    let first = fingerprints(&sarif);
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 8);
    assert_eq!(fingerprints(&sarif_of(&env, &[&fixture(HTML5)])), first);
}

#[test]
fn sarif_of_every_fixture_is_valid_and_adds_up() {
    let env = TestEnv::new();
    let sarif = sarif_of(&env, &[&fixture("")]);
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    // tests/fixtures-expected.toml: 96 (file, known code) rows and 10 (file, unknown code) rows,
    // 120 matches in all; by the catalog, 90 of the known rows are fatal or error (level error),
    // the other 6 warnings, and the 10 unknown rows are warnings too.
    assert_eq!(results.len(), 106);
    let occurrences: u64 = results
        .iter()
        .map(|result| result["occurrenceCount"].as_u64().unwrap_or_default())
        .sum();
    assert_eq!(occurrences, 120);
    let errors = results
        .iter()
        .filter(|result| result["level"] == "error")
        .count();
    let warnings = results
        .iter()
        .filter(|result| result["level"] == "warning")
        .count();
    assert_eq!((errors, warnings), (90, 16));
    // 73 distinct known codes, and one unknown-code rule for each of the 4 vendors.
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().map(Vec::len),
        Some(77)
    );
    assert_eq!(run["properties"]["errscan"]["results_capped"], false);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

// ---------------------------------------------------------------------------------------------
// JUnit XML

/// A test case read back from JUnit XML.
#[derive(Debug, Default, PartialEq)]
struct Case {
    name: String,
    /// `failure` or `error`, with its message attribute and text.
    outcome: Option<(String, String, String)>,
}

/// Parses JUnit XML with quick-xml; panics on anything that is not well-formed.
fn junit_cases(xml: &str) -> (BTreeMap<String, String>, Vec<Case>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut suite = BTreeMap::new();
    let mut cases: Vec<Case> = Vec::new();
    let mut text: Option<String> = None;
    let attribute = |element: &quick_xml::events::BytesStart<'_>, name: &[u8]| -> String {
        element
            .attributes()
            .map(|attribute| attribute.expect("well-formed attribute"))
            .find(|attribute| attribute.key.as_ref() == name)
            .map(|attribute| {
                attribute
                    .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .expect("attribute unescapes")
                    .into_owned()
            })
            .unwrap_or_default()
    };
    loop {
        match reader.read_event().unwrap_or_else(|error| {
            panic!(
                "not well-formed at {}: {error}\n{xml}",
                reader.buffer_position()
            )
        }) {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) => match element.name().as_ref() {
                b"testsuites" => {
                    for key in ["tests", "failures", "errors"] {
                        suite.insert(key.to_string(), attribute(&element, key.as_bytes()));
                    }
                }
                b"testcase" => cases.push(Case {
                    name: attribute(&element, b"name"),
                    outcome: None,
                }),
                kind @ (b"failure" | b"error") => {
                    let kind = String::from_utf8_lossy(kind).into_owned();
                    let message = attribute(&element, b"message");
                    if let Some(case) = cases.last_mut() {
                        case.outcome = Some((kind, message, String::new()));
                    }
                    text = Some(String::new());
                }
                _ => {}
            },
            Event::Text(content) => {
                if let Some(text) = &mut text {
                    text.push_str(&content.decode().expect("utf-8 text"));
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(text) = &mut text {
                    match reference
                        .resolve_char_ref()
                        .expect("valid character reference")
                    {
                        Some(character) => text.push(character),
                        None => text.push(match reference.as_ref() {
                            b"amp" => '&',
                            b"lt" => '<',
                            b"gt" => '>',
                            b"quot" => '"',
                            b"apos" => '\'',
                            other => panic!("unknown entity {other:?}"),
                        }),
                    }
                }
            }
            Event::End(element) => {
                if matches!(element.name().as_ref(), b"failure" | b"error") {
                    if let (Some(case), Some(body)) = (cases.last_mut(), text.take()) {
                        if let Some(outcome) = &mut case.outcome {
                            outcome.2 = body;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (suite, cases)
}

#[test]
fn junit_has_one_case_per_rule_with_counts_and_top_codes() {
    let env = TestEnv::new();
    let run = env
        .run(&[
            "scan",
            "--format",
            "junit",
            "--fail-on",
            "network",
            "--max",
            "200",
            "--max",
            "capacity=1",
            "--fail-on-unknown",
            &fixture(""),
        ])
        .expect_code(1);
    let (suite, cases) = junit_cases(&run.stdout);
    // By hand over tests/fixtures-expected.toml and the catalog: network 30, capacity 10,
    // 10 unknown, 120 in all.
    assert_eq!(suite["tests"], "5");
    assert_eq!(suite["failures"], "3");
    assert_eq!(suite["errors"], "0");
    let summary: Vec<(&str, Option<&str>)> = cases
        .iter()
        .map(|case| {
            (
                case.name.as_str(),
                case.outcome.as_ref().map(|outcome| outcome.1.as_str()),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("fail-on network", Some("network 30 > 0")),
            ("max 200", None),
            ("max capacity=1", Some("capacity 10 > 1")),
            ("fail-on-unknown", Some("codes not in the catalog 10 > 0")),
            ("every input read", None),
        ]
    );
    let body = &cases[0].outcome.as_ref().expect("failure").2;
    assert!(body.starts_with("network 30 > 0\ntop codes:\n"), "{body}");
    assert_eq!(body.lines().count(), 2 + 5, "{body}");
}

#[test]
fn junit_without_a_gate_has_one_errscan_case_failing_on_errors() {
    let env = TestEnv::new();
    // No gate: the exit code stays 0, the one test case fails on the 8 error-or-worse matches.
    let run = env
        .run(&["scan", "--format", "junit", &fixture(HTML5)])
        .expect_code(0);
    let (suite, cases) = junit_cases(&run.stdout);
    assert_eq!(suite["tests"], "2");
    assert_eq!(cases[0].name, "errscan");
    let outcome = cases[0].outcome.as_ref().expect("a failure");
    assert_eq!(outcome.0, "failure");
    assert_eq!(outcome.1, "severity>=error 8 > 0");
    // The decoys hold nothing: the case passes.
    let run = env
        .run(&["scan", "--format", "junit", &fixture("decoys/decoys.log")])
        .expect_code(0);
    let (suite, cases) = junit_cases(&run.stdout);
    assert_eq!(suite["failures"], "0");
    assert_eq!(cases[0].outcome, None);
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

#[test]
fn github_annotations_are_worst_first_and_ten_per_level() {
    let env = TestEnv::new();
    let summary = env.write("summary.md", "earlier step\n");
    let run = env
        .run_with_env(
            &["scan", "--format", "github", &fixture("")],
            b"",
            &[("GITHUB_STEP_SUMMARY", summary.to_str().expect("utf-8"))],
        )
        .expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let errors: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| line.starts_with("::error "))
        .collect();
    let warnings = lines
        .iter()
        .filter(|line| line.starts_with("::warning "))
        .count();
    let notices = lines
        .iter()
        .filter(|line| line.starts_with("::notice "))
        .count();
    // 90 error-level rows, 16 warning-level rows, no info codes in the fixtures.
    assert_eq!(
        (errors.len(), warnings, notices),
        (10, 10, 0),
        "{}",
        run.stdout
    );
    assert!(
        lines.contains(&"errscan: 80 error, 6 warning annotations left out (GitHub shows 10 per level and step); the JSON report has every code"),
        "{}",
        run.stdout
    );
    // The worst: the only fatal code seen 3 times in one file (ZEGO 1002034, first on line 17),
    // then the fatal codes seen twice, by path.
    let first = errors[0];
    assert!(first.starts_with("::error file="), "{first}");
    assert!(
        first.contains("zegocloud/flutter-logcat.log,line=17,title=ZEGOCLOUD 1002034 RoomErrorExceedMaximumMember::fatal (capacity) on 3 lines, first on line 17: "),
        "{first}"
    );
    let twice: Vec<(&str, &str)> = errors[1..6]
        .iter()
        .map(|line| {
            let title = line
                .split(",title=")
                .nth(1)
                .and_then(|rest| rest.split("::").next())
                .unwrap_or_default();
            let line_number = line
                .split(",line=")
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .unwrap_or_default();
            (title, line_number)
        })
        .collect();
    assert_eq!(
        twice,
        vec![
            ("BigBlueButton 2001 MEDIA_SERVER_OFFLINE", "7"),
            ("Jitsi conference.iceFailed ICE_FAILED", "15"),
            ("Jitsi connection.otherError OTHER_ERROR", "27"),
            ("VideoSDK 4002 INVALID_TOKEN", "7"),
            ("VideoSDK 4002 INVALID_TOKEN", "6"),
        ]
    );
    // The step summary is appended, with a table capped at 50 of the 83 codes.
    let written = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        written.starts_with("earlier step\n### errscan\n"),
        "{written}"
    );
    assert!(written.contains("**120** matches in 15 files"), "{written}");
    let table_rows = written
        .lines()
        .filter(|line| line.starts_with("| "))
        .count();
    assert_eq!(table_rows, 2 + 50, "{written}");
    assert!(written.contains("… and 33 more codes"), "{written}");
}

#[test]
fn a_failed_gate_is_the_first_github_error() {
    let env = TestEnv::new();
    let run = env
        .run(&[
            "scan",
            "--format",
            "github",
            "--max",
            "network=4",
            &fixture(HTML5),
        ])
        .expect_code(1);
    let first = run.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "::error title=errscan gate failed::FAILED (1 rule): network 5 > 4"
    );
    assert!(
        run.stdout
            .ends_with("errscan: gate: FAILED (1 rule): network 5 > 4\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile file names

/// A file name with `%`, `:`, `,`, a newline and a control character, holding one BBB 1007.
const HOSTILE: &str = "we%ird:na,me\nx\u{1}.log";

#[test]
fn hostile_names_are_escaped_in_github_annotations() {
    let env = TestEnv::new();
    env.write(
        HOSTILE,
        "clientLogger: Audio error - errorCode=1007, cause=x\n",
    );
    let run = env
        .run(&["scan", "--format", "github", HOSTILE, "gone%:,\n.log"])
        .expect_code(2);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines
            .iter()
            .all(|line| line.starts_with("::") || line.starts_with("errscan: ")),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\u{1}'));
    assert!(
        lines.contains(&"::error file=gone%25%3A%2C%0A.log,title=errscan%3A input not read::gone%25:,%0A.log: no such file or directory"),
        "{}",
        run.stdout
    );
    let annotation = lines
        .iter()
        .find(|line| line.contains("line=1"))
        .expect("the code's annotation");
    assert!(
        annotation.starts_with(
            "::error file=we%25ird%3Ana%2Cme%0Ax\\x01.log,line=1,title=BigBlueButton 1007 "
        ),
        "{annotation}"
    );
}

#[test]
fn hostile_names_are_escaped_in_sarif() {
    let env = TestEnv::new();
    env.write(
        HOSTILE,
        "clientLogger: Audio error - errorCode=1007, cause=x\n",
    );
    let sarif = sarif_of(&env, &[HOSTILE, "gone%:,\n.log"]);
    assert_valid_sarif(&sarif);
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "we%25ird%3Ana%2Cme%0Ax%01.log"
    );
    let message = result["message"]["text"].as_str().unwrap_or_default();
    assert!(
        message.contains("of we%ird:na,me\\nx\\x01.log, first on line 1"),
        "{message}"
    );
    let notification = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(
        notification["message"]["text"],
        "gone%:,\\n.log: no such file or directory"
    );
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn hostile_names_and_messages_are_escaped_in_junit() {
    let env = TestEnv::new();
    env.write(
        HOSTILE,
        "clientLogger: Audio error - errorCode=1007, cause=x\n",
    );
    let run = env
        .run(&[
            "scan",
            "--format",
            "junit",
            "--fail-on",
            "network",
            "--max",
            "bbb:<&\"'>=0",
            HOSTILE,
            "gone<&>\"'\u{7}.log",
        ])
        .expect_code(2);
    let (suite, cases) = junit_cases(&run.stdout);
    assert_eq!(suite["errors"], "1");
    let names: Vec<&str> = cases.iter().map(|case| case.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "fail-on network",
            "max bigbluebutton:<&\"'>=0",
            "every input read"
        ]
    );
    let input = cases[2].outcome.as_ref().expect("an error");
    assert_eq!(input.0, "error");
    assert_eq!(input.2, "gone<&>\"'\\x07.log: no such file or directory\n");
}
