//! The training side: a hook that turns steps and evaluations into the page's events.

use std::time::Instant;

use nabla_layers::{Float, ParamKind};
use nabla_nn::{Classifier, EvalPoint, Flow, Hook, Split, StepView, weight_gradient_norms};

use crate::event::finite;
use crate::{Event, LiveServer, Mistake, Norm};

/// Publishes a run to a [`LiveServer`]: the loss and rate of 200 steps, per-layer
/// gradient norms 50 times a run, and at every evaluation the accuracies, the
/// confusion matrix, the first mistakes as images, and the first layer's weights as images.
///
/// The work per event is a JSON string; the run never waits for the page.
#[derive(Debug)]
pub struct LiveHook<'a> {
    server: LiveServer,
    /// The split evaluations measure, for the mistakes' pixels.
    eval_split: &'a Split<f32>,
    step_every: u64,
    grads_every: u64,
    started: Instant,
}

impl<'a> LiveHook<'a> {
    /// Publishes to `server` a run of `total` steps evaluated on `eval_split`.
    pub fn new(server: &LiveServer, eval_split: &'a Split<f32>, total: u64) -> Self {
        LiveHook {
            server: server.clone(),
            eval_split,
            step_every: (total / 200).max(1),
            grads_every: (total / 50).max(1),
            started: Instant::now(),
        }
    }

    fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// A mistake's image as bytes (0 background, 255 ink), when samples are 28x28 images.
    fn pixels(&self, index: usize) -> Option<Vec<u8>> {
        if index >= self.eval_split.len() {
            return None;
        }
        let (x, _) = self.eval_split.gather(&[index]);
        (x.len() == 784).then(|| {
            x.iter()
                .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
                .collect()
        })
    }
}

/// The first layer's filters (one image each, first channel) or units (when its input is a
/// square image, 784 = 28x28 for an MLP) as images scaled to 0-255; at most 32: the event
/// of `step`.
fn first_layer_images<F: Float>(model: &dyn Classifier<F>, step: u64) -> Option<Event> {
    let mut out = None;
    let mut seen = false;
    model.params(&mut |name, p| {
        if seen || p.kind != ParamKind::Weight {
            return;
        }
        seen = true;
        let v = &p.value;
        let ((rows, cols), images): ((usize, usize), Vec<Vec<f64>>) =
            match (v.shape(), v.shape().first().copied().and_then(side)) {
                (&[filters, _, kh, kw], _) => (
                    (kh, kw),
                    (0..filters.min(32))
                        .map(|f| {
                            (0..kh * kw)
                                .map(|k| v[[f, 0, k / kw, k % kw]].as_f64())
                                .collect()
                        })
                        .collect(),
                ),
                (&[inputs, units], Some(s)) => (
                    (s, s),
                    (0..units.min(32))
                        .map(|u| (0..inputs).map(|i| v[[i, u]].as_f64()).collect())
                        .collect(),
                ),
                _ => return,
            };
        let scaled: Vec<Vec<u8>> = images
            .iter()
            .map(|img| {
                let (lo, hi) = img
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    });
                let span = (hi - lo).max(f64::MIN_POSITIVE);
                img.iter()
                    .map(|&v| ((v - lo) / span * 255.0).round() as u8)
                    .collect()
            })
            .collect();
        out = Some(Event::Weights {
            step,
            layer: name.to_string(),
            rows,
            cols,
            images: scaled,
        });
    });
    out
}

/// `n`'s square root, if `n` is a square larger than 1.
fn side(n: usize) -> Option<usize> {
    let s = (n as f64).sqrt().round() as usize;
    (s > 1 && s * s == n).then_some(s)
}

impl<F: Float> Hook<F> for LiveHook<'_> {
    fn after_forward(&mut self, view: &StepView<'_, F>) -> Flow {
        if view.step.is_multiple_of(self.step_every) || view.step == 1 {
            self.server.publish(&Event::Step {
                step: view.step,
                total: view.total,
                loss: finite(view.loss),
                lr: view.lr,
                seconds: self.seconds(),
            });
        }
        Flow::Continue
    }

    fn after_backward(&mut self, view: &StepView<'_, F>, model: &mut dyn Classifier<F>) -> Flow {
        if view.step.is_multiple_of(self.grads_every) || view.step == 1 {
            let norms = weight_gradient_norms(model)
                .into_iter()
                .map(|(name, norm)| Norm {
                    name,
                    norm: finite(norm),
                })
                .collect();
            self.server.publish(&Event::Grads {
                step: view.step,
                norms,
            });
        }
        Flow::Continue
    }

    fn after_eval(&mut self, p: &EvalPoint, model: &mut dyn Classifier<F>) -> Flow {
        let mistakes = p
            .test_mistakes
            .iter()
            .map(|m| Mistake {
                index: m.index,
                label: m.label,
                predicted: m.predicted,
                pixels: self.pixels(m.index),
            })
            .collect();
        self.server.publish(&Event::Eval {
            step: p.step,
            epoch: p.epoch,
            loss: finite(p.train_loss),
            train_accuracy: p.train_accuracy,
            test_accuracy: p.test_accuracy,
            lr: p.lr,
            seconds: self.seconds(),
            confusion: p.test_confusion.clone(),
            mistakes,
        });
        if let Some(images) = first_layer_images(model, p.step) {
            self.server.publish(&images);
        }
        Flow::Continue
    }
}
