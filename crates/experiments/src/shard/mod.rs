//! The suite across many machines: cut its work into shards, run each anywhere, merge them.
//!
//! Every run of the suite depends only on its seed and its settings, so the `(seed, run)`
//! pairs (and the random search) can be trained on different machines and put back
//! together into exactly the result one machine would have produced. A [`Slice`] `K/N`
//! names one of `N` shards; [`plan`] decides which jobs each shard takes (balanced by their
//! expected cost, the same on every machine); [`run`](fn@run) trains one shard;
//! [`write`](fn@write) and [`read`](fn@read) keep it on disk; [`merge`] checks that shards
//! belong together and assembles the suite's result.
//!
//! ```
//! use nabla_experiments::shard::Slice;
//!
//! let slice: Slice = "2/3".parse()?;
//! assert_eq!((slice.index(), slice.count()), (2, 3));
//! assert_eq!(slice.folder_name(), "shard-2-of-3");
//! assert!("4/3".parse::<Slice>().is_err());
//! # Ok::<(), String>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::extras::Trial;
use crate::session::Provenance;
use crate::suite::{self, Event, Job, Options};
use crate::{Data, Result, RunResult, RunSpec};

mod file;
mod merge;

pub use file::{find, read, write};
pub use merge::{Merged, merge};

/// One of `count` shards, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slice {
    index: usize,
    count: usize,
}

impl Slice {
    /// Shard `index` of `count`, `1 ≤ index ≤ count`.
    pub fn new(index: usize, count: usize) -> std::result::Result<Self, String> {
        if count == 0 {
            return Err("the count of shards must be at least 1".into());
        }
        if !(1..=count).contains(&index) {
            return Err(format!(
                "shard {index}/{count} does not exist: shards are numbered 1 to {count}"
            ));
        }
        Ok(Slice { index, count })
    }

    /// The shard's number, from 1.
    pub fn index(self) -> usize {
        self.index
    }

    /// How many shards there are.
    pub fn count(self) -> usize {
        self.count
    }

    /// The folder a shard is written to: `shard-K-of-N`.
    pub fn folder_name(self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

impl fmt::Display for Slice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Slice {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let number = |t: &str| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| format!("`{text}` is not a shard: write K/N, as in 2/4"))
        };
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a shard: write K/N, as in 2/4"))?;
        Slice::new(number(k)?, number(n)?)
    }
}

/// What a sweep is made of: every shard of one sweep carries the same selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// Whether the runs are the quick suite's.
    pub quick: bool,
    /// The runs' ids, in catalog order.
    pub runs: Vec<String>,
    /// The seeds, the primary first.
    pub seeds: Vec<u64>,
    /// Whether the random search is part of the sweep, and its number of trials.
    pub search_trials: Option<usize>,
}

impl Selection {
    /// The selection of a suite of `specs` run with `options`.
    pub fn of(specs: &[RunSpec], options: &Options, quick: bool) -> Self {
        Selection {
            quick,
            runs: specs.iter().map(|s| s.id.clone()).collect(),
            seeds: options.seeds.clone(),
            search_trials: options.random_search.then_some(options.search_trials),
        }
    }
}

/// Which jobs each of `count` shards takes, shard 1 first: the longest job goes to the
/// shard with the least work so far (ties to the lowest number), so every shard ends at
/// about the same time. The plan depends only on the selection and `count`, so every
/// machine computes the same one.
pub fn plan(specs: &[RunSpec], seeds: usize, search: bool, count: usize) -> Vec<Vec<Job>> {
    let mut jobs = suite::all_jobs(specs.len(), seeds, search);
    let cost = |j: &Job| suite::cost(*j, specs);
    jobs.sort_by(|a, b| cost(b).total_cmp(&cost(a)).then(a.cmp(b)));
    let mut shards: Vec<(f64, Vec<Job>)> = vec![(0.0, Vec::new()); count.max(1)];
    for job in jobs {
        let lightest = (0..shards.len())
            .min_by(|&a, &b| shards[a].0.total_cmp(&shards[b].0).then(a.cmp(&b)))
            .unwrap_or(0);
        shards[lightest].0 += cost(&job);
        shards[lightest].1.push(job);
    }
    shards
        .into_iter()
        .map(|(_, mut jobs)| {
            jobs.sort();
            jobs
        })
        .collect()
}

/// Where and how a shard was made, and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardManifest {
    /// The sweep it belongs to.
    pub selection: Selection,
    /// Which shard it is.
    pub slice: Slice,
    /// `git rev-parse HEAD` of the binary's checkout, when known.
    pub git_commit: Option<String>,
    /// The MNIST files and their SHA-256.
    pub dataset: Vec<(String, String)>,
    /// CPU model, cores, OS.
    pub machine: String,
    /// The command line.
    pub command: String,
    /// Runs trained at once.
    pub jobs: usize,
    /// Threads per run.
    pub threads_per_run: usize,
    /// The shard's wall time.
    pub wall_seconds: f64,
    /// What it holds, by name (`VG-1 seed 3`, `X-SEARCH`).
    pub holds: Vec<String>,
}

/// One shard's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shard {
    /// Where and how it was made.
    pub manifest: ShardManifest,
    /// Its runs' results, as `(seed, run id, result)`.
    pub runs: Vec<(u64, String, RunResult)>,
    /// The random search's trials, when this shard ran it.
    pub search: Option<Vec<Trial>>,
}

/// The jobs shard `slice` of a suite of `specs` takes, by name.
pub fn names(specs: &[RunSpec], options: &Options, slice: Slice) -> Vec<String> {
    jobs_of(specs, options, slice)
        .into_iter()
        .map(|job| job_name(job, specs, &options.seeds))
        .collect()
}

fn jobs_of(specs: &[RunSpec], options: &Options, slice: Slice) -> Vec<Job> {
    let mut plan = plan(
        specs,
        options.seeds.len(),
        options.random_search,
        slice.count,
    );
    std::mem::take(&mut plan[slice.index - 1])
}

fn job_name(job: Job, specs: &[RunSpec], seeds: &[u64]) -> String {
    match job {
        Job::Run { seed, spec } => format!("{} seed {}", specs[spec].id, seeds[seed]),
        Job::Search => "X-SEARCH".into(),
    }
}

/// Trains shard `slice` of the suite of `specs` with `options` (whose `seeds` must not be
/// empty). `quick` marks the quick suite's runs.
pub fn run(
    specs: &[RunSpec],
    data: &Data,
    options: &Options,
    quick: bool,
    slice: Slice,
    provenance: Provenance,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Shard> {
    let started = Instant::now();
    if options.seeds.is_empty() {
        return Err(crate::ExperimentError::Setup(
            "a shard needs at least one seed".into(),
        ));
    }
    let jobs = jobs_of(specs, options, slice);
    let done = suite::run_jobs(specs, &options.seeds, &jobs, data, options, on_event)?;
    Ok(Shard {
        manifest: ShardManifest {
            selection: Selection::of(specs, options, quick),
            slice,
            git_commit: provenance.git_commit,
            dataset: provenance.dataset,
            machine: provenance.machine,
            command: provenance.command,
            jobs: options.jobs,
            threads_per_run: options.threads_per_run,
            wall_seconds: started.elapsed().as_secs_f64(),
            holds: jobs
                .iter()
                .map(|&j| job_name(j, specs, &options.seeds))
                .collect(),
        },
        runs: done
            .runs
            .into_iter()
            .map(|((seed, spec), r)| (options.seeds[seed], specs[spec].id.clone(), r))
            .collect(),
        search: done.search,
    })
}

#[cfg(test)]
mod tests;
