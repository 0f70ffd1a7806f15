//! Scanning a batch of whole lines on every core, with the hits handed back in input order.
//!
//! `watch` scans what it reads as it comes, on one thread, so that a match is reported the
//! moment its line is complete. When the input comes faster than that (a full pipe, a followed
//! file being caught up), several reads wait at once: [`scan_batch`] cuts them into
//! newline-aligned pieces, scans the pieces in parallel on the current rayon pool, and returns
//! each slice's hits in order, so that the caller emits exactly what a scan of one slice after
//! the other would have given.
//!
//! The hits keep their line as a range of their slice (the scanner always reports a part of
//! the slice it was given), so a batch costs memory in proportion to its hits, not to their
//! text, and its result owns nothing borrowed: it can be scanned on the pool while the caller
//! writes the events of the batch before.

use std::ops::Range;

use rayon::prelude::*;

use crate::scan::{Hit, HitSink, Scanner, SliceStart};
use crate::worker::split_at_newlines;

/// One hit of a batch, numbered within its slice: the slice's first line is line 1 and its
/// first byte is offset 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHit {
    /// The hit, its line number and offset relative to its slice.
    pub hit: Hit,
    /// The line as the scanner reported it (the whole line without its newline, or the window
    /// of a very long line).
    pub line: LineText,
}

/// Where a hit's line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineText {
    /// These bytes of the slice.
    InSlice(Range<usize>),
    /// A copy, for a line the scanner did not take from the slice.
    Owned(Vec<u8>),
}

impl LineText {
    /// The line's bytes, given the slice the hit came from.
    pub fn text<'a>(&'a self, slice: &'a [u8]) -> &'a [u8] {
        match self {
            LineText::InSlice(range) => slice.get(range.clone()).unwrap_or_default(),
            LineText::Owned(bytes) => bytes,
        }
    }
}

/// What one slice of a batch held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScannedSlice {
    /// Its hits in input order.
    pub hits: Vec<BatchHit>,
    /// Its newlines (its line count when it ends with one).
    pub newlines: u64,
}

/// Scans `slices`, which follow each other in the input and each hold whole lines (the last
/// line of the last one may lack its newline), in pieces of about `piece_bytes` cut at
/// newlines, in parallel on the current rayon pool. Returns one [`ScannedSlice`] per slice, in
/// order.
pub fn scan_batch(scanner: &Scanner, slices: &[&[u8]], piece_bytes: usize) -> Vec<ScannedSlice> {
    let pieces: Vec<(usize, Range<usize>)> = slices
        .iter()
        .enumerate()
        .flat_map(|(index, slice)| {
            split_at_newlines(slice, piece_bytes)
                .into_iter()
                .map(move |range| (index, range))
        })
        .collect();
    let scanned: Vec<(Vec<BatchHit>, u64)> = pieces
        .par_iter()
        .map(|(index, range)| {
            let slice = slices.get(*index).copied().unwrap_or_default();
            let piece = slice.get(range.clone()).unwrap_or_default();
            let mut sink = Collect {
                piece,
                piece_start: range.start,
                hits: Vec::new(),
            };
            let start = SliceStart {
                line_number: 1,
                byte_offset: range.start as u64,
            };
            let stats = scanner.scan_slice(piece, start, &mut sink);
            (sink.hits, stats.newlines)
        })
        .collect();
    let mut results: Vec<ScannedSlice> = vec![ScannedSlice::default(); slices.len()];
    for ((index, _), (hits, newlines)) in pieces.iter().zip(scanned) {
        let Some(result) = results.get_mut(*index) else {
            continue;
        };
        let lines_before = result.newlines;
        result.hits.extend(hits.into_iter().map(|mut batch_hit| {
            batch_hit.hit.line_number += lines_before;
            batch_hit
        }));
        result.newlines += newlines;
    }
    results
}

/// Keeps the hits of one piece, with where their lines are in the slice.
struct Collect<'a> {
    piece: &'a [u8],
    /// Where the piece starts in its slice.
    piece_start: usize,
    hits: Vec<BatchHit>,
}

impl HitSink for Collect<'_> {
    fn hit(&mut self, hit: Hit, line: &[u8]) {
        let line = match range_in(self.piece, line) {
            Some(range) => {
                LineText::InSlice(range.start + self.piece_start..range.end + self.piece_start)
            }
            None => LineText::Owned(line.to_vec()),
        };
        self.hits.push(BatchHit { hit, line });
    }
}

/// Where `inner` lies within `outer`, when it does.
fn range_in(outer: &[u8], inner: &[u8]) -> Option<Range<usize>> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let end = start.checked_add(inner.len())?;
    (end <= outer.len()).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::catalog::Catalog;
    use crate::patterns::PatternSet;

    /// (line, offset, code, line text) of every hit, the whole input numbered from 1 and 0.
    type Flat = Vec<(u64, u64, String, Vec<u8>)>;

    fn whole(scanner: &Scanner, input: &[u8]) -> Flat {
        struct Keep<'s>(&'s Scanner, Flat);
        impl HitSink for Keep<'_> {
            fn hit(&mut self, hit: Hit, line: &[u8]) {
                let code = self.0.code_text(&hit.code).to_string();
                self.1
                    .push((hit.line_number, hit.byte_offset, code, line.to_vec()));
            }
        }
        let mut keep = Keep(scanner, Vec::new());
        scanner.scan_slice(input, SliceStart::INPUT_START, &mut keep);
        keep.1
    }

    fn batched(scanner: &Scanner, slices: &[&[u8]], piece_bytes: usize) -> (Flat, u64) {
        let mut flat = Vec::new();
        let (mut lines_before, mut bytes_before) = (0, 0);
        for (slice, scanned) in slices.iter().zip(scan_batch(scanner, slices, piece_bytes)) {
            for BatchHit { hit, line } in scanned.hits {
                let code = scanner.code_text(&hit.code).to_string();
                flat.push((
                    hit.line_number + lines_before,
                    hit.byte_offset + bytes_before,
                    code,
                    line.text(slice).to_vec(),
                ));
            }
            lines_before += scanned.newlines;
            bytes_before += slice.len() as u64;
        }
        (flat, lines_before)
    }

    #[test]
    fn every_cut_gives_the_hits_of_one_scan_in_order() {
        let scanner = Scanner::new(&PatternSet::builtin(), Arc::new(Catalog::builtin()), &[])
            .expect("builds");
        let input: &[u8] = b"noise\nclientLogger: Audio error - errorCode=1007, cause=x\n\n\
join room result: 1002034\nCONFERENCE FAILED: conference.iceFailed (ICE error 1107)\n\
more noise\nerrorCode=1101 and errorCode=1007\ntail (ICE error 1107)";
        let expected = whole(&scanner, input);
        assert!(expected.len() >= 5, "{expected:?}");
        let newlines = input.iter().filter(|&&byte| byte == b'\n').count() as u64;
        // Slices cut after each newline, in every way of cutting at one or two places, each in
        // pieces of every size.
        let line_ends: Vec<usize> = input
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .map(|(index, _)| index + 1)
            .collect();
        for &first in &line_ends {
            for &second in line_ends.iter().filter(|&&end| end >= first) {
                let slices = [&input[..first], &input[first..second], &input[second..]];
                for piece_bytes in [1, 7, 30, 64, input.len()] {
                    let (found, lines) = batched(&scanner, &slices, piece_bytes);
                    assert_eq!(
                        found, expected,
                        "cut {first}/{second}, pieces {piece_bytes}"
                    );
                    assert_eq!(lines, newlines);
                }
            }
        }
    }

    #[test]
    fn lines_are_found_in_the_slices() {
        let piece = b"abc\ndef\n";
        assert_eq!(range_in(piece, &piece[4..7]), Some(4..7));
        let elsewhere = b"def".to_vec();
        assert_eq!(range_in(piece, &elsewhere), None);
        assert_eq!(LineText::InSlice(4..7).text(piece), b"def");
        assert_eq!(LineText::Owned(elsewhere).text(piece), b"def");
    }
}
