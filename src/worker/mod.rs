//! The search worker: connects inputs, the scanner and the tallies. Plain files are mapped and
//! split into newline-aligned chunks that are scanned in parallel; streams (stdin, gzip, zstd,
//! pipes) are read in blocks with memory bounded by the longest line kept. Results come back
//! per input, in input order, whatever the thread count.
//!
//! An input may start past its beginning (`scan --state`): [`scan_inputs_from`] takes, per
//! input, the [`Resume`] point of the run before. A mapped file is then scanned from that
//! offset (the text before it still completes partial time stamps), a stream (gzip, zstd,
//! `--no-mmap`) skips that many decompressed bytes; line numbers and offsets go on from there.
//! Each outcome says where the next run resumes: the end of the last complete line.

mod ordered;
mod stream;

use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::escape::{MAX_SHOWN_BYTES, escape_bytes};
use crate::follow::{Identity, Resume};
use crate::input::{Input, InputError, Opened, open_file, open_path};
use crate::scan::{Code, Hit, HitSink, Scanner, SliceStart, count_newlines};
use crate::tally::{ChunkTally, FileStat, InputTally, Tally};
use crate::timestamp::{InputYears, Timestamp, TimestampContext};
use crate::vendor::Vendor;

/// How inputs are read and split.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Map plain files (true) or read them as streams.
    pub use_mmap: bool,
    /// Target size of the chunks a mapped file is split into for parallel scanning.
    pub chunk_bytes: usize,
    /// Block size for streams.
    pub block_bytes: usize,
    /// In streams, a line longer than this is matched on its first `max_line_bytes` only, so
    /// memory stays bounded whatever the input.
    pub max_line_bytes: usize,
    /// Keep one [`Event`] per hit (for NDJSON output).
    pub collect_events: bool,
    /// Told how many bytes were scanned, chunk by chunk (for a progress bar).
    pub progress: Option<ProgressHook>,
    /// Matches with a time before this are left out (`--since`).
    pub since: Option<Timestamp>,
    /// Matches with a time at or after this are left out (`--until`).
    pub until: Option<Timestamp>,
    /// Per input, the year of year-less stamps that nothing before them dates (`--year`, file
    /// modification times); none by default.
    pub years: InputYears,
    /// Find and record the time of each matched line (true by default). False only to measure
    /// what times cost: every match is then untimed, as on a log without stamps (see
    /// `ERRSCAN_MEASURE_NO_TIMES` in the README's Performance section).
    pub record_times: bool,
}

/// A callback told the number of bytes each scanned chunk held; called from worker threads.
#[derive(Clone)]
pub struct ProgressHook(pub Arc<dyn Fn(u64) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl Default for WorkerOptions {
    fn default() -> WorkerOptions {
        WorkerOptions {
            use_mmap: true,
            chunk_bytes: 8 * 1024 * 1024,
            block_bytes: 1024 * 1024,
            max_line_bytes: 16 * 1024 * 1024,
            collect_events: false,
            progress: None,
            since: None,
            until: None,
            years: InputYears::Unknown,
            record_times: true,
        }
    }
}

/// One hit with its location and the line's text, for event output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Display path of the input.
    pub path: Arc<str>,
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line's start.
    pub offset: u64,
    /// Vendor.
    pub vendor: Vendor,
    /// Code.
    pub code: Code,
    /// The line's own time stamp (completed from the text before it when partial), if any.
    pub time: Option<Timestamp>,
    /// The line, escaped and capped at 1 KiB.
    pub text: String,
}

/// What scanning one input gave.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    /// Counts for this input alone, including its [`FileStat`].
    pub tally: Tally,
    /// Events in line order (empty unless asked for).
    pub events: Vec<Event>,
    /// Where a next run resumes this input: its identity, the end of its last complete line
    /// and the lines before that. `None` for stdin, pipes and inputs that could not be opened.
    pub resume: Option<Resume>,
    /// Something the user should know that is not an error (the file was truncated since the
    /// offset given, so it was read from its start).
    pub warning: Option<String>,
}

impl FileOutcome {
    /// The input's stat.
    pub fn stat(&self) -> &FileStat {
        &self.tally.files[0]
    }
}

/// Scans every input, calling `on_file` once per input in input order. Inputs are scanned in
/// parallel on the current rayon pool, a bounded window at a time, so memory does not grow with
/// the number of inputs.
pub fn scan_inputs<F: FnMut(FileOutcome)>(
    scanner: &Scanner,
    inputs: &[Input],
    options: &WorkerOptions,
    on_file: F,
) {
    scan_inputs_from(scanner, inputs, &[], options, on_file);
}

/// Like [`scan_inputs`], with input `i` resumed at `starts[i]` (missing or `None`: from its
/// start).
pub fn scan_inputs_from<F: FnMut(FileOutcome)>(
    scanner: &Scanner,
    inputs: &[Input],
    starts: &[Option<Resume>],
    options: &WorkerOptions,
    mut on_file: F,
) {
    let window = rayon::current_num_threads().max(1) * 4;
    let indices: Vec<usize> = (0..inputs.len()).collect();
    for batch in indices.chunks(window) {
        let outcomes: Vec<FileOutcome> = batch
            .par_iter()
            .map(|&index| {
                let start = starts.get(index).copied().flatten();
                scan_input_from(scanner, &inputs[index], start, options)
            })
            .collect();
        outcomes.into_iter().for_each(&mut on_file);
    }
}

/// Scans one input.
pub fn scan_input(scanner: &Scanner, input: &Input, options: &WorkerOptions) -> FileOutcome {
    scan_input_from(scanner, input, None, options)
}

/// Scans one input from `start`: used only when the file opened has the identity `start`
/// names and is still at least that long, with a line ending just before the offset;
/// otherwise the file is read from its beginning (with a warning when it was truncated).
pub fn scan_input_from(
    scanner: &Scanner,
    input: &Input,
    start: Option<Resume>,
    options: &WorkerOptions,
) -> FileOutcome {
    let path: Arc<str> = Arc::from(input.display_path());
    let mut accumulator = Accumulator::new(Arc::clone(&path), options.progress.clone());
    let opened = match input {
        Input::Stdin => {
            crate::input::widen_pipe(&io::stdin());
            crate::input::open_stream(Box::new(io::stdin()))
                .map_err(|error| InputError::io("-", &error))
        }
        Input::Path(file) => {
            open_identified(file, &path, options.use_mmap).map(|(opened, identity)| {
                accumulator.identity = identity;
                opened
            })
        }
    };
    // Another file under the name (rotated since the plan was made): from its start.
    let start = start.filter(|start| accumulator.identity == Some(start.identity));
    match opened {
        Err(error) => accumulator.stat.error = Some(error.message),
        Ok(Opened::Skipped(reason)) => accumulator.stat.skipped = Some(reason.to_string()),
        Ok(Opened::Mapped(map)) => {
            let from = accumulator.begin_in(&map, start);
            scan_bytes(scanner, &map, from, options, Some(&map), &mut accumulator);
        }
        Ok(Opened::Bytes(bytes)) => {
            let from = accumulator.begin_in(&bytes, start);
            scan_bytes(scanner, &bytes, from, options, None, &mut accumulator);
        }
        Ok(Opened::Stream(mut reader)) => {
            let result = match (start, input) {
                (Some(start), Input::Path(file)) if start.offset > 0 => {
                    match skip_to_line_start(&mut reader, start.offset) {
                        Ok(true) => {
                            accumulator.begin_at(start);
                            Ok(reader)
                        }
                        // Shorter than the offset, or rewritten: read it again from the start.
                        Ok(false) => {
                            accumulator.warning = Some(truncated_warning(&path, start.offset));
                            reopen_stream(file, &path, options.use_mmap)
                        }
                        Err(error) => Err(error),
                    }
                }
                _ => Ok(reader),
            };
            let result = result
                .and_then(|reader| stream::scan_stream(scanner, reader, options, &mut accumulator));
            if let Err(error) = result {
                accumulator.stat.error = Some(crate::input::describe_io_error(&error));
            }
        }
    }
    accumulator.finish()
}

/// Opens a file and says which one it is (regular files only: a pipe has no offset to keep).
fn open_identified(
    file: &std::path::Path,
    path: &str,
    use_mmap: bool,
) -> Result<(Opened, Option<Identity>), InputError> {
    let error = |source: io::Error| InputError::io(path, &source);
    let handle = File::open(file).map_err(error)?;
    let metadata = handle.metadata().map_err(error)?;
    let identity = metadata.is_file().then(|| Identity::of(&metadata));
    Ok((open_file(handle, &metadata, path, use_mmap)?, identity))
}

/// Reopens a file as a stream from its start (after a failed skip).
fn reopen_stream(
    file: &std::path::Path,
    path: &str,
    use_mmap: bool,
) -> io::Result<Box<dyn Read + Send>> {
    match open_path(file, path, use_mmap) {
        Ok(Opened::Stream(reader)) => Ok(reader),
        Ok(Opened::Mapped(map)) => Ok(Box::new(io::Cursor::new(map.to_vec()))),
        Ok(Opened::Bytes(bytes)) => Ok(Box::new(io::Cursor::new(bytes))),
        Ok(Opened::Skipped(reason)) => Err(io::Error::other(reason)),
        Err(error) => Err(io::Error::other(error.message)),
    }
}

/// Reads and drops `offset` bytes; true when there were that many and the last was a newline
/// (so that reading goes on at a line start).
fn skip_to_line_start(reader: &mut Box<dyn Read + Send>, offset: u64) -> io::Result<bool> {
    let Some(before_last) = offset.checked_sub(1) else {
        return Ok(true);
    };
    let skipped = io::copy(&mut reader.by_ref().take(before_last), &mut io::sink())?;
    if skipped < before_last {
        return Ok(false);
    }
    let mut last = [0u8; 1];
    loop {
        match reader.read(&mut last) {
            Ok(0) => return Ok(false),
            Ok(_) => return Ok(last[0] == b'\n'),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// The warning for a file shorter than the offset read last time.
fn truncated_warning(path: &str, offset: u64) -> String {
    format!(
        "{path}: the file is shorter than the offset read last time ({offset}) or was rewritten; reading it from the start"
    )
}

/// Collects the chunk results of one input, in order.
struct Accumulator {
    path: Arc<str>,
    stat: FileStat,
    tally: InputTally,
    events: Vec<Event>,
    newlines: u64,
    ends_with_newline: bool,
    progress: Option<ProgressHook>,
    /// Lines before the first byte scanned (a resumed input).
    line_base: u64,
    /// Input offset of the end of what was added so far.
    position: u64,
    /// Input offset of the end of the last complete line added.
    consumed: u64,
    identity: Option<Identity>,
    warning: Option<String>,
}

impl Accumulator {
    fn new(path: Arc<str>, progress: Option<ProgressHook>) -> Accumulator {
        Accumulator {
            stat: FileStat {
                path: Arc::clone(&path),
                ..FileStat::default()
            },
            path,
            tally: InputTally::default(),
            events: Vec::new(),
            newlines: 0,
            ends_with_newline: true,
            progress,
            line_base: 0,
            position: 0,
            consumed: 0,
            identity: None,
            warning: None,
        }
    }

    /// Starts after `start`: line numbers and offsets go on from there.
    fn begin_at(&mut self, start: Resume) {
        self.line_base = start.lines;
        self.position = start.offset;
        self.consumed = start.offset;
    }

    /// Where bytes held in memory are scanned from: `start`'s offset when it lies within them
    /// just after a newline, else 0 (with a warning when a start was given).
    fn begin_in(&mut self, bytes: &[u8], start: Option<Resume>) -> usize {
        let Some(start) = start.filter(|start| start.offset > 0) else {
            return 0;
        };
        let offset = usize::try_from(start.offset).unwrap_or(usize::MAX);
        let is_line_start = offset
            .checked_sub(1)
            .and_then(|before| bytes.get(before))
            .is_some_and(|&byte| byte == b'\n');
        if !is_line_start {
            self.warning = Some(truncated_warning(&self.path, start.offset));
            return 0;
        }
        self.begin_at(start);
        offset
    }

    /// Counts bytes read but not scanned (the skipped tail of an over-long streamed line), up
    /// to and including its newline when `closes_line`.
    fn add_skipped(&mut self, bytes: u64, closes_line: bool) {
        self.stat.bytes += bytes;
        self.position += bytes;
        if closes_line {
            self.newlines += 1;
            self.consumed = self.position;
        }
        self.ends_with_newline = closes_line;
        if let Some(progress) = &self.progress {
            (progress.0)(bytes);
        }
    }

    /// Adds the result of the next chunk, which starts at input offset `byte_offset`; its line
    /// numbers are local (its first line is 1).
    fn add_chunk(&mut self, chunk: ChunkResult, bytes: &[u8], newlines: u64, byte_offset: u64) {
        let line_base = self.line_base + self.newlines;
        if let Some(last_newline) = memchr::memrchr(b'\n', bytes) {
            self.consumed = byte_offset + last_newline as u64 + 1;
        }
        self.position = byte_offset + bytes.len() as u64;
        self.stat.matches += chunk.tally.matches;
        self.tally.add_chunk(chunk.tally, line_base);
        self.events
            .extend(chunk.events.into_iter().map(|mut event| {
                event.line += line_base;
                event.offset += byte_offset;
                event
            }));
        self.newlines += newlines;
        self.stat.bytes += bytes.len() as u64;
        if let Some(progress) = &self.progress {
            (progress.0)(bytes.len() as u64);
        }
        if let Some(&last) = bytes.last() {
            self.ends_with_newline = last == b'\n';
        }
    }

    fn finish(mut self) -> FileOutcome {
        let partial_last_line = u64::from(!self.ends_with_newline);
        self.stat.lines = self.newlines + partial_last_line;
        let mut tally = self.tally.into_tally(&self.path);
        tally.files.push(self.stat);
        let resume = self.identity.map(|identity| Resume {
            identity,
            offset: self.consumed,
            lines: self.line_base + self.newlines,
        });
        FileOutcome {
            tally,
            events: self.events,
            resume,
            warning: self.warning,
        }
    }
}

/// The sink a chunk scan writes into: counts, and events when asked for. Each matched line's
/// time is parsed here, and only here, so lines without a hit cost nothing. Hits are dated in
/// batches (see [`ChunkSink::waiting`]) and counted once dated, since `--since` / `--until`
/// decide whether they count.
struct ChunkSink<'a> {
    tally: ChunkTally,
    events: Vec<Event>,
    path: Arc<str>,
    collect_events: bool,
    /// Completes partial stamps from the stamps of earlier hits in this chunk.
    times: TimestampContext,
    /// The input's bytes (or, for a stream piece, the piece's): the text around a line, for
    /// completing a partial stamp.
    text: &'a [u8],
    /// Where the chunk starts in `text`.
    chunk_start: usize,
    /// Where the text after the last line that resolved to a time starts in `text`: only that
    /// text can hold a full stamp nearer than the context's previous stamp.
    seen_up_to: usize,
    /// The previous hit's line (its start in `text`) and its time, for further hits on it.
    last_line: Option<(usize, Option<Timestamp>)>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
    record_times: bool,
    /// Hits waiting to be dated, with their lines' places in `text`, in line order. Dating a
    /// hit as the scanner finds it ran the stamp parsers between two of the scanner's searches:
    /// each evicted the other's code from the instruction cache (callgrind's cache simulation
    /// on the 100 MiB benchmark: 1.0 M instruction-cache misses without times, 2.4 M with
    /// times dated one by one, 1.1 M dated in batches), which made times cost about one point
    /// more than their instructions.
    waiting: Vec<(Hit, Range<usize>)>,
    /// The span of text after which the hits waiting are dated ([`DATING_BATCH_BYTES`]).
    batch_bytes: usize,
}

impl<'a> ChunkSink<'a> {
    /// A sink for the chunk that starts at `chunk_start` in `text`.
    fn new(
        path: &Arc<str>,
        options: &WorkerOptions,
        text: &'a [u8],
        chunk_start: usize,
    ) -> ChunkSink<'a> {
        ChunkSink {
            tally: ChunkTally::default(),
            events: Vec::new(),
            path: Arc::clone(path),
            collect_events: options.collect_events,
            times: TimestampContext::new(options.years.options_for(path)),
            text,
            chunk_start,
            seen_up_to: 0,
            last_line: None,
            since: options.since,
            until: options.until,
            record_times: options.record_times,
            waiting: Vec::new(),
            batch_bytes: DATING_BATCH_BYTES,
        }
    }
}

/// What a chunk scan found, no longer tied to the bytes.
struct ChunkResult {
    tally: ChunkTally,
    events: Vec<Event>,
}

impl ChunkSink<'_> {
    fn finish(mut self) -> ChunkResult {
        self.date_waiting();
        ChunkResult {
            tally: self.tally,
            events: self.events,
        }
    }
}

impl HitSink for ChunkSink<'_> {
    fn hit(&mut self, hit: Hit, line: &[u8]) {
        if !self.record_times {
            self.count(hit, line, None);
            return;
        }
        match self.place_in_text(line) {
            Some(place) => {
                if self.waiting.capacity() == 0 {
                    self.waiting.reserve(FIRST_WAITING);
                }
                let first = self
                    .waiting
                    .first()
                    .map_or(place.start, |(_, first)| first.start);
                let is_span_full = place.end.saturating_sub(first) > self.batch_bytes;
                self.waiting.push((hit, place));
                if is_span_full {
                    self.date_waiting();
                }
            }
            None => {
                // Not part of the text (no caller does this): dated at once, after the hits
                // before it, so that the hits stay in line order.
                self.date_waiting();
                self.date_and_count(hit, line);
            }
        }
    }
}

/// Room for this many hits is made at a chunk's first: a chunk of the 1 GiB benchmark has about
/// a thousand.
const FIRST_WAITING: usize = 256;

/// The hits waiting to be dated are dated once they span this many bytes of text (and at the
/// chunk's end): few enough that their lines, and the text before them that a partial stamp
/// looks back into, are still in the core's cache (L2 is 1 MiB here). Dating them all at the
/// chunk's end, 8 MiB later, cost more than dating each at once.
const DATING_BATCH_BYTES: usize = 256 * 1024;

impl<'a> ChunkSink<'a> {
    /// Where `line` lies in the text, if it is a part of it.
    fn place_in_text(&self, line: &[u8]) -> Option<Range<usize>> {
        let start = (line.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        let end = start.checked_add(line.len())?;
        (end <= self.text.len()).then_some(start..end)
    }

    /// Dates and counts the hits waiting, in order.
    fn date_waiting(&mut self) {
        let text = self.text;
        let mut waiting = std::mem::take(&mut self.waiting);
        for (hit, place) in waiting.drain(..) {
            self.date_and_count(hit, &text[place]);
        }
        self.waiting = waiting;
    }

    /// Finds the time of a hit's line and counts the hit, unless the time is outside
    /// `--since` / `--until`.
    fn date_and_count(&mut self, hit: Hit, line: &[u8]) {
        let line_start = usize::try_from(hit.byte_offset)
            .unwrap_or(usize::MAX)
            .saturating_add(self.chunk_start)
            .min(self.text.len());
        let time = match self.last_line {
            Some((start, time)) if start == line_start => time,
            _ => {
                let from = self.seen_up_to.min(line_start);
                let preceding = self.text.get(from..line_start).unwrap_or_default();
                // After the line's newline (`line` may be a window of a very long line).
                let line_end = line_start.saturating_add(line.len()).min(self.text.len());
                let newline = match self.text.get(line_end) {
                    Some(b'\n') => Some(0),
                    _ => memchr::memchr(b'\n', &self.text[line_end..]),
                };
                let following = newline
                    .and_then(|newline| self.text.get(line_end + newline + 1..))
                    .unwrap_or_default();
                let time = self.times.line_around(line, preceding, following);
                // A line that resolved is now the context's previous stamp, so nothing before
                // it can be nearer; a line without a time leaves the text before it unread.
                if time.is_some() {
                    self.seen_up_to = line_start.saturating_add(line.len());
                }
                self.last_line = Some((line_start, time));
                time
            }
        };
        if let Some(time) = time {
            let too_early = self.since.is_some_and(|since| time < since);
            let too_late = self.until.is_some_and(|until| time >= until);
            if too_early || too_late {
                return;
            }
        }
        self.count(hit, line, time);
    }

    /// Counts a hit (and keeps its event when asked to).
    fn count(&mut self, hit: Hit, line: &[u8], time: Option<Timestamp>) {
        if self.collect_events {
            self.events.push(Event {
                path: Arc::clone(&self.path),
                line: hit.line_number,
                offset: hit.byte_offset,
                vendor: hit.vendor,
                code: hit.code.clone(),
                time,
                text: escape_bytes(line, MAX_SHOWN_BYTES),
            });
        }
        self.tally.timed_hit(hit, time);
    }
}

/// Fills in the page tables of `range` of a mapped file before it is scanned, on the thread
/// that scans it. Mapping with `MAP_POPULATE` did this for the whole file in `mmap` itself, on
/// one thread and before any scanning; faulting page by page during the scan was slower still.
/// Only a hint: on failure (kernels before 5.14) the pages fault in as they are read.
fn populate(map: &memmap2::Mmap, range: Range<usize>) {
    #[cfg(target_os = "linux")]
    {
        let _ = map.advise_range(memmap2::Advice::PopulateRead, range.start, range.len());
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (map, range);
}

/// Releases the page tables of `range` of a mapped file once it is scanned and folded, on the
/// thread that folded it. Unmapping a 1 GiB map whose page tables are all filled in took about
/// 40 ms, on one thread after the scan; released chunk by chunk, that work is spread over the
/// scan and done beside the other threads' scanning. Only a hint: the bytes stay mapped, and
/// reading them again faults them in again from the page cache.
fn release(map: &memmap2::Mmap, range: Range<usize>) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: the map is private and never written, so dropping its pages loses nothing:
        // a later read of them faults in the file's bytes again, as the first read did.
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, range.start, range.len())
        };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (map, range);
}

/// Scans bytes held in memory from offset `from` (a line start): split into newline-aligned
/// chunks scanned in parallel. When the bytes are those of `map`, each chunk's page tables are
/// filled in on the thread about to scan it (see [`populate`]) and released once the chunk after
/// it is folded (see [`release`]).
fn scan_bytes(
    scanner: &Scanner,
    bytes: &[u8],
    from: usize,
    options: &WorkerOptions,
    map: Option<&memmap2::Mmap>,
    accumulator: &mut Accumulator,
) {
    let from = from.min(bytes.len());
    let chunks: Vec<Range<usize>> = split_at_newlines(&bytes[from..], options.chunk_bytes)
        .into_iter()
        .map(|range| range.start + from..range.end + from)
        .collect();
    let path = Arc::clone(&accumulator.path);
    let scan_chunk = |range: &Range<usize>| {
        if let Some(map) = map {
            populate(map, range.clone());
        }
        let mut sink = ChunkSink::new(&path, options, bytes, range.start);
        let stats = scanner.scan_slice(&bytes[range.clone()], SliceStart::INPUT_START, &mut sink);
        (sink.finish(), stats.newlines)
    };
    // Chunks are folded in order as they come, a bounded window ahead of the fold: every chunk
    // result holds per-code counts and times, and a whole file's worth alive at once would grow
    // memory with the file's size.
    let window = rayon::current_num_threads().max(1) * 4;
    ordered::scan_in_order(
        chunks.len(),
        window,
        |index| scan_chunk(&chunks[index]),
        |index, (result, newlines)| {
            let range = chunks[index].clone();
            accumulator.add_chunk(result, &bytes[range.clone()], newlines, range.start as u64);
            // The chunk before is done with: the chunks still scanning look back at most a few
            // KiB before their start, into this one.
            if let (Some(map), Some(before)) = (map, index.checked_sub(1)) {
                release(map, chunks[before].clone());
            }
        },
    );
}

/// Splits `bytes` into ranges of about `target` bytes, each ending just after a newline (the
/// last one at the end). Never returns an empty list.
pub fn split_at_newlines(bytes: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut ranges = Vec::with_capacity(bytes.len() / target + 1);
    let mut start = 0;
    while bytes.len() - start > target {
        let probe = start + target;
        match memchr::memchr(b'\n', &bytes[probe..]) {
            Some(index) => {
                let end = probe + index + 1;
                ranges.push(start..end);
                start = end;
            }
            None => break,
        }
    }
    if start < bytes.len() || ranges.is_empty() {
        ranges.push(start..bytes.len());
    }
    ranges
}

/// Counts the lines of bytes the way the scanner does (newlines, plus a last line without one).
pub fn count_lines(bytes: &[u8]) -> u64 {
    count_newlines(bytes) + u64::from(bytes.last().is_some_and(|&last| last != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_after_newlines_and_cover_everything() {
        let text = b"aaa\nbb\ncccc\nd";
        for target in 1..16 {
            let ranges = split_at_newlines(text, target);
            assert_eq!(ranges.first().unwrap().start, 0);
            assert_eq!(ranges.last().unwrap().end, text.len());
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert_eq!(text[pair[0].end - 1], b'\n');
            }
        }
        assert_eq!(split_at_newlines(b"", 4), vec![0..0]);
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::patterns::PatternSet;

    /// A mapped file scanned in small chunks, each chunk's pages released once the next is
    /// folded while later chunks still look back before their start, gives what one chunk
    /// gives: the same counts, times and events.
    #[test]
    fn releasing_pages_of_folded_chunks_changes_nothing() {
        let catalog = Catalog::builtin();
        let mut log = Vec::new();
        crate::synth::generate(&mut log, 1024 * 1024, 11, &catalog).expect("generated");
        let path = std::env::temp_dir().join(format!("errscan-release-{}.log", std::process::id()));
        let scanner = Scanner::new(&PatternSet::builtin(), Arc::new(catalog), &[]).expect("builds");
        let scan = |chunk_bytes: usize| {
            let options = WorkerOptions {
                chunk_bytes,
                collect_events: true,
                ..WorkerOptions::default()
            };
            let outcome = scan_input(&scanner, &crate::input::Input::Path(path.clone()), &options);
            let events: Vec<(u64, Option<String>)> = outcome
                .events
                .iter()
                .map(|event| (event.line, event.time.map(|time| time.to_string())))
                .collect();
            (outcome.tally, events)
        };
        // The file is removed before any assertion, so a failure leaves nothing behind.
        std::fs::write(&path, &log).expect("written");
        let whole = scan(usize::MAX / 2);
        let chunked: Vec<_> = [4096, 10_000, 100_000]
            .into_iter()
            .map(|chunk_bytes| (chunk_bytes, scan(chunk_bytes)))
            .collect();
        let _ = std::fs::remove_file(&path);
        assert!(whole.1.len() > 50 && whole.1.iter().any(|(_, time)| time.is_some()));
        for (chunk_bytes, chunked) in chunked {
            assert_eq!(chunked, whole, "chunks of {chunk_bytes} bytes");
        }
    }

    /// The counts and events of one chunk, its hits dated in batches spanning `batch_bytes`.
    fn scan_batched(
        scanner: &Scanner,
        log: &[u8],
        options: &WorkerOptions,
        batch_bytes: usize,
    ) -> (Tally, Vec<Event>) {
        let path: Arc<str> = Arc::from("x.log");
        let mut sink = ChunkSink::new(&path, options, log, 0);
        sink.batch_bytes = batch_bytes;
        scanner.scan_slice(log, SliceStart::INPUT_START, &mut sink);
        let result = sink.finish();
        let mut tally = Tally::default();
        result.tally.add_into(&mut tally, &path, 0);
        (tally, result.events)
    }

    /// Dating hits one by one (a span of 0 bytes), in batches of any span or all at the chunk's
    /// end gives the same counts, times and events, also when `--since` / `--until` leave hits
    /// out and when partial stamps look back past the start of a batch.
    #[test]
    fn dating_in_batches_of_any_span_changes_nothing() {
        let catalog = Catalog::builtin();
        let mut log = Vec::new();
        crate::synth::generate(&mut log, 2 * 1024 * 1024, 5, &catalog).expect("generated");
        let scanner = Scanner::new(&PatternSet::builtin(), Arc::new(catalog), &[]).expect("builds");
        let mut options = WorkerOptions {
            collect_events: true,
            ..WorkerOptions::default()
        };
        let (_, all) = scan_batched(&scanner, &log, &options, 0);
        let mut times: Vec<Timestamp> = all.iter().filter_map(|event| event.time).collect();
        times.sort_unstable();
        assert!(times.len() > 100, "{} timed hits", times.len());
        options.since = Some(times[times.len() / 4]);
        options.until = Some(times[times.len() * 3 / 4]);
        let one_by_one = scan_batched(&scanner, &log, &options, 0);
        let kept = one_by_one.1.len();
        assert!(
            kept > 50 && kept < all.len() / 2 + 50,
            "{kept} of {}",
            all.len()
        );
        for batch_bytes in [1, 300, 4096, 65_536, DATING_BATCH_BYTES, usize::MAX] {
            let batched = scan_batched(&scanner, &log, &options, batch_bytes);
            assert_eq!(batched, one_by_one, "batches spanning {batch_bytes} bytes");
        }
    }

    /// A hit whose line is not part of the chunk's text (no caller gives one) is dated at once,
    /// after the hits waiting before it and before the hits after it: the time-only stamp of
    /// the last line takes its date from it (hand-checked: 1 hour or more before 23:59:00 is
    /// the next day), where the first line would give 2024-03-21.
    #[test]
    fn a_line_outside_the_text_is_dated_in_its_turn() {
        let text = b"2024-03-21T10:00:00.000Z errorCode=1007\n[10:00:05:0000] errorCode=1007\n";
        let other = b"2024-03-22T23:59:00.000Z errorCode=1007".to_vec();
        let first_line = &text[..39];
        let last_start = 40;
        let last_line = &text[last_start..text.len() - 1];
        let options = WorkerOptions {
            collect_events: true,
            ..WorkerOptions::default()
        };
        let path: Arc<str> = Arc::from("x.log");
        let mut sink = ChunkSink::new(&path, &options, text, 0);
        let hit = |line_number: u64, byte_offset: u64| Hit {
            vendor: Vendor::BigBlueButton,
            code: Code::Unknown(Arc::from("1007")),
            line_number,
            byte_offset,
        };
        sink.hit(hit(1, 0), first_line);
        sink.hit(hit(2, 39), &other);
        sink.hit(hit(3, last_start as u64), last_line);
        let times: Vec<(u64, Option<String>)> = (sink.finish().events.iter())
            .map(|event| (event.line, event.time.map(|time| time.to_string())))
            .collect();
        let expected = [
            (1, "2024-03-21T10:00:00.000Z"),
            (2, "2024-03-22T23:59:00.000Z"),
            (3, "2024-03-23T10:00:05.000Z"),
        ];
        let expected: Vec<(u64, Option<String>)> = (expected.iter())
            .map(|&(line, time)| (line, Some(time.to_string())))
            .collect();
        assert_eq!(times, expected);
    }

    /// Hand-checked: the time-only BBB stamps take their date from the sip.js line before them,
    /// also when that line lies in an earlier chunk (every chunk size down to one byte).
    #[test]
    fn event_times_are_completed_from_text_before_the_chunk() {
        let log = b"[10:14:57:0611] INFO: clientLogger: Client loaded\n\
sip.js?v=1114:9602 Thu Mar 21 2024 10:14:59 GMT+0000 | sip.Transport | Connecting\n\
[10:15:01:0882] ERROR: clientLogger: Audio error - errorCode=1007, cause=ICE\n\
no stamp: errorCode=1010 here\n\
[00:00:02:0100] ERROR: clientLogger: Audio error - errorCode=1010, cause=ICE\n";
        let scanner = Scanner::new(&PatternSet::builtin(), Arc::new(Catalog::builtin()), &[])
            .expect("builds");
        for chunk_bytes in 1..=log.len() {
            let options = WorkerOptions {
                chunk_bytes,
                collect_events: true,
                ..WorkerOptions::default()
            };
            let mut accumulator = Accumulator::new(Arc::from("x.log"), None);
            scan_bytes(&scanner, log, 0, &options, None, &mut accumulator);
            let outcome = accumulator.finish();
            let times: Vec<(u64, Option<String>)> = outcome
                .events
                .iter()
                .map(|event| (event.line, event.time.map(|time| time.to_string())))
                .collect();
            let line_3 = Some("2024-03-21T10:15:01.088Z".to_string());
            assert_eq!(times[0], (3, line_3), "chunk {chunk_bytes}");
            assert_eq!(times[1], (4, None), "chunk {chunk_bytes}");
            // After midnight: the next day. Completed from the sip.js line when the chunk starts
            // after line 3, from line 3's time when both are in one chunk: the same answer.
            let line_5 = Some("2024-03-22T00:00:02.010Z".to_string());
            assert_eq!(times[2], (5, line_5), "chunk {chunk_bytes}");
        }
    }
}
