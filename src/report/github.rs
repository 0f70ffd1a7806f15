//! GitHub Actions: workflow-command annotations (`::error file=…,line=…,title=…::message`) and
//! a Markdown summary for `GITHUB_STEP_SUMMARY`.
//!
//! Annotations follow the toolkit's escaping (`@actions/core`): in the message `%`, CR and LF
//! become `%25`, `%0D`, `%0A`; in properties `:` and `,` also become `%3A` and `%2C`. Other
//! control characters, which the toolkit would pass through to the log, are shown as visible
//! escapes (`\x01`, `\e`). GitHub shows at most 10 annotations of each level per step, so at
//! most 10 of each are written, worst first: a failed gate, then unreadable inputs, then the
//! (input, code) rows of the report; how many were left out is said on a plain line.

use std::io::{self, Write};

use super::{FileCodeRow, Report};
use crate::catalog::{Catalog, Severity};
use crate::escape::escape_text;
use crate::report::text::{first_sentence, gate_verdict, plural};

/// Annotations of one level GitHub shows per step.
pub const MAX_ANNOTATIONS_PER_LEVEL: usize = 10;
/// Code rows the step summary's table shows.
const MAX_SUMMARY_ROWS: usize = 50;

/// An annotation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    const ALL: [Level; 3] = [Level::Error, Level::Warning, Level::Notice];

    fn of(severity: Option<Severity>) -> Level {
        match severity {
            Some(Severity::Fatal | Severity::Error) => Level::Error,
            Some(Severity::Warning) | None => Level::Warning,
            Some(Severity::Info) => Level::Notice,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

struct Annotation {
    level: Level,
    file: Option<String>,
    line: Option<u64>,
    title: String,
    message: String,
}

/// Writes annotations, worst first and at most 10 per level, then plain lines with what was
/// left out, the totals and the gate's verdict.
pub fn write_github<W: Write>(report: &Report, catalog: &Catalog, mut out: W) -> io::Result<()> {
    let annotations = annotations(report, catalog);
    let mut left_out: Vec<String> = Vec::new();
    for level in Level::ALL {
        let of_level: Vec<&Annotation> = annotations
            .iter()
            .filter(|annotation| annotation.level == level)
            .collect();
        for annotation in of_level.iter().take(MAX_ANNOTATIONS_PER_LEVEL) {
            write_annotation(&mut out, annotation)?;
        }
        if of_level.len() > MAX_ANNOTATIONS_PER_LEVEL {
            left_out.push(format!(
                "{} {}",
                of_level.len() - MAX_ANNOTATIONS_PER_LEVEL,
                level.command()
            ));
        }
    }
    if !left_out.is_empty() {
        writeln!(
            out,
            "errscan: {} annotations left out (GitHub shows {MAX_ANNOTATIONS_PER_LEVEL} per level and step); the JSON report has every code",
            left_out.join(", ")
        )?;
    }
    let totals = &report.totals;
    writeln!(
        out,
        "errscan: {}; {} unknown; {} unreadable",
        totals.summary(),
        totals.unknown,
        totals.errors,
    )?;
    if let Some(gate) = &report.gate {
        writeln!(out, "errscan: {}", gate_verdict(gate))?;
    }
    Ok(())
}

fn annotations(report: &Report, catalog: &Catalog) -> Vec<Annotation> {
    let mut annotations = Vec::new();
    if let Some(gate) = report.gate.as_ref().filter(|gate| !gate.passed) {
        let verdict = gate_verdict(gate);
        annotations.push(Annotation {
            level: Level::Error,
            file: None,
            line: None,
            title: "errscan gate failed".to_string(),
            message: verdict
                .strip_prefix("gate: ")
                .unwrap_or(&verdict)
                .to_string(),
        });
    }
    for file in &report.files {
        if let Some(error) = &file.error {
            annotations.push(Annotation {
                level: Level::Error,
                file: Some(file.path.clone()),
                line: None,
                title: "errscan: input not read".to_string(),
                message: format!("{}: {error}", file.path),
            });
        }
    }
    annotations.extend(
        report
            .by_file
            .iter()
            .map(|row| code_annotation(row, catalog)),
    );
    annotations
}

fn code_annotation(row: &FileCodeRow, catalog: &Catalog) -> Annotation {
    let vendor = row.vendor.display_name();
    let lines = plural(row.count, "line", "lines");
    let entry = catalog
        .get(row.vendor, &row.code)
        .filter(|_| row.is_known());
    let (title, message) = match (entry, row.severity) {
        (Some(entry), Some(severity)) => (
            format!("{vendor} {} {}", row.code, entry.name),
            format!(
                "{} ({}) on {} {lines}, first on line {}: {}\nFix: {}",
                severity.id(),
                entry.category.id(),
                row.count,
                row.line,
                entry.description,
                first_sentence(&entry.remediation)
            ),
        ),
        _ => (
            format!("{vendor} code {} (not in the catalog)", row.code),
            format!(
                "seen in {vendor}'s error context on {} {lines}, first on line {}; errscan's catalog does not know this code",
                row.count, row.line
            ),
        ),
    };
    Annotation {
        level: Level::of(row.severity),
        file: Some(row.path.clone()),
        line: Some(row.line),
        title,
        message,
    }
}

fn write_annotation<W: Write>(out: &mut W, annotation: &Annotation) -> io::Result<()> {
    let mut properties = Vec::new();
    if let Some(file) = &annotation.file {
        properties.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = annotation.line {
        properties.push(format!("line={line}"));
    }
    properties.push(format!("title={}", escape_property(&annotation.title)));
    writeln!(
        out,
        "::{} {}::{}",
        annotation.level.command(),
        properties.join(","),
        escape_data(&annotation.message)
    )
}

/// Escapes a workflow command's message as the toolkit does (`%`, CR, LF), and shows other
/// control characters as visible escapes.
pub fn escape_data(text: &str) -> String {
    escape(text, false)
}

/// Escapes a workflow command's property value as the toolkit does (`%`, CR, LF, `:`, `,`),
/// and shows other control characters as visible escapes.
pub fn escape_property(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, is_property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if is_property => out.push_str("%3A"),
            ',' if is_property => out.push_str("%2C"),
            '\t' => out.push('\t'),
            c => out.push_str(&escape_text(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// Writes a Markdown summary for the job's page (`$GITHUB_STEP_SUMMARY`): totals, the gate's
/// verdict and a table of the codes found, at most 50 rows.
pub fn write_step_summary<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    let totals = &report.totals;
    writeln!(out, "### errscan")?;
    writeln!(out)?;
    writeln!(
        out,
        "{}; {} unknown; {} unreadable.",
        totals.summary_with(&format!("**{}**", totals.matches)),
        totals.unknown,
        totals.errors
    )?;
    if let Some(gate) = &report.gate {
        writeln!(out)?;
        let verdict = gate_verdict(gate);
        let verdict = verdict.strip_prefix("gate: ").unwrap_or(&verdict);
        writeln!(out, "**Gate:** {}", markdown(verdict))?;
    }
    let rows = report.codes.len() + report.unknown.len();
    if rows > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "| severity | code | name | category | count | first seen |"
        )?;
        writeln!(out, "| --- | --- | --- | --- | ---: | --- |")?;
    }
    let known = report.codes.iter().map(|row| {
        (
            row.severity.id(),
            format!("{}:{}", row.vendor.id(), row.code),
            row.name.as_str(),
            row.category.id(),
            row.count,
            format!("{}:{}", row.first.path, row.first.line),
        )
    });
    let unknown = report.unknown.iter().map(|row| {
        (
            "unknown",
            format!("{}:{}", row.vendor.id(), row.code),
            "(not in the catalog)",
            "unknown",
            row.count,
            format!("{}:{}", row.first.path, row.first.line),
        )
    });
    for (severity, code, name, category, count, first) in
        known.chain(unknown).take(MAX_SUMMARY_ROWS)
    {
        writeln!(
            out,
            "| {severity} | {} | {} | {category} | {count} | {} |",
            markdown(&code),
            markdown(name),
            markdown(&first)
        )?;
    }
    if rows > MAX_SUMMARY_ROWS {
        writeln!(out)?;
        writeln!(
            out,
            "… and {} more codes (the JSON report has all of them).",
            rows - MAX_SUMMARY_ROWS
        )?;
    }
    writeln!(out)
}

/// Escapes text for Markdown (and the HTML GitHub allows in it), on one line.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in escape_text(text).chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(character);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(
            escape_property("logs/we%ird:na,me\n.log"),
            "logs/we%25ird%3Ana%2Cme%0A.log"
        );
        assert_eq!(escape_data("a\u{1b}[31mb\u{7}"), "a\\e[31mb\\x07");
        assert_eq!(escape_property("tab\there"), "tab\there");
    }

    #[test]
    fn markdown_cannot_break_the_table_or_inject_html() {
        assert_eq!(
            markdown("a|b <script> *x* `y`\nz"),
            "a\\|b &lt;script&gt; \\*x\\* \\`y\\`\\\\nz"
        );
    }
}
