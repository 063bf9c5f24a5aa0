//! A container that runs its layers forward in order and backward in reverse.

use ndarray::ArrayD;

use crate::{Float, Layer, LayerError, Mode, Param, RandomStream, Result};

/// Named layers run in sequence; parameter names are prefixed with the layer's name.
///
/// ```
/// use nabla_layers::{Layer, Mode, Relu, Sequential, Sigmoid};
/// use ndarray::{ArrayD, IxDyn};
/// let mut net = Sequential::<f64>::new();
/// net.push("act1", Relu::new()).push("act2", Sigmoid::new());
/// let y = net.forward(ArrayD::zeros(IxDyn(&[1, 2])), Mode::Eval)?;
/// assert_eq!(y[[0, 0]], 0.5);
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
pub struct Sequential<F: Float> {
    layers: Vec<(String, Box<dyn Layer<F>>)>,
    /// Passed on to the first layer (see [`Layer::set_input_gradient`]).
    input_gradient: bool,
    /// Where `layer.param` names are written for [`Layer::visit_params`], kept so that an
    /// optimizer step allocates nothing.
    name_buf: String,
    /// The input of the last inference pass, once no layer needs it (for
    /// [`Layer::release_input`]).
    spent_input: Option<ArrayD<F>>,
}

impl<F: Float> std::fmt::Debug for Sequential<F> {
    /// The layers by name and kind (their values would drown the structure).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.layers.iter().map(|(name, layer)| (name, layer.kind())))
            .finish()
    }
}

impl<F: Float> Default for Sequential<F> {
    fn default() -> Self {
        Sequential::new()
    }
}

impl<F: Float> Sequential<F> {
    /// An empty container.
    pub fn new() -> Self {
        Sequential {
            layers: Vec::new(),
            input_gradient: true,
            name_buf: String::new(),
            spent_input: None,
        }
    }

    /// Appends a layer under `name` (which becomes the prefix of its parameter names).
    pub fn push(&mut self, name: impl Into<String>, layer: impl Layer<F> + 'static) -> &mut Self {
        self.layers.push((name.into(), Box::new(layer)));
        self
    }

    /// Appends an already boxed layer.
    pub fn push_boxed(&mut self, name: impl Into<String>, layer: Box<dyn Layer<F>>) -> &mut Self {
        self.layers.push((name.into(), layer));
        self
    }

    /// The layers with their names, in order.
    pub fn layers(&self) -> impl Iterator<Item = (&str, &dyn Layer<F>)> {
        self.layers.iter().map(|(n, l)| (n.as_str(), l.as_ref()))
    }

    /// The layers with their names, mutably.
    pub fn layers_mut(&mut self) -> impl Iterator<Item = (&str, &mut Box<dyn Layer<F>>)> {
        self.layers.iter_mut().map(|(n, l)| (n.as_str(), l))
    }

    /// The layers with their names, taken out (to rebuild a network in another order, or
    /// with a layer swapped).
    ///
    /// ```
    /// use nabla_layers::{Relu, Sequential, Sigmoid};
    /// let mut net = Sequential::<f32>::new();
    /// net.push("a", Relu::new()).push("b", Sigmoid::new());
    /// let mut reversed = Sequential::new();
    /// for (name, layer) in net.into_layers().into_iter().rev() {
    ///     reversed.push_boxed(name, layer);
    /// }
    /// assert_eq!(reversed.layers().map(|(n, _)| n).collect::<Vec<_>>(), ["b", "a"]);
    /// ```
    pub fn into_layers(self) -> Vec<(String, Box<dyn Layer<F>>)> {
        self.layers
    }

    /// The forward pass, calling `observe(name, output)` after each layer: how hooks see
    /// activations (histograms, dead units) without the layers knowing about them.
    ///
    /// ```
    /// use nabla_layers::{Mode, Relu, Sequential, Sigmoid};
    /// use ndarray::{ArrayD, IxDyn};
    /// let mut net = Sequential::<f64>::new();
    /// net.push("relu", Relu::new()).push("sigmoid", Sigmoid::new());
    /// let mut seen = Vec::new();
    /// net.forward_observed(ArrayD::zeros(IxDyn(&[1, 2])), Mode::Eval, &mut |name, y| {
    ///     seen.push((name.to_string(), y[[0, 0]]))
    /// })?;
    /// assert_eq!(seen, [("relu".to_string(), 0.0), ("sigmoid".to_string(), 0.5)]);
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn forward_observed(
        &mut self,
        mut x: ArrayD<F>,
        mode: Mode,
        observe: &mut dyn FnMut(&str, &ArrayD<F>),
    ) -> Result<ArrayD<F>> {
        for k in 0..self.layers.len() {
            let (name, layer) = &mut self.layers[k];
            x = layer.forward(x, mode).map_err(|e| named(name, e))?;
            observe(name, &x);
            self.pass_back_input(k, mode);
        }
        Ok(x)
    }

    /// After an inference forward of layer `k`: offers the input it released to the layers
    /// before it, nearest first, until one keeps it for its next output (element-wise
    /// layers in between work in place and decline); the network's own input is kept for
    /// [`Layer::release_input`]. So an evaluation loop allocates nothing per batch.
    fn pass_back_input(&mut self, k: usize, mode: Mode) {
        if mode != Mode::Eval {
            return;
        }
        let Some(spent) = self.layers[k].1.release_input() else {
            return;
        };
        if let Some(left) = offer(&mut self.layers[..k], spent) {
            self.spent_input = Some(left);
        }
    }

    /// The number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}

/// Offers `spent` to `layers` from the last to the first; what none keeps comes back.
fn offer<F: Float>(
    layers: &mut [(String, Box<dyn Layer<F>>)],
    spent: ArrayD<F>,
) -> Option<ArrayD<F>> {
    let mut left = Some(spent);
    for (_, layer) in layers.iter_mut().rev() {
        match left.take() {
            Some(b) => left = layer.recycle(b),
            None => break,
        }
    }
    left
}

fn named(name: &str, e: LayerError) -> LayerError {
    LayerError::In {
        name: name.to_string(),
        source: Box::new(e),
    }
}

impl<F: Float> Layer<F> for Sequential<F> {
    fn kind(&self) -> &'static str {
        "Sequential"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        self.forward_observed(x, mode, &mut |_, _| {})
    }

    fn release_input(&mut self) -> Option<ArrayD<F>> {
        self.spent_input.take()
    }

    fn recycle(&mut self, spent: ArrayD<F>) -> Option<ArrayD<F>> {
        offer(&mut self.layers, spent)
    }

    fn backward(&mut self, mut dout: ArrayD<F>) -> Result<ArrayD<F>> {
        if let Some((_, first)) = self.layers.first_mut() {
            // Told here rather than when set, so that it reaches a first layer pushed later.
            first.set_input_gradient(self.input_gradient);
        }
        for (name, layer) in self.layers.iter_mut().rev() {
            dout = layer.backward(dout).map_err(|e| named(name, e))?;
        }
        Ok(dout)
    }

    fn set_input_gradient(&mut self, needed: bool) {
        self.input_gradient = needed;
    }

    fn params(&self, f: &mut dyn FnMut(&str, &Param<F>)) {
        for (name, layer) in &self.layers {
            layer.params(&mut |local, p| f(&format!("{name}.{local}"), p));
        }
    }

    fn random_streams(&self, f: &mut dyn FnMut(&str, RandomStream)) {
        for (name, layer) in &self.layers {
            layer.random_streams(&mut |local, stream| f(&format!("{name}.{local}"), stream));
        }
    }

    fn set_random_stream(&mut self, name: &str, stream: RandomStream) -> bool {
        self.layers.iter_mut().any(|(layer_name, layer)| {
            name.strip_prefix(layer_name.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|local| layer.set_random_stream(local, stream))
        })
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>)) {
        let Sequential {
            layers, name_buf, ..
        } = self;
        for (name, layer) in layers {
            layer.visit_params(&mut |local, p| {
                name_buf.clear();
                name_buf.push_str(name);
                name_buf.push('.');
                name_buf.push_str(local);
                f(name_buf, p)
            });
        }
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let mut shape = input.to_vec();
        for (name, layer) in &self.layers {
            shape = layer.output_shape(&shape).map_err(|e| named(name, e))?;
        }
        Ok(shape)
    }

    fn macs(&self, input: &[usize]) -> u64 {
        let mut shape = input.to_vec();
        let mut total = 0;
        for (_, layer) in &self.layers {
            total += layer.macs(&shape);
            match layer.output_shape(&shape) {
                Ok(s) => shape = s,
                Err(_) => break,
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::random;
    use crate::{Conv2d, Conv2dConfig, Flatten, Linear, LinearConfig, Relu};
    use rand::SeedableRng;

    fn net() -> Sequential<f64> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut net = Sequential::new();
        net.push(
            "conv",
            Conv2d::new(&Conv2dConfig::new(2, 3, 3), &mut rng).unwrap(),
        )
        .push("relu", Relu::new())
        .push("flat", Flatten::new())
        .push(
            "fc",
            Linear::new(&LinearConfig::new(3 * 4 * 4, 5), &mut rng).unwrap(),
        );
        net
    }

    fn grads(net: &mut Sequential<f64>) -> Vec<ArrayD<f64>> {
        let mut out = Vec::new();
        net.visit_params(&mut |_, p| out.push(p.grad.clone()));
        out
    }

    #[test]
    fn a_first_layer_told_its_input_is_data_skips_only_the_input_gradient() {
        let x = random(&[2, 2, 6, 6], 1);
        let dout = random(&[2, 5], 2);
        let (mut full, mut data) = (net(), net());
        data.set_input_gradient(false);
        full.forward(x.clone(), Mode::Train).unwrap();
        data.forward(x, Mode::Train).unwrap();
        let dx_full = full.backward(dout.clone()).unwrap();
        let dx_data = data.backward(dout).unwrap();
        assert_eq!(grads(&mut full), grads(&mut data));
        assert!(dx_full.iter().any(|&v| v != 0.0));
        assert_eq!(dx_data, ArrayD::zeros(dx_full.raw_dim()));
    }
}
