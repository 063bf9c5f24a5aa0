//! The error type of `nabla-layers`.

use nabla_init::InitError;
use nabla_tensor::TensorError;

/// Everything that can go wrong in a layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    /// The input (or upstream gradient) does not have the shape the layer needs.
    #[error("{layer}: expected input of shape {expected}, got {got:?}")]
    Shape {
        /// The layer type.
        layer: &'static str,
        /// What the layer expects.
        expected: String,
        /// What it was given.
        got: Vec<usize>,
    },
    /// `backward` was called without a `forward` before it.
    #[error("{0}: backward called before forward")]
    NoForward(&'static str),
    /// A configuration value is out of range.
    #[error("{layer}: invalid configuration: {reason}")]
    Config {
        /// The layer type.
        layer: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// An error from a tensor operation.
    #[error(transparent)]
    Tensor(#[from] TensorError),
    /// An error from an initializer.
    #[error(transparent)]
    Init(#[from] InitError),
    /// An error inside a named layer of a container.
    #[error("in layer `{name}`: {source}")]
    In {
        /// The layer's name in its container.
        name: String,
        /// The error it gave.
        source: Box<LayerError>,
    },
}

/// `Result` with [`LayerError`].
pub type Result<T> = std::result::Result<T, LayerError>;
