//! Affine (fully connected) layer: `y = x · W + b`.

use nabla_init::{Dist, Init};
use nabla_tensor::matmul_into;
use ndarray::{Array2, ArrayD, Axis, Ix2};
use rand::Rng;

use crate::buffers::Spare;
use crate::shape::{expect_same, fixed, flatten2};
use crate::{Float, Layer, LayerError, Mode, Param, ParamKind, Result};

/// Settings of a [`Linear`] layer.
#[derive(Debug, Clone, Copy, PartialEq)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct LinearConfig {
    /// Input features (`C·H·W` for image input, flattened in C order).
    pub in_features: usize,
    /// Output features.
    pub out_features: usize,
    /// Weight initializer (default: He normal).
    pub init: Init,
    /// Whether the layer has a bias (default: yes, initialized to zero).
    pub bias: bool,
}

impl LinearConfig {
    /// `in_features → out_features` with He-normal weights and a zero bias.
    pub fn new(in_features: usize, out_features: usize) -> Self {
        LinearConfig {
            in_features,
            out_features,
            init: Init::He(Dist::Normal),
            bias: true,
        }
    }

    /// The same with another weight initializer.
    #[must_use]
    pub fn with_init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }
}

/// Affine layer, the book's `Affine`: `y = x · W + b` with `W: (in, out)`.
///
/// Gradients: `dx = dout · Wᵀ`, `dW = xᵀ · dout`, `db = Σ_rows dout`.
///
/// ```
/// use nabla_layers::{Layer, Linear, LinearConfig, Mode};
/// use ndarray::{ArrayD, IxDyn};
/// let mut fc = Linear::<f32>::new(&LinearConfig::new(784, 10), &mut rand::rngs::StdRng::seed_from_u64(0))?;
/// // Image batches are flattened: (N, 1, 28, 28) -> (N, 784).
/// let y = fc.forward(ArrayD::zeros(IxDyn(&[5, 1, 28, 28])), Mode::Train)?;
/// assert_eq!(y.shape(), &[5, 10]);
/// # use rand::SeedableRng;
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `x: [n, in]` or `[n, c, h, w]` with `c·h·w = in` → `[n, out]`; backward returns `x`'s shape.
#[derive(Debug)]
pub struct Linear<F: Float> {
    weight: Param<F>,
    bias: Option<Param<F>>,
    x: Option<Array2<F>>,
    x_shape: Vec<usize>,
    /// The last gradient received: the next forward's output buffer.
    spare: Spare<F>,
    /// An inference input, for [`Layer::release_input`].
    released: Spare<F>,
    /// See [`Layer::set_input_gradient`].
    input_gradient: bool,
}

impl<F: Float> Linear<F> {
    /// A new layer with weights drawn from `rng`.
    pub fn new<R: Rng + ?Sized>(config: &LinearConfig, rng: &mut R) -> Result<Self> {
        if config.in_features == 0 || config.out_features == 0 {
            return Err(LayerError::Config {
                layer: "Linear",
                reason: format!("{config:?} has a zero size"),
            });
        }
        let weight = Param::new(
            config
                .init
                .sample(&[config.in_features, config.out_features], rng)?,
            ParamKind::Weight,
        );
        let bias = config
            .bias
            .then(|| Param::new(ArrayD::zeros(vec![config.out_features]), ParamKind::Bias));
        Ok(Linear {
            weight,
            bias,
            x: None,
            x_shape: Vec::new(),
            spare: Spare::default(),
            released: Spare::default(),
            input_gradient: true,
        })
    }

    /// A layer with the given weight `(in, out)` and bias `(out)`: `y = x·W + b`.
    ///
    /// ```
    /// use nabla_layers::{Layer, Linear, Mode};
    /// use nabla_layers::ndarray::array;
    /// let mut fc = Linear::<f64>::from_parts(array![[1.0, 2.0], [3.0, 4.0]], Some(array![0.5, -0.5]))?;
    /// let y = fc.forward(array![[1.0, 1.0]].into_dyn(), Mode::Eval)?;
    /// assert_eq!(y, array![[4.5, 5.5]].into_dyn());
    /// assert_eq!(fc.weight().value.shape(), &[2, 2]);
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn from_parts(weight: Array2<F>, bias: Option<ndarray::Array1<F>>) -> Result<Self> {
        if let Some(b) = &bias
            && b.len() != weight.ncols()
        {
            return Err(LayerError::Config {
                layer: "Linear",
                reason: format!("bias of {} for a weight of {:?}", b.len(), weight.shape()),
            });
        }
        Ok(Linear {
            weight: Param::new(weight.into_dyn(), ParamKind::Weight),
            bias: bias.map(|b| Param::new(b.into_dyn(), ParamKind::Bias)),
            x: None,
            x_shape: Vec::new(),
            spare: Spare::default(),
            released: Spare::default(),
            input_gradient: true,
        })
    }

    /// The weight `(in, out)` and its gradient from the last backward pass.
    ///
    /// ```
    /// use nabla_layers::Linear;
    /// use nabla_layers::ndarray::array;
    /// let fc = Linear::<f32>::from_parts(array![[1.0, 2.0], [3.0, 4.0]], Some(array![0.5, -0.5]))?;
    /// assert_eq!(fc.weight().value.shape(), &[2, 2]);
    /// assert_eq!(fc.bias().map(|b| b.value[[1]]), Some(-0.5));
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn weight(&self) -> &Param<F> {
        &self.weight
    }

    /// The bias `(out)` and its gradient, if the layer has one.
    pub fn bias(&self) -> Option<&Param<F>> {
        self.bias.as_ref()
    }

    /// The error `forward` gives for an input of this shape, if any.
    fn check_input(&self, input: &[usize]) -> Result<()> {
        let inp = self.dims().0;
        let features: usize = input.iter().skip(1).product();
        if input.len() < 2 || features != inp {
            return Err(LayerError::Shape {
                layer: "Linear",
                expected: format!("[n, {inp}] or [n, ...] with {inp} features per sample"),
                got: input.to_vec(),
            });
        }
        Ok(())
    }

    fn dims(&self) -> (usize, usize) {
        (self.weight.value.shape()[0], self.weight.value.shape()[1])
    }
}

impl<F: Float> Layer<F> for Linear<F> {
    fn kind(&self) -> &'static str {
        "Linear"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        self.check_input(x.shape())?;
        self.x_shape.clear();
        self.x_shape.extend_from_slice(x.shape());
        let x = flatten2(x);
        let (_, out) = self.dims();
        let w = crate::shape::reshaped(
            self.weight.value.view().into_dimensionality::<Ix2>(),
            "Linear",
        );
        let mut y = self.spare.array_of(Ix2(x.nrows(), out));
        match &self.bias {
            Some(b) => y
                .rows_mut()
                .into_iter()
                .for_each(|mut row| row.assign(&b.value)),
            None => y.fill(F::zero()),
        }
        matmul_into(F::one(), &x.view(), &w, F::one(), &mut y.view_mut());
        // Inference keeps nothing for a backward pass (one rule for every layer); its input,
        // in its own shape, goes back for the layer before to write into.
        match mode {
            Mode::Train => self.x = Some(x),
            Mode::Eval => {
                self.x = None;
                let x =
                    crate::shape::reshaped(x.into_shape_with_order(&self.x_shape[..]), "Linear");
                self.released.put(x);
            }
        }
        Ok(y.into_dyn())
    }

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let x = self.x.as_ref().ok_or(LayerError::NoForward("Linear"))?;
        let (inp, out) = self.dims();
        expect_same("Linear", dout.shape(), &[x.nrows(), out])?;
        let dout = fixed::<F, Ix2>(dout);
        let w = crate::shape::reshaped(
            self.weight.value.view().into_dimensionality::<Ix2>(),
            "Linear",
        );
        let mut dw = crate::shape::reshaped(
            self.weight.grad.view_mut().into_dimensionality::<Ix2>(),
            "Linear",
        );
        matmul_into(F::one(), &x.t(), &dout.view(), F::zero(), &mut dw);
        if let Some(b) = &mut self.bias {
            let [rows, cols] = [0, 1].map(|a| dout.strides()[a].unsigned_abs());
            if rows < cols {
                // Column-major: sum_axis sums each column as one lane; rare, it may allocate.
                b.grad.assign(&dout.sum_axis(Axis(0)));
            } else {
                // Row after row onto zeros: the order sum_axis adds in here, without its array.
                b.grad.fill(F::zero());
                for row in dout.rows() {
                    b.grad.zip_mut_with(&row.into_dyn(), |g, &d| *g += d);
                }
            }
        }
        // The input is not needed any more: its buffer takes the input's gradient, and the
        // gradient received becomes the next forward's output.
        let Some(mut dx) = self.x.take() else {
            unreachable!("checked above")
        };
        if self.input_gradient {
            debug_assert_eq!(dx.dim(), (dout.nrows(), inp));
            matmul_into(
                F::one(),
                &dout.view(),
                &w.t(),
                F::zero(),
                &mut dx.view_mut(),
            );
        } else {
            dx.fill(F::zero());
        }
        self.spare.put(dout.into_dyn());
        Ok(crate::shape::reshaped(
            dx.into_shape_with_order(&self.x_shape[..]),
            "Linear",
        ))
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
        self.check_input(input)?;
        Ok(vec![input[0], self.dims().1])
    }

    fn macs(&self, _input: &[usize]) -> u64 {
        let (inp, out) = self.dims();
        (inp * out) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;
    use crate::testutil::random;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn gradient_check(n in 1usize..5, c in 1usize..4, hw in 1usize..4, out in 1usize..6, image in any::<bool>(), seed in any::<u64>()) {
            let shape = if image { vec![n, c, hw, hw] } else { vec![n, c * hw * hw] };
            let mut layer = Linear::<f64>::new(&LinearConfig::new(c * hw * hw, out), &mut StdRng::seed_from_u64(seed)).unwrap();
            // A non-zero bias, so that a missing db would show.
            layer.visit_params(&mut |_, p| p.value.mapv_inplace(|v| v + 0.1));
            let report = check_layer(&mut layer, &random(&shape, seed), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
            prop_assert_eq!(report.params.len(), 2);
        }
    }

    #[test]
    fn wrong_shape_names_the_layer() {
        let mut layer =
            Linear::<f32>::new(&LinearConfig::new(4, 2), &mut StdRng::seed_from_u64(0)).unwrap();
        let err = layer
            .forward(ArrayD::zeros(vec![3, 5]), Mode::Train)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Linear: expected input of shape [n, 4] or [n, ...] with 4 features per sample, got [3, 5]"
        );
        assert!(matches!(
            layer.backward(ArrayD::zeros(vec![3, 2])),
            Err(LayerError::NoForward("Linear"))
        ));
    }
}
