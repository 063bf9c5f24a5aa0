//! The textbook convolution: the whole batch unfolded by `im2col`, one matrix product, and
//! `col2im` on the way back. Slow in memory (the unfolded matrix is `KH·KW` times the
//! input), but every line is a formula; the fast path is tested against it.

use nabla_tensor::{col2im, im2col};
use ndarray::{Array1, Array2, Array4, Axis};

use super::Conv2d;
use crate::shape::{fixed4, reshaped};
use crate::{Float, Layer, Result};

/// The gradients of a convolution, from [`Conv2d::backward_reference`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConvGradients<F> {
    /// With respect to the input, `(N, C, H, W)`.
    pub dx: Array4<F>,
    /// With respect to the weight, `(FN, C, KH, KW)`.
    pub dw: Array4<F>,
    /// With respect to the bias, `(FN)` (zeros for a layer without one).
    pub db: Array1<F>,
}

impl<F: Float> Conv2d<F> {
    /// The convolution of `x` `(N, C, H, W)` as the textbook writes it:
    /// `col = im2col(x)`, `out = col · Wᵀ + b`, reshaped to `(N, FN, OH, OW)`.
    ///
    /// ```
    /// use nabla_layers::{Conv2d, Layer, Mode};
    /// use nabla_layers::ndarray::{Array1, Array4, IxDyn};
    /// let mut conv = Conv2d::<f64>::from_parts(Array4::ones((2, 1, 2, 2)), Some(Array1::from(vec![0.0, 1.0])), 1, 0)?;
    /// let x = Array4::from_shape_fn((1, 1, 3, 3), |(_, _, i, j)| (3 * i + j) as f64);
    /// let textbook = conv.forward_reference(&x)?;
    /// assert_eq!(textbook[[0, 0, 0, 0]], 0.0 + 1.0 + 3.0 + 4.0);
    /// assert_eq!(textbook[[0, 1, 0, 0]], 9.0);
    /// let fast = conv.forward(x.into_dyn(), Mode::Eval)?;
    /// assert_eq!(fast, textbook.into_dyn());
    /// # Ok::<(), nabla_layers::LayerError>(())
    /// ```
    pub fn forward_reference(&self, x: &Array4<F>) -> Result<Array4<F>> {
        let out_shape = self.output_shape(x.shape())?;
        let (n, fnum, oh, ow) = (out_shape[0], out_shape[1], out_shape[2], out_shape[3]);
        let col = im2col(&x.view(), &self.config.geometry())?;
        let mut out = col.dot(&self.weight_matrix().t());
        if let Some(b) = &self.bias {
            out += &reshaped(
                b.value.view().into_dimensionality::<ndarray::Ix1>(),
                "Conv2d",
            );
        }
        // Rows are (image, y, x), columns filters: bring the filters before the positions.
        // (`dot` may hand back a column-major product; a reshape needs rows.)
        let out = crate::shape::standard(out);
        let out = reshaped(out.into_shape_with_order((n, oh, ow, fnum)), "Conv2d")
            .permuted_axes([0, 3, 1, 2]);
        Ok(out.as_standard_layout().into_owned())
    }

    /// The gradients of the convolution of `x` given `dout` `(N, FN, OH, OW)`, as the textbook
    /// writes them: `dW = doutᵀ · col`, `db = Σ dout`, `dx = col2im(dout · W)`, with `dout`
    /// as a `(N·OH·OW, FN)` matrix.
    pub fn backward_reference(&self, x: &Array4<F>, dout: &Array4<F>) -> Result<ConvGradients<F>> {
        let out_shape = self.output_shape(x.shape())?;
        crate::shape::expect_same("Conv2d", dout.shape(), &out_shape)?;
        let fnum = out_shape[1];
        let geometry = self.config.geometry();
        let col = im2col(&x.view(), &geometry)?;
        let d = dout
            .view()
            .permuted_axes([0, 2, 3, 1])
            .as_standard_layout()
            .into_owned();
        let d = reshaped(d.into_shape_with_order((col.nrows(), fnum)), "Conv2d");
        let dw: Array2<F> = crate::shape::standard(d.t().dot(&col));
        let db = d.sum_axis(Axis(0));
        let dcol = crate::shape::standard(d.dot(&self.weight_matrix()));
        let dx = col2im(&dcol.view(), x.dim(), &geometry)?;
        Ok(ConvGradients {
            dx,
            dw: fixed4(reshaped(
                dw.into_shape_with_order(self.weight.value.shape()),
                "Conv2d",
            )),
            db,
        })
    }
}
