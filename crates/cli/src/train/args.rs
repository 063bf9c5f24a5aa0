//! `nabla train`'s flags, and what they build: the model, the optimizer, the plan.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use nabla_nn::{
    Activation, Architecture, DeepConvConfig, MlpConfig, SimpleConvConfig, TrainConfig, TrainEval,
    WeightInit,
};
use nabla_optim::{OptimizerConfig, Regularizer, Schedule};

/// Which network to build.
#[derive(Clone, Copy, ValueEnum)]
pub enum ModelName {
    /// Fully connected layers (the classic MultiLayerNet)
    Mlp,
    /// conv 30x5x5 → ReLU → pool → affine 100 → ReLU → affine 10
    SimpleConv,
    /// Six 3x3 convolutions, three poolings, dropout (about 99.3% after 20 epochs)
    DeepConv,
}

/// The optimizers by name.
#[derive(Clone, Copy, ValueEnum)]
pub enum OptimizerName {
    Sgd,
    Momentum,
    Nesterov,
    Adagrad,
    Rmsprop,
    Adam,
    Adamw,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ActivationName {
    Relu,
    Sigmoid,
    Tanh,
}

/// The flags that choose and shape the network (shared by `train` and `lr-find`).
#[derive(clap::Args)]
pub struct ModelArgs {
    /// The network [default: mlp]
    #[arg(long, value_enum)]
    pub model: Option<ModelName>,
    /// Hidden layer sizes of the MLP, comma-separated [default: 100,100]
    #[arg(long, value_delimiter = ',')]
    pub hidden: Option<Vec<usize>>,
    /// Hidden activation of the MLP [default: relu]
    #[arg(long, value_enum)]
    pub activation: Option<ActivationName>,
    /// Weight init: he, xavier (randn/√n_in, also called lecun), or a standard deviation such as 0.01 [default: he; simple-conv: 0.01]
    #[arg(long, value_parser = parse_init)]
    pub init: Option<WeightInit>,
    /// Dropout probability after hidden activations (MLP) or of DeepConvNet's dropout layers
    #[arg(long)]
    pub dropout: Option<f64>,
    /// BatchNorm after each hidden affine layer (MLP)
    #[arg(long)]
    pub batchnorm: bool,
}

/// Arguments of `train`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub net: ModelArgs,
    /// Optimizer [default: adam]
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerName>,
    /// Learning rate [default: 0.001 for adam/adamw, 0.01 for the others]
    #[arg(long)]
    pub lr: Option<f64>,
    /// Epochs (shuffled passes over the training set) [default: 1 unless --iters]
    #[arg(long, conflicts_with = "iters")]
    pub epochs: Option<u64>,
    /// Iterations of mini-batches drawn with replacement, instead of epochs
    #[arg(long)]
    pub iters: Option<u64>,
    /// Samples per mini-batch
    #[arg(long, default_value_t = 100)]
    pub batch_size: usize,
    /// Learning-rate schedule: constant, cosine (to 0 over the run), step:EVERY:GAMMA, exp:GAMMA
    #[arg(long, default_value = "constant", value_parser = parse_schedule)]
    pub lr_schedule: ScheduleArg,
    /// L2 weight decay λ (½·λ·ΣW² added to the loss)
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f64,
    /// L1 strength λ (λ·Σ|W| added to the loss)
    #[arg(long, default_value_t = 0.0)]
    l1: f64,
    /// Seed of weights and batch order
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Train on the first N training images only
    #[arg(long, value_name = "N")]
    pub train_samples: Option<usize>,
    /// Measure training accuracy on N fixed random training images (0: all of them)
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub eval_train_samples: usize,
    /// Evaluate every N steps [default: every epoch, or at the end with --iters]
    #[arg(long, value_name = "N")]
    pub eval_every: Option<u64>,
    /// MNIST directory [default: $NABLA_DATA, else ./datasets/mnist]
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Save the trained model (with optimizer state, for --resume) to FILE
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Continue training from a checkpoint saved with --save (model and optimizer come from it;
    /// --model, --optimizer or --lr that disagree with it are refused)
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// Hold out the last N training images as a validation split: evaluations, --early-stop
    /// and --keep-best then judge on it, and the test set is measured once, at the end
    #[arg(long, value_name = "N")]
    pub val: Option<usize>,
    /// Stop after N evaluations in a row without a better test (or --val) accuracy
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub early_stop: Option<u64>,
    /// Keep the weights of the best evaluation and put them back when the run ends
    #[arg(long)]
    pub keep_best: bool,
    /// Append one line per evaluation (step, epoch, loss, accuracies, learning rate, seconds)
    /// to FILE: CSV for .csv, JSON Lines for .jsonl
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Write TensorBoard event files (loss, accuracies, learning rate) into DIR
    #[arg(long, value_name = "DIR")]
    pub tensorboard: Option<PathBuf>,
    /// Serve a live page of the run on 127.0.0.1 (a free port, or PORT) and keep serving it
    /// after the run until Ctrl-C
    #[arg(long, value_name = "PORT", num_args = 0..=1, default_missing_value = "0")]
    pub live: Option<u16>,
}

/// A schedule as given on the command line; cosine needs the run length, known later.
#[derive(Clone)]
pub enum ScheduleArg {
    Fixed(Schedule),
    Cosine,
}

fn parse_schedule(s: &str) -> std::result::Result<ScheduleArg, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let num = |v: &str| {
        v.parse::<f64>()
            .map_err(|_| format!("`{v}` is not a number in `{s}`"))
    };
    let schedule = match parts.as_slice() {
        ["constant"] => Schedule::Constant,
        ["cosine"] => return Ok(ScheduleArg::Cosine),
        ["step", every, gamma] => Schedule::Step {
            every: every
                .parse()
                .map_err(|_| format!("`{every}` is not a step count"))?,
            gamma: num(gamma)?,
        },
        ["exp", gamma] => Schedule::Exponential { gamma: num(gamma)? },
        _ => {
            return Err(format!(
                "`{s}` is not constant, cosine, step:EVERY:GAMMA or exp:GAMMA"
            ));
        }
    };
    schedule.validate().map_err(|e| e.to_string())?;
    Ok(ScheduleArg::Fixed(schedule))
}

fn parse_init(s: &str) -> std::result::Result<WeightInit, String> {
    match s.to_ascii_lowercase().as_str() {
        "he" | "relu" => Ok(WeightInit::He),
        // The notes' "Xavier" (randn / √n_in) is what most libraries call LeCun normal.
        "xavier" | "sigmoid" | "lecun" => Ok(WeightInit::Xavier),
        other => match other.parse::<f64>() {
            Ok(std) if std > 0.0 && std.is_finite() => Ok(WeightInit::Std(std)),
            _ => Err(format!(
                "`{s}` is not he, xavier or a positive standard deviation"
            )),
        },
    }
}

/// The network the flags describe. A flag the chosen model has no use for is refused by
/// name rather than dropped: `--batchnorm` on SimpleConvNet would otherwise train the plain
/// network while the command line says otherwise.
pub fn architecture(args: &ModelArgs) -> Result<Architecture> {
    let model = args.model.unwrap_or(ModelName::Mlp);
    let (name, fixed): (&str, &[&str]) = match model {
        ModelName::Mlp => ("mlp", &[]),
        ModelName::SimpleConv => (
            "simple-conv",
            &["--hidden", "--activation", "--batchnorm", "--dropout"],
        ),
        ModelName::DeepConv => (
            "deep-conv",
            &["--hidden", "--activation", "--batchnorm", "--init"],
        ),
    };
    let given = [
        (args.hidden.is_some(), "--hidden"),
        (args.activation.is_some(), "--activation"),
        (args.batchnorm, "--batchnorm"),
        (args.init.is_some(), "--init"),
        (args.dropout.is_some(), "--dropout"),
    ];
    let unused: Vec<&str> = given
        .into_iter()
        .filter(|&(set, flag)| set && fixed.contains(&flag))
        .map(|(_, flag)| flag)
        .collect();
    if !unused.is_empty() {
        bail!(
            "{} {} not apply to --model {name}: its layers are fixed (--hidden, --activation and --batchnorm shape the MLP, --init the MLP and SimpleConvNet, --dropout the MLP and DeepConvNet)",
            unused.join(", "),
            if unused.len() == 1 { "does" } else { "do" }
        );
    }
    Ok(match model {
        ModelName::Mlp => {
            let hidden = args.hidden.clone().unwrap_or_else(|| vec![100, 100]);
            let mut c = MlpConfig::new(784, hidden, 10);
            c.activation = match args.activation.unwrap_or(ActivationName::Relu) {
                ActivationName::Relu => Activation::Relu,
                ActivationName::Sigmoid => Activation::Sigmoid,
                ActivationName::Tanh => Activation::Tanh,
            };
            c.init = args.init.unwrap_or(WeightInit::He);
            c.batchnorm = args.batchnorm;
            c.dropout = args.dropout;
            Architecture::Mlp(c)
        }
        ModelName::SimpleConv => {
            let mut config = SimpleConvConfig::default();
            config.init = args.init.unwrap_or(WeightInit::Std(0.01));
            Architecture::SimpleConv(config)
        }
        ModelName::DeepConv => {
            let mut config = DeepConvConfig::default();
            config.dropout = args.dropout.unwrap_or(0.5);
            Architecture::DeepConv(config)
        }
    })
}

fn optimizer_name(name: OptimizerName) -> &'static str {
    match name {
        OptimizerName::Sgd => "sgd",
        OptimizerName::Momentum => "momentum",
        OptimizerName::Nesterov => "nesterov",
        OptimizerName::Adagrad => "adagrad",
        OptimizerName::Rmsprop => "rmsprop",
        OptimizerName::Adam => "adam",
        OptimizerName::Adamw => "adamw",
    }
}

/// The optimizer called `name` [default: adam] at rate `lr` [default: its usual one].
pub fn optimizer(name: Option<OptimizerName>, lr: Option<f64>) -> Result<OptimizerConfig> {
    let chosen = name.unwrap_or(OptimizerName::Adam);
    let name = optimizer_name(chosen);
    let default_lr = if matches!(chosen, OptimizerName::Adam | OptimizerName::Adamw) {
        0.001
    } else {
        0.01
    };
    OptimizerConfig::default_for(name, lr.unwrap_or(default_lr)).context("unknown optimizer")
}

/// Refuses `--save` into a folder that does not exist or cannot be written, before any work.
pub(super) fn check_writable(path: &std::path::Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        bail!(
            "cannot save to {}: the folder {} does not exist (create it first)",
            path.display(),
            dir.display()
        );
    }
    let probe = dir.join(format!(".nabla-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").with_context(|| {
        format!(
            "cannot save to {}: {} is not writable",
            path.display(),
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// With `--resume`, the checkpoint decides the model and the optimizer: flags that say
/// otherwise are a mistake to report, not to ignore.
pub(super) fn check_resume_flags(
    args: &Args,
    arch: &Architecture,
    optimizer: &OptimizerConfig,
) -> Result<()> {
    let net = &args.net;
    let model = net.model.map(|m| match m {
        ModelName::Mlp => "mlp",
        ModelName::SimpleConv => "simple-conv",
        ModelName::DeepConv => "deep-conv",
    });
    let mut conflicts = Vec::new();
    if let Some(m) = model.filter(|&m| m != arch.name()) {
        conflicts.push(format!("--model {m} (the checkpoint is a {})", arch.name()));
    }
    if let Some(o) = args
        .optimizer
        .map(optimizer_name)
        .filter(|&o| o != optimizer.name())
    {
        conflicts.push(format!(
            "--optimizer {o} (the checkpoint trains with {})",
            optimizer.name()
        ));
    }
    if let Some(lr) = args.lr.filter(|&lr| lr != optimizer.lr()) {
        conflicts.push(format!(
            "--lr {lr} (the checkpoint's is {})",
            optimizer.lr()
        ));
    }
    for (given, flag) in [
        (net.hidden.is_some(), "--hidden"),
        (net.activation.is_some(), "--activation"),
        (net.init.is_some(), "--init"),
        (net.batchnorm, "--batchnorm"),
        (net.dropout.is_some(), "--dropout"),
    ] {
        if given {
            conflicts.push(format!(
                "{flag} (the architecture comes from the checkpoint)"
            ));
        }
    }
    if !conflicts.is_empty() {
        bail!(
            "--resume continues the checkpoint's run as it was; these flags disagree with it: {}. Drop them, or start a new run without --resume",
            conflicts.join(", ")
        );
    }
    Ok(())
}

/// The run's plan from the flags, for a training set of `n` samples, batches seeded by `seed`.
pub(super) fn plan(args: &Args, n: usize, seed: u64) -> Result<TrainConfig> {
    let mut config = match (args.epochs, args.iters) {
        (_, Some(iters)) => TrainConfig::iterations(iters, args.batch_size),
        (epochs, None) => TrainConfig::epochs(epochs.unwrap_or(1), args.batch_size),
    };
    config.regularizer = Regularizer::new(args.l1, args.weight_decay)?;
    config.schedule = match &args.lr_schedule {
        ScheduleArg::Fixed(s) => s.clone(),
        ScheduleArg::Cosine => Schedule::Cosine {
            total: config.total_steps(n),
            min_factor: 0.0,
        },
    };
    config.eval_every = args.eval_every;
    config.eval_train = match args.eval_train_samples {
        0 => TrainEval::All,
        k => TrainEval::Sample(k),
    };
    config.seed = seed;
    Ok(config)
}
