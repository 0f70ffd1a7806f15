//! Scan throughput in bytes per second, against the baseline every line-oriented scan pays:
//! counting the newlines of the same bytes with memchr on one thread.
//!
//! `cargo bench --bench throughput` (criterion; the report shows MiB/s per group member).
//! The whole-program comparison (1 GiB, threads, stdin, ripgrep) is `benches/throughput.sh`.

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use errscan::catalog::Catalog;
use errscan::patterns::PatternSet;
use errscan::scan::{Scanner, SliceStart, count_newlines};
use errscan::tally::ChunkTally;
use errscan::worker::split_at_newlines;

/// Size of the generated log held in memory.
const LOG_BYTES: u64 = 64 * 1024 * 1024;

fn generated_log(catalog: &Catalog) -> Vec<u8> {
    let mut log = Vec::with_capacity(LOG_BYTES as usize + 4096);
    errscan::synth::generate(&mut log, LOG_BYTES, 7, catalog)
        .expect("writing to memory cannot fail");
    log
}

fn throughput(criterion: &mut Criterion) {
    let catalog = Arc::new(Catalog::builtin());
    let scanner = Scanner::new(&PatternSet::builtin(), Arc::clone(&catalog), &[])
        .expect("builtin patterns build");
    let log = generated_log(&catalog);
    let mut group = criterion.benchmark_group("scan-64MiB");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(10);
    group.bench_function("baseline-count-newlines", |bench| {
        bench.iter(|| count_newlines(&log))
    });
    group.bench_function("scan-slice-1-thread", |bench| {
        bench.iter(|| {
            let mut tally = ChunkTally::default();
            scanner.scan_slice(&log, SliceStart::INPUT_START, &mut tally);
            tally.matches
        })
    });
    group.bench_function("scan-chunks-rayon", |bench| {
        use rayon::prelude::*;
        let chunks = split_at_newlines(&log, 4 * 1024 * 1024);
        bench.iter(|| {
            chunks
                .par_iter()
                .map(|range| {
                    let mut tally = ChunkTally::default();
                    scanner.scan_slice(&log[range.clone()], SliceStart::INPUT_START, &mut tally);
                    tally.matches
                })
                .sum::<u64>()
        })
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
