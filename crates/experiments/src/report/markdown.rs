//! `report.md`, top to bottom: what ran, the contents, the verdicts, the notes section by
//! section with each claim and its figures, the check-yourself questions, what lies beyond
//! the notes, and the runs.

use std::fmt::Write as _;

use super::charts::{Context, draw};
use super::claims::claims_of;
use super::questions::check_yourself;
use super::runs::appendix;
use super::sections::{
    alexnet_section, im2col_section, init_table, search_section, step_time_section,
};
use super::words::{pct, word};
use super::*;
use crate::verdict::{Outcome, Section, beyond};

/// What the notes say in each section, in our words.
fn notes_say(section: Section) -> &'static str {
    match section {
        Section::VanishingGradient => {
            "The notes: a sigmoid's slope is at most a quarter, so the error signal fades as it travels back through sigmoid layers, and the layers near the input hardly learn; ReLU passes it through where it is active. How the weights start matters as much: too small and every unit looks alike, all equal and they stay alike; Xavier's scale suits sigmoid and tanh, He's scale suits ReLU. Batch normalization rescales each layer's inputs during training (with the batch's statistics, and running averages at inference) and makes learning faster and less sensitive to the start."
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

const BACK: &str = "[Back to the contents](#contents)\n\n";

fn header(md: &mut String, inputs: &Inputs<'_>) {
    let (suite, m) = (inputs.suite, inputs.manifest);
    md.push_str("# nabla experiments report\n\n");
    let seeds = if suite.seeds.len() > 1 {
        format!(
            "Seeds {} (curves are the median over the seeds, shaded from the lowest to the highest; tables show seed {}; reproductions are checked on the median)",
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
    let short = if m.quick {
        " This is the short suite (`--quick`): fewer and shorter runs on smaller subsets, enough to decide a claim of every section; claims it cannot decide say so."
    } else {
        ""
    };
    let _ = writeln!(
        md,
        "The experiments of the course's notebooks rerun on real MNIST with nabla, and every claim of the notes that can be measured, decided from the numbers.{short}\n\n{seeds}, {} jobs of {} thread(s) each, {:.0} s wall time (the original notebooks took about 80 minutes for their runs, one seed). Command: `{}`. Commit {}.\n",
        m.jobs,
        m.threads_per_run,
        m.wall_seconds,
        m.command,
        m.git_commit.as_deref().unwrap_or("unknown")
    );
    if !m.shards.is_empty() {
        let together: f64 = m.shards.iter().map(|s| s.wall_seconds).sum();
        let _ = writeln!(
            md,
            "Merged from {} shards run apart ({:.0} s of wall time together; the wall time above is the longest shard's and the merge's):\n",
            m.shards.len(),
            together
        );
        for s in &m.shards {
            let _ = writeln!(
                md,
                "- shard {}: {} in {:.0} s on {}",
                s.shard,
                if s.runs == 1 {
                    "1 run".to_string()
                } else {
                    format!("{} runs", s.runs)
                },
                s.wall_seconds,
                s.machine
            );
        }
        md.push('\n');
    }
    if !m.missing.is_empty() {
        const SHOWN: usize = 30;
        let more = m.missing.len().saturating_sub(SHOWN);
        let _ = writeln!(
            md,
            "**A partial merge: {} missing**, so every claim that needs one of them is undecided and each run below that lacks a seed is left out: {}{}.\n",
            match m.missing.len() {
                1 => "1 run is".to_string(),
                n => format!("{n} runs are"),
            },
            m.missing
                .iter()
                .take(SHOWN)
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
}

fn contents(md: &mut String) {
    md.push_str("<a id=\"contents\"></a>\n\n## Contents\n\n- [Verdicts](#verdicts)\n");
    for s in Section::ALL {
        let _ = writeln!(md, "- [{}](#{})", s.title(), s.anchor());
    }
    md.push_str("- [Check yourself](#check-yourself)\n- [Beyond the notes](#beyond)\n- [The runs](#runs)\n\n");
}

fn verdict_table(md: &mut String, inputs: &Inputs<'_>) {
    md.push_str("<a id=\"verdicts\"></a>\n\n## Verdicts\n\nEvery testable statement of the notes in the notes' order, decided from the numbers measured below; each links to its claim. A claim decided without training (paths on a formula, a layer's own output) has no seed count.\n\n| § | claim | verdict | expected | evidence |\n|---|---|---|---|---|\n");
    for v in inputs.verdicts {
        let verdict = match v.outcome {
            Outcome::Supported | Outcome::Undecided => v.tally(),
            _ => format!("**{}**", v.tally()),
        };
        let _ = writeln!(
            md,
            "| {} | [{}](#{}) | {verdict} | {} | {} |",
            v.section.number(),
            v.claim.statement,
            v.claim.anchor(),
            word(v.claim.expected),
            v.evidence.replace('|', "/")
        );
    }
    let suite = inputs.suite;
    let failed: Vec<_> = suite.checks.iter().filter(|c| !c.pass).collect();
    let outside = if failed.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = failed
            .iter()
            .map(|c| format!("{} at {}", c.id, pct(c.measured)))
            .collect();
        format!(" (outside: {})", list.join(", "))
    };
    let _ = writeln!(
        md,
        "\nReproductions of the notebooks' numbers inside their tolerance: {} of {}{outside} ([the runs](#runs)).\n",
        suite.checks.len() - failed.len(),
        suite.checks.len(),
    );
    md.push_str("Time per group (the sum of the runs' own wall times over every seed; runs train in parallel):\n\n| group | seconds |\n|---|---|\n");
    for (g, s) in suite.seconds_per_group() {
        let _ = writeln!(md, "| {} | {s:.1} |", g.title());
    }
    md.push('\n');
    md.push_str(BACK);
}

fn beyond_section(
    md: &mut String,
    figures: &mut Vec<Figure>,
    inputs: &Inputs<'_>,
    cx: &Context<'_>,
) -> Result<()> {
    let suite = inputs.suite;
    md.push_str("<a id=\"beyond\"></a>\n\n## Beyond the notes\n\nWhat the notes discuss without a notebook, and a few comparisons they invite.\n\n");
    let lines = beyond::sentences(&|id| suite.get(id.as_str()));
    for line in &lines {
        let _ = writeln!(md, "- {line}");
    }
    if !lines.is_empty() {
        md.push('\n');
    }
    for x in beyond::EXHIBITS {
        for f in draw(x.chart, x.name, x.runs, cx)? {
            place_figure(md, figures, x.name, Some(x.caption), "claim", f);
        }
    }
    init_table(md, &suite.init_figure);
    if let Some(f) = draw(
        crate::verdict::Chart::InitHistograms("tanh"),
        "init-tanh",
        &[],
        cx,
    )?
    .pop()
    {
        place_figure(
            md,
            figures,
            "tanh activations",
            Some(
                "The same five layers with tanh, one row per initialization (each panel from −1 to 1): std 1 piles the outputs at ±1, std 0.01 collapses them onto 0 layer by layer, Xavier and He keep them spread.",
            ),
            "claim",
            f,
        );
    }
    search_section(md, figures, suite)?;
    md.push_str(BACK);
    Ok(())
}

pub(super) fn markdown(inputs: &Inputs<'_>) -> Result<(String, Vec<Figure>)> {
    let mut md = String::new();
    let mut figures = Vec::new();
    let cx = Context {
        suite: inputs.suite,
        computed: inputs.computed,
        init_rows: &inputs.suite.init_figure,
        filters_before: inputs.filters_before,
    };
    header(&mut md, inputs);
    contents(&mut md);
    verdict_table(&mut md, inputs);
    for section in Section::ALL {
        let _ = writeln!(
            md,
            "<a id=\"{}\"></a>\n\n## {}\n",
            section.anchor(),
            section.title()
        );
        let _ = writeln!(md, "{}\n", notes_say(section));
        claims_of(&mut md, &mut figures, section, inputs.verdicts, &cx)?;
        if section == Section::Convolution {
            im2col_section(&mut md, &inputs.computed.im2col);
            step_time_section(&mut md, &inputs.computed.step_times);
        }
        if section == Section::AlexNet
            && let Some(table) = inputs.alexnet
        {
            alexnet_section(&mut md, table);
        }
        md.push_str(BACK);
    }
    check_yourself(&mut md, inputs.verdicts);
    beyond_section(&mut md, &mut figures, inputs, &cx)?;
    appendix(&mut md, &mut figures, inputs.suite)?;
    md.push_str(BACK);
    Ok((md, figures))
}
