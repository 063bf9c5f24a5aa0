//! "Run these specs and write the report": the whole of `cargo xtask experiments` once the
//! data is loaded, so that a program only parses its flags, finds the data and prints.

use std::path::Path;
use std::time::Instant;

use crate::report::{self, Inputs, Manifest};
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

    let computed = computed::run()?;
    let verdicts = verdict::all(&suite, Some(&computed));
    // SimpleConvNet's first-layer filters as its run started (the same seed gives the same
    // weights), to draw beside the trained ones.
    let cnn = crate::catalog::ids::CNN_3.as_str();
    let filters_before = specs.iter().find(|s| s.id == cnn).and_then(|spec| {
        let seed = runner::run_seed(options.seed(), &spec.id);
        runner::build_model(spec, seed)
            .ok()
            .and_then(|mut m| runner::first_filters(m.as_mut()))
    });
    let manifest = Manifest {
        seed: options.seed(),
        jobs: options.jobs,
        threads_per_run: options.threads_per_run,
        quick,
        command: provenance.command,
        git_commit: provenance.git_commit,
        dataset: provenance.dataset,
        machine: provenance.machine,
        run_seconds: suite
            .runs
            .iter()
            .map(|(s, r)| (s.id.clone(), r.seconds))
            .collect(),
        wall_seconds: started.elapsed().as_secs_f64(),
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
