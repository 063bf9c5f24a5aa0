//! Nesterov accelerated gradient, in the reformulation that needs only the current gradient.

use ndarray::{ArrayD, Zip};

use crate::error::{check_lr, check_range};
use crate::optimizer::{check_grad, check_kind};
use crate::{Float, Optimizer, OptimizerState, Result};

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
#[derive(Debug, Clone)]
pub struct Nesterov<F: Float> {
    lr: f64,
    momentum: f64,
    state: OptimizerState<F>,
}

impl<F: Float> Nesterov<F> {
    /// Nesterov momentum with learning rate `lr` and momentum in `[0, 1)`.
    pub fn new(lr: f64, momentum: f64) -> Result<Self> {
        check_lr("Nesterov", lr)?;
        check_range("Nesterov", "momentum", momentum, 0.0, 1.0, "in [0, 1)")?;
        Ok(Nesterov {
            lr,
            momentum,
            state: OptimizerState::new("Nesterov"),
        })
    }
}

impl<F: Float> Optimizer<F> for Nesterov<F> {
    fn kind(&self) -> &'static str {
        "Nesterov"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr("Nesterov", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.state.step += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        check_grad("Nesterov", name, value, grad)?;
        let (lr, mu) = (F::of(self.lr), F::of(self.momentum));
        let slots = self
            .state
            .slots_for("Nesterov", name, value, 1, F::zero())?;
        Zip::from(value)
            .and(grad)
            .and(&mut slots[0])
            .for_each(|p, &g, v| {
                *v = mu * *v - lr * g;
                *p += mu * mu * *v - (F::one() + mu) * lr * g;
            });
        Ok(())
    }

    fn state(&self) -> OptimizerState<F> {
        self.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind("Nesterov", &state)?;
        self.state = state;
        Ok(())
    }
}
