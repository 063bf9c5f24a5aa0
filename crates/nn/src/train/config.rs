//! What a run does besides the model and the optimizer: how long, in which batches, at which
//! rates, under which penalty, and when it evaluates.

use nabla_datasets::batches::Order;
use nabla_optim::{Regularizer, Schedule};

use crate::{NnError, Result};

/// How long to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Budget {
    /// Whole passes over a shuffled training set (the last batch of an epoch may be short).
    Epochs(u64),
    /// Mini-batches drawn with replacement, as the classic notebooks do.
    Iterations(u64),
}

impl Budget {
    /// How batches are drawn for this budget.
    pub fn order(self) -> Order {
        match self {
            Budget::Epochs(_) => Order::Epochs,
            Budget::Iterations(_) => Order::WithReplacement,
        }
    }
}

/// Where an evaluation measures training accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TrainEval {
    /// On the whole training split.
    All,
    /// On a fixed random sample of this many training samples (all of them if the split is
    /// smaller), drawn once from the run's seed.
    Sample(usize),
    /// Not at all: the evaluation measures test accuracy only (a hook may measure the
    /// training accuracy its own way).
    Skip,
}

/// Everything a training run needs besides the model, the optimizer and the data; saved in
/// checkpoints, so that a resumed run continues the same plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
// Grows with new options: build with a constructor, then set fields.
#[non_exhaustive]
pub struct TrainConfig {
    /// How long.
    pub budget: Budget,
    /// Samples per mini-batch.
    pub batch_size: usize,
    /// The learning rate over steps, as a factor of the optimizer's own rate.
    pub schedule: Schedule,
    /// Weight penalty, added to the loss and the gradients.
    pub regularizer: Regularizer,
    /// Evaluate every this many steps; `None`: every epoch (by epochs) or only at the end.
    pub eval_every: Option<u64>,
    /// Where evaluations measure training accuracy.
    pub eval_train: TrainEval,
    /// Evaluate test accuracy on the first this many test samples; `None`: all.
    pub eval_test_samples: Option<usize>,
    /// Batch size of evaluation passes.
    pub eval_batch_size: usize,
    /// Worker threads for this run (`None`: the calling thread's count). Results do not
    /// depend on it.
    pub threads: Option<usize>,
    /// Seed of the batch order and of the training-accuracy sample.
    pub seed: u64,
}

impl TrainConfig {
    /// `epochs` epochs of `batch_size`, constant rate, no penalty, an evaluation every epoch
    /// on everything.
    pub fn epochs(epochs: u64, batch_size: usize) -> Self {
        TrainConfig {
            budget: Budget::Epochs(epochs),
            batch_size,
            schedule: Schedule::Constant,
            regularizer: Regularizer::none(),
            eval_every: None,
            eval_train: TrainEval::All,
            eval_test_samples: None,
            eval_batch_size: 100,
            threads: None,
            seed: 0,
        }
    }

    /// `iterations` mini-batches drawn with replacement, otherwise as [`TrainConfig::epochs`]
    /// (evaluating only at the end unless `eval_every` says otherwise).
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

    /// Whether the evaluation is due after step `done` (counted from 1) of `total`, with
    /// `per_epoch` steps in an epoch.
    pub(crate) fn evaluates_after(&self, done: u64, total: u64, per_epoch: u64) -> bool {
        let periodic = match (self.eval_every, self.budget) {
            (Some(k), _) => done.is_multiple_of(k.max(1)),
            (None, Budget::Epochs(_)) => done.is_multiple_of(per_epoch),
            (None, Budget::Iterations(_)) => false,
        };
        periodic || done == total
    }

    pub(crate) fn validate(&self, train_len: usize) -> Result<()> {
        if self.batch_size == 0 || self.eval_batch_size == 0 {
            return Err(NnError::Config("batch sizes must be positive".into()));
        }
        if train_len == 0 {
            return Err(NnError::Data("the training set is empty".into()));
        }
        if self.eval_every == Some(0) {
            return Err(NnError::Config("eval_every must be positive".into()));
        }
        if self.threads == Some(0) {
            return Err(NnError::Config("threads must be positive".into()));
        }
        self.schedule.validate()?;
        Ok(())
    }
}
