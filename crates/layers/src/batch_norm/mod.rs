//! Batch normalization: normalize each feature (or channel) over the batch, then scale and
//! shift.
//!
//! **The math** ([`BatchNorm::forward_reference`], [`BatchNorm::backward_reference`], in
//! `reference.rs`), over the `M` rows of a batch (`N` samples, or `N·H·W` positions per
//! channel):
//!
//! ```text
//! μ  = Σ x / M              σ² = Σ (x − μ)² / M         x̂ = (x − μ) / √(σ² + ε)
//! y  = γ·x̂ + β
//! dβ = Σ dy                 dγ = Σ dy ⊙ x̂
//! dx = γ/√(σ² + ε) · (dy − dβ/M − x̂ · dγ/M)
//! ```
//!
//! **How this file computes it**: the same operations in the same order, written into
//! buffers the layer keeps from one step to the next (statistics, `x̂`) and over the input
//! and the output's gradient, so that a training step allocates nothing. A proptest holds the
//! two to the same bits, and both to a numerical gradient.

mod reference;

pub use reference::BatchNormGradients;

use ndarray::{Array1, Array2, ArrayD, Ix1};

use crate::shape::{expect_same, fixed2, fixed4};
use crate::{Float, Layer, LayerError, Mode, Param, ParamKind, Result};

/// Batch normalization, the classic form.
///
/// - `(N, D)` input: statistics per feature (BatchNorm1d).
/// - `(N, C, H, W)` input: statistics per channel over `N·H·W` values (BatchNorm2d).
///
/// Training: `x̂ = (x − μ_B) / sqrt(σ²_B + ε)` with the biased batch variance, `y = γ·x̂ + β`,
/// and running statistics `r ← m·r + (1 − m)·stat` (momentum `m` = 0.9). Inference uses the
/// running statistics instead, which start at zero as in the classic code (so a model must see
/// some training batches before inference means anything).
///
/// ```
/// use nabla_layers::{BatchNorm, Layer, Mode};
/// use ndarray::array;
/// let mut bn = BatchNorm::<f64>::new(1)?;
/// let y = bn.forward(array![[1.0], [3.0]].into_dyn(), Mode::Train)?;
/// // Mean 2, variance 1: normalized to about ±1.
/// assert!((y[[0, 0]] + 1.0).abs() < 1e-5 && (y[[1, 0]] - 1.0).abs() < 1e-5);
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `x: [n, d]` or `[n, d, h, w]` → same shape.
#[derive(Debug)]
pub struct BatchNorm<F: Float> {
    gamma: Param<F>,
    beta: Param<F>,
    running_mean: Param<F>,
    running_var: Param<F>,
    momentum: F,
    eps: F,
    cache: Option<Cache<F>>,
}

#[derive(Debug, Default)]
struct Cache<F: Float> {
    x_shape: Vec<usize>,
    /// The batch's (or the running) mean and variance per feature.
    mean: Array1<F>,
    var: Array1<F>,
    /// Normalized input, `(M, D)`.
    xn: Array2<F>,
    /// `1 / sqrt(var + eps)` per feature, from the batch or the running variance.
    inv_std: Array1<F>,
    train: bool,
}

impl<F: Float> BatchNorm<F> {
    /// Batch norm over `features` features or channels, momentum 0.9, ε = 1e-6, γ = 1, β = 0.
    pub fn new(features: usize) -> Result<Self> {
        Self::with_options(features, 0.9, 1e-6)
    }

    /// Batch norm with another momentum (in `[0, 1]`) and ε (positive).
    pub fn with_options(features: usize, momentum: f64, eps: f64) -> Result<Self> {
        if features == 0 || !(0.0..=1.0).contains(&momentum) || !(eps > 0.0) {
            return Err(LayerError::Config {
                layer: "BatchNorm",
                reason: format!(
                    "features {features} must be > 0, momentum {momentum} in [0, 1], eps {eps} > 0"
                ),
            });
        }
        let vector = |v: f64, kind| Param::new(ArrayD::from_elem(vec![features], F::of(v)), kind);
        let mut running_mean = vector(0.0, ParamKind::Buffer);
        let mut running_var = vector(0.0, ParamKind::Buffer);
        running_mean.frozen = true;
        running_var.frozen = true;
        Ok(BatchNorm {
            gamma: vector(1.0, ParamKind::Scale),
            beta: vector(0.0, ParamKind::Shift),
            running_mean,
            running_var,
            momentum: F::of(momentum),
            eps: F::of(eps),
            cache: None,
        })
    }

    /// A layer from given values: scale `gamma`, shift `beta`, running statistics (what
    /// inference normalizes with), momentum (in `[0, 1]`) and ε (positive). All four vectors
    /// have one value per feature or channel.
    ///
    /// ```
    /// use nabla_layers::{BatchNorm, Layer, Mode};
    /// use nabla_layers::ndarray::{Array1, array};
    /// let mut bn = BatchNorm::<f64>::from_parts(
    ///     Array1::from(vec![2.0]), Array1::from(vec![1.0]), // γ, β
    ///     Array1::from(vec![3.0]), Array1::from(vec![4.0]), // running mean, variance
    ///     0.9, 1e-12,
    /// )?;
    /// // (5 − 3) / √4 · 2 + 1 = 3
    /// let y = bn.forward(array![[5.0]].into_dyn(), Mode::Eval)?;
    /// assert!((y[[0, 0]] - 3.0).abs() < 1e-9);
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn from_parts(
        gamma: Array1<F>,
        beta: Array1<F>,
        running_mean: Array1<F>,
        running_var: Array1<F>,
        momentum: f64,
        eps: f64,
    ) -> Result<Self> {
        let features = gamma.len();
        let lengths = [beta.len(), running_mean.len(), running_var.len()];
        if lengths.iter().any(|&l| l != features) {
            return Err(LayerError::Config {
                layer: "BatchNorm",
                reason: format!(
                    "gamma has {features} values but beta, running mean and variance have {lengths:?}"
                ),
            });
        }
        if running_var.iter().any(|&v| !(v >= F::zero())) {
            return Err(LayerError::Config {
                layer: "BatchNorm",
                reason: "running variances must be non-negative numbers".into(),
            });
        }
        let mut bn = Self::with_options(features, momentum, eps)?;
        bn.gamma.value = gamma.into_dyn();
        bn.beta.value = beta.into_dyn();
        bn.running_mean.value = running_mean.into_dyn();
        bn.running_var.value = running_var.into_dyn();
        Ok(bn)
    }

    /// The scale γ and its gradient.
    pub fn gamma(&self) -> &Param<F> {
        &self.gamma
    }

    /// The shift β and its gradient.
    pub fn beta(&self) -> &Param<F> {
        &self.beta
    }

    /// The running mean and variance that inference normalizes with.
    pub fn running_stats(&self) -> (&Param<F>, &Param<F>) {
        (&self.running_mean, &self.running_var)
    }

    fn features(&self) -> usize {
        self.gamma.value.len()
    }

    fn vec(p: &Param<F>) -> ndarray::ArrayView1<'_, F> {
        match p.value.view().into_dimensionality::<Ix1>() {
            Ok(v) => v,
            Err(_) => unreachable!("BatchNorm vectors are created 1-D"),
        }
    }
}

/// `(N, D)` stays; `(N, C, H, W)` becomes `(N·H·W, C)`.
fn to_rows<F: Float>(x: ArrayD<F>) -> Array2<F> {
    if x.ndim() == 2 {
        return fixed2(x);
    }
    let x = fixed4(x);
    let (n, c, h, w) = x.dim();
    let rows = x
        .permuted_axes([0, 2, 3, 1])
        .as_standard_layout()
        .into_owned();
    match rows.into_shape_with_order((n * h * w, c)) {
        Ok(r) => r,
        Err(_) => unreachable!("standard layout reshapes"),
    }
}

fn from_rows<F: Float>(rows: Array2<F>, shape: &[usize]) -> ArrayD<F> {
    if shape.len() == 2 {
        return rows.into_dyn();
    }
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3]);
    match rows.into_shape_with_order((n, h, w, c)) {
        Ok(a) => a
            .permuted_axes([0, 3, 1, 2])
            .as_standard_layout()
            .into_owned()
            .into_dyn(),
        Err(_) => unreachable!("row count matches the shape"),
    }
}

impl<F: Float> Layer<F> for BatchNorm<F> {
    fn kind(&self) -> &'static str {
        "BatchNorm"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        let d = self.features();
        if !matches!(x.ndim(), 2 | 4) || x.shape()[1] != d {
            self.output_shape(x.shape())?;
        }
        // What the last forward kept is reused as this one's buffers: a step allocates nothing
        // for `(n, d)` inputs (a 4-D input is still permuted into rows by a copy).
        let mut cache = self.cache.take().unwrap_or_default();
        cache.x_shape.clear();
        cache.x_shape.extend_from_slice(x.shape());
        let mut rows = to_rows(x);
        if !rows.is_standard_layout() {
            rows = rows.as_standard_layout().into_owned();
        }
        let m = F::of(rows.nrows() as f64);
        for v in [&mut cache.mean, &mut cache.var, &mut cache.inv_std] {
            if v.len() != d {
                *v = Array1::zeros(d);
            }
        }
        if cache.xn.dim() != rows.dim() {
            cache.xn = Array2::zeros(rows.dim());
        }
        let Cache {
            mean,
            var,
            inv_std,
            xn,
            ..
        } = &mut cache;
        if mode == Mode::Train {
            // Row after row onto zeros, as sum_axis(Axis(0)) adds, then divided.
            mean.fill(F::zero());
            for row in rows.rows() {
                mean.zip_mut_with(&row, |s, &x| *s += x);
            }
            mean.mapv_inplace(|s| s / m);
            var.fill(F::zero());
            for row in rows.rows() {
                for ((v, &x), &mu) in var.iter_mut().zip(row).zip(mean.iter()) {
                    *v += (x - mu) * (x - mu);
                }
            }
            var.mapv_inplace(|v| v / m);
            let keep = self.momentum;
            let mix = |running: &mut Param<F>, stat: &Array1<F>| {
                running
                    .value
                    .zip_mut_with(&stat.view().into_dyn(), |r, &s| {
                        *r = keep * *r + (F::one() - keep) * s
                    })
            };
            mix(&mut self.running_mean, mean);
            mix(&mut self.running_var, var);
        } else {
            mean.assign(&Self::vec(&self.running_mean));
            var.assign(&Self::vec(&self.running_var));
        }
        let eps = self.eps;
        inv_std.zip_mut_with(var, |s, &v| *s = F::one() / (v + eps).sqrt());
        let (gamma, beta) = (Self::vec(&self.gamma), Self::vec(&self.beta));
        // x̂ = (x − μ)·σ⁻¹ into the kept buffer, and y = x̂·γ + β over the input, which
        // nothing needs any more.
        for (mut xn_row, mut row) in xn.rows_mut().into_iter().zip(rows.rows_mut()) {
            for (j, (n, x)) in xn_row.iter_mut().zip(row.iter_mut()).enumerate() {
                *n = (*x - mean[j]) * inv_std[j];
                *x = *n * gamma[j] + beta[j];
            }
        }
        // The one layer that keeps a cache in inference mode: with its statistics fixed it is
        // an affine map whose gradient is checked (fine-tuning with frozen statistics).
        cache.train = mode == Mode::Train;
        let y = from_rows(rows, &cache.x_shape);
        self.cache = Some(cache);
        Ok(y)
    }

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let cache = self
            .cache
            .as_ref()
            .ok_or(LayerError::NoForward("BatchNorm"))?;
        expect_same("BatchNorm", dout.shape(), &cache.x_shape)?;
        let mut dy = to_rows(dout);
        if !dy.is_standard_layout() {
            dy = dy.as_standard_layout().into_owned();
        }
        let m = F::of(dy.nrows() as f64);
        // dβ = Σ dy and dγ = Σ dy ⊙ x̂, row after row onto zeros (sum_axis's order).
        self.beta.grad.fill(F::zero());
        self.gamma.grad.fill(F::zero());
        for (row, xn_row) in dy.rows().into_iter().zip(cache.xn.rows()) {
            for (j, (&d, &n)) in row.iter().zip(xn_row).enumerate() {
                self.beta.grad[j] += d;
                self.gamma.grad[j] += d * n;
            }
        }
        let gamma = Self::vec(&self.gamma);
        let (dbeta, dgamma) = (&self.beta.grad, &self.gamma.grad);
        let inv_std = &cache.inv_std;
        // The input's gradient over the output's, in place.
        for (mut row, xn_row) in dy.rows_mut().into_iter().zip(cache.xn.rows()) {
            for (j, (d, &n)) in row.iter_mut().zip(xn_row).enumerate() {
                let scale = gamma[j] * inv_std[j];
                *d = if cache.train {
                    // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy ⊙ x̂)), the classic backward
                    // simplified.
                    let (mean_dy, mean_dy_xn) = (dbeta[j] / m, dgamma[j] / m);
                    (*d - mean_dy - n * mean_dy_xn) * scale
                } else {
                    *d * scale
                };
            }
        }
        Ok(from_rows(dy, &cache.x_shape))
    }

    fn params(&self, f: &mut dyn FnMut(&str, &Param<F>)) {
        f("gamma", &self.gamma);
        f("beta", &self.beta);
        f("running_mean", &self.running_mean);
        f("running_var", &self.running_var);
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(&str, &mut Param<F>)) {
        f("gamma", &mut self.gamma);
        f("beta", &mut self.beta);
        f("running_mean", &mut self.running_mean);
        f("running_var", &mut self.running_var);
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        let d = self.features();
        if !matches!(input.len(), 2 | 4) || input[1] != d {
            return Err(LayerError::Shape {
                layer: "BatchNorm",
                expected: format!("[n, {d}] or [n, {d}, h, w]"),
                got: input.to_vec(),
            });
        }
        Ok(input.to_vec())
    }
}

#[cfg(test)]
mod tests;
