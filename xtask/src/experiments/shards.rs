//! `experiments --shard K/N` and `experiments merge`: the suite cut into shards that any
//! engine runs (Slurm job arrays, Kubernetes Indexed Jobs, a CI matrix, GNU parallel), and
//! the shards merged into the report one machine would have written.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use nabla_experiments::session::{self, Provenance};
use nabla_experiments::shard::{self, Slice};
use nabla_experiments::suite::Options;
use nabla_experiments::{Data, RunSpec, catalog, report};

use super::{Args, Display, check, summary};

/// `experiments merge`: the report from shards.
#[derive(clap::Subcommand)]
pub enum Merge {
    /// Merge shards written by `--shard K/N` into one report: the same report.md,
    /// report.html, results.json and CSVs one machine running the whole suite would have
    /// written, every verdict counted over all seeds.
    ///
    /// Checks first that the shards belong together (same commit, MNIST files, runs, seeds
    /// and count; none missing, none twice) and names what does not fit.
    Merge(MergeArgs),
}

/// Arguments of `experiments merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Shard folders (shard-K-of-N), or folders holding them (a sweep's --out)
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Report folder [default: target/experiments]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Merge the shards that are there, for a look at a sweep still running; the report
    /// names the runs that are missing
    #[arg(long)]
    partial: bool,
    /// Exit non-zero when a reproduction is outside its tolerance or a verdict is unexpected
    #[arg(long)]
    check: bool,
}

/// Which shard to run: `--shard K/N`, else the engine's own index. Returns the slice and
/// where it came from, for the log.
pub(super) fn slice(
    flag: Option<Slice>,
    shards: Option<u32>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(Slice, String)>> {
    if let Some(slice) = flag {
        return Ok(Some((slice, "--shard".into())));
    }
    let number = |name: &str| -> Result<Option<usize>> {
        env(name)
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .with_context(|| format!("{name}={v} is not a whole number"))
            })
            .transpose()
    };
    let count = shards.map(|n| n as usize);
    if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let Some(total) = number("SLURM_ARRAY_TASK_COUNT")? else {
            bail!("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shard K/N")
        };
        if number("SLURM_ARRAY_TASK_STEP")?.is_some_and(|step| step != 1) {
            bail!(
                "the Slurm array has a step: give it consecutive indices (--array=0-{}) so that each task is one shard",
                total.saturating_sub(1)
            )
        }
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        if let Some(n) = count.filter(|&n| n != total) {
            bail!("--shards {n} but the Slurm array has {total} tasks")
        }
        let index = id
            .checked_sub(min)
            .map(|k| k + 1)
            .filter(|&k| k <= total)
            .with_context(|| {
                format!(
                    "SLURM_ARRAY_TASK_ID={id} is outside the array ({min} and {total} tasks on)"
                )
            })?;
        let slice = Slice::new(index, total).map_err(anyhow::Error::msg)?;
        return Ok(Some((
            slice,
            format!("SLURM_ARRAY_TASK_ID={id} of {total} tasks"),
        )));
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        let Some(n) = count else {
            bail!(
                "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the count of shards is not: add --shards N, N the Job's completions"
            )
        };
        let slice = Slice::new(index + 1, n)
            .map_err(|e| anyhow::anyhow!("JOB_COMPLETION_INDEX={index} with --shards {n}: {e}"))?;
        return Ok(Some((slice, format!("JOB_COMPLETION_INDEX={index}"))));
    }
    if let Some(n) = count {
        bail!(
            "--shards {n} takes the shard's number from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and neither is set: give --shard K/{n}"
        )
    }
    Ok(None)
}

/// `--list` with a shard: the runs that shard takes.
pub(super) fn list(specs: &[RunSpec], options: &Options, slice: Slice) {
    let names = shard::names(specs, options, slice);
    for name in &names {
        println!("{name}");
    }
    let sweep = specs.len() * options.seeds.len() + usize::from(options.random_search);
    println!("{} of {sweep} jobs in shard {slice}", names.len());
}

/// Trains one shard and writes it into `--out` (default `target/experiments/shards`).
pub(super) fn run(
    args: &Args,
    specs: &[RunSpec],
    data: &Data,
    options: &Options,
    (slice, from): (Slice, String),
    provenance: Provenance,
    root: &Path,
) -> Result<bool> {
    let parent = args
        .out
        .clone()
        .unwrap_or_else(|| report::default_dir(root).join("shards"));
    let names = shard::names(specs, options, slice);
    eprintln!(
        "Shard {slice} ({from}): {} of the sweep's {} jobs, into {}",
        names.len(),
        specs.len() * options.seeds.len() + usize::from(options.random_search),
        parent.join(slice.folder_name()).display()
    );
    let display = Display::new(names.len());
    let made = shard::run(specs, data, options, args.quick, slice, provenance, &|e| {
        display.on(e)
    });
    display.finish();
    let made = made?;
    let dir = shard::write(&made, &parent)?;
    println!(
        "Shard {slice}: {} job(s) in {:.0} s, written to {}",
        made.manifest.holds.len(),
        made.manifest.wall_seconds,
        dir.display()
    );
    Ok(true)
}

/// `experiments merge`.
pub(super) fn merge(Merge::Merge(args): &Merge, root: &Path) -> Result<bool> {
    let dirs = shard::find(&args.dirs)?;
    let mut shards = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let read = shard::read(&dir)?;
        shards.push((dir, read));
    }
    let given = shards.len();
    let merged = shard::merge(
        shards,
        |quick| {
            if quick {
                catalog::quick()
            } else {
                catalog::full()
            }
        },
        args.partial,
    )?;
    let ours = super::git_commit(root);
    if let (Some(ours), Some(theirs)) = (&ours, &merged.shards[0].git_commit)
        && ours != theirs
    {
        bail!(
            "the shards were made at commit {theirs} and this build is commit {ours}: merge with the build that made them, whose verdicts are the shards' own"
        )
    }
    if !merged.missing.is_empty() {
        eprintln!(
            "partial merge of {given} shard(s): {} run(s) missing",
            merged.missing.len()
        );
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| report::default_dir(root));
    let provenance = Provenance {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        git_commit: ours,
        dataset: Vec::new(),
        machine: String::new(),
    };
    let outcome = session::report_merged(merged, provenance, &out)?;
    summary(&outcome.suite, &outcome.verdicts);
    println!(
        "\nMerged {given} shard(s). Report: {}",
        out.join("report.html").display()
    );
    Ok(check(args.check, &outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice_with(
        flag: Option<&str>,
        shards: Option<u32>,
        env: &[(&str, &str)],
    ) -> Result<Option<String>> {
        let env = |k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let flag = flag.map(|f| f.parse::<Slice>().unwrap());
        Ok(slice(flag, shards, &env)?.map(|(s, _)| s.to_string()))
    }

    #[test]
    fn the_shard_comes_from_the_flag_or_the_engine() {
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ];
        assert_eq!(slice_with(None, None, &[]).unwrap(), None);
        assert_eq!(
            slice_with(Some("2/5"), None, &slurm).unwrap().unwrap(),
            "2/5"
        );
        assert_eq!(slice_with(None, None, &slurm).unwrap().unwrap(), "3/3");
        assert_eq!(slice_with(None, Some(3), &slurm).unwrap().unwrap(), "3/3");
        let from_one = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        assert_eq!(slice_with(None, None, &from_one).unwrap().unwrap(), "1/4");
        let k8s = [("JOB_COMPLETION_INDEX", "0")];
        assert_eq!(slice_with(None, Some(4), &k8s).unwrap().unwrap(), "1/4");
    }

    #[test]
    fn a_shard_that_cannot_be_worked_out_is_an_error_that_says_why() {
        type Env<'a> = &'a [(&'a str, &'a str)];
        let cases: [(Option<u32>, Env, &str); 6] = [
            (None, &[("JOB_COMPLETION_INDEX", "1")], "add --shards N"),
            (Some(2), &[("JOB_COMPLETION_INDEX", "2")], "does not exist"),
            (Some(4), &[], "neither is set"),
            (
                Some(4),
                &[
                    ("SLURM_ARRAY_TASK_ID", "0"),
                    ("SLURM_ARRAY_TASK_COUNT", "3"),
                ],
                "3 tasks",
            ),
            (
                None,
                &[("SLURM_ARRAY_TASK_ID", "0")],
                "SLURM_ARRAY_TASK_COUNT is not",
            ),
            (
                None,
                &[
                    ("SLURM_ARRAY_TASK_ID", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "3"),
                    ("SLURM_ARRAY_TASK_STEP", "2"),
                ],
                "step",
            ),
        ];
        for (shards, env, says) in cases {
            let err = slice_with(None, shards, env).unwrap_err().to_string();
            assert!(err.contains(says), "{env:?}: {err}");
        }
    }
}
