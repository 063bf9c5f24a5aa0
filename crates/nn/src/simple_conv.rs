//! SimpleConvNet: one convolution, one pooling, two affine layers.

use nabla_layers::{
    AvgPool2d, Conv2d, Conv2dConfig, Float, Linear, LinearConfig, MaxPool2d, Relu, Sequential,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::{NnError, Result, WeightInit};

/// How SimpleConvNet pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Pooling {
    /// The largest value of each window (the classic choice).
    #[default]
    Max,
    /// The mean of each window.
    Average,
}

/// `conv (filters, kernel, stride, pad) → ReLU → pool 2x2 stride 2 → affine hidden → ReLU →
/// affine classes`. Defaults are the classic ones: 30 filters of 5x5, stride 1, no padding,
/// max pooling, 100 hidden units, weights `0.01 · randn`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct SimpleConvConfig {
    /// Input `(C, H, W)`.
    pub input: (usize, usize, usize),
    /// Convolution filters.
    pub filters: usize,
    /// Square kernel size.
    pub kernel: usize,
    /// Convolution stride.
    pub stride: usize,
    /// Convolution padding.
    pub padding: usize,
    /// Hidden affine units.
    pub hidden: usize,
    /// Output classes.
    pub classes: usize,
    /// Weight initialization.
    pub init: WeightInit,
    /// Max or average pooling.
    pub pooling: Pooling,
}

impl Default for SimpleConvConfig {
    fn default() -> Self {
        SimpleConvConfig {
            input: (1, 28, 28),
            filters: 30,
            kernel: 5,
            stride: 1,
            padding: 0,
            hidden: 100,
            classes: 10,
            init: WeightInit::Std(0.01),
            pooling: Pooling::Max,
        }
    }
}

impl SimpleConvConfig {
    pub(crate) fn build<F: Float>(&self, seed: u64) -> Result<Sequential<F>> {
        let mut rng = StdRng::seed_from_u64(seed);
        let conv = Conv2dConfig::new(self.input.0, self.filters, self.kernel)
            .with_stride(self.stride)
            .with_padding(self.padding)
            .with_init(self.init.init());
        let (oh, ow) = conv
            .geometry()
            .out_hw(self.input.1, self.input.2)
            .map_err(|e| NnError::Config(e.to_string()))?;
        let pooled = self.filters * (oh / 2) * (ow / 2);
        let mut net = Sequential::new();
        net.push("conv1", Conv2d::new(&conv, &mut rng)?);
        net.push("relu1", Relu::new());
        match self.pooling {
            Pooling::Max => net.push("pool1", MaxPool2d::new((2, 2), 2, 0)?),
            Pooling::Average => net.push("pool1", AvgPool2d::new((2, 2), 2, 0)?),
        };
        net.push(
            "affine1",
            Linear::new(
                &LinearConfig::new(pooled, self.hidden).with_init(self.init.init()),
                &mut rng,
            )?,
        );
        net.push("relu2", Relu::new());
        net.push(
            "affine2",
            Linear::new(
                &LinearConfig::new(self.hidden, self.classes).with_init(self.init.init()),
                &mut rng,
            )?,
        );
        Ok(net)
    }
}
