//! JSON report and NDJSON events.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;
use crate::catalog::{Catalog, Category, Severity};
use crate::scan::Code;
use crate::vendor::Vendor;
use crate::worker::Event;

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn write_json<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct MatchEvent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: &'a str,
    line: u64,
    offset: u64,
    vendor: Vendor,
    code: &'a str,
    name: Option<&'a str>,
    category: Category,
    severity: Option<Severity>,
    known: bool,
    time: Option<String>,
    text: &'a str,
}

/// Writes one match event as one JSON line.
pub fn write_event<W: Write>(event: &Event, catalog: &Catalog, mut out: W) -> io::Result<()> {
    let (code, name, category, severity, known) = match &event.code {
        Code::Known(id) => {
            let entry = catalog.entry(*id);
            (
                entry.code.as_str(),
                Some(entry.name.as_str()),
                entry.category,
                Some(entry.severity),
                true,
            )
        }
        Code::Unknown(text) => (&**text, None, Category::Unknown, None, false),
    };
    let line = MatchEvent {
        kind: "match",
        path: &event.path,
        line: event.line,
        offset: event.offset,
        vendor: event.vendor,
        code,
        name,
        category,
        severity,
        known,
        time: None,
        text: &event.text,
    };
    serde_json::to_writer(&mut out, &line)?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct SummaryEvent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    report: &'a Report,
}

/// Writes the closing summary line of an event stream: the report's fields with `type`.
pub fn write_summary_event<W: Write>(report: &Report, mut out: W) -> io::Result<()> {
    serde_json::to_writer(
        &mut out,
        &SummaryEvent {
            kind: "summary",
            report,
        },
    )?;
    out.write_all(b"\n")
}
