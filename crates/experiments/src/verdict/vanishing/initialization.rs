//! How the weights start: Xavier, He, and a symmetric start.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::verdict::measures::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Decision, Evidence, Exhibit, Outcome::*, Reads};

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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::{layer, run};

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
