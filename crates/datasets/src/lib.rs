//! Datasets for nabla: a strict IDX reader/writer and the MNIST loader. No network code.
//!
//! - [`idx`]: the IDX format (every type code, any rank), raw or gzip'ed, detected by content,
//!   validated before anything large is allocated.
//! - [`Mnist`]: the four MNIST files as they are on disk (u8), with conversions on demand.
//! - [`batches`]: seeded mini-batch sampling, shuffled epochs or with replacement.
//!
//! Downloading is not here: `cargo xtask fetch-mnist` puts the files in `datasets/mnist/`.
//!
//! ```no_run
//! use nabla_datasets::Mnist;
//! let mnist = Mnist::load("datasets/mnist")?;
//! assert_eq!((mnist.train.len(), mnist.test.len()), (60_000, 10_000));
//! let x = mnist.train.images_flat::<f32>();   // (60000, 784) in [0, 1]
//! let t = mnist.train.one_hot::<f32>();       // (60000, 10)
//! # Ok::<(), nabla_datasets::DatasetError>(())
//! ```

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

pub use error::{DatasetError, Result};
pub use mnist::{MNIST_FILES, Mnist, MnistSplit, Pixel, resolve_data_dir};
