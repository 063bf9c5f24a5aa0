//! `nabla inspect FILE`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result};
use nabla_datasets::idx::{self, IdxData};
use nabla_nn::checkpoint;

/// Arguments of `inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// A checkpoint saved by `nabla train --save`, or an IDX file (raw or gzip'ed)
    file: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

/// Minimum, maximum and mean of the values.
fn summary(data: &IdxData) -> (f64, f64, f64) {
    fn fold(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
        let (mut lo, mut hi, mut sum, mut n) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
            sum += v;
            n += 1;
        }
        (lo, hi, sum / n.max(1) as f64)
    }
    match data {
        IdxData::U8(v) => fold(v.iter().map(|&x| x as f64)),
        IdxData::I8(v) => fold(v.iter().map(|&x| x as f64)),
        IdxData::I16(v) => fold(v.iter().map(|&x| x as f64)),
        IdxData::I32(v) => fold(v.iter().map(|&x| x as f64)),
        IdxData::F32(v) => fold(v.iter().map(|&x| x as f64)),
        IdxData::F64(v) => fold(v.iter().copied()),
    }
}

fn inspect_checkpoint(args: &Args) -> Result<()> {
    let (net, training) = checkpoint::load::<f32>(&args.file)?;
    let layers = net.summary()?;
    let params: usize = layers.iter().map(|l| l.params).sum();
    let flops: u64 = layers.iter().map(|l| 2 * l.macs).sum();
    let arch = net.architecture().clone();
    if args.json {
        let rows: Vec<_> = layers
            .iter()
            .map(|l| serde_json::json!({ "name": l.name, "kind": l.kind, "output_shape": l.output_shape, "params": l.params, "flops": 2 * l.macs }))
            .collect();
        let out = serde_json::json!({
            "file": args.file.display().to_string(), "format": "checkpoint", "architecture": arch.name(),
            "params": params, "flops_per_sample": flops, "step": training.as_ref().map(|t| t.step), "layers": rows,
        });
        println!("{out}");
        return Ok(());
    }
    println!(
        "{}: nabla checkpoint, {} network",
        args.file.display(),
        arch.name()
    );
    if let Some(t) = &training {
        println!("training state: step {}, {:?}", t.step, t.optimizer);
    }
    println!(
        "{:<12} {:<18} {:<20} {:>12} {:>14}",
        "layer", "type", "output", "params", "FLOPs/sample"
    );
    for l in &layers {
        let shape = format!("{:?}", &l.output_shape[1..]);
        println!(
            "{:<12} {:<18} {:<20} {:>12} {:>14}",
            l.name,
            l.kind,
            shape,
            l.params,
            2 * l.macs
        );
    }
    println!(
        "{:<12} {:<18} {:<20} {:>12} {:>14}",
        "total", "", "", params, flops
    );
    Ok(())
}

fn inspect_idx(args: &Args) -> Result<()> {
    let array = idx::read(&args.file).with_context(|| {
        format!(
            "{} is neither a checkpoint nor an IDX file",
            args.file.display()
        )
    })?;
    let (lo, hi, mean) = summary(array.data());
    let dtype = array.data().type_name();
    if args.json {
        let out = serde_json::json!({ "file": args.file.display().to_string(), "format": "idx", "type": dtype, "dims": array.dims(), "min": lo, "max": hi, "mean": mean });
        println!("{out}");
    } else {
        println!(
            "{}: IDX, {dtype}, dimensions {:?}",
            args.file.display(),
            array.dims()
        );
        println!("values: min {lo}, max {hi}, mean {mean:.4}");
    }
    Ok(())
}

pub fn run(args: &Args) -> Result<()> {
    let mut magic = [0u8; 8];
    let n = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?
        .read(&mut magic)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    if n == 8 && &magic == checkpoint::MAGIC {
        inspect_checkpoint(args)
    } else {
        inspect_idx(args)
    }
}
