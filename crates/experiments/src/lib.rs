//! The classic experiments, rerun on MNIST, checked against the numbers the original
//! notebooks printed, and reported with plots and a verdict for each claim of the notes.
//!
//! - [`catalog`]: every training run, with its settings and recorded numbers.
//! - [`runner`]: builds and trains one run; [`suite`] runs many, in parallel, deterministically;
//!   [`session`] runs a list and writes the report; [`shard`] cuts a suite into shards that
//!   run on many machines and merges them back.
//! - [`verdict`]: each claim of the notes, decided from the measured numbers.
//! - [`report`]: `report.md`, a self-contained `report.html`, `results.json`, CSVs.
//! - [`im2col_demo`]: the im2col/col2im demonstrations of the CNN notebook.
//! - [`quirks`]: the original code's deviations, as named options.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod computed;
mod error;
pub mod extras;
pub mod im2col_demo;
pub mod measure;
mod plot;
pub mod quirks;
pub mod recorded;
pub mod report;
mod result;
pub mod runner;
pub mod session;
pub mod shard;
pub mod spec;
pub mod suite;
pub mod verdict;

pub use error::{ExperimentError, Result};
pub use result::{Point, RunResult};
pub use runner::{Data, Part};
pub use spec::{Expect, Group, ModelSpec, RunSpec, TrainAccuracy};
