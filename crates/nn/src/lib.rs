//! Networks, a trainer and checkpoints, built from `nabla-layers` and `nabla-optim`.
//!
//! - [`Architecture`]: a serializable description of a network — [`MlpConfig`]
//!   (the classic MultiLayerNet), [`SimpleConvConfig`], [`DeepConvConfig`], [`AlexNetConfig`] —
//!   that [`Network::new`] builds with a seed.
//! - [`Classifier`]: what training needs of a model; [`Network`] and [`SequentialClassifier`] (any
//!   [`Sequential`](nabla_layers::Sequential) with any loss) implement it.
//! - [`Trainer`]: one training run as one object (model, optimizer, schedule, step count),
//!   by epochs or by iterations, with evaluation curves and [`Hook`]s that watch it; it
//!   saves and resumes itself.
//! - [`checkpoint`]: one-file checkpoints (architecture, parameters, optimizer state).
//!
//! ```
//! use nabla_nn::{Architecture, MlpConfig, Network, Split, TrainConfig, Trainer};
//! use nabla_optim::OptimizerConfig;
//! use ndarray::Array2;
//!
//! // A tiny problem: the class is whether the first feature is positive.
//! let x = Array2::from_shape_fn((64, 4), |(i, j)| if j == 0 { i as f32 / 32.0 - 1.0 } else { 0.3 });
//! let labels: Vec<usize> = (0..64).map(|i| usize::from(i >= 32)).collect();
//! let data = Split::new(x.into_dyn(), labels)?;
//!
//! let arch = Architecture::Mlp(MlpConfig::new(4, vec![8], 2));
//! let net = Network::<f32>::new(&arch, 0)?;
//! let mut run = Trainer::new(net, &OptimizerConfig::adam(0.01), TrainConfig::epochs(30, 16))?;
//! let history = run.fit(&data, &data, &mut [])?;
//! assert!(history.final_test_accuracy() > Some(0.9));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

/// The `ndarray` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_nn::ndarray::…`).
pub use ndarray;
/// The `rand` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_nn::rand::…`).
pub use rand;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
mod readme {}

/// This crate's README example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod crate_readme {}

mod alexnet;
mod arch;
pub mod checkpoint;
mod classifier;
mod deep_conv;
mod double_conv;
mod error;
mod hooks;
mod inference;
mod lr_find;
mod mlp;
mod network;
mod simple_conv;
mod train;

pub use alexnet::AlexNetConfig;
pub use arch::{Activation, Architecture, WeightInit};
pub use classifier::{Classifier, SequentialClassifier, set_frozen, trainable_count};
pub use deep_conv::DeepConvConfig;
pub use double_conv::DoubleConvConfig;
pub use error::{NnError, Result};
pub use hooks::{
    ActivationHistograms, EarlyStopping, Flow, GradientNorms, Histogram, Hook, KeepBest, MetricLog,
    StepView, TensorBoardLog, weight_gradient_norms,
};
pub use inference::{Evaluation, Mistake, accuracy, evaluate, predict, predict_split};
pub use lr_find::{LrFindConfig, LrFindResult, LrPoint, lr_find};
pub use mlp::MlpConfig;
pub use nabla_datasets::{Layout, Split};
pub use network::{LayerSummary, Network};
pub use simple_conv::{Pooling, SimpleConvConfig};
pub use train::{Budget, Ended, EvalPoint, History, TrainConfig, TrainEval, Trainer};
