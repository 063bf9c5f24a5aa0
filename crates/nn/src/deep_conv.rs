//! DeepConvNet: six 3x3 convolutions in three blocks, He initialization, dropout.

use nabla_layers::{
    Conv2d, Conv2dConfig, Dropout, DropoutKind, Float, Linear, LinearConfig, MaxPool2d, Relu,
    Sequential,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::{NnError, Result, WeightInit};

/// `conv3x3-16, ReLU, conv3x3-16, ReLU, pool, conv3x3-32, ReLU, conv3x3-32 (pad 2), ReLU, pool,
/// conv3x3-64, ReLU, conv3x3-64, ReLU, pool, affine-50, ReLU, dropout, affine-classes,
/// dropout`, with He initialization, as in the classic code (including the dropout after the
/// output layer, which at inference only rescales the logits).
///
/// Spatial sizes for 28x28 input: 28, 28, 14, 14, 16, 8, 8, 8, 4, so the first affine layer
/// sees `64·4·4 = 1024` features.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct DeepConvConfig {
    /// Input `(C, H, W)`.
    pub input: (usize, usize, usize),
    /// Hidden affine units (50).
    pub hidden: usize,
    /// Output classes (10).
    pub classes: usize,
    /// Dropout probability (0.5).
    pub dropout: f64,
}

impl Default for DeepConvConfig {
    fn default() -> Self {
        DeepConvConfig {
            input: (1, 28, 28),
            hidden: 50,
            classes: 10,
            dropout: 0.5,
        }
    }
}

impl DeepConvConfig {
    pub(crate) fn build<F: Float>(&self, seed: u64) -> Result<Sequential<F>> {
        let mut rng = StdRng::seed_from_u64(seed);
        let he = WeightInit::He.init();
        let mut net = Sequential::new();
        let (mut c, mut h, mut w) = self.input;
        let convs = [(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)];
        for (i, &(filters, pad)) in convs.iter().enumerate() {
            let config = Conv2dConfig::new(c, filters, 3)
                .with_padding(pad)
                .with_init(he);
            (h, w) = config
                .geometry()
                .out_hw(h, w)
                .map_err(|e| NnError::Config(e.to_string()))?;
            net.push(format!("conv{}", i + 1), Conv2d::new(&config, &mut rng)?);
            net.push(format!("relu{}", i + 1), Relu::new());
            c = filters;
            if i % 2 == 1 {
                net.push(format!("pool{}", i / 2 + 1), MaxPool2d::new((2, 2), 2, 0)?);
                (h, w) = (h / 2, w / 2);
            }
        }
        net.push(
            "affine1",
            Linear::new(
                &LinearConfig::new(c * h * w, self.hidden).with_init(he),
                &mut rng,
            )?,
        );
        net.push("relu7", Relu::new());
        net.push(
            "dropout1",
            Dropout::new(self.dropout, DropoutKind::Inverted, seed.wrapping_add(1001))?,
        );
        net.push(
            "affine2",
            Linear::new(
                &LinearConfig::new(self.hidden, self.classes).with_init(he),
                &mut rng,
            )?,
        );
        net.push(
            "dropout2",
            Dropout::new(self.dropout, DropoutKind::Inverted, seed.wrapping_add(1002))?,
        );
        Ok(net)
    }
}
