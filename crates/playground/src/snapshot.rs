//! What the page draws, measured from a run: loss and accuracy, gradient norms, activation
//! histograms, the boundary and each hidden unit's map over the 2-D grid, and for MNIST the
//! first layer's weights and the mistakes, as one JSON snapshot.

use nabla_datasets::Split;
use nabla_layers::Mode;
use nabla_nn::{Classifier, Histogram, SequentialClassifier, Trainer, predict_split};
use ndarray::{Array2, ArrayD};
use serde_json::{Value, json};

use crate::model::{self, Dataset, GRID};
use crate::settings::Settings;

/// Points kept on the curves (older ones are thinned to every other).
const CURVE_POINTS: usize = 400;

/// What the run has measured so far.
#[derive(Default)]
pub(crate) struct Measured {
    /// `[step, train loss, test loss, train accuracy, test accuracy]`.
    curve: Vec<[f64; 5]>,
    /// `[step, norm of each weight…]`.
    norms: Vec<Vec<f64>>,
    norm_names: Vec<String>,
}

impl Measured {
    /// Records the gradient norms `(weight, norm)` of `step` (nothing when there are none).
    pub(crate) fn record_norms(&mut self, step: u64, norms: &[(String, f64)]) {
        if norms.is_empty() {
            return;
        }
        self.norm_names = norms.iter().map(|(n, _)| n.clone()).collect();
        let mut row = vec![step as f64];
        row.extend(norms.iter().map(|&(_, v)| v));
        self.norms.push(row);
    }
}

/// The index of the largest value (the first on ties): a row's predicted class.
fn argmax<'a>(values: impl Iterator<Item = &'a f32>) -> usize {
    values
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (k, &v)| {
            if v > best.1 { (k, v) } else { best }
        })
        .0
}

/// `values` scaled to 0-255 between their own minimum and maximum, as an image shows them.
fn to_gray<'a>(values: impl Iterator<Item = &'a f32> + Clone) -> Vec<u8> {
    let (lo, hi) = values
        .clone()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = (hi - lo).max(1e-12);
    values
        .map(|&v| ((v - lo) / span * 255.0).round() as u8)
        .collect()
}

/// Mean cross-entropy and accuracy of `logits` against `labels`.
fn loss_and_accuracy(logits: &Array2<f32>, labels: &[usize]) -> (f64, f64) {
    let mut loss = 0.0;
    let mut right = 0;
    for (row, &label) in logits.rows().into_iter().zip(labels) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
        let sum: f64 = row.iter().map(|&v| (v as f64 - max).exp()).sum();
        loss += max + sum.ln() - row[label] as f64;
        right += usize::from(argmax(row.iter()) == label);
    }
    let n = labels.len().max(1) as f64;
    (loss / n, right as f64 / n)
}

/// Everything the page draws, measured now.
pub(crate) fn snapshot(
    settings: &Settings,
    data: &Dataset,
    run: &mut Trainer<f32, SequentialClassifier<f32>>,
    measured: &mut Measured,
    status: &str,
) -> Result<Value, String> {
    let model = run.model_mut();
    let err = |e: nabla_nn::NnError| e.to_string();
    let train_logits = predict_split(model, &data.train, 500).map_err(err)?;
    let test_logits = predict_split(model, &data.test, 500).map_err(err)?;
    let (train_loss, train_acc) = loss_and_accuracy(&train_logits, data.train.labels());
    let (test_loss, test_acc) = loss_and_accuracy(&test_logits, data.test.labels());
    let step = run.step() as f64;
    if measured.curve.last().is_none_or(|p| p[0] < step) {
        measured
            .curve
            .push([step, train_loss, test_loss, train_acc, test_acc]);
    }
    if measured.curve.len() > CURVE_POINTS {
        thin(&mut measured.curve);
    }
    if measured.norms.len() > CURVE_POINTS {
        thin(&mut measured.norms);
    }
    let step = run.step();
    let model = run.model_mut();
    // Activations of every hidden layer over the test inputs, for the histograms.
    let histograms = activation_histograms(model, &data.test, settings.hidden.len())?;
    let mut value = json!({
        "state": status,
        "step": step,
        "words": settings.words(),
        "curve": measured.curve,
        "norm_names": measured.norm_names,
        "norms": measured.norms,
        "histograms": histograms,
        "train_loss": train_loss, "test_loss": test_loss,
        "train_accuracy": train_acc, "test_accuracy": test_acc,
    });
    match &data.grid {
        Some(grid) => {
            value["boundary"] = json!(boundary(model, grid)?);
            value["units"] = json!(unit_maps(model, grid, settings.hidden.len())?);
            value["points"] = json!(points(&data.train));
        }
        None => {
            let first = if settings.hidden.is_empty() {
                "fc_out.weight"
            } else {
                "fc1.weight"
            };
            value["weights"] = json!(first_layer_images(model, first));
            value["mistakes"] = json!(mistakes(&test_logits, &data.test));
        }
    }
    Ok(value)
}

/// Keeps every other point but the last.
fn thin<T>(points: &mut Vec<T>) {
    let last = points.pop();
    let mut k = 0;
    points.retain(|_| {
        k += 1;
        k % 2 == 1
    });
    points.extend(last);
}

/// The probability of class 1 at each grid point, as 0-255, row by row from the top.
fn boundary(model: &mut SequentialClassifier<f32>, grid: &Split<f32>) -> Result<Vec<u8>, String> {
    let logits = predict_split(model, grid, GRID * GRID).map_err(|e| e.to_string())?;
    Ok(logits
        .rows()
        .into_iter()
        .map(|r| {
            let p = 1.0 / (1.0 + ((r[0] - r[1]) as f64).exp());
            (p * 255.0).round() as u8
        })
        .collect())
}

/// Each hidden layer's outputs for `x`, by layer index.
fn hidden_outputs(
    model: &mut SequentialClassifier<f32>,
    x: ArrayD<f32>,
    layers: usize,
) -> Result<Vec<Array2<f32>>, String> {
    let names: Vec<String> = (0..layers).map(model::activation_name).collect();
    let mut outputs = vec![None; layers];
    model
        .forward_observed(x, Mode::Eval, &mut |name, y| {
            if let Some(k) = names.iter().position(|n| n == name) {
                outputs[k] = y.clone().into_dimensionality::<ndarray::Ix2>().ok();
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(outputs.into_iter().flatten().collect())
}

/// What each of the first units of each hidden layer responds to over the grid: its output,
/// scaled to 0-255 between its own minimum and maximum. At most 8 units a layer.
fn unit_maps(
    model: &mut SequentialClassifier<f32>,
    grid: &Split<f32>,
    layers: usize,
) -> Result<Vec<Value>, String> {
    let outputs = hidden_outputs(model, grid.to_array(), layers)?;
    let mut maps = Vec::new();
    for (k, out) in outputs.iter().enumerate() {
        for unit in 0..out.ncols().min(8) {
            let column = out.column(unit);
            let pixels = to_gray(column.iter());
            maps.push(json!({"layer": k + 1, "unit": unit + 1, "pixels": pixels}));
        }
    }
    Ok(maps)
}

/// A histogram of each hidden activation's outputs over the test inputs.
fn activation_histograms(
    model: &mut SequentialClassifier<f32>,
    test: &Split<f32>,
    layers: usize,
) -> Result<Vec<Value>, String> {
    let x = test.first(test.len().min(500)).to_array();
    let outputs = hidden_outputs(model, x, layers)?;
    Ok(outputs
        .iter()
        .enumerate()
        .map(|(k, out)| {
            let (lo, hi) = out
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v as f64), b.max(v as f64))
                });
            let (lo, hi) = if lo < hi {
                (lo, hi)
            } else {
                (lo - 0.5, lo + 0.5)
            };
            let h = Histogram::of(out.iter().map(|&v| v as f64), lo, hi, 24);
            json!({"layer": k + 1, "lo": h.lo, "hi": h.hi, "counts": h.counts})
        })
        .collect())
}

/// The training points, `[x, y, label]`, for drawing over the boundary.
fn points(train: &Split<f32>) -> Vec<[f64; 3]> {
    let x = train.to_array();
    train
        .labels()
        .iter()
        .enumerate()
        .map(|(i, &l)| [x[[i, 0]] as f64, x[[i, 1]] as f64, l as f64])
        .collect()
}

/// The first 16 units of the first layer (the weight named `first`) as 28x28 images.
fn first_layer_images(model: &SequentialClassifier<f32>, first: &str) -> Vec<Vec<u8>> {
    let mut images = Vec::new();
    model.params(&mut |name, p| {
        if name != first {
            return;
        }
        let w = &p.value;
        if w.shape().first() != Some(&784) {
            return;
        }
        for unit in 0..w.shape()[1].min(16) {
            let column: Vec<f32> = (0..784).map(|i| w[[i, unit]]).collect();
            images.push(to_gray(column.iter()));
        }
    });
    images
}

/// The first 8 misclassified test images: `{label, predicted, pixels}`.
fn mistakes(logits: &Array2<f32>, test: &Split<f32>) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, (row, &label)) in logits.rows().into_iter().zip(test.labels()).enumerate() {
        let predicted = argmax(row.iter());
        if predicted != label {
            let (x, _) = test.gather(&[i]);
            let pixels: Vec<u8> = x
                .iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 255.0) as u8)
                .collect();
            out.push(json!({"label": label, "predicted": predicted, "pixels": pixels}));
            if out.len() == 8 {
                break;
            }
        }
    }
    out
}
