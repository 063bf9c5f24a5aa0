//! The report rendered from a whole suite's results (made up, two seeds, every run of the
//! catalog) and held to what a reader needs: every figure captioned, every link landing,
//! readable axes, no Rust formatting in the text, each claim's figures in its own section.

use super::*;
use crate::measure::LayerWeights;
use crate::verdict::{self, Section};

/// A run of `spec` that measured something of every kind, shifted a little by `seed`.
fn made_up(spec: &RunSpec, seed: u64) -> RunResult {
    let points = (spec.iterations / spec.eval_every).max(2);
    let wobble = 0.01 * seed as f64;
    let curve = (1..=points)
        .map(|k| {
            let t = k as f64 / points as f64;
            crate::Point {
                iteration: k * spec.eval_every,
                train: (0.2 + 0.8 * t).min(1.0),
                test: 0.1 + 0.75 * t - wobble,
                loss: 2.0 * (1.0 - t) + 0.01,
            }
        })
        .collect();
    let layers = ["affine1.weight", "affine2.weight", "affine3.weight"];
    let weights = layers
        .iter()
        .map(|name| LayerWeights {
            name: name.to_string(),
            norm_start: 10.0,
            norm_end: 5.0,
            relative_change: 0.5,
            unit_spread: Some(0.1),
            near_zero: 0.01,
            near_zero_relative: 0.01,
            count: 1000,
        })
        .collect();
    let gradient_norms = (1..=10)
        .map(|k| {
            let row = layers
                .iter()
                .enumerate()
                .map(|(j, n)| (n.to_string(), 10f64.powi(j as i32 - 4) * (1.0 + wobble)))
                .collect();
            (k * spec.iterations / 10, row)
        })
        .collect();
    let values = (0..500).map(|k| (f64::from(k) / 60.0).sin() * 3.0);
    RunResult {
        id: spec.id.clone(),
        curve,
        gradient_norms,
        first_filters: Some(vec![vec![0.5f32; 25]; 30]),
        seconds: 1.0,
        diverged: None,
        weights,
        weight_norm: vec![(0, 35.0), (spec.iterations, 14.0 + seed as f64)],
        weight_histogram: Some(nabla_nn::Histogram::of(values, -4.0, 4.0, 40)),
        zero_activations: vec![("activation1".into(), 0.3)],
        ensemble: vec![(0, 0.8), (1, 0.77), (5, 0.79), (20, 0.8), (100, 0.8)],
    }
}

fn report() -> (String, Vec<Figure>, Vec<Verdict>) {
    let specs = crate::catalog::full();
    let runs: Vec<(RunSpec, RunResult)> =
        specs.iter().map(|s| (s.clone(), made_up(s, 0))).collect();
    let replica = specs.iter().map(|s| made_up(s, 1)).collect();
    let suite = SuiteResult {
        runs,
        seeds: vec![0, 1],
        replicas: vec![replica],
        search: Vec::new(),
        init_figure: crate::extras::weight_init_figure(0).unwrap(),
        checks: Vec::new(),
        seconds: 1.0,
    };
    let computed = crate::computed::run().unwrap();
    let verdicts = verdict::all(&suite, Some(&computed));
    let manifest = Manifest {
        seed: 0,
        jobs: 2,
        threads_per_run: 1,
        quick: false,
        command: "cargo xtask experiments --seeds 2".into(),
        git_commit: None,
        dataset: Vec::new(),
        machine: "test".into(),
        run_seconds: Vec::new(),
        wall_seconds: 1.0,
        shards: Vec::new(),
        missing: Vec::new(),
    };
    let before = vec![vec![0.1f32; 25]; 30];
    let inputs = Inputs {
        suite: &suite,
        verdicts: &verdicts,
        computed: &computed,
        alexnet: Some(&computed.alexnet_table),
        filters_before: Some(&before),
        manifest: &manifest,
    };
    let (md, figures) = markdown(&inputs).unwrap();
    (md, figures, verdicts)
}

#[test]
fn the_report_holds_to_what_a_reader_needs() {
    let (md, figures, verdicts) = report();

    // Every figure has a caption: the line after its image is an emphasized sentence.
    let lines: Vec<&str> = md.lines().collect();
    for (k, line) in lines.iter().enumerate() {
        if line.starts_with("![") {
            let caption = lines[k + 1..].iter().find(|l| !l.is_empty()).unwrap();
            assert!(
                caption.starts_with('*') && caption.ends_with('*') && caption.len() > 20,
                "{line} has no caption"
            );
        }
    }
    assert_eq!(md.matches("![").count(), figures.len());

    // Every link within the page lands on an anchor.
    for link in md.split("](#").skip(1) {
        let target = &link[..link.find(')').unwrap()];
        assert!(
            md.contains(&format!("id=\"{target}\"")),
            "no anchor {target}"
        );
    }
    for s in Section::ALL {
        assert!(
            md.contains(&format!("](#{})", s.anchor())),
            "contents miss {s:?}"
        );
    }

    // Every axis has at least two labels, distinct and increasing.
    for f in &figures {
        for axis in &f.axes {
            let values: Vec<f64> = axis
                .iter()
                .filter(|l| !l.is_empty())
                .map(|l| l.parse().unwrap_or_else(|_| panic!("{}: {l}", f.file)))
                .collect();
            assert!(values.len() >= 2, "{}: {axis:?}", f.file);
            assert!(
                values.windows(2).all(|w| w[0] < w[1]),
                "{}: {axis:?}",
                f.file
            );
        }
    }

    // No Rust formatting reaches the reader.
    for bad in [
        "[]",
        "Some(",
        "None",
        "Outcome::",
        "Holds",
        "WithinNoise",
        " { ",
        "\"\"",
    ] {
        assert!(!md.contains(bad), "the report contains {bad:?}");
    }

    // Each claim's figures sit under the claim, inside its own section.
    let at = |needle: &str| md.find(needle).unwrap_or_else(|| panic!("{needle}"));
    for v in &verdicts {
        let start = at(&format!("id=\"{}\"", v.claim.anchor()));
        let next = Section::ALL
            .iter()
            .skip_while(|s| **s != v.section)
            .nth(1)
            .map_or(at("id=\"check-yourself\""), |s| {
                at(&format!("id=\"{}\"", s.anchor()))
            });
        assert!(at(&format!("id=\"{}\"", v.section.anchor())) < start);
        for f in figures
            .iter()
            .filter(|f| f.file.starts_with(&v.claim.anchor()))
        {
            let placed = at(&format!("figures/{})", f.file));
            assert!(
                start < placed && placed < next,
                "{} outside its section",
                f.file
            );
        }
    }

    // The verdict table follows the notes' order.
    let order: Vec<u8> = verdicts.iter().map(|v| v.section.number()).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
}

#[test]
fn captions_name_what_they_show_not_run_ids_or_modes() {
    let ids: Vec<String> = crate::catalog::full().into_iter().map(|s| s.id).collect();
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| c.is_whitespace() || ",.;:()".contains(c))
            .map(String::from)
            .collect()
    };
    for (_, claim) in verdict::every_claim() {
        let captions =
            std::iter::once(claim.caption).chain(claim.exhibits.iter().map(|x| x.caption));
        for caption in captions {
            for w in words(caption) {
                assert!(!ids.contains(&w), "{}: the caption names run {w}", claim.id);
            }
            for mode in ["quick", "full suite"] {
                assert!(!caption.contains(mode), "{}: {mode}", claim.id);
            }
        }
    }
}
