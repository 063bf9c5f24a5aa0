//! 2-D convolution through im2col: unfold the windows, then one matrix product.

use nabla_init::{Dist, Init};
use nabla_tensor::parallel::{for_each_chunk_mut, map_ranges, threads};
use nabla_tensor::{ConvGeometry, col2im_t_add, im2col_t_into, matmul_into};
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewMut2};
use rand::Rng;

use crate::shape::{expect_rank, expect_same, fixed4};
use crate::{Float, Layer, LayerError, Mode, Param, ParamKind, Result};

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

/// Settings of a [`Conv2d`] layer.
#[derive(Debug, Clone, Copy, PartialEq)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct Conv2dConfig {
    /// Input channels `C`.
    pub in_channels: usize,
    /// Output channels (filters) `FN`.
    pub out_channels: usize,
    /// Kernel `(KH, KW)`.
    pub kernel: (usize, usize),
    /// Stride along both axes (default 1).
    pub stride: usize,
    /// Zero padding on every side (default 0).
    pub padding: usize,
    /// Weight initializer (default He normal).
    pub init: Init,
    /// Whether the layer has a bias (default yes).
    pub bias: bool,
}

impl Conv2dConfig {
    /// `in_channels → out_channels` with a square `kernel`, stride 1, no padding, He init.
    pub fn new(in_channels: usize, out_channels: usize, kernel: usize) -> Self {
        Conv2dConfig {
            in_channels,
            out_channels,
            kernel: (kernel, kernel),
            stride: 1,
            padding: 0,
            init: Init::He(Dist::Normal),
            bias: true,
        }
    }

    /// The same with a rectangular `(KH, KW)` kernel.
    ///
    /// ```
    /// use nabla_layers::Conv2dConfig;
    /// let config = Conv2dConfig::new(3, 8, 3).with_kernel((1, 5)).with_padding(0);
    /// assert_eq!(config.geometry().out_hw(10, 10)?, (10, 6));
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    #[must_use]
    pub fn with_kernel(mut self, kernel: (usize, usize)) -> Self {
        self.kernel = kernel;
        self
    }

    /// The same with another stride (one for both axes: the geometry has a single stride).
    #[must_use]
    pub fn with_stride(mut self, stride: usize) -> Self {
        self.stride = stride;
        self
    }

    /// The same with another padding.
    #[must_use]
    pub fn with_padding(mut self, padding: usize) -> Self {
        self.padding = padding;
        self
    }

    /// The same with another weight initializer.
    #[must_use]
    pub fn with_init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// The window geometry.
    pub fn geometry(&self) -> ConvGeometry {
        ConvGeometry::new(self.kernel, self.stride, self.padding)
    }
}

/// Convolution with weight `(FN, C, KH, KW)` and bias `(FN)`.
///
/// Forward: `col = im2col(x)` (`(N·OH·OW, C·KH·KW)`), `out = col · Wᵀ + b` as `(N, FN, OH,
/// OW)`. Backward: `dW = doutᵀ · col`, `db = Σ dout`, `dx = col2im(dout · W)`. The products run
/// image by image (`out_i = W · col_iᵀ` lands directly in NCHW order, no transposition copy),
/// spread over threads; the `col` buffer is kept for backward and reused across calls.
///
/// ```
/// use nabla_layers::{Conv2d, Conv2dConfig, Layer, Mode};
/// use ndarray::{ArrayD, IxDyn};
/// use rand::SeedableRng;
/// let config = Conv2dConfig::new(1, 30, 5);
/// let mut conv = Conv2d::<f32>::new(&config, &mut rand::rngs::StdRng::seed_from_u64(0))?;
/// let y = conv.forward(ArrayD::zeros(IxDyn(&[2, 1, 28, 28])), Mode::Train)?;
/// assert_eq!(y.shape(), &[2, 30, 24, 24]);
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `x: [n, c, h, w]` → `[n, fn, out_h, out_w]` with `out_h = (h + 2p − kh) / s + 1`.
#[derive(Debug)]
pub struct Conv2d<F: Float> {
    config: Conv2dConfig,
    weight: Param<F>,
    bias: Option<Param<F>>,
    /// The last training input, kept for the weight gradient. Its windows are unfolded
    /// again image by image in backward rather than kept for the whole batch: one image's
    /// unfolded windows stay in cache, a batch's (nine times the input for a 3x3 kernel)
    /// would be written to memory and read back twice.
    x: Option<ndarray::Array4<F>>,
    /// See [`Layer::set_input_gradient`].
    input_gradient: bool,
}

impl<F: Float> Conv2d<F> {
    /// A new layer with weights drawn from `rng`.
    pub fn new<R: Rng + ?Sized>(config: &Conv2dConfig, rng: &mut R) -> Result<Self> {
        config.geometry().validate()?;
        if config.in_channels == 0 || config.out_channels == 0 {
            return Err(LayerError::Config {
                layer: "Conv2d",
                reason: format!("{config:?} has zero channels"),
            });
        }
        let shape = [
            config.out_channels,
            config.in_channels,
            config.kernel.0,
            config.kernel.1,
        ];
        let weight = Param::new(config.init.sample(&shape, rng)?, ParamKind::Weight);
        let bias = config
            .bias
            .then(|| Param::new(ArrayD::zeros(vec![config.out_channels]), ParamKind::Bias));
        Ok(Conv2d {
            config: *config,
            weight,
            bias,
            x: None,
            input_gradient: true,
        })
    }

    /// A layer with the given weight `(FN, C, KH, KW)` and bias `(FN)`, stride and padding:
    /// for porting a trained model or writing a test with known numbers. No RNG involved.
    ///
    /// ```
    /// use nabla_layers::{Conv2d, Layer, Mode};
    /// use nabla_layers::ndarray::{Array1, Array4, ArrayD, IxDyn};
    /// // One 2x2 filter that sums its window, bias 0.5, stride 1, no padding.
    /// let mut conv =
    ///     Conv2d::<f64>::from_parts(Array4::ones((1, 1, 2, 2)), Some(Array1::from(vec![0.5])), 1, 0)?;
    /// let y = conv.forward(ArrayD::ones(IxDyn(&[1, 1, 3, 3])), Mode::Eval)?;
    /// assert_eq!(y.shape(), &[1, 1, 2, 2]);
    /// assert!(y.iter().all(|&v| v == 4.5));
    /// assert_eq!(conv.weight().value.shape(), &[1, 1, 2, 2]);
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn from_parts(
        weight: ndarray::Array4<F>,
        bias: Option<ndarray::Array1<F>>,
        stride: usize,
        padding: usize,
    ) -> Result<Self> {
        let (fnum, c, kh, kw) = weight.dim();
        if let Some(b) = &bias {
            if b.len() != fnum {
                return Err(LayerError::Config {
                    layer: "Conv2d",
                    reason: format!("bias of {} for {fnum} filters", b.len()),
                });
            }
        }
        let mut config = Conv2dConfig::new(c, fnum, kh)
            .with_stride(stride)
            .with_padding(padding);
        config.kernel = (kh, kw);
        config.bias = bias.is_some();
        config.geometry().validate()?;
        if c == 0 || fnum == 0 {
            return Err(LayerError::Config {
                layer: "Conv2d",
                reason: format!("a weight of shape {:?} has zero channels", weight.shape()),
            });
        }
        Ok(Conv2d {
            config,
            weight: Param::new(crate::shape::standard(weight).into_dyn(), ParamKind::Weight),
            bias: bias.map(|b| Param::new(b.into_dyn(), ParamKind::Bias)),
            x: None,
            input_gradient: true,
        })
    }

    /// The weight `(FN, C, KH, KW)` and its gradient from the last backward pass.
    pub fn weight(&self) -> &Param<F> {
        &self.weight
    }

    /// The bias `(FN)` and its gradient, if the layer has one.
    pub fn bias(&self) -> Option<&Param<F>> {
        self.bias.as_ref()
    }

    /// The layer's settings.
    pub fn config(&self) -> &Conv2dConfig {
        &self.config
    }

    /// The weight as a `(FN, C·KH·KW)` matrix.
    fn weight_matrix(&self) -> ndarray::ArrayView2<'_, F> {
        let c = &self.config;
        let cols = c.in_channels * c.kernel.0 * c.kernel.1;
        match self
            .weight
            .value
            .view()
            .into_shape_with_order((c.out_channels, cols))
        {
            Ok(w) => w,
            Err(_) => unreachable!("the weight is created contiguous with this size"),
        }
    }
}

impl<F: Float> Layer<F> for Conv2d<F> {
    fn kind(&self) -> &'static str {
        "Conv2d"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
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

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
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
            let mut dw = Array2::<F>::zeros((fnum, cols));
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
                matmul_into(F::one(), &d_i, &col_i.t(), F::one(), &mut dw.view_mut());
                db.iter_mut()
                    .zip(d_i.rows())
                    .for_each(|(b, row)| *b += row.sum());
            }
            Ok::<_, nabla_tensor::TensorError>((dw, db))
        });
        let mut dw = Array2::<F>::zeros((fnum, cols));
        let mut db = vec![F::zero(); fnum];
        for part in partials {
            let (pw, pb) = part?;
            dw += &pw;
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

    fn set_input_gradient(&mut self, needed: bool) {
        self.input_gradient = needed;
    }

    fn params(&self, f: &mut dyn FnMut(&str, &Param<F>)) {
        f("weight", &self.weight);
        if let Some(b) = &self.bias {
            f("bias", b);
        }
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>)) {
        f("weight", &mut self.weight);
        if let Some(b) = &mut self.bias {
            f("bias", b);
        }
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let c = &self.config;
        expect_rank("Conv2d", input, 4, &format!("[n, {}, h, w]", c.in_channels))?;
        if input[1] != c.in_channels {
            return Err(LayerError::Shape {
                layer: "Conv2d",
                expected: format!("[n, {}, h, w]", c.in_channels),
                got: input.to_vec(),
            });
        }
        let (oh, ow) = c.geometry().out_hw(input[2], input[3])?;
        Ok(vec![input[0], c.out_channels, oh, ow])
    }

    fn macs(&self, input: &[usize]) -> u64 {
        let c = &self.config;
        match self.output_shape(input) {
            Ok(out) => (out[1] * out[2] * out[3] * c.in_channels * c.kernel.0 * c.kernel.1) as u64,
            Err(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;
    use crate::testutil::random;
    use ndarray::Array4;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn from_parts_matches_the_naive_convolution_with_a_rectangular_kernel() {
        let w = random(&[3, 2, 2, 3], 5)
            .into_dimensionality::<ndarray::Ix4>()
            .unwrap();
        let b = [0.1, -0.2, 0.3];
        let x = random(&[2, 2, 5, 6], 6);
        let mut conv =
            Conv2d::from_parts(w.clone(), Some(ndarray::Array1::from(b.to_vec())), 2, 1).unwrap();
        assert_eq!(conv.config().kernel, (2, 3));
        let y = conv.forward(x.clone(), Mode::Eval).unwrap();
        let x4 = x.into_dimensionality::<ndarray::Ix4>().unwrap();
        let expected = conv_naive(&x4, &w, &b, 2, 1);
        assert!((&y - &expected.into_dyn()).iter().all(|d| d.abs() < 1e-12));
        let bad = Conv2d::from_parts(w, Some(ndarray::Array1::from(vec![0.0; 2])), 1, 0);
        assert!(matches!(bad, Err(LayerError::Config { .. })));
    }

    /// The reference: six nested loops over an explicitly padded input.
    fn conv_naive(x: &Array4<f64>, w: &Array4<f64>, b: &[f64], s: usize, p: usize) -> Array4<f64> {
        let (n, c, h, wd) = x.dim();
        let (fnum, _, kh, kw) = w.dim();
        let mut xp = Array4::zeros((n, c, h + 2 * p, wd + 2 * p));
        xp.slice_mut(ndarray::s![.., .., p..p + h, p..p + wd])
            .assign(x);
        let (oh, ow) = ((h + 2 * p - kh) / s + 1, (wd + 2 * p - kw) / s + 1);
        Array4::from_shape_fn((n, fnum, oh, ow), |(i, f, y, xx)| {
            let mut acc = b[f];
            for ch in 0..c {
                for ky in 0..kh {
                    for kx in 0..kw {
                        acc += xp[[i, ch, y * s + ky, xx * s + kx]] * w[[f, ch, ky, kx]];
                    }
                }
            }
            acc
        })
    }

    fn case() -> impl Strategy<Value = (Conv2dConfig, [usize; 4], u64)> {
        (
            1usize..3,
            1usize..4,
            1usize..4,
            1usize..4,
            1usize..4,
            1usize..3,
            0usize..3,
            1usize..7,
            1usize..7,
            any::<u64>(),
        )
            .prop_filter_map(
                "kernel must fit",
                |(n, c, fnum, kh, kw, s, p, h, w, seed)| {
                    let mut config = Conv2dConfig::new(c, fnum, kh)
                        .with_stride(s)
                        .with_padding(p);
                    config.kernel = (kh, kw);
                    config
                        .geometry()
                        .out_hw(h, w)
                        .ok()
                        .map(|_| (config, [n, c, h, w], seed))
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn gradient_check((config, shape, seed) in case()) {
            let mut conv = Conv2d::<f64>::new(&config, &mut StdRng::seed_from_u64(seed)).unwrap();
            conv.visit_params(&mut |_, p| p.value.mapv_inplace(|v| v + 0.05));
            let report = check_layer(&mut conv, &random(&shape, seed), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }

        #[test]
        fn forward_equals_naive_loops((config, shape, seed) in case()) {
            let mut conv = Conv2d::<f64>::new(&config, &mut StdRng::seed_from_u64(seed)).unwrap();
            let bias: Vec<f64> = (0..config.out_channels).map(|f| f as f64 * 0.25 - 0.1).collect();
            conv.visit_params(&mut |name, p| if name == "bias" { p.value.assign(&ndarray::arr1(&bias)) });
            let x = random(&shape, seed);
            let w = conv.weight.value.clone().into_dimensionality().unwrap();
            let y = conv.forward(x.clone(), Mode::Eval).unwrap();
            let reference = conv_naive(&x.into_dimensionality().unwrap(), &w, &bias, config.stride, config.padding);
            for (a, r) in y.iter().zip(reference.iter()) {
                prop_assert!((a - r).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn wrong_channels_is_an_error() {
        let mut conv =
            Conv2d::<f32>::new(&Conv2dConfig::new(3, 4, 3), &mut StdRng::seed_from_u64(0)).unwrap();
        let err = conv
            .forward(ArrayD::zeros(vec![1, 1, 8, 8]), Mode::Train)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Conv2d: expected input of shape [n, 3, h, w], got [1, 1, 8, 8]"
        );
        let err = conv
            .forward(ArrayD::zeros(vec![1, 3, 2, 2]), Mode::Train)
            .unwrap_err();
        assert!(
            err.to_string().contains("larger than the padded input"),
            "{err}"
        );
    }
}
