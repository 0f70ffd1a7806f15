//! How the C allocator grows its heaps during a scan of mapped files.

/// How much more than it needs glibc's malloc takes whenever a heap must grow, and keeps when
/// it could give memory back.
const TOP_PAD_BYTES: i32 = 4 * 1024 * 1024;

/// Makes glibc's malloc lay out each heap with [`TOP_PAD_BYTES`] more than it needs, and grow
/// and trim it by that much, rather than a page or a few at a time, for a scan that maps files.
/// It must be called before any thread starts to reach the worker threads' heaps.
///
/// Every growth is an `mprotect` (`brk` for the main heap), which takes the process's memory-map
/// lock for writing: it waits for the other threads' page-table work on the mapped file
/// (populating each chunk, releasing the chunk before) and stalls their page faults while it
/// waits. Scanning the 1 GiB benchmark made 575 such calls with times and 347 without; with the
/// pad, 21 and 22.
///
/// Measured on that benchmark, 2 threads, alternating runs: the cost of times went from +7.2 %
/// to +4.8 % (medians of paired ratios, `benches/times-cost.sh`'s method), the scan without
/// times unchanged; peak anonymous memory of a file scan 10.0 → 10.0-10.3 MiB. Streams (stdin,
/// `--no-mmap`) map nothing and are left alone: the pad would only add to their memory.
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
