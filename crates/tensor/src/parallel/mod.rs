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

/// Runs `f` on every item of `tasks` (matching blocks of several buffers, say), in
/// parallel on up to [`threads`] threads. Each item is handled by exactly one call, so work
/// whose result depends only on its item gives the same numbers on any thread count.
///
/// ```
/// use nabla_tensor::parallel::for_each_task;
/// let (mut a, mut b, c) = (vec![1.0f32; 10], vec![0.0f32; 10], vec![3.0f32; 10]);
/// let blocks = a.chunks_mut(4).zip(b.chunks_mut(4)).zip(c.chunks(4));
/// for_each_task(blocks, |((a, b), c)| {
///     for ((a, b), c) in a.iter_mut().zip(b.iter_mut()).zip(c) {
///         *b = *a + c;
///         *a = 0.0;
///     }
/// });
/// assert_eq!((a, b), (vec![0.0; 10], vec![4.0; 10]));
/// ```
pub fn for_each_task<I>(tasks: I, f: impl Fn(I::Item) + Sync)
where
    I: IntoIterator,
    I::IntoIter: ExactSizeIterator + Send,
    I::Item: Send,
{
    run_tasks(tasks, f);
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
    // Each task on the CPU's widest vectors: the same numbers, fewer instructions.
    let f = |task| crate::widest(|| f(task));
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

mod pool;

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
