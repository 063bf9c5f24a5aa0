//! The error type of `nabla-experiments`.

/// Everything that can go wrong while running an experiment.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// A tensor operation rejected its input.
    #[error(transparent)]
    Tensor(#[from] nabla_tensor::TensorError),
}

/// `Result` with [`ExperimentError`].
pub type Result<T> = std::result::Result<T, ExperimentError>;
