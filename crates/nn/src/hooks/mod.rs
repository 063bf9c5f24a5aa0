//! Callbacks into the training loop, and the hooks built on them: per-layer gradient norms
//! and activation histograms, early stopping and the best weights, metric logs (CSV, JSON
//! Lines, TensorBoard).

use nabla_layers::Float;
use ndarray::ArrayD;

use crate::{Classifier, EvalPoint};

/// Whether training goes on after a hook has looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Finish this step (its evaluation included) and stop.
    Stop,
}

impl Flow {
    /// `Stop` if either says stop.
    #[must_use]
    pub fn and(self, other: Flow) -> Flow {
        if self == Flow::Stop { self } else { other }
    }
}

/// What a hook sees of one training step.
#[derive(Debug)]
pub struct StepView<'a, F: Float> {
    /// The step, counted from 1.
    pub step: u64,
    /// Steps in the whole run.
    pub total: u64,
    /// This step's learning rate.
    pub lr: f64,
    /// This step's loss, penalty included.
    pub loss: f64,
    /// Whether an evaluation follows this step (a hook that stops the run adds one).
    pub evaluates: bool,
    /// The training samples of the batch (indices into the training split).
    pub batch: &'a [usize],
    /// Their labels.
    pub labels: &'a [usize],
    /// The training-mode logits of the batch.
    pub logits: &'a ArrayD<F>,
}

/// Called by [`Trainer::fit`](crate::Trainer::fit) at fixed points of every step. Every
/// method has a default that does nothing, so a hook implements only what it needs.
///
/// A step calls, in order: [`Hook::on_output`] (during the forward pass, if asked for),
/// [`Hook::after_forward`], [`Hook::after_backward`], [`Hook::after_update`], and
/// [`Hook::after_eval`] when an evaluation follows. Any of them can stop the run.
pub trait Hook<F: Float> {
    /// Whether [`Hook::on_output`] should see the layer outputs of step `step` (copying
    /// them costs time, so a hook asks only for the steps it wants).
    fn wants_outputs(&self, _step: u64) -> bool {
        false
    }

    /// A layer's output during the training-mode forward pass of a step it asked for.
    fn on_output(&mut self, _step: u64, _layer: &str, _output: &ArrayD<F>) {}

    /// After the forward pass and the loss, before the backward pass.
    fn after_forward(&mut self, _view: &StepView<'_, F>) -> Flow {
        Flow::Continue
    }

    /// After the backward pass and the penalty's gradient, before the update: every
    /// parameter's gradient is readable (and writable) through `model.visit_params`.
    fn after_backward(&mut self, _view: &StepView<'_, F>, _model: &mut dyn Classifier<F>) -> Flow {
        Flow::Continue
    }

    /// After the update: the step is counted, the model holds its new weights.
    fn after_update(&mut self, _view: &StepView<'_, F>, _model: &mut dyn Classifier<F>) -> Flow {
        Flow::Continue
    }

    /// After each evaluation, with the model as evaluated (to keep its best weights, say).
    fn after_eval(&mut self, _point: &EvalPoint, _model: &mut dyn Classifier<F>) -> Flow {
        Flow::Continue
    }
}

mod log;
mod norms;
mod stopping;
mod tensorboard;

pub use log::MetricLog;
pub use norms::{ActivationHistograms, GradientNorms, Histogram, weight_gradient_norms};
pub use stopping::{EarlyStopping, KeepBest};
pub use tensorboard::TensorBoardLog;
