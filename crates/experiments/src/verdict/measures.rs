//! What the claims read off a run, shared between sections.

use crate::RunResult;

/// The weight tensors of the 784-40-20-10 networks, input first.
pub(super) const LAYERS: [&str; 3] = ["affine1.weight", "affine2.weight", "affine3.weight"];

/// A run's accuracy once settled: the median of its last 3 test evaluations.
pub(super) fn settled(r: &RunResult) -> f64 {
    r.tail_median(3, |p| p.test)
}

/// The median over the recorded steps of one layer's gradient norm.
pub(super) fn gradient_norm(r: &RunResult, layer: &str) -> f64 {
    let mut v: Vec<f64> = r
        .gradient_norms
        .iter()
        .filter_map(|(_, rows)| rows.iter().find(|(n, _)| n == layer).map(|(_, g)| *g))
        .collect();
    v.sort_by(f64::total_cmp);
    crate::result::median(&v)
}

/// How far a layer's weights moved over the run, relative to where they started.
pub(super) fn change(r: &RunResult, layer: &str) -> f64 {
    r.weights
        .iter()
        .find(|w| w.name == layer)
        .map_or(f64::NAN, |w| w.relative_change)
}

/// The norm of all weights at the last evaluation.
pub(super) fn final_norm(r: &RunResult) -> f64 {
    r.weight_norm.last().map_or(f64::NAN, |&(_, n)| n)
}

/// The median of `values` (NaN when empty).
pub(super) fn median_of(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    crate::result::median(&values)
}

/// The train/test gap once settled: the medians of the last 10 evaluations (the runs of
/// 300 images jump by a point or two between evaluations).
pub(super) fn gap10(r: &RunResult) -> f64 {
    r.tail_median(10, |p| p.train) - r.tail_median(10, |p| p.test)
}
