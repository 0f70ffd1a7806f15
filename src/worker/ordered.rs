//! Scans numbered pieces in parallel and folds their results in order, without a barrier: the
//! fold of the pieces done so far runs on whichever pool thread finished the piece that lets it
//! go on, while the other threads keep scanning the pieces after it.
//!
//! Scanning a window of pieces with `par_iter` and folding the window before starting the next
//! left every thread but one idle twice per window: waiting for the window's slowest piece, then
//! for the fold. Here a piece is started as soon as the fold has moved far enough, so threads only
//! wait when there is nothing left to scan.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Calls `scan(i)` for every `i` in `0..count` on the current rayon pool, and `fold(i, result)`
/// for each in increasing `i`, one call at a time. At most `window` pieces are started ahead of
/// the fold, so at most `2 × window` results are alive at once whatever `count` is.
///
/// Safe to call from inside a pool thread (the thread helps with the work while it waits) and
/// from outside the pool (the caller blocks until everything is folded).
pub fn scan_in_order<T, Scan, Fold>(count: usize, window: usize, scan: Scan, fold: Fold)
where
    T: Send,
    Scan: Fn(usize) -> T + Sync,
    Fold: FnMut(usize, T) + Send,
{
    let pipeline = Pipeline {
        count,
        window: window.max(1),
        scan,
        fold: Mutex::new(fold),
        state: Mutex::new(State {
            ready: BTreeMap::new(),
            next_fold: 0,
            next_start: 0,
            folding: false,
        }),
    };
    rayon::scope(|scope| {
        let mut state = lock(&pipeline.state);
        pipeline.start_allowed(&mut state, scope);
    });
}

/// What the pieces share.
struct Pipeline<T, Scan, Fold> {
    count: usize,
    window: usize,
    scan: Scan,
    /// Taken only by the thread that holds [`State::folding`], so never contended.
    fold: Mutex<Fold>,
    state: Mutex<State<T>>,
}

/// Where the pipeline stands.
struct State<T> {
    /// Results scanned but not yet folded, by piece number.
    ready: BTreeMap<usize, T>,
    /// The piece the fold waits for.
    next_fold: usize,
    /// The next piece to start.
    next_start: usize,
    /// A thread is folding: others leave their result in `ready` and go back to scanning.
    folding: bool,
}

impl<T, Scan, Fold> Pipeline<T, Scan, Fold>
where
    T: Send,
    Scan: Fn(usize) -> T + Sync,
    Fold: FnMut(usize, T) + Send,
{
    /// Starts pieces while fewer than `window` are ahead of the fold.
    fn start_allowed<'scope>(&'scope self, state: &mut State<T>, scope: &rayon::Scope<'scope>) {
        while state.next_start < self.count && state.next_start < state.next_fold + self.window {
            let index = state.next_start;
            state.next_start += 1;
            scope.spawn(move |scope| self.piece(scope, index));
        }
    }

    /// Scans one piece, then folds every result that is next in order, unless another thread
    /// is already folding (it will find this result when it looks again).
    fn piece<'scope>(&'scope self, scope: &rayon::Scope<'scope>, index: usize) {
        let result = (self.scan)(index);
        let mut state = lock(&self.state);
        state.ready.insert(index, result);
        if state.folding {
            return;
        }
        state.folding = true;
        loop {
            let mut in_order = Vec::new();
            let state_now = &mut *state;
            while let Some(result) = state_now.ready.remove(&state_now.next_fold) {
                in_order.push((state_now.next_fold, result));
                state_now.next_fold += 1;
            }
            if in_order.is_empty() {
                state.folding = false;
                return;
            }
            // The window moved: more pieces can be scanned while these are folded.
            self.start_allowed(&mut state, scope);
            drop(state);
            let mut fold = lock(&self.fold);
            for (index, result) in in_order {
                (*fold)(index, result);
            }
            drop(fold);
            state = lock(&self.state);
        }
    }
}

/// Locks `mutex`; a poisoned lock only follows a panic that the scope re-raises anyway.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A pause that differs from piece to piece, so that pieces finish out of order.
    fn uneven_pause(index: usize) {
        let micros = (index * 7919 % 13) as u64 * 150;
        std::thread::sleep(Duration::from_micros(micros));
    }

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool")
    }

    #[test]
    fn results_are_folded_in_order_whatever_the_threads_and_window() {
        for threads in [1, 2, 4] {
            for window in [1, 2, 3, 8] {
                for count in [0, 1, 2, 5, 40] {
                    let mut folded = Vec::new();
                    pool(threads).install(|| {
                        scan_in_order(
                            count,
                            window,
                            |index| {
                                uneven_pause(index);
                                index * 10
                            },
                            |index, value| folded.push((index, value)),
                        );
                    });
                    let expected: Vec<(usize, usize)> =
                        (0..count).map(|index| (index, index * 10)).collect();
                    assert_eq!(folded, expected, "{threads} threads, window {window}");
                }
            }
        }
    }

    #[test]
    fn no_more_than_twice_the_window_of_results_is_alive() {
        let alive = AtomicUsize::new(0);
        let most_alive = AtomicUsize::new(0);
        let started = AtomicUsize::new(0);
        let folded = AtomicUsize::new(0);
        let most_ahead = AtomicUsize::new(0);
        pool(4).install(|| {
            scan_in_order(
                200,
                3,
                |index| {
                    let ahead = started.fetch_add(1, Ordering::SeqCst) + 1;
                    let ahead = ahead - folded.load(Ordering::SeqCst);
                    most_ahead.fetch_max(ahead, Ordering::SeqCst);
                    uneven_pause(index);
                    let now = alive.fetch_add(1, Ordering::SeqCst) + 1;
                    most_alive.fetch_max(now, Ordering::SeqCst);
                },
                |_, ()| {
                    alive.fetch_sub(1, Ordering::SeqCst);
                    folded.fetch_add(1, Ordering::SeqCst);
                },
            );
        });
        assert_eq!(folded.load(Ordering::SeqCst), 200);
        assert!(most_alive.load(Ordering::SeqCst) <= 6, "{most_alive:?}");
        assert!(most_ahead.load(Ordering::SeqCst) <= 6, "{most_ahead:?}");
    }

    /// As in `scan_inputs`: several inputs at once on a small pool, each split into pieces.
    /// Every pool thread may be inside a pipeline; none may wait for work nobody runs.
    #[test]
    fn pipelines_nested_in_pool_threads_all_finish() {
        let sums: Vec<usize> = pool(2).install(|| {
            (0..8usize)
                .into_par_iter()
                .map(|input| {
                    let mut sum = 0;
                    let mut next = 0;
                    scan_in_order(
                        30,
                        2,
                        |index| {
                            uneven_pause(index + input);
                            index
                        },
                        |index, value| {
                            assert_eq!(index, next);
                            next += 1;
                            sum += value;
                        },
                    );
                    sum
                })
                .collect()
        });
        assert_eq!(sums, vec![(0..30).sum::<usize>(); 8]);
    }
}
