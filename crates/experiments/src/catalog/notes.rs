//! Runs that no notebook made, for the statements in the body of the notes: a tanh network
//! and a symmetric start beside the VG runs, BatchNorm in the VG network, a learning-rate
//! sweep per optimizer, penalty sweeps, and the convolution's dependence on pixel order and
//! padding.

use nabla_nn::{Activation, Architecture, MlpConfig, Pooling, SimpleConvConfig, WeightInit};

use super::{RELU, SIGMOID, STD, adagrad, adam, cnn, momentum, of_run, rmsprop, sgd, vg};
use crate::spec::{Group, ModelSpec, RunSpec, Subset};

/// The learning rates of the sweep: 1e-4 to 1 in half decades.
pub const SWEEP_RATES: [f64; 9] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0];

/// The optimizers of the sweep, by the name their run ids carry.
pub const SWEEP_OPTIMIZERS: [&str; 5] = ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"];

/// The L2 and L1 strengths of the penalty sweeps.
pub const L2_SWEEP: [f64; 4] = [0.01, 0.1, 1.0, 10.0];
/// See [`L2_SWEEP`].
pub const L1_SWEEP: [f64; 3] = [0.001, 0.003, 0.01];

/// The id of the sweep run of `optimizer` at rate index `k`.
pub fn sweep_id(optimizer: &str, k: usize) -> String {
    format!("OPT-LR-{optimizer}-{k}")
}

/// The id of a penalty-sweep run.
pub fn penalty_id(kind: &str, lambda: f64) -> String {
    format!("OF-{kind}-{lambda}")
}

fn with_batchnorm(mut run: RunSpec) -> RunSpec {
    if let ModelSpec::Net(Architecture::Mlp(c)) = &mut run.model {
        c.batchnorm = true;
    }
    // The correct sigmoid derivative: the comparison is about BatchNorm, not the quirk.
    run.sigmoid_grad_on_output = false;
    run
}

pub(super) fn runs() -> Vec<RunSpec> {
    let mut runs = vec![
        vg("VG-7", "tanh, Xavier", Activation::Tanh, WeightInit::Xavier),
        vg(
            "VG-SAME",
            "ReLU, every weight 0.01 (a symmetric start)",
            RELU,
            WeightInit::Constant(0.01),
        ),
        with_batchnorm(vg(
            "VG-1-BN",
            "sigmoid, N(0, 0.01²), BatchNorm before the activation",
            SIGMOID,
            STD,
        )),
        with_batchnorm(vg(
            "VG-4-BN",
            "ReLU, He, BatchNorm before the activation",
            RELU,
            WeightInit::He,
        )),
    ];
    for (id, name, activation, init) in [
        ("VG-1-BNA", "sigmoid, N(0, 0.01²)", SIGMOID, STD),
        ("VG-4-BNA", "ReLU, He", RELU, WeightInit::He),
    ] {
        let mut run = with_batchnorm(vg(
            id,
            &format!("{name}, BatchNorm after the activation"),
            activation,
            init,
        ));
        run.batchnorm_after_activation = true;
        runs.push(run);
    }

    for name in SWEEP_OPTIMIZERS {
        for (k, &lr) in SWEEP_RATES.iter().enumerate() {
            let optimizer = match name {
                "SGD" => sgd(lr),
                "Momentum" => momentum(lr),
                "AdaGrad" => adagrad(lr),
                "RMSProp" => rmsprop(lr),
                _ => adam(lr),
            };
            let mut c = MlpConfig::new(784, vec![40, 20], 10);
            c.init = WeightInit::He;
            let model = ModelSpec::Net(Architecture::Mlp(c));
            let mut run = RunSpec::new(
                &sweep_id(name, k),
                Group::Opt,
                &format!("784-40-20-10 ReLU/He, {name} lr {lr}, 500 iterations"),
                model,
                500,
            )
            .opt(optimizer)
            .data(Subset::All, Subset::First(2000));
            run.eval_every = 50;
            run.train_eval_samples = Some(1000);
            runs.push(run);
        }
    }

    let penalty = |kind: &str, lambda: f64| {
        let mut run = of_run(
            &penalty_id(kind, lambda),
            &format!("{kind} λ {lambda}, every weight (library penalty), SGD 0.01"),
            sgd(0.01),
            None,
        );
        if kind == "L1" {
            run.l1 = lambda;
        } else {
            run.l2 = lambda;
        }
        run.eval_every = 50;
        run
    };
    runs.extend(L2_SWEEP.iter().map(|&l| penalty("L2", l)));
    runs.extend(L1_SWEEP.iter().map(|&l| penalty("L1", l)));

    // Pixel order and padding: 300 iterations each, beside X-POOL-MAX (SimpleConvNet, He,
    // max pooling, the same data and budget).
    let short = |id: &str, title: &str, model: ModelSpec, permute: bool| {
        let mut run = cnn(id, title, model, 300);
        run.eval_every = 50;
        run.permute_pixels = permute;
        run.one_hot_targets = false;
        run
    };
    let conv = |padding: usize| {
        let mut c = SimpleConvConfig::default();
        c.init = WeightInit::He;
        c.pooling = Pooling::Max;
        c.padding = padding;
        ModelSpec::Net(Architecture::SimpleConv(c))
    };
    let mlp = || {
        let mut c = MlpConfig::new(784, vec![100, 100], 10);
        c.init = WeightInit::He;
        ModelSpec::Net(Architecture::Mlp(c))
    };
    runs.extend([
        short(
            "CNN-PERM",
            "SimpleConvNet on permuted pixels",
            conv(0),
            true,
        ),
        short("CNN-PAD", "SimpleConvNet with padding 2", conv(2), false),
        short(
            "CNN-MLP",
            "MLP 784-100-100-10 on the CNN data",
            mlp(),
            false,
        ),
        short(
            "CNN-MLP-PERM",
            "MLP 784-100-100-10 on permuted pixels",
            mlp(),
            true,
        ),
    ]);
    runs
}
