//! Statements of the notes that the library's own layers answer without training: the
//! sigmoid's largest slope, a convolution's output size, AlexNet's shape, what a penalty
//! touches, and where a ConvNet's arithmetic goes.

use nabla_layers::{Conv2d, Conv2dConfig, Layer, Linear, LinearConfig, Mode, ParamKind, Sigmoid};
use nabla_nn::{
    AlexNetConfig, Architecture, DeepConvConfig, LayerSummary, Network, SimpleConvConfig,
};
use nabla_optim::Regularizer;
use nabla_tensor::ConvGeometry;
use ndarray::{Array1, ArrayD, IxDyn};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use crate::{ExperimentError, Result};

/// The sigmoid's derivative, measured through the library layer's backward pass.
#[derive(Debug, Clone, Serialize)]
pub struct SigmoidSlope {
    /// Grid points measured (x from −8 to 8 in steps of 0.001).
    pub points: usize,
    /// The largest derivative found.
    pub max: f64,
    /// Where it is.
    pub at: f64,
    /// `(x, σ'(x))` every 0.25, for the figure.
    pub curve: Vec<(f64, f64)>,
}

pub(super) fn sigmoid_slope() -> Result<SigmoidSlope> {
    let xs = Array1::from_iter((0..=16_000).map(|k| -8.0 + f64::from(k) * 1e-3));
    let mut layer = Sigmoid::<f64>::new();
    layer.forward(xs.clone().into_dyn(), Mode::Train)?;
    let slope = layer.backward(ArrayD::ones(IxDyn(&[xs.len()])))?;
    let (k, max) =
        slope.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |b, (k, &v)| if v > b.1 { (k, v) } else { b },
        );
    Ok(SigmoidSlope {
        points: xs.len(),
        max,
        at: xs[k],
        curve: (0..xs.len())
            .step_by(250)
            .map(|k| (xs[k], slope[k]))
            .collect(),
    })
}

/// One convolution's output size, three ways.
#[derive(Debug, Clone, Serialize)]
pub struct ConvSize {
    /// Input height = width.
    pub input: usize,
    /// Kernel height = width.
    pub kernel: usize,
    /// Stride.
    pub stride: usize,
    /// Zero padding.
    pub padding: usize,
    /// `(H + 2P − K) / S + 1` by hand.
    pub formula: usize,
    /// The library's geometry.
    pub geometry: (usize, usize),
    /// The spatial shape a real `Conv2d` forward returned.
    pub forward: (usize, usize),
}

pub(super) fn conv_sizes() -> Result<Vec<ConvSize>> {
    // The check-yourself case first, then the nets of the notes and a strided one.
    let cases = [
        (6, 2, 1, 1),
        (28, 5, 1, 0),
        (28, 3, 1, 1),
        (4, 3, 1, 1),
        (7, 3, 2, 0),
        (227, 11, 4, 0),
    ];
    let mut rng = StdRng::seed_from_u64(0);
    cases
        .iter()
        .map(|&(input, kernel, stride, padding)| {
            let geometry =
                ConvGeometry::new((kernel, kernel), stride, padding).out_hw(input, input)?;
            let config = Conv2dConfig::new(1, 1, kernel)
                .with_stride(stride)
                .with_padding(padding);
            let mut conv = Conv2d::<f32>::new(&config, &mut rng)?;
            let y = conv.forward(ArrayD::zeros(IxDyn(&[1, 1, input, input])), Mode::Eval)?;
            Ok(ConvSize {
                input,
                kernel,
                stride,
                padding,
                formula: (input + 2 * padding - kernel) / stride + 1,
                geometry,
                forward: (y.shape()[2], y.shape()[3]),
            })
        })
        .collect()
}

/// AlexNet as built by the library, counted.
#[derive(Debug, Clone, Serialize)]
pub struct AlexNetShape {
    /// Convolution layers.
    pub convolutions: usize,
    /// Fully connected layers.
    pub fully_connected: usize,
    /// For each dropout layer, the width of the output it drops from.
    pub dropout_widths: Vec<usize>,
    /// Trainable parameters.
    pub params: usize,
}

pub(super) fn alexnet_shape(rows: &[LayerSummary]) -> AlexNetShape {
    let count = |kind: &str| rows.iter().filter(|r| r.kind == kind).count();
    let dropout_widths = rows
        .iter()
        .filter(|r| r.kind == "Dropout")
        .map(|r| r.output_shape[1..].iter().product())
        .collect();
    AlexNetShape {
        convolutions: count("Conv2d"),
        fully_connected: count("Linear"),
        dropout_widths,
        params: rows.iter().map(|r| r.params).sum(),
    }
}

/// What the library's L1 + L2 penalty touches in a dense layer.
#[derive(Debug, Clone, Serialize)]
pub struct PenaltyTargets {
    /// Whether the weights' gradient changed.
    pub weight_gradient_changed: bool,
    /// Whether the bias's gradient changed.
    pub bias_gradient_changed: bool,
    /// The penalty, against the same sum over the weights alone.
    pub penalty: f64,
    /// `λ₂/2·ΣW² + λ₁·Σ|W|` over the weights only.
    pub weights_only: f64,
}

pub(super) fn penalty_targets() -> Result<PenaltyTargets> {
    let mut rng = StdRng::seed_from_u64(1);
    let mut layer = Linear::<f64>::new(&LinearConfig::new(4, 3), &mut rng)?;
    // A bias far from 0, so that a penalty on it would show.
    layer.visit_params(&mut |_, p| {
        if p.kind == ParamKind::Bias {
            p.value.fill(2.0);
        }
    });
    let reg = Regularizer::new(0.1, 0.5).map_err(|e| ExperimentError::Setup(e.to_string()))?;
    let penalty = reg.penalty(|f| layer.visit_params(f));
    reg.add_gradient(|f| layer.visit_params(f));
    let (mut weight_gradient_changed, mut bias_gradient_changed, mut weights_only) =
        (false, false, 0.0);
    layer.params(&mut |_, p| {
        let moved = p.grad.iter().any(|&g| g != 0.0);
        match p.kind {
            ParamKind::Weight => {
                weight_gradient_changed |= moved;
                weights_only += p
                    .value
                    .iter()
                    .map(|w| 0.25 * w * w + 0.1 * w.abs())
                    .sum::<f64>();
            }
            _ => bias_gradient_changed |= moved,
        }
    });
    Ok(PenaltyTargets {
        weight_gradient_changed,
        bias_gradient_changed,
        penalty,
        weights_only,
    })
}

/// Where a network's multiply-adds go.
#[derive(Debug, Clone, Serialize)]
pub struct ArithmeticShare {
    /// The network.
    pub network: &'static str,
    /// Multiply-adds per image, all layers.
    pub macs: u64,
    /// The convolutions' share of them.
    pub conv_share: f64,
    /// The convolutions' share of the parameters.
    pub conv_param_share: f64,
}

/// AlexNet's layer table (building it takes half a gigabyte of parameters and gradients, so
/// it is built once and read by every fact about it).
pub(super) fn alexnet_table() -> Result<Vec<LayerSummary>> {
    let net = Network::<f32>::new(&Architecture::AlexNet(AlexNetConfig::default()), 0)?;
    Ok(net.summary()?)
}

pub(super) fn arithmetic(alexnet: &[LayerSummary]) -> Result<Vec<ArithmeticShare>> {
    [
        (
            "SimpleConvNet",
            Some(Architecture::SimpleConv(SimpleConvConfig::default())),
        ),
        (
            "DeepConvNet",
            Some(Architecture::DeepConv(DeepConvConfig::default())),
        ),
        ("AlexNet", None),
    ]
    .into_iter()
    .map(|(network, arch)| {
        let rows = match arch {
            Some(arch) => Network::<f32>::new(&arch, 0)?.summary()?,
            None => alexnet.to_vec(),
        };
        let macs: u64 = rows.iter().map(|r| r.macs).sum();
        let params: usize = rows.iter().map(|r| r.params).sum();
        let conv = rows.iter().filter(|r| r.kind == "Conv2d");
        let (conv_macs, conv_params) =
            conv.fold((0u64, 0usize), |(m, p), r| (m + r.macs, p + r.params));
        Ok(ArithmeticShare {
            network,
            macs,
            conv_share: conv_macs as f64 / macs.max(1) as f64,
            conv_param_share: conv_params as f64 / params.max(1) as f64,
        })
    })
    .collect()
}

/// Where one training step's time goes, layer by layer (a batch of 100 images, one thread,
/// the median of 3 timings; machine-dependent, shown beside the arithmetic).
#[derive(Debug, Clone, Serialize)]
pub struct StepTime {
    /// The network.
    pub network: &'static str,
    /// `(layer, kind, forward + backward milliseconds)`.
    pub layers: Vec<(String, &'static str, f64)>,
    /// The convolutions' share of the step's time.
    pub conv_share: f64,
}

pub(super) fn step_times() -> Result<Vec<StepTime>> {
    use std::time::Instant;
    [
        (
            "SimpleConvNet",
            Architecture::SimpleConv(SimpleConvConfig::default()),
        ),
        (
            "DeepConvNet",
            Architecture::DeepConv(DeepConvConfig::default()),
        ),
    ]
    .into_iter()
    .map(|(network, arch)| {
        let mut parts = arch.layers::<f32>(0)?.into_layers();
        parts[0].1.set_input_gradient(false);
        let x = ArrayD::<f32>::from_elem(IxDyn(&[100, 1, 28, 28]), 0.5);
        let mut times = vec![Vec::new(); parts.len()];
        nabla_tensor::parallel::with_threads(1, || -> Result<()> {
            for _ in 0..3 {
                let mut y = x.clone();
                for (k, (_, layer)) in parts.iter_mut().enumerate() {
                    let t = Instant::now();
                    y = layer.forward(y, Mode::Train)?;
                    times[k].push(t.elapsed().as_secs_f64());
                }
                let mut dy = ArrayD::from_elem(y.raw_dim(), 0.01f32);
                for (k, (_, layer)) in parts.iter_mut().enumerate().rev() {
                    let t = Instant::now();
                    dy = layer.backward(dy)?;
                    let last = times[k].len() - 1;
                    times[k][last] += t.elapsed().as_secs_f64();
                }
            }
            Ok(())
        })?;
        let layers: Vec<(String, &'static str, f64)> = parts
            .iter()
            .zip(&mut times)
            .map(|((name, layer), t)| {
                t.sort_by(f64::total_cmp);
                (name.clone(), layer.kind(), 1e3 * t[t.len() / 2])
            })
            .collect();
        let total: f64 = layers.iter().map(|l| l.2).sum();
        let conv: f64 = layers.iter().filter(|l| l.1 == "Conv2d").map(|l| l.2).sum();
        Ok(StepTime {
            network,
            layers,
            conv_share: conv / total.max(1e-12),
        })
    })
    .collect()
}
