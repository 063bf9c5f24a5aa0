//! The report: `report.md` with SVG figures beside it, a self-contained `report.html`,
//! `results.json`, `manifest.json` and one CSV per run. Everything is written into a fresh
//! folder that replaces the old one only when complete, so an interrupted run leaves the
//! previous report as it was.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::computed::Computed;
use crate::extras::InitRow;
use crate::im2col_demo::Im2colDemo;
use crate::plot::{self, BLUE_, Line, ORANGE_, PALETTE};
use crate::spec::{Expect, Group, RunSpec};
use crate::suite::SuiteResult;
use crate::verdict::Verdict;
use crate::{ExperimentError, Result, RunResult, recorded};

mod charts;
mod claims;
mod figures;
mod html;
mod markdown;
mod questions;
mod runs;
mod sections;
#[cfg(test)]
mod tests;
mod words;

pub(crate) use figures::file_id;
use html::html;
use markdown::markdown;
use words::pct;

/// Where and how the suite ran, for reproducing it.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// The suite's seed.
    pub seed: u64,
    /// Runs trained at once.
    pub jobs: usize,
    /// Threads per run.
    pub threads_per_run: usize,
    /// Whether the suite ran in quick mode (short runs, small test subsets).
    pub quick: bool,
    /// The command line.
    pub command: String,
    /// `git rev-parse HEAD`, when known.
    pub git_commit: Option<String>,
    /// The MNIST files and their SHA-256 (of the decompressed content).
    pub dataset: Vec<(String, String)>,
    /// CPU model, cores, OS.
    pub machine: String,
    /// Seconds per run, by id.
    pub run_seconds: Vec<(String, f64)>,
    /// The whole suite's wall time.
    pub wall_seconds: f64,
    /// The shards a merged report was made from (empty for a suite run on one machine).
    pub shards: Vec<ShardLine>,
    /// What a partial merge lacks, by name (`VG-1 seed 3`, `X-SEARCH`).
    pub missing: Vec<String>,
}

/// One shard of a merged report.
#[derive(Debug, Clone, Serialize)]
pub struct ShardLine {
    /// Which shard, `K/N`.
    pub shard: String,
    /// CPU model, cores, OS of the machine that ran it.
    pub machine: String,
    /// Its wall time.
    pub wall_seconds: f64,
    /// How many runs it trained (the random search counts as one).
    pub runs: usize,
}

/// Everything the report shows.
pub struct Inputs<'a> {
    /// The suite's results.
    pub suite: &'a SuiteResult,
    /// The verdicts.
    pub verdicts: &'a [Verdict],
    /// What the suite computed without training.
    pub computed: &'a Computed,
    /// AlexNet's layer table, when built.
    pub alexnet: Option<&'a [nabla_nn::LayerSummary]>,
    /// The first convolution's filters at initialization, for CNN-3.
    pub filters_before: Option<&'a [Vec<f32>]>,
    /// The manifest.
    pub manifest: &'a Manifest,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExperimentError + '_ {
    move |source| ExperimentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(io(path))
}

/// Writes the whole report into `out` (replacing what was there only once complete).
pub fn write_all(out: &Path, inputs: &Inputs<'_>) -> Result<()> {
    let parent = out.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = out
        .file_name()
        .map_or("experiments".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let result = write_into(&staging, inputs);
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        fs::rename(out, &old).map_err(io(out))?;
    }
    fs::rename(&staging, out).map_err(io(out))?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

pub(super) struct Figure {
    pub(super) file: String,
    pub(super) svg: String,
    /// The tick labels of each axis, for the tests.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) axes: Vec<Vec<String>>,
}

/// Places `figure` in the report where `md` stands, in a `<figure>` of `class` (`claim`: the
/// page's width; `run`: two to a row), under `alt` and over `caption`, and keeps it to be
/// written to `figures/`.
fn place_figure(
    md: &mut String,
    figures: &mut Vec<Figure>,
    alt: &str,
    caption: Option<&str>,
    class: &str,
    figure: Figure,
) {
    let _ = write!(
        md,
        "<figure class=\"{class}\">\n\n![{alt}](figures/{})\n\n",
        figure.file
    );
    if let Some(caption) = caption {
        let _ = write!(md, "*{caption}*\n\n");
    }
    md.push_str("</figure>\n\n");
    figures.push(figure);
}

fn write_into(dir: &Path, inputs: &Inputs<'_>) -> Result<()> {
    let figures_dir = dir.join("figures");
    let runs_dir = dir.join("runs");
    for d in [&figures_dir, &runs_dir] {
        fs::create_dir_all(d).map_err(io(d))?;
    }
    let suite = inputs.suite;
    for (spec, result) in &suite.runs {
        let mut csv = String::from("iteration,train_accuracy,test_accuracy,loss\n");
        for p in &result.curve {
            let _ = writeln!(csv, "{},{},{},{}", p.iteration, p.train, p.test, p.loss);
        }
        write(&runs_dir.join(format!("{}.csv", file_id(&spec.id))), &csv)?;
    }
    let json = serde_json::json!({
        "manifest": inputs.manifest,
        "verdicts": inputs.verdicts,
        "checks": suite.checks,
        "runs": suite.runs.iter().map(|(s, r)| serde_json::json!({"spec": s, "result": r})).collect::<Vec<_>>(),
        "seeds": suite.seeds,
        "replicas": suite.replicas,
        "computed": inputs.computed,
        "random_search": suite.search,
        "weight_init": suite.init_figure,
        "seconds": suite.seconds,
    });
    let text =
        serde_json::to_string_pretty(&json).map_err(|e| ExperimentError::Setup(e.to_string()))?;
    write(&dir.join("results.json"), &text)?;
    let manifest = serde_json::to_string_pretty(inputs.manifest)
        .map_err(|e| ExperimentError::Setup(e.to_string()))?;
    write(&dir.join("manifest.json"), &manifest)?;

    let (md, figures) = markdown(inputs)?;
    for f in &figures {
        write(&figures_dir.join(&f.file), &f.svg)?;
    }
    write(&dir.join("report.md"), &md)?;
    write(&dir.join("report.html"), &html(&md, &figures))?;
    Ok(())
}

/// The default report folder under a project root.
pub fn default_dir(root: &Path) -> PathBuf {
    root.join("target").join("experiments")
}
