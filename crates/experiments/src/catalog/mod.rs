//! Every training run of the suite, with the settings and the printed numbers of the
//! original notebooks (final accuracies recorded there, and a fresh rerun of the original
//! code for the second sample). Ranges are the reproduction tolerances: the two original
//! samples widened by the run-to-run spread the original code shows.

use nabla_nn::{
    Activation, Architecture, DeepConvConfig, DoubleConvConfig, MlpConfig, Pooling,
    SimpleConvConfig, WeightInit,
};
use nabla_optim::OptimizerConfig;

use crate::spec::{Group, ModelSpec, OptSpec, RunSpec, Subset, TrainAccuracy};

pub mod ids;
pub mod notes;

const SIGMOID: Activation = Activation::Sigmoid;
const RELU: Activation = Activation::Relu;
const STD: WeightInit = WeightInit::Std(0.01);

fn sgd(lr: f64) -> OptSpec {
    OptSpec::Library(OptimizerConfig::sgd(lr))
}
fn momentum(lr: f64) -> OptSpec {
    OptSpec::Library(OptimizerConfig::momentum(lr))
}
fn rmsprop(lr: f64) -> OptSpec {
    OptSpec::Library(OptimizerConfig::rmsprop(lr))
}
fn adam(lr: f64) -> OptSpec {
    OptSpec::Library(OptimizerConfig::adam(lr))
}
fn adagrad(lr: f64) -> OptSpec {
    OptSpec::Library(OptimizerConfig::adagrad(lr))
}

/// A MultiLayerNet on 784 pixels with 10 classes, classic (non-inverted) dropout if any.
fn mlp_with(
    hidden: &[usize],
    activation: Activation,
    init: WeightInit,
    batchnorm: bool,
    dropout: Option<f64>,
    classic_dropout: bool,
) -> ModelSpec {
    let mut c = MlpConfig::new(784, hidden.to_vec(), 10);
    c.activation = activation;
    c.init = init;
    c.batchnorm = batchnorm;
    c.dropout = dropout;
    c.classic_dropout = classic_dropout;
    ModelSpec::Net(Architecture::Mlp(c))
}

fn mlp(hidden: &[usize], activation: Activation, init: WeightInit) -> ModelSpec {
    mlp_with(hidden, activation, init, false, None, true)
}

fn simple_conv(init: WeightInit, pooling: Pooling) -> ModelSpec {
    let mut c = SimpleConvConfig::default();
    c.init = init;
    c.pooling = pooling;
    ModelSpec::Net(Architecture::SimpleConv(c))
}

/// The vanishing-gradient notebook's hand-written 784-40-20-10 network: trained against
/// one-hot rows, its sigmoid derivative taken at the output (the quirk), train accuracy on
/// the batch before the update.
fn vg(id: &str, title: &str, activation: Activation, init: WeightInit) -> RunSpec {
    let mut run =
        RunSpec::new(id, Group::Vg, title, mlp(&[40, 20], activation, init), 2000).opt(sgd(0.1));
    run.sigmoid_grad_on_output = activation == SIGMOID;
    run.one_hot_targets = true;
    run.train_accuracy = TrainAccuracy::BatchBeforeUpdate;
    run
}

fn opt_run(id: &str, title: &str, model: ModelSpec, optimizer: OptSpec) -> RunSpec {
    let mut run = RunSpec::new(id, Group::Opt, title, model, 1000).opt(optimizer);
    run.train_accuracy = TrainAccuracy::BatchAfterUpdate;
    run
}

fn opt_base(id: &str, title: &str, optimizer: OptSpec) -> RunSpec {
    opt_run(id, title, mlp(&[40, 20], SIGMOID, STD), optimizer)
}

fn opt_bn(id: &str, title: &str, optimizer: OptSpec) -> RunSpec {
    let model = mlp_with(&[40, 20], SIGMOID, STD, true, None, true);
    let mut run = opt_run(id, title, model, optimizer);
    run.frozen_bn_affine = true;
    run
}

fn of_run(id: &str, title: &str, optimizer: OptSpec, dropout: Option<f64>) -> RunSpec {
    let model = mlp_with(&[100; 6], RELU, WeightInit::He, false, dropout, true);
    RunSpec::new(id, Group::Of, title, model, 1000)
        .opt(optimizer)
        .data(Subset::First(300), Subset::All)
}

/// A run of the hand-written L1/L2 loops: SGD, output layer frozen.
fn of_manual(id: &str, title: &str, lr: f64, l1: f64, l2: f64) -> RunSpec {
    let mut run = of_run(id, title, sgd(lr), None);
    run.l1 = l1;
    run.l2 = l2;
    run.frozen_output = true;
    run
}

/// A dropout run: dropout 0.15 and the L2 λ = 0.001 leaked from an earlier cell. With SGD
/// the three identical original runs ended at 71-74%; nabla's seeds 0-2 give 66-73%.
fn of_dropout(id: &str, title: &str, optimizer: OptSpec) -> RunSpec {
    let mut run = of_run(id, title, optimizer, Some(0.15));
    run.l2 = 0.001;
    run
}

fn cnn(id: &str, title: &str, model: ModelSpec, iterations: u64) -> RunSpec {
    let mut run = RunSpec::new(id, Group::Cnn, title, model, iterations)
        .opt(adam(0.001))
        .data(Subset::First(5000), Subset::First(1000));
    // The notebook's hand-written networks; DeepConvNet is the library's.
    run.one_hot_targets = !matches!(run.model, ModelSpec::Net(Architecture::DeepConv(_)));
    run
}

/// Stuck at one class: the test accuracy is one class's share of the test set (8.9-11.4%).
const STUCK: (f64, f64) = (0.085, 0.12);

/// Every training run of the full suite, in report order.
pub fn full() -> Vec<RunSpec> {
    let mut runs = vec![
        vg("VG-1", "sigmoid, N(0, 0.01²)", SIGMOID, STD)
            .recorded(0.10, 0.1010, Some(0.1135))
            .accept(STUCK.0, STUCK.1),
        vg("VG-2", "ReLU, N(0, 0.01²)", RELU, STD)
            .recorded(0.94, 0.9250, Some(0.9218))
            .accept(0.90, 0.945),
        vg("VG-3", "sigmoid, Xavier", SIGMOID, WeightInit::Xavier)
            .recorded(0.73, 0.7796, Some(0.8015))
            .accept(0.73, 0.85),
        vg("VG-4", "ReLU, He", RELU, WeightInit::He)
            .recorded(0.94, 0.9564, Some(0.9523))
            .accept(0.942, 0.966),
        vg("VG-5", "sigmoid, He", SIGMOID, WeightInit::He)
            .recorded(0.88, 0.8334, Some(0.8436))
            .accept(0.78, 0.89),
        vg("VG-6", "ReLU, Xavier", RELU, WeightInit::Xavier)
            .recorded(0.95, 0.9535, Some(0.9544))
            .accept(0.943, 0.965),
    ];
    // The sigmoid runs again with the correct derivative, to show what the quirk costs.
    for (id, of, init, name) in [
        ("VG-1c", "VG-1", STD, "N(0, 0.01²)"),
        ("VG-3c", "VG-3", WeightInit::Xavier, "Xavier"),
        ("VG-5c", "VG-5", WeightInit::He, "He"),
    ] {
        let mut run = vg(
            id,
            &format!("sigmoid, {name}, the correct derivative"),
            SIGMOID,
            init,
        )
        .variant_of(of);
        run.sigmoid_grad_on_output = false;
        runs.push(run);
    }

    let sets = [
        (
            "A",
            0.01,
            [
                (0.12, 0.1135, 0.1135),
                (0.16, 0.1135, 0.1135),
                (0.12, 0.1135, 0.1135),
                (0.99, 0.9413, 0.9489),
                (0.95, 0.9434, 0.9481),
            ],
        ),
        (
            "B",
            0.005,
            [
                (0.12, 0.1135, 0.1135),
                (0.09, 0.1135, 0.1135),
                (0.09, 0.1135, 0.1135),
                (0.99, 0.9430, 0.9398),
                (0.97, 0.9302, 0.9428),
            ],
        ),
        (
            "C",
            0.1,
            [
                (0.13, 0.1135, 0.0974),
                (0.64, 0.5948, 0.5039),
                (0.93, 0.8831, 0.9180),
                (0.14, 0.0892, 0.1135),
                (0.05, 0.1135, 0.5207),
            ],
        ),
    ];
    for (set, lr, numbers) in sets {
        let optimizers = [
            ("SGD", sgd(lr)),
            ("Momentum", momentum(lr)),
            ("AdaGrad (θ = 1e-4)", OptSpec::AdaGradTheta { lr }),
            ("RMSProp", rmsprop(lr)),
            ("Adam", adam(lr)),
        ];
        for (k, ((name, opt), (train, test, fresh))) in
            optimizers.into_iter().zip(numbers).enumerate()
        {
            let id = format!("OPT-{set}{}", k + 1);
            let run = opt_base(&id, &format!("{name}, lr {lr}, sigmoid, N(0, 0.01²)"), opt)
                .recorded(train, test, Some(fresh));
            let run = match (set, k) {
                // Momentum and Adam at lr 0.1 sit on an edge: the two original samples disagree.
                ("C", 1) | ("C", 4) => run.unstable(),
                ("C", 2) => run.accept(0.84, 0.95),
                // RMSProp at lr 0.1 ends far below its 94% at lr 0.01, but where depends on
                // the seed (10%, 20% and 54% with nabla's seeds 0, 1, 2; both original
                // samples near 10%): an edge, judged through the learning-rate claim.
                ("C", 3) => run.unstable(),
                ("A" | "B", 3) => run.accept(0.91, 0.96),
                ("A" | "B", 4) => run.accept(0.90, 0.96),
                _ => run.accept(STUCK.0, STUCK.1),
            };
            runs.push(run);
        }
    }
    // The notebook ran the SGD lr 0.1 cell twice (under an "Adam" heading the second time):
    // a second sample of the same setting, with its own seed here.
    runs.push(
        opt_base(
            "OPT-C1'",
            "SGD, lr 0.1, sigmoid, N(0, 0.01²) (the duplicate run)",
            sgd(0.1),
        )
        .recorded(0.09, 0.1135, None)
        .accept(STUCK.0, STUCK.1),
    );
    runs.push(
        opt_base(
            "OPT-A3c",
            "AdaGrad of the library (h₀ = 0, ε = 1e-7), lr 0.01",
            adagrad(0.01),
        )
        .variant_of("OPT-A3"),
    );
    runs.extend([
        opt_run(
            "OPT-D1",
            "SGD, ReLU, Xavier",
            mlp(&[40, 20], RELU, WeightInit::Xavier),
            sgd(0.01),
        )
        .recorded(0.86, 0.8623, Some(0.8675))
        .accept(0.83, 0.90),
        opt_run(
            "OPT-D2",
            "Momentum, ReLU, Xavier",
            mlp(&[40, 20], RELU, WeightInit::Xavier),
            momentum(0.01),
        )
        .recorded(0.98, 0.9255, Some(0.9296))
        .accept(0.90, 0.96),
        opt_run(
            "OPT-D3",
            "AdaGrad (θ), ReLU, N(0, 0.01²)",
            mlp(&[40, 20], RELU, STD),
            OptSpec::AdaGradTheta { lr: 0.01 },
        )
        .recorded(0.87, 0.8688, Some(0.8588))
        .accept(0.82, 0.92),
        opt_run(
            "OPT-D4",
            "RMSProp, ReLU, N(0, 0.01²)",
            mlp(&[40, 20], RELU, STD),
            rmsprop(0.01),
        )
        .recorded(0.92, 0.9077, Some(0.8997))
        .accept(0.86, 0.95),
        opt_run(
            "OPT-D5",
            "Adam, ReLU, He",
            mlp(&[40, 20], RELU, WeightInit::He),
            adam(0.01),
        )
        .recorded(0.95, 0.9563, Some(0.9507))
        .accept(0.93, 0.97),
    ]);
    let bn = [
        // SGD + BatchNorm rises slowly and ends where the seed puts it: 49-67% over nabla's
        // seeds 0-2, 62% and 67% in the original's two samples.
        ("SGD", sgd(0.01), (0.55, 0.6224, 0.6713), (0.45, 0.78)),
        (
            "Momentum",
            momentum(0.01),
            (0.84, 0.8993, 0.8900),
            (0.86, 0.93),
        ),
        (
            "AdaGrad (θ)",
            OptSpec::AdaGradTheta { lr: 0.01 },
            (0.95, 0.8705, 0.8845),
            (0.83, 0.92),
        ),
        (
            "RMSProp",
            rmsprop(0.01),
            (0.96, 0.9224, 0.9206),
            (0.89, 0.95),
        ),
        ("Adam", adam(0.01), (0.95, 0.9186, 0.9201), (0.89, 0.95)),
    ];
    for (k, (name, opt, (train, test, fresh), (lo, hi))) in bn.into_iter().enumerate() {
        runs.push(
            opt_bn(
                &format!("OPT-E{}", k + 1),
                &format!("{name} + BatchNorm (γ, β frozen)"),
                opt,
            )
            .recorded(train, test, Some(fresh))
            .accept(lo, hi),
        );
    }

    runs.extend([
        of_run("OF-0", "no regularization, SGD 0.01", sgd(0.01), None)
            .recorded(1.0, 0.7725, Some(0.7642))
            .accept(0.73, 0.81),
        of_manual(
            "OF-L2",
            "L2 λ 0.1 (hand-written loop, output frozen)",
            0.01,
            0.0,
            0.1,
        )
        .recorded(0.8833, 0.7157, Some(0.6971))
        .accept(0.66, 0.76),
        of_manual(
            "OF-L1",
            "L1 λ 0.005, SGD 0.1 (output frozen)",
            0.1,
            0.005,
            0.0,
        )
        .recorded(0.38, 0.3058, Some(0.6507))
        .unstable(),
        of_manual(
            "OF-T1a",
            "L1 λ 0.01, SGD 0.1 (under an \"L2\" heading)",
            0.1,
            0.01,
            0.0,
        )
        .recorded(0.8167, 0.6075, Some(0.5160))
        .unstable(),
        of_manual("OF-T1b", "L1 λ 0.01, SGD 0.1", 0.1, 0.01, 0.0)
            .recorded(0.69, 0.4807, Some(0.5348))
            .unstable(),
        of_manual(
            "OF-T2a",
            "L1 λ 0.001, SGD 0.1 (under an \"L2\" heading)",
            0.1,
            0.001,
            0.0,
        )
        .recorded(0.9967, 0.7572, Some(0.7478))
        .accept_tail(0.70, 0.80),
        of_manual("OF-T2b", "L1 λ 0.001, SGD 0.1", 0.1, 0.001, 0.0)
            .recorded(1.0, 0.7568, Some(0.7535))
            .accept_tail(0.70, 0.80),
        of_dropout("OF-D1", "dropout 0.15 (+ leaked L2 0.001), SGD", sgd(0.01))
            .recorded(0.9333, 0.7360, Some(0.721))
            .accept(0.64, 0.77),
        of_dropout(
            "OF-D2",
            "dropout 0.15 (+ leaked L2 0.001), SGD, second run",
            sgd(0.01),
        )
        .recorded(0.8867, 0.7208, Some(0.717))
        .accept(0.64, 0.77),
        of_dropout(
            "OF-D3",
            "dropout 0.15 (+ leaked L2 0.001), SGD, third run",
            sgd(0.01),
        )
        .recorded(0.9067, 0.7102, Some(0.726))
        .accept(0.64, 0.77),
        of_dropout(
            "OF-D4",
            "dropout 0.15 (+ leaked L2), Momentum",
            momentum(0.01),
        )
        .recorded(1.0, 0.8084, Some(0.7906))
        .accept(0.76, 0.84),
        of_dropout(
            "OF-D5",
            "dropout 0.15 (+ leaked L2), AdaGrad",
            adagrad(0.01),
        )
        .recorded(1.0, 0.8084, Some(0.8061))
        .accept(0.76, 0.84),
        of_dropout(
            "OF-D6",
            "dropout 0.15 (+ leaked L2), Adam 0.001",
            adam(0.001),
        )
        .recorded(1.0, 0.8047, Some(0.8085))
        .accept(0.76, 0.84),
    ]);
    let mut dl1 = of_manual(
        "OF-DL1",
        "dropout 0.2 + L1 λ 0.004, SGD (output frozen)",
        0.01,
        0.004,
        0.0,
    )
    .recorded(0.36, 0.3141, Some(0.2640))
    .accept(0.18, 0.45);
    dl1.model = mlp_with(&[100; 6], RELU, WeightInit::He, false, Some(0.2), true);
    runs.push(dl1);
    let mut l2c = of_manual(
        "OF-L2c",
        "L2 λ 0.1 (hand-written loop, output trained)",
        0.01,
        0.0,
        0.1,
    )
    .variant_of("OF-L2");
    l2c.frozen_output = false;
    runs.push(l2c);
    let mut d1c =
        of_dropout("OF-D1c", "dropout 0.15, SGD, no leaked L2", sgd(0.01)).variant_of("OF-D1");
    d1c.l2 = 0.0;
    runs.push(d1c);

    runs.extend([
        cnn(
            "CNN-3",
            "SimpleConvNet, Adam 0.001, 5,000/1,000 images",
            simple_conv(STD, Pooling::Max),
            1000,
        )
        .recorded(0.9944, 0.954, Some(0.958))
        .accept(0.94, 0.975),
        cnn(
            "REF-2_7",
            "DoubleConvNet, 100 iterations",
            ModelSpec::Net(Architecture::DoubleConv(DoubleConvConfig::default())),
            100,
        )
        .recorded(0.7902, 0.745, None)
        .accept(0.55, 0.88),
        cnn(
            "REF-2_7_after",
            "DoubleConvNet, conv-conv-pool variant, 100 iterations",
            ModelSpec::Net(Architecture::DoubleConv(DoubleConvConfig::conv_conv_pool())),
            100,
        )
        .recorded(0.8626, 0.821, None)
        .accept(0.65, 0.92),
        {
            // Evaluating 6,000 images through six convolutions every 10 iterations would cost
            // more than the training; every 50 keeps every point the notes quote.
            let mut deep = cnn(
                "REF-2_8",
                "DeepConvNet, 1,000 iterations",
                ModelSpec::Net(Architecture::DeepConv(DeepConvConfig::default())),
                1000,
            )
            .recorded(0.9962, 0.982, Some(0.973))
            .accept(0.96, 0.995);
            deep.eval_every = 50;
            // Its train accuracy on a fixed 1,000 of the 5,000 images: the other 4,000 would
            // add evaluation time, and the test accuracy is what is checked.
            deep.train_eval_samples = Some(1000);
            deep
        },
    ]);
    runs.extend(notes::runs());
    runs.extend(extras());
    runs
}

/// Training runs beyond the notebooks.
fn extras() -> Vec<RunSpec> {
    let mut bn_trained =
        opt_bn("X-BN-SGD", "SGD + BatchNorm with γ, β trained", sgd(0.01)).variant_of("OPT-E1");
    bn_trained.group = Group::Extra;
    bn_trained.frozen_bn_affine = false;
    let mut no_bn = opt_base("X-NOBN-SGD", "SGD without BatchNorm", sgd(0.01)).variant_of("OPT-A1");
    no_bn.group = Group::Extra;

    let decay_model = mlp(&[100, 100], RELU, WeightInit::He);
    let mut constant = opt_run(
        "X-LR-CONST",
        "Adam lr 0.01, constant",
        decay_model.clone(),
        adam(0.01),
    );
    let mut decayed = opt_run(
        "X-LR-DECAY",
        "Adam lr 0.01, ×0.7 every 100 iterations",
        decay_model,
        adam(0.01),
    );
    decayed.decay_per_100 = 0.7;
    for run in [&mut constant, &mut decayed] {
        run.group = Group::Extra;
        run.train_accuracy = TrainAccuracy::Split;
        run.train = Subset::First(10_000);
        run.test = Subset::First(2000);
        run.eval_every = 50;
    }

    let pool = |id: &str, title: &str, pooling: Pooling| {
        let mut run = cnn(id, title, simple_conv(WeightInit::He, pooling), 300);
        run.group = Group::Extra;
        run.eval_every = 50;
        run
    };
    let dropout = |id: &str, title: &str, classic: bool| {
        let model = mlp_with(&[100; 6], RELU, WeightInit::He, false, Some(0.15), classic);
        let mut run = RunSpec::new(id, Group::Extra, title, model, 1000)
            .opt(momentum(0.01))
            .data(Subset::First(300), Subset::All);
        run.eval_every = 50;
        run
    };
    vec![
        bn_trained,
        no_bn,
        constant,
        decayed,
        pool(
            "X-POOL-MAX",
            "SimpleConvNet (He), max pooling, 300 iterations",
            Pooling::Max,
        ),
        pool(
            "X-POOL-AVG",
            "SimpleConvNet (He), average pooling, 300 iterations",
            Pooling::Average,
        ),
        dropout(
            "X-DROP-CLASSIC",
            "dropout 0.15, classic (scale at test time), Momentum",
            true,
        ),
        dropout(
            "X-DROP-INVERTED",
            "dropout 0.15, inverted (scale at training time), Momentum",
            false,
        ),
    ]
}

/// The quick suite: short runs on small test subsets that still decide the claims a short
/// run can decide (sigmoid with N(0, 0.01²) stays stuck, ReLU with He passes 90 %, adaptive
/// optimizers move where SGD stalls, a CNN learns).
pub fn quick() -> Vec<RunSpec> {
    let keep = ["VG-1", "VG-4", "OPT-A1", "OPT-A4", "CNN-3"];
    full()
        .into_iter()
        .filter(|r| keep.contains(&r.id.as_str()))
        .map(|mut r| {
            r.test = Subset::First(2000);
            r.eval_every = 50;
            match r.id.as_str() {
                "VG-1" | "VG-4" => {
                    r.iterations = 1000;
                    r.expect = crate::spec::Expect::Test {
                        lo: if r.id == "VG-1" { STUCK.0 } else { 0.90 },
                        hi: if r.id == "VG-1" { STUCK.1 } else { 1.0 },
                    };
                }
                "OPT-A1" | "OPT-A4" => {
                    r.iterations = 600;
                    r.expect = crate::spec::Expect::Test {
                        lo: if r.id == "OPT-A1" { STUCK.0 } else { 0.85 },
                        hi: if r.id == "OPT-A1" { STUCK.1 } else { 1.0 },
                    };
                }
                _ => {
                    r.title = "SimpleConvNet, Adam 0.001, 2,000/1,000 images (quick)".into();
                    r.iterations = 200;
                    r.train = Subset::First(2000);
                    r.test = Subset::First(1000);
                    r.expect = crate::spec::Expect::Test { lo: 0.85, hi: 1.0 };
                }
            }
            r
        })
        .collect()
}
