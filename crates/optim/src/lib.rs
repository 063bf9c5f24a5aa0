//! Optimizers, learning-rate schedules and weight penalties for parameters known only by name.
//!
//! Nothing here knows about layers: an optimizer sees a name, a value and a gradient
//! ([`Param`]), and keeps its per-parameter state (velocities, moment estimates) under that
//! name, created lazily on first sight. Any model that can visit its parameters can be trained.
//!
//! | optimizer | update (classic defaults) |
//! |---|---|
//! | [`Sgd`] | `p −= lr·g` |
//! | [`Momentum`] | `v = μ·v − lr·g; p += v` |
//! | [`Nesterov`] | `v = μ·v − lr·g; p += μ²·v − (1+μ)·lr·g` |
//! | [`AdaGrad`] | `h += g²; p −= lr·g / (√h + ε)` |
//! | [`RmsProp`] | `h = ρ·h + (1−ρ)·g²; p −= lr·g / (√h + ε)` |
//! | [`Adam`] | `lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m += (1−β₁)(g−m); v += (1−β₂)(g²−v); p −= lr_t·m/(√v+ε)` |
//! | [`AdamW`] | Adam (textbook form) plus decoupled weight decay `p −= lr·λ·p` |
//!
//! ```
//! use nabla_optim::{Optimizer, Sgd, step};
//! use nabla_tensor::{Param, ParamKind};
//! use ndarray::{ArrayD, IxDyn};
//!
//! let mut w = Param::new(ArrayD::from_elem(IxDyn(&[2]), 1.0f64), ParamKind::Weight);
//! w.grad.fill(0.5);
//! let mut sgd = Sgd::new(0.1)?;
//! step(&mut sgd, |visit| visit("fc.weight", &mut w))?;
//! assert_eq!(w.value[0], 0.95);
//! # Ok::<(), nabla_optim::OptimError>(())
//! ```
#![forbid(unsafe_code)]

/// The `ndarray` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_optim::ndarray::…`).
pub use ndarray;

mod adagrad;
mod adam;
mod config;
mod error;
mod momentum;
mod nesterov;
mod optimizer;
mod regularization;
mod rmsprop;
mod rule;
mod schedule;
mod sgd;

pub use adagrad::{AdaGrad, AdaGradRule};
pub use adam::{Adam, AdamForm, AdamRule, AdamW, AdamWRule};
pub use config::OptimizerConfig;
pub use error::{OptimError, Result};
pub use momentum::{Momentum, MomentumRule};
pub use nabla_tensor::{Float, Param, ParamKind};
pub use nesterov::{Nesterov, NesterovRule};
pub use optimizer::{Optimizer, OptimizerState, step};
pub use regularization::Regularizer;
pub use rmsprop::{RmsProp, RmsPropRule};
pub use rule::{RuleOptimizer, UpdateRule, flush_subnormal};
pub use schedule::Schedule;
pub use sgd::{Sgd, SgdRule};
