//! The classic MultiLayerNet: affine layers with optional BatchNorm and dropout.

use nabla_layers::{BatchNorm, Dropout, DropoutKind, Float, Linear, LinearConfig, Sequential};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::{Activation, NnError, Result, WeightInit};

/// A fully connected network: for each hidden size, `Affine → [BatchNorm] → activation →
/// [Dropout]`, then an output `Affine` (softmax cross-entropy is the network's loss).
///
/// Layer names follow the classic code's numbering: `affine1`, `batchnorm1`, `activation1`,
/// `dropout1`, …, `affine{H+1}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct MlpConfig {
    /// Input features (784 for MNIST).
    pub input: usize,
    /// Hidden layer sizes.
    pub hidden: Vec<usize>,
    /// Output classes.
    pub output: usize,
    /// Hidden activation (default ReLU).
    pub activation: Activation,
    /// Weight initialization of every affine layer (default He).
    pub init: WeightInit,
    /// BatchNorm after each hidden affine layer.
    pub batchnorm: bool,
    /// Dropout probability after each hidden activation, if any.
    pub dropout: Option<f64>,
    /// Classic (non-inverted) dropout instead of inverted.
    pub classic_dropout: bool,
}

impl MlpConfig {
    /// `input → hidden… → output` with ReLU, He init, no BatchNorm, no dropout.
    pub fn new(input: usize, hidden: Vec<usize>, output: usize) -> Self {
        MlpConfig {
            input,
            hidden,
            output,
            activation: Activation::Relu,
            init: WeightInit::He,
            batchnorm: false,
            dropout: None,
            classic_dropout: false,
        }
    }

    pub(crate) fn build<F: Float>(&self, seed: u64) -> Result<Sequential<F>> {
        if self.input == 0 || self.output == 0 || self.hidden.contains(&0) {
            return Err(NnError::Config(format!(
                "layer sizes must be positive: {} {:?} {}",
                self.input, self.hidden, self.output
            )));
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut net = Sequential::new();
        let mut fan_in = self.input;
        let kind = if self.classic_dropout {
            DropoutKind::Classic
        } else {
            DropoutKind::Inverted
        };
        for (i, &size) in self.hidden.iter().enumerate() {
            let k = i + 1;
            net.push(
                format!("affine{k}"),
                Linear::new(
                    &LinearConfig::new(fan_in, size).with_init(self.init.init()),
                    &mut rng,
                )?,
            );
            if self.batchnorm {
                net.push(format!("batchnorm{k}"), BatchNorm::new(size)?);
            }
            net.push_boxed(format!("activation{k}"), self.activation.layer());
            if let Some(p) = self.dropout {
                net.push(
                    format!("dropout{k}"),
                    Dropout::new(p, kind, seed.wrapping_add(1000 + k as u64))?,
                );
            }
            fan_in = size;
        }
        let k = self.hidden.len() + 1;
        net.push(
            format!("affine{k}"),
            Linear::new(
                &LinearConfig::new(fan_in, self.output).with_init(self.init.init()),
                &mut rng,
            )?,
        );
        Ok(net)
    }
}
