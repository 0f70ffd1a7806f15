//! The terminal report: totals, counts by category, the top codes with name and a one-line
//! fix, unknown codes, and per-file problems. Colour only when asked for.

use std::io::{self, Write};

use super::{GateResult, Report};
use crate::catalog::{Catalog, Category, Severity};
use crate::escape::escape_text;
use crate::percentiles::{Distribution, Percentiles};
use crate::timeline::Timeline;

/// How the text report looks.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// How many codes to list.
    pub top_codes: usize,
}

impl Default for TextOptions {
    fn default() -> TextOptions {
        TextOptions {
            color: false,
            top_codes: 20,
        }
    }
}

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Fatal => self.wrap("1;31", text),
            Severity::Error => self.wrap("31", text),
            Severity::Warning => self.wrap("33", text),
            Severity::Info => self.wrap("36", text),
        }
    }
}

/// Writes the report for a person at a terminal (80 columns wide).
pub fn write_text<W: Write>(
    report: &Report,
    catalog: &Catalog,
    options: TextOptions,
    mut out: W,
) -> io::Result<()> {
    let paint = Paint {
        color: options.color,
    };
    let totals = &report.totals;
    writeln!(
        out,
        "{}; {} unknown",
        totals.summary_with(&paint.bold(&totals.matches.to_string())),
        totals.unknown,
    )?;
    if !report.by_category.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint.bold("By category"))?;
        let widest = report
            .by_category
            .iter()
            .map(|row| row.count)
            .max()
            .unwrap_or(1)
            .max(1);
        for row in &report.by_category {
            let bar_len = ((row.count as f64 / widest as f64) * 30.0).ceil() as usize;
            writeln!(
                out,
                "  {:<15}{:>9}  {}",
                row.category.id(),
                row.count,
                paint.dim(&"█".repeat(bar_len.max(1)))
            )?;
        }
        writeln!(out)?;
        let vendors: Vec<String> = report
            .by_vendor
            .iter()
            .map(|row| format!("{} {}", row.vendor.id(), row.count))
            .collect();
        writeln!(out, "{} {}", paint.bold("By vendor:"), vendors.join(", "))?;
    }
    if let Some(timeline) = &report.timeline {
        write_timeline(timeline, totals.untimed, &paint, &mut out)?;
    }
    if let Some(percentiles) = &report.percentiles {
        write_per_minute(percentiles, &paint, &mut out)?;
    }
    if !report.codes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint.bold("Top codes"))?;
        for row in report.codes.iter().take(options.top_codes) {
            let label = format!("{:<8}", row.severity.id());
            writeln!(
                out,
                "  {:>8}  {} {}:{} {} [{}]",
                row.count,
                paint.severity(row.severity, &label),
                row.vendor.id(),
                escape_text(&row.code),
                paint.bold(&row.name),
                row.category.id(),
            )?;
            if let Some(entry) = catalog.get(row.vendor, &row.code) {
                let fix = first_sentence(&entry.remediation);
                for line in wrap_words(&fix, FIX_WIDTH, FIX_LINES) {
                    writeln!(out, "            {}", paint.dim(&escape_text(&line)))?;
                }
            }
            if let Some(intervals) = &row.intervals_ms {
                writeln!(out, "            {}", interval_summary(intervals))?;
            }
            writeln!(
                out,
                "            {}",
                paint.dim(&format!(
                    "first: {}:{}",
                    escape_text(&row.first.path),
                    row.first.line
                ))
            )?;
        }
        if report.codes.len() > options.top_codes {
            writeln!(
                out,
                "  … and {} more codes (use --format json for all)",
                report.codes.len() - options.top_codes
            )?;
        }
    }
    if !report.unknown.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint.bold("Unknown codes (seen in a vendor's error context, not in the catalog)")
        )?;
        for row in &report.unknown {
            writeln!(
                out,
                "  {:>8}  {}:{}  first: {}:{}",
                row.count,
                row.vendor.id(),
                escape_text(&row.code),
                escape_text(&row.first.path),
                row.first.line
            )?;
        }
    }
    let problems: Vec<_> = report
        .files
        .iter()
        .filter(|file| file.error.is_some() || file.skipped.is_some())
        .collect();
    if !problems.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint.bold("Files not (fully) scanned"))?;
        for file in problems {
            let (label, why) = match (&file.error, &file.skipped) {
                (Some(error), _) => (paint.severity(Severity::Error, "error  "), error),
                (None, Some(skipped)) => (paint.dim("skipped"), skipped),
                (None, None) => continue,
            };
            writeln!(
                out,
                "  {label} {}: {}",
                escape_text(&file.path),
                escape_text(why)
            )?;
        }
    }
    if totals.matches == 0 && totals.errors == 0 {
        writeln!(out)?;
        writeln!(out, "No vendor error codes found.")?;
    }
    if let Some(gate) = &report.gate {
        writeln!(out)?;
        let verdict = gate_verdict(gate);
        let painted = if gate.passed {
            paint.bold(&verdict)
        } else {
            paint.severity(Severity::Fatal, &verdict)
        };
        writeln!(out, "{painted}")?;
    }
    Ok(())
}

/// How many violations the one-line verdict spells out before it says how many more there are.
const VERDICT_VIOLATIONS: usize = 5;

/// Columns a sparkline may take: 2 + 15 (label) + 50 + "  max " and the peak fit in 80.
const SPARK_COLUMNS: usize = 50;
const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The per-category timeline: one sparkline per category, each scaled to its own peak (an empty
/// column is a blank), buckets joined so that at most [`SPARK_COLUMNS`] columns are drawn.
fn write_timeline<W: Write>(
    timeline: &Timeline,
    untimed: u64,
    paint: &Paint,
    out: &mut W,
) -> io::Result<()> {
    let per_column = timeline.buckets.len().div_ceil(SPARK_COLUMNS).max(1);
    let seconds = timeline.bucket_seconds * per_column as i64;
    let end = timeline
        .buckets
        .last()
        .map_or("", |bucket| bucket.start.as_str());
    writeln!(out)?;
    let untimed = if untimed > 0 {
        format!("; {untimed} without a time")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} {} .. {} ({} per column{untimed})",
        paint.bold("Timeline"),
        timeline.start,
        end,
        human_seconds(seconds),
    )?;
    let mut categories: Vec<Category> = timeline
        .buckets
        .iter()
        .flat_map(|bucket| bucket.counts.keys().copied())
        .collect();
    categories.sort();
    categories.dedup();
    for category in categories {
        let columns: Vec<u64> = timeline
            .buckets
            .chunks(per_column)
            .map(|group| group.iter().filter_map(|b| b.counts.get(&category)).sum())
            .collect();
        let peak = columns.iter().copied().max().unwrap_or(0).max(1);
        let line: String = columns
            .iter()
            .map(|&count| match count {
                0 => ' ',
                _ => SPARKS[((count * 8).div_ceil(peak) as usize).clamp(1, 8) - 1],
            })
            .collect();
        writeln!(out, "  {:<15}{line}  max {peak}", category.id())?;
    }
    Ok(())
}

/// The per-category matches per minute, as a small table under the timeline:
///
/// ```text
/// Matches per minute (4 minutes, quiet ones included)
///                    p50      p90      p99      max
///   network            1        3        3        3
/// ```
fn write_per_minute<W: Write>(
    percentiles: &Percentiles,
    paint: &Paint,
    out: &mut W,
) -> io::Result<()> {
    let Some(minutes) = percentiles.per_minute.values().map(|d| d.count).max() else {
        return Ok(());
    };
    writeln!(out)?;
    writeln!(
        out,
        "{} ({minutes} {}, quiet ones included)",
        paint.bold("Matches per minute"),
        plural(minutes, "minute", "minutes"),
    )?;
    writeln!(
        out,
        "  {:<15}{:>6}{:>9}{:>9}{:>9}",
        "", "p50", "p90", "p99", "max"
    )?;
    for (category, distribution) in &percentiles.per_minute {
        writeln!(
            out,
            "  {:<15}{:>6}{:>9}{:>9}{:>9}",
            category.id(),
            distribution.p50,
            distribution.p90,
            distribution.p99,
            distribution.max
        )?;
    }
    Ok(())
}

/// How often a code repeats, on one line under it: `every ~10s (p50) · p90 30s · p99 30s · max
/// 30s`, the times between consecutive occurrences. At most 66 characters, so with the indent
/// it fits 80 columns.
pub fn interval_summary(intervals: &Distribution) -> String {
    format!(
        "every ~{} (p50) · p90 {} · p99 {} · max {}",
        human_millis(intervals.p50),
        human_millis(intervals.p90),
        human_millis(intervals.p99),
        human_millis(intervals.max),
    )
}

/// A duration in milliseconds for people, in its largest unit with one smaller one at most:
/// `250ms`, `1.7s` (one decimal below 10 s), `12s`, `2m30s`, `1h5m`, `3d4h`. Rounded to the
/// nearest unit shown (half up), so `59.5s` is `1m`.
pub fn human_millis(millis: u64) -> String {
    let rounded = |unit: u64| millis / unit + u64::from(millis % unit >= unit.div_ceil(2));
    let pair = |high: u64, high_unit: &str, low: u64, low_unit: &str| {
        if low == 0 {
            format!("{high}{high_unit}")
        } else {
            format!("{high}{high_unit}{low}{low_unit}")
        }
    };
    if millis < 1_000 {
        return format!("{millis}ms");
    }
    let tenths = rounded(100);
    if tenths < 100 {
        return match tenths % 10 {
            0 => format!("{}s", tenths / 10),
            tenth => format!("{}.{tenth}s", tenths / 10),
        };
    }
    let seconds = rounded(1_000);
    if seconds < 60 {
        return format!("{seconds}s");
    }
    if seconds < 3_600 {
        return pair(seconds / 60, "m", seconds % 60, "s");
    }
    let minutes = rounded(60_000);
    if minutes < 1_440 {
        return pair(minutes / 60, "h", minutes % 60, "m");
    }
    let hours = rounded(3_600_000);
    pair(hours / 24, "d", hours % 24, "h")
}

/// A bucket width for the timeline header: `15m`, `2h`, `1d`.
fn human_seconds(seconds: i64) -> String {
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The gate's verdict on one line, control characters escaped: `gate: passed`, or
/// `gate: FAILED (2 rules): network 5 > 0; total 12 > 10`.
pub fn gate_verdict(gate: &GateResult) -> String {
    if gate.passed {
        return "gate: passed".to_string();
    }
    let failed = gate.failed_rules().max(1);
    let mut messages: Vec<String> = gate
        .violations
        .iter()
        .take(VERDICT_VIOLATIONS)
        .map(|violation| escape_text(&violation.message))
        .collect();
    if gate.violations.len() > VERDICT_VIOLATIONS {
        messages.push(format!(
            "… and {} more",
            gate.violations.len() - VERDICT_VIOLATIONS
        ));
    }
    format!(
        "gate: FAILED ({failed} {}): {}",
        plural(failed as u64, "rule", "rules"),
        messages.join("; ")
    )
}

/// Columns for the one-line fix under each code (80 minus the indent).
const FIX_WIDTH: usize = 68;
/// Lines the fix may take before it is cut with `…`.
const FIX_LINES: usize = 2;

/// Splits text into lines of at most `width` characters at spaces, at most `max_lines` of them;
/// a cut is marked with `…`. A word longer than `width` stands on a line of its own.
pub fn wrap_words(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let needed = if current.is_empty() {
            0
        } else {
            current.chars().count() + 1
        };
        if needed + word.chars().count() > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

/// `one` or `many`, by count.
pub(crate) fn plural<'a>(count: u64, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

/// The first sentence of a text (up to the first ". "), for one-line fixes.
pub fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(index) => text[..=index].to_string(),
        None => text.to_string(),
    }
}

/// Bytes in B, KiB, MiB or GiB with one decimal.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_width_and_marks_cuts() {
        let lines = wrap_words("one two three four five six", 9, 2);
        assert_eq!(lines, vec!["one two", "three…"]);
        assert_eq!(wrap_words("short", 9, 2), vec!["short"]);
        assert_eq!(wrap_words("", 9, 2), Vec::<String>::new());
        assert_eq!(first_sentence("Do this. Then that."), "Do this.");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }

    /// Hand-worked: each value in its largest unit, rounded half up to the unit shown.
    #[test]
    fn durations_read_in_their_largest_unit() {
        let cases: [(u64, &str); 22] = [
            (0, "0ms"),
            (999, "999ms"),
            (1_000, "1s"),
            // 1.049 s is 10.49 tenths: 10, so 1 s; 1.05 s rounds up to 1.1 s.
            (1_049, "1s"),
            (1_050, "1.1s"),
            (1_751, "1.8s"),
            (9_949, "9.9s"),
            // 9.95 s is 99.5 tenths, rounded to 100: ten seconds, shown without a decimal.
            (9_950, "10s"),
            // What hdrhistogram reports for 10 s, 30 s and 45 s (their highest equivalents).
            (10_007, "10s"),
            (30_015, "30s"),
            (45_023, "45s"),
            (59_499, "59s"),
            (59_500, "1m"),
            (150_000, "2m30s"),
            (3_599_499, "59m59s"),
            // 3599.5 s rounds to 3600 s: an hour.
            (3_599_500, "1h"),
            (3_900_000, "1h5m"),
            (7_200_000, "2h"),
            // One millisecond short of a day: 1440 minutes when rounded, so 24 hours, one day.
            (86_399_999, "1d"),
            (273_600_000, "3d4h"),
            (86_400_000 * 400, "400d"),
            (1, "1ms"),
        ];
        for (millis, expected) in cases {
            assert_eq!(human_millis(millis), expected, "{millis} ms");
        }
        // Never panics, whatever the value.
        assert!(human_millis(u64::MAX).ends_with('h'));
    }

    fn distribution(p50: u64, p90: u64, p99: u64, max: u64, count: u64) -> Distribution {
        Distribution {
            p50,
            p90,
            p99,
            max,
            count,
            histogram: String::new(),
        }
    }

    #[test]
    fn intervals_fit_one_line_of_80_columns() {
        // Intervals of 10 s and 30 s, as hdrhistogram reports them (10 007 and 30 015 ms).
        assert_eq!(
            interval_summary(&distribution(10_007, 30_015, 30_015, 30_015, 2)),
            "every ~10s (p50) · p90 30s · p99 30s · max 30s"
        );
        assert_eq!(
            interval_summary(&distribution(250, 1_751, 1_751, 1_751, 2)),
            "every ~250ms (p50) · p90 1.8s · p99 1.8s · max 1.8s"
        );
        // The widest values a year of logs gives still fit beside the 12-column indent.
        let widest = 86_400_000 * 9_999 + 23 * 3_600_000;
        let line = interval_summary(&distribution(widest, widest, widest, widest, 9));
        assert_eq!(human_millis(widest), "9999d23h");
        assert!(12 + line.chars().count() <= 80, "{line}");
    }

    #[test]
    fn matches_per_minute_are_a_small_aligned_table() {
        let percentiles = Percentiles {
            per_minute: [
                (Category::Network, distribution(1, 3, 3, 3, 4)),
                (Category::Capacity, distribution(0, 1, 1, 1, 4)),
            ]
            .into(),
        };
        let mut out = Vec::new();
        write_per_minute(&percentiles, &Paint { color: false }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        // Category order (network before capacity), p50 right-aligned in 6 columns after the
        // 2 + 15 of the label, the others in 9.
        assert_eq!(
            text,
            "\n\
             Matches per minute (4 minutes, quiet ones included)\n\
             \x20                   p50      p90      p99      max\n\
             \x20 network             1        3        3        3\n\
             \x20 capacity            0        1        1        1\n"
        );
    }

    #[test]
    fn the_verdict_is_one_line() {
        use crate::report::{RuleCheck, Violation};
        let check = |rule: &str, passed: bool| RuleCheck {
            rule: rule.to_string(),
            passed,
            summary: String::new(),
        };
        let violation = |rule: &str, message: &str| Violation {
            rule: rule.to_string(),
            message: message.to_string(),
            codes: Vec::new(),
        };
        let passed = GateResult {
            passed: true,
            violations: Vec::new(),
            rules: vec![check("fail-on network", true)],
        };
        assert_eq!(gate_verdict(&passed), "gate: passed");
        let failed = GateResult {
            passed: false,
            violations: vec![
                violation("fail-on network", "network 5 > 0"),
                violation("max 10", "total 12 > 10"),
            ],
            rules: vec![check("fail-on network", false), check("max 10", false)],
        };
        assert_eq!(
            gate_verdict(&failed),
            "gate: FAILED (2 rules): network 5 > 0; total 12 > 10"
        );
        let many = GateResult {
            passed: false,
            violations: (0..7)
                .map(|index| violation("baseline", &format!("bbb:{index} new\n: 1")))
                .collect(),
            rules: vec![check("baseline", false)],
        };
        let line = gate_verdict(&many);
        assert!(
            line.starts_with("gate: FAILED (1 rule): bbb:0 new"),
            "{line}"
        );
        assert!(line.ends_with("; … and 2 more"), "{line}");
        assert!(!line.contains('\n'));
    }
}
