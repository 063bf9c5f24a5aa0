//! Rectified linear unit: `y = max(0, x)`.

use nabla_tensor::parallel::{zip_blocks_both_mut, zip_blocks_mut};
use ndarray::{ArrayD, Zip};

use crate::buffers::Saved;
use crate::shape::expect_same;
use crate::{Float, Layer, LayerError, Mode, Result};

/// Values per parallel block: large enough to outweigh handing the block to a thread.
const BLOCK: usize = 1 << 16;

/// ReLU. Its derivative is 1 for `x > 0` and 0 elsewhere, so, unlike sigmoid's (at most
/// 0.25), it does not shrink gradients on their way back through deep stacks.
///
/// ```
/// use nabla_layers::{Layer, Mode, Relu};
/// use ndarray::array;
/// let mut relu = Relu::<f32>::new();
/// let y = relu.forward(array![[-1.0, 2.0]].into_dyn(), Mode::Train)?;
/// assert_eq!(y, array![[0.0, 2.0]].into_dyn());
/// let dx = relu.backward(array![[5.0, 5.0]].into_dyn())?;
/// assert_eq!(dx, array![[0.0, 5.0]].into_dyn());
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// Any shape; the output and the gradients have the input's shape.
#[derive(Debug, Default)]
pub struct Relu<F: Float> {
    /// Whether each input was positive.
    mask: Saved<bool>,
    _f: std::marker::PhantomData<F>,
}

impl<F: Float> Relu<F> {
    /// A new ReLU.
    pub fn new() -> Self {
        Relu {
            mask: Saved::default(),
            _f: std::marker::PhantomData,
        }
    }
}

impl<F: Float> Layer<F> for Relu<F> {
    fn kind(&self) -> &'static str {
        "Relu"
    }

    fn forward(&mut self, mut x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        if mode == Mode::Eval {
            // Inference keeps nothing for a backward pass; the mask's buffer stays for training.
            x.mapv_inplace(|v| if v > F::zero() { v } else { F::zero() });
            self.mask.forget();
            return Ok(x);
        }
        let x_standard = x.is_standard_layout();
        // One pass: record the mask while zeroing, reusing the mask's buffer across calls.
        let mask = self.mask.array_mut(x.shape(), false);
        // Selects, not branches: signs are a coin toss, and a mispredicted branch per value
        // cost more than the rest of the layer; a select also vectorizes.
        let record = |v: &mut F, m: &mut bool| {
            let keep = *v > F::zero();
            *m = keep;
            *v = if keep { *v } else { F::zero() };
        };
        match (
            x.as_slice_memory_order_mut(),
            mask.as_slice_memory_order_mut(),
        ) {
            // Both in the same standard order (the mask was made from x's shape): in parallel.
            (Some(xs), Some(ms)) if x_standard => zip_blocks_both_mut(xs, ms, BLOCK, |xs, ms| {
                xs.iter_mut().zip(ms).for_each(|(v, m)| record(v, m))
            }),
            _ => Zip::from(&mut x).and(mask).for_each(record),
        }
        Ok(x)
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let mask = self.mask.get().ok_or(LayerError::NoForward("Relu"))?;
        expect_same("Relu", dout.shape(), mask.shape())?;
        let gate = |d: &mut F, m: &bool| *d = if *m { *d } else { F::zero() };
        let standard = dout.is_standard_layout();
        match (dout.as_slice_mut(), mask.as_slice()) {
            (Some(ds), Some(ms)) if standard => zip_blocks_mut(ds, ms, BLOCK, |ds, ms| {
                ds.iter_mut().zip(ms).for_each(|(d, m)| gate(d, m))
            }),
            _ => Zip::from(&mut dout).and(mask).for_each(gate),
        }
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

    #[test]
    fn an_inference_pass_leaves_nothing_to_backpropagate() {
        let mut relu = Relu::<f32>::new();
        relu.forward(ndarray::array![1.0, -1.0].into_dyn(), Mode::Train)
            .unwrap();
        let y = relu
            .forward(ndarray::array![2.0, -2.0].into_dyn(), Mode::Eval)
            .unwrap();
        assert_eq!(y, ndarray::array![2.0, 0.0].into_dyn());
        assert!(matches!(
            relu.backward(ndarray::array![1.0, 1.0].into_dyn()),
            Err(LayerError::NoForward("Relu"))
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn gradient_check(shape in proptest::collection::vec(1usize..5, 1..5), seed in any::<u64>()) {
            let x = away_from_zero(&shape, seed, 1e-3);
            let report = check_layer(&mut Relu::new(), &x, Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }
    }
}
