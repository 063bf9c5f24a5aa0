//! Runs a list of experiments on a fixed number of jobs, and checks each reproduction.
//!
//! Every run has its own seed (from the suite seed and its id) and its own thread count, so
//! results do not depend on `jobs` or on which run finished first.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::extras::{InitRow, Trial};
use crate::result::RunResult;
use crate::runner;
use nabla_nn::Architecture;

use crate::spec::{Expect, Group, ModelSpec, RunSpec};
use crate::{Data, Result};

/// What the suite tells its caller while it works.
#[derive(Debug, Clone)]
pub enum Event {
    /// A run started.
    Started {
        /// The run's id.
        id: String,
    },
    /// A run made progress.
    Step {
        /// The run's id.
        id: String,
        /// Iterations done.
        step: u64,
        /// Iterations in the run.
        total: u64,
    },
    /// A run ended.
    Finished {
        /// The run's id.
        id: String,
        /// Wall-clock seconds it took.
        seconds: f64,
        /// Its test accuracy at each evaluation, `(iteration, accuracy)`; empty for a run
        /// that failed and for the random search.
        curve: Vec<(u64, f64)>,
    },
}

/// How to run the suite.
#[derive(Debug, Clone)]
pub struct Options {
    /// The suite's seeds: every run trains once per seed. The first is the primary seed,
    /// whose runs the report's tables show; the others give the spread.
    pub seeds: Vec<u64>,
    /// Runs trained at the same time.
    pub jobs: usize,
    /// Threads per run.
    pub threads_per_run: usize,
    /// Whether to run the random search (many short runs).
    pub random_search: bool,
    /// Random search trials.
    pub search_trials: usize,
}

impl Options {
    /// The primary seed (the first).
    pub fn seed(&self) -> u64 {
        self.seeds.first().copied().unwrap_or(0)
    }
}

/// One check of a reproduction against its tolerance.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The run's id.
    pub id: String,
    /// What was measured: the median over the seeds.
    pub measured: f64,
    /// The smallest and largest measurement over the seeds.
    pub spread: (f64, f64),
    /// The accepted range.
    pub range: (f64, f64),
    /// Whether the measurement is in range.
    pub pass: bool,
}

/// Everything one suite run produced.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteResult {
    /// The runs, in catalog order, with their results for the primary seed.
    pub runs: Vec<(RunSpec, RunResult)>,
    /// Every seed, the primary first.
    pub seeds: Vec<u64>,
    /// The results for the other seeds: one list per seed after the first, in catalog order.
    pub replicas: Vec<Vec<RunResult>>,
    /// The random search trials, best first (empty when not run).
    pub search: Vec<Trial>,
    /// The weight-initialization figure.
    pub init_figure: Vec<InitRow>,
    /// Reproduction checks.
    pub checks: Vec<Check>,
    /// The suite's wall time.
    pub seconds: f64,
}

impl SuiteResult {
    /// The result of run `id`, if it ran.
    pub fn get(&self, id: &str) -> Option<&RunResult> {
        self.runs.iter().find(|(s, _)| s.id == id).map(|(_, r)| r)
    }

    /// The settings of run `id`, if it ran.
    pub fn spec(&self, id: &str) -> Option<&RunSpec> {
        self.runs.iter().find(|(s, _)| s.id == id).map(|(s, _)| s)
    }

    /// Every seed's result of run `id`, the primary seed's first.
    pub fn all_seeds(&self, id: &str) -> Vec<&RunResult> {
        let Some(k) = self.runs.iter().position(|(s, _)| s.id == id) else {
            return Vec::new();
        };
        std::iter::once(&self.runs[k].1)
            .chain(self.replicas.iter().filter_map(|r| r.get(k)))
            .collect()
    }

    /// For each seed, a lookup of its results by run id.
    pub fn per_seed(&self) -> Vec<(u64, Vec<&RunResult>)> {
        std::iter::once(self.runs.iter().map(|(_, r)| r).collect())
            .chain(self.replicas.iter().map(|r| r.iter().collect()))
            .zip(self.seeds.iter().copied())
            .map(|(runs, seed)| (seed, runs))
            .collect()
    }

    /// Wall time per group: the sum of the runs' own times.
    pub fn seconds_per_group(&self) -> Vec<(Group, f64)> {
        let mut out: Vec<(Group, f64)> = Vec::new();
        for (k, (spec, _)) in self.runs.iter().enumerate() {
            let seconds: f64 = self
                .all_seeds(&self.runs[k].0.id)
                .iter()
                .map(|r| r.seconds)
                .sum();
            match out.iter_mut().find(|(g, _)| *g == spec.group) {
                Some((_, s)) => *s += seconds,
                None => out.push((spec.group, seconds)),
            }
        }
        out
    }
}

/// The name events give one training job: the run id, and its seed when the suite trains
/// several.
pub fn job_label(id: &str, seed: u64, seeds: usize) -> String {
    if seeds > 1 {
        format!("{id} seed {seed}")
    } else {
        id.to_string()
    }
}

/// A rough cost, to start the longest runs first so that no job waits on one at the end.
fn cost(spec: &RunSpec) -> f64 {
    let per_iter = match &spec.model {
        ModelSpec::Net(Architecture::DeepConv(_) | Architecture::AlexNet(_)) => 400.0,
        ModelSpec::Net(Architecture::SimpleConv(_) | Architecture::DoubleConv(_)) => 40.0,
        ModelSpec::Net(Architecture::Mlp(c)) => {
            (c.hidden.iter().sum::<usize>() as f64 / 60.0).max(1.0)
        }
    };
    per_iter * spec.iterations as f64
}

/// Trains `specs` on `data` and checks each reproduction. `on_event` is called from the
/// worker threads.
pub fn run(
    specs: &[RunSpec],
    data: &Data,
    options: &Options,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<SuiteResult> {
    let started = Instant::now();
    let seeds = if options.seeds.is_empty() {
        vec![0]
    } else {
        options.seeds.clone()
    };
    // Jobs are (seed, run) pairs, longest first; the primary seed's first among equals.
    let jobs_total = seeds.len() * specs.len();
    let mut order: Vec<usize> = (0..jobs_total).collect();
    order.sort_by(|&a, &b| {
        cost(&specs[b % specs.len()])
            .total_cmp(&cost(&specs[a % specs.len()]))
            .then(a.cmp(&b))
    });
    let label = |spec: &RunSpec, seed: u64| job_label(&spec.id, seed, seeds.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<RunResult>>>> =
        Mutex::new((0..jobs_total).map(|_| None).collect());
    let search: Mutex<Option<Result<Vec<Trial>>>> = Mutex::new(None);
    let search_claimed = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                // The first job to start takes the random search (40 short runs) while the
                // other starts the longest training run, so that no job idles at the end.
                if options.random_search && search_claimed.fetch_add(1, Ordering::SeqCst) == 0 {
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
                    let Some(&job) = order.get(k) else { break };
                    let (spec, seed) = (&specs[job % specs.len()], seeds[job / specs.len()]);
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
                        slots[job] = Some(outcome);
                    }
                }
            });
        }
    });
    let mut per_seed: Vec<Vec<RunResult>> = Vec::new();
    let mut slots = results.into_inner().unwrap_or_default().into_iter();
    for &seed in &seeds {
        let mut runs = Vec::new();
        for spec in specs {
            match slots.next().flatten() {
                Some(Ok(r)) => runs.push(r),
                Some(Err(e)) => return Err(e),
                None => {
                    return Err(crate::ExperimentError::Setup(format!(
                        "run {} did not finish",
                        label(spec, seed)
                    )));
                }
            }
        }
        per_seed.push(runs);
    }
    let mut per_seed = per_seed.into_iter();
    let runs: Vec<(RunSpec, RunResult)> = specs
        .iter()
        .cloned()
        .zip(per_seed.next().unwrap_or_default())
        .collect();
    let replicas: Vec<Vec<RunResult>> = per_seed.collect();
    let search = match search.into_inner().ok().flatten() {
        Some(r) => r?,
        None => Vec::new(),
    };
    let mut suite = SuiteResult {
        runs,
        seeds: seeds.clone(),
        replicas,
        search,
        init_figure: crate::extras::weight_init_figure(seeds[0])?,
        checks: Vec::new(),
        seconds: started.elapsed().as_secs_f64(),
    };
    suite.checks = checks(&suite);
    Ok(suite)
}

/// Each reproduction against its tolerance: the median over the seeds must be in range, and
/// no seed may diverge.
fn checks(suite: &SuiteResult) -> Vec<Check> {
    suite
        .runs
        .iter()
        .filter_map(|(spec, _)| match spec.expect {
            Expect::Test { lo, hi } | Expect::TailMedian { lo, hi } => {
                let results = suite.all_seeds(&spec.id);
                let mut values: Vec<f64> = results
                    .iter()
                    .map(|r| match spec.expect {
                        Expect::TailMedian { .. } => r.tail_median(10, |p| p.test),
                        _ => r.final_test(),
                    })
                    .collect();
                values.sort_by(f64::total_cmp);
                let measured = crate::result::median(&values);
                Some(Check {
                    id: spec.id.clone(),
                    measured,
                    spread: (values[0], values[values.len() - 1]),
                    range: (lo, hi),
                    pass: (lo..=hi).contains(&measured)
                        && results.iter().all(|r| r.diverged.is_none()),
                })
            }
            _ => None,
        })
        .collect()
}
