//! The one place where the output-size formula of a sliding window lives.

use crate::{Result, TensorError};

/// Kernel size, stride and zero padding of a convolution or pooling window.
///
/// ```
/// use nabla_tensor::ConvGeometry;
/// // A 6x6 input, 2x2 filter, stride 1, pad 1 gives 7x7.
/// let g = ConvGeometry::new((2, 2), 1, 1);
/// assert_eq!(g.out_hw(6, 6)?, (7, 7));
/// // A 3x3 kernel does not fit a 1x1 input without padding.
/// assert!(ConvGeometry::new((3, 3), 1, 0).out_hw(1, 1).is_err());
/// # Ok::<(), nabla_tensor::TensorError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConvGeometry {
    /// Kernel height.
    pub kernel_h: usize,
    /// Kernel width.
    pub kernel_w: usize,
    /// Step between windows, the same along both axes.
    pub stride: usize,
    /// Zeros added on every side, the same along both axes.
    pub padding: usize,
}

impl ConvGeometry {
    /// Geometry with kernel `(kh, kw)`, `stride` and `padding`.
    pub fn new(kernel: (usize, usize), stride: usize, padding: usize) -> Self {
        ConvGeometry {
            kernel_h: kernel.0,
            kernel_w: kernel.1,
            stride,
            padding,
        }
    }

    /// Checks what can be checked without an input: a non-zero kernel and stride.
    pub fn validate(&self) -> Result<()> {
        if self.kernel_h == 0 || self.kernel_w == 0 {
            return Err(TensorError::Geometry(format!(
                "kernel {}x{} has a zero side",
                self.kernel_h, self.kernel_w
            )));
        }
        if self.stride == 0 {
            return Err(TensorError::Geometry("stride is 0".into()));
        }
        Ok(())
    }

    /// Output height and width for an `h x w` input:
    /// `OH = (H + 2p - KH) / s + 1` (floor division, as in the classic code and PyTorch).
    ///
    /// Windows that would start past the last full position are dropped, so a trailing
    /// strip of the input that no window reaches is allowed, not an error.
    pub fn out_hw(&self, h: usize, w: usize) -> Result<(usize, usize)> {
        self.validate()?;
        let (ph, pw) = (h + 2 * self.padding, w + 2 * self.padding);
        if self.kernel_h > ph || self.kernel_w > pw {
            return Err(TensorError::Geometry(format!(
                "kernel {}x{} is larger than the padded input {}x{} ({}x{} with padding {})",
                self.kernel_h, self.kernel_w, ph, pw, h, w, self.padding
            )));
        }
        Ok((
            (ph - self.kernel_h) / self.stride + 1,
            (pw - self.kernel_w) / self.stride + 1,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_by_six_two_by_two_pad_one_gives_seven() {
        assert_eq!(ConvGeometry::new((2, 2), 1, 1).out_hw(6, 6), Ok((7, 7)));
    }

    #[test]
    fn classic_sizes() {
        // SimpleConvNet: 28x28, 5x5 kernel -> 24x24; pooling 2x2 stride 2 -> 12x12.
        assert_eq!(ConvGeometry::new((5, 5), 1, 0).out_hw(28, 28), Ok((24, 24)));
        assert_eq!(ConvGeometry::new((2, 2), 2, 0).out_hw(24, 24), Ok((12, 12)));
        // The im2col demo of the notes: 4x4, 6x4 kernel, stride 2, pad 1 -> 1x2.
        assert_eq!(ConvGeometry::new((6, 4), 2, 1).out_hw(4, 4), Ok((1, 2)));
    }

    #[test]
    fn impossible_geometry_is_an_error() {
        assert!(ConvGeometry::new((2, 2), 0, 0).out_hw(4, 4).is_err());
        assert!(ConvGeometry::new((0, 2), 1, 0).out_hw(4, 4).is_err());
        let err = ConvGeometry::new((5, 5), 1, 0).out_hw(4, 4).unwrap_err();
        assert!(
            err.to_string().contains("larger than the padded input"),
            "{err}"
        );
    }
}
