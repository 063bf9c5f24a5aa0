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
/// The output columns `j` whose input column `j·s + kx − p` lies inside `0..w`, as a range
/// (stride 1 keeps them contiguous, so whole runs are copied at once).
fn valid_cols(ow: usize, w: usize, s: usize, kx: usize, p: usize) -> std::ops::Range<usize> {
    // j·s + kx ≥ p  and  j·s + kx − p < w
    if s == 1 {
        // The common case, without the divisions (called for every row of the matrix).
        let lo = p.saturating_sub(kx).min(ow);
        return lo..(w + p).saturating_sub(kx).min(ow).max(lo);
    }
    let lo = p.saturating_sub(kx).div_ceil(s);
    let hi = if w + p > kx {
        (w + p - kx).div_ceil(s)
    } else {
        0
    };
    lo.min(ow)..hi.min(ow).max(lo.min(ow))
}

/// `(OH, OW, KH, KW, stride, padding)` after checking that an image of `image_len` values and
/// a transposed column matrix of `col_len` values fit `(c, h, w)` and `geometry`.
fn transposed_dims(
    op: &'static str,
    (c, h, w): (usize, usize, usize),
    geometry: &ConvGeometry,
    image_len: usize,
    col_len: usize,
) -> Result<(usize, usize, usize, usize, usize, usize)> {
    let (oh, ow) = geometry.out_hw(h, w)?;
    let (kh, kw) = (geometry.kernel_h, geometry.kernel_w);
    let col = c * kh * kw * oh * ow;
    if image_len != c * h * w || col_len != col {
        return Err(TensorError::Shape {
            op,
            expected: format!("an image of {} and a matrix of {col} elements", c * h * w),
            got: vec![image_len, col_len],
        });
    }
    Ok((oh, ow, kh, kw, geometry.stride, geometry.padding))
}

/// One image's windows as a `(C*KH*KW, OH*OW)` matrix: the transpose of its block of
/// [`im2col`]. Row `(c, ky, kx)` holds what that kernel element sees at every output
/// position, so each output row of it is one shifted run of an input row: copies, not
/// gathers. It is the right-hand operand of `W (FN, C*KH*KW) · X`, which gives the output
/// in `(FN, OH*OW)`, already NCHW.
///
/// `image` is `(C, H, W)` in standard layout; `out` must hold `C*KH*KW * OH*OW` values.
///
/// ```
/// use nabla_tensor::{ConvGeometry, im2col, im2col_t_into};
/// use ndarray::Array4;
/// let x = Array4::from_shape_fn((1, 2, 4, 5), |(_, c, h, w)| (c * 20 + h * 5 + w) as f64);
/// let g = ConvGeometry::new((3, 3), 1, 1);
/// let mut t = vec![0.0; 2 * 9 * 4 * 5];
/// let image = x.as_slice().ok_or("a fresh array is contiguous")?;
/// im2col_t_into(image, (2, 4, 5), &g, &mut t)?;
/// let col = im2col(&x.view(), &g)?;
/// assert_eq!(t[3 * 20 + 7], col[[7, 3]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn im2col_t_into<F: Float>(
    image: &[F],
    (c, h, w): (usize, usize, usize),
    geometry: &ConvGeometry,
    out: &mut [F],
) -> Result<()> {
    let (oh, ow, kh, kw, s, p) =
        transposed_dims("im2col_t_into", (c, h, w), geometry, image.len(), out.len())?;
    let plane = oh * ow;
    for ch in 0..c {
        let src_plane = &image[ch * h * w..(ch + 1) * h * w];
        for ky in 0..kh {
            for kx in 0..kw {
                let row = (ch * kh + ky) * kw + kx;
                let dst = &mut out[row * plane..(row + 1) * plane];
                let cols = valid_cols(ow, w, s, kx, p);
                let same = s == 1 && ow == w;
                // Clear once per row of the matrix rather than per window row: with padding,
                // two tiny fills per window row cost more than the copies between them. The
                // "same" path below writes every cell of the rows it copies and clears only
                // the rows above and below them.
                let copies_whole_rows = same && !cols.is_empty();
                if (p > 0 || cols.len() < ow) && !copies_whole_rows {
                    dst.fill(F::zero());
                }
                if cols.is_empty() {
                    continue;
                }
                let x0 = cols.start * s + kx - p;
                if same {
                    // "Same" convolutions: rows of the output and of the input have the same
                    // stride, so every window row of this kernel element is one slice of a
                    // single run of the input plane. Copy the run at once, then clear the
                    // few border cells that took values from the neighbouring row.
                    let i0 = p.saturating_sub(ky).min(oh);
                    let i1 = (h + p).saturating_sub(ky).min(oh).max(i0);
                    dst[..i0 * ow].fill(F::zero());
                    dst[i1 * ow..].fill(F::zero());
                    if i0 < i1 {
                        let from = (i0 + ky - p) * w + x0;
                        let to = i0 * ow + cols.start;
                        let len = (i1 - 1 - i0) * ow + cols.len();
                        dst[to..to + len].copy_from_slice(&src_plane[from..from + len]);
                        for i in i0..i1 {
                            let r = &mut dst[i * ow..(i + 1) * ow];
                            r[..cols.start].fill(F::zero());
                            r[cols.end..].fill(F::zero());
                        }
                    }
                    continue;
                }
                for i in 0..oh {
                    let y = (i * s + ky) as isize - p as isize;
                    if y < 0 || y >= h as isize {
                        continue;
                    }
                    let src = &src_plane[y as usize * w..(y as usize + 1) * w];
                    let d = &mut dst[i * ow + cols.start..i * ow + cols.end];
                    if s == 1 {
                        copy_short(d, &src[x0..x0 + d.len()]);
                    } else {
                        for (k, v) in d.iter_mut().enumerate() {
                            *v = src[x0 + k * s];
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Copies a short run (a window row: tens of values) in fixed blocks of eight, which compile
/// to plain vector moves; `copy_from_slice` would call `memmove` once per run, and that call
/// costs more than moving a few dozen values.
#[inline(always)]
fn copy_short<F: Copy>(dst: &mut [F], src: &[F]) {
    let mut d = dst.chunks_exact_mut(8);
    let mut s = src.chunks_exact(8);
    for (a, b) in (&mut d).zip(&mut s) {
        if let (Ok(a), Ok(b)) = (<&mut [F; 8]>::try_from(a), <&[F; 8]>::try_from(b)) {
            *a = *b;
        }
    }
    for (a, b) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *a = *b;
    }
}

/// Folds a `(C*KH*KW, OH*OW)` matrix laid out as [`im2col_t_into`] writes it back onto one
/// image, adding into `image` (`(C, H, W)`, standard layout): the adjoint of
/// [`im2col_t_into`], as [`col2im`] is of [`im2col`].
pub fn col2im_t_add<F: Float>(
    colt: &[F],
    (c, h, w): (usize, usize, usize),
    geometry: &ConvGeometry,
    image: &mut [F],
) -> Result<()> {
    let (oh, ow, kh, kw, s, p) =
        transposed_dims("col2im_t_add", (c, h, w), geometry, image.len(), colt.len())?;
    let plane = oh * ow;
    for ch in 0..c {
        let dst_plane = &mut image[ch * h * w..(ch + 1) * h * w];
        for ky in 0..kh {
            for kx in 0..kw {
                let row = (ch * kh + ky) * kw + kx;
                let src = &colt[row * plane..(row + 1) * plane];
                let cols = valid_cols(ow, w, s, kx, p);
                if cols.is_empty() {
                    continue;
                }
                for i in 0..oh {
                    let y = (i * s + ky) as isize - p as isize;
                    if y < 0 || y >= h as isize {
                        continue;
                    }
                    let d = &mut dst_plane[y as usize * w..(y as usize + 1) * w];
                    let sv = &src[i * ow + cols.start..i * ow + cols.end];
                    let x0 = cols.start * s + kx - p;
                    if s == 1 {
                        d[x0..x0 + sv.len()]
                            .iter_mut()
                            .zip(sv)
                            .for_each(|(a, &b)| *a += b);
                    } else {
                        for (k, &v) in sv.iter().enumerate() {
                            d[x0 + k * s] += v;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
