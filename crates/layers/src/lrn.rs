//! Local response normalization across channels (AlexNet, 2012).
//!
//! With `s_c = k + α · Σ_{c' ∈ window(c)} x_{c'}²`: forward `y_c = x_c · s_c^(−β)`; backward
//! `dx_c = dout_c · s_c^(−β) − 2αβ · x_c · Σ_{j : c ∈ window(j)} dout_j · x_j · s_j^(−β−1)`.

use ndarray::{Array4, ArrayD};

use crate::shape::{expect_rank, expect_same, fixed4};
use crate::{Float, Layer, LayerError, Mode, Result};

/// Local response normalization, as in Krizhevsky et al. (2012), section 3.3:
/// `y_c = x_c / (k + α · Σ_{c' ∈ window(c)} x_{c'}²)^β`, over `size` neighbouring channels.
///
/// Defaults are the paper's: `size = 5, α = 1e-4, β = 0.75, k = 2`. [`LocalResponseNorm::new`]
/// takes `α` as the paper writes it; PyTorch's `nn.LocalResponseNorm` divides `α` by `size`
/// (with the paper's settings, a difference of 4e-4 in the denominator's second term): build
/// with [`LocalResponseNorm::pytorch`] to match PyTorch.
///
/// ```
/// use nabla_layers::{Layer, LocalResponseNorm, Mode};
/// use ndarray::{ArrayD, IxDyn};
/// let mut lrn = LocalResponseNorm::<f64>::alexnet();
/// let y = lrn.forward(ArrayD::zeros(IxDyn(&[1, 8, 2, 2])), Mode::Eval)?;
/// assert_eq!(y.shape(), &[1, 8, 2, 2]);
/// # Ok::<(), nabla_layers::LayerError>(())
/// ```
///
/// # Shapes
/// `x: [n, c, h, w]` → same shape.
#[derive(Debug)]
pub struct LocalResponseNorm<F: Float> {
    size: usize,
    alpha: F,
    beta: F,
    k: F,
    cache: Option<(Array4<F>, Array4<F>)>,
}

impl<F: Float> LocalResponseNorm<F> {
    /// LRN over `size` channels (odd, so the window is centred) with `alpha`, `beta`, `k`.
    pub fn new(size: usize, alpha: f64, beta: f64, k: f64) -> Result<Self> {
        if size == 0 || size.is_multiple_of(2) || !(k > 0.0) || !(alpha >= 0.0) || !(beta >= 0.0) {
            return Err(LayerError::Config {
                layer: "LocalResponseNorm",
                reason: format!(
                    "size {size} must be odd, alpha {alpha} and beta {beta} non-negative, k {k} positive"
                ),
            });
        }
        Ok(LocalResponseNorm {
            size,
            alpha: F::of(alpha),
            beta: F::of(beta),
            k: F::of(k),
            cache: None,
        })
    }

    /// PyTorch's form, `nn.LocalResponseNorm(size, alpha, beta, k)`: it divides `α` by the
    /// window size, `y_c = x_c / (k + α/size · Σ x²)^β` (and its default `k` is 1), so a
    /// model ported from PyTorch gets the same numbers with this constructor.
    ///
    /// ```
    /// use nabla_layers::{Layer, LocalResponseNorm, Mode};
    /// use nabla_layers::ndarray::{ArrayD, IxDyn};
    /// // One channel holding 2: 2 / (1 + 1/1 · 4)^1 = 0.4.
    /// let mut lrn = LocalResponseNorm::<f64>::pytorch(1, 1.0, 1.0, 1.0)?;
    /// let y = lrn.forward(ArrayD::from_elem(IxDyn(&[1, 1, 1, 1]), 2.0), Mode::Eval)?;
    /// assert!((y[[0, 0, 0, 0]] - 0.4).abs() < 1e-12);
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn pytorch(size: usize, alpha: f64, beta: f64, k: f64) -> Result<Self> {
        Self::new(size, alpha / size.max(1) as f64, beta, k)
    }

    /// The paper's settings: size 5, α = 1e-4, β = 0.75, k = 2.
    pub fn alexnet() -> Self {
        LocalResponseNorm {
            size: 5,
            alpha: F::of(1e-4),
            beta: F::of(0.75),
            k: F::of(2.0),
            cache: None,
        }
    }

    /// `s = k + α · Σ window(x²)` for every element.
    fn denominators(&self, x: &Array4<F>) -> Array4<F> {
        let (_, c, _, _) = x.dim();
        let half = self.size / 2;
        let sq = x.mapv(|v| v * v);
        let mut s = Array4::from_elem(x.raw_dim(), self.k);
        for ch in 0..c {
            let (lo, hi) = (ch.saturating_sub(half), (ch + half).min(c - 1));
            let mut acc = s.index_axis_mut(ndarray::Axis(1), ch);
            for other in lo..=hi {
                let alpha = self.alpha;
                acc.zip_mut_with(&sq.index_axis(ndarray::Axis(1), other), |a, &q| {
                    *a += alpha * q
                });
            }
        }
        s
    }
}

impl<F: Float> Layer<F> for LocalResponseNorm<F> {
    fn kind(&self) -> &'static str {
        "LocalResponseNorm"
    }

    fn forward(&mut self, x: ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        self.output_shape(x.shape())?;
        let x = fixed4(x);
        let s = self.denominators(&x);
        let beta = self.beta;
        let mut y = x.clone();
        y.zip_mut_with(&s, |v, &s| *v *= s.powf(-beta));
        self.cache = (mode == Mode::Train).then_some((x, s));
        Ok(y.into_dyn())
    }

    fn backward(&mut self, dout: ArrayD<F>) -> Result<ArrayD<F>> {
        let (x, s) = self
            .cache
            .as_ref()
            .ok_or(LayerError::NoForward("LocalResponseNorm"))?;
        expect_same("LocalResponseNorm", dout.shape(), x.shape())?;
        let dout = fixed4(dout);
        let (_, c, _, _) = x.dim();
        let half = self.size / 2;
        let beta = self.beta;
        // dx_j = dout_j · s_j^(−β) − 2αβ · x_j · Σ_{i ∈ window(j)} dout_i · x_i · s_i^(−β−1)
        let mut t = dout.clone();
        ndarray::Zip::from(&mut t)
            .and(x)
            .and(s)
            .for_each(|t, &x, &s| *t = *t * x * s.powf(-beta - F::one()));
        let mut dx = dout;
        dx.zip_mut_with(s, |d, &s| *d *= s.powf(-beta));
        let factor = F::of(2.0) * self.alpha * beta;
        for ch in 0..c {
            let (lo, hi) = (ch.saturating_sub(half), (ch + half).min(c - 1));
            let mut window_sum = t.index_axis(ndarray::Axis(1), lo).to_owned();
            for other in lo + 1..=hi {
                window_sum += &t.index_axis(ndarray::Axis(1), other);
            }
            let xj = x.index_axis(ndarray::Axis(1), ch);
            let mut dxj = dx.index_axis_mut(ndarray::Axis(1), ch);
            ndarray::Zip::from(&mut dxj)
                .and(&xj)
                .and(&window_sum)
                .for_each(|d, &x, &w| *d -= factor * x * w);
        }
        Ok(dx.into_dyn())
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        expect_rank("LocalResponseNorm", input, 4, "[n, c, h, w]")?;
        Ok(input.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::check_layer;
    use crate::testutil::random;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn gradient_check(n in 1usize..3, c in 1usize..8, hw in 1usize..4, size in 0usize..3, seed in any::<u64>()) {
            // Large alpha and inputs, so the normalization term matters in the check.
            let mut lrn = LocalResponseNorm::<f64>::new(2 * size + 1, 0.3, 0.75, 2.0).unwrap();
            let report = check_layer(&mut lrn, &(random(&[n, c, hw, hw], seed) * 2.0), Mode::Train, seed).unwrap();
            prop_assert!(report.worst() < 1e-6, "{report:?}");
        }
    }
}
