//! The rows of the bench table: one id per measurement, shared with the Python peers in
//! `bench/` (which print the same ids), and whether a larger value is better.

/// One measured quantity.
pub struct Row {
    /// Id shared with the peers' JSON, `group/name`.
    pub id: String,
    /// What the number is in.
    pub unit: &'static str,
    /// Throughputs are better larger, times and memory smaller.
    pub higher_is_better: bool,
}

/// GEMM shapes `(m, k, n)`: the MLP's first affine layer at batch 128, SimpleConvNet's first
/// affine layer, SimpleConvNet's im2col forward at batch 100 (as one product), a
/// DeepConvNet-like convolution, and a square reference. Same list as `bench/common.py`.
pub const GEMM_SHAPES: [(usize, usize, usize); 5] = [
    (128, 784, 100),
    (100, 4320, 100),
    (57600, 25, 30),
    (1600, 144, 16),
    (1024, 1024, 1024),
];

/// Iterations timed after one warm-up step (same constants as `bench/common.py`).
pub const SIMPLE_ITERS: u64 = 50;
/// See [`SIMPLE_ITERS`].
pub const MLP_ITERS: u64 = 500;
/// See [`SIMPLE_ITERS`].
pub const DEEP_ITERS: u64 = 10;

/// Inference rows: the fastest of this many passes over the test set (same as
/// `bench/common.py`).
pub const INFER_PASSES: usize = 3;

/// The recipe of the time-to-99% rows (same as `bench/common.py` and the README's command):
/// SimpleConvNet with He initialization, Adam at this rate with a cosine decay to zero over
/// the run, batches of [`TO99_BATCH`], [`TO99_EPOCHS`] shuffled epochs, evaluated after each
/// epoch on the 10,000 test images (and 1,000 training images).
pub const TO99_LR: f64 = 4e-3;
/// See [`TO99_LR`].
pub const TO99_BATCH: usize = 50;
/// See [`TO99_LR`].
pub const TO99_EPOCHS: u64 = 3;

/// Every row, in table order.
pub fn all() -> Vec<Row> {
    let row = |id: String, unit, higher_is_better| Row {
        id,
        unit,
        higher_is_better,
    };
    let mut rows: Vec<Row> = GEMM_SHAPES
        .iter()
        .map(|(m, k, n)| row(format!("gemm/{m}x{k}x{n}"), "GFLOP/s", true))
        .collect();
    for layer in ["simple-conv", "simple-pool", "deep-conv", "deep-pool"] {
        rows.push(row(format!("layer/{layer}"), "ms fwd+bwd", false));
    }
    rows.push(row("train/simple-conv".into(), "s/epoch", false));
    rows.push(row("train/mlp".into(), "samples/s", true));
    rows.push(row("train/deep-conv".into(), "s/iter", false));
    for model in ["mlp", "simple-conv", "deep-conv"] {
        rows.push(row(format!("infer/{model}"), "images/s", true));
    }
    for model in ["simple-conv", "deep-conv"] {
        rows.push(row(format!("memory/{model}"), "MB peak", false));
    }
    // Seconds from loading MNIST to the first evaluation at 99% or more (the whole recipe if
    // it never gets there: the accuracy row says), and the accuracy the recipe ends at.
    rows.push(row("to99/seconds".into(), "s wall", false));
    rows.push(row("to99/accuracy".into(), "% test", true));
    rows
}
