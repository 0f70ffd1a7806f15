//! The scan core: finds candidate lines with one multi-literal search over every pattern's
//! anchors, confirms codes with the patterns' regexes on that line only, and hands one [`Hit`]
//! per (line, vendor, code) to a [`HitSink`].
//!
//! The core works on byte slices, does no I/O, never prints and never panics on any bytes: log
//! bytes are data, not errors. The same code serves a memory-mapped file, a chunk of one, a
//! decompressed buffer and a single line from `watch`.

mod resolve;
mod samples;

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::{memchr, memrchr};

use crate::catalog::{Catalog, EntryId};
use crate::patterns::{Pattern, PatternSet};
use crate::vendor::Vendor;

pub use resolve::{Groups, Located, Resolved, Resolver};
pub use samples::{SampleFailure, check_samples};

/// Lines longer than this are not confirmed as a whole: the regexes run on a window of
/// [`LONG_LINE_WINDOW_BYTES`] on each side of every anchor instead, so that a pathological line
/// costs time in proportion to its anchors, not to its length times the patterns.
pub const MAX_CONFIRM_LINE_BYTES: usize = 64 * 1024;

/// Bytes kept on each side of an anchor when a long line is confirmed in windows.
pub const LONG_LINE_WINDOW_BYTES: usize = 2048;

/// A code as a hit carries it: an entry of the catalog, or text the catalog does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A code the catalog knows.
    Known(EntryId),
    /// A code (or name) seen in the vendor's error context but absent from the catalog.
    Unknown(Arc<str>),
}

/// One confirmed (line, vendor, code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The vendor whose pattern confirmed the code.
    pub vendor: Vendor,
    /// The code.
    pub code: Code,
    /// 1-based line number within the scanned slice (plus the base the caller gave).
    pub line_number: u64,
    /// 0-based byte offset of the line's start within the input.
    pub byte_offset: u64,
}

/// Receives what the scanner confirms. The scanner itself never prints or counts.
pub trait HitSink {
    /// Called once per (line, vendor, code), in input order; `line` is the whole line without
    /// its newline (for a very long line, the window the code was found in).
    fn hit(&mut self, hit: Hit, line: &[u8]);
}

impl HitSink for Vec<Hit> {
    fn hit(&mut self, hit: Hit, _line: &[u8]) {
        self.push(hit);
    }
}

/// Where a slice starts within its input: the line number of its first line and its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceStart {
    /// 1-based number of the slice's first line.
    pub line_number: u64,
    /// Byte offset of the slice's first byte.
    pub byte_offset: u64,
}

impl SliceStart {
    /// The start of an input.
    pub const INPUT_START: SliceStart = SliceStart {
        line_number: 1,
        byte_offset: 0,
    };
}

/// The compiled scanner: one automaton over all anchors, the patterns, and the catalog join.
#[derive(Debug, Clone)]
pub struct Scanner {
    /// Every distinct anchor, longest first, with leftmost-first semantics: aho-corasick can
    /// then use its SIMD (Teddy) prefilter, and at any position the match is the longest anchor
    /// that starts there.
    anchors: AhoCorasick,
    /// For each anchor, the patterns to run when it occurs: its own, and those of every anchor
    /// it contains (which occur there too, but which leftmost-first matching does not report).
    patterns_of_anchor: Vec<Vec<usize>>,
    patterns: Vec<Pattern>,
    resolver: Resolver,
}

/// The scanner could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the anchor search: {0}")]
pub struct BuildError(#[from] aho_corasick::BuildError);

/// What a scan of a slice found besides its hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SliceStats {
    /// Newline bytes in the slice.
    pub newlines: u64,
}

impl Scanner {
    /// Compiles the patterns of the selected vendors (all when `vendors` is empty) against the
    /// catalog.
    pub fn new(
        patterns: &PatternSet,
        catalog: Arc<Catalog>,
        vendors: &[Vendor],
    ) -> Result<Scanner, BuildError> {
        let patterns: Vec<Pattern> = patterns
            .patterns()
            .iter()
            .filter(|pattern| vendors.is_empty() || vendors.contains(&pattern.vendor))
            .cloned()
            .collect();
        let mut anchor_texts: Vec<&str> = patterns
            .iter()
            .flat_map(|pattern| pattern.anchors.iter().map(String::as_str))
            .collect();
        anchor_texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        anchor_texts.dedup();
        let patterns_of_anchor = anchor_texts
            .iter()
            .map(|anchor| {
                (0..patterns.len())
                    .filter(|&index| {
                        patterns[index]
                            .anchors
                            .iter()
                            .any(|own| anchor.contains(own.as_str()))
                    })
                    .collect()
            })
            .collect();
        let anchors = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&anchor_texts)?;
        Ok(Scanner {
            anchors,
            patterns_of_anchor,
            patterns,
            resolver: Resolver::new(catalog),
        })
    }

    /// The catalog the scanner joins codes against.
    pub fn catalog(&self) -> &Arc<Catalog> {
        self.resolver.catalog()
    }

    /// The patterns in effect.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// The next anchor in `text[from..to]`: (anchor index, start, end).
    fn next_anchor(&self, text: &[u8], from: usize, to: usize) -> Option<(usize, usize, usize)> {
        if from >= to {
            return None;
        }
        let input = aho_corasick::Input::new(text).span(from..to);
        self.anchors
            .find(input)
            .map(|found| (found.pattern().as_usize(), found.start(), found.end()))
    }

    /// Scans a slice of whole lines (the last one may lack its newline) and reports every hit.
    /// Returns the number of newlines in the slice, so that the caller can number the lines of
    /// the next slice.
    ///
    /// One search runs over the whole slice and visits every anchor occurrence once: the first
    /// anchor of a line opens the line, later anchors on the same line add their patterns, and
    /// each pattern runs at most once per line.
    pub fn scan_slice<S: HitSink>(
        &self,
        haystack: &[u8],
        start: SliceStart,
        sink: &mut S,
    ) -> SliceStats {
        let mut scratch = LineScratch::new(self.patterns.len());
        let mut newlines: u64 = 0;
        let mut counted_up_to = 0;
        let mut search_from = 0;
        // The open line: (start, end, where it starts in the input).
        let mut open_line: Option<(usize, usize, SliceStart)> = None;
        while let Some((anchor, anchor_start, _)) =
            self.next_anchor(haystack, search_from, haystack.len())
        {
            if let Some((line_start, line_end, line_start_of)) = open_line.take() {
                let line = &haystack[line_start..line_end];
                if anchor_start < line_end {
                    self.run_anchor(line, anchor, &mut scratch);
                    open_line = Some((line_start, line_end, line_start_of));
                    search_from = anchor_start + 1;
                    continue;
                }
                self.flush_line(line, line_start_of, &mut scratch, sink);
            }
            let line_start = memrchr(b'\n', &haystack[..anchor_start]).map_or(0, |index| index + 1);
            let line_end = memchr(b'\n', &haystack[anchor_start..])
                .map_or(haystack.len(), |index| anchor_start + index);
            newlines += count_newlines(&haystack[counted_up_to..line_start]);
            counted_up_to = line_start;
            let line_start_of = SliceStart {
                line_number: start.line_number + newlines,
                byte_offset: start.byte_offset + line_start as u64,
            };
            let line = &haystack[line_start..line_end];
            scratch.clear();
            if line.len() > MAX_CONFIRM_LINE_BYTES {
                self.confirm_long_line(
                    line,
                    anchor_start - line_start,
                    line_start_of,
                    &mut scratch,
                    sink,
                );
                search_from = line_end + 1;
            } else {
                self.run_anchor(line, anchor, &mut scratch);
                open_line = Some((line_start, line_end, line_start_of));
                search_from = anchor_start + 1;
            }
        }
        if let Some((line_start, line_end, line_start_of)) = open_line {
            self.flush_line(
                &haystack[line_start..line_end],
                line_start_of,
                &mut scratch,
                sink,
            );
        }
        newlines += count_newlines(&haystack[counted_up_to.min(haystack.len())..]);
        SliceStats { newlines }
    }

    /// Confirms one line (without its newline) and reports its hits, each (vendor, code) once.
    pub fn scan_line<S: HitSink>(&self, line: &[u8], start: SliceStart, sink: &mut S) {
        let Some((anchor, anchor_start, _)) = self.next_anchor(line, 0, line.len()) else {
            return;
        };
        let mut scratch = LineScratch::new(self.patterns.len());
        if line.len() > MAX_CONFIRM_LINE_BYTES {
            self.confirm_long_line(line, anchor_start, start, &mut scratch, sink);
            return;
        }
        let mut next = Some((anchor, anchor_start));
        while let Some((anchor, anchor_start)) = next {
            self.run_anchor(line, anchor, &mut scratch);
            next = self
                .next_anchor(line, anchor_start + 1, line.len())
                .map(|(anchor, anchor_start, _)| (anchor, anchor_start));
        }
        self.flush_line(line, start, &mut scratch, sink);
    }

    /// Runs, on `line`, the patterns of `anchor` that have not run on it yet.
    fn run_anchor(&self, line: &[u8], anchor: usize, scratch: &mut LineScratch) {
        for &pattern_index in &self.patterns_of_anchor[anchor] {
            if !scratch.triggered[pattern_index] {
                scratch.triggered[pattern_index] = true;
                self.run_pattern(pattern_index, line, scratch);
            }
        }
    }

    /// A very long line: confirms a window around each anchor, deduplicating across windows, so
    /// that the cost follows the anchors, not the line's length.
    fn confirm_long_line<S: HitSink>(
        &self,
        line: &[u8],
        first_anchor_start: usize,
        start: SliceStart,
        scratch: &mut LineScratch,
        sink: &mut S,
    ) {
        let mut windows: Vec<(usize, usize)> = Vec::new();
        let mut next = Some((first_anchor_start, first_anchor_start + 1));
        while let Some((anchor_start, anchor_end)) = next {
            let window_start = anchor_start.saturating_sub(LONG_LINE_WINDOW_BYTES);
            let window_end = (anchor_end + LONG_LINE_WINDOW_BYTES).min(line.len());
            match windows.last_mut() {
                Some(last) if window_start <= last.1 => last.1 = last.1.max(window_end),
                _ => windows.push((window_start, window_end)),
            }
            next = self
                .next_anchor(line, anchor_start + 1, line.len())
                .map(|(_, anchor_start, anchor_end)| (anchor_start, anchor_end));
        }
        for (window_start, window_end) in windows {
            let window = &line[window_start..window_end];
            scratch.triggered.fill(false);
            if let Some((anchor, anchor_start, _)) = self.next_anchor(window, 0, window.len()) {
                self.mark_triggered(window, anchor_start, anchor, scratch);
                for pattern_index in 0..self.patterns.len() {
                    if scratch.triggered[pattern_index] {
                        self.run_pattern(pattern_index, window, scratch);
                    }
                }
                self.flush_line(window, start, scratch, sink);
            }
        }
    }

    /// Marks the patterns of every anchor in `text`, starting with the one already found.
    fn mark_triggered(
        &self,
        text: &[u8],
        first_anchor_start: usize,
        first_anchor: usize,
        scratch: &mut LineScratch,
    ) {
        let mut next = Some((first_anchor, first_anchor_start));
        while let Some((anchor, anchor_start)) = next {
            for &pattern_index in &self.patterns_of_anchor[anchor] {
                scratch.triggered[pattern_index] = true;
            }
            // Anchors overlapping this one start later; anchors starting here are contained in
            // it (longest first), so their patterns were marked just now.
            next = self
                .next_anchor(text, anchor_start + 1, text.len())
                .map(|(anchor, anchor_start, _)| (anchor, anchor_start));
        }
    }

    /// Runs one pattern over `text`; what it finds waits in `scratch` until the line is flushed.
    fn run_pattern(&self, pattern_index: usize, text: &[u8], scratch: &mut LineScratch) {
        let pattern = &self.patterns[pattern_index];
        let locations = scratch.locations[pattern_index]
            .get_or_insert_with(|| pattern.regex.capture_locations());
        // Captures read into locations kept per pattern: most candidate lines match nothing, and
        // a search that finds no match costs one forward pass and no allocation.
        let mut from = 0;
        while from <= text.len() {
            let Some(found) = pattern.regex.captures_read_at(locations, text, from) else {
                break;
            };
            let located = Located {
                regex: &pattern.regex,
                locations,
                text,
            };
            if let Some(resolved) = self.resolver.resolve(pattern, &located) {
                scratch.pending.push((pattern.vendor, resolved));
            }
            // Past the match (one byte further after an empty one, as `captures_iter` does).
            from = found.end().max(found.start() + 1);
        }
    }

    /// Reports what the patterns found on a line, applying the counting rule: each (vendor,
    /// code) once, and a code found through its constant name is dropped when the same line
    /// carries a code of that vendor with that name (a code and its name count once, even when
    /// the name alone would resolve to another tier).
    fn flush_line<S: HitSink>(
        &self,
        line: &[u8],
        start: SliceStart,
        scratch: &mut LineScratch,
        sink: &mut S,
    ) {
        let pending = std::mem::take(&mut scratch.pending);
        for (vendor, resolved) in &pending {
            if let Some(name) = &resolved.via_name {
                let is_named_by_a_code = pending.iter().any(|(other_vendor, other)| {
                    other_vendor == vendor
                        && other.via_name.is_none()
                        && self.resolver.is_named(&other.code, name)
                });
                if is_named_by_a_code {
                    continue;
                }
            }
            let key = (*vendor, resolved.code.clone());
            if scratch.reported.contains(&key) {
                continue;
            }
            sink.hit(
                Hit {
                    vendor: key.0,
                    code: key.1.clone(),
                    line_number: start.line_number,
                    byte_offset: start.byte_offset,
                },
                line,
            );
            scratch.reported.push(key);
        }
        scratch.pending = pending;
        scratch.pending.clear();
    }

    /// The codes one line gives, for checking samples: (vendor, code text) in find order.
    pub fn codes_of_line(&self, line: &str) -> Vec<(Vendor, String)> {
        let mut hits: Vec<Hit> = Vec::new();
        self.scan_line(line.as_bytes(), SliceStart::INPUT_START, &mut hits);
        hits.into_iter()
            .map(|hit| (hit.vendor, self.resolver.code_text(&hit.code).to_string()))
            .collect()
    }

    /// The codes one pattern alone gives on a line (anchors ignored), for checking samples.
    pub fn codes_of_pattern(&self, pattern: &Pattern, line: &str) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        for captures in pattern.regex.captures_iter(line.as_bytes()) {
            if let Some(resolved) = self.resolver.resolve(pattern, &captures) {
                let text = self.resolver.code_text(&resolved.code).to_string();
                if !codes.contains(&text) {
                    codes.push(text);
                }
            }
        }
        codes
    }

    /// The text of a code: the catalog code, or the unknown text as seen.
    pub fn code_text<'a>(&'a self, code: &'a Code) -> &'a str {
        self.resolver.code_text(code)
    }
}

/// Per-line working memory, reused across the lines of one slice.
struct LineScratch {
    triggered: Vec<bool>,
    /// One set of capture locations per pattern, made when the pattern first runs (a single
    /// line, as `watch` scans them, runs few patterns) and reused for every match after.
    locations: Vec<Option<regex::bytes::CaptureLocations>>,
    pending: Vec<(Vendor, Resolved)>,
    reported: Vec<(Vendor, Code)>,
}

impl LineScratch {
    fn new(pattern_count: usize) -> LineScratch {
        LineScratch {
            triggered: vec![false; pattern_count],
            locations: vec![None; pattern_count],
            pending: Vec::new(),
            reported: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.triggered.fill(false);
        self.pending.clear();
        self.reported.clear();
    }
}

/// Counts newline bytes.
pub fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests;
