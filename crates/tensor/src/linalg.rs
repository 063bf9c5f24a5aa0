//! The one matrix product every layer goes through, so that a faster GEMM replaces it in one
//! place.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};

use crate::Float;
use crate::gemm::{Isa, Operand, sgemm};

/// Multiply-adds below which a product is not worth sharing between threads.
const MIN_PART_WORK: usize = 1 << 20;
/// Rows (or columns) below which a part packs more than it multiplies.
const MIN_PART_SIDE: usize = 64;
const MAX_PARTS: usize = 4;

/// Inner dimension per part when a product is cut along K.
const MIN_PART_DEPTH: usize = 512;

/// Whether a product is cut along its inner dimension rather than its output's rows or
/// columns.
fn cut_inner(m: usize, k: usize, n: usize) -> bool {
    k >= 8 * m.max(n)
}

/// Parts a product is cut into: a power of two chosen from the shape alone, never from the
/// thread count, so the same shapes always give the same bits. Few and large: every part
/// packs its own copy of the operand it shares with the others.
fn parts(m: usize, k: usize, n: usize) -> usize {
    let by_work = m.saturating_mul(k).saturating_mul(n) / MIN_PART_WORK;
    let by_side = if cut_inner(m, k, n) {
        k / MIN_PART_DEPTH
    } else {
        m.max(n) / MIN_PART_SIDE
    };
    let most = by_work.min(by_side).clamp(1, MAX_PARTS);
    1 << most.ilog2()
}

/// `c = alpha * a · b + beta * c`.
///
/// Large products are cut into blocks of rows (or columns) of `c`, a number fixed by the
/// shape, and the blocks shared among [`crate::parallel::threads`] threads; every element is
/// one dot product accumulated in a fixed order, so the result does not depend on the thread
/// count. The blocks run on nabla's own `f32` kernels (AVX-512 or AVX2+FMA, picked at run
/// time; same bits on either) and on `matrixmultiply` for `f64` or other CPUs.
///
/// ```
/// use nabla_tensor::matmul_into;
/// use nabla_tensor::ndarray::{Array2, array};
/// let a = array![[1.0f32, 2.0], [3.0, 4.0]];
/// let b = array![[5.0f32, 6.0], [7.0, 8.0]];
/// let mut c = Array2::zeros((2, 2));
/// matmul_into(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
/// assert_eq!(c, array![[19.0, 22.0], [43.0, 50.0]]);
/// ```
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
    let ((m, k), n) = (a.dim(), b.ncols());
    assert!(
        b.nrows() == k && c.dim() == (m, n),
        "matmul_into: ({m}x{k}) · ({}x{n}) into ({}x{})",
        b.nrows(),
        c.nrows(),
        c.ncols()
    );
    let parts = parts(m, k, n);
    if parts == 1 {
        product_on_one_thread(alpha, a, b, beta, c);
        return;
    }
    if cut_inner(m, k, n) {
        // A long inner dimension (the first affine layer of SimpleConvNet: 100x4320x100):
        // cutting M or N would make every thread pack all of the other, large operand. Cut
        // K instead and add the partial products in part order, a fixed reduction.
        let depth = k.div_ceil(parts);
        let size = m * n;
        if size == 0 {
            return;
        }
        // The partial products go to the calling thread's scratch buffer, one slice each.
        crate::with_scratch(k.div_ceil(depth) * size, |partials: &mut [F]| {
            let tasks = a
                .axis_chunks_iter(Axis(1), depth)
                .zip(b.axis_chunks_iter(Axis(0), depth))
                .zip(partials.chunks_exact_mut(size));
            crate::parallel::run_tasks(tasks, |((a, b), part)| {
                let mut part = ArrayViewMut2::from_shape((m, n), part)
                    .unwrap_or_else(|_| unreachable!("cut to m * n"));
                product_on_one_thread(F::one(), &a, &b, F::zero(), &mut part);
            });
            let (sum, rest) = partials.split_at_mut(size);
            for part in rest.chunks_exact(size) {
                sum.iter_mut().zip(part).for_each(|(s, &p)| *s += p);
            }
            let sum = ArrayView2::from_shape((m, n), &*sum)
                .unwrap_or_else(|_| unreachable!("cut to m * n"));
            c.zip_mut_with(&sum, |c, &s| *c = alpha * s + beta * *c);
        });
        return;
    }
    let product = |(a, b, mut c): (ArrayView2<'_, F>, ArrayView2<'_, F>, ArrayViewMut2<'_, F>)| {
        product_on_one_thread(alpha, &a, &b, beta, &mut c);
    };
    if m >= n {
        let rows = m.div_ceil(parts);
        let tasks = a
            .axis_chunks_iter(Axis(0), rows)
            .zip(c.axis_chunks_iter_mut(Axis(0), rows))
            .map(|(a, c)| (a, b.view(), c));
        crate::parallel::run_tasks(tasks, product);
    } else {
        let cols = n.div_ceil(parts);
        let tasks = b
            .axis_chunks_iter(Axis(1), cols)
            .zip(c.axis_chunks_iter_mut(Axis(1), cols))
            .map(|(b, c)| (a.view(), b, c));
        crate::parallel::run_tasks(tasks, product);
    }
}

/// One block of a product on the calling thread: nabla's kernels for `f32` where the CPU has
/// them, `matrixmultiply` otherwise.
fn product_on_one_thread<F: Float>(
    alpha: F,
    a: &ArrayView2<'_, F>,
    b: &ArrayView2<'_, F>,
    beta: F,
    c: &mut ArrayViewMut2<'_, F>,
) {
    use std::any::TypeId;
    let Some(isa) = Isa::detect() else {
        return ndarray::linalg::general_mat_mul(alpha, a, b, beta, c);
    };
    if TypeId::of::<F>() != TypeId::of::<f32>() {
        return ndarray::linalg::general_mat_mul(alpha, a, b, beta, c);
    }
    let ((m, k), n) = (a.dim(), b.ncols());
    let (c_rs, c_cs) = (c.strides()[0], c.strides()[1]);
    // Rows of c must be contiguous; a column-major c is the transposed product's row-major
    // output. Any other layout is left to matrixmultiply.
    let transposed = match (c_cs == 1 || n == 1, c_rs == 1 || m == 1) {
        (true, _) => false,
        (false, true) => true,
        (false, false) => return ndarray::linalg::general_mat_mul(alpha, a, b, beta, c),
    };
    let view = |v: &ArrayView2<'_, F>| Operand {
        ptr: v.as_ptr().cast::<f32>(),
        rs: v.strides()[0],
        cs: v.strides()[1],
    };
    let (a, b, alpha, beta) = (
        view(a),
        view(b),
        alpha.as_f64() as f32,
        beta.as_f64() as f32,
    );
    let c_ptr = c.as_mut_ptr().cast::<f32>();
    // SAFETY: F is f32 (checked above), so the casts are identities; the views have the
    // shapes sgemm is told, `c` is a unique borrow (no overlap), and `isa` was detected.
    unsafe {
        if transposed {
            let t = |o: Operand<*const f32>| Operand {
                ptr: o.ptr,
                rs: o.cs,
                cs: o.rs,
            };
            let c = Operand {
                ptr: c_ptr,
                rs: c_cs,
                cs: 1,
            };
            sgemm(isa, n, k, m, alpha, t(b), t(a), beta, c);
        } else {
            let c = Operand {
                ptr: c_ptr,
                rs: c_rs,
                cs: 1,
            };
            sgemm(isa, m, k, n, alpha, a, b, beta, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use proptest::prelude::*;

    fn naive(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        let (m, k) = a.dim();
        Array2::from_shape_fn((m, b.ncols()), |(i, j)| {
            (0..k).map(|p| a[[i, p]] * b[[p, j]]).sum()
        })
    }

    #[test]
    fn parts_depend_on_shape_only_and_are_powers_of_two() {
        assert_eq!(parts(30, 25, 576), 1);
        assert_eq!(parts(128, 784, 100), 2);
        assert_eq!(parts(100, 4320, 100), 8 / 2);
        assert_eq!(parts(57600, 25, 30), 4);
        assert_eq!(parts(1024, 1024, 1024), 4);
        assert_eq!(parts(0, 0, 0), 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Cut or not, transposed or not, the product matches the naive triple loop and is
        /// bit-for-bit the same on 1 thread and on 3.
        #[test]
        fn blocked_product_matches_naive_on_any_thread_count(
            m in 1usize..300, k in 1usize..80, n in 1usize..300, seed in 0u64..1000,
            transpose_b in any::<bool>(), beta in prop::sample::select(vec![0.0, 1.0, 0.5]),
        ) {
            let mut s = seed;
            let mut next = move || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((s >> 33) as f64 / (1u64 << 31) as f64) - 0.5 };
            let a = Array2::from_shape_simple_fn((m, k), &mut next);
            let b_stored = if transpose_b { Array2::from_shape_simple_fn((n, k), &mut next) } else { Array2::from_shape_simple_fn((k, n), &mut next) };
            let b = if transpose_b { b_stored.t().to_owned() } else { b_stored.clone() };
            let b_view = if transpose_b { b_stored.t() } else { b_stored.view() };
            let c0 = Array2::from_shape_simple_fn((m, n), &mut next);
            let run = |t| crate::parallel::with_threads(t, || {
                let mut c = c0.clone();
                matmul_into(1.5, &a.view(), &b_view, beta, &mut c.view_mut());
                c
            });
            let one = run(1);
            prop_assert_eq!(&one, &run(3));
            let expect = naive(&a, &b) * 1.5 + &c0 * beta;
            for (x, y) in one.iter().zip(expect.iter()) {
                prop_assert!((x - y).abs() < 1e-9, "{x} vs {y}");
            }
        }
            /// A long inner dimension is cut along K; the partial sums are added in a fixed
        /// order, so the result is still the same on 1 thread and on 3.
        #[test]
        fn long_inner_dimension_matches_naive_on_any_thread_count(
            m in 64usize..100, n in 64usize..100, extra in 0usize..40, seed in 0u64..1000,
            beta in prop::sample::select(vec![0.0, 1.0]),
        ) {
            let k = 8 * m.max(n) + MIN_PART_DEPTH + extra;
            let mut s = seed;
            let mut next = move || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((s >> 33) as f64 / (1u64 << 31) as f64) - 0.5 };
            let a = Array2::from_shape_simple_fn((m, k), &mut next);
            let b = Array2::from_shape_simple_fn((k, n), &mut next);
            let c0 = Array2::from_shape_simple_fn((m, n), &mut next);
            prop_assert!(parts(m, k, n) > 1);
            let run = |t| crate::parallel::with_threads(t, || {
                let mut c = c0.clone();
                matmul_into(2.0, &a.view(), &b.view(), beta, &mut c.view_mut());
                c
            });
            let one = run(1);
            prop_assert_eq!(&one, &run(3));
            let expect = naive(&a, &b) * 2.0 + &c0 * beta;
            for (x, y) in one.iter().zip(expect.iter()) {
                prop_assert!((x - y).abs() < 1e-9, "{x} vs {y}");
            }
        }
    }
}
