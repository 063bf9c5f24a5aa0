//! The error type of `nabla-tensor`.

/// Everything that can go wrong in `nabla-tensor`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TensorError {
    /// A convolution or pooling window does not fit its input.
    #[error("invalid geometry: {0}")]
    Geometry(String),
    /// An array does not have the shape an operation needs.
    #[error("shape mismatch in {op}: expected {expected}, got {got:?}")]
    Shape {
        /// The operation that checked the shape.
        op: &'static str,
        /// A description of the shape it needed.
        expected: String,
        /// The shape it was given.
        got: Vec<usize>,
    },
    /// A class label outside `0..classes`.
    #[error("label {label} at row {row} is outside 0..{classes}")]
    Label {
        /// The offending label.
        label: usize,
        /// Its row in the batch.
        row: usize,
        /// The number of classes.
        classes: usize,
    },
}

/// `Result` with [`TensorError`].
pub type Result<T> = std::result::Result<T, TensorError>;
