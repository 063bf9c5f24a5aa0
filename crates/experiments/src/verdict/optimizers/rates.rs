//! Optimizers and learning rates on MNIST: where SGD stalls, what the rate changes.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Decision, Evidence, Outcome::*, Reads};

/// Adaptive optimizers where SGD stalls.
pub const ADAPTIVE_BEATS_STALLED_SGD: Claim = Claim {
    id: "adaptive-beats-stalled-sgd",
    statement: "Adaptive optimizers (RMSProp, Adam) learn where SGD stalls",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "SGD lies flat along the bottom; the adaptive optimizers climb from the start with the same network and rate.",
    exhibits: &[],
    evidence: &[
        Evidence::Runs(&Reads {
            ids: [OPT_A1, OPT_A4, OPT_A5],
            decide: adaptive_beats_sgd,
        }),
        Evidence::Runs(&Reads {
            ids: [OPT_A1, OPT_A4],
            decide: rmsprop_beats_sgd,
        }),
    ],
};

fn adaptive_beats_sgd([sgd, rms, adam]: [&RunResult; 3]) -> Decision {
    Decision::holds_if(
        sgd.final_test() < 0.2 && rms.final_test() > 0.85 && adam.final_test() > 0.85,
        format!(
            "sigmoid, N(0, 0.01²), lr 0.01: SGD {}, RMSProp {}, Adam {}",
            pct(sgd.final_test()),
            pct(rms.final_test()),
            pct(adam.final_test())
        ),
    )
}

fn rmsprop_beats_sgd([sgd, rms]: [&RunResult; 2]) -> Decision {
    Decision::holds_if(
        sgd.final_test() < 0.2 && rms.final_test() > 0.85,
        format!(
            "sigmoid, N(0, 0.01²), lr 0.01: SGD {}, RMSProp {}",
            pct(sgd.final_test()),
            pct(rms.final_test())
        ),
    )
}

#[cfg(test)]
mod adaptive_beats_stalled_sgd_test {
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

    #[test]
    fn holds_when_sgd_stays_stuck_and_both_adaptive_learn() {
        let (stuck, learns) = (run("A1", &[0.11]), run("A4", &[0.94]));
        assert_eq!(
            adaptive_beats_sgd([&stuck, &learns, &learns]).finding,
            Holds
        );
        assert_eq!(adaptive_beats_sgd([&stuck, &learns, &stuck]).finding, Fails);
        assert_eq!(rmsprop_beats_sgd([&learns, &learns]).finding, Fails);
    }
}

/// The learning rate's two effects.
pub const LR_SPEED_AND_ACCURACY: Claim = Claim {
    id: "lr-speed-and-accuracy",
    statement: "The learning rate changes both the speed of learning and the accuracy reached",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "Pair each optimizer's two rates: Momentum and AdaGrad only leave the plateau at 0.1, RMSProp learns at 0.01 and breaks down or slows at 0.1.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [OPT_A2, OPT_C2, OPT_A3, OPT_C3, OPT_A4, OPT_C4],
        decide: lr_speed_and_accuracy,
    })],
};

fn lr_speed_and_accuracy([mom01, mom1, ada01, ada1, rms01, rms1]: [&RunResult; 6]) -> Decision {
    let settled10 = |r: &RunResult| r.tail_median(10, |p| p.test);
    let pairs = [
        ("Momentum", mom01, mom1),
        ("AdaGrad", ada01, ada1),
        ("RMSProp", rms01, rms1),
    ];
    // The claim is about change, in either direction: accuracy moved by more than 20 points
    // for two of the three optimizers (seeds land 37 to 85 points apart for two of them)...
    let moved = pairs
        .iter()
        .filter(|(_, a, b)| (settled10(a) - settled10(b)).abs() > 0.2)
        .count();
    // ...and the speed changed: 50% reached at one rate and not the other, or twice as fast.
    let faster = pairs
        .iter()
        .any(|(_, a, b)| match (a.first_above(0.5), b.first_above(0.5)) {
            (Some(x), Some(y)) => x >= 2 * y || y >= 2 * x,
            (x, y) => x.is_some() != y.is_some(),
        });
    let reach = |r: &RunResult| {
        r.first_above(0.5)
            .map_or("never".into(), |i| format!("at {i}"))
    };
    Decision::holds_if(
        moved >= 2 && faster,
        format!(
            "from lr 0.01 to 0.1 (median of the last 10 evaluations; iteration of the first evaluation above 50%): {}",
            pairs
                .iter()
                .map(|(name, a, b)| format!(
                    "{name} {} → {} (50% {} → {})",
                    pct(settled10(a)),
                    pct(settled10(b)),
                    reach(a),
                    reach(b)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

#[cfg(test)]
mod lr_speed_and_accuracy_test {
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

    #[test]
    fn holds_when_accuracy_and_speed_both_move() {
        let (stuck, learns) = (run("S", &[0.11; 10]), run("L", &[0.9; 10]));
        let moved = [&stuck, &learns, &stuck, &learns, &learns, &stuck];
        assert_eq!(lr_speed_and_accuracy(moved).finding, Holds);
        let same = [&learns, &learns, &stuck, &stuck, &learns, &learns];
        assert_eq!(lr_speed_and_accuracy(same).finding, Fails);
    }
}
