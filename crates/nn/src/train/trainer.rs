//! The run object and its loop.

use std::borrow::Cow;

use nabla_datasets::batches::Sampler;
use nabla_datasets::{Pixel, Split};
use nabla_layers::{Float, Mode};
use nabla_optim::{Optimizer, OptimizerConfig, step};
use nabla_tensor::parallel::with_threads;
use ndarray::ArrayD;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::{Ended, EvalPoint, History, TrainConfig, TrainEval};
use crate::inference::{accuracy, evaluate};
use crate::{Classifier, Flow, Hook, Result, StepView};

/// One training run: a model, its optimizer, the plan ([`TrainConfig`]) and how far it got.
///
/// The schedule scales the optimizer's own learning rate as it was when the run was made.
/// Batches depend only on the seed and the step number, so a run saved with
/// [`Trainer::save`] and resumed with [`Trainer::resume`] continues exactly as an
/// uninterrupted one; results do not depend on the thread count.
///
/// ```
/// use nabla_nn::{Architecture, MlpConfig, Network, Split, TrainConfig, Trainer};
/// use nabla_optim::OptimizerConfig;
/// use ndarray::Array2;
///
/// // A tiny problem: the class is whether the first feature is positive.
/// let x = Array2::from_shape_fn((64, 4), |(i, j)| if j == 0 { i as f32 / 32.0 - 1.0 } else { 0.3 });
/// let labels: Vec<usize> = (0..64).map(|i| usize::from(i >= 32)).collect();
/// let data = Split::new(x.into_dyn(), labels)?;
///
/// let net = Network::<f32>::new(&Architecture::Mlp(MlpConfig::new(4, vec![8], 2)), 0)?;
/// let mut run = Trainer::new(net, &OptimizerConfig::adam(0.01), TrainConfig::epochs(30, 16))?;
/// let history = run.fit(&data, &data, &mut [])?;
/// assert!(history.final_test_accuracy() > Some(0.9));
/// assert_eq!(run.step(), 120);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Trainer<F: Float, M: Classifier<F>> {
    model: M,
    optimizer: Box<dyn Optimizer<F>>,
    /// What the optimizer was built from, when it was: a checkpoint needs it to rebuild it.
    pub(super) optimizer_config: Option<OptimizerConfig>,
    base_lr: f64,
    config: TrainConfig,
    pub(super) step: u64,
}

impl<F: Float, M: Classifier<F>> std::fmt::Debug for Trainer<F, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("optimizer", &self.optimizer.kind())
            .field("base_lr", &self.base_lr)
            .field("config", &self.config)
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl<F: Float + Pixel, M: Classifier<F>> Trainer<F, M> {
    /// A new run of `model` with the optimizer `optimizer` describes.
    pub fn new(model: M, optimizer: &OptimizerConfig, config: TrainConfig) -> Result<Self> {
        let mut run = Trainer::with_optimizer(model, optimizer.build()?, config)?;
        run.optimizer_config = Some(optimizer.clone());
        Ok(run)
    }

    /// A new run with an optimizer of your own. Such a run saves its parameters but not its
    /// training state: a checkpoint could not rebuild the optimizer.
    pub fn with_optimizer(
        model: M,
        optimizer: Box<dyn Optimizer<F>>,
        config: TrainConfig,
    ) -> Result<Self> {
        config.schedule.validate()?;
        Ok(Trainer {
            base_lr: optimizer.lr(),
            model,
            optimizer,
            optimizer_config: None,
            config,
            step: 0,
        })
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, to change (freeze a layer, read its gradients).
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// The model, ending the run.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The optimizer.
    pub fn optimizer(&self) -> &dyn Optimizer<F> {
        self.optimizer.as_ref()
    }

    /// The config the optimizer was built from, unless it was given built.
    pub fn optimizer_config(&self) -> Option<&OptimizerConfig> {
        self.optimizer_config.as_ref()
    }

    pub(super) fn optimizer_mut(&mut self) -> &mut dyn Optimizer<F> {
        self.optimizer.as_mut()
    }

    /// The run's settings: budget, batch size, evaluation, schedule, seed, threads.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The plan, to change between calls to [`Trainer::fit`] (a longer budget, say).
    pub fn config_mut(&mut self) -> &mut TrainConfig {
        &mut self.config
    }

    /// Steps taken so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The learning rate the schedule scales.
    pub fn base_lr(&self) -> f64 {
        self.base_lr
    }

    /// The fraction of `split` the model classifies correctly (inference mode).
    pub fn evaluate(&mut self, split: &Split<F>) -> Result<f64> {
        accuracy(&mut self.model, split, None, self.config.eval_batch_size)
    }

    /// Trains from the current step to the end of the budget, evaluating on `test` when
    /// due, with `hooks` watching. The history is returned however the run ends: completed,
    /// stopped by a hook, or diverged ([`History::ended`] says which).
    pub fn fit(
        &mut self,
        train: &Split<F>,
        test: &Split<F>,
        hooks: &mut [&mut dyn Hook<F>],
    ) -> Result<History> {
        self.fit_on(train, Some(test), hooks)
    }

    /// Trains from the current step to the end of the budget without evaluating: for a
    /// sweep that reads only the steps (such as [`lr_find`](crate::lr_find)), where an
    /// evaluation would measure nothing anyone reads. The history has losses and no
    /// evaluations; a hook that asks to stop ends the run at that step.
    pub fn train(&mut self, train: &Split<F>, hooks: &mut [&mut dyn Hook<F>]) -> Result<History> {
        self.fit_on(train, None, hooks)
    }

    /// [`Trainer::fit`], evaluating on `test` when there is one.
    fn fit_on(
        &mut self,
        train: &Split<F>,
        test: Option<&Split<F>>,
        hooks: &mut [&mut dyn Hook<F>],
    ) -> Result<History> {
        self.config.validate(train.len())?;
        self.model.check_input(train.shape())?;
        if let Some(test) = test {
            self.model.check_input(test.shape())?;
        }
        // No count of its own: the calling thread's current one, so one call path serves both.
        let threads = self
            .config
            .threads
            .unwrap_or_else(nabla_tensor::parallel::threads);
        with_threads(threads, || Fit::new(self, train, test).run(hooks))
    }
}

/// The state of one call to [`Trainer::fit`].
struct Fit<'a, F: Float, M: Classifier<F>> {
    run: &'a mut Trainer<F, M>,
    train: &'a Split<F>,
    /// The split evaluated: the caller's, or its first samples when the plan asks for fewer;
    /// `None` for a run that never evaluates.
    test: Option<Cow<'a, Split<F>>>,
    /// The fixed sample that measures training accuracy, if not all of it.
    train_sample: Option<Vec<usize>>,
    sampler: Sampler,
    total: u64,
    history: History,
    /// Loss sum and count since the last evaluation.
    since_eval: (f64, u64),
    /// The learning rate of the last step.
    last_lr: f64,
    /// The current batch's indices and labels, in buffers kept between steps.
    indices: Vec<usize>,
    labels: Vec<usize>,
}

impl<'a, F: Float + Pixel, M: Classifier<F>> Fit<'a, F, M> {
    fn new(run: &'a mut Trainer<F, M>, train: &'a Split<F>, test: Option<&'a Split<F>>) -> Self {
        let config = &run.config;
        let n = train.len();
        let train_sample = match config.eval_train {
            TrainEval::Sample(k) if k < n => {
                let mut all: Vec<usize> = (0..n).collect();
                all.shuffle(&mut StdRng::seed_from_u64(config.seed ^ 0xE7A1));
                all.truncate(k);
                Some(all)
            }
            _ => None,
        };
        let test = test.map(|test| match config.eval_test_samples {
            Some(k) if k < test.len() => Cow::Owned(test.first(k)),
            _ => Cow::Borrowed(test),
        });
        Fit {
            sampler: Sampler::new(config.budget.order(), n, config.batch_size, config.seed),
            total: config.total_steps(n),
            train_sample,
            train,
            test,
            history: History::default(),
            since_eval: (0.0, 0),
            last_lr: run.base_lr,
            indices: Vec::new(),
            labels: Vec::new(),
            run,
        }
    }

    fn run(mut self, hooks: &mut [&mut dyn Hook<F>]) -> Result<History> {
        // Reserved up front, so that no step pays for the history's growth.
        let steps = self.total.saturating_sub(self.run.step);
        self.history
            .losses
            .reserve(usize::try_from(steps).unwrap_or(0));
        while self.run.step < self.total {
            let mut batch = std::mem::take(&mut self.indices);
            self.sampler.batch_into(self.run.step, &mut batch);
            let done = self.run.step + 1;
            let due = self.test.is_some()
                && self.run.config.evaluates_after(
                    done,
                    self.total,
                    self.sampler.steps_per_epoch(),
                );
            let stepped = self.train_step(&batch, due, hooks);
            self.indices = batch;
            let flow = match stepped? {
                Some(flow) => flow,
                None => break,
            };
            if flow == Flow::Stop && self.test.is_none() {
                self.history.ended = Ended::Stopped { step: done };
                break;
            }
            if flow == Flow::Stop || due {
                let point = self.evaluate(done)?;
                let mut after = flow;
                for h in hooks.iter_mut() {
                    after = after.and(h.after_eval(&point, &mut self.run.model));
                }
                self.history.evals.push(point);
                if after == Flow::Stop {
                    self.history.ended = Ended::Stopped { step: done };
                    break;
                }
            }
        }
        Ok(self.history)
    }

    /// One step: forward, loss and penalty, backward, update. `None` when the loss was not
    /// finite (the history says so; nothing was updated).
    fn train_step(
        &mut self,
        batch: &[usize],
        evaluates: bool,
        hooks: &mut [&mut dyn Hook<F>],
    ) -> Result<Option<Flow>> {
        let t = self.run.step;
        let done = t + 1;
        let run = &mut *self.run;
        let lr = run.config.schedule.lr(run.base_lr, t);
        run.optimizer.set_lr(lr)?;
        self.last_lr = lr;
        // The batch goes into the buffer the model's last backward left (its input's).
        let x = self
            .train
            .gather_into(batch, run.model.take_input_buffer(), &mut self.labels);
        let labels = &self.labels;
        let logits = forward(&mut run.model, x, done, hooks)?;
        let data_loss = run.model.loss_of(&logits, labels)?.as_f64();
        let penalty = run
            .config
            .regularizer
            .penalty(|visit| run.model.visit_params(visit));
        let loss = data_loss + penalty;
        if !loss.is_finite() {
            self.history.ended = Ended::Diverged {
                step: done,
                loss,
                lr,
            };
            return Ok(None);
        }
        let view = StepView {
            step: done,
            total: self.total,
            lr,
            loss,
            evaluates,
            batch,
            labels,
            logits: &logits,
        };
        let mut flow = Flow::Continue;
        for h in hooks.iter_mut() {
            flow = flow.and(h.after_forward(&view));
        }
        run.model.backward()?;
        run.config
            .regularizer
            .add_gradient(|visit| run.model.visit_params(visit));
        for h in hooks.iter_mut() {
            flow = flow.and(h.after_backward(&view, &mut run.model));
        }
        step(&mut run.optimizer, |visit| run.model.visit_params(visit))?;
        run.step = done;
        for h in hooks.iter_mut() {
            flow = flow.and(h.after_update(&view, &mut run.model));
        }
        // The output's buffer takes the next step's gradient of the loss.
        run.model.recycle_output(logits);
        self.history.losses.push(loss);
        self.since_eval = (self.since_eval.0 + loss, self.since_eval.1 + 1);
        Ok(Some(flow))
    }

    fn evaluate(&mut self, done: u64) -> Result<EvalPoint> {
        let batch = self.run.config.eval_batch_size;
        let model = &mut self.run.model;
        let train_accuracy = match self.run.config.eval_train {
            TrainEval::Skip => None,
            _ => Some(accuracy(
                model,
                self.train,
                self.train_sample.as_deref(),
                batch,
            )?),
        };
        let Some(test) = &self.test else {
            unreachable!("evaluations are due only when there is a split to evaluate")
        };
        let test = evaluate(model, test, batch, EvalPoint::MISTAKES)?;
        let point = EvalPoint {
            step: done,
            epoch: done as f64 / self.sampler.steps_per_epoch() as f64,
            train_loss: self.since_eval.0 / self.since_eval.1.max(1) as f64,
            train_accuracy,
            test_accuracy: test.accuracy,
            test_confusion: test.confusion,
            test_mistakes: test.mistakes,
            lr: self.last_lr,
        };
        self.since_eval = (0.0, 0);
        Ok(point)
    }
}

/// The training-mode forward pass, showing each layer's output to the hooks that asked.
fn forward<F: Float>(
    model: &mut dyn Classifier<F>,
    x: ArrayD<F>,
    step: u64,
    hooks: &mut [&mut dyn Hook<F>],
) -> Result<ArrayD<F>> {
    if !hooks.iter().any(|h| h.wants_outputs(step)) {
        return model.forward(x, Mode::Train);
    }
    model.forward_observed(x, Mode::Train, &mut |layer, y| {
        for h in hooks.iter_mut() {
            if h.wants_outputs(step) {
                h.on_output(step, layer, y);
            }
        }
    })
}
