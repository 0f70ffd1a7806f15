//! Latency of `errscan watch`: the time from a matching line written to errscan's stdin (a pipe)
//! to its match event read back from errscan's stdout (a pipe), over many lines spread out in
//! time (not a burst), reported as p50, p90, p99 and max. With `file` as the mode, the lines
//! are appended to a file that `errscan watch -F` follows instead (extra arguments after the
//! mode go to errscan, such as `--no-notify`).
//!
//! ```text
//! cargo build --release --bin errscan --example watch_latency
//! target/release/examples/watch_latency [ERRSCAN] [LINES] [INTERVAL_US] [stdin|file [ARGS...]]
//! ```
//!
//! Defaults: `target/release/errscan`, 5000 lines, one every 2000 µs, each followed by a line
//! of noise, stdin. A benchmark, not a test: it prints figures and never fails on them.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let errscan = args
        .next()
        .unwrap_or_else(|| "target/release/errscan".to_string());
    let parse = |text: Option<String>, default: u64| -> Option<u64> {
        match text {
            None => Some(default),
            Some(text) => text.parse().ok(),
        }
    };
    let usage = "usage: watch_latency [ERRSCAN] [LINES] [INTERVAL_US] [stdin|file [ARGS...]]";
    let (Some(lines), Some(interval_us)) = (parse(args.next(), 5000), parse(args.next(), 2000))
    else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let mode = match args.next().as_deref() {
        None | Some("stdin") => Mode::Stdin,
        Some("file") => Mode::File(args.collect()),
        Some(_) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(&errscan, lines, Duration::from_micros(interval_us), &mode) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("watch_latency: {error}");
            ExitCode::from(2)
        }
    }
}

/// Where the lines go.
enum Mode {
    /// errscan's stdin.
    Stdin,
    /// A file errscan follows, with these extra arguments.
    File(Vec<String>),
}

fn run(errscan: &str, lines: u64, interval: Duration, mode: &Mode) -> std::io::Result<()> {
    let followed = std::env::temp_dir().join(format!("watch-latency-{}.log", std::process::id()));
    let mut command = Command::new(errscan);
    command.args(["watch", "--format", "ndjson"]);
    if let Mode::File(extra) = mode {
        std::fs::write(&followed, b"")?;
        command.arg("-F").arg(&followed).args(extra);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut sink: Box<dyn Write> = match mode {
        Mode::Stdin => Box::new(
            child
                .stdin
                .take()
                .ok_or_else(|| std::io::Error::other("no stdin"))?,
        ),
        Mode::File(_) => Box::new(std::fs::OpenOptions::new().append(true).open(&followed)?),
    };
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no stdout"))?;
    // The reader stamps each event as it arrives, on its own thread.
    let (sender, received) = mpsc::channel::<(u64, Instant)>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let now = Instant::now();
            if let Some(index) = tag_of(&line) {
                let _ = sender.send((index, now));
            }
        }
    });
    let mut sent: HashMap<u64, Instant> = HashMap::new();
    if let Mode::File(_) = mode {
        // A first line, waited for, so that errscan is following the file before timing starts.
        sink.write_all(b"clientLogger: Audio error - errorCode=1007, cause=warmup\n")?;
        std::thread::sleep(Duration::from_secs(1));
    }
    let start = Instant::now();
    for index in 0..lines {
        // Paced against the start, so that a slow write does not shift every later line.
        let due = start + interval * u32::try_from(index).unwrap_or(u32::MAX);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let line = format!(
            "clientLogger: Audio error - errorCode=1007, cause=t{index}x\nnoise between matches\n"
        );
        let now = Instant::now();
        sink.write_all(line.as_bytes())?;
        sink.flush()?;
        sent.insert(index, now);
    }
    drop(sink);
    if let Mode::File(_) = mode {
        // A followed file has no end: give the last events time to come, then stop errscan.
        std::thread::sleep(Duration::from_secs(1));
        let _ = child.kill();
        let _ = std::fs::remove_file(&followed);
    }
    child.wait()?;
    let _ = reader.join();
    let mut latencies: Vec<Duration> = received
        .try_iter()
        .filter_map(|(index, at)| Some(at.duration_since(*sent.get(&index)?)))
        .collect();
    latencies.sort();
    let quantile = |q: f64| -> f64 {
        let position = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies
            .get(position)
            .map_or(f64::NAN, |latency| latency.as_secs_f64() * 1000.0)
    };
    let mode = match mode {
        Mode::Stdin => "stdin".to_string(),
        Mode::File(extra) if extra.is_empty() => "file".to_string(),
        Mode::File(extra) => format!("file {}", extra.join(" ")),
    };
    println!(
        "{mode}: lines {} (one every {} us), events {}, p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        lines,
        interval.as_micros(),
        latencies.len(),
        quantile(0.5),
        quantile(0.9),
        quantile(0.99),
        quantile(1.0)
    );
    Ok(())
}

/// The index in `cause=t{index}x` of a match event's text.
fn tag_of(line: &str) -> Option<u64> {
    if !line.contains("\"type\":\"match\"") {
        return None;
    }
    let rest = line.split("cause=t").nth(1)?;
    rest.split('x').next()?.parse().ok()
}
