//! `nabla predict`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use nabla_datasets::Pixel;
use nabla_nn::{Architecture, Layout, Split, checkpoint};
use nabla_tensor::softmax;
use ndarray::{Array2, Array4};

use crate::data::load_mnist;

/// Arguments of `predict`.
#[derive(clap::Args)]
pub struct Args {
    /// A checkpoint saved by `nabla train --save`
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// 28x28 grayscale images (PNG or PGM), white digit on black like MNIST
    #[arg(value_name = "IMAGE", required_unless_present = "index")]
    images: Vec<PathBuf>,
    /// Classify test-set image number I instead of files
    #[arg(long, value_name = "I", conflicts_with = "images")]
    index: Option<usize>,
    /// Invert the images (for a dark digit on a light background)
    #[arg(long)]
    invert: bool,
    /// MNIST directory, for --index [default: $NABLA_DATA, else ./datasets/mnist]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

fn read_image(path: &PathBuf, invert: bool) -> Result<Vec<f32>> {
    let img = image::ImageReader::open(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .with_guessed_format()
        .with_context(|| format!("cannot read {}", path.display()))?
        .decode()
        .with_context(|| format!("{} is not a PNG or PGM image", path.display()))?
        .to_luma8();
    if img.dimensions() != (28, 28) {
        bail!(
            "{} is {}x{}, expected 28x28 like MNIST",
            path.display(),
            img.width(),
            img.height()
        );
    }
    Ok(img
        .pixels()
        // Inverting the byte keeps MNIST's one pixel formula (ink bright on black).
        .map(|p| f32::normalized(if invert { 255 - p.0[0] } else { p.0[0] }))
        .collect())
}

pub fn run(args: &Args) -> Result<()> {
    let (mut net, _) = checkpoint::load::<f32>(&args.model)?;
    let (names, pixels, truth): (Vec<String>, Vec<f32>, Vec<Option<u8>>) = match args.index {
        Some(i) => {
            let mnist = load_mnist(args.data.as_deref())?;
            if i >= mnist.test.len() {
                bail!(
                    "--index {i} is out of range: the test set has {} images",
                    mnist.test.len()
                );
            }
            let (x, _) = Split::<f32>::mnist(&mnist.test, Layout::Rows).gather(&[i]);
            (
                vec![format!("test[{i}]")],
                x.into_raw_vec_and_offset().0,
                vec![Some(mnist.test.labels[i])],
            )
        }
        None => {
            let mut all = Vec::new();
            for path in &args.images {
                all.extend(read_image(path, args.invert)?);
            }
            (
                args.images
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect(),
                all,
                vec![None; args.images.len()],
            )
        }
    };
    let n = names.len();
    let x = match net.architecture() {
        Architecture::Mlp(_) => Array2::from_shape_vec((n, 784), pixels)?.into_dyn(),
        _ => Array4::from_shape_vec((n, 1, 28, 28), pixels)?.into_dyn(),
    };
    let probs = softmax(&net.predict(&x, 100)?.view());
    let mut rows = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let p: Vec<f64> = probs.row(k).iter().map(|&v| v as f64).collect();
        let digit = p
            .iter()
            .enumerate()
            .fold(0, |best, (d, &v)| if v > p[best] { d } else { best });
        if args.json {
            rows.push(serde_json::json!({ "input": name, "digit": digit, "probabilities": p, "label": truth[k] }));
        } else {
            let label = truth[k]
                .map(|t| format!(" (label {t})"))
                .unwrap_or_default();
            println!("{name}: {digit} with probability {:.4}{label}", p[digit]);
            println!(
                "  {}",
                p.iter()
                    .enumerate()
                    .map(|(d, v)| format!("{d}:{v:.3}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }
    if args.json {
        println!("{}", serde_json::Value::Array(rows));
    }
    Ok(())
}
