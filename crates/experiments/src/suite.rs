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
    /// The suite's seed.
    pub seed: u64,
    /// Runs trained at the same time.
    pub jobs: usize,
    /// Threads per run.
    pub threads_per_run: usize,
    /// Whether to run the random search (many short runs).
    pub random_search: bool,
    /// Random search trials.
    pub search_trials: usize,
}

/// One check of a reproduction against its tolerance.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The run's id.
    pub id: String,
    /// What was measured.
    pub measured: f64,
    /// The accepted range.
    pub range: (f64, f64),
    /// Whether the measurement is in range.
    pub pass: bool,
}

/// Everything one suite run produced.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteResult {
    /// The runs, in catalog order, with their results.
    pub runs: Vec<(RunSpec, RunResult)>,
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

    /// Wall time per group: the sum of the runs' own times.
    pub fn seconds_per_group(&self) -> Vec<(Group, f64)> {
        let mut out: Vec<(Group, f64)> = Vec::new();
        for (spec, result) in &self.runs {
            match out.iter_mut().find(|(g, _)| *g == spec.group) {
                Some((_, s)) => *s += result.seconds,
                None => out.push((spec.group, result.seconds)),
            }
        }
        out
    }
}

/// A rough cost, to start the longest runs first so that no job waits on one at the end.
fn cost(spec: &RunSpec) -> f64 {
    let per_iter = match &spec.model {
        ModelSpec::Net(Architecture::DeepConv(_) | Architecture::AlexNet(_)) => 400.0,
        ModelSpec::Net(Architecture::SimpleConv(_)) | ModelSpec::DoubleConv { .. } => 40.0,
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
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by(|&a, &b| cost(&specs[b]).total_cmp(&cost(&specs[a])));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<RunResult>>>> =
        Mutex::new((0..specs.len()).map(|_| None).collect());
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
                            crate::extras::random_search(
                                data,
                                options.seed,
                                options.search_trials,
                                200,
                            )
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
                    let Some(&i) = order.get(k) else { break };
                    let spec = &specs[i];
                    on_event(Event::Started {
                        id: spec.id.clone(),
                    });
                    let mut last = 0;
                    let outcome = runner::run(
                        spec,
                        data,
                        options.seed,
                        options.threads_per_run,
                        &mut |step, total| {
                            if step == total || step - last >= total.div_ceil(50) {
                                last = step;
                                on_event(Event::Step {
                                    id: spec.id.clone(),
                                    step,
                                    total,
                                });
                            }
                        },
                    );
                    on_event(Event::Finished {
                        id: spec.id.clone(),
                        seconds: outcome.as_ref().map_or(0.0, |r| r.seconds),
                        curve: outcome.as_ref().map_or_else(
                            |_| Vec::new(),
                            |r| r.curve.iter().map(|p| (p.iteration, p.test)).collect(),
                        ),
                    });
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(outcome);
                    }
                }
            });
        }
    });
    let mut runs = Vec::new();
    let slots = results.into_inner().unwrap_or_default();
    for (spec, slot) in specs.iter().zip(slots) {
        match slot {
            Some(Ok(r)) => runs.push((spec.clone(), r)),
            Some(Err(e)) => return Err(e),
            None => {
                return Err(crate::ExperimentError::Setup(format!(
                    "run {} did not finish",
                    spec.id
                )));
            }
        }
    }
    let search = match search.into_inner().ok().flatten() {
        Some(r) => r?,
        None => Vec::new(),
    };
    let checks = runs
        .iter()
        .filter_map(|(spec, result)| match spec.expect {
            Expect::Test { lo, hi } | Expect::TailMedian { lo, hi } => {
                let measured = match spec.expect {
                    Expect::TailMedian { .. } => result.tail_median(10, |p| p.test),
                    _ => result.final_test(),
                };
                Some(Check {
                    id: spec.id.clone(),
                    measured,
                    range: (lo, hi),
                    pass: (lo..=hi).contains(&measured) && result.diverged.is_none(),
                })
            }
            _ => None,
        })
        .collect();
    Ok(SuiteResult {
        runs,
        search,
        init_figure: crate::extras::weight_init_figure(options.seed)?,
        checks,
        seconds: started.elapsed().as_secs_f64(),
    })
}
