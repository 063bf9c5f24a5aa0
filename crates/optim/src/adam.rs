//! Adam and AdamW: momentum plus RMSProp-style scaling, with bias correction.

use ndarray::ArrayD;

use crate::error::{check_eps, check_range};
use crate::rule::each2;
use crate::{Float, Result, RuleOptimizer, UpdateRule, flush_subnormal};

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
/// `t` counts calls of [`Optimizer::begin_step`](crate::Optimizer::begin_step), once per step
/// over all parameters.
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
pub type Adam<F> = RuleOptimizer<F, AdamRule>;

/// [`Adam`]'s hyperparameters and formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamRule {
    /// β₁ in `[0, 1)`.
    pub beta1: f64,
    /// β₂ in `[0, 1)`.
    pub beta2: f64,
    /// ε > 0.
    pub eps: f64,
    /// Where the bias correction goes.
    pub form: AdamForm,
}

impl<F: Float> Adam<F> {
    /// The classic Adam with learning rate `lr`.
    pub fn new(lr: f64) -> Result<Self> {
        Self::with_options(lr, 0.9, 0.999, 1e-7, AdamForm::Classic)
    }

    /// Adam with every hyperparameter: β₁, β₂ in `[0, 1)`, ε > 0.
    pub fn with_options(lr: f64, beta1: f64, beta2: f64, eps: f64, form: AdamForm) -> Result<Self> {
        RuleOptimizer::from_rule(lr, AdamRule::new("Adam", beta1, beta2, eps, form)?)
    }
}

impl AdamRule {
    fn new(kind: &'static str, beta1: f64, beta2: f64, eps: f64, form: AdamForm) -> Result<Self> {
        check_range(kind, "beta1", beta1, 0.0, 1.0, "in [0, 1)")?;
        check_range(kind, "beta2", beta2, 0.0, 1.0, "in [0, 1)")?;
        check_eps(kind, eps)?;
        Ok(AdamRule {
            beta1,
            beta2,
            eps,
            form,
        })
    }
}

impl UpdateRule for AdamRule {
    const KIND: &'static str = "Adam";
    const SLOTS: usize = 2;

    fn apply<F: Float>(
        &self,
        lr: f64,
        step: u64,
        p: &mut ArrayD<F>,
        g: &ArrayD<F>,
        slots: &mut [ArrayD<F>],
    ) {
        let t = step as f64;
        let (b1, b2) = (self.beta1, self.beta2);
        let (c1, c2) = (1.0 - b1.powf(t), 1.0 - b2.powf(t));
        let eps = F::of(self.eps);
        let (m, v) = slots.split_at_mut(1);
        let (fb1, fb2) = (F::of(1.0 - b1), F::of(1.0 - b2));
        let moments = (&mut m[0], &mut v[0]);
        match self.form {
            AdamForm::Classic => {
                let lr_t = F::of(lr * c2.sqrt() / c1);
                each2(p, g, moments, |p, g, m, v| {
                    *m = flush_subnormal(*m + fb1 * (g - *m));
                    *v = flush_subnormal(*v + fb2 * (g * g - *v));
                    *p -= lr_t * *m / (v.sqrt() + eps);
                });
            }
            AdamForm::Textbook => {
                let (lr, c1, c2) = (F::of(lr), F::of(c1), F::of(c2));
                each2(p, g, moments, |p, g, m, v| {
                    *m = flush_subnormal(*m + fb1 * (g - *m));
                    *v = flush_subnormal(*v + fb2 * (g * g - *v));
                    *p -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
                });
            }
        }
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
pub type AdamW<F> = RuleOptimizer<F, AdamWRule>;

/// [`AdamW`]'s hyperparameters and formula: Adam's, after the decoupled decay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWRule {
    /// The Adam step (textbook form, ε 1e-8).
    pub adam: AdamRule,
    /// λ ≥ 0: each step multiplies the weights by `1 − lr·λ` first.
    pub weight_decay: f64,
}

impl<F: Float> AdamW<F> {
    /// AdamW with learning rate `lr` and decoupled weight decay `weight_decay` (≥ 0).
    pub fn new(lr: f64, weight_decay: f64) -> Result<Self> {
        check_range(
            "AdamW",
            "weight decay",
            weight_decay,
            0.0,
            f64::INFINITY,
            "finite and >= 0",
        )?;
        let adam = AdamRule::new("AdamW", 0.9, 0.999, 1e-8, AdamForm::Textbook)?;
        RuleOptimizer::from_rule(lr, AdamWRule { adam, weight_decay })
    }
}

impl UpdateRule for AdamWRule {
    const KIND: &'static str = "AdamW";
    const SLOTS: usize = 2;

    fn apply<F: Float>(
        &self,
        lr: f64,
        step: u64,
        p: &mut ArrayD<F>,
        g: &ArrayD<F>,
        slots: &mut [ArrayD<F>],
    ) {
        let shrink = F::of(1.0 - lr * self.weight_decay);
        p.mapv_inplace(|v| v * shrink);
        self.adam.apply(lr, step, p, g, slots);
    }
}
