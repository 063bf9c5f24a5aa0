//! The suite's units of work, (seed, run) pairs and the random search, and the pool of
//! worker threads that trains a list of them.
//!
//! A unit's numbers depend only on its seed and its run's settings, never on which other
//! units run beside it, in which order or on which machine: that is what lets a list be cut
//! into shards ([`crate::shard`]) and the pieces merged back bit for bit.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{Event, Options, job_label};
use crate::extras::Trial;
use crate::result::RunResult;
use crate::spec::{ModelSpec, RunSpec};
use crate::{Data, Result, runner};
use nabla_nn::Architecture;

/// One unit of the suite's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Job {
    /// Train one run with one seed: indices into the suite's seeds and its specs.
    Run {
        /// Index into the seeds.
        seed: usize,
        /// Index into the specs.
        spec: usize,
    },
    /// The random search (40 short runs, on the primary seed).
    Search,
}

/// What a list of jobs produced: each run's result by `(seed index, spec index)`, and the
/// random search's trials when it was among the jobs.
#[derive(Debug, Clone, Default)]
pub struct Done {
    /// Results by `(seed index, spec index)`.
    pub runs: BTreeMap<(usize, usize), RunResult>,
    /// The random search's trials, best first.
    pub search: Option<Vec<Trial>>,
}

/// Every job of a suite of `specs` runs over `seeds` seeds, the random search last.
pub fn all_jobs(specs: usize, seeds: usize, search: bool) -> Vec<Job> {
    (0..seeds)
        .flat_map(|seed| (0..specs).map(move |spec| Job::Run { seed, spec }))
        .chain(search.then_some(Job::Search))
        .collect()
}

/// A rough cost in arbitrary units (a 60-unit MLP iteration is 1): to start the longest jobs
/// first, so that no worker waits on one at the end, and to balance shards.
pub fn cost(job: Job, specs: &[RunSpec]) -> f64 {
    match job {
        // 40 trials of 200 iterations of a 6x100 MLP.
        Job::Search => 40.0 * 200.0 * 10.0,
        Job::Run { spec, .. } => {
            let spec = &specs[spec];
            let per_iter = match &spec.model {
                ModelSpec::Net(Architecture::DeepConv(_) | Architecture::AlexNet(_)) => 400.0,
                ModelSpec::Net(Architecture::SimpleConv(_) | Architecture::DoubleConv(_)) => 40.0,
                ModelSpec::Net(Architecture::Mlp(c)) => {
                    (c.hidden.iter().sum::<usize>() as f64 / 60.0).max(1.0)
                }
            };
            per_iter * spec.iterations as f64
        }
    }
}

/// Trains `jobs` of the suite of `specs` over `seeds` on `options.jobs` worker threads,
/// longest first. `on_event` is called from the workers.
pub fn run_jobs(
    specs: &[RunSpec],
    seeds: &[u64],
    jobs: &[Job],
    data: &Data,
    options: &Options,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Done> {
    let mut order: Vec<(usize, usize)> = jobs
        .iter()
        .filter_map(|&j| match j {
            Job::Run { seed, spec } => Some((seed, spec)),
            Job::Search => None,
        })
        .collect();
    // The primary seed's first among equals.
    order.sort_by(|&a, &b| {
        let cost_of = |(seed, spec)| cost(Job::Run { seed, spec }, specs);
        cost_of(b)
            .total_cmp(&cost_of(a))
            .then((a.0, a.1).cmp(&(b.0, b.1)))
    });
    let wants_search = jobs.contains(&Job::Search);
    let label = |spec: &RunSpec, seed: u64| job_label(&spec.id, seed, seeds.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<RunResult>>>> =
        Mutex::new((0..order.len()).map(|_| None).collect());
    let search: Mutex<Option<Result<Vec<Trial>>>> = Mutex::new(None);
    let search_claimed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                // The first worker to start takes the random search (40 short runs) while the
                // others start the longest training runs, so that no worker idles at the end.
                if wants_search && search_claimed.fetch_add(1, Ordering::SeqCst) == 0 {
                    on_event(Event::Started {
                        id: "X-SEARCH".into(),
                    });
                    let t = Instant::now();
                    let trials =
                        nabla_tensor::parallel::with_threads(options.threads_per_run, || {
                            crate::extras::random_search(data, seeds[0], options.search_trials, 200)
                        });
                    on_event(Event::Finished {
                        id: "X-SEARCH".into(),
                        seconds: t.elapsed().as_secs_f64(),
                        curve: Vec::new(),
                    });
                    if let Ok(mut slot) = search.lock() {
                        *slot = Some(trials);
                    }
                }
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(seed_index, spec_index)) = order.get(k) else {
                        break;
                    };
                    let (spec, seed) = (&specs[spec_index], seeds[seed_index]);
                    let id = label(spec, seed);
                    on_event(Event::Started { id: id.clone() });
                    let mut last = 0;
                    let outcome = runner::run(
                        spec,
                        data,
                        seed,
                        options.threads_per_run,
                        &mut |step, total| {
                            if step == total || step - last >= total.div_ceil(50) {
                                last = step;
                                on_event(Event::Step {
                                    id: id.clone(),
                                    step,
                                    total,
                                });
                            }
                        },
                    );
                    on_event(Event::Finished {
                        id,
                        seconds: outcome.as_ref().map_or(0.0, |r| r.seconds),
                        curve: outcome.as_ref().map_or_else(
                            |_| Vec::new(),
                            |r| r.curve.iter().map(|p| (p.iteration, p.test)).collect(),
                        ),
                    });
                    if let Ok(mut slots) = results.lock() {
                        slots[k] = Some(outcome);
                    }
                }
            });
        }
    });
    let mut done = Done::default();
    let slots = results.into_inner().unwrap_or_default();
    for (&(seed, spec), slot) in order.iter().zip(slots) {
        match slot {
            Some(Ok(r)) => {
                done.runs.insert((seed, spec), r);
            }
            Some(Err(e)) => return Err(e),
            None => {
                return Err(crate::ExperimentError::Setup(format!(
                    "run {} did not finish",
                    label(&specs[spec], seeds[seed])
                )));
            }
        }
    }
    if wants_search {
        done.search = Some(match search.into_inner().ok().flatten() {
            Some(r) => r?,
            None => {
                return Err(crate::ExperimentError::Setup(
                    "the random search did not finish".into(),
                ));
            }
        });
    }
    Ok(done)
}
