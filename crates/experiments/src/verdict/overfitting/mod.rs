//! Section 3 of the notes: overfitting, weight penalties and dropout. Each claim is one item
//! in the file of its topic, followed by its decision and the decision's test.

use super::Claim;

mod dropout;
mod l1;
mod penalty;

pub use dropout::*;
pub use l1::*;
pub use penalty::*;

/// The claims of section 3, in the report's order.
pub const CLAIMS: &[&Claim] = &[
    &PENALTY_KEEPS_WEIGHTS_SMALL,
    &REGULARIZATION_STRENGTH,
    &HUGE_LAMBDA_ZERO_WEIGHTS,
    &BIAS_NOT_PENALIZED,
    &L1_EXACT_ZEROS,
    &L1_DIAMOND_CORNER,
    &DROPOUT_SUPPRESSES_OVERFITTING,
    &DROPOUT_ENSEMBLE,
];
