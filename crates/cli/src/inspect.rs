//! `nabla inspect FILE`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use nabla_datasets::idx::{self, IdxData};

/// Arguments of `inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// The file to describe (an IDX file, raw or gzip'ed)
    file: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

/// Minimum, maximum and mean of the values, in f64.
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

pub fn run(args: &Args) -> Result<()> {
    let array = idx::read(&args.file).with_context(|| format!("cannot read {} as IDX", args.file.display()))?;
    let (lo, hi, mean) = summary(array.data());
    let dtype = array.data().type_name();
    if args.json {
        println!(
            "{{\"file\":{:?},\"format\":\"idx\",\"type\":\"{dtype}\",\"dims\":{:?},\"min\":{lo},\"max\":{hi},\"mean\":{mean}}}",
            args.file.display().to_string(),
            array.dims()
        );
    } else {
        println!("{}: IDX, {dtype}, dimensions {:?}", args.file.display(), array.dims());
        println!("values: min {lo}, max {hi}, mean {mean:.4}");
    }
    Ok(())
}
