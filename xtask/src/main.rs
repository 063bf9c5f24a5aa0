//! Project automation for nabla, run as `cargo xtask <task>`.
//! See <https://github.com/matklad/cargo-xtask/>.
#![deny(clippy::undocumented_unsafe_blocks)]

mod bench;
mod experiments;
mod fetch_mnist;
#[path = "../../crates/cli/src/runtime.rs"]
mod runtime;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// nabla's project tasks.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Download the four MNIST files into datasets/mnist/ and verify their SHA-256.
    ///
    /// Mirrors are tried in order; a file that fails verification is discarded and the next
    /// mirror tried. Files already present and valid are kept. Safe to interrupt and rerun:
    /// nothing is ever left half-written under a final name.
    FetchMnist(fetch_mnist::Args),
    /// Rerun the classic experiments on MNIST and write a report with plots and verdicts.
    ///
    /// Fetches MNIST first when it is missing. Writes report.md, report.html (self-contained),
    /// results.json, manifest.json and one CSV per run into target/experiments/ (or --out),
    /// replacing the previous report only once the new one is complete. Runs train in
    /// parallel; the numbers depend only on --seed, never on --jobs.
    Experiments(experiments::Args),
    /// Time nabla on the curriculum's models, side by side with PyTorch and NumPy.
    ///
    /// Rows: GEMM GFLOP/s at the models' shapes, convolution and pooling forward+backward,
    /// training speed of SimpleConvNet, the MLP and DeepConvNet, inference on the 10,000 test
    /// images, and peak memory while training. When python3 can import torch or numpy, the
    /// scripts in bench/ run the same workloads with the same thread count and every row gets
    /// a ratio. Writes target/bench/bench.json.
    Bench(bench::Args),
}

/// The workspace root, from this crate's manifest directory.
fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn main() -> ExitCode {
    runtime::keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.task {
        Task::FetchMnist(args) => fetch_mnist::run(&args, &project_root()).map(|()| true),
        Task::Experiments(args) => experiments::run(&args, &project_root()),
        Task::Bench(args) => bench::run(&args, &project_root()).map(|()| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
