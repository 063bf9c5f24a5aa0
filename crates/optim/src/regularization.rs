//! L1 and L2 weight penalties: added to the loss and to the gradient.

use ndarray::Zip;

use crate::error::check_range;
use crate::{Float, Param, Result};

/// Elastic-net weight penalty `λ₂·½·ΣW² + λ₁·Σ|W|`, with gradient `λ₂·W + λ₁·sign(W)`.
///
/// By default it applies to weights only ([`Param::is_regularized`]), never to biases or
/// BatchNorm's scale and shift; [`Regularizer::including_all`] changes that.
///
/// ```
/// use nabla_optim::Regularizer;
/// use nabla_tensor::{Param, ParamKind};
/// use ndarray::array;
/// let reg = Regularizer::new(0.0, 0.1)?; // L2 only
/// let mut w = Param::new(array![1.0f64, -2.0].into_dyn(), ParamKind::Weight);
/// let mut b = Param::new(array![5.0f64].into_dyn(), ParamKind::Bias);
/// // Penalty: 0.5 * 0.1 * (1 + 4); the bias is not counted.
/// let penalty = reg.penalty(|visit| { visit("w", &mut w); visit("b", &mut b); });
/// assert!((penalty - 0.25).abs() < 1e-12);
/// reg.add_gradient(|visit| { visit("w", &mut w); visit("b", &mut b); });
/// assert_eq!(w.grad, array![0.1, -0.2].into_dyn());
/// assert_eq!(b.grad, array![0.0].into_dyn());
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Regularizer {
    /// L1 strength λ₁ (≥ 0).
    pub l1: f64,
    /// L2 strength λ₂ (≥ 0).
    pub l2: f64,
    /// Whether biases and BatchNorm parameters are penalized too.
    pub all_params: bool,
}

impl Regularizer {
    /// A penalty with strengths `l1` and `l2` on weights.
    pub fn new(l1: f64, l2: f64) -> Result<Self> {
        check_range(
            "Regularizer",
            "l1",
            l1,
            0.0,
            f64::INFINITY,
            "finite and >= 0",
        )?;
        check_range(
            "Regularizer",
            "l2",
            l2,
            0.0,
            f64::INFINITY,
            "finite and >= 0",
        )?;
        Ok(Regularizer {
            l1,
            l2,
            all_params: false,
        })
    }

    /// No penalty.
    pub fn none() -> Self {
        Regularizer {
            l1: 0.0,
            l2: 0.0,
            all_params: false,
        }
    }

    /// The same penalty applied to every trainable parameter, not only weights.
    pub fn including_all(mut self) -> Self {
        self.all_params = true;
        self
    }

    /// Whether the penalty is zero.
    pub fn is_none(&self) -> bool {
        self.l1 == 0.0 && self.l2 == 0.0
    }

    fn applies<F: Float>(&self, p: &Param<F>) -> bool {
        p.kind != crate::ParamKind::Buffer && (self.all_params || p.is_regularized())
    }

    /// The penalty over the parameters `visit` reaches, to add to the data loss.
    pub fn penalty<F: Float>(
        &self,
        visit: impl FnOnce(&mut dyn FnMut(&str, &mut Param<F>)),
    ) -> f64 {
        if self.is_none() {
            return 0.0;
        }
        let mut total = 0.0;
        visit(&mut |_, p| {
            if self.applies(p) {
                let (sq, abs) = p.value.iter().fold((0.0, 0.0), |(s, a), &v| {
                    (s + (v * v).as_f64(), a + v.abs().as_f64())
                });
                total += 0.5 * self.l2 * sq + self.l1 * abs;
            }
        });
        total
    }

    /// Adds the penalty's gradient to the gradients of the trainable parameters `visit` reaches.
    /// `sign(0) = 0`, so an exactly zero weight stays put under L1.
    pub fn add_gradient<F: Float>(&self, visit: impl FnOnce(&mut dyn FnMut(&str, &mut Param<F>))) {
        if self.is_none() {
            return;
        }
        let (l1, l2) = (F::of(self.l1), F::of(self.l2));
        visit(&mut |_, p| {
            if self.applies(p) && p.is_trainable() {
                Zip::from(&mut p.grad).and(&p.value).for_each(|g, &w| {
                    let sign = if w > F::zero() {
                        F::one()
                    } else if w < F::zero() {
                        -F::one()
                    } else {
                        F::zero()
                    };
                    *g += l2 * w + l1 * sign;
                });
            }
        });
    }
}
