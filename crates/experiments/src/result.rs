//! What a run measured.

use nabla_nn::Histogram;
use serde::{Deserialize, Serialize};

use crate::measure::LayerWeights;

/// One evaluation of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Iterations done.
    pub iteration: u64,
    /// Train accuracy (on the mini-batch for the runs that reproduce that choice).
    pub train: f64,
    /// Test accuracy.
    pub test: f64,
    /// Mean training loss since the previous evaluation.
    pub loss: f64,
}

/// What a run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The run's id.
    pub id: String,
    /// Every evaluation.
    pub curve: Vec<Point>,
    /// Per-layer weight-gradient norms `(iteration, [(name, norm)])`, for the VG runs.
    pub gradient_norms: Vec<(u64, Vec<(String, f64)>)>,
    /// The first convolution's filters after training, `(filters, kh·kw)`, for CNN runs.
    pub first_filters: Option<Vec<Vec<f32>>>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Why the run ended early (divergence), if it did.
    pub diverged: Option<String>,
    /// How each weight tensor moved over the run.
    pub weights: Vec<LayerWeights>,
    /// The norm of all weights together at each evaluation, `(iteration, ‖W‖)`.
    pub weight_norm: Vec<(u64, f64)>,
    /// Every weight after training over its tensor's RMS, as a histogram over ±4 (the
    /// overfitting runs).
    pub weight_histogram: Option<Histogram>,
    /// The fraction of exactly-zero outputs per activation layer on 1,000 test images after
    /// training (the MLPs).
    pub zero_activations: Vec<(String, f64)>,
    /// Dropout runs: test accuracy of the scaled network (`k = 0`) and of the averaged
    /// predictions of `k` thinned networks.
    pub ensemble: Vec<(usize, f64)>,
}

impl RunResult {
    /// The final test accuracy.
    pub fn final_test(&self) -> f64 {
        self.curve.last().map_or(0.0, |p| p.test)
    }

    /// The final train accuracy.
    pub fn final_train(&self) -> f64 {
        self.curve.last().map_or(0.0, |p| p.train)
    }

    /// The median of `value` over the last `k` evaluations: what a run settled at, robust to
    /// the single-evaluation spikes a large learning rate produces.
    pub fn tail_median(&self, k: usize, value: impl Fn(&Point) -> f64) -> f64 {
        let mut tail: Vec<f64> = self.curve.iter().rev().take(k.max(1)).map(value).collect();
        tail.sort_by(f64::total_cmp);
        median(&tail)
    }

    /// The test accuracy at `iteration` (the last evaluation at or before it).
    pub fn test_at(&self, iteration: u64) -> Option<f64> {
        self.curve
            .iter()
            .rev()
            .find(|p| p.iteration <= iteration)
            .map(|p| p.test)
    }

    /// The first iteration whose test accuracy exceeds `level`.
    pub fn first_above(&self, level: f64) -> Option<u64> {
        self.curve
            .iter()
            .find(|p| p.test > level)
            .map(|p| p.iteration)
    }
}

/// The median of sorted `values` (0 when empty).
pub fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
impl RunResult {
    /// A run that measured only `tests`, one evaluation every `every` iterations (train
    /// accuracy 1, loss 0.1): for testing what reads curves.
    pub(crate) fn with_test_curve(id: &str, every: u64, tests: &[f64]) -> Self {
        RunResult {
            id: id.into(),
            curve: tests
                .iter()
                .enumerate()
                .map(|(k, &test)| Point {
                    iteration: every * (k as u64 + 1),
                    train: 1.0,
                    test,
                    loss: 0.1,
                })
                .collect(),
            gradient_norms: Vec::new(),
            first_filters: None,
            seconds: 0.0,
            diverged: None,
            weights: Vec::new(),
            weight_norm: Vec::new(),
            weight_histogram: None,
            zero_activations: Vec::new(),
            ensemble: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(tests: &[f64]) -> RunResult {
        RunResult::with_test_curve("T", 10, tests)
    }

    #[test]
    fn tail_median_ignores_a_final_spike() {
        let mut tests = vec![0.2; 5];
        tests.extend([0.76, 0.77, 0.75, 0.78, 0.76, 0.77, 0.75, 0.76, 0.77, 0.45]);
        let r = result(&tests);
        assert_eq!(r.final_test(), 0.45);
        assert!((r.tail_median(10, |p| p.test) - 0.76).abs() < 1e-12);
        assert_eq!(r.first_above(0.5), Some(60));
        assert_eq!(r.test_at(55), Some(0.2));
    }
}
