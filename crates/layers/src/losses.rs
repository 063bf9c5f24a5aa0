//! What the two losses share: their input as rows, the residual `y − t`, and its batch mean.

use ndarray::{Array2, ArrayD, Ix2};

use crate::shape::expect_rank;
use crate::{Float, LayerError, Result};

/// A loss input as `(n, k)` rows, or the shape error naming the loss.
pub(crate) fn loss_rows<'a, F: Float>(
    loss: &'static str,
    y: &'a ArrayD<F>,
    what: &str,
) -> Result<ndarray::ArrayView2<'a, F>> {
    expect_rank(loss, y.shape(), 2, what)?;
    y.view()
        .into_dimensionality::<Ix2>()
        .map_err(|_| LayerError::Shape {
            layer: loss,
            expected: what.to_string(),
            got: y.shape().to_vec(),
        })
}

/// `y − t` in place, for one-hot or class-index targets already checked against `y`.
pub(crate) fn subtract_target<F: Float>(residual: &mut Array2<F>, target: crate::Target<'_, F>) {
    match target {
        crate::Target::OneHot(t) => *residual -= &t,
        crate::Target::Indices(t) => t
            .iter()
            .enumerate()
            .for_each(|(row, &label)| residual[[row, label]] -= F::one()),
    }
}

/// `residual / N`: the gradient of a batch-mean loss whose per-sample gradient is `residual`,
/// written into `spare` when it has the right shape.
pub(crate) fn batch_mean<F: Float>(residual: &Array2<F>, spare: Option<ArrayD<F>>) -> ArrayD<F> {
    let n = F::of(residual.nrows().max(1) as f64);
    let mut out = crate::buffers::reuse(spare, residual.shape());
    out.zip_mut_with(&residual.view().into_dyn(), |o, &v| *o = v / n);
    out
}
