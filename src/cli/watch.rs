//! `errscan watch` arguments.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::{ColorArg, DataArgs, GateArgs};
use crate::gate::Key;

/// Output formats of `watch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum WatchFormat {
    /// One line per match for people, and the text report at the end.
    #[default]
    Text,
    /// One JSON match event per line, flushed at once, then one summary line at the end.
    Ndjson,
}

/// `errscan watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Files to follow by name across rotation, like `tail -F` (the same as --follow); '-' is
    /// stdin. Without any, stdin is read.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Follow FILE by name across rename rotation, copytruncate, deletion and re-creation;
    /// FILE need not exist yet. Repeatable.
    #[arg(short = 'F', long = "follow", value_name = "FILE")]
    pub follow: Vec<PathBuf>,
    /// Catalog, patterns and vendor selection.
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WatchFormat::Text)]
    pub format: WatchFormat,
    /// Gate options, checked on the final summary.
    #[command(flatten)]
    pub gate: GateArgs,
    /// End at the first match of KEY (same keys as --fail-on) with exit status 1, after the
    /// summary.
    #[arg(long, value_name = "KEY", value_parser = parse_key)]
    pub exit_on_first: Option<Key>,
    /// Print a summary every DURATION (30s, 5m, 500ms): the text report on stdout with
    /// --format text, a summary event on stderr with --format ndjson (stdout keeps exactly one
    /// summary, the last line).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub summary_every: Option<Duration>,
    /// How often followed files are checked for new bytes and rotation when no change event
    /// came (changes wake errscan at once through inotify; this is the fallback and safety net).
    #[arg(long, value_name = "DURATION", default_value = "200ms", value_parser = parse_duration)]
    pub poll_interval: Duration,
    /// Do not watch followed files' directories for changes (inotify): check them every
    /// --poll-interval only.
    #[arg(long)]
    pub no_notify: bool,
    /// Remember per followed file its identity and the offset read, and resume there next
    /// time (written atomically at exit and while running).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Read followed files to their current end once, then stop (for cron jobs with --state).
    #[arg(long)]
    pub once: bool,
    /// Start followed files that exist now at their end (files without a --state entry).
    #[arg(long)]
    pub from_end: bool,
    /// When to colour the text output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
    /// How many codes the text summary lists.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
    /// The year of year-less time stamps (syslog, logcat) that no earlier stamp of the same
    /// input dates. Without it, the latest year that does not put the stamp more than a day
    /// after the time watch started.
    #[arg(long, value_name = "YYYY", value_parser = super::parse_year)]
    pub year: Option<i32>,
    /// Do not draw the live table of top codes (drawn on stderr, a few times a second, only
    /// when stdout and stderr are both a terminal).
    #[arg(long)]
    pub no_live: bool,
}

fn parse_key(text: &str) -> Result<Key, String> {
    Key::parse(text).map_err(|error| error.to_string())
}

/// Parses a duration: `500ms`, `30s`, `5m`, `1h`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|character: char| !character.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let invalid = || format!("expected a duration like 500ms, 30s, 5m or 1h, found `{text}`");
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let milliseconds = match unit {
        "ms" => Some(number),
        "" | "s" => number.checked_mul(1000),
        "m" => number.checked_mul(60_000),
        "h" => number.checked_mul(3_600_000),
        _ => None,
    }
    .ok_or_else(invalid)?;
    if milliseconds == 0 {
        return Err(format!("a duration must be above zero, found `{text}`"));
    }
    Ok(Duration::from_millis(milliseconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("5"), Ok(Duration::from_secs(5)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5d").is_err());
    }
}
