//! Serializable network descriptions.

use nabla_init::{Dist, Init};
use nabla_layers::{Float, Layer, Relu, Sequential, Sigmoid, Tanh};

use crate::{AlexNetConfig, DeepConvConfig, MlpConfig, Result, SimpleConvConfig};

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
    pub(crate) fn layer<F: Float>(self) -> Box<dyn Layer<F>> {
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
}

impl WeightInit {
    pub(crate) fn init(self) -> Init {
        match self {
            WeightInit::Std(std) => Init::Normal { mean: 0.0, std },
            WeightInit::Xavier => Init::Xavier(Dist::Normal),
            WeightInit::He => Init::He(Dist::Normal),
        }
    }
}

/// A network: which kind, with its settings. Saved in checkpoints so a model can be rebuilt.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Architecture {
    /// Fully connected layers (the classic MultiLayerNet).
    Mlp(MlpConfig),
    /// conv → ReLU → pool → affine → ReLU → affine.
    SimpleConv(SimpleConvConfig),
    /// Six 3x3 convolutions, three poolings, two affine layers with dropout.
    DeepConv(DeepConvConfig),
    /// Krizhevsky et al. (2012).
    AlexNet(AlexNetConfig),
}

impl Architecture {
    /// The shape of one input sample (without the batch dimension).
    pub fn input_shape(&self) -> Vec<usize> {
        match self {
            Architecture::Mlp(c) => vec![c.input],
            Architecture::SimpleConv(c) => vec![c.input.0, c.input.1, c.input.2],
            Architecture::DeepConv(c) => vec![c.input.0, c.input.1, c.input.2],
            Architecture::AlexNet(c) => vec![c.input.0, c.input.1, c.input.2],
        }
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        match self {
            Architecture::Mlp(c) => c.output,
            Architecture::SimpleConv(c) => c.classes,
            Architecture::DeepConv(c) => c.classes,
            Architecture::AlexNet(c) => c.classes,
        }
    }

    /// A short name: `mlp`, `simple-conv`, `deep-conv` or `alexnet`.
    pub fn name(&self) -> &'static str {
        match self {
            Architecture::Mlp(_) => "mlp",
            Architecture::SimpleConv(_) => "simple-conv",
            Architecture::DeepConv(_) => "deep-conv",
            Architecture::AlexNet(_) => "alexnet",
        }
    }

    pub(crate) fn build<F: Float>(&self, seed: u64) -> Result<Sequential<F>> {
        match self {
            Architecture::Mlp(c) => c.build(seed),
            Architecture::SimpleConv(c) => c.build(seed),
            Architecture::DeepConv(c) => c.build(seed),
            Architecture::AlexNet(c) => c.build(seed),
        }
    }
}
