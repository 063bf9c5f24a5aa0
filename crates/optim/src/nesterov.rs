//! Nesterov accelerated gradient, in the reformulation that needs only the current gradient.

use ndarray::ArrayD;

use crate::error::check_range;
use crate::rule::each1;
use crate::{Float, Result, RuleOptimizer, UpdateRule, flush_subnormal};

/// Nesterov momentum (classic defaults: lr 0.01, μ 0.9):
/// `v = μ·v − lr·g; p += μ·μ·v − (1 + μ)·lr·g` (Sutskever et al. 2013, as in the classic code).
///
/// ```
/// use nabla_optim::{Nesterov, Optimizer};
/// use ndarray::array;
/// let mut opt = Nesterov::new(0.1, 0.9)?;
/// let mut p = array![0.0f64].into_dyn();
/// opt.update("w", &mut p, &array![1.0].into_dyn())?;
/// // v = -0.1; p = 0.81 * -0.1 - 1.9 * 0.1 = -0.271
/// assert!((p[0] + 0.271).abs() < 1e-12);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
pub type Nesterov<F> = RuleOptimizer<F, NesterovRule>;

/// [`Nesterov`]'s hyperparameters and formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NesterovRule {
    /// μ in `[0, 1)`.
    pub momentum: f64,
}

impl<F: Float> Nesterov<F> {
    /// Nesterov momentum with learning rate `lr` and momentum in `[0, 1)`.
    pub fn new(lr: f64, momentum: f64) -> Result<Self> {
        check_range("Nesterov", "momentum", momentum, 0.0, 1.0, "in [0, 1)")?;
        RuleOptimizer::from_rule(lr, NesterovRule { momentum })
    }
}

impl UpdateRule for NesterovRule {
    const KIND: &'static str = "Nesterov";
    const SLOTS: usize = 1;

    fn apply<F: Float>(
        &self,
        lr: f64,
        _step: u64,
        p: &mut ArrayD<F>,
        g: &ArrayD<F>,
        slots: &mut [ArrayD<F>],
    ) {
        let (lr, mu) = (F::of(lr), F::of(self.momentum));
        each1(p, g, &mut slots[0], |p, g, v| {
            *v = flush_subnormal(mu * *v - lr * g);
            *p += mu * mu * *v - (F::one() + mu) * lr * g;
        });
    }
}
