//! Softmax, log-softmax, cross-entropy and accuracy over rows of logits.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};

use crate::{Float, Result, TensorError};

/// The labels a classification loss compares logits with.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a, F: Float> {
    /// One row per sample, a 1 at the true class (any non-negative weights summing to 1 work).
    OneHot(ArrayView2<'a, F>),
    /// One class index per sample.
    Indices(&'a [usize]),
}

impl<F: Float> Target<'_, F> {
    /// The number of samples.
    pub fn len(&self) -> usize {
        match self {
            Target::OneHot(t) => t.nrows(),
            Target::Indices(t) => t.len(),
        }
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks that the target matches `(n, classes)` logits; names the first bad label.
    pub fn check(&self, n: usize, classes: usize) -> Result<()> {
        match self {
            Target::OneHot(t) if t.dim() != (n, classes) => Err(TensorError::Shape {
                op: "one-hot target",
                expected: format!("[{n}, {classes}] like the logits"),
                got: t.shape().to_vec(),
            }),
            Target::Indices(t) if t.len() != n => Err(TensorError::Shape {
                op: "class-index target",
                expected: format!("[{n}] like the logits"),
                got: vec![t.len()],
            }),
            Target::Indices(t) => match t.iter().position(|&l| l >= classes) {
                Some(row) => Err(TensorError::Label {
                    label: t[row],
                    row,
                    classes,
                }),
                None => Ok(()),
            },
            Target::OneHot(_) => Ok(()),
        }
    }
}

/// Row-wise softmax, computed as `exp(x - max) / Σ exp(x - max)` so that large logits cannot
/// overflow.
///
/// ```
/// use nabla_tensor::softmax;
/// use ndarray::array;
/// let p = softmax(&array![[1000.0f32, 1000.0]].view());
/// assert_eq!(p, array![[0.5, 0.5]]);
/// ```
pub fn softmax<F: Float>(logits: &ArrayView2<'_, F>) -> Array2<F> {
    let mut out = logits.to_owned();
    softmax_in_place(&mut out.view_mut());
    out
}

/// [`softmax`] of logits already in `x`, written over them: for a loss that keeps its
/// buffers between steps.
///
/// ```
/// use ndarray::array;
/// let mut p = array![[1000.0f32, 1000.0]];
/// nabla_tensor::softmax_in_place(&mut p.view_mut());
/// assert_eq!(p, array![[0.5, 0.5]]);
/// ```
pub fn softmax_in_place<F: Float>(x: &mut ArrayViewMut2<'_, F>) {
    for mut row in x.rows_mut() {
        let max = row.fold(F::neg_infinity(), |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|v| v / sum);
    }
}

/// Row-wise `log(softmax(x))`, computed as `(x - max) - log Σ exp(x - max)`: finite for any
/// finite logits, where `softmax(x).ln()` underflows to `-inf`, and accurate near zero.
///
/// ```
/// use nabla_tensor::log_softmax;
/// use ndarray::array;
/// let l = log_softmax(&array![[0.0f64, 1000.0]].view());
/// assert_eq!(l[[0, 0]], -1000.0);
/// ```
pub fn log_softmax<F: Float>(logits: &ArrayView2<'_, F>) -> Array2<F> {
    let mut out = logits.to_owned();
    log_softmax_in_place(&mut out.view_mut());
    out
}

/// [`log_softmax`] of logits already in `x`, written over them.
///
/// ```
/// use ndarray::array;
/// let mut l = array![[0.0f64, 1000.0]];
/// nabla_tensor::log_softmax_in_place(&mut l.view_mut());
/// assert_eq!(l[[0, 0]], -1000.0);
/// ```
pub fn log_softmax_in_place<F: Float>(x: &mut ArrayViewMut2<'_, F>) {
    for mut row in x.rows_mut() {
        let (argmax, max) =
            row.iter()
                .enumerate()
                .fold(
                    (0, F::neg_infinity()),
                    |(i, m), (k, &v)| if v > m { (k, v) } else { (i, m) },
                );
        // Σ exp(x − max) = 1 + rest; ln_1p(rest) keeps full precision when one logit dominates.
        let rest = row
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != argmax)
            .fold(F::zero(), |s, (_, &v)| s + (v - max).exp());
        let log_sum = rest.ln_1p();
        row.mapv_inplace(|v| (v - max) - log_sum);
    }
}

/// Mean cross-entropy of `softmax(logits)` against `target`, from the log-softmax (no `+1e-7`
/// fudge inside the log, so confident wrong answers are not capped at `-ln(1e-7) ≈ 16.1`).
///
/// # Shapes
/// `logits: [n, classes]`, target `[n, classes]` (one-hot) or `[n]` (indices) → scalar
///
/// ```
/// use nabla_tensor::{Target, cross_entropy};
/// use ndarray::array;
/// let logits = array![[2.0f64, 0.0], [0.0, 2.0]];
/// let by_index = cross_entropy(&logits.view(), Target::Indices(&[0, 1]))?;
/// let one_hot = array![[1.0, 0.0], [0.0, 1.0]];
/// let by_one_hot = cross_entropy(&logits.view(), Target::OneHot(one_hot.view()))?;
/// assert!((by_index - (1.0 + (-2.0f64).exp()).ln()).abs() < 1e-12);
/// assert!((by_index - by_one_hot).abs() < 1e-12);
/// # Ok::<(), nabla_tensor::TensorError>(())
/// ```
pub fn cross_entropy<F: Float>(logits: &ArrayView2<'_, F>, target: Target<'_, F>) -> Result<F> {
    let (n, classes) = logits.dim();
    target.check(n, classes)?;
    if n == 0 {
        return Ok(F::zero());
    }
    Ok(mean_negative_log_likelihood(
        &log_softmax(logits).view(),
        target,
    ))
}

/// The mean of `-log p(target)` over rows of log-probabilities (from [`log_softmax`]): the
/// cross-entropy once the log-softmax is computed, for a caller that keeps it. The target
/// must already be checked against the shape ([`Target::check`]).
///
/// ```
/// use nabla_tensor::{Target, mean_negative_log_likelihood};
/// use ndarray::array;
/// let logp = array![[0.5f64.ln(), 0.5f64.ln()]];
/// let loss = mean_negative_log_likelihood(&logp.view(), Target::Indices(&[1]));
/// assert!((loss - 2f64.ln()).abs() < 1e-12);
/// ```
pub fn mean_negative_log_likelihood<F: Float>(
    logp: &ArrayView2<'_, F>,
    target: Target<'_, F>,
) -> F {
    let n = logp.nrows();
    if n == 0 {
        return F::zero();
    }
    let total = match target {
        Target::OneHot(t) => (logp * &t).sum(),
        Target::Indices(t) => t
            .iter()
            .enumerate()
            .map(|(row, &label)| logp[[row, label]])
            .sum(),
    };
    -total / F::of(n as f64)
}

/// The index of the largest entry of each row (the first one on ties).
pub fn argmax_rows<F: Float>(x: &ArrayView2<'_, F>) -> Vec<usize> {
    x.axis_iter(Axis(0))
        .map(|row| {
            let mut best = 0;
            for (k, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = k;
                }
            }
            best
        })
        .collect()
}

/// The fraction of rows whose argmax is the target class.
///
/// ```
/// use nabla_tensor::{Target, accuracy};
/// use ndarray::array;
/// let logits = array![[0.1f32, 0.9], [0.8, 0.2]];
/// assert_eq!(accuracy(&logits.view(), Target::Indices(&[1, 1]))?, 0.5);
/// # Ok::<(), nabla_tensor::TensorError>(())
/// ```
pub fn accuracy<F: Float>(logits: &ArrayView2<'_, F>, target: Target<'_, F>) -> Result<f64> {
    let (n, classes) = logits.dim();
    target.check(n, classes)?;
    if n == 0 {
        return Ok(0.0);
    }
    let predicted = argmax_rows(logits);
    let correct = match target {
        Target::Indices(t) => predicted.iter().zip(t).filter(|(p, t)| p == t).count(),
        Target::OneHot(t) => {
            let truth = argmax_rows(&t);
            predicted.iter().zip(&truth).filter(|(p, t)| p == t).count()
        }
    };
    Ok(correct as f64 / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn softmax_rows_sum_to_one_and_survive_huge_logits() {
        let p = softmax(&array![[1000.0f32, 0.0, -1000.0], [1.0, 2.0, 3.0]].view());
        for row in p.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
            assert!(row.iter().all(|v| v.is_finite()));
        }
        assert_eq!(p[[0, 0]], 1.0);
    }

    #[test]
    fn cross_entropy_of_huge_logits_is_finite_and_exact() {
        let logits = array![[1000.0f64, 0.0]];
        let loss = cross_entropy(&logits.view(), Target::Indices(&[1])).unwrap();
        assert_eq!(loss, 1000.0);
    }

    #[test]
    fn bad_labels_are_named() {
        let logits = array![[0.0f64, 0.0]];
        let err = cross_entropy(&logits.view(), Target::Indices(&[2])).unwrap_err();
        assert_eq!(err.to_string(), "label 2 at row 0 is outside 0..2");
        assert!(cross_entropy(&logits.view(), Target::Indices(&[0, 1])).is_err());
    }

    #[test]
    fn argmax_takes_first_of_ties() {
        assert_eq!(argmax_rows(&array![[1.0f32, 3.0, 3.0]].view()), vec![1]);
    }
}
