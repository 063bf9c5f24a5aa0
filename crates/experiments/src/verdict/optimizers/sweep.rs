//! The learning-rate sweep: how wide a range of rates works for each optimizer.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::catalog::notes::{SWEEP_OPTIMIZERS, SWEEP_RATES};
use crate::verdict::measures::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Decision, Evidence, Outcome::*, Reads};

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
    // A rate that fails between two where RMSProp learns: its first steps move every weight
    // by about ±lr/√(1−ρ), and whether the sigmoid layers recover is a coin toss.
    let rms_row = SWEEP_OPTIMIZERS
        .iter()
        .position(|o| *o == "RMSProp")
        .unwrap_or(0);
    let rms_runs = &runs[rms_row * SWEEP_RATES.len()..(rms_row + 1) * SWEEP_RATES.len()];
    let learns = |r: &RunResult| settled(r) > 0.7;
    let holes: Vec<String> = (1..rms_runs.len().saturating_sub(1))
        .filter(|&k| {
            settled(rms_runs[k]) < 0.5 && learns(rms_runs[k - 1]) && learns(rms_runs[k + 1])
        })
        .map(|k| format!("lr {} ({})", SWEEP_RATES[k], pct(settled(rms_runs[k]))))
        .collect();
    let hole_words = if holes.is_empty() {
        String::new()
    } else {
        format!(
            "; RMSProp fails at {} between rates where it learns: there its large first steps are a coin toss",
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
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

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
