//! Mean squared error: `L = Σ (y − t)² / (2N)`.

use ndarray::{Array2, ArrayD};

use crate::losses::{batch_mean, loss_rows, subtract_target};
use crate::{Float, LayerError, Loss, Result, Target};

/// Half the squared error summed over features and averaged over the batch, so that the
/// gradient is `(y − t) / N`, the classic `d_mean_squared_error`.
///
/// Class-index targets are compared as one-hot rows.
///
/// ```
/// use nabla_layers::{Loss, MeanSquaredError, Target};
/// use ndarray::array;
/// let mut mse = MeanSquaredError::new();
/// let t = array![[1.0f64, 0.0], [0.0, 1.0]];
/// let l = mse.forward(&array![[0.0, 0.0], [0.0, 1.0]].into_dyn(), Target::OneHot(t.view()))?;
/// assert_eq!(l, 0.25);
/// assert_eq!(mse.backward()?, array![[-0.5, 0.0], [0.0, 0.0]].into_dyn());
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `y: [n, k]`, target `[n, k]` or `[n]` (indices below `k`) → scalar; backward → `[n, k]`.
#[derive(Debug, Default)]
pub struct MeanSquaredError<F: Float> {
    residual: Option<Array2<F>>,
}

impl<F: Float> MeanSquaredError<F> {
    /// A new loss.
    pub fn new() -> Self {
        MeanSquaredError { residual: None }
    }
}

impl<F: Float> Loss<F> for MeanSquaredError<F> {
    fn forward(&mut self, y: &ArrayD<F>, target: Target<'_, F>) -> Result<F> {
        let y = loss_rows("MeanSquaredError", y, "[n, k]")?;
        target.check(y.nrows(), y.ncols())?;
        let mut residual = y.to_owned();
        subtract_target(&mut residual, target);
        let n = F::of(y.nrows().max(1) as f64);
        let loss = residual.iter().map(|&r| r * r).sum::<F>() / (F::of(2.0) * n);
        self.residual = Some(residual);
        Ok(loss)
    }

    fn backward(&mut self) -> Result<ArrayD<F>> {
        let residual = self
            .residual
            .as_ref()
            .ok_or(LayerError::NoForward("MeanSquaredError"))?;
        Ok(batch_mean(residual, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_loss;
    use crate::testutil::random;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn gradient_check(n in 1usize..6, k in 1usize..6, seed in any::<u64>()) {
            let y = random(&[n, k], seed);
            let t = random(&[n, k], seed ^ 9).into_dimensionality::<ndarray::Ix2>().unwrap();
            let err = check_loss(&mut MeanSquaredError::new(), &y, Target::OneHot(t.view())).unwrap();
            prop_assert!(err < 1e-6, "{err}");
        }
    }
}
