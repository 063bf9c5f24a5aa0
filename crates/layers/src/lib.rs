//! Neural-network layers with hand-written forward and backward passes.
//!
//! There is no autograd: every layer caches what its backward pass needs during `forward`,
//! and `backward` returns the input gradient and stores the parameter gradients. Each file
//! holds one layer and, at its bottom, the gradient check that proves its backward pass.
//!
//! Parameters are reached through [`Layer::visit_params`] under stable dotted names
//! (`conv1.weight`, `fc2.bias`), so optimizers and checkpoints never need the layer types.
//!
//! ```
//! use nabla_layers::{Layer, Linear, LinearConfig, Mode, Relu, Sequential, SoftmaxCrossEntropy, Loss};
//! use nabla_tensor::Target;
//! // The re-exported ndarray and rand: no versions to pin or to get wrong.
//! use nabla_layers::ndarray::{Array2, IxDyn};
//! use nabla_layers::rand::SeedableRng;
//!
//! let mut rng = rand::rngs::StdRng::seed_from_u64(0);
//! let mut net = Sequential::<f32>::new();
//! net.push("fc1", Linear::new(&LinearConfig::new(4, 8), &mut rng)?);
//! net.push("relu1", Relu::new());
//! net.push("fc2", Linear::new(&LinearConfig::new(8, 3), &mut rng)?);
//!
//! let x = Array2::<f32>::ones((2, 4)).into_dyn();
//! let logits = net.forward(x, Mode::Train)?;
//! let mut loss = SoftmaxCrossEntropy::new();
//! let value = loss.forward(&logits, Target::Indices(&[0, 2]))?;
//! assert!(value.is_finite());
//! net.backward(loss.backward()?)?;
//!
//! let mut names = Vec::new();
//! net.visit_params(&mut |name, _param| names.push(name.to_string()));
//! assert_eq!(names, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
//! # Ok::<(), nabla_layers::LayerError>(())
//! ```
#![forbid(unsafe_code)]

/// The `ndarray` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_layers::ndarray::…`).
pub use ndarray;
/// The `rand` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_layers::rand::…`).
pub use rand;

mod avg_pool2d;
mod batch_norm;
mod buffers;
mod conv2d;
mod dropout;
mod error;
mod flatten;
pub mod gradcheck;
mod leaky_relu;
mod linear;
mod losses;
mod lrn;
mod max_pool2d;
mod mse;
mod relu;
mod sequential;
mod shape;
mod sigmoid;
mod softmax_cross_entropy;
mod tanh;
#[cfg(test)]
mod testutil;

pub use avg_pool2d::AvgPool2d;
pub use batch_norm::{BatchNorm, BatchNormGradients};
pub use conv2d::{Conv2d, Conv2dConfig, ConvGradients};
pub use dropout::{Dropout, DropoutKind};
pub use error::{LayerError, Result};
pub use flatten::Flatten;
pub use leaky_relu::LeakyRelu;
pub use linear::{Linear, LinearConfig};
pub use lrn::LocalResponseNorm;
pub use max_pool2d::MaxPool2d;
pub use mse::MeanSquaredError;
pub use nabla_tensor::{Float, Param, ParamKind, Target};
pub use relu::Relu;
pub use sequential::Sequential;
pub use sigmoid::Sigmoid;
pub use softmax_cross_entropy::SoftmaxCrossEntropy;
pub use tanh::Tanh;

use ndarray::ArrayD;

/// Whether a forward pass is for training (batch statistics, dropout on) or for inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Training: BatchNorm uses and updates batch statistics; Dropout drops.
    Train,
    /// Inference: BatchNorm uses running statistics; Dropout is deterministic.
    Eval,
}

/// A layer with a hand-written backward pass.
///
/// `forward` caches what `backward` needs; `backward` must follow a `forward` and returns
/// the gradient with respect to that forward's input, storing parameter gradients in the
/// layer's [`Param`]s (overwriting, not accumulating).
pub trait Layer<F: Float>: Send {
    /// The layer's type name, such as `"Conv2d"`, for messages and model summaries.
    fn kind(&self) -> &'static str;

    /// The forward pass. Takes the input by value so that element-wise layers work in place.
    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>>;

    /// The backward pass: `dout` is the gradient of the loss with respect to the output of the
    /// last `forward`; returns the gradient with respect to its input.
    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>>;

    /// Calls `f` with each parameter under its local name (`weight`, `bias`, …).
    fn visit_params(&mut self, _f: &mut dyn FnMut(&str, &mut Param<F>)) {}

    /// Calls `f` with each parameter under the same name as [`Layer::visit_params`], read-only:
    /// for counting, saving or inspecting without `&mut`. A layer with parameters implements
    /// both.
    fn params(&self, _f: &mut dyn FnMut(&str, &Param<F>)) {}

    /// Calls `f` with each random stream the layer draws from, under a local name
    /// (Dropout's masks: `mask`), so that a checkpoint can put it back and a resumed run
    /// draws what an uninterrupted one would have. Most layers draw nothing.
    fn random_streams(&self, _f: &mut dyn FnMut(&str, RandomStream)) {}

    /// Puts the stream named `name` (by [`Layer::random_streams`]) where `stream` says;
    /// false when the layer has no such stream.
    fn set_random_stream(&mut self, _name: &str, _stream: RandomStream) -> bool {
        false
    }

    /// Whether `backward` must compute the gradient with respect to the input (the default).
    /// A network's first layer, whose input is data, is told `false`; a layer that can then
    /// skip that product (Linear, Conv2d) returns zeros of the input's shape instead.
    fn set_input_gradient(&mut self, _needed: bool) {}

    /// The output shape for an input of shape `input` (batch dimension first), or the error
    /// `forward` would give.
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>>;

    /// Multiply-accumulate operations of one forward pass for one sample of shape `input`
    /// (batch dimension first; only `input[1..]` matters). Zero for cheap element-wise layers.
    fn macs(&self, _input: &[usize]) -> u64 {
        0
    }

    /// After an inference forward: the input the layer was given, if it wrote its output
    /// into another array, so that the layer before can write its next output there
    /// ([`Sequential`] passes it back). `None` by default: the input was dropped or reused.
    fn release_input(&mut self) -> Option<ArrayD<F>> {
        None
    }

    /// Offers an array nobody uses any more (an output of this layer, or anything with as
    /// many values) for the layer's next output; gives it back when the layer has no use for
    /// it, as the default does.
    fn recycle(&mut self, spent: ArrayD<F>) -> Option<ArrayD<F>> {
        Some(spent)
    }
}

/// Where a layer's random stream stands: the seed it was drawn from and how far it has gone
/// (in 32-bit words of the ChaCha12 stream that rand's `StdRng` is), enough to rebuild it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RandomStream {
    /// The seed the stream was started from.
    pub seed: u64,
    /// Words drawn so far.
    pub position: u128,
}

/// A loss: compares a network output with a target, and starts the backward pass.
pub trait Loss<F: Float>: Send {
    /// The loss of `y` against `target`, averaged over the batch.
    fn forward(&mut self, y: &ArrayD<F>, target: Target<'_, F>) -> Result<F>;
    /// The gradient of the last `forward`'s loss with respect to `y`.
    fn backward(&mut self) -> Result<ArrayD<F>>;
    /// Hands back an array of `y`'s shape that its owner is done with (the network's output
    /// after a step), for `backward` to write its gradient into instead of allocating one;
    /// gives it back when the loss has one already (or, as by default, no use for it).
    fn recycle(&mut self, spent: ArrayD<F>) -> Option<ArrayD<F>> {
        Some(spent)
    }
}
