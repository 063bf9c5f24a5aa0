//! One training run as one object: [`Trainer`] owns the model, its optimizer, the schedule
//! and the step count, and trains, evaluates, saves and resumes itself.
//!
//! The loop reads as the textbook's: draw a batch, take a step, evaluate when due. Everything
//! that watches a run (a progress bar, a curve recorder, gradient norms, a rule that stops
//! early) is a [`Hook`](crate::Hook).

mod config;
mod history;
mod resume;
mod trainer;

pub use config::{Budget, TrainConfig, TrainEval};
pub use history::{Ended, EvalPoint, History};
pub use trainer::Trainer;
