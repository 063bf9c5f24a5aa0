//! What the page is sent: each event a JSON object whose `type` names its kind, the fields
//! below (`page.html` reads them by these names).

use std::collections::BTreeMap;

use serde::Serialize;

/// One event of the live page, sent to every client in the order published.
///
/// ```
/// use nabla_live::Event;
/// let e = Event::End { reason: "completed".into(), step: Some(600), test_accuracy: Some(0.97), seconds: 3.5 };
/// let json = serde_json::to_string(&e)?;
/// assert!(json.starts_with(r#"{"type":"end","reason":"completed""#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// What is running: the page's title, the split accuracies are measured on (`test` or
    /// `val`), and the settings in words.
    Config {
        /// Shown as the page's title.
        title: String,
        /// `"test"` or `"val"`: what the accuracy curve measures.
        split: &'static str,
        /// Setting → its value in words, shown as a table.
        settings: BTreeMap<String, String>,
    },
    /// A training step's loss and learning rate.
    Step {
        /// The step, from 1.
        step: u64,
        /// The run's planned number of steps.
        total: u64,
        /// The batch's loss; `None` (JSON null) when not finite.
        loss: Option<f64>,
        /// The learning rate the step used.
        lr: f64,
        /// Seconds since the run started.
        seconds: f64,
    },
    /// The gradient norm of every weight after a step's backward pass.
    Grads {
        /// The step.
        step: u64,
        /// Weight by weight, from the input to the output.
        norms: Vec<Norm>,
    },
    /// An evaluation.
    Eval {
        /// The step it followed.
        step: u64,
        /// Epochs seen so far.
        epoch: f64,
        /// The training loss (running mean); `None` when not finite.
        loss: Option<f64>,
        /// Accuracy on the training set, when measured.
        train_accuracy: Option<f64>,
        /// Accuracy on the evaluation split.
        test_accuracy: f64,
        /// The learning rate at that step.
        lr: f64,
        /// Seconds since the run started.
        seconds: f64,
        /// `confusion[label][predicted]` on the evaluation split.
        confusion: Vec<Vec<u64>>,
        /// The first mistakes, with their images when the samples are 28x28.
        mistakes: Vec<Mistake>,
    },
    /// The first layer's filters or units as images.
    Weights {
        /// The step.
        step: u64,
        /// The weight's name (`conv1.weight`).
        layer: String,
        /// Image height.
        rows: usize,
        /// Image width.
        cols: usize,
        /// At most 32 images, row-major, scaled to 0-255 each.
        images: Vec<Vec<u8>>,
    },
    /// Runs of a suite that changed state (new ones, or updates merged into known ones).
    Runs {
        /// The runs, by id.
        runs: Vec<RunState>,
    },
    /// A suite's verdicts on the claims.
    Verdicts {
        /// One per claim, in report order.
        verdicts: Vec<VerdictLine>,
    },
    /// The end: the page stops expecting events.
    End {
        /// Why it ended, in words (`completed`, `stopped early`).
        reason: String,
        /// The last step, for a single run.
        step: Option<u64>,
        /// The final test accuracy, for a single run.
        test_accuracy: Option<f64>,
        /// Wall time of the whole run or suite.
        seconds: f64,
    },
}

/// A weight's gradient norm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Norm {
    /// The weight's name.
    pub name: String,
    /// Its gradient's L2 norm; `None` when not finite.
    pub norm: Option<f64>,
}

/// A misclassified sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mistake {
    /// Its index in the evaluation split.
    pub index: usize,
    /// The true class.
    pub label: usize,
    /// The class predicted.
    pub predicted: usize,
    /// Its 28x28 image as bytes (0 background, 255 ink), when it is one.
    pub pixels: Option<Vec<u8>>,
}

/// Where a run of a suite is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not started.
    Queued,
    /// Training.
    Running,
    /// Finished.
    Done,
}

/// A run of a suite; fields left `None` keep what the page knew of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunState {
    /// The run's id (with its seed when there are several).
    pub id: String,
    /// Where it is.
    pub state: Phase,
    /// Its title, sent once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its wall time, when done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Its final test accuracy, when done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<f64>,
    /// Its `(step, test accuracy)` curve, when done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<Vec<(u64, f64)>>,
}

impl RunState {
    /// A run in `state` with nothing else known yet.
    pub fn new(id: impl Into<String>, state: Phase) -> Self {
        RunState {
            id: id.into(),
            state,
            title: None,
            seconds: None,
            test: None,
            curve: None,
        }
    }
}

/// A claim and what the suite found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictLine {
    /// The claim in words.
    pub claim: String,
    /// `supported`, `contradicted`, `not decided`, or a tally over seeds.
    pub outcome: String,
    /// What decided it.
    pub evidence: String,
}

/// JSON has no NaN or infinity: those become null (the page shows a gap).
pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_update_leaves_out_what_it_does_not_know() {
        // The page merges updates into what it knows of a run: a null would erase the title.
        let json = serde_json::to_value(Event::Runs {
            runs: vec![RunState::new("VG-1", Phase::Running)],
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "runs", "runs": [{"id": "VG-1", "state": "running"}]})
        );
    }

    #[test]
    fn a_loss_that_is_not_finite_is_sent_as_null() {
        let json = serde_json::to_value(Event::Step {
            step: 3,
            total: 9,
            loss: finite(f64::NAN),
            lr: 0.1,
            seconds: 1.0,
        })
        .unwrap();
        assert_eq!(json["type"], "step");
        assert!(json["loss"].is_null());
    }
}
