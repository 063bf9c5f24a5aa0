//! The terminal's view of a training run: a progress bar, and a line per evaluation.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use nabla_nn::{Classifier, EvalPoint, Flow, Hook, StepView};

/// Moves a bar after every step (on a terminal only) and prints every evaluation.
pub struct ProgressBarHook {
    bar: ProgressBar,
    started: Instant,
    /// The name of the split evaluations measure (`test`, or `val`).
    split: &'static str,
}

impl ProgressBarHook {
    /// A bar over `total` steps, starting at `start` (a resumed run); evaluations are of the
    /// split called `split`.
    pub fn new(start: u64, total: u64, started: Instant, split: &'static str) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "[{elapsed_precise}] {bar:30} {pos}/{len} steps  {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_position(start);
            bar
        } else {
            ProgressBar::hidden()
        };
        ProgressBarHook {
            bar,
            started,
            split,
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Hook<f32> for ProgressBarHook {
    fn after_update(&mut self, view: &StepView<'_, f32>, _model: &mut dyn Classifier<f32>) -> Flow {
        self.bar.set_position(view.step);
        self.bar.set_message(format!("loss {:.4}", view.loss));
        Flow::Continue
    }

    fn after_eval(&mut self, e: &EvalPoint, _model: &mut dyn Classifier<f32>) -> Flow {
        let train = e
            .train_accuracy
            .map_or_else(|| "-".to_string(), |a| format!("{a:.4}"));
        let seconds = self.started.elapsed().as_secs_f64();
        let split = self.split;
        self.bar.suspend(|| {
            println!(
                "step {:>6} epoch {:>6.2}  loss {:.4}  train acc {train}  {split} acc {:.4}  ({seconds:.1} s)",
                e.step, e.epoch, e.train_loss, e.test_accuracy
            )
        });
        Flow::Continue
    }
}
