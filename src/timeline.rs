//! When matches happened: per-code times on a fixed grid that merges exactly by addition, and
//! the timeline a report shows, re-bucketed from that grid.
//!
//! # Brief overview
//!
//! - [`CodeTimes`] is what a scan keeps per (vendor, code): the first and last time, the number
//!   of matches without a time, and counts per minute on the epoch-aligned grid of
//!   [`BASE_SECONDS`] (minute `n` covers `[n × 60 s, (n + 1) × 60 s)` since the Unix epoch). Every
//!   field is a sum, a minimum or a maximum, so `+=` gives the same result in any order: chunks,
//!   files, threads and separate reports (`errscan merge`) add up exactly.
//! - [`bucket_width`] picks the width a report shows: a multiple of the base minute from a fixed
//!   ladder, the smallest that gives at most [`MAX_BUCKETS`] buckets over the span (about 60-200
//!   when the span is longer than an hour; a shorter span gets one-minute buckets, fewer of them).
//! - [`parse_bucket`] reads `--bucket` (`1m`, `15m`, `2h`, `1d`): a whole number of minutes.
//!
//! Matches without a time are counted under their code as usual and in `totals.untimed`; they
//! have no place on the timeline.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

use crate::catalog::Category;
use crate::percentiles::Intervals;
use crate::timestamp::Timestamp;

/// The width of the grid that scans record on, in seconds.
pub const BASE_SECONDS: i64 = 60;

/// The most buckets an automatic width gives.
pub const MAX_BUCKETS: i64 = 200;

/// Bucket widths an automatic choice picks from, in base minutes.
const LADDER_MINUTES: [i64; 16] = [
    1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200,
];

/// The times of one (vendor, code): mergeable with `+=` in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeTimes {
    /// The earliest time seen.
    pub first: Option<Timestamp>,
    /// The latest time seen.
    pub last: Option<Timestamp>,
    /// Matches whose line had no time.
    pub untimed: u64,
    /// Matches per base minute (minutes since the Unix epoch), by minute, each minute once.
    /// A list rather than a map: a log's lines come mostly in time order, so a match almost
    /// always falls in the last minute or a later one, and the parts of a file add up in order.
    minutes: Vec<(i64, u64)>,
    /// Milliseconds between consecutive timed matches within one input (see
    /// [`crate::percentiles`]); recorded by [`crate::tally::InputTally`], which adds an input's
    /// chunks in line order.
    pub intervals: Intervals,
}

impl CodeTimes {
    /// Records one match at `time` (or without a time).
    pub fn record(&mut self, time: Option<Timestamp>) {
        let Some(time) = time else {
            self.untimed += 1;
            return;
        };
        self.first = Some(self.first.map_or(time, |first| first.min(time)));
        self.last = Some(self.last.map_or(time, |last| last.max(time)));
        let minute = minute_of(time);
        match self.minutes.last_mut() {
            Some((last, count)) if *last == minute => *count += 1,
            Some((last, _)) if *last > minute => add_minute(&mut self.minutes, minute, 1),
            _ => self.minutes.push((minute, 1)),
        }
    }

    /// Matches per base minute, by minute: `(minute since the Unix epoch, count)`.
    pub fn minutes(&self) -> &[(i64, u64)] {
        &self.minutes
    }

    /// Takes the matches per base minute out, leaving none: for a report built from a tally
    /// that is then dropped ([`crate::report::Report::from_owned_tally`]).
    pub fn take_minutes(&mut self) -> Vec<(i64, u64)> {
        std::mem::take(&mut self.minutes)
    }

    /// Matches that had a time.
    pub fn timed(&self) -> u64 {
        self.minutes.iter().map(|(_, count)| count).sum()
    }
}

/// Adds `count` at `minute` to a list by minute, keeping it in order.
fn add_minute(minutes: &mut Vec<(i64, u64)>, minute: i64, count: u64) {
    match minutes.binary_search_by_key(&minute, |(minute, _)| *minute) {
        Ok(index) => minutes[index].1 += count,
        Err(index) => minutes.insert(index, (minute, count)),
    }
}

/// Two lists by minute added into one.
fn merge_minutes(mine: &[(i64, u64)], theirs: &[(i64, u64)]) -> Vec<(i64, u64)> {
    let mut sum = Vec::with_capacity(mine.len() + theirs.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(&a), Some(&b)) = (mine.get(i), theirs.get(j)) {
        if a.0 <= b.0 {
            i += 1;
        }
        if b.0 <= a.0 {
            j += 1;
        }
        sum.push(match a.0.cmp(&b.0) {
            std::cmp::Ordering::Less => a,
            std::cmp::Ordering::Equal => (a.0, a.1 + b.1),
            std::cmp::Ordering::Greater => b,
        });
    }
    sum.extend_from_slice(mine.get(i..).unwrap_or_default());
    sum.extend_from_slice(theirs.get(j..).unwrap_or_default());
    sum
}

impl AddAssign<&CodeTimes> for CodeTimes {
    fn add_assign(&mut self, other: &CodeTimes) {
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.untimed += other.untimed;
        let mut theirs = other.minutes.as_slice();
        // The common case, a later part of the same log: from the last minute on.
        if let (Some(mine), Some(first)) = (self.minutes.last_mut(), theirs.first()) {
            if mine.0 == first.0 {
                mine.1 += first.1;
                theirs = &theirs[1..];
            }
        }
        match (self.minutes.last(), theirs.first()) {
            (Some(mine), Some(first)) if mine.0 >= first.0 => {
                self.minutes = merge_minutes(&self.minutes, theirs);
            }
            _ => self.minutes.extend_from_slice(theirs),
        }
        self.intervals += &other.intervals;
    }
}

/// The base minute that holds `time`.
pub fn minute_of(time: Timestamp) -> i64 {
    time.unix_millis().div_euclid(BASE_SECONDS * 1000)
}

/// The start of base minute `minute`.
pub fn minute_start(minute: i64) -> Timestamp {
    Timestamp::from_unix_millis(minute.saturating_mul(BASE_SECONDS * 1000))
}

/// The automatic bucket width, in base minutes, for a span from minute `first` to minute `last`
/// (inclusive): the smallest width of the ladder giving at most [`MAX_BUCKETS`] buckets.
pub fn bucket_width(first: i64, last: i64) -> i64 {
    LADDER_MINUTES
        .iter()
        .copied()
        .find(|&width| last.div_euclid(width) - first.div_euclid(width) < MAX_BUCKETS)
        .unwrap_or_else(|| ((last - first) / MAX_BUCKETS + 1).max(1))
}

/// Reads a `--bucket` value: a whole number followed by `m` (minutes), `h` (hours) or `d` (days),
/// or `s` (seconds, a multiple of 60). Gives the width in base minutes.
pub fn parse_bucket(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let invalid = || {
        format!(
            "invalid bucket width `{}`: expected a whole number of minutes such as 1m, 15m, 2h, 1d",
            crate::escape::escape_text(text)
        )
    };
    let unit_at = text.len().checked_sub(1).ok_or_else(invalid)?;
    let (number, unit) = (text.get(..unit_at), text.get(unit_at..));
    let number: i64 = number
        .filter(|number| !number.is_empty() && number.len() <= 9)
        .and_then(|number| number.parse().ok())
        .ok_or_else(invalid)?;
    let seconds = match unit {
        Some("s") => number,
        Some("m") => number * 60,
        Some("h") => number * 3600,
        Some("d") => number * 86_400,
        _ => return Err(invalid()),
    };
    if seconds <= 0 || seconds % BASE_SECONDS != 0 {
        return Err(invalid());
    }
    Ok(seconds / BASE_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("an RFC 3339 time")
    }

    #[test]
    fn minutes_are_epoch_aligned_at_their_edges() {
        assert_eq!(minute_of(at("1970-01-01T00:00:59.999Z")), 0);
        assert_eq!(minute_of(at("1970-01-01T00:01:00.000Z")), 1);
        assert_eq!(minute_of(at("1969-12-31T23:59:59.999Z")), -1);
        assert_eq!(
            minute_start(minute_of(at("2024-03-21T10:15:59.999Z"))).to_string(),
            "2024-03-21T10:15:00.000Z"
        );
    }

    #[test]
    fn adding_is_order_independent() {
        let times = [
            "2024-03-21T10:15:01Z",
            "2024-03-21T10:15:59Z",
            "2024-03-21T11:00:00Z",
        ];
        let mut whole = CodeTimes::default();
        let mut parts = [CodeTimes::default(), CodeTimes::default()];
        for (index, text) in times.iter().enumerate() {
            whole.record(Some(at(text)));
            parts[index % 2].record(Some(at(text)));
        }
        whole.record(None);
        parts[1].record(None);
        let mut forward = parts[0].clone();
        forward += &parts[1];
        let mut backward = parts[1].clone();
        backward += &parts[0];
        assert_eq!(forward, whole);
        assert_eq!(backward, whole);
        assert_eq!(whole.minutes().len(), 2);
        assert_eq!((whole.timed(), whole.untimed), (3, 1));
        assert_eq!(whole.first, Some(at("2024-03-21T10:15:01Z")));
    }

    /// Minutes stay in order, each once, whatever order the times come in and however the
    /// parts interleave.
    #[test]
    fn minutes_stay_in_order_when_times_go_back() {
        let minute = |text: &str| minute_of(at(text));
        let times = [
            "2024-03-21T10:17:00Z",
            "2024-03-21T10:15:00Z",
            "2024-03-21T10:16:30Z",
            "2024-03-21T10:15:59Z",
            "2024-03-21T10:17:01Z",
            "2024-03-21T10:14:00Z",
        ];
        let mut whole = CodeTimes::default();
        for text in times {
            whole.record(Some(at(text)));
        }
        let expected = vec![
            (minute("2024-03-21T10:14:00Z"), 1),
            (minute("2024-03-21T10:15:00Z"), 2),
            (minute("2024-03-21T10:16:00Z"), 1),
            (minute("2024-03-21T10:17:00Z"), 2),
        ];
        assert_eq!(whole.minutes(), expected.as_slice());
        for cut in 0..=times.len() {
            let (mut left, mut right) = (CodeTimes::default(), CodeTimes::default());
            for (index, text) in times.iter().enumerate() {
                let part = if index % 2 == 0 && index < cut {
                    &mut left
                } else {
                    &mut right
                };
                part.record(Some(at(text)));
            }
            let mut sum = left.clone();
            sum += &right;
            assert_eq!(sum.minutes(), expected.as_slice(), "cut {cut}");
            right += &left;
            assert_eq!(right.minutes(), expected.as_slice(), "cut {cut}, reversed");
        }
    }

    #[test]
    fn automatic_widths_give_at_most_200_buckets() {
        assert_eq!(bucket_width(0, 59), 1);
        assert_eq!(bucket_width(0, 199), 1);
        assert_eq!(bucket_width(0, 200), 2);
        // A day: 10-minute buckets, 144 of them.
        assert_eq!(bucket_width(0, 1439), 10);
        // A week: one hour, 168.
        assert_eq!(bucket_width(0, 7 * 1440 - 1), 60);
    }

    #[test]
    fn bucket_widths_parse_as_whole_minutes() {
        assert_eq!(parse_bucket("1m"), Ok(1));
        assert_eq!(parse_bucket("120s"), Ok(2));
        assert_eq!(parse_bucket("2h"), Ok(120));
        assert_eq!(parse_bucket("1d"), Ok(1440));
        for bad in ["", "m", "30s", "0m", "-1m", "1x", "1.5h"] {
            assert!(parse_bucket(bad).is_err(), "{bad}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The report's timeline

/// How many codes a bucket lists by name (the codes with the most timed matches).
pub const TOP_CODES: usize = 10;

/// The `timeline` of the JSON report: buckets for people, and the base grid that reports add up
/// with (`errscan merge`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// The width of each bucket, in seconds (a multiple of 60).
    pub bucket_seconds: i64,
    /// The start of the first bucket (RFC 3339 UTC).
    pub start: String,
    /// Every bucket from the first timed match to the last, empty ones included.
    pub buckets: Vec<Bucket>,
    /// The grid the buckets were added up from.
    pub base: BaseGrid,
}

/// One bucket of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// The bucket's start (RFC 3339 UTC); it ends where the next starts.
    pub start: String,
    /// Matches in the bucket.
    pub count: u64,
    /// Matches per category (categories without any left out).
    pub counts: BTreeMap<Category, u64>,
    /// Matches of the top codes (`vendor:code`), at most [`TOP_CODES`] of them.
    pub codes: BTreeMap<String, u64>,
}

/// Matches per (vendor, code) and base minute: what a scan records, and what adds up exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseGrid {
    /// Always [`BASE_SECONDS`].
    pub seconds: i64,
    /// `vendor:code` → `[minute since the Unix epoch, count]`, by minute.
    pub codes: BTreeMap<String, Vec<(i64, u64)>>,
}

impl BaseGrid {
    /// The first and the last minute with a timed match; `None` when no match had a time.
    pub fn minute_span(&self) -> Option<(i64, i64)> {
        let first = self
            .codes
            .values()
            .filter_map(|m| m.first())
            .map(|m| m.0)
            .min()?;
        let last = self
            .codes
            .values()
            .filter_map(|m| m.last())
            .map(|m| m.0)
            .max()?;
        Some((first, last))
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &BaseGrid) {
        self.seconds = BASE_SECONDS;
        for (key, minutes) in &other.codes {
            let mine: BTreeMap<i64, u64> = self
                .codes
                .remove(key)
                .unwrap_or_default()
                .into_iter()
                .collect();
            let mut sum = mine;
            for (minute, count) in minutes {
                *sum.entry(*minute).or_default() += count;
            }
            self.codes.insert(key.clone(), sum.into_iter().collect());
        }
    }
}

impl Timeline {
    /// Buckets `base` at `width` base minutes (automatic when `None`); `category_of` gives each
    /// key's category. `None` when no match had a time.
    pub fn build(
        base: BaseGrid,
        width: Option<i64>,
        category_of: impl Fn(&str) -> Category,
    ) -> Option<Timeline> {
        let (first, last) = base.minute_span()?;
        let width = width.unwrap_or_else(|| bucket_width(first, last)).max(1);
        let first_bucket = first.div_euclid(width);
        let count = usize::try_from(last.div_euclid(width) - first_bucket + 1).ok()?;
        let mut totals: Vec<(u64, &String)> = base
            .codes
            .iter()
            .map(|(key, minutes)| (minutes.iter().map(|m| m.1).sum(), key))
            .collect();
        totals.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let top: Vec<&String> = totals.iter().take(TOP_CODES).map(|t| t.1).collect();
        let mut buckets: Vec<Bucket> = (0..count)
            .map(|index| Bucket {
                start: minute_start((first_bucket + index as i64) * width).to_string(),
                count: 0,
                counts: BTreeMap::new(),
                codes: BTreeMap::new(),
            })
            .collect();
        for (key, minutes) in &base.codes {
            let category = category_of(key);
            let is_top = top.contains(&key);
            // A code's minutes come in order: the maps are updated once per bucket, not per
            // minute, and a minute is divided by the width only when it leaves the bucket
            // before (a division per minute was most of the building).
            let mut rest = minutes.as_slice();
            while let Some(&(minute, _)) = rest.first() {
                let bucket_number = minute.div_euclid(width);
                let next_start = bucket_number.saturating_add(1).saturating_mul(width);
                let in_bucket = rest
                    .iter()
                    .position(|pair| pair.0 < minute || pair.0 >= next_start)
                    .unwrap_or(rest.len());
                let (same_bucket, after) = rest.split_at(in_bucket);
                rest = after;
                let index = bucket_number
                    .checked_sub(first_bucket)
                    .and_then(|index| usize::try_from(index).ok())
                    .unwrap_or(usize::MAX);
                let Some(bucket) = buckets.get_mut(index) else {
                    continue;
                };
                let n: u64 = same_bucket.iter().map(|pair| pair.1).sum();
                bucket.count += n;
                *bucket.counts.entry(category).or_default() += n;
                if is_top {
                    *bucket.codes.entry(key.clone()).or_default() += n;
                }
            }
        }
        Some(Timeline {
            bucket_seconds: width * BASE_SECONDS,
            start: minute_start(first_bucket * width).to_string(),
            buckets,
            base,
        })
    }
}
