//! A network built from an [`Architecture`], with its loss.

use nabla_layers::{
    Float, Layer, Loss, Mode, Param, RandomStream, Sequential, SoftmaxCrossEntropy, Target,
};
use ndarray::{Array2, ArrayD};

use crate::{Architecture, Classifier, NnError, Result, Split};

/// One line of a model summary.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerSummary {
    /// The layer's name (`conv1`).
    pub name: String,
    /// Its type (`Conv2d`).
    pub kind: &'static str,
    /// Its output shape for one sample (batch dimension 1).
    pub output_shape: Vec<usize>,
    /// Trainable parameters.
    pub params: usize,
    /// Multiply-accumulates per sample; FLOPs are about twice this.
    pub macs: u64,
}

/// A classifier: the layers of an [`Architecture`] followed by softmax cross-entropy.
#[derive(Debug)]
pub struct Network<F: Float> {
    arch: Architecture,
    /// `arch.input_shape()`, kept: checked on every forward.
    input_shape: Vec<usize>,
    body: Sequential<F>,
    loss: SoftmaxCrossEntropy<F>,
    /// The first layer's gradient buffer after a backward (zeros: the input is data).
    spent_input: Option<ArrayD<F>>,
}

impl<F: Float> Network<F> {
    /// Builds `arch` with weights drawn from `seed`.
    pub fn new(arch: &Architecture, seed: u64) -> Result<Self> {
        Ok(Network::from_layers(arch, arch.layers(seed)?))
    }

    /// The network of `arch` made of `layers` (built by [`Architecture::layers`], perhaps
    /// with a layer swapped for a variant of it).
    pub fn from_layers(arch: &Architecture, mut layers: Sequential<F>) -> Self {
        // The input is data: nothing uses its gradient.
        layers.set_input_gradient(false);
        Network {
            arch: arch.clone(),
            input_shape: arch.input_shape(),
            body: layers,
            loss: SoftmaxCrossEntropy::new(),
            spent_input: None,
        }
    }

    /// The architecture this network was built from.
    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    /// The layers.
    pub fn layers(&mut self) -> &mut Sequential<F> {
        &mut self.body
    }

    fn check_shape(&self, shape: &[usize]) -> Result<()> {
        let expected = &self.input_shape;
        if shape.len() != expected.len() + 1 || shape[1..] != expected[..] {
            return Err(NnError::Data(format!(
                "{} expects input of shape [n, {}], got {shape:?}",
                self.arch.name(),
                expected
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(())
    }

    /// Logits `(n, classes)` for a batch `(n, ...)`.
    pub fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        self.check_shape(x.shape())?;
        Ok(self.body.forward(x, mode)?)
    }

    /// The mean cross-entropy of a training batch (forward in training mode); call
    /// [`Network::backward`] next.
    pub fn loss(&mut self, x: ArrayD<F>, labels: &[usize]) -> Result<F> {
        let logits = self.forward(x, Mode::Train)?;
        Ok(self.loss.forward(&logits, Target::Indices(labels))?)
    }

    /// [`Network::loss`] against any target: class indices or one-hot rows `(n, classes)`.
    pub fn loss_against(&mut self, x: ArrayD<F>, target: Target<'_, F>) -> Result<F> {
        let logits = self.forward(x, Mode::Train)?;
        Ok(self.loss.forward(&logits, target)?)
    }

    /// The class probabilities of the last [`Network::loss`] batch, `(n, classes)`.
    pub fn probabilities(&self) -> Option<&ndarray::Array2<F>> {
        self.loss.probabilities()
    }

    /// Backpropagates the last [`Network::loss`], filling every parameter's gradient.
    pub fn backward(&mut self) -> Result<()> {
        let dlogits = self.loss.backward()?;
        self.spent_input = Some(self.body.backward(dlogits)?);
        Ok(())
    }

    /// Calls `f` with every parameter under its dotted name.
    pub fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>)) {
        self.body.visit_params(f)
    }

    /// The number of trainable values (buffers excluded).
    pub fn param_count(&self) -> usize {
        crate::trainable_count(self)
    }

    /// Inference-mode logits for `x`, computed `batch` samples at a time.
    pub fn predict(&mut self, x: &ArrayD<F>, batch: usize) -> Result<Array2<F>> {
        self.check_shape(x.shape())?;
        crate::predict(self, x, batch)
    }

    /// Inference-mode logits for every sample of `split`, converted `batch` at a time.
    pub fn predict_split(&mut self, split: &Split<F>, batch: usize) -> Result<Array2<F>>
    where
        F: nabla_datasets::Pixel,
    {
        self.check_shape(split.shape())?;
        crate::predict_split(self, split, batch)
    }

    /// The fraction of `split` (or of the samples at `indices`) classified correctly.
    pub fn accuracy(
        &mut self,
        split: &Split<F>,
        indices: Option<&[usize]>,
        batch: usize,
    ) -> Result<f64>
    where
        F: nabla_datasets::Pixel,
    {
        self.check_shape(split.shape())?;
        crate::accuracy(self, split, indices, batch)
    }

    /// Every layer with its output shape, parameter count and work per sample.
    pub fn summary(&self) -> Result<Vec<LayerSummary>> {
        let mut shape = vec![1];
        shape.extend(self.arch.input_shape());
        let mut rows = Vec::new();
        for (name, layer) in self.body.layers() {
            let macs = layer.macs(&shape);
            shape = layer.output_shape(&shape)?;
            let mut params = 0;
            layer.params(&mut |_, p| {
                if p.kind != nabla_layers::ParamKind::Buffer {
                    params += p.value.len()
                }
            });
            rows.push(LayerSummary {
                name: name.to_string(),
                kind: layer.kind(),
                output_shape: shape.clone(),
                params,
                macs,
            });
        }
        Ok(rows)
    }
}

impl<F: Float> Classifier<F> for Network<F> {
    fn forward_observed(
        &mut self,
        x: ArrayD<F>,
        mode: Mode,
        observe: &mut dyn FnMut(&str, &ArrayD<F>),
    ) -> Result<ArrayD<F>> {
        self.check_shape(x.shape())?;
        Ok(self.body.forward_observed(x, mode, observe)?)
    }

    fn loss_of(&mut self, logits: &ArrayD<F>, labels: &[usize]) -> Result<F> {
        Ok(self.loss.forward(logits, Target::Indices(labels))?)
    }

    fn backward(&mut self) -> Result<()> {
        Network::backward(self)
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>)) {
        self.body.visit_params(f)
    }

    fn params(&self, f: &mut dyn FnMut(&str, &Param<F>)) {
        self.body.params(f)
    }

    fn random_streams(&self, f: &mut dyn FnMut(&str, RandomStream)) {
        self.body.random_streams(f)
    }

    fn set_random_stream(&mut self, name: &str, stream: RandomStream) -> bool {
        self.body.set_random_stream(name, stream)
    }

    fn check_input(&self, shape: &[usize]) -> Result<()> {
        self.check_shape(shape)
    }

    fn recycle_output(&mut self, logits: ArrayD<F>) {
        // The loss writes its next gradient there; in an evaluation loop, where the loss
        // already has one, the last layer writes its next output there.
        if let Some(left) = self.loss.recycle(logits) {
            let _ = self.body.recycle(left);
        }
    }

    fn take_input_buffer(&mut self) -> Option<ArrayD<F>> {
        self.spent_input
            .take()
            .or_else(|| self.body.release_input())
    }

    fn architecture(&self) -> Option<&Architecture> {
        Some(&self.arch)
    }
}
