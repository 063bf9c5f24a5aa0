//! A live page for a training run: a small HTTP server on 127.0.0.1 that pushes a run's
//! events to the browser as server-sent events, and a [`LiveHook`] that turns a
//! [`Trainer`](nabla_nn::Trainer)'s steps and evaluations into those events.
//!
//! The training thread only appends an event to a list and bumps a counter; it never waits
//! for a client. The server runs on its own thread (a one-thread tokio runtime), sends a new
//! client the whole history first, then new events in batches as they come.
//!
//! ```no_run
//! use nabla_live::LiveServer;
//! let server = LiveServer::start(0)?; // 0: any free port
//! println!("open {}", server.url());
//! server.publish(&nabla_live::Event::End {
//!     reason: "nothing to train".into(), step: None, test_accuracy: None, seconds: 0.0,
//! });
//! # Ok::<(), std::io::Error>(())
//! ```
#![forbid(unsafe_code)]

mod event;
mod hook;
mod server;

pub use event::{Event, Mistake, Norm, Phase, RunState, VerdictLine};
pub use hook::LiveHook;
pub use server::LiveServer;

/// The page, served at `/`: self-contained HTML, CSS and script.
pub const PAGE: &str = include_str!("page.html");
