//! `nabla lr-find`: the learning-rate range test, drawn in the terminal and as an SVG.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use nabla_nn::{LrFindConfig, LrFindResult, Network, Split, lr_find};

use crate::data::load_mnist;
use crate::train::args::{ModelArgs, OptimizerName, architecture, optimizer};

/// Arguments of `lr-find`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    net: ModelArgs,
    /// Optimizer whose rate to sweep [default: adam]
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerName>,
    /// Samples per mini-batch
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    /// The first rate of the sweep
    #[arg(long, default_value_t = 1e-7)]
    min_lr: f64,
    /// The last rate of the sweep
    #[arg(long, default_value_t = 10.0)]
    max_lr: f64,
    /// Steps from --min-lr to --max-lr (stops early when the loss explodes)
    #[arg(long, default_value_t = 200)]
    steps: u64,
    /// Seed of the weights and the batches
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Also draw the curve into FILE as an SVG
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// MNIST directory [default: $NABLA_DATA, else ./datasets/mnist]
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let arch = architecture(&args.net)?;
    let layout = arch.layout();
    let mnist = load_mnist(args.data.as_deref())?;
    let train = Split::<f32>::mnist(&mnist.train, layout);
    drop(mnist);
    let net = Network::<f32>::new(&arch, args.seed)?;
    let opt = optimizer(args.optimizer, None)?;
    let mut config = LrFindConfig::default();
    config.min_lr = args.min_lr;
    config.max_lr = args.max_lr;
    config.steps = args.steps;
    config.batch_size = args.batch_size;
    config.seed = args.seed;
    println!(
        "sweeping the learning rate of {} on {} from {:e} to {:e} over {} steps of {}",
        opt.name(),
        arch.name(),
        args.min_lr,
        args.max_lr,
        args.steps,
        args.batch_size
    );
    let found = lr_find(net, &opt, &train, &config)?;
    print!("{}", terminal_plot(&found, 64, 16));
    if let Some(path) = &args.svg {
        std::fs::write(path, svg(&found, opt.name(), arch.name()))
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("drew {}", path.display());
    }
    let last = found.points.last().map_or(args.min_lr, |p| p.lr);
    if found.exploded {
        println!("the loss exploded at lr {last:.1e}");
    }
    match found.suggestion {
        Some(lr) => println!(
            "suggested learning rate: {lr:.1e} (halfway through the descent of the smoothed loss); try `nabla train --model {} --optimizer {} --lr {lr:.1e}`",
            arch.name(),
            opt.name()
        ),
        None => println!(
            "no suggestion: the loss did not fall between {:e} and {last:e}",
            args.min_lr
        ),
    }
    Ok(())
}

/// The smoothed loss against log(rate) as characters, the suggestion marked `|`.
fn terminal_plot(found: &LrFindResult, width: usize, height: usize) -> String {
    let points = &found.points;
    let Some((lo, hi)) = loss_range(found) else {
        return String::new();
    };
    let (x0, x1) = (
        points[0].lr.log10(),
        points[points.len() - 1]
            .lr
            .log10()
            .max(points[0].lr.log10() + 1e-9),
    );
    let col = |lr: f64| (((lr.log10() - x0) / (x1 - x0)) * (width - 1) as f64).round() as usize;
    let mut grid = vec![vec![' '; width]; height];
    if let Some(s) = found.suggestion {
        let c = col(s).min(width - 1);
        grid.iter_mut().for_each(|row| row[c] = '|');
    }
    for p in points {
        let y = ((p.smoothed.min(hi) - lo) / (hi - lo) * (height - 1) as f64).round() as usize;
        grid[height - 1 - y.min(height - 1)][col(p.lr).min(width - 1)] = '*';
    }
    let mut out = String::new();
    for (k, row) in grid.iter().enumerate() {
        let label = if k == 0 {
            format!("{hi:>7.3}")
        } else if k == height - 1 {
            format!("{lo:>7.3}")
        } else {
            " ".repeat(7)
        };
        let _ = writeln!(out, "{label} {}", row.iter().collect::<String>());
    }
    let _ = writeln!(
        out,
        "        lr {:.0e}{}{:.0e}  (smoothed loss; | the suggestion)",
        10f64.powf(x0),
        " ".repeat(width.saturating_sub(16)),
        10f64.powf(x1)
    );
    out
}

/// The range to draw: the lowest loss to a little above the first point's level (the part
/// where the loss explodes is clipped).
fn loss_range(found: &LrFindResult) -> Option<(f64, f64)> {
    let first = found.points.first()?.smoothed;
    let lo = found
        .points
        .iter()
        .flat_map(|p| [p.smoothed, p.loss])
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = first.max(lo + 1e-9) * 1.05;
    Some((lo, hi))
}

/// The sweep as a self-contained SVG: loss and smoothed loss against the rate on a log axis.
fn svg(found: &LrFindResult, optimizer: &str, model: &str) -> String {
    let (w, h, left, bottom, top, right) = (640.0, 400.0, 60.0, 40.0, 30.0, 20.0);
    let points = &found.points;
    let Some((lo, hi)) = loss_range(found) else {
        return String::new();
    };
    let (x0, x1) = (
        points[0].lr.log10().floor(),
        points[points.len() - 1]
            .lr
            .log10()
            .ceil()
            .max(points[0].lr.log10().floor() + 1.0),
    );
    let x = |lr: f64| left + (lr.log10() - x0) / (x1 - x0) * (w - left - right);
    let y = |v: f64| top + (1.0 - (v.min(hi) - lo) / (hi - lo)) * (h - top - bottom);
    let line = |value: &dyn Fn(&nabla_nn::LrPoint) -> f64| {
        points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.lr), y(value(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{left}" y="18">Learning-rate range test: {model}, {optimizer}</text>
<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="black"/>
<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="black"/>
"#,
        h - bottom,
        w - right,
        h - bottom,
        h - bottom
    );
    for decade in x0 as i32..=x1 as i32 {
        let px = x(10f64.powi(decade));
        let _ = writeln!(
            s,
            r#"<line x1="{px:.1}" y1="{}" x2="{px:.1}" y2="{}" stroke="black"/><text x="{px:.1}" y="{}" text-anchor="middle">1e{decade}</text>"#,
            h - bottom,
            h - bottom + 5.0,
            h - bottom + 18.0
        );
    }
    for (v, anchor) in [(lo, h - bottom), (hi, top)] {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{v:.3}</text>"#,
            left - 5.0,
            anchor + 4.0
        );
    }
    let _ = writeln!(
        s,
        r##"<polyline fill="none" stroke="#bbbbbb" points="{}"/>
<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{}"/>"##,
        line(&|p| p.loss),
        line(&|p| p.smoothed)
    );
    if let Some(lr) = found.suggestion {
        let _ = writeln!(
            s,
            r##"<line x1="{0:.1}" y1="{top}" x2="{0:.1}" y2="{1}" stroke="#d62728" stroke-dasharray="4 3"/><text x="{2:.1}" y="{3}" fill="#d62728">suggested {lr:.1e}</text>"##,
            x(lr),
            h - bottom,
            x(lr) + 4.0,
            top + 14.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">learning rate (log scale); grey: loss, blue: smoothed</text>
</svg>"#,
        (left + w - right) / 2.0,
        h - 4.0
    );
    s
}
