//! The vanishing gradient: the sigmoid's slope, the fading gradient, ReLU.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::verdict::measures::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Computed, Decision, Evidence, Exhibit, Outcome::*, Reads};

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
    use super::*;
    use crate::verdict::fixtures::{layer, run};

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
            decision.finding == crate::verdict::Finding::Holds,
            "{}",
            decision.words
        );
        let flat = network([1e-2, 1e-2, 1e-2], [0.5, 1.0, 2.0]);
        assert_eq!(
            lower_layers_learn_least([&fading, &flat]).finding,
            crate::verdict::Finding::Fails
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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
