//! What the suite computes without training: the im2col demonstration, the optimizers on
//! two-variable functions, the L1 and L2 constraint shapes, and facts the library's layers
//! answer directly. The same for every seed; the claims read it beside the runs.

use serde::Serialize;

use crate::Result;
use crate::im2col_demo::{self, Im2colDemo};

pub mod facts;
pub mod paths;
pub mod penalty;

pub use facts::{AlexNetShape, ArithmeticShare, ConvSize, PenaltyTargets, SigmoidSlope, StepTime};
pub use paths::{ADAGRAD_AFTER, Path, SADDLE_HISTORY, Surface, SurfaceRun};
pub use penalty::PenaltyShapes;

/// Everything computed without training.
#[derive(Debug, Clone, Serialize)]
pub struct Computed {
    /// The im2col/col2im demonstration (CNN-1, CNN-2).
    #[serde(skip)]
    pub im2col: Im2colDemo,
    /// Whether im2col gave the textbook `(N·OH·OW, C·KH·KW)` matrix.
    pub im2col_shape_ok: bool,
    /// Whether col2im(im2col(x)) returned x.
    pub round_trip_returns_input: bool,
    /// The sigmoid's derivative on a fine grid.
    pub sigmoid: SigmoidSlope,
    /// Output sizes of convolutions.
    pub conv_sizes: Vec<ConvSize>,
    /// AlexNet as the library builds it.
    pub alexnet: AlexNetShape,
    /// AlexNet's layer table.
    #[serde(skip)]
    pub alexnet_table: Vec<nabla_nn::LayerSummary>,
    /// What the weight penalty touches.
    pub penalty_targets: PenaltyTargets,
    /// The convolutions' share of the arithmetic.
    pub arithmetic: Vec<ArithmeticShare>,
    /// The convolutions' share of a training step's measured time.
    pub step_times: Vec<StepTime>,
    /// Each optimizer on each two-variable surface.
    pub surfaces: Vec<SurfaceRun>,
    /// Step length under a constant gradient at steps 1, 10, 100, 1000.
    pub step_lengths: Vec<(&'static str, Vec<f64>)>,
    /// Largest distance between the paths on f and on 100·f.
    pub scale_invariance: Vec<(&'static str, f64)>,
    /// L1 and L2 constrained optima of a quadratic loss.
    pub penalty_shapes: PenaltyShapes,
}

impl Computed {
    /// The runs of `surface`.
    pub fn surface(&self, surface: Surface) -> Option<&SurfaceRun> {
        self.surfaces.iter().find(|s| s.surface == surface)
    }
}

/// Computes it all (well under a second).
pub fn run() -> Result<Computed> {
    let im2col = im2col_demo::run()?;
    let alexnet_table = facts::alexnet_table()?;
    Ok(Computed {
        im2col_shape_ok: im2col.scrambled_col.dim() == (4, 24),
        round_trip_returns_input: im2col.round_trip == im2col_demo::recorded_input(),
        im2col,
        sigmoid: facts::sigmoid_slope()?,
        conv_sizes: facts::conv_sizes()?,
        alexnet: facts::alexnet_shape(&alexnet_table),
        penalty_targets: facts::penalty_targets()?,
        arithmetic: facts::arithmetic(&alexnet_table)?,
        step_times: facts::step_times()?,
        surfaces: paths::surfaces()?,
        step_lengths: paths::step_lengths()?,
        scale_invariance: paths::scale_invariance()?,
        penalty_shapes: penalty::shapes(),
        alexnet_table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prints everything, for setting the claims' expectations (`--nocapture`).
    #[test]
    fn computes_everything() {
        let c = run().unwrap();
        println!("{}", serde_json::to_string_pretty(&c).unwrap());
        assert!(c.im2col_shape_ok);
        assert_eq!(c.surfaces.len(), 3);
    }
}
