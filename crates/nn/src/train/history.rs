//! What a run leaves behind: its losses, its evaluations and why it ended.

/// One evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalPoint {
    /// Steps done when evaluated.
    pub step: u64,
    /// Epochs done (fractional).
    pub epoch: f64,
    /// Mean training loss (with penalty) since the previous evaluation.
    pub train_loss: f64,
    /// Training accuracy, unless the run skips it ([`TrainEval::Skip`](crate::TrainEval)).
    pub train_accuracy: Option<f64>,
    /// Test accuracy (on the split the run evaluates on: a held-out validation split, if
    /// the caller passes one).
    pub test_accuracy: f64,
    /// `test_confusion[true class][predicted class]` on that split.
    pub test_confusion: Vec<Vec<u64>>,
    /// Its first mistakes, in split order (at most [`EvalPoint::MISTAKES`]).
    pub test_mistakes: Vec<crate::Mistake>,
    /// The learning rate of the step evaluated after.
    pub lr: f64,
}

impl EvalPoint {
    /// How many mistakes an evaluation keeps.
    pub const MISTAKES: usize = 16;
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Ended {
    /// It took every step of its budget.
    #[default]
    Completed,
    /// A hook stopped it after this step (its evaluation included).
    Stopped {
        /// The step, counted from 1.
        step: u64,
    },
    /// The loss of this step was not a finite number; the step's update was not applied.
    Diverged {
        /// The step, counted from 1.
        step: u64,
        /// The loss (NaN or infinite).
        loss: f64,
        /// The learning rate in use.
        lr: f64,
    },
}

/// The curves of a run, kept however it ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// The loss of every step taken.
    pub losses: Vec<f64>,
    /// Every evaluation, in order.
    pub evals: Vec<EvalPoint>,
    /// Why the run ended.
    pub ended: Ended,
}

impl History {
    /// The last test accuracy, if any evaluation ran.
    pub fn final_test_accuracy(&self) -> Option<f64> {
        self.evals.last().map(|e| e.test_accuracy)
    }

    /// A diverged run as an error that says what to try; other endings as `Ok`.
    pub fn diverged_as_error(&self) -> crate::Result<()> {
        match self.ended {
            Ended::Diverged { step, loss, lr } => Err(crate::NnError::Diverged { step, loss, lr }),
            _ => Ok(()),
        }
    }
}
