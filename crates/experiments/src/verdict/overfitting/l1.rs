//! L1 against L2: exact zeros, and the diamond's corners.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::verdict::measures::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Computed, Decision, Evidence, Outcome::*, Reads};

/// The diamond and the circle.
pub const L1_DIAMOND_CORNER: Claim = Claim {
    id: "l1-diamond-corner",
    statement: "A loss's contours touch L1's diamond at a corner (a weight exactly 0) and L2's circle where both weights are non-zero",
    expected: Supported,
    why: "",
    chart: Chart::Constraints,
    caption: "Grey: the loss's contours around its unconstrained minimum (the cross). The contour that first touches the diamond ‖w‖₁ ≤ 1 touches it at its corner on the w₁ axis (the orange dot: w₂ exactly 0); the one that first touches the circle ‖w‖₂ ≤ 1 does so where both weights are non-zero (the blue dot).",
    exhibits: &[],
    evidence: &[Evidence::Computed(l1_diamond_corner)],
};

fn l1_diamond_corner(c: &Computed) -> Decision {
    let s = &c.penalty_shapes;
    Decision::holds_if(
        s.l1.0.abs().min(s.l1.1.abs()) < 1e-9 && s.l2.0.abs().min(s.l2.1.abs()) > 0.1,
        format!(
            "the quadratic loss centred at (2, 0.8) is smallest on the L1 ball ‖w‖₁ ≤ 1 at ({:.3}, {:.3}) and on the L2 ball ‖w‖₂ ≤ 1 at ({:.3}, {:.3})",
            s.l1.0, s.l1.1, s.l2.0, s.l2.1
        ),
    )
}

/// L1's zeros.
pub const L1_EXACT_ZEROS: Claim = Claim {
    id: "l1-exact-zeros",
    statement: "L1 drives many weights to (nearly) zero; L2 makes them small but not zero",
    expected: Supported,
    why: "",
    chart: Chart::WeightHistograms,
    caption: "Each panel counts a run's weights divided by their layer's RMS, so that shrinking alone does not change the shape: the L1 runs (left three) pile weights up at exactly 0, the L2 runs (right three) keep a bell however strong the penalty.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [
            OF_L1_0_001,
            OF_L1_0_003,
            OF_L1_0_01,
            OF_L2_0_01,
            OF_L2_0_1,
            OF_L2_1,
        ],
        decide: l1_exact_zeros,
    })],
};

/// The fraction of all the run's weights below 1e-3 after training, and below 1% of their
/// own tensor's RMS (scale-free: a shrunken Gaussian keeps about 0.8% there).
fn near_zero(r: &RunResult) -> (f64, f64) {
    let (abs, rel, all) = r.weights.iter().fold((0.0, 0.0, 0.0), |(a, b, n), w| {
        let c = w.count as f64;
        (a + w.near_zero * c, b + w.near_zero_relative * c, n + c)
    });
    (abs / all, rel / all)
}

const L1_NAMES: [&str; 3] = ["L1 λ 0.001", "L1 λ 0.003", "L1 λ 0.01"];
const L2_NAMES: [&str; 3] = ["L2 λ 0.01", "L2 λ 0.1", "L2 λ 1"];

fn l1_exact_zeros(runs: [&RunResult; 6]) -> Decision {
    let (l1, l2) = runs.split_at(3);
    // The pair of runs, one L1 and one L2, with the closest test accuracies.
    let mut best: Option<(usize, usize)> = None;
    let d = |i: usize, j: usize| (settled(l1[i]) - settled(l2[j])).abs();
    for i in 0..3 {
        for j in 0..3 {
            if best.is_none_or(|(x, y)| d(i, j) < d(x, y)) {
                best = Some((i, j));
            }
        }
    }
    let Some((i, j)) = best else {
        return Decision::holds_if(false, "no runs".into());
    };
    let (a, b) = (l1[i], l2[j]);
    let (za, zb) = (near_zero(a), near_zero(b));
    Decision::holds_if(
        za.1 > 0.05 && za.1 > 3.0 * zb.1 && d(i, j) < 0.05,
        format!(
            "at comparable test accuracy ({} with {}, {} with {}): {} of the weights below 1% of their layer's RMS with L1, {} with L2 (a Gaussian has 0.8% there); below 1e-3: {} and {}",
            pct(settled(a)),
            L1_NAMES[i],
            pct(settled(b)),
            L2_NAMES[j],
            pct(za.1),
            pct(zb.1),
            pct(za.0),
            pct(zb.0)
        ),
    )
}

#[cfg(test)]
mod l1_exact_zeros_test {
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::{layer, run};

    #[test]
    fn judges_l1_against_the_l2_run_of_closest_accuracy() {
        let with = |test: f64, zeros: f64| {
            let mut r = run("X", &[test, test, test]);
            r.weights = vec![layer("affine1.weight", 0.1, None, zeros)];
            r
        };
        let runs = [
            with(0.70, 0.5),
            with(0.60, 0.8),
            with(0.20, 1.0),
            with(0.71, 0.0),
            with(0.40, 0.01),
            with(0.10, 0.02),
        ];
        let d = l1_exact_zeros(runs.each_ref());
        assert_eq!(d.finding, Holds, "{}", d.words);
        assert!(
            d.words.contains("L1 λ 0.001") && d.words.contains("L2 λ 0.01"),
            "{}",
            d.words
        );
        let no_zeros = [0.7, 0.6, 0.2, 0.71, 0.4, 0.1].map(|t| with(t, 0.01));
        assert_eq!(l1_exact_zeros(no_zeros.each_ref()).finding, Fails);
    }
}
