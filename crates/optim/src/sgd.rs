//! Stochastic gradient descent: `p −= lr·g`.

use ndarray::ArrayD;

use crate::error::check_lr;
use crate::optimizer::{check_grad, check_kind};
use crate::{Float, Optimizer, OptimizerState, Result};

/// Plain SGD. Stateless, apart from the step count kept for checkpoints.
///
/// ```
/// use nabla_optim::{Optimizer, Sgd};
/// use ndarray::array;
/// let mut p = array![1.0f64].into_dyn();
/// Sgd::new(0.1)?.update("w", &mut p, &array![2.0].into_dyn())?;
/// assert_eq!(p[0], 0.8);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sgd {
    lr: f64,
    steps: u64,
}

impl Sgd {
    /// SGD with learning rate `lr` (the classic default is 0.01).
    pub fn new(lr: f64) -> Result<Self> {
        check_lr("Sgd", lr)?;
        Ok(Sgd { lr, steps: 0 })
    }
}

impl<F: Float> Optimizer<F> for Sgd {
    fn kind(&self) -> &'static str {
        "Sgd"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr("Sgd", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.steps += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        check_grad("Sgd", name, value, grad)?;
        value.scaled_add(-F::of(self.lr), grad);
        Ok(())
    }

    fn state(&self) -> OptimizerState<F> {
        OptimizerState {
            step: self.steps,
            ..OptimizerState::new("Sgd")
        }
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind("Sgd", &state)?;
        self.steps = state.step;
        Ok(())
    }
}
