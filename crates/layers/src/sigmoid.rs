//! Logistic sigmoid: `y = 1 / (1 + e^(−x))`.

use ndarray::{ArrayD, Zip};

use crate::buffers::Saved;
use crate::shape::expect_same;
use crate::{Float, Layer, LayerError, Mode, Result};

/// Sigmoid. The backward pass uses the cached output, `dout · y · (1 − y)`; that derivative
/// is at most 0.25 (at `x = 0`), which is why deep sigmoid stacks see vanishing gradients.
///
/// ```
/// use nabla_layers::{Layer, Mode, Sigmoid};
/// use ndarray::array;
/// let mut s = Sigmoid::<f64>::new();
/// assert_eq!(s.forward(array![0.0].into_dyn(), Mode::Train)?, array![0.5].into_dyn());
/// assert_eq!(s.backward(array![1.0].into_dyn())?, array![0.25].into_dyn());
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// Any shape; the output and the gradients have the input's shape.
#[derive(Debug, Default)]
pub struct Sigmoid<F: Float> {
    /// The last training output, for the derivative.
    y: Saved<F>,
}

impl<F: Float> Sigmoid<F> {
    /// A new sigmoid.
    pub fn new() -> Self {
        Sigmoid {
            y: Saved::default(),
        }
    }
}

impl<F: Float> Layer<F> for Sigmoid<F> {
    fn kind(&self) -> &'static str {
        "Sigmoid"
    }

    fn forward(&mut self, mut x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        // For x → −∞, exp(−x) overflows to +∞ and 1/∞ = 0: no NaN.
        x.mapv_inplace(|v| F::one() / (F::one() + (-v).exp()));
        match mode {
            Mode::Train => self.y.save(&x, |&v| v),
            Mode::Eval => self.y.forget(),
        }
        Ok(x)
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let y = self.y.get().ok_or(LayerError::NoForward("Sigmoid"))?;
        expect_same("Sigmoid", dout.shape(), y.shape())?;
        Zip::from(&mut dout)
            .and(y)
            .for_each(|d, &y| *d = *d * y * (F::one() - y));
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
        fn gradient_check(shape in proptest::collection::vec(1usize..5, 1..5), scale in 0.1f64..8.0, seed in any::<u64>()) {
            let x = random(&shape, seed) * scale;
            let report = check_layer(&mut Sigmoid::new(), &x, Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }
    }

    #[test]
    fn derivative_is_at_most_a_quarter() {
        let mut s = Sigmoid::<f64>::new();
        let x = ArrayD::from_shape_fn(vec![201], |i| i[0] as f64 * 0.1 - 10.0);
        s.forward(x, Mode::Train).unwrap();
        let d = s.backward(ArrayD::ones(vec![201])).unwrap();
        assert!(d.iter().all(|&v| v <= 0.25));
        assert_eq!(d[100], 0.25);
    }

    #[test]
    fn huge_inputs_stay_finite() {
        let y = Sigmoid::<f32>::new()
            .forward(ndarray::array![-1e4f32, 1e4].into_dyn(), Mode::Eval)
            .unwrap();
        assert_eq!(y, ndarray::array![0.0f32, 1.0].into_dyn());
    }
}
