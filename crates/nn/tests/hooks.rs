//! The open trainer: any model, hooks at each point of a step, and a per-run thread count.

use nabla_layers::{Linear, LinearConfig, MeanSquaredError, Relu, Sequential, SoftmaxCrossEntropy};
use nabla_nn::{
    ActivationHistograms, Architecture, Classifier, EvalPoint, Flow, GradientNorms, Hook,
    MlpConfig, Network, SequentialClassifier, Split, StepView, TrainConfig, Trainer,
};
use nabla_optim::OptimizerConfig;
use ndarray::{Array2, ArrayD};
use rand::SeedableRng;

/// Two noisy blobs in 6 dimensions: an easy problem that still needs training.
fn blobs(n: usize, seed: u64) -> Split<f32> {
    use rand::RngExt;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
    let x = Array2::from_shape_fn((n, 6), |(i, j)| {
        let centre = if j % 3 == labels[i] { 1.5 } else { 0.0 };
        centre + rng.random_range(-1.0f32..1.0)
    });
    Split::new(x.into_dyn(), labels).unwrap()
}

fn mlp() -> Network<f32> {
    Network::new(&Architecture::Mlp(MlpConfig::new(6, vec![16, 8], 3)), 7).unwrap()
}

fn config(iters: u64) -> TrainConfig {
    let mut c = TrainConfig::iterations(iters, 16);
    c.eval_every = Some(10);
    c
}

fn train_with(
    model: &mut dyn Classifier<f32>,
    lr: f64,
    config: &TrainConfig,
    hooks: &mut [&mut dyn Hook<f32>],
) -> nabla_nn::History {
    let data = blobs(120, 1);
    let mut run = Trainer::new(model, &OptimizerConfig::sgd(lr), config.clone()).unwrap();
    run.fit(&data, &data, hooks).unwrap()
}

fn train(
    model: &mut dyn Classifier<f32>,
    config: &TrainConfig,
    hooks: &mut [&mut dyn Hook<f32>],
) -> nabla_nn::History {
    train_with(model, 0.1, config, hooks)
}

/// Records which points of which steps it was called at.
#[derive(Default)]
struct Trace {
    calls: Vec<String>,
    stop_after_eval: Option<u64>,
}

impl Hook<f32> for Trace {
    fn wants_outputs(&self, step: u64) -> bool {
        step == 2
    }
    fn on_output(&mut self, step: u64, layer: &str, output: &ArrayD<f32>) {
        self.calls
            .push(format!("{step}:output:{layer}:{:?}", output.shape()));
    }
    fn after_forward(&mut self, view: &StepView<'_, f32>) -> Flow {
        assert_eq!(view.logits.shape(), &[16, 3]);
        assert_eq!(view.batch.len(), 16);
        self.calls.push(format!("{}:forward", view.step));
        Flow::Continue
    }
    fn after_backward(
        &mut self,
        view: &StepView<'_, f32>,
        model: &mut dyn Classifier<f32>,
    ) -> Flow {
        let mut any_grad = false;
        model.visit_params(&mut |_, p| any_grad |= p.grad.iter().any(|&g| g != 0.0));
        assert!(any_grad, "gradients are filled before the update");
        self.calls.push(format!("{}:backward", view.step));
        Flow::Continue
    }
    fn after_update(&mut self, view: &StepView<'_, f32>, _model: &mut dyn Classifier<f32>) -> Flow {
        let eval = if view.evaluates { "+eval" } else { "" };
        self.calls.push(format!("{}:update{eval}", view.step));
        Flow::Continue
    }
    fn after_eval(&mut self, point: &EvalPoint, _model: &mut dyn Classifier<f32>) -> Flow {
        self.calls.push(format!("{}:eval", point.step));
        if self.stop_after_eval == Some(point.step) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}

#[test]
fn hooks_are_called_in_order_and_see_layer_outputs() {
    let mut trace = Trace::default();
    train(&mut mlp(), &config(10), &mut [&mut trace]);
    assert_eq!(trace.calls[0..3], ["1:forward", "1:backward", "1:update"]);
    let outputs: Vec<&String> = trace
        .calls
        .iter()
        .filter(|c| c.contains("output"))
        .collect();
    // Every layer of step 2, and only of step 2.
    assert_eq!(outputs.len(), 5, "{outputs:?}");
    assert_eq!(outputs[0], "2:output:affine1:[16, 16]");
    assert_eq!(
        trace.calls[trace.calls.len() - 2..],
        ["10:update+eval", "10:eval"]
    );
}

#[test]
fn a_run_without_evaluations_trains_the_same_steps_and_evaluates_nothing() {
    let data = blobs(120, 1);
    let mut trace = Trace::default();
    let mut fitted = Trainer::new(mlp(), &OptimizerConfig::sgd(0.1), config(30)).unwrap();
    let with = fitted.fit(&data, &data, &mut []).unwrap();
    let mut trained = Trainer::new(mlp(), &OptimizerConfig::sgd(0.1), config(30)).unwrap();
    let without = trained.train(&data, &mut [&mut trace]).unwrap();
    assert_eq!(without.losses, with.losses, "evaluations change no step");
    assert!(without.evals.is_empty() && with.evals.len() == 3);
    assert!(
        !trace.calls.iter().any(|c| c.contains("eval")),
        "{:?}",
        trace.calls
    );
    assert_eq!(without.ended, nabla_nn::Ended::Completed);
}

#[test]
fn a_hook_can_stop_the_run() {
    let mut trace = Trace {
        stop_after_eval: Some(20),
        ..Trace::default()
    };
    let history = train(&mut mlp(), &config(100), &mut [&mut trace]);
    assert_eq!(history.ended, nabla_nn::Ended::Stopped { step: 20 });
    assert_eq!(history.losses.len(), 20);
    assert_eq!(history.evals.len(), 2);
}

#[test]
fn gradient_norms_and_histograms_are_recorded_per_layer() {
    let mut norms = GradientNorms::new(5);
    let mut hist = ActivationHistograms::new(vec![1, 10], "activation", 0.0, 3.0, 10);
    train(&mut mlp(), &config(10), &mut [&mut norms, &mut hist]);
    let steps: Vec<u64> = norms.rows.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, [1, 5, 10]);
    let names: Vec<&str> = norms.rows[0].1.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["affine1.weight", "affine2.weight", "affine3.weight"]
    );
    assert!(
        norms
            .rows
            .iter()
            .all(|(_, r)| r.iter().all(|(_, v)| v.is_finite() && *v > 0.0))
    );
    // Two activation layers at two steps, each histogram counting all 16·width outputs.
    assert_eq!(hist.rows.len(), 4);
    assert_eq!(hist.rows[0].2.counts.iter().sum::<u64>(), 16 * 16);
}

#[test]
fn any_sequential_with_any_loss_trains() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let build = |rng: &mut rand::rngs::StdRng| {
        let mut body = Sequential::<f32>::new();
        body.push("fc1", Linear::new(&LinearConfig::new(6, 16), rng).unwrap())
            .push("relu", Relu::new())
            .push("fc2", Linear::new(&LinearConfig::new(16, 3), rng).unwrap());
        body
    };
    for mse in [false, true] {
        let body = build(&mut rng);
        let mut model = if mse {
            SequentialClassifier::new(body, MeanSquaredError::new(), 3)
        } else {
            SequentialClassifier::new(body, SoftmaxCrossEntropy::new(), 3)
        };
        let lr = if mse { 0.5 } else { 0.1 };
        let history = train_with(&mut model, lr, &config(300), &mut []);
        let acc = history.final_test_accuracy().unwrap();
        assert!(acc > 0.85, "mse {mse}: accuracy {acc}");
    }
}

#[test]
fn two_runs_side_by_side_match_runs_alone_whatever_their_threads() {
    let run = |threads| {
        let mut c = config(40);
        c.threads = Some(threads);
        let mut net = mlp();
        train(&mut net, &c, &mut []);
        let mut weights = Vec::new();
        net.visit_params(&mut |_, p| weights.extend(p.value.iter().map(|v| v.to_bits())));
        weights
    };
    let alone = run(1);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(2));
        let b = s.spawn(|| run(3));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(alone, a);
    assert_eq!(alone, b);
}
