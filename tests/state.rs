//! `errscan scan --state FILE` (issue 7 point 4): each run reads only what is new since the
//! last one, the rest of a rotated file first; truncation starts over with a warning; a
//! corrupt state file is an error. Expected counts are worked out by hand from the lines
//! written.

mod support;

use std::fs::{self, OpenOptions};
use std::io::Write;

use support::{Run, TestEnv};

/// A BigBlueButton line with code 1007, told apart by `tag`.
fn bbb_line(tag: &str) -> String {
    format!("clientLogger: Audio error - errorCode=1007, cause={tag}\n")
}

fn append(path: &std::path::Path, text: &str) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    file.write_all(text.as_bytes()).expect("append");
}

/// (path, line, text) of every match event, and the summary, of an NDJSON run.
fn matches(run: &Run) -> (Vec<(String, u64, String)>, serde_json::Value) {
    let mut found = Vec::new();
    let mut summary = serde_json::Value::Null;
    for line in run.stdout.lines() {
        let event: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("not JSON: {error}: {line}\n{}", run.describe()));
        if event["type"] == "match" {
            found.push((
                event["path"].as_str().unwrap_or_default().to_string(),
                event["line"].as_u64().unwrap_or_default(),
                event["text"].as_str().unwrap_or_default().to_string(),
            ));
        } else {
            summary = event;
        }
    }
    (found, summary)
}

fn scan(env: &TestEnv, extra: &[&str], paths: &[&str]) -> Run {
    let mut args = vec!["scan", "--state", "state.json", "--format", "ndjson"];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    env.run(&args)
}

fn cause(tag: &str) -> String {
    bbb_line(tag).trim_end().to_string()
}

#[test]
fn a_second_run_reads_only_the_new_complete_lines() {
    // 100 KiB of noise first, so that the file is mapped (or streamed with --no-mmap) rather
    // than read whole: both paths must resume at the same place.
    let noise = "noise line that matches nothing at all\n".repeat(2600);
    let noise_lines = 2600;
    for extra in [&[][..], &["--no-mmap"][..]] {
        let env = TestEnv::new();
        let log = env.path("app.log");
        append(
            &log,
            &format!("{noise}{}noise\n{}", bbb_line("a"), bbb_line("b")),
        );
        let run = scan(&env, extra, &["app.log"]).expect_code(0);
        let (found, summary) = matches(&run);
        let lines: Vec<u64> = found.iter().map(|found| found.1).collect();
        assert_eq!(
            lines,
            [noise_lines + 1, noise_lines + 3],
            "{}",
            run.describe()
        );
        assert_eq!(summary["totals"]["lines"], noise_lines + 3);

        // Nothing new: nothing read.
        let run = scan(&env, extra, &["app.log"]).expect_code(0);
        let (found, summary) = matches(&run);
        assert!(found.is_empty(), "{}", run.describe());
        assert_eq!(summary["totals"]["bytes"], 0, "{}", run.describe());

        // One new line and a partial one: only the complete line counts, with its number.
        append(
            &log,
            &format!("{}clientLogger: Audio error - errorC", bbb_line("c")),
        );
        let run = scan(&env, extra, &["app.log"]).expect_code(0);
        let (found, _) = matches(&run);
        let expected_c = ("app.log".to_string(), noise_lines + 4, cause("c"));
        assert_eq!(found, [expected_c], "{}", run.describe());

        // The partial line is read again once its newline has come.
        append(&log, "ode=1007, cause=d\nnoise\n");
        let run = scan(&env, extra, &["app.log"]).expect_code(0);
        let (found, summary) = matches(&run);
        let expected_d = ("app.log".to_string(), noise_lines + 5, cause("d"));
        assert_eq!(found, [expected_d], "{}", run.describe());
        assert_eq!(summary["totals"]["lines"], 2, "{}", run.describe());
    }
}

#[test]
fn the_rest_of_a_rotated_file_is_read_before_the_new_one() {
    let env = TestEnv::new();
    let log = env.path("app.log");
    append(&log, &bbb_line("a"));
    let run = scan(&env, &[], &["app.log"]).expect_code(0);
    assert_eq!(matches(&run).0.len(), 1, "{}", run.describe());

    // Rotated by rename, a late line written to the old file, a new file started.
    fs::rename(&log, env.path("app.log.1")).expect("rotate");
    append(&env.path("app.log.1"), &bbb_line("b"));
    append(&log, &format!("noise\n{}", bbb_line("c")));
    let run = scan(&env, &[], &["app.log"]).expect_code(0);
    let (found, _) = matches(&run);
    let expected = [
        ("app.log.1".to_string(), 2, cause("b")),
        ("app.log".to_string(), 2, cause("c")),
    ];
    assert_eq!(found, expected, "{}", run.describe());

    // Both names given (or a directory): every line once, however they were renamed.
    append(&env.path("app.log.1"), &bbb_line("d"));
    append(&log, &bbb_line("e"));
    let run = scan(&env, &[], &["app.log", "app.log.1"]).expect_code(0);
    let (found, _) = matches(&run);
    let expected = [
        ("app.log".to_string(), 3, cause("e")),
        ("app.log.1".to_string(), 3, cause("d")),
    ];
    assert_eq!(found, expected, "{}", run.describe());
    fs::rename(env.path("app.log.1"), env.path("app.log.2")).expect("rotate again");
    fs::rename(&log, env.path("app.log.1")).expect("rotate again");
    append(&env.path("app.log.1"), &bbb_line("f"));
    let run = scan(&env, &[], &["app.log.1", "app.log.2"]).expect_code(0);
    let (found, _) = matches(&run);
    assert_eq!(
        found,
        [("app.log.1".to_string(), 4, cause("f"))],
        "{}",
        run.describe()
    );
}

#[test]
fn a_directory_scan_after_rotation_reads_each_line_once() {
    let env = TestEnv::new();
    let log = env.write("logs/app.log", bbb_line("a"));
    scan(&env, &[], &["logs"]).expect_code(0);
    fs::rename(&log, env.path("logs/app.log.1")).expect("rotate");
    append(&env.path("logs/app.log.1"), &bbb_line("b"));
    append(&log, &bbb_line("c"));
    let run = scan(&env, &[], &["logs"]).expect_code(0);
    let mut found = matches(&run).0;
    found.sort();
    let expected = [
        ("logs/app.log".to_string(), 1, cause("c")),
        ("logs/app.log.1".to_string(), 2, cause("b")),
    ];
    assert_eq!(found, expected, "{}", run.describe());
}

#[test]
fn a_truncated_file_is_read_from_the_start_with_a_warning() {
    let env = TestEnv::new();
    let log = env.path("app.log");
    append(&log, &format!("{}{}", bbb_line("a"), bbb_line("b")));
    scan(&env, &[], &["app.log"]).expect_code(0);
    // Truncated in place (copytruncate) and written again, shorter than before.
    fs::write(&log, bbb_line("c")).expect("truncate");
    let run = scan(&env, &[], &["app.log"]).expect_code(0);
    let (found, _) = matches(&run);
    assert_eq!(
        found,
        [("app.log".to_string(), 1, cause("c"))],
        "{}",
        run.describe()
    );
    assert!(
        run.stderr
            .contains("app.log: the file is shorter than the offset read last time"),
        "{}",
        run.describe()
    );
}

#[test]
fn compressed_files_resume_at_their_decompressed_offset() {
    let env = TestEnv::new();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder
        .write_all(format!("{}noise\n{}", bbb_line("a"), bbb_line("b")).as_bytes())
        .expect("compress");
    env.write("old.log.gz", encoder.finish().expect("compress"));
    let run = scan(&env, &[], &["old.log.gz"]).expect_code(0);
    assert_eq!(matches(&run).0.len(), 2, "{}", run.describe());
    let run = scan(&env, &[], &["old.log.gz"]).expect_code(0);
    assert!(matches(&run).0.is_empty(), "{}", run.describe());
}

#[test]
fn a_corrupt_or_foreign_state_file_is_an_error_naming_it() {
    let env = TestEnv::new();
    env.write("app.log", bbb_line("a"));
    for garbage in [
        "{\"schema\": \"errscan/state@1\", \"files\": 3}",
        "not json",
        "{\"schema\": \"errscan/report@1\"}",
    ] {
        env.write("state.json", garbage);
        let run = scan(&env, &[], &["app.log"]).expect_code(2);
        assert_eq!(run.stdout, "", "{}", run.describe());
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.describe());
        assert!(
            run.stderr.starts_with("errscan: state.json: "),
            "{}",
            run.describe()
        );
        assert_eq!(
            fs::read_to_string(env.path("state.json")).expect("state"),
            garbage,
            "the state file is left as it was"
        );
    }
    fs::remove_file(env.path("state.json")).expect("remove");
    let run = env
        .run_with_stdin(
            &["scan", "--state", "state.json", "-"],
            bbb_line("a").as_bytes(),
        )
        .expect_code(2);
    assert!(run.stderr.contains("stdin"), "{}", run.describe());
}

/// The paths of the state file's entries, sorted.
fn state_paths(env: &TestEnv) -> Vec<String> {
    let text = fs::read_to_string(env.path("state.json")).expect("the state file");
    let state: serde_json::Value = serde_json::from_str(&text).expect("state is JSON");
    let mut paths: Vec<String> = state["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file["path"].as_str().unwrap_or_default().to_string())
        .collect();
    paths.sort();
    paths
}

#[test]
fn entries_of_files_that_are_gone_are_dropped_and_the_others_kept() {
    let env = TestEnv::new();
    let log = env.path("app.log");
    append(&log, &bbb_line("a"));
    append(&env.path("other.log"), &bbb_line("o"));
    scan(&env, &[], &["app.log"]).expect_code(0);
    scan(&env, &[], &["other.log"]).expect_code(0);
    assert_eq!(state_paths(&env), ["app.log", "other.log"]);

    // Rotated: the rest of app.log.1 is read and gets its own entry.
    fs::rename(&log, env.path("app.log.1")).expect("rotate");
    append(&env.path("app.log.1"), &bbb_line("b"));
    append(&log, &bbb_line("c"));
    let run = scan(&env, &[], &["app.log"]).expect_code(0);
    assert_eq!(matches(&run).0.len(), 2, "{}", run.describe());
    assert_eq!(state_paths(&env), ["app.log", "app.log.1", "other.log"]);

    // The rotated file deleted (logrotate's `rotate N`): its entry goes; other.log, not named
    // in this run but still there, keeps its entry.
    fs::remove_file(env.path("app.log.1")).expect("delete the rotated file");
    let run = scan(&env, &[], &["app.log"]).expect_code(0);
    assert!(matches(&run).0.is_empty(), "{}", run.describe());
    assert_eq!(state_paths(&env), ["app.log", "other.log"]);
    let run = scan(&env, &[], &["other.log"]).expect_code(0);
    assert!(matches(&run).0.is_empty(), "kept: {}", run.describe());

    // Renamed away and not re-created yet: kept, so its rest is read when the name returns.
    fs::rename(env.path("other.log"), env.path("other.log.1")).expect("rotate");
    scan(&env, &[], &["app.log"]).expect_code(0);
    assert_eq!(state_paths(&env), ["app.log", "other.log"]);
    append(&env.path("other.log.1"), &bbb_line("p"));
    append(&env.path("other.log"), &bbb_line("q"));
    let run = scan(&env, &[], &["other.log"]).expect_code(0);
    let expected = [
        ("other.log.1".to_string(), 2, cause("p")),
        ("other.log".to_string(), 1, cause("q")),
    ];
    assert_eq!(matches(&run).0, expected, "{}", run.describe());

    // watch keeps one entry per followed name: a followed file deleted for good loses it, and
    // when a file of that name comes back it is read from its start without a warning.
    let watch = [
        "watch",
        "--once",
        "--state",
        "state.json",
        "--format",
        "ndjson",
        "-F",
        "app.log",
    ];
    fs::remove_file(&log).expect("delete");
    env.run(&watch).expect_code(0);
    assert!(
        !state_paths(&env).contains(&"app.log".to_string()),
        "{:?}",
        state_paths(&env)
    );
    append(&log, &bbb_line("d"));
    let run = env.run(&watch).expect_code(0);
    assert_eq!(matches(&run).0, [("app.log".to_string(), 1, cause("d"))]);
    assert_eq!(run.stderr, "", "{}", run.describe());
}
