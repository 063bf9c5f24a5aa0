//! The one matrix product every layer goes through, so that a faster GEMM replaces it in one
//! place.

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::Float;

/// `c = alpha * a · b + beta * c`.
///
/// Each output element is a dot product accumulated in a fixed order, so the result does
/// not depend on how many threads run.
///
/// # Panics
/// If the shapes do not chain (`a: [m, k]`, `b: [k, n]`, `c: [m, n]`); callers check shapes
/// at their own boundary and name the layer in their error.
#[track_caller]
pub fn matmul_into<F: Float>(
    alpha: F,
    a: &ArrayView2<'_, F>,
    b: &ArrayView2<'_, F>,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    ndarray::linalg::general_mat_mul(alpha, a, b, beta, c);
}
