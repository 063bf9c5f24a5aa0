//! Runs made up for the decisions' tests.

use crate::RunResult;
use crate::measure::LayerWeights;

/// A run whose test accuracy is `tests`, one evaluation every 50 iterations (train 1).
pub(super) fn run(id: &str, tests: &[f64]) -> RunResult {
    RunResult::with_test_curve(id, 50, tests)
}

/// A run that settles at `test` and `train` accuracy.
pub(super) fn settled_at(id: &str, train: f64, test: f64) -> RunResult {
    let mut r = run(id, &[test; 5]);
    for p in &mut r.curve {
        p.train = train;
    }
    r
}

/// One weight tensor's measurements with the given spread, change and near-zero share.
pub(super) fn layer(name: &str, change: f64, spread: Option<f64>, near_zero: f64) -> LayerWeights {
    LayerWeights {
        name: name.into(),
        norm_start: 1.0,
        norm_end: 1.0,
        relative_change: change,
        unit_spread: spread,
        near_zero,
        near_zero_relative: near_zero,
        count: 100,
    }
}
