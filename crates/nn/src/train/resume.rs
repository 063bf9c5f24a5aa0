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
        };
        checkpoint::save(path, self.model(), Some(state))
    }

    /// Continues the run saved at `path`: copies its parameters into this run's model
    /// (names and shapes must match), puts its dropout layers' random streams where they
    /// stood, and restores the optimizer's state, the step count and the seed. The optimizer must be the one the checkpoint was trained with.
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
    /// The run saved at `path` by [`Trainer::save`], rebuilt from the checkpoint alone
    /// (architecture, parameters, optimizer and its state, step and seed) and continued
    /// with `config` (a longer budget, say; its seed is replaced by the saved one).
    pub fn from_checkpoint(path: impl AsRef<Path>, config: TrainConfig) -> Result<Self> {
        let path = path.as_ref();
        let (net, state) = checkpoint::load::<F>(path)?;
        let state = state.ok_or_else(|| no_training_state(path))?;
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
