//! Section 2 of the notes: learning-rate optimizers and schedules. Each claim is one item in
//! the file of its topic, followed by its decision and the decision's test.

use super::Claim;

mod paths;
mod rates;
mod schedule;
mod sweep;

pub use paths::*;
pub use rates::*;
pub use schedule::*;
pub use sweep::*;

/// The claims of section 2, in the report's order.
pub const CLAIMS: &[&Claim] = &[
    &MOMENTUM_SETTLES_SLOWLY,
    &MOMENTUM_GLOBAL_MINIMUM,
    &ADAGRAD_RATE_SHRINKS,
    &ADAGRAD_STALLS_AT_SADDLE,
    &ADAM_COMBINES,
    &ADAPTIVE_BEATS_STALLED_SGD,
    &LR_SPEED_AND_ACCURACY,
    &RMSPROP_LESS_TUNING,
    &LR_DECAY,
];
