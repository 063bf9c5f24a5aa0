//! The runs appendix: each group's table, then its runs' curves beside the original
//! notebook's, folded away until the reader opens them.

use std::fmt::Write as _;

use super::figures::{curve_figure, file_id, gradient_figure};
use super::words::pct;
use super::*;

/// The final test accuracy over every seed: "median (min–max)".
fn over_seeds(suite: &SuiteResult, id: &str) -> String {
    let mut v: Vec<f64> = suite.all_seeds(id).iter().map(|r| r.final_test()).collect();
    v.sort_by(f64::total_cmp);
    match v.as_slice() {
        [] => "–".into(),
        [one] => pct(*one),
        all => format!(
            "{} ({}–{})",
            pct(crate::result::median(all)),
            pct(all[0]),
            pct(all[all.len() - 1])
        ),
    }
}

fn check_words(spec: &RunSpec, suite: &SuiteResult) -> (String, String) {
    let many = suite.seeds.len() > 1;
    match spec.expect {
        Expect::Test { lo, hi } | Expect::TailMedian { lo, hi } => {
            let check = suite.checks.iter().find(|c| c.id == spec.id);
            let pass = check.is_some_and(|c| c.pass);
            let measured = check.map_or("–".into(), |c| pct(c.measured));
            let what = match spec.expect {
                Expect::TailMedian { .. } => {
                    format!(" (median of the last 10 evaluations: {measured})")
                }
                _ if many => format!(" (median of the seeds: {measured})"),
                _ => String::new(),
            };
            (
                format!("{}–{}", pct(lo), pct(hi)),
                format!("{}{what}", if pass { "in range" } else { "**outside**" }),
            )
        }
        Expect::Unstable => (
            "–".into(),
            "unstable in the original: judged by the claims".into(),
        ),
        Expect::Nothing => (
            "–".into(),
            spec.variant_of
                .as_ref()
                .map_or("beyond the notebooks".into(), |v| format!("variant of {v}")),
        ),
    }
}

fn run_table(md: &mut String, runs: &[&(RunSpec, RunResult)], suite: &SuiteResult) {
    let many = suite.seeds.len() > 1;
    let seeds_head = if many {
        format!(" test, {} seeds: median (min–max) |", suite.seeds.len())
    } else {
        String::new()
    };
    let _ = writeln!(
        md,
        "| run | setup | train, last evaluation | test, last evaluation |{seeds_head} the notebook's train / test | the original code rerun, test | accepted test | check | time |\n|---|---|---|---|{}---|---|---|---|---|",
        if many { "---|" } else { "" }
    );
    for (spec, result) in runs {
        let rec = spec.recorded.map_or("–".into(), |r| {
            format!("{} / {}", pct(r.train), pct(r.test))
        });
        let fresh = spec
            .recorded
            .and_then(|r| r.fresh_test)
            .map_or("–".into(), pct);
        let (range, check) = check_words(spec, suite);
        let note = result
            .diverged
            .as_ref()
            .map_or(String::new(), |d| format!(" (diverged: {d})"));
        let spread = if many {
            format!(" {} |", over_seeds(suite, &spec.id))
        } else {
            String::new()
        };
        let _ = writeln!(
            md,
            "| <a id=\"run-{}\"></a>{} | {}{note} | {} | {} |{spread} {rec} | {fresh} | {range} | {check} | {:.1} s |",
            file_id(&spec.id),
            spec.id,
            spec.title,
            pct(result.final_train()),
            pct(result.final_test()),
            result.seconds
        );
    }
    md.push('\n');
}

/// What each group's runs are, in a paragraph.
fn intro(group: Group) -> &'static str {
    match group {
        Group::Vg => {
            "A 784-40-20-10 network trained with plain SGD (lr 0.1, 2,000 mini-batches of 100) on all of MNIST, once per activation and initialization. Train accuracy is taken on the current mini-batch before the update, as the original did; the sigmoid runs reproduce the original's derivative taken at the activation's output, and the runs marked \"the correct derivative\" show the same networks without that quirk."
        }
        Group::Opt => {
            "MultiLayerNet 784-40-20-10 with sigmoid and N(0, 0.01²) weights, 1,000 mini-batches, five optimizers at three learning rates, then ReLU variants and BatchNorm, and 45 runs of 500 steps sweeping five optimizers over nine learning rates. As in the original: train accuracy on the current mini-batch after the update, AdaGrad with h₀ = 1e-4 and no ε, BatchNorm's γ and β never updated."
        }
        Group::Of => {
            "A 6x100 ReLU network (He weights) trained on only the first 300 training images for 1,000 mini-batches, tested on all 10,000. The hand-written L1/L2 loops of the original never update the output layer; the dropout runs carry an L2 penalty of 0.001 left over from an earlier cell; both quirks are reproduced, and the variants remove them."
        }
        Group::Cnn => {
            "Convolutional networks trained with Adam (lr 0.001) on the first 5,000 training images, tested on the first 1,000. DeepConvNet is evaluated every 50 iterations instead of every 10 (the points the notes quote are all multiples of 50), its train accuracy on a fixed 1,000 of the 5,000 training images."
        }
        Group::Extra => {
            "Runs for topics the notes discuss without a notebook: BatchNorm with trained γ and β, learning-rate decay, max against average pooling, classic against inverted dropout."
        }
    }
}

/// The learning-rate sweep's runs: a table row each, their curves drawn under their claim.
fn is_sweep(id: &str) -> bool {
    crate::catalog::ids::SWEEP
        .iter()
        .flatten()
        .any(|s| s.as_str() == id)
}

/// Every group's runs.
pub(super) fn appendix(
    md: &mut String,
    figures: &mut Vec<Figure>,
    suite: &SuiteResult,
) -> Result<()> {
    md.push_str("<a id=\"runs\"></a>\n\n## The runs\n\nEvery training run, group by group: its settings, its last evaluation, the numbers the original notebook printed and a fresh rerun of the original code gave, and the range a reproduction must land in. The claims above read medians of the last evaluations where a single evaluation can jump; these tables show the last one, so the two can differ by a point. Open a group's table or its curves; each run's curves sit beside the original notebook's.\n\n");
    for group in Group::ALL {
        let runs: Vec<&(RunSpec, RunResult)> = suite
            .runs
            .iter()
            .filter(|(s, _)| s.group == group)
            .collect();
        if runs.is_empty() {
            continue;
        }
        let _ = writeln!(md, "### {}\n\n{}\n", group.title(), intro(group));
        let _ = writeln!(
            md,
            "<details><summary>The {} runs: settings, last evaluation, the notebook's numbers and the check</summary>\n",
            runs.len()
        );
        run_table(md, &runs, suite);
        md.push_str("</details>\n\n");
        let drawn: Vec<_> = runs.iter().filter(|(s, _)| !is_sweep(&s.id)).collect();
        let _ = writeln!(
            md,
            "<details><summary>The curves of these {} runs: nabla's (solid, {}) beside the original notebook's (dashed), where it printed them</summary>\n",
            drawn.len(),
            super::figures::over_seeds(suite)
        );
        for (spec, result) in drawn {
            let f = curve_figure(spec, suite)?;
            let caption = format!(
                "{}, {}: train accuracy blue, test orange.",
                spec.id, spec.title
            );
            place_figure(md, figures, &spec.id, Some(&caption), "run", f);
            if group == Group::Vg {
                let title = format!("{}: RMS gradient per weight, each layer", spec.id);
                let file = format!("{}-gradients.svg", file_id(&spec.id));
                if let Some(g) = gradient_figure(&title, file, spec.iterations, result)? {
                    let caption = format!(
                        "{}: the root-mean-square gradient of each layer's weights, log scale, first seed; the gap between the lines is how much weaker the push on each weight gets on its way back to the input.",
                        spec.id
                    );
                    place_figure(md, figures, &title, Some(&caption), "run", g);
                }
            }
        }
        md.push_str("</details>\n\n");
    }
    Ok(())
}
