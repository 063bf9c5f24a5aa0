//! One figure per run: its accuracy curves beside the recorded ones, its gradient norms.

use super::*;

pub(super) fn file_id(id: &str) -> String {
    id.replace('\'', "-prime")
}

/// A log axis's range around every point of `series`: half the smallest to twice the
/// largest (`None` when there is nothing to draw).
pub(super) fn log_span(series: &[Vec<(f64, f64)>]) -> Option<(f64, f64)> {
    let (lo, hi) = series
        .iter()
        .flatten()
        .fold((f64::INFINITY, 0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    lo.is_finite().then_some((lo / 2.0, hi * 2.0))
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

/// A run's train and test curves (with several seeds: their medians and min–max bands)
/// beside the recorded ones.
pub(super) fn curve_figure(spec: &RunSpec, suite: &SuiteResult) -> Result<Figure> {
    let runs = suite.all_seeds(&spec.id);
    let many = runs.len() > 1;
    let train = spread(&runs, |p| p.train);
    let test = spread(&runs, |p| p.test);
    let ours_train: Vec<(f64, f64)> = train.iter().map(|p| (p.0, p.1)).collect();
    let ours_test: Vec<(f64, f64)> = test.iter().map(|p| (p.0, p.1)).collect();
    let band = |s: &[(f64, f64, f64, f64)]| -> Vec<(f64, f64, f64)> {
        if many {
            s.iter().map(|p| (p.0, p.2, p.3)).collect()
        } else {
            Vec::new()
        }
    };
    let (train_band, test_band) = (band(&train), band(&test));
    // A shortened run (quick mode) is drawn beside the part of the recorded curve it covers.
    let rec: Vec<(u64, f64, f64)> = recorded::curve(&spec.id)
        .into_iter()
        .filter(|p| p.0 <= spec.iterations)
        .collect();
    let rec_train: Vec<(f64, f64)> = rec.iter().map(|p| (p.0 as f64, p.1)).collect();
    let rec_test: Vec<(f64, f64)> = rec.iter().map(|p| (p.0 as f64, p.2)).collect();
    let mut lines = vec![
        Line {
            label: "nabla train".into(),
            points: &ours_train,
            color: BLUE_,
            dashed: false,
            band: &train_band,
        },
        Line {
            label: "nabla test".into(),
            points: &ours_test,
            color: ORANGE_,
            dashed: false,
            band: &test_band,
        },
    ];
    if !rec.is_empty() {
        lines.push(Line {
            label: "recorded train".into(),
            points: &rec_train,
            color: BLUE_,
            dashed: true,
            band: &[],
        });
        lines.push(Line {
            label: "recorded test".into(),
            points: &rec_test,
            color: ORANGE_,
            dashed: true,
            band: &[],
        });
    }
    let x_max = spec.iterations.max(1) as f64;
    let svg = plot::lines(
        &format!("{}: {}", spec.id, spec.title),
        "iteration",
        "accuracy",
        x_max,
        (0.0, 1.0),
        false,
        &lines,
    )?;
    Ok(Figure {
        file: format!("{}.svg", file_id(&spec.id)),
        svg,
    })
}

pub(super) fn gradient_figure(spec: &RunSpec, result: &RunResult) -> Result<Option<Figure>> {
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
    let Some(y_range) = log_span(&series) else {
        return Ok(None);
    };
    let lines = solid_lines(names.iter().cloned(), &series, &[]);
    let svg = plot::lines(
        &format!("{}: RMS weight gradient per layer", spec.id),
        "iteration",
        "RMS of ∂L/∂W",
        spec.iterations as f64,
        y_range,
        true,
        &lines,
    )?;
    Ok(Some(Figure {
        file: format!("{}-gradients.svg", file_id(&spec.id)),
        svg,
    }))
}
