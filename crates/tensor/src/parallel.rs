//! Data parallelism with results that do not depend on the number of threads.
//!
//! Work is cut into a number of parts chosen by the caller, never by the thread count; the
//! threads only decide which part runs where. Reductions over parts happen in part order, so
//! the same inputs give the same bits on 1 thread or 4.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The process default thread count (0: not decided yet).
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// What one thread knows about its parallel work; the whole of the thread-local state.
#[derive(Debug, Clone, Copy, Default)]
struct Local {
    /// A run's own thread count (0: the process default), set by [`with_threads`] for the
    /// calling thread only, so that several runs can train side by side in one process.
    threads: usize,
    /// Set on the pools' own threads, and on a caller while it works beside them: work
    /// started there runs on that thread alone, so that a parallel layer calling a parallel
    /// product does not oversubscribe the machine.
    in_pool: bool,
}

thread_local! {
    static LOCAL: std::cell::Cell<Local> = const {
        std::cell::Cell::new(Local { threads: 0, in_pool: false })
    };
}

/// Runs `f` with the calling thread's state changed by `change`, and restores the state
/// afterwards, also when `f` panics.
fn with_local<T>(change: impl FnOnce(&mut Local), f: impl FnOnce() -> T) -> T {
    struct Restore(Local);
    impl Drop for Restore {
        fn drop(&mut self) {
            LOCAL.with(|l| l.set(self.0));
        }
    }
    let before = LOCAL.with(std::cell::Cell::get);
    let mut changed = before;
    change(&mut changed);
    LOCAL.with(|l| l.set(changed));
    let _restore = Restore(before);
    f()
}

/// The number of worker threads for the calling thread: the count given to an enclosing
/// [`with_threads`], else the process default set by [`set_threads`], else
/// `$NABLA_THREADS`, else the available parallelism.
pub fn threads() -> usize {
    let local = LOCAL.with(std::cell::Cell::get);
    if local.in_pool {
        return 1;
    }
    if local.threads > 0 {
        return local.threads;
    }
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = std::env::var("NABLA_THREADS")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            THREADS.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

/// Sets the number of worker threads (at least 1).
pub fn set_threads(n: usize) {
    THREADS.store(n.max(1), Ordering::Relaxed);
}

/// Runs `f` with `n` worker threads (at least 1) for the work the calling thread starts,
/// whatever the process default; restores the previous count afterwards, even on panic.
///
/// Results never depend on the count (see the module docs); this only decides how much of
/// the machine one run takes, so that two runs can share it.
///
/// ```
/// use nabla_tensor::parallel::{threads, with_threads};
/// let inside = with_threads(1, threads);
/// assert_eq!(inside, 1);
/// ```
pub fn with_threads<T>(n: usize, f: impl FnOnce() -> T) -> T {
    with_local(|l| l.threads = n.max(1), f)
}

/// `0..n` cut into `parts` contiguous ranges of near-equal length (empty ones dropped).
pub fn ranges(n: usize, parts: usize) -> Vec<Range<usize>> {
    range_iter(n, parts).collect()
}

/// Runs `f` on each range of [`ranges`]`(n, parts)` across up to [`threads`] threads and
/// returns the results in range order.
///
/// ```
/// use nabla_tensor::parallel::map_ranges;
/// let sums = map_ranges(10, 3, |r| r.sum::<usize>());
/// assert_eq!(sums, vec![3, 12, 30]);
/// ```
pub fn map_ranges<T: Send>(n: usize, parts: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let work = ranges(n, parts);
    let mut slots: Vec<Option<T>> = (0..work.len()).map(|_| None).collect();
    run_tasks(work.into_iter().zip(slots.iter_mut()), |(r, slot)| {
        *slot = Some(f(r))
    });
    slots.into_iter().flatten().collect()
}

/// Splits `data` into the chunks of `items` items of `stride` values each that
/// [`ranges`]`(items, parts)` gives, and runs `f(range, chunk)` on them in parallel.
pub fn for_each_chunk_mut<T: Send>(
    data: &mut [T],
    stride: usize,
    parts: usize,
    f: impl Fn(Range<usize>, &mut [T]) + Sync,
) {
    let mut none: [T; 0] = [];
    for_each_chunk_pair_mut(data, stride, &mut none, 0, parts, |r, a, _| f(r, a));
}

/// Like [`for_each_chunk_mut`] over two buffers cut at the same items: item `i` owns
/// `a[i*a_stride..(i+1)*a_stride]` and `b[i*b_stride..(i+1)*b_stride]` (a layer's output and
/// its per-image scratch, say). The item count is `a`'s.
pub fn for_each_chunk_pair_mut<T: Send, U: Send>(
    a: &mut [T],
    a_stride: usize,
    b: &mut [U],
    b_stride: usize,
    parts: usize,
    f: impl Fn(Range<usize>, &mut [T], &mut [U]) + Sync,
) {
    let items = a.len().checked_div(a_stride).unwrap_or(0);
    let chunks = ChunkPairs {
        ranges: range_iter(items, parts),
        a,
        a_stride,
        b,
        b_stride,
    };
    run_tasks(chunks, |(r, ca, cb)| f(r, ca, cb));
}

/// [`ranges`] without the vector: every range is non-empty, so the count is exact.
fn range_iter(n: usize, parts: usize) -> impl ExactSizeIterator<Item = Range<usize>> + Send {
    let parts = if n == 0 { 0 } else { parts.clamp(1, n) };
    (0..parts).map(move |k| (k * n / parts)..((k + 1) * n / parts))
}

/// The chunks of two buffers that a sequence of item ranges covers, cut as they are taken.
struct ChunkPairs<'a, T, U, R> {
    ranges: R,
    a: &'a mut [T],
    a_stride: usize,
    b: &'a mut [U],
    b_stride: usize,
}

impl<'a, T, U, R: Iterator<Item = Range<usize>>> Iterator for ChunkPairs<'a, T, U, R> {
    type Item = (Range<usize>, &'a mut [T], &'a mut [U]);

    fn next(&mut self) -> Option<Self::Item> {
        let r = self.ranges.next()?;
        let (head_a, tail_a) = std::mem::take(&mut self.a).split_at_mut(r.len() * self.a_stride);
        let b = std::mem::take(&mut self.b);
        let (head_b, tail_b) = b.split_at_mut((r.len() * self.b_stride).min(b.len()));
        self.a = tail_a;
        self.b = tail_b;
        Some((r, head_a, head_b))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ranges.size_hint()
    }
}

impl<T, U, R: ExactSizeIterator<Item = Range<usize>>> ExactSizeIterator
    for ChunkPairs<'_, T, U, R>
{
}

/// Element-wise work on two equally long buffers: runs `f` on matching blocks of `block`
/// items of `a` and `b` in parallel (the last block may be shorter). Each item is touched
/// by exactly one call, so any element-wise rule gives the same result on any thread count.
///
/// ```
/// use nabla_tensor::parallel::zip_blocks_mut;
/// let (mut a, b) = (vec![1.0f32; 10], vec![2.0f32; 10]);
/// zip_blocks_mut(&mut a, &b, 4, |a, b| a.iter_mut().zip(b).for_each(|(x, y)| *x *= y));
/// assert_eq!(a, vec![2.0; 10]);
/// ```
///
/// # Panics
/// If the buffers differ in length.
pub fn zip_blocks_mut<T: Send, U: Sync>(
    a: &mut [T],
    b: &[U],
    block: usize,
    f: impl Fn(&mut [T], &[U]) + Sync,
) {
    assert_eq!(
        a.len(),
        b.len(),
        "zip_blocks_mut: buffers of different lengths"
    );
    let block = block.max(1);
    run_tasks(a.chunks_mut(block).zip(b.chunks(block)), |(a, b)| f(a, b));
}

/// [`zip_blocks_mut`] with both buffers written.
///
/// # Panics
/// If the buffers differ in length.
pub fn zip_blocks_both_mut<T: Send, U: Send>(
    a: &mut [T],
    b: &mut [U],
    block: usize,
    f: impl Fn(&mut [T], &mut [U]) + Sync,
) {
    assert_eq!(
        a.len(),
        b.len(),
        "zip_blocks_both_mut: buffers of different lengths"
    );
    let block = block.max(1);
    run_tasks(a.chunks_mut(block).zip(b.chunks_mut(block)), |(a, b)| {
        f(a, b)
    });
}

/// Runs `f` on every task, on up to [`threads`] threads: the calling thread and helpers
/// from a pool that lives as long as the process (starting threads per call costs more than
/// the small products it would share). Every thread takes the next task from the shared
/// iterator until none is left; each task's result depends only on the task, so which
/// thread runs it never changes a number. Nothing is allocated per call: a training step
/// makes hundreds of these.
pub(crate) fn run_tasks<I>(tasks: I, f: impl Fn(I::Item) + Sync)
where
    I: IntoIterator,
    I::IntoIter: ExactSizeIterator + Send,
    I::Item: Send,
{
    let tasks = tasks.into_iter();
    let workers = threads().min(tasks.len());
    if workers <= 1 {
        tasks.for_each(f);
        return;
    }
    let Some(pool) = pool::get(workers - 1) else {
        tasks.for_each(f);
        return;
    };
    let tasks = std::sync::Mutex::new(tasks);
    let work = || {
        loop {
            let task = tasks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .next();
            match task {
                Some(task) => f(task),
                None => break,
            }
        }
    };
    with_local(|l| l.in_pool = true, || pool.run(&work));
}

/// A pool of worker threads that run one borrowed job at a time beside the caller, with no
/// allocation per job (rayon's scopes box every spawned job). Between jobs, workers and the
/// waiting caller spin for a moment before they sleep: a training step hands out hundreds
/// of jobs of tens of microseconds, and waking a sleeping thread takes about as long.
///
/// # Why no wake-up is lost
/// Two handoffs can race with a thread going to sleep, and both are the same pattern: each
/// side stores its own flag, then loads the other's, all `SeqCst`, so the two stores fall in
/// one total order and at least one side sees the other's store (acquire/release alone would
/// allow both loads to miss).
///
/// - Starting a round. The caller stores `round + 1`, then loads `sleepers`; a worker about to
///   sleep takes `sleep`, stores `sleepers + 1`, then loads `round`. If the worker's load
///   comes after the caller's store it sees the new round and does not sleep. Otherwise the
///   caller's load comes after the worker's store, sees a sleeper, and takes `sleep` to notify
///   `start`; the worker still holds `sleep` until `Condvar::wait` releases it atomically, so
///   the notification cannot fall between its check and its wait.
/// - Ending a round. A worker decrements `busy` (a read-modify-write), then loads
///   `caller_sleeps`; the caller about to sleep takes `sleep`, stores `caller_sleeps = true`,
///   then loads `busy`. The same argument: either the caller sees `busy == 0` and does not
///   wait, or the last worker sees `caller_sleeps` and notifies `done` under `sleep`.
///
/// The job itself is published the same way: `job` is stored before `round` is bumped, and a
/// worker loads `round` before `job`, so a worker that sees the round sees its job; the
/// caller keeps the job alive until `busy` is zero, which needs every worker to have run it.
///
/// # Two callers
/// Runs with the same thread count share one pool (one per count, started on first use) and
/// take turns at `submit`: each job holds the whole pool while it runs. The experiment suite
/// never meets this (each run trains on one thread, so it uses no pool at all); two runs of
/// two threads each in one process would take turns at every parallel product rather than
/// share the cores, which on a 2-core machine is what sharing them would cost anyway.
mod pool {
    use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
    use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::SeqCst};
    use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
    use std::time::{Duration, Instant};

    use super::{LOCAL, Local};

    /// How long a thread spins for the next round (or the end of this one) before it sleeps.
    const SPIN: Duration = Duration::from_micros(100);

    /// The borrowed job of a round, as a thin pointer to the caller's `&dyn Fn`.
    type JobRef<'a> = &'a (dyn Fn() + Sync + 'a);

    pub(super) struct Pool {
        workers: usize,
        /// Bumped to start a round; each worker runs each round once.
        round: AtomicU64,
        /// Points at the caller's `JobRef` for the current round.
        job: AtomicPtr<()>,
        /// Workers still running the current round.
        busy: AtomicUsize,
        /// A worker's job panicked this round.
        panicked: AtomicBool,
        /// Workers asleep on `start`, and whether the caller sleeps on `done`.
        sleepers: AtomicUsize,
        caller_sleeps: AtomicBool,
        sleep: Mutex<()>,
        start: Condvar,
        done: Condvar,
        /// One job at a time: a second caller waits for the first job to end.
        submit: Mutex<()>,
    }

    /// Spins until `ready` holds or [`SPIN`] has passed; whether it holds.
    fn spin_until(ready: impl Fn() -> bool) -> bool {
        let began = Instant::now();
        loop {
            for _ in 0..64 {
                if ready() {
                    return true;
                }
                std::hint::spin_loop();
            }
            if began.elapsed() > SPIN {
                return ready();
            }
        }
    }

    impl Pool {
        /// Runs `job` on the calling thread and on every worker, and returns when all are
        /// done; a panic in any of them is raised again here.
        pub(super) fn run(&self, job: &(dyn Fn() + Sync)) {
            let _one_job = self.submit.lock().unwrap_or_else(PoisonError::into_inner);
            let job_ref: JobRef<'_> = job;
            self.job
                .store((&raw const job_ref).cast_mut().cast::<()>(), SeqCst);
            self.panicked.store(false, SeqCst);
            self.busy.store(self.workers, SeqCst);
            self.round.fetch_add(1, SeqCst);
            if self.sleepers.load(SeqCst) > 0 {
                let _g = self.sleep.lock().unwrap_or_else(PoisonError::into_inner);
                self.start.notify_all();
            }
            let mine = catch_unwind(AssertUnwindSafe(job));
            // `job_ref` must outlive every worker's use of it: wait for all of them.
            if !spin_until(|| self.busy.load(SeqCst) == 0) {
                let mut g = self.sleep.lock().unwrap_or_else(PoisonError::into_inner);
                self.caller_sleeps.store(true, SeqCst);
                while self.busy.load(SeqCst) != 0 {
                    g = self.done.wait(g).unwrap_or_else(PoisonError::into_inner);
                }
                self.caller_sleeps.store(false, SeqCst);
            }
            self.job.store(std::ptr::null_mut(), SeqCst);
            if let Err(payload) = mine {
                resume_unwind(payload);
            }
            if self.panicked.load(SeqCst) {
                panic!("a worker thread panicked in a parallel task");
            }
        }

        fn work(&self) {
            LOCAL.with(|l| {
                l.set(Local {
                    threads: 0,
                    in_pool: true,
                })
            });
            // Round 0 is the pool's creation: a job may be published before this thread
            // starts, and it must still run it.
            let mut seen = 0;
            loop {
                if !spin_until(|| self.round.load(SeqCst) != seen) {
                    let mut g = self.sleep.lock().unwrap_or_else(PoisonError::into_inner);
                    self.sleepers.fetch_add(1, SeqCst);
                    while self.round.load(SeqCst) == seen {
                        g = self.start.wait(g).unwrap_or_else(PoisonError::into_inner);
                    }
                    self.sleepers.fetch_sub(1, SeqCst);
                }
                seen = self.round.load(SeqCst);
                let job = self.job.load(SeqCst).cast::<JobRef<'_>>().cast_const();
                // SAFETY: `run` published this pointer before the round and keeps what it
                // points to alive until `busy` reaches zero, which needs this worker.
                let ok = catch_unwind(AssertUnwindSafe(|| unsafe { (*job)() })).is_ok();
                if !ok {
                    self.panicked.store(true, SeqCst);
                }
                if self.busy.fetch_sub(1, SeqCst) == 1 && self.caller_sleeps.load(SeqCst) {
                    let _g = self.sleep.lock().unwrap_or_else(PoisonError::into_inner);
                    self.done.notify_one();
                }
            }
        }
    }

    /// The process's pool of `n` workers, started on first use; one per count ever asked
    /// for. `None` if the threads could not be started.
    pub(super) fn get(n: usize) -> Option<Arc<Pool>> {
        type Pools = Vec<(usize, Arc<Pool>)>;
        static POOLS: OnceLock<Mutex<Pools>> = OnceLock::new();
        let mut pools = POOLS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, p)) = pools.iter().find(|(k, _)| *k == n) {
            return Some(Arc::clone(p));
        }
        let pool = Arc::new(Pool {
            workers: n,
            round: AtomicU64::new(0),
            job: AtomicPtr::new(std::ptr::null_mut()),
            busy: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            sleepers: AtomicUsize::new(0),
            caller_sleeps: AtomicBool::new(false),
            sleep: Mutex::new(()),
            start: Condvar::new(),
            done: Condvar::new(),
            submit: Mutex::new(()),
        });
        for i in 0..n {
            let p = Arc::clone(&pool);
            std::thread::Builder::new()
                .name(format!("nabla-{i}"))
                .spawn(move || p.work())
                .ok()?;
        }
        pools.push((n, Arc::clone(&pool)));
        Some(pool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_everything_once() {
        for n in 0..20 {
            for parts in 1..6 {
                let r = ranges(n, parts);
                let flat: Vec<usize> = r.iter().flat_map(|r| r.clone()).collect();
                assert_eq!(flat, (0..n).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let run = |t| {
            set_threads(t);
            let mut data = vec![0u64; 40];
            for_each_chunk_mut(&mut data, 4, 5, |r, c| {
                c.iter_mut()
                    .enumerate()
                    .for_each(|(k, v)| *v = (r.start * 4 + k) as u64)
            });
            (
                map_ranges(100, 7, |r| r.map(|v| v as f64 * 0.1).sum::<f64>()),
                data,
            )
        };
        assert_eq!(run(1), run(3));
        assert_eq!(run(1).1, (0..40).collect::<Vec<u64>>());
    }

    #[test]
    fn a_run_local_count_overrides_the_default_and_is_restored() {
        let (outer, inner) = with_threads(1, || (threads(), with_threads(2, threads)));
        assert_eq!((outer, inner), (1, 2));
        assert_eq!(LOCAL.with(|l| l.get().threads), 0);
        // Another thread does not see this thread's count.
        let other = with_threads(5, || {
            std::thread::spawn(|| LOCAL.with(|l| l.get().threads))
                .join()
                .ok()
        });
        assert_eq!(other, Some(0));
    }

    #[test]
    fn the_state_is_restored_when_the_work_panics() {
        let caught = std::panic::catch_unwind(|| with_threads(3, || panic!("in a run")));
        assert!(caught.is_err());
        assert_eq!(LOCAL.with(|l| l.get().threads), 0);
        let caught = std::panic::catch_unwind(|| {
            with_threads(2, || run_tasks(vec![1, 2, 3], |_| panic!("in a task")))
        });
        assert!(caught.is_err());
        let local = LOCAL.with(std::cell::Cell::get);
        assert!(!local.in_pool && local.threads == 0, "{local:?}");
    }
}
