//! Counts by (vendor, code) and per file, with the first location of each code, overall and per
//! input. Every field is a sum or a minimum, so tallies merge with `+=` in any order and give the
//! same result.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::AddAssign;
use std::sync::Arc;

/// The maps counts and the catalog's indexes are kept in: std's `HashMap` with aHash instead of
/// SipHash. Every hit and, per chunk, every code is a lookup with a code (and a path) for key;
/// SipHash was 2 % of a scan's instructions. aHash is keyed at random per process like std's,
/// so crafted log lines cannot force collisions.
pub type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

use crate::scan::{Code, Hit, HitSink};
use crate::timeline::CodeTimes;
use crate::timestamp::Timestamp;
use crate::vendor::Vendor;

/// Where a code was seen. Ordered by (path, line), which makes "first" independent of thread
/// count, shard order and merge order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The input's display path (`-` for stdin).
    pub path: Arc<str>,
    /// 1-based line number.
    pub line: u64,
}

/// How often one code was seen and where first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeStat {
    /// Number of lines carrying the code.
    pub count: u64,
    /// The smallest location.
    pub first: Location,
}

impl CodeStat {
    fn absorb(&mut self, other: &CodeStat) {
        self.count += other.count;
        if other.first < self.first {
            self.first = other.first.clone();
        }
    }
}

/// What happened to one input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileStat {
    /// The display path.
    pub path: Arc<str>,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Hits (known and unknown).
    pub matches: u64,
    /// Why the file could not be read (or was only partly read), if so.
    pub error: Option<String>,
    /// Why the file was skipped without being an error (for example a binary file).
    pub skipped: Option<String>,
}

/// The counts of a run, or of a part of one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Per (vendor, code).
    pub codes: FastMap<(Vendor, Code), CodeStat>,
    /// Per input, in no particular order (reports sort).
    pub files: Vec<FileStat>,
    /// Per (input path, vendor, code): the count in that input and the first line there. The
    /// per-file formats (SARIF, GitHub annotations) aggregate on this.
    pub by_file: FastMap<(Arc<str>, Vendor, Code), CodeStat>,
    /// Per (vendor, code): when it was seen (see [`crate::timeline`]).
    pub times: FastMap<(Vendor, Code), CodeTimes>,
}

impl Tally {
    /// Total hits.
    pub fn matches(&self) -> u64 {
        self.codes.values().map(|stat| stat.count).sum()
    }

    /// Hits whose code the catalog does not know.
    pub fn unknown(&self) -> u64 {
        self.codes
            .iter()
            .filter(|((_, code), _)| matches!(code, Code::Unknown(_)))
            .map(|(_, stat)| stat.count)
            .sum()
    }

    /// Adds one code occurrence (without a time).
    pub fn add(&mut self, vendor: Vendor, code: Code, location: Location) {
        self.times
            .entry((vendor, code.clone()))
            .or_default()
            .record(None);
        let stat = CodeStat {
            count: 1,
            first: location,
        };
        self.add_file_stat(vendor, code.clone(), &stat);
        self.add_stat(vendor, code, &stat);
    }

    /// Adds a stat whose lines all lie in one input (`stat.first.path`) to `by_file`.
    fn add_file_stat(&mut self, vendor: Vendor, code: Code, stat: &CodeStat) {
        let key = (Arc::clone(&stat.first.path), vendor, code);
        absorb_into(&mut self.by_file, key, stat);
    }

    fn add_stat(&mut self, vendor: Vendor, code: Code, stat: &CodeStat) {
        absorb_into(&mut self.codes, (vendor, code), stat);
    }
}

impl AddAssign<&Tally> for Tally {
    fn add_assign(&mut self, other: &Tally) {
        for ((vendor, code), stat) in &other.codes {
            self.add_stat(*vendor, code.clone(), stat);
        }
        for (key, stat) in &other.by_file {
            absorb_into(&mut self.by_file, key.clone(), stat);
        }
        self.files.extend(other.files.iter().cloned());
        for (key, times) in &other.times {
            *self.times.entry(key.clone()).or_default() += times;
        }
    }
}

impl AddAssign for Tally {
    /// As `+= &other`, moving `other`'s entries where `self` has none instead of copying them: a
    /// run adds each input's tally into its own, and the first input's costs nothing per code.
    fn add_assign(&mut self, other: Tally) {
        add_owned(&mut self.codes, other.codes, CodeStat::absorb);
        add_owned(&mut self.by_file, other.by_file, CodeStat::absorb);
        self.files.extend(other.files);
        add_owned(&mut self.times, other.times, |mine, theirs| *mine += theirs);
    }
}

/// Adds every entry of `other` into `map`: with `add` where `map` has the key, moved where not.
fn add_owned<K: std::hash::Hash + Eq, V>(
    map: &mut FastMap<K, V>,
    other: FastMap<K, V>,
    add: impl Fn(&mut V, &V),
) {
    for (key, value) in other {
        match map.entry(key) {
            Entry::Occupied(mut entry) => add(entry.get_mut(), &value),
            Entry::Vacant(entry) => {
                entry.insert(value);
            }
        }
    }
}

fn absorb_into<K: std::hash::Hash + Eq>(map: &mut FastMap<K, CodeStat>, key: K, stat: &CodeStat) {
    match map.get_mut(&key) {
        Some(existing) => existing.absorb(stat),
        None => {
            map.insert(key, stat.clone());
        }
    }
}

/// Counts the hits of one input (or one chunk of it) with line numbers local to the chunk.
#[derive(Debug, Clone, Default)]
pub struct ChunkTally {
    /// Per (vendor, code): everything the chunk knows of it but its times, in one entry so that
    /// a hit costs one hash lookup.
    pub codes: FastMap<(Vendor, Code), ChunkCode>,
    /// The times of the timed hits, in line order, each with its code's
    /// [`slot`](ChunkCode::slot). Recorded into the input's [`CodeTimes`] when the chunk is
    /// added ([`InputTally::add_chunk`]), where the intervals run on from the chunk before:
    /// cheaper than a `CodeTimes` per chunk and code that is then added to the input's. One
    /// list for the chunk rather than one per code: a list per code was allocated, grown and
    /// freed per code and chunk, and the allocator's work was a tenth of the cost of times on
    /// the 1 GiB benchmark.
    times: Vec<(usize, Timestamp)>,
    /// Hits.
    pub matches: u64,
}

/// Room for this many times is made at a chunk's first time: a chunk of the 1 GiB benchmark
/// has about a thousand, and growing the list from one time on took nine copies (from 256,
/// two).
const FIRST_TIMES: usize = 1024;

/// What one chunk saw of one code, but its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkCode {
    /// Lines carrying it.
    pub count: u64,
    /// The smallest local line number.
    pub first_line: u64,
    /// Lines carrying it without a time.
    pub untimed: u64,
    /// The code's place among the chunk's codes in the order of their first hits (0, 1, …):
    /// its times are the chunk's times with this slot.
    pub slot: usize,
}

impl HitSink for ChunkTally {
    /// Counts a hit whose time is not known.
    fn hit(&mut self, hit: Hit, _line: &[u8]) {
        self.timed_hit(hit, None);
    }
}

impl ChunkTally {
    /// Counts a hit with its line's time, if the line has one.
    pub fn timed_hit(&mut self, hit: Hit, time: Option<Timestamp>) {
        self.matches += 1;
        let slot = self.codes.len();
        let entry = self
            .codes
            .entry((hit.vendor, hit.code))
            .or_insert_with(|| ChunkCode {
                count: 0,
                first_line: hit.line_number,
                untimed: 0,
                slot,
            });
        entry.count += 1;
        entry.first_line = entry.first_line.min(hit.line_number);
        match time {
            Some(time) => {
                if self.times.capacity() == 0 {
                    self.times.reserve(FIRST_TIMES);
                }
                self.times.push((entry.slot, time));
            }
            None => entry.untimed += 1,
        }
    }

    /// Moves the chunk's counts into `tally` as those of a whole input, `path`, with
    /// `line_base` added to its line numbers. For an input scanned in several chunks, add them
    /// to an [`InputTally`] instead, which measures intervals across chunk boundaries.
    pub fn add_into(self, tally: &mut Tally, path: &Arc<str>, line_base: u64) {
        let mut input = InputTally::default();
        input.add_chunk(self, line_base);
        *tally += input.into_tally(path);
    }
}

/// The counts of one input while its chunks are added in order: one entry per code holding
/// everything known of it, so that adding a chunk costs one lookup per code it saw. Made into a
/// [`Tally`] once the input is done.
#[derive(Debug, Clone, Default)]
pub struct InputTally {
    /// Where each code's entry is in `codes`.
    places: FastMap<(Vendor, Code), usize>,
    codes: Vec<InputCode>,
    /// For the chunk being added: the place in `codes` of each of its slots.
    slot_places: Vec<usize>,
}

/// What one input saw of one code so far.
#[derive(Debug, Clone)]
struct InputCode {
    key: (Vendor, Code),
    count: u64,
    /// The smallest line number.
    first_line: u64,
    times: CodeTimes,
    /// The time of the last timed match recorded in `times`, which the next interval is
    /// measured from.
    last_time: Option<Timestamp>,
    /// Times after `last_time`, in line order, not yet recorded (see [`PENDING_TIMES`]).
    pending: Vec<Timestamp>,
}

/// How many times of a code are gathered before they are recorded. Recording one time touches
/// the code's per-minute list and a bucket of its histogram, which are rarely still in the cache
/// after the rest of a chunk's codes; a chunk has only a few times of most codes, so recording
/// them chunk by chunk missed the cache on nearly every time (half the cost of recording
/// times on the 1 GiB benchmark). Gathered, the misses are paid once per batch.
const PENDING_TIMES: usize = 64;

impl InputCode {
    /// Records the pending times.
    fn record_pending(&mut self) {
        for &time in &self.pending {
            self.times.record(Some(time));
            if let Some(previous) = self.last_time {
                self.times.intervals.record(interval_millis(previous, time));
            }
            self.last_time = Some(time);
        }
        self.pending.clear();
    }
}

impl InputTally {
    /// Adds the next chunk of the input, whose line numbers are local (its first line is 1) and
    /// start after `line_base` lines. Chunks must be added in order: the interval from the
    /// previous chunk's last time of a code to this chunk's first is recorded here.
    pub fn add_chunk(&mut self, chunk: ChunkTally, line_base: u64) {
        self.slot_places.clear();
        self.slot_places.resize(chunk.codes.len(), usize::MAX);
        for (key, chunk_code) in chunk.codes {
            let first_line = chunk_code.first_line + line_base;
            let place = match self.places.entry(key) {
                Entry::Occupied(entry) => *entry.get(),
                Entry::Vacant(entry) => {
                    self.codes.push(InputCode {
                        key: entry.key().clone(),
                        count: 0,
                        first_line,
                        times: CodeTimes::default(),
                        last_time: None,
                        pending: Vec::new(),
                    });
                    *entry.insert(self.codes.len() - 1)
                }
            };
            let code = &mut self.codes[place];
            code.count += chunk_code.count;
            code.first_line = code.first_line.min(first_line);
            code.times.untimed += chunk_code.untimed;
            if let Some(slot_place) = self.slot_places.get_mut(chunk_code.slot) {
                *slot_place = place;
            }
        }
        for (slot, time) in chunk.times {
            let place = self.slot_places.get(slot).copied().unwrap_or(usize::MAX);
            let Some(code) = self.codes.get_mut(place) else {
                continue;
            };
            if code.pending.capacity() == 0 {
                // All the room a batch needs at once, rather than growing to it in five steps.
                code.pending.reserve_exact(PENDING_TIMES);
            }
            code.pending.push(time);
            if code.pending.len() >= PENDING_TIMES {
                code.record_pending();
            }
        }
    }

    /// The counts of the input, `path`.
    pub fn into_tally(self, path: &Arc<str>) -> Tally {
        let mut tally = Tally::default();
        tally.codes.reserve(self.codes.len());
        tally.by_file.reserve(self.codes.len());
        tally.times.reserve(self.codes.len());
        for mut input in self.codes {
            input.record_pending();
            let (vendor, code) = input.key;
            let stat = CodeStat {
                count: input.count,
                first: Location {
                    path: Arc::clone(path),
                    line: input.first_line,
                },
            };
            tally
                .by_file
                .insert((Arc::clone(path), vendor, code.clone()), stat.clone());
            tally.codes.insert((vendor, code.clone()), stat);
            tally.times.insert((vendor, code), input.times);
        }
        tally
    }
}

/// The milliseconds between two times, whichever comes first.
fn interval_millis(a: Timestamp, b: Timestamp) -> u64 {
    a.unix_millis().abs_diff(b.unix_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(path: &str, line: u64) -> Location {
        Location {
            path: Arc::from(path),
            line,
        }
    }

    fn sample(parts: &[(&str, u64, u32)]) -> Tally {
        let mut tally = Tally::default();
        for &(path, line, code) in parts {
            tally.add(
                Vendor::BigBlueButton,
                Code::Known(code),
                location(path, line),
            );
        }
        tally
    }

    #[test]
    fn merging_is_commutative_and_associative() {
        let a = sample(&[("b.log", 5, 1), ("b.log", 9, 2)]);
        let b = sample(&[("a.log", 7, 1)]);
        let c = sample(&[("a.log", 3, 2), ("c.log", 1, 1)]);
        let mut left = a.clone();
        left += &b;
        left += &c;
        let mut right = c.clone();
        let mut inner = b.clone();
        inner += &a;
        right += &inner;
        assert_eq!(left.codes, right.codes);
        assert_eq!(left.by_file, right.by_file);
        let in_a = &left.by_file[&(Arc::from("a.log"), Vendor::BigBlueButton, Code::Known(1))];
        assert_eq!((in_a.count, in_a.first.line), (1, 7));
        let in_b = &left.by_file[&(Arc::from("b.log"), Vendor::BigBlueButton, Code::Known(2))];
        assert_eq!((in_b.count, in_b.first.line), (1, 9));
        let first_of_1 = &left.codes[&(Vendor::BigBlueButton, Code::Known(1))];
        assert_eq!(first_of_1.count, 3);
        assert_eq!(first_of_1.first, location("a.log", 7));
        assert_eq!(left.matches(), 5);
    }

    #[test]
    fn chunk_lines_are_shifted_by_the_base() {
        let mut chunk = ChunkTally::default();
        let hit = Hit {
            vendor: Vendor::Jitsi,
            code: Code::Unknown(Arc::from("conference.x")),
            line_number: 4,
            byte_offset: 0,
        };
        chunk.hit(hit, b"");
        let mut tally = Tally::default();
        chunk.add_into(&mut tally, &Arc::from("x.log"), 100);
        let stat = tally.codes.values().next().unwrap();
        assert_eq!(stat.first.line, 104);
        assert_eq!(tally.unknown(), 1);
    }

    /// An input's times of one code, split into chunks every way from one line a chunk to all
    /// in one, give the same counts, per-minute grid and intervals as recording them one by one
    /// in line order; more times than are gathered before recording ([`PENDING_TIMES`]), and
    /// some lines without a time.
    #[test]
    fn chunks_give_the_times_of_the_whole_input_in_line_order() {
        let path: Arc<str> = Arc::from("x.log");
        let keys = [
            (Vendor::Jitsi, Code::Known(3)),
            (Vendor::Jitsi, Code::Unknown(Arc::from("x"))),
            (Vendor::ZegoCloud, Code::Known(3)),
        ];
        // Line i carries code `code_of(i)`, in an irregular order so that the codes come first
        // in a different order in different chunks, at a time that mostly grows, sometimes
        // steps back, sometimes repeats.
        let code_of = |i: usize| (i / 4 + i % 5) % keys.len();
        let times: Vec<Option<Timestamp>> = (0..300i64)
            .map(|i| {
                (i % 17 != 5).then(|| {
                    Timestamp::from_unix_millis(1_700_000_000_000 + i * 7_919 % 50_000 * i)
                })
            })
            .collect();
        let mut expected = vec![CodeTimes::default(); keys.len()];
        let mut previous = vec![None; keys.len()];
        for (line, &time) in times.iter().enumerate() {
            let code = code_of(line);
            expected[code].record(time);
            if let (Some(previous), Some(time)) = (previous[code], time) {
                expected[code]
                    .intervals
                    .record(interval_millis(previous, time));
            }
            previous[code] = time.or(previous[code]);
        }
        for lines_per_chunk in [1, 2, 5, 63, 64, 65, 100, 300] {
            let mut input = InputTally::default();
            for (index, chunk_times) in times.chunks(lines_per_chunk).enumerate() {
                let mut chunk = ChunkTally::default();
                for (line, &time) in chunk_times.iter().enumerate() {
                    let key = &keys[code_of(index * lines_per_chunk + line)];
                    let hit = Hit {
                        vendor: key.0,
                        code: key.1.clone(),
                        line_number: line as u64 + 1,
                        byte_offset: 0,
                    };
                    chunk.timed_hit(hit, time);
                }
                input.add_chunk(chunk, (index * lines_per_chunk) as u64);
            }
            let tally = input.into_tally(&path);
            for (code, key) in keys.iter().enumerate() {
                let got = &tally.times[key];
                assert_eq!(
                    got, &expected[code],
                    "{lines_per_chunk} lines a chunk, {key:?}"
                );
                let lines = (0..300).filter(|&line| code_of(line) == code);
                assert_eq!(tally.codes[key].count, lines.clone().count() as u64);
                let first = lines.clone().next().expect("every code has lines") as u64 + 1;
                assert_eq!(tally.codes[key].first.line, first);
            }
            let intervals: u64 = keys
                .iter()
                .map(|key| tally.times[key].intervals.count())
                .sum();
            // 282 timed lines (18 of the 300 have no time), one interval fewer per code.
            assert_eq!(intervals, 282 - keys.len() as u64);
        }
    }
}
