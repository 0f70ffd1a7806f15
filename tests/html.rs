//! The HTML report in a real browser: Debian's headless Chromium renders the report of
//! `fixtures/`, the test checks the DOM it built against the JSON report of the same scan, and
//! saves screenshots (light and dark) to `target/html-report.png` and
//! `target/html-report-dark.png`.
//!
//! When Chromium is missing and the test runs as root, it installs Debian's `chromium` package
//! with apt-get. When that is impossible, the test says why on stderr and is skipped, unless
//! `ERRSCAN_REQUIRE_BROWSER` is set, which makes it fail instead (for CI machines that must run
//! it).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long one Chromium run may take before it is killed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long installing Chromium may take.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);

/// Where Debian puts the browser.
const DEBIAN_CHROMIUM: &str = "/usr/bin/chromium";

/// Runs `command` with stdout and stderr sent to files in `dir` (named after `label`), killing it
/// after `timeout`. Returns the exit status, stdout and stderr.
fn run_with_timeout(
    mut command: Command,
    dir: &Path,
    label: &str,
    timeout: Duration,
) -> Result<(ExitStatus, String, String), String> {
    let stdout_path = dir.join(format!("{label}.stdout"));
    let stderr_path = dir.join(format!("{label}.stderr"));
    let stdout = File::create(&stdout_path).map_err(|e| format!("{label}: {e}"))?;
    let stderr = File::create(&stderr_path).map_err(|e| format!("{label}: {e}"))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|error| format!("{label}: cannot start: {error}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{label}: no answer within {timeout:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => return Err(format!("{label}: {error}")),
        }
    };
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    Ok((status, read(&stdout_path), read(&stderr_path)))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// The Chromium binary, installing Debian's package when it is missing and we are root; or why
/// there is none.
fn chromium(scratch: &Path) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("ERRSCAN_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    let found = || {
        std::iter::once(PathBuf::from(DEBIAN_CHROMIUM))
            .chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                    .map(|dir| dir.join("chromium")),
            )
            .find(|path| path.is_file())
    };
    if let Some(path) = found() {
        return Ok(path);
    }
    if !is_root() {
        return Err(format!(
            "{DEBIAN_CHROMIUM} is missing and the test is not running as root, so it cannot \
             install it (apt-get install chromium, or set ERRSCAN_CHROMIUM)"
        ));
    }
    let apt = |args: &[&str], label: &str| {
        let mut command = Command::new("apt-get");
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run_with_timeout(command, scratch, label, INSTALL_TIMEOUT)
    };
    let install = ["install", "-y", "-q", "--no-install-recommends", "chromium"];
    eprintln!("html test: installing Debian's chromium (apt-get install -y chromium)…");
    let mut outcome = apt(&install, "apt-install");
    if !outcome
        .as_ref()
        .is_ok_and(|(status, _, _)| status.success())
    {
        // The package lists may be missing or stale: refresh them once and try again.
        let _ = apt(&["update", "-q"], "apt-update");
        outcome = apt(&install, "apt-install-again");
    }
    match (outcome, found()) {
        (_, Some(path)) => Ok(path),
        (Ok((status, _, stderr)), None) => Err(format!(
            "apt-get install chromium failed ({status}): {}",
            stderr.trim()
        )),
        (Err(error), None) => Err(format!("apt-get install chromium: {error}")),
    }
}

/// A headless Chromium command with the flags this machine needs and a fresh profile.
fn browser_command(chromium: &Path, profile: &Path) -> Command {
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--mute-audio",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// Undoes the character references Chromium writes in serialized attribute values.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The attribute `name` of the start tag `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let pattern = regex::Regex::new(&format!(r#"\s{name}="([^"]*)""#)).ok()?;
    pattern.captures(tag).map(|captures| unescape(&captures[1]))
}

/// The start tags of every `<tr>` whose class list holds `class`.
fn row_tags<'a>(dom: &'a str, class: &str) -> Vec<&'a str> {
    let start_tags = regex::Regex::new(r"<tr\s[^>]*>").expect("valid regex");
    start_tags
        .find_iter(dom)
        .map(|tag| tag.as_str())
        .filter(|tag| {
            attribute(tag, "class")
                .is_some_and(|classes| classes.split_whitespace().any(|c| c == class))
        })
        .collect()
}

/// (vendor, code, count) of every `<tr>` whose class list holds `class`.
fn rows(dom: &str, class: &str) -> BTreeSet<(String, String, u64)> {
    row_tags(dom, class)
        .into_iter()
        .map(|tag| {
            let count = attribute(tag, "data-count")
                .and_then(|count| count.parse().ok())
                .unwrap_or(u64::MAX);
            (
                attribute(tag, "data-vendor").unwrap_or_default(),
                attribute(tag, "data-code").unwrap_or_default(),
                count,
            )
        })
        .collect()
}

/// The values of the attributes `names` of every `<tr>` whose class list holds `class`.
fn row_attributes(dom: &str, class: &str, names: &[&str]) -> BTreeSet<Vec<String>> {
    row_tags(dom, class)
        .into_iter()
        .map(|tag| {
            names
                .iter()
                .map(|name| attribute(tag, name).unwrap_or_else(|| format!("no {name}")))
                .collect()
        })
        .collect()
}

/// The texts of the cells of every `<tr>` whose class list holds `class`, tags removed.
fn row_cells(dom: &str, class: &str) -> Vec<Vec<String>> {
    let row_pattern = regex::Regex::new(r"(?s)<tr\s([^>]*)>(.*?)</tr>").expect("valid regex");
    let cell_pattern = regex::Regex::new(r"(?s)<td[^>]*>(.*?)</td>").expect("valid regex");
    let tag_pattern = regex::Regex::new(r"<[^>]*>").expect("valid regex");
    row_pattern
        .captures_iter(dom)
        .filter(|row| {
            attribute(&format!(" {}", &row[1]), "class")
                .is_some_and(|classes| classes.split_whitespace().any(|c| c == class))
        })
        .map(|row| {
            cell_pattern
                .captures_iter(&row[2])
                .map(|cell| unescape(tag_pattern.replace_all(&cell[1], "").trim()))
                .collect()
        })
        .collect()
}

/// (p50, p90, p99, max, count) of a JSON distribution, as text, after `key`.
fn json_distribution(key: &[&str], distribution: &serde_json::Value) -> Vec<String> {
    let mut values: Vec<String> = key.iter().map(|part| part.to_string()).collect();
    for field in ["p50", "p90", "p99", "max", "count"] {
        values.push(
            distribution[field]
                .as_u64()
                .map_or_else(|| format!("no {field}"), |value| value.to_string()),
        );
    }
    values
}

/// (vendor, code, count) of every entry of a JSON report list.
fn json_rows(list: &serde_json::Value) -> BTreeSet<(String, String, u64)> {
    list.as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|row| {
            (
                row["vendor"].as_str().unwrap_or_default().to_string(),
                row["code"].as_str().unwrap_or_default().to_string(),
                row["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn html_report_renders_in_chromium_with_the_rows_of_the_json_report() {
    let scratch = tempfile::tempdir().expect("temporary directory");
    let browser = match chromium(scratch.path()) {
        Ok(path) => path,
        Err(why) if std::env::var_os("ERRSCAN_REQUIRE_BROWSER").is_none() => {
            eprintln!("SKIPPED html_report_renders_in_chromium…: no headless Chromium: {why}");
            return;
        }
        Err(why) => panic!("no headless Chromium and ERRSCAN_REQUIRE_BROWSER is set: {why}"),
    };

    // One pass, two outputs: the JSON report and (through --report) the HTML one.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let json_path = scratch.path().join("report.json");
    let html_path = scratch.path().join("report.html");
    let scan = Command::new(env!("CARGO_BIN_EXE_errscan"))
        .current_dir(root)
        .args(["scan", "fixtures", "--format", "json", "-o"])
        .arg(&json_path)
        .arg("--report")
        .arg(format!("html:{}", html_path.display()))
        .output()
        .expect("run errscan");
    assert_eq!(
        scan.status.code(),
        Some(0),
        "errscan scan fixtures failed: {}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("JSON report"))
            .expect("JSON report parses");
    let url = format!("file://{}", html_path.display());

    // The target directory: CARGO_TARGET_TMPDIR is <target>/tmp.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target directory")
        .to_path_buf();
    let light_png = target.join("html-report.png");
    let dark_png = target.join("html-report-dark.png");
    for png in [&light_png, &dark_png] {
        let _ = std::fs::remove_file(png);
    }

    // The DOM dump and the two screenshots run at once, each with its own fresh profile.
    let jobs: Vec<(&str, Vec<String>)> = vec![
        ("dump-dom", vec!["--dump-dom".to_string()]),
        (
            "screenshot",
            vec![
                format!("--screenshot={}", light_png.display()),
                "--window-size=1280,1600".to_string(),
            ],
        ),
        (
            "screenshot-dark",
            vec![
                format!("--screenshot={}", dark_png.display()),
                "--window-size=1280,1600".to_string(),
                "--force-dark-mode".to_string(),
                "--blink-settings=preferredColorScheme=0".to_string(),
            ],
        ),
    ];
    let started = Instant::now();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(label, args)| {
                let profile = scratch.path().join(format!("profile-{label}"));
                let mut command = browser_command(&browser, &profile);
                command.args(args).arg(&url);
                let dir = scratch.path();
                scope.spawn(move || run_with_timeout(command, dir, label, BROWSER_TIMEOUT))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("browser thread"))
            .collect()
    });
    eprintln!("html test: Chromium took {:?}", started.elapsed());
    for ((label, _), result) in jobs.iter().zip(&results) {
        match result {
            Ok((status, _, stderr)) => assert!(
                status.success(),
                "chromium {label} failed ({status}):\n{stderr}"
            ),
            Err(error) => panic!("chromium {label}: {error}"),
        }
    }
    let dom = &results[0].as_ref().expect("checked above").1;

    // Every section is there.
    for id in [
        "totals",
        "timeline",
        "by-category",
        "by-vendor",
        "top-codes",
        "unknown-codes",
        "files",
        "parameters",
        "percentiles",
        "per-minute",
        "intervals",
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "no element #{id} in the DOM"
        );
    }
    // The codes and unknown codes are exactly those of the JSON report.
    let html_codes = rows(dom, "code-row");
    assert!(!html_codes.is_empty(), "no code rows in the DOM");
    assert_eq!(html_codes, json_rows(&json["codes"]), "top-codes rows");
    assert_eq!(
        rows(dom, "unknown-row"),
        json_rows(&json["unknown"]),
        "unknown-codes rows"
    );
    // The percentiles: one row per category of the JSON's `percentiles.per_minute` and one per
    // code with `intervals_ms`, with the same values; the cells show the intervals as
    // `human_millis` writes them.
    let per_minute_json: BTreeSet<Vec<String>> = json["percentiles"]["per_minute"]
        .as_object()
        .expect("the fixtures have timestamps, so percentiles")
        .iter()
        .map(|(category, distribution)| json_distribution(&[category], distribution))
        .collect();
    assert!(!per_minute_json.is_empty());
    assert_eq!(
        row_attributes(
            dom,
            "per-minute-row",
            &[
                "data-category",
                "data-p50",
                "data-p90",
                "data-p99",
                "data-max",
                "data-count"
            ]
        ),
        per_minute_json,
        "per-minute rows"
    );
    let rows_with_intervals = || {
        ["codes", "unknown"]
            .into_iter()
            .flat_map(|list| json[list].as_array().cloned().unwrap_or_default())
            .filter(|row| row["intervals_ms"].is_object())
    };
    let intervals_json: BTreeSet<Vec<String>> = rows_with_intervals()
        .map(|row| {
            json_distribution(
                &[
                    row["vendor"].as_str().unwrap_or_default(),
                    row["code"].as_str().unwrap_or_default(),
                ],
                &row["intervals_ms"],
            )
        })
        .collect();
    assert!(
        !intervals_json.is_empty(),
        "no code of the fixtures repeats"
    );
    let interval_names = [
        "data-vendor",
        "data-code",
        "data-p50",
        "data-p90",
        "data-p99",
        "data-max",
        "data-intervals",
    ];
    assert_eq!(
        row_attributes(dom, "interval-row", &interval_names),
        intervals_json,
        "interval rows"
    );
    // Compared as sorted lists, so that two rows showing the same values count twice.
    let mut shown: Vec<Vec<String>> = row_cells(dom, "interval-row")
        .into_iter()
        .map(|cells| cells.iter().skip(1).cloned().collect())
        .collect();
    shown.sort();
    let mut expected_cells: Vec<Vec<String>> = rows_with_intervals()
        .map(|row| {
            let intervals = &row["intervals_ms"];
            let mut cells = vec![intervals["count"].to_string()];
            for field in ["p50", "p90", "p99", "max"] {
                let millis = intervals[field].as_u64().unwrap_or(u64::MAX);
                cells.push(errscan::report::human_millis(millis));
            }
            cells
        })
        .collect();
    expected_cells.sort();
    assert_eq!(shown, expected_cells, "interval cells");
    let file_rows = dom.matches("class=\"file-row").count();
    assert_eq!(
        Some(file_rows),
        json["files"].as_array().map(Vec::len),
        "one file row per input"
    );
    // A timeline is drawn when the scan had timestamps, and only then.
    let has_timeline = json.get("timeline").is_some_and(|t| !t.is_null());
    assert_eq!(
        dom.contains("<svg class=\"chart\""),
        has_timeline,
        "timeline chart"
    );
    assert_eq!(dom.contains("id=\"no-timestamps\""), !has_timeline);
    assert!(!dom.contains("<script"), "the page must not run any script");

    for png in [&light_png, &dark_png] {
        let bytes = std::fs::read(png).unwrap_or_default();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{}: no screenshot",
            png.display()
        );
    }
    eprintln!(
        "html test: screenshots in {} and {}",
        light_png.display(),
        dark_png.display()
    );
}
