//! What the notes discuss but no notebook runs: how initialization shapes activations, a
//! random hyperparameter search, AlexNet's layer table.

use nabla_init::{Dist, Init};
use nabla_layers::{Linear, LinearConfig, Mode, Relu, Sequential, Sigmoid, Tanh};
use nabla_nn::{
    Architecture, Histogram, MlpConfig, Network, Split, TrainConfig, Trainer, accuracy,
};
use nabla_optim::{OptimizerConfig, Regularizer};
use ndarray::Array2;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use crate::runner::run_seed;
use crate::{Data, Result};

/// Activations of one (activation, initialization) pair through five layers of 100 units.
#[derive(Debug, Clone, Serialize)]
pub struct InitRow {
    /// `sigmoid`, `tanh` or `relu`.
    pub activation: &'static str,
    /// `std 1`, `std 0.01`, `Xavier` or `He`.
    pub init: &'static str,
    /// Per layer: the standard deviation of its outputs.
    pub stds: Vec<f64>,
    /// Per layer: a histogram of its outputs (`lo`, `hi`, counts).
    #[serde(skip)]
    pub histograms: Vec<Histogram>,
}

/// The classic weight-initialization figure: 1,000 Gaussian inputs of 100 features through
/// five `Linear(100, 100) → activation` layers, for each activation and initialization.
pub fn weight_init_figure(seed: u64) -> Result<Vec<InitRow>> {
    let mut rng = StdRng::seed_from_u64(run_seed(seed, "X-INIT"));
    let x = Array2::<f32>::from_shape_fn((1000, 100), |_| StandardNormal.sample(&mut rng));
    let inits: [(&str, Init); 4] = [
        (
            "std 1",
            Init::Normal {
                mean: 0.0,
                std: 1.0,
            },
        ),
        (
            "std 0.01",
            Init::Normal {
                mean: 0.0,
                std: 0.01,
            },
        ),
        ("Xavier", Init::Xavier(Dist::Normal)),
        ("He", Init::He(Dist::Normal)),
    ];
    let mut rows = Vec::new();
    for activation in ["sigmoid", "tanh", "relu"] {
        for (name, init) in inits {
            let mut net = Sequential::<f32>::new();
            for k in 1..=5 {
                net.push(
                    format!("affine{k}"),
                    Linear::new(&LinearConfig::new(100, 100).with_init(init), &mut rng)?,
                );
                let act = format!("act{k}");
                match activation {
                    "sigmoid" => net.push(act, Sigmoid::new()),
                    "tanh" => net.push(act, Tanh::new()),
                    _ => net.push(act, Relu::new()),
                };
            }
            let mut outputs: Vec<Vec<f64>> = Vec::new();
            net.forward_observed(x.clone().into_dyn(), Mode::Eval, &mut |layer, y| {
                if layer.starts_with("act") {
                    outputs.push(y.iter().map(|&v| f64::from(v)).collect());
                }
            })?;
            let (lo, hi) = match activation {
                "sigmoid" => (0.0, 1.0),
                "tanh" => (-1.0, 1.0),
                // ReLU outputs have no fixed range: use the largest seen in this setting.
                _ => (
                    0.0,
                    outputs.iter().flatten().fold(1e-12f64, |m, &v| m.max(v)),
                ),
            };
            rows.push(InitRow {
                activation,
                init: name,
                stds: outputs.iter().map(|o| std_of(o)).collect(),
                histograms: outputs
                    .iter()
                    .map(|o| Histogram::of(o.iter().copied(), lo, hi, 30))
                    .collect(),
            });
        }
    }
    Ok(rows)
}

fn std_of(v: &[f64]) -> f64 {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// One trial of the random search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Trial {
    /// Learning rate, drawn log-uniformly from `[1e-6, 1e-2]`.
    pub lr: f64,
    /// L2 strength, drawn log-uniformly from `[1e-8, 1e-4]`.
    pub weight_decay: f64,
    /// Accuracy on the 1,000 validation images.
    pub validation: f64,
    /// Accuracy on the 500 training images.
    pub train: f64,
}

/// A random search over learning rate and weight decay: `trials` short runs of a 6x100 MLP
/// on 500 training images, scored on 1,000 validation images held out of the training set
/// (never the test set), best first.
pub fn random_search(data: &Data, seed: u64, trials: usize, iterations: u64) -> Result<Vec<Trial>> {
    let mut rng = StdRng::seed_from_u64(run_seed(seed, "X-SEARCH"));
    let (train_set, validation) = data.search_splits()?;
    let mut out = Vec::new();
    for t in 0..trials {
        let lr = 10f64.powf(rng.random_range(-6.0..-2.0));
        let weight_decay = 10f64.powf(rng.random_range(-8.0..-4.0));
        let arch = Architecture::Mlp(MlpConfig::new(784, vec![100; 6], 10));
        let net = Network::<f32>::new(&arch, seed.wrapping_add(t as u64))?;
        let mut config = TrainConfig::iterations(iterations, 100);
        config.regularizer = Regularizer::new(0.0, weight_decay)?;
        config.eval_every = Some(iterations);
        config.threads = Some(1);
        config.seed = seed.wrapping_add(t as u64);
        let mut run = Trainer::new(net, &OptimizerConfig::sgd(lr), config)?;
        let history = run.fit(&train_set, &validation, &mut [])?;
        out.push(Trial {
            lr,
            weight_decay,
            validation: history.final_test_accuracy().unwrap_or(0.0),
            train: accuracy(run.model_mut(), &train_set, None, 500)?,
        });
    }
    out.sort_by(|a, b| b.validation.total_cmp(&a.validation));
    Ok(out)
}

impl Data {
    /// 500 training images and 1,000 validation images held out from the end of the
    /// training set.
    pub(crate) fn search_splits(&self) -> Result<(Split<f32>, Split<f32>)> {
        let all = self.train_rows();
        let n = all.len();
        let (x, labels) = all.gather(&(n - 1000..n).collect::<Vec<_>>());
        Ok((all.first(500), Split::new(x, labels)?))
    }
}
