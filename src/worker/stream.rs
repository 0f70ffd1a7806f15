//! Streams (stdin, pipes, gzip, zstd): a reader thread cuts the input into pieces of whole
//! lines while the scanning side scans the pieces it has in parallel and adds them up in order.
//!
//! Memory is bounded: at most a few pieces of `block_bytes` are in flight (the channel holds
//! one per thread, buffers are recycled), and a line that outgrows `max_line_bytes` is scanned on
//! what has arrived while the rest of it, up to its newline, is counted and skipped.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};

use rayon::prelude::*;

use super::{Accumulator, ChunkResult, ChunkSink, WorkerOptions};
use crate::scan::{Scanner, SliceStart};

/// What the reader hands over, in input order.
enum Piece {
    /// Whole lines; the last may lack its newline (end of input, or the head of an over-long
    /// line). `offset` is the input offset of the first byte.
    Lines { data: Vec<u8>, offset: u64 },
    /// Bytes of an over-long line that were read but not scanned; `closes_line` when the
    /// line's newline is among them.
    Skipped { bytes: u64, closes_line: bool },
}

/// Scans a stream into `accumulator`. A read error ends the stream; what was read before it is
/// kept, and the error is returned.
pub(super) fn scan_stream(
    scanner: &Scanner,
    reader: Box<dyn Read + Send>,
    options: &WorkerOptions,
    accumulator: &mut Accumulator,
) -> io::Result<()> {
    let threads = rayon::current_num_threads().max(1);
    let block_bytes = options.block_bytes.max(1);
    let max_line_bytes = options.max_line_bytes.max(block_bytes);
    // A resumed stream starts past the input's beginning; offsets go on from there.
    let base = accumulator.position;
    std::thread::scope(|scope| {
        let (piece_sender, pieces) = sync_channel::<Piece>(threads);
        let (spare_sender, spares) = channel::<Vec<u8>>();
        let reader_thread = scope.spawn(move || {
            read_pieces(reader, block_bytes, max_line_bytes, &piece_sender, &spares)
        });
        let mut batch: Vec<Piece> = Vec::with_capacity(threads);
        while let Ok(piece) = pieces.recv() {
            batch.push(piece);
            while batch.len() < threads {
                match pieces.try_recv() {
                    Ok(piece) => batch.push(piece),
                    Err(_) => break,
                }
            }
            let scanned: Vec<Option<(ChunkResult, u64)>> = batch
                .par_iter()
                .map(|piece| match piece {
                    Piece::Lines { data, .. } => {
                        let mut sink = ChunkSink::new(&accumulator.path, options, data, 0);
                        let stats = scanner.scan_slice(data, SliceStart::INPUT_START, &mut sink);
                        Some((sink.finish(), stats.newlines))
                    }
                    Piece::Skipped { .. } => None,
                })
                .collect();
            for (piece, scanned) in batch.drain(..).zip(scanned) {
                match (piece, scanned) {
                    (Piece::Lines { data, offset }, Some((sink, newlines))) => {
                        accumulator.add_chunk(sink, &data, newlines, base + offset);
                        // The reader may have finished; then the buffer is simply dropped.
                        let _ = spare_sender.send(data);
                    }
                    (Piece::Skipped { bytes, closes_line }, _) => {
                        accumulator.add_skipped(bytes, closes_line);
                    }
                    (Piece::Lines { .. }, None) => {}
                }
            }
        }
        reader_thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader thread panicked")))
    })
}

/// Reads `reader` to its end and sends its pieces. Returns early (with `Ok`) when the scanning
/// side has gone away.
fn read_pieces(
    mut reader: Box<dyn Read + Send>,
    block_bytes: usize,
    max_line_bytes: usize,
    pieces: &SyncSender<Piece>,
    spares: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let mut buffer: Vec<u8> = Vec::with_capacity(block_bytes * 2);
    let mut offset: u64 = 0;
    let mut is_skipping_long_line = false;
    loop {
        let old_len = buffer.len();
        buffer.resize(old_len + block_bytes, 0);
        let read = loop {
            match reader.read(&mut buffer[old_len..]) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let read = match read {
            Ok(read) => read,
            Err(error) => {
                buffer.truncate(old_len);
                if !is_skipping_long_line && !buffer.is_empty() {
                    let _ = pieces.send(Piece::Lines {
                        data: buffer,
                        offset,
                    });
                }
                return Err(error);
            }
        };
        buffer.truncate(old_len + read);
        if read == 0 {
            if !buffer.is_empty() {
                // Only a line still being skipped can be left over here: its bytes were
                // counted as they came; an unskipped tail is the last line without newline.
                let piece = if is_skipping_long_line {
                    Piece::Skipped {
                        bytes: buffer.len() as u64,
                        closes_line: false,
                    }
                } else {
                    Piece::Lines {
                        data: buffer,
                        offset,
                    }
                };
                let _ = pieces.send(piece);
            }
            return Ok(());
        }
        if is_skipping_long_line {
            let (skipped, closes_line) = match memchr::memchr(b'\n', &buffer) {
                Some(index) => (index + 1, true),
                None => (buffer.len(), false),
            };
            if pieces
                .send(Piece::Skipped {
                    bytes: skipped as u64,
                    closes_line,
                })
                .is_err()
            {
                return Ok(());
            }
            buffer.drain(..skipped);
            offset += skipped as u64;
            is_skipping_long_line = !closes_line;
            if is_skipping_long_line {
                continue;
            }
        }
        let ship_up_to = match memchr::memrchr(b'\n', &buffer) {
            Some(last_newline) => last_newline + 1,
            None if buffer.len() >= max_line_bytes => {
                is_skipping_long_line = true;
                buffer.len()
            }
            None => continue,
        };
        let mut rest = spares
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(block_bytes * 2));
        rest.clear();
        rest.extend_from_slice(&buffer[ship_up_to..]);
        buffer.truncate(ship_up_to);
        let data = std::mem::replace(&mut buffer, rest);
        let shipped = data.len() as u64;
        if pieces.send(Piece::Lines { data, offset }).is_err() {
            return Ok(());
        }
        offset += shipped;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::catalog::Catalog;
    use crate::patterns::PatternSet;
    use crate::worker::{Accumulator, FileOutcome};

    fn scanner() -> &'static Scanner {
        static SCANNER: std::sync::OnceLock<Scanner> = std::sync::OnceLock::new();
        SCANNER.get_or_init(|| {
            Scanner::new(&PatternSet::builtin(), Arc::new(Catalog::builtin()), &[]).expect("builds")
        })
    }

    fn scan_with(bytes: &[u8], block_bytes: usize, max_line_bytes: usize) -> FileOutcome {
        let scanner = scanner();
        let options = WorkerOptions {
            block_bytes,
            max_line_bytes,
            collect_events: true,
            ..WorkerOptions::default()
        };
        let mut accumulator = Accumulator::new(Arc::from("-"), None);
        scan_stream(
            scanner,
            Box::new(io::Cursor::new(bytes.to_vec())),
            &options,
            &mut accumulator,
        )
        .expect("no read error");
        accumulator.finish()
    }

    #[test]
    fn every_block_size_gives_the_same_result_as_one_slice() {
        let log = b"noise\nerrorCode=1007 x\n\njoin room result: 1002034\nCONFERENCE FAILED: conference.iceFailed\ntail (ICE error 1107)";
        let whole = scan_with(log, 1 << 20, 1 << 24);
        assert_eq!(whole.stat().lines, 6);
        assert_eq!(whole.tally.matches(), 4);
        for block_bytes in 1..=log.len() + 1 {
            let outcome = scan_with(log, block_bytes, 1 << 24);
            assert_eq!(outcome.tally, whole.tally, "block {block_bytes}");
            assert_eq!(outcome.events, whole.events, "block {block_bytes}");
        }
    }

    #[test]
    fn over_long_lines_are_matched_on_their_head_and_counted_whole() {
        let mut log = b"errorCode=1007 ".to_vec();
        log.extend(std::iter::repeat_n(b'x', 10_000));
        log.extend_from_slice(b" errorCode=1101\nnext (ICE error 1107)\nlast");
        for block_bytes in [7, 64, 1000] {
            let outcome = scan_with(&log, block_bytes, 4096);
            let stat = outcome.stat();
            assert_eq!(stat.bytes, log.len() as u64, "block {block_bytes}");
            assert_eq!(stat.lines, 3, "block {block_bytes}");
            // 1007 is in the head of the long line; 1101 lies beyond the cut; 1107 on line 2.
            let lines: Vec<(u64, String)> = outcome
                .events
                .iter()
                .map(|event| (event.line, format!("{:?}", event.code)))
                .collect();
            assert_eq!(lines.len(), 2, "block {block_bytes}: {lines:?}");
            assert_eq!((lines[0].0, lines[1].0), (1, 2), "block {block_bytes}");
        }
    }
}
