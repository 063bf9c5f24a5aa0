//! A page's training run: a thread that trains in short chunks, obeys the page's commands
//! (run, pause, step, stop) and, several times a second, publishes a snapshot of what the
//! page draws (measured in `snapshot.rs`).

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nabla_datasets::Mnist;
use nabla_nn::{Classifier, Ended, Flow, Hook, StepView, weight_gradient_norms};
use serde_json::{Value, json};

use crate::model;
use crate::settings::Settings;
use crate::snapshot::{Measured, snapshot};

/// A page that has not asked for its state for this long is gone: its run stops.
pub const ABANDONED: Duration = Duration::from_secs(10);
/// The longest a run trains (steps), so that a forgotten tab does not train forever.
pub const MAX_STEPS: u64 = 50_000;
/// The fastest a run trains, so that a learner can watch a small network learn (a 2-D net
/// would otherwise finish in a blink): steps per second.
const STEPS_PER_SECOND: f64 = 200.0;
/// Time between snapshots while running.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(150);

/// What the page asks the run to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Train continuously.
    Run,
    /// Hold.
    Pause,
    /// Train one step, then hold.
    Step,
    /// End the run.
    Stop,
}

struct State {
    command: Command,
    /// The latest snapshot, as the page receives it.
    snapshot: Arc<str>,
    last_seen: Instant,
    /// How long without a look before the run counts as abandoned ([`ABANDONED`]).
    abandoned: Duration,
}

/// A running (or paused) training of one page.
pub struct Job {
    shared: Arc<(Mutex<State>, Condvar)>,
    /// The settings in words, for the page.
    pub settings: Settings,
}

impl Job {
    /// Starts training `settings` on its own thread, paused unless `run`.
    pub fn start(settings: Settings, mnist: Option<Arc<Mnist>>, run: bool) -> Job {
        Job::start_abandoned_after(settings, mnist, run, ABANDONED)
    }

    fn start_abandoned_after(
        settings: Settings,
        mnist: Option<Arc<Mnist>>,
        run: bool,
        abandoned: Duration,
    ) -> Job {
        let shared = Arc::new((
            Mutex::new(State {
                command: if run { Command::Run } else { Command::Pause },
                snapshot: Arc::from(r#"{"state":"starting"}"#),
                last_seen: Instant::now(),
                abandoned,
            }),
            Condvar::new(),
        ));
        let thread_shared = Arc::clone(&shared);
        let thread_settings = settings.clone();
        let spawned = std::thread::Builder::new()
            .name("nabla-playground".into())
            .spawn(move || train(&thread_settings, mnist.as_ref(), &thread_shared));
        if let Err(e) = spawned {
            let mut state = shared.0.lock().unwrap_or_else(PoisonError::into_inner);
            state.snapshot = Arc::from(
                json!({"state": "error", "error": format!("cannot start a training thread: {e}")})
                    .to_string(),
            );
        }
        Job { shared, settings }
    }

    /// Tells the run what to do next.
    pub fn command(&self, command: Command) {
        let (lock, wake) = &*self.shared;
        let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
        state.command = command;
        state.last_seen = Instant::now();
        wake.notify_all();
    }

    /// The latest snapshot; asking counts as the page being alive.
    pub fn snapshot(&self) -> Arc<str> {
        let mut state = self.shared.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.last_seen = Instant::now();
        Arc::clone(&state.snapshot)
    }

    /// Whether the run has ended (stopped, abandoned, failed).
    pub fn ended(&self) -> bool {
        let state = self.shared.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.command == Command::Stop
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.command(Command::Stop);
    }
}

/// Records the gradient norms of the last step of a chunk.
struct LastNorms {
    at: u64,
    norms: Vec<(String, f64)>,
}

impl Hook<f32> for LastNorms {
    fn after_backward(
        &mut self,
        view: &StepView<'_, f32>,
        model: &mut dyn Classifier<f32>,
    ) -> Flow {
        if view.step == self.at {
            self.norms = weight_gradient_norms(model);
        }
        Flow::Continue
    }
}

fn train(settings: &Settings, mnist: Option<&Arc<Mnist>>, shared: &Arc<(Mutex<State>, Condvar)>) {
    train_until_stopped(settings, mnist, shared);
    // However the run ended (stopped, abandoned, failed), it no longer counts as training.
    shared
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .command = Command::Stop;
}

fn train_until_stopped(
    settings: &Settings,
    mnist: Option<&Arc<Mnist>>,
    shared: &Arc<(Mutex<State>, Condvar)>,
) {
    let publish = |value: Value| {
        let mut state = shared.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.snapshot = Arc::from(value.to_string());
    };
    let built = model::dataset(settings, mnist).and_then(|data| {
        let net = model::network(settings, data.features, data.classes)?;
        Ok((data, model::trainer(settings, net)?))
    });
    let (data, mut run) = match built {
        Ok(built) => built,
        Err(error) => {
            publish(json!({"state": "error", "error": error}));
            return;
        }
    };
    let mut measured = Measured::default();
    let mut last_snapshot: Option<Instant> = None;
    // What the page was last told: a run that pauses says so before it waits.
    let mut published = "paused";
    // How many steps a chunk trains between looks at the commands: about 20 ms of work.
    let mut chunk: u64 = 1;
    loop {
        let pausing = {
            let state = shared.0.lock().unwrap_or_else(PoisonError::into_inner);
            state.command == Command::Pause
        };
        if pausing && published == "running" {
            published = "paused";
            match snapshot(settings, &data, &mut run, &mut measured, published) {
                Ok(value) => publish(value),
                Err(e) => {
                    publish(json!({"state": "error", "error": e}));
                    return;
                }
            }
        }
        let command = {
            let (lock, wake) = &**shared;
            let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
            while state.command == Command::Pause && state.last_seen.elapsed() < state.abandoned {
                state = wake
                    .wait_timeout(state, Duration::from_millis(500))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if state.last_seen.elapsed() >= state.abandoned {
                state.command = Command::Stop;
            }
            let command = state.command;
            if command == Command::Step {
                state.command = Command::Pause;
            }
            command
        };
        let steps = match command {
            Command::Stop => return,
            Command::Pause => continue,
            Command::Step => 1,
            Command::Run => chunk,
        };
        let began = Instant::now();
        let target = (run.step() + steps).min(MAX_STEPS);
        let mut norms = LastNorms {
            at: target,
            norms: Vec::new(),
        };
        run.config_mut().budget = nabla_nn::Budget::Iterations(target);
        let history = match run.train(&data.train, &mut [&mut norms]) {
            Ok(history) => history,
            Err(e) => {
                publish(json!({"state": "error", "error": e.to_string()}));
                return;
            }
        };
        let elapsed = began.elapsed().as_secs_f64();
        if command == Command::Run {
            // Aim at 20 ms a chunk, changing by at most a factor of 2 at a time, and never
            // faster than a learner can follow.
            let ideal =
                (steps as f64 * 0.02 / elapsed.max(1e-6)).clamp(1.0, 0.02 * STEPS_PER_SECOND);
            chunk = (ideal as u64).clamp((chunk / 2).max(1), chunk * 2);
            let due = steps as f64 / STEPS_PER_SECOND;
            if elapsed < due {
                std::thread::sleep(Duration::from_secs_f64(due - elapsed));
            }
        }
        measured.record_norms(run.step(), &norms.norms);
        let status = match history.ended {
            Ended::Diverged { .. } => "diverged",
            _ if run.step() >= MAX_STEPS => "finished",
            _ if command == Command::Run => "running",
            _ => "paused",
        };
        let due = last_snapshot.is_none_or(|t| t.elapsed() >= SNAPSHOT_EVERY);
        if due || status != "running" {
            last_snapshot = Some(Instant::now());
            published = status;
            match snapshot(settings, &data, &mut run, &mut measured, status) {
                Ok(value) => publish(value),
                Err(e) => {
                    publish(json!({"state": "error", "error": e}));
                    return;
                }
            }
        }
        if status == "diverged" || status == "finished" {
            let (lock, _) = &**shared;
            lock.lock().unwrap_or_else(PoisonError::into_inner).command = Command::Pause;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_whose_page_stops_looking_stops_running_or_paused() {
        let small = Settings {
            hidden: vec![4],
            ..Settings::default()
        };
        for run in [true, false] {
            let job =
                Job::start_abandoned_after(small.clone(), None, run, Duration::from_millis(300));
            // Looked at for a while: still going.
            for _ in 0..4 {
                std::thread::sleep(Duration::from_millis(100));
                job.snapshot();
            }
            assert!(!job.ended(), "a watched run goes on (running: {run})");
            let left = Instant::now();
            while !job.ended() {
                assert!(left.elapsed() < Duration::from_secs(5), "running: {run}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}
