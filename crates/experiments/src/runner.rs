//! Builds and trains one [`RunSpec`], and holds the data all runs share.

use std::time::Instant;

use nabla_datasets::Mnist;
use nabla_init::{Dist, Init};
use nabla_layers::{
    AvgPool2d, Conv2d, Conv2dConfig, Layer, Linear, LinearConfig, MaxPool2d, Relu, Sequential,
    SoftmaxCrossEntropy,
};
use nabla_nn::{
    Activation, Architecture, Classifier, DeepConvConfig, EvalPoint, Flow, GradientNorms, Hook,
    MlpConfig, Model, Network, Split, TrainConfig, WeightInit, set_frozen, train_model,
};
use nabla_optim::{Optimizer, Regularizer, Schedule};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use crate::quirks::{AdaGradTheta, SigmoidGradOnOutput};
use crate::spec::{ModelSpec, OptSpec, RunSpec, Subset};
use crate::{ExperimentError, Result};

/// MNIST as every run needs it, converted once: flat rows for the MLPs, images for the CNNs.
pub struct Data {
    train_flat: Split<f32>,
    test_flat: Split<f32>,
    train_img: Split<f32>,
    test_img: Split<f32>,
}

impl Data {
    /// Converts a loaded MNIST (pixels / 255, as the notebooks' `normalize=True`).
    pub fn new(mnist: &Mnist) -> Self {
        Data {
            train_flat: Split::from_mnist(&mnist.train, false),
            test_flat: Split::from_mnist(&mnist.test, false),
            // The CNN runs use at most the first 5,000 / 10,000 images.
            train_img: Split::from_mnist(&mnist.train.first(5000), true),
            test_img: Split::from_mnist(&mnist.test, true),
        }
    }

    pub(crate) fn train_flat(&self) -> &Split<f32> {
        &self.train_flat
    }

    fn pick(&self, images: bool, train: bool, subset: Subset) -> Result<Split<f32>> {
        let split = match (images, train) {
            (false, true) => &self.train_flat,
            (false, false) => &self.test_flat,
            (true, true) => &self.train_img,
            (true, false) => &self.test_img,
        };
        match subset {
            Subset::All if images && train => Err(ExperimentError::Setup(
                "the CNN runs use at most the first 5,000 training images".into(),
            )),
            Subset::All => Ok(split.clone()),
            Subset::First(n) if n > split.len() => Err(ExperimentError::Setup(format!(
                "asked for {n} images, the split has {}",
                split.len()
            ))),
            Subset::First(n) => Ok(split.first(n)),
        }
    }
}

/// One evaluation of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Iterations done.
    pub iteration: u64,
    /// Train accuracy (on the mini-batch for the runs that reproduce that choice).
    pub train: f64,
    /// Test accuracy.
    pub test: f64,
    /// Mean training loss since the previous evaluation.
    pub loss: f64,
}

/// What a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// The run's id.
    pub id: String,
    /// Every evaluation.
    pub curve: Vec<Point>,
    /// Per-layer weight-gradient norms `(iteration, [(name, norm)])`, for the VG runs.
    pub gradient_norms: Vec<(u64, Vec<(String, f64)>)>,
    /// The first convolution's filters after training, `(filters, kh·kw)`, for CNN runs.
    pub first_filters: Option<Vec<Vec<f32>>>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Why the run ended early (divergence), if it did.
    pub diverged: Option<String>,
}

impl RunResult {
    /// The final test accuracy.
    pub fn final_test(&self) -> f64 {
        self.curve.last().map_or(0.0, |p| p.test)
    }

    /// The final train accuracy.
    pub fn final_train(&self) -> f64 {
        self.curve.last().map_or(0.0, |p| p.train)
    }

    /// The median of `value` over the last `k` evaluations: what a run settled at, robust to
    /// the single-evaluation spikes a large learning rate produces.
    pub fn tail_median(&self, k: usize, value: impl Fn(&Point) -> f64) -> f64 {
        let mut tail: Vec<f64> = self.curve.iter().rev().take(k.max(1)).map(value).collect();
        tail.sort_by(f64::total_cmp);
        match tail.len() {
            0 => 0.0,
            n if n % 2 == 1 => tail[n / 2],
            n => (tail[n / 2 - 1] + tail[n / 2]) / 2.0,
        }
    }

    /// The test accuracy at `iteration` (the last evaluation at or before it).
    pub fn test_at(&self, iteration: u64) -> Option<f64> {
        self.curve
            .iter()
            .rev()
            .find(|p| p.iteration <= iteration)
            .map(|p| p.test)
    }

    /// The first iteration whose test accuracy exceeds `level`.
    pub fn first_above(&self, level: f64) -> Option<u64> {
        self.curve
            .iter()
            .find(|p| p.test > level)
            .map(|p| p.iteration)
    }
}

fn init_of(w: WeightInit) -> Init {
    match w {
        WeightInit::Std(std) => Init::Normal { mean: 0.0, std },
        WeightInit::Xavier => Init::Xavier(Dist::Normal),
        WeightInit::He => Init::He(Dist::Normal),
    }
}

fn activation_layer(a: Activation, grad_on_output: bool) -> Box<dyn Layer<f32>> {
    match (a, grad_on_output) {
        (Activation::Sigmoid, true) => Box::new(SigmoidGradOnOutput::new()),
        (Activation::Sigmoid, false) => Box::new(nabla_layers::Sigmoid::new()),
        (Activation::Relu, _) => Box::new(Relu::new()),
        (Activation::Tanh, _) => Box::new(nabla_layers::Tanh::new()),
    }
}

fn linear(n_in: usize, n_out: usize, init: Init, rng: &mut StdRng) -> Result<Linear<f32>> {
    Ok(Linear::new(
        &LinearConfig::new(n_in, n_out).with_init(init),
        rng,
    )?)
}

fn conv(c_in: usize, c_out: usize, k: usize, pad: usize, rng: &mut StdRng) -> Result<Conv2d<f32>> {
    let config = Conv2dConfig::new(c_in, c_out, k)
        .with_padding(pad)
        .with_init(Init::Normal {
            mean: 0.0,
            std: 0.01,
        });
    Ok(Conv2d::new(&config, rng)?)
}

/// Builds the network of a run, with weights drawn from `seed`.
pub fn build_model(spec: &RunSpec, seed: u64) -> Result<Box<dyn Model<f32>>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let ce = SoftmaxCrossEntropy::new;
    let mut model: Box<dyn Model<f32>> = match &spec.model {
        ModelSpec::VgNet {
            activation,
            init,
            sigmoid_grad_on_output,
        } => {
            let init = init_of(*init);
            let mut body = Sequential::new();
            body.push("affine1", linear(784, 40, init, &mut rng)?);
            body.push_boxed(
                "activation1",
                activation_layer(*activation, *sigmoid_grad_on_output),
            );
            body.push("affine2", linear(40, 20, init, &mut rng)?);
            body.push_boxed(
                "activation2",
                activation_layer(*activation, *sigmoid_grad_on_output),
            );
            body.push("affine3", linear(20, 10, init, &mut rng)?);
            Box::new(Classifier::new(body, ce(), 10))
        }
        ModelSpec::Mlp {
            hidden,
            activation,
            init,
            batchnorm,
            dropout,
            classic_dropout,
        } => {
            let mut config = MlpConfig::new(784, hidden.clone(), 10);
            config.activation = *activation;
            config.init = *init;
            config.batchnorm = *batchnorm;
            config.dropout = *dropout;
            config.classic_dropout = *classic_dropout;
            Box::new(Network::<f32>::new(&Architecture::Mlp(config), seed)?)
        }
        ModelSpec::SimpleConv { init, avg_pool } => {
            let mut body = Sequential::new();
            let config = Conv2dConfig::new(1, 30, 5).with_init(init_of(*init));
            body.push("conv1", Conv2d::new(&config, &mut rng)?);
            body.push("relu1", Relu::new());
            if *avg_pool {
                body.push("pool1", AvgPool2d::new((2, 2), 2, 0)?);
            } else {
                body.push("pool1", MaxPool2d::new((2, 2), 2, 0)?);
            }
            body.push("affine1", linear(4320, 100, init_of(*init), &mut rng)?);
            body.push("relu2", Relu::new());
            body.push("affine2", linear(100, 10, init_of(*init), &mut rng)?);
            Box::new(Classifier::new(body, ce(), 10))
        }
        ModelSpec::DoubleConv { after } => {
            let std = Init::Normal {
                mean: 0.0,
                std: 0.01,
            };
            let mut body = Sequential::new();
            body.push("conv1", conv(1, 10, 7, 1, &mut rng)?);
            body.push("relu1", Relu::new());
            if !after {
                body.push("pool1", MaxPool2d::new((2, 2), 2, 0)?);
            }
            body.push("conv2", conv(10, 20, 3, 1, &mut rng)?);
            body.push("relu2", Relu::new());
            body.push("pool2", MaxPool2d::new((2, 2), 2, 0)?);
            let flat = if *after { 20 * 12 * 12 } else { 20 * 6 * 6 };
            body.push("affine1", linear(flat, 100, std, &mut rng)?);
            body.push("relu3", Relu::new());
            body.push("affine2", linear(100, 10, std, &mut rng)?);
            Box::new(Classifier::new(body, ce(), 10))
        }
        ModelSpec::DeepConv => Box::new(Network::<f32>::new(
            &Architecture::DeepConv(DeepConvConfig::default()),
            seed,
        )?),
    };
    if spec.frozen_output {
        let output = match &spec.model {
            ModelSpec::Mlp { hidden, .. } => format!("affine{}.", hidden.len() + 1),
            _ => "affine3.".to_string(),
        };
        if set_frozen(model.as_mut(), &output, true) == 0 {
            return Err(ExperimentError::Setup(format!(
                "{}: no parameter named {output}*",
                spec.id
            )));
        }
    }
    if spec.frozen_bn_affine {
        set_frozen(model.as_mut(), "batchnorm", true);
    }
    Ok(model)
}

fn build_optimizer(spec: &RunSpec) -> Result<Box<dyn Optimizer<f32>>> {
    Ok(match &spec.optimizer {
        OptSpec::Library(config) => config.build::<f32>()?,
        OptSpec::AdaGradTheta { lr } => Box::new(AdaGradTheta::new(*lr)),
    })
}

fn uses_images(spec: &RunSpec) -> bool {
    !matches!(spec.model, ModelSpec::VgNet { .. } | ModelSpec::Mlp { .. })
}

/// The seed a run uses: the suite's seed mixed with the run id, so that every run has its own
/// stream and adding a run changes no other.
pub fn run_seed(suite_seed: u64, id: &str) -> u64 {
    id.bytes().fold(suite_seed ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Trains one run on `threads` threads (results do not depend on it).
pub fn run(
    spec: &RunSpec,
    data: &Data,
    suite_seed: u64,
    threads: usize,
    on_step: &mut dyn FnMut(u64, u64),
) -> Result<RunResult> {
    let started = Instant::now();
    let seed = run_seed(suite_seed, &spec.id);
    let images = uses_images(spec);
    let train_set = data.pick(images, true, spec.train)?;
    let test_set = data.pick(images, false, spec.test)?;
    let mut model = build_model(spec, seed)?;
    let mut optimizer = build_optimizer(spec)?;

    let mut config = TrainConfig::iterations(spec.iterations, spec.batch);
    config.eval_every = Some(spec.eval_every);
    config.train_accuracy = spec.train_accuracy;
    config.eval_train_samples = spec.train_eval_samples;
    config.regularizer = Regularizer::new(spec.l1, spec.l2)?;
    // Convolutions multiply image by image, so a larger batch buys nothing there and costs
    // fresh pages for every activation; the affine layers of the MLPs do gain from it.
    config.eval_batch_size = if images { 100 } else { 2000 };
    config.threads = Some(threads);
    config.seed = seed;
    if spec.decay_per_100 != 1.0 {
        config.schedule = Schedule::Step {
            every: 100,
            gamma: spec.decay_per_100,
        };
    }
    // The trainer's schedule starts from the configured rate; the optimizer itself is ours.
    config.optimizer = match &spec.optimizer {
        OptSpec::Library(c) => c.clone(),
        OptSpec::AdaGradTheta { lr } => nabla_optim::OptimizerConfig::Sgd { lr: *lr },
    };
    let mut norms = GradientNorms::new(spec.eval_every * 10);
    let mut curve = CurveRecorder::default();
    let mut hooks: Vec<&mut dyn Hook<f32>> = vec![&mut curve];
    if spec.group == "VG" {
        hooks.push(&mut norms);
    }
    let outcome = train_model(
        model.as_mut(),
        optimizer.as_mut(),
        0,
        &train_set,
        &test_set,
        &config,
        &mut hooks,
        &mut |p| on_step(p.step, p.total),
    );
    let diverged = match outcome {
        Ok(_) => None,
        // A diverged run is a result of the experiment (a too-large learning rate), not a
        // failure of the suite: its curve so far is kept and the divergence reported.
        Err(nabla_nn::NnError::Diverged { step, loss, lr }) => {
            Some(format!("loss {loss} at iteration {step} (lr {lr})"))
        }
        Err(e) => return Err(e.into()),
    };
    drop(hooks);
    let first_filters = images.then(|| first_filters(model.as_mut())).flatten();
    Ok(RunResult {
        id: spec.id.clone(),
        curve: curve.0,
        gradient_norms: norms.rows,
        first_filters,
        seconds: started.elapsed().as_secs_f64(),
        diverged,
    })
}

/// Keeps every evaluation as it happens, so a run that diverges still has its curve.
#[derive(Default)]
struct CurveRecorder(Vec<Point>);

impl Hook<f32> for CurveRecorder {
    fn after_eval(&mut self, e: &EvalPoint) -> Flow {
        self.0.push(Point {
            iteration: e.step,
            train: e.train_accuracy,
            test: e.test_accuracy,
            loss: e.train_loss,
        });
        Flow::Continue
    }
}

/// The first convolution's filters, one row of `kh·kw` values per filter (first channel).
pub fn first_filters(model: &mut dyn Model<f32>) -> Option<Vec<Vec<f32>>> {
    let mut out = None;
    model.visit_params(&mut |name, p| {
        if out.is_none() && name.ends_with("weight") && p.value.ndim() == 4 {
            let s = p.value.shape().to_vec();
            out = Some(
                (0..s[0])
                    .map(|f| {
                        p.value
                            .index_axis(ndarray::Axis(0), f)
                            .index_axis(ndarray::Axis(0), 0)
                            .iter()
                            .copied()
                            .collect()
                    })
                    .collect(),
            );
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(tests: &[f64]) -> RunResult {
        RunResult {
            id: "T".into(),
            curve: tests
                .iter()
                .enumerate()
                .map(|(k, &t)| Point {
                    iteration: 10 * (k as u64 + 1),
                    train: 1.0,
                    test: t,
                    loss: 0.0,
                })
                .collect(),
            gradient_norms: Vec::new(),
            first_filters: None,
            seconds: 0.0,
            diverged: None,
        }
    }

    #[test]
    fn tail_median_ignores_a_final_spike() {
        let mut tests = vec![0.2; 5];
        tests.extend([0.76, 0.77, 0.75, 0.78, 0.76, 0.77, 0.75, 0.76, 0.77, 0.45]);
        let r = result(&tests);
        assert_eq!(r.final_test(), 0.45);
        assert!((r.tail_median(10, |p| p.test) - 0.76).abs() < 1e-12);
        assert_eq!(r.first_above(0.5), Some(60));
        assert_eq!(r.test_at(55), Some(0.2));
    }

    #[test]
    fn run_seeds_differ_by_id_and_suite_seed() {
        assert_ne!(run_seed(0, "VG-1"), run_seed(0, "VG-2"));
        assert_ne!(run_seed(0, "VG-1"), run_seed(1, "VG-1"));
        assert_eq!(run_seed(7, "CNN-3"), run_seed(7, "CNN-3"));
    }
}
