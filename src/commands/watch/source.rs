//! One input of `errscan watch` (stdin or a followed name): its partial line, line numbers,
//! offsets and per-file rows, and the scanning of what it reads, line by line as it comes or in
//! parallel batches when input queues up, with the events written in input order.

use std::sync::Arc;
use std::sync::mpsc;

use super::{Live, warn};
use crate::batch::{self, BatchHit, ScannedSlice};
use crate::escape::{MAX_SHOWN_BYTES, escape_bytes};
use crate::follow::{FollowEvent, Identity};
use crate::scan::{Code, Hit, HitSink, Scanner, SliceStart};
use crate::tally::{FileStat, Location};
use crate::timestamp::{TimestampContext, TimestampOptions};
use crate::worker::Event;

/// Whole lines waiting in at least this many bytes are scanned on every core (a full pipe, a
/// file being caught up); less is scanned on the main thread as it comes.
const PARALLEL_MIN_BYTES: usize = 128 * 1024;

/// The size of the newline-aligned pieces a batch is cut into for parallel scanning.
const PIECE_BYTES: usize = 64 * 1024;

/// A line longer than this is matched on its first `MAX_LINE_BYTES` only; the rest of it is
/// skipped up to its newline, so a line without end cannot grow memory without bound.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Receives the hits of one piece of one source.
struct LiveSink<'a> {
    live: &'a mut Live,
    path: &'a Arc<str>,
    times: &'a mut TimestampContext,
    /// The complete lines scanned, and the input offset of their first byte.
    piece: &'a [u8],
    piece_offset: u64,
    matches: u64,
}

impl HitSink for LiveSink<'_> {
    fn hit(&mut self, hit: Hit, line: &[u8]) {
        let live = &mut *self.live;
        if live.has_tripped || live.write_error.is_some() {
            return;
        }
        self.matches += 1;
        let line_start = usize::try_from(hit.byte_offset.saturating_sub(self.piece_offset))
            .unwrap_or(usize::MAX)
            .min(self.piece.len());
        let preceding = self.piece.get(..line_start).unwrap_or_default();
        let time = self.times.line_after(line, preceding);
        live.tally.add(
            hit.vendor,
            hit.code.clone(),
            Location {
                path: Arc::clone(self.path),
                line: hit.line_number,
            },
        );
        let is_first_of_key = live.exit_on_first.as_ref().is_some_and(|key| {
            let code = &hit.code;
            let (text, known) = match code {
                Code::Known(id) => {
                    let entry = live.catalog.entry(*id);
                    (entry.code.as_str(), Some((entry.category, entry.severity)))
                }
                Code::Unknown(text) => (&**text, None),
            };
            key.matches(hit.vendor, text, known)
        });
        let event = Event {
            path: Arc::clone(self.path),
            line: hit.line_number,
            offset: hit.byte_offset,
            vendor: hit.vendor,
            code: hit.code,
            time,
            text: escape_bytes(line, MAX_SHOWN_BYTES),
        };
        if let Err(error) = live.write_match(&event) {
            live.write_error = Some(error);
        }
        live.has_tripped = is_first_of_key;
    }
}

/// One input: stdin or a followed path, with its partial line and counts.
pub(super) struct Source {
    /// The followed name (the state file's key), or `-`.
    pub(super) path: Arc<str>,
    /// Where the bytes read now come from: the followed name, or the name a rotated file has
    /// now while its rest is read (`app.log.1`). Events and rows carry it.
    reading: Arc<str>,
    /// The file read now (followed files only).
    pub(super) identity: Option<Identity>,
    /// Bytes after the last newline, waiting for theirs.
    pending: Vec<u8>,
    /// The rest of an over-long line is being skipped up to its newline.
    is_skipping: bool,
    pub(super) next_line_number: u64,
    /// The end of the last complete line in the current file.
    pub(super) consumed_offset: u64,
    times: TimestampContext,
    /// What `times` is made with, again after a rotation.
    timestamp_options: TimestampOptions,
    /// One row per name read from, the followed name first.
    pub(super) rows: Vec<FileStat>,
    /// The row of `reading`.
    row: usize,
    pub(super) is_done: bool,
    /// A batch being scanned on the pool, whose events are not written yet.
    in_flight: Option<InFlight>,
}

/// A batch being scanned on the pool.
struct InFlight {
    result: mpsc::Receiver<ScannedBatch>,
}

/// Slices of whole lines and their hits: slice `i` is `pieces[i][..lengths[i]]`.
struct ScannedBatch {
    pieces: Vec<Vec<u8>>,
    lengths: Vec<usize>,
    scanned: Vec<ScannedSlice>,
}

impl Source {
    pub(super) fn new(path: Arc<str>, timestamp_options: TimestampOptions) -> Source {
        Source {
            rows: vec![FileStat {
                path: Arc::clone(&path),
                ..FileStat::default()
            }],
            row: 0,
            reading: Arc::clone(&path),
            path,
            identity: None,
            pending: Vec::new(),
            is_skipping: false,
            next_line_number: 1,
            consumed_offset: 0,
            times: TimestampContext::new(timestamp_options),
            timestamp_options,
            is_done: false,
            in_flight: None,
        }
    }

    pub(super) fn take(&mut self, event: FollowEvent, scanner: &Arc<Scanner>, live: &mut Live) {
        if !matches!(event, FollowEvent::Data(_)) {
            // What was read before comes first.
            self.finish_in_flight(live);
        }
        match event {
            FollowEvent::Data(bytes) => self.take_pieces(vec![bytes], scanner, live),
            FollowEvent::Opened {
                identity,
                offset,
                lines,
            } => {
                self.finish_partial_line(scanner, live);
                self.restart(identity, offset, lines);
            }
            FollowEvent::Truncated {
                identity,
                old_offset,
                size,
            } => {
                live.erase_table();
                warn(&format!(
                    "{}: truncated ({size} bytes, {old_offset} read before); reading it again from the start, lines written just before the truncation may be missed",
                    self.path
                ));
                self.finish_partial_line(scanner, live);
                self.restart(identity, 0, 0);
            }
            FollowEvent::Moved { path } => {
                live.erase_table();
                match path {
                    Some(path) => {
                        let path = path.display().to_string();
                        warn(&format!(
                            "{}: renamed to {path}; reading the rest of it there",
                            self.path
                        ));
                        self.read_from(Arc::from(path.as_str()));
                    }
                    None => warn(&format!(
                        "{}: deleted or moved out of its directory; reading the rest of the open file",
                        self.path
                    )),
                }
            }
            FollowEvent::Warning(message) => {
                live.erase_table();
                warn(&message);
            }
        }
    }

    /// The row of the name read from now.
    pub(super) fn row_mut(&mut self) -> &mut FileStat {
        // `row` always indexes `rows`: the first row exists from the start, and `read_from`
        // sets `row` to a row it found or pushed.
        &mut self.rows[self.row]
    }

    /// Attributes what is read from now on (events, counts) to `path`, with a row of its own.
    fn read_from(&mut self, path: Arc<str>) {
        self.row = match self.rows.iter().position(|row| row.path == path) {
            Some(index) => index,
            None => {
                self.rows.push(FileStat {
                    path: Arc::clone(&path),
                    ..FileStat::default()
                });
                self.rows.len() - 1
            }
        };
        self.reading = path;
    }

    fn restart(&mut self, identity: Identity, offset: u64, lines: u64) {
        self.read_from(Arc::clone(&self.path));
        self.identity = Some(identity);
        self.consumed_offset = offset;
        self.next_line_number = lines + 1;
        self.times = TimestampContext::new(self.timestamp_options);
    }

    /// Adds pieces read one after the other from this source; every line they complete is
    /// scanned now. Pieces of whole lines (stdin's reader cuts at newlines) are scanned where
    /// they lie; others are joined to the partial line before them.
    pub(super) fn take_pieces(
        &mut self,
        pieces: Vec<Vec<u8>>,
        scanner: &Arc<Scanner>,
        live: &mut Live,
    ) {
        let bytes: u64 = pieces.iter().map(|piece| piece.len() as u64).sum();
        self.row_mut().bytes += bytes;
        let Some((last, whole)) = pieces.split_last() else {
            return;
        };
        let is_aligned = self.pending.is_empty()
            && !self.is_skipping
            && whole.iter().all(|piece| piece.last() == Some(&b'\n'));
        if is_aligned {
            let cut = memchr::memrchr(b'\n', last).map_or(0, |newline| newline + 1);
            let rest = last.get(cut..).unwrap_or_default().to_vec();
            let mut lengths: Vec<usize> = whole.iter().map(Vec::len).collect();
            lengths.push(cut);
            self.scan_lines(pieces, lengths, scanner, live);
            self.add_partial(&rest, scanner, live);
            return;
        }
        let mut joined = std::mem::take(&mut self.pending);
        for piece in &pieces {
            joined.extend_from_slice(piece);
        }
        self.add(joined, scanner, live);
    }

    /// Adds bytes that follow the last complete line (the partial line before them, if any, is
    /// their start); every line they complete is scanned now.
    fn add(&mut self, mut bytes: Vec<u8>, scanner: &Arc<Scanner>, live: &mut Live) {
        if self.is_skipping {
            self.finish_in_flight(live);
            let Some(newline) = memchr::memchr(b'\n', &bytes) else {
                self.consumed_offset += bytes.len() as u64;
                return;
            };
            // The line was counted when its head was matched.
            self.is_skipping = false;
            self.consumed_offset += newline as u64 + 1;
            bytes.drain(..=newline);
        }
        let Some(last_newline) = memchr::memrchr(b'\n', &bytes) else {
            if self.pending.is_empty() {
                self.pending = bytes;
            } else {
                self.pending.extend_from_slice(&bytes);
            }
            self.check_partial_length(scanner, live);
            return;
        };
        let cut = last_newline + 1;
        let rest = bytes.get(cut..).unwrap_or_default().to_vec();
        self.scan_lines(vec![bytes], vec![cut], scanner, live);
        self.add_partial(&rest, scanner, live);
    }

    /// The start of a line whose newline has not come yet: it waits.
    fn add_partial(&mut self, bytes: &[u8], scanner: &Arc<Scanner>, live: &mut Live) {
        self.pending.extend_from_slice(bytes);
        self.check_partial_length(scanner, live);
    }

    /// A waiting line longer than [`MAX_LINE_BYTES`] is matched on its head now; the rest of
    /// it is skipped up to its newline.
    fn check_partial_length(&mut self, scanner: &Scanner, live: &mut Live) {
        if self.pending.len() <= MAX_LINE_BYTES {
            return;
        }
        let head = std::mem::take(&mut self.pending);
        self.scan(&head, scanner, live, true);
        self.consumed_offset += head.len() as u64;
        self.is_skipping = true;
    }

    /// At the end of a file (EOF of stdin, or the file replaced): a last line without its
    /// newline is a line too.
    pub(super) fn finish_partial_line(&mut self, scanner: &Scanner, live: &mut Live) {
        self.is_skipping = false;
        if self.pending.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.pending);
        self.scan(&line, scanner, live, true);
        self.consumed_offset += line.len() as u64;
    }

    fn slice_start(&self) -> SliceStart {
        SliceStart {
            line_number: self.next_line_number,
            byte_offset: self.consumed_offset,
        }
    }

    /// Scans slices of whole lines that follow each other, slice `i` being
    /// `pieces[i][..lengths[i]]`. Small ones are scanned here, one after the other, each match
    /// written and flushed at once. Large ones (input comes faster than one thread scans it)
    /// are scanned on every core while the events of the batch before are written; their own
    /// events are written, in order and flushed once, when the next batch comes or before
    /// anything else of this source ([`Source::finish_in_flight`]).
    fn scan_lines(
        &mut self,
        pieces: Vec<Vec<u8>>,
        lengths: Vec<usize>,
        scanner: &Arc<Scanner>,
        live: &mut Live,
    ) {
        let total_bytes: usize = lengths.iter().sum();
        if total_bytes < PARALLEL_MIN_BYTES || rayon::current_num_threads() < 2 {
            for (piece, &length) in pieces.iter().zip(&lengths) {
                let slice = piece.get(..length).unwrap_or_default();
                if !slice.is_empty() {
                    self.scan(slice, scanner, live, false);
                }
            }
            return;
        }
        let (sender, result) = mpsc::sync_channel(1);
        let scanner = Arc::clone(scanner);
        rayon::spawn(move || {
            let slices: Vec<&[u8]> = pieces
                .iter()
                .zip(&lengths)
                .map(|(piece, &length)| piece.get(..length).unwrap_or_default())
                .collect();
            let scanned = batch::scan_batch(&scanner, &slices, PIECE_BYTES);
            drop(slices);
            // The receiver is gone only when the run ended.
            let _ = sender.send(ScannedBatch {
                pieces,
                lengths,
                scanned,
            });
        });
        if let Some(previous) = self.in_flight.replace(InFlight { result }) {
            self.write_batch(previous, live);
        }
    }

    /// Writes the events of the batch being scanned on the pool, once it is scanned.
    pub(super) fn finish_in_flight(&mut self, live: &mut Live) {
        if let Some(in_flight) = self.in_flight.take() {
            self.write_batch(in_flight, live);
        }
    }

    fn write_batch(&mut self, in_flight: InFlight, live: &mut Live) {
        // The job always sends: scanning never panics on input.
        let Ok(batch) = in_flight.result.recv() else {
            return;
        };
        live.is_batching = true;
        let slices = batch.pieces.iter().zip(&batch.lengths);
        for ((piece, &length), scanned) in slices.zip(batch.scanned) {
            let slice = piece.get(..length).unwrap_or_default();
            let start = self.slice_start();
            let mut sink = LiveSink {
                live: &mut *live,
                path: &self.reading,
                times: &mut self.times,
                piece: slice,
                piece_offset: start.byte_offset,
                matches: 0,
            };
            for BatchHit { mut hit, line } in scanned.hits {
                hit.line_number += start.line_number.saturating_sub(1);
                hit.byte_offset += start.byte_offset;
                sink.hit(hit, line.text(slice));
            }
            let matches = sink.matches;
            self.count(slice.len() as u64, scanned.newlines, matches);
        }
        live.end_batch();
    }

    /// Scans whole lines (or, with `is_one_line`, one line without its newline) on this thread,
    /// after the batch in flight.
    fn scan(&mut self, lines: &[u8], scanner: &Scanner, live: &mut Live, is_one_line: bool) {
        self.finish_in_flight(live);
        let start = self.slice_start();
        let mut sink = LiveSink {
            live,
            path: &self.reading,
            times: &mut self.times,
            piece: lines,
            piece_offset: start.byte_offset,
            matches: 0,
        };
        let line_count = if is_one_line {
            scanner.scan_line(lines, start, &mut sink);
            1
        } else {
            scanner.scan_slice(lines, start, &mut sink).newlines
        };
        let matches = sink.matches;
        // One line without its newline: its bytes are counted by the caller.
        let consumed_bytes = if is_one_line { 0 } else { lines.len() as u64 };
        self.count(consumed_bytes, line_count, matches);
    }

    /// Counts lines scanned and their matches, and moves past `consumed_bytes`.
    fn count(&mut self, consumed_bytes: u64, line_count: u64, matches: u64) {
        let row = self.row_mut();
        row.matches += matches;
        row.lines += line_count;
        self.next_line_number += line_count;
        self.consumed_offset += consumed_bytes;
    }
}
