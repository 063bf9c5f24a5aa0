//! A trained model at work: logits in batches, accuracy, and an evaluation with its confusion
//! matrix and mistakes.

use nabla_datasets::Pixel;
use nabla_layers::{Float, Mode};
use nabla_tensor::argmax_rows;
use ndarray::{Array2, ArrayD, Axis, Ix2};

use crate::{Classifier, NnError, Result, Split};

/// Inference-mode logits of `model` for `x`, `batch` samples at a time (no gradients kept
/// between batches, so a large batch is the fast choice when memory allows).
pub fn predict<F: Float>(
    model: &mut dyn Classifier<F>,
    x: &ArrayD<F>,
    batch: usize,
) -> Result<Array2<F>> {
    let n = x.len_of(Axis(0));
    let batch = batch.max(1);
    let mut out: Option<Array2<F>> = None;
    for start in (0..n).step_by(batch) {
        let end = (start + batch).min(n);
        let chunk = x.slice_axis(Axis(0), (start..end).into());
        // Copied into the array the model's last pass left, when it has the size.
        let input = match model.take_input_buffer() {
            Some(b) if b.len() == chunk.len() && b.is_standard_layout() => {
                match b.into_shape_with_order(chunk.shape()) {
                    Ok(mut b) => {
                        b.assign(&chunk);
                        b
                    }
                    Err(_) => chunk.to_owned(),
                }
            }
            _ => chunk.to_owned(),
        };
        let logits = logits_of(model, input)?;
        let all = out.get_or_insert_with(|| Array2::zeros((n, logits.ncols())));
        all.slice_axis_mut(ndarray::Axis(0), (start..end).into())
            .assign(&logits);
        model.recycle_output(logits.into_dyn());
    }
    Ok(out.unwrap_or_else(|| Array2::zeros((0, 0))))
}

/// Inference-mode logits of `model` for every sample of `split`, converting `batch` samples
/// at a time.
pub fn predict_split<F: Float + Pixel>(
    model: &mut dyn Classifier<F>,
    split: &Split<F>,
    batch: usize,
) -> Result<Array2<F>> {
    let n = split.len();
    let batch = batch.max(1);
    let mut out: Option<Array2<F>> = None;
    for start in (0..n).step_by(batch) {
        let end = (start + batch).min(n);
        // Converted into the array the model's last pass left, and the logits handed back
        // after use: no allocation per batch.
        let input = split.range_into(start..end, model.take_input_buffer());
        let logits = logits_of(model, input)?;
        let all = out.get_or_insert_with(|| Array2::zeros((n, logits.ncols())));
        all.slice_axis_mut(ndarray::Axis(0), (start..end).into())
            .assign(&logits);
        model.recycle_output(logits.into_dyn());
    }
    Ok(out.unwrap_or_else(|| Array2::zeros((0, 0))))
}

fn logits_of<F: Float>(model: &mut dyn Classifier<F>, x: ArrayD<F>) -> Result<Array2<F>> {
    model
        .forward(x, Mode::Eval)?
        .into_dimensionality::<Ix2>()
        .map_err(|e| NnError::Data(format!("a classifier's output must be (n, classes): {e}")))
}

/// A test sample the model got wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mistake {
    /// Its index in the split.
    pub index: usize,
    /// Its true class.
    pub label: usize,
    /// The class the model chose.
    pub predicted: usize,
}

/// What one inference pass over a split found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// The fraction classified correctly.
    pub accuracy: f64,
    /// `confusion[true class][predicted class]`: how many samples.
    pub confusion: Vec<Vec<u64>>,
    /// The first mistakes in split order (at most the number asked for).
    pub mistakes: Vec<Mistake>,
}

/// The accuracy of `model` on `split`, its confusion matrix and its first `keep_mistakes`
/// mistakes, from one inference pass of `batch` samples at a time.
///
/// ```
/// use nabla_nn::{Architecture, MlpConfig, Network, Split, evaluate};
/// use nabla_nn::ndarray::Array2;
/// let mut net = Network::<f32>::new(&Architecture::Mlp(MlpConfig::new(3, vec![4], 2)), 0)?;
/// let data = Split::new(Array2::<f32>::zeros((5, 3)).into_dyn(), vec![0, 1, 1, 0, 1])?;
/// let e = evaluate(&mut net, &data, 2, 10)?;
/// // Identical inputs get one prediction: all of one class, so 2 or 3 of 5 are right.
/// assert!(e.accuracy == 0.4 || e.accuracy == 0.6);
/// assert_eq!(e.confusion.iter().flatten().sum::<u64>(), 5);
/// assert_eq!(e.mistakes.len() as f64, (1.0 - e.accuracy) * 5.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate<F: Float + Pixel>(
    model: &mut dyn Classifier<F>,
    split: &Split<F>,
    batch: usize,
    keep_mistakes: usize,
) -> Result<Evaluation> {
    let logits = predict_split(model, split, batch)?;
    let predicted = argmax_rows(&logits.view());
    let labels = split.labels();
    let classes = logits
        .ncols()
        .max(labels.iter().max().map_or(0, |&l| l + 1));
    let mut confusion = vec![vec![0; classes]; classes];
    let mut mistakes = Vec::new();
    for (index, (&p, &l)) in predicted.iter().zip(labels).enumerate() {
        confusion[l][p] += 1;
        if p != l && mistakes.len() < keep_mistakes {
            mistakes.push(Mistake {
                index,
                label: l,
                predicted: p,
            });
        }
    }
    Ok(Evaluation {
        accuracy: fraction_correct(&predicted, labels),
        confusion,
        mistakes,
    })
}

/// The fraction of `split` (or of its samples at `indices`) that `model` classifies right.
pub fn accuracy<F: Float + Pixel>(
    model: &mut dyn Classifier<F>,
    split: &Split<F>,
    indices: Option<&[usize]>,
    batch: usize,
) -> Result<f64> {
    let Some(idx) = indices else {
        return Ok(evaluate(model, split, batch, 0)?.accuracy);
    };
    let (x, labels) = split.gather(idx);
    let predicted = argmax_rows(&predict(model, &x, batch)?.view());
    Ok(fraction_correct(&predicted, &labels))
}

/// The fraction of `predicted` equal to `labels`.
pub(crate) fn fraction_correct(predicted: &[usize], labels: &[usize]) -> f64 {
    let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    correct as f64 / labels.len().max(1) as f64
}
