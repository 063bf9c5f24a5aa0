//! The classic experiments, rerun on MNIST. This first part reproduces the im2col/col2im
//! demonstrations of the CNN notebook (section 7.1-7.2 of `EXPERIMENTS.md`), which need no
//! training; the training experiments come with the networks.

mod error;
pub mod im2col_demo;

pub use error::{ExperimentError, Result};
