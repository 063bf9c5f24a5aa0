//! AlexNet (Krizhevsky, Sutskever & Hinton, 2012), on one device.

use nabla_layers::{
    Conv2d, Conv2dConfig, Dropout, DropoutKind, Float, Linear, LinearConfig, LocalResponseNorm,
    MaxPool2d, Relu, Sequential,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::{NnError, Result};

/// AlexNet for `3x227x227` input:
///
/// | layer | |
/// |---|---|
/// | conv1 | 96 11x11 stride 4 → ReLU → LRN → max-pool 3x3 stride 2 |
/// | conv2 | 256 5x5 pad 2 → ReLU → LRN → max-pool 3x3 stride 2 |
/// | conv3, conv4 | 384 3x3 pad 1 → ReLU |
/// | conv5 | 256 3x3 pad 1 → ReLU → max-pool 3x3 stride 2 |
/// | fc6, fc7 | 4096 → ReLU → dropout 0.5 |
/// | fc8 | classes |
///
/// The paper split conv2, conv4 and conv5 into two groups across two GPUs; here every
/// convolution sees all input channels, which gives 62,378,344 parameters instead of the
/// paper's 60,965,224 (the difference is exactly half of those three layers' weights).
/// Smaller inputs work if every layer still fits (67x67 is the smallest square one).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct AlexNetConfig {
    /// Input `(C, H, W)`, `(3, 227, 227)` in the paper.
    pub input: (usize, usize, usize),
    /// Output classes, 1000 in the paper.
    pub classes: usize,
    /// Dropout probability of fc6 and fc7.
    pub dropout: f64,
}

impl Default for AlexNetConfig {
    fn default() -> Self {
        AlexNetConfig {
            input: (3, 227, 227),
            classes: 1000,
            dropout: 0.5,
        }
    }
}

impl AlexNetConfig {
    pub(crate) fn build<F: Float>(&self, seed: u64) -> Result<Sequential<F>> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut net = Sequential::new();
        let (mut c, mut h, mut w) = self.input;
        let fit = |g: nabla_tensor::ConvGeometry, h: usize, w: usize| {
            g.out_hw(h, w).map_err(|e| {
                NnError::Config(format!(
                    "input {:?} is too small for AlexNet: {e}",
                    self.input
                ))
            })
        };
        // (name, filters, kernel, stride, pad, lrn, pool)
        let convs = [
            ("conv1", 96, 11, 4, 0, true, true),
            ("conv2", 256, 5, 1, 2, true, true),
            ("conv3", 384, 3, 1, 1, false, false),
            ("conv4", 384, 3, 1, 1, false, false),
            ("conv5", 256, 3, 1, 1, false, true),
        ];
        for (k, &(name, filters, kernel, stride, pad, lrn, pool)) in convs.iter().enumerate() {
            let config = Conv2dConfig::new(c, filters, kernel)
                .with_stride(stride)
                .with_padding(pad);
            (h, w) = fit(config.geometry(), h, w)?;
            net.push(name, Conv2d::new(&config, &mut rng)?);
            net.push(format!("relu{}", k + 1), Relu::new());
            if lrn {
                net.push(format!("lrn{}", k + 1), LocalResponseNorm::alexnet());
            }
            if pool {
                let p = MaxPool2d::new((3, 3), 2, 0)?;
                (h, w) = fit(nabla_tensor::ConvGeometry::new((3, 3), 2, 0), h, w)?;
                net.push(format!("pool{}", k + 1), p);
            }
            c = filters;
        }
        let mut fan_in = c * h * w;
        for (k, size) in [(6, 4096), (7, 4096)] {
            net.push(
                format!("fc{k}"),
                Linear::new(&LinearConfig::new(fan_in, size), &mut rng)?,
            );
            net.push(format!("relu{k}"), Relu::new());
            net.push(
                format!("dropout{k}"),
                Dropout::new(self.dropout, DropoutKind::Inverted, seed.wrapping_add(k))?,
            );
            fan_in = size;
        }
        net.push(
            "fc8",
            Linear::new(&LinearConfig::new(fan_in, self.classes), &mut rng)?,
        );
        Ok(net)
    }
}
