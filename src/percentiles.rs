//! How bursty errors are: percentiles kept in HdrHistograms that add up exactly.
//!
//! # Brief overview
//!
//! - [`Intervals`] is what a scan keeps per (vendor, code): the milliseconds between consecutive
//!   timed occurrences of the code, in line order, within one input. A chunk keeps the times of
//!   its codes ([`crate::tally::ChunkTally`]), and adding the chunks of an input in order
//!   ([`crate::tally::InputTally`]) measures the interval across each chunk boundary too, so the
//!   split into chunks changes nothing. Intervals never span two inputs, so the intervals of
//!   separate inputs simply add: merging the reports of different inputs (`errscan merge`)
//!   gives exactly the histogram of one run over all of them. A line whose time is earlier than
//!   the previous one's (an out-of-order log) gives the absolute difference.
//! - [`Distribution`] is how the report shows a histogram: p50, p90, p99, max and count, and the
//!   histogram itself serialized (HdrHistogram V2 + DEFLATE, base64), so that reports can be
//!   added again. The serialization is canonical (the histogram is copied into one sized by its
//!   own maximum first), so equal histograms give equal text.
//! - [`per_minute`] gives, per category, the distribution of the number of matches per minute
//!   over the timeline's span (every minute from the first timed match to the last, empty minutes
//!   included). It is computed from the timeline's base grid, which adds exactly, so a merged
//!   report recomputes it rather than adding histograms of different spans.
//!
//! Histograms keep 2 significant digits: a percentile is exact to within 1 %, and adding
//! histograms is exact.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::ops::AddAssign;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};

use crate::catalog::Category;
use crate::timeline::BaseGrid;

/// Significant digits every histogram keeps.
const SIGNIFICANT_DIGITS: u8 = 2;

/// An empty auto-resizing histogram.
fn empty_histogram() -> Histogram<u64> {
    Histogram::new(SIGNIFICANT_DIGITS).expect("2 significant digits is a valid histogram setting")
}

/// How many intervals are kept as plain values before they go into bucket counts, together.
/// Counts up to an interval of a minute take about 10 KiB, so most codes never need them; and
/// counting one value at a time, as a scan records them, missed the cache on nearly every value
/// (the counts of the other codes came in between), where counting 512 at once loads each line
/// of counts once.
const SMALL_INTERVALS: usize = 512;

/// Milliseconds between consecutive occurrences of one code: adds up with `+=` in any order.
/// Values are kept as they are, up to 512 (`SMALL_INTERVALS`) at a time; then they go into
/// bucket counts laid out as an HdrHistogram lays out its own.
#[derive(Debug, Clone, Default)]
pub struct Intervals {
    small: Vec<u64>,
    buckets: Buckets,
}

impl PartialEq for Intervals {
    fn eq(&self, other: &Intervals) -> bool {
        self.all().nonzero().eq(other.all().nonzero())
    }
}

impl Eq for Intervals {}

impl Intervals {
    /// Records one interval.
    pub fn record(&mut self, milliseconds: u64) {
        self.small.push(milliseconds);
        if self.small.len() >= SMALL_INTERVALS {
            self.spill();
        }
    }

    /// Moves the plain values into the buckets.
    fn spill(&mut self) {
        for value in self.small.drain(..) {
            self.buckets.record_n(value, 1);
        }
    }

    /// Intervals recorded.
    pub fn count(&self) -> u64 {
        self.small.len() as u64 + self.buckets.total
    }

    /// Every interval recorded, in buckets.
    fn all(&self) -> Buckets {
        let mut all = self.buckets.clone();
        for &value in &self.small {
            all.record_n(value, 1);
        }
        all
    }

    /// The distribution of every interval recorded; `None` when there is none. The same as
    /// [`Distribution::of`] the [`histogram`](Self::histogram), computed from the buckets (a
    /// report builds one per code).
    pub fn distribution(&self) -> Option<Distribution> {
        if self.small.is_empty() {
            // Spilled (or empty): the buckets hold everything.
            return (!self.buckets.is_empty()).then(|| self.buckets.distribution());
        }
        if !self.buckets.is_empty() {
            return Some(self.all().distribution());
        }
        // A few plain values: their indexes sorted, rather than buckets up to the largest.
        let mut indexes: Vec<usize> = self.small.iter().map(|&value| index_of(value)).collect();
        indexes.sort_unstable();
        let counts = indexes
            .chunk_by(|a, b| a == b)
            .filter_map(|same| Some((*same.first()?, same.len() as u64)));
        let largest = self.small.iter().copied().max().unwrap_or(0);
        Some(distribution_of(counts, self.count(), largest))
    }

    /// The histogram of every interval recorded.
    pub fn histogram(&self) -> Histogram<u64> {
        let all = self.all();
        let mut histogram = empty_histogram();
        let largest_index = index_of(all.largest);
        for (index, count) in all.nonzero() {
            // The largest value as it was: a histogram's maximum is its highest equivalent.
            let value = if index == largest_index {
                all.largest
            } else {
                value_at(index)
            };
            record_n(&mut histogram, value, count);
        }
        histogram
    }
}

impl AddAssign<&Intervals> for Intervals {
    fn add_assign(&mut self, other: &Intervals) {
        for &value in &other.small {
            self.record(value);
        }
        if !other.buckets.is_empty() {
            self.spill();
            self.buckets.add(&other.buckets);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Buckets: an HdrHistogram's counts, kept and read without the crate

/// Values counted in the buckets of an HdrHistogram of [`SIGNIFICANT_DIGITS`] digits with a
/// lowest discernible value of 1 (hdrhistogram's own layout, so that reading and serializing
/// them gives what hdrhistogram gives). Index `i` below 256 counts the value `i`; from 256 on,
/// each power of two holds 128 buckets, each `2^(i / 128 - 1)` values wide.
///
/// hdrhistogram walks the counts through iterators that cost tens of instructions per bucket,
/// empty ones included, and a histogram sized for intervals of an hour has about 2000 of them:
/// reading the percentiles of every code of a report spent most of the report's time there.
#[derive(Debug, Clone, Default)]
struct Buckets {
    /// Counts by index, up to the largest index recorded.
    counts: Vec<u64>,
    /// The sum of `counts`.
    total: u64,
    /// The largest value recorded.
    largest: u64,
}

/// Buckets below this index hold one value each (2 digits: unit resolution up to 2 × 10², so 256).
const SUB_BUCKET_MASK: u64 = 255;
/// hdrhistogram's `leading_zero_count_base`: 64 bits minus the 8 of a sub-bucket index.
const LEADING_ZERO_BASE: u32 = 56;

/// The power-of-two bucket holding `value` (0 for values below 256).
fn bucket_of(value: u64) -> u32 {
    LEADING_ZERO_BASE - (value | SUB_BUCKET_MASK).leading_zeros()
}

/// The index of the count that `value` adds to.
fn index_of(value: u64) -> usize {
    let bucket = bucket_of(value);
    bucket as usize * 128 + (value >> bucket) as usize
}

/// The lowest value counted at `index`.
fn value_at(index: usize) -> u64 {
    let bucket = (index >> 7).saturating_sub(1);
    let sub_bucket = if index < 128 {
        index
    } else {
        (index & 127) + 128
    };
    (sub_bucket as u64) << bucket
}

/// The highest value a histogram of [`SIGNIFICANT_DIGITS`] counts together with `value`
/// (hdrhistogram's `highest_equivalent`).
fn highest_equivalent(value: u64) -> u64 {
    if value == u64::MAX {
        return u64::MAX;
    }
    let bucket = bucket_of(value);
    let lowest = (value >> bucket) << bucket;
    lowest.saturating_add(1 << bucket) - 1
}

impl Buckets {
    fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Counts `value` `count` times (`count` at least 1).
    fn record_n(&mut self, value: u64, count: u64) {
        let index = index_of(value);
        if index >= self.counts.len() {
            self.counts.resize(index + 1, 0);
        }
        self.counts[index] = self.counts[index].saturating_add(count);
        self.total = self.total.saturating_add(count);
        self.largest = self.largest.max(value);
    }

    fn add(&mut self, other: &Buckets) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine = mine.saturating_add(*theirs);
        }
        self.total = self.total.saturating_add(other.total);
        self.largest = self.largest.max(other.largest);
    }

    /// The indexes with a count, and their counts.
    fn nonzero(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(index, count)| (index, *count))
    }

    /// The distribution of non-empty buckets (see [`distribution_of`]).
    fn distribution(&self) -> Distribution {
        distribution_of(self.nonzero(), self.total, self.largest)
    }
}

/// The distribution of `total` values, the largest `largest`, counted at the indexes `counts`
/// gives in ascending order with their (non-zero) counts: what [`Distribution::of`] gives for
/// the same values, in one pass for the percentiles and the serialization.
fn distribution_of(
    counts: impl Iterator<Item = (usize, u64)>,
    total: u64,
    largest: u64,
) -> Distribution {
    // As `value_at_quantile`: the count to reach, rounded up, at least the first value.
    let targets =
        [0.50, 0.90, 0.99].map(|quantile: f64| ((quantile * total as f64).ceil() as u64).max(1));
    let mut percentiles = [0; 3];
    let mut found = 0;
    let mut seen: u64 = 0;
    let max = highest_equivalent(largest);
    // The V2 serialization (uncompressed) of the canonical histogram, which is bounded by `max`
    // (see [`canonical_histogram`]): a 40-byte header, then the counts up to the largest
    // value's, zig-zag LEB128 coded, a run of two or more empty buckets as its negated length.
    // Byte for byte what hdrhistogram's `V2Serializer` writes.
    const V2_COOKIE: u32 = 0x1c84_9303 | 0x10;
    let mut payload = Vec::with_capacity(256);
    payload.extend_from_slice(&V2_COOKIE.to_be_bytes());
    payload.extend_from_slice(&[0; 4]); // the payload length, set below
    payload.extend_from_slice(&0u32.to_be_bytes()); // normalizing index offset
    payload.extend_from_slice(&u32::from(SIGNIFICANT_DIGITS).to_be_bytes());
    payload.extend_from_slice(&1u64.to_be_bytes()); // lowest discernible value
    payload.extend_from_slice(&max.max(2).to_be_bytes()); // highest trackable value
    payload.extend_from_slice(&1.0f64.to_be_bytes()); // integer to double ratio
    let mut next_index = 0;
    for (index, count) in counts {
        let zeros = index - next_index;
        if zeros > 0 {
            let coded = if zeros > 1 { -(zeros as i64) } else { 0 };
            write_varint(&mut payload, zig_zag(coded));
        }
        next_index = index + 1;
        seen = seen.saturating_add(count);
        while found < 3 && seen >= targets[found] {
            percentiles[found] = highest_equivalent(value_at(index));
            found += 1;
        }
        write_varint(
            &mut payload,
            zig_zag(i64::try_from(count).unwrap_or(i64::MAX)),
        );
    }
    let length = u32::try_from(payload.len() - 40).unwrap_or(u32::MAX);
    payload[4..8].copy_from_slice(&length.to_be_bytes());
    let [p50, p90, p99] = percentiles;
    Distribution {
        p50,
        p90,
        p99,
        max,
        count: total,
        histogram: BASE64.encode(v2_deflate(&payload)),
    }
}

/// hdrhistogram's zig-zag coding: 0, -1, 1, -2, … as 0, 1, 2, 3, …
fn zig_zag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// hdrhistogram's variable-length integer: 7 bits a byte, least significant first, the high bit
/// set on every byte but the last; a ninth byte holds the top 8 bits whole.
fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    for _ in 0..8 {
        if value < 0x80 {
            out.push(value as u8);
            return;
        }
        out.push(0x80 | (value & 0x7f) as u8);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Records `value` `count` times, growing the histogram as needed. (hdrhistogram's
/// `saturating_record` never grows an auto-resizing histogram: a new one holds 0-2047 at 3
/// digits, and it records anything above as its highest trackable value, 2.) Only a value the
/// histogram cannot grow to hold is clamped.
fn record_n(histogram: &mut Histogram<u64>, value: u64, count: u64) {
    if histogram.record_n(value, count).is_err() {
        histogram.saturating_record_n(value, count);
    }
}

/// Adds `source` into `sum`, which is auto-resizing or bounded by at least `source`'s maximum,
/// so every value fits.
fn add_histogram(sum: &mut Histogram<u64>, source: &Histogram<u64>) {
    sum.add(source)
        .expect("the sum grows, or is bounded by the source's maximum");
}

/// A histogram as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    /// The median.
    pub p50: u64,
    /// The 90th percentile.
    pub p90: u64,
    /// The 99th percentile.
    pub p99: u64,
    /// The largest value.
    pub max: u64,
    /// Values recorded.
    pub count: u64,
    /// The histogram: HdrHistogram V2 + DEFLATE serialization (stored DEFLATE blocks), base64
    /// (standard alphabet, padded), as HdrHistogram's own tools read it.
    pub histogram: String,
}

impl Distribution {
    /// The distribution of `histogram`; `None` when it is empty.
    pub fn of(histogram: &Histogram<u64>) -> Option<Distribution> {
        if histogram.is_empty() {
            return None;
        }
        let mut canonical = canonical_histogram(histogram.max());
        add_histogram(&mut canonical, histogram);
        Some(Distribution::of_canonical(&canonical))
    }

    /// The distribution of a non-empty histogram bounded by its own maximum (see
    /// [`canonical_histogram`]): one pass for the percentiles, one for the serialization.
    fn of_canonical(canonical: &Histogram<u64>) -> Distribution {
        let [p50, p90, p99] = quantiles(canonical, [0.50, 0.90, 0.99]);
        let mut plain = Vec::new();
        V2Serializer::new()
            .serialize(canonical, &mut plain)
            .expect("serializing into memory does not fail");
        Distribution {
            p50,
            p90,
            p99,
            max: canonical.max(),
            count: canonical.len(),
            histogram: BASE64.encode(v2_deflate(&plain)),
        }
    }

    /// The histogram back from its serialization.
    pub fn decode(&self) -> Result<Histogram<u64>, String> {
        let bytes = BASE64
            .decode(self.histogram.trim())
            .map_err(|error| format!("histogram is not base64: {error}"))?;
        let histogram: Histogram<u64> = Deserializer::new()
            .deserialize(&mut Cursor::new(bytes))
            .map_err(|error| format!("histogram is not an HdrHistogram: {error:?}"))?;
        // Intervals are differences of i64 milliseconds; a larger value (a crafted report) is
        // refused here, as no canonical histogram could bound it.
        if histogram.max() > LARGEST_VALUE {
            return Err(format!(
                "histogram holds {}, above the largest interval {LARGEST_VALUE}",
                histogram.max()
            ));
        }
        // Copied into an auto-resizing one, so that adding never fails on bounds.
        let mut sum = empty_histogram();
        add_histogram(&mut sum, &histogram);
        Ok(sum)
    }

    /// The sum of two optional distributions. A histogram that does not decode counts as empty
    /// (reports read with [`crate::report::read_json`] have been checked already).
    pub fn add(left: Option<&Distribution>, right: Option<&Distribution>) -> Option<Distribution> {
        let mut sum = empty_histogram();
        for distribution in [left, right].into_iter().flatten() {
            if let Ok(histogram) = distribution.decode() {
                add_histogram(&mut sum, &histogram);
            }
        }
        Distribution::of(&sum)
    }
}

/// The largest value a histogram may hold: the largest interval between two i64 millisecond
/// times, which is also the largest bound hdrhistogram accepts.
const LARGEST_VALUE: u64 = i64::MAX as u64;

/// An empty histogram bounded by `max` (at least 2): the canonical form a report serializes, so
/// that the header does not depend on how a histogram grew and equal histograms give equal text.
fn canonical_histogram(max: u64) -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, max.max(2), SIGNIFICANT_DIGITS)
        .expect("bounds 1..=max(max, 2) with 2 digits are valid")
}

/// The values at `quantiles` (ascending, each above 0), as `value_at_quantile` gives them, in
/// one pass over the histogram instead of one per quantile.
fn quantiles<const N: usize>(histogram: &Histogram<u64>, quantiles: [f64; N]) -> [u64; N] {
    let total = histogram.len();
    // As `value_at_quantile`: the count to reach, rounded up, at least the first value.
    let targets =
        quantiles.map(|quantile| ((quantile.min(1.0) * total as f64).ceil() as u64).max(1));
    let mut values = [0; N];
    let mut found = 0;
    let mut seen: u64 = 0;
    for step in histogram.iter_recorded() {
        seen += step.count_at_value();
        while found < N && seen >= targets[found] {
            values[found] = step.value_iterated_to();
            found += 1;
        }
        if found == N {
            break;
        }
    }
    values
}

/// The cookie that opens a V2 + DEFLATE histogram (HdrHistogram's encoding; the low byte says
/// the word size of the V2 payload).
const V2_COMPRESSED_COOKIE: u32 = 0x1c84_9304 | 0x10;

/// Wraps a V2 payload as HdrHistogram's V2 + DEFLATE encoding: the cookie and the length of
/// what follows (both big-endian u32), then a zlib stream of the payload.
///
/// The zlib stream uses DEFLATE's stored (uncompressed) blocks, which every inflater reads. A
/// real compressor must allocate and clear a few hundred KiB of tables per histogram, which cost
/// far more than the few hundred bytes of a histogram are worth (a report holds one per code,
/// and a 100 MiB scan spent a fifth of its instructions there); the payload is already compact
/// (run-length and variable-length coded), so the text is only somewhat longer.
fn v2_deflate(payload: &[u8]) -> Vec<u8> {
    let stream = zlib_stored(payload);
    let mut out = Vec::with_capacity(8 + stream.len());
    out.extend_from_slice(&V2_COMPRESSED_COOKIE.to_be_bytes());
    let length = u32::try_from(stream.len()).expect("a histogram is far below 4 GiB");
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&stream);
    out
}

/// A zlib stream (RFC 1950) holding `data` in stored DEFLATE blocks (RFC 1951 §3.2.4).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    const MAX_STORED: usize = u16::MAX as usize;
    let blocks = data.len().div_ceil(MAX_STORED).max(1);
    let mut out = Vec::with_capacity(2 + data.len() + 5 * blocks + 4);
    // CMF: DEFLATE with a 32 KiB window; FLG: no dictionary, fastest level, check bits.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut pieces = data.chunks(MAX_STORED).peekable();
    if pieces.peek().is_none() {
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    }
    while let Some(piece) = pieces.next() {
        let last = pieces.peek().is_none();
        let length = u16::try_from(piece.len()).expect("pieces are at most 65535 bytes");
        out.push(u8::from(last));
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&(!length).to_le_bytes());
        out.extend_from_slice(piece);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// The Adler-32 checksum (RFC 1950 §8.2).
fn adler32(data: &[u8]) -> u32 {
    const MODULUS: u32 = 65_521;
    let (mut low, mut high) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before `high` could overflow a u32.
    for piece in data.chunks(5552) {
        for &byte in piece {
            low += u32::from(byte);
            high += low;
        }
        low %= MODULUS;
        high %= MODULUS;
    }
    (high << 16) | low
}

/// The `percentiles` object of the JSON report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Per category: matches per minute over the timeline's span, empty minutes included.
    pub per_minute: BTreeMap<Category, Distribution>,
}

/// Per category, the distribution of matches per minute from the first timed minute of `base`
/// to the last; `category_of` gives each `vendor:code` key's category. `None` when no match had
/// a time.
pub fn per_minute(base: &BaseGrid, category_of: impl Fn(&str) -> Category) -> Option<Percentiles> {
    let (first, last) = base.minute_span()?;
    let span = u64::try_from(last - first + 1).ok()?;
    let mut lists: BTreeMap<Category, Vec<&[(i64, u64)]>> = BTreeMap::new();
    for (key, counts) in &base.codes {
        lists.entry(category_of(key)).or_default().push(counts);
    }
    let per_minute = lists
        .into_iter()
        .map(|(category, lists)| {
            let buckets = per_minute_dense(&lists, first, span)
                .unwrap_or_else(|| per_minute_sorted(&lists, span));
            (category, buckets.distribution())
        })
        .collect();
    Some(Percentiles { per_minute })
}

/// The matches of every minute of the span from minute `first`, empty ones included, summed
/// over `lists` in one array by minute: what a category's per-minute histogram counts. `None`
/// when the span is long for the number of pairs (a sparse grid, whose array would be mostly
/// zeros; see [`per_minute_sorted`]) or a minute lies outside the span (a grid not in order).
fn per_minute_dense(lists: &[&[(i64, u64)]], first: i64, span: u64) -> Option<Buckets> {
    let pairs: u64 = lists.iter().map(|list| list.len() as u64).sum();
    if span > pairs.saturating_mul(8).saturating_add(1024) {
        return None;
    }
    let mut per_minute = vec![0u64; usize::try_from(span).ok()?];
    for &(minute, count) in lists.iter().copied().flatten() {
        let slot = usize::try_from(minute.checked_sub(first)?).ok()?;
        let sum = per_minute.get_mut(slot)?;
        *sum = sum.saturating_add(count);
    }
    let mut buckets = Buckets::default();
    let empty_minutes = per_minute.iter().filter(|&&count| count == 0).count() as u64;
    if empty_minutes > 0 {
        buckets.record_n(0, empty_minutes);
    }
    for &count in per_minute.iter().filter(|&&count| count > 0) {
        buckets.record_n(count, 1);
    }
    Some(buckets)
}

/// As [`per_minute_dense`] for any grid: the pairs sorted by minute and summed, and every other
/// minute of the span counted as an empty one.
fn per_minute_sorted(lists: &[&[(i64, u64)]], span: u64) -> Buckets {
    let mut pairs: Vec<(i64, u64)> = lists.concat();
    // Stable: it finds the runs already in order (each code's list) and merges them.
    pairs.sort_by_key(|pair| pair.0);
    let mut buckets = Buckets::default();
    let mut minutes: u64 = 0;
    for same_minute in pairs.chunk_by(|a, b| a.0 == b.0) {
        let count = same_minute
            .iter()
            .fold(0u64, |sum, pair| sum.saturating_add(pair.1));
        buckets.record_n(count, 1);
        minutes += 1;
    }
    let empty_minutes = span.saturating_sub(minutes);
    if empty_minutes > 0 {
        buckets.record_n(0, empty_minutes);
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intervals(values: &[u64]) -> Intervals {
        let mut intervals = Intervals::default();
        for &value in values {
            intervals.record(value);
        }
        intervals
    }

    #[test]
    fn distributions_show_percentiles_and_read_back() {
        let values: Vec<u64> = (1..=100).collect();
        let distribution = Distribution::of(&intervals(&values).histogram()).expect("values");
        assert_eq!(
            (
                distribution.p50,
                distribution.p90,
                distribution.p99,
                distribution.max
            ),
            (50, 90, 99, 100)
        );
        assert_eq!(distribution.count, 100);
        let back = distribution.decode().expect("decodes");
        assert_eq!(Distribution::of(&back), Some(distribution.clone()));
        assert!(Distribution::of(&intervals(&[]).histogram()).is_none());
        let broken = Distribution {
            histogram: "not base64!".to_string(),
            ..distribution
        };
        assert!(broken.decode().is_err());
    }

    #[test]
    fn adding_equals_recording_everything_in_one() {
        let (a, b) = (
            intervals(&[5, 1_000, 60_000]),
            intervals(&[0, 7, 3_600_000]),
        );
        let one = intervals(&[5, 1_000, 60_000, 0, 7, 3_600_000]);
        let mut sum = b.clone();
        sum += &a;
        assert_eq!(sum, one);
        let of = |intervals: &Intervals| Distribution::of(&intervals.histogram());
        // The serialization does not depend on the order the histogram grew in.
        assert_eq!(of(&sum), of(&one));
        assert_eq!(
            Distribution::add(of(&a).as_ref(), of(&b).as_ref()),
            of(&one)
        );
        assert_eq!(Distribution::add(of(&b).as_ref(), None), of(&b));
    }

    /// Regression: values of 2048 and above were recorded as 2 (see [`record_n`]). The expected
    /// values are hdrhistogram's highest equivalents at 2 digits (256 steps per power of two
    /// from 256 on), worked out by hand: 10 000 lies in [8192, 16384), recorded in steps of 64,
    /// 156 × 64 = 9 984, so [9 984, 10 047]; 30 000 in [16384, 32768), steps of 128, 234 × 128 =
    /// 29 952, so [29 952, 30 079]; 3 600 000 in [2^21, 2^22), steps of 16384, 219 × 16384 =
    /// 3 588 096, so [3 588 096, 3 604 479]; 1 751 in [1024, 2048), steps of 8: [1 744, 1 751].
    /// Values below 256 are exact.
    #[test]
    fn large_values_are_recorded_within_the_precision() {
        for values in [vec![10_000, 30_000, 3_600_000, 1_751], {
            // Past the plain values, into the histogram itself.
            let mut many = vec![1_751; SMALL_INTERVALS];
            many.extend([10_000, 30_000, 3_600_000]);
            many
        }] {
            let recorded = intervals(&values);
            let distribution = Distribution::of(&recorded.histogram()).expect("values");
            assert_eq!(distribution.max, 3_604_479, "{values:?}");
            assert_eq!(distribution.count, values.len() as u64);
            let histogram = recorded.histogram();
            assert_eq!(histogram.highest_equivalent(10_000), 10_047);
            assert_eq!(histogram.lowest_equivalent(10_000), 9_984);
            assert_eq!(histogram.count_between(9_984, 10_047), 1);
            assert_eq!(histogram.count_between(29_952, 30_079), 1);
            assert_eq!(histogram.highest_equivalent(1_751), 1_751);
            assert_eq!(histogram.highest_equivalent(255), 255);
            assert_eq!(histogram.count_between(0, 2), 0);
        }
        let two = Distribution::of(&intervals(&[10_000, 30_000]).histogram()).expect("values");
        assert_eq!(
            (two.p50, two.p90, two.p99, two.max),
            (10_047, 30_079, 30_079, 30_079)
        );
        // Matches per minute too: 5000 in one minute of a two-minute span.
        let mut base = BaseGrid::default();
        base.codes
            .insert("bigbluebutton:1101".into(), vec![(10, 5_000)]);
        base.codes
            .insert("bigbluebutton:1007".into(), vec![(11, 1)]);
        let percentiles = per_minute(&base, |_| Category::Network).expect("timed");
        // 5000 lies in [4096, 8192), steps of 32: 156 × 32 = 4992, so [4992, 5023].
        assert_eq!(percentiles.per_minute[&Category::Network].max, 5_023);
    }

    #[test]
    fn per_minute_counts_empty_minutes_of_the_span() {
        // network: 3 in minute 10, 1 in minute 13; media: 2 in minute 12. Span 10..=13: four
        // minutes, so network is [3, 0, 0, 1] and media [0, 0, 2, 0].
        let mut base = BaseGrid::default();
        base.codes
            .insert("bigbluebutton:1101".into(), vec![(10, 3), (13, 1)]);
        base.codes
            .insert("bigbluebutton:1007".into(), vec![(12, 2)]);
        let category_of = |key: &str| match key {
            "bigbluebutton:1101" => Category::Network,
            _ => Category::Media,
        };
        let percentiles = per_minute(&base, category_of).expect("timed");
        let network = &percentiles.per_minute[&Category::Network];
        assert_eq!((network.count, network.p50, network.max), (4, 0, 3));
        let media = &percentiles.per_minute[&Category::Media];
        assert_eq!((media.count, media.p50, media.p99, media.max), (4, 0, 2, 2));
        assert!(per_minute(&BaseGrid::default(), category_of).is_none());
    }

    /// A grid too sparse for an array by minute (two minutes 5000 apart) is summed by sorting,
    /// with the same result; both ways agree on any grid in order.
    #[test]
    fn sparse_and_dense_grids_give_the_same_per_minute_counts() {
        let mut base = BaseGrid::default();
        base.codes
            .insert("bigbluebutton:1101".into(), vec![(0, 3), (5_000, 1)]);
        let percentiles = per_minute(&base, |_| Category::Network).expect("timed");
        let network = &percentiles.per_minute[&Category::Network];
        // 4999 empty minutes, one with 3 and one with 1.
        assert_eq!(
            (network.count, network.p50, network.p99, network.max),
            (5_001, 0, 0, 3)
        );
        let lists: [&[(i64, u64)]; 3] = [
            &[(10, 1), (11, 4), (40, 2)],
            &[(11, 1), (12, 0), (39, 7)],
            &[(10, 2), (41, 1)],
        ];
        let dense = per_minute_dense(&lists, 10, 32).expect("dense enough");
        let sorted = per_minute_sorted(&lists, 32);
        assert_eq!(dense.distribution(), sorted.distribution());
        assert_eq!(dense.total, 32);
        // A minute outside the span: only the sorting way takes it.
        assert!(per_minute_dense(&lists, 11, 31).is_none());
    }

    #[test]
    fn plain_values_and_histograms_add_up_the_same_across_the_spill_boundary() {
        for total in [
            SMALL_INTERVALS - 1,
            SMALL_INTERVALS,
            SMALL_INTERVALS + 1,
            3 * SMALL_INTERVALS,
        ] {
            let values: Vec<u64> = (0..total as u64)
                .map(|value| value * 37 % 1000 + 1)
                .collect();
            let whole = intervals(&values);
            assert_eq!(whole.count(), total as u64);
            for cut in 0..=total {
                let mut left = intervals(&values[..cut]);
                left += &intervals(&values[cut..]);
                assert_eq!(left, whole, "total {total}, cut {cut}");
                assert_eq!(left.count(), total as u64);
                let mut right = intervals(&values[cut..]);
                right += &intervals(&values[..cut]);
                assert_eq!(right, whole, "total {total}, cut {cut}, reversed");
            }
        }
    }

    /// A report read back may hold any valid HdrHistogram: other precisions, huge values, a
    /// different lowest value. Decoding and adding must not panic on them.
    #[test]
    fn foreign_histograms_decode_and_add_without_panicking() {
        let mut foreign =
            Histogram::<u64>::new_with_bounds(1000, u64::MAX / 2, 5).expect("valid bounds");
        foreign.record(u64::MAX / 4).expect("in range");
        foreign.record(1000).expect("in range");
        let mut bytes = Vec::new();
        hdrhistogram::serialization::V2DeflateSerializer::new()
            .serialize(&foreign, &mut bytes)
            .expect("serializes");
        let distribution = Distribution {
            p50: 0,
            p90: 0,
            p99: 0,
            max: 0,
            count: 2,
            histogram: BASE64.encode(&bytes),
        };
        let decoded = distribution.decode().expect("a valid histogram");
        assert_eq!(decoded.len(), 2);
        let sum = Distribution::add(Some(&distribution), Some(&distribution)).expect("not empty");
        assert_eq!(sum.count, 4);
    }

    /// The stored-block zlib stream reads back with a real inflater, for empty, small and
    /// multi-block (over 64 KiB) payloads; the checksum is the one zlib computes.
    #[test]
    fn stored_zlib_streams_inflate_to_their_payload() {
        use std::io::Read;
        let big: Vec<u8> = (0..200_000u32)
            .map(|index| (index * 7 % 251) as u8)
            .collect();
        for payload in [Vec::new(), b"hdr".to_vec(), big] {
            let stream = zlib_stored(&payload);
            let mut inflated = Vec::new();
            flate2::read::ZlibDecoder::new(&stream[..])
                .read_to_end(&mut inflated)
                .expect("a valid zlib stream");
            assert_eq!(inflated, payload);
        }
        // Adler-32 of "Wikipedia", the worked example of the checksum's definition.
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn a_histogram_holding_the_largest_value_is_refused_not_a_panic() {
        let mut huge = Histogram::<u64>::new_with_bounds(1, u64::MAX, SIGNIFICANT_DIGITS)
            .expect("valid bounds");
        huge.record(u64::MAX).expect("in range");
        let mut plain = Vec::new();
        V2Serializer::new()
            .serialize(&huge, &mut plain)
            .expect("serializes");
        let crafted = Distribution {
            p50: 1,
            p90: 1,
            p99: 1,
            max: 1,
            count: 1,
            histogram: BASE64.encode(plain),
        };
        let decoded = std::panic::catch_unwind(|| crafted.decode());
        let decoded = decoded.expect("decoding does not panic");
        assert!(decoded.is_err(), "{decoded:?}");
        let summed = std::panic::catch_unwind(|| Distribution::add(Some(&crafted), None));
        assert_eq!(summed.expect("adding does not panic"), None);
    }

    /// What `encode` writes reads back through HdrHistogram's own deserializer.
    #[test]
    fn encoded_histograms_read_back_equal() {
        for values in [
            vec![1],
            (1..=1000).collect(),
            vec![5, 5, 5, 70_000, 3_600_000],
        ] {
            let histogram = intervals(&values).histogram();
            let encoded = Distribution::of(&histogram).expect("not empty").histogram;
            let bytes = BASE64.decode(encoded).expect("base64");
            let back: Histogram<u64> = Deserializer::new()
                .deserialize(&mut Cursor::new(bytes))
                .expect("an HdrHistogram");
            assert_eq!(back.len(), histogram.len(), "values {values:?}");
            for quantile in [0.0, 0.5, 0.9, 0.99, 1.0] {
                assert_eq!(
                    back.value_at_quantile(quantile),
                    histogram.value_at_quantile(quantile)
                );
            }
        }
    }

    /// One pass gives what `value_at_quantile` gives, and `Intervals::distribution` what
    /// `Distribution::of` of the histogram gives, for small, spilled and spread-out values.
    #[test]
    fn one_pass_percentiles_equal_hdrhistogram_quantiles() {
        let spread: Vec<u64> = (0..500u64)
            .map(|index| index * index * 37 % 9_000_001)
            .collect();
        let cases: [Vec<u64>; 8] = [
            vec![0],
            vec![7, 7, 7],
            vec![10_000, 30_000],
            (1..=1000).collect(),
            spread,
            // Empty buckets between counts: single ones and runs, across the spill boundary.
            (0..40).map(|index| index * index * 1_000).collect(),
            // The top of the range, where a bucket's end saturates.
            vec![u64::MAX - 1, 1 << 63, (1 << 62) + 12_345, 3],
            // (Not u64::MAX: `Distribution::of` cannot add a histogram holding it into a
            // canonical one.)
            vec![u64::MAX - 2, 255, 256, 511, 512],
        ];
        for values in cases {
            let recorded = intervals(&values);
            let histogram = recorded.histogram();
            let expected =
                [0.5, 0.9, 0.99, 1.0].map(|quantile| histogram.value_at_quantile(quantile));
            assert_eq!(
                quantiles(&histogram, [0.5, 0.9, 0.99, 1.0]),
                expected,
                "{values:?}"
            );
            assert_eq!(
                recorded.distribution(),
                Distribution::of(&histogram),
                "{values:?}"
            );
        }
        assert_eq!(Intervals::default().distribution(), None);
    }

    /// The bucket layout is hdrhistogram's at 2 digits: the same lowest and highest equivalent
    /// value for values at every bucket edge, and indexes that count them together.
    #[test]
    fn buckets_are_laid_out_as_hdrhistogram_lays_out_its_counts() {
        let histogram = empty_histogram();
        let mut values: Vec<u64> = (0..1_100).collect();
        for shift in 8..64 {
            let edge = 1u64 << shift;
            values.extend([edge - 1, edge, edge + 1, edge + edge / 3]);
        }
        values.extend([u64::MAX - 1, u64::MAX]);
        for value in values {
            assert_eq!(
                highest_equivalent(value),
                histogram.highest_equivalent(value),
                "{value}"
            );
            assert_eq!(
                value_at(index_of(value)),
                histogram.lowest_equivalent(value),
                "{value}"
            );
            let lowest = histogram.lowest_equivalent(value);
            assert_eq!(index_of(lowest), index_of(value), "{value}");
        }
    }
}
