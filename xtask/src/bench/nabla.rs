//! nabla's side of the bench: every row measured in this process, except peak memory, which
//! needs a process of its own (see [`memory_child`]).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result};
use nabla_datasets::Mnist;
use nabla_layers::{Conv2d, Conv2dConfig, Layer, MaxPool2d, Mode};
use nabla_nn::ndarray::{Array2, ArrayD, IxDyn};
use nabla_nn::{
    Architecture, Classifier, DeepConvConfig, Flow, Hook, Layout, MlpConfig, Network,
    SimpleConvConfig, Split, StepView, TrainConfig, TrainEval, Trainer, WeightInit,
};
use nabla_optim::OptimizerConfig;
use nabla_tensor::matmul_into;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::rows::{
    DEEP_ITERS, GEMM_SHAPES, INFER_PASSES, MLP_ITERS, SIMPLE_ITERS, TO99_BATCH, TO99_EPOCHS,
    TO99_LR,
};

/// Seconds per call: the fastest of `repeats` timings of `inner` calls, after one warm-up.
fn best_of(repeats: usize, inner: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..repeats)
        .map(|_| {
            let t = Instant::now();
            (0..inner).for_each(|_| f());
            t.elapsed().as_secs_f64() / inner as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn random(shape: &[usize], rng: &mut StdRng) -> ArrayD<f32> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(-1.0f32..1.0))
}

/// The model, optimizer and batch size of each training row (same as the peers').
fn workload(model: &str) -> Result<(Architecture, OptimizerConfig, usize)> {
    let adam = OptimizerConfig::adam(0.001);
    Ok(match model {
        "mlp" => {
            let mut mlp = MlpConfig::new(784, vec![100; 4], 10);
            mlp.init = WeightInit::He;
            (Architecture::Mlp(mlp), OptimizerConfig::sgd(0.01), 128)
        }
        "deep-conv" => (Architecture::DeepConv(DeepConvConfig::default()), adam, 100),
        "simple-conv" => (
            Architecture::SimpleConv(SimpleConvConfig::default()),
            adam,
            100,
        ),
        other => anyhow::bail!("no bench workload {other:?} (mlp, simple-conv, deep-conv)"),
    })
}

/// Trains `model` for `iters` timed steps (plus one warm-up and one closing step, whose
/// evaluation is not timed); returns seconds per step and the trained network.
fn train_seconds_per_iter(
    model: &str,
    train_set: &Split<f32>,
    test_set: &Split<f32>,
    iters: u64,
) -> Result<(f64, Network<f32>)> {
    let (arch, optimizer, batch) = workload(model)?;
    let mut config = TrainConfig::iterations(iters + 2, batch);
    // The closing evaluation is not timed; keep it short anyway.
    config.eval_train = TrainEval::Sample(1);
    config.eval_test_samples = Some(1);
    let mut run = Trainer::new(Network::new(&arch, 0)?, &optimizer, config)?;
    let mut clock = StepClock {
        from: 1,
        to: iters + 1,
        first: None,
        last: None,
    };
    run.fit(train_set, test_set, &mut [&mut clock])?
        .diverged_as_error()?;
    let (Some(first), Some(last)) = (clock.first, clock.last) else {
        anyhow::bail!("training {model} stopped early");
    };
    Ok((
        (last - first).as_secs_f64() / iters as f64,
        run.into_model(),
    ))
}

/// Notes when steps `from` and `to` end.
struct StepClock {
    from: u64,
    to: u64,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Hook<f32> for StepClock {
    fn after_update(&mut self, view: &StepView<'_, f32>, _model: &mut dyn Classifier<f32>) -> Flow {
        if view.step == self.from {
            self.first = Some(Instant::now());
        } else if view.step == self.to {
            self.last = Some(Instant::now());
        }
        Flow::Continue
    }
}

/// Images per second of the fastest of [`INFER_PASSES`] passes over `test`, in batches of
/// 1,000 converted from bytes as they go.
fn infer_images_per_second(net: &mut Network<f32>, test: &Split<f32>) -> Result<f64> {
    nabla_nn::predict_split(net, &test.first(1000), 1000)?;
    let mut best = f64::INFINITY;
    for _ in 0..INFER_PASSES {
        let t = Instant::now();
        let logits = nabla_nn::predict_split(net, test, 1000)?;
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(logits);
    }
    Ok(test.len() as f64 / best)
}

/// Milliseconds of one forward and backward pass of `layer` on an input of `shape`.
fn layer_ms(layer: &mut dyn Layer<f32>, shape: &[usize], repeats: usize) -> Result<f64> {
    let mut rng = StdRng::seed_from_u64(1);
    let x = random(shape, &mut rng);
    let mut best = f64::INFINITY;
    for k in 0..=repeats {
        // The input is moved into forward; its copy is made outside the timed part.
        let input = x.clone();
        let t = Instant::now();
        let out = layer.forward(input, Mode::Train)?;
        let dout = ArrayD::ones(out.raw_dim());
        std::hint::black_box(layer.backward(dout)?);
        if k > 0 {
            best = best.min(t.elapsed().as_secs_f64());
        }
    }
    Ok(best * 1000.0)
}

/// Every row but memory, on the calling thread's thread count.
pub fn measure(
    mnist: &Mnist,
    quick: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<BTreeMap<String, f64>> {
    let repeats = if quick { 3 } else { 10 };
    let mut rows = BTreeMap::new();
    let mut rng = StdRng::seed_from_u64(0);
    for &(m, k, n) in &GEMM_SHAPES {
        progress(&format!("gemm {m}x{k}x{n}"));
        let a = random(&[m, k], &mut rng).into_dimensionality()?;
        let b = random(&[k, n], &mut rng).into_dimensionality()?;
        let mut c = Array2::<f32>::zeros((m, n));
        let flops = 2.0 * (m * k * n) as f64;
        let inner = (2e8 / flops).max(1.0) as usize;
        let s = best_of(repeats, inner, || {
            matmul_into(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
        });
        rows.insert(format!("gemm/{m}x{k}x{n}"), flops / s / 1e9);
    }

    progress("layers");
    let mut rng = StdRng::seed_from_u64(2);
    let mut conv = Conv2d::new(&Conv2dConfig::new(1, 30, 5), &mut rng)?;
    rows.insert(
        "layer/simple-conv".into(),
        layer_ms(&mut conv, &[100, 1, 28, 28], repeats)?,
    );
    let mut pool = MaxPool2d::new((2, 2), 2, 0)?;
    rows.insert(
        "layer/simple-pool".into(),
        layer_ms(&mut pool, &[100, 30, 24, 24], repeats)?,
    );
    let mut conv = Conv2d::new(&Conv2dConfig::new(16, 16, 3).with_padding(1), &mut rng)?;
    rows.insert(
        "layer/deep-conv".into(),
        layer_ms(&mut conv, &[100, 16, 28, 28], repeats)?,
    );
    rows.insert(
        "layer/deep-pool".into(),
        layer_ms(&mut pool, &[100, 16, 28, 28], repeats)?,
    );

    let (train_img, test_img) = (
        Split::mnist(&mnist.train, Layout::Images),
        Split::mnist(&mnist.test, Layout::Images),
    );
    progress("training SimpleConvNet");
    let (s, mut net) = train_seconds_per_iter("simple-conv", &train_img, &test_img, SIMPLE_ITERS)?;
    rows.insert("train/simple-conv".into(), s * 600.0);
    rows.insert(
        "infer/simple-conv".into(),
        infer_images_per_second(&mut net, &test_img)?,
    );
    progress("training DeepConvNet");
    let (s, mut net) = train_seconds_per_iter("deep-conv", &train_img, &test_img, DEEP_ITERS)?;
    rows.insert("train/deep-conv".into(), s);
    rows.insert(
        "infer/deep-conv".into(),
        infer_images_per_second(&mut net, &test_img)?,
    );
    drop((train_img, test_img));
    let (train_flat, test_flat) = (
        Split::mnist(&mnist.train, Layout::Rows),
        Split::mnist(&mnist.test, Layout::Rows),
    );
    progress("training the MLP");
    let (s, mut net) = train_seconds_per_iter("mlp", &train_flat, &test_flat, MLP_ITERS)?;
    rows.insert("train/mlp".into(), 128.0 / s);
    rows.insert(
        "infer/mlp".into(),
        infer_images_per_second(&mut net, &test_flat)?,
    );
    Ok(rows)
}

/// The time-to-99% recipe from a cold start: loads MNIST from `dir`, trains, evaluates after
/// every epoch; returns the seconds to the first evaluation at 99% or more (or to the end)
/// and the final test accuracy in percent.
pub fn time_to_99(dir: &std::path::Path) -> Result<(f64, f64)> {
    let started = Instant::now();
    let mnist = Mnist::load(dir)?;
    let train_set = Split::mnist(&mnist.train, Layout::Images);
    let test_set = Split::mnist(&mnist.test, Layout::Images);
    drop(mnist);
    let mut net = SimpleConvConfig::default();
    net.init = WeightInit::He;
    let mut config = TrainConfig::epochs(TO99_EPOCHS, TO99_BATCH);
    config.schedule = nabla_optim::Schedule::Cosine {
        total: config.total_steps(train_set.len()),
        min_factor: 0.0,
    };
    config.eval_train = TrainEval::Sample(1000);
    let net = Network::new(&Architecture::SimpleConv(net), 0)?;
    let mut run = Trainer::new(net, &OptimizerConfig::adam(TO99_LR), config)?;
    let mut reached = ReachedAt {
        level: 0.99,
        started,
        seconds: None,
    };
    let history = run.fit(&train_set, &test_set, &mut [&mut reached])?;
    history.diverged_as_error()?;
    let accuracy = history.final_test_accuracy().unwrap_or(0.0);
    let seconds = reached
        .seconds
        .unwrap_or_else(|| started.elapsed().as_secs_f64());
    Ok((seconds, 100.0 * accuracy))
}

/// Notes when an evaluation first reaches `level`.
struct ReachedAt {
    level: f64,
    started: Instant,
    seconds: Option<f64>,
}

impl Hook<f32> for ReachedAt {
    fn after_eval(&mut self, p: &nabla_nn::EvalPoint, _model: &mut dyn Classifier<f32>) -> Flow {
        if self.seconds.is_none() && p.test_accuracy >= self.level {
            self.seconds = Some(self.started.elapsed().as_secs_f64());
        }
        Flow::Continue
    }
}

/// The body of the child process that measures peak memory: load MNIST, train `model` as
/// its training row does, and return the process's peak resident set in MB (Linux only).
pub fn memory_child(mnist_dir: &std::path::Path, model: &str) -> Result<f64> {
    let mnist = Mnist::load(mnist_dir)?;
    let (train_set, test_set) = (
        Split::mnist(&mnist.train, Layout::Images),
        Split::mnist(&mnist.test, Layout::Images),
    );
    drop(mnist);
    let iters = if model == "deep-conv" {
        DEEP_ITERS
    } else {
        SIMPLE_ITERS
    };
    train_seconds_per_iter(model, &train_set, &test_set, iters)?;
    let status = std::fs::read_to_string("/proc/self/status")
        .context("peak memory is read from /proc/self/status (Linux only)")?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM line in /proc/self/status")?;
    Ok(kib / 1024.0)
}
