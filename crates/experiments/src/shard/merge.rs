//! Shards back into one suite: check that they belong together, then assemble exactly the
//! result one machine would have produced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Shard, ShardManifest};
use crate::extras::Trial;
use crate::suite::{self, Done, SuiteResult};
use crate::{ExperimentError, Result, RunResult, RunSpec};

/// Shards merged into one suite.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The runs the suite holds, in catalog order (with `partial`, only the complete ones).
    pub specs: Vec<RunSpec>,
    /// The suite's result, as one machine would have produced it.
    pub suite: SuiteResult,
    /// Every shard's manifest, shard 1 first.
    pub shards: Vec<ShardManifest>,
    /// What a partial merge lacks, by name (`VG-1 seed 3`, `X-SEARCH`); empty otherwise.
    pub missing: Vec<String>,
}

fn error(text: String) -> ExperimentError {
    ExperimentError::Shard(text)
}

/// Merges `shards` (each with the folder it was read from). `catalog(quick)` gives the runs
/// of the full or the quick suite, to recover each run's settings. With `partial`, missing
/// shards are allowed: a run lacking any seed is left out and named in
/// [`Merged::missing`].
///
/// Errors name the problem: shards of different sweeps (commit, dataset, runs, seeds or
/// count), a shard given twice or missing, a run whose numbers differ between two shards.
pub fn merge(
    shards: Vec<(PathBuf, Shard)>,
    catalog: impl Fn(bool) -> Vec<RunSpec>,
    partial: bool,
) -> Result<Merged> {
    let Some((first_path, first)) = shards.first() else {
        return Err(error("no shards to merge".into()));
    };
    let sweep = &first.manifest;
    for (path, shard) in &shards[1..] {
        belongs_with(first_path, sweep, path, &shard.manifest)?;
    }
    let count = sweep.slice.count();
    let mut by_index: BTreeMap<usize, &Path> = BTreeMap::new();
    for (path, shard) in &shards {
        let k = shard.manifest.slice.index();
        if let Some(other) = by_index.insert(k, path) {
            return Err(error(format!(
                "shard {} is given twice: {} and {}",
                shard.manifest.slice,
                other.display(),
                path.display()
            )));
        }
    }
    let absent: Vec<String> = (1..=count)
        .filter(|k| !by_index.contains_key(k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !absent.is_empty() && !partial {
        return Err(error(format!(
            "shard{} {} {} missing (have {}): wait for {} or merge with --partial",
            if absent.len() > 1 { "s" } else { "" },
            absent.join(", "),
            if absent.len() > 1 { "are" } else { "is" },
            by_index
                .keys()
                .map(|k| format!("{k}/{count}"))
                .collect::<Vec<_>>()
                .join(", "),
            if absent.len() > 1 { "them" } else { "it" },
        )));
    }

    let selection = &sweep.selection;
    let all = catalog(selection.quick);
    let specs: Vec<RunSpec> = selection
        .runs
        .iter()
        .map(|id| {
            all.iter().find(|s| &s.id == id).cloned().ok_or_else(|| {
                error(format!(
                    "the shards hold run {id}, which this build's catalog lacks: merge with the build that made them (commit {})",
                    sweep.git_commit.as_deref().unwrap_or("unknown")
                ))
            })
        })
        .collect::<Result<_>>()?;

    let (runs, search) = gather(&shards, &specs, &selection.seeds)?;
    let seeds = &selection.seeds;
    let complete = |k: usize| (0..seeds.len()).all(|s| runs.contains_key(&(s, k)));
    let mut missing: Vec<String> = Vec::new();
    for (s, &seed) in seeds.iter().enumerate() {
        for (k, spec) in specs.iter().enumerate() {
            if !runs.contains_key(&(s, k)) {
                missing.push(format!("{} seed {seed}", spec.id));
            }
        }
    }
    if selection.search_trials.is_some() && search.is_none() {
        missing.push("X-SEARCH".into());
    }
    if !missing.is_empty() && !partial {
        // Every shard is here, yet a run is not: a shard that does not hold what the plan
        // gives it.
        return Err(error(format!(
            "every shard is here but {} run(s) are not (first: {}): a shard was altered or made by another plan",
            missing.len(),
            missing[0]
        )));
    }
    let kept: Vec<usize> = (0..specs.len()).filter(|&k| complete(k)).collect();
    let done = Done {
        runs: runs
            .into_iter()
            .filter_map(|((s, k), r)| {
                kept.iter()
                    .position(|&j| j == k)
                    .map(|new_k| ((s, new_k), r))
            })
            .collect(),
        search,
    };
    let kept_specs: Vec<RunSpec> = kept.iter().map(|&k| specs[k].clone()).collect();
    let seconds = shards
        .iter()
        .map(|(_, s)| s.manifest.wall_seconds)
        .fold(0.0, f64::max);
    let suite = suite::assemble(&kept_specs, seeds, done, seconds)?;
    let mut manifests: Vec<ShardManifest> = shards.into_iter().map(|(_, s)| s.manifest).collect();
    manifests.sort_by_key(|m| m.slice);
    Ok(Merged {
        specs: kept_specs,
        suite,
        shards: manifests,
        missing,
    })
}

type Gathered = (BTreeMap<(usize, usize), RunResult>, Option<Vec<Trial>>);

/// Every shard's runs by `(seed index, spec index)`; a run in two shards must be the same
/// run to the bit.
fn gather(shards: &[(PathBuf, Shard)], specs: &[RunSpec], seeds: &[u64]) -> Result<Gathered> {
    let mut runs: BTreeMap<(usize, usize), (RunResult, &Path)> = BTreeMap::new();
    let mut search: Option<(Vec<Trial>, &Path)> = None;
    for (path, shard) in shards {
        for (seed, id, result) in &shard.runs {
            let s = seeds.iter().position(|x| x == seed);
            let k = specs.iter().position(|spec| &spec.id == id);
            let (Some(s), Some(k)) = (s, k) else {
                return Err(error(format!(
                    "{} holds run {id} seed {seed}, which is not part of its sweep",
                    path.display()
                )));
            };
            if let Some((other, other_path)) = runs.get(&(s, k)) {
                if other != result {
                    return Err(error(format!(
                        "run {id} seed {seed} is in {} and in {} with different numbers: one of them was not made by this sweep's build",
                        other_path.display(),
                        path.display()
                    )));
                }
            } else {
                runs.insert((s, k), (result.clone(), path));
            }
        }
        if let Some(trials) = &shard.search {
            match &search {
                Some((other, other_path)) if other != trials => {
                    return Err(error(format!(
                        "the random search is in {} and in {} with different numbers",
                        other_path.display(),
                        path.display()
                    )));
                }
                Some(_) => {}
                None => search = Some((trials.clone(), path)),
            }
        }
    }
    Ok((
        runs.into_iter().map(|(key, (r, _))| (key, r)).collect(),
        search.map(|(t, _)| t),
    ))
}

/// Whether the shard at `path` belongs to the same sweep as the one at `first_path`.
fn belongs_with(
    first_path: &Path,
    first: &ShardManifest,
    path: &Path,
    other: &ShardManifest,
) -> Result<()> {
    let differ = |what: &str, a: String, b: String| {
        Err(error(format!(
            "{} and {} are not shards of one sweep: {what} {a} and {b}",
            first_path.display(),
            path.display()
        )))
    };
    let commit = |m: &ShardManifest| m.git_commit.clone().unwrap_or_else(|| "unknown".into());
    if first.git_commit != other.git_commit {
        return differ("made at commits", commit(first), commit(other));
    }
    if first.dataset != other.dataset {
        return differ(
            "read different MNIST files:",
            format!("{:?}", first.dataset),
            format!("{:?}", other.dataset),
        );
    }
    if first.slice.count() != other.slice.count() {
        return differ(
            "cut into",
            format!("{} shards", first.slice.count()),
            format!("{} shards", other.slice.count()),
        );
    }
    let (a, b) = (&first.selection, &other.selection);
    if a.seeds != b.seeds {
        return differ("ran seeds", list(&a.seeds), list(&b.seeds));
    }
    if a.quick != b.quick {
        return differ(
            "ran",
            suite_name(a.quick).into(),
            suite_name(b.quick).into(),
        );
    }
    if a.runs != b.runs || a.search_trials != b.search_trials {
        return differ("selected runs", a.runs.join(","), b.runs.join(","));
    }
    Ok(())
}

fn list(seeds: &[u64]) -> String {
    seeds
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn suite_name(quick: bool) -> &'static str {
    if quick {
        "the quick suite"
    } else {
        "the full suite"
    }
}
