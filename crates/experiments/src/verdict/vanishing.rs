//! Section 1 of the notes: the vanishing gradient, weight initialization and batch
//! normalization. Each claim is followed by its decision and the decision's test.

use super::measures::{change, gradient_norm, settled};
use super::words::{pct, when};
use super::{Chart, Claim, Computed, Decision, Evidence, Exhibit, Outcome::*, Reads};
use crate::RunResult;
use crate::catalog::ids::*;

/// The claims of section 1, in the report's order.
pub const CLAIMS: &[&Claim] = &[
    &SIGMOID_SLOPE,
    &LOWER_LAYERS_LEARN_LEAST,
    &RELU_FIXES_VANISHING,
    &RELU_SPARSE,
    &XAVIER_HELPS_BOTH,
    &HE_ONLY_RELU,
    &SAME_INIT_SAME_UNITS,
    &BATCHNORM_RESCUES,
    &BATCHNORM_SPEEDS_LEARNING,
    &BATCHNORM_EITHER_SIDE,
];

/// The sigmoid's slope caps what each layer passes back.
pub const SIGMOID_SLOPE: Claim = Claim {
    id: "sigmoid-slope",
    statement: "The sigmoid's derivative is at most 0.25, reached at 0, so every sigmoid layer passes back at most a quarter of the gradient",
    expected: Supported,
    why: "",
    chart: Chart::SigmoidSlope,
    caption: "The peak is 0.25 at x = 0, and the slope falls fast on both sides: below 0.01 beyond |x| = 5, where a saturated unit passes almost nothing back.",
    exhibits: &[],
    evidence: &[Evidence::Computed(sigmoid_slope)],
};

fn sigmoid_slope(c: &Computed) -> Decision {
    let s = &c.sigmoid;
    Decision::holds_if(
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

/// The gradient fades toward the input.
pub const LOWER_LAYERS_LEARN_LEAST: Claim = Claim {
    id: "lower-layers-learn-least",
    statement: "In a sigmoid network the gradient shrinks layer by layer toward the input, so the first layer's weights change least",
    expected: Supported,
    why: "",
    chart: Chart::Gradients,
    caption: "Each line is one layer's root-mean-square gradient per weight (log scale): the first layer's (blue) lies lowest throughout, the last layer's highest; the vertical gap is how much weaker the push on each weight gets on its way back to the input.",
    exhibits: &[Exhibit {
        chart: Chart::Gradients,
        runs: &[VG_1],
        name: "gradients-tiny-weights",
        caption: "The same measurement for sigmoid with N(0, 0.01²) weights, the network that never learns: each first-layer weight gets a gradient thousands of times weaker than each last-layer weight.",
    }],
    evidence: &[Evidence::Runs(&Reads {
        ids: [VG_3C, VG_5C],
        decide: lower_layers_learn_least,
    })],
};

const LAYERS: [&str; 3] = ["affine1.weight", "affine2.weight", "affine3.weight"];

fn lower_layers_learn_least(runs: [&RunResult; 2]) -> Decision {
    let mut ok = true;
    let mut words = Vec::new();
    for (run, name) in runs.iter().zip(["sigmoid with Xavier", "sigmoid with He"]) {
        // Per weight (the norm over √count): layer 1 has 784·40 weights, layer 3 only 20·10,
        // so whole-tensor norms would compare sizes, not how hard each weight is pushed.
        let g = LAYERS.map(|l| {
            let count = run
                .weights
                .iter()
                .find(|w| w.name == l)
                .map_or(1, |w| w.count);
            gradient_norm(run, l) / (count as f64).sqrt()
        });
        let c = LAYERS.map(|l| change(run, l));
        // Seeds: the first layer's gradient per weight is 8 to 15 times below the last's, and
        // its weights move 0.35 to 0.45 times as far.
        ok &= g[0] < g[1] && g[1] < g[2] && g[0] < g[2] / 3.0 && c[0] < 0.7 * c[2];
        words.push(format!(
            "{name}: root-mean-square gradient per weight {:.1e}, {:.1e}, {:.1e} (layers 1 to 3, median over the run); weights moved {:.0}%, {:.0}%, {:.0}% of their start",
            g[0],
            g[1],
            g[2],
            100.0 * c[0],
            100.0 * c[1],
            100.0 * c[2]
        ));
    }
    Decision::holds_if(ok, words.join("; "))
}

#[cfg(test)]
mod lower_layers_learn_least_test {
    use super::super::fixtures::{layer, run};
    use super::*;

    fn network(gradients: [f64; 3], changes: [f64; 3]) -> RunResult {
        let mut r = run("VG-3c", &[0.8]);
        r.weights = LAYERS
            .iter()
            .zip(changes)
            .map(|(l, c)| layer(l, c, None, 0.0))
            .collect();
        r.gradient_norms = vec![(
            10,
            LAYERS
                .iter()
                .zip(gradients)
                .map(|(l, g)| (l.to_string(), g))
                .collect(),
        )];
        r
    }

    #[test]
    fn holds_when_the_gradient_and_the_change_fall_toward_the_input() {
        let fading = network([1e-4, 1e-3, 1e-2], [0.5, 1.0, 2.0]);
        let decision = lower_layers_learn_least([&fading, &fading]);
        assert!(
            decision.finding == super::super::Finding::Holds,
            "{}",
            decision.words
        );
        let flat = network([1e-2, 1e-2, 1e-2], [0.5, 1.0, 2.0]);
        assert_eq!(
            lower_layers_learn_least([&fading, &flat]).finding,
            super::super::Finding::Fails
        );
    }
}

/// ReLU instead of sigmoid.
pub const RELU_FIXES_VANISHING: Claim = Claim {
    id: "relu-fixes-vanishing",
    statement: "Replacing sigmoid with ReLU fixes the vanishing gradient",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "The sigmoid network stays flat at one class's share (about 11%) for the whole run; the ReLU network leaves that plateau and climbs.",
    exhibits: &[],
    evidence: &[
        Evidence::Runs(&Reads {
            ids: [VG_1, VG_2],
            decide: relu_fixes,
        }),
        // The shorter suite has no ReLU run with tiny weights: ReLU with He against it.
        Evidence::Runs(&Reads {
            ids: [VG_1, VG_4],
            decide: relu_he_fixes,
        }),
    ],
};

fn relu_fixes([sigmoid, relu]: [&RunResult; 2]) -> Decision {
    Decision::holds_if(
        sigmoid.final_test() < 0.2 && relu.final_test() > 0.85,
        format!(
            "N(0, 0.01²) weights: sigmoid ends at {} (one class), ReLU at {}",
            pct(sigmoid.final_test()),
            pct(relu.final_test())
        ),
    )
}

fn relu_he_fixes([sigmoid, relu]: [&RunResult; 2]) -> Decision {
    Decision::holds_if(
        sigmoid.final_test() < 0.2 && relu.final_test() > 0.9,
        format!(
            "sigmoid with N(0, 0.01²) weights ends at {}, ReLU with He weights at {}",
            pct(sigmoid.final_test()),
            pct(relu.final_test())
        ),
    )
}

#[cfg(test)]
mod relu_fixes_vanishing_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_sigmoid_stays_at_one_class_and_relu_learns() {
        let stuck = run("VG-1", &[0.11, 0.11]);
        let learns = run("VG-2", &[0.5, 0.92]);
        assert_eq!(relu_fixes([&stuck, &learns]).finding, Holds);
        assert_eq!(relu_fixes([&stuck, &stuck]).finding, Fails);
        assert_eq!(relu_he_fixes([&learns, &learns]).finding, Fails);
    }
}

/// ReLU's zeros.
pub const RELU_SPARSE: Claim = Claim {
    id: "relu-sparse",
    statement: "ReLU's activations are sparse (many exact zeros); sigmoid's and tanh's are not",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [VG_4, VG_3, VG_7],
        decide: relu_sparse,
    })],
};

fn zeros(r: &RunResult) -> Vec<f64> {
    r.zero_activations.iter().map(|(_, z)| *z).collect()
}

fn relu_sparse([relu, sigmoid, tanh]: [&RunResult; 3]) -> Decision {
    let (relu, sigmoid, tanh) = (zeros(relu), zeros(sigmoid), zeros(tanh));
    let fmt = |v: &[f64]| v.iter().map(|z| pct(*z)).collect::<Vec<_>>().join(", ");
    Decision::holds_if(
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

#[cfg(test)]
mod relu_sparse_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_only_relu_has_zeros() {
        let with = |z: f64| {
            let mut r = run("X", &[0.9]);
            r.zero_activations = vec![("a1".into(), z), ("a2".into(), z)];
            r
        };
        let (sparse, dense) = (with(0.4), with(0.0));
        assert_eq!(relu_sparse([&sparse, &dense, &dense]).finding, Holds);
        assert_eq!(relu_sparse([&dense, &dense, &dense]).finding, Fails);
        assert_eq!(relu_sparse([&sparse, &sparse, &dense]).finding, Fails);
    }
}

/// The sigmoid's activations through five layers, the picture behind Xavier's claim.
const SIGMOID_HISTOGRAMS: Exhibit = Exhibit {
    chart: Chart::InitHistograms("sigmoid"),
    runs: &[],
    name: "init-sigmoid",
    caption: "1,000 Gaussian inputs through five 100-unit sigmoid layers, one row per initialization, one panel per layer (the outputs' histogram from 0 to 1). With std 1 the outputs pile up at 0 and 1, where the slope is nearly 0; with std 0.01 they collapse onto 0.5, every unit alike; Xavier keeps them spread through all five layers.",
};

/// ReLU's activations through five layers, the picture behind He's claim.
const RELU_HISTOGRAMS: Exhibit = Exhibit {
    chart: Chart::InitHistograms("relu"),
    runs: &[],
    name: "init-relu",
    caption: "The same five layers with ReLU, one row per initialization; each row's panels span 0 to the largest output of that row. With std 1 the outputs grow several-fold per layer; with std 0.01 they shrink toward 0 layer after layer; He keeps their spread the same from layer to layer, Xavier lets it shrink.",
};

/// Xavier's scale.
pub const XAVIER_HELPS_BOTH: Claim = Claim {
    id: "xavier-helps-both",
    statement: "Xavier initialization improves both sigmoid and ReLU networks",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "Compare each Xavier run with its N(0, 0.01²) twin: the sigmoid one leaves the plateau altogether, the ReLU one passes 90% much earlier.",
    exhibits: &[SIGMOID_HISTOGRAMS],
    evidence: &[Evidence::Runs(&Reads {
        ids: [VG_1, VG_3, VG_2, VG_6],
        decide: xavier_helps_both,
    })],
};

fn xavier_helps_both([s01, sx, r01, rx]: [&RunResult; 4]) -> Decision {
    let rx90 = rx.first_above(0.9).unwrap_or(u64::MAX);
    let r0190 = r01.first_above(0.9).unwrap_or(u64::MAX);
    Decision::holds_if(
        sx.final_test() > s01.final_test() + 0.3
            && rx.final_test() >= r01.final_test() - 0.005
            && rx90 < r0190,
        format!(
            "sigmoid {} → {}; ReLU {} → {}, above 90% from iteration {} instead of {}",
            pct(s01.final_test()),
            pct(sx.final_test()),
            pct(r01.final_test()),
            pct(rx.final_test()),
            when(rx.first_above(0.9)),
            when(r01.first_above(0.9)),
        ),
    )
}

#[cfg(test)]
mod xavier_helps_both_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_both_activations_gain() {
        let stuck = run("VG-1", &[0.11, 0.11, 0.11]);
        let sigmoid_x = run("VG-3", &[0.3, 0.6, 0.78]);
        let relu_slow = run("VG-2", &[0.11, 0.5, 0.92]);
        let relu_x = run("VG-6", &[0.91, 0.94, 0.95]);
        let d = xavier_helps_both([&stuck, &sigmoid_x, &relu_slow, &relu_x]);
        assert_eq!(d.finding, Holds, "{}", d.words);
        assert!(
            d.words.contains("from iteration 50 instead of 150"),
            "{}",
            d.words
        );
        let d = xavier_helps_both([&stuck, &stuck, &relu_slow, &relu_x]);
        assert_eq!(d.finding, Fails);
    }
}

/// He's scale.
pub const HE_ONLY_RELU: Claim = Claim {
    id: "he-only-relu",
    statement: "He initialization improves only ReLU networks",
    expected: Contradicted,
    why: "the original's own runs already contradict it (its sigmoid network with He weights beat the one with Xavier weights): He's larger scale also lifts a sigmoid network off the plateau that N(0, 0.01²) leaves it on",
    chart: Chart::Runs,
    caption: "The sigmoid network with He weights climbs as high as the one with Xavier weights, far above the one with N(0, 0.01²) weights, which stays stuck: He helps sigmoid too.",
    exhibits: &[RELU_HISTOGRAMS],
    evidence: &[Evidence::Runs(&Reads {
        ids: [VG_1, VG_3, VG_5],
        decide: he_only_relu,
    })],
};

fn he_only_relu([s01, sx, sh]: [&RunResult; 3]) -> Decision {
    Decision::holds_if(
        sh.final_test() < s01.final_test() + 0.1,
        format!(
            "sigmoid with He weights ends at {} against {} with N(0, 0.01²) and {} with Xavier",
            pct(sh.final_test()),
            pct(s01.final_test()),
            pct(sx.final_test())
        ),
    )
}

#[cfg(test)]
mod he_only_relu_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn fails_when_he_lifts_sigmoid() {
        let stuck = run("VG-1", &[0.11]);
        let lifted = run("VG-5", &[0.83]);
        assert_eq!(he_only_relu([&stuck, &lifted, &lifted]).finding, Fails);
        assert_eq!(he_only_relu([&stuck, &lifted, &stuck]).finding, Holds);
    }
}

/// A symmetric start.
pub const SAME_INIT_SAME_UNITS: Claim = Claim {
    id: "same-init-same-units",
    statement: "With every weight equal at the start, a layer's units compute the same thing and get the same update, so they stay identical and the layer acts as one unit",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "The symmetric start (every weight 0.01) stays near 30% for 2,000 steps, each layer acting as one unit; the random start passes 95%.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [VG_SAME, VG_4],
        decide: same_init_same_units,
    })],
};

fn same_init_same_units([same, random]: [&RunResult; 2]) -> Decision {
    let spread: Vec<f64> = same
        .weights
        .iter()
        .filter(|w| w.name != "affine3.weight")
        .filter_map(|w| w.unit_spread)
        .collect();
    let largest = spread.iter().copied().fold(0.0, f64::max);
    let copies = if largest == 0.0 {
        "are exactly equal".to_string()
    } else {
        format!("differ by at most {largest:.1e} of the largest weight")
    };
    Decision::holds_if(
        !spread.is_empty() && largest < 1e-5 && settled(same) < settled(random) - 0.2,
        format!(
            "after 2,000 SGD steps the hidden units' incoming weights {copies} (the units are copies); test accuracy {} against {} from He's random start",
            pct(settled(same)),
            pct(settled(random))
        ),
    )
}

#[cfg(test)]
mod same_init_same_units_test {
    use super::super::Finding::*;
    use super::super::fixtures::{layer, run};
    use super::*;

    #[test]
    fn holds_when_the_units_stayed_copies() {
        let with_spread = |spread: f64| {
            let mut r = run("VG-SAME", &[0.3, 0.3, 0.3]);
            r.weights = LAYERS
                .iter()
                .map(|l| layer(l, 0.5, Some(spread), 0.0))
                .collect();
            r
        };
        let random = run("VG-4", &[0.9, 0.95, 0.95]);
        let d = same_init_same_units([&with_spread(0.0), &random]);
        assert_eq!(d.finding, Holds);
        assert!(d.words.contains("are exactly equal"), "{}", d.words);
        assert_eq!(
            same_init_same_units([&with_spread(0.2), &random]).finding,
            Fails
        );
    }
}

/// BatchNorm under the stuck optimizers.
pub const BATCHNORM_RESCUES: Claim = Claim {
    id: "batchnorm-rescues",
    statement: "Batch normalization lets the stalled optimizers learn",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "The three runs without BatchNorm lie flat along the bottom; the same optimizers with BatchNorm climb.",
    exhibits: &[Exhibit {
        chart: Chart::Runs,
        runs: &[X_NOBN_SGD, OPT_E1, X_BN_SGD],
        name: "batchnorm-affine",
        caption: "SGD without BatchNorm stays flat; with BatchNorm whose scale γ and shift β stay frozen at 1 and 0 (as the notebook ran it) it climbs; with γ and β trained it climbs too: normalizing is what rescues it.",
    }],
    evidence: &[Evidence::Runs(&Reads {
        ids: [OPT_A1, OPT_A2, OPT_A3, OPT_E1, OPT_E2, OPT_E3],
        decide: batchnorm_rescues,
    })],
};

fn batchnorm_rescues([a1, a2, a3, e1, e2, e3]: [&RunResult; 6]) -> Decision {
    Decision::holds_if(
        e1.final_test() > a1.final_test() + 0.3
            && e2.final_test() > a2.final_test() + 0.3
            && e3.final_test() > a3.final_test() + 0.3,
        format!(
            "without → with BatchNorm: SGD {} → {}, Momentum {} → {}, AdaGrad {} → {}",
            pct(a1.final_test()),
            pct(e1.final_test()),
            pct(a2.final_test()),
            pct(e2.final_test()),
            pct(a3.final_test()),
            pct(e3.final_test())
        ),
    )
}

#[cfg(test)]
mod batchnorm_rescues_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_only_when_every_optimizer_is_rescued() {
        let (stuck, learns) = (run("A", &[0.11]), run("E", &[0.8]));
        let all = [&stuck, &stuck, &stuck, &learns, &learns, &learns];
        assert_eq!(batchnorm_rescues(all).finding, Holds);
        let one_stays = [&stuck, &stuck, &stuck, &learns, &learns, &stuck];
        assert_eq!(batchnorm_rescues(one_stays).finding, Fails);
    }
}

/// BatchNorm's speed.
pub const BATCHNORM_SPEEDS_LEARNING: Claim = Claim {
    id: "batchnorm-speeds-learning",
    statement: "Batch normalization makes learning faster and the vanishing gradient less likely",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "Each BatchNorm run rises ahead of its twin without it; the sigmoid twin without BatchNorm never leaves the bottom.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [VG_1C, VG_1_BN, VG_4, VG_4_BN],
        decide: batchnorm_speeds_learning,
    })],
};

fn batchnorm_speeds_learning([s, s_bn, relu, relu_bn]: [&RunResult; 4]) -> Decision {
    let reach = |r: &RunResult| r.first_above(0.9);
    let sooner = |a: &RunResult, b: &RunResult| match (reach(a), reach(b)) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(x), Some(y)) => y < x,
    };
    let g1 = |r: &RunResult| gradient_norm(r, "affine1.weight");
    Decision::holds_if(
        sooner(s, s_bn) && sooner(relu, relu_bn) && g1(s_bn) > 10.0 * g1(s),
        format!(
            "above 90% test accuracy from iteration {} with BatchNorm instead of {} (sigmoid, N(0, 0.01²)) and {} instead of {} (ReLU, He); the sigmoid network's first-layer gradient norm {:.2e} with BatchNorm against {:.2e} without",
            when(reach(s_bn)),
            when(reach(s)),
            when(reach(relu_bn)),
            when(reach(relu)),
            g1(s_bn),
            g1(s)
        ),
    )
}

#[cfg(test)]
mod batchnorm_speeds_learning_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_batchnorm_reaches_90_sooner_with_a_stronger_first_layer_gradient() {
        let with_gradient = |tests: &[f64], g: f64| {
            let mut r = run("X", tests);
            r.gradient_norms = vec![(10, vec![("affine1.weight".into(), g)])];
            r
        };
        let s = with_gradient(&[0.11, 0.11], 1e-4);
        let s_bn = with_gradient(&[0.5, 0.92], 1e-1);
        let relu = with_gradient(&[0.8, 0.95], 1.0);
        let relu_bn = with_gradient(&[0.93, 0.96], 1.0);
        assert_eq!(
            batchnorm_speeds_learning([&s, &s_bn, &relu, &relu_bn]).finding,
            Holds
        );
        assert_eq!(
            batchnorm_speeds_learning([&s, &s_bn, &relu_bn, &relu]).finding,
            Fails
        );
    }
}

/// BatchNorm's place.
pub const BATCHNORM_EITHER_SIDE: Claim = Claim {
    id: "batchnorm-either-side",
    statement: "Batch normalization can go before or after the activation",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "The before and after placements of each pair run together to the end.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [VG_1_BN, VG_1_BNA, VG_4_BN, VG_4_BNA],
        decide: batchnorm_either_side,
    })],
};

fn batchnorm_either_side(
    [s_before, s_after, relu_before, relu_after]: [&RunResult; 4],
) -> Decision {
    // Both learn, within 3 points of each other (ten seeds: at most 1.9 apart).
    let close = |a: &RunResult, b: &RunResult| {
        settled(a).min(settled(b)) > 0.9 && (settled(a) - settled(b)).abs() < 0.03
    };
    Decision::holds_if(
        close(s_before, s_after) && close(relu_before, relu_after),
        format!(
            "test accuracy (median of the last 3 evaluations) with BatchNorm before / after the activation: sigmoid {} / {}, ReLU {} / {}",
            pct(settled(s_before)),
            pct(settled(s_after)),
            pct(settled(relu_before)),
            pct(settled(relu_after))
        ),
    )
}

#[cfg(test)]
mod batchnorm_either_side_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_both_placements_learn_alike() {
        let (a, b, far) = (
            run("A", &[0.95; 3]),
            run("B", &[0.94; 3]),
            run("C", &[0.85; 3]),
        );
        assert_eq!(batchnorm_either_side([&a, &b, &a, &b]).finding, Holds);
        assert_eq!(batchnorm_either_side([&a, &far, &a, &b]).finding, Fails);
    }
}
