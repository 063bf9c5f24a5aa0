//! Batch normalization as the textbook writes it, one array expression per line of the
//! math. The layer's fast path (in place, into buffers kept between steps) is tested to give
//! these numbers bit for bit.

use ndarray::{Array1, Array2, ArrayD, Axis};

use super::{BatchNorm, from_rows, to_rows};
use crate::shape::expect_same;
use crate::{Float, Layer, Mode, Result};

/// The gradients of batch normalization, from [`BatchNorm::backward_reference`].
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNormGradients<F> {
    /// With respect to the input, in its shape.
    pub dx: ArrayD<F>,
    /// With respect to the scale γ.
    pub dgamma: Array1<F>,
    /// With respect to the shift β.
    pub dbeta: Array1<F>,
}

impl<F: Float> BatchNorm<F> {
    /// The forward pass as the textbook writes it, for a `(N, D)` or `(N, C, H, W)` input,
    /// without touching the running statistics. In training mode, over the `M` rows of the
    /// batch (`N`, or `N·H·W` per channel):
    ///
    /// ```text
    /// μ  = Σ x / M                 σ² = Σ (x − μ)² / M        (biased, as the classic code)
    /// x̂  = (x − μ) / √(σ² + ε)     y  = γ·x̂ + β
    /// ```
    ///
    /// In inference mode `μ` and `σ²` are the running statistics instead.
    ///
    /// ```
    /// use nabla_layers::{BatchNorm, Layer, Mode};
    /// use nabla_layers::ndarray::array;
    /// let mut bn = BatchNorm::<f64>::new(2)?;
    /// let x = array![[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]].into_dyn();
    /// let textbook = bn.forward_reference(&x, Mode::Train)?;
    /// assert_eq!(bn.forward(x, Mode::Train)?, textbook);
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn forward_reference(&self, x: &ArrayD<F>, mode: Mode) -> Result<ArrayD<F>> {
        self.output_shape(x.shape())?;
        let rows = to_rows(x.clone());
        let (mean, var) = self.statistics(&rows, mode);
        let inv_std = var.mapv(|v| F::one() / (v + self.eps).sqrt());
        let xn = (&rows - &mean) * &inv_std;
        let y = &xn * &Self::vec(&self.gamma) + Self::vec(&self.beta);
        Ok(from_rows(y, x.shape()))
    }

    /// The backward pass as the textbook writes it, for the forward pass of `x` in `mode`
    /// and the output's gradient `dout`:
    ///
    /// ```text
    /// dβ = Σ dy        dγ = Σ dy ⊙ x̂
    /// dx = γ/√(σ² + ε) · (dy − dβ/M − x̂ · dγ/M)     (training: μ and σ² depend on x)
    /// dx = γ/√(σ² + ε) · dy                          (inference: they do not)
    /// ```
    pub fn backward_reference(
        &self,
        x: &ArrayD<F>,
        dout: &ArrayD<F>,
        mode: Mode,
    ) -> Result<BatchNormGradients<F>> {
        self.output_shape(x.shape())?;
        expect_same("BatchNorm", dout.shape(), x.shape())?;
        let rows = to_rows(x.clone());
        let dy = to_rows(dout.clone());
        let m = F::of(rows.nrows() as f64);
        let (mean, var) = self.statistics(&rows, mode);
        let inv_std = var.mapv(|v| F::one() / (v + self.eps).sqrt());
        let xn = (&rows - &mean) * &inv_std;
        let dbeta = dy.sum_axis(Axis(0));
        let dgamma = (&dy * &xn).sum_axis(Axis(0));
        let scale = &Self::vec(&self.gamma) * &inv_std;
        let dx = if mode == Mode::Train {
            (&dy - &(&dbeta / m) - &xn * &(&dgamma / m)) * &scale
        } else {
            dy * &scale
        };
        Ok(BatchNormGradients {
            dx: from_rows(dx, x.shape()),
            dgamma,
            dbeta,
        })
    }

    /// The mean and biased variance per feature of `rows`, or the running ones.
    fn statistics(&self, rows: &Array2<F>, mode: Mode) -> (Array1<F>, Array1<F>) {
        if mode == Mode::Train {
            let m = F::of(rows.nrows() as f64);
            let mean = rows.sum_axis(Axis(0)) / m;
            let centred = rows - &mean;
            let var = (&centred * &centred).sum_axis(Axis(0)) / m;
            (mean, var)
        } else {
            (
                Self::vec(&self.running_mean).to_owned(),
                Self::vec(&self.running_var).to_owned(),
            )
        }
    }
}
