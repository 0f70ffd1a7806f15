//! Writes a synthetic mixed-vendor log and, optionally, the truth of what it carries.
//!
//! ```text
//! cargo run --release --example genlog -- --bytes 1G --seed 7 --out /tmp/x.log [--truth /tmp/x.truth.json]
//! ```
//!
//! Sizes take the suffixes K, M, G (powers of 1024, an optional trailing `B` or `iB`). The truth
//! is JSON: `{"lines":..,"bytes":..,"codes":{"vendor:code":n},"unknown":{"vendor:code":n}}`.
//! `errscan scan --format json` over the log must report exactly these counts.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use errscan::Vendor;
use errscan::catalog::Catalog;
use errscan::synth::{ERROR_LINES_PER_THOUSAND, Truth, generate_with_error_lines};

const USAGE: &str =
    "usage: genlog --bytes SIZE [--seed N] [--error-lines N] --out PATH [--truth PATH]
  SIZE: 4096, 100M, 1G, ...; --error-lines: lines carrying codes per thousand (default 20)";

struct Args {
    bytes: u64,
    seed: u64,
    error_lines_per_thousand: u32,
    out: PathBuf,
    truth: Option<PathBuf>,
}

fn main() -> ExitCode {
    if std::env::args().any(|word| word == "-h" || word == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("genlog: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("genlog: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let catalog = Catalog::builtin();
    let file = File::create(&args.out)
        .map_err(|error| format!("{}: cannot create: {error}", args.out.display()))?;
    let started = Instant::now();
    let truth = generate_with_error_lines(
        BufWriter::with_capacity(1 << 20, file),
        args.bytes,
        args.seed,
        &catalog,
        args.error_lines_per_thousand,
    )
    .map_err(|error| format!("{}: {error}", args.out.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "genlog: wrote {} bytes, {} lines, {} matches ({} unknown) in {:.2} s ({:.0} MiB/s)",
        truth.bytes,
        truth.lines,
        truth.matches(),
        truth.unknown.values().sum::<u64>(),
        seconds,
        truth.bytes as f64 / (1024.0 * 1024.0) / seconds.max(1e-9),
    );
    if let Some(path) = &args.truth {
        let text = serde_json::to_string_pretty(&truth_json(&truth))
            .map_err(|error| format!("cannot serialise the truth: {error}"))?;
        std::fs::write(path, text + "\n")
            .map_err(|error| format!("{}: cannot write: {error}", path.display()))?;
    }
    Ok(())
}

fn truth_json(truth: &Truth) -> serde_json::Value {
    let keyed = |counts: &BTreeMap<(Vendor, String), u64>| -> BTreeMap<String, u64> {
        counts
            .iter()
            .map(|((vendor, code), count)| (format!("{vendor}:{code}"), *count))
            .collect()
    };
    serde_json::json!({
        "lines": truth.lines,
        "bytes": truth.bytes,
        "codes": keyed(&truth.codes),
        "unknown": keyed(&truth.unknown),
    })
}

fn parse_args(mut words: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut bytes = None;
    let mut seed = 1;
    let mut error_lines_per_thousand = ERROR_LINES_PER_THOUSAND;
    let mut out = None;
    let mut truth = None;
    while let Some(word) = words.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (word, None),
        };
        let value = match inline.or_else(|| words.next()) {
            Some(value) => value,
            None => return Err(format!("{flag} needs a value")),
        };
        match flag.as_str() {
            "--bytes" => bytes = Some(parse_size(&value)?),
            "--seed" => {
                seed = value
                    .parse()
                    .map_err(|_| format!("--seed: not a number: {value}"))?;
            }
            "--error-lines" => {
                error_lines_per_thousand = value
                    .parse()
                    .ok()
                    .filter(|&per_thousand| per_thousand <= 1000)
                    .ok_or_else(|| {
                        format!("--error-lines: not a number from 0 to 1000: {value}")
                    })?;
            }
            "--out" | "-o" => out = Some(PathBuf::from(value)),
            "--truth" => truth = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Args {
        bytes: bytes.ok_or("--bytes is required")?,
        seed,
        error_lines_per_thousand,
        out: out.ok_or("--out is required")?,
        truth,
    })
}

/// `4096`, `64K`, `100M`, `1G`, `1GiB`, `2.5G`: powers of 1024.
fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    let without_b = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper);
    let (number, multiplier) = match without_b.chars().last() {
        Some('K') => (&without_b[..without_b.len() - 1], 1u64 << 10),
        Some('M') => (&without_b[..without_b.len() - 1], 1 << 20),
        Some('G') => (&without_b[..without_b.len() - 1], 1 << 30),
        Some('T') => (&without_b[..without_b.len() - 1], 1 << 40),
        _ => (without_b, 1),
    };
    let bad = || format!("--bytes: not a size: {text}");
    if let Ok(whole) = number.parse::<u64>() {
        return whole.checked_mul(multiplier).ok_or_else(bad);
    }
    let fraction: f64 = number.parse().map_err(|_| bad())?;
    if !fraction.is_finite() || fraction < 0.0 {
        return Err(bad());
    }
    Ok((fraction * multiplier as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(65_536));
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("2mb"), Ok(2 << 20));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("-1M").is_err());
    }
}
