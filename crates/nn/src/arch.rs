//! Serializable network descriptions.

use nabla_init::{Dist, Init};
use nabla_layers::{Float, Layer, Relu, Sequential, Sigmoid, Tanh};

use crate::{AlexNetConfig, DeepConvConfig, DoubleConvConfig, MlpConfig, Result, SimpleConvConfig};

/// A hidden-layer activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Activation {
    /// `max(0, x)`.
    Relu,
    /// `1 / (1 + e^(−x))`.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
}

impl Activation {
    /// A new layer computing this activation.
    pub fn layer<F: Float>(self) -> Box<dyn Layer<F>> {
        match self {
            Activation::Relu => Box::new(Relu::new()),
            Activation::Sigmoid => Box::new(Sigmoid::new()),
            Activation::Tanh => Box::new(Tanh::new()),
        }
    }
}

/// How weights are initialized, in the classic code's terms.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum WeightInit {
    /// `std · randn` (the classic `weight_init_std = 0.01`).
    Std(f64),
    /// `randn / sqrt(n_in)`.
    Xavier,
    /// `randn · sqrt(2 / n_in)`.
    He,
    /// Every weight the same value: the symmetric start the notes warn about (every unit of
    /// a layer computes the same thing and gets the same gradient), kept to show it.
    Constant(f64),
}

impl WeightInit {
    /// The initializer, in `nabla-init`'s terms.
    pub fn init(self) -> Init {
        match self {
            WeightInit::Std(std) => Init::Normal { mean: 0.0, std },
            WeightInit::Xavier => Init::Xavier(Dist::Normal),
            WeightInit::He => Init::He(Dist::Normal),
            WeightInit::Constant(value) => Init::Constant(value),
        }
    }
}

/// A network: which kind, with its settings. Saved in checkpoints so a model can be rebuilt;
/// [`Architecture::layers`] is the one place every built-in network is built.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(from = "saved::Saved", into = "saved::Saved")]
pub enum Architecture {
    /// Fully connected layers (the classic MultiLayerNet).
    Mlp(MlpConfig),
    /// conv → ReLU → pool → affine → ReLU → affine.
    SimpleConv(SimpleConvConfig),
    /// Six 3x3 convolutions, three poolings, two affine layers with dropout.
    DeepConv(DeepConvConfig),
    /// Krizhevsky et al. (2012).
    AlexNet(AlexNetConfig),
    /// The classic CNN notebook's two-convolution reference networks.
    DoubleConv(DoubleConvConfig),
}

impl Architecture {
    /// The shape of one input sample (without the batch dimension).
    pub fn input_shape(&self) -> Vec<usize> {
        match self {
            Architecture::Mlp(c) => vec![c.input],
            Architecture::SimpleConv(c) => vec![c.input.0, c.input.1, c.input.2],
            Architecture::DeepConv(c) => vec![c.input.0, c.input.1, c.input.2],
            Architecture::AlexNet(c) => vec![c.input.0, c.input.1, c.input.2],
            Architecture::DoubleConv(c) => vec![c.input.0, c.input.1, c.input.2],
        }
    }

    /// How MNIST images are laid out for this network: rows of 784 pixels for the
    /// fully connected MLP, `(1, 28, 28)` images for the convolutional nets.
    pub fn layout(&self) -> crate::Layout {
        match self {
            Architecture::Mlp(_) => crate::Layout::Rows,
            _ => crate::Layout::Images,
        }
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        match self {
            Architecture::Mlp(c) => c.output,
            Architecture::SimpleConv(c) => c.classes,
            Architecture::DeepConv(c) => c.classes,
            Architecture::AlexNet(c) => c.classes,
            Architecture::DoubleConv(c) => c.classes,
        }
    }

    /// A short name: `mlp`, `simple-conv`, `deep-conv`, `alexnet` or `double-conv`.
    pub fn name(&self) -> &'static str {
        match self {
            Architecture::Mlp(_) => "mlp",
            Architecture::SimpleConv(_) => "simple-conv",
            Architecture::DeepConv(_) => "deep-conv",
            Architecture::AlexNet(_) => "alexnet",
            Architecture::DoubleConv(_) => "double-conv",
        }
    }

    /// The layers of this network with weights drawn from `seed` (without the loss:
    /// [`Network::new`](crate::Network::new) adds softmax cross-entropy; wrap them in a
    /// [`SequentialClassifier`](crate::SequentialClassifier) for another loss).
    pub fn layers<F: Float>(&self, seed: u64) -> Result<Sequential<F>> {
        match self {
            Architecture::Mlp(c) => c.build(seed),
            Architecture::SimpleConv(c) => c.build(seed),
            Architecture::DeepConv(c) => c.build(seed),
            Architecture::AlexNet(c) => c.build(seed),
            Architecture::DoubleConv(c) => c.build(seed),
        }
    }
}

/// The form architectures take in checkpoints. Variants are only ever added, so that files
/// written before a config gained a field still read, and read as they were written.
mod saved {
    use super::{
        AlexNetConfig, Architecture, DeepConvConfig, DoubleConvConfig, MlpConfig, SimpleConvConfig,
    };
    use crate::{Pooling, WeightInit};

    #[derive(serde::Serialize, serde::Deserialize)]
    pub(super) enum Saved {
        Mlp(MlpConfig),
        /// SimpleConvNet before it had a choice of pooling: max pooling.
        SimpleConv(SimpleConvMaxPool),
        DeepConv(DeepConvConfig),
        AlexNet(AlexNetConfig),
        SimpleConvPooled(SimpleConvConfig),
        DoubleConv(DoubleConvConfig),
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    pub(super) struct SimpleConvMaxPool {
        input: (usize, usize, usize),
        filters: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        hidden: usize,
        classes: usize,
        init: WeightInit,
    }

    impl From<Saved> for Architecture {
        fn from(saved: Saved) -> Self {
            match saved {
                Saved::Mlp(c) => Architecture::Mlp(c),
                Saved::SimpleConv(c) => Architecture::SimpleConv(SimpleConvConfig {
                    input: c.input,
                    filters: c.filters,
                    kernel: c.kernel,
                    stride: c.stride,
                    padding: c.padding,
                    hidden: c.hidden,
                    classes: c.classes,
                    init: c.init,
                    pooling: Pooling::Max,
                }),
                Saved::DeepConv(c) => Architecture::DeepConv(c),
                Saved::AlexNet(c) => Architecture::AlexNet(c),
                Saved::SimpleConvPooled(c) => Architecture::SimpleConv(c),
                Saved::DoubleConv(c) => Architecture::DoubleConv(c),
            }
        }
    }

    impl From<Architecture> for Saved {
        fn from(arch: Architecture) -> Self {
            match arch {
                Architecture::Mlp(c) => Saved::Mlp(c),
                Architecture::SimpleConv(c) if c.pooling == Pooling::Max => {
                    Saved::SimpleConv(SimpleConvMaxPool {
                        input: c.input,
                        filters: c.filters,
                        kernel: c.kernel,
                        stride: c.stride,
                        padding: c.padding,
                        hidden: c.hidden,
                        classes: c.classes,
                        init: c.init,
                    })
                }
                Architecture::SimpleConv(c) => Saved::SimpleConvPooled(c),
                Architecture::DeepConv(c) => Saved::DeepConv(c),
                Architecture::AlexNet(c) => Saved::AlexNet(c),
                Architecture::DoubleConv(c) => Saved::DoubleConv(c),
            }
        }
    }
}
