//! Builds and trains one [`RunSpec`], and holds the data all runs share.

use std::time::Instant;

use nabla_datasets::Mnist;
use nabla_nn::{
    Architecture, Classifier, Ended, GradientNorms, Hook, Layout, Split, StepView, TrainConfig,
    TrainEval, Trainer,
};
use nabla_optim::{Regularizer, Schedule};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::measure;
use crate::quirks::{AdaGradTheta, BatchTrainAccuracy};
use crate::result::{Point, RunResult};
use crate::spec::{Group, ModelSpec, OptSpec, RunSpec, Subset, TrainAccuracy};
use crate::{ExperimentError, Result};

mod model;

pub use model::build_model;

/// Which half of MNIST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The 60,000 training images.
    Train,
    /// The 10,000 test images.
    Test,
}

/// MNIST as every run needs it, loaded once: rows for the MLPs, images for the CNNs.
pub struct Data {
    train_rows: Split<f32>,
    test_rows: Split<f32>,
    train_images: Split<f32>,
    test_images: Split<f32>,
}

/// The CNN runs use at most the first 5,000 training images.
const CNN_TRAIN_IMAGES: usize = 5000;

impl Data {
    /// MNIST with pixels / 255, as the notebooks' `normalize=True`.
    pub fn new(mnist: &Mnist) -> Self {
        Data {
            train_rows: Split::mnist(&mnist.train, Layout::Rows),
            test_rows: Split::mnist(&mnist.test, Layout::Rows),
            train_images: Split::mnist(&mnist.train, Layout::Images).first(CNN_TRAIN_IMAGES),
            test_images: Split::mnist(&mnist.test, Layout::Images),
        }
    }

    /// The training rows, for the random search.
    pub(crate) fn train_rows(&self) -> &Split<f32> {
        &self.train_rows
    }

    /// `subset` of `part` in `layout`.
    pub fn split(&self, layout: Layout, part: Part, subset: Subset) -> Result<Split<f32>> {
        let split = match (layout, part) {
            (Layout::Rows, Part::Train) => &self.train_rows,
            (Layout::Rows, Part::Test) => &self.test_rows,
            (Layout::Images, Part::Train) => &self.train_images,
            (Layout::Images, Part::Test) => &self.test_images,
        };
        match subset {
            Subset::All if (layout, part) == (Layout::Images, Part::Train) => {
                Err(ExperimentError::Setup(format!(
                    "the CNN runs use at most the first {CNN_TRAIN_IMAGES} training images"
                )))
            }
            Subset::All => Ok(split.clone()),
            Subset::First(n) if n > split.len() => Err(ExperimentError::Setup(format!(
                "asked for {n} images, the split has {}",
                split.len()
            ))),
            Subset::First(n) => Ok(split.first(n)),
        }
    }
}

/// The seed a run uses: the suite's seed mixed with the run id, so that every run has its own
/// stream and adding a run changes no other.
pub fn run_seed(suite_seed: u64, id: &str) -> u64 {
    id.bytes().fold(suite_seed ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The training run of `spec` with weights and batches drawn from `seed`, on `threads`
/// threads (results do not depend on it).
pub fn trainer(
    spec: &RunSpec,
    seed: u64,
    threads: usize,
) -> Result<Trainer<f32, Box<dyn Classifier<f32>>>> {
    let mut config = TrainConfig::iterations(spec.iterations, spec.batch);
    config.eval_every = Some(spec.eval_every);
    config.eval_train = match (spec.train_accuracy, spec.train_eval_samples) {
        (TrainAccuracy::Split, None) => TrainEval::All,
        (TrainAccuracy::Split, Some(k)) => TrainEval::Sample(k),
        // The quirk hook measures it on the batch instead.
        _ => TrainEval::Skip,
    };
    config.regularizer = Regularizer::new(spec.l1, spec.l2)?;
    // Convolutions multiply image by image, so a larger batch buys nothing there and costs
    // fresh pages for every activation; the affine layers of the MLPs do gain from it.
    config.eval_batch_size = match spec.model.layout() {
        Layout::Images => 100,
        Layout::Rows => 2000,
    };
    config.threads = Some(threads);
    config.seed = seed;
    if spec.decay_per_100 != 1.0 {
        config.schedule = Schedule::Step {
            every: 100,
            gamma: spec.decay_per_100,
        };
    }
    let model = build_model(spec, seed)?;
    Ok(match &spec.optimizer {
        OptSpec::Library(optimizer) => Trainer::new(model, optimizer, config)?,
        OptSpec::AdaGradTheta { lr } => {
            Trainer::with_optimizer(model, Box::new(AdaGradTheta::new(*lr)), config)?
        }
    })
}

/// Trains one run on `threads` threads (results do not depend on it); `on_step(step, total)`
/// after every step.
pub fn run(
    spec: &RunSpec,
    data: &Data,
    suite_seed: u64,
    threads: usize,
    on_step: &mut dyn FnMut(u64, u64),
) -> Result<RunResult> {
    let started = Instant::now();
    let layout = spec.model.layout();
    let mut train = data.split(layout, Part::Train, spec.train)?;
    let mut test = data.split(layout, Part::Test, spec.test)?;
    if spec.permute_pixels {
        train = permute_pixels(&train)?;
        test = permute_pixels(&test)?;
    }
    let mut run = trainer(spec, run_seed(suite_seed, &spec.id), threads)?;
    let weights_before = measure::weights(run.model_mut().as_ref());
    let eval_batch = run.config().eval_batch_size;

    let mut progress = StepCallback(on_step);
    let mut batch_accuracy = BatchTrainAccuracy::new(spec.train_accuracy, &train, eval_batch);
    let mut norms = GradientNorms::new(spec.eval_every * 10);
    let mut weight_norm = measure::WeightNorms::default();
    let mut hooks: Vec<&mut dyn Hook<f32>> =
        vec![&mut progress, &mut batch_accuracy, &mut weight_norm];
    if layout == Layout::Rows {
        hooks.push(&mut norms);
    }
    let history = run.fit(&train, &test, &mut hooks)?;
    drop(hooks);
    let measured = batch_accuracy.into_measured()?;

    let curve = history
        .evals
        .iter()
        .map(|e| Point {
            iteration: e.step,
            train: measured
                .iter()
                .find(|(step, _)| *step == e.step)
                .map(|&(_, a)| a)
                .or(e.train_accuracy)
                .unwrap_or(0.0),
            test: e.test_accuracy,
            loss: e.train_loss,
        })
        .collect();
    // A diverged run is a result of the experiment (a too-large learning rate), not a
    // failure of the suite: its curve so far is kept and the divergence reported.
    let diverged = match history.ended {
        Ended::Diverged { step, loss, lr } => {
            Some(format!("loss {loss} at iteration {step} (lr {lr})"))
        }
        _ => None,
    };
    let model = run.model_mut().as_mut();
    let first_filters = match layout {
        Layout::Images => first_filters(model),
        Layout::Rows => None,
    };
    let weights = measure::layer_weights(&weights_before, &measure::weights(model));
    let (mut zero_activations, mut ensemble, mut weight_histogram) = (vec![], vec![], None);
    if layout == Layout::Rows && diverged.is_none() {
        zero_activations = measure::zero_activations(model, &test, 1000)?;
        if spec.group == Group::Of {
            weight_histogram = Some(measure::weight_histogram(model, 4.0));
        }
        if matches!(&spec.model, ModelSpec::Net(Architecture::Mlp(c)) if c.dropout.is_some()) {
            ensemble = measure::dropout_ensemble(model, &test, 2000, &[1, 5, 20, 100])?;
        }
    }
    Ok(RunResult {
        id: spec.id.clone(),
        curve,
        gradient_norms: norms.rows,
        first_filters,
        seconds: started.elapsed().as_secs_f64(),
        diverged,
        weights,
        weight_norm: weight_norm.rows,
        weight_histogram,
        zero_activations,
        ensemble,
    })
}

/// The seed of the one fixed pixel permutation of the permuted-MNIST runs: the same for
/// every run and every suite seed, as the experiment asks.
const PERMUTATION_SEED: u64 = 0x5eed_0f9e;

/// `split` with the pixels of every image shuffled by one fixed permutation: the same
/// information for a network that ignores where pixels are, noise for one that does not.
pub fn permute_pixels(split: &Split<f32>) -> Result<Split<f32>> {
    use rand::seq::SliceRandom;
    let x = split.to_array();
    let shape = x.shape().to_vec();
    let pixels: usize = shape[1..].iter().product();
    let mut order: Vec<usize> = (0..pixels).collect();
    order.shuffle(&mut StdRng::seed_from_u64(PERMUTATION_SEED));
    let rows = x
        .to_shape((shape[0], pixels))
        .map_err(|e| ExperimentError::Setup(format!("permuting pixels: {e}")))?;
    let permuted = rows.select(ndarray::Axis(1), &order);
    let x = permuted
        .to_shape(shape)
        .map_err(|e| ExperimentError::Setup(format!("permuting pixels: {e}")))?
        .into_owned();
    Ok(Split::new(x, split.labels().to_vec())?)
}

/// Reports every step to a plain callback.
struct StepCallback<'a>(&'a mut dyn FnMut(u64, u64));

impl Hook<f32> for StepCallback<'_> {
    fn after_update(
        &mut self,
        view: &StepView<'_, f32>,
        _model: &mut dyn Classifier<f32>,
    ) -> nabla_nn::Flow {
        (self.0)(view.step, view.total);
        nabla_nn::Flow::Continue
    }
}

/// The first convolution's filters, one row of `kh·kw` values per filter (first channel).
pub fn first_filters(model: &mut dyn Classifier<f32>) -> Option<Vec<Vec<f32>>> {
    let mut out = None;
    model.visit_params(&mut |name, p| {
        if out.is_none() && name.ends_with("weight") && p.value.ndim() == 4 {
            let s = p.value.shape().to_vec();
            out = Some(
                (0..s[0])
                    .map(|f| {
                        p.value
                            .index_axis(ndarray::Axis(0), f)
                            .index_axis(ndarray::Axis(0), 0)
                            .iter()
                            .copied()
                            .collect()
                    })
                    .collect(),
            );
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permuting_pixels_keeps_each_image_s_values_and_labels() {
        let x =
            ndarray::Array::from_shape_fn((3, 1, 2, 2), |(n, _, i, j)| (10 * n + 2 * i + j) as f32);
        let split = Split::new(x.into_dyn(), vec![0, 1, 2]).unwrap();
        let p = permute_pixels(&split).unwrap();
        assert_eq!(p.labels(), split.labels());
        assert_eq!(p.shape(), split.shape());
        let (a, b) = (split.to_array(), p.to_array());
        for n in 0..3 {
            let mut before: Vec<f32> = a.index_axis(ndarray::Axis(0), n).iter().copied().collect();
            let mut after: Vec<f32> = b.index_axis(ndarray::Axis(0), n).iter().copied().collect();
            assert_ne!(before, after, "some pixel moved");
            before.sort_by(f32::total_cmp);
            after.sort_by(f32::total_cmp);
            assert_eq!(before, after);
        }
        // The same permutation for every image and every call.
        assert_eq!(permute_pixels(&split).unwrap().to_array(), b);
    }

    #[test]
    fn run_seeds_differ_by_id_and_suite_seed() {
        assert_ne!(run_seed(0, "VG-1"), run_seed(0, "VG-2"));
        assert_ne!(run_seed(0, "VG-1"), run_seed(1, "VG-1"));
        assert_eq!(run_seed(7, "CNN-3"), run_seed(7, "CNN-3"));
    }
}
