//! "Run these specs and write the report": the whole of `cargo xtask experiments` once the
//! data is loaded, so that a program only parses its flags, finds the data and prints.

use std::path::Path;
use std::time::Instant;

use crate::report::{self, Inputs, Manifest, ShardLine};
use crate::shard::Merged;
use crate::suite::{self, Event, Options, SuiteResult};
use crate::verdict::{self, Verdict};
use crate::{Data, Result, RunSpec, computed, runner};

/// What the report records about where and how it was made, beside the results.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The command line.
    pub command: String,
    /// `git rev-parse HEAD`, when known.
    pub git_commit: Option<String>,
    /// The MNIST files and their SHA-256 (of the decompressed content).
    pub dataset: Vec<(String, String)>,
    /// CPU model, cores, OS.
    pub machine: String,
}

/// What a session produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The runs and their checks.
    pub suite: SuiteResult,
    /// A verdict per claim.
    pub verdicts: Vec<Verdict>,
    /// Every reproduction outside its range and every unexpected verdict, in words.
    pub failures: Vec<String>,
    /// Wall-clock seconds, training and report.
    pub wall_seconds: f64,
}

/// Trains `specs` on `data`, decides every claim, and writes the report into `out`
/// (`report.md`, `report.html`, `results.json`, figures and CSVs; the previous report stays
/// until the new one is complete). `quick` marks a quick-mode report.
pub fn run_and_report(
    specs: &[RunSpec],
    data: &Data,
    options: &Options,
    quick: bool,
    provenance: Provenance,
    out: &Path,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Outcome> {
    let started = Instant::now();
    // A claim that names a run the catalog lacks is a bug: fail before any training.
    let catalog = crate::catalog::full();
    verdict::check_claims(&catalog.iter().map(|s| s.id.as_str()).collect::<Vec<_>>())?;
    let suite = suite::run(specs, data, options, on_event)?;
    let how = How {
        seed: options.seed(),
        jobs: options.jobs,
        threads_per_run: options.threads_per_run,
        quick,
        shards: Vec::new(),
        missing: Vec::new(),
    };
    report(suite, &how, provenance, out, started)
}

/// Decides every claim from shards merged into one suite and writes the report into `out`,
/// the same report one machine running the whole suite would have written (timings and the
/// manifest's account of the shards aside). `provenance` is the merge's: its command, and the
/// commit of the build that merges.
pub fn report_merged(merged: Merged, provenance: Provenance, out: &Path) -> Result<Outcome> {
    let started = Instant::now();
    let first = merged
        .shards
        .first()
        .ok_or_else(|| crate::ExperimentError::Shard("no shards to report".into()))?;
    let mut machines: Vec<&str> = merged.shards.iter().map(|m| m.machine.as_str()).collect();
    machines.dedup();
    let how = How {
        seed: merged.suite.seeds.first().copied().unwrap_or(0),
        jobs: first.jobs,
        threads_per_run: first.threads_per_run,
        quick: first.selection.quick,
        shards: merged
            .shards
            .iter()
            .map(|m| ShardLine {
                shard: m.slice.to_string(),
                machine: m.machine.clone(),
                wall_seconds: m.wall_seconds,
                runs: m.holds.len(),
            })
            .collect(),
        missing: merged.missing,
    };
    let provenance = Provenance {
        git_commit: first.git_commit.clone().or(provenance.git_commit),
        dataset: first.dataset.clone(),
        machine: machines.join("; "),
        command: provenance.command,
    };
    report(merged.suite, &how, provenance, out, started)
}

/// How the suite was run, beside the results: what the manifest records.
struct How {
    seed: u64,
    jobs: usize,
    threads_per_run: usize,
    quick: bool,
    shards: Vec<ShardLine>,
    missing: Vec<String>,
}

fn report(
    suite: SuiteResult,
    how: &How,
    provenance: Provenance,
    out: &Path,
    started: Instant,
) -> Result<Outcome> {
    let computed = computed::run()?;
    let verdicts = verdict::all(&suite, Some(&computed));
    // SimpleConvNet's first-layer filters as its run started (the same seed gives the same
    // weights), to draw beside the trained ones.
    let cnn = crate::catalog::ids::CNN_3.as_str();
    let filters_before = suite.spec(cnn).and_then(|spec| {
        let seed = runner::run_seed(how.seed, &spec.id);
        runner::build_model(spec, seed)
            .ok()
            .and_then(|mut m| runner::first_filters(m.as_mut()))
    });
    // A merge's wall time is its longest shard's (the sweep's critical path) and its own.
    let longest_shard = how
        .shards
        .iter()
        .map(|s| s.wall_seconds)
        .fold(0.0, f64::max);
    let manifest = Manifest {
        seed: how.seed,
        jobs: how.jobs,
        threads_per_run: how.threads_per_run,
        quick: how.quick,
        command: provenance.command,
        git_commit: provenance.git_commit,
        dataset: provenance.dataset,
        machine: provenance.machine,
        run_seconds: suite
            .runs
            .iter()
            .map(|(s, r)| (s.id.clone(), r.seconds))
            .collect(),
        wall_seconds: longest_shard + started.elapsed().as_secs_f64(),
        shards: how.shards.clone(),
        missing: how.missing.clone(),
    };
    report::write_all(
        out,
        &Inputs {
            suite: &suite,
            verdicts: &verdicts,
            computed: &computed,
            alexnet: Some(&computed.alexnet_table),
            filters_before: filters_before.as_deref(),
            manifest: &manifest,
        },
    )?;
    let failures = failures(&suite, &verdicts);
    Ok(Outcome {
        suite,
        verdicts,
        failures,
        wall_seconds: manifest.wall_seconds,
    })
}

fn failures(suite: &SuiteResult, verdicts: &[Verdict]) -> Vec<String> {
    suite
        .checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| {
            format!(
                "{}: test accuracy {:.2}% outside {:.2}%..{:.2}%",
                c.id,
                100.0 * c.measured,
                100.0 * c.range.0,
                100.0 * c.range.1
            )
        })
        .chain(verdicts.iter().filter(|v| v.is_unexpected()).map(|v| {
            format!(
                "claim \"{}\": {}, expected {} ({})",
                v.claim.statement,
                v.outcome.word(),
                v.claim.expected.word(),
                v.evidence
            )
        }))
        .collect()
}
