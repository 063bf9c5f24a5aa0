//! Figures of training runs: accuracy, the train/test gap, weight norms and histograms, and
//! the learning-rate sweep.

use super::labels;
use crate::catalog::ids::SWEEP;
use crate::catalog::notes::{SWEEP_OPTIMIZERS, SWEEP_RATES};
use crate::plot::{Axis, LineChart};
use crate::report::figures::{log_axis, median_and_band, over_seeds, solid_lines};
use crate::report::*;
use crate::verdict::optimizers::SWEEP_BAR;

/// The accuracy of the runs on one chart: test solid, train dashed when `train` asks for it.
pub(super) fn comparison(
    file: &str,
    suite: &SuiteResult,
    ids: &[&str],
    train: bool,
) -> Result<Option<Figure>> {
    if ids.is_empty() || ids.len() > PALETTE.len() {
        return Ok(None);
    }
    let test: Vec<_> = ids
        .iter()
        .map(|id| median_and_band(suite, id, |p| p.test))
        .collect();
    let trains: Vec<_> = if train {
        ids.iter()
            .map(|id| median_and_band(suite, id, |p| p.train))
            .collect()
    } else {
        Vec::new()
    };
    let x_max = test
        .iter()
        .flat_map(|t| &t.0)
        .map(|p| p.0)
        .fold(1.0, f64::max);
    // Zoom in when every curve ends high and close to the others (93% against 94% is
    // invisible on a 0-100% axis); what runs below the zoomed axis is marked there.
    let late: Vec<f64> = test
        .iter()
        .chain(&trains)
        .flat_map(|(m, b)| {
            let band = b
                .iter()
                .filter(|p| p.0 >= 0.6 * x_max)
                .flat_map(|p| [p.1, p.2]);
            m.iter()
                .filter(|p| p.0 >= 0.6 * x_max)
                .map(|p| p.1)
                .chain(band)
        })
        .collect();
    let low = late.iter().copied().fold(1.0, f64::min);
    let high = late.iter().copied().fold(0.0, f64::max);
    let y = if !late.is_empty() && low > 0.5 && high - low < 0.25 {
        Axis::linear(((low - 0.02) * 20.0).floor() / 20.0, 1.0)
    } else {
        Axis::linear(0.0, 1.0)
    };
    let (shared, names) = labels(suite, ids);
    let mut lines = Vec::new();
    for (k, ((median, band), name)) in test.iter().zip(&names).enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let suffix = if train { ", test" } else { "" };
        lines.push(Line {
            label: format!("{name}{suffix}"),
            points: median,
            color,
            dashed: false,
            band,
        });
        if let Some((median, _)) = trains.get(k) {
            lines.push(Line {
                label: format!("{name}, train"),
                points: median,
                color,
                dashed: true,
                band: &[],
            });
        }
    }
    let what = if train { "accuracy" } else { "test accuracy" };
    let title = title(&shared, what, suite);
    let drawn = plot::lines(&LineChart {
        title: &title,
        x_desc: "iteration",
        y_desc: what,
        x: Axis::linear(0.0, x_max),
        y,
        series: &lines,
        thresholds: &[],
        width: 900,
    })?;
    Ok(Some(Figure::new(file.into(), drawn)))
}

/// The train/test gap of the runs over training.
pub(super) fn gaps(file: &str, suite: &SuiteResult, ids: &[&str]) -> Result<Option<Figure>> {
    if ids.is_empty() || ids.len() > PALETTE.len() {
        return Ok(None);
    }
    let gap: Vec<_> = ids
        .iter()
        .map(|id| median_and_band(suite, id, |p| p.train - p.test))
        .collect();
    let values = gap.iter().flat_map(|(m, _)| m.iter().map(|p| p.1));
    let (lo, hi) = values.fold((0f64, 0.1f64), |(a, b), v| (a.min(v), b.max(v)));
    let (shared, names) = labels(suite, ids);
    let (medians, bands): (Vec<_>, Vec<_>) = gap.iter().cloned().unzip();
    let lines = solid_lines(names, &medians, &bands);
    let x_max = gap
        .iter()
        .flat_map(|g| &g.0)
        .map(|p| p.0)
        .fold(1.0, f64::max);
    let what = "train accuracy − test accuracy";
    let title = title(&shared, "the train/test gap", suite);
    let drawn = plot::lines(&LineChart {
        title: &title,
        x_desc: "iteration",
        y_desc: what,
        x: Axis::linear(0.0, x_max),
        y: Axis::linear((lo * 20.0).floor() / 20.0, (hi * 20.0).ceil() / 20.0),
        series: &lines,
        thresholds: &[],
        width: 900,
    })?;
    Ok(Some(Figure::new(file.into(), drawn)))
}

/// The weight norm over training of the runs (the first seed).
pub(super) fn weight_norms(
    file: &str,
    suite: &SuiteResult,
    ids: &[&str],
) -> Result<Option<Figure>> {
    let series: Vec<Vec<(f64, f64)>> = ids
        .iter()
        .filter_map(|id| suite.get(id))
        .map(|r| {
            r.weight_norm
                .iter()
                .map(|&(i, n)| (i as f64, n.max(1e-6)))
                .collect()
        })
        .collect();
    let Some(y) = log_axis(&series) else {
        return Ok(None);
    };
    let (shared, names) = labels(suite, ids);
    let lines = solid_lines(names, &series, &[]);
    let x_max = series.iter().flatten().map(|p| p.0).fold(1.0, f64::max);
    let title = if shared.is_empty() {
        "norm of all weights (first seed)".to_string()
    } else {
        format!("{shared}: norm of all weights (first seed)")
    };
    let drawn = plot::lines(&LineChart {
        title: &title,
        x_desc: "iteration",
        y_desc: "‖W‖",
        x: Axis::linear(0.0, x_max),
        y,
        series: &lines,
        thresholds: &[],
        width: 900,
    })?;
    Ok(Some(Figure::new(file.into(), drawn)))
}

/// Accuracy after 500 steps against the learning rate, one line per optimizer, with the bar.
pub(super) fn sweep(file: &str, suite: &SuiteResult) -> Result<Option<Figure>> {
    let mut medians = Vec::new();
    let mut bands = Vec::new();
    for row in SWEEP {
        let (mut m, mut b) = (Vec::new(), Vec::new());
        for (id, lr) in row.iter().zip(SWEEP_RATES) {
            let mut v: Vec<f64> = suite
                .all_seeds(id.as_str())
                .iter()
                .map(|r| r.tail_median(3, |p| p.test))
                .collect();
            if v.is_empty() {
                return Ok(None);
            }
            v.sort_by(f64::total_cmp);
            m.push((lr, crate::result::median(&v)));
            b.push((lr, v[0], v[v.len() - 1]));
        }
        medians.push(m);
        bands.push(if suite.seeds.len() > 1 { b } else { Vec::new() });
    }
    let lines = solid_lines(SWEEP_OPTIMIZERS.map(String::from), &medians, &bands);
    let bar = format!("{:.0}%: the rate works", 100.0 * SWEEP_BAR);
    let drawn = plot::lines(&LineChart {
        title: &format!(
            "test accuracy after 500 steps by learning rate, {}",
            over_seeds(suite)
        ),
        x_desc: "learning rate (log scale)",
        y_desc: "test accuracy",
        x: Axis::decades(-4.0, 0.0),
        y: Axis::linear(0.0, 1.0),
        series: &lines,
        thresholds: &[(SWEEP_BAR, &bar)],
        width: 900,
    })?;
    Ok(Some(Figure::new(file.into(), drawn)))
}

/// Every weight of each run after training over its layer's RMS, one histogram each.
pub(super) fn weight_histograms(
    file: &str,
    suite: &SuiteResult,
    ids: &[&str],
) -> Result<Option<Figure>> {
    let (_, names) = labels(suite, ids);
    let panels: Vec<(String, f64, f64, Vec<u64>)> = ids
        .iter()
        .zip(names)
        .filter_map(|(id, name)| {
            let h = suite.get(id)?.weight_histogram.as_ref()?;
            Some((name, h.lo, h.hi, h.counts.clone()))
        })
        .collect();
    if panels.is_empty() {
        return Ok(None);
    }
    let drawn = plot::histograms(
        "every weight after training divided by its layer's RMS (first seed)",
        &panels,
        3,
    )?;
    Ok(Some(Figure::new(file.into(), drawn)))
}

/// A chart's title: what its runs share, then what it draws; with nothing shared, what it
/// draws and over how many seeds.
fn title(shared: &str, what: &str, suite: &SuiteResult) -> String {
    if shared.is_empty() {
        format!("{what}, {}", over_seeds(suite))
    } else {
        format!("{shared}: {what}")
    }
}
