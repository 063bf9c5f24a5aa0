//! Momentum SGD: `v = μ·v − lr·g; p += v`.

use ndarray::ArrayD;

use crate::error::check_range;
use crate::rule::each1;
use crate::{Float, Result, RuleOptimizer, UpdateRule, flush_subnormal};

/// SGD with momentum (classic defaults: lr 0.01, μ 0.9), velocity starting at zero.
///
/// ```
/// use nabla_optim::{Momentum, Optimizer};
/// use ndarray::array;
/// let mut opt = Momentum::new(0.1, 0.9)?;
/// let mut p = array![0.0f64].into_dyn();
/// opt.update("w", &mut p, &array![1.0].into_dyn())?; // v = -0.1
/// opt.update("w", &mut p, &array![1.0].into_dyn())?; // v = -0.19
/// assert!((p[0] + 0.29).abs() < 1e-12);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
pub type Momentum<F> = RuleOptimizer<F, MomentumRule>;

/// [`Momentum`]'s hyperparameters and formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MomentumRule {
    /// μ in `[0, 1)`.
    pub momentum: f64,
}

impl<F: Float> Momentum<F> {
    /// Momentum SGD with learning rate `lr` and momentum `momentum` in `[0, 1)`.
    pub fn new(lr: f64, momentum: f64) -> Result<Self> {
        check_range("Momentum", "momentum", momentum, 0.0, 1.0, "in [0, 1)")?;
        RuleOptimizer::from_rule(lr, MomentumRule { momentum })
    }
}

impl UpdateRule for MomentumRule {
    const KIND: &'static str = "Momentum";
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
            *p += *v;
        });
    }
}
