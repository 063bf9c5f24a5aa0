//! AdaGrad: per-element learning rates that shrink with the accumulated squared gradient.

use ndarray::ArrayD;

use crate::error::{check_eps, check_range};
use crate::rule::each1;
use crate::{Float, Result, RuleOptimizer, UpdateRule};

/// AdaGrad (classic defaults: lr 0.01, ε 1e-7 outside the square root, h₀ = 0):
/// `h += g²; p −= lr·g / (√h + ε)`.
///
/// ```
/// use nabla_optim::{AdaGrad, Optimizer};
/// use ndarray::array;
/// let mut opt = AdaGrad::new(0.1)?;
/// let mut p = array![1.0f64].into_dyn();
/// opt.update("w", &mut p, &array![2.0].into_dyn())?;
/// // h = 4; p = 1 - 0.1 * 2 / (2 + 1e-7)
/// assert!((p[0] - 0.9).abs() < 1e-7);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
pub type AdaGrad<F> = RuleOptimizer<F, AdaGradRule>;

/// [`AdaGrad`]'s hyperparameters and formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdaGradRule {
    /// ε > 0.
    pub eps: f64,
    /// Where the sum of squares starts.
    pub initial_accumulator: f64,
}

impl<F: Float> AdaGrad<F> {
    /// AdaGrad with learning rate `lr`, ε = 1e-7 and h₀ = 0.
    pub fn new(lr: f64) -> Result<Self> {
        Self::with_options(lr, 1e-7, 0.0)
    }

    /// AdaGrad with another ε (> 0) and initial accumulator value h₀ (≥ 0).
    pub fn with_options(lr: f64, eps: f64, initial_accumulator: f64) -> Result<Self> {
        check_eps("AdaGrad", eps)?;
        check_range(
            "AdaGrad",
            "initial accumulator",
            initial_accumulator,
            0.0,
            f64::INFINITY,
            "finite and >= 0",
        )?;
        RuleOptimizer::from_rule(
            lr,
            AdaGradRule {
                eps,
                initial_accumulator,
            },
        )
    }
}

impl UpdateRule for AdaGradRule {
    const KIND: &'static str = "AdaGrad";
    const SLOTS: usize = 1;

    fn slot_init(&self) -> f64 {
        self.initial_accumulator
    }

    fn apply<F: Float>(
        &self,
        lr: f64,
        _step: u64,
        p: &mut ArrayD<F>,
        g: &ArrayD<F>,
        slots: &mut [ArrayD<F>],
    ) {
        let (lr, eps) = (F::of(lr), F::of(self.eps));
        each1(p, g, &mut slots[0], |p, g, h| {
            *h += g * g;
            *p -= lr * g / (h.sqrt() + eps);
        });
    }
}
