//! The optimizers on functions of two variables: overshoot, minima, saddles, scale.

use crate::computed::{ADAGRAD_AFTER, Path, SADDLE_HISTORY, Surface};
use crate::verdict::{Chart, Claim, Computed, Decision, Evidence, Outcome::*};

fn surface_path<'a>(c: &'a Computed, s: Surface, optimizer: &str) -> Option<&'a Path> {
    c.surface(s).and_then(|run| run.path(optimizer))
}

fn steps(p: Option<&Path>) -> String {
    p.and_then(|p| p.reaches)
        .map_or("not within 100".into(), |k| k.to_string())
}

fn end(p: Option<&Path>) -> String {
    p.map_or("–".into(), |p| {
        format!("({:.2}, {:.2})", p.end.0, p.end.1)
    })
}

/// Momentum's overshoot.
pub const MOMENTUM_SETTLES_SLOWLY: Claim = Claim {
    id: "momentum-settles-slowly",
    statement: "Momentum rolls like a ball: it overshoots the bottom of a long valley and takes a while to settle there",
    expected: Supported,
    why: "",
    chart: Chart::Paths(Surface::Bowl),
    caption: "Follow Momentum: it overshoots x = 0 lengthwise several times before it settles; SGD zigzags across the narrow direction instead; RMSProp and AdaGrad head almost straight in. The cross marks the start; the minimum is at the origin.",
    exhibits: &[],
    evidence: &[Evidence::Computed(momentum_settles_slowly)],
};

fn momentum_settles_slowly(c: &Computed) -> Decision {
    let sgd = surface_path(c, Surface::Bowl, "SGD");
    let mom = surface_path(c, Surface::Bowl, "Momentum");
    let ok = match (sgd, mom) {
        (Some(s), Some(m)) => {
            m.x_crossings >= 2
                && s.x_crossings == 0
                && m.reaches.unwrap_or(usize::MAX) > s.reaches.unwrap_or(usize::MAX).min(100) / 2
        }
        _ => false,
    };
    Decision::holds_if(
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

/// Momentum past a local minimum.
pub const MOMENTUM_GLOBAL_MINIMUM: Claim = Claim {
    id: "momentum-global-minimum",
    statement: "Momentum can carry past a local minimum to the global one where plain SGD stops in the first",
    expected: Supported,
    why: "",
    chart: Chart::Paths(Surface::TwoMinima),
    caption: "SGD stops in the right-hand basin (the local minimum); Momentum's velocity carries it over the ridge into the deeper left-hand one. The cross marks the start.",
    exhibits: &[],
    evidence: &[Evidence::Computed(momentum_global_minimum)],
};

fn momentum_global_minimum(c: &Computed) -> Decision {
    let s = Surface::TwoMinima;
    let (sgd, mom) = (surface_path(c, s, "SGD"), surface_path(c, s, "Momentum"));
    let global = |p: Option<&Path>| p.is_some_and(|p| p.end.0 < -0.5);
    let local = |p: Option<&Path>| p.is_some_and(|p| p.end.0 > 0.5);
    Decision::holds_if(
        global(mom) && local(sgd),
        format!(
            "on {} from (2, 1), both at lr 0.05 for 100 steps: Momentum ends at {} (the global minimum, x ≈ −1.04), SGD at {} (the local one, x ≈ 0.96)",
            s.formula(),
            end(mom),
            end(sgd)
        ),
    )
}

/// AdaGrad's shrinking rate.
pub const ADAGRAD_RATE_SHRINKS: Claim = Claim {
    id: "adagrad-rate-shrinks",
    statement: "AdaGrad's effective learning rate keeps shrinking; RMSProp's does not",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Computed(adagrad_rate_shrinks)],
};

fn adagrad_rate_shrinks(c: &Computed) -> Decision {
    let of = |name: &str| {
        c.step_lengths
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(vec![f64::NAN; 4], |(_, v)| v.clone())
    };
    let (ada, rms) = (of("AdaGrad"), of("RMSProp"));
    Decision::holds_if(
        ada[3] < ada[0] / 10.0 && rms[3] > 0.5 * 0.1 && rms[3] > 10.0 * ada[3],
        format!(
            "step length under a constant gradient at lr 0.1, steps 1 / 10 / 100 / 1000: AdaGrad {:.4} / {:.4} / {:.4} / {:.4} (lr/√t), RMSProp {:.4} / {:.4} / {:.4} / {:.4} (settles at lr)",
            ada[0], ada[1], ada[2], ada[3], rms[0], rms[1], rms[2], rms[3]
        ),
    )
}

/// Adam as Momentum plus RMSProp.
pub const ADAM_COMBINES: Claim = Claim {
    id: "adam-combines",
    statement: "Adam combines Momentum (it keeps a velocity) and RMSProp (its step ignores the gradient's scale)",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Computed(adam_combines)],
};

fn adam_combines(c: &Computed) -> Decision {
    let gap = |name: &str| {
        c.scale_invariance
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(f64::NAN, |(_, g)| *g)
    };
    let crossings = |o: &str| surface_path(c, Surface::Bowl, o).map_or(0, |p| p.x_crossings);
    Decision::holds_if(
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

/// AdaGrad at a saddle.
pub const ADAGRAD_STALLS_AT_SADDLE: Claim = Claim {
    id: "adagrad-stalls-at-saddle",
    statement: "AdaGrad can stall at a saddle point (its learning rate has shrunk by the time it gets there)",
    expected: Supported,
    why: "",
    chart: Chart::Paths(Surface::Saddle),
    caption: "Every path starts at the cross, a hair off the saddle's ridge (the x axis). A fresh AdaGrad turns toward the minimum at (0, 1) at once, sooner than SGD, because it scales each coordinate by that coordinate's own history; the AdaGrad that took 100 steps elsewhere before it arrived creeps along the ridge toward the saddle at the origin and, 100 steps later, has still not left it.",
    exhibits: &[],
    evidence: &[Evidence::Computed(adagrad_stalls_at_saddle)],
};

fn adagrad_stalls_at_saddle(c: &Computed) -> Decision {
    let s = Surface::Saddle;
    let fresh = surface_path(c, s, "AdaGrad");
    let after = surface_path(c, s, ADAGRAD_AFTER);
    let sgd = surface_path(c, s, "SGD");
    let off_ridge =
        |p: Option<&Path>, k: usize| p.and_then(|p| p.points.get(k)).map_or(0.0, |q| q.1.abs());
    let last = |p: Option<&Path>| p.map_or(0, |p| p.points.len().saturating_sub(1));
    // It can stall: arriving with a history, it is still on the ridge (within 0.1) when SGD
    // has reached a minimum's neighbourhood.
    let stalls = off_ridge(after, last(after)) < 0.1 && off_ridge(sgd, last(sgd)) > 0.5;
    Decision::holds_if(
        stalls,
        format!(
            "it depends on AdaGrad's history. On {} from (1.5, 0.001) at lr 0.05: arriving fresh, AdaGrad is {:.3} away from the saddle's ridge after 10 steps, SGD {:.4} (AdaGrad leaves sooner: its step in the flat direction is full-sized); arriving after {} earlier steps (its rate shrunk to a tenth), after 100 steps it is still {:.4} from the ridge at {}, while SGD ends at {}",
            s.formula(),
            off_ridge(fresh, 10),
            off_ridge(sgd, 10),
            SADDLE_HISTORY,
            off_ridge(after, last(after)),
            end(after),
            end(sgd)
        ),
    )
}

#[cfg(test)]
mod adagrad_stalls_at_saddle_test {
    use super::*;

    #[test]
    fn the_adagrad_with_history_stays_on_the_ridge() {
        let c = crate::computed::run().unwrap();
        let d = adagrad_stalls_at_saddle(&c);
        assert_eq!(d.finding, crate::verdict::Finding::Holds, "{}", d.words);
        // And the fresh one leaves sooner than SGD: the other half of "it depends".
        let y10 = |o: &str| {
            surface_path(&c, Surface::Saddle, o).unwrap().points[10]
                .1
                .abs()
        };
        assert!(y10("AdaGrad") > 10.0 * y10("SGD"));
    }
}
