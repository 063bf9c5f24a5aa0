//! Dropout: the gap, and the average of thinned networks.

use crate::RunResult;
use crate::catalog::ids::*;
use crate::verdict::measures::*;
use crate::verdict::words::*;
use crate::verdict::{Chart, Claim, Decision, Evidence, Outcome::*, Reads};

/// How far the dropout runs' median gap must sit from the unpenalized gap to decide. Ten seeds
/// nobody had looked at (200 to 209): one dropout run's gap scatters with a standard deviation
/// of 1.1 to 1.8 points; the median of the six sat 3.3 to 5.2 points under the unpenalized
/// gap on every seed.
pub const DROPOUT_GAP_MARGIN: f64 = 0.02;

/// Dropout and the gap.
pub const DROPOUT_SUPPRESSES_OVERFITTING: Claim = Claim {
    id: "dropout-suppresses-overfitting",
    statement: "Dropout suppresses overfitting",
    expected: Supported,
    why: "",
    chart: Chart::Gap,
    caption: "Each line is a run's training accuracy minus its test accuracy: how far it overfits. The run without dropout (blue) ends with the widest gap; every dropout run ends below it, SGD's because its training accuracy stays under 100%, Momentum's, AdaGrad's and Adam's because their test accuracy ends higher.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [OF_0, OF_D1, OF_D2, OF_D3, OF_D4, OF_D5, OF_D6],
        decide: dropout_suppresses_overfitting,
    })],
};

fn dropout_suppresses_overfitting(runs: [&RunResult; 7]) -> Decision {
    let (base, dropout) = (runs[0], &runs[1..]);
    let gaps: Vec<f64> = dropout.iter().map(|r| gap10(r)).collect();
    let gap = median_of(gaps.clone());
    let narrower = gap10(base) - gap;
    let names = [
        "SGD (first run)",
        "SGD (second run)",
        "SGD (third run)",
        "Momentum",
        "AdaGrad",
        "Adam",
    ];
    Decision::by_margin(
        narrower,
        DROPOUT_GAP_MARGIN,
        format!(
            "train/test gap (medians of the last 10 evaluations): {} without dropout; with dropout {}: the median {}, {} than without (the margin that decides: {:.0} points); narrower in {} of the 6 dropout runs",
            pct(gap10(base)),
            names
                .iter()
                .zip(&gaps)
                .map(|(n, g)| format!("{n} {}", pct(*g)))
                .collect::<Vec<_>>()
                .join(", "),
            pct(gap),
            narrower_words(narrower),
            100.0 * DROPOUT_GAP_MARGIN,
            gaps.iter().filter(|g| **g < gap10(base)).count()
        ),
    )
}

#[cfg(test)]
mod dropout_suppresses_overfitting_test {
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::settled_at;

    #[test]
    fn decides_on_the_median_gap_of_all_six_runs() {
        let base = settled_at("OF-0", 1.0, 0.76);
        let narrow = settled_at("D", 0.9, 0.72);
        let wide = settled_at("D", 1.0, 0.75);
        let runs = [&base, &narrow, &narrow, &wide, &narrow, &wide, &narrow];
        let d = dropout_suppresses_overfitting(runs);
        assert_eq!(d.finding, Holds, "{}", d.words);
        assert!(d.words.contains("narrower in 4 of the 6"), "{}", d.words);
        let runs = [&base, &wide, &wide, &wide, &narrow, &wide, &narrow];
        assert_eq!(
            dropout_suppresses_overfitting(runs).finding,
            crate::verdict::Finding::WithinNoise
        );
        let wider = settled_at("D", 1.0, 0.7);
        let runs = [&base, &wider, &wider, &wider, &wider, &wider, &wider];
        assert_eq!(dropout_suppresses_overfitting(runs).finding, Fails);
    }
}

/// Dropout as an ensemble.
pub const DROPOUT_ENSEMBLE: Claim = Claim {
    id: "dropout-ensemble",
    statement: "Dropout trains many thinned networks at once; the scaled full network predicts like their average",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [OF_D4, OF_D5, OF_D6],
        decide: dropout_ensemble,
    })],
};

fn dropout_ensemble(runs: [&RunResult; 3]) -> Decision {
    let mut ok = true;
    let mut words = Vec::new();
    for (run, name) in runs.iter().zip(["Momentum", "AdaGrad", "Adam"]) {
        let at = |k: usize| {
            run.ensemble
                .iter()
                .find(|(n, _)| *n == k)
                .map_or(f64::NAN, |(_, a)| *a)
        };
        // Ten seeds: the average of 100 lands within 0.5 points of the scaled network, one
        // thinned network 0.5 to 4.6 points off it.
        let (many, one) = ((at(100) - at(0)).abs(), (at(1) - at(0)).abs());
        ok &= many < 0.015 && many < one;
        words.push(format!(
            "with {name}: scaled network {}, one thinned network {}, average of 5 / 20 / 100: {} / {} / {}",
            pct(at(0)),
            pct(at(1)),
            pct(at(5)),
            pct(at(20)),
            pct(at(100))
        ));
    }
    Decision::holds_if(ok, words.join("; "))
}

#[cfg(test)]
mod dropout_ensemble_test {
    use super::*;
    use crate::verdict::Finding::*;
    use crate::verdict::fixtures::run;

    #[test]
    fn holds_when_the_average_of_many_meets_the_scaled_network() {
        let with = |one: f64, many: f64| {
            let mut r = run("D", &[0.8]);
            r.ensemble = vec![(0, 0.8), (1, one), (5, 0.79), (20, 0.8), (100, many)];
            r
        };
        let good = with(0.75, 0.801);
        assert_eq!(dropout_ensemble([&good, &good, &good]).finding, Holds);
        let far = with(0.75, 0.7);
        assert_eq!(dropout_ensemble([&good, &far, &good]).finding, Fails);
    }
}
