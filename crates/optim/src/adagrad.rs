//! AdaGrad: per-element learning rates that shrink with the accumulated squared gradient.

use ndarray::{ArrayD, Zip};

use crate::error::{check_eps, check_lr, check_range};
use crate::optimizer::{check_grad, check_kind};
use crate::{Float, Optimizer, OptimizerState, Result};

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
#[derive(Debug, Clone)]
pub struct AdaGrad<F: Float> {
    lr: f64,
    eps: f64,
    initial_accumulator: f64,
    state: OptimizerState<F>,
}

impl<F: Float> AdaGrad<F> {
    /// AdaGrad with learning rate `lr`, ε = 1e-7 and h₀ = 0.
    pub fn new(lr: f64) -> Result<Self> {
        Self::with_options(lr, 1e-7, 0.0)
    }

    /// AdaGrad with another ε (> 0) and initial accumulator value h₀ (≥ 0).
    pub fn with_options(lr: f64, eps: f64, initial_accumulator: f64) -> Result<Self> {
        check_lr("AdaGrad", lr)?;
        check_eps("AdaGrad", eps)?;
        check_range(
            "AdaGrad",
            "initial accumulator",
            initial_accumulator,
            0.0,
            f64::INFINITY,
            "finite and >= 0",
        )?;
        Ok(AdaGrad {
            lr,
            eps,
            initial_accumulator,
            state: OptimizerState::new("AdaGrad"),
        })
    }
}

impl<F: Float> Optimizer<F> for AdaGrad<F> {
    fn kind(&self) -> &'static str {
        "AdaGrad"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr("AdaGrad", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.state.step += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        check_grad("AdaGrad", name, value, grad)?;
        let (lr, eps) = (F::of(self.lr), F::of(self.eps));
        let slots =
            self.state
                .slots_for("AdaGrad", name, value, 1, F::of(self.initial_accumulator))?;
        Zip::from(value)
            .and(grad)
            .and(&mut slots[0])
            .for_each(|p, &g, h| {
                *h += g * g;
                *p -= lr * g / (h.sqrt() + eps);
            });
        Ok(())
    }

    fn state(&self) -> OptimizerState<F> {
        self.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind("AdaGrad", &state)?;
        self.state = state;
        Ok(())
    }
}
