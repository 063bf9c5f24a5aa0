//! Leaky ReLU: `y = x` for `x > 0`, `α·x` otherwise; backward `dx = dout` where `x > 0`,
//! `α·dout` elsewhere.

use ndarray::{ArrayD, Zip};

use crate::buffers::Saved;
use crate::shape::expect_same;
use crate::{Float, Layer, LayerError, Mode, Result};

/// Leaky ReLU with slope `α` (default 0.01) for negative inputs, so no unit is ever
/// completely dead.
///
/// ```
/// use nabla_layers::{Layer, LeakyRelu, Mode};
/// use ndarray::array;
/// let mut act = LeakyRelu::<f64>::new(0.1);
/// assert_eq!(act.forward(array![-2.0, 3.0].into_dyn(), Mode::Eval)?, array![-0.2, 3.0].into_dyn());
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// Any shape; the output and the gradients have the input's shape.
#[derive(Debug)]
pub struct LeakyRelu<F: Float> {
    alpha: F,
    mask: Saved<bool>,
}

impl<F: Float> LeakyRelu<F> {
    /// A leaky ReLU with negative slope `alpha`.
    pub fn new(alpha: F) -> Self {
        LeakyRelu {
            alpha,
            mask: Saved::default(),
        }
    }
}

impl<F: Float> Default for LeakyRelu<F> {
    fn default() -> Self {
        LeakyRelu::new(F::of(0.01))
    }
}

impl<F: Float> Layer<F> for LeakyRelu<F> {
    fn kind(&self) -> &'static str {
        "LeakyRelu"
    }

    fn forward(&mut self, mut x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        match mode {
            Mode::Train => self.mask.save(&x, |&v| v > F::zero()),
            Mode::Eval => self.mask.forget(),
        }
        let alpha = self.alpha;
        x.mapv_inplace(|v| if v > F::zero() { v } else { alpha * v });
        Ok(x)
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let mask = self.mask.get().ok_or(LayerError::NoForward("LeakyRelu"))?;
        expect_same("LeakyRelu", dout.shape(), mask.shape())?;
        let alpha = self.alpha;
        Zip::from(&mut dout).and(mask).for_each(|d, &m| {
            if !m {
                *d *= alpha
            }
        });
        Ok(dout)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;
    use crate::testutil::away_from_zero;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn gradient_check(shape in proptest::collection::vec(1usize..5, 1..5), alpha in 0.0f64..0.5, seed in any::<u64>()) {
            let x = away_from_zero(&shape, seed, 1e-3);
            let report = check_layer(&mut LeakyRelu::new(alpha), &x, Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }
    }
}
