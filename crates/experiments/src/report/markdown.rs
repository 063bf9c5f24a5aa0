//! `report.md`: the verdicts, then each group's runs with their tables and figures.

use std::fmt::Write as _;

use super::claims;
use super::figures::{curve_figure, gradient_figure};
use super::sections::{
    alexnet_section, im2col_section, init_section, search_section, step_time_section,
};
use super::*;
use crate::verdict::Section;

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

fn run_table(md: &mut String, runs: &[&(RunSpec, RunResult)], suite: &SuiteResult) {
    let many = suite.seeds.len() > 1;
    let seeds_head = if many {
        format!(" test, {} seeds: median (min–max) |", suite.seeds.len())
    } else {
        String::new()
    };
    let _ = writeln!(
        md,
        "| run | setup | train | test |{seeds_head} recorded train / test | fresh rerun test | accepted test | check | time |\n|---|---|---|---|{}---|---|---|---|---|",
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
        let (range, check) = match spec.expect {
            Expect::Test { lo, hi } | Expect::TailMedian { lo, hi } => {
                let check = suite.checks.iter().find(|c| c.id == spec.id);
                let pass = check.is_some_and(|c| c.pass);
                let what = match spec.expect {
                    Expect::TailMedian { .. } => format!(
                        " (median of the last 10 evaluations: {})",
                        check.map_or("–".into(), |c| pct(c.measured))
                    ),
                    _ if many => format!(
                        " (median of the seeds: {})",
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
        let spread = if many {
            format!(" {} |", over_seeds(suite, &spec.id))
        } else {
            String::new()
        };
        let _ = writeln!(
            md,
            "| {} | {}{} | {} | {} |{spread} {} | {} | {} | {} | {:.1} s |",
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

/// A verdict's outcome in words.
pub(super) fn word(o: Outcome) -> &'static str {
    match o {
        Outcome::Supported => "supported",
        Outcome::Contradicted => "**contradicted**",
        Outcome::Mixed => "**mixed**",
        Outcome::Undecided => "not decided",
    }
}

/// What the notes say in each section, in our words.
fn notes_say(section: Section) -> &'static str {
    match section {
        Section::VanishingGradient => {
            "The notes: a sigmoid's slope is at most a quarter, so the error signal fades as it travels back through sigmoid layers and the layers near the input hardly learn; ReLU passes it through where it is active. How the weights start matters as much: too small and every unit looks alike, equal and they stay alike; Xavier's scale suits sigmoid and tanh, He's suits ReLU. Batch normalization rescales each layer's inputs during training (with the batch's statistics, and running averages at inference) and makes learning faster and less sensitive to the start."
        }
        Section::Optimizers => {
            "The notes: plain SGD zigzags down a long valley; Momentum keeps a velocity and overshoots; AdaGrad gives each parameter its own rate, which only ever shrinks; RMSProp forgets old gradients so the rate stops shrinking; Adam joins Momentum and RMSProp. The learning rate changes both how fast and how far a network learns, and decaying it helps at the end."
        }
        Section::Overfitting => {
            "The notes: a large network on little data memorizes it (train accuracy far above test). A penalty on the weights (L2's ½λW², L1's λ|W|, added to the loss and to the gradient, never to the biases) keeps weights small; L1 drives many to zero. Dropout switches random units off while training, like training many thinned networks, and scales the whole network at test time."
        }
        Section::Convolution => {
            "The notes: a convolution slides filters over an image, so a network keeps and uses the image's 2D structure that a fully connected layer flattens away. im2col unfolds every window into a row so that the convolution becomes one matrix product (col2im folds gradients back); padding and stride set the output's size; pooling shrinks it."
        }
        Section::AlexNet => {
            "The notes: AlexNet stacks five convolutions and three fully connected layers, with ReLU, local response normalization, max pooling and dropout on its two 4,096-wide layers."
        }
    }
}

/// The experiment group whose runs belong to a section.
fn group_of(section: Section) -> Option<Group> {
    match section {
        Section::VanishingGradient => Some(Group::Vg),
        Section::Optimizers => Some(Group::Opt),
        Section::Overfitting => Some(Group::Of),
        Section::Convolution => Some(Group::Cnn),
        Section::AlexNet => None,
    }
}

/// The learning-rate sweep's runs: a table row each, one chart for all (under its claim).
fn is_sweep(id: &str) -> bool {
    id.starts_with("OPT-LR-")
}

pub(super) fn markdown(inputs: &Inputs<'_>) -> Result<(String, Vec<Figure>)> {
    let suite = inputs.suite;
    let mut md = String::new();
    let mut figures = Vec::new();
    let m = inputs.manifest;
    let _ = writeln!(
        md,
        "# nabla experiments report
"
    );
    let seeds = if suite.seeds.len() > 1 {
        format!(
            "Seeds {} (curves are the median of the seeds with their min–max band; tables show seed {}; reproductions are checked on the median)",
            suite
                .seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            m.seed
        )
    } else {
        format!("Seed {}", m.seed)
    };
    let _ = writeln!(
        md,
        "{seeds}, {} jobs of {} thread(s) each{}, {:.0} s wall time (the original notebooks took about 80 minutes for their runs, one seed). Command: `{}`. Commit {}.\n",
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
    md.push_str("## Verdicts\n\nEvery testable statement of the notes, decided from the numbers measured below; each links to its section. A claim decided without training (paths on a formula, a layer's own output) has no seed count.\n\n| § | claim | verdict | expected | evidence |\n|---|---|---|---|---|\n");
    for v in inputs.verdicts {
        let _ = writeln!(
            md,
            "| {} | [{}](#{}) | {} | {} | {} |",
            &v.section.title()[..1],
            v.claim,
            claims::anchor(v.id),
            match v.outcome {
                Outcome::Supported | Outcome::Undecided => v.tally(),
                _ => format!("**{}**", v.tally()),
            },
            word(v.expected),
            v.evidence.replace('|', "/")
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
    md.push_str("Time per group (sum of the runs' own wall times, every seed; runs train in parallel):\n\n| group | seconds |\n|---|---|\n");
    for (g, s) in suite.seconds_per_group() {
        let _ = writeln!(md, "| {g} | {s:.1} |");
    }
    md.push('\n');

    for section in Section::ALL {
        let _ = writeln!(
            md,
            "<a id=\"{}\"></a>\n\n## {}\n",
            section.anchor(),
            section.title()
        );
        let _ = writeln!(md, "{}\n", notes_say(section));
        md.push_str("### What nabla measured\n\n");
        claims::claims_of(
            &mut md,
            &mut figures,
            section,
            inputs.verdicts,
            suite,
            inputs.computed,
        )?;
        if section == Section::Convolution {
            im2col_section(&mut md, &inputs.computed.im2col);
            step_time_section(&mut md, &inputs.computed.step_times);
        }
        if section == Section::AlexNet
            && let Some(table) = inputs.alexnet
        {
            alexnet_section(&mut md, table);
        }
        if let Some(group) = group_of(section) {
            group_runs(&mut md, &mut figures, group, inputs)?;
        }
    }
    check_yourself(&mut md, inputs.verdicts);
    let _ = writeln!(md, "## {}\n", Group::Extra.title());
    let _ = writeln!(md, "{}\n", intro(Group::Extra));
    group_runs(&mut md, &mut figures, Group::Extra, inputs)?;
    comparisons(&mut md, suite);
    for (name, ids, what) in [
        (
            "pooling",
            &["X-POOL-MAX", "X-POOL-AVG"][..],
            "max against average pooling",
        ),
        (
            "dropout-kinds",
            &["X-DROP-CLASSIC", "X-DROP-INVERTED"][..],
            "classic against inverted dropout",
        ),
        (
            "batchnorm-affine",
            &["X-NOBN-SGD", "OPT-E1", "X-BN-SGD"][..],
            "SGD without BatchNorm, with γ and β frozen, with them trained",
        ),
    ] {
        if ids.iter().all(|id| suite.get(id).is_some())
            && let Some(f) = claims::comparison(name, suite, ids)?
        {
            place_figure(
                &mut md,
                &mut figures,
                name,
                Some(&format!("Test accuracy, {what}.")),
                f,
            );
        }
    }
    init_section(&mut md, &mut figures, &suite.init_figure)?;
    search_section(&mut md, &mut figures, suite)?;
    Ok((md, figures))
}

/// A group's runs: the table, then each run's curves (and gradient norms for the VG runs).
fn group_runs(
    md: &mut String,
    figures: &mut Vec<Figure>,
    group: Group,
    inputs: &Inputs<'_>,
) -> Result<()> {
    let suite = inputs.suite;
    let runs: Vec<&(RunSpec, RunResult)> = suite
        .runs
        .iter()
        .filter(|(s, _)| s.group == group)
        .collect();
    if runs.is_empty() {
        return Ok(());
    }
    if group != Group::Extra {
        let _ = writeln!(md, "### The runs\n\n{}\n", intro(group));
    }
    run_table(md, &runs, suite);
    let seeds = suite.seeds.len();
    for (spec, result) in runs.iter().filter(|(s, _)| !is_sweep(&s.id)) {
        let f = curve_figure(spec, suite)?;
        let recorded = if crate::recorded::curve(&spec.id).is_empty() {
            ""
        } else {
            "; dashed: what the original notebook printed"
        };
        let ours = if seeds > 1 {
            format!("the median of {seeds} seeds with its min–max band")
        } else {
            "one seed".to_string()
        };
        let caption = format!(
            "{}: train (blue) and test (orange) accuracy, nabla's run solid ({ours}){recorded}.",
            spec.id
        );
        place_figure(md, figures, &spec.id, Some(&caption), f);
        if group == Group::Vg
            && let Some(g) = gradient_figure(spec, result)?
        {
            let caption = format!(
                "{}: the root-mean-square gradient of each layer's weights (log scale, primary seed); the vertical gap between the lines is how much weaker the push on each weight gets on the way back to the input.",
                spec.id
            );
            let alt = format!("{} gradients", spec.id);
            place_figure(md, figures, &alt, Some(&caption), g);
        }
    }
    if group == Group::Cnn
        && let (Some(before), Some((_, cnn))) = (
            inputs.filters_before,
            suite.runs.iter().find(|(s, _)| s.id == "CNN-3"),
        )
        && let Some(after) = &cnn.first_filters
    {
        md.push_str("SimpleConvNet's 30 first-layer 5x5 filters before and after training (each scaled to its own range): noise becomes edge and stroke detectors.\n\n");
        for (name, f) in [("before", before), ("after", after.as_slice())] {
            let svg = plot::filters(&format!("CNN-3 filters {name} training"), f, 5)?;
            let file = format!("CNN-3-filters-{name}.svg");
            let alt = format!("filters {name}");
            place_figure(md, figures, &alt, None, Figure { file, svg });
        }
    }
    Ok(())
}

/// The notes' check-yourself questions in our words: `(question, answer, claim id)`.
const QUESTIONS: [(&str, &str, &str); 9] = [
    (
        "What is the largest value of the sigmoid's derivative: 0.15, 0.25, 0.35 or 0.45?",
        "0.25, at x = 0",
        "sigmoid-slope",
    ),
    (
        "What goes wrong when every weight starts at the same value?",
        "every unit of a layer stays a copy of the others",
        "same-init-same-units",
    ),
    (
        "What does batch normalization bring?",
        "faster learning, larger gradients in the first layer, less dependence on the start",
        "batchnorm-speeds-learning",
    ),
    (
        "Which optimizer overshoots and settles slowly, and why?",
        "Momentum: it keeps a velocity",
        "momentum-settles-slowly",
    ),
    (
        "Which optimizer's learning rate only shrinks?",
        "AdaGrad; RMSProp's settles at its base rate",
        "adagrad-rate-shrinks",
    ),
    (
        "What does Adam combine?",
        "Momentum's velocity and RMSProp's scale-free step",
        "adam-combines",
    ),
    (
        "Does L2 regularization penalize the biases? What happens with a huge λ?",
        "no, weights only; every weight goes to 0",
        "huge-lambda-zero-weights",
    ),
    (
        "Which constraint region is L1's and which L2's, and which gives exact zeros?",
        "L1 is the diamond, whose corners give exact zeros; L2 the circle",
        "l1-diamond-corner",
    ),
    (
        "What is the output size of a 6x6 input with a 2x2 filter, stride 1 and padding 1?",
        "7x7",
        "conv-output-size",
    ),
];

/// The notes' check-yourself questions, in our words, with the answer nabla computed.
fn check_yourself(md: &mut String, verdicts: &[crate::verdict::Verdict]) {
    md.push_str("<a id=\"check-yourself\"></a>\n\n## Check yourself\n\nThe notes end with questions; here each is asked in our words and answered from what this suite computed, with a link to the claim that measured it.\n\n| question | nabla's answer | measured by |\n|---|---|---|\n");

    for (question, answer, id) in QUESTIONS {
        let verdict = verdicts
            .iter()
            .find(|v| v.id == id)
            .map_or("–".into(), |v| v.tally());
        let _ = writeln!(
            md,
            "| {question} | {answer} | [{id}](#{}) ({verdict}) |",
            claims::anchor(id)
        );
    }
    md.push('\n');
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_yourself_answer_links_a_claim() {
        for (_, _, id) in QUESTIONS {
            assert!(crate::verdict::every_claim().any(|c| c.id == id), "{id}");
        }
    }
}
