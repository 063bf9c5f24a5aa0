//! DoubleConvNet: the classic CNN notebook's two-convolution reference networks.

use nabla_layers::{
    Conv2d, Conv2dConfig, Float, Linear, LinearConfig, MaxPool2d, Relu, Sequential,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::{NnError, Result, WeightInit};

/// `conv7x7-10 (pad 1), ReLU, pool, conv3x3-20 (pad 1), ReLU, pool, affine-100, ReLU,
/// affine-classes`, weights `0.01 · randn` as in the notebook; with `pool_between` false the
/// first pooling moves after the second convolution (`conv, conv, pool`: the notebook's
/// variant).
///
/// Spatial sizes for 28x28 input: 24, 12, 12, 6 (720 features), or 24, 24, 12 (2,880).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct DoubleConvConfig {
    /// Input `(C, H, W)`.
    pub input: (usize, usize, usize),
    /// Hidden affine units (100).
    pub hidden: usize,
    /// Output classes (10).
    pub classes: usize,
    /// Whether a pooling sits between the two convolutions (true) or both pool after the
    /// second (false).
    pub pool_between: bool,
    /// Weight initialization (`0.01 · randn`).
    pub init: WeightInit,
}

impl Default for DoubleConvConfig {
    fn default() -> Self {
        DoubleConvConfig {
            input: (1, 28, 28),
            hidden: 100,
            classes: 10,
            pool_between: true,
            init: WeightInit::Std(0.01),
        }
    }
}

impl DoubleConvConfig {
    /// The notebook's variant: both convolutions, then one pooling.
    pub fn conv_conv_pool() -> Self {
        DoubleConvConfig {
            pool_between: false,
            ..Self::default()
        }
    }

    pub(crate) fn build<F: Float>(&self, seed: u64) -> Result<Sequential<F>> {
        let mut rng = StdRng::seed_from_u64(seed);
        let init = self.init.init();
        let mut net = Sequential::new();
        let (mut c, mut h, mut w) = self.input;
        let convs = [(10, 7), (20, 3)];
        for (i, &(filters, kernel)) in convs.iter().enumerate() {
            let config = Conv2dConfig::new(c, filters, kernel)
                .with_padding(1)
                .with_init(init);
            (h, w) = config
                .geometry()
                .out_hw(h, w)
                .map_err(|e| NnError::Config(e.to_string()))?;
            net.push(format!("conv{}", i + 1), Conv2d::new(&config, &mut rng)?);
            net.push(format!("relu{}", i + 1), Relu::new());
            c = filters;
            if i == 1 || self.pool_between {
                net.push(format!("pool{}", i + 1), MaxPool2d::new((2, 2), 2, 0)?);
                (h, w) = (h / 2, w / 2);
            }
        }
        let linear = |n_in, n_out, rng: &mut StdRng| {
            Linear::new(&LinearConfig::new(n_in, n_out).with_init(init), rng)
        };
        net.push("affine1", linear(c * h * w, self.hidden, &mut rng)?);
        net.push("relu3", Relu::new());
        net.push("affine2", linear(self.hidden, self.classes, &mut rng)?);
        Ok(net)
    }
}
