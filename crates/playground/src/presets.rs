//! One preset per claim of the notes that a small run can show: its settings, what to look
//! at, and the claim in the experiments report's words.

use serde::Serialize;
use serde_json::json;

use crate::settings::Settings;

/// A ready-made setup.
#[derive(Debug, Clone, Serialize)]
pub struct Preset {
    /// Short id, used in the page's address (`#preset=sigmoid-stuck`).
    pub id: &'static str,
    /// Its name on the page.
    pub title: &'static str,
    /// What to look at while it trains.
    pub look_at: &'static str,
    /// The report's claim it shows (`claim-<id>` in report.html).
    pub claim: &'static str,
    /// The claim as the report states it.
    pub statement: &'static str,
    /// The knobs, as the page sends them.
    pub settings: Settings,
}

/// A preset from settings given as JSON changes to the defaults.
fn preset(
    id: &'static str,
    title: &'static str,
    claim: &'static str,
    look_at: &'static str,
    changes: serde_json::Value,
) -> Preset {
    let settings: Settings = serde_json::from_value(changes)
        .unwrap_or_else(|e| unreachable!("preset {id} has settings of the right kinds: {e}"));
    let statement = nabla_experiments::verdict::Section::ALL
        .iter()
        .flat_map(|s| s.claims())
        .find(|c| c.id == claim)
        .map_or("", |c| c.statement);
    Preset {
        id,
        title,
        look_at,
        claim,
        statement,
        settings,
    }
}

/// Every preset, in the notes' order.
pub fn all() -> Vec<Preset> {
    vec![
        preset(
            "sigmoid-stuck",
            "Sigmoid, N(0, 0.01²): stuck",
            "relu-fixes-vanishing",
            "Accuracy stays near 50%: the first layer's gradient norm sits orders of magnitude below the last one's.",
            json!({"data": "spiral", "hidden": [16, 16, 16, 16], "activation": "sigmoid", "init": "normal", "sigma": 0.01, "optimizer": "sgd", "lr": 0.1}),
        ),
        preset(
            "relu-learns",
            "ReLU, He: the same network learns",
            "relu-fixes-vanishing",
            "The gradient norms of all layers move together, accuracy climbs, and the boundary bends around the spiral.",
            json!({"data": "spiral", "hidden": [16, 16, 16, 16], "activation": "relu", "init": "he", "optimizer": "sgd", "lr": 0.1}),
        ),
        preset(
            "xavier-sigmoid",
            "Sigmoid with Xavier",
            "xavier-helps-both",
            "The network solves XOR; set the initialization to N(0, σ²) with σ 0.01 and start again: it stays at 50%.",
            json!({"data": "xor", "hidden": [8, 8], "activation": "sigmoid", "init": "xavier", "optimizer": "sgd", "lr": 1.0}),
        ),
        preset(
            "batchnorm-rescues",
            "BatchNorm rescues SGD at N(0, 0.01²)",
            "batchnorm-rescues",
            "Switch BatchNorm off and on: with it, the tiny initial weights no longer matter.",
            json!({"data": "spiral", "hidden": [16, 16, 16, 16], "activation": "relu", "init": "normal", "sigma": 0.01, "batchnorm": "before", "optimizer": "sgd", "lr": 0.1}),
        ),
        preset(
            "adagrad-shrinks",
            "AdaGrad's shrinking step",
            "adagrad-rate-shrinks",
            "The loss falls fast, then slows as AdaGrad's accumulated squares shrink every step; compare with RMSProp.",
            json!({"data": "spiral", "hidden": [16, 16], "optimizer": "adagrad", "lr": 0.1}),
        ),
        preset(
            "l1-vs-l2",
            "L1 against L2",
            "l1-exact-zeros",
            "With L1 many first-layer units go silent (flat unit maps); change it to L2 and they shrink without vanishing.",
            json!({"data": "xor", "hidden": [16], "optimizer": "adam", "lr": 0.03, "l1": 0.003}),
        ),
        preset(
            "dropout-gap",
            "Dropout narrows the gap",
            "dropout-suppresses-overfitting",
            "A wide network on 100 noisy points: train accuracy runs ahead of test. Pin it, set dropout to 0.3 and start again: the gap narrows.",
            json!({"data": "spiral", "points": 100, "noise": 0.5, "hidden": [64, 64], "optimizer": "adam", "lr": 0.01}),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_names_a_claim_of_the_report() {
        for p in all() {
            p.settings.check().unwrap();
            assert!(
                !p.statement.is_empty(),
                "{}: no claim `{}` in the report",
                p.id,
                p.claim
            );
        }
    }
}
