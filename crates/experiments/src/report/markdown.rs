//! `report.md`: the verdicts, then each group's runs with their tables and figures.

use std::fmt::Write as _;

use super::figures::{curve_figure, gradient_figure};
use super::sections::{alexnet_section, im2col_section, init_section, search_section};
use super::*;

fn run_table(md: &mut String, runs: &[&(RunSpec, RunResult)], suite: &SuiteResult) {
    md.push_str("| run | setup | train | test | recorded train / test | fresh rerun test | accepted test | check | time |\n|---|---|---|---|---|---|---|---|---|\n");
    for (spec, result) in runs {
        let rec = spec.recorded.map_or("–".into(), |r| {
            format!("{} / {}", pct(r.train), pct(r.test))
        });
        let fresh = spec
            .recorded
            .and_then(|r| r.fresh_test)
            .map_or("–".into(), pct);
        let (range, check) = match spec.expect {
            Expect::Test { lo, hi } | Expect::TailMedian { lo, hi } => {
                let check = suite.checks.iter().find(|c| c.id == spec.id);
                let pass = check.is_some_and(|c| c.pass);
                let what = match spec.expect {
                    Expect::TailMedian { .. } => format!(
                        " (median of the last 10 evaluations: {})",
                        check.map_or("–".into(), |c| pct(c.measured))
                    ),
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
                    .map_or("extra".into(), |v| format!("variant of {v}")),
            ),
        };
        let note = result
            .diverged
            .as_ref()
            .map_or(String::new(), |d| format!(" (diverged: {d})"));
        let _ = writeln!(
            md,
            "| {} | {}{} | {} | {} | {} | {} | {} | {} | {:.1} s |",
            spec.id,
            spec.title,
            note,
            pct(result.final_train()),
            pct(result.final_test()),
            rec,
            fresh,
            range,
            check,
            result.seconds
        );
    }
    md.push('\n');
}

/// What each group's runs are, in a paragraph.
fn intro(group: Group) -> &'static str {
    match group {
        Group::Vg => {
            "A 784-40-20-10 network trained with plain SGD (lr 0.1, 2,000 mini-batches of 100) on all of MNIST, once per activation and initialization. Train accuracy is taken on the current mini-batch before the update, as the original did; the sigmoid runs reproduce the original's derivative taken at the activation output, and the `c` variants show the same runs with the correct derivative. The gradient-norm plots show how much signal reaches each layer."
        }
        Group::Opt => {
            "MultiLayerNet 784-40-20-10 with sigmoid and N(0, 0.01²) weights, 1,000 mini-batches, five optimizers at three learning rates, then ReLU variants and BatchNorm. As in the original: train accuracy on the current mini-batch after the update, AdaGrad with h₀ = 1e-4 and no ε, BatchNorm's γ and β never updated."
        }
        Group::Of => {
            "A 6x100 ReLU network (He init) trained on only the first 300 training images for 1,000 mini-batches, tested on all 10,000. The hand-written L1/L2 loops of the original never update the output layer; the dropout runs carry an L2 penalty of 0.001 left over from an earlier cell; both quirks are reproduced, and the `c` variants remove them."
        }
        Group::Cnn => {
            "Convolutional networks trained with Adam (lr 0.001) on the first 5,000 training images, tested on the first 1,000. DeepConvNet is evaluated every 50 iterations instead of every 10 (the points the notes quote are all multiples of 50), its train accuracy on a fixed 1,000 of the 5,000 training images."
        }
        Group::Extra => "Topics of the notes that no notebook runs.",
    }
}

pub(super) fn markdown(inputs: &Inputs<'_>) -> Result<(String, Vec<Figure>)> {
    let suite = inputs.suite;
    let mut md = String::new();
    let mut figures = Vec::new();
    let m = inputs.manifest;
    let _ = writeln!(md, "# nabla experiments report\n");
    let _ = writeln!(
        md,
        "Seed {}, {} jobs of {} thread(s) each{}, {:.0} s wall time. Command: `{}`. Commit {}.\n",
        m.seed,
        m.jobs,
        m.threads_per_run,
        if m.quick {
            ", **quick mode** (short runs, small test subsets)"
        } else {
            ""
        },
        m.wall_seconds,
        m.command,
        m.git_commit.as_deref().unwrap_or("unknown")
    );
    md.push_str("## Verdicts\n\nEach claim of the notes, decided from the numbers measured below.\n\n| claim | verdict | expected | evidence |\n|---|---|---|---|\n");
    for v in inputs.verdicts {
        let mark = |o: Outcome| match o {
            Outcome::Supported => "supported",
            Outcome::Contradicted => "**contradicted**",
            Outcome::Mixed => "**mixed**",
            Outcome::Undecided => "not decided",
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            v.claim,
            mark(v.outcome),
            mark(v.expected),
            v.evidence
        );
    }
    let failed: Vec<_> = suite.checks.iter().filter(|c| !c.pass).collect();
    let _ = writeln!(
        md,
        "\nReproductions inside their tolerance: {} of {}{}.\n",
        suite.checks.len() - failed.len(),
        suite.checks.len(),
        if failed.is_empty() {
            String::new()
        } else {
            format!(
                " (outside: {})",
                failed
                    .iter()
                    .map(|c| format!("{} at {}", c.id, pct(c.measured)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    md.push_str("Time per group (sum of the runs' own wall times; runs train in parallel):\n\n| group | seconds |\n|---|---|\n");
    for (g, s) in suite.seconds_per_group() {
        let _ = writeln!(md, "| {g} | {s:.1} |");
    }
    md.push('\n');

    for group in Group::ALL {
        let runs: Vec<&(RunSpec, RunResult)> = suite
            .runs
            .iter()
            .filter(|(s, _)| s.group == group)
            .collect();
        let extra_here = group == Group::Extra
            && (!suite.init_figure.is_empty()
                || !suite.search.is_empty()
                || inputs.alexnet.is_some());
        if runs.is_empty() && !(group == Group::Cnn || extra_here) {
            continue;
        }
        let _ = writeln!(md, "## {}\n", group.title());
        let _ = writeln!(md, "{}\n", intro(group));
        if group == Group::Cnn {
            im2col_section(&mut md, &inputs.computed.im2col);
        }
        if !runs.is_empty() {
            run_table(&mut md, &runs, suite);
        }
        for (spec, result) in &runs {
            let f = curve_figure(spec, result)?;
            let _ = writeln!(md, "![{}](figures/{})\n", spec.id, f.file);
            figures.push(f);
            if let Some(g) = gradient_figure(spec, result)? {
                let _ = writeln!(md, "![{} gradients](figures/{})\n", spec.id, g.file);
                figures.push(g);
            }
        }
        if group == Group::Cnn {
            if let (Some(before), Some((_, cnn))) = (
                inputs.filters_before,
                suite.runs.iter().find(|(s, _)| s.id == "CNN-3"),
            ) {
                if let Some(after) = &cnn.first_filters {
                    md.push_str("SimpleConvNet's 30 first-layer 5x5 filters before and after training (each scaled to its own range): noise becomes edge and stroke detectors.\n\n");
                    for (name, f) in [("before", before), ("after", after.as_slice())] {
                        let svg = plot::filters(&format!("CNN-3 filters {name} training"), f, 5)?;
                        let file = format!("CNN-3-filters-{name}.svg");
                        let _ = writeln!(md, "![filters {name}](figures/{file})\n");
                        figures.push(Figure { file, svg });
                    }
                }
            }
        }
        if group == Group::Extra {
            comparisons(&mut md, suite);
            init_section(&mut md, &mut figures, &suite.init_figure)?;
            search_section(&mut md, suite);
            if let Some(table) = inputs.alexnet {
                alexnet_section(&mut md, table);
            }
        }
    }
    Ok((md, figures))
}

/// One sentence per side-by-side extra, from the measured numbers.
fn comparisons(md: &mut String, suite: &SuiteResult) {
    let t = |id: &str| suite.get(id).map(RunResult::final_test);
    let mut lines = Vec::new();
    if let (Some(trained), Some(frozen), Some(none)) = (t("X-BN-SGD"), t("OPT-E1"), t("X-NOBN-SGD"))
    {
        lines.push(format!(
            "- BatchNorm with SGD: {} with γ and β trained, {} with them frozen as in the notebook, {} without BatchNorm.",
            pct(trained),
            pct(frozen),
            pct(none)
        ));
    }
    if let (Some(c), Some(d)) = (t("X-LR-CONST"), t("X-LR-DECAY")) {
        lines.push(format!(
            "- Learning-rate decay: Adam from lr 0.01 ends at {} with a step decay, {} at a constant rate (see the verdict above for the averaged comparison).",
            pct(d),
            pct(c)
        ));
    }
    if let (Some(max), Some(avg)) = (t("X-POOL-MAX"), t("X-POOL-AVG")) {
        lines.push(format!(
            "- Pooling: SimpleConvNet reaches {} with max pooling and {} with average pooling after 300 iterations.",
            pct(max),
            pct(avg)
        ));
    }
    if let (Some(classic), Some(inverted)) = (t("X-DROP-CLASSIC"), t("X-DROP-INVERTED")) {
        lines.push(format!(
            "- Dropout: classic (scale by 1 − p at test time) {}, inverted (scale by 1/(1 − p) while training) {}: the same expected activations, so the same accuracy within noise; inverted dropout leaves inference untouched.",
            pct(classic),
            pct(inverted)
        ));
    }
    if !lines.is_empty() {
        md.push_str(&lines.join("\n"));
        md.push_str("\n\n");
    }
}
