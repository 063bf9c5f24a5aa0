//! `cargo xtask experiments`: rerun the classic experiments on MNIST and write the report.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use nabla_datasets::Mnist;
use nabla_experiments::report;
use nabla_experiments::session::{self, Provenance};
use nabla_experiments::shard::Slice;
use nabla_experiments::suite::{self, Event, Options};
use nabla_experiments::verdict::{self, Outcome};
use nabla_experiments::{Data, Expect, Group, RunSpec, catalog, spec};

use crate::fetch_mnist;

mod live;
mod seeds;
mod shards;

use seeds::{SeedChoice, parse_seeds};

/// Arguments of `experiments`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    merge: Option<shards::Merge>,
    /// Short runs on small subsets (a few seconds); checks only what a short run decides
    #[arg(long)]
    quick: bool,
    /// Only these runs or groups, comma-separated (VG, OPT, OF, CNN, EXTRA, OPT-C, VG-4, …)
    #[arg(long, value_name = "ID[,ID...]", value_delimiter = ',')]
    only: Vec<String>,
    /// List the runs (with --quick: the quick ones) and exit
    #[arg(long)]
    list: bool,
    /// Seed of every weight, batch and dropout mask
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Train every run with several seeds: a count N (seeds --seed … --seed+N−1) or a
    /// comma-separated list (`--seeds 100,101,102`). Curves are drawn as the median with a
    /// min–max band, each verdict is counted per seed, each reproduction checked on the
    /// median
    #[arg(long, value_name = "N|LIST", value_parser = parse_seeds)]
    seeds: Option<SeedChoice>,
    /// Where MNIST is [default: $NABLA_DATA, else datasets/mnist, fetched there if missing]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Runs trained at once [default: the number of cores]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Report folder [default: target/experiments]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Mirror to fetch MNIST from when it is missing (repeatable; default: the built-in list)
    #[arg(long = "mirror", value_name = "URL")]
    mirrors: Vec<String>,
    /// Exit non-zero when a reproduction is outside its tolerance or a verdict is unexpected
    #[arg(long)]
    check: bool,
    /// Serve a live page of the suite on 127.0.0.1 (a free port, or PORT): which runs are
    /// queued, running and done, each finished run's curve, then the verdicts; it stays up
    /// after the suite until Ctrl-C
    #[arg(long, value_name = "PORT", num_args = 0..=1, default_missing_value = "0",
          conflicts_with_all = ["shard", "shards"])]
    live: Option<u16>,
    /// Run only shard K of N (numbered from 1) and write it to OUT/shard-K-of-N [OUT default:
    /// target/experiments/shards]; `merge` makes the report from all N. Each shard takes a
    /// fixed part of the (seed, run) pairs, balanced by cost, the same on every machine.
    /// Inside a Slurm job array the shard is read from SLURM_ARRAY_TASK_ID and
    /// SLURM_ARRAY_TASK_COUNT when this flag is absent
    #[arg(long, value_name = "K/N", value_parser = parse_slice, conflicts_with = "shards")]
    shard: Option<Slice>,
    /// Run one of N shards, its number from the engine: SLURM_ARRAY_TASK_ID (Slurm job
    /// arrays) or JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs), both counted from 0
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    shards: Option<u32>,
}

fn parse_slice(text: &str) -> std::result::Result<Slice, String> {
    text.parse()
}

impl Args {
    fn seed_list(&self) -> Vec<u64> {
        seeds::seed_list(self.seed, self.seeds.as_ref())
    }
}

fn select(args: &Args) -> Result<Vec<RunSpec>> {
    let all = if args.quick {
        catalog::quick()
    } else {
        catalog::full()
    };
    spec::select(all, &args.only).or_else(|filter| {
        let groups = Group::ALL.map(Group::id).join(", ");
        bail!(
            "--only {filter}: no such run or group (groups: {groups}; `--list` shows the runs{})",
            if args.quick {
                " of the quick suite"
            } else {
                ""
            }
        )
    })
}

/// How to run `specs`: one job per core (at most one per run), the cores shared among them.
fn options(args: &Args, specs: &[RunSpec]) -> Options {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = args.jobs.map_or(cores, usize::from).min(specs.len().max(1));
    Options {
        seeds: args.seed_list(),
        jobs,
        threads_per_run: (cores / jobs).max(1),
        random_search: !args.quick
            && (args.only.is_empty() || specs.iter().any(|s| s.group == Group::Extra)),
        search_trials: 40,
    }
}

fn list(specs: &[RunSpec]) {
    println!("{:<16} {:<6} {:>6}  title", "id", "group", "iters");
    for s in specs {
        println!(
            "{:<16} {:<6} {:>6}  {}",
            s.id, s.group, s.iterations, s.title
        );
    }
    println!("{} runs", specs.len());
}

/// The commit of the checkout, or `$NABLA_GIT_COMMIT` where there is none (a container
/// built from a copy of the sources).
fn git_commit(root: &Path) -> Option<String> {
    if let Ok(commit) = std::env::var("NABLA_GIT_COMMIT") {
        return Some(commit).filter(|c| !c.is_empty());
    }
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Progress on a terminal: one bar for the suite, one line per run in flight.
struct Display {
    multi: MultiProgress,
    total: ProgressBar,
    running: Mutex<BTreeMap<String, ProgressBar>>,
    plain: bool,
    started: Instant,
}

impl Display {
    fn new(runs: usize) -> Self {
        let plain = !std::io::stderr().is_terminal();
        let multi = MultiProgress::new();
        let total = if plain {
            ProgressBar::hidden()
        } else {
            multi.add(ProgressBar::new(runs as u64))
        };
        total.set_style(
            ProgressStyle::with_template(
                "[{elapsed_precise}] {bar:30} {pos}/{len} runs done, about {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Display {
            multi,
            total,
            running: Mutex::new(BTreeMap::new()),
            plain,
            started: Instant::now(),
        }
    }

    fn on(&self, event: Event) {
        let Ok(mut running) = self.running.lock() else {
            return;
        };
        match event {
            Event::Started { id } => {
                if self.plain {
                    return;
                }
                let bar = self.multi.add(ProgressBar::new(1));
                bar.set_style(
                    ProgressStyle::with_template("  {prefix:<16} {bar:20} {pos}/{len}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_prefix(id.clone());
                running.insert(id, bar);
            }
            Event::Step { id, step, total } => {
                if let Some(bar) = running.get(&id) {
                    bar.set_length(total);
                    bar.set_position(step);
                }
            }
            Event::Finished { id, seconds, .. } => {
                if let Some(bar) = running.remove(&id) {
                    bar.finish_and_clear();
                    self.multi.remove(&bar);
                }
                self.total.inc(1);
                if self.plain {
                    eprintln!(
                        "[{:>5.0} s] {id} done in {seconds:.1} s",
                        self.started.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }

    fn finish(&self) {
        self.total.finish_and_clear();
    }
}

pub fn run(args: &Args, root: &Path) -> Result<bool> {
    if let Some(merge) = &args.merge {
        return shards::merge(merge, root);
    }
    let specs = select(args)?;
    let slice = shards::slice(args.shard, args.shards, &|k| std::env::var(k).ok())?;
    let options = options(args, &specs);
    if args.list {
        match slice {
            Some((slice, _)) => shards::list(&specs, &options, slice),
            None => list(&specs),
        }
        return Ok(true);
    }
    let data_dir = fetch_mnist::ensure(args.data.as_deref(), &args.mirrors, root)?;
    let dataset = fetch_mnist::verified(&data_dir)?;
    let mnist =
        Mnist::load(&data_dir).with_context(|| format!("loading {}", data_dir.display()))?;
    let data = Data::new(&mnist);
    drop(mnist);

    let seeds = &options.seeds;
    eprintln!(
        "Running {} runs on {} jobs of {} thread(s), {}{}",
        specs.len(),
        options.jobs,
        options.threads_per_run,
        match seeds.as_slice() {
            [one] => format!("seed {one}"),
            many => format!(
                "{} seeds ({})",
                many.len(),
                many.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        if args.quick { ", quick mode" } else { "" }
    );
    let provenance = Provenance {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        git_commit: git_commit(root),
        dataset,
        machine: nabla_tensor::machine(),
    };
    if let Some((slice, from)) = slice {
        return shards::run(
            args,
            &specs,
            &data,
            &options,
            (slice, from),
            provenance,
            root,
        );
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| report::default_dir(root));
    let live = match args.live {
        Some(port) => Some(live::start(port, &specs, &options, args.quick)?),
        None => None,
    };
    let display = Display::new(specs.len() * seeds.len() + usize::from(options.random_search));
    let outcome = session::run_and_report(
        &specs,
        &data,
        &options,
        args.quick,
        provenance,
        &out,
        &|e| {
            if let Some(server) = &live {
                live::publish_event(server, &e);
            }
            display.on(e)
        },
    );
    display.finish();
    let outcome = outcome?;

    summary(&outcome.suite, &outcome.verdicts);
    println!(
        "\nWall time {:.0} s. Report: {}",
        outcome.wall_seconds,
        out.join("report.html").display()
    );
    if let Some(server) = &live {
        live::publish_end(server, &outcome);
    }
    let passed = check(args.check, &outcome);
    if let Some(server) = live {
        println!("serving the live page at {} until Ctrl-C", server.url());
        loop {
            std::thread::park();
        }
    }
    Ok(passed)
}

/// With `--check`, prints whether every reproduction and verdict is as expected.
fn check(wanted: bool, outcome: &session::Outcome) -> bool {
    if wanted {
        if outcome.failures.is_empty() {
            println!(
                "check passed: {} reproductions in range, {} verdicts as expected",
                outcome.suite.checks.len(),
                outcome
                    .verdicts
                    .iter()
                    .filter(|v| v.outcome != Outcome::Undecided)
                    .count()
            );
        } else {
            eprintln!("check failed:");
            outcome.failures.iter().for_each(|f| eprintln!("  {f}"));
            return false;
        }
    }
    true
}

fn summary(result: &suite::SuiteResult, verdicts: &[verdict::Verdict]) {
    println!(
        "\n{:<16} {:>8} {:>8} {:>9} {:>17}  check",
        "run", "train", "test", "recorded", "accepted"
    );
    for (spec, r) in &result.runs {
        let recorded = spec
            .recorded
            .map_or("-".to_string(), |rec| format!("{:.2}%", 100.0 * rec.test));
        let (range, check) = match spec.expect {
            Expect::Test { lo, hi } | Expect::TailMedian { lo, hi } => (
                format!("{:.1}%..{:.1}%", 100.0 * lo, 100.0 * hi),
                if result.checks.iter().any(|c| c.id == spec.id && c.pass) {
                    "ok"
                } else {
                    "OUTSIDE"
                },
            ),
            Expect::Unstable => ("-".into(), "unstable"),
            Expect::Nothing => ("-".into(), ""),
        };
        println!(
            "{:<16} {:>7.2}% {:>7.2}% {:>9} {:>17}  {check}",
            spec.id,
            100.0 * r.final_train(),
            100.0 * r.final_test(),
            recorded,
            range
        );
    }
    println!();
    for v in verdicts {
        println!("{:>28}  {}", v.tally(), v.claim.statement);
    }
}
