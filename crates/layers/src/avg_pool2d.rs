//! Average pooling: the mean of each window.
//!
//! `y[n, c, i, j] = Σ over the window of x / (KH·KW)` (padding counts as zeros); backward
//! spreads each `dout[n, c, i, j] / (KH·KW)` over its window, adding where windows overlap.

use nabla_tensor::ConvGeometry;
use ndarray::{Array4, ArrayD};

use crate::buffers::Spare;
use crate::shape::{check_pool, expect_same, fixed4, pool_dims, pool_output};
use crate::{Float, Layer, LayerError, Mode, Result};

/// Average pooling with kernel, stride and padding. Padded cells count as zeros and the
/// divisor is always `KH·KW` (PyTorch's `count_include_pad=True`).
///
/// ```
/// use nabla_layers::{AvgPool2d, Layer, Mode};
/// let mut pool = AvgPool2d::new((2, 2), 2, 0)?;
/// let x = ndarray::array![[[[1.0f32, 4.0], [3.0, 2.0]]]].into_dyn();
/// assert_eq!(pool.forward(x, Mode::Train)?.into_raw_vec_and_offset().0, vec![2.5]);
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `x: [n, c, h, w]` → `[n, c, out_h, out_w]`.
#[derive(Debug)]
pub struct AvgPool2d<F: Float> {
    geometry: ConvGeometry,
    x_shape: Option<(usize, usize, usize, usize)>,
    /// The last training input, whose buffer takes the input's gradient.
    input: Spare<F>,
    /// The last gradient received: the next forward's output buffer.
    spare: Spare<F>,
    /// An inference input, for [`Layer::release_input`].
    released: Spare<F>,
}

impl<F: Float> AvgPool2d<F> {
    /// A pooling layer; the padding must be smaller than the kernel.
    pub fn new(kernel: (usize, usize), stride: usize, padding: usize) -> Result<Self> {
        let geometry = ConvGeometry::new(kernel, stride, padding);
        check_pool("AvgPool2d", &geometry)?;
        Ok(AvgPool2d {
            geometry,
            x_shape: None,
            input: Spare::default(),
            spare: Spare::default(),
            released: Spare::default(),
        })
    }

    /// Calls `f(output_index, input_index)` for every input pixel of every window.
    fn for_each_tap(
        &self,
        (n, c, h, w): (usize, usize, usize, usize),
        mut f: impl FnMut(usize, usize),
    ) {
        let g = self.geometry;
        let Ok((oh, ow)) = g.out_hw(h, w) else { return };
        for plane in 0..n * c {
            for i in 0..oh {
                let y0 = (i * g.stride) as isize - g.padding as isize;
                for j in 0..ow {
                    let x0 = (j * g.stride) as isize - g.padding as isize;
                    let out_idx = (plane * oh + i) * ow + j;
                    for y in y0.max(0)..(y0 + g.kernel_h as isize).min(h as isize) {
                        for xx in x0.max(0)..(x0 + g.kernel_w as isize).min(w as isize) {
                            f(out_idx, plane * h * w + y as usize * w + xx as usize);
                        }
                    }
                }
            }
        }
    }
}

impl<F: Float> Layer<F> for AvgPool2d<F> {
    fn kind(&self) -> &'static str {
        "AvgPool2d"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        let out_shape = pool_dims("AvgPool2d", &self.geometry, x.shape())?;
        let x: Array4<F> = crate::shape::standard(fixed4(x));
        let Some(xs) = x.as_slice() else {
            unreachable!("standard layout")
        };
        let mut out = self.spare.array(&out_shape);
        out.fill(F::zero());
        let Some(out_s) = out.as_slice_mut() else {
            unreachable!("standard layout")
        };
        self.for_each_tap(x.dim(), |o, i| out_s[o] += xs[i]);
        let area = F::of((self.geometry.kernel_h * self.geometry.kernel_w) as f64);
        out.iter_mut().for_each(|v| *v /= area);
        self.x_shape = (mode == Mode::Train).then(|| x.dim());
        // Training keeps the input's buffer for its gradient; inference gives it back.
        match mode {
            Mode::Train => self.input.put(x.into_dyn()),
            Mode::Eval => self.released.put(x.into_dyn()),
        }
        Ok(out)
    }

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let shape = self.x_shape.ok_or(LayerError::NoForward("AvgPool2d"))?;
        let out_shape = pool_dims(
            "AvgPool2d",
            &self.geometry,
            &[shape.0, shape.1, shape.2, shape.3],
        )?;
        expect_same("AvgPool2d", dout.shape(), &out_shape)?;
        let dout = crate::shape::standard(dout);
        let Some(ds) = dout.as_slice() else {
            unreachable!("standard layout")
        };
        let area = F::of((self.geometry.kernel_h * self.geometry.kernel_w) as f64);
        let mut dx = self.input.array(&[shape.0, shape.1, shape.2, shape.3]);
        dx.fill(F::zero());
        let Some(dx_s) = dx.as_slice_mut() else {
            unreachable!("standard layout")
        };
        self.for_each_tap(shape, |o, i| dx_s[i] += ds[o] / area);
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
        pool_output("AvgPool2d", &self.geometry, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;
    use crate::testutil::pool_case;
    use crate::testutil::{random, window};
    use proptest::prelude::*;

    /// The reference: the sum over an explicitly zero-padded input, divided by the area.
    fn pool_naive(x: &Array4<f64>, g: &ConvGeometry) -> Array4<f64> {
        let (n, c, h, w) = x.dim();
        let xp = crate::testutil::padded(x, g.padding, 0.0);
        let (oh, ow) = g.out_hw(h, w).unwrap();
        let (s, kh, kw) = (g.stride, g.kernel_h, g.kernel_w);
        Array4::from_shape_fn((n, c, oh, ow), |(a, b, i, j)| {
            let window = window(&xp, (a, b), i * s..i * s + kh, j * s..j * s + kw);
            window.sum() / (kh * kw) as f64
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn gradient_check((g, shape, seed) in pool_case()) {
            let mut pool = AvgPool2d::new((g.kernel_h, g.kernel_w), g.stride, g.padding).unwrap();
            let report = check_layer(&mut pool, &random(&shape, seed), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }

        #[test]
        fn forward_equals_naive((g, shape, seed) in pool_case()) {
            let mut pool = AvgPool2d::new((g.kernel_h, g.kernel_w), g.stride, g.padding).unwrap();
            let x = random(&shape, seed);
            let y: Array4<f64> = pool.forward(x.clone(), Mode::Eval).unwrap().into_dimensionality().unwrap();
            let reference = pool_naive(&x.into_dimensionality().unwrap(), &g);
            for (a, r) in y.iter().zip(reference.iter()) {
                prop_assert!((a - r).abs() < 1e-12);
            }
        }
    }
}
