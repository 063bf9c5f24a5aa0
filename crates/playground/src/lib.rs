//! A playground for the notes: a page on 127.0.0.1 where a learner turns one knob
//! (activation, initialization, BatchNorm, optimizer, learning rate, penalty, dropout) and
//! watches a real nabla network train on a 2-D set or an MNIST subset: the decision
//! boundary, the loss and accuracy, every layer's gradient norm on a log axis, the
//! activations' histograms and what each hidden unit responds to. A second panel draws the
//! path of each optimizer on a 2-D function.
//!
//! The runs are the library's: the 2-D sets are [`nabla_datasets::Toy2d`], the networks are
//! nabla-layers' layers trained by [`nabla_nn::Trainer`], the paths are nabla-optim's
//! updates. Nothing in those crates depends on this one.
//!
//! ```no_run
//! let playground = nabla_playground::Playground::start(0, None, None)?;
//! println!("open {}", playground.url());
//! # Ok::<(), std::io::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod job;
pub mod model;
pub mod paths;
pub mod presets;
mod server;
pub mod settings;
mod snapshot;

pub use server::{MAX_RUNS, Playground};
pub use settings::Settings;

/// The page, served at `/`: self-contained HTML, CSS and script.
pub const PAGE: &str = include_str!("page.html");
