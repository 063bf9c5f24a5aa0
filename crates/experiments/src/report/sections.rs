//! The report's sections that are not training runs: im2col, initialization, the random
//! search, AlexNet.

use std::fmt::Write as _;

use super::*;

pub(super) fn im2col_section(md: &mut String, demo: &Im2colDemo) {
    md.push_str("### im2col and col2im, as the notebook showed them\n\nThe notebook's input (two 4x4 images), a 6x4 kernel, stride 2, padding 1. im2col gives a matrix with one row per output position and one column per kernel element: ");
    let (rows, cols) = demo.scrambled_col.dim();
    let numbers =
        |v: &mut dyn Iterator<Item = f64>| v.map(|x| format!("{x}")).collect::<Vec<_>>().join(" ");
    let _ = writeln!(
        md,
        "{rows} rows and {cols} columns. With the transpose commented out, as the notebook ran it, rows and columns are scrambled; row 0 is `{}`.\n",
        numbers(&mut demo.scrambled_col.row(0).iter().copied())
    );
    let img = |a: &ndarray::Array4<f64>| {
        a.index_axis(ndarray::Axis(0), 0)
            .index_axis(ndarray::Axis(0), 0)
            .outer_iter()
            .map(|r| format!("`{}`", numbers(&mut r.iter().copied())))
            .collect::<Vec<_>>()
            .join(" / ")
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

pub(super) fn init_table(md: &mut String, rows: &[InitRow]) {
    if rows.is_empty() {
        return;
    }
    md.push_str("### Activations through five layers, by initialization\n\n1,000 Gaussian inputs through five 100-unit layers: the standard deviation of each layer's outputs. With std 1 sigmoid and tanh saturate at 0/1 and ±1 (their gradients vanish) and ReLU's outputs grow layer after layer; with std 0.01 everything collapses toward one value; Xavier keeps sigmoid and tanh spread, He keeps ReLU spread. The histograms are drawn under the initialization claims of section 1.\n\n| activation | initialization | std of layer 1..5 outputs |\n|---|---|---|\n");
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
}

pub(super) fn search_section(
    md: &mut String,
    figures: &mut Vec<Figure>,
    suite: &SuiteResult,
) -> Result<()> {
    if suite.search.is_empty() {
        return Ok(());
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
    let points: Vec<(f64, f64)> = suite.search.iter().map(|t| (t.lr, t.validation)).collect();
    let drawn = plot::scatter(
        "random search: validation accuracy by learning rate",
        ("learning rate (log scale)", plot::Axis::decades(-6.0, -2.0)),
        ("validation accuracy", plot::Axis::linear(0.0, 1.0)),
        &points,
    )?;
    md.push('\n');
    place_figure(
        md,
        figures,
        "random search",
        Some(
            "Each point is one trial; weight decay is not shown because it barely moves the points.",
        ),
        "claim",
        Figure::new("random-search.svg".into(), drawn),
    );
    // The best trials at the top of the searched range mean the range should go higher.
    let best = &suite.search[0];
    let edge = best.lr.log10() > -2.5;
    let _ = writeln!(
        md,
        "The learning rate decides almost everything at this budget; weight decay matters little until it is large. {}\n",
        if edge {
            format!(
                "The best trial's rate, {:.1e}, sits in the top half-decade of the searched range [1e-6, 1e-2]: the best rate may lie above it, and a wider search should go higher.",
                best.lr
            )
        } else {
            format!(
                "The best trial's rate, {:.1e}, is inside the searched range [1e-6, 1e-2].",
                best.lr
            )
        }
    );
    Ok(())
}

pub(super) fn alexnet_section(md: &mut String, table: &[nabla_nn::LayerSummary]) {
    md.push_str("### AlexNet's layers\n\nFive convolutions with pooling, three fully connected layers with dropout, for a 3x227x227 input and 1,000 classes (one device, no grouped convolutions).\n\n| layer | kind | output | parameters | MFLOPs |\n|---|---|---|---|---|\n");
    let (mut params, mut macs) = (0usize, 0u64);
    for row in table {
        params += row.params;
        macs += row.macs;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.1} |",
            row.name,
            row.kind,
            row.output_shape[1..]
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("x"),
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

pub(super) fn step_time_section(md: &mut String, times: &[crate::computed::StepTime]) {
    if times.is_empty() {
        return;
    }
    md.push_str("### Where a training step's time goes\n\nForward and backward pass of each layer for a batch of 100 images on one thread, in milliseconds (the median of three; this machine's numbers, unlike everything else in this report).\n\n| network | layer | kind | ms |\n|---|---|---|---|\n");
    for t in times {
        for (name, kind, ms) in &t.layers {
            let _ = writeln!(md, "| {} | {name} | {kind} | {ms:.2} |", t.network);
        }
        let _ = writeln!(
            md,
            "| {} | all convolutions | | {} of the step |",
            t.network,
            pct(t.conv_share)
        );
    }
    md.push('\n');
}
