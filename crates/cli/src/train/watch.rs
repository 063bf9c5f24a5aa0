//! Everything that watches a `nabla train` run, as the flags ask: the progress bar, early
//! stopping, the best weights, metric logs, the live page.

use std::time::Instant;

use anyhow::{Result, bail};
use nabla_live::{LiveHook, LiveServer};
use nabla_nn::{
    EarlyStopping, History, Hook, KeepBest, MetricLog, Network, Split, TensorBoardLog, Trainer,
};

use super::Args;
use crate::progress::ProgressBarHook;

/// The hooks of one run.
pub struct Watchers<'a> {
    progress: ProgressBarHook,
    early_stop: Option<EarlyStopping>,
    keep_best: Option<KeepBest>,
    log: Option<MetricLog>,
    tensorboard: Option<TensorBoardLog>,
    live: Option<LiveHook<'a>>,
    /// What evaluations are measured on: `test`, or `val` with `--val`.
    split: &'static str,
}

impl<'a> Watchers<'a> {
    /// The hooks `args` ask for, for a run from step `start` to `total` evaluated on
    /// `eval_set`, publishing to `live` if given.
    pub fn new(
        args: &Args,
        start: u64,
        total: u64,
        started: Instant,
        eval_set: &'a Split<f32>,
        live: Option<&LiveServer>,
    ) -> Result<Self> {
        let split = if args.val.is_some() { "val" } else { "test" };
        Ok(Watchers {
            progress: ProgressBarHook::new(start, total, started, split),
            early_stop: args.early_stop.map(|n| EarlyStopping::new(n as usize)),
            keep_best: args.keep_best.then(KeepBest::new),
            log: args
                .log
                .as_ref()
                .map(|p| MetricLog::for_split(p, split))
                .transpose()?,
            tensorboard: args
                .tensorboard
                .as_ref()
                .map(|d| TensorBoardLog::for_split(d, split))
                .transpose()?,
            live: live.map(|server| LiveHook::new(server, eval_set, total)),
            split,
        })
    }

    /// The hooks, for [`Trainer::fit`].
    pub fn hooks(&mut self) -> Vec<&mut dyn Hook<f32>> {
        let mut hooks: Vec<&mut dyn Hook<f32>> = vec![&mut self.progress];
        if let Some(h) = &mut self.early_stop {
            hooks.push(h);
        }
        if let Some(h) = &mut self.keep_best {
            hooks.push(h);
        }
        if let Some(h) = &mut self.log {
            hooks.push(h);
        }
        if let Some(h) = &mut self.tensorboard {
            hooks.push(h);
        }
        if let Some(h) = &mut self.live {
            hooks.push(h);
        }
        hooks
    }

    /// After the run: reports why it stopped, puts the best weights back, and fails on a log
    /// that could not be written. Returns whether the model now holds other weights than the
    /// run's last ones.
    pub fn finish(
        &mut self,
        run: &mut Trainer<f32, Network<f32>>,
        history: Option<&History>,
    ) -> Result<bool> {
        self.progress.finish();
        let failed = [
            self.log
                .as_ref()
                .and_then(|l| l.error().map(|e| (l.path(), e))),
            self.tensorboard
                .as_ref()
                .and_then(|l| l.error().map(|e| (l.path(), e))),
        ];
        if let Some((path, e)) = failed.into_iter().flatten().next() {
            bail!("cannot write {}: {e}", path.display());
        }
        let Some(history) = history else {
            return Ok(false);
        };
        let split = self.split;
        if let Some(stop) = &self.early_stop
            && let (Some(at), Some((best_step, best))) = (stop.stopped_at(), stop.best())
        {
            println!(
                "stopped early after step {at}: no better {split} accuracy than {:.2}% (step {best_step}) in {} evaluations",
                100.0 * best,
                history.evals.iter().filter(|e| e.step > best_step).count()
            );
        }
        let Some(keep) = &self.keep_best else {
            return Ok(false);
        };
        let Some((step, accuracy)) = keep.best() else {
            return Ok(false);
        };
        keep.restore(run.model_mut())?;
        let epoch = history
            .evals
            .iter()
            .find(|e| e.step == step)
            .map_or(0.0, |e| e.epoch);
        println!(
            "kept the best weights: {split} accuracy {:.2}% at step {step} (epoch {epoch:.2}), chosen on the {split} split",
            100.0 * accuracy
        );
        Ok(step != run.step())
    }
}
