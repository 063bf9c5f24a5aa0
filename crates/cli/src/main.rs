//! `nabla`: train, evaluate, predict with and inspect MNIST models from the command line.
//!
//! The binary is thin: it parses flags, calls the nabla libraries, and prints.

mod inspect;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Deep learning from scratch on MNIST.
#[derive(Parser)]
#[command(name = "nabla", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Describe a file: an IDX file's type, dimensions and value summary
    Inspect(inspect::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
