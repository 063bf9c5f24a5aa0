//! `nabla`: train, evaluate, predict with and inspect MNIST models from the command line.
//!
//! The binary is thin: it parses flags, calls the nabla libraries, and prints.
#![deny(clippy::undocumented_unsafe_blocks)]

mod data;
mod eval;
mod inspect;
mod lr_find;
mod playground;
mod predict;
mod progress;
mod runtime;
mod train;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Deep learning from scratch on MNIST.
///
/// MNIST is read from --data DIR, else $NABLA_DATA, else ./datasets/mnist
/// (fetch it with `cargo xtask fetch-mnist`).
#[derive(Parser)]
#[command(name = "nabla", version, about, long_about)]
struct Cli {
    /// Worker threads [default: $NABLA_THREADS, else all cores]; results do not depend on it
    #[arg(long, global = true, value_parser = clap::value_parser!(u32).range(1..=256))]
    threads: Option<u32>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model on MNIST and optionally save it
    Train(Box<train::Args>),
    /// Test accuracy, per-class accuracy and confusion matrix of a saved model
    Eval(eval::Args),
    /// Classify 28x28 grayscale images (PNG, PGM) or test-set images with a saved model
    Predict(predict::Args),
    /// Describe a checkpoint (layers, shapes, parameters, FLOPs) or an IDX file
    Inspect(inspect::Args),
    /// Find a learning rate: train a fresh model while the rate grows, and suggest where the
    /// loss falls fastest
    LrFind(Box<lr_find::Args>),
    /// Serve the playground on 127.0.0.1: change one knob of the notes (activation,
    /// initialization, BatchNorm, optimizer, penalty, dropout) and watch a network train
    Playground(playground::Args),
}

fn main() -> ExitCode {
    runtime::keep_freed_memory();
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        nabla_tensor::parallel::set_threads(n as usize);
    }
    let result = match cli.command {
        Command::Train(args) => train::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Predict(args) => predict::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::LrFind(args) => lr_find::run(&args),
        Command::Playground(args) => playground::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
