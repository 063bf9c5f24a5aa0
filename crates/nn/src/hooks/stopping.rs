//! Stopping when the evaluation accuracy stops improving, and keeping the weights of its best
//! evaluation.

use nabla_layers::{Float, Param};
use ndarray::ArrayD;

use super::{Flow, Hook};
use crate::{Classifier, EvalPoint};

/// Stops a run after `patience` evaluations in a row without a better test (or validation)
/// accuracy than the best so far.
///
/// ```
/// use nabla_nn::{EarlyStopping, Flow};
/// let mut stop = EarlyStopping::new(2);
/// assert_eq!(stop.observe(10, 0.90), Flow::Continue);
/// assert_eq!(stop.observe(20, 0.95), Flow::Continue);
/// assert_eq!(stop.observe(30, 0.94), Flow::Continue);
/// assert_eq!(stop.observe(40, 0.95), Flow::Stop); // not better than 0.95: two in a row
/// assert_eq!(stop.best(), Some((20, 0.95)));
/// assert_eq!(stop.stopped_at(), Some(40));
/// ```
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    patience: usize,
    best: Option<(u64, f64)>,
    since_best: usize,
    stopped_at: Option<u64>,
}

impl EarlyStopping {
    /// Stops after `patience` (at least 1) evaluations without improvement.
    pub fn new(patience: usize) -> Self {
        EarlyStopping {
            patience: patience.max(1),
            best: None,
            since_best: 0,
            stopped_at: None,
        }
    }

    /// Takes the accuracy of the evaluation after `step` into account.
    pub fn observe(&mut self, step: u64, accuracy: f64) -> Flow {
        if self.best.is_none_or(|(_, best)| accuracy > best) {
            self.best = Some((step, accuracy));
            self.since_best = 0;
            return Flow::Continue;
        }
        self.since_best += 1;
        if self.since_best >= self.patience {
            self.stopped_at = Some(step);
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// The best evaluation so far: its step and accuracy.
    pub fn best(&self) -> Option<(u64, f64)> {
        self.best
    }

    /// The step after which it stopped the run, if it did.
    pub fn stopped_at(&self) -> Option<u64> {
        self.stopped_at
    }
}

impl<F: Float> Hook<F> for EarlyStopping {
    fn after_eval(&mut self, point: &EvalPoint, _model: &mut dyn Classifier<F>) -> Flow {
        self.observe(point.step, point.test_accuracy)
    }
}

/// Keeps a copy of the model's parameters (buffers included) at its best evaluation, to put
/// back when the run ends: the weights of the best epoch, not the last.
///
/// ```
/// use nabla_nn::{Architecture, KeepBest, MlpConfig, Network, Split, TrainConfig, Trainer};
/// use nabla_optim::OptimizerConfig;
/// use nabla_nn::ndarray::Array2;
/// let x = Array2::from_shape_fn((32, 2), |(i, j)| if j == 0 { i as f32 / 16.0 - 1.0 } else { 0.0 });
/// let data = Split::new(x.into_dyn(), (0..32).map(|i| usize::from(i >= 16)).collect())?;
/// let net = Network::<f32>::new(&Architecture::Mlp(MlpConfig::new(2, vec![4], 2)), 0)?;
/// let mut run = Trainer::new(net, &OptimizerConfig::adam(0.05), TrainConfig::epochs(20, 8))?;
/// let mut best = KeepBest::new();
/// run.fit(&data, &data, &mut [&mut best])?;
/// let (step, accuracy) = best.best().ok_or("the run made no evaluation")?;
/// best.restore(run.model_mut())?;
/// assert_eq!(run.evaluate(&data)?, accuracy);
/// assert!(step <= run.step());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct KeepBest {
    best: Option<(u64, f64)>,
    /// Every parameter's values at the best evaluation, by name, in f64 (exact for f32 and f64).
    saved: Vec<(String, ArrayD<f64>)>,
}

impl KeepBest {
    /// Nothing kept yet.
    pub fn new() -> Self {
        KeepBest::default()
    }

    /// The best evaluation: its step and accuracy.
    pub fn best(&self) -> Option<(u64, f64)> {
        self.best
    }

    /// Puts the kept parameters back into `model` (the one it watched). Without an
    /// evaluation yet, leaves the model as it is.
    pub fn restore<F: Float>(&self, model: &mut dyn Classifier<F>) -> crate::Result<()> {
        let mut missing = None;
        model.visit_params(&mut |name, p: &mut Param<F>| match self
            .saved
            .iter()
            .find(|(n, _)| n == name)
        {
            Some((_, v)) if v.shape() == p.value.shape() => {
                p.value.zip_mut_with(v, |d, &s| *d = F::of(s));
            }
            _ if self.saved.is_empty() => {}
            _ => missing = Some(name.to_string()),
        });
        match missing {
            Some(name) => Err(crate::NnError::Config(format!(
                "KeepBest holds no parameter `{name}` of this shape: restore into the model it watched"
            ))),
            None => Ok(()),
        }
    }
}

impl<F: Float> Hook<F> for KeepBest {
    fn after_eval(&mut self, point: &EvalPoint, model: &mut dyn Classifier<F>) -> Flow {
        if self.best.is_none_or(|(_, best)| point.test_accuracy > best) {
            self.best = Some((point.step, point.test_accuracy));
            self.saved.clear();
            model.params(&mut |name, p| {
                self.saved
                    .push((name.to_string(), p.value.mapv(|v| v.as_f64())))
            });
        }
        Flow::Continue
    }
}
