//! JUnit XML for GitLab, Jenkins and other test-report readers: one test case per gate rule,
//! a failure carrying the counts and the top codes, and one test case for unreadable inputs.
//!
//! The XML is written by hand: every text and attribute goes through [`escape_text_node`] or
//! [`escape_attribute`], and characters XML 1.0 cannot carry at all (most control characters)
//! are shown as visible escapes (`\x01`) first.

use std::io::{self, Write};

use super::{GateResult, Report, RuleCheck, Violation};
use crate::catalog::Catalog;
use crate::escape::escape_text;
use crate::report::text::plural;

/// Violations a failure lists before it says how many more there are.
const MAX_LISTED_VIOLATIONS: usize = 200;
/// Unreadable inputs the input test case lists.
const MAX_LISTED_INPUTS: usize = 200;

/// Writes the report as JUnit XML. `verdict` is the report's gate, or, when no gate was given,
/// [`crate::gate::Gate::implicit_junit_verdict`]; each of its rules becomes a test case.
pub fn write_junit<W: Write>(
    report: &Report,
    verdict: &GateResult,
    catalog: &Catalog,
    mut out: W,
) -> io::Result<()> {
    let unreadable: Vec<(&str, &str)> = report
        .files
        .iter()
        .filter_map(|file| Some((file.path.as_str(), file.error.as_deref()?)))
        .collect();
    let tests = verdict.rules.len() + 1;
    let failures = verdict.failed_rules();
    let errors = usize::from(!unreadable.is_empty());
    let totals = &report.totals;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="errscan" tests="{tests}" failures="{failures}" errors="{errors}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="errscan" tests="{tests}" failures="{failures}" errors="{errors}" skipped="0">"#
    )?;
    writeln!(out, "    <properties>")?;
    let properties = [
        ("errscan.version", report.tool.version.clone()),
        ("files", totals.files.to_string()),
        ("lines", totals.lines.to_string()),
        ("bytes", totals.bytes.to_string()),
        ("matches", totals.matches.to_string()),
        ("unknown", totals.unknown.to_string()),
        ("errors", totals.errors.to_string()),
    ];
    for (name, value) in properties {
        writeln!(
            out,
            r#"      <property name="{}" value="{}"/>"#,
            escape_attribute(name),
            escape_attribute(&value)
        )?;
    }
    writeln!(out, "    </properties>")?;
    for check in &verdict.rules {
        let violations: Vec<&Violation> = verdict
            .violations
            .iter()
            .filter(|violation| violation.rule == check.rule)
            .collect();
        write_rule_case(&mut out, check, &violations, catalog)?;
    }
    write_input_case(&mut out, &unreadable)?;
    let summary = format!("{}; {} unknown", totals.summary(), totals.unknown);
    writeln!(
        out,
        "    <system-out>{}</system-out>",
        escape_text_node(&summary)
    )?;
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn write_rule_case<W: Write>(
    out: &mut W,
    check: &RuleCheck,
    violations: &[&Violation],
    catalog: &Catalog,
) -> io::Result<()> {
    let open = format!(
        r#"    <testcase classname="errscan.gate" name="{}""#,
        escape_attribute(&check.rule)
    );
    if check.passed {
        return writeln!(out, "{open}/>");
    }
    writeln!(out, "{open}>")?;
    let mut body = format!("{}\n", check.summary);
    for violation in violations.iter().take(MAX_LISTED_VIOLATIONS) {
        if violation.message != check.summary {
            body.push_str(&format!("{}\n", violation.message));
        }
        if !violation.codes.is_empty() && violations.len() == 1 {
            body.push_str("top codes:\n");
        }
        if violations.len() == 1 {
            for code in &violation.codes {
                let name = catalog
                    .get(code.vendor, &code.code)
                    .map(|entry| {
                        format!(" {} ({}, {})", entry.name, entry.category, entry.severity)
                    })
                    .unwrap_or_else(|| " (not in the catalog)".to_string());
                body.push_str(&format!(
                    "{:>8}  {}:{}{name}\n",
                    code.count,
                    code.vendor.id(),
                    code.code
                ));
            }
        }
    }
    if violations.len() > MAX_LISTED_VIOLATIONS {
        body.push_str(&format!(
            "… and {} more\n",
            violations.len() - MAX_LISTED_VIOLATIONS
        ));
    }
    writeln!(
        out,
        r#"      <failure type="gate" message="{}">{}</failure>"#,
        escape_attribute(&check.summary),
        escape_text_node(&body)
    )?;
    writeln!(out, "    </testcase>")
}

fn write_input_case<W: Write>(out: &mut W, unreadable: &[(&str, &str)]) -> io::Result<()> {
    let open = r#"    <testcase classname="errscan.inputs" name="every input read""#;
    if unreadable.is_empty() {
        return writeln!(out, "{open}/>");
    }
    writeln!(out, "{open}>")?;
    let count = unreadable.len();
    let message = format!(
        "{count} {} could not be read",
        plural(count as u64, "input", "inputs")
    );
    let mut body = String::new();
    for (path, error) in unreadable.iter().take(MAX_LISTED_INPUTS) {
        body.push_str(&format!("{path}: {error}\n"));
    }
    if count > MAX_LISTED_INPUTS {
        body.push_str(&format!("… and {} more\n", count - MAX_LISTED_INPUTS));
    }
    writeln!(
        out,
        r#"      <error type="input" message="{}">{}</error>"#,
        escape_attribute(&message),
        escape_text_node(&body)
    )?;
    writeln!(out, "    </testcase>")
}

/// Makes text fit for XML 1.0: characters it cannot carry (control characters other than tab,
/// newline and carriage return, and U+FFFE/U+FFFF) are shown as visible escapes.
fn xml_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        let is_allowed = matches!(character, '\t' | '\n' | '\r')
            || (character >= ' '
                && !matches!(character, '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}'));
        if is_allowed {
            out.push(character);
        } else if character < '\u{a0}' {
            out.push_str(&escape_text(character.encode_utf8(&mut [0; 4])));
        } else {
            out.push_str(&format!("\\u{{{:X}}}", u32::from(character)));
        }
    }
    out
}

/// Escapes text for an XML element's content.
pub fn escape_text_node(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in xml_chars(text).chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a double- or single-quoted XML attribute; tabs and line breaks become
/// character references so that attribute normalisation keeps them.
pub fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in xml_chars(text).chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_quotes_breaks_and_controls() {
        assert_eq!(
            escape_attribute("a&b<c>\"d'\te\nf\rg"),
            "a&amp;b&lt;c&gt;&quot;d&apos;&#9;e&#10;f&#13;g"
        );
        assert_eq!(escape_text_node("a&b<c>\n\"d\""), "a&amp;b&lt;c&gt;\n\"d\"");
        assert_eq!(
            escape_text_node("x\u{1}\u{1b}\u{85}y\u{fffe}"),
            "x\\x01\\e\\u{85}y\\u{FFFE}"
        );
        assert_eq!(escape_text_node("\r\n"), "&#13;\n");
    }
}
