//! Batch normalization: what it rescues, how much faster, and where it goes.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::verdict::measures::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Decision, Evidence, Exhibit, Outcome::*, Reads};

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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
