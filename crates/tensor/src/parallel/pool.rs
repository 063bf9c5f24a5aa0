//! A pool of worker threads that run one borrowed job at a time beside the caller, with no
//! allocation per job (rayon's scopes box every spawned job). Between jobs, workers and the
//! waiting caller spin for a moment before they sleep: a training step hands out hundreds
//! of jobs of tens of microseconds, and waking a sleeping thread takes about as long.
//!
//! # Why no wake-up is lost
//! Two handoffs can race with a thread going to sleep, and both are the same pattern: each
//! side stores its own flag, then loads the other's, all `SeqCst`, so the two stores fall in
//! one total order and at least one side sees the other's store (acquire/release alone would
//! allow both loads to miss).
//!
//! - Starting a round. The caller stores `round + 1`, then loads `sleepers`; a worker about to
//!   sleep takes `sleep`, stores `sleepers + 1`, then loads `round`. If the worker's load
//!   comes after the caller's store it sees the new round and does not sleep. Otherwise the
//!   caller's load comes after the worker's store, sees a sleeper, and takes `sleep` to notify
//!   `start`; the worker still holds `sleep` until `Condvar::wait` releases it atomically, so
//!   the notification cannot fall between its check and its wait.
//! - Ending a round. A worker decrements `busy` (a read-modify-write), then loads
//!   `caller_sleeps`; the caller about to sleep takes `sleep`, stores `caller_sleeps = true`,
//!   then loads `busy`. The same argument: either the caller sees `busy == 0` and does not
//!   wait, or the last worker sees `caller_sleeps` and notifies `done` under `sleep`.
//!
//! The job itself is published the same way: `job` is stored before `round` is bumped, and a
//! worker loads `round` before `job`, so a worker that sees the round sees its job; the
//! caller keeps the job alive until `busy` is zero, which needs every worker to have run it.
//!
//! # Two callers
//! A caller claims an idle pool of the thread count it needs for the length of one job, and
//! a pool is started when every pool of that count is busy: two runs training side by side
//! each get their own workers, as many pools as runs at once, kept for the process's life.
//! Before, runs with the same thread count shared one pool and took turns at every parallel
//! product: two SimpleConvNet runs of 2 threads each, side by side on a 2-core machine, took
//! 0.91-0.97 s for 60 steps each, against 0.70 s for the same two runs one after the other
//! (0.35 s alone) and 0.59-0.64 s side by side on one thread each; and on a machine of 4
//! cores, `--jobs 2` left a core idle (two callers and one shared worker). With a pool each,
//! the same pair takes 0.78-0.82 s on 2 cores (measured in one process, alternating with
//! the runs alone, 2026-12-03): four threads on two cores still cost more than one thread
//! per run, which is why the experiment suite gives each run `cores / jobs` threads.

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
    /// Whether a caller holds the pool (see [`get`]): one job at a time.
    claimed: AtomicBool,
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
    fn run(&self, job: &(dyn Fn() + Sync)) {
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

/// A pool claimed by one caller for one job, released when dropped.
pub(super) struct Claimed(Arc<Pool>);

impl Claimed {
    /// Runs `job` on the calling thread and on every worker of the pool, and returns when all
    /// are done; a panic in any of them is raised again here.
    pub(super) fn run(&self, job: &(dyn Fn() + Sync)) {
        self.0.run(job);
    }
}

impl Drop for Claimed {
    fn drop(&mut self) {
        self.0.claimed.store(false, SeqCst);
    }
}

/// An idle pool of `n` workers, claimed for the caller; a new one when every pool of `n`
/// is busy with another caller's job. `None` if the threads could not be started.
pub(super) fn get(n: usize) -> Option<Claimed> {
    type Pools = Vec<(usize, Arc<Pool>)>;
    static POOLS: OnceLock<Mutex<Pools>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let idle = pools.iter().find(|(k, p)| {
        *k == n
            && p.claimed
                .compare_exchange(false, true, SeqCst, SeqCst)
                .is_ok()
    });
    if let Some((_, p)) = idle {
        return Some(Claimed(Arc::clone(p)));
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
        claimed: AtomicBool::new(true),
    });
    for i in 0..n {
        let p = Arc::clone(&pool);
        std::thread::Builder::new()
            .name(format!("nabla-{i}"))
            .spawn(move || p.work())
            .ok()?;
    }
    pools.push((n, Arc::clone(&pool)));
    Some(Claimed(pool))
}
