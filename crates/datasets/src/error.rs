//! The error type of `nabla-datasets`.

use std::path::PathBuf;

/// Everything that can go wrong while reading or writing a dataset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The operating system refused a read or write.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid for its format: wrong magic, bad size, truncated, …
    #[error("{file}: {problem}")]
    Format {
        /// The file (or a name for in-memory data).
        file: String,
        /// What is wrong, in words.
        problem: String,
    },
    /// Some MNIST files are not in the directory.
    #[error(
        "MNIST not found in {dir}: missing {missing}; run `cargo xtask fetch-mnist` (or `cargo xtask fetch-mnist --from DIR` to import local copies), or point --data / NABLA_DATA at a directory that has them"
    )]
    Missing {
        /// The directory searched.
        dir: PathBuf,
        /// The missing file names, comma-separated.
        missing: String,
    },
}

impl DatasetError {
    pub(crate) fn format(file: impl Into<String>, problem: impl Into<String>) -> Self {
        DatasetError::Format {
            file: file.into(),
            problem: problem.into(),
        }
    }
}

/// `Result` with [`DatasetError`].
pub type Result<T> = std::result::Result<T, DatasetError>;
