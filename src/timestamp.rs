//! A log line's own time stamp, found and turned into a UTC instant.
//!
//! # Brief overview
//!
//! - [`Timestamp`] is an instant: milliseconds since the Unix epoch, UTC. It orders by time and
//!   prints as RFC 3339 UTC with milliseconds, `2024-03-07T10:00:01.123Z`.
//! - [`find_stamp`] finds the stamp a line was written with and returns it as written, a
//!   [`LineStamp`]: an epoch number, a date and time with or without a UTC offset, a stamp without
//!   a year, or a time of day only. It is pure and keeps no state.
//! - [`TimestampContext`] (one per file, fed that file's lines in order) turns those stamps into
//!   [`Timestamp`]s: it applies the default offset and year from [`TimestampOptions`] and completes
//!   partial stamps from the nearest full stamp before them.
//! - [`parse_relative`] reads a `--since` / `--until` value.
//!
//! Nothing here allocates per line, compiles a regex or panics, whatever the bytes. A line without
//! a stamp of its own gives `None`: the module never guesses a time.
//!
//! # Formats
//!
//! | format | example | gives |
//! | --- | --- | --- |
//! | ISO 8601 / RFC 3339, `T` or space, `.` or `,` fraction, `Z`, `±HH:MM`, `±HHMM`, `±HH` or no zone | `2024-03-07T10:00:01.123Z`, `2024-03-07 10:00:01,123` | [`LineStamp::Zoned`] or [`LineStamp::Local`] |
//! | the same after a program name and before a level (Jicofo, JVB) | `Jicofo 2024-03-07 10:00:01.123 INFO: …` | `Local` |
//! | the same in brackets (nginx `$time_iso8601`, Python) | `[2024-03-21T10:14:58+00:00]` | `Zoned` or `Local` |
//! | ZEGO web SDK, milliseconds *not* zero-padded | `2024/09/06 10:02:10.5` (= 10:02:10.005) | `Local` |
//! | nginx / Apache `$time_local` | `[07/Mar/2024:10:00:01 +0000]` | `Zoned` |
//! | JavaScript `Date.toString()` (sip.js) | `Thu Mar 21 2024 10:14:59 GMT+0000` | `Zoned` |
//! | Meteor, `(h)` = UTC offset in hours | `I20190702-16:52:21.295(0)?` | `Zoned` |
//! | ZEGO Flutter UIKit (flutter_logs), `dd/MM/yyyy`, near the end of the line | `…  {07/03/2024 10:00:01}  ERROR` | `Local` |
//! | syslog (RFC 3164, journald short) | `Mar  7 10:00:01`, `Jul 02 16:50:02` | [`LineStamp::YearLess`] |
//! | Android logcat (`threadtime`, `time`) | `05-09 10:00:07.020` | `YearLess` |
//! | BBB html5 client, 4th field in 1/10000 s | `[17:45:51:0523]` (= 17:45:51.052) | [`LineStamp::TimeOnly`] |
//! | JSON line, top-level `time`, `ts`, `timestamp` or `@timestamp` holding an ISO string | `{"time":"2024-03-21T10:14:00.101Z",…}` | `Zoned` or `Local` |
//! | the same holding epoch milliseconds (13 digits) or seconds (10 digits, optional fraction) | `{"time":1715248807077,…}`, `{"ts":1715248807.077,…}` | [`LineStamp::Epoch`] |
//!
//! Fractions of a second are truncated to milliseconds, never rounded: `.9999` is `.999`.
//!
//! # Where a line's own stamp is looked for
//!
//! Only in places where loggers put it, never in the middle of a message:
//!
//! 1. A JSON line (first non-blank byte `{`): only the top-level keys above. A date in another
//!    field, in a nested object or inside a string is not the line's time.
//! 2. At the start of the line, after blanks. When that stamp is partial (syslog, logcat) and the
//!    line also carries a full stamp where a program writes its own (right after the syslog
//!    `host tag[pid]:` header, as Meteor under journald does, or in the UIKit tail), the full one
//!    is taken: it needs no guessing.
//! 3. After one prefix token: a browser console source location (`Logger.js:155`,
//!    `Logger.js:155:26`, `sip.js?v=1114:9602`), any stamp; an IP address with up to two more
//!    tokens (nginx `203.0.113.9 - - [..]`), a bracketed full stamp; a single word (a program
//!    name), an ISO stamp followed by a log level (`INFO`, `SEVERE`, …).
//! 4. The ZEGO UIKit tail `{dd/MM/yyyy HH:mm:ss}  LEVEL` at the end of the line.
//!
//! So `GET /2024/03/07/app.js`, `version 2.2.4`, `file.js:1007:12` and a duration `10:00` give
//! nothing. Only the first 64 KiB of a line are examined.
//!
//! # Completing stamps: offsets, years and days
//!
//! - A stamp with a zone or an epoch number is an instant and needs nothing.
//! - A zone-less date and time is read at [`TimestampOptions::default_offset_minutes`]
//!   (0 = UTC unless configured).
//! - Partial stamps are completed from the *previous stamp* of the same file, which is the latest
//!   stamp [`TimestampContext`] resolved (a full stamp, or a partial one it completed before), and
//!   are read in that stamp's offset, on the assumption that one file's stamps come from one clock.
//!   With no previous stamp the default offset is used.
//! - A year-less stamp takes the year, among the previous stamp's year and the years before and
//!   after it, that puts it nearest to the previous stamp: `Dec 31` then `Jan  1` moves to the next
//!   year. With no previous stamp it takes [`TimestampOptions::default_year`]; with neither it
//!   gives `None`.
//! - A time-only stamp lands on the previous stamp's day, unless that puts it more than one hour
//!   *before* the previous stamp: then midnight has passed and it is the next day. A stamp that
//!   would land more than 23 hours *after* the previous one (for example `23:59:58` right after
//!   `00:00:03`) is a late line from the day before. Small steps back (lines written out of order,
//!   a DST fall-back of one hour) stay on the same day. A gap of a day or more between two
//!   time-only lines cannot be seen. With no previous stamp a time-only stamp gives `None`, also
//!   with a default year: a year gives no month and day. (A year-less stamp completed from the
//!   default year is a previous stamp like any other, so the time-only lines after it are dated.)
//! - With no previous stamp, a caller that skips lines can also hand over the text *after* the
//!   line ([`TimestampContext::line_around`]): the first full stamp among the next 32 lines (at
//!   most 16 KiB) then dates a partial stamp before the default year does. A year-less stamp takes
//!   the latest year that does not put it more than a day after that stamp; a time-only stamp
//!   lands on that stamp's day, or the day before when that would put it more than an hour after
//!   it. So a journald log whose first lines carry only `May 09 10:00:07` is dated by the first
//!   full stamp below them, not by the file's modification time.
//! - [`InputYears`] is what a caller decides per input for the default year: none, one year for
//!   all (`--year`), or not after each file's modification time.
//!
//! # Example
//!
//! ```
//! use errscan::timestamp::{TimestampContext, TimestampOptions};
//!
//! let mut context = TimestampContext::new(TimestampOptions::default());
//! let log: &[&[u8]] = &[
//!     b"[10:14:57:0611] INFO: clientLogger: Client loaded",
//!     b"sip.js?v=1114:9602 Thu Mar 21 2024 10:14:59 GMT+0000 | sip.Transport | Connecting",
//!     b"[10:15:01:0882] ERROR: clientLogger: Audio error - errorCode=1007",
//! ];
//! let times: Vec<Option<String>> =
//!     log.iter().map(|line| context.line(line).map(|time| time.to_string())).collect();
//! assert_eq!(times[0], None); // time only, and no date seen yet: never guessed
//! assert_eq!(times[1].as_deref(), Some("2024-03-21T10:14:59.000Z"));
//! assert_eq!(times[2].as_deref(), Some("2024-03-21T10:15:01.088Z"));
//! ```

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

const MILLIS_PER_SECOND: i64 = 1_000;
const MILLIS_PER_MINUTE: i64 = 60 * MILLIS_PER_SECOND;
const MILLIS_PER_HOUR: i64 = 60 * MILLIS_PER_MINUTE;
const MILLIS_PER_DAY: i64 = 24 * MILLIS_PER_HOUR;
const MILLIS_PER_WEEK: i64 = 7 * MILLIS_PER_DAY;

/// Only this much of a line is examined.
const MAX_LINE_BYTES: usize = 64 * 1024;
/// [`TimestampContext::line_after`] looks back at most this many lines ...
const LOOKBACK_LINES: usize = 32;
/// ... and at most this many bytes.
const LOOKBACK_BYTES: usize = 16 * 1024;
/// How far a time-only stamp may step back before it is read as the next day.
const SAME_DAY_TOLERANCE_MILLIS: i64 = MILLIS_PER_HOUR;
/// How far after the limit a year-less stamp may lie in the year of [`DefaultYear::NotAfter`].
const NOT_AFTER_SLACK_MILLIS: i64 = MILLIS_PER_DAY;
/// The longest text an error message repeats.
const MAX_ERROR_TEXT_CHARS: usize = 64;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const WEEKDAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
/// Whether `word` is a level that may follow a stamp written after a program name
/// (java.util.logging and common).
fn is_level(word: &[u8]) -> bool {
    matches!(
        word,
        b"SEVERE"
            | b"WARNING"
            | b"WARN"
            | b"INFO"
            | b"CONFIG"
            | b"FINE"
            | b"FINER"
            | b"FINEST"
            | b"DEBUG"
            | b"ERROR"
            | b"TRACE"
            | b"FATAL"
    )
}
/// Top-level JSON keys that hold a line's own time.
const JSON_TIME_KEYS: [&[u8]; 4] = [b"time", b"ts", b"timestamp", b"@timestamp"];

// ---------------------------------------------------------------------------------------------
// Timestamp

/// An instant: milliseconds since 1970-01-01T00:00:00Z, UTC, leap seconds ignored (Unix time).
///
/// Orders by time. `Display` writes RFC 3339 in UTC with milliseconds,
/// `2024-03-07T10:00:01.123Z` (years outside 0000–9999 get a sign, `+10000-01-01T…`, and do not
/// parse back); `FromStr` reads RFC 3339 with a zone (see [`Timestamp::from_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// 1970-01-01T00:00:00.000Z.
    pub const UNIX_EPOCH: Self = Self(0);

    /// The instant `unix_millis` milliseconds after (or, when negative, before) the Unix epoch.
    pub const fn from_unix_millis(unix_millis: i64) -> Self {
        Self(unix_millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// The instant of a UTC calendar date and time, or `None` if any field is out of range
    /// (month 1–12, day within the month, hour 0–23, minute and second 0–59, millisecond 0–999).
    pub fn from_utc(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        millisecond: u16,
    ) -> Option<Self> {
        let time = TimeOfDay {
            hour,
            minute,
            second,
            millisecond,
        };
        instant(i64::from(year), month, day, time, 0)
    }

    /// The instant of a system clock reading (a file's modification time, the time now), to the
    /// millisecond, rounded towards the past; saturating far outside the range.
    pub fn from_system_time(time: SystemTime) -> Self {
        let millis = match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(error) => {
                // Before the epoch: -1.5 ms is rounded to -2 ms, towards the past.
                let nanos = error.duration().as_nanos();
                let millis = nanos.div_ceil(1_000_000);
                i64::try_from(millis).map_or(i64::MIN, |millis| -millis)
            }
        };
        Self(millis)
    }

    /// The time now, from the system clock.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// This instant moved by `millis` (negative = earlier), or `None` on overflow.
    pub fn checked_add_millis(self, millis: i64) -> Option<Self> {
        self.0.checked_add(millis).map(Self)
    }

    /// Calendar year, month, day and milliseconds into that day, on the wall clock at
    /// `offset_minutes` east of UTC.
    fn wall_clock(self, offset_minutes: i32) -> (i64, u8, u8, i64) {
        let local = self
            .0
            .saturating_add(i64::from(offset_minutes) * MILLIS_PER_MINUTE);
        let (year, month, day) = civil_from_days(local.div_euclid(MILLIS_PER_DAY));
        (year, month, day, local.rem_euclid(MILLIS_PER_DAY))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day, millis_of_day) = self.wall_clock(0);
        let hour = millis_of_day / MILLIS_PER_HOUR;
        let minute = millis_of_day % MILLIS_PER_HOUR / MILLIS_PER_MINUTE;
        let second = millis_of_day % MILLIS_PER_MINUTE / MILLIS_PER_SECOND;
        let millisecond = millis_of_day % MILLIS_PER_SECOND;
        let Some(year_of_era) = u16::try_from(year).ok().filter(|year| *year <= 9999) else {
            return write!(
                f,
                "{year:+05}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millisecond:03}Z"
            );
        };
        // Digit by digit into one buffer: a report writes a time per code and bucket, and
        // `write!` with seven padded fields cost about 3000 instructions each.
        let mut text = *b"0000-00-00T00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut value: u64| {
            for index in (at..at + width).rev() {
                text[index] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, 4, u64::from(year_of_era));
        put(5, 2, u64::from(month));
        put(8, 2, u64::from(day));
        put(11, 2, hour as u64);
        put(14, 2, minute as u64);
        put(17, 2, second as u64);
        put(20, 3, millisecond as u64);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Timestamp {
    type Err = TimeError;

    /// Reads RFC 3339 with a zone: `2024-03-07T10:00:01.123Z`, `2024-03-07 10:00:01+01:00`
    /// (`T` or space, any number of fraction digits up to 9, truncated to milliseconds; the offset
    /// may also be written `+0100` or `+01`). A stamp without a zone is refused: its instant would
    /// be a guess.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut cursor = Cursor::new(text.as_bytes());
        match iso_date_time(&mut cursor) {
            Some(LineStamp::Zoned {
                local,
                offset_minutes,
            }) if cursor.at_end() => local
                .to_timestamp(offset_minutes)
                .ok_or_else(|| TimeError::out_of_range(text)),
            _ => Err(TimeError::InvalidRfc3339 {
                text: error_text(text),
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A `--since` / `--until` value or an RFC 3339 text that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// Not RFC 3339 with a zone.
    #[error("invalid RFC 3339 time {text:?}: expected for example 2024-03-07T10:00:01Z")]
    InvalidRfc3339 {
        /// The text, cut to 64 characters.
        text: String,
    },
    /// None of the forms [`parse_relative`] reads.
    #[error(
        "invalid time {text:?}: expected RFC 3339 (2024-03-07T10:00:01Z), a date (2024-03-07), \
         -30s, -90m, -3h, -2d, -1w, now, today or yesterday"
    )]
    InvalidTime {
        /// The text, cut to 64 characters.
        text: String,
    },
    /// Well formed, but the instant does not fit.
    #[error("time {text:?} is out of range")]
    OutOfRange {
        /// The text, cut to 64 characters.
        text: String,
    },
}

impl TimeError {
    fn out_of_range(text: &str) -> Self {
        Self::OutOfRange {
            text: error_text(text),
        }
    }
}

fn error_text(text: &str) -> String {
    text.chars().take(MAX_ERROR_TEXT_CHARS).collect()
}

// ---------------------------------------------------------------------------------------------
// What a line says

/// A time of day as written in a stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeOfDay {
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–59 (a leap second `60` is not read).
    pub second: u8,
    /// 0–999; finer fractions are truncated.
    pub millisecond: u16,
}

impl TimeOfDay {
    fn is_valid(self) -> bool {
        self.hour <= 23 && self.minute <= 59 && self.second <= 59 && self.millisecond <= 999
    }

    fn millis(self) -> i64 {
        i64::from(self.hour) * MILLIS_PER_HOUR
            + i64::from(self.minute) * MILLIS_PER_MINUTE
            + i64::from(self.second) * MILLIS_PER_SECOND
            + i64::from(self.millisecond)
    }
}

/// A calendar date and time of day on some wall clock, as written in a stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CivilDateTime {
    /// The year as written, 0000–9999.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31, within the month.
    pub day: u8,
    /// The time of day.
    pub time: TimeOfDay,
}

impl CivilDateTime {
    /// The instant this wall-clock time is at `offset_minutes` east of UTC (`+01:00` is 60), or
    /// `None` if a field is out of range.
    pub fn to_timestamp(self, offset_minutes: i32) -> Option<Timestamp> {
        instant(
            i64::from(self.year),
            self.month,
            self.day,
            self.time,
            offset_minutes,
        )
    }
}

/// A line's own time stamp as written, before any context is applied. See the
/// [module documentation](self) for the formats behind each variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineStamp {
    /// An epoch number in a JSON time field: an instant, with no wall clock.
    Epoch(Timestamp),
    /// A date and time with a UTC offset.
    Zoned {
        /// The wall-clock date and time as written.
        local: CivilDateTime,
        /// The offset it was written at, in minutes east of UTC (`+01:00` is 60, `Z` is 0).
        offset_minutes: i32,
    },
    /// A date and time without a zone.
    Local(CivilDateTime),
    /// Month, day and time, no year and no zone (syslog, Android logcat).
    YearLess {
        /// 1–12.
        month: u8,
        /// 1–31 (29 for February: the year is not known yet).
        day: u8,
        /// The time of day.
        time: TimeOfDay,
    },
    /// A time of day only (BBB html5 client).
    TimeOnly(TimeOfDay),
}

impl LineStamp {
    /// Whether the stamp has a date with a year: [`Epoch`](Self::Epoch), [`Zoned`](Self::Zoned)
    /// or [`Local`](Self::Local).
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Epoch(_) | Self::Zoned { .. } | Self::Local(_))
    }

    /// The instant of a full stamp, reading a zone-less one at `default_offset_minutes` east of
    /// UTC; `None` for a partial stamp (which needs a [`TimestampContext`]).
    pub fn to_timestamp(self, default_offset_minutes: i32) -> Option<Timestamp> {
        match self {
            Self::Epoch(at) => Some(at),
            Self::Zoned {
                local,
                offset_minutes,
            } => local.to_timestamp(offset_minutes),
            Self::Local(local) => local.to_timestamp(default_offset_minutes),
            Self::YearLess { .. } | Self::TimeOnly(_) => None,
        }
    }
}

/// Finds the time stamp `line` was written with, without any context.
///
/// `line` may or may not end in `\n` / `\r\n`. Returns `None` when the line has no stamp of its
/// own in one of the places listed in the [module documentation](self); a date elsewhere in the
/// line is ignored. Never panics.
pub fn find_stamp(line: &[u8]) -> Option<LineStamp> {
    let line = trim_end(line.get(..MAX_LINE_BYTES).unwrap_or(line));
    let rest = skip_blanks(strip_bom(line));
    if rest.first() == Some(&b'{') {
        return json_time(rest).or_else(|| uikit_tail(line));
    }
    if let Some((stamp, end)) = stamp_at(rest) {
        if stamp.is_full() {
            return Some(stamp);
        }
        let inner = match stamp {
            LineStamp::YearLess { .. } => after_syslog_header(rest.get(end..).unwrap_or_default()),
            _ => None,
        };
        return Some(inner.or_else(|| uikit_tail(line)).unwrap_or(stamp));
    }
    stamp_after_prefix(rest).or_else(|| uikit_tail(line))
}

// ---------------------------------------------------------------------------------------------
// Context

/// Where a year-less stamp takes its year when the file has shown no stamp before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefaultYear {
    /// This year (for example from `--year`).
    Year(i32),
    /// The latest year that does not put the stamp more than a day after this instant (for
    /// example the file's modification time: no line was written after it). A log of
    /// `Dec 28 … Jan  2` with a limit of `2025-01-03` gets 2024 for December and 2025 for January.
    NotAfter(Timestamp),
}

/// Settings for [`TimestampContext`]: plain values, decided by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TimestampOptions {
    /// The UTC offset, in minutes east of UTC, at which a zone-less stamp is read, and at which
    /// partial stamps are read before the file has shown a stamp. 0 (UTC) by default.
    pub default_offset_minutes: i32,
    /// The year of a year-less stamp before the file has shown a stamp. `None` by default: such a
    /// stamp then gives `None`.
    pub default_year: Option<DefaultYear>,
}

/// Per input, where its year-less stamps take their year when nothing before them in the input
/// dates them: what `--year` and the inputs' modification times decide. The caller resolves it
/// once (it reads the clock and the file system), so that a worker only looks it up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum InputYears {
    /// No default year: such a stamp gives no time.
    #[default]
    Unknown,
    /// The same year for every input ([`DefaultYear::Year`], from `--year`).
    Year(i32),
    /// [`DefaultYear::NotAfter`] each input's modification time, looked up by the input's
    /// display path in `modified`; an input not listed there (stdin, a pipe, a file whose time
    /// could not be read) uses `otherwise`, the time of the run.
    NotAfterModified {
        /// Display path → modification time.
        modified: Arc<HashMap<String, Timestamp>>,
        /// The limit for inputs without a modification time.
        otherwise: Timestamp,
    },
}

impl InputYears {
    /// The options for a [`TimestampContext`] of the input shown as `path`: its default year,
    /// and the default offset (UTC).
    pub fn options_for(&self, path: &str) -> TimestampOptions {
        let default_year = match self {
            InputYears::Unknown => None,
            InputYears::Year(year) => Some(DefaultYear::Year(*year)),
            InputYears::NotAfterModified {
                modified,
                otherwise,
            } => Some(DefaultYear::NotAfter(
                modified.get(path).copied().unwrap_or(*otherwise),
            )),
        };
        TimestampOptions {
            default_year,
            ..TimestampOptions::default()
        }
    }
}

/// Turns the stamps of one file's lines into instants, completing partial stamps from the
/// previous stamp (rules in the [module documentation](self)).
///
/// Use one context per file and feed it lines in file order. Only the lines given to it count as
/// "previous": a caller that feeds only some lines (say, the ones with a hit) can hand over the
/// text in between with [`line_after`](Self::line_after).
#[derive(Debug, Clone)]
pub struct TimestampContext {
    options: TimestampOptions,
    previous: Option<Anchor>,
    calendar: DayMemo,
}

/// The last date turned into a day number or back: one file's stamps mostly fall on one day,
/// and the calendar arithmetic costs about as much as reading a stamp.
#[derive(Debug, Clone, Default)]
struct DayMemo(Option<(i64, u8, u8, i64)>);

impl DayMemo {
    /// The days from 1970-01-01 to a date, `None` if it is not a valid date.
    fn days(&mut self, year: i64, month: u8, day: u8) -> Option<i64> {
        if let Some((known_year, known_month, known_day, days)) = self.0 {
            if (known_year, known_month, known_day) == (year, month, day) {
                return Some(days);
            }
        }
        let days = days_of_date(year, month, day)?;
        self.0 = Some((year, month, day, days));
        Some(days)
    }

    /// The date `days` after 1970-01-01.
    fn date(&mut self, days: i64) -> (i64, u8, u8) {
        if let Some((year, month, day, known_days)) = self.0 {
            if known_days == days {
                return (year, month, day);
            }
        }
        let (year, month, day) = civil_from_days(days);
        self.0 = Some((year, month, day, days));
        (year, month, day)
    }

    /// As [`instant`].
    fn instant(
        &mut self,
        year: i64,
        month: u8,
        day: u8,
        time: TimeOfDay,
        offset_minutes: i32,
    ) -> Option<Timestamp> {
        if !time.is_valid() {
            return None;
        }
        instant_on(self.days(year, month, day)?, time, offset_minutes)
    }

    /// As [`Timestamp::wall_clock`]: calendar year, month, day and milliseconds into that day.
    fn wall_clock(&mut self, at: Timestamp, offset_minutes: i32) -> (i64, u8, u8, i64) {
        let local =
            at.0.saturating_add(i64::from(offset_minutes) * MILLIS_PER_MINUTE);
        let (year, month, day) = self.date(local.div_euclid(MILLIS_PER_DAY));
        (year, month, day, local.rem_euclid(MILLIS_PER_DAY))
    }
}

/// The previous stamp: the instant, and the offset its wall clock was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor {
    at: Timestamp,
    offset_minutes: i32,
}

impl TimestampContext {
    /// A context for a new file.
    pub fn new(options: TimestampOptions) -> Self {
        Self {
            options,
            previous: None,
            calendar: DayMemo::default(),
        }
    }

    /// The options this context was made with.
    pub fn options(&self) -> &TimestampOptions {
        &self.options
    }

    /// The instant of the latest stamp resolved so far, if any.
    pub fn previous(&self) -> Option<Timestamp> {
        self.previous.map(|anchor| anchor.at)
    }

    /// Forgets the previous stamp, as for a new file.
    pub fn reset(&mut self) {
        self.previous = None;
    }

    /// The instant of `line`'s own stamp, or `None` if it has none or a partial stamp cannot be
    /// completed. A stamp that resolves becomes the previous stamp for the lines after it.
    pub fn line(&mut self, line: &[u8]) -> Option<Timestamp> {
        let stamp = find_stamp(line)?;
        self.resolve(stamp)
    }

    /// Like [`line`](Self::line), for a caller that skips lines: `preceding` is the text between
    /// the last line given to this context (or the start of the file) and `line`.
    ///
    /// Only when `line`'s stamp is partial, the last 32 lines (at most 16 KiB) of `preceding` are
    /// searched backwards for the nearest full stamp, which then counts as the previous stamp.
    /// Lines without a hit therefore cost nothing until a partial stamp needs them.
    pub fn line_after(&mut self, line: &[u8], preceding: &[u8]) -> Option<Timestamp> {
        let stamp = find_stamp(line)?;
        if !stamp.is_full() {
            if let Some(anchor) = self.nearest_full_stamp(preceding) {
                self.previous = Some(anchor);
            }
        }
        self.resolve(stamp)
    }

    /// Like [`line_after`](Self::line_after); in addition, when `line`'s stamp is partial and
    /// nothing before it dates it, the first full stamp at the start of `following` (the text
    /// after `line`) does, before the default year (rules in the [module documentation](self)).
    pub fn line_around(
        &mut self,
        line: &[u8],
        preceding: &[u8],
        following: &[u8],
    ) -> Option<Timestamp> {
        let stamp = find_stamp(line)?;
        if stamp.is_full() {
            return self.resolve(stamp);
        }
        if let Some(anchor) = self.nearest_full_stamp(preceding) {
            self.previous = Some(anchor);
        }
        if self.previous.is_none() {
            if let Some(next) = next_full_stamp(self, following) {
                if let Some(anchor) = partial_before(stamp, next) {
                    self.previous = Some(anchor);
                    return Some(anchor.at);
                }
            }
        }
        self.resolve(stamp)
    }

    /// The instant of a stamp found by [`find_stamp`], completed from the previous stamp; it
    /// becomes the previous stamp when it resolves.
    pub fn resolve(&mut self, stamp: LineStamp) -> Option<Timestamp> {
        let anchor = match stamp {
            LineStamp::YearLess { month, day, time } => self.year_less(month, day, time)?,
            LineStamp::TimeOnly(time) => self.time_only(time)?,
            full => self.full_anchor(full)?,
        };
        self.previous = Some(anchor);
        Some(anchor.at)
    }

    /// The instant of a full stamp and the offset of its wall clock; `None` for a partial one.
    fn full_anchor(&mut self, stamp: LineStamp) -> Option<Anchor> {
        let default_offset = self.options.default_offset_minutes;
        let (at, offset_minutes) = match stamp {
            LineStamp::Epoch(at) => (at, default_offset),
            LineStamp::Zoned {
                local,
                offset_minutes,
            } => (self.civil_instant(local, offset_minutes)?, offset_minutes),
            LineStamp::Local(local) => (self.civil_instant(local, default_offset)?, default_offset),
            LineStamp::YearLess { .. } | LineStamp::TimeOnly(_) => return None,
        };
        Some(Anchor { at, offset_minutes })
    }

    /// As [`CivilDateTime::to_timestamp`].
    fn civil_instant(&mut self, local: CivilDateTime, offset_minutes: i32) -> Option<Timestamp> {
        let year = i64::from(local.year);
        (self.calendar).instant(year, local.month, local.day, local.time, offset_minutes)
    }

    fn year_less(&mut self, month: u8, day: u8, time: TimeOfDay) -> Option<Anchor> {
        if let Some(previous) = self.previous {
            let offset_minutes = previous.offset_minutes;
            let (year, ..) = self.calendar.wall_clock(previous.at, offset_minutes);
            // The candidate nearest to the previous stamp; on a tie the later one.
            let at = [year - 1, year, year + 1]
                .into_iter()
                .filter_map(|year| instant(year, month, day, time, offset_minutes))
                .min_by_key(|at| {
                    let distance = at.unix_millis().abs_diff(previous.at.unix_millis());
                    (distance, std::cmp::Reverse(*at))
                })?;
            return Some(Anchor { at, offset_minutes });
        }
        let offset_minutes = self.options.default_offset_minutes;
        let at = match self.options.default_year? {
            DefaultYear::Year(year) => instant(i64::from(year), month, day, time, offset_minutes)?,
            DefaultYear::NotAfter(limit) => {
                latest_year_not_after(limit, month, day, time, offset_minutes)?
            }
        };
        Some(Anchor { at, offset_minutes })
    }

    fn time_only(&mut self, time: TimeOfDay) -> Option<Anchor> {
        let previous = self.previous?;
        let offset_minutes = previous.offset_minutes;
        let (year, month, day, _) = self.calendar.wall_clock(previous.at, offset_minutes);
        let same_day = (self.calendar).instant(year, month, day, time, offset_minutes)?;
        let step = same_day
            .unix_millis()
            .checked_sub(previous.at.unix_millis())?;
        let at = if step < -SAME_DAY_TOLERANCE_MILLIS {
            same_day.checked_add_millis(MILLIS_PER_DAY)?
        } else if step > MILLIS_PER_DAY - SAME_DAY_TOLERANCE_MILLIS {
            same_day.checked_add_millis(-MILLIS_PER_DAY)?
        } else {
            same_day
        };
        Some(Anchor { at, offset_minutes })
    }

    fn nearest_full_stamp(&mut self, preceding: &[u8]) -> Option<Anchor> {
        let preceding = preceding.strip_suffix(b"\n").unwrap_or(preceding);
        let start = preceding.len().saturating_sub(LOOKBACK_BYTES);
        let mut window = preceding.get(start..).unwrap_or_default();
        if start > 0 {
            // The cut may fall inside a line, whose tail could pass for a stamp: skip it.
            let newline = memchr::memchr(b'\n', window).unwrap_or(window.len());
            window = window.get(newline..).unwrap_or_default();
        }
        lines_backwards(window)
            .take(LOOKBACK_LINES)
            .find_map(|line| self.full_anchor(find_stamp(line)?))
    }
}

/// The lines of `text` from the last to the first, as `text.rsplit(|&b| b == b'\n')` gives them,
/// found with memchr rather than byte by byte.
fn lines_backwards(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut end = Some(text.len());
    std::iter::from_fn(move || {
        let line_end = end?;
        let line_start = memchr::memrchr(b'\n', &text[..line_end]).map_or(0, |newline| newline + 1);
        end = line_start.checked_sub(1);
        Some(&text[line_start..line_end])
    })
}

/// The first full stamp among the first lines of `following` (a line start), within the
/// look-back limits.
fn next_full_stamp(context: &mut TimestampContext, following: &[u8]) -> Option<Anchor> {
    let mut window = following.get(..LOOKBACK_BYTES).unwrap_or(following);
    if window.len() < following.len() {
        // The cut may fall inside a line, whose head could pass for a whole line: drop it.
        let end = window.iter().rposition(|&byte| byte == b'\n').unwrap_or(0);
        window = window.get(..end).unwrap_or_default();
    }
    window
        .split(|&byte| byte == b'\n')
        .take(LOOKBACK_LINES)
        .find_map(|line| context.full_anchor(find_stamp(line)?))
}

/// A year-less stamp in the latest year that does not put it more than a day after `limit`
/// (read at `offset_minutes`).
fn latest_year_not_after(
    limit: Timestamp,
    month: u8,
    day: u8,
    time: TimeOfDay,
    offset_minutes: i32,
) -> Option<Timestamp> {
    let (limit_year, ..) = limit.wall_clock(offset_minutes);
    let latest = limit.checked_add_millis(NOT_AFTER_SLACK_MILLIS)?;
    // Eight years back reach a 29 February from any year.
    (0..=8)
        .filter_map(|back| instant(limit_year - back, month, day, time, offset_minutes))
        .find(|at| *at <= latest)
}

/// A partial stamp completed from the full stamp `next` that follows it: the latest instant
/// that is not more than a day (year-less) or an hour (time-only) after `next`.
fn partial_before(stamp: LineStamp, next: Anchor) -> Option<Anchor> {
    let offset_minutes = next.offset_minutes;
    let (year, month, day, _) = next.at.wall_clock(offset_minutes);
    let at = match stamp {
        LineStamp::YearLess {
            month: stamp_month,
            day: stamp_day,
            time,
        } => latest_year_not_after(next.at, stamp_month, stamp_day, time, offset_minutes)?,
        LineStamp::TimeOnly(time) => {
            let same_day = instant(year, month, day, time, offset_minutes)?;
            let latest = next.at.checked_add_millis(SAME_DAY_TOLERANCE_MILLIS)?;
            if same_day <= latest {
                same_day
            } else {
                same_day.checked_add_millis(-MILLIS_PER_DAY)?
            }
        }
        _ => return None,
    };
    Some(Anchor { at, offset_minutes })
}

// ---------------------------------------------------------------------------------------------
// --since / --until

/// Reads a `--since` / `--until` value relative to `now`.
///
/// | text | means |
/// | --- | --- |
/// | `2024-03-07T10:00:01Z`, `2024-03-07T10:00:01.5+01:00` | that instant (RFC 3339; a zone is required) |
/// | `2024-03-07` | 00:00:00.000 UTC on that date |
/// | `now` | `now` |
/// | `-30s`, `-90m`, `-3h` | that many seconds, minutes, hours before `now` |
/// | `-2d`, `-1w` | that many periods of 24 hours (7 × 24 hours) before `now`, not calendar days |
/// | `today` | 00:00:00.000 UTC of `now`'s UTC date |
/// | `yesterday` | 00:00:00.000 UTC of the UTC date before `now`'s |
///
/// Blanks around the text are ignored and the words are case-insensitive. A relative amount has
/// 1–12 digits and a single unit letter; there is no `+` form (a time after `now` is written in
/// RFC 3339).
pub fn parse_relative(text: &str, now: Timestamp) -> Result<Timestamp, TimeError> {
    let trimmed = text.trim();
    let invalid = || TimeError::InvalidTime {
        text: error_text(text),
    };
    let out_of_range = || TimeError::out_of_range(text);
    // Midnight UTC `days` days after the day of `now`.
    let midnight = |days: i64| {
        now.unix_millis()
            .div_euclid(MILLIS_PER_DAY)
            .checked_add(days)?
            .checked_mul(MILLIS_PER_DAY)
            .map(Timestamp::from_unix_millis)
    };
    if trimmed.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if trimmed.eq_ignore_ascii_case("today") {
        return midnight(0).ok_or_else(out_of_range);
    }
    if trimmed.eq_ignore_ascii_case("yesterday") {
        return midnight(-1).ok_or_else(out_of_range);
    }
    if let Some(amount) = trimmed.strip_prefix('-') {
        let unit_start = amount
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(amount.len());
        let (digits, unit) = amount.split_at(unit_start);
        if digits.is_empty() || digits.len() > 12 {
            return Err(invalid());
        }
        let unit_millis = match unit {
            "s" => MILLIS_PER_SECOND,
            "m" => MILLIS_PER_MINUTE,
            "h" => MILLIS_PER_HOUR,
            "d" => MILLIS_PER_DAY,
            "w" => MILLIS_PER_WEEK,
            _ => return Err(invalid()),
        };
        let count: i64 = digits.parse().map_err(|_| invalid())?;
        return count
            .checked_mul(unit_millis)
            .and_then(|millis| now.checked_add_millis(-millis))
            .ok_or_else(out_of_range);
    }
    let mut cursor = Cursor::new(trimmed.as_bytes());
    if let Some((year, month, day)) = iso_date(&mut cursor) {
        if cursor.at_end() {
            let start_of_day = TimeOfDay {
                hour: 0,
                minute: 0,
                second: 0,
                millisecond: 0,
            };
            return instant(i64::from(year), month, day, start_of_day, 0).ok_or_else(invalid);
        }
    }
    trimmed.parse::<Timestamp>().map_err(|error| match error {
        TimeError::OutOfRange { .. } => TimeError::out_of_range(text),
        _ => invalid(),
    })
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian; Howard Hinnant's `days_from_civil`)

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to the given date (negative before). `month` 1–12, `day` 1–31.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let month = i64::from(month);
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 }; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: (year, month 1–12, day 1–31).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are in range by construction: month 1..=12, day 1..=31.
    (year, month as u8, day as u8)
}

/// The instant of a wall-clock date and time at `offset_minutes` east of UTC, `None` if a field
/// is out of range or the result overflows.
fn instant(
    year: i64,
    month: u8,
    day: u8,
    time: TimeOfDay,
    offset_minutes: i32,
) -> Option<Timestamp> {
    if !time.is_valid() {
        return None;
    }
    instant_on(days_of_date(year, month, day)?, time, offset_minutes)
}

/// The days from 1970-01-01 to a date, `None` if it is not a valid date.
fn days_of_date(year: i64, month: u8, day: u8) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// The instant of `time` on the day `days` after 1970-01-01 at `offset_minutes` east of UTC,
/// `None` on overflow.
fn instant_on(days: i64, time: TimeOfDay, offset_minutes: i32) -> Option<Timestamp> {
    let local = days
        .checked_mul(MILLIS_PER_DAY)?
        .checked_add(time.millis())?;
    let utc = local.checked_sub(i64::from(offset_minutes).checked_mul(MILLIS_PER_MINUTE)?)?;
    Some(Timestamp(utc))
}

// ---------------------------------------------------------------------------------------------
// Byte parsing

/// A read position in a byte slice. Every method either succeeds and moves on, or fails; a
/// caller that tries alternatives copies the cursor first.
#[derive(Debug, Clone, Copy)]
struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn at_end(&self) -> bool {
        self.position >= self.bytes.len()
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.position..).unwrap_or_default()
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        if self.peek()? == want {
            self.position += 1;
            Some(())
        } else {
            None
        }
    }

    /// Exactly `count` (at most 9) ASCII digits.
    fn digits(&mut self, count: usize) -> Option<u32> {
        if count > 9 {
            return None;
        }
        let field = self.rest().get(..count)?;
        let mut value = 0;
        for &byte in field {
            value = value * 10 + u32::from(digit(byte)?);
        }
        self.position += count;
        Some(value)
    }

    /// `min..=max` (at most 9) ASCII digits, as many as there are: the value and the count.
    fn digits_between(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let mut value = 0;
        let mut count = 0;
        for &byte in self.rest().iter().take(max.min(9)) {
            let Some(digit) = digit(byte) else {
                break;
            };
            value = value * 10 + u32::from(digit);
            count += 1;
        }
        if count < min {
            return None;
        }
        self.position += count;
        Some((value, count))
    }

    /// One of `words` (three letters each): its index.
    fn word(&mut self, words: &[&[u8; 3]]) -> Option<usize> {
        let field: [u8; 3] = self.rest().get(..3)?.try_into().ok()?;
        let index = words.iter().position(|word| **word == field)?;
        self.position += 3;
        Some(index)
    }

    /// The next `N` bytes, without moving on.
    fn ahead<const N: usize>(&self) -> Option<[u8; N]> {
        self.rest().get(..N)?.try_into().ok()
    }
}

/// The value of an ASCII digit.
fn digit(byte: u8) -> Option<u8> {
    let value = byte.wrapping_sub(b'0');
    (value <= 9).then_some(value)
}

/// The value of two ASCII digits.
fn two_digits(tens: u8, ones: u8) -> Option<u8> {
    Some(digit(tens)? * 10 + digit(ones)?)
}

fn trim_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|byte| !byte.is_ascii_whitespace())
        .map_or(0, |index| index + 1);
    line.get(..end).unwrap_or_default()
}

fn skip_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&byte| byte != b' ' && byte != b'\t')
        .unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The token up to the next blank, if it is at most `max` bytes, and the text after the blanks.
fn split_token(bytes: &[u8], max: usize) -> Option<(&[u8], &[u8])> {
    let end = memchr::memchr2(b' ', b'\t', bytes.get(..=max).unwrap_or(bytes))?;
    let (token, rest) = bytes.split_at(end);
    (!token.is_empty()).then(|| (token, skip_blanks(rest)))
}

/// A stamp must not run on into a word, a number or another `:` field.
fn at_boundary(cursor: &Cursor<'_>) -> bool {
    cursor
        .peek()
        .is_none_or(|byte| !byte.is_ascii_alphanumeric() && byte != b':')
}

/// `HH:MM:SS`, validated.
fn hms(cursor: &mut Cursor<'_>) -> Option<TimeOfDay> {
    // `:` at bytes 2 and 5.
    const COLONS: u64 = u64::from_le_bytes(*b"\0\0:\0\0:\0\0");
    let [h1, h2, _, m1, m2, _, s1, s2] = digits_around(cursor.ahead::<8>()?, COLONS)?;
    let time = TimeOfDay {
        hour: h1 * 10 + h2,
        minute: m1 * 10 + m2,
        second: s1 * 10 + s2,
        millisecond: 0,
    };
    cursor.position += 8;
    time.is_valid().then_some(time)
}

/// The values of eight bytes that must be ASCII digits except where `separators` has a byte
/// that is not zero, where they must be that byte (which gives 0). Checked all at once in a
/// word rather than byte by byte: a stamp's fixed fields are most of the work of reading it.
fn digits_around(bytes: [u8; 8], separators: u64) -> Option<[u8; 8]> {
    let mask = separator_mask(separators);
    let word = u64::from_le_bytes(bytes);
    if word & mask != separators {
        return None;
    }
    // Separators replaced by `0`; then every byte must be a digit: its high nibble 3, and still
    // 3 after adding 6 (which carries `:` to `?` into 4).
    let word = (word & !mask) | (0x3030_3030_3030_3030 & mask);
    let high_nibbles = 0xF0F0_F0F0_F0F0_F0F0;
    let checked =
        (word & high_nibbles) | ((word.wrapping_add(0x0606_0606_0606_0606) & high_nibbles) >> 4);
    (checked == 0x3333_3333_3333_3333).then(|| (word - 0x3030_3030_3030_3030).to_le_bytes())
}

/// 0xFF in each byte where `separators` has a byte that is not zero.
const fn separator_mask(separators: u64) -> u64 {
    let bytes = separators.to_le_bytes();
    let mut mask = [0; 8];
    let mut index = 0;
    while index < 8 {
        if bytes[index] != 0 {
            mask[index] = 0xFF;
        }
        index += 1;
    }
    u64::from_le_bytes(mask)
}

/// An optional decimal fraction of a second after `.` or `,` (1–9 digits), truncated to
/// milliseconds. A separator not followed by a digit is left alone.
fn decimal_fraction(cursor: &mut Cursor<'_>) -> Option<u16> {
    let rest = cursor.rest();
    if !matches!(rest.first(), Some(b'.' | b',')) {
        return Some(0);
    }
    let fraction = rest.get(1..).unwrap_or_default();
    let mut millis = 0;
    let mut count = 0;
    while let Some(value) = fraction.get(count).and_then(|&byte| digit(byte)) {
        if count == 9 {
            return None; // more than nine digits: not a time
        }
        if count < 3 {
            millis = millis * 10 + u16::from(value);
        }
        count += 1;
    }
    if count == 0 {
        return Some(0);
    }
    // The first three digits, missing ones as zeros: the rest is truncated.
    for _ in count..3 {
        millis *= 10;
    }
    cursor.position += 1 + count;
    Some(millis)
}

/// `+HH:MM`, `+HHMM`, `+HH` (or `-`): minutes east of UTC.
fn numeric_offset(cursor: &mut Cursor<'_>) -> Option<i32> {
    let sign = match cursor.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    cursor.position += 1;
    let hours = cursor.digits(2)?;
    let has_colon = cursor.eat(b':').is_some();
    let minutes = if has_colon || cursor.peek().is_some_and(|byte| byte.is_ascii_digit()) {
        cursor.digits(2)?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * i32::try_from(hours * 60 + minutes).ok()?)
}

/// `YYYY-MM-DD`, validated.
fn iso_date(cursor: &mut Cursor<'_>) -> Option<(u16, u8, u8)> {
    // `-` at bytes 4 and 7, then the day.
    const DASHES: u64 = u64::from_le_bytes(*b"\0\0\0\0-\0\0-");
    let [head @ .., d1, d2] = cursor.ahead::<10>()?;
    let [y1, y2, y3, y4, _, m1, m2, _] = digits_around(head, DASHES)?;
    let year = u16::from(y1 * 10 + y2) * 100 + u16::from(y3 * 10 + y4);
    let (month, day) = (m1 * 10 + m2, two_digits(d1, d2)?);
    cursor.position += 10;
    valid_date(year, month, day).then_some((year, month, day))
}

fn valid_date(year: u16, month: u8, day: u8) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(i64::from(year), month)
}

fn civil(year: u16, month: u8, day: u8, time: TimeOfDay) -> Option<CivilDateTime> {
    valid_date(year, month, day).then_some(CivilDateTime {
        year,
        month,
        day,
        time,
    })
}

/// ISO 8601 / RFC 3339 date and time: `YYYY-MM-DD`, `T`/`t`/space, `HH:MM:SS`, an optional
/// fraction, an optional zone.
fn iso_date_time(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    let (year, month, day) = iso_date(cursor)?;
    if !matches!(cursor.peek()?, b'T' | b't' | b' ') {
        return None;
    }
    cursor.position += 1;
    let mut time = hms(cursor)?;
    time.millisecond = decimal_fraction(cursor)?;
    // Date and time are valid already.
    let local = CivilDateTime {
        year,
        month,
        day,
        time,
    };
    let stamp = match cursor.peek() {
        Some(b'Z' | b'z') => {
            cursor.position += 1;
            LineStamp::Zoned {
                local,
                offset_minutes: 0,
            }
        }
        Some(b'+' | b'-') => LineStamp::Zoned {
            local,
            offset_minutes: numeric_offset(cursor)?,
        },
        _ => LineStamp::Local(local),
    };
    at_boundary(cursor).then_some(stamp)
}

/// ZEGO web SDK: `YYYY/MM/DD HH:MM:SS.m` where the milliseconds are an integer written without
/// zero padding (`.5` is 5 ms, `.40` is 40 ms).
fn slash_date_time(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    let year = u16::try_from(cursor.digits(4)?).ok()?;
    cursor.eat(b'/')?;
    let month = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b'/')?;
    let day = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b' ')?;
    let mut time = hms(cursor)?;
    if cursor.peek() == Some(b'.') {
        cursor.position += 1;
        let (millis, _) = cursor.digits_between(1, 3)?;
        time.millisecond = u16::try_from(millis).ok()?;
    }
    if !at_boundary(cursor) || cursor.peek() == Some(b'.') {
        return None;
    }
    Some(LineStamp::Local(civil(year, month, day, time)?))
}

/// Android logcat: `MM-DD HH:MM:SS.mmm`.
fn logcat(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    let month = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b'-')?;
    let day = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b' ')?;
    let mut time = hms(cursor)?;
    cursor.eat(b'.')?;
    time.millisecond = u16::try_from(cursor.digits(3)?).ok()?;
    year_less_stamp(month, day, time, cursor)
}

fn year_less_stamp(month: u8, day: u8, time: TimeOfDay, cursor: &Cursor<'_>) -> Option<LineStamp> {
    // A leap year, so that 29 February is allowed while the year is unknown.
    let valid = valid_date(2000, month, day) && at_boundary(cursor);
    valid.then_some(LineStamp::YearLess { month, day, time })
}

/// syslog: `Mmm dd HH:MM:SS` with the day space-padded (`Mar  7`) or zero-padded (`Jul 02`),
/// and an optional fraction.
fn syslog(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    let month = cursor.word(&MONTHS)? + 1;
    cursor.eat(b' ')?;
    let day = if cursor.eat(b' ').is_some() {
        cursor.digits(1)?
    } else {
        cursor.digits_between(1, 2)?.0
    };
    cursor.eat(b' ')?;
    let mut time = hms(cursor)?;
    time.millisecond = decimal_fraction(cursor)?;
    year_less_stamp(
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        time,
        cursor,
    )
}

/// JavaScript `Date.prototype.toString()`: `Thu Mar 21 2024 10:14:59 GMT+0000`.
fn js_date(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    cursor.word(&WEEKDAYS)?;
    cursor.eat(b' ')?;
    let month = u8::try_from(cursor.word(&MONTHS)? + 1).ok()?;
    cursor.eat(b' ')?;
    let day = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b' ')?;
    let year = u16::try_from(cursor.digits(4)?).ok()?;
    cursor.eat(b' ')?;
    let time = hms(cursor)?;
    for &byte in b" GMT" {
        cursor.eat(byte)?;
    }
    if !matches!(cursor.peek()?, b'+' | b'-')
        || !cursor.rest().get(1..5)?.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let offset_minutes = numeric_offset(cursor)?;
    let local = civil(year, month, day, time)?;
    at_boundary(cursor).then_some(LineStamp::Zoned {
        local,
        offset_minutes,
    })
}

/// Meteor: `I20190702-16:52:21.295(0)?` — level letter, local date and time, then the UTC offset
/// in hours as JavaScript prints `-getTimezoneOffset() / 60` (`0`, `-7`, `5.5`, `5.75`), then `?`
/// (time inexact) or a blank.
fn meteor(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    if !matches!(cursor.peek()?, b'D' | b'I' | b'W' | b'E') {
        return None;
    }
    cursor.position += 1;
    let year = u16::try_from(cursor.digits(4)?).ok()?;
    let month = u8::try_from(cursor.digits(2)?).ok()?;
    let day = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b'-')?;
    let mut time = hms(cursor)?;
    cursor.eat(b'.')?;
    time.millisecond = u16::try_from(cursor.digits(3)?).ok()?;
    cursor.eat(b'(')?;
    let sign = if cursor.eat(b'-').is_some() { -1 } else { 1 };
    let (hours, _) = cursor.digits_between(1, 2)?;
    let fraction_minutes = if cursor.eat(b'.').is_some() {
        match cursor.digits_between(1, 2)? {
            (tenths, 1) => tenths * 6,
            (hundredths, _) => (hundredths * 60 + 50) / 100,
        }
    } else {
        0
    };
    cursor.eat(b')')?;
    if hours > 23 || !matches!(cursor.peek(), None | Some(b'?' | b' ' | b'\t')) {
        return None;
    }
    let offset_minutes = sign * i32::try_from(hours * 60 + fraction_minutes).ok()?;
    Some(LineStamp::Zoned {
        local: civil(year, month, day, time)?,
        offset_minutes,
    })
}

/// A stamp in square brackets, the `]` included: nginx `$time_local`, ISO, or the BBB client's
/// `[HH:MM:SS:ffff]` (the last field in 1/10000 s, truncated to milliseconds).
fn bracketed(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    cursor.eat(b'[')?;
    // The third byte tells the forms apart: `07/Mar/2024…`, `10:00:01:0523`, `2024-03-07…`.
    let parse = match cursor.rest().get(2)? {
        b'/' => nginx_local,
        b':' => bbb_client_time,
        _ => iso_date_time,
    };
    let mut probe = *cursor;
    let stamp = parse(&mut probe)?;
    probe.eat(b']')?;
    *cursor = probe;
    Some(stamp)
}

/// The BBB html5 client's `HH:MM:SS:ffff` inside the brackets.
fn bbb_client_time(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    let mut time = hms(cursor)?;
    cursor.eat(b':')?;
    // 1/10000 s to milliseconds, truncated: 0523 is 52.3 ms, so 52.
    time.millisecond = u16::try_from(cursor.digits(4)? / 10).ok()?;
    Some(LineStamp::TimeOnly(time))
}

/// nginx / Apache `$time_local` inside the brackets: `07/Mar/2024:10:00:01 +0000`.
fn nginx_local(cursor: &mut Cursor<'_>) -> Option<LineStamp> {
    let day = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b'/')?;
    let month = u8::try_from(cursor.word(&MONTHS)? + 1).ok()?;
    cursor.eat(b'/')?;
    let year = u16::try_from(cursor.digits(4)?).ok()?;
    cursor.eat(b':')?;
    let time = hms(cursor)?;
    cursor.eat(b' ')?;
    let offset_minutes = numeric_offset(cursor)?;
    Some(LineStamp::Zoned {
        local: civil(year, month, day, time)?,
        offset_minutes,
    })
}

/// A stamp starting at the first byte of `bytes`, and the index just after it.
fn stamp_at(bytes: &[u8]) -> Option<(LineStamp, usize)> {
    let start = Cursor::new(bytes);
    // Each parser on its own copy of the cursor; called directly, so that they inline.
    let attempt = |parse: fn(&mut Cursor<'_>) -> Option<LineStamp>| {
        let mut cursor = start;
        parse(&mut cursor).map(|stamp| (stamp, cursor.position))
    };
    // The first bytes tell the forms apart, so that at most one parser runs:
    // `2024-03-07`, `2024/09/06`, `05-09 10:00`; `I20190702`, `Mar  7`, `Thu Mar`.
    let byte_at = |index: usize| bytes.get(index).copied().unwrap_or(0);
    match *bytes.first()? {
        b'0'..=b'9' => match (byte_at(2), byte_at(4)) {
            (_, b'-') => attempt(iso_date_time),
            (_, b'/') => attempt(slash_date_time),
            (b'-', _) => attempt(logcat),
            _ => None,
        },
        b'[' => attempt(bracketed),
        b'A'..=b'Z' if byte_at(1).is_ascii_digit() => attempt(meteor),
        b'A'..=b'Z' if byte_at(3) == b' ' => attempt(syslog).or_else(|| attempt(js_date)),
        _ => None,
    }
}

/// After a syslog stamp: ` host tag[pid]: ` and then a full stamp the program wrote itself.
fn after_syslog_header(bytes: &[u8]) -> Option<LineStamp> {
    let (_host, rest) = split_token(skip_blanks(bytes), 255)?;
    let (tag, rest) = split_token(rest, 128)?;
    if !tag.ends_with(b":") {
        return None;
    }
    stamp_at(rest)
        .map(|(stamp, _)| stamp)
        .filter(LineStamp::is_full)
}

/// A stamp after one prefix token (see the module documentation, point 3).
fn stamp_after_prefix(bytes: &[u8]) -> Option<LineStamp> {
    let (token, rest) = split_token(bytes, 512)?;
    if is_source_location(token) {
        return stamp_at(rest).map(|(stamp, _)| stamp);
    }
    if is_address(token) {
        // `203.0.113.9 - - [..]` (nginx combined) or `198.51.100.23 [..]` (BBB `postdata`)
        let mut rest = rest;
        for _ in 0..3 {
            if rest.first() == Some(&b'[') {
                return stamp_at(rest)
                    .map(|(stamp, _)| stamp)
                    .filter(LineStamp::is_full);
            }
            rest = split_token(rest, 64)?.1;
        }
        return None;
    }
    let is_date_next = rest.first().is_some_and(u8::is_ascii_digit);
    if is_date_next && token.len() <= 24 && token.iter().all(u8::is_ascii_alphabetic) {
        // `Jicofo 2024-03-07 10:00:01.123 INFO:`: the level after the stamp tells it from a
        // message that happens to start with a word and a date.
        let mut cursor = Cursor::new(rest);
        let stamp = iso_date_time(&mut cursor)?;
        cursor.eat(b' ')?;
        let level_length = cursor
            .rest()
            .iter()
            .take_while(|byte| byte.is_ascii_uppercase())
            .count();
        let level = cursor.rest().get(..level_length)?;
        return is_level(level).then_some(stamp);
    }
    None
}

/// A browser console source location: `Logger.js:155`, `Logger.js:155:26`,
/// `sip.js?v=1114:9602`, `VM123:4`.
fn is_source_location(token: &[u8]) -> bool {
    // It ends in a line number: most tokens are turned away here, before any search.
    if !token.last().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let mut name = token;
    for _ in 0..2 {
        let Some(colon) = name.iter().rposition(|&byte| byte == b':') else {
            break;
        };
        let (head, number) = name.split_at(colon);
        let number = number.get(1..).unwrap_or_default();
        if number.is_empty() || number.len() > 9 || !number.iter().all(u8::is_ascii_digit) {
            break;
        }
        name = head;
    }
    if name.len() == token.len() || name.first().is_none_or(u8::is_ascii_digit) {
        return false;
    }
    let mut has_dot = false;
    for &byte in name {
        match byte {
            b':' | b'/' => return false,
            b'.' => has_dot = true,
            _ => {}
        }
    }
    has_dot || name.starts_with(b"VM")
}

/// An IPv4 or IPv6 address (nginx `$remote_addr`).
fn is_address(token: &[u8]) -> bool {
    if token.len() > 45 || !token.first().is_some_and(u8::is_ascii_hexdigit) {
        return false;
    }
    let (mut dots, mut has_colon) = (0, false);
    for &byte in token {
        match byte {
            b'.' => dots += 1,
            b':' => has_colon = true,
            _ if byte.is_ascii_hexdigit() => {}
            _ => return false,
        }
    }
    dots == 3 || has_colon
}

/// The ZEGO Flutter UIKit (flutter_logs) tail: `…  {dd/MM/yyyy HH:mm:ss}  LEVEL` (the level
/// maybe in braces too) at the very end of the line.
///
/// Read at fixed places from the end rather than searched for: the stamp is 19 or 23 bytes
/// (`.mmm`) in braces, so its `{` is 20 or 24 bytes before its `}`. Most lines end otherwise and
/// are turned away at their last bytes.
fn uikit_tail(line: &[u8]) -> Option<LineStamp> {
    let mut rest = trim_end(line);
    let is_braced = rest.last() == Some(&b'}');
    if is_braced {
        rest = &rest[..rest.len() - 1];
    }
    // The level: 1 to 8 capitals.
    let level_length = rest
        .iter()
        .rev()
        .take(9)
        .take_while(|byte| byte.is_ascii_uppercase())
        .count();
    if !(1..=8).contains(&level_length) {
        return None;
    }
    rest = &rest[..rest.len() - level_length];
    if is_braced {
        rest = rest.strip_suffix(b"{")?;
    }
    // At least one space between the stamp and the level.
    let spaces = rest.iter().rev().take_while(|&&byte| byte == b' ').count();
    if spaces == 0 {
        return None;
    }
    rest = rest[..rest.len() - spaces].strip_suffix(b"}")?;
    let opens_at = |length: usize| {
        let open = rest.len().checked_sub(length + 1);
        open.and_then(|open| rest.get(open)) == Some(&b'{')
    };
    let length = if opens_at(19) {
        19
    } else if opens_at(23) {
        23
    } else {
        return None;
    };
    let stamp = &rest[rest.len() - length..];
    let mut cursor = Cursor::new(stamp);
    let day = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b'/')?;
    let month = u8::try_from(cursor.digits(2)?).ok()?;
    cursor.eat(b'/')?;
    let year = u16::try_from(cursor.digits(4)?).ok()?;
    cursor.eat(b' ')?;
    let mut time = hms(&mut cursor)?;
    if length == 23 {
        cursor.eat(b'.')?;
        time.millisecond = u16::try_from(cursor.digits(3)?).ok()?;
    }
    Some(LineStamp::Local(civil(year, month, day, time)?))
}

// ---------------------------------------------------------------------------------------------
// JSON lines

/// The stamp in a top-level time key of the JSON object `bytes` starts with.
fn json_time(bytes: &[u8]) -> Option<LineStamp> {
    let mut depth = 0usize;
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'"' => {
                let end = json_string_end(bytes, index)?;
                let content = bytes.get(index + 1..end)?;
                index = end + 1;
                if depth == 1 {
                    let colon = bytes.len() - skip_blanks(bytes.get(index..)?).len();
                    if bytes.get(colon) == Some(&b':') {
                        index = colon + 1;
                        if JSON_TIME_KEYS.contains(&content) {
                            let value = skip_blanks(bytes.get(index..)?);
                            if let Some(stamp) = json_time_value(value) {
                                return Some(stamp);
                            }
                        }
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                index += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return None;
                }
                index += 1;
            }
            _ => index += 1,
        }
    }
    None
}

/// The index of the `"` closing the string that opens at `open`.
fn json_string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut index = open + 1;
    loop {
        match *bytes.get(index)? {
            b'\\' => index += 2,
            b'"' => return Some(index),
            _ => index += 1,
        }
    }
}

/// A time key's value: an ISO string, or epoch milliseconds (13 digits) or seconds (10 digits,
/// optional fraction).
fn json_time_value(value: &[u8]) -> Option<LineStamp> {
    let mut cursor = Cursor::new(value);
    if cursor.eat(b'"').is_some() {
        let stamp = iso_date_time(&mut cursor)?;
        cursor.eat(b'"')?;
        return Some(stamp);
    }
    let integer_digits = value
        .iter()
        .take(14)
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    let integer = std::str::from_utf8(value.get(..integer_digits)?)
        .ok()?
        .parse::<i64>()
        .ok()?;
    cursor.position = integer_digits;
    let millis = match integer_digits {
        13 if cursor.peek() != Some(b'.') => integer,
        10 => {
            let fraction = if cursor.peek() == Some(b'.') {
                decimal_fraction(&mut cursor)?
            } else {
                0
            };
            integer * MILLIS_PER_SECOND + i64::from(fraction)
        }
        _ => return None,
    };
    let is_end = cursor
        .peek()
        .is_none_or(|byte| matches!(byte, b',' | b'}' | b' ' | b'\t'));
    is_end.then_some(LineStamp::Epoch(Timestamp(millis)))
}

#[cfg(test)]
mod tests;
