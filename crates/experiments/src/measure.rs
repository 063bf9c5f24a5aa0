//! What a run measures beyond its accuracy curve, for the claims of the notes that are about
//! weights and activations: how far each layer's weights moved, whether a layer's units stayed
//! identical, how many weights a penalty drove to zero, how sparse the activations are, and
//! what averaging thinned networks gives against dropout's scaled network.

use nabla_layers::{Mode, ParamKind};
use nabla_nn::{Classifier, EvalPoint, Flow, Histogram, Hook, Split};
use ndarray::{ArrayD, Axis, Ix2};
use serde::Serialize;

use crate::Result;

/// A weight counts as zero below this magnitude: L1's subgradient leaves weights dithering
/// around 0 at about `lr · λ`, far below it, while L2's small weights sit far above it.
pub const NEAR_ZERO: f64 = 1e-3;

/// One weight tensor's change over a run.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct LayerWeights {
    /// The parameter's dotted name (`affine1.weight`).
    pub name: String,
    /// ‖W‖ before training.
    pub norm_start: f64,
    /// ‖W‖ after training.
    pub norm_end: f64,
    /// ‖W_end − W_start‖ / ‖W_start‖ (infinite when W started at 0 and moved).
    pub relative_change: f64,
    /// For a dense layer `(inputs, units)`: the largest difference between a unit's incoming
    /// weights and the first unit's, relative to the largest weight; 0 when every unit is
    /// the same unit.
    pub unit_spread: Option<f64>,
    /// The fraction of weights below [`NEAR_ZERO`] in magnitude after training.
    pub near_zero: f64,
    /// The fraction of weights below 1% of the tensor's RMS after training: scale-free, so
    /// a penalty that only shrinks (L2) leaves it where a Gaussian has it (0.8%).
    pub near_zero_relative: f64,
    /// How many weights the tensor holds.
    pub count: usize,
}

/// Every weight tensor of `model` (biases and BatchNorm's scale and shift left out), copied.
pub(crate) fn weights(model: &dyn Classifier<f32>) -> Vec<(String, ArrayD<f32>)> {
    let mut out = Vec::new();
    model.params(&mut |name, p| {
        if p.kind == ParamKind::Weight {
            out.push((name.to_string(), p.value.clone()));
        }
    });
    out
}

fn norm<'a>(values: impl Iterator<Item = &'a f32>) -> f64 {
    values.map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt()
}

/// How each weight tensor moved from `start` to `end` (the same tensors, in the same order).
pub(crate) fn layer_weights(
    start: &[(String, ArrayD<f32>)],
    end: &[(String, ArrayD<f32>)],
) -> Vec<LayerWeights> {
    start
        .iter()
        .zip(end)
        .map(|((name, w0), (_, w1))| {
            let norm_start = norm(w0.iter());
            let moved = w1
                .iter()
                .zip(w0)
                .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
                .sum::<f64>()
                .sqrt();
            let relative_change = if norm_start > 0.0 {
                moved / norm_start
            } else if moved > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            let n = w1.len().max(1) as f64;
            let near_zero = w1.iter().filter(|v| f64::from(v.abs()) < NEAR_ZERO).count() as f64 / n;
            let rms = norm(w1.iter()) / n.sqrt();
            let near_zero_relative = w1
                .iter()
                .filter(|v| f64::from(v.abs()) < 0.01 * rms)
                .count() as f64
                / n;
            LayerWeights {
                name: name.clone(),
                norm_start,
                norm_end: norm(w1.iter()),
                relative_change,
                unit_spread: unit_spread(w1),
                near_zero,
                near_zero_relative,
                count: w1.len(),
            }
        })
        .collect()
}

/// For a dense weight `(inputs, units)`: max |W[i, j] − W[i, 0]| / max |W|.
fn unit_spread(w: &ArrayD<f32>) -> Option<f64> {
    let w = w.view().into_dimensionality::<Ix2>().ok()?;
    let first = w.column(0);
    let largest = w.iter().fold(0f64, |m, &v| m.max(f64::from(v.abs())));
    let spread = w
        .axis_iter(Axis(1))
        .flat_map(|unit| {
            unit.iter()
                .zip(first.iter())
                .map(|(&a, &b)| f64::from((a - b).abs()))
                .collect::<Vec<_>>()
        })
        .fold(0f64, f64::max);
    Some(if largest > 0.0 { spread / largest } else { 0.0 })
}

/// The histogram of every weight of `model`, each divided by its own tensor's RMS, over
/// `[-range, range]` in 80 bins: scale-free, so a penalty that only shrinks keeps the bell's
/// shape and one that zeroes weights shows a spike at 0.
pub(crate) fn weight_histogram(model: &dyn Classifier<f32>, range: f64) -> Histogram {
    let mut values = Vec::new();
    model.params(&mut |_, p| {
        if p.kind == ParamKind::Weight {
            let rms = norm(p.value.iter()) / (p.value.len().max(1) as f64).sqrt();
            if rms > 0.0 {
                values.extend(p.value.iter().map(|&v| f64::from(v) / rms));
            }
        }
    });
    Histogram::of(values.into_iter(), -range, range, 80)
}

/// Records the norm of all the weights together at every evaluation.
#[derive(Debug, Default)]
pub(crate) struct WeightNorms {
    /// `(iteration, ‖W‖)`.
    pub rows: Vec<(u64, f64)>,
}

impl Hook<f32> for WeightNorms {
    fn after_eval(&mut self, point: &EvalPoint, model: &mut dyn Classifier<f32>) -> Flow {
        let mut sum = 0.0;
        model.params(&mut |_, p| {
            if p.kind == ParamKind::Weight {
                sum += p.value.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
            }
        });
        self.rows.push((point.step, sum.sqrt()));
        Flow::Continue
    }
}

/// The fraction of exactly-zero outputs of each activation layer (`relu…`, `activation…`) on
/// the first `n` images of `split`, in inference mode.
pub(crate) fn zero_activations(
    model: &mut dyn Classifier<f32>,
    split: &Split<f32>,
    n: usize,
) -> Result<Vec<(String, f64)>> {
    let x = split.range(0..n.min(split.len()));
    let mut out: Vec<(String, f64)> = Vec::new();
    model.forward_observed(x, Mode::Eval, &mut |name, y| {
        if name.starts_with("relu") || name.starts_with("activation") {
            let zeros = y.iter().filter(|&&v| v == 0.0).count();
            out.push((name.to_string(), zeros as f64 / y.len().max(1) as f64));
        }
    })?;
    Ok(out)
}

/// Dropout as an ensemble: test accuracy of the scaled network (`k = 0`) and of the average
/// softmax of `k` thinned networks (training-mode forwards, each drawing its own masks), on
/// the first `n` test images.
pub(crate) fn dropout_ensemble(
    model: &mut dyn Classifier<f32>,
    test: &Split<f32>,
    n: usize,
    ks: &[usize],
) -> Result<Vec<(usize, f64)>> {
    let n = n.min(test.len());
    let (x, labels) = (test.range(0..n), &test.labels()[..n]);
    let accuracy = |probs: &ndarray::Array2<f64>| {
        let right = probs
            .outer_iter()
            .zip(labels)
            .filter(|&(row, &label)| {
                let best = row
                    .iter()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |b, (k, &v)| if v > b.1 { (k, v) } else { b },
                    );
                best.0 == label
            })
            .count();
        right as f64 / n.max(1) as f64
    };
    let softmax = |logits: ArrayD<f32>| -> Result<ndarray::Array2<f64>> {
        let logits = logits
            .into_dimensionality::<Ix2>()
            .map_err(|e| crate::ExperimentError::Setup(format!("logits: {e}")))?;
        let mut p = logits.mapv(f64::from);
        for mut row in p.outer_iter_mut() {
            let top = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            row.mapv_inplace(|v| (v - top).exp());
            let sum = row.sum();
            row.mapv_inplace(|v| v / sum);
        }
        Ok(p)
    };
    let mut out = vec![(
        0,
        accuracy(&softmax(model.forward(x.clone(), Mode::Eval)?)?),
    )];
    let mut sum: Option<ndarray::Array2<f64>> = None;
    let mut drawn = 0;
    for &k in ks {
        while drawn < k {
            let p = softmax(model.forward(x.clone(), Mode::Train)?)?;
            sum = Some(match sum {
                Some(s) => s + p,
                None => p,
            });
            drawn += 1;
        }
        if let Some(s) = &sum {
            out.push((k, accuracy(s)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn identical_units_have_no_spread_and_others_do() {
        let same = array![[0.5f32, 0.5, 0.5], [-1.0, -1.0, -1.0]].into_dyn();
        assert_eq!(unit_spread(&same), Some(0.0));
        let differ = array![[0.5f32, 0.25, 0.5], [-1.0, -1.0, -1.0]].into_dyn();
        assert_eq!(unit_spread(&differ), Some(0.25));
        assert_eq!(unit_spread(&array![1.0f32, 2.0].into_dyn()), None);
    }

    #[test]
    fn relative_change_and_near_zero_fraction() {
        let start = vec![("w".to_string(), array![[3.0f32, 4.0]].into_dyn())];
        let end = vec![("w".to_string(), array![[3.0f32, 0.0]].into_dyn())];
        let l = &layer_weights(&start, &end)[0];
        assert_eq!(l.norm_start, 5.0);
        assert_eq!(l.norm_end, 3.0);
        assert!((l.relative_change - 0.8).abs() < 1e-12);
        assert_eq!(l.near_zero, 0.5);
        // RMS of [3, 0] is 2.12: only the 0 is below 1% of it.
        assert_eq!(l.near_zero_relative, 0.5);
    }
}
