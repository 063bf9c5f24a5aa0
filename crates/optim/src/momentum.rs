//! Momentum SGD: `v = μ·v − lr·g; p += v`.

use ndarray::{ArrayD, Zip};

use crate::error::{check_lr, check_range};
use crate::optimizer::{check_grad, check_kind};
use crate::{Float, Optimizer, OptimizerState, Result};

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
#[derive(Debug, Clone)]
pub struct Momentum<F: Float> {
    lr: f64,
    momentum: f64,
    state: OptimizerState<F>,
}

impl<F: Float> Momentum<F> {
    /// Momentum SGD with learning rate `lr` and momentum `momentum` in `[0, 1)`.
    pub fn new(lr: f64, momentum: f64) -> Result<Self> {
        check_lr("Momentum", lr)?;
        check_range("Momentum", "momentum", momentum, 0.0, 1.0, "in [0, 1)")?;
        Ok(Momentum {
            lr,
            momentum,
            state: OptimizerState::new("Momentum"),
        })
    }
}

impl<F: Float> Optimizer<F> for Momentum<F> {
    fn kind(&self) -> &'static str {
        "Momentum"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr("Momentum", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.state.step += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        check_grad("Momentum", name, value, grad)?;
        let (lr, mu) = (F::of(self.lr), F::of(self.momentum));
        let slots = self
            .state
            .slots_for("Momentum", name, value, 1, F::zero())?;
        Zip::from(value)
            .and(grad)
            .and(&mut slots[0])
            .for_each(|p, &g, v| {
                *v = mu * *v - lr * g;
                *p += *v;
            });
        Ok(())
    }

    fn state(&self) -> OptimizerState<F> {
        self.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind("Momentum", &state)?;
        self.state = state;
        Ok(())
    }
}
