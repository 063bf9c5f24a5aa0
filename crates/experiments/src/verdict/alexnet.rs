//! Section 5 of the notes: AlexNet.

use super::words::and_list;
use super::{Chart, Claim, Computed, Decision, Evidence, Outcome::*};

/// The claims of section 5.
pub const CLAIMS: &[&Claim] = &[&ALEXNET_SHAPE];

/// AlexNet's layers.
pub const ALEXNET_SHAPE: Claim = Claim {
    id: "alexnet-shape",
    statement: "AlexNet has five convolutional and three fully connected layers, with dropout on the 4,096-wide outputs",
    expected: Supported,
    why: "",
    chart: Chart::None,
    caption: "",
    exhibits: &[],
    evidence: &[Evidence::Computed(alexnet_shape)],
};

fn alexnet_shape(c: &Computed) -> Decision {
    let a = &c.alexnet;
    let widths: Vec<String> = a.dropout_widths.iter().map(|w| format!("{w}")).collect();
    Decision::holds_if(
        a.convolutions == 5 && a.fully_connected == 3 && a.dropout_widths == [4096, 4096],
        format!(
            "the library's AlexNet counted: {} convolutions, {} fully connected layers, dropout after outputs of width {}, {:.1} M parameters",
            a.convolutions,
            a.fully_connected,
            and_list(&widths),
            a.params as f64 / 1e6
        ),
    )
}
