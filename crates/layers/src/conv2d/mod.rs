//! 2-D convolution, as the textbook does it and as it runs fast.
//!
//! **The idea** ([`Conv2d::forward_reference`], [`Conv2d::backward_reference`], in
//! `reference.rs`): unfold every window of the batch into one row of a matrix,
//! `col = im2col(x)` of shape `(N·OH·OW, C·KH·KW)`; then the whole convolution is one matrix
//! product with the filters as columns, `out = col · Wᵀ + b`, reshaped to `(N, FN, OH, OW)`.
//! Backward is the product rule for that one product: `dW = doutᵀ · col`, `db = Σ dout` and
//! `dcol = dout · W`, folded back onto the input with `dx = col2im(dcol)`, the adjoint of
//! `im2col` (it adds up the overlapping windows).
//!
//! **The fast path** (the [`Layer`] impl, in `fast.rs`) computes the same numbers image by
//! image: each image's windows as a `(C·KH·KW, OH·OW)` matrix, so that `W · col_i` lands in
//! NCHW order without a transpose, one image's buffer in cache at a time, images spread over
//! threads and the weight gradient summed over a fixed number of parts so that the thread
//! count never changes a bit. Tests hold it to the reference, and both to a numerical gradient.

use nabla_init::{Dist, Init};
use nabla_tensor::ConvGeometry;
use ndarray::ArrayD;
use rand::Rng;

use crate::buffers::Spare;
use crate::shape::expect_rank;
use crate::{Float, Layer, LayerError, Mode, Param, ParamKind, Result};

mod fast;
mod reference;

pub use reference::ConvGradients;

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
/// OW)`. Backward: `dW = doutᵀ · col`, `db = Σ dout`, `dx = col2im(dout · W)`. See the module
/// docs for how the fast path computes the same, and [`Conv2d::forward_reference`] for the
/// formula as code.
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
    /// The last gradient received: the next forward's output buffer.
    spare: Spare<F>,
    /// Each reduction part's weight and bias gradient sums, kept between steps.
    partials: Vec<F>,
    /// An inference input, for [`Layer::release_input`].
    released: Spare<F>,
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
            spare: Spare::default(),
            partials: Vec::new(),
            released: Spare::default(),
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
        if let Some(b) = &bias
            && b.len() != fnum
        {
            return Err(LayerError::Config {
                layer: "Conv2d",
                reason: format!("bias of {} for {fnum} filters", b.len()),
            });
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
            spare: Spare::default(),
            partials: Vec::new(),
            released: Spare::default(),
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

    /// The output shape `[n, FN, OH, OW]` for an input of shape `input`, or the error
    /// `forward` gives (allocating only then).
    fn out_dims(&self, input: &[usize]) -> Result<[usize; 4]> {
        let c = &self.config;
        if input.len() != 4 || input[1] != c.in_channels {
            let expected = format!("[n, {}, h, w]", c.in_channels);
            expect_rank("Conv2d", input, 4, &expected)?;
            return Err(LayerError::Shape {
                layer: "Conv2d",
                expected,
                got: input.to_vec(),
            });
        }
        let (oh, ow) = c.geometry().out_hw(input[2], input[3])?;
        Ok([input[0], c.out_channels, oh, ow])
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
        self.forward_fast(x, mode)
    }

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        self.backward_fast(dout)
    }

    fn set_input_gradient(&mut self, needed: bool) {
        self.input_gradient = needed;
    }

    fn release_input(&mut self) -> Option<ArrayD<F>> {
        self.released.take()
    }

    fn recycle(&mut self, spent: ArrayD<F>) -> Option<ArrayD<F>> {
        self.spare.offer(spent)
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
        Ok(self.out_dims(input)?.to_vec())
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
mod tests;
