//! Each claim in its section of the report: the statement, the verdict with its count over
//! the seeds, the numbers, and a figure that shows why (its runs on one chart, the median of
//! the seeds with their min–max band, or what was computed).

use std::fmt::Write as _;

use super::figures::{log_span, solid_lines, spread};
use super::*;
use crate::computed::{Computed, Surface, penalty};
use crate::verdict::{Chart, Evidence, Section, Verdict, every_claim};

/// The anchor of a claim in the report.
pub(super) fn anchor(id: &str) -> String {
    format!("claim-{id}")
}

/// A claim's figure, under the claim's own file name.
fn drawn(claim_id: &str, svg: String) -> Result<Option<Figure>> {
    Ok(Some(Figure {
        file: format!("claim-{claim_id}.svg"),
        svg,
    }))
}

/// The runs a claim read (its first evidence whose runs all ran).
fn runs_of(claim_id: &str, suite: &SuiteResult) -> Vec<&'static str> {
    every_claim()
        .find(|c| c.id == claim_id)
        .and_then(|c| {
            c.evidence.iter().find_map(|e| match e {
                Evidence::Runs(ids, _) if ids.iter().all(|id| suite.get(id).is_some()) => {
                    Some(ids.to_vec())
                }
                _ => None,
            })
        })
        .unwrap_or_default()
}

/// Test accuracy of the claim's runs on one chart.
pub(super) fn comparison(
    claim_id: &str,
    suite: &SuiteResult,
    ids: &[&str],
) -> Result<Option<Figure>> {
    if ids.is_empty() || ids.len() > PALETTE.len() {
        return Ok(None);
    }
    let many = suite.seeds.len() > 1;
    let stats: Vec<Vec<(f64, f64, f64, f64)>> = ids
        .iter()
        .map(|id| spread(&suite.all_seeds(id), |p| p.test))
        .collect();
    let x_max = stats.iter().flatten().map(|p| p.0).fold(1.0, f64::max);
    // Zoom in when every curve ends high and close to the others (93% against 94% is
    // invisible on a 0-100% axis); what lies below the zoomed axis runs along its bottom.
    let late: Vec<f64> = stats
        .iter()
        .flatten()
        .filter(|p| p.0 >= 0.6 * x_max)
        .flat_map(|p| [p.2, p.3])
        .collect();
    let low = late.iter().copied().fold(1.0, f64::min);
    let high = late.iter().copied().fold(0.0, f64::max);
    let y_range = if !late.is_empty() && low > 0.5 && high - low < 0.25 {
        (((low - 0.02) * 20.0).floor() / 20.0, 1.0)
    } else {
        (0.0, 1.0)
    };
    let clamp = |v: f64| v.clamp(y_range.0, y_range.1);
    let medians: Vec<Vec<(f64, f64)>> = stats
        .iter()
        .map(|s| s.iter().map(|p| (p.0, clamp(p.1))).collect())
        .collect();
    let bands: Vec<Vec<(f64, f64, f64)>> = stats
        .iter()
        .map(|s| {
            if many {
                s.iter().map(|p| (p.0, clamp(p.2), clamp(p.3))).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let lines = solid_lines(ids.iter().map(|id| id.to_string()), &medians, &bands);
    let what = if many {
        format!("median of {} seeds, band min–max", suite.seeds.len())
    } else {
        "one seed".to_string()
    };
    let svg = plot::lines(
        &format!("{claim_id}: test accuracy ({what})"),
        "iteration",
        "test accuracy",
        x_max,
        y_range,
        false,
        &lines,
    )?;
    drawn(claim_id, svg)
}

/// The weight norm over training of the claim's runs.
fn weight_norms(claim_id: &str, suite: &SuiteResult, ids: &[&str]) -> Result<Option<Figure>> {
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
    let Some(y_range) = log_span(&series) else {
        return Ok(None);
    };
    let lines = solid_lines(ids.iter().map(|id| id.to_string()), &series, &[]);
    let x_max = series.iter().flatten().map(|p| p.0).fold(1.0, f64::max);
    let svg = plot::lines(
        &format!("{claim_id}: norm of all weights (primary seed)"),
        "iteration",
        "‖W‖",
        x_max,
        y_range,
        true,
        &lines,
    )?;
    drawn(claim_id, svg)
}

/// Settled accuracy against the learning rate, per optimizer (the sweep).
fn sweep(claim_id: &str, suite: &SuiteResult) -> Result<Option<Figure>> {
    use crate::catalog::notes::{SWEEP_OPTIMIZERS, SWEEP_RATES, sweep_id};
    let many = suite.seeds.len() > 1;
    let mut medians = Vec::new();
    let mut bands = Vec::new();
    for name in SWEEP_OPTIMIZERS {
        let (mut m, mut b) = (Vec::new(), Vec::new());
        for (k, lr) in SWEEP_RATES.iter().enumerate() {
            let mut v: Vec<f64> = suite
                .all_seeds(&sweep_id(name, k))
                .iter()
                .map(|r| r.tail_median(3, |p| p.test))
                .collect();
            if v.is_empty() {
                return Ok(None);
            }
            v.sort_by(f64::total_cmp);
            m.push((lr.log10(), crate::result::median(&v)));
            b.push((lr.log10(), v[0], v[v.len() - 1]));
        }
        medians.push(m);
        bands.push(if many { b } else { Vec::new() });
    }
    let lines = solid_lines(SWEEP_OPTIMIZERS.map(String::from), &medians, &bands);
    let svg = plot::lines_in(
        &format!("{claim_id}: test accuracy after 500 steps by learning rate"),
        "learning rate",
        "test accuracy",
        (-4.0, 0.0),
        true,
        (0.0, 1.0),
        false,
        &lines,
    )?;
    drawn(claim_id, svg)
}

/// Every weight of each of the claim's runs after training, one histogram each.
fn weight_histograms(claim_id: &str, suite: &SuiteResult, ids: &[&str]) -> Result<Option<Figure>> {
    let panels: Vec<(String, f64, f64, Vec<u64>)> = ids
        .iter()
        .filter_map(|id| {
            let h = suite.get(id)?.weight_histogram.as_ref()?;
            Some((id.to_string(), h.lo, h.hi, h.counts.clone()))
        })
        .collect();
    if panels.is_empty() {
        return Ok(None);
    }
    let svg = plot::histograms(
        "every weight after training over its layer's RMS, −4 to 4 (primary seed)",
        &panels,
    )?;
    drawn(claim_id, svg)
}

fn surface_figure(claim_id: &str, c: &Computed, surface: Surface) -> Result<Option<Figure>> {
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
    let svg = plot::contours(
        &format!("{}, {} steps", surface.formula(), run.steps),
        &|x, y| surface.value(x, y),
        surface.window(),
        &levels,
        &paths,
        &[surface.start()],
    )?;
    drawn(claim_id, svg)
}

fn penalty_figure(claim_id: &str, c: &Computed) -> Result<Option<Figure>> {
    let circle: Vec<(f64, f64)> = (0..=200)
        .map(|k| {
            let t = f64::from(k) * std::f64::consts::TAU / 200.0;
            (t.cos(), t.sin())
        })
        .collect();
    let diamond = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (1.0, 0.0)];
    let s = &c.penalty_shapes;
    let l2 = [s.l2, s.l2];
    let l1 = [s.l1, s.l1];
    let svg = plot::contours(
        "loss contours, the L2 ball (circle) and the L1 ball (diamond), each optimum marked",
        &|x, y| penalty::loss((x, y)),
        ((-1.5, 3.0), (-1.5, 1.8)),
        &[loss_at(s.l1), loss_at(s.l2), 0.1, 0.4, 2.5, 4.0],
        &[
            ("‖w‖₂ ≤ 1", &circle, BLUE_),
            ("‖w‖₁ ≤ 1", &diamond, ORANGE_),
            ("L2 optimum", &l2, BLUE_),
            ("L1 optimum", &l1, ORANGE_),
        ],
        &[penalty::CENTRE],
    )?;
    drawn(claim_id, svg)
}

fn loss_at(w: (f64, f64)) -> f64 {
    penalty::loss(w)
}

fn sigmoid_figure(claim_id: &str, c: &Computed) -> Result<Option<Figure>> {
    let svg = plot::lines_in(
        "σ'(x), from the library's Sigmoid backward pass",
        "x",
        "σ'(x)",
        (-8.0, 8.0),
        false,
        (0.0, 0.3),
        false,
        &[Line {
            label: "σ'(x)".into(),
            points: &c.sigmoid.curve,
            color: BLUE_,
            dashed: false,
            band: &[],
        }],
    )?;
    drawn(claim_id, svg)
}

fn figure_of(v: &Verdict, suite: &SuiteResult, c: &Computed) -> Result<Option<Figure>> {
    let ids = runs_of(v.id, suite);
    match v.chart {
        Chart::Runs => comparison(v.id, suite, &ids),
        Chart::WeightNorms => weight_norms(v.id, suite, &ids),
        Chart::WeightHistograms => weight_histograms(v.id, suite, &ids),
        Chart::Sweep => sweep(v.id, suite),
        Chart::Paths(surface) => surface_figure(v.id, c, surface),
        Chart::Constraints => penalty_figure(v.id, c),
        Chart::SigmoidSlope => sigmoid_figure(v.id, c),
        Chart::None => Ok(None),
    }
}

/// The claims of `section`, each with its verdict, numbers and figure.
pub(super) fn claims_of(
    md: &mut String,
    figures: &mut Vec<Figure>,
    section: Section,
    verdicts: &[crate::verdict::Verdict],
    suite: &SuiteResult,
    computed: &Computed,
) -> Result<()> {
    for v in verdicts.iter().filter(|v| v.section == section) {
        let _ = writeln!(md, "<a id=\"{}\"></a>\n\n#### {}\n", anchor(v.id), v.claim);
        let _ = writeln!(
            md,
            "**{}** (expected: {}). {}.\n",
            v.tally(),
            super::markdown::word(v.expected),
            v.evidence
        );
        if !v.why.is_empty() {
            let _ = writeln!(
                md,
                "Why nabla expects the notes to be contradicted here: {}.\n",
                v.why
            );
        }
        if v.outcome == crate::verdict::Outcome::Mixed {
            for (seed, outcome, words) in &v.per_seed {
                let _ = writeln!(
                    md,
                    "- seed {seed}: {}: {words}",
                    super::markdown::word(*outcome)
                );
            }
            md.push('\n');
        }
        if v.outcome != crate::verdict::Outcome::Undecided
            && let Some(f) = figure_of(v, suite, computed)?
        {
            place_figure(md, figures, v.id, Some(v.caption), f);
        }
    }
    Ok(())
}
