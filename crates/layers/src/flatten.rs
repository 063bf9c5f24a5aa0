//! Flatten `(N, C, H, W)` (or any rank) to `(N, C·H·W)` in C order.

use ndarray::ArrayD;

use crate::shape::{expect_same, flatten2};
use crate::{Float, Layer, LayerError, Mode, Result};

/// Flattens every dimension after the batch one.
///
/// ```
/// use nabla_layers::{Flatten, Layer, Mode};
/// use ndarray::{ArrayD, IxDyn};
/// let y = Flatten::new().forward(ArrayD::<f32>::zeros(IxDyn(&[2, 3, 4, 4])), Mode::Eval)?;
/// assert_eq!(y.shape(), &[2, 48]);
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `x: [n, ...]` → `[n, prod(...)]`; backward restores `x`'s shape.
#[derive(Debug, Default)]
pub struct Flatten {
    /// The last training input's shape (its vector kept between steps).
    x_shape: Vec<usize>,
    /// Whether `x_shape` belongs to the last forward (an inference pass keeps nothing).
    current: bool,
}

impl Flatten {
    /// A new flatten layer.
    pub fn new() -> Self {
        Flatten {
            x_shape: Vec::new(),
            current: false,
        }
    }
}

impl<F: Float> Layer<F> for Flatten {
    fn kind(&self) -> &'static str {
        "Flatten"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        if x.ndim() < 2 {
            <Self as Layer<F>>::output_shape(self, x.shape())?;
        }
        self.current = mode == Mode::Train;
        if self.current {
            self.x_shape.clear();
            self.x_shape.extend_from_slice(x.shape());
        }
        Ok(flatten2(x).into_dyn())
    }

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        if !self.current {
            return Err(LayerError::NoForward("Flatten"));
        }
        let shape = &self.x_shape;
        let flat = [shape[0], shape[1..].iter().product()];
        expect_same("Flatten", dout.shape(), &flat)?;
        let dout = flatten2(dout);
        Ok(crate::shape::reshaped(
            dout.into_shape_with_order(&shape[..]),
            "Flatten",
        ))
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        if input.is_empty() {
            return Err(LayerError::Shape {
                layer: "Flatten",
                expected: "[n, ...]".into(),
                got: vec![],
            });
        }
        Ok(vec![input[0], input[1..].iter().product()])
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
        fn gradient_check(shape in proptest::collection::vec(1usize..5, 1..5), seed in any::<u64>()) {
            let report = check_layer(&mut Flatten::new(), &random(&shape, seed), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }
    }

    #[test]
    fn keeps_the_batch_and_joins_the_rest() {
        let mut layer = Flatten::new();
        let y = layer
            .forward(random(&[2, 3, 4, 5], 1), Mode::Train)
            .unwrap();
        assert_eq!(y.shape(), &[2, 60]);
        let dx = layer.backward(ArrayD::<f64>::ones(y.raw_dim())).unwrap();
        assert_eq!(dx.shape(), &[2, 3, 4, 5]);
    }
}
