//! The notes' check-yourself questions, in our words, each answered with the number that
//! decides it and a link to the claim that measured it.

use std::fmt::Write as _;

use crate::verdict::optimizers::{ADAGRAD_RATE_SHRINKS, ADAM_COMBINES, MOMENTUM_SETTLES_SLOWLY};
use crate::verdict::overfitting::{
    BIAS_NOT_PENALIZED, HUGE_LAMBDA_ZERO_WEIGHTS, L1_DIAMOND_CORNER, L1_EXACT_ZEROS,
    PENALTY_KEEPS_WEIGHTS_SMALL,
};
use crate::verdict::vanishing::{BATCHNORM_SPEEDS_LEARNING, SAME_INIT_SAME_UNITS, SIGMOID_SLOPE};
use crate::verdict::{Claim, Verdict, convolution::CONV_OUTPUT_SIZE};

/// `(question, nabla's answer, the claim that measured it)`.
pub(super) const QUESTIONS: [(&str, &str, &Claim); 15] = [
    (
        "What is the largest value of the sigmoid's derivative: 0.15, 0.25, 0.35 or 0.45?",
        "0.25, at x = 0",
        &SIGMOID_SLOPE,
    ),
    (
        "What goes wrong when every weight starts at the same value?",
        "every unit of a layer stays a copy of the others",
        &SAME_INIT_SAME_UNITS,
    ),
    (
        "What does batch normalization bring?",
        "faster learning, larger gradients in the first layer, less dependence on the start",
        &BATCHNORM_SPEEDS_LEARNING,
    ),
    (
        "Which optimizer overshoots and settles slowly, and why?",
        "Momentum: it keeps a velocity",
        &MOMENTUM_SETTLES_SLOWLY,
    ),
    (
        "Which optimizer's learning rate only shrinks?",
        "AdaGrad; RMSProp's settles at its base rate",
        &ADAGRAD_RATE_SHRINKS,
    ),
    (
        "What does Adam combine?",
        "Momentum's velocity and RMSProp's step that ignores the gradient's scale",
        &ADAM_COMBINES,
    ),
    (
        "L2 (a): is the penalty ½λ‖W‖² added to the loss, and λW to the weights' gradient?",
        "yes: the penalty the library adds equals the weights' sum alone",
        &BIAS_NOT_PENALIZED,
    ),
    (
        "L2 (b): are the biases penalized too?",
        "no: their gradient does not change",
        &BIAS_NOT_PENALIZED,
    ),
    (
        "L2 (c): does the penalty keep the weights small and narrow the train/test gap?",
        "yes: the weights end far smaller, and the gap narrows",
        &PENALTY_KEEPS_WEIGHTS_SMALL,
    ),
    (
        "L2 (d): what happens with a very large λ?",
        "every weight goes to 0, and the network predicts one class",
        &HUGE_LAMBDA_ZERO_WEIGHTS,
    ),
    (
        "L1 (a): is the penalty λ‖W‖₁ added to the loss, and λ·sign(W) to the gradient, for the weights only?",
        "yes, weights only",
        &BIAS_NOT_PENALIZED,
    ),
    (
        "L1 (b): which penalty leaves many weights at exactly zero?",
        "L1; L2 only shrinks them",
        &L1_EXACT_ZEROS,
    ),
    (
        "L1 (c): which constraint region is L1's and which L2's, and why does L1's give zeros?",
        "L1 is the diamond, and a loss's contours first touch it at a corner, where one weight is 0; L2 is the circle",
        &L1_DIAMOND_CORNER,
    ),
    (
        "L1 (d): does L1 make the weights small as L2 does?",
        "yes, and it zeroes many of them outright",
        &L1_EXACT_ZEROS,
    ),
    (
        "What is the output size of a 6x6 input with a 2x2 filter, stride 1 and padding 1?",
        "7x7",
        &CONV_OUTPUT_SIZE,
    ),
];

/// The check-yourself section.
pub(super) fn check_yourself(md: &mut String, verdicts: &[Verdict]) {
    md.push_str("<a id=\"check-yourself\"></a>\n\n## Check yourself\n\nThe notes end with questions; here each is asked in our words and answered from what this suite computed, with the number that decides it and a link to the claim that measured it.\n\n| question | nabla's answer | the number that decides it | measured by |\n|---|---|---|---|\n");
    for (question, answer, claim) in QUESTIONS {
        let verdict = verdicts.iter().find(|v| v.claim.id == claim.id);
        let (tally, evidence) = verdict.map_or(("not decided".into(), "–".into()), |v| {
            (v.tally(), v.evidence.replace('|', "/"))
        });
        let _ = writeln!(
            md,
            "| {question} | {answer} | {evidence} | [{}](#{}): {tally} |",
            claim.id,
            claim.anchor()
        );
    }
    md.push_str("\n[Back to the contents](#contents)\n\n");
}
