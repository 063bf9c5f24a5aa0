//! The fast path: the reference's numbers, image by image, in parallel, with no batch-sized
//! unfolded matrix.

use nabla_tensor::parallel::{for_each_chunk_mut, threads};
use nabla_tensor::{col2im_t_add, im2col_t_into, matmul_into, with_scratch};
use ndarray::{ArrayD, ArrayView2, ArrayViewMut2, Ix4};

use super::Conv2d;
use crate::shape::{expect_same, fixed4};
use crate::{Float, LayerError, Mode, Result};

/// Parts a batch is cut into for the weight-gradient sum: fixed, so that the floating-point
/// summation order, and therefore the result, does not depend on the number of threads.
const REDUCTION_PARTS: usize = 4;

fn view2<F>(data: &[F], rows: usize, cols: usize) -> ArrayView2<'_, F> {
    ArrayView2::from_shape((rows, cols), data)
        .unwrap_or_else(|_| unreachable!("slice cut to rows * cols"))
}

fn view2_mut<F>(data: &mut [F], rows: usize, cols: usize) -> ArrayViewMut2<'_, F> {
    ArrayViewMut2::from_shape((rows, cols), data)
        .unwrap_or_else(|_| unreachable!("slice cut to rows * cols"))
}

/// Unwraps an unfold or fold of one image. Both fail only when the image, the geometry and
/// the matrix disagree in size, and every size here is computed from the input shape that
/// `out_dims` checked before the parallel loops start: a failure would be a bug in this
/// file, not bad input, so the loops carry no error channel.
#[track_caller]
fn sized(result: nabla_tensor::Result<()>) {
    if let Err(e) = result {
        unreachable!("Conv2d: an image's sizes were computed from a checked shape: {e}")
    }
}

impl<F: Float> Conv2d<F> {
    pub(super) fn forward_fast(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        let [n, fnum, oh, ow] = self.out_dims(x.shape())?;
        let x = fixed4(x);
        // Only a view in another layout pays for a copy.
        let x = if x.is_standard_layout() {
            x
        } else {
            x.as_standard_layout().into_owned()
        };
        let (_, c, h, wd) = x.dim();
        let plane = oh * ow;
        let geometry = self.config.geometry();
        let cols = c * geometry.kernel_h * geometry.kernel_w;
        let Some(xs) = x.as_slice() else {
            unreachable!("standard layout")
        };
        let mut out = self.spare.array_of(Ix4(n, fnum, oh, ow));
        let w = self.weight_matrix();
        let bias = self.bias.as_ref().map(|b| b.value.view());
        let Some(out_s) = out.as_slice_mut() else {
            unreachable!("standard layout")
        };
        // Images are independent: unfold and multiply them in parallel, one chunk per thread,
        // each image's windows as a (C·KH·KW, OH·OW) matrix in the thread's scratch buffer.
        for_each_chunk_mut(out_s, fnum * plane, threads(), |r, out_chunk| {
            with_scratch(cols * plane, |col_i: &mut [F]| {
                for (k, img) in r.enumerate() {
                    let image = &xs[img * c * h * wd..(img + 1) * c * h * wd];
                    sized(im2col_t_into(image, (c, h, wd), &geometry, col_i));
                    let mut out_i = view2_mut(
                        &mut out_chunk[k * fnum * plane..(k + 1) * fnum * plane],
                        fnum,
                        plane,
                    );
                    let beta = match &bias {
                        Some(b) => {
                            out_i
                                .rows_mut()
                                .into_iter()
                                .zip(b.iter())
                                .for_each(|(mut row, &bf)| row.fill(bf));
                            F::one()
                        }
                        // beta = 0: the buffer's old values are not read.
                        None => F::zero(),
                    };
                    // out_i (FN, OH·OW) = W (FN, C·KH·KW) · col_i: the output is already NCHW.
                    matmul_into(F::one(), &w, &view2(col_i, cols, plane), beta, &mut out_i);
                }
            })
        });
        // Inference keeps nothing for a backward pass; its input goes back for the layer
        // before to write into.
        match mode {
            Mode::Train => self.x = Some(x),
            Mode::Eval => {
                self.x = None;
                self.released.put(x.into_dyn());
            }
        }
        Ok(out.into_dyn())
    }

    pub(super) fn backward_fast(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let x_dim = self
            .x
            .as_ref()
            .ok_or(LayerError::NoForward("Conv2d"))?
            .dim();
        let (n, c, h, wd) = x_dim;
        let [_, fnum, oh, ow] = self.out_dims(&[n, c, h, wd])?;
        expect_same("Conv2d", dout.shape(), &[n, fnum, oh, ow])?;
        let Some(x) = self.x.take() else {
            unreachable!("checked above")
        };
        let plane = oh * ow;
        let geometry = self.config.geometry();
        let cols = c * geometry.kernel_h * geometry.kernel_w;
        let Some(xs) = x.as_slice() else {
            unreachable!("kept in standard layout")
        };
        let dout = crate::shape::standard(dout);
        let Some(ds) = dout.as_slice() else {
            unreachable!("standard layout")
        };
        // dW = Σ_images dout_i · col_iᵀ and db = Σ dout, summed over a fixed number of parts
        // (not threads) and then in part order, so the result does not depend on the thread
        // count. Each part sums into its slice of a buffer the layer keeps.
        let parts = REDUCTION_PARTS.clamp(1, n.max(1));
        let stride = cols * fnum + fnum;
        let mut partials = std::mem::take(&mut self.partials);
        partials.resize(parts * stride, F::zero());
        for_each_chunk_mut(&mut partials, stride, parts, |r, chunk| {
            for (k, part) in r.enumerate() {
                let (dwt, db) = chunk[k * stride..(k + 1) * stride].split_at_mut(cols * fnum);
                dwt.fill(F::zero());
                db.fill(F::zero());
                // Summed transposed, dWᵀ = Σ col_i · dout_iᵀ: the GEMM then copies dout_i
                // (FN rows) instead of the FN-times larger col_i to line up its operands.
                // The same products in the same order, so the same bits.
                let mut dwt = view2_mut(dwt, cols, fnum);
                let images = part * n / parts..(part + 1) * n / parts;
                with_scratch(cols * plane, |col_i: &mut [F]| {
                    for img in images {
                        let image = &xs[img * c * h * wd..(img + 1) * c * h * wd];
                        sized(im2col_t_into(image, (c, h, wd), &geometry, col_i));
                        let d_i = view2(
                            &ds[img * fnum * plane..(img + 1) * fnum * plane],
                            fnum,
                            plane,
                        );
                        let col_i = view2(col_i, cols, plane);
                        matmul_into(F::one(), &col_i, &d_i.t(), F::one(), &mut dwt);
                        db.iter_mut()
                            .zip(d_i.rows())
                            .for_each(|(b, row)| *b += row.sum());
                    }
                });
            }
        });
        {
            let mut dw = crate::shape::reshaped(
                self.weight
                    .grad
                    .view_mut()
                    .into_shape_with_order((fnum, cols)),
                "Conv2d",
            );
            dw.fill(F::zero());
            let mut db = self.bias.as_mut().map(|b| b.grad.view_mut());
            if let Some(db) = &mut db {
                db.fill(F::zero());
            }
            for part in partials.chunks_exact(stride) {
                let (pw, pb) = part.split_at(cols * fnum);
                dw += &view2(pw, cols, fnum).t();
                if let Some(db) = &mut db {
                    db.iter_mut().zip(pb).for_each(|(a, &b)| *a += b);
                }
            }
        }
        self.partials = partials;
        // The input's buffer takes its gradient; the gradient received becomes the next
        // forward's output.
        let mut dx = x;
        if !self.input_gradient {
            dx.fill(F::zero());
        } else {
            // dcol_i (C·KH·KW, OH·OW) = Wᵀ · dout_i, then folded back image by image.
            let w = self.weight_matrix();
            let Some(dx_s) = dx.as_slice_mut() else {
                unreachable!("kept in standard layout")
            };
            for_each_chunk_mut(dx_s, c * h * wd, threads(), |r, chunk| {
                // Cleared here, in parallel and on a slice (a memset), not as an array on
                // one thread: the folds below add into it.
                chunk.fill(F::zero());
                with_scratch(cols * plane, |dcol: &mut [F]| {
                    for (k, img) in r.enumerate() {
                        let d_i = view2(
                            &ds[img * fnum * plane..(img + 1) * fnum * plane],
                            fnum,
                            plane,
                        );
                        let mut dcol_i = view2_mut(dcol, cols, plane);
                        matmul_into(F::one(), &w.t(), &d_i, F::zero(), &mut dcol_i);
                        let dx_i = &mut chunk[k * c * h * wd..(k + 1) * c * h * wd];
                        sized(col2im_t_add(dcol, (c, h, wd), &geometry, dx_i));
                    }
                })
            });
        }
        self.spare.put(dout.into_dyn());
        Ok(dx.into_dyn())
    }
}
