//! Mini-batch training with evaluation curves.

use nabla_datasets::batches::{Epoch, sample_with_replacement};
use nabla_layers::{Float, Mode};
use nabla_optim::{Optimizer, OptimizerConfig, Regularizer, Schedule, step};
use nabla_tensor::argmax_rows;
use nabla_tensor::parallel::with_threads;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::model::{accuracy, fraction_correct, predict};
use crate::{Flow, Hook, Model, Network, NnError, Result, Split, StepView};

/// How long to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Whole passes over a shuffled training set (the last batch of an epoch may be short).
    Epochs(u64),
    /// Mini-batches drawn with replacement, as the classic notebooks do.
    Iterations(u64),
}

/// Everything a training run needs besides the network and the data.
#[derive(Debug, Clone, PartialEq)]
// Grows with new options: build with a constructor or `Default`, then set fields.
#[non_exhaustive]
pub struct TrainConfig {
    /// How long.
    pub budget: Budget,
    /// Samples per mini-batch.
    pub batch_size: usize,
    /// The optimizer and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// Learning-rate schedule over steps.
    pub schedule: Schedule,
    /// Weight penalty, added to the loss and the gradients.
    pub regularizer: Regularizer,
    /// Evaluate every this many steps; `None`: every epoch (by epochs) or only at the end.
    pub eval_every: Option<u64>,
    /// Evaluate training accuracy on this many samples (a fixed seeded sample); `None`: all.
    pub eval_train_samples: Option<usize>,
    /// Evaluate test accuracy on this many samples (the first ones); `None`: all.
    pub eval_test_samples: Option<usize>,
    /// Batch size of evaluation passes.
    pub eval_batch_size: usize,
    /// Where the training accuracy of an evaluation comes from.
    pub train_accuracy: TrainAccuracy,
    /// Worker threads for this run (`None`: the process default). Results do not depend on it.
    pub threads: Option<usize>,
    /// Seed of the batch order.
    pub seed: u64,
}

/// Where an evaluation's training accuracy is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum TrainAccuracy {
    /// On the training split (or the sample `eval_train_samples` asks for), inference mode.
    #[default]
    Split,
    /// On the current mini-batch, inference mode, after the update (the classic optimizer
    /// notebook's choice: cheap and noisy).
    BatchAfterUpdate,
    /// On the current mini-batch from the training-mode logits, before the update (the
    /// classic vanishing-gradient notebook's choice).
    BatchBeforeUpdate,
}

impl TrainConfig {
    /// `epochs` epochs of `batch_size`, Adam lr 0.001, evaluation every epoch on everything.
    pub fn epochs(epochs: u64, batch_size: usize) -> Self {
        TrainConfig {
            budget: Budget::Epochs(epochs),
            batch_size,
            optimizer: OptimizerConfig::Adam {
                lr: 0.001,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-7,
                textbook: false,
            },
            schedule: Schedule::Constant,
            regularizer: Regularizer::none(),
            eval_every: None,
            eval_train_samples: None,
            eval_test_samples: None,
            eval_batch_size: 100,
            train_accuracy: TrainAccuracy::Split,
            threads: None,
            seed: 0,
        }
    }

    /// `iterations` mini-batches drawn with replacement, otherwise as [`TrainConfig::epochs`].
    pub fn iterations(iterations: u64, batch_size: usize) -> Self {
        TrainConfig {
            budget: Budget::Iterations(iterations),
            ..TrainConfig::epochs(0, batch_size)
        }
    }

    /// The total number of steps for a training set of `n` samples.
    pub fn total_steps(&self, n: usize) -> u64 {
        match self.budget {
            Budget::Epochs(e) => e * n.div_ceil(self.batch_size.max(1)) as u64,
            Budget::Iterations(i) => i,
        }
    }
}

/// One evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalPoint {
    /// Steps done when evaluated.
    pub step: u64,
    /// Epochs done (fractional).
    pub epoch: f64,
    /// Mean training loss (with penalty) since the previous evaluation.
    pub train_loss: f64,
    /// Training accuracy.
    pub train_accuracy: f64,
    /// Test accuracy.
    pub test_accuracy: f64,
}

/// The curves of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// The loss of every step.
    pub losses: Vec<f64>,
    /// Every evaluation, in order.
    pub evals: Vec<EvalPoint>,
    /// The step after which a hook stopped the run, if one did.
    pub stopped_at: Option<u64>,
}

impl History {
    /// The last test accuracy, if any evaluation ran.
    pub fn final_test_accuracy(&self) -> Option<f64> {
        self.evals.last().map(|e| e.test_accuracy)
    }
}

/// What the progress callback sees after each step.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Steps done.
    pub step: u64,
    /// Steps in the whole run.
    pub total: u64,
    /// This step's loss.
    pub loss: f64,
    /// This step's learning rate.
    pub lr: f64,
    /// The evaluation made after this step, if any.
    pub eval: Option<&'a EvalPoint>,
}

/// Trains `net` from scratch with a fresh optimizer built from `config.optimizer`.
pub fn train<F: Float>(
    net: &mut Network<F>,
    train_set: &Split<F>,
    test_set: &Split<F>,
    config: &TrainConfig,
    on_progress: impl FnMut(&Progress<'_>),
) -> Result<History> {
    let mut optimizer = config.optimizer.build::<F>()?;
    train_from(
        net,
        optimizer.as_mut(),
        0,
        train_set,
        test_set,
        config,
        on_progress,
    )
}

/// Trains `net` with `optimizer`, continuing from step `start` (0 for a new run).
pub fn train_from<F: Float>(
    net: &mut Network<F>,
    optimizer: &mut dyn Optimizer<F>,
    start: u64,
    train_set: &Split<F>,
    test_set: &Split<F>,
    config: &TrainConfig,
    mut on_progress: impl FnMut(&Progress<'_>),
) -> Result<History> {
    net.check_input(train_set.shape())?;
    net.check_input(test_set.shape())?;
    train_model(
        net,
        optimizer,
        start,
        train_set,
        test_set,
        config,
        &mut [],
        &mut on_progress,
    )
}

/// Trains any [`Model`] with `optimizer` from step `start` (0 for a new run), calling
/// `hooks` at their points of every step and `on_progress` after every step.
///
/// Batch order depends only on `config.seed` and the step number, so a run resumed from a
/// checkpoint draws the same batches as one that was never interrupted; the results do not
/// depend on `config.threads`.
#[allow(clippy::too_many_arguments)]
pub fn train_model<F: Float>(
    model: &mut dyn Model<F>,
    optimizer: &mut dyn Optimizer<F>,
    start: u64,
    train_set: &Split<F>,
    test_set: &Split<F>,
    config: &TrainConfig,
    hooks: &mut [&mut dyn Hook<F>],
    on_progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<History> {
    validate(config, train_set)?;
    // No count of its own: the calling thread's current one, so one call path serves both.
    let threads = config
        .threads
        .unwrap_or_else(nabla_tensor::parallel::threads);
    with_threads(threads, || {
        run(
            model,
            optimizer,
            start,
            train_set,
            test_set,
            config,
            hooks,
            on_progress,
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn run<F: Float>(
    model: &mut dyn Model<F>,
    optimizer: &mut dyn Optimizer<F>,
    start: u64,
    train_set: &Split<F>,
    test_set: &Split<F>,
    config: &TrainConfig,
    hooks: &mut [&mut dyn Hook<F>],
    on_progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<History> {
    let n = train_set.len();
    let per_epoch = n.div_ceil(config.batch_size) as u64;
    let total = config.total_steps(n);
    let base_lr = config.optimizer.lr();
    let eval_train: Option<Vec<usize>> = config.eval_train_samples.filter(|&k| k < n).map(|k| {
        let mut all: Vec<usize> = (0..n).collect();
        all.shuffle(&mut StdRng::seed_from_u64(config.seed ^ 0xE7A1));
        all.truncate(k);
        all
    });
    let test_view = config
        .eval_test_samples
        .filter(|&k| k < test_set.len())
        .map(|k| test_set.first(k));
    let test_eval = test_view.as_ref().unwrap_or(test_set);

    let mut history = History::default();
    let mut epoch_order: Option<(u64, Epoch)> = None;
    let mut since_eval = (0.0, 0u64);
    for t in start..total {
        let done = t + 1;
        let batch: Vec<usize> = match config.budget {
            Budget::Epochs(_) => {
                // The datasets crate's epochs, seeded per epoch so that a resumed run finds
                // the batch an uninterrupted one would have drawn.
                let epoch = t / per_epoch;
                if epoch_order.as_ref().is_none_or(|(e, _)| *e != epoch) {
                    let mut rng = StdRng::seed_from_u64(
                        config.seed.wrapping_add(epoch.wrapping_mul(0x9E37_79B9)),
                    );
                    epoch_order = Some((epoch, Epoch::shuffled(n, config.batch_size, &mut rng)));
                }
                epoch_order
                    .as_ref()
                    .and_then(|(_, e)| e.batch((t % per_epoch) as usize))
                    .map(<[usize]>::to_vec)
                    .unwrap_or_default()
            }
            Budget::Iterations(_) => {
                let mut rng = StdRng::seed_from_u64(
                    config
                        .seed
                        .wrapping_mul(0x2545_F491_4F6C_DD1D)
                        .wrapping_add(t),
                );
                sample_with_replacement(n, config.batch_size, &mut rng)
            }
        };
        let lr = config.schedule.lr(base_lr, t);
        optimizer.set_lr(lr)?;
        let (x, labels) = train_set.gather(&batch);
        let due = match (config.eval_every, config.budget) {
            (Some(k), _) => done % k.max(1) == 0,
            (None, Budget::Epochs(_)) => done % per_epoch == 0,
            (None, Budget::Iterations(_)) => false,
        } || done == total;
        let keep_x =
            (due && config.train_accuracy == TrainAccuracy::BatchAfterUpdate).then(|| x.clone());
        let logits = if hooks.iter().any(|h| h.wants_outputs(done)) {
            model.forward_observed(x, Mode::Train, &mut |layer, y| {
                for h in hooks.iter_mut() {
                    if h.wants_outputs(done) {
                        h.on_output(done, layer, y);
                    }
                }
            })?
        } else {
            model.forward(x, Mode::Train)?
        };
        let data_loss = model.loss_of(&logits, &labels)?.as_f64();
        let penalty = config
            .regularizer
            .penalty(|visit| model.visit_params(visit));
        let loss = data_loss + penalty;
        if !loss.is_finite() {
            return Err(NnError::Diverged {
                step: done,
                loss,
                lr,
            });
        }
        let view = StepView {
            step: done,
            total,
            lr,
            loss,
            batch: &batch,
            labels: &labels,
            logits: &logits,
        };
        let mut flow = Flow::Continue;
        for h in hooks.iter_mut() {
            if h.after_forward(&view) == Flow::Stop {
                flow = Flow::Stop;
            }
        }
        let batch_accuracy_before = (due
            && config.train_accuracy == TrainAccuracy::BatchBeforeUpdate)
            .then(|| batch_accuracy(&logits, &labels))
            .transpose()?;
        model.backward()?;
        config
            .regularizer
            .add_gradient(|visit| model.visit_params(visit));
        for h in hooks.iter_mut() {
            if h.after_backward(&view, model) == Flow::Stop {
                flow = Flow::Stop;
            }
        }
        step(optimizer, |visit| model.visit_params(visit))?;
        history.losses.push(loss);
        since_eval = (since_eval.0 + loss, since_eval.1 + 1);

        let due = due || flow == Flow::Stop;
        let eval = if due {
            let train_accuracy = match (config.train_accuracy, batch_accuracy_before, keep_x) {
                (_, Some(a), _) => a,
                (_, None, Some(x)) => {
                    let logits = predict(model, &x, config.eval_batch_size)?;
                    fraction_correct(&argmax_rows(&logits.view()), &labels)
                }
                _ => accuracy(
                    model,
                    train_set,
                    eval_train.as_deref(),
                    config.eval_batch_size,
                )?,
            };
            let point = EvalPoint {
                step: done,
                epoch: done as f64 / per_epoch as f64,
                train_loss: since_eval.0 / since_eval.1.max(1) as f64,
                train_accuracy,
                test_accuracy: accuracy(model, test_eval, None, config.eval_batch_size)?,
            };
            since_eval = (0.0, 0);
            for h in hooks.iter_mut() {
                if h.after_eval(&point) == Flow::Stop {
                    flow = Flow::Stop;
                }
            }
            history.evals.push(point);
            history.evals.last()
        } else {
            None
        };
        on_progress(&Progress {
            step: done,
            total,
            loss,
            lr,
            eval,
        });
        if flow == Flow::Stop {
            history.stopped_at = Some(done);
            break;
        }
    }
    Ok(history)
}

fn batch_accuracy<F: Float>(logits: &ndarray::ArrayD<F>, labels: &[usize]) -> Result<f64> {
    let logits = logits
        .view()
        .into_dimensionality::<ndarray::Ix2>()
        .map_err(|e| NnError::Data(format!("a classifier's output must be (n, classes): {e}")))?;
    Ok(fraction_correct(&argmax_rows(&logits), labels))
}

fn validate<F: Float>(config: &TrainConfig, train_set: &Split<F>) -> Result<()> {
    if config.batch_size == 0 || config.eval_batch_size == 0 {
        return Err(NnError::Config("batch sizes must be positive".into()));
    }
    if train_set.is_empty() {
        return Err(NnError::Data("the training set is empty".into()));
    }
    if config.eval_every == Some(0) {
        return Err(NnError::Config("eval_every must be positive".into()));
    }
    if config.threads == Some(0) {
        return Err(NnError::Config("threads must be positive".into()));
    }
    config.schedule.validate()?;
    Ok(())
}
