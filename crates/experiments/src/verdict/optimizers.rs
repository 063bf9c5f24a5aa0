//! Section 2 of the notes: learning-rate optimizers and schedules. Each claim is followed by
//! its decision and the decision's test.

use super::measures::settled;
use super::words::{and_list, pct};
use super::{Chart, Claim, Computed, Decision, Evidence, Outcome::*, Reads};
use crate::RunResult;
use crate::catalog::ids::*;
use crate::catalog::notes::{SWEEP_OPTIMIZERS, SWEEP_RATES};
use crate::computed::{ADAGRAD_AFTER, Path, SADDLE_HISTORY, Surface};

/// The claims of section 2, in the report's order.
pub const CLAIMS: &[&Claim] = &[
    &MOMENTUM_SETTLES_SLOWLY,
    &MOMENTUM_GLOBAL_MINIMUM,
    &ADAGRAD_RATE_SHRINKS,
    &ADAGRAD_STALLS_AT_SADDLE,
    &ADAM_COMBINES,
    &ADAPTIVE_BEATS_STALLED_SGD,
    &LR_SPEED_AND_ACCURACY,
    &RMSPROP_LESS_TUNING,
    &LR_DECAY,
];

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
        assert_eq!(d.finding, super::super::Finding::Holds, "{}", d.words);
        // And the fresh one leaves sooner than SGD: the other half of "it depends".
        let y10 = |o: &str| {
            surface_path(&c, Surface::Saddle, o).unwrap().points[10]
                .1
                .abs()
        };
        assert!(y10("AdaGrad") > 10.0 * y10("SGD"));
    }
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
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

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
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_accuracy_and_speed_both_move() {
        let (stuck, learns) = (run("S", &[0.11; 10]), run("L", &[0.9; 10]));
        let moved = [&stuck, &learns, &stuck, &learns, &learns, &stuck];
        assert_eq!(lr_speed_and_accuracy(moved).finding, Holds);
        let same = [&learns, &learns, &stuck, &stuck, &learns, &learns];
        assert_eq!(lr_speed_and_accuracy(same).finding, Fails);
    }
}

/// The bar a sweep run must clear after 500 steps.
pub const SWEEP_BAR: f64 = 0.85;

/// RMSProp's range of working rates.
pub const RMSPROP_LESS_TUNING: Claim = Claim {
    id: "rmsprop-less-tuning",
    statement: "RMSProp needs less tuning of the learning rate",
    expected: Contradicted,
    why: "the notes set RMSProp against plain SGD only; set against every optimizer of the sweep, the width of its range of working rates is not the largest (the counts are in the verdict)",
    chart: Chart::Sweep,
    caption: "The dotted line marks 85%: the width of each curve above it is the range of learning rates that work for that optimizer. A curve that drops below and climbs back between neighbouring rates shows a rate at which that optimizer is a coin toss.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: flatten_sweep(),
        decide: rmsprop_less_tuning,
    })],
};

const SWEEP_RUNS: usize = SWEEP_OPTIMIZERS.len() * SWEEP_RATES.len();

/// The sweep's ids in one row, optimizer by optimizer.
const fn flatten_sweep() -> [RunId; SWEEP_RUNS] {
    let mut out = [SWEEP[0][0]; SWEEP_RUNS];
    let mut k = 0;
    while k < SWEEP_RUNS {
        out[k] = SWEEP[k / SWEEP_RATES.len()][k % SWEEP_RATES.len()];
        k += 1;
    }
    out
}

/// The rates (by index) at which each optimizer of the sweep clears the bar.
pub fn sweep_widths(runs: &[&RunResult]) -> Vec<(&'static str, Vec<usize>)> {
    let rates = SWEEP_RATES.len();
    SWEEP_OPTIMIZERS
        .iter()
        .enumerate()
        .map(|(k, &name)| {
            let works = runs
                .iter()
                .skip(k * rates)
                .take(rates)
                .enumerate()
                .filter(|(_, run)| run.diverged.is_none() && settled(run) > SWEEP_BAR)
                .map(|(i, _)| i)
                .collect();
            (name, works)
        })
        .collect()
}

fn rmsprop_less_tuning(runs: [&RunResult; SWEEP_RUNS]) -> Decision {
    let widths = sweep_widths(&runs);
    let of = |name: &str| {
        widths
            .iter()
            .find(|(o, _)| *o == name)
            .map_or(0, |(_, w)| w.len())
    };
    let rms = of("RMSProp");
    let others: Vec<(&str, usize)> = widths
        .iter()
        .filter(|(o, _)| *o != "RMSProp")
        .map(|(o, w)| (*o, w.len()))
        .collect();
    let names = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        others
            .iter()
            .filter(|(_, w)| keep(*w))
            .map(|(o, _)| format!("{o}'s"))
            .collect()
    };
    let mut relation = Vec::new();
    for (word, keep) in [
        ("wider than", &(|w| w < rms) as &dyn Fn(usize) -> bool),
        ("as wide as", &|w| w == rms),
        ("narrower than", &|w| w > rms),
    ] {
        let n = names(keep);
        if !n.is_empty() {
            relation.push(format!("{word} {}", and_list(&n)));
        }
    }
    // A rate that fails between two that work: RMSProp's first steps at lr 0.1 move every
    // weight by about ±lr/√(1−ρ), and whether the sigmoid layers recover is a coin toss.
    let rms_row = SWEEP_OPTIMIZERS
        .iter()
        .position(|o| *o == "RMSProp")
        .unwrap_or(0);
    let rms_runs = &runs[rms_row * SWEEP_RATES.len()..(rms_row + 1) * SWEEP_RATES.len()];
    let holes: Vec<String> = (1..rms_runs.len().saturating_sub(1))
        .filter(|&k| {
            settled(rms_runs[k]) < SWEEP_BAR
                && settled(rms_runs[k - 1]) > SWEEP_BAR
                && settled(rms_runs[k + 1]) > SWEEP_BAR
        })
        .map(|k| format!("lr {} ({})", SWEEP_RATES[k], pct(settled(rms_runs[k]))))
        .collect();
    let hole_words = if holes.is_empty() {
        String::new()
    } else {
        format!(
            "; RMSProp fails at {} between rates that work on either side: a rate where its large first steps are a coin toss",
            and_list(&holes)
        )
    };
    Decision::holds_if(
        others.iter().all(|(_, w)| rms > *w),
        format!(
            "learning rates (of 9 from 1e-4 to 1, half a decade apart) that bring test accuracy above 85% in 500 steps: {}; RMSProp's range is {}{hole_words}",
            widths
                .iter()
                .map(|(n, w)| format!("{n} {}", w.len()))
                .collect::<Vec<_>>()
                .join(", "),
            and_list(&relation),
        ),
    )
}

#[cfg(test)]
mod rmsprop_less_tuning_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    fn sweep(works: impl Fn(usize) -> bool) -> Vec<RunResult> {
        (0..SWEEP_RUNS)
            .map(|k| {
                let t = if works(k) { 0.95 } else { 0.3 };
                run(SWEEP[k / 9][k % 9].as_str(), &[0.5, t, t, t])
            })
            .collect()
    }

    fn decide(runs: &[RunResult]) -> Decision {
        let refs: Vec<&RunResult> = runs.iter().collect();
        rmsprop_less_tuning(refs.try_into().unwrap())
    }

    #[test]
    fn holds_only_when_rmsprops_range_is_the_widest() {
        // RMSProp (the fourth row) works at every rate, the others at one.
        let d = decide(&sweep(|k| (27..36).contains(&k) || k % 9 == 4));
        assert_eq!(d.finding, Holds, "{}", d.words);
        assert!(
            d.words
                .contains("wider than SGD's, Momentum's, AdaGrad's and Adam's"),
            "{}",
            d.words
        );
        // As wide as SGD's, narrower than the rest: the words say exactly that, no empty list.
        let d = decide(&sweep(|k| {
            let (row, rate) = (k / 9, k % 9);
            match row {
                0 | 3 => (2..5).contains(&rate),
                _ => (1..6).contains(&rate),
            }
        }));
        assert_eq!(d.finding, Fails);
        assert!(
            d.words.ends_with(
                "RMSProp's range is as wide as SGD's and narrower than Momentum's, AdaGrad's and Adam's"
            ),
            "{}",
            d.words
        );
        assert!(!d.words.contains("[]"));
    }

    #[test]
    fn a_diverged_run_never_counts_and_a_hole_is_named() {
        let mut runs = sweep(|k| (27..36).contains(&k) && k != 33);
        assert!(decide(&runs).words.contains("fails at lr 0.1 (30.0%)"));
        for r in &mut runs[27..36] {
            r.diverged = Some("loss NaN".into());
        }
        assert!(decide(&runs).words.contains("RMSProp 0"));
    }

    #[test]
    fn the_flattened_sweep_is_the_sweep_row_by_row() {
        let flat = flatten_sweep();
        assert_eq!(flat[0], SWEEP[0][0]);
        assert_eq!(flat[SWEEP_RUNS - 1], SWEEP[4][8]);
        assert_eq!(flat[9 * 3 + 4], SWEEP[3][4]);
    }
}

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
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_the_decayed_run_ends_higher_with_a_lower_loss() {
        let constant = run("C", &[0.9, 0.92, 0.91]);
        let mut decayed = run("D", &[0.93, 0.95, 0.95]);
        decayed.curve.last_mut().unwrap().loss = 0.01;
        assert_eq!(lr_decay([&constant, &decayed]).finding, Holds);
        assert_eq!(lr_decay([&decayed, &constant]).finding, Fails);
    }
}
