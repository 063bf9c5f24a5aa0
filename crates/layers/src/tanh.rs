//! Hyperbolic tangent: `y = tanh(x)`.

use ndarray::{ArrayD, Zip};

use crate::buffers::Saved;
use crate::shape::expect_same;
use crate::{Float, Layer, LayerError, Mode, Result};

/// Tanh; backward uses the cached output, `dout · (1 − y²)` (at most 1, at `x = 0`).
///
/// ```
/// use nabla_layers::{Layer, Mode, Tanh};
/// use ndarray::array;
/// let mut t = Tanh::<f64>::new();
/// t.forward(array![0.0].into_dyn(), Mode::Train)?;
/// assert_eq!(t.backward(array![2.0].into_dyn())?, array![2.0].into_dyn());
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// Any shape; the output and the gradients have the input's shape.
#[derive(Debug, Default)]
pub struct Tanh<F: Float> {
    /// The last training output, for the derivative.
    y: Saved<F>,
}

impl<F: Float> Tanh<F> {
    /// A new tanh.
    pub fn new() -> Self {
        Tanh {
            y: Saved::default(),
        }
    }
}

impl<F: Float> Layer<F> for Tanh<F> {
    fn kind(&self) -> &'static str {
        "Tanh"
    }

    fn forward(&mut self, mut x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        x.mapv_inplace(|v| v.tanh());
        match mode {
            Mode::Train => self.y.save(&x, |&v| v),
            Mode::Eval => self.y.forget(),
        }
        Ok(x)
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let y = self.y.get().ok_or(LayerError::NoForward("Tanh"))?;
        expect_same("Tanh", dout.shape(), y.shape())?;
        Zip::from(&mut dout)
            .and(y)
            .for_each(|d, &y| *d *= F::one() - y * y);
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
    use crate::testutil::random;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn gradient_check(shape in proptest::collection::vec(1usize..5, 1..5), scale in 0.1f64..4.0, seed in any::<u64>()) {
            let report = check_layer(&mut Tanh::new(), &(random(&shape, seed) * scale), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }
    }
}
