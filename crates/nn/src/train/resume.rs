//! Saving a run and picking it up again.

use std::path::Path;

use nabla_datasets::Pixel;
use nabla_layers::Float;

use super::{TrainConfig, Trainer};
use crate::checkpoint::{self, TrainingState};
use crate::{Classifier, Network, NnError, Result};

impl<F: Float + Pixel, M: Classifier<F>> Trainer<F, M> {
    /// Writes the model's parameters and the run's training state (optimizer state, step,
    /// seed) to `path`, atomically. A run whose optimizer was not built from an
    /// [`OptimizerConfig`](nabla_optim::OptimizerConfig) cannot be saved: a checkpoint could
    /// not rebuild it.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let optimizer = self.optimizer_config.clone().ok_or_else(|| NnError::Checkpoint {
            path: path.to_path_buf(),
            problem: format!(
                "cannot save the training state: the run's {} optimizer was not built from an OptimizerConfig",
                self.optimizer().kind()
            ),
        })?;
        let state = TrainingState {
            optimizer,
            state: self.optimizer().state(),
            step: self.step,
            seed: self.config().seed,
            plan: Some(self.config().clone()),
        };
        checkpoint::save(path, self.model(), Some(state))
    }

    /// Continues the run saved at `path`: copies its parameters into this run's model
    /// (names and shapes must match), puts its dropout layers' random streams where they
    /// stood, and restores the optimizer's state, the step count and the seed. The optimizer
    /// must be the one the checkpoint was trained with; the plan stays this run's.
    pub fn resume(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let saved = checkpoint::read::<F>(path)?;
        let state = saved.training.ok_or_else(|| no_training_state(path))?;
        match &self.optimizer_config {
            Some(ours) if *ours != state.optimizer => {
                return Err(NnError::Checkpoint {
                    path: path.to_path_buf(),
                    problem: format!("trained with {}, this run has {ours}", state.optimizer),
                });
            }
            _ => {}
        }
        checkpoint::restore_into(self.model_mut(), &saved.params, path)?;
        checkpoint::restore_streams(self.model_mut(), &saved.random_streams, path)?;
        self.apply(state)
    }

    /// Takes over a saved training state (the optimizer's buffers, step and seed).
    fn apply(&mut self, state: TrainingState<F>) -> Result<()> {
        self.optimizer_mut().load_state(state.state)?;
        self.step = state.step;
        self.config_mut().seed = state.seed;
        Ok(())
    }
}

impl<F: Float + Pixel> Trainer<F, Network<F>> {
    /// The run saved at `path` by [`Trainer::save`], rebuilt from the checkpoint alone:
    /// architecture, parameters, random streams, optimizer and its state, step, seed and
    /// plan. Change the plan with [`Trainer::config_mut`] (a longer budget, say) before
    /// [`Trainer::fit`]. A file written before the plan was saved (format version 1 or 2)
    /// gives a plan of batch 100 that ends at the saved step: set one before fitting.
    ///
    /// ```
    /// use nabla_nn::{Architecture, Budget, MlpConfig, Network, Split, TrainConfig, Trainer};
    /// use nabla_optim::OptimizerConfig;
    /// # let x = ndarray::Array2::from_shape_fn((20, 4), |(i, j)| ((i * 7 + j) % 5) as f32 / 5.0);
    /// # let data = Split::new(x.into_dyn(), (0..20).map(|i| i % 2).collect())?;
    /// let path = std::env::temp_dir().join(format!("from-ckpt-{}.ckpt", std::process::id()));
    /// let net = Network::<f32>::new(&Architecture::Mlp(MlpConfig::new(4, vec![8], 2)), 1)?;
    /// let mut run = Trainer::new(net, &OptimizerConfig::adam(0.01), TrainConfig::iterations(5, 4))?;
    /// run.fit(&data, &data, &mut [])?;
    /// run.save(&path)?;
    ///
    /// let mut resumed = Trainer::<f32, Network<f32>>::from_checkpoint(&path)?;
    /// assert_eq!((resumed.step(), resumed.config().batch_size), (5, 4));
    /// resumed.config_mut().budget = Budget::Iterations(8);
    /// resumed.fit(&data, &data, &mut [])?;
    /// assert_eq!(resumed.step(), 8);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_checkpoint(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let (net, state) = checkpoint::load::<F>(path)?;
        let state = state.ok_or_else(|| no_training_state(path))?;
        let config = state
            .plan
            .clone()
            .unwrap_or_else(|| TrainConfig::iterations(state.step, 100));
        let mut run = Trainer::new(net, &state.optimizer, config)?;
        run.apply(state)?;
        Ok(run)
    }
}

fn no_training_state(path: &Path) -> NnError {
    NnError::Checkpoint {
        path: path.to_path_buf(),
        problem: "no training state to resume from (saved without one)".into(),
    }
}
