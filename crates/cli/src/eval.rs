//! `nabla eval`.

use std::path::PathBuf;

use anyhow::Result;
use nabla_nn::{Split, checkpoint};
use nabla_tensor::argmax_rows;

use crate::data::load_mnist;

/// Arguments of `eval`.
#[derive(clap::Args)]
pub struct Args {
    /// A checkpoint saved by `nabla train --save`
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// MNIST directory [default: $NABLA_DATA, else ./datasets/mnist]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args) -> Result<()> {
    let (mut net, _) = checkpoint::load::<f32>(&args.model)?;
    let layout = net.architecture().layout();
    let mnist = load_mnist(args.data.as_deref())?;
    let test = Split::<f32>::mnist(&mnist.test, layout);
    let predicted = argmax_rows(&net.predict_split(&test, 500)?.view());
    let mut confusion = [[0usize; 10]; 10];
    for (&p, &t) in predicted.iter().zip(test.labels()) {
        confusion[t][p] += 1;
    }
    let correct: usize = (0..10).map(|c| confusion[c][c]).sum();
    let accuracy = correct as f64 / test.len() as f64;
    let per_class: Vec<f64> = (0..10)
        .map(|c| confusion[c][c] as f64 / confusion[c].iter().sum::<usize>().max(1) as f64)
        .collect();
    if args.json {
        let out = serde_json::json!({ "accuracy": accuracy, "correct": correct, "total": test.len(), "per_class": per_class, "confusion": confusion });
        println!("{out}");
        return Ok(());
    }
    println!(
        "test accuracy {:.2}% ({correct}/{})",
        100.0 * accuracy,
        test.len()
    );
    println!(
        "per class: {}",
        per_class
            .iter()
            .enumerate()
            .map(|(c, a)| format!("{c}:{:.2}%", 100.0 * a))
            .collect::<Vec<_>>()
            .join("  ")
    );
    println!("confusion (rows: true digit, columns: predicted)");
    println!(
        "      {}",
        (0..10).map(|c| format!("{c:>5}")).collect::<String>()
    );
    for (t, row) in confusion.iter().enumerate() {
        println!(
            "  {t:>2}  {}",
            row.iter().map(|n| format!("{n:>5}")).collect::<String>()
        );
    }
    Ok(())
}
