//! Each kind of claim figure ([`Chart`]), drawn from the runs a verdict or an exhibit names.

use super::figures::{log_axis, median_and_band, over_seeds, solid_lines};
use super::words::what_differs;
use super::*;
use crate::catalog::ids::{RunId, SWEEP};
use crate::catalog::notes::{SWEEP_OPTIMIZERS, SWEEP_RATES};
use crate::computed::{Surface, penalty};
use crate::plot::{Axis, Contours, LineChart};
use crate::verdict::Chart;
use crate::verdict::optimizers::SWEEP_BAR;

/// What a figure needs beyond the suite's runs.
pub(super) struct Context<'a> {
    pub suite: &'a SuiteResult,
    pub computed: &'a Computed,
    pub init_rows: &'a [InitRow],
    pub filters_before: Option<&'a [Vec<f32>]>,
}

/// `chart` over `runs`, saved as `name` (with a suffix per figure when it draws several).
pub(super) fn draw(
    chart: Chart,
    name: &str,
    runs: &[RunId],
    cx: &Context<'_>,
) -> Result<Vec<Figure>> {
    let suite = cx.suite;
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r.as_str())
        .filter(|id| suite.get(id).is_some())
        .collect();
    let one = |f: Result<Option<Figure>>| f.map(|f| f.into_iter().collect());
    let file = format!("{name}.svg");
    match chart {
        Chart::Runs => one(comparison(&file, suite, &ids, false)),
        Chart::TrainAndTest => one(comparison(&file, suite, &ids, true)),
        Chart::Gap => one(gaps(&file, suite, &ids)),
        Chart::Gradients => ids
            .iter()
            .filter_map(|id| suite.get(id).zip(suite.spec(id)))
            .map(|(r, spec)| {
                let title = format!("{}: RMS gradient per weight, each layer", spec.title);
                figures::gradient_figure(
                    &title,
                    format!("{name}-{}.svg", figures::file_id(&spec.id)),
                    spec.iterations,
                    r,
                )
            })
            .filter_map(Result::transpose)
            .collect(),
        Chart::WeightNorms => one(weight_norms(&file, suite, &ids)),
        Chart::WeightHistograms => one(weight_histograms(&file, suite, &ids)),
        Chart::Sweep => one(sweep(&file, suite)),
        Chart::Paths(surface) => one(surface_figure(&file, cx.computed, surface)),
        Chart::Constraints => one(constraints(&file, cx.computed).map(Some)),
        Chart::SigmoidSlope => one(sigmoid(&file, cx.computed).map(Some)),
        Chart::InitHistograms(activation) => one(init_histograms(&file, cx.init_rows, activation)),
        Chart::Filters => one(filters(&file, cx, ids.first().copied())),
        Chart::None => Ok(Vec::new()),
    }
}

/// The legend labels and the shared part of the runs' titles.
fn labels(suite: &SuiteResult, ids: &[&str]) -> (String, Vec<String>) {
    let titles: Vec<&str> = ids
        .iter()
        .map(|id| suite.spec(id).map_or(*id, |s| s.title.as_str()))
        .collect();
    what_differs(&titles)
}

/// The accuracy of the runs on one chart: test solid, train dashed when `train` asks for it.
fn comparison(
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
    let title = if shared.is_empty() {
        format!("{what}, {}", over_seeds(suite))
    } else {
        format!("{shared}: {what}")
    };
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

/// The train/test gap of the runs over training, the first run's drawn thicker.
fn gaps(file: &str, suite: &SuiteResult, ids: &[&str]) -> Result<Option<Figure>> {
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
    let title = if shared.is_empty() {
        format!("the train/test gap, {}", over_seeds(suite))
    } else {
        format!("{shared}: the train/test gap")
    };
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
fn weight_norms(file: &str, suite: &SuiteResult, ids: &[&str]) -> Result<Option<Figure>> {
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
fn sweep(file: &str, suite: &SuiteResult) -> Result<Option<Figure>> {
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
fn weight_histograms(file: &str, suite: &SuiteResult, ids: &[&str]) -> Result<Option<Figure>> {
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

fn surface_figure(file: &str, c: &Computed, surface: Surface) -> Result<Option<Figure>> {
    let Some(run) = c.surface(surface) else {
        return Ok(None);
    };
    let paths: Vec<plot::PathLine<'_>> = run
        .paths
        .iter()
        .enumerate()
        .map(|(k, p)| (p.optimizer, p.points.as_slice(), PALETTE[k % PALETTE.len()]))
        .collect();
    let levels: Vec<f64> = match surface {
        Surface::Bowl => (1..12).map(|k| 0.25 * f64::from(k * k)).collect(),
        Surface::TwoMinima => (0..14).map(|k| -0.2 + 0.3 * f64::from(k)).collect(),
        Surface::Saddle => (1..14).map(|k| 0.12 * f64::from(k * k) / 2.0).collect(),
    };
    let drawn = plot::contours(&Contours {
        title: &format!("{}, {} steps", surface.formula(), run.steps),
        x_desc: "x",
        y_desc: "y",
        f: &|x, y| surface.value(x, y),
        window: surface.window(),
        levels: &levels,
        paths: &paths,
        dots: &[],
        crosses: &[("start", surface.start())],
        equal_aspect: false,
    })?;
    Ok(Some(Figure::new(file.into(), drawn)))
}

fn constraints(file: &str, c: &Computed) -> Result<Figure> {
    let circle: Vec<(f64, f64)> = (0..=200)
        .map(|k| {
            let t = f64::from(k) * std::f64::consts::TAU / 200.0;
            (t.cos(), t.sin())
        })
        .collect();
    let diamond = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (1.0, 0.0)];
    let s = &c.penalty_shapes;
    let drawn = plot::contours(&Contours {
        title: "the loss's contours, the L2 ball (circle) and the L1 ball (diamond)",
        x_desc: "w₁",
        y_desc: "w₂",
        f: &|x, y| penalty::loss((x, y)),
        window: ((-1.5, 3.0), (-1.5, 1.8)),
        levels: &[penalty::loss(s.l1), penalty::loss(s.l2), 0.1, 0.4, 2.5, 4.0],
        paths: &[
            ("‖w‖₂ ≤ 1", &circle, BLUE_),
            ("‖w‖₁ ≤ 1", &diamond, ORANGE_),
        ],
        dots: &[
            ("L2 optimum", s.l2, BLUE_),
            ("L1 optimum (w₂ = 0)", s.l1, ORANGE_),
        ],
        crosses: &[("the loss's own minimum", penalty::CENTRE)],
        equal_aspect: true,
    })?;
    Ok(Figure::new(file.into(), drawn))
}

fn sigmoid(file: &str, c: &Computed) -> Result<Figure> {
    let drawn = plot::lines(&LineChart {
        title: "σ'(x), from the library's Sigmoid backward pass",
        x_desc: "x",
        y_desc: "σ'(x)",
        x: Axis::linear(-8.0, 8.0),
        y: Axis::linear(0.0, 0.3),
        series: &[Line {
            label: "σ'(x)".into(),
            points: &c.sigmoid.curve,
            color: BLUE_,
            dashed: false,
            band: &[],
        }],
        thresholds: &[(0.25, "0.25, the largest value")],
        width: 900,
    })?;
    Ok(Figure::new(file.into(), drawn))
}

fn init_histograms(file: &str, rows: &[InitRow], activation: &str) -> Result<Option<Figure>> {
    let panels: Vec<(String, f64, f64, Vec<u64>)> = rows
        .iter()
        .filter(|r| r.activation == activation)
        .flat_map(|r| {
            r.histograms.iter().enumerate().map(move |(k, h)| {
                (
                    format!("{}, layer {}", r.init, k + 1),
                    h.lo,
                    h.hi,
                    h.counts.clone(),
                )
            })
        })
        .collect();
    if panels.is_empty() {
        return Ok(None);
    }
    let drawn = plot::histograms(
        &format!("{activation}: each layer's outputs, one row per initialization"),
        &panels,
        5,
    )?;
    Ok(Some(Figure::new(file.into(), drawn)))
}

fn filters(file: &str, cx: &Context<'_>, id: Option<&str>) -> Result<Option<Figure>> {
    let after = id
        .and_then(|id| cx.suite.get(id))
        .and_then(|r| r.first_filters.as_ref());
    let (Some(before), Some(after)) = (cx.filters_before, after) else {
        return Ok(None);
    };
    let drawn = plot::filters(
        &[
            ("before training", before),
            ("after training", after.as_slice()),
        ],
        5,
    )?;
    Ok(Some(Figure::new(file.into(), drawn)))
}
