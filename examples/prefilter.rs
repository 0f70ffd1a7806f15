//! What a first-stage literal search costs on this machine: the evidence behind the scanner's
//! prefilter design (README, "Where the time goes"). Each figure is the best of 3 passes over a
//! page-cached, pre-faulted map, next to a memchr newline count of the same bytes.
//!
//! `cargo run --release --example prefilter -- FILE`
//!
//! Compared: aho-corasick's packed (Teddy) searcher over the built-in anchors, and over two
//! smaller sets of shorter literals that every anchor contains (fewer literals, so Teddy can use
//! its 32-byte "slim" form, but more hits to verify); a single literal with Teddy; one
//! `memchr::memmem` pass per literal; Teddy's own floor (literals that never occur, so nothing
//! is verified and nothing returned) in its slim and fat forms; and a rare-byte first stage,
//! which this input's own byte counts rule out before any timing.

use std::fs::File;
use std::process::ExitCode;
use std::time::Instant;

use aho_corasick::packed::{Config, MatchKind};

use errscan::patterns::PatternSet;

/// Shorter literals covering every built-in anchor: the anchor families merged on their shared
/// part (`rCode":1`, `rCode":2`, … → `rCode":`).
const MERGED: &[&str] = &[
    r"rCode\x22:",
    "rCode\":",
    "rCode':",
    "rCode=",
    "rCode:",
    "rCode: ",
    "code\":",
    "code: ",
    r"code\",
    "rorMessage",
    "(error ",
    "(ICE error ",
    "(SDP error ",
    "Could not share the screen",
    "Try sharing the screen",
    "Permission to capture the screen",
    "Screenshare failed: ",
    "Screenshare broker failure: ",
    "trace for error ",
    "CONFERENCE FAILED:",
    "CONNECTION FAILED:",
    "ror_type",
    "gum.",
    "gdm.",
    "track.",
    "e2ee.",
    " :: ",
    "r Code: ",
    "or is: ",
    "m result:",
    "OUIKit[ERROR]",
];

/// Fewer, shorter literals still: one per family.
const TRIGGERS: &[&str] = &[
    "rCode",
    "code\":",
    "code: ",
    r"code\",
    "rorMessage",
    "(error ",
    "(ICE error ",
    "(SDP error ",
    "the screen",
    "Screenshare ",
    "trace for error ",
    " FAILED:",
    "ror_type",
    "gum.",
    "gdm.",
    "track.",
    "e2ee.",
    " :: ",
    "r Code: ",
    "or is: ",
    "m result:",
    "OUIKit[ERROR]",
];

/// Literals that never occur in a log: `count` four-byte literals `QZ` + two letters + `Q`.
fn absent_literals(count: usize) -> Vec<String> {
    (0..count)
        .map(|index| {
            let first = char::from(b'A' + (index / 26) as u8);
            let second = char::from(b'a' + (index % 26) as u8);
            format!("QZ{first}{second}Q")
        })
        .collect()
}

/// A rare-byte first stage would look for one byte per pattern (the byte its anchors all
/// contain that is rarest in this input) and verify around every occurrence. Prints the
/// bytes and the share of the input that would have to be verified.
fn rare_byte_cover(patterns: &PatternSet, bytes: &[u8]) {
    let mut frequency = [0u64; 256];
    for &byte in bytes {
        frequency[usize::from(byte)] += 1;
    }
    let mut chosen = [false; 256];
    for pattern in patterns.patterns() {
        let mut common = [true; 256];
        for anchor in &pattern.anchors {
            let mut present = [false; 256];
            for &byte in anchor.as_bytes() {
                present[usize::from(byte)] = true;
            }
            for (slot, here) in common.iter_mut().zip(present) {
                *slot &= here;
            }
        }
        let rarest_common = (0..256)
            .filter(|&byte| common[byte])
            .min_by_key(|&byte| frequency[byte]);
        match rarest_common {
            Some(byte) => chosen[byte] = true,
            // No byte in all anchors: the rarest byte of each anchor.
            None => {
                for anchor in &pattern.anchors {
                    if let Some(&byte) = anchor
                        .as_bytes()
                        .iter()
                        .min_by_key(|&&byte| frequency[usize::from(byte)])
                    {
                        chosen[usize::from(byte)] = true;
                    }
                }
            }
        }
    }
    let candidates: u64 = (0..256)
        .filter(|&byte| chosen[byte])
        .map(|byte| frequency[byte])
        .sum();
    let shown: String = (0..=255u8)
        .filter(|&byte| chosen[usize::from(byte)])
        .map(char::from)
        .collect();
    println!(
        "rare-byte cover: {} bytes {shown:?}; {candidates} positions to verify, {:.1} % of the input",
        shown.len(),
        candidates as f64 * 100.0 / bytes.len().max(1) as f64
    );
}

fn best_of_3<F: FnMut() -> usize>(mut pass: F) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut hits = 0;
    for _ in 0..3 {
        let start = Instant::now();
        hits = pass();
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    (best, hits)
}

fn teddy(label: &str, literals: &[&str], bytes: &[u8], baseline: f64) {
    let mut sorted = literals.to_vec();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    let Some(searcher) = Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .builder()
        .extend(sorted.iter())
        .build()
    else {
        println!("{label}: no packed searcher for these literals");
        return;
    };
    let (millis, hits) = best_of_3(|| searcher.find_iter(bytes).count());
    println!(
        "{millis:>7.0} ms {:>5.1}x {hits:>9} hits  Teddy, {} literals: {label}",
        millis / baseline,
        sorted.len()
    );
}

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: prefilter FILE");
        return ExitCode::from(2);
    };
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("prefilter: {}: {error}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    // SAFETY: read-only map of a benchmark input nobody truncates meanwhile.
    let map = match unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
        Ok(map) => map,
        Err(error) => {
            eprintln!("prefilter: {}: {error}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let bytes: &[u8] = &map;
    let (baseline, lines) = best_of_3(|| memchr::memchr_iter(b'\n', bytes).count());
    println!("{baseline:>7.0} ms  1.0x {lines:>9} lines baseline: memchr newline count");
    let patterns = PatternSet::builtin();
    let mut anchors: Vec<&str> = patterns
        .patterns()
        .iter()
        .flat_map(|pattern| pattern.anchors.iter().map(String::as_str))
        .collect();
    anchors.sort_unstable();
    anchors.dedup();
    teddy("the built-in anchors", &anchors, bytes, baseline);
    teddy("anchor families merged", MERGED, bytes, baseline);
    teddy("one literal per family", TRIGGERS, bytes, baseline);
    teddy("one literal", &["rCode"], bytes, baseline);
    let absent = absent_literals(40);
    let absent: Vec<&str> = absent.iter().map(String::as_str).collect();
    teddy(
        "floor, slim: literals that never occur",
        &absent[..24],
        bytes,
        baseline,
    );
    teddy(
        "floor, fat: literals that never occur",
        &absent,
        bytes,
        baseline,
    );
    for literal in ["rCode", "FAILED:", "rorMessage", " :: "] {
        let finder = memchr::memmem::Finder::new(literal);
        let (millis, hits) = best_of_3(|| finder.find_iter(bytes).count());
        println!(
            "{millis:>7.0} ms {:>5.1}x {hits:>9} hits  memmem, one literal: {literal:?}",
            millis / baseline
        );
    }
    rare_byte_cover(&patterns, bytes);
    ExitCode::SUCCESS
}
