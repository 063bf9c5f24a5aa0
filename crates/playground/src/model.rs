//! A playground run built from its settings: the data, the network and the trainer, all the
//! library's own (nabla-datasets' 2-D sets, nabla-layers' layers, nabla-nn's `Trainer`).

use std::sync::Arc;

use nabla_datasets::{Layout, Mnist, Split, Toy2d};
use nabla_layers::{
    BatchNorm, Dropout, DropoutKind, LeakyRelu, Linear, LinearConfig, Relu, Sequential, Sigmoid,
    SoftmaxCrossEntropy, Tanh,
};
use nabla_nn::{Budget, SequentialClassifier, TrainConfig, Trainer, WeightInit};
use nabla_optim::{OptimizerConfig, Regularizer};
use ndarray::Array2;

use crate::settings::{self, Activation, BatchNormAt, Data, Init, Settings};

/// The side of the square grid a 2-D network's boundary and units are drawn on.
pub const GRID: usize = 40;
/// Test images of an MNIST run.
const MNIST_TEST: usize = 1000;

/// A run's data: training and test splits, and for 2-D data the grid covering them.
pub struct Dataset {
    /// What the network trains on.
    pub train: Split<f32>,
    /// What it is tested on (as many fresh points, or MNIST test images).
    pub test: Split<f32>,
    /// `GRID²` points over `[-1.2, 1.2]²`, row by row from the top, for 2-D data.
    pub grid: Option<Split<f32>>,
    /// Input features and classes.
    pub features: usize,
    /// Output classes.
    pub classes: usize,
}

/// The extent of the grid: a little beyond the 2-D sets' points.
pub const EXTENT: f32 = 1.2;

/// The data of `settings` (MNIST from `mnist` when asked for).
pub fn dataset(settings: &Settings, mnist: Option<&Arc<Mnist>>) -> Result<Dataset, String> {
    let toy = match settings.data {
        Data::Spiral => Toy2d::Spiral,
        Data::Circles => Toy2d::Circles,
        Data::Xor => Toy2d::Xor,
        Data::Blobs => Toy2d::Blobs,
        Data::Mnist => {
            let mnist = mnist.ok_or(
                "MNIST is not available to this playground: start it with --data DIR (or run `cargo xtask fetch-mnist`)",
            )?;
            let train = Split::<f32>::mnist(&mnist.train, Layout::Rows).first(settings.points);
            let test = Split::<f32>::mnist(&mnist.test, Layout::Rows).first(MNIST_TEST);
            return Ok(Dataset {
                train,
                test,
                grid: None,
                features: 784,
                classes: 10,
            });
        }
    };
    let generate = |seed| {
        toy.generate::<f32>(settings.points, settings.noise, seed)
            .map_err(|e| e.to_string())
    };
    let step = 2.0 * EXTENT / (GRID - 1) as f32;
    let grid = Array2::from_shape_fn((GRID * GRID, 2), |(i, k)| {
        let (row, col) = (i / GRID, i % GRID);
        if k == 0 {
            -EXTENT + col as f32 * step
        } else {
            EXTENT - row as f32 * step
        }
    });
    Ok(Dataset {
        train: generate(settings.seed)?,
        test: generate(settings.seed ^ 0x7E57)?,
        grid: Some(Split::new(grid.into_dyn(), vec![0; GRID * GRID]).map_err(|e| e.to_string())?),
        features: 2,
        classes: 2,
    })
}

/// The names of the hidden activations' layers, in order (`act1`, `act2`, …).
pub fn activation_name(layer: usize) -> String {
    format!("act{}", layer + 1)
}

/// The network of `settings` for `features` inputs and `classes` outputs: per hidden layer
/// `fc → [bn] → act → [bn] → [drop]`, then `fc_out`, trained against softmax cross-entropy.
pub fn network(
    settings: &Settings,
    features: usize,
    classes: usize,
) -> Result<SequentialClassifier<f32>, String> {
    use nabla_datasets::rand::SeedableRng;
    let init = match settings.init {
        Init::Normal => WeightInit::Std(settings.sigma),
        Init::Xavier => WeightInit::Xavier,
        Init::He => WeightInit::He,
    }
    .init();
    let mut rng = nabla_datasets::rand::rngs::StdRng::seed_from_u64(settings.seed);
    let mut body = Sequential::<f32>::new();
    let mut fan_in = features;
    let err = |e: nabla_layers::LayerError| e.to_string();
    for (k, &width) in settings.hidden.iter().enumerate() {
        let n = k + 1;
        let config = LinearConfig::new(fan_in, width).with_init(init);
        body.push(
            format!("fc{n}"),
            Linear::new(&config, &mut rng).map_err(err)?,
        );
        if settings.batchnorm == BatchNormAt::Before {
            body.push(format!("bn{n}"), BatchNorm::new(width).map_err(err)?);
        }
        let name = activation_name(k);
        match settings.activation {
            Activation::Sigmoid => body.push(name, Sigmoid::new()),
            Activation::Tanh => body.push(name, Tanh::new()),
            Activation::Relu => body.push(name, Relu::new()),
            Activation::LeakyRelu => body.push(name, LeakyRelu::new(0.01)),
        };
        if settings.batchnorm == BatchNormAt::After {
            body.push(format!("bn{n}"), BatchNorm::new(width).map_err(err)?);
        }
        if settings.dropout > 0.0 {
            let seed = settings.seed.wrapping_add(n as u64);
            let drop = Dropout::new(settings.dropout, DropoutKind::Inverted, seed).map_err(err)?;
            body.push(format!("drop{n}"), drop);
        }
        fan_in = width;
    }
    let config = LinearConfig::new(fan_in, classes).with_init(init);
    body.push("fc_out", Linear::new(&config, &mut rng).map_err(err)?);
    Ok(SequentialClassifier::new(
        body,
        SoftmaxCrossEntropy::new(),
        classes,
    ))
}

/// The trainer of `settings` around `model`, at step 0 with no steps planned yet.
pub fn trainer(
    settings: &Settings,
    model: SequentialClassifier<f32>,
) -> Result<Trainer<f32, SequentialClassifier<f32>>, String> {
    let lr = settings.lr;
    let optimizer = match settings.optimizer {
        settings::Optimizer::Sgd => OptimizerConfig::sgd(lr),
        settings::Optimizer::Momentum => OptimizerConfig::momentum(lr),
        settings::Optimizer::Nesterov => OptimizerConfig::nesterov(lr),
        settings::Optimizer::Adagrad => OptimizerConfig::adagrad(lr),
        settings::Optimizer::Rmsprop => OptimizerConfig::rmsprop(lr),
        settings::Optimizer::Adam => OptimizerConfig::adam(lr),
    };
    let mut config = TrainConfig::iterations(0, settings.batch);
    config.budget = Budget::Iterations(0);
    config.seed = settings.seed;
    // One thread: a page's run is small, and several pages may train at once.
    config.threads = Some(1);
    config.regularizer = Regularizer::new(settings.l1, settings.l2).map_err(|e| e.to_string())?;
    config.schedule = match settings.schedule {
        settings::Schedule::Constant => nabla_optim::Schedule::Constant,
        settings::Schedule::Step => nabla_optim::Schedule::Step {
            every: 500,
            gamma: 0.5,
        },
        settings::Schedule::Cosine => nabla_optim::Schedule::Cosine {
            total: 2000,
            min_factor: 0.01,
        },
    };
    Trainer::new(model, &optimizer, config).map_err(|e| e.to_string())
}
