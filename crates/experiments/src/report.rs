//! The report: `report.md` with SVG figures beside it, a self-contained `report.html`,
//! `results.json`, `manifest.json` and one CSV per run. Everything is written into a fresh
//! folder that replaces the old one only when complete, so an interrupted run leaves the
//! previous report as it was.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::extras::InitRow;
use crate::im2col_demo::Im2colDemo;
use crate::plot::{self, BLUE_, Line, ORANGE_, PALETTE};
use crate::spec::{Expect, Group, RunSpec};
use crate::suite::SuiteResult;
use crate::verdict::{Outcome, Verdict};
use crate::{ExperimentError, Result, RunResult, recorded};

/// Where and how the suite ran, for reproducing it.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// The suite's seed.
    pub seed: u64,
    /// Runs trained at once.
    pub jobs: usize,
    /// Threads per run.
    pub threads_per_run: usize,
    /// Quick mode.
    pub quick: bool,
    /// The command line.
    pub command: String,
    /// `git rev-parse HEAD`, when known.
    pub git_commit: Option<String>,
    /// The MNIST files and their SHA-256 (of the decompressed content).
    pub dataset: Vec<(String, String)>,
    /// CPU model, cores, OS.
    pub machine: String,
    /// Seconds per run, by id.
    pub run_seconds: Vec<(String, f64)>,
    /// The whole suite's wall time.
    pub wall_seconds: f64,
}

/// Everything the report shows.
pub struct Inputs<'a> {
    /// The suite's results.
    pub suite: &'a SuiteResult,
    /// The verdicts.
    pub verdicts: &'a [Verdict],
    /// The im2col demonstration.
    pub im2col: &'a Im2colDemo,
    /// AlexNet's layer table, when built.
    pub alexnet: Option<&'a [nabla_nn::LayerSummary]>,
    /// The first convolution's filters at initialization, for CNN-3.
    pub filters_before: Option<&'a [Vec<f32>]>,
    /// The manifest.
    pub manifest: &'a Manifest,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExperimentError + '_ {
    move |source| ExperimentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(io(path))
}

fn pct(v: f64) -> String {
    format!("{:.2}%", 100.0 * v)
}

/// Writes the whole report into `out` (replacing what was there only once complete).
pub fn write_all(out: &Path, inputs: &Inputs<'_>) -> Result<()> {
    let parent = out.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = out
        .file_name()
        .map_or("experiments".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let result = write_into(&staging, inputs);
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        fs::rename(out, &old).map_err(io(out))?;
    }
    fs::rename(&staging, out).map_err(io(out))?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

struct Figure {
    file: String,
    svg: String,
}

fn write_into(dir: &Path, inputs: &Inputs<'_>) -> Result<()> {
    let figures_dir = dir.join("figures");
    let runs_dir = dir.join("runs");
    for d in [&figures_dir, &runs_dir] {
        fs::create_dir_all(d).map_err(io(d))?;
    }
    let suite = inputs.suite;
    for (spec, result) in &suite.runs {
        let mut csv = String::from("iteration,train_accuracy,test_accuracy,loss\n");
        for p in &result.curve {
            let _ = writeln!(csv, "{},{},{},{}", p.iteration, p.train, p.test, p.loss);
        }
        write(&runs_dir.join(format!("{}.csv", file_id(&spec.id))), &csv)?;
    }
    let json = serde_json::json!({
        "manifest": inputs.manifest,
        "verdicts": inputs.verdicts,
        "checks": suite.checks,
        "runs": suite.runs.iter().map(|(s, r)| serde_json::json!({"spec": s, "result": r})).collect::<Vec<_>>(),
        "random_search": suite.search,
        "weight_init": suite.init_figure,
        "seconds": suite.seconds,
    });
    let text =
        serde_json::to_string_pretty(&json).map_err(|e| ExperimentError::Setup(e.to_string()))?;
    write(&dir.join("results.json"), &text)?;
    let manifest = serde_json::to_string_pretty(inputs.manifest)
        .map_err(|e| ExperimentError::Setup(e.to_string()))?;
    write(&dir.join("manifest.json"), &manifest)?;

    let (md, figures) = markdown(inputs)?;
    for f in &figures {
        write(&figures_dir.join(&f.file), &f.svg)?;
    }
    write(&dir.join("report.md"), &md)?;
    write(&dir.join("report.html"), &html(&md, &figures))?;
    Ok(())
}

fn file_id(id: &str) -> String {
    id.replace('\'', "-prime")
}

fn curve_figure(spec: &RunSpec, result: &RunResult) -> Result<Figure> {
    let ours_train: Vec<(f64, f64)> = result
        .curve
        .iter()
        .map(|p| (p.iteration as f64, p.train))
        .collect();
    let ours_test: Vec<(f64, f64)> = result
        .curve
        .iter()
        .map(|p| (p.iteration as f64, p.test))
        .collect();
    // A shortened run (quick mode) is drawn beside the part of the recorded curve it covers.
    let rec: Vec<(u64, f64, f64)> = recorded::curve(&spec.id)
        .into_iter()
        .filter(|p| p.0 <= spec.iterations)
        .collect();
    let rec_train: Vec<(f64, f64)> = rec.iter().map(|p| (p.0 as f64, p.1)).collect();
    let rec_test: Vec<(f64, f64)> = rec.iter().map(|p| (p.0 as f64, p.2)).collect();
    let mut lines = vec![
        Line {
            label: "nabla train".into(),
            points: &ours_train,
            color: BLUE_,
            dashed: false,
        },
        Line {
            label: "nabla test".into(),
            points: &ours_test,
            color: ORANGE_,
            dashed: false,
        },
    ];
    if !rec.is_empty() {
        lines.push(Line {
            label: "recorded train".into(),
            points: &rec_train,
            color: BLUE_,
            dashed: true,
        });
        lines.push(Line {
            label: "recorded test".into(),
            points: &rec_test,
            color: ORANGE_,
            dashed: true,
        });
    }
    let x_max = spec.iterations.max(1) as f64;
    let svg = plot::lines(
        &format!("{}: {}", spec.id, spec.title),
        "iteration",
        "accuracy",
        x_max,
        (0.0, 1.0),
        false,
        &lines,
    )?;
    Ok(Figure {
        file: format!("{}.svg", file_id(&spec.id)),
        svg,
    })
}

fn gradient_figure(spec: &RunSpec, result: &RunResult) -> Result<Option<Figure>> {
    let Some((_, first)) = result.gradient_norms.first() else {
        return Ok(None);
    };
    let names: Vec<String> = first.iter().map(|(n, _)| n.clone()).collect();
    let series: Vec<Vec<(f64, f64)>> = names
        .iter()
        .map(|name| {
            result
                .gradient_norms
                .iter()
                .filter_map(|(step, row)| {
                    row.iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| (*step as f64, v.max(1e-12)))
                })
                .collect()
        })
        .collect();
    let (lo, hi) = series
        .iter()
        .flatten()
        .fold((f64::INFINITY, 0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let lines: Vec<Line<'_>> = names
        .iter()
        .zip(&series)
        .enumerate()
        .map(|(k, (n, s))| Line {
            label: n.clone(),
            points: s,
            color: PALETTE[k % PALETTE.len()],
            dashed: false,
        })
        .collect();
    let svg = plot::lines(
        &format!("{}: weight-gradient norm per layer", spec.id),
        "iteration",
        "‖∂L/∂W‖",
        spec.iterations as f64,
        (lo / 2.0, hi * 2.0),
        true,
        &lines,
    )?;
    Ok(Some(Figure {
        file: format!("{}-gradients.svg", file_id(&spec.id)),
        svg,
    }))
}

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
                    format!("{}{what}", if pass { "✅ in range" } else { "❌ outside" }),
                )
            }
            Expect::Unstable => (
                "–".into(),
                "⚠ unstable in the original: judged by the claims".into(),
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
        Group::Vg => "A 784-40-20-10 network trained with plain SGD (lr 0.1, 2,000 mini-batches of 100) on all of MNIST, once per activation and initialization. Train accuracy is taken on the current mini-batch before the update, as the original did; the sigmoid runs reproduce the original's derivative taken at the activation output, and the `c` variants show the same runs with the correct derivative. The gradient-norm plots show how much signal reaches each layer.",
        Group::Opt => "MultiLayerNet 784-40-20-10 with sigmoid and N(0, 0.01²) weights, 1,000 mini-batches, five optimizers at three learning rates, then ReLU variants and BatchNorm. As in the original: train accuracy on the current mini-batch after the update, AdaGrad with h₀ = 1e-4 and no ε, BatchNorm's γ and β never updated.",
        Group::Of => "A 6x100 ReLU network (He init) trained on only the first 300 training images for 1,000 mini-batches, tested on all 10,000. The hand-written L1/L2 loops of the original never update the output layer; the dropout runs carry an L2 penalty of 0.001 left over from an earlier cell; both quirks are reproduced, and the `c` variants remove them.",
        Group::Cnn => "Convolutional networks trained with Adam (lr 0.001) on the first 5,000 training images, tested on the first 1,000. DeepConvNet is evaluated every 50 iterations instead of every 10 (the points the notes quote are all multiples of 50), its train accuracy on a fixed 1,000 of the 5,000 training images.",
        Group::Extra => "Topics of the notes that no notebook runs.",
    }
}

fn markdown(inputs: &Inputs<'_>) -> Result<(String, Vec<Figure>)> {
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
            Outcome::Supported => "✅ supported",
            Outcome::Contradicted => "❌ contradicted",
            Outcome::Undecided => "– not decided",
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
            im2col_section(&mut md, inputs.im2col);
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

fn im2col_section(md: &mut String, demo: &Im2colDemo) {
    md.push_str("### im2col and col2im (CNN-1, CNN-2)\n\nThe notebook's input (two 4x4 images), a 6x4 kernel, stride 2, padding 1. im2col gives a matrix with one row per output position and one column per kernel element: ");
    let _ = writeln!(
        md,
        "shape {:?}. With the transpose commented out, as the notebook ran it, rows and columns are scrambled; row 0 is `{:?}`.\n",
        demo.scrambled_col.dim(),
        demo.scrambled_col.row(0).to_vec()
    );
    let img = |a: &ndarray::Array4<f64>| {
        a.slice(ndarray::s![0, 0, .., ..])
            .outer_iter()
            .map(|r| format!("{:?}", r.to_vec()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = writeln!(
        md,
        "- col2im of that scrambled matrix (the \"inconsistent\" printout), image 0: {}",
        img(&demo.inconsistent)
    );
    let _ = writeln!(
        md,
        "- col2im(im2col(x)) with the consistent pair, image 0: {}",
        img(&demo.round_trip)
    );
    let _ = writeln!(md, "- windows covering each pixel: {}\n", img(&demo.cover));
    md.push_str("The round trip is x times the coverage, not x: col2im sums overlapping windows, which is exactly the gradient the convolution's backward pass needs.\n\n");
}

fn init_section(md: &mut String, figures: &mut Vec<Figure>, rows: &[InitRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    md.push_str("### Activations through five layers, by initialization\n\n1,000 Gaussian inputs through five 100-unit layers. With std 1 sigmoid and tanh saturate at 0/1 and ±1 (gradients vanish); with 0.01 everything collapses to one value (no diversity); Xavier keeps sigmoid and tanh spread, He keeps ReLU spread.\n\n| activation | init | std of layer 1..5 outputs |\n|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            r.activation,
            r.init,
            r.stds
                .iter()
                .map(|s| format!("{s:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    md.push('\n');
    for r in rows {
        let panels: Vec<(String, f64, f64, Vec<u64>)> = r
            .histograms
            .iter()
            .enumerate()
            .map(|(k, h)| (format!("layer {}", k + 1), h.lo, h.hi, h.counts.clone()))
            .collect();
        let svg = plot::histograms(&format!("{} with {}", r.activation, r.init), &panels)?;
        let file = format!("init-{}-{}.svg", r.activation, r.init.replace(' ', "-"));
        let _ = writeln!(md, "![{} {}](figures/{file})\n", r.activation, r.init);
        figures.push(Figure { file, svg });
    }
    Ok(())
}

fn search_section(md: &mut String, suite: &SuiteResult) {
    if suite.search.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "### Random search over learning rate and weight decay\n\n{} runs of 200 SGD iterations on 500 training images, learning rate log-uniform in [1e-6, 1e-2], weight decay log-uniform in [1e-8, 1e-4], scored on 1,000 held-out training images (the test set is never used to choose). The best trials:\n\n| rank | lr | weight decay | validation | train |\n|---|---|---|---|---|",
        suite.search.len()
    );
    for (k, t) in suite.search.iter().take(10).enumerate() {
        let _ = writeln!(
            md,
            "| {} | {:.2e} | {:.2e} | {} | {} |",
            k + 1,
            t.lr,
            t.weight_decay,
            pct(t.validation),
            pct(t.train)
        );
    }
    md.push_str("\nThe learning rate decides almost everything at this budget; weight decay matters little until it is large.\n\n");
}

fn alexnet_section(md: &mut String, table: &[nabla_nn::LayerSummary]) {
    md.push_str("### AlexNet's layers\n\nFive convolutions with pooling, three fully connected layers with dropout, for a 3x227x227 input and 1,000 classes (one device, no grouped convolutions).\n\n| layer | kind | output | parameters | MFLOPs |\n|---|---|---|---|---|\n");
    let (mut params, mut macs) = (0usize, 0u64);
    for row in table {
        params += row.params;
        macs += row.macs;
        let _ = writeln!(
            md,
            "| {} | {} | {:?} | {} | {:.1} |",
            row.name,
            row.kind,
            &row.output_shape[1..],
            row.params,
            2.0 * row.macs as f64 / 1e6
        );
    }
    let _ = writeln!(
        md,
        "| total | | | {params} | {:.1} |\n",
        2.0 * macs as f64 / 1e6
    );
}

fn html(md: &str, figures: &[Figure]) -> String {
    let mut body = String::new();
    let mut in_table = false;
    let mut in_list = false;
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with('|') {
            if t.starts_with("|---") {
                continue;
            }
            let cells: Vec<String> = t
                .trim_matches('|')
                .split(" | ")
                .map(|c| inline(c.trim()))
                .collect();
            if !in_table {
                body.push_str("<table>\n<tr>");
                cells.iter().for_each(|c| {
                    let _ = write!(body, "<th>{c}</th>");
                });
                body.push_str("</tr>\n");
                in_table = true;
            } else {
                body.push_str("<tr>");
                cells.iter().for_each(|c| {
                    let _ = write!(body, "<td>{c}</td>");
                });
                body.push_str("</tr>\n");
            }
            continue;
        }
        if in_table {
            body.push_str("</table>\n");
            in_table = false;
        }
        if let Some(item) = t.strip_prefix("- ") {
            if !in_list {
                body.push_str("<ul>\n");
                in_list = true;
            }
            let _ = writeln!(body, "<li>{}</li>", inline(item));
            continue;
        }
        if in_list {
            body.push_str("</ul>\n");
            in_list = false;
        }
        if let Some(rest) = t.strip_prefix("![") {
            if let Some(file) = rest
                .split("](figures/")
                .nth(1)
                .map(|f| f.trim_end_matches(')'))
            {
                if let Some(f) = figures.iter().find(|f| f.file == file) {
                    let svg = f.svg.find("<svg").map_or(f.svg.as_str(), |i| &f.svg[i..]);
                    let _ = writeln!(body, "<figure>{svg}</figure>");
                }
            }
        } else if let Some(h) = t.strip_prefix("### ") {
            let _ = writeln!(body, "<h3>{}</h3>", inline(h));
        } else if let Some(h) = t.strip_prefix("## ") {
            let _ = writeln!(body, "<h2>{}</h2>", inline(h));
        } else if let Some(h) = t.strip_prefix("# ") {
            let _ = writeln!(body, "<h1>{}</h1>", inline(h));
        } else if !t.is_empty() {
            let _ = writeln!(body, "<p>{}</p>", inline(t));
        }
    }
    if in_table {
        body.push_str("</table>\n");
    }
    if in_list {
        body.push_str("</ul>\n");
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nabla experiments report</title>\n<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.4}}table{{border-collapse:collapse;margin:1em 0;font-size:0.9em}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}th{{background:#f3f3f3}}figure{{display:inline-block;margin:4px}}code{{background:#f5f5f5;padding:0 3px}}</style></head>\n<body>\n{body}</body></html>\n"
    )
}

/// Escapes HTML and turns `code` and **bold** spans into tags.
fn inline(s: &str) -> String {
    let escaped = s
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = String::new();
    for (k, part) in escaped.split('`').enumerate() {
        if k % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            for (j, p) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<b>{p}</b>");
                } else {
                    out.push_str(p);
                }
            }
        }
    }
    out
}

/// The default report folder under a project root.
pub fn default_dir(root: &Path) -> PathBuf {
    root.join("target").join("experiments")
}
