//! What the notes discuss without a notebook or a claim to decide: side-by-side runs whose
//! figures and sentences the report shows after the notes' sections.

use super::words::pct;
use super::{Chart, Exhibit};
use crate::RunResult;
use crate::catalog::ids::*;

/// The figures of the side-by-side runs.
pub const EXHIBITS: &[Exhibit] = &[
    Exhibit {
        chart: Chart::Runs,
        runs: &[X_POOL_MAX, X_POOL_AVG],
        name: "pooling",
        caption: "SimpleConvNet with max pooling and with average pooling, 300 steps: the two run together, max pooling a little ahead.",
    },
    Exhibit {
        chart: Chart::Runs,
        runs: &[X_DROP_CLASSIC, X_DROP_INVERTED],
        name: "dropout-kinds",
        caption: "Classic dropout (outputs scaled by 1 − p at test time) and inverted dropout (scaled by 1/(1 − p) while training): the same expected activations, so the two curves agree within noise.",
    },
];

/// One sentence per side-by-side comparison whose runs ran, from their numbers; `get` finds a
/// run of the first seed.
pub fn sentences<'a>(get: &dyn Fn(RunId) -> Option<&'a RunResult>) -> Vec<String> {
    let t = |id: RunId| get(id).map(RunResult::final_test);
    let mut lines = Vec::new();
    if let (Some(trained), Some(frozen), Some(none)) = (t(X_BN_SGD), t(OPT_E1), t(X_NOBN_SGD)) {
        lines.push(format!(
            "BatchNorm with SGD: {} with γ and β trained, {} with them frozen as in the notebook, {} without BatchNorm.",
            pct(trained),
            pct(frozen),
            pct(none)
        ));
    }
    if let (Some(c), Some(d)) = (t(X_LR_CONST), t(X_LR_DECAY)) {
        lines.push(format!(
            "Learning-rate decay: Adam from lr 0.01 ends at {} with a step decay, {} at a constant rate (its claim in section 2 compares the last 5 evaluations).",
            pct(d),
            pct(c)
        ));
    }
    if let (Some(max), Some(avg)) = (t(X_POOL_MAX), t(X_POOL_AVG)) {
        lines.push(format!(
            "Pooling: SimpleConvNet reaches {} with max pooling and {} with average pooling after 300 iterations.",
            pct(max),
            pct(avg)
        ));
    }
    if let (Some(classic), Some(inverted)) = (t(X_DROP_CLASSIC), t(X_DROP_INVERTED)) {
        lines.push(format!(
            "Dropout: classic {}, inverted {}; inverted dropout leaves inference untouched.",
            pct(classic),
            pct(inverted)
        ));
    }
    lines
}
