//! The numeric ground floor of nabla: everything the layers share.
//!
//! - [`Float`]: the element type, implemented for `f32` (training) and `f64` (gradient checks).
//! - [`ConvGeometry`], [`im2col`] and [`col2im`]: convolution as a matrix product, in the
//!   classic layout (rows `(n, oh, ow)`, columns `(c, kh, kw)`).
//! - [`softmax`], [`log_softmax`], [`cross_entropy`]: numerically stable, for logits of any size.
//! - [`numerical_gradient`] and [`relative_error`]: central differences for gradient checks.
//! - [`Param`]: a parameter and its gradient, which layers expose by name and optimizers update.
//! - [`matmul_into`]: the one matrix product, on [`gemm`]'s own AVX-512 / AVX2 kernels for
//!   `f32` (the same bits on either), shared among threads by [`parallel`] without changing
//!   a bit; [`with_scratch`]: per-thread buffers, so a training step allocates nothing.
//!
//! ```
//! use nabla_tensor::{ConvGeometry, im2col};
//! use ndarray::Array4;
//!
//! // One 1x3x3 image, a 2x2 kernel, stride 1, no padding: four windows of four pixels.
//! let x = Array4::from_shape_fn((1, 1, 3, 3), |(_, _, i, j)| (i * 3 + j) as f32);
//! let geometry = ConvGeometry::new((2, 2), 1, 0);
//! let col = im2col(&x.view(), &geometry)?;
//! assert_eq!(col.dim(), (4, 4));
//! assert_eq!(col.row(0).to_vec(), vec![0.0, 1.0, 3.0, 4.0]);
//! # Ok::<(), nabla_tensor::TensorError>(())
//! ```
// Every unsafe block says why it is sound where it is written; unsafe functions say what
// their callers must guarantee (`# Safety`), and `unsafe_op_in_unsafe_fn` is denied workspace-wide.
#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

/// The `ndarray` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_tensor::ndarray::…`).
pub use ndarray;

mod cpu;
mod error;
mod float;
pub mod gemm;
mod geometry;
mod gradient;
mod im2col;
mod linalg;
mod numerics;
pub mod parallel;
mod param;
mod scratch;
mod widest;

pub use cpu::{cpu_features, machine};
pub use error::{Result, TensorError};
pub use float::Float;
pub use geometry::ConvGeometry;
pub use gradient::{numerical_gradient, relative_error};
pub use im2col::{col2im, col2im_t_add, im2col, im2col_into, im2col_t_into};
pub use linalg::matmul_into;
pub use numerics::{
    Target, accuracy, argmax_rows, cross_entropy, log_softmax, log_softmax_in_place,
    mean_negative_log_likelihood, softmax, softmax_in_place,
};
pub use param::{Param, ParamKind};
pub use scratch::with_scratch;
pub use widest::widest;
