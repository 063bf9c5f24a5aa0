//! Datasets for nabla: a strict IDX reader/writer and the MNIST loader. No network code.
//!
//! - [`idx`]: the IDX format (every type code, any rank), raw or gzip'ed, detected by content,
//!   validated before anything large is allocated.
//! - [`Mnist`]: the four MNIST files as they are on disk (u8).
//! - [`Split`]: samples and labels as training reads them, converted to `f32` or `f64` one
//!   batch at a time (MNIST stays bytes until then).
//! - [`batches`]: seeded mini-batch sampling, shuffled epochs or with replacement.
//!
//! Downloading is not here: `cargo xtask fetch-mnist` puts the files in `datasets/mnist/`.
//!
//! ```no_run
//! use nabla_datasets::{Layout, Mnist, Split};
//! let mnist = Mnist::load("datasets/mnist")?;
//! assert_eq!((mnist.train.len(), mnist.test.len()), (60_000, 10_000));
//! let train = Split::<f32>::mnist(&mnist.train, Layout::Rows);
//! let (x, labels) = train.gather(&[0, 1, 2]);   // (3, 784) in [0, 1], and three digits
//! assert_eq!(x.shape(), &[3, 784]);
//! # Ok::<(), nabla_datasets::DatasetError>(())
//! ```
#![forbid(unsafe_code)]

/// The `ndarray` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_datasets::ndarray::…`).
pub use ndarray;
/// The `rand` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_datasets::rand::…`).
pub use rand;

pub mod batches;
mod error;
pub mod idx;
mod mnist;
mod split;
mod toy2d;

pub use error::{DatasetError, Result};
pub use mnist::{MNIST_FILES, Mnist, MnistSplit, Pixel, resolve_data_dir};
pub use split::{Layout, Split};
pub use toy2d::Toy2d;
