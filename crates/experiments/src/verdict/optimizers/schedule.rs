//! Learning-rate decay.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Decision, Evidence, Outcome::*, Reads};

/// Decaying the rate.
pub const LR_DECAY: Claim = Claim {
    id: "lr-decay",
    statement: "Starting with a large learning rate and decreasing it ends better than keeping it large",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "Late in training the decayed run stays smooth and high while the constant-rate run keeps jittering below it.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [X_LR_CONST, X_LR_DECAY],
        decide: lr_decay,
    })],
};

fn lr_decay([constant, decayed]: [&RunResult; 2]) -> Decision {
    let tail = |r: &RunResult| {
        let k = r.curve.len().clamp(1, 5);
        r.curve.iter().rev().take(k).map(|p| p.test).sum::<f64>() / k as f64
    };
    let loss = |r: &RunResult| r.curve.last().map_or(f64::NAN, |p| p.loss);
    Decision::holds_if(
        tail(decayed) > tail(constant) && loss(decayed) < loss(constant),
        format!(
            "Adam from lr 0.01: test {} on average over the last 5 evaluations with decay, {} without; training loss {:.3} against {:.3}",
            pct(tail(decayed)),
            pct(tail(constant)),
            loss(decayed),
            loss(constant)
        ),
    )
}

#[cfg(test)]
mod lr_decay_test {
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

    #[test]
    fn holds_when_the_decayed_run_ends_higher_with_a_lower_loss() {
        let constant = run("C", &[0.9, 0.92, 0.91]);
        let mut decayed = run("D", &[0.93, 0.95, 0.95]);
        decayed.curve.last_mut().unwrap().loss = 0.01;
        assert_eq!(lr_decay([&constant, &decayed]).finding, Holds);
        assert_eq!(lr_decay([&decayed, &constant]).finding, Fails);
    }
}
