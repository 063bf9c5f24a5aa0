//! The error type of `nabla-nn`.

use std::path::PathBuf;

/// Everything that can go wrong building, training, saving or loading a network.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NnError {
    /// A layer rejected its input or configuration.
    #[error(transparent)]
    Layer(#[from] nabla_layers::LayerError),
    /// A data split could not be made.
    #[error(transparent)]
    Dataset(#[from] nabla_datasets::DatasetError),
    /// An optimizer, schedule or regularizer rejected its settings.
    #[error(transparent)]
    Optim(#[from] nabla_optim::OptimError),
    /// A network or training setting is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The loss stopped being a finite number.
    #[error(
        "training diverged at step {step}: the loss is {loss}; try a smaller learning rate (it was {lr})"
    )]
    Diverged {
        /// The 1-based step at which the loss was not finite.
        step: u64,
        /// The loss value (NaN or infinite).
        loss: f64,
        /// The learning rate in use.
        lr: f64,
    },
    /// A data split is malformed.
    #[error("invalid data: {0}")]
    Data(String),
    /// A checkpoint could not be read or written.
    #[error("checkpoint {path}: {problem}")]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

/// `Result` with [`NnError`].
pub type Result<T> = std::result::Result<T, NnError>;
