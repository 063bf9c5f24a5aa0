//! A serializable description of an optimizer, to build it by name or save it in a checkpoint.

use crate::{
    AdaGrad, Adam, AdamForm, AdamW, Float, Momentum, Nesterov, Optimizer, Result, RmsProp, Sgd,
};

/// Which optimizer, with its hyperparameters.
///
/// ```
/// use nabla_optim::OptimizerConfig;
/// let adam = OptimizerConfig::Adam { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7, textbook: false };
/// assert_eq!(OptimizerConfig::default_for("adam", 0.001), Some(adam.clone()));
/// let optimizer = adam.build::<f32>()?;
/// assert_eq!(optimizer.kind(), "Adam");
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[allow(missing_docs)]
pub enum OptimizerConfig {
    Sgd {
        lr: f64,
    },
    Momentum {
        lr: f64,
        momentum: f64,
    },
    Nesterov {
        lr: f64,
        momentum: f64,
    },
    AdaGrad {
        lr: f64,
        eps: f64,
        initial_accumulator: f64,
    },
    RmsProp {
        lr: f64,
        decay: f64,
        eps: f64,
    },
    Adam {
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
        textbook: bool,
    },
    AdamW {
        lr: f64,
        weight_decay: f64,
    },
}

/// The optimizer in words, as a learner reads it: `Adam (lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7)`.
///
/// ```
/// use nabla_optim::OptimizerConfig;
/// assert_eq!(OptimizerConfig::momentum(0.01).to_string(), "Momentum (lr 0.01, momentum 0.9)");
/// ```
impl std::fmt::Display for OptimizerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            OptimizerConfig::Sgd { lr } => write!(f, "SGD (lr {lr})"),
            OptimizerConfig::Momentum { lr, momentum } => {
                write!(f, "Momentum (lr {lr}, momentum {momentum})")
            }
            OptimizerConfig::Nesterov { lr, momentum } => {
                write!(f, "Nesterov (lr {lr}, momentum {momentum})")
            }
            OptimizerConfig::AdaGrad {
                lr,
                eps,
                initial_accumulator,
            } => {
                write!(f, "AdaGrad (lr {lr}, ε {eps:e}")?;
                if initial_accumulator != 0.0 {
                    write!(f, ", h₀ {initial_accumulator:e}")?;
                }
                f.write_str(")")
            }
            OptimizerConfig::RmsProp { lr, decay, eps } => {
                write!(f, "RMSProp (lr {lr}, decay {decay}, ε {eps:e})")
            }
            OptimizerConfig::Adam {
                lr,
                beta1,
                beta2,
                eps,
                textbook,
            } => {
                write!(f, "Adam (lr {lr}, β₁ {beta1}, β₂ {beta2}, ε {eps:e}")?;
                f.write_str(if textbook { ", PyTorch's form)" } else { ")" })
            }
            OptimizerConfig::AdamW { lr, weight_decay } => {
                write!(f, "AdamW (lr {lr}, weight decay {weight_decay})")
            }
        }
    }
}

impl OptimizerConfig {
    /// The names [`OptimizerConfig::default_for`] accepts.
    pub const NAMES: [&'static str; 7] = [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
    ];

    /// The optimizer called `name` (see [`OptimizerConfig::NAMES`]) with learning rate `lr` and
    /// the classic defaults for everything else; `None` for an unknown name.
    pub fn default_for(name: &str, lr: f64) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "sgd" => Self::sgd(lr),
            "momentum" => Self::momentum(lr),
            "nesterov" => Self::nesterov(lr),
            "adagrad" => Self::adagrad(lr),
            "rmsprop" => Self::rmsprop(lr),
            "adam" => Self::adam(lr),
            "adamw" => Self::adamw(lr),
            _ => return None,
        })
    }

    /// Plain SGD.
    pub fn sgd(lr: f64) -> Self {
        OptimizerConfig::Sgd { lr }
    }

    /// Momentum 0.9.
    pub fn momentum(lr: f64) -> Self {
        OptimizerConfig::Momentum { lr, momentum: 0.9 }
    }

    /// Nesterov momentum 0.9.
    pub fn nesterov(lr: f64) -> Self {
        OptimizerConfig::Nesterov { lr, momentum: 0.9 }
    }

    /// AdaGrad with ε = 1e-7 outside the root and an empty accumulator.
    pub fn adagrad(lr: f64) -> Self {
        OptimizerConfig::AdaGrad {
            lr,
            eps: 1e-7,
            initial_accumulator: 0.0,
        }
    }

    /// RMSProp with decay 0.99 and ε = 1e-7.
    pub fn rmsprop(lr: f64) -> Self {
        OptimizerConfig::RmsProp {
            lr,
            decay: 0.99,
            eps: 1e-7,
        }
    }

    /// Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-7, in the classic code's form.
    pub fn adam(lr: f64) -> Self {
        OptimizerConfig::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-7,
            textbook: false,
        }
    }

    /// AdamW with weight decay 0.01.
    pub fn adamw(lr: f64) -> Self {
        OptimizerConfig::AdamW {
            lr,
            weight_decay: 0.01,
        }
    }

    /// The optimizer's name, as [`OptimizerConfig::default_for`] takes it.
    ///
    /// ```
    /// use nabla_optim::OptimizerConfig;
    /// let adam = OptimizerConfig::default_for("adam", 0.001);
    /// assert_eq!(adam.map(|c| c.name()), Some("adam"));
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { .. } => "sgd",
            OptimizerConfig::Momentum { .. } => "momentum",
            OptimizerConfig::Nesterov { .. } => "nesterov",
            OptimizerConfig::AdaGrad { .. } => "adagrad",
            OptimizerConfig::RmsProp { .. } => "rmsprop",
            OptimizerConfig::Adam { .. } => "adam",
            OptimizerConfig::AdamW { .. } => "adamw",
        }
    }

    /// The base learning rate.
    pub fn lr(&self) -> f64 {
        match *self {
            OptimizerConfig::Sgd { lr }
            | OptimizerConfig::Momentum { lr, .. }
            | OptimizerConfig::Nesterov { lr, .. }
            | OptimizerConfig::AdaGrad { lr, .. }
            | OptimizerConfig::RmsProp { lr, .. }
            | OptimizerConfig::Adam { lr, .. }
            | OptimizerConfig::AdamW { lr, .. } => lr,
        }
    }

    /// The same optimizer with base learning rate `lr`; the hyperparameters are checked
    /// when it is built.
    ///
    /// ```
    /// use nabla_optim::OptimizerConfig;
    /// let adam = OptimizerConfig::adam(0.001).with_lr(0.01)?;
    /// assert_eq!(adam, OptimizerConfig::adam(0.01));
    /// # Ok::<(), nabla_optim::OptimError>(())
    /// ```
    pub fn with_lr(&self, lr: f64) -> Result<Self> {
        let mut c = self.clone();
        match &mut c {
            OptimizerConfig::Sgd { lr: l }
            | OptimizerConfig::Momentum { lr: l, .. }
            | OptimizerConfig::Nesterov { lr: l, .. }
            | OptimizerConfig::AdaGrad { lr: l, .. }
            | OptimizerConfig::RmsProp { lr: l, .. }
            | OptimizerConfig::Adam { lr: l, .. }
            | OptimizerConfig::AdamW { lr: l, .. } => *l = lr,
        }
        c.build::<f64>()?;
        Ok(c)
    }

    /// Builds the optimizer, validating every hyperparameter.
    pub fn build<F: Float>(&self) -> Result<Box<dyn Optimizer<F>>> {
        Ok(match *self {
            OptimizerConfig::Sgd { lr } => Box::new(Sgd::new(lr)?),
            OptimizerConfig::Momentum { lr, momentum } => Box::new(Momentum::new(lr, momentum)?),
            OptimizerConfig::Nesterov { lr, momentum } => Box::new(Nesterov::new(lr, momentum)?),
            OptimizerConfig::AdaGrad {
                lr,
                eps,
                initial_accumulator,
            } => Box::new(AdaGrad::with_options(lr, eps, initial_accumulator)?),
            OptimizerConfig::RmsProp { lr, decay, eps } => {
                Box::new(RmsProp::with_eps(lr, decay, eps)?)
            }
            OptimizerConfig::Adam {
                lr,
                beta1,
                beta2,
                eps,
                textbook,
            } => {
                let form = if textbook {
                    AdamForm::Textbook
                } else {
                    AdamForm::Classic
                };
                Box::new(Adam::with_options(lr, beta1, beta2, eps, form)?)
            }
            OptimizerConfig::AdamW { lr, weight_decay } => Box::new(AdamW::new(lr, weight_decay)?),
        })
    }
}

impl<F: Float, O: Optimizer<F> + ?Sized> Optimizer<F> for Box<O> {
    fn kind(&self) -> &'static str {
        (**self).kind()
    }
    fn lr(&self) -> f64 {
        (**self).lr()
    }
    fn set_lr(&mut self, lr: f64) -> Result<()> {
        (**self).set_lr(lr)
    }
    fn begin_step(&mut self) {
        (**self).begin_step()
    }
    fn update(
        &mut self,
        name: &str,
        value: &mut ndarray::ArrayD<F>,
        grad: &ndarray::ArrayD<F>,
    ) -> Result<()> {
        (**self).update(name, value, grad)
    }
    fn state(&self) -> crate::OptimizerState<F> {
        (**self).state()
    }
    fn load_state(&mut self, state: crate::OptimizerState<F>) -> Result<()> {
        (**self).load_state(state)
    }
}
