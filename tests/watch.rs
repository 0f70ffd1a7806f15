//! `errscan watch` end to end (issue 7): stdin pieces, partial lines, signals, broken pipes,
//! following files across rename rotation, copytruncate and re-creation, and the state file.
//! Every wait polls for the output it needs, with a generous limit; the only fixed waits are
//! the short ones that check something does *not* happen (they can pass wrongly, never fail
//! wrongly).

mod support;

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::time::Duration;

use support::{Spawned, TestEnv};

/// A BigBlueButton line with code 1007, told apart by `tag`.
fn bbb_line(tag: &str) -> String {
    format!("clientLogger: Audio error - errorCode=1007, cause={tag}\n")
}

/// The parsed JSON lines of an NDJSON stream.
fn events(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("not JSON: {error}: {line}\n{stdout}"))
        })
        .collect()
}

fn count_of(stdout: &str, kind: &str) -> usize {
    stdout
        .lines()
        .filter(|line| line.contains(&format!("\"type\":\"{kind}\"")))
        .count()
}

/// The `text` of every match event.
fn match_texts(stdout: &str) -> Vec<String> {
    events(stdout)
        .into_iter()
        .filter(|event| event["type"] == "match")
        .map(|event| event["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Ends a watcher with SIGTERM and checks exactly one summary, as the last line.
fn stop(mut watcher: Spawned) -> (i32, serde_json::Value, Spawned) {
    watcher.signal("TERM");
    let code = watcher.wait();
    let stdout = watcher.stdout();
    assert_eq!(count_of(&stdout, "summary"), 1, "{}", watcher.describe());
    let summary = events(&stdout).pop().expect("a last line");
    assert_eq!(summary["type"], "summary", "{}", watcher.describe());
    (code, summary, watcher)
}

fn append(path: &std::path::Path, text: &str) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    file.write_all(text.as_bytes()).expect("append");
}

#[test]
fn split_writes_count_once_and_a_partial_line_waits_for_its_newline() {
    let env = TestEnv::new();
    let mut watcher = env.spawn(&["watch", "--format", "ndjson"]);
    let line = bbb_line("split");
    let (head, tail) = line.split_at(30);
    watcher.write(head.as_bytes());
    std::thread::sleep(Duration::from_millis(300));
    watcher.write(tail.as_bytes());
    watcher.wait_for("the first match", |out, _| count_of(out, "match") == 1);
    // A whole line without its newline is held back...
    watcher.write(b"join room result: 1002034");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        count_of(&watcher.stdout(), "match"),
        1,
        "{}",
        watcher.describe()
    );
    // ...until its newline arrives.
    watcher.write(b"\nnoise\n");
    watcher.wait_for("the second match", |out, _| count_of(out, "match") == 2);
    watcher.close_stdin();
    assert_eq!(watcher.wait(), 0, "{}", watcher.describe());
    let all = events(&watcher.stdout());
    assert_eq!(all.len(), 3, "{}", watcher.describe());
    assert_eq!(all[0]["line"], 1);
    assert_eq!(all[0]["code"], "1007");
    assert_eq!(all[1]["line"], 2);
    assert_eq!(all[1]["offset"], line.len());
    assert_eq!(all[1]["code"], "1002034");
    assert_eq!(all[2]["type"], "summary");
    assert_eq!(all[2]["totals"]["matches"], 2);
    assert_eq!(all[2]["totals"]["lines"], 3);
}

#[test]
fn sigterm_with_stdin_held_open_writes_exactly_one_summary() {
    let env = TestEnv::new();
    let mut watcher = env.spawn(&["watch", "--format", "ndjson", "--fail-on", "network"]);
    watcher.write(bbb_line("a").as_bytes());
    watcher.wait_for("the match", |out, _| count_of(out, "match") == 1);
    let (code, summary, watcher) = stop(watcher);
    assert_eq!(code, 1, "the gate trips: {}", watcher.describe());
    assert_eq!(summary["totals"]["matches"], 1);
    assert_eq!(summary["gate"]["passed"], false);

    // Text: each match as a line, then the text report, once.
    let mut watcher = env.spawn(&["watch", "--color", "never"]);
    watcher.write(bbb_line("b\x1b[31m").as_bytes());
    watcher.wait_for("the match line", |out, _| {
        out.contains("-:1: BigBlueButton 1007")
    });
    watcher.signal("INT");
    assert_eq!(watcher.wait(), 0, "{}", watcher.describe());
    let stdout = watcher.stdout();
    assert!(stdout.contains("cause=b\\e[31m"), "escaped: {stdout}");
    assert_eq!(stdout.matches("1 match in 1 file").count(), 1, "{stdout}");
}

#[test]
fn exit_on_first_ends_at_the_first_match_of_the_key() {
    let env = TestEnv::new();
    let mut watcher = env.spawn(&["watch", "--format", "ndjson", "--exit-on-first", "zego"]);
    watcher.write(bbb_line("first").as_bytes());
    watcher.write(b"join room result: 1002034\n");
    watcher.write(bbb_line("after").as_bytes());
    assert_eq!(watcher.wait(), 1, "{}", watcher.describe());
    let stdout = watcher.stdout();
    assert_eq!(count_of(&stdout, "match"), 2, "{stdout}");
    assert_eq!(count_of(&stdout, "summary"), 1, "{stdout}");
    assert!(!stdout.contains("cause=after"), "{stdout}");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    // `errscan watch | head -1`: read one event, close the pipe, keep feeding matches.
    let mut child = Command::new(env!("CARGO_BIN_EXE_errscan"))
        .args(["watch", "--format", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start errscan");
    let mut stdin = child.stdin.take();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    if let Some(stdin) = stdin.as_mut() {
        stdin.write_all(bbb_line("one").as_bytes()).expect("write");
    }
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read the first event");
    assert!(first.contains("\"type\":\"match\""), "{first}");
    drop(stdout);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll errscan") {
            break status;
        }
        assert!(
            start.elapsed() < support::PATIENCE,
            "errscan went on writing into a closed pipe"
        );
        if let Some(pipe) = stdin.as_mut() {
            if pipe.write_all(bbb_line("more").as_bytes()).is_err() {
                stdin = None;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "", "no panic, no message");
}

#[test]
fn rename_rotation_repeated_loses_nothing_and_reads_nothing_twice() {
    let env = TestEnv::new();
    let log = env.path("app.log");
    let watcher = env.spawn(&[
        "watch",
        "--format",
        "ndjson",
        "--poll-interval",
        "20ms",
        "-F",
        "app.log",
    ]);
    watcher.wait_for("the missing-file warning", |_, err| {
        err.contains("no such file yet")
    });
    let mut expected = BTreeSet::new();
    let expect = |expected: &mut BTreeSet<String>, tag: &str| {
        expected.insert(format!(
            "clientLogger: Audio error - errorCode=1007, cause={tag}"
        ));
        bbb_line(tag)
    };
    for round in 0..12 {
        let mut old = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("open the log");
        // A by-name follower sees a file only once it exists under the name at a poll: wait
        // for its first line before rotating it away.
        let first = expect(&mut expected, &format!("r{round}-first"));
        old.write_all(first.as_bytes()).expect("write");
        let count = expected.len();
        watcher.wait_for("the new file's first line", |out, _| {
            count_of(out, "match") >= count
        });
        for index in 0..3 {
            let line = expect(&mut expected, &format!("r{round}-{index}"));
            old.write_all(line.as_bytes()).expect("write");
        }
        old.write_all(b"noise without a code\n").expect("write");
        fs::rename(&log, env.path(&format!("app.log.{round}"))).expect("rotate");
        // The writer has not reopened yet: these lines go to the renamed file.
        let late = expect(&mut expected, &format!("r{round}-late"));
        old.write_all(late.as_bytes()).expect("write late");
    }
    let count = expected.len();
    // The last renamed file is drained when a new file appears under the name.
    append(&log, "noise\n");
    watcher.wait_for("every line", |out, _| count_of(out, "match") >= count);
    let texts = match_texts(&watcher.stdout());
    assert_eq!(texts.len(), expected.len(), "{}", watcher.describe());
    assert_eq!(texts.into_iter().collect::<BTreeSet<_>>(), expected);
    let (code, summary, _) = stop(watcher);
    assert_eq!(code, 0);
    assert_eq!(summary["totals"]["matches"], expected.len());
}

#[test]
fn copytruncate_warns_and_reads_the_new_content() {
    let env = TestEnv::new();
    let log = env.path("app.log");
    append(&log, &bbb_line("before"));
    let watcher = env.spawn(&[
        "watch",
        "--format",
        "ndjson",
        "--poll-interval",
        "20ms",
        "--follow",
        "app.log",
    ]);
    watcher.wait_for("the first match", |out, _| count_of(out, "match") == 1);
    for round in 1..=5 {
        fs::copy(&log, env.path("app.log.1")).expect("copy");
        OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&log)
            .expect("truncate");
        watcher.wait_for("the truncation warning", |_, err| {
            err.matches("truncated").count() == round
        });
        append(&log, &bbb_line(&format!("t{round}")));
        watcher.wait_for("the new match", |out, _| {
            count_of(out, "match") == round + 1
        });
    }
    let (code, summary, watcher) = stop(watcher);
    assert_eq!(code, 0);
    assert_eq!(summary["totals"]["matches"], 6, "{}", watcher.describe());
}

#[test]
fn a_deleted_file_is_followed_again_when_recreated() {
    // With inotify wake-ups, and by polling alone.
    for extra in [None, Some("--no-notify")] {
        a_deleted_file_is_followed_again_when_recreated_with(extra);
    }
}

fn a_deleted_file_is_followed_again_when_recreated_with(extra: Option<&str>) {
    let env = TestEnv::new();
    let log = env.path("later.log");
    let mut args = vec![
        "watch",
        "--format",
        "ndjson",
        "--poll-interval",
        "20ms",
        "-F",
        "later.log",
    ];
    args.extend(extra);
    let watcher = env.spawn(&args);
    watcher.wait_for("the missing-file warning", |_, err| {
        err.contains("later.log: no such file yet")
    });
    append(&log, &bbb_line("one"));
    watcher.wait_for("the first match", |out, _| count_of(out, "match") == 1);
    fs::remove_file(&log).expect("delete");
    append(&log, &bbb_line("two"));
    watcher.wait_for("the second match", |out, _| count_of(out, "match") == 2);
    let (code, summary, watcher) = stop(watcher);
    assert_eq!(code, 0);
    assert_eq!(summary["totals"]["matches"], 2, "{}", watcher.describe());
    let texts = match_texts(&watcher.stdout());
    assert!(texts[1].ends_with("cause=two"), "{texts:?}");
}

#[test]
fn changes_wake_the_watch_long_before_the_poll_interval() {
    // With a 30 s poll interval, only the inotify wake-ups can report these within 5 s (the
    // first poll is at the start, the next one 30 s later).
    let prompt = Duration::from_secs(5);
    let env = TestEnv::new();
    let log = env.path("app.log");
    append(&log, "noise\n");
    let watcher = env.spawn(&[
        "watch",
        "--format",
        "ndjson",
        "--poll-interval",
        "30s",
        "-F",
        "app.log",
        "-F",
        "later.log",
    ]);
    // The first poll is done (and the directory watched) once this warning is out.
    watcher.wait_for("the missing-file warning", |_, err| {
        err.contains("later.log: no such file yet")
    });
    append(&log, &bbb_line("appended"));
    watcher.wait_for_within("the appended line", prompt, |out, _| {
        count_of(out, "match") == 1
    });
    append(&env.path("later.log"), &bbb_line("created"));
    watcher.wait_for_within("the line of a file created later", prompt, |out, _| {
        count_of(out, "match") == 2
    });
    fs::rename(&log, env.path("app.log.1")).expect("rotate");
    append(&log, &bbb_line("rotated"));
    watcher.wait_for_within("the line of the new file", prompt, |out, _| {
        count_of(out, "match") == 3
    });
    let (code, summary, watcher) = stop(watcher);
    assert_eq!(code, 0);
    assert_eq!(summary["totals"]["matches"], 3, "{}", watcher.describe());
    assert!(
        !watcher.stderr().contains("cannot watch"),
        "{}",
        watcher.describe()
    );

    // Without notify, the same append waits for the next poll.
    let watcher = env.spawn(&[
        "watch",
        "--format",
        "ndjson",
        "--no-notify",
        "--poll-interval",
        "30s",
        "-F",
        "app.log",
    ]);
    watcher.wait_for("the first poll", |out, _| count_of(out, "match") == 1);
    append(&log, &bbb_line("unseen"));
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        count_of(&watcher.stdout(), "match"),
        1,
        "{}",
        watcher.describe()
    );
    let (_, summary, watcher) = stop(watcher);
    assert_eq!(summary["totals"]["matches"], 1, "{}", watcher.describe());
}

#[test]
fn the_state_file_resumes_across_runs_and_rotation_and_rejects_garbage() {
    let env = TestEnv::new();
    let log = env.path("app.log");
    append(&log, &format!("{}noise\n{}", bbb_line("a"), bbb_line("b")));
    let args = [
        "watch",
        "--once",
        "--state",
        "state.json",
        "--format",
        "ndjson",
        "-F",
        "app.log",
    ];
    let run = env.run(&args).expect_code(0);
    assert_eq!(count_of(&run.stdout, "match"), 2, "{}", run.describe());
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(env.path("state.json")).expect("state"))
            .expect("state is JSON");
    assert_eq!(state["schema"], "errscan/state@1");

    // Nothing new: nothing reported.
    let run = env.run(&args).expect_code(0);
    assert_eq!(count_of(&run.stdout, "match"), 0, "{}", run.describe());

    // A partial line is not consumed; its rest arrives, then the file is rotated with a line
    // written late to the old file, and a new file starts.
    append(&log, "clientLogger: Audio error - errorC");
    let run = env.run(&args).expect_code(0);
    assert_eq!(count_of(&run.stdout, "match"), 0, "{}", run.describe());
    append(&log, "ode=1007, cause=c\n");
    fs::rename(&log, env.path("app.log.1")).expect("rotate");
    append(&env.path("app.log.1"), &bbb_line("d"));
    append(&log, &bbb_line("e"));
    let run = env.run(&args).expect_code(0);
    let all = events(&run.stdout);
    let texts = match_texts(&run.stdout);
    assert_eq!(
        texts,
        [
            "clientLogger: Audio error - errorCode=1007, cause=c",
            "clientLogger: Audio error - errorCode=1007, cause=d",
            "clientLogger: Audio error - errorCode=1007, cause=e",
        ],
        "{}",
        run.describe()
    );
    assert_eq!(
        all[0]["line"], 4,
        "line numbers go on where the last run stopped"
    );
    assert_eq!(all[2]["line"], 1, "the new file starts at line 1");

    // A corrupt or foreign state file is an error naming it, not a silent full rescan.
    for garbage in [
        "{\"schema\": \"errscan/state@1\", \"files\": 3}",
        "not json",
        "{}",
    ] {
        env.write("state.json", garbage);
        let run = env.run(&args).expect_code(2);
        assert_eq!(run.stdout, "", "{}", run.describe());
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.describe());
        assert!(run.stderr.starts_with("errscan: "), "{}", run.describe());
        assert!(run.stderr.contains("state.json: "), "{}", run.describe());
    }
}

#[test]
fn nothing_is_redrawn_when_not_a_terminal() {
    let env = TestEnv::new();
    let input = format!("{}{}", bbb_line("a"), bbb_line("b"));
    for args in [
        &["watch"][..],
        &["watch", "--no-live", "--format", "ndjson"][..],
    ] {
        let run = env.run_with_stdin(args, input.as_bytes()).expect_code(0);
        assert_eq!(run.stderr, "", "{}", run.describe());
        assert!(!run.stdout.contains('\x1b'), "{}", run.describe());
    }
}

/// (path, lines, matches) of each row of a summary's `files`, sorted by path.
fn file_rows(summary: &serde_json::Value) -> Vec<(String, u64, u64)> {
    let mut rows: Vec<(String, u64, u64)> = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|row| {
            (
                row["path"].as_str().unwrap_or_default().to_string(),
                row["lines"].as_u64().unwrap_or_default(),
                row["matches"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Repeated rotations: the rest of each rotated file is reported under the name it has now,
/// with its own row in the summary; exact counts per row. `rotated_name(round)` is where the
/// file goes (logrotate's numbered names shift older files first).
fn rotations_are_reported_under_the_rotated_name(
    rotated_name: fn(usize) -> String,
    is_numbered: bool,
) {
    let env = TestEnv::new();
    let log = env.path("app.log");
    let watcher = env.spawn(&[
        "watch",
        "--format",
        "ndjson",
        "--poll-interval",
        "50ms",
        "-F",
        "app.log",
    ]);
    watcher.wait_for("the missing-file warning", |_, err| {
        err.contains("no such file yet")
    });
    let rounds = 3;
    let mut matches = 0;
    // Per row: (lines, matches) expected.
    let mut expected: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    // (path, line) of each match event expected, in order.
    let mut expected_events: Vec<(String, u64)> = Vec::new();
    for round in 0..rounds {
        let mut old = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("open the log");
        // Round r's file: a noise line and 2 + r matching lines under app.log (the noise first:
        // once the last match is out, every byte before it has been read, so none of the file
        // is read after the rename)...
        old.write_all(b"noise\n").expect("write");
        let mut line = 1;
        for index in 0..2 + round {
            old.write_all(bbb_line(&format!("r{round}-{index}")).as_bytes())
                .expect("write");
            line += 1;
            expected_events.push(("app.log".to_string(), line));
        }
        let row = expected.entry("app.log".to_string()).or_default();
        row.0 += line;
        row.1 += 2 + round as u64;
        matches += 2 + round;
        watcher.wait_for("the lines under app.log", |out, _| {
            count_of(out, "match") == matches
        });
        // ...then rotated, and errscan has seen it go...
        if is_numbered {
            for older in (1..=round).rev() {
                let from = env.path(&format!("app.log.{older}"));
                fs::rename(&from, env.path(&format!("app.log.{}", older + 1))).expect("shift");
            }
        }
        let rotated = rotated_name(round);
        fs::rename(&log, env.path(&rotated)).expect("rotate");
        let note = format!("app.log: renamed to {rotated};");
        watcher.wait_for("the rotation note", |_, err| {
            err.matches(&note).count() == if is_numbered { round + 1 } else { 1 }
        });
        // ...and the writer adds 1 + r lines before it reopens: the rest, under the new name.
        for index in 0..1 + round {
            old.write_all(bbb_line(&format!("r{round}-late{index}")).as_bytes())
                .expect("write late");
            line += 1;
            expected_events.push((rotated.clone(), line));
        }
        let row = expected.entry(rotated).or_default();
        row.0 += 1 + round as u64;
        row.1 += 1 + round as u64;
        matches += 1 + round;
        watcher.wait_for("the rest of the rotated file", |out, _| {
            count_of(out, "match") == matches
        });
    }
    // The last new file.
    append(&log, &bbb_line("last"));
    expected_events.push(("app.log".to_string(), 1));
    let row = expected.entry("app.log".to_string()).or_default();
    row.0 += 1;
    row.1 += 1;
    matches += 1;
    watcher.wait_for("the new file's line", |out, _| {
        count_of(out, "match") == matches
    });
    let (code, summary, watcher) = stop(watcher);
    assert_eq!(code, 0);
    let events: Vec<(String, u64)> = events(&watcher.stdout())
        .into_iter()
        .filter(|event| event["type"] == "match")
        .map(|event| {
            (
                event["path"].as_str().unwrap_or_default().to_string(),
                event["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(events, expected_events, "{}", watcher.describe());
    let expected_rows: Vec<(String, u64, u64)> = expected
        .into_iter()
        .map(|(path, (lines, matches))| (path, lines, matches))
        .collect();
    assert_eq!(file_rows(&summary), expected_rows, "{}", watcher.describe());
    assert_eq!(summary["totals"]["matches"], matches);
    assert_eq!(summary["totals"]["files"], expected_rows.len());
}

#[test]
fn numbered_rotations_report_each_rest_under_app_log_1() {
    rotations_are_reported_under_the_rotated_name(|_| "app.log.1".to_string(), true);
}

#[test]
fn dated_rotations_report_each_rest_under_its_own_name() {
    rotations_are_reported_under_the_rotated_name(|round| format!("app.log-2024010{round}"), false);
}

/// An input of `lines` lines where every 7th is a match told apart by its number, and the
/// (line, offset, text) of each match.
fn burst(lines: usize) -> (String, Vec<(u64, u64, String)>) {
    let mut input = String::new();
    let mut expected = Vec::new();
    for index in 0..lines {
        if index % 7 == 3 {
            let line = bbb_line(&format!("n{index}"));
            expected.push((
                index as u64 + 1,
                input.len() as u64,
                line.trim_end().to_string(),
            ));
            input.push_str(&line);
        } else {
            input.push_str("noise line that matches nothing at all, padded to look like a log\n");
        }
    }
    (input, expected)
}

/// (line, offset, text) of every match event of `path`.
fn numbered_matches(stdout: &str, path: &str) -> Vec<(u64, u64, String)> {
    events(stdout)
        .into_iter()
        .filter(|event| event["type"] == "match" && event["path"] == path)
        .map(|event| {
            (
                event["line"].as_u64().unwrap_or_default(),
                event["offset"].as_u64().unwrap_or_default(),
                event["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_burst_on_stdin_gives_every_event_once_in_order_with_exact_numbers() {
    // Megabytes at once keep the pipe full, so errscan scans batches on every core; the events
    // must be exactly those of a line-by-line scan, in input order.
    let env = TestEnv::new();
    let lines = 120_000;
    let (input, expected) = burst(lines);
    let run = env
        .run_with_stdin(&["watch", "--format", "ndjson"], input.as_bytes())
        .expect_code(0);
    let found = numbered_matches(&run.stdout, "-");
    assert_eq!(found.len(), expected.len());
    assert!(found == expected, "events differ from a line-by-line scan");
    let summary = events(&run.stdout).pop().expect("a summary");
    assert_eq!(summary["totals"]["lines"], lines);
    assert_eq!(summary["totals"]["bytes"], input.len());
    assert_eq!(summary["totals"]["matches"], expected.len());
}

#[test]
fn a_large_followed_file_is_caught_up_with_exact_numbers() {
    let env = TestEnv::new();
    let lines = 120_000;
    let (input, expected) = burst(lines);
    env.write("big.log", &input);
    let run = env
        .run(&["watch", "--once", "--format", "ndjson", "-F", "big.log"])
        .expect_code(0);
    let found = numbered_matches(&run.stdout, "big.log");
    assert_eq!(found.len(), expected.len());
    assert!(found == expected, "events differ from a line-by-line scan");
    let summary = events(&run.stdout).pop().expect("a summary");
    assert_eq!(summary["totals"]["lines"], lines);
    assert_eq!(summary["totals"]["bytes"], input.len());
}

#[test]
fn a_stalled_reader_of_stdout_makes_errscan_wait_and_loses_nothing() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // Megabytes of events into a pipe nobody reads for a while: errscan must block on its
    // writes (and its reader on the full channel), then deliver every event in order.
    let (input, expected) = burst(120_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_errscan"))
        .args(["watch", "--format", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start errscan");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        child.try_wait().expect("poll errscan").is_none(),
        "errscan cannot have finished with nobody reading"
    );
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut stdout)
        .expect("read stdout");
    let _ = writer.join();
    let status = child.wait().expect("wait for errscan");
    assert_eq!(status.code(), Some(0));
    let found = numbered_matches(&stdout, "-");
    assert_eq!(found.len(), expected.len());
    assert!(found == expected, "events lost, doubled or out of order");
}
