//! JSON report and NDJSON events.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::{Report, SCHEMA};
use crate::catalog::{Catalog, Category, Severity};
use crate::scan::Code;
use crate::timeline::{BaseGrid, Timeline};
use crate::vendor::Vendor;
use crate::worker::Event;

/// Writes the report as pretty-printed JSON followed by a newline. An array inside an array
/// (the timeline's `[minute, count]` pairs) is written on one line: the per-code grid of a big
/// scan holds tens of thousands of pairs, four lines each when fully pretty-printed.
///
/// The text is made member by member in memory and written out whenever `TEXT_BYTES` of it
/// are ready: serde_json writes each token separately, and through a `dyn Write` every token was
/// a call of its own (a big report has a million tokens). The whole text was once made before
/// it was written, but a 1 GiB scan's report is 2.6 MB, and the fresh pages of that text took
/// longer than making it. The text is the same as serializing the whole report at once (see
/// the tests).
pub fn write_json<W: Write>(report: &Report, out: W) -> io::Result<()> {
    let mut text = TextOut::new(out);
    text.push(b'{');
    write_member(&mut text, true, "schema", &report.schema)?;
    write_member(&mut text, false, "tool", &report.tool)?;
    write_member(&mut text, false, "totals", &report.totals)?;
    write_member(&mut text, false, "by_category", &report.by_category)?;
    write_member(&mut text, false, "by_vendor", &report.by_vendor)?;
    text.write_if_full()?;
    write_member(&mut text, false, "codes", &report.codes)?;
    text.write_if_full()?;
    write_member(&mut text, false, "unknown", &report.unknown)?;
    write_member(&mut text, false, "files", &report.files)?;
    text.write_if_full()?;
    if let Some(timeline) = &report.timeline {
        write_timeline(&mut text, timeline)?;
    }
    if let Some(percentiles) = &report.percentiles {
        write_member(&mut text, false, "percentiles", percentiles)?;
    }
    if let Some(gate) = &report.gate {
        write_member(&mut text, false, "gate", gate)?;
    }
    text.extend_from_slice(b"\n}\n");
    text.finish()
}

/// How much of the report's text is made before it is written.
const TEXT_BYTES: usize = 64 * 1024;

/// The report's text on its way to `out`: made in a buffer that is written out, and reused,
/// whenever [`write_if_full`](Self::write_if_full) finds `TEXT_BYTES` in it.
struct TextOut<W: Write> {
    text: Vec<u8>,
    out: W,
}

impl<W: Write> TextOut<W> {
    fn new(out: W) -> TextOut<W> {
        TextOut {
            text: Vec::with_capacity(2 * TEXT_BYTES),
            out,
        }
    }

    /// Writes the text made so far if there is enough of it.
    fn write_if_full(&mut self) -> io::Result<()> {
        if self.text.len() >= TEXT_BYTES {
            self.out.write_all(&self.text)?;
            self.text.clear();
        }
        Ok(())
    }

    /// Writes the rest of the text.
    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.text)
    }
}

impl<W: Write> std::ops::Deref for TextOut<W> {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.text
    }
}

impl<W: Write> std::ops::DerefMut for TextOut<W> {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.text
    }
}

/// Appends `"name": value` as a member of the report's top-level object, after a comma unless
/// it is the `first`, indented as serializing the whole report indents it.
fn write_member<T: Serialize>(
    text: &mut Vec<u8>,
    first: bool,
    name: &str,
    value: &T,
) -> io::Result<()> {
    write_member_at(text, 1, first, name, value)
}

/// Appends `"name": value` as a member of an object nested `depth` objects deep (the report's
/// own members are at depth 1), after a comma unless it is the `first`.
fn write_member_at<T: Serialize>(
    text: &mut Vec<u8>,
    depth: usize,
    first: bool,
    name: &str,
    value: &T,
) -> io::Result<()> {
    write_key(text, depth, first, name)?;
    let mut formatter = ReportFormatter::new();
    formatter.open.resize(depth, false);
    let mut serializer = serde_json::Serializer::with_formatter(text, formatter);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// Appends the start of an object member at `depth`: the comma unless it is the `first`, a new
/// line, the indent, the key as a JSON string and `: `.
fn write_key(text: &mut Vec<u8>, depth: usize, first: bool, key: &str) -> io::Result<()> {
    text.extend_from_slice(if first { b"\n" } else { b",\n" });
    text.resize(text.len() + 2 * depth, b' ');
    serde_json::to_writer(&mut *text, key)?;
    text.extend_from_slice(b": ");
    Ok(())
}

/// Appends the report's `timeline` member: what [`write_member`] writes for it, with the base
/// grid's `[minute, count]` pairs written here rather than through serde_json, and written out
/// as they are made. The grid of a 1 GiB scan has 77 000 pairs; serde_json spent about 270
/// instructions on each (a formatter call per bracket, comma and number).
fn write_timeline<W: Write>(text: &mut TextOut<W>, timeline: &Timeline) -> io::Result<()> {
    let Timeline {
        bucket_seconds,
        start,
        buckets,
        base,
    } = timeline;
    write_key(text, 1, false, "timeline")?;
    text.push(b'{');
    write_member_at(text, 2, true, "bucket_seconds", bucket_seconds)?;
    write_member_at(text, 2, false, "start", start)?;
    write_member_at(text, 2, false, "buckets", buckets)?;
    let BaseGrid { seconds, codes } = base;
    write_key(text, 2, false, "base")?;
    text.push(b'{');
    write_member_at(text, 3, true, "seconds", seconds)?;
    write_key(text, 3, false, "codes")?;
    text.push(b'{');
    let mut pair_line = PairLine::new();
    for (index, (key, minutes)) in codes.iter().enumerate() {
        write_key(text, 4, index == 0, key)?;
        text.push(b'[');
        for (index, &(minute, count)) in minutes.iter().enumerate() {
            pair_line.push(text, index == 0, minute, count);
            text.write_if_full()?;
        }
        close(text, 4, !minutes.is_empty(), b']');
    }
    close(text, 3, !codes.is_empty(), b'}');
    close(text, 2, true, b'}');
    close(text, 1, true, b'}');
    Ok(())
}

/// Writes the grid's `[minute, count]` pairs, each on a line of its own (after a comma unless it
/// is the first of its list), indented to its depth.
///
/// The line is kept from one pair to the next: a code's minutes ascend, mostly by a few, so the
/// next minute's digits are the last one's stepped on in place (itoa's conversion of an
/// eight-digit minute was a third of a pair's cost), and a count below 10 is one byte. The whole
/// buffer is appended, a fixed size that compiles to a few moves rather than a `memcpy` call,
/// and the text then cut back to the line. 124 instructions a pair on the 1 GiB benchmark's
/// grid, where putting each line together from pieces cost 172.
struct PairLine {
    /// `,\n` and the indent, `[`, the minute's digits, and after them the rest of the last line.
    line: [u8; PairLine::BYTES],
    /// Where the minute's digits end in `line`.
    minute_end: usize,
    /// The minute whose digits `line` holds.
    minute: Option<i64>,
}

impl PairLine {
    /// The start, 13 characters, up to 20 for the minute, `, `, up to 20 digits, `]`: 56.
    const BYTES: usize = 64;
    const START: &'static [u8] = b",\n          [";
    /// Steps of the minute up to this are made on the digits in place.
    const MAX_STEP: u32 = 1_000;

    fn new() -> PairLine {
        let mut line = [0; PairLine::BYTES];
        line[..Self::START.len()].copy_from_slice(Self::START);
        PairLine {
            line,
            minute_end: Self::START.len(),
            minute: None,
        }
    }

    /// Appends the pair's line to `text`.
    fn push(&mut self, text: &mut Vec<u8>, first: bool, minute: i64, count: u64) {
        self.set_minute(minute);
        let mut end = self.minute_end;
        self.line[end..end + 2].copy_from_slice(b", ");
        end += 2;
        match u8::try_from(count) {
            Ok(digit @ 0..=9) => {
                self.line[end] = b'0' + digit;
                end += 1;
            }
            _ => end = self.put(end, itoa::Buffer::new().format(count).as_bytes()),
        }
        self.line[end] = b']';
        end += 1;
        if first {
            text.extend_from_slice(&self.line[1..end]);
        } else {
            let length = text.len();
            text.extend_from_slice(&self.line);
            text.truncate(length + end);
        }
    }

    /// Puts `minute`'s digits after the start.
    fn set_minute(&mut self, minute: i64) {
        let step = self
            .minute
            .filter(|&last| last >= 0 && minute >= last)
            .and_then(|last| u32::try_from(minute - last).ok());
        let stepped = matches!(step, Some(step) if step <= Self::MAX_STEP && self.add(step));
        if !stepped {
            let mut digits = itoa::Buffer::new();
            self.minute_end = self.put(Self::START.len(), digits.format(minute).as_bytes());
        }
        self.minute = Some(minute);
    }

    /// Adds `step` to the minute's digits; `false` (digits undefined) when the sum needs one
    /// more digit.
    fn add(&mut self, step: u32) -> bool {
        let mut carry = step;
        let mut at = self.minute_end;
        while carry > 0 {
            if at == Self::START.len() {
                return false;
            }
            at -= 1;
            let sum = u32::from(self.line[at] - b'0') + carry;
            self.line[at] = b'0' + (sum % 10) as u8;
            carry = sum / 10;
        }
        true
    }

    /// Puts `bytes` at `at`; where they end.
    fn put(&mut self, at: usize, bytes: &[u8]) -> usize {
        self.line[at..at + bytes.len()].copy_from_slice(bytes);
        at + bytes.len()
    }
}

/// Appends the end of a container whose members are at `depth + 1`: on a line of its own,
/// indented to `depth`, when it holds anything.
fn close(text: &mut Vec<u8>, depth: usize, has_members: bool, bracket: u8) {
    if has_members {
        text.push(b'\n');
        text.resize(text.len() + 2 * depth, b' ');
    }
    text.push(bracket);
}

/// serde_json's pretty formatter (two-space indents), except that an array inside an array, and
/// everything in it, is written inline (`[28587482, 1]`). Written out rather than wrapping
/// `PrettyFormatter`, which writes an indent one level at a time: the timeline's grid is tens of
/// thousands of lines.
struct ReportFormatter {
    /// For each open container: whether it is an array.
    open: Vec<bool>,
    /// The depth of `open` at which inline writing began, while it lasts.
    inline_from: Option<usize>,
    /// Whether the innermost open container has a value yet.
    has_value: bool,
}

/// Enough spaces for most indents; deeper ones are written in several pieces.
const SPACES: &[u8; 64] = b"                                                                ";

impl ReportFormatter {
    fn new() -> ReportFormatter {
        ReportFormatter {
            open: Vec::new(),
            inline_from: None,
            has_value: false,
        }
    }

    fn inline(&self) -> bool {
        self.inline_from.is_some()
    }

    /// Opens a container; returns whether it is written inline.
    fn open(&mut self, is_array: bool) -> bool {
        let inside_array = self.open.last() == Some(&true);
        self.open.push(is_array);
        if self.inline_from.is_none() && is_array && inside_array {
            self.inline_from = Some(self.open.len());
        }
        self.has_value = false;
        self.inline()
    }

    /// Closes a container; returns whether it was written inline.
    fn close(&mut self) -> bool {
        let was_inline = self.inline();
        if self.inline_from == Some(self.open.len()) {
            self.inline_from = None;
        }
        self.open.pop();
        was_inline
    }

    /// A new line indented to the depth of the open containers.
    fn new_line<W: ?Sized + Write>(&self, writer: &mut W, separator: &[u8]) -> io::Result<()> {
        writer.write_all(separator)?;
        let mut spaces = 2 * self.open.len();
        while spaces > 0 {
            let piece = spaces.min(SPACES.len());
            writer.write_all(&SPACES[..piece])?;
            spaces -= piece;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, writer: &mut W, is_array: bool) -> io::Result<()> {
        self.open(is_array);
        writer.write_all(if is_array { b"[" } else { b"{" })
    }

    fn end<W: ?Sized + Write>(&mut self, writer: &mut W, is_array: bool) -> io::Result<()> {
        let had_value = self.has_value;
        let inline = self.close();
        if !inline && had_value {
            self.new_line(writer, b"\n")?;
        }
        // The container just closed is a value of the one around it.
        self.has_value = true;
        writer.write_all(if is_array { b"]" } else { b"}" })
    }

    /// What goes before an element (an array value or an object key).
    fn begin_element<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        match (self.inline(), first) {
            (true, true) => Ok(()),
            (true, false) => writer.write_all(b", "),
            (false, true) => self.new_line(writer, b"\n"),
            (false, false) => self.new_line(writer, b",\n"),
        }
    }
}

impl serde_json::ser::Formatter for ReportFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, true)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, true)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_element(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, false)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, false)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_element(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Reads a JSON report (the output of `--format json`, or of `merge`) from `text`, read from
/// `path`. The error is one line naming the file: `path:line:column: message` for bad JSON,
/// `path: not an errscan report (missing schema)` for JSON that is not a report at all.
pub fn read_json(path: &Path, text: &str) -> Result<Report, String> {
    let report: Report = serde_json::from_str(text).map_err(|error| {
        let is_schemaless = serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|value| value.get("schema").is_none());
        if is_schemaless {
            return format!("{}: not an errscan report (missing schema)", path.display());
        }
        let message = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        format!(
            "{}:{}:{}: {message}",
            path.display(),
            error.line(),
            error.column()
        )
    })?;
    if report.schema != SCHEMA {
        return Err(format!(
            "{}: not an errscan report: schema is `{}`, expected `{SCHEMA}`",
            path.display(),
            crate::escape::escape_text(&report.schema)
        ));
    }
    check_histograms(path, &report)?;
    Ok(report)
}

/// Checks that every serialized histogram of `report` reads back, so that adding reports
/// (`errscan merge`) never meets a broken one.
fn check_histograms(path: &Path, report: &Report) -> Result<(), String> {
    let codes = report
        .codes
        .iter()
        .map(|row| (row.vendor, &row.code, &row.intervals_ms));
    let unknown = report
        .unknown
        .iter()
        .map(|row| (row.vendor, &row.code, &row.intervals_ms));
    for (vendor, code, distribution) in codes.chain(unknown) {
        if let Some(Err(error)) = distribution.as_ref().map(|d| d.decode()) {
            return Err(format!(
                "{}: {}:{}: intervals_ms: {error}",
                path.display(),
                vendor.id(),
                crate::escape::escape_text(code)
            ));
        }
    }
    let categories = report.percentiles.iter().flat_map(|p| &p.per_minute);
    for (category, distribution) in categories {
        if let Err(error) = distribution.decode() {
            return Err(format!(
                "{}: percentiles.per_minute.{}: {error}",
                path.display(),
                category.id()
            ));
        }
    }
    Ok(())
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
        time: event.time.map(|time| time.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Arrays inside arrays go on one line, everything else is pretty-printed as serde_json
    /// does; the text reads back to the same value.
    #[test]
    fn nested_arrays_are_written_inline() {
        let value = serde_json::json!({
            "a": [1, 2],
            "b": {"c": [[1, 2], [3, [4, {"k": "v"}]]]},
            "d": [{"e": [[5]]}],
        });
        let mut written = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut written, ReportFormatter::new());
        value.serialize(&mut serializer).expect("written");
        let text = String::from_utf8(written).expect("utf-8");
        let expected = r#"{
  "a": [
    1,
    2
  ],
  "b": {
    "c": [
      [1, 2],
      [3, [4, {"k": "v"}]]
    ]
  },
  "d": [
    {
      "e": [
        [5]
      ]
    }
  ]
}"#;
        assert_eq!(text, expected);
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, value);
    }

    /// Without an array inside an array the text is serde_json's pretty text, also for empty
    /// containers and for indents deeper than one piece of spaces.
    #[test]
    fn other_values_are_written_as_serde_json_pretty_prints_them() {
        let mut deep = serde_json::json!({"leaf": [1, {"k": []}]});
        for level in 0..40 {
            deep = serde_json::json!({ format!("level{level}"): deep, "n": level });
        }
        let values = [
            serde_json::json!({"a": [], "b": {}, "c": [{}], "d": {"e": [], "f": [{"g": {}}]}}),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!("text"),
            deep,
        ];
        for value in values {
            let mut written = Vec::new();
            let mut serializer =
                serde_json::Serializer::with_formatter(&mut written, ReportFormatter::new());
            value.serialize(&mut serializer).expect("written");
            let expected = serde_json::to_string_pretty(&value).expect("written");
            assert_eq!(String::from_utf8(written).expect("utf-8"), expected);
        }
    }

    /// A grid pair is written as serde_json writes a pair inside an array, for every width of
    /// number and both signs, whatever pair came before it.
    #[test]
    fn grid_pairs_are_written_as_serde_json_writes_them() {
        let values = [0, 1, 9, 10, 99, 100, 999_999, 28_587_482, i64::MAX];
        let minutes: Vec<i64> = values
            .iter()
            .flat_map(|&value| [value, -value])
            .chain([i64::MIN])
            .collect();
        for &before in &minutes {
            for &minute in &minutes {
                for count in [0, 1, 9, 10, 12_345, u64::MAX] {
                    for first in [true, false] {
                        let mut pair_line = PairLine::new();
                        pair_line.push(&mut Vec::new(), false, before, 1);
                        let mut written = b"[".to_vec();
                        pair_line.push(&mut written, first, minute, count);
                        let separator = if first { "" } else { "," };
                        let expected = format!("[{separator}\n          [{minute}, {count}]");
                        assert_eq!(String::from_utf8(written).expect("utf-8"), expected);
                    }
                }
            }
        }
    }

    /// Minutes stepped on in place, across carries into every digit and into a new one, give the
    /// digits written afresh.
    #[test]
    fn grid_minutes_stepped_in_place_are_their_digits() {
        let mut pair_line = PairLine::new();
        let mut written = Vec::new();
        let mut expected = String::new();
        let mut minute = -3;
        for step in (0..4_000).map(|index| [0, 1, 1, 2, 7, 10, 999, 1_000, 1_001][index % 9]) {
            minute += step;
            pair_line.push(&mut written, false, minute, 3);
            expected.push_str(&format!(",\n          [{minute}, 3]"));
        }
        for start in [9, 99_999_999, 999_999_999_999] {
            for minute in start - 3..start + 3 {
                pair_line.push(&mut written, false, minute, 1);
                expected.push_str(&format!(",\n          [{minute}, 1]"));
            }
        }
        assert_eq!(String::from_utf8(written).expect("utf-8"), expected);
    }

    /// The report serialized at once by serde_json alone.
    fn whole_text(report: &Report) -> String {
        let mut written = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut written, ReportFormatter::new());
        report.serialize(&mut serializer).expect("written");
        written.push(b'\n');
        String::from_utf8(written).expect("utf-8")
    }

    /// The text written member by member, the grid by hand, is the text of the whole report
    /// serialized at once: with and without a timeline, percentiles and a gate; a big grid is
    /// written out in pieces as it is made.
    #[test]
    fn the_report_written_in_parts_is_the_whole_report() {
        use crate::scan::{Hit, HitSink as _};
        use crate::tally::{ChunkTally, FileStat, Tally};
        use std::sync::Arc;
        let catalog = Catalog::builtin();
        let mut chunk = ChunkTally::default();
        for (line, code, time) in [
            (1, 1007, Some("2024-03-07T10:00:01Z")),
            (2, 1020, Some("2024-03-07T10:03:00Z")),
            (3, 1007, None),
            (4, 1007, Some("2024-03-07T11:00:00Z")),
        ] {
            let id = catalog
                .id_of(Vendor::BigBlueButton, &code.to_string())
                .expect("a known code");
            let hit = Hit {
                vendor: Vendor::BigBlueButton,
                code: Code::Known(id),
                line_number: line,
                byte_offset: 0,
            };
            chunk.timed_hit(hit, time.map(|time| time.parse().expect("a time")));
        }
        chunk.hit(
            Hit {
                vendor: Vendor::Jitsi,
                code: Code::Unknown(Arc::from("conference.x")),
                line_number: 5,
                byte_offset: 0,
            },
            b"",
        );
        // A grid key that JSON must escape.
        chunk.timed_hit(
            Hit {
                vendor: Vendor::Jitsi,
                code: Code::Unknown(Arc::from("conf\"x\\y\u{1}")),
                line_number: 6,
                byte_offset: 0,
            },
            Some("2024-03-07T10:00:02Z".parse().expect("a time")),
        );
        // A big grid, several times the text written at once: 10 000 minutes of one code.
        let start: crate::timestamp::Timestamp = "2024-03-08T00:00:00Z".parse().expect("a time");
        let id = catalog
            .id_of(Vendor::BigBlueButton, "1020")
            .expect("a known code");
        for minute in 0..10_000 {
            let hit = Hit {
                vendor: Vendor::BigBlueButton,
                code: Code::Known(id),
                line_number: 7 + minute,
                byte_offset: 0,
            };
            chunk.timed_hit(hit, start.checked_add_millis(minute as i64 * 60_000));
        }
        let path: Arc<str> = Arc::from("a.log");
        let mut tally = Tally::default();
        chunk.add_into(&mut tally, &path, 0);
        tally.files.push(FileStat {
            path,
            bytes: 10,
            lines: 10_006,
            matches: 10_006,
            ..FileStat::default()
        });
        let timed = Report::from_tally(&tally, &catalog);
        assert!(timed.timeline.is_some() && timed.percentiles.is_some());
        assert_eq!(Report::from_owned_tally(tally.clone(), &catalog), timed);
        let mut gated = timed.clone();
        gated.gate = Some(crate::gate::Gate::default().evaluate(&timed));
        let mut untimed = timed.clone();
        untimed.timeline = None;
        untimed.percentiles = None;
        let empty = Report::from_tally(&Tally::default(), &catalog);
        for report in [timed, gated, untimed, empty] {
            let mut out = Writes::default();
            write_json(&report, &mut out).expect("written");
            let expected = whole_text(&report);
            assert_eq!(String::from_utf8(out.text).expect("utf-8"), expected);
            // Written as it is made, in pieces of about TEXT_BYTES.
            let pieces = expected.len().div_ceil(TEXT_BYTES);
            assert!(
                (pieces..=pieces + 4).contains(&out.writes),
                "{} bytes in {} writes",
                expected.len(),
                out.writes
            );
        }
    }

    /// A writer that keeps the text and counts the calls.
    #[derive(Default)]
    struct Writes {
        text: Vec<u8>,
        writes: usize,
    }

    impl Write for Writes {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.writes += 1;
            self.text.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn reports_read_back_and_bad_ones_say_where() {
        let text = r#"{"schema":"errscan/report@1","tool":{"name":"errscan","version":"0"},
"totals":{"files":0,"bytes":0,"lines":0,"matches":0,"unknown":0,"errors":0},
"by_category":[],"by_vendor":[],"codes":[],"unknown":[],"files":[]}"#;
        let path = Path::new("r.json");
        let report = read_json(path, text).expect("a valid report");
        let mut written = Vec::new();
        write_json(&report, &mut written).expect("written");
        let again = read_json(path, &String::from_utf8(written).expect("utf-8")).expect("valid");
        assert_eq!(again, report);
        assert_eq!(
            read_json(path, "{\n  \"schema\": 1\n}"),
            Err("r.json:2:13: invalid type: integer `1`, expected a string".to_string())
        );
        assert_eq!(
            read_json(path, r#"{"totals": {}}"#),
            Err("r.json: not an errscan report (missing schema)".to_string())
        );
        assert_eq!(
            read_json(path, "[1, 2]"),
            Err("r.json: not an errscan report (missing schema)".to_string())
        );
        let other = text.replace("errscan/report@1", "other@2");
        assert!(read_json(path, &other).is_err_and(|error| {
            error.starts_with("r.json: not an errscan report: schema is `other@2`")
        }));
    }
}
