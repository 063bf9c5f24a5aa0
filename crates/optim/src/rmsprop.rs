//! RMSProp: AdaGrad with a leaky average, so old gradients are forgotten.

use ndarray::ArrayD;

use crate::error::{check_eps, check_range};
use crate::rule::each1;
use crate::{Float, Result, RuleOptimizer, UpdateRule, flush_subnormal};

/// RMSProp (classic defaults: lr 0.01, ρ 0.99, ε 1e-7, h₀ = 0):
/// `h = ρ·h + (1 − ρ)·g²; p −= lr·g / (√h + ε)`.
///
/// ```
/// use nabla_optim::{Optimizer, RmsProp};
/// use ndarray::array;
/// let mut opt = RmsProp::new(0.01, 0.99)?;
/// let mut p = array![0.0f64].into_dyn();
/// opt.update("w", &mut p, &array![1.0].into_dyn())?;
/// // h = 0.01; p = -0.01 * 1 / (0.1 + 1e-7)
/// assert!((p[0] + 0.1).abs() < 1e-6);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
pub type RmsProp<F> = RuleOptimizer<F, RmsPropRule>;

/// [`RmsProp`]'s hyperparameters and formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropRule {
    /// ρ in `[0, 1)`.
    pub decay: f64,
    /// ε > 0.
    pub eps: f64,
}

impl<F: Float> RmsProp<F> {
    /// RMSProp with learning rate `lr`, decay rate ρ in `[0, 1)` and ε = 1e-7.
    pub fn new(lr: f64, decay: f64) -> Result<Self> {
        Self::with_eps(lr, decay, 1e-7)
    }

    /// RMSProp with another ε (> 0).
    pub fn with_eps(lr: f64, decay: f64, eps: f64) -> Result<Self> {
        check_range("RmsProp", "decay rate", decay, 0.0, 1.0, "in [0, 1)")?;
        check_eps("RmsProp", eps)?;
        RuleOptimizer::from_rule(lr, RmsPropRule { decay, eps })
    }
}

impl UpdateRule for RmsPropRule {
    const KIND: &'static str = "RmsProp";
    const SLOTS: usize = 1;

    fn apply<F: Float>(
        &self,
        lr: f64,
        _step: u64,
        p: &mut ArrayD<F>,
        g: &ArrayD<F>,
        slots: &mut [ArrayD<F>],
    ) {
        let (lr, rho, eps) = (F::of(lr), F::of(self.decay), F::of(self.eps));
        each1(p, g, &mut slots[0], |p, g, h| {
            *h = flush_subnormal(rho * *h + (F::one() - rho) * g * g);
            *p -= lr * g / (h.sqrt() + eps);
        });
    }
}
