//! Max pooling: the largest value of each window.
//!
//! `y[n, c, i, j] = max over the window (i·s − p .. i·s − p + KH, j·s − p .. j·s − p + KW) of x`;
//! backward sends each `dout[n, c, i, j]` to the window's winner (`argmax`), so
//! `dx[n, c, u, v]` is the sum of `dout` over the windows that `(u, v)` won.

use nabla_tensor::ConvGeometry;
use nabla_tensor::parallel::{for_each_chunk_mut, for_each_chunk_pair_mut};
use ndarray::{Array4, ArrayD};

use crate::buffers::Spare;
use crate::shape::{check_pool, expect_same, fixed4, pool_dims, pool_output};
use crate::{Float, Layer, LayerError, Mode, Result};

/// Max pooling with kernel, stride and padding (padded cells never win, as in PyTorch).
///
/// The backward pass routes each gradient to the position that won the forward pass, the
/// first maximum in row-major window order on ties.
///
/// ```
/// use nabla_layers::{Layer, MaxPool2d, Mode};
/// use ndarray::ArrayD;
/// let mut pool = MaxPool2d::new((2, 2), 2, 0)?;
/// let x = ndarray::array![[[[1.0f32, 4.0], [3.0, 2.0]]]].into_dyn();
/// assert_eq!(pool.forward(x, Mode::Train)?.into_raw_vec_and_offset().0, vec![4.0]);
/// let dx = pool.backward(ArrayD::<f32>::ones(vec![1, 1, 1, 1]))?;
/// assert_eq!(dx.into_raw_vec_and_offset().0, vec![0.0, 1.0, 0.0, 0.0]);
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `x: [n, c, h, w]` → `[n, c, out_h, out_w]`.
#[derive(Debug)]
pub struct MaxPool2d<F: Float> {
    geometry: ConvGeometry,
    /// Index, within its input plane, of each output's winner.
    argmax: Vec<u32>,
    x_shape: Option<(usize, usize, usize, usize)>,
    /// The last training input, whose buffer takes the input's gradient.
    input: Spare<F>,
    /// The last gradient received: the next forward's output buffer.
    spare: Spare<F>,
    /// An inference input, for [`Layer::release_input`].
    released: Spare<F>,
}

impl<F: Float> MaxPool2d<F> {
    /// A pooling layer; the padding must be smaller than the kernel.
    pub fn new(kernel: (usize, usize), stride: usize, padding: usize) -> Result<Self> {
        let geometry = ConvGeometry::new(kernel, stride, padding);
        check_pool("MaxPool2d", &geometry)?;
        Ok(MaxPool2d {
            geometry,
            argmax: Vec::new(),
            x_shape: None,
            input: Spare::default(),
            spare: Spare::default(),
            released: Spare::default(),
        })
    }
}

/// Parts the planes are cut into, whatever the thread count.
const PARTS: usize = 16;

impl<F: Float> Layer<F> for MaxPool2d<F> {
    fn kind(&self) -> &'static str {
        "MaxPool2d"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        let out_shape = pool_dims("MaxPool2d", &self.geometry, x.shape())?;
        let x: Array4<F> = crate::shape::standard(fixed4(x));
        let (n, c, h, w) = x.dim();
        let (oh, ow) = (out_shape[2], out_shape[3]);
        let g = self.geometry;
        let Some(xs) = x.as_slice() else {
            unreachable!("standard layout")
        };
        if h * w > u32::MAX as usize {
            return Err(LayerError::Shape {
                layer: "MaxPool2d",
                expected: "planes of fewer than 2^32 values".into(),
                got: vec![n, c, h, w],
            });
        }
        let plane_out = oh * ow;
        let mut out = self.spare.array(&out_shape);
        let Some(out_s) = out.as_slice_mut() else {
            unreachable!("standard layout")
        };
        let train = mode == Mode::Train;
        self.argmax
            .resize(if train { n * c * plane_out } else { 0 }, 0);
        let (kh, kw, s, p) = (g.kernel_h, g.kernel_w, g.stride, g.padding);
        // Planes are independent: pooled in parallel, a fixed number of planes per part.
        let arg_stride = if train { plane_out } else { 0 };
        for_each_chunk_pair_mut(
            out_s,
            plane_out,
            &mut self.argmax,
            arg_stride,
            PARTS,
            |r, out, args| {
                for (k, plane) in r.enumerate() {
                    let base = plane * h * w;
                    let src = &xs[base..base + h * w];
                    let dst = &mut out[k * plane_out..(k + 1) * plane_out];
                    let arg: &mut [u32] = if train {
                        &mut args[k * plane_out..(k + 1) * plane_out]
                    } else {
                        &mut []
                    };
                    if kh == 2 && kw == 2 && s == 2 && p == 0 {
                        // The common 2x2/2 case: no clipping, three comparisons per output, ties to
                        // the first; inference skips the argmax bookkeeping.
                        for i in 0..oh {
                            let r0 = &src[2 * i * w..2 * i * w + 2 * ow];
                            let r1 = &src[(2 * i + 1) * w..(2 * i + 1) * w + 2 * ow];
                            let d = &mut dst[i * ow..(i + 1) * ow];
                            let pairs = r0.chunks_exact(2).zip(r1.chunks_exact(2));
                            if !train {
                                for (o, (a, b)) in d.iter_mut().zip(pairs) {
                                    let top = if a[1] > a[0] { a[1] } else { a[0] };
                                    let bottom = if b[1] > b[0] { b[1] } else { b[0] };
                                    *o = if bottom > top { bottom } else { top };
                                }
                                continue;
                            }
                            let args = &mut arg[i * ow..(i + 1) * ow];
                            for (j, ((o, g), (a, b))) in
                                d.iter_mut().zip(args.iter_mut()).zip(pairs).enumerate()
                            {
                                let top_row = 2 * i * w + 2 * j;
                                let (mut best, mut at) = (a[0], top_row);
                                if a[1] > best {
                                    (best, at) = (a[1], top_row + 1);
                                }
                                if b[0] > best {
                                    (best, at) = (b[0], top_row + w);
                                }
                                if b[1] > best {
                                    (best, at) = (b[1], top_row + w + 1);
                                }
                                *o = best;
                                *g = at as u32;
                            }
                        }
                        continue;
                    }
                    for i in 0..oh {
                        // Clip the window to the input: padded cells never win.
                        let y0 = (i * s).saturating_sub(p);
                        let y1 = (i * s + kh - p).min(h);
                        for j in 0..ow {
                            let x0 = (j * s).saturating_sub(p);
                            let x1 = (j * s + kw - p).min(w);
                            let mut best_idx = y0 * w + x0;
                            let mut best = src[best_idx];
                            for y in y0..y1 {
                                let row = &src[y * w..y * w + x1];
                                for (xx, &v) in row.iter().enumerate().skip(x0) {
                                    if v > best {
                                        best = v;
                                        best_idx = y * w + xx;
                                    }
                                }
                            }
                            dst[i * ow + j] = best;
                            if train {
                                arg[i * ow + j] = best_idx as u32;
                            }
                        }
                    }
                }
            },
        );
        // An inference pass leaves nothing to backpropagate (the 2x2 path skips the argmax).
        self.x_shape = (mode == Mode::Train).then_some((n, c, h, w));
        // Training keeps the input's buffer for its gradient; inference gives it back.
        match mode {
            Mode::Train => self.input.put(x.into_dyn()),
            Mode::Eval => self.released.put(x.into_dyn()),
        }
        Ok(out)
    }

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let (n, c, h, w) = self.x_shape.ok_or(LayerError::NoForward("MaxPool2d"))?;
        let out_shape = pool_dims("MaxPool2d", &self.geometry, &[n, c, h, w])?;
        expect_same("MaxPool2d", dout.shape(), &out_shape)?;
        let dout = crate::shape::standard(dout);
        let Some(ds) = dout.as_slice() else {
            unreachable!("standard layout")
        };
        let (plane_in, plane_out) = (h * w, out_shape[2] * out_shape[3]);
        let argmax = &self.argmax;
        // The input's buffer when it is kept (a training forward), else a new one.
        let mut dx = self.input.array(&[n, c, h, w]);
        let Some(dx_s) = dx.as_slice_mut() else {
            unreachable!("standard layout")
        };
        for_each_chunk_mut(dx_s, plane_in, PARTS, |r, dx| {
            // Cleared here, in parallel and on a slice (a memset), not as an array on one
            // thread: the winners' gradients are added into it.
            dx.fill(F::zero());
            for (k, plane) in r.enumerate() {
                let dx = &mut dx[k * plane_in..(k + 1) * plane_in];
                let span = plane * plane_out..(plane + 1) * plane_out;
                for (&at, &d) in argmax[span.clone()].iter().zip(&ds[span]) {
                    dx[at as usize] += d;
                }
            }
        });
        self.spare.put(dout.into_dyn());
        Ok(dx)
    }

    fn release_input(&mut self) -> Option<ArrayD<F>> {
        self.released.take()
    }

    fn recycle(&mut self, spent: ArrayD<F>) -> Option<ArrayD<F>> {
        self.spare.offer(spent)
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        pool_output("MaxPool2d", &self.geometry, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;
    use crate::testutil::distinct;
    use crate::testutil::pool_case;
    use proptest::prelude::*;

    /// The reference: the maximum over an explicitly `-inf`-padded input.
    fn pool_naive(x: &Array4<f64>, g: &ConvGeometry) -> Array4<f64> {
        let (n, c, h, w) = x.dim();
        let xp = crate::testutil::padded(x, g.padding, f64::NEG_INFINITY);
        let (oh, ow) = g.out_hw(h, w).unwrap();
        let (s, kh, kw) = (g.stride, g.kernel_h, g.kernel_w);
        Array4::from_shape_fn((n, c, oh, ow), |(a, b, i, j)| {
            let window = crate::testutil::window(&xp, (a, b), i * s..i * s + kh, j * s..j * s + kw);
            window.fold(f64::NEG_INFINITY, |m, &v| m.max(v))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn gradient_check((g, shape, seed) in pool_case()) {
            let mut pool = MaxPool2d::new((g.kernel_h, g.kernel_w), g.stride, g.padding).unwrap();
            let report = check_layer(&mut pool, &distinct(&shape, seed), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }

        #[test]
        fn forward_equals_naive((g, shape, seed) in pool_case()) {
            let mut pool = MaxPool2d::new((g.kernel_h, g.kernel_w), g.stride, g.padding).unwrap();
            let x = crate::testutil::random(&shape, seed);
            let y = pool.forward(x.clone(), Mode::Eval).unwrap();
            prop_assert_eq!(y.into_dimensionality().unwrap(), pool_naive(&x.into_dimensionality().unwrap(), &g));
        }
    }

    #[test]
    fn ties_go_to_the_first_maximum() {
        let mut pool = MaxPool2d::new((2, 2), 2, 0).unwrap();
        pool.forward(ArrayD::<f64>::ones(vec![1, 1, 2, 2]), Mode::Train)
            .unwrap();
        let dx = Layer::<f64>::backward(&mut pool, ArrayD::ones(vec![1, 1, 1, 1])).unwrap();
        assert_eq!(dx.into_raw_vec_and_offset().0, vec![1.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn padding_must_be_smaller_than_kernel() {
        assert!(MaxPool2d::<f32>::new((2, 2), 2, 2).is_err());
    }
}
