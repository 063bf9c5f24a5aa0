//! Adam and AdamW: momentum plus RMSProp-style scaling, with bias correction.

use ndarray::{ArrayD, Zip};

use crate::error::{check_eps, check_lr, check_range};
use crate::optimizer::{check_grad, check_kind};
use crate::{Float, Optimizer, OptimizerState, Result};

/// Where Adam's bias correction goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdamForm {
    /// The classic code (and Kingma & Ba's "more efficient" ordering, section 2):
    /// `lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); p −= lr_t·m/(√v + ε)`. The bias correction is folded into
    /// the step size, so ε acts as `ε/√(1−β₂ᵗ)` of the textbook form: 3.16e-6 at t = 1 with
    /// ε = 1e-7, shrinking towards ε as t grows.
    Classic,
    /// The textbook form: `m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ); p −= lr·m̂/(√v̂ + ε)` (PyTorch).
    Textbook,
}

/// Adam (classic defaults: lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7, [`AdamForm::Classic`]).
///
/// `t` counts calls of [`Optimizer::begin_step`], once per step over all parameters.
///
/// ```
/// use nabla_optim::{Adam, Optimizer, step};
/// use nabla_tensor::{Param, ParamKind};
/// use ndarray::array;
/// let mut adam = Adam::new(0.001)?;
/// let mut w = Param::new(array![1.0f64].into_dyn(), ParamKind::Weight);
/// w.grad.fill(0.5);
/// step(&mut adam, |visit| visit("w", &mut w))?;
/// // The first step moves every parameter by about lr, whatever the gradient's size.
/// assert!((w.value[0] - (1.0 - 0.001)).abs() < 1e-8);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
///
/// # PyTorch's numbers
/// `torch.optim.Adam(params, lr)` is the textbook form with ε = 1e-8; [`Adam::new`] is the
/// classic code's folded form with ε = 1e-7, which differs from it mostly in the first steps.
/// To reproduce PyTorch step for step, build
/// `Adam::with_options(lr, 0.9, 0.999, 1e-8, AdamForm::Textbook)`.
#[derive(Debug, Clone)]
pub struct Adam<F: Float> {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    form: AdamForm,
    state: OptimizerState<F>,
}

impl<F: Float> Adam<F> {
    /// The classic Adam with learning rate `lr`.
    pub fn new(lr: f64) -> Result<Self> {
        Self::with_options(lr, 0.9, 0.999, 1e-7, AdamForm::Classic)
    }

    /// Adam with every hyperparameter: β₁, β₂ in `[0, 1)`, ε > 0.
    pub fn with_options(lr: f64, beta1: f64, beta2: f64, eps: f64, form: AdamForm) -> Result<Self> {
        check_lr("Adam", lr)?;
        check_range("Adam", "beta1", beta1, 0.0, 1.0, "in [0, 1)")?;
        check_range("Adam", "beta2", beta2, 0.0, 1.0, "in [0, 1)")?;
        check_eps("Adam", eps)?;
        Ok(Adam {
            lr,
            beta1,
            beta2,
            eps,
            form,
            state: OptimizerState::new("Adam"),
        })
    }

    fn step_with(
        &mut self,
        kind: &'static str,
        name: &str,
        value: &mut ArrayD<F>,
        grad: &ArrayD<F>,
    ) -> Result<()> {
        check_grad(kind, name, value, grad)?;
        // A call without begin_step counts as the first step rather than dividing by zero.
        let t = self.state.step.max(1) as f64;
        let (b1, b2) = (self.beta1, self.beta2);
        let (c1, c2) = (1.0 - b1.powf(t), 1.0 - b2.powf(t));
        let (lr, eps) = (self.lr, F::of(self.eps));
        let slots = self.state.slots_for(kind, name, value, 2, F::zero())?;
        let (m, v) = slots.split_at_mut(1);
        let (fb1, fb2) = (F::of(1.0 - b1), F::of(1.0 - b2));
        let zip = Zip::from(value).and(grad).and(&mut m[0]).and(&mut v[0]);
        match self.form {
            AdamForm::Classic => {
                let lr_t = F::of(lr * c2.sqrt() / c1);
                zip.for_each(|p, &g, m, v| {
                    *m += fb1 * (g - *m);
                    *v += fb2 * (g * g - *v);
                    *p -= lr_t * *m / (v.sqrt() + eps);
                });
            }
            AdamForm::Textbook => {
                let (lr, c1, c2) = (F::of(lr), F::of(c1), F::of(c2));
                zip.for_each(|p, &g, m, v| {
                    *m += fb1 * (g - *m);
                    *v += fb2 * (g * g - *v);
                    *p -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
                });
            }
        }
        Ok(())
    }
}

impl<F: Float> Optimizer<F> for Adam<F> {
    fn kind(&self) -> &'static str {
        "Adam"
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr("Adam", lr)?;
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.state.step += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        self.step_with("Adam", name, value, grad)
    }

    fn state(&self) -> OptimizerState<F> {
        self.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind("Adam", &state)?;
        self.state = state;
        Ok(())
    }
}

/// AdamW (Loshchilov & Hutter 2019): textbook Adam plus decoupled weight decay,
/// `p −= lr·λ·p` before the Adam step, applied to every parameter it updates (as PyTorch
/// does; freeze a parameter to exempt it). Defaults: lr 0.001, β 0.9/0.999, ε 1e-8, λ 0.01.
///
/// ```
/// use nabla_optim::{AdamW, Optimizer};
/// use ndarray::array;
/// let mut opt = AdamW::new(0.1, 0.5)?;
/// let mut p = array![1.0f64].into_dyn();
/// opt.begin_step();
/// opt.update("w", &mut p, &array![0.0].into_dyn())?;
/// // Zero gradient: only the decay acts, p = 1 - 0.1 * 0.5 * 1.
/// assert!((p[0] - 0.95).abs() < 1e-12);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
#[derive(Debug, Clone)]
pub struct AdamW<F: Float> {
    adam: Adam<F>,
    weight_decay: f64,
}

impl<F: Float> AdamW<F> {
    /// AdamW with learning rate `lr` and decay `weight_decay` (≥ 0).
    pub fn new(lr: f64, weight_decay: f64) -> Result<Self> {
        check_range(
            "AdamW",
            "weight decay",
            weight_decay,
            0.0,
            f64::INFINITY,
            "finite and >= 0",
        )?;
        let mut adam = Adam::with_options(lr, 0.9, 0.999, 1e-8, AdamForm::Textbook)?;
        adam.state.kind = "AdamW".into();
        Ok(AdamW { adam, weight_decay })
    }
}

impl<F: Float> Optimizer<F> for AdamW<F> {
    fn kind(&self) -> &'static str {
        "AdamW"
    }

    fn lr(&self) -> f64 {
        self.adam.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr("AdamW", lr)?;
        self.adam.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.adam.state.step += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        check_grad("AdamW", name, value, grad)?;
        let shrink = F::of(1.0 - self.adam.lr * self.weight_decay);
        value.mapv_inplace(|p| p * shrink);
        self.adam.step_with("AdamW", name, value, grad)
    }

    fn state(&self) -> OptimizerState<F> {
        self.adam.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind("AdamW", &state)?;
        self.adam.state = state;
        Ok(())
    }
}
