//! The learning-rate range test (Smith, 2017): train from a fresh model while the rate grows
//! geometrically, record the loss against the rate, stop when the loss explodes, and suggest
//! the rate halfway through the smoothed loss's descent.

use nabla_datasets::{Pixel, Split};
use nabla_layers::Float;
use nabla_optim::{OptimizerConfig, Schedule};

use crate::{Classifier, Flow, Hook, Result, StepView, TrainConfig, TrainEval, Trainer};

/// How to sweep.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LrFindConfig {
    /// The first rate.
    pub min_lr: f64,
    /// The rate after `steps` steps.
    pub max_lr: f64,
    /// Steps from `min_lr` to `max_lr` (the sweep stops earlier if the loss explodes).
    pub steps: u64,
    /// Samples per mini-batch.
    pub batch_size: usize,
    /// Stop once the smoothed loss exceeds this many times its minimum.
    pub explode_factor: f64,
    /// Seed of the batch order.
    pub seed: u64,
}

impl Default for LrFindConfig {
    /// From 1e-7 to 10 over 200 steps of 100, stopping at 4x the best loss.
    fn default() -> Self {
        LrFindConfig {
            min_lr: 1e-7,
            max_lr: 10.0,
            steps: 200,
            batch_size: 100,
            explode_factor: 4.0,
            seed: 0,
        }
    }
}

/// One step of the sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrPoint {
    /// The rate of the step.
    pub lr: f64,
    /// Its loss.
    pub loss: f64,
    /// The loss smoothed by an exponential moving average (bias-corrected, β = 0.98).
    pub smoothed: f64,
}

/// What the sweep found.
#[derive(Debug, Clone, PartialEq)]
pub struct LrFindResult {
    /// Every step, in order.
    pub points: Vec<LrPoint>,
    /// The rate halfway (in log scale) through the smoothed loss's descent; `None` when the
    /// loss did not fall.
    pub suggestion: Option<f64>,
    /// Whether the loss exploded before `max_lr` was reached.
    pub exploded: bool,
}

/// Records the loss of every step and stops the run when it explodes.
struct Recorder {
    beta: f64,
    average: f64,
    best: f64,
    explode_factor: f64,
    points: Vec<LrPoint>,
    exploded: bool,
}

impl<F: Float> Hook<F> for Recorder {
    fn after_forward(&mut self, view: &StepView<'_, F>) -> Flow {
        self.average = self.beta * self.average + (1.0 - self.beta) * view.loss;
        let smoothed = self.average / (1.0 - self.beta.powi(self.points.len() as i32 + 1));
        self.points.push(LrPoint {
            lr: view.lr,
            loss: view.loss,
            smoothed,
        });
        self.best = self.best.min(smoothed);
        if smoothed > self.explode_factor * self.best {
            self.exploded = true;
            return Flow::Stop;
        }
        Flow::Continue
    }
}

/// Sweeps the learning rate of `optimizer` (its own rate is replaced by the sweep's) on
/// `model`, a fresh one, over batches of `train`.
///
/// ```
/// use nabla_nn::{Architecture, LrFindConfig, MlpConfig, Network, Split, lr_find};
/// use nabla_optim::OptimizerConfig;
/// use nabla_nn::ndarray::Array2;
/// let x = Array2::from_shape_fn((200, 4), |(i, j)| if j == i % 2 { 1.0 } else { (i % 7) as f32 / 10.0 });
/// let data = Split::new(x.into_dyn(), (0..200).map(|i| i % 2).collect())?;
/// let net = Network::<f32>::new(&Architecture::Mlp(MlpConfig::new(4, vec![8], 2)), 0)?;
/// let mut config = LrFindConfig::default();
/// config.batch_size = 20;
/// let found = lr_find(net, &OptimizerConfig::sgd(1.0), &data, &config)?;
/// assert!(found.points.len() > 10);
/// let lr = found.suggestion.ok_or("the loss did not fall")?;
/// assert!((1e-7..10.0).contains(&lr));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lr_find<F: Float + Pixel, M: Classifier<F>>(
    model: M,
    optimizer: &OptimizerConfig,
    train: &Split<F>,
    config: &LrFindConfig,
) -> Result<LrFindResult> {
    if !(config.min_lr > 0.0 && config.max_lr > config.min_lr && config.max_lr.is_finite()) {
        return Err(crate::NnError::Config(format!(
            "the sweep needs 0 < min_lr < max_lr, got {} and {}",
            config.min_lr, config.max_lr
        )));
    }
    let optimizer = optimizer
        .with_lr(config.min_lr)
        .map_err(crate::NnError::Optim)?;
    let mut plan = TrainConfig::iterations(config.steps, config.batch_size);
    plan.schedule = Schedule::Sweep {
        steps: config.steps,
        growth: config.max_lr / config.min_lr,
    };
    plan.eval_train = TrainEval::Skip;
    plan.seed = config.seed;
    let mut run = Trainer::new(model, &optimizer, plan)?;
    let mut recorder = Recorder {
        beta: 0.98,
        average: 0.0,
        best: f64::INFINITY,
        explode_factor: config.explode_factor,
        points: Vec::new(),
        exploded: false,
    };
    let history = run.train(train, &mut [&mut recorder])?;
    let exploded = recorder.exploded || matches!(history.ended, crate::Ended::Diverged { .. });
    Ok(LrFindResult {
        suggestion: suggestion(&recorder.points),
        points: recorder.points,
        exploded,
    })
}

/// The rate halfway (in log scale) through the smoothed loss's descent: from where it has
/// fallen a tenth of the way from its starting level to its minimum, to where it has fallen
/// nine tenths.
///
/// The steepest point of the descent is the textbook's pick, but it comes too early when the
/// loss first drops fast and then keeps falling for decades (DeepConvNet's did, at 1.2e-4,
/// where one epoch ends well below the default rate's); the middle of the descent is where
/// the loss still falls steadily and training is already quick.
fn suggestion(points: &[LrPoint]) -> Option<f64> {
    let (lowest, min) = points
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.smoothed))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    // The starting level: the highest of the first tenth (the average's first steps are
    // still settling, and may start below it); the descent is looked for after it.
    let head = (points.len() / 10).max(1);
    let (top, start) = points[..head]
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.smoothed))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let drop = start - min;
    if !(drop > 0.05 * start.abs().max(1e-12)) || lowest <= top {
        return None;
    }
    let reached = |fraction: f64| {
        points[top..=lowest]
            .iter()
            .position(|p| p.smoothed < start - fraction * drop)
            .map(|k| top + k)
    };
    let (a, b) = (reached(0.1)?, reached(0.9)?);
    let (la, lb) = (points[a].lr.log10(), points[b].lr.log10());
    Some(10f64.powf((la + lb) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_middle_of_the_descent_is_suggested() {
        // A loss that falls slowly, then fast around 1e-3, bottoms at 1e-2, then explodes.
        let points: Vec<LrPoint> = (0..=60)
            .map(|k| {
                let lr = 10f64.powf(-6.0 + k as f64 / 10.0);
                let x = lr.log10();
                let smoothed = if x < -2.0 {
                    2.0 - 1.5 / (1.0 + (-(x + 3.0) * 4.0).exp())
                } else {
                    0.5 + (x + 2.0).powi(2)
                };
                LrPoint {
                    lr,
                    loss: smoothed,
                    smoothed,
                }
            })
            .collect();
        // The descent runs from a tenth of the way down (about 10^-3.5) to nine tenths
        // (10^-2.5); halfway is 1e-3.
        let lr = suggestion(&points).unwrap();
        assert!((lr.log10() + 3.0).abs() < 0.2, "{lr}");
        let flat: Vec<LrPoint> = points
            .iter()
            .map(|p| LrPoint {
                smoothed: 1.0,
                ..*p
            })
            .collect();
        assert_eq!(suggestion(&flat), None);
    }
}
