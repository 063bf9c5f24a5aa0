//! `nabla playground`: the notes' knobs in the browser.

use std::path::PathBuf;

use anyhow::{Context, Result};
use nabla_datasets::resolve_data_dir;
use nabla_playground::Playground;

/// Arguments of `playground`.
#[derive(clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 [default: any free port, printed]
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// MNIST directory, for the MNIST data option [default: $NABLA_DATA, else
    /// ./datasets/mnist; without it only the 2-D sets are offered]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The experiments' report, linked from each preset's claim
    #[arg(
        long,
        value_name = "FILE",
        default_value = "target/experiments/report.html"
    )]
    report: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let dir = resolve_data_dir(args.data.as_deref(), &cwd);
    let mnist = match nabla_datasets::Mnist::load(&dir) {
        Ok(mnist) => Some(mnist),
        // Asked for by name: its absence is an error; otherwise the 2-D sets still work.
        Err(e) if args.data.is_some() => {
            return Err(e).with_context(|| format!("cannot load MNIST from {}", dir.display()));
        }
        Err(_) => {
            println!(
                "no MNIST in {}: the MNIST option is off (fetch it with `cargo xtask fetch-mnist`)",
                dir.display()
            );
            None
        }
    };
    let report = args.report.is_file().then(|| args.report.clone());
    let playground = Playground::start(args.port, mnist, report)
        .with_context(|| format!("cannot serve the playground on 127.0.0.1:{}", args.port))?;
    println!("playground: {} (Ctrl-C to stop)", playground.url());
    loop {
        std::thread::park();
    }
}
