//! Runs a list of experiments on a fixed number of jobs, and checks each reproduction.
//!
//! Every run has its own seed (from the suite seed and its id) and its own thread count, so
//! results do not depend on `jobs` or on which run finished first.

use std::time::Instant;

use serde::Serialize;

use crate::extras::{InitRow, Trial};

mod jobs;

use crate::result::RunResult;
pub use jobs::{Done, Job, all_jobs, cost, run_jobs};

use crate::spec::{Expect, Group, RunSpec};
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
    let jobs = all_jobs(specs.len(), seeds.len(), options.random_search);
    let done = run_jobs(specs, &seeds, &jobs, data, options, on_event)?;
    assemble(specs, &seeds, done, started.elapsed().as_secs_f64())
}

/// The suite's result from every run's result (`done` must hold every `(seed, spec)` pair)
/// and the suite's wall time: the primary seed's runs, the other seeds' replicas, the
/// weight-initialization figure and the reproduction checks.
pub fn assemble(
    specs: &[RunSpec],
    seeds: &[u64],
    mut done: Done,
    seconds: f64,
) -> Result<SuiteResult> {
    let mut per_seed: Vec<Vec<RunResult>> = Vec::with_capacity(seeds.len());
    for (s, &seed) in seeds.iter().enumerate() {
        let mut runs = Vec::with_capacity(specs.len());
        for (k, spec) in specs.iter().enumerate() {
            let Some(r) = done.runs.remove(&(s, k)) else {
                return Err(crate::ExperimentError::Setup(format!(
                    "no result for run {}",
                    job_label(&spec.id, seed, seeds.len())
                )));
            };
            runs.push(r);
        }
        per_seed.push(runs);
    }
    let mut per_seed = per_seed.into_iter();
    let runs: Vec<(RunSpec, RunResult)> = specs
        .iter()
        .cloned()
        .zip(per_seed.next().unwrap_or_default())
        .collect();
    let seed = seeds.first().copied().unwrap_or(0);
    let mut suite = SuiteResult {
        runs,
        seeds: seeds.to_vec(),
        replicas: per_seed.collect(),
        search: done.search.unwrap_or_default(),
        init_figure: crate::extras::weight_init_figure(seed)?,
        checks: Vec::new(),
        seconds,
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
