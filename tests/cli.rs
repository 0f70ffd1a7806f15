//! The binary end to end: explain, catalog list/check, and scan's inputs, formats and exit codes.

mod support;

use support::{TestEnv, repo_root, rows};

const LOG: &str = "INFO start\n\
clientLogger: Audio error - errorCode=1007, cause=ICE negotiation failed\n\
2024-03-07T10:00:01.000Z [conference.js] <ge._onConferenceFailed>:  CONFERENCE FAILED: conference.iceFailed\n\
noise (code: 1000)\n\
join room result: 1002034\n\
clientLogger: Audio error - errorCode=1999, cause=x\n";

fn expected_rows() -> Vec<(String, String, u64)> {
    let mut expected = vec![
        ("bigbluebutton".to_string(), "1007".to_string(), 1),
        ("jitsi".to_string(), "conference.iceFailed".to_string(), 1),
        ("zegocloud".to_string(), "1002034".to_string(), 1),
    ];
    expected.sort();
    expected
}

#[test]
fn explain_lists_every_tier_of_an_ambiguous_name() {
    let env = TestEnv::new();
    let run = env.run(&["explain", "ICE_STATE_FAILED"]).expect_code(0);
    for code in ["1107", "1307", "2022"] {
        assert!(
            run.stdout
                .contains(&format!("BigBlueButton {code} ICE_STATE_FAILED")),
            "{}",
            run.describe()
        );
    }
    let run = env
        .run(&[
            "explain",
            "--format",
            "json",
            "conference.iceFailed",
            "bbb:2211",
        ])
        .expect_code(0);
    let entries = run.json();
    let entries = entries.as_array().expect("array");
    assert_eq!(entries.len(), 2);
    for field in [
        "vendor",
        "code",
        "name",
        "category",
        "severity",
        "description",
        "remediation",
        "source",
    ] {
        assert!(
            entries.iter().all(|entry| entry[field].is_string()),
            "field {field}"
        );
    }
    assert_eq!(entries[0]["name"], "ICE_FAILED");
}

#[test]
fn explain_unknown_suggests_and_exits_1() {
    let env = TestEnv::new();
    let run = env.run(&["explain", "ICE_STATE_FAIL"]).expect_code(1);
    assert!(run.stderr.contains("did you mean"), "{}", run.describe());
    assert!(
        run.stderr.contains("bigbluebutton:ICE_STATE_FAILED"),
        "{}",
        run.describe()
    );
}

#[test]
fn catalog_list_filters_by_vendor_and_category() {
    let env = TestEnv::new();
    let all = env
        .run(&["catalog", "list", "--format", "json", "--vendor", "bbb"])
        .expect_code(0)
        .json();
    let all = all.as_array().expect("array");
    assert_eq!(all.len(), 67);
    assert!(all.iter().all(|entry| entry["vendor"] == "bigbluebutton"));
    let capacity = env
        .run(&[
            "catalog",
            "list",
            "--format",
            "json",
            "--category",
            "capacity",
        ])
        .expect_code(0)
        .json();
    let capacity = capacity.as_array().expect("array");
    assert!(!capacity.is_empty());
    assert!(capacity.iter().all(|entry| entry["category"] == "capacity"));
    let csv = env
        .run(&["catalog", "list", "--format", "csv", "--vendor", "jitsi"])
        .expect_code(0);
    assert_eq!(
        csv.stdout.lines().next(),
        Some("vendor,code,name,category,severity,description,remediation,source")
    );
    assert_eq!(
        csv.stdout
            .lines()
            .filter(|line| line.starts_with("jitsi,"))
            .count(),
        69
    );
}

#[test]
fn catalog_check_reports_each_problem_with_file_line_and_column() {
    let env = TestEnv::new();
    let entry = "[[entry]]\ncode = \"1999\"\nname = \"X\"\ncategory = \"network\"\nseverity = \"error\"\ndescription = \"d\"\nremediation = \"r\"\nsource = \"local\"\n";
    env.write("good.toml", format!("vendor = \"bigbluebutton\"\n{entry}"));
    env.write(
        "bad-category.toml",
        format!(
            "vendor = \"bigbluebutton\"\n{}",
            entry.replace("\"network\"", "\"networking\"")
        ),
    );
    env.write(
        "duplicate.toml",
        format!("vendor = \"bigbluebutton\"\n{entry}{entry}"),
    );
    env.write(
        "missing.toml",
        format!(
            "vendor = \"bigbluebutton\"\n{}",
            entry.replace("name = \"X\"\n", "")
        ),
    );
    env.write(
        "syntax.toml",
        "vendor = \"bigbluebutton\"\n[[entry]]\ncode = 1999 x\n",
    );
    env.run(&["catalog", "check", "good.toml"]).expect_code(0);
    let cases = [
        (
            "bad-category.toml",
            "bad-category.toml:5:12: unknown category `networking`",
        ),
        (
            "duplicate.toml",
            "duplicate.toml:11:8: duplicate code `1999` (first defined on line 3)",
        ),
        (
            "missing.toml",
            "missing.toml:2:1: entry is missing the required field `name`",
        ),
        ("syntax.toml", "syntax.toml:3:"),
    ];
    for (file, expected) in cases {
        let run = env.run(&["catalog", "check", file]).expect_code(2);
        assert!(
            run.stderr.starts_with(expected),
            "expected `{expected}`\n{}",
            run.describe()
        );
    }
    // Several files: the good one is reported ok, the bad one fails the run.
    let run = env
        .run(&[
            "catalog",
            "check",
            "good.toml",
            "bad-category.toml",
            "nonexistent.toml",
        ])
        .expect_code(2);
    assert!(
        run.stdout.contains("good.toml: ok (1 entries)"),
        "{}",
        run.describe()
    );
    assert!(
        run.stderr.contains("nonexistent.toml"),
        "{}",
        run.describe()
    );
}

#[test]
fn catalog_check_runs_pattern_samples() {
    let env = TestEnv::new();
    env.write(
        "patterns.toml",
        "vendor = \"jitsi\"\n\n[[pattern]]\nid = \"jitsi.test\"\nanchors = [\"FAILED:\"]\nregex = 'FAILED: (?P<code>conference\\.[a-zA-Z]+)'\nsamples = [\n  { line = \"FAILED: conference.iceFailed\", codes = [\"conference.iceFailed\"] },\n  { line = \"FAILED: conference.destroyed\", codes = [\"conference.iceFailed\"] },\n]\nnot = [\"FAILED: conference.focusLeft\"]\n",
    );
    let run = env
        .run(&["catalog", "check", "patterns.toml"])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("patterns.toml:9:3: pattern `jitsi.test`: sample gives"),
        "{}",
        run.describe()
    );
    assert!(
        run.stderr
            .contains("patterns.toml:11:8: pattern `jitsi.test`: `not` line gives"),
        "{}",
        run.describe()
    );
    env.write("bad-regex.toml", "vendor = \"jitsi\"\n[[pattern]]\nid = \"jitsi.x\"\nanchors = [\"x\"]\nregex = '(?P<code>[a-'\n");
    let run = env
        .run(&["catalog", "check", "bad-regex.toml"])
        .expect_code(2);
    assert!(
        run.stderr.starts_with("bad-regex.toml:5:9: invalid regex"),
        "{}",
        run.describe()
    );
}

#[test]
fn scan_json_follows_the_contract() {
    let env = TestEnv::new();
    env.write("logs/a.log", LOG);
    let report = env
        .run(&["scan", "--format", "json", "logs"])
        .expect_code(0)
        .json();
    assert_eq!(report["schema"], "errscan/report@1");
    assert_eq!(report["tool"]["name"], "errscan");
    assert_eq!(rows(&report, "codes"), expected_rows());
    assert_eq!(
        rows(&report, "unknown"),
        vec![("bigbluebutton".to_string(), "1999".to_string(), 1)]
    );
    let totals = &report["totals"];
    assert_eq!(totals["files"], 1);
    assert_eq!(totals["lines"], 6);
    assert_eq!(totals["bytes"], LOG.len() as u64);
    assert_eq!(totals["matches"], 4);
    assert_eq!(totals["unknown"], 1);
    assert_eq!(totals["errors"], 0);
    let first = &report["codes"].as_array().expect("codes")[0]["first"];
    assert!(
        first["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("a.log"))
    );
    assert!(report.get("gate").is_none());
    let categories: Vec<(String, u64)> = report["by_category"]
        .as_array()
        .expect("by_category")
        .iter()
        .map(|row| {
            (
                row["category"].as_str().unwrap_or_default().to_string(),
                row["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(categories.iter().map(|row| row.1).sum::<u64>(), 4);
    assert!(categories.contains(&("unknown".to_string(), 1)));
}

#[test]
fn stdin_gzip_zstd_and_one_thread_agree_with_the_plain_file() {
    let env = TestEnv::new();
    env.write("a.log", LOG);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gzip, LOG.as_bytes()).expect("gzip");
    env.write("a.log.gz", gzip.finish().expect("gzip"));
    env.write(
        "a.log.zst",
        zstd::encode_all(LOG.as_bytes(), 3).expect("zstd"),
    );
    let plain = rows(
        &env.run(&["scan", "--format", "json", "a.log"])
            .expect_code(0)
            .json(),
        "codes",
    );
    assert_eq!(plain, expected_rows());
    for args in [
        vec!["scan", "--format", "json", "a.log.gz"],
        vec!["scan", "--format", "json", "a.log.zst"],
        vec!["scan", "--format", "json", "-j1", "a.log"],
        vec!["scan", "--format", "json", "--no-mmap", "a.log"],
    ] {
        assert_eq!(
            rows(&env.run(&args).expect_code(0).json(), "codes"),
            plain,
            "{args:?}"
        );
    }
    let from_stdin = env
        .run_with_stdin(&["scan", "--format", "json", "-"], LOG.as_bytes())
        .expect_code(0)
        .json();
    assert_eq!(rows(&from_stdin, "codes"), plain);
    assert_eq!(from_stdin["files"][0]["path"], "-");
    let gzip_stdin = env
        .run_with_stdin(
            &["scan", "--format", "json"],
            &std::fs::read(env.path("a.log.gz")).expect("read"),
        )
        .expect_code(0);
    assert_eq!(rows(&gzip_stdin.json(), "codes"), plain);
}

#[test]
fn unreadable_input_is_named_and_the_rest_still_reported() {
    let env = TestEnv::new();
    env.write("a.log", LOG);
    let run = env
        .run(&["scan", "--format", "json", "missing.log", "a.log"])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("missing.log: no such file or directory"),
        "{}",
        run.describe()
    );
    let report = run.json();
    assert_eq!(rows(&report, "codes"), expected_rows());
    assert_eq!(report["totals"]["errors"], 1);
    let broken_gzip = {
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gzip, LOG.repeat(50).as_bytes()).expect("gzip");
        let mut bytes = gzip.finish().expect("gzip");
        bytes.truncate(bytes.len() / 2);
        bytes
    };
    env.write("broken.log.gz", broken_gzip);
    let run = env
        .run(&["scan", "--format", "json", "broken.log.gz", "a.log"])
        .expect_code(2);
    assert!(run.stderr.contains("broken.log.gz:"), "{}", run.describe());
    assert_eq!(rows(&run.json(), "codes").len(), 3);
}

#[test]
fn binary_files_are_skipped_with_a_note() {
    let env = TestEnv::new();
    env.write("dir/a.log", LOG);
    env.write("dir/core.bin", b"\x7fELF\x00\x00errorCode=1007\n");
    let report = env
        .run(&["scan", "--format", "json", "dir"])
        .expect_code(0)
        .json();
    assert_eq!(rows(&report, "codes"), expected_rows());
    let files = report["files"].as_array().expect("files");
    let binary = files
        .iter()
        .find(|file| {
            file["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("core.bin"))
        })
        .expect("listed");
    assert_eq!(binary["skipped"], "binary file");
}

#[test]
fn ndjson_events_escape_control_characters_and_end_with_a_summary() {
    let env = TestEnv::new();
    env.write(
        "a.log",
        "x\x1b[31m errorCode=1007\x07 \n\nCONFERENCE FAILED: conference.iceFailed\n",
    );
    let run = env
        .run(&["scan", "--format", "ndjson", "a.log"])
        .expect_code(0);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", run.describe());
    assert_eq!(lines[0]["type"], "match");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["offset"], 0);
    assert_eq!(lines[0]["code"], "1007");
    assert_eq!(lines[0]["known"], true);
    assert_eq!(lines[0]["text"], "x\\e[31m errorCode=1007\\x07 ");
    assert_eq!(lines[1]["line"], 3);
    // line 1 is 23 bytes plus its newline, line 2 is empty: line 3 starts at byte 25.
    assert_eq!(lines[1]["offset"], 25);
    assert_eq!(lines[2]["type"], "summary");
    assert_eq!(lines[2]["totals"]["matches"], 2);
    assert!(!run.stdout.contains('\x1b'));
}

#[test]
fn files_from_stdin_and_globs() {
    let env = TestEnv::new();
    env.write("a.log", LOG);
    env.write("b.txt", "errorCode=1101\n");
    let run = env
        .run_with_stdin(
            &["scan", "--format", "json", "--files-from", "-"],
            b"a.log\nb.txt\n",
        )
        .expect_code(0);
    assert_eq!(run.json()["totals"]["files"], 2);
    let globbed = env
        .run(&["scan", "--format", "json", "-g", "*.log", "."])
        .expect_code(0)
        .json();
    assert_eq!(globbed["totals"]["files"], 1);
    assert_eq!(rows(&globbed, "codes"), expected_rows());
}

#[test]
fn user_catalog_turns_an_unknown_code_known() {
    let env = TestEnv::new();
    env.write("a.log", LOG);
    env.write(
        "mine.toml",
        "vendor = \"bigbluebutton\"\n[[entry]]\ncode = \"1999\"\nname = \"LOCAL_AUDIO_PROBLEM\"\ncategory = \"media\"\nseverity = \"warning\"\ndescription = \"d\"\nremediation = \"r\"\nsource = \"local\"\n",
    );
    let report = env
        .run(&[
            "scan",
            "--format",
            "json",
            "--catalog",
            "mine.toml",
            "a.log",
        ])
        .expect_code(0)
        .json();
    assert!(rows(&report, "unknown").is_empty());
    assert!(rows(&report, "codes").contains(&("bigbluebutton".to_string(), "1999".to_string(), 1)));
    env.write(
        "broken.toml",
        "vendor = \"bigbluebutton\"\n[[entry]]\ncode = \"1\"\n",
    );
    let run = env
        .run(&["scan", "--catalog", "broken.toml", "a.log"])
        .expect_code(2);
    assert!(
        run.stderr
            .starts_with("errscan: broken.toml:2:1: entry is missing"),
        "{}",
        run.describe()
    );
}

#[test]
fn text_report_has_no_colour_when_piped_and_colour_when_forced() {
    let env = TestEnv::new();
    env.write("a.log", LOG);
    let plain = env.run(&["scan", "a.log"]).expect_code(0);
    assert!(!plain.stdout.contains('\x1b'));
    assert!(
        plain.stdout.contains("SIGNALLING") || plain.stdout.contains("1007"),
        "{}",
        plain.describe()
    );
    let colored = env
        .run(&["scan", "--color", "always", "a.log"])
        .expect_code(0);
    assert!(colored.stdout.contains("\x1b["));
    let csv = env
        .run(&["scan", "--format", "csv", "a.log"])
        .expect_code(0);
    assert_eq!(csv.stdout.lines().count(), 5, "{}", csv.describe());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

#[test]
fn multi_member_gzip_is_read_to_the_end() {
    let env = TestEnv::new();
    let mut members = gzip(b"errorCode=1007 first member\n");
    members.extend(gzip(b"join room result: 1002034 second member\n"));
    env.write("rotated.log.gz", members);
    let report = env
        .run(&["scan", "--format", "json", "rotated.log.gz"])
        .expect_code(0)
        .json();
    let mut expected = vec![
        ("bigbluebutton".to_string(), "1007".to_string(), 1),
        ("zegocloud".to_string(), "1002034".to_string(), 1),
    ];
    expected.sort();
    assert_eq!(rows(&report, "codes"), expected);
    assert_eq!(report["totals"]["lines"], 2);
}

/// A compressed line of 40 MiB (a small gzip bomb): read in bounded memory, matched on its first
/// 16 MiB, counted in full.
#[test]
fn an_over_long_compressed_line_is_bounded_and_counted_whole() {
    let env = TestEnv::new();
    let mut line = b"errorCode=1007 ".to_vec();
    line.resize(40 * 1024 * 1024, b'x');
    line.extend_from_slice(b" errorCode=1101\nnext (ICE error 1107)\n");
    let length = line.len() as u64;
    env.write("bomb.log.gz", gzip(&line));
    let report = env
        .run(&["scan", "--format", "json", "bomb.log.gz"])
        .expect_code(0)
        .json();
    assert_eq!(report["totals"]["bytes"], length);
    assert_eq!(report["totals"]["lines"], 2);
    let mut expected = vec![
        ("bigbluebutton".to_string(), "1007".to_string(), 1),
        ("bigbluebutton".to_string(), "1107".to_string(), 1),
    ];
    expected.sort();
    assert_eq!(rows(&report, "codes"), expected);
}

/// Hand-checked against fixtures/bigbluebutton/browser-console.log: time-only stamps take the
/// date of the sip.js line before them; mapped and streamed input agree.
#[test]
fn ndjson_events_carry_the_line_time() {
    let env = TestEnv::new();
    let path = repo_root().join("fixtures/bigbluebutton/browser-console.log");
    let path = path.to_str().expect("utf-8 path");
    let bytes = std::fs::read(path).expect("fixture");
    let mapped = env
        .run(&["scan", "--format", "ndjson", path])
        .expect_code(0);
    let streamed = env
        .run_with_stdin(&["scan", "--format", "ndjson", "-"], &bytes)
        .expect_code(0);
    let times = |run: &str| -> Vec<(u64, String)> {
        run.lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("json"))
            .filter(|event| event["type"] == "match")
            .map(|event| {
                (
                    event["line"].as_u64().unwrap_or_default(),
                    event["time"].as_str().unwrap_or("null").to_string(),
                )
            })
            .collect()
    };
    let found = times(&mapped.stdout);
    assert_eq!(found, times(&streamed.stdout));
    assert_eq!(found[0], (6, "2024-03-21T10:15:01.088Z".to_string()));
    assert_eq!(found[1], (12, "2024-03-21T10:15:09.052Z".to_string()));
    assert_eq!(found[2], (15, "2024-03-21T10:16:22.010Z".to_string()));
}

/// Hand-checked against fixtures/bigbluebutton/browser-console.log (lines 6 and 12 at 10:15,
/// 15 and 16 at 10:16:22, ...): one-minute buckets, --since/--until by time, and lines without a
/// time counted in totals.untimed (the logcat fixture has no year: never guessed).
#[test]
fn the_timeline_buckets_by_minute_and_filters_by_time() {
    let env = TestEnv::new();
    let path = repo_root().join("fixtures/bigbluebutton/browser-console.log");
    let path = path.to_str().expect("utf-8 path");
    let report = env
        .run(&["scan", "--format", "json", "--bucket", "1m", path])
        .expect_code(0)
        .json();
    let timeline = &report["timeline"];
    assert_eq!(timeline["bucket_seconds"], 60);
    assert_eq!(timeline["start"], "2024-03-21T10:15:00.000Z");
    let buckets = timeline["buckets"].as_array().expect("buckets");
    let counts: Vec<u64> = buckets
        .iter()
        .map(|b| b["count"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(counts, [2, 2, 1, 3, 2]);
    assert_eq!(buckets[1]["codes"]["bigbluebutton:1101"], 2);
    assert_eq!(buckets[3]["counts"]["capacity"], 2);
    assert_eq!(report["totals"]["untimed"], 0);
    let row = &report["codes"].as_array().expect("codes")[0];
    assert!(row["first_time"].is_string() && row["last_time"].is_string());

    let window = env
        .run(&[
            "scan",
            "--format",
            "json",
            "--since",
            "2024-03-21T10:16:00Z",
            "--until",
            "2024-03-21T10:17:00Z",
            path,
        ])
        .expect_code(0)
        .json();
    assert_eq!(window["totals"]["matches"], 2);

    let logcat = repo_root().join("fixtures/zegocloud/flutter-logcat.log");
    let logcat = logcat.to_str().expect("utf-8 path");
    let untimed = env
        .run(&["scan", "--format", "json", "--since", "today", logcat])
        .expect_code(0)
        .json();
    assert!(untimed["totals"]["matches"].as_u64() > Some(0));
    assert_eq!(untimed["totals"]["untimed"], untimed["totals"]["matches"]);
    assert!(untimed.get("timeline").is_none());
    let text = env
        .run(&["scan", "--bucket", "1m", path])
        .expect_code(0)
        .stdout;
    assert!(text.contains("  network        ██ "), "{text}");
    assert!(
        text.lines()
            .skip_while(|line| !line.starts_with("Timeline"))
            .take_while(|line| !line.is_empty())
            .all(|line| line.chars().count() <= 80),
        "{text}"
    );
    env.run(&["scan", "--bucket", "30s", path]).expect_code(2);
}

/// Six matches worked out by hand (issue 5, point 3):
///
/// - bbb 1007 (network) at 10:00:00, 10:00:10 and 10:00:40: intervals of 10 s and 30 s. Values
///   from 256 ms on are recorded in steps (2 significant digits: 128 steps per power of two) and
///   reported as the highest value of their step: 10 000 lies in [8192, 16384), steps of 64,
///   156 × 64 = 9 984, so 10 047; 30 000 in [16384, 32768), steps of 128, 234 × 128 = 29 952,
///   so 30 079. p50 is the first of the two intervals, p90, p99 and max the second; shown as 10s
///   and 30s.
/// - jitsi conference.iceFailed (network) at 10:01:30 and 10:02:15: one interval of 45 s;
///   45 000 in [32768, 65536), steps of 256: 175 × 256 = 44 800, so 45 055 ("45s").
/// - zego 1002034 (capacity) once at 10:03:20: no interval.
/// - Per minute from 10:00 to 10:03, four minutes: network [3, 1, 1, 0], sorted [0, 1, 1, 3]:
///   p50 is the 2nd value (1), p90 and p99 the 4th (3), max 3; capacity [0, 0, 0, 1]: p50 0,
///   p90, p99 and max 1.
const BURSTY_LOG: &str = "\
2024-03-07T10:00:00.000Z clientLogger: Audio error - errorCode=1007, cause=ICE
2024-03-07T10:00:10.000Z clientLogger: Audio error - errorCode=1007, cause=ICE
2024-03-07T10:00:40.000Z clientLogger: Audio error - errorCode=1007, cause=ICE
2024-03-07T10:01:30.000Z [conference.js] <ge._onConferenceFailed>:  CONFERENCE FAILED: conference.iceFailed
2024-03-07T10:02:15.000Z [conference.js] <ge._onConferenceFailed>:  CONFERENCE FAILED: conference.iceFailed
2024-03-07T10:03:20.000Z join room result: 1002034
";

/// The distribution of a JSON report object as (p50, p90, p99, max, count).
fn distribution(value: &serde_json::Value) -> (u64, u64, u64, u64, u64) {
    let field = |name: &str| value[name].as_u64().unwrap_or(u64::MAX);
    (
        field("p50"),
        field("p90"),
        field("p99"),
        field("max"),
        field("count"),
    )
}

#[test]
fn the_text_report_shows_percentiles_worked_out_by_hand() {
    let env = TestEnv::new();
    env.write("bursty.log", BURSTY_LOG);
    let report = env
        .run(&["scan", "--format", "json", "bursty.log"])
        .expect_code(0)
        .json();
    let code = |vendor: &str, code: &str| -> serde_json::Value {
        report["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .find(|row| row["vendor"] == vendor && row["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("no {vendor}:{code} in {report}"))
    };
    assert_eq!(
        distribution(&code("bigbluebutton", "1007")["intervals_ms"]),
        (10_047, 30_079, 30_079, 30_079, 2)
    );
    assert_eq!(
        distribution(&code("jitsi", "conference.iceFailed")["intervals_ms"]),
        (45_055, 45_055, 45_055, 45_055, 1)
    );
    assert!(code("zegocloud", "1002034").get("intervals_ms").is_none());
    let per_minute = &report["percentiles"]["per_minute"];
    assert_eq!(distribution(&per_minute["network"]), (1, 3, 3, 3, 4));
    assert_eq!(distribution(&per_minute["capacity"]), (0, 1, 1, 1, 4));

    let run = env.run(&["scan", "bursty.log"]).expect_code(0);
    let text = &run.stdout;
    let lines: Vec<&str> = text.lines().collect();
    let table = [
        "Matches per minute (4 minutes, quiet ones included)",
        "                    p50      p90      p99      max",
        "  network             1        3        3        3",
        "  capacity            0        1        1        1",
    ];
    let start = lines
        .iter()
        .position(|line| *line == table[0])
        .unwrap_or_else(|| panic!("no per-minute table\n{}", run.describe()));
    assert_eq!(lines[start..start + 4], table, "{}", run.describe());
    // Each code's lines, from its heading to its `first:` line.
    let block = |heading: &str| -> Vec<&str> {
        let from = lines
            .iter()
            .position(|line| line.contains(heading))
            .unwrap_or_else(|| panic!("no {heading}\n{}", run.describe()));
        let length = lines[from..]
            .iter()
            .position(|line| line.trim_start().starts_with("first: "))
            .expect("a first: line");
        lines[from..=from + length].to_vec()
    };
    let every = |heading: &str| -> Vec<String> {
        block(heading)
            .iter()
            .filter(|line| line.trim_start().starts_with("every ~"))
            .map(|line| line.to_string())
            .collect()
    };
    assert_eq!(
        every("bigbluebutton:1007"),
        ["            every ~10s (p50) · p90 30s · p99 30s · max 30s"],
        "{}",
        run.describe()
    );
    assert_eq!(
        every("jitsi:conference.iceFailed"),
        ["            every ~45s (p50) · p90 45s · p99 45s · max 45s"],
        "{}",
        run.describe()
    );
    assert!(every("zegocloud:1002034").is_empty(), "{}", run.describe());
    assert!(
        lines.iter().all(|line| line.chars().count() <= 80),
        "{}",
        run.describe()
    );
}

/// `errscan::timestamp::Timestamp` of an RFC 3339 text, as a system time.
fn system_time(rfc3339: &str) -> std::time::SystemTime {
    let at: errscan::timestamp::Timestamp = rfc3339.parse().expect("RFC 3339");
    let millis = u64::try_from(at.unix_millis()).expect("after 1970");
    std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(millis)
}

/// Sets a file's modification time (std only, no extra crate).
fn set_modified(path: &std::path::Path, rfc3339: &str) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open to set the time")
        .set_modified(system_time(rfc3339))
        .expect("set the modification time");
}

/// (line, time) of every match event of an NDJSON run, for one path (all when `path` is empty).
fn event_times(ndjson: &str, path: &str) -> Vec<(u64, String)> {
    ndjson
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("json"))
        .filter(|event| event["type"] == "match")
        .filter(|event| path.is_empty() || event["path"].as_str() == Some(path))
        .map(|event| {
            (
                event["line"].as_u64().unwrap_or_default(),
                event["time"].as_str().unwrap_or("null").to_string(),
            )
        })
        .collect()
}

/// Year-less syslog stamps (journald's short format, as BBB's Meteor logs them) with no full
/// stamp before them: `--year`, else the file's modification time, else (stdin) the time now.
/// Expected values worked out by hand from the rule "the latest year that does not put the
/// stamp more than a day after the limit".
#[test]
fn year_less_stamps_take_their_year_from_year_or_the_modification_time() {
    const MARCH: &str = "Mar  7 10:00:01 bbb22 systemd_start.sh[25313]: error: CLIENT LOG: Audio error - errorCode=1007, cause=ICE negotiation failed\n";
    const NEW_YEAR: &str = "\
Dec 31 23:59:00 bbb22 systemd_start.sh[25313]: error: CLIENT LOG: Audio error - errorCode=1007, cause=ICE negotiation failed
Jan  1 00:00:30 bbb22 systemd_start.sh[25313]: error: CLIENT LOG: Audio error - errorCode=1007, cause=ICE negotiation failed
";
    let env = TestEnv::new();
    let march = env.write("logs/march.log", MARCH);
    let older = env.write("logs/older.log", MARCH);
    let new_year = env.write("new-year.log", NEW_YEAR);
    set_modified(&march, "2021-06-15T12:00:00Z");
    set_modified(&older, "2019-08-01T00:00:00Z");
    // Rotated a few minutes into the new year.
    set_modified(&new_year, "2024-01-01T00:05:00Z");

    // --year wins over the modification time.
    let run = env
        .run(&[
            "scan",
            "--format",
            "ndjson",
            "--year",
            "2023",
            "logs/march.log",
        ])
        .expect_code(0);
    assert_eq!(
        event_times(&run.stdout, ""),
        [(1, "2023-03-07T10:00:01.000Z".to_string())],
        "{}",
        run.describe()
    );
    let report = env
        .run(&[
            "scan",
            "--format",
            "json",
            "--year",
            "2023",
            "logs/march.log",
        ])
        .expect_code(0)
        .json();
    assert_eq!(report["codes"][0]["first_time"], "2023-03-07T10:00:01.000Z");
    assert_eq!(report["totals"]["untimed"], 0);

    // Without it, each file's own modification time: 7 March 2021 is before 15 June 2021, and
    // 7 March 2019 before 1 August 2019.
    let run = env
        .run(&["scan", "--format", "ndjson", "logs"])
        .expect_code(0);
    assert_eq!(
        event_times(&run.stdout, "logs/march.log"),
        [(1, "2021-03-07T10:00:01.000Z".to_string())],
        "{}",
        run.describe()
    );
    assert_eq!(
        event_times(&run.stdout, "logs/older.log"),
        [(1, "2019-03-07T10:00:01.000Z".to_string())],
        "{}",
        run.describe()
    );

    // Across the new year: 31 December 2024 would be a year after the file was last written, so
    // 2023; the January line is then nearest in 2024. The 90 s between them: 90 000 lies in
    // [65536, 131072), steps of 512 (2 significant digits): 175 × 512 = 89 600, so 90 111.
    let report = env
        .run(&["scan", "--format", "json", "new-year.log"])
        .expect_code(0)
        .json();
    let row = &report["codes"][0];
    assert_eq!(row["first_time"], "2023-12-31T23:59:00.000Z", "{report}");
    assert_eq!(row["last_time"], "2024-01-01T00:00:30.000Z", "{report}");
    assert_eq!(row["intervals_ms"]["max"], 90_111);
    // With --year 2020 the first line is in 2020 and the second follows it into 2021.
    let run = env
        .run(&[
            "scan",
            "--format",
            "ndjson",
            "--year",
            "2020",
            "new-year.log",
        ])
        .expect_code(0);
    assert_eq!(
        event_times(&run.stdout, ""),
        [
            (1, "2020-12-31T23:59:00.000Z".to_string()),
            (2, "2021-01-01T00:00:30.000Z".to_string())
        ],
        "{}",
        run.describe()
    );

    // stdin has no modification time: the time now. 7 March of this year, unless that is more
    // than a day ahead of now, then of last year.
    let now = errscan::timestamp::Timestamp::now();
    let this_year: i32 = now.to_string()[..4].parse().expect("a four-digit year");
    let candidate = errscan::timestamp::Timestamp::from_utc(this_year, 3, 7, 10, 0, 1, 0)
        .expect("a valid date");
    let tomorrow = now.checked_add_millis(86_400_000).expect("in range");
    let year = if candidate <= tomorrow {
        this_year
    } else {
        this_year - 1
    };
    let run = env
        .run_with_stdin(&["scan", "--format", "ndjson", "-"], MARCH.as_bytes())
        .expect_code(0);
    assert_eq!(
        event_times(&run.stdout, "-"),
        [(1, format!("{year}-03-07T10:00:01.000Z"))],
        "{}",
        run.describe()
    );

    // watch takes --year too.
    let run = env
        .run_with_stdin(
            &["watch", "--format", "ndjson", "--year", "2022"],
            MARCH.as_bytes(),
        )
        .expect_code(0);
    assert_eq!(
        event_times(&run.stdout, "-"),
        [(1, "2022-03-07T10:00:01.000Z".to_string())],
        "{}",
        run.describe()
    );

    for bad in ["12345", "0", "next"] {
        let run = env
            .run(&["scan", "--year", bad, "new-year.log"])
            .expect_code(2);
        assert!(run.stderr.contains("invalid year"), "{}", run.describe());
    }
}

/// A time-only stamp (BBB html5 client `[17:45:51:0523]`) has no day: a year does not date it,
/// so without a dated line before it in the same file it stays without a time (counted in
/// `totals.untimed`, never dropped).
#[test]
fn time_only_stamps_are_not_dated_by_a_year() {
    let env = TestEnv::new();
    env.write(
        "client.log",
        "[17:45:51:0523] ERROR: clientLogger: Audio error - errorCode=1007, cause=ICE\n",
    );
    let report = env
        .run(&["scan", "--format", "json", "--year", "2023", "client.log"])
        .expect_code(0)
        .json();
    assert_eq!(report["totals"]["matches"], 1);
    assert_eq!(report["totals"]["untimed"], 1);
    assert!(report.get("timeline").is_none());
    assert!(report["codes"][0]["first_time"].is_null());
}
