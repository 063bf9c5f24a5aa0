//! Figures of what the suite computes without training: optimizers' paths, the L1 and L2
//! constraint regions, the sigmoid's slope, activations by initialization, and filters.

use super::Context;
use crate::computed::{Surface, penalty};
use crate::plot::{Axis, Contours, LineChart};
use crate::report::*;

pub(super) fn surface_figure(file: &str, c: &Computed, surface: Surface) -> Result<Option<Figure>> {
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

pub(super) fn constraints(file: &str, c: &Computed) -> Result<Figure> {
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

pub(super) fn sigmoid(file: &str, c: &Computed) -> Result<Figure> {
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

pub(super) fn init_histograms(
    file: &str,
    rows: &[InitRow],
    activation: &str,
) -> Result<Option<Figure>> {
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

pub(super) fn filters(file: &str, cx: &Context<'_>, id: Option<&str>) -> Result<Option<Figure>> {
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
