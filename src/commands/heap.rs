//! How the C allocator grows its heaps during a scan of mapped files.

/// How much more than it needs glibc's malloc takes whenever a heap must grow, and keeps when
/// it could give memory back.
const TOP_PAD_BYTES: i32 = 4 * 1024 * 1024;

/// Makes glibc's malloc lay out each heap with [`TOP_PAD_BYTES`] more than it needs, and grow
/// and trim it by that much, rather than page by page, for a scan that maps files. To take
/// effect on the worker threads' heaps it must be called before any thread starts. Every step is an `mprotect` (`brk` for the main
/// heap), which takes the process's memory-map lock for writing: it waits for the other
/// threads' page-table work on the mapped file (populating each chunk, releasing the chunk
/// before) and stalls their page faults while it waits. Scanning the 1 GiB benchmark with
/// times made 575 such calls (347 without); with the pad, 61.
///
/// Measured on that benchmark, 2 threads, alternating runs: the cost of times went from
/// +6.5 % to +5.1 % (`benches/times-cost.sh`), the scan without times unchanged; peak anonymous
/// memory 10.0 → 10.3 MiB. Streams (stdin, gzip, `--no-mmap`) map nothing and are left alone:
/// the pad only adds to their memory.
///
/// Only glibc has `mallopt`; elsewhere this does nothing.
pub(super) fn pad_heap_growth() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only sets a tunable of glibc's allocator, under the allocator's own
        // locks; a value it refuses leaves the default.
        let _ = unsafe { libc::mallopt(libc::M_TOP_PAD, TOP_PAD_BYTES) };
    }
}
