//! The figures every chart kind shares: a run's curves beside the recorded ones, its
//! gradient norms, and the helpers that turn seeds into a median with a band.

use super::*;
use crate::plot::{Axis, Drawn, LineChart};

pub(crate) fn file_id(id: &str) -> String {
    id.replace('\'', "-prime")
}

impl Figure {
    /// A drawn figure under `file`.
    pub(super) fn new(file: String, drawn: Drawn) -> Figure {
        Figure {
            file,
            svg: drawn.svg,
            axes: drawn.axes,
        }
    }
}

/// A log axis around every point of `series` (`None` when there is nothing to draw).
pub(super) fn log_axis(series: &[Vec<(f64, f64)>]) -> Option<Axis> {
    let (lo, hi) = series
        .iter()
        .flatten()
        .filter(|p| p.1 > 0.0)
        .fold((f64::INFINITY, 0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    lo.is_finite().then(|| Axis::log(lo, hi))
}

/// One solid line per series, in palette order, each with its band when `bands` has one.
pub(super) fn solid_lines<'a>(
    labels: impl IntoIterator<Item = String>,
    points: &'a [Vec<(f64, f64)>],
    bands: &'a [Vec<(f64, f64, f64)>],
) -> Vec<Line<'a>> {
    labels
        .into_iter()
        .zip(points)
        .enumerate()
        .map(|(k, (label, points))| Line {
            label,
            points,
            color: PALETTE[k % PALETTE.len()],
            dashed: false,
            band: bands.get(k).map_or(&[][..], Vec::as_slice),
        })
        .collect()
}

/// `(x, median, min, max)` of a value over the seeds' curves, by evaluation index.
pub(super) fn spread(
    runs: &[&RunResult],
    value: impl Fn(&crate::Point) -> f64,
) -> Vec<(f64, f64, f64, f64)> {
    let longest = runs.iter().map(|r| r.curve.len()).max().unwrap_or(0);
    (0..longest)
        .filter_map(|k| {
            let mut v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.curve.get(k))
                .map(&value)
                .collect();
            let x = runs.iter().find_map(|r| r.curve.get(k))?.iteration as f64;
            v.sort_by(f64::total_cmp);
            Some((x, crate::result::median(&v), v[0], v[v.len() - 1]))
        })
        .collect()
}

/// What the solid lines are: one seed, or the median of several.
pub(super) fn over_seeds(suite: &SuiteResult) -> String {
    match suite.seeds.len() {
        1 => "one seed".into(),
        n => format!("median of {n} seeds, shaded from the lowest to the highest"),
    }
}

/// The median curve and its band of `value` over the seeds of run `id`.
#[allow(clippy::type_complexity)]
pub(super) fn median_and_band(
    suite: &SuiteResult,
    id: &str,
    value: impl Fn(&crate::Point) -> f64,
) -> (Vec<(f64, f64)>, Vec<(f64, f64, f64)>) {
    let stats = spread(&suite.all_seeds(id), value);
    let median = stats.iter().map(|p| (p.0, p.1)).collect();
    let band = if suite.seeds.len() > 1 {
        stats.iter().map(|p| (p.0, p.2, p.3)).collect()
    } else {
        Vec::new()
    };
    (median, band)
}

/// A run's train and test curves (with several seeds: their medians and bands) beside the
/// recorded ones.
pub(super) fn curve_figure(spec: &RunSpec, suite: &SuiteResult) -> Result<Figure> {
    let (ours_train, train_band) = median_and_band(suite, &spec.id, |p| p.train);
    let (ours_test, test_band) = median_and_band(suite, &spec.id, |p| p.test);
    // A shortened run is drawn beside the part of the recorded curve it covers.
    let rec: Vec<(u64, f64, f64)> = recorded::curve(&spec.id)
        .into_iter()
        .filter(|p| p.0 <= spec.iterations)
        .collect();
    let rec_train: Vec<(f64, f64)> = rec.iter().map(|p| (p.0 as f64, p.1)).collect();
    let rec_test: Vec<(f64, f64)> = rec.iter().map(|p| (p.0 as f64, p.2)).collect();
    let line = |label: &str, points, color, dashed, band| Line {
        label: label.into(),
        points,
        color,
        dashed,
        band,
    };
    let mut lines = vec![
        line("nabla, train", &ours_train, BLUE_, false, &train_band),
        line("nabla, test", &ours_test, ORANGE_, false, &test_band),
    ];
    if !rec.is_empty() {
        lines.push(line(
            "original notebook, train",
            &rec_train,
            BLUE_,
            true,
            &[],
        ));
        lines.push(line(
            "original notebook, test",
            &rec_test,
            ORANGE_,
            true,
            &[],
        ));
    }
    let drawn = plot::lines(&LineChart {
        title: &format!("{}: {}", spec.id, spec.title),
        x_desc: "iteration",
        y_desc: "accuracy",
        x: Axis::linear(0.0, spec.iterations.max(1) as f64),
        y: Axis::linear(0.0, 1.0),
        series: &lines,
        thresholds: &[],
        width: 760,
    })?;
    Ok(Figure::new(format!("{}.svg", file_id(&spec.id)), drawn))
}

/// The root-mean-square gradient per weight of each layer of `result` over training, one
/// line per layer (`None` for a run that recorded none).
pub(super) fn gradient_figure(
    title: &str,
    file: String,
    iterations: u64,
    result: &RunResult,
) -> Result<Option<Figure>> {
    let Some((_, first)) = result.gradient_norms.first() else {
        return Ok(None);
    };
    let names: Vec<String> = first.iter().map(|(n, _)| n.clone()).collect();
    // Per weight (the norm over √count): whole-tensor norms would compare the layers' sizes
    // (784·40 weights against 20·10), not how hard each weight is pushed.
    let count = |name: &str| {
        result
            .weights
            .iter()
            .find(|w| w.name == name)
            .map_or(1.0, |w| w.count.max(1) as f64)
    };
    let series: Vec<Vec<(f64, f64)>> = names
        .iter()
        .map(|name| {
            let scale = count(name).sqrt();
            result
                .gradient_norms
                .iter()
                .filter_map(|(step, row)| {
                    row.iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| (*step as f64, (v / scale).max(1e-12)))
                })
                .collect()
        })
        .collect();
    let Some(y) = log_axis(&series) else {
        return Ok(None);
    };
    let labels = names.iter().enumerate().map(|(k, n)| {
        let layer = n.trim_end_matches(".weight");
        format!("layer {} ({layer})", k + 1)
    });
    let lines = solid_lines(labels, &series, &[]);
    let drawn = plot::lines(&LineChart {
        title,
        x_desc: "iteration",
        y_desc: "RMS gradient per weight",
        x: Axis::linear(0.0, iterations as f64),
        y,
        series: &lines,
        thresholds: &[],
        width: 760,
    })?;
    Ok(Some(Figure::new(file, drawn)))
}
