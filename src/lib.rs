//! errscan finds the error codes of video-conferencing platforms (BigBlueButton, Jitsi Meet,
//! VideoSDK, ZEGOCLOUD) in large logs and tells what they mean.
//!
//! # Brief overview
//!
//! - [`catalog::Catalog`] holds every known code with its meaning, category, severity and fix,
//!   compiled in from `catalogs/` and extendable with user files.
//! - [`patterns::PatternSet`] holds the patterns that recognise codes in log lines, compiled in
//!   from `patterns/`.
//! - [`scan::Scanner`] is the core: one multi-literal search over all anchors finds candidate
//!   lines, per-vendor regexes confirm the code on that line, and each (line, vendor, code) goes
//!   to a [`scan::HitSink`]. It works on byte slices and never fails on any bytes.
//! - [`worker`] connects [`input`] (files, mmap, gzip, zstd, stdin, directory walks) with the
//!   scanner and produces one [`tally::Tally`] per input; tallies merge with `+=`.
//! - [`batch`] scans a batch of whole lines on every core with the hits in input order
//!   (`watch` when input comes faster than one thread scans it).
//! - [`report::Report`] is built from a tally and rendered as text, JSON, NDJSON, CSV, SARIF,
//!   JUnit XML, GitHub Actions annotations or a self-contained HTML page.
//! - [`percentiles`] keeps how bursty codes are (intervals and rates in HdrHistograms).
//! - [`merge::merge`] adds up reports of separate runs (`errscan merge`).
//! - [`gate::Gate`] checks a report against the CI gate options (`--fail-on`, `--max`,
//!   `--baseline`, …) and gives the verdict that decides exit status 1.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use errscan::catalog::Catalog;
//! use errscan::patterns::PatternSet;
//! use errscan::scan::{Hit, Scanner, SliceStart};
//!
//! let catalog = Arc::new(Catalog::builtin());
//! let scanner = Scanner::new(&PatternSet::builtin(), Arc::clone(&catalog), &[]).unwrap();
//! let log = b"INFO ok\nclientLogger: Audio error - errorCode=1007, cause=ICE negotiation failed\n";
//! let mut hits: Vec<Hit> = Vec::new();
//! let stats = scanner.scan_slice(log, SliceStart::INPUT_START, &mut hits);
//! assert_eq!(stats.newlines, 2);
//! assert_eq!(hits.len(), 1);
//! assert_eq!(hits[0].line_number, 2);
//! assert_eq!(scanner.code_text(&hits[0].code), "1007");
//! ```

#![deny(missing_docs)]

// Public modules.
pub mod batch;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_file;
pub mod datafile;
pub mod escape;
pub mod exit;
pub mod follow;
pub mod gate;
pub mod input;
pub mod merge;
pub mod patterns;
pub mod percentiles;
pub mod report;
pub mod scan;
pub mod state;
pub mod synth;
pub mod tally;
pub mod timeline;
pub mod timestamp;
pub mod vendor;
pub mod worker;

pub use vendor::Vendor;
