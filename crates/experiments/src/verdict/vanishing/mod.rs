//! Section 1 of the notes: the vanishing gradient, weight initialization and batch
//! normalization. Each claim is one item in the file of its topic, followed by its decision
//! and the decision's test.

use super::Claim;

mod batchnorm;
mod gradient;
mod initialization;

pub use batchnorm::*;
pub use gradient::*;
pub use initialization::*;

/// The claims of section 1, in the report's order.
pub const CLAIMS: &[&Claim] = &[
    &SIGMOID_SLOPE,
    &LOWER_LAYERS_LEARN_LEAST,
    &RELU_FIXES_VANISHING,
    &RELU_SPARSE,
    &XAVIER_HELPS_BOTH,
    &HE_ONLY_RELU,
    &SAME_INIT_SAME_UNITS,
    &BATCHNORM_RESCUES,
    &BATCHNORM_SPEEDS_LEARNING,
    &BATCHNORM_EITHER_SIDE,
];
