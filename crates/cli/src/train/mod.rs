//! `nabla train`.

pub mod args;
mod watch;

use std::time::Instant;

use anyhow::{Context, Result, bail};
use nabla_nn::{Budget, Ended, Network, Split, TrainConfig, Trainer};

use nabla_live::LiveServer;

use crate::data::load_mnist;
use watch::Watchers;

pub use args::Args;
use args::{architecture, check_resume_flags, check_writable, optimizer, plan};

pub fn run(args: &Args) -> Result<()> {
    if let Some(path) = &args.save {
        check_writable(path)?;
    }
    let mut run = match &args.resume {
        Some(path) => {
            let run = Trainer::<f32, Network<f32>>::from_checkpoint(path)?;
            let optimizer = run
                .optimizer_config()
                .context("a checkpoint's run always has an optimizer config")?;
            check_resume_flags(args, run.model().architecture(), optimizer)?;
            run
        }
        None => {
            let mut config = TrainConfig::epochs(0, 1);
            config.seed = args.seed;
            let net = Network::<f32>::new(&architecture(&args.net)?, args.seed)?;
            Trainer::new(net, &optimizer(args.optimizer, args.lr)?, config)?
        }
    };
    let arch = run.model().architecture().clone();
    let layout = arch.layout();
    let mnist = load_mnist(args.data.as_deref())?;
    let mut train_set = Split::<f32>::mnist(&mnist.train, layout);
    if let Some(n) = args.train_samples {
        train_set = train_set.first(n);
    }
    let test_set = Split::<f32>::mnist(&mnist.test, layout);
    drop(mnist);
    // With --val, the evaluations judge a split held out of the training images, so that
    // choosing the best epoch never looks at the test set.
    let (train_set, val_set) = match args.val {
        Some(k) if k == 0 || k >= train_set.len() => bail!(
            "--val {k}: the validation split must leave training images (there are {})",
            train_set.len()
        ),
        Some(k) => {
            let (train, val) = train_set.split_at(train_set.len() - k);
            (train, Some(val))
        }
        None => (train_set, None),
    };
    let eval_set = val_set.as_ref().unwrap_or(&test_set);

    let config = plan(args, train_set.len(), run.config().seed)?;
    let start = run.step();
    let total = config.total_steps(train_set.len());
    if start >= total {
        bail!(
            "the checkpoint is at step {start}, the run has {total} steps: ask for more with --epochs or --iters"
        );
    }
    let budget = match config.budget {
        Budget::Epochs(e) => format!("{e} epochs"),
        Budget::Iterations(i) => format!("{i} iterations"),
    };
    *run.config_mut() = config;
    println!(
        "training {} ({} parameters) on {} images, {} steps of {} with {}",
        arch.name(),
        run.model().param_count(),
        train_set.len(),
        total - start,
        args.batch_size,
        run.optimizer_config()
            .context("the run's optimizer comes from a config")?
    );

    let live = match args.live {
        Some(port) => {
            let server = LiveServer::start(port)
                .with_context(|| format!("cannot serve the live page on 127.0.0.1:{port}"))?;
            println!("live page: {}", server.url());
            server.publish(&live_config(args, &run, train_set.len(), &budget));
            Some(server)
        }
        None => None,
    };
    let started = Instant::now();
    let mut watchers = Watchers::new(args, start, total, started, eval_set, live.as_ref())?;
    let history = run.fit(&train_set, eval_set, &mut watchers.hooks());
    let restored = watchers.finish(&mut run, history.as_ref().map_err(|_| ()).ok())?;
    let history = history?;
    history.diverged_as_error()?;
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(path) = &args.save {
        if restored {
            // The optimizer's state belongs to the last weights, not these: no resuming.
            nabla_nn::checkpoint::save(path, run.model(), None)?;
            println!(
                "saved the best weights to {} (without training state: --resume would not continue this run)",
                path.display()
            );
        } else {
            run.save(path)?;
            println!("saved {}", path.display());
        }
    }
    let budget = match history.ended {
        Ended::Stopped { step } => format!(
            "{step} steps (epoch {:.2}, stopped early)",
            step as f64 / (train_set.len().div_ceil(args.batch_size)) as f64
        ),
        _ => budget,
    };
    let acc = if args.val.is_some() || restored {
        run.evaluate(&test_set)?
    } else {
        history.final_test_accuracy().unwrap_or(f64::NAN)
    };
    println!(
        "test accuracy {:.2}% after {budget} in {elapsed:.1} s",
        100.0 * acc
    );
    if let Some(server) = live {
        let reason = match history.ended {
            Ended::Stopped { .. } => "stopped early",
            _ => "completed",
        };
        server.publish(&nabla_live::Event::End {
            reason: reason.to_string(),
            step: Some(run.step()),
            test_accuracy: Some(acc),
            seconds: elapsed,
        });
        println!("serving the live page at {} until Ctrl-C", server.url());
        loop {
            std::thread::park();
        }
    }
    Ok(())
}

/// The live page's description of the run.
fn live_config(
    args: &Args,
    run: &Trainer<f32, Network<f32>>,
    train_images: usize,
    budget: &str,
) -> nabla_live::Event {
    let arch = run.model().architecture();
    let optimizer = run
        .optimizer_config()
        .map_or_else(|| "a custom optimizer".to_string(), |o| o.to_string());
    let settings = [
        ("model", arch.name().to_string()),
        ("parameters", run.model().param_count().to_string()),
        ("optimizer", optimizer),
        ("schedule", run.config().schedule.to_string()),
        ("batch size", args.batch_size.to_string()),
        ("budget", budget.to_string()),
        ("training images", train_images.to_string()),
        ("seed", run.config().seed.to_string()),
        ("threads", nabla_tensor::parallel::threads().to_string()),
    ];
    nabla_live::Event::Config {
        title: format!("{} on MNIST", arch.name()),
        split: if args.val.is_some() { "val" } else { "test" },
        settings: settings.map(|(k, v)| (k.to_string(), v)).into(),
    }
}
