//! Convolution as a matrix product: unfold windows into rows (`im2col`) and fold them back
//! (`col2im`).
//!
//! Layout (the classic one): for input `(N, C, H, W)` and geometry `(KH, KW, s, p)`,
//! `col[(n*OH + i)*OW + j, (c*KH + ky)*KW + kx] = x_pad[n, c, i*s + ky, j*s + kx]`.

use ndarray::{Array2, Array4, ArrayView2, ArrayView4};

use crate::{ConvGeometry, Float, Result, TensorError};

/// Unfolds every `(KH, KW)` window of `x` into a row of a `(N*OH*OW, C*KH*KW)` matrix.
///
/// Padding is virtual: zeros are written where a window hangs over the border.
///
/// # Shapes
/// `x: [n, c, h, w]` → `[n * out_h * out_w, c * kernel_h * kernel_w]`
///
/// ```
/// use nabla_tensor::{ConvGeometry, im2col};
/// use ndarray::Array4;
/// let x = Array4::<f64>::ones((2, 3, 5, 5));
/// let col = im2col(&x.view(), &ConvGeometry::new((3, 3), 2, 1))?;
/// assert_eq!(col.dim(), (2 * 3 * 3, 3 * 3 * 3));
/// # Ok::<(), nabla_tensor::TensorError>(())
/// ```
pub fn im2col<F: Float>(x: &ArrayView4<'_, F>, geometry: &ConvGeometry) -> Result<Array2<F>> {
    let (n, c, h, w) = x.dim();
    let (oh, ow) = geometry.out_hw(h, w)?;
    let cols = c * geometry.kernel_h * geometry.kernel_w;
    let mut out = vec![F::zero(); n * oh * ow * cols];
    im2col_into(x, geometry, &mut out)?;
    Array2::from_shape_vec((n * oh * ow, cols), out)
        .map_err(|e| TensorError::Geometry(e.to_string()))
}

/// [`im2col`] into a caller-owned buffer of exactly `N*OH*OW * C*KH*KW` elements, so that a
/// training loop can reuse one allocation across iterations.
pub fn im2col_into<F: Float>(
    x: &ArrayView4<'_, F>,
    geometry: &ConvGeometry,
    out: &mut [F],
) -> Result<()> {
    let (n, c, h, w) = x.dim();
    let (oh, ow) = geometry.out_hw(h, w)?;
    let (kh, kw, s, p) = (
        geometry.kernel_h,
        geometry.kernel_w,
        geometry.stride,
        geometry.padding,
    );
    let cols = c * kh * kw;
    if out.len() != n * oh * ow * cols {
        return Err(TensorError::Shape {
            op: "im2col_into",
            expected: format!("a buffer of {} elements", n * oh * ow * cols),
            got: vec![out.len()],
        });
    }
    let x = x.as_standard_layout();
    let Some(xs) = x.as_slice() else {
        unreachable!("as_standard_layout gives a contiguous array")
    };
    if cols == 0 {
        return Ok(());
    }
    for (row, dst) in out.chunks_exact_mut(cols).enumerate() {
        let (img, i, j) = (row / (oh * ow), (row / ow) % oh, row % ow);
        for ch in 0..c {
            let plane = &xs[(img * c + ch) * h * w..(img * c + ch + 1) * h * w];
            for ky in 0..kh {
                let seg = &mut dst[(ch * kh + ky) * kw..(ch * kh + ky + 1) * kw];
                let y = (i * s + ky) as isize - p as isize;
                if y < 0 || y >= h as isize {
                    seg.fill(F::zero());
                    continue;
                }
                let src = &plane[y as usize * w..(y as usize + 1) * w];
                let x0 = (j * s) as isize - p as isize;
                if x0 >= 0 && x0 as usize + kw <= w {
                    // The window row lies inside the image: one copy instead of kw branches.
                    seg.copy_from_slice(&src[x0 as usize..x0 as usize + kw]);
                    continue;
                }
                for (kx, d) in seg.iter_mut().enumerate() {
                    let xx = x0 + kx as isize;
                    *d = if xx >= 0 && xx < w as isize {
                        src[xx as usize]
                    } else {
                        F::zero()
                    };
                }
            }
        }
    }
    Ok(())
}

/// Folds a `(N*OH*OW, C*KH*KW)` matrix back into `(N, C, H, W)`, **summing** the entries of
/// overlapping windows and dropping those that fall on the padding.
///
/// `col2im` is the adjoint of [`im2col`] (`<im2col(x), y> == <x, col2im(y)>`), which is what a
/// convolution's backward pass needs. It is not the inverse: a pixel covered by `k` windows
/// comes back multiplied by `k`.
///
/// ```
/// use nabla_tensor::{ConvGeometry, col2im, im2col};
/// use ndarray::Array4;
/// // 3x3 windows, stride 1, on a 4x4 image: the centre pixels are in 4 windows, corners in 1.
/// let g = ConvGeometry::new((3, 3), 1, 0);
/// let x = Array4::<f64>::ones((1, 1, 4, 4));
/// let back = col2im(&im2col(&x.view(), &g)?.view(), (1, 1, 4, 4), &g)?;
/// assert_eq!(back[[0, 0, 0, 0]], 1.0);
/// assert_eq!(back[[0, 0, 0, 1]], 2.0);
/// assert_eq!(back[[0, 0, 1, 1]], 4.0);
/// # Ok::<(), nabla_tensor::TensorError>(())
/// ```
///
/// # Shapes
/// `col: [n * out_h * out_w, c * kernel_h * kernel_w]` → `[n, c, h, w]`
pub fn col2im<F: Float>(
    col: &ArrayView2<'_, F>,
    input_shape: (usize, usize, usize, usize),
    geometry: &ConvGeometry,
) -> Result<Array4<F>> {
    let (n, c, h, w) = input_shape;
    let (oh, ow) = geometry.out_hw(h, w)?;
    let (kh, kw, s, p) = (
        geometry.kernel_h,
        geometry.kernel_w,
        geometry.stride,
        geometry.padding,
    );
    let cols = c * kh * kw;
    if col.dim() != (n * oh * ow, cols) {
        return Err(TensorError::Shape {
            op: "col2im",
            expected: format!("[{}, {}]", n * oh * ow, cols),
            got: col.shape().to_vec(),
        });
    }
    let col = col.as_standard_layout();
    let Some(cs) = col.as_slice() else {
        unreachable!("as_standard_layout gives a contiguous array")
    };
    let mut out = vec![F::zero(); n * c * h * w];
    if cols > 0 {
        for (row, src) in cs.chunks_exact(cols).enumerate() {
            let (img, i, j) = (row / (oh * ow), (row / ow) % oh, row % ow);
            for ch in 0..c {
                let plane = &mut out[(img * c + ch) * h * w..(img * c + ch + 1) * h * w];
                for ky in 0..kh {
                    let y = (i * s + ky) as isize - p as isize;
                    if y < 0 || y >= h as isize {
                        continue;
                    }
                    let seg = &src[(ch * kh + ky) * kw..(ch * kh + ky + 1) * kw];
                    let x0 = (j * s) as isize - p as isize;
                    for (kx, &v) in seg.iter().enumerate() {
                        let xx = x0 + kx as isize;
                        if xx >= 0 && xx < w as isize {
                            plane[y as usize * w + xx as usize] += v;
                        }
                    }
                }
            }
        }
    }
    Array4::from_shape_vec((n, c, h, w), out).map_err(|e| TensorError::Geometry(e.to_string()))
}
