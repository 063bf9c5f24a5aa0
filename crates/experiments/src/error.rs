//! The error type of `nabla-experiments`.

/// Everything that can go wrong while running an experiment.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// A tensor operation rejected its input.
    #[error(transparent)]
    Tensor(#[from] nabla_tensor::TensorError),
    /// A layer rejected its configuration or input.
    #[error(transparent)]
    Layer(#[from] nabla_layers::LayerError),
    /// A data split could not be made.
    #[error(transparent)]
    Dataset(#[from] nabla_datasets::DatasetError),
    /// An optimizer rejected its configuration.
    #[error(transparent)]
    Optim(#[from] nabla_optim::OptimError),
    /// Building or training a network failed.
    #[error(transparent)]
    Nn(#[from] nabla_nn::NnError),
    /// A run's settings do not fit the data.
    #[error("experiment setup: {0}")]
    Setup(String),
    /// Writing the report failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A shard could not be read, or shards do not belong together.
    #[error("{0}")]
    Shard(String),
    /// A plot could not be drawn.
    #[error("plot {0}")]
    Plot(String),
}

/// `Result` with [`ExperimentError`].
pub type Result<T> = std::result::Result<T, ExperimentError>;
