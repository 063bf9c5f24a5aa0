//! The fast path: the reference's numbers, image by image, in parallel, with no batch-sized
//! unfolded matrix.

use nabla_tensor::parallel::{for_each_chunk_mut, map_ranges, threads};
use nabla_tensor::{col2im_t_add, im2col_t_into, matmul_into};
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewMut2};

use super::Conv2d;
use crate::shape::{expect_same, fixed4};
use crate::{Float, Layer, LayerError, Mode, Result};

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

impl<F: Float> Conv2d<F> {
    pub(super) fn forward_fast(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        let out_shape = self.output_shape(x.shape())?;
        let x = fixed4(x);
        // Only a view in another layout pays for a copy.
        let x = if x.is_standard_layout() {
            x
        } else {
            x.as_standard_layout().into_owned()
        };
        let (n, c, h, wd) = x.dim();
        let (fnum, plane) = (out_shape[1], out_shape[2] * out_shape[3]);
        let geometry = self.config.geometry();
        let cols = c * geometry.kernel_h * geometry.kernel_w;
        let Some(xs) = x.as_slice() else {
            unreachable!("standard layout")
        };
        let w = self.weight_matrix();
        let bias = self.bias.as_ref().map(|b| b.value.view());
        let mut out = vec![F::zero(); n * fnum * plane];
        let failure = std::sync::Mutex::new(None);
        // Images are independent: unfold and multiply them in parallel, one chunk per thread,
        // each image's windows as a (C·KH·KW, OH·OW) matrix in one buffer per chunk.
        for_each_chunk_mut(&mut out, fnum * plane, threads(), |r, out_chunk| {
            let mut col_i = vec![F::zero(); cols * plane];
            for (k, img) in r.enumerate() {
                let image = &xs[img * c * h * wd..(img + 1) * c * h * wd];
                if let Err(e) = im2col_t_into(image, (c, h, wd), &geometry, &mut col_i) {
                    if let Ok(mut slot) = failure.lock() {
                        *slot = Some(e);
                    }
                    return;
                }
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
                    None => F::zero(),
                };
                // out_i (FN, OH·OW) = W (FN, C·KH·KW) · col_i: the output is already NCHW.
                matmul_into(F::one(), &w, &view2(&col_i, cols, plane), beta, &mut out_i);
            }
        });
        if let Some(e) = failure.into_inner().ok().flatten() {
            return Err(e.into());
        }
        // Inference keeps nothing for a backward pass.
        self.x = (mode == Mode::Train).then_some(x);
        Ok(crate::shape::reshaped(
            ArrayD::from_shape_vec(out_shape, out),
            "Conv2d",
        ))
    }

    pub(super) fn backward_fast(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let x = self.x.as_ref().ok_or(LayerError::NoForward("Conv2d"))?;
        let x_shape = x.dim();
        let out_shape = self.output_shape(&[x_shape.0, x_shape.1, x_shape.2, x_shape.3])?;
        expect_same("Conv2d", dout.shape(), &out_shape)?;
        let (n, fnum, plane) = (out_shape[0], out_shape[1], out_shape[2] * out_shape[3]);
        let geometry = self.config.geometry();
        let (c, h, wd) = (x_shape.1, x_shape.2, x_shape.3);
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
        // count.
        let partials = map_ranges(n, REDUCTION_PARTS, |r| {
            // Summed transposed, dWᵀ = Σ col_i · dout_iᵀ: the GEMM then copies dout_i (FN
            // rows) instead of the FN-times larger col_i to line up its operands. The same
            // products in the same order, so the same bits.
            let mut dwt = Array2::<F>::zeros((cols, fnum));
            let mut db = vec![F::zero(); fnum];
            let mut col_i = vec![F::zero(); cols * plane];
            for img in r {
                let image = &xs[img * c * h * wd..(img + 1) * c * h * wd];
                im2col_t_into(image, (c, h, wd), &geometry, &mut col_i)?;
                let d_i = view2(
                    &ds[img * fnum * plane..(img + 1) * fnum * plane],
                    fnum,
                    plane,
                );
                let col_i = view2(&col_i, cols, plane);
                matmul_into(F::one(), &col_i, &d_i.t(), F::one(), &mut dwt.view_mut());
                db.iter_mut()
                    .zip(d_i.rows())
                    .for_each(|(b, row)| *b += row.sum());
            }
            Ok::<_, nabla_tensor::TensorError>((dwt, db))
        });
        let mut dw = Array2::<F>::zeros((fnum, cols));
        let mut db = vec![F::zero(); fnum];
        for part in partials {
            let (pw, pb) = part?;
            dw += &pw.t();
            db.iter_mut().zip(pb).for_each(|(a, b)| *a += b);
        }
        self.weight.grad.assign(&crate::shape::reshaped(
            dw.into_shape_with_order(self.weight.value.raw_dim()),
            "Conv2d",
        ));
        if let Some(b) = &mut self.bias {
            b.grad.iter_mut().zip(db).for_each(|(g, v)| *g = v);
        }
        if !self.input_gradient {
            return Ok(ArrayD::zeros(vec![
                x_shape.0, x_shape.1, x_shape.2, x_shape.3,
            ]));
        }
        // dcol_i (C·KH·KW, OH·OW) = Wᵀ · dout_i, then folded back image by image.
        let w = self.weight_matrix();
        let mut dx = vec![F::zero(); n * c * h * wd];
        let failure = std::sync::Mutex::new(None);
        for_each_chunk_mut(&mut dx, c * h * wd, threads(), |r, chunk| {
            // One image's dcol at a time, one buffer per chunk.
            let mut dcol = vec![F::zero(); cols * plane];
            for (k, img) in r.enumerate() {
                let d_i = view2(
                    &ds[img * fnum * plane..(img + 1) * fnum * plane],
                    fnum,
                    plane,
                );
                let mut dcol_i = view2_mut(&mut dcol, cols, plane);
                matmul_into(F::one(), &w.t(), &d_i, F::zero(), &mut dcol_i);
                let dx_i = &mut chunk[k * c * h * wd..(k + 1) * c * h * wd];
                if let Err(e) = col2im_t_add(&dcol, (c, h, wd), &geometry, dx_i) {
                    if let Ok(mut slot) = failure.lock() {
                        *slot = Some(e);
                    }
                    return;
                }
            }
        });
        if let Some(e) = failure.into_inner().ok().flatten() {
            return Err(e.into());
        }
        Ok(crate::shape::reshaped(
            ArrayD::from_shape_vec(vec![n, c, h, wd], dx),
            "Conv2d",
        ))
    }
}
