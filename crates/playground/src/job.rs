//! A page's training run: a thread that trains in short chunks and, several times a second,
//! measures what the page draws (curves, gradient norms, histograms, the boundary, the hidden
//! units) into one JSON snapshot the page polls.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nabla_datasets::{Mnist, Split};
use nabla_layers::Mode;
use nabla_nn::{
    Classifier, Ended, Flow, Histogram, Hook, SequentialClassifier, StepView, Trainer,
    predict_split, weight_gradient_norms,
};
use ndarray::{Array2, ArrayD};
use serde_json::{Value, json};

use crate::model::{self, Dataset, GRID};
use crate::settings::Settings;

/// A page that has not asked for its state for this long is gone: its run stops.
pub const ABANDONED: Duration = Duration::from_secs(10);
/// The longest a run trains (steps), so that a forgotten tab does not train forever.
pub const MAX_STEPS: u64 = 50_000;
/// The fastest a run trains, so that a learner can watch a small network learn (a 2-D net
/// would otherwise finish in a blink): steps per second.
const STEPS_PER_SECOND: f64 = 200.0;
/// Time between snapshots while running.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(150);
/// Points kept on the curves (older ones are thinned to every other).
const CURVE_POINTS: usize = 400;

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

/// What the run has measured so far.
#[derive(Default)]
struct Measured {
    /// `[step, train loss, test loss, train accuracy, test accuracy]`.
    curve: Vec<[f64; 5]>,
    /// `[step, norm of each weight…]`.
    norms: Vec<Vec<f64>>,
    norm_names: Vec<String>,
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
        if !norms.norms.is_empty() {
            measured.norm_names = norms.norms.iter().map(|(n, _)| n.clone()).collect();
            let mut row = vec![run.step() as f64];
            row.extend(norms.norms.iter().map(|&(_, v)| v));
            measured.norms.push(row);
        }
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

/// The index of the largest value (the first on ties): a row's predicted class.
fn argmax<'a>(values: impl Iterator<Item = &'a f32>) -> usize {
    values
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (k, &v)| {
            if v > best.1 { (k, v) } else { best }
        })
        .0
}

/// `values` scaled to 0-255 between their own minimum and maximum, as an image shows them.
fn to_gray<'a>(values: impl Iterator<Item = &'a f32> + Clone) -> Vec<u8> {
    let (lo, hi) = values
        .clone()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = (hi - lo).max(1e-12);
    values
        .map(|&v| ((v - lo) / span * 255.0).round() as u8)
        .collect()
}

/// Mean cross-entropy and accuracy of `logits` against `labels`.
fn loss_and_accuracy(logits: &Array2<f32>, labels: &[usize]) -> (f64, f64) {
    let mut loss = 0.0;
    let mut right = 0;
    for (row, &label) in logits.rows().into_iter().zip(labels) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
        let sum: f64 = row.iter().map(|&v| (v as f64 - max).exp()).sum();
        loss += max + sum.ln() - row[label] as f64;
        right += usize::from(argmax(row.iter()) == label);
    }
    let n = labels.len().max(1) as f64;
    (loss / n, right as f64 / n)
}

/// Everything the page draws, measured now.
fn snapshot(
    settings: &Settings,
    data: &Dataset,
    run: &mut Trainer<f32, SequentialClassifier<f32>>,
    measured: &mut Measured,
    status: &str,
) -> Result<Value, String> {
    let model = run.model_mut();
    let err = |e: nabla_nn::NnError| e.to_string();
    let train_logits = predict_split(model, &data.train, 500).map_err(err)?;
    let test_logits = predict_split(model, &data.test, 500).map_err(err)?;
    let (train_loss, train_acc) = loss_and_accuracy(&train_logits, data.train.labels());
    let (test_loss, test_acc) = loss_and_accuracy(&test_logits, data.test.labels());
    let step = run.step() as f64;
    if measured.curve.last().is_none_or(|p| p[0] < step) {
        measured
            .curve
            .push([step, train_loss, test_loss, train_acc, test_acc]);
    }
    if measured.curve.len() > CURVE_POINTS {
        thin(&mut measured.curve);
    }
    if measured.norms.len() > CURVE_POINTS {
        thin(&mut measured.norms);
    }
    let step = run.step();
    let model = run.model_mut();
    // Activations of every hidden layer over the test inputs, for the histograms.
    let histograms = activation_histograms(model, &data.test, settings.hidden.len())?;
    let mut value = json!({
        "state": status,
        "step": step,
        "words": settings.words(),
        "curve": measured.curve,
        "norm_names": measured.norm_names,
        "norms": measured.norms,
        "histograms": histograms,
        "train_loss": train_loss, "test_loss": test_loss,
        "train_accuracy": train_acc, "test_accuracy": test_acc,
    });
    match &data.grid {
        Some(grid) => {
            value["boundary"] = json!(boundary(model, grid)?);
            value["units"] = json!(unit_maps(model, grid, settings.hidden.len())?);
            value["points"] = json!(points(&data.train));
        }
        None => {
            let first = if settings.hidden.is_empty() {
                "fc_out.weight"
            } else {
                "fc1.weight"
            };
            value["weights"] = json!(first_layer_images(model, first));
            value["mistakes"] = json!(mistakes(&test_logits, &data.test));
        }
    }
    Ok(value)
}

/// Keeps every other point but the last.
fn thin<T>(points: &mut Vec<T>) {
    let last = points.pop();
    let mut k = 0;
    points.retain(|_| {
        k += 1;
        k % 2 == 1
    });
    points.extend(last);
}

/// The probability of class 1 at each grid point, as 0-255, row by row from the top.
fn boundary(model: &mut SequentialClassifier<f32>, grid: &Split<f32>) -> Result<Vec<u8>, String> {
    let logits = predict_split(model, grid, GRID * GRID).map_err(|e| e.to_string())?;
    Ok(logits
        .rows()
        .into_iter()
        .map(|r| {
            let p = 1.0 / (1.0 + ((r[0] - r[1]) as f64).exp());
            (p * 255.0).round() as u8
        })
        .collect())
}

/// Each hidden layer's outputs for `x`, by layer index.
fn hidden_outputs(
    model: &mut SequentialClassifier<f32>,
    x: ArrayD<f32>,
    layers: usize,
) -> Result<Vec<Array2<f32>>, String> {
    let names: Vec<String> = (0..layers).map(model::activation_name).collect();
    let mut outputs = vec![None; layers];
    model
        .forward_observed(x, Mode::Eval, &mut |name, y| {
            if let Some(k) = names.iter().position(|n| n == name) {
                outputs[k] = y.clone().into_dimensionality::<ndarray::Ix2>().ok();
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(outputs.into_iter().flatten().collect())
}

/// What each of the first units of each hidden layer responds to over the grid: its output,
/// scaled to 0-255 between its own minimum and maximum. At most 8 units a layer.
fn unit_maps(
    model: &mut SequentialClassifier<f32>,
    grid: &Split<f32>,
    layers: usize,
) -> Result<Vec<Value>, String> {
    let outputs = hidden_outputs(model, grid.to_array(), layers)?;
    let mut maps = Vec::new();
    for (k, out) in outputs.iter().enumerate() {
        for unit in 0..out.ncols().min(8) {
            let column = out.column(unit);
            let pixels = to_gray(column.iter());
            maps.push(json!({"layer": k + 1, "unit": unit + 1, "pixels": pixels}));
        }
    }
    Ok(maps)
}

/// A histogram of each hidden activation's outputs over the test inputs.
fn activation_histograms(
    model: &mut SequentialClassifier<f32>,
    test: &Split<f32>,
    layers: usize,
) -> Result<Vec<Value>, String> {
    let x = test.first(test.len().min(500)).to_array();
    let outputs = hidden_outputs(model, x, layers)?;
    Ok(outputs
        .iter()
        .enumerate()
        .map(|(k, out)| {
            let (lo, hi) = out
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v as f64), b.max(v as f64))
                });
            let (lo, hi) = if lo < hi {
                (lo, hi)
            } else {
                (lo - 0.5, lo + 0.5)
            };
            let h = Histogram::of(out.iter().map(|&v| v as f64), lo, hi, 24);
            json!({"layer": k + 1, "lo": h.lo, "hi": h.hi, "counts": h.counts})
        })
        .collect())
}

/// The training points, `[x, y, label]`, for drawing over the boundary.
fn points(train: &Split<f32>) -> Vec<[f64; 3]> {
    let x = train.to_array();
    train
        .labels()
        .iter()
        .enumerate()
        .map(|(i, &l)| [x[[i, 0]] as f64, x[[i, 1]] as f64, l as f64])
        .collect()
}

/// The first 16 units of the first layer (the weight named `first`) as 28x28 images.
fn first_layer_images(model: &SequentialClassifier<f32>, first: &str) -> Vec<Vec<u8>> {
    let mut images = Vec::new();
    model.params(&mut |name, p| {
        if name != first {
            return;
        }
        let w = &p.value;
        if w.shape().first() != Some(&784) {
            return;
        }
        for unit in 0..w.shape()[1].min(16) {
            let column: Vec<f32> = (0..784).map(|i| w[[i, unit]]).collect();
            images.push(to_gray(column.iter()));
        }
    });
    images
}

/// The first 8 misclassified test images: `{label, predicted, pixels}`.
fn mistakes(logits: &Array2<f32>, test: &Split<f32>) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, (row, &label)) in logits.rows().into_iter().zip(test.labels()).enumerate() {
        let predicted = argmax(row.iter());
        if predicted != label {
            let (x, _) = test.gather(&[i]);
            let pixels: Vec<u8> = x
                .iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 255.0) as u8)
                .collect();
            out.push(json!({"label": label, "predicted": predicted, "pixels": pixels}));
            if out.len() == 8 {
                break;
            }
        }
    }
    out
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
