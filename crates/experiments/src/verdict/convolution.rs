//! Section 4 of the notes: convolution. Each claim is followed by its decision and the
//! decision's test.

use super::measures::settled;
use super::words::pct;
use super::{Chart, Claim, Computed, Decision, Evidence, Exhibit, Outcome::*, Reads};
use crate::RunResult;
use crate::catalog::ids::*;

/// The claims of section 4, in the report's order.
pub const CLAIMS: &[&Claim] = &[
    &IM2COL_MATRIX,
    &COL2IM_NOT_INVERSE,
    &CONV_OUTPUT_SIZE,
    &PADDING_HARDLY_MATTERS,
    &CNN_LEARNS_IMAGES,
    &CNN_USES_2D_STRUCTURE,
    &CONVOLUTION_DOMINATES_COMPUTE,
];

/// im2col's matrix.
pub const IM2COL_MATRIX: Claim = Claim {
    id: "im2col-matrix",
    statement: "im2col turns a batch of images into one matrix, a row per output position",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Computed(im2col_matrix)],
};

fn im2col_matrix(c: &Computed) -> Decision {
    let (rows, cols) = c.im2col.scrambled_col.dim();
    Decision::holds_if(
        c.im2col_shape_ok,
        format!(
            "a (2, 1, 4, 4) batch with a 6x4 kernel, stride 2, padding 1 becomes a ({rows}, {cols}) matrix: N·OH·OW rows, C·KH·KW columns"
        ),
    )
}

/// col2im is the adjoint.
pub const COL2IM_NOT_INVERSE: Claim = Claim {
    id: "col2im-not-inverse",
    statement: "col2im is not the inverse of im2col",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Computed(col2im_not_inverse)],
};

fn col2im_not_inverse(c: &Computed) -> Decision {
    let cover = c
        .im2col
        .cover
        .index_axis(ndarray::Axis(0), 0)
        .index_axis(ndarray::Axis(0), 0)
        .row(0)
        .to_vec();
    Decision::holds_if(
        !c.round_trip_returns_input,
        format!(
            "col2im(im2col(x)) returns x multiplied by how many windows cover each pixel (the first row's pixels: {}); it is the adjoint, which is what backpropagation needs",
            cover
                .iter()
                .map(|v| format!("{v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// The output-size formula.
pub const CONV_OUTPUT_SIZE: Claim = Claim {
    id: "conv-output-size",
    statement: "A convolution's output side is (H + 2P − FH) / S + 1: a 6x6 input, 2x2 filter, stride 1 and padding 1 give 7x7",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Computed(conv_output_size)],
};

fn conv_output_size(c: &Computed) -> Decision {
    let all_agree = c
        .conv_sizes
        .iter()
        .all(|s| s.geometry == (s.formula, s.formula) && s.forward == (s.formula, s.formula));
    let first = c.conv_sizes.first();
    Decision::holds_if(
        all_agree && first.is_some_and(|s| (s.input, s.kernel, s.formula) == (6, 2, 7)),
        format!(
            "{} cases, formula, geometry and a real Conv2d forward agree: {}",
            c.conv_sizes.len(),
            c.conv_sizes
                .iter()
                .map(|s| format!(
                    "{}x{} * {}x{} (S {}, P {}) → {}",
                    s.input, s.input, s.kernel, s.kernel, s.stride, s.padding, s.formula
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    )
}

/// Padding.
pub const PADDING_HARDLY_MATTERS: Claim = Claim {
    id: "padding-hardly-matters",
    statement: "Zero padding hardly changes what the network learns",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "With and without padding the two runs stay within a point or two of each other.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [X_POOL_MAX, CNN_PAD],
        decide: padding_hardly_matters,
    })],
};

fn padding_hardly_matters([no_pad, pad]: [&RunResult; 2]) -> Decision {
    // Within 3 points (ten seeds: at most 1.9 apart, single evaluations on 1,000 images).
    Decision::holds_if(
        (settled(no_pad) - settled(pad)).abs() < 0.03,
        format!(
            "SimpleConvNet after 300 steps (median of the last 3 evaluations): {} without padding, {} with padding 2",
            pct(settled(no_pad)),
            pct(settled(pad))
        ),
    )
}

#[cfg(test)]
mod padding_hardly_matters_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_within_three_points() {
        let (a, b, c) = (
            run("A", &[0.95; 3]),
            run("B", &[0.94; 3]),
            run("C", &[0.9; 3]),
        );
        assert_eq!(padding_hardly_matters([&a, &b]).finding, Holds);
        assert_eq!(padding_hardly_matters([&a, &c]).finding, Fails);
    }
}

/// CNNs on images.
pub const CNN_LEARNS_IMAGES: Claim = Claim {
    id: "cnn-learns-images",
    statement: "A convolutional network learns images well",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "SimpleConvNet climbs past 95% and DeepConvNet past 96% on the first 1,000 test images, after training on 5,000 images.",
    exhibits: &[Exhibit {
        chart: Chart::Filters,
        runs: &[CNN_3],
        name: "filters",
        caption: "SimpleConvNet's 30 first-layer 5x5 filters before training (top: random noise) and after it (bottom: edge and stroke detectors), each filter scaled to its own range, black lowest.",
    }],
    evidence: &[
        Evidence::Runs(&Reads {
            ids: [CNN_3, REF_2_8],
            decide: cnn_learns_with_deep,
        }),
        Evidence::Runs(&Reads {
            ids: [CNN_3],
            decide: cnn_learns,
        }),
    ],
};

/// SimpleConvNet passes its bar (94% after the full 1,000 iterations, 85% in a shorter run).
fn simple_conv_bar(cnn: &RunResult) -> bool {
    let full = cnn.curve.last().is_some_and(|p| p.iteration >= 1000);
    cnn.final_test() > if full { 0.94 } else { 0.85 }
}

fn simple_conv_words(cnn: &RunResult) -> String {
    format!(
        "SimpleConvNet: {} test accuracy after {} iterations",
        pct(cnn.final_test()),
        cnn.curve.last().map_or(0, |p| p.iteration)
    )
}

fn cnn_learns_with_deep([cnn, deep]: [&RunResult; 2]) -> Decision {
    Decision::holds_if(
        simple_conv_bar(cnn) && deep.final_test() > 0.96,
        format!(
            "{}; DeepConvNet: {}",
            simple_conv_words(cnn),
            pct(deep.final_test())
        ),
    )
}

fn cnn_learns([cnn]: [&RunResult; 1]) -> Decision {
    Decision::holds_if(simple_conv_bar(cnn), simple_conv_words(cnn))
}

#[cfg(test)]
mod cnn_learns_images_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn the_bar_follows_the_run_length() {
        let full = RunResult::with_test_curve("CNN-3", 500, &[0.9, 0.95]);
        let short = RunResult::with_test_curve("CNN-3", 100, &[0.8, 0.88]);
        let deep = run("REF-2_8", &[0.98]);
        assert_eq!(cnn_learns_with_deep([&full, &deep]).finding, Holds);
        assert_eq!(cnn_learns([&short]).finding, Holds);
        let weak = RunResult::with_test_curve("CNN-3", 500, &[0.9, 0.92]);
        assert_eq!(cnn_learns([&weak]).finding, Fails);
    }
}

/// The 2D arrangement.
pub const CNN_USES_2D_STRUCTURE: Claim = Claim {
    id: "cnn-uses-2d-structure",
    statement: "A CNN learns from the 2D arrangement of pixels; a fully connected network cannot use it",
    expected: Supported,
    why: "",
    chart: Chart::Runs,
    caption: "SimpleConvNet on shuffled pixels ends several points under SimpleConvNet on real images; the MLP's two runs end together.",
    exhibits: &[],
    evidence: &[Evidence::Runs(&Reads {
        ids: [X_POOL_MAX, CNN_PERM, CNN_MLP, CNN_MLP_PERM],
        decide: cnn_uses_2d_structure,
    })],
};

fn cnn_uses_2d_structure([cnn, cnn_perm, mlp, mlp_perm]: [&RunResult; 4]) -> Decision {
    let cnn_loss = settled(cnn) - settled(cnn_perm);
    // Ten seeds: SimpleConvNet loses 4.3 to 6.6 points, the MLP moves at most 1.0 either way.
    Decision::holds_if(
        cnn_loss > 0.02 && (settled(mlp) - settled(mlp_perm)).abs() < cnn_loss / 2.0,
        format!(
            "300 Adam steps on 5,000 images, one fixed pixel shuffle (median of the last 3 evaluations): SimpleConvNet {} → {}, the MLP {} → {}",
            pct(settled(cnn)),
            pct(settled(cnn_perm)),
            pct(settled(mlp)),
            pct(settled(mlp_perm))
        ),
    )
}

#[cfg(test)]
mod cnn_uses_2d_structure_test {
    use super::super::Finding::*;
    use super::super::fixtures::run;
    use super::*;

    #[test]
    fn holds_when_only_the_cnn_loses_from_shuffling() {
        let (high, low, mid) = (
            run("A", &[0.96; 3]),
            run("B", &[0.89; 3]),
            run("C", &[0.91; 3]),
        );
        assert_eq!(
            cnn_uses_2d_structure([&high, &low, &mid, &mid]).finding,
            Holds
        );
        assert_eq!(
            cnn_uses_2d_structure([&high, &low, &high, &low]).finding,
            Fails
        );
    }
}

/// Where the arithmetic goes.
pub const CONVOLUTION_DOMINATES_COMPUTE: Claim = Claim {
    id: "convolution-dominates-compute",
    statement: "Convolutions are where a deep network's arithmetic goes, which is why deep learning needs fast hardware",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Computed(convolution_dominates_compute)],
};

fn convolution_dominates_compute(c: &Computed) -> Decision {
    let deep = c
        .arithmetic
        .iter()
        .filter(|a| a.network != "SimpleConvNet")
        .all(|a| a.conv_share > 0.9);
    let deep_time = c
        .step_times
        .iter()
        .find(|t| t.network == "DeepConvNet")
        .map_or(0.0, |t| t.conv_share);
    Decision::holds_if(
        deep && deep_time > 0.5,
        format!(
            "the convolutions' share of a training step's measured time (batch of 100, one thread): {}; of the multiply-adds (and of the parameters): {}",
            c.step_times
                .iter()
                .map(|t| format!("{} {}", t.network, pct(t.conv_share)))
                .collect::<Vec<_>>()
                .join(", "),
            c.arithmetic
                .iter()
                .map(|a| format!(
                    "{} {} of {:.1} M ({} of the parameters)",
                    a.network,
                    pct(a.conv_share),
                    a.macs as f64 / 1e6,
                    pct(a.conv_param_share)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}
