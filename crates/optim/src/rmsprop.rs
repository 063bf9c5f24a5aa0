//! RMSProp: AdaGrad with a leaky average, so old gradients are forgotten.

use ndarray::{ArrayD, Zip};

use crate::error::{check_eps, check_lr, check_range};
use crate::optimizer::{check_grad, check_kind};
use crate::{Float, Optimizer, OptimizerState, Result};

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
#[derive(Debug, Clone)]
pub struct RmsProp<F: Float> {
    lr: f64,
    decay: f64,
    eps: f64,
    state: OptimizerState<F>,
}

impl<F: Float> RmsProp<F> {
    /// RMSProp with learning rate `lr`, decay rate ρ in `[0, 1)` and ε = 1e-7.
    pub fn new(lr: f64, decay: f64) -> Result<Self> {
        Self::with_eps(lr, decay, 1e-7)
    }

    /// RMSProp with another ε (> 0).
    pub fn with_eps(lr: f64, decay: f64, eps: f64) -> Result<Self> {
        check_lr("RmsProp", lr)?;
        check_range("RmsProp", "decay rate", decay, 0.0, 1.0, "in [0, 1)")?;
        check_eps("RmsProp", eps)?;
        Ok(RmsProp {
            lr,
            decay,
            eps,
            state: OptimizerState::new("RmsProp"),
        })
    }
}

impl<F: Float> Optimizer<F> for RmsProp<F> {
    fn kind(&self) -> &'static str {
        "RmsProp"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr("RmsProp", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.state.step += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        check_grad("RmsProp", name, value, grad)?;
        let (lr, rho, eps) = (F::of(self.lr), F::of(self.decay), F::of(self.eps));
        let slots = self.state.slots_for("RmsProp", name, value, 1, F::zero())?;
        Zip::from(value)
            .and(grad)
            .and(&mut slots[0])
            .for_each(|p, &g, h| {
                *h = rho * *h + (F::one() - rho) * g * g;
                *p -= lr * g / (h.sqrt() + eps);
            });
        Ok(())
    }

    fn state(&self) -> OptimizerState<F> {
        self.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind("RmsProp", &state)?;
        self.state = state;
        Ok(())
    }
}
