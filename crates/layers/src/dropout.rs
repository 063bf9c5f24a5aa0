//! Dropout: zero a random fraction of activations during training.
//!
//! With a mask `m` of independent draws, `m = 1` with probability `1 − p`, else 0:
//! inverted (PyTorch's): train `y = x ⊙ m / (1 − p)`, inference `y = x`;
//! classic (the notes' code): train `y = x ⊙ m`, inference `y = x · (1 − p)`.
//! Backward multiplies by the same factor: `dx = dout ⊙ m / (1 − p)` (inverted) or `dout ⊙ m`.

use chacha20::ChaCha12Rng;
use ndarray::{ArrayD, Zip};
use rand::{RngExt, SeedableRng};

use crate::buffers::Saved;
use crate::shape::expect_same;
use crate::{Float, Layer, LayerError, Mode, RandomStream, Result};

/// Which convention decides where the `1 − p` scaling happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropoutKind {
    /// Scale kept activations by `1 / (1 − p)` in training; identity at inference (PyTorch).
    Inverted,
    /// The classic code: mask without scaling in training; multiply by `1 − p` at inference.
    Classic,
}

/// Dropout with drop probability `p` and its own seeded RNG, so masks are reproducible.
///
/// ```
/// use nabla_layers::{Dropout, DropoutKind, Layer, Mode};
/// use ndarray::{ArrayD, IxDyn};
/// let mut drop = Dropout::<f32>::new(0.5, DropoutKind::Inverted, 7)?;
/// let y = drop.forward(ArrayD::ones(IxDyn(&[1000])), Mode::Train)?;
/// // Kept values are scaled to 2, dropped ones are 0; about half each.
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
/// assert!((y.sum() / 1000.0 - 1.0).abs() < 0.1);
/// assert_eq!(drop.forward(ArrayD::ones(IxDyn(&[3])), Mode::Eval)?, ArrayD::ones(IxDyn(&[3])));
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// Any shape; the output and the gradients have the input's shape.
#[derive(Debug)]
pub struct Dropout<F: Float> {
    p: f64,
    kind: DropoutKind,
    /// rand's `StdRng` is this generator from the same seed (the same stream); named here
    /// so that its position can be saved in a checkpoint and set on resume.
    rng: ChaCha12Rng,
    /// The seed `rng` started from, saved with its position in checkpoints.
    seed: u64,
    /// The factor each input was multiplied by in the last forward.
    scale: Saved<F>,
    reuse_mask: bool,
}

impl<F: Float> Dropout<F> {
    /// Dropout with probability `p` in `[0, 1)` and masks drawn from `seed`.
    pub fn new(p: f64, kind: DropoutKind, seed: u64) -> Result<Self> {
        if !(0.0..1.0).contains(&p) {
            return Err(LayerError::Config {
                layer: "Dropout",
                reason: format!("probability {p} is outside [0, 1)"),
            });
        }
        Ok(Dropout {
            p,
            kind,
            rng: ChaCha12Rng::seed_from_u64(seed),
            seed,
            scale: Saved::default(),
            reuse_mask: false,
        })
    }

    /// With `true`, training forwards reuse the last mask instead of drawing a new one
    /// (for gradient checks, which need a deterministic function).
    pub fn set_reuse_mask(&mut self, reuse: bool) {
        self.reuse_mask = reuse;
    }

    /// The drop probability.
    pub fn p(&self) -> f64 {
        self.p
    }
}

impl<F: Float> Layer<F> for Dropout<F> {
    fn kind(&self) -> &'static str {
        "Dropout"
    }

    fn forward(&mut self, mut x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        let keep = 1.0 - self.p;
        if mode == Mode::Eval {
            // Deterministic at inference: nothing is drawn or kept for a backward pass.
            if self.kind == DropoutKind::Classic {
                let keep = F::of(keep);
                x.mapv_inplace(|v| v * keep);
            }
            self.scale.forget();
            return Ok(x);
        }
        let scale = match (mode, self.kind) {
            (Mode::Train, kind) => {
                let on = F::of(if kind == DropoutKind::Inverted {
                    1.0 / keep
                } else {
                    1.0
                });
                let p = self.p;
                let rng = &mut self.rng;
                let mut draw = || {
                    if rng.random::<f64>() >= p {
                        on
                    } else {
                        F::zero()
                    }
                };
                match (self.reuse_mask, self.scale.take()) {
                    (true, Some(scale)) if scale.shape() == x.shape() => scale,
                    // Redrawn into the last mask's buffer, in the same (logical) order.
                    (_, Some(mut scale))
                        if scale.shape() == x.shape()
                            && scale.is_standard_layout()
                            && x.is_standard_layout() =>
                    {
                        scale.iter_mut().for_each(|s| *s = draw());
                        scale
                    }
                    _ => x.mapv(|_| draw()),
                }
            }
            (Mode::Eval, _) => unreachable!("handled above"),
        };
        x *= &scale;
        self.scale.put(scale);
        Ok(x)
    }

    fn random_streams(&self, f: &mut dyn FnMut(&str, RandomStream)) {
        f(
            "mask",
            RandomStream {
                seed: self.seed,
                position: self.rng.get_word_pos(),
            },
        );
    }

    fn set_random_stream(&mut self, name: &str, stream: RandomStream) -> bool {
        if name != "mask" {
            return false;
        }
        self.seed = stream.seed;
        self.rng = ChaCha12Rng::seed_from_u64(stream.seed);
        self.rng.set_word_pos(stream.position);
        true
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let scale = self.scale.get().ok_or(LayerError::NoForward("Dropout"))?;
        expect_same("Dropout", dout.shape(), scale.shape())?;
        Zip::from(&mut dout).and(scale).for_each(|d, &s| *d *= s);
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
        fn gradient_check_with_fixed_mask(shape in proptest::collection::vec(1usize..5, 1..4), p in 0.0f64..0.9, classic in any::<bool>(), seed in any::<u64>()) {
            let kind = if classic { DropoutKind::Classic } else { DropoutKind::Inverted };
            let mut drop = Dropout::<f64>::new(p, kind, seed).unwrap();
            drop.set_reuse_mask(true);
            let report = check_layer(&mut drop, &random(&shape, seed), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }
    }

    #[test]
    fn classic_form_scales_at_inference() {
        let mut drop = Dropout::<f64>::new(0.25, DropoutKind::Classic, 1).unwrap();
        let y = drop.forward(ArrayD::ones(vec![4000]), Mode::Train).unwrap();
        assert!(y.iter().all(|&v| v == 0.0 || v == 1.0));
        assert!((y.mean().unwrap() - 0.75).abs() < 0.03);
        let y = drop.forward(ArrayD::ones(vec![2]), Mode::Eval).unwrap();
        assert_eq!(y, ArrayD::from_elem(vec![2], 0.75));
    }

    #[test]
    fn the_stream_is_rands_std_rng_and_can_be_put_back() {
        use rand::rngs::StdRng;
        // The masks a run drew before Dropout named its generator are the ones it draws now.
        let (mut ours, mut std) = (ChaCha12Rng::seed_from_u64(9), StdRng::seed_from_u64(9));
        for _ in 0..100 {
            assert_eq!(
                ours.random::<f64>().to_bits(),
                std.random::<f64>().to_bits()
            );
        }
        // A layer put where another stood draws the masks that one draws next.
        let x = || ArrayD::<f32>::ones(ndarray::IxDyn(&[64]));
        let mut a = Dropout::<f32>::new(0.5, DropoutKind::Inverted, 3).unwrap();
        a.forward(x(), Mode::Train).unwrap();
        let mut saved = None;
        a.random_streams(&mut |name, stream| saved = Some((name.to_string(), stream)));
        let (name, stream) = saved.unwrap();
        let mut b = Dropout::<f32>::new(0.5, DropoutKind::Inverted, 1234).unwrap();
        assert!(b.set_random_stream(&name, stream));
        assert!(!b.set_random_stream("weight", stream));
        assert_eq!(
            a.forward(x(), Mode::Train).unwrap(),
            b.forward(x(), Mode::Train).unwrap()
        );
    }

    #[test]
    fn same_seed_same_masks() {
        let mask = |seed| {
            Dropout::<f32>::new(0.5, DropoutKind::Inverted, seed)
                .unwrap()
                .forward(ArrayD::ones(vec![64]), Mode::Train)
                .unwrap()
        };
        assert_eq!(mask(3), mask(3));
        assert_ne!(mask(3), mask(4));
    }

    #[test]
    fn probability_is_validated() {
        assert!(Dropout::<f32>::new(1.0, DropoutKind::Inverted, 0).is_err());
        assert!(Dropout::<f32>::new(-0.1, DropoutKind::Inverted, 0).is_err());
    }
}
