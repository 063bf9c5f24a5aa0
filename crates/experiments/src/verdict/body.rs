//! Claims from the body of the notes and their check-yourself answers, beyond the closing
//! summary's twelve: about weights, activations, the optimizers' paths, penalties, dropout,
//! pixel order, padding, output sizes and AlexNet's shape.

use super::{Chart, Claim, Computed, Decision, Evidence, Outcome::*, Runs, Section::*, pct};
use crate::RunResult;
use crate::computed::Surface;

/// The claims, in report order within each section.
pub const CLAIMS: &[Claim] = &[
    Claim {
        id: "sigmoid-slope",
        section: VanishingGradient,
        statement: "The sigmoid's derivative is at most 0.25, reached at 0, so every sigmoid layer passes back at most a quarter of the gradient",
        expected: Supported,
        why: "",
        chart: Chart::SigmoidSlope,
        caption: "The peak is 0.25 at x = 0, and the slope falls fast on both sides: below 0.01 beyond |x| = 5, where a saturated unit passes almost nothing back.",
        evidence: &[Evidence::Computed(sigmoid_slope)],
    },
    Claim {
        id: "lower-layers-learn-least",
        section: VanishingGradient,
        statement: "In a sigmoid network the gradient shrinks layer by layer toward the input, so the first layer's weights change least",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Runs(
            &["VG-3c", "VG-5c"],
            lower_layers_learn_least,
        )],
    },
    Claim {
        id: "relu-sparse",
        section: VanishingGradient,
        statement: "ReLU's activations are sparse (many exact zeros); sigmoid's and tanh's are not",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Runs(&["VG-4", "VG-3", "VG-7"], relu_sparse)],
    },
    Claim {
        id: "same-init-same-units",
        section: VanishingGradient,
        statement: "With every weight equal at the start, a layer's units compute the same thing and get the same update, so they stay identical and the layer acts as one unit",
        expected: Supported,
        why: "",
        chart: Chart::Runs,
        caption: "The symmetric start (every weight 0.01) stays near 30% for 2,000 steps, each layer acting as one unit; the random start passes 95%.",
        evidence: &[Evidence::Runs(&["VG-SAME", "VG-4"], same_init_same_units)],
    },
    Claim {
        id: "batchnorm-speeds-learning",
        section: VanishingGradient,
        statement: "Batch normalization makes learning faster and the vanishing gradient less likely",
        expected: Supported,
        why: "",
        chart: Chart::Runs,
        caption: "Each BatchNorm run rises ahead of its twin without it; the sigmoid twin without BatchNorm never leaves the bottom.",
        evidence: &[Evidence::Runs(
            &["VG-1c", "VG-1-BN", "VG-4", "VG-4-BN"],
            batchnorm_speeds_learning,
        )],
    },
    Claim {
        id: "batchnorm-either-side",
        section: VanishingGradient,
        statement: "Batch normalization can go before or after the activation",
        expected: Supported,
        why: "",
        chart: Chart::Runs,
        caption: "The before and after placements of each pair run together to the end.",
        evidence: &[Evidence::Runs(
            &["VG-1-BN", "VG-1-BNA", "VG-4-BN", "VG-4-BNA"],
            batchnorm_either_side,
        )],
    },
    Claim {
        id: "momentum-settles-slowly",
        section: Optimizers,
        statement: "Momentum rolls like a ball: it overshoots the bottom of a long valley and takes a while to settle there",
        expected: Supported,
        why: "",
        chart: Chart::Paths(Surface::Bowl),
        caption: "Follow Momentum (orange): it overshoots x = 0 lengthwise several times before it settles; SGD (blue) zigzags across the narrow direction instead; RMSProp and AdaGrad head almost straight in. The cross marks the start.",
        evidence: &[Evidence::Computed(momentum_settles_slowly)],
    },
    Claim {
        id: "momentum-global-minimum",
        section: Optimizers,
        statement: "Momentum can carry past a local minimum to the global one where plain SGD stops in the first",
        expected: Supported,
        why: "",
        chart: Chart::Paths(Surface::TwoMinima),
        caption: "SGD stops in the right-hand basin (the local minimum); Momentum's velocity carries it over the ridge into the deeper left-hand one. The cross marks the start.",
        evidence: &[Evidence::Computed(momentum_global_minimum)],
    },
    Claim {
        id: "adagrad-rate-shrinks",
        section: Optimizers,
        statement: "AdaGrad's effective learning rate keeps shrinking; RMSProp's does not",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Computed(adagrad_rate_shrinks)],
    },
    Claim {
        id: "adagrad-stalls-at-saddle",
        section: Optimizers,
        statement: "AdaGrad can stall at a saddle point",
        expected: Contradicted,
        why: "AdaGrad divides each coordinate's step by that coordinate's own gradient history, so a direction whose gradient is tiny (the way off a saddle) gets a full-sized step; what slows AdaGrad down is the shrinking of every rate over time, which the claim on its rate measures",
        chart: Chart::Paths(Surface::Saddle),
        caption: "The start (cross) sits just off the saddle's ridge (the x axis); SGD (blue) first slides along the ridge toward the saddle at the origin, AdaGrad (red) turns toward the minimum at (0, 1) at once, then slows as its rate shrinks.",
        evidence: &[Evidence::Computed(adagrad_stalls_at_saddle)],
    },
    Claim {
        id: "adam-combines",
        section: Optimizers,
        statement: "Adam combines Momentum (it keeps a velocity) and RMSProp (its step ignores the gradient's scale)",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Computed(adam_combines)],
    },
    Claim {
        id: "rmsprop-less-tuning",
        section: Optimizers,
        statement: "RMSProp needs less tuning of the learning rate",
        expected: Contradicted,
        why: "measured over nine rates and ten seeds, RMSProp works over a wider range of rates than plain SGD, but not wider than Momentum, AdaGrad or Adam: the notes' comparison holds against SGD only",
        chart: Chart::Sweep,
        caption: "Read the width of each curve's plateau above 85%: the range of learning rates that work for that optimizer.",
        evidence: &[Evidence::Runs(SWEEP_IDS, rmsprop_less_tuning)],
    },
    Claim {
        id: "penalty-keeps-weights-small",
        section: Overfitting,
        statement: "Overfitting goes with large weights, and an L2 penalty keeps them small and narrows the train/test gap",
        expected: Supported,
        why: "",
        chart: Chart::WeightNorms,
        caption: "The norm of all weights over training (log scale): without a penalty it grows from its start; with L2 it falls, the faster the larger λ.",
        evidence: &[Evidence::Runs(
            &["OF-0", "OF-L2-0.1"],
            penalty_keeps_weights_small,
        )],
    },
    Claim {
        id: "huge-lambda-zero-weights",
        section: Overfitting,
        statement: "With a very large λ every weight goes to 0",
        expected: Supported,
        why: "",
        chart: Chart::WeightNorms,
        caption: "The norm of all weights over training (log scale): without a penalty it grows from its start; with L2 it falls, the faster the larger λ.",
        evidence: &[Evidence::Runs(
            &["OF-0", "OF-L2-0.01", "OF-L2-0.1", "OF-L2-1", "OF-L2-10"],
            huge_lambda_zero_weights,
        )],
    },
    Claim {
        id: "bias-not-penalized",
        section: Overfitting,
        statement: "The penalty applies to the weights, not to the biases",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Computed(bias_not_penalized)],
    },
    Claim {
        id: "l1-exact-zeros",
        section: Overfitting,
        statement: "L1 drives many weights to (nearly) zero; L2 makes them small but not zero",
        expected: Supported,
        why: "",
        chart: Chart::WeightHistograms,
        caption: "Each panel counts a run's weights divided by their layer's RMS, so that shrinking alone does not change the shape: the L1 runs (left three) pile weights up at exactly 0, the L2 runs (right three) keep a bell however strong the penalty.",
        evidence: &[Evidence::Runs(
            &[
                "OF-L1-0.001",
                "OF-L1-0.003",
                "OF-L1-0.01",
                "OF-L2-0.01",
                "OF-L2-0.1",
                "OF-L2-1",
            ],
            l1_exact_zeros,
        )],
    },
    Claim {
        id: "l1-diamond-corner",
        section: Overfitting,
        statement: "A loss's contours touch L1's diamond at a corner (a weight exactly 0) and L2's circle where both weights are non-zero",
        expected: Supported,
        why: "",
        chart: Chart::Constraints,
        caption: "The first contour of the loss to touch the diamond touches it at the corner on the x axis (the second weight exactly 0); the one that touches the circle does so where both weights are non-zero.",
        evidence: &[Evidence::Computed(l1_diamond_corner)],
    },
    Claim {
        id: "dropout-ensemble",
        section: Overfitting,
        statement: "Dropout trains many thinned networks at once; the scaled full network predicts like their average",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Runs(
            &["OF-D4", "OF-D5", "OF-D6"],
            dropout_ensemble,
        )],
    },
    Claim {
        id: "cnn-uses-2d-structure",
        section: Convolution,
        statement: "A CNN learns from the 2D arrangement of pixels; a fully connected network cannot use it",
        expected: Supported,
        why: "",
        chart: Chart::Runs,
        caption: "SimpleConvNet on shuffled pixels ends several points under SimpleConvNet on real images; the MLP's two runs end together.",
        evidence: &[Evidence::Runs(
            &["X-POOL-MAX", "CNN-PERM", "CNN-MLP", "CNN-MLP-PERM"],
            cnn_uses_2d_structure,
        )],
    },
    Claim {
        id: "padding-hardly-matters",
        section: Convolution,
        statement: "Zero padding hardly changes what the network learns",
        expected: Supported,
        why: "",
        chart: Chart::Runs,
        caption: "With and without padding the two runs stay within a point or two of each other.",
        evidence: &[Evidence::Runs(
            &["X-POOL-MAX", "CNN-PAD"],
            padding_hardly_matters,
        )],
    },
    Claim {
        id: "conv-output-size",
        section: Convolution,
        statement: "A convolution's output side is (H + 2P − FH) / S + 1: a 6x6 input, 2x2 filter, stride 1 and padding 1 give 7x7",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Computed(conv_output_size)],
    },
    Claim {
        id: "convolution-dominates-compute",
        section: Convolution,
        statement: "Convolutions are where a deep network's arithmetic goes, which is why deep learning needs fast hardware",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Computed(convolution_dominates_compute)],
    },
    Claim {
        id: "alexnet-shape",
        section: AlexNet,
        statement: "AlexNet has five convolutional and three fully connected layers, with dropout on the 4,096-wide outputs",
        expected: Supported,
        why: "",
        chart: Chart::None,
        caption: "",
        evidence: &[Evidence::Computed(alexnet_shape)],
    },
];

/// The learning-rate sweep: every optimizer at every rate.
pub const SWEEP_IDS: &[&str] = &[
    "OPT-LR-SGD-0",
    "OPT-LR-SGD-1",
    "OPT-LR-SGD-2",
    "OPT-LR-SGD-3",
    "OPT-LR-SGD-4",
    "OPT-LR-SGD-5",
    "OPT-LR-SGD-6",
    "OPT-LR-SGD-7",
    "OPT-LR-SGD-8",
    "OPT-LR-Momentum-0",
    "OPT-LR-Momentum-1",
    "OPT-LR-Momentum-2",
    "OPT-LR-Momentum-3",
    "OPT-LR-Momentum-4",
    "OPT-LR-Momentum-5",
    "OPT-LR-Momentum-6",
    "OPT-LR-Momentum-7",
    "OPT-LR-Momentum-8",
    "OPT-LR-AdaGrad-0",
    "OPT-LR-AdaGrad-1",
    "OPT-LR-AdaGrad-2",
    "OPT-LR-AdaGrad-3",
    "OPT-LR-AdaGrad-4",
    "OPT-LR-AdaGrad-5",
    "OPT-LR-AdaGrad-6",
    "OPT-LR-AdaGrad-7",
    "OPT-LR-AdaGrad-8",
    "OPT-LR-RMSProp-0",
    "OPT-LR-RMSProp-1",
    "OPT-LR-RMSProp-2",
    "OPT-LR-RMSProp-3",
    "OPT-LR-RMSProp-4",
    "OPT-LR-RMSProp-5",
    "OPT-LR-RMSProp-6",
    "OPT-LR-RMSProp-7",
    "OPT-LR-RMSProp-8",
    "OPT-LR-Adam-0",
    "OPT-LR-Adam-1",
    "OPT-LR-Adam-2",
    "OPT-LR-Adam-3",
    "OPT-LR-Adam-4",
    "OPT-LR-Adam-5",
    "OPT-LR-Adam-6",
    "OPT-LR-Adam-7",
    "OPT-LR-Adam-8",
];

/// A run's accuracy once settled: the median of its last 3 test evaluations.
fn settled(r: &RunResult) -> f64 {
    r.tail_median(3, |p| p.test)
}

/// The median over the recorded steps of one layer's gradient norm.
fn gradient_norm(r: &RunResult, layer: &str) -> f64 {
    let mut v: Vec<f64> = r
        .gradient_norms
        .iter()
        .filter_map(|(_, rows)| rows.iter().find(|(n, _)| n == layer).map(|(_, g)| *g))
        .collect();
    v.sort_by(f64::total_cmp);
    crate::result::median(&v)
}

fn change(r: &RunResult, layer: &str) -> f64 {
    r.weights
        .iter()
        .find(|w| w.name == layer)
        .map_or(f64::NAN, |w| w.relative_change)
}

fn sigmoid_slope(c: &Computed) -> Decision {
    let s = &c.sigmoid;
    (
        (s.max - 0.25).abs() < 1e-9 && s.at.abs() < 1e-3,
        format!(
            "the library's Sigmoid backward on {} points from −8 to 8: largest derivative {:.6} at x = {:.3}; through 2 and 5 sigmoid layers the gradient keeps at most 0.25² = {:.4} and 0.25⁵ = {:.5} of itself",
            s.points,
            s.max,
            s.at,
            0.25f64.powi(2),
            0.25f64.powi(5)
        ),
    )
}

fn lower_layers_learn_least(r: Runs<'_>) -> Decision {
    let mut ok = true;
    let mut words = Vec::new();
    for run in r {
        // Per weight (the norm over √count): layer 1 has 784·40 weights, layer 3 only 20·10,
        // so whole-tensor norms would compare sizes, not how hard each weight is pushed.
        let g: Vec<f64> = ["affine1.weight", "affine2.weight", "affine3.weight"]
            .iter()
            .map(|l| {
                let count = run
                    .weights
                    .iter()
                    .find(|w| w.name == *l)
                    .map_or(1, |w| w.count);
                gradient_norm(run, l) / (count as f64).sqrt()
            })
            .collect();
        let c: Vec<f64> = ["affine1.weight", "affine2.weight", "affine3.weight"]
            .iter()
            .map(|l| change(run, l))
            .collect();
        // Seeds: the first layer's gradient per weight is 8 to 15 times below the last's, and
        // its weights move 0.35 to 0.45 times as far.
        ok &= g[0] < g[1] && g[1] < g[2] && g[0] < g[2] / 3.0 && c[0] < 0.7 * c[2];
        words.push(format!(
            "{}: root-mean-square gradient per weight {:.1e}, {:.1e}, {:.1e} (layers 1 to 3, median over the run); weights moved {:.0}%, {:.0}%, {:.0}% of their start",
            run.id,
            g[0],
            g[1],
            g[2],
            100.0 * c[0],
            100.0 * c[1],
            100.0 * c[2]
        ));
    }
    (ok, words.join("; "))
}

fn zeros(r: &RunResult) -> Vec<f64> {
    r.zero_activations.iter().map(|(_, z)| *z).collect()
}

fn relu_sparse(r: Runs<'_>) -> Decision {
    let (relu, sigmoid, tanh) = (zeros(r[0]), zeros(r[1]), zeros(r[2]));
    let fmt = |v: &[f64]| v.iter().map(|z| pct(*z)).collect::<Vec<_>>().join(", ");
    (
        !relu.is_empty()
            && relu.iter().all(|&z| z > 0.2)
            && sigmoid.iter().chain(&tanh).all(|&z| z < 0.01),
        format!(
            "exact zeros per hidden layer on 1,000 test images after training: ReLU {}, sigmoid {}, tanh {}",
            fmt(&relu),
            fmt(&sigmoid),
            fmt(&tanh)
        ),
    )
}

fn same_init_same_units(r: Runs<'_>) -> Decision {
    let (same, random) = (r[0], r[1]);
    let spread: Vec<f64> = same
        .weights
        .iter()
        .filter(|w| w.name != "affine3.weight")
        .filter_map(|w| w.unit_spread)
        .collect();
    let largest = spread.iter().copied().fold(0.0, f64::max);
    (
        !spread.is_empty() && largest < 1e-5 && settled(same) < settled(random) - 0.2,
        format!(
            "after 2,000 SGD steps the hidden units' incoming weights differ by at most {largest:.1e} of the largest weight (the units are copies); test accuracy {} against {} from He's random start",
            pct(settled(same)),
            pct(settled(random))
        ),
    )
}

fn batchnorm_speeds_learning(r: Runs<'_>) -> Decision {
    let (s, s_bn, relu, relu_bn) = (r[0], r[1], r[2], r[3]);
    let reach = |r: &RunResult| r.first_above(0.9);
    let when = |r: &RunResult| reach(r).map_or("never".into(), |i| i.to_string());
    let sooner = |a: &RunResult, b: &RunResult| match (reach(a), reach(b)) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(x), Some(y)) => y < x,
    };
    let g1 = |r: &RunResult| gradient_norm(r, "affine1.weight");
    (
        sooner(s, s_bn) && sooner(relu, relu_bn) && g1(s_bn) > 10.0 * g1(s),
        format!(
            "above 90% test accuracy from iteration {} with BatchNorm instead of {} (sigmoid, N(0, 0.01²)) and {} instead of {} (ReLU, He); the sigmoid network's first-layer gradient norm {:.2e} with BatchNorm against {:.2e} without",
            when(s_bn),
            when(s),
            when(relu_bn),
            when(relu),
            g1(s_bn),
            g1(s)
        ),
    )
}

fn batchnorm_either_side(r: Runs<'_>) -> Decision {
    let (s_before, s_after, relu_before, relu_after) = (r[0], r[1], r[2], r[3]);
    // Both learn, within 3 points of each other (ten seeds: at most 1.9 apart).
    let close = |a: &RunResult, b: &RunResult| {
        settled(a).min(settled(b)) > 0.9 && (settled(a) - settled(b)).abs() < 0.03
    };
    (
        close(s_before, s_after) && close(relu_before, relu_after),
        format!(
            "test accuracy with BatchNorm before / after the activation: sigmoid {} / {}, ReLU {} / {}",
            pct(settled(s_before)),
            pct(settled(s_after)),
            pct(settled(relu_before)),
            pct(settled(relu_after))
        ),
    )
}

fn surface_path<'a>(c: &'a Computed, s: Surface, o: &str) -> Option<&'a crate::computed::Path> {
    c.surface(s).and_then(|run| run.path(o))
}

fn steps(p: Option<&crate::computed::Path>) -> String {
    p.and_then(|p| p.reaches)
        .map_or("not within 100".into(), |k| k.to_string())
}

fn momentum_settles_slowly(c: &Computed) -> Decision {
    let (sgd, mom) = (
        surface_path(c, Surface::Bowl, "SGD"),
        surface_path(c, Surface::Bowl, "Momentum"),
    );
    let ok = match (sgd, mom) {
        (Some(s), Some(m)) => {
            m.x_crossings >= 2
                && s.x_crossings == 0
                && m.reaches.unwrap_or(usize::MAX) > s.reaches.unwrap_or(usize::MAX).min(100) / 2
        }
        _ => false,
    };
    (
        ok,
        format!(
            "on {}: Momentum crosses the valley's minimum lengthwise {} times and comes within 0.1 of it after {} steps; SGD crosses {} times ({} steps)",
            Surface::Bowl.formula(),
            mom.map_or(0, |m| m.x_crossings),
            steps(mom),
            sgd.map_or(0, |s| s.x_crossings),
            steps(sgd)
        ),
    )
}

fn end(p: Option<&crate::computed::Path>) -> String {
    p.map_or("–".into(), |p| {
        format!("({:.2}, {:.2})", p.end.0, p.end.1)
    })
}

fn momentum_global_minimum(c: &Computed) -> Decision {
    let s = Surface::TwoMinima;
    let (sgd, mom) = (surface_path(c, s, "SGD"), surface_path(c, s, "Momentum"));
    let global = |p: Option<&crate::computed::Path>| p.is_some_and(|p| p.end.0 < -0.5);
    let local = |p: Option<&crate::computed::Path>| p.is_some_and(|p| p.end.0 > 0.5);
    (
        global(mom) && local(sgd),
        format!(
            "on {} from (2, 1), both at lr 0.05 for 100 steps: Momentum ends at {} (the global minimum, x ≈ −1.04), SGD at {} (the local one, x ≈ 0.96)",
            s.formula(),
            end(mom),
            end(sgd)
        ),
    )
}

fn adagrad_rate_shrinks(c: &Computed) -> Decision {
    let of = |name: &str| {
        c.step_lengths
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(vec![f64::NAN; 4], |(_, v)| v.clone())
    };
    let (ada, rms) = (of("AdaGrad"), of("RMSProp"));
    (
        ada[3] < ada[0] / 10.0 && rms[3] > 0.5 * 0.1 && rms[3] > 10.0 * ada[3],
        format!(
            "step length under a constant gradient at lr 0.1, steps 1 / 10 / 100 / 1000: AdaGrad {:.4} / {:.4} / {:.4} / {:.4} (lr/√t), RMSProp {:.4} / {:.4} / {:.4} / {:.4} (settles at lr)",
            ada[0], ada[1], ada[2], ada[3], rms[0], rms[1], rms[2], rms[3]
        ),
    )
}

fn adagrad_stalls_at_saddle(c: &Computed) -> Decision {
    let s = Surface::Saddle;
    let (ada, sgd) = (surface_path(c, s, "AdaGrad"), surface_path(c, s, "SGD"));
    let y = |p: Option<&crate::computed::Path>, k: usize| {
        p.and_then(|p| p.points.get(k)).map_or(0.0, |q| q.1.abs())
    };
    (
        y(ada, 10) < y(sgd, 10),
        format!(
            "on {} from (1.5, 0.001), lr 0.05: after 10 steps AdaGrad is {:.3} away from the saddle's ridge, SGD {:.4}: scaling each coordinate by its own history lets AdaGrad leave the saddle sooner; what slows it is its shrinking rate (after 100 steps it is at {}, SGD at {})",
            s.formula(),
            y(ada, 10),
            y(sgd, 10),
            end(ada),
            end(sgd)
        ),
    )
}

fn adam_combines(c: &Computed) -> Decision {
    let gap = |name: &str| {
        c.scale_invariance
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(f64::NAN, |(_, g)| *g)
    };
    let crossings = |o: &str| surface_path(c, Surface::Bowl, o).map_or(0, |p| p.x_crossings);
    (
        gap("Adam") < 1e-3
            && gap("RMSProp") < 1e-3
            && gap("SGD") > 0.1
            && crossings("Adam") >= 1
            && crossings("RMSProp") == 0,
        format!(
            "on the bowl, paths on f and on 100·f differ by at most {:.1e} for Adam and {:.1e} for RMSProp (SGD: {:.2}); Adam overshoots the minimum lengthwise {} times like Momentum ({}), RMSProp {}",
            gap("Adam"),
            gap("RMSProp"),
            gap("SGD"),
            crossings("Adam"),
            crossings("Momentum"),
            crossings("RMSProp")
        ),
    )
}

/// The bar a sweep run must clear after 500 steps.
const SWEEP_BAR: f64 = 0.85;

/// How many of the sweep's rates bring each optimizer above 85% test accuracy.
pub fn sweep_widths(r: Runs<'_>) -> Vec<(&'static str, usize)> {
    let rates = crate::catalog::notes::SWEEP_RATES.len();
    crate::catalog::notes::SWEEP_OPTIMIZERS
        .iter()
        .enumerate()
        .map(|(k, &name)| {
            let works = r[k * rates..(k + 1) * rates]
                .iter()
                .filter(|run| run.diverged.is_none() && settled(run) > SWEEP_BAR)
                .count();
            (name, works)
        })
        .collect()
}

fn rmsprop_less_tuning(r: Runs<'_>) -> Decision {
    let widths = sweep_widths(r);
    let rms = widths
        .iter()
        .find(|(o, _)| *o == "RMSProp")
        .map_or(0, |(_, w)| *w);
    let others = widths
        .iter()
        .filter(|(o, _)| *o != "RMSProp")
        .map(|(_, w)| *w);
    // Less tuning than the others: a wider range of rates that work than any other
    // optimizer's (ten seeds: RMSProp 4-5 rates, SGD 3-4, Momentum 4-5, AdaGrad 3-5, Adam 5).
    let (narrower, not): (Vec<_>, Vec<_>) = widths
        .iter()
        .filter(|(o, _)| *o != "RMSProp")
        .partition(|(_, w)| *w < rms);
    let names = |v: &[&(&str, usize)]| v.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    (
        others.max().is_some_and(|best| rms > best),
        format!(
            "learning rates (of 9 from 1e-4 to 1, half a decade apart) that bring test accuracy above 85% in 500 steps: {}; RMSProp's range is wider than that of [{}], not wider than that of [{}]",
            widths
                .iter()
                .map(|(n, w)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(", "),
            names(&narrower),
            names(&not)
        ),
    )
}

fn final_norm(r: &RunResult) -> f64 {
    r.weight_norm.last().map_or(f64::NAN, |&(_, n)| n)
}

fn gap(r: &RunResult) -> f64 {
    r.tail_median(3, |p| p.train) - r.tail_median(3, |p| p.test)
}

fn penalty_keeps_weights_small(r: Runs<'_>) -> Decision {
    let (base, l2) = (r[0], r[1]);
    (
        final_norm(l2) < 0.8 * final_norm(base) && gap(l2) < gap(base),
        format!(
            "300 training images: weight norm {:.1} with L2 λ 0.1 against {:.1} without (both started at {:.1}); train/test gap {} against {}",
            final_norm(l2),
            final_norm(base),
            base.weight_norm.first().map_or(f64::NAN, |&(_, n)| n),
            pct(gap(l2)),
            pct(gap(base))
        ),
    )
}

fn huge_lambda_zero_weights(r: Runs<'_>) -> Decision {
    let norms: Vec<f64> = r.iter().map(|run| final_norm(run)).collect();
    let falling = norms.windows(2).all(|w| w[1] < w[0]);
    let largest_weight =
        |run: &RunResult| run.weights.iter().map(|w| w.norm_end).fold(0.0, f64::max);
    (
        falling && norms[4] < 0.02 * norms[0],
        format!(
            "final weight norm for λ = 0, 0.01, 0.1, 1, 10: {}; at λ 10 the largest layer norm is {:.2e} and test accuracy {}",
            norms
                .iter()
                .map(|n| format!("{n:.2}"))
                .collect::<Vec<_>>()
                .join(", "),
            largest_weight(r[4]),
            pct(settled(r[4]))
        ),
    )
}

fn bias_not_penalized(c: &Computed) -> Decision {
    let p = &c.penalty_targets;
    (
        p.weight_gradient_changed
            && !p.bias_gradient_changed
            && (p.penalty - p.weights_only).abs() < 1e-12,
        format!(
            "a Linear layer with biases set to 2 under L1 0.1 + L2 0.5: the weights' gradient changes, the bias gradient stays 0, and the penalty {:.6} equals the weights' sum alone ({:.6})",
            p.penalty, p.weights_only
        ),
    )
}

/// The fraction of all the run's weights below 1e-3 after training, and below 1% of their
/// own tensor's RMS (scale-free: a shrunken Gaussian keeps about 0.8% there).
fn near_zero(r: &RunResult) -> (f64, f64) {
    let (abs, rel, all) = r.weights.iter().fold((0.0, 0.0, 0.0), |(a, b, n), w| {
        let c = w.count as f64;
        (a + w.near_zero * c, b + w.near_zero_relative * c, n + c)
    });
    (abs / all, rel / all)
}

fn l1_exact_zeros(r: Runs<'_>) -> Decision {
    let (l1, l2) = (&r[..3], &r[3..]);
    // The pair of runs, one L1 and one L2, with the closest test accuracies.
    let mut best: Option<(&RunResult, &RunResult)> = None;
    for a in l1 {
        for b in l2 {
            let d = (settled(a) - settled(b)).abs();
            if best.is_none_or(|(x, y)| d < (settled(x) - settled(y)).abs()) {
                best = Some((a, b));
            }
        }
    }
    let Some((a, b)) = best else {
        return (false, "no runs".into());
    };
    let (za, zb) = (near_zero(a), near_zero(b));
    (
        za.1 > 0.05 && za.1 > 3.0 * zb.1 && (settled(a) - settled(b)).abs() < 0.05,
        format!(
            "at comparable test accuracy ({} with {}, {} with {}): {} of the weights below 1% of their layer's RMS with L1, {} with L2 (a Gaussian has 0.8% there); below 1e-3: {} and {}",
            pct(settled(a)),
            a.id,
            pct(settled(b)),
            b.id,
            pct(za.1),
            pct(zb.1),
            pct(za.0),
            pct(zb.0)
        ),
    )
}

fn l1_diamond_corner(c: &Computed) -> Decision {
    let s = &c.penalty_shapes;
    (
        s.l1.0.abs().min(s.l1.1.abs()) < 1e-9 && s.l2.0.abs().min(s.l2.1.abs()) > 0.1,
        format!(
            "the quadratic loss centred at (2, 0.8) is smallest on the L1 ball ‖w‖₁ ≤ 1 at ({:.3}, {:.3}) and on the L2 ball ‖w‖₂ ≤ 1 at ({:.3}, {:.3})",
            s.l1.0, s.l1.1, s.l2.0, s.l2.1
        ),
    )
}

fn dropout_ensemble(r: Runs<'_>) -> Decision {
    let mut ok = true;
    let mut words = Vec::new();
    for run in r {
        let at = |k: usize| {
            run.ensemble
                .iter()
                .find(|(n, _)| *n == k)
                .map_or(f64::NAN, |(_, a)| *a)
        };
        // Ten seeds: the average of 100 lands within 0.5 points of the scaled network, one
        // thinned network 0.5 to 4.6 points off it.
        let (many, one) = ((at(100) - at(0)).abs(), (at(1) - at(0)).abs());
        ok &= many < 0.015 && many < one;
        words.push(format!(
            "{}: scaled network {}, one thinned network {}, average of 5 / 20 / 100: {} / {} / {}",
            run.id,
            pct(at(0)),
            pct(at(1)),
            pct(at(5)),
            pct(at(20)),
            pct(at(100))
        ));
    }
    (ok, words.join("; "))
}

fn cnn_uses_2d_structure(r: Runs<'_>) -> Decision {
    let (cnn, cnn_perm, mlp, mlp_perm) = (r[0], r[1], r[2], r[3]);
    let cnn_loss = settled(cnn) - settled(cnn_perm);
    // Ten seeds: SimpleConvNet loses 4.3 to 6.6 points, the MLP moves at most 1.0 either way.
    (
        cnn_loss > 0.02 && (settled(mlp) - settled(mlp_perm)).abs() < cnn_loss / 2.0,
        format!(
            "300 Adam steps on 5,000 images, one fixed pixel shuffle: SimpleConvNet {} → {}, the MLP {} → {}",
            pct(settled(cnn)),
            pct(settled(cnn_perm)),
            pct(settled(mlp)),
            pct(settled(mlp_perm))
        ),
    )
}

fn padding_hardly_matters(r: Runs<'_>) -> Decision {
    let (no_pad, pad) = (r[0], r[1]);
    // Within 3 points (ten seeds: at most 1.9 apart, single evaluations on 1,000 images).
    (
        (settled(no_pad) - settled(pad)).abs() < 0.03,
        format!(
            "SimpleConvNet after 300 steps: {} without padding, {} with padding 2",
            pct(settled(no_pad)),
            pct(settled(pad))
        ),
    )
}

fn conv_output_size(c: &Computed) -> Decision {
    let all_agree = c
        .conv_sizes
        .iter()
        .all(|s| s.geometry == (s.formula, s.formula) && s.forward == (s.formula, s.formula));
    let first = c.conv_sizes.first();
    (
        all_agree && first.is_some_and(|s| (s.input, s.kernel, s.formula) == (6, 2, 7)),
        format!(
            "{} cases, formula, geometry and a real Conv2d forward agree: {}",
            c.conv_sizes.len(),
            c.conv_sizes
                .iter()
                .map(|s| format!(
                    "{}x{} * {}x{} (S {}, P {}) → {}",
                    s.input, s.input, s.kernel, s.kernel, s.stride, s.padding, s.formula
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    )
}

fn convolution_dominates_compute(c: &Computed) -> Decision {
    let deep = c
        .arithmetic
        .iter()
        .filter(|a| a.network != "SimpleConvNet")
        .all(|a| a.conv_share > 0.9);
    let deep_time = c
        .step_times
        .iter()
        .find(|t| t.network == "DeepConvNet")
        .map_or(0.0, |t| t.conv_share);
    (
        deep && deep_time > 0.5,
        format!(
            "the convolutions' share of a training step's measured time (batch of 100, one thread): {}; of the multiply-adds (and of the parameters): {}",
            c.step_times
                .iter()
                .map(|t| format!("{} {}", t.network, pct(t.conv_share)))
                .collect::<Vec<_>>()
                .join(", "),
            c.arithmetic
                .iter()
                .map(|a| format!(
                    "{} {} of {:.1} M ({} of the parameters)",
                    a.network,
                    pct(a.conv_share),
                    a.macs as f64 / 1e6,
                    pct(a.conv_param_share)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

fn alexnet_shape(c: &Computed) -> Decision {
    let a = &c.alexnet;
    (
        a.convolutions == 5 && a.fully_connected == 3 && a.dropout_widths == [4096, 4096],
        format!(
            "the library's AlexNet counted: {} convolutions, {} fully connected layers, dropout after outputs of width {:?}, {:.1} M parameters",
            a.convolutions,
            a.fully_connected,
            a.dropout_widths,
            a.params as f64 / 1e6
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::LayerWeights;

    fn run(id: &str, tests: &[f64]) -> RunResult {
        RunResult::with_test_curve(id, 50, tests)
    }

    #[test]
    fn every_sweep_id_is_a_catalog_run_in_optimizer_then_rate_order() {
        use crate::catalog::notes::{SWEEP_OPTIMIZERS, SWEEP_RATES, sweep_id};
        let expected: Vec<String> = SWEEP_OPTIMIZERS
            .iter()
            .flat_map(|o| (0..SWEEP_RATES.len()).map(move |k| sweep_id(o, k)))
            .collect();
        assert_eq!(SWEEP_IDS, expected.as_slice());
    }

    #[test]
    fn sweep_width_counts_the_rates_that_settle_above_the_bar() {
        let runs: Vec<RunResult> = SWEEP_IDS
            .iter()
            .enumerate()
            .map(|(k, id)| {
                // RMSProp (the fourth optimizer) works at every rate, the others at one.
                let works = (27..36).contains(&k) || k % 9 == 4;
                run(
                    id,
                    &[
                        0.5,
                        if works { 0.95 } else { 0.3 },
                        if works { 0.94 } else { 0.3 },
                        0.93,
                    ],
                )
            })
            .collect();
        let refs: Vec<&RunResult> = runs.iter().collect();
        let widths = sweep_widths(&refs);
        assert_eq!(
            widths,
            [
                ("SGD", 1),
                ("Momentum", 1),
                ("AdaGrad", 1),
                ("RMSProp", 9),
                ("Adam", 1)
            ]
        );
        assert!(rmsprop_less_tuning(&refs).0);
        // A diverged run never counts, whatever its curve.
        let mut broken = runs.clone();
        for r in &mut broken[27..36] {
            r.diverged = Some("loss NaN".into());
        }
        let refs: Vec<&RunResult> = broken.iter().collect();
        assert!(!rmsprop_less_tuning(&refs).0);
    }

    #[test]
    fn units_that_stayed_copies_support_the_symmetric_start_claim() {
        let weights = |spread: f64| {
            ["affine1.weight", "affine2.weight", "affine3.weight"]
                .iter()
                .map(|name| LayerWeights {
                    name: name.to_string(),
                    norm_start: 1.0,
                    norm_end: 1.0,
                    relative_change: 0.5,
                    unit_spread: Some(spread),
                    near_zero: 0.0,
                    near_zero_relative: 0.0,
                    count: 100,
                })
                .collect::<Vec<_>>()
        };
        let mut same = run("VG-SAME", &[0.3, 0.3, 0.3]);
        same.weights = weights(0.0);
        let random = run("VG-4", &[0.9, 0.95, 0.95]);
        assert!(same_init_same_units(&[&same, &random]).0);
        same.weights = weights(0.2);
        assert!(!same_init_same_units(&[&same, &random]).0);
    }

    #[test]
    fn l1_is_judged_against_the_l2_run_of_closest_accuracy() {
        let with = |id: &str, test: f64, near_zero_relative: f64| {
            let mut r = run(id, &[test, test, test]);
            r.weights = vec![LayerWeights {
                name: "affine1.weight".into(),
                norm_start: 1.0,
                norm_end: 1.0,
                relative_change: 0.1,
                unit_spread: None,
                near_zero: near_zero_relative,
                near_zero_relative,
                count: 10,
            }];
            r
        };
        let runs = [
            with("OF-L1-0.001", 0.70, 0.5),
            with("OF-L1-0.003", 0.60, 0.8),
            with("OF-L1-0.01", 0.20, 1.0),
            with("OF-L2-0.01", 0.71, 0.0),
            with("OF-L2-0.1", 0.40, 0.01),
            with("OF-L2-1", 0.10, 0.02),
        ];
        let refs: Vec<&RunResult> = runs.iter().collect();
        let (ok, words) = l1_exact_zeros(&refs);
        assert!(ok, "{words}");
        assert!(
            words.contains("OF-L1-0.001") && words.contains("OF-L2-0.01"),
            "{words}"
        );
    }
}
