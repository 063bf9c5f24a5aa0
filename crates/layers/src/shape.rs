//! Shape checks shared by the layers, so every mismatch is reported the same way.

use ndarray::{Array2, ArrayD, Dimension, Ix2, Ix4};

use crate::{Float, LayerError, Result};

/// Checks that `shape` has `rank` dimensions and a non-empty batch.
pub(crate) fn expect_rank(
    layer: &'static str,
    shape: &[usize],
    rank: usize,
    what: &str,
) -> Result<()> {
    if shape.len() != rank {
        return Err(LayerError::Shape {
            layer,
            expected: what.to_string(),
            got: shape.to_vec(),
        });
    }
    Ok(())
}

/// Checks that a gradient has the shape of the output it belongs to.
pub(crate) fn expect_same(layer: &'static str, got: &[usize], expected: &[usize]) -> Result<()> {
    if got != expected {
        return Err(LayerError::Shape {
            layer,
            expected: format!("{expected:?} (the shape of the last output)"),
            got: got.to_vec(),
        });
    }
    Ok(())
}

/// `x` in standard (C) layout, copying only if it is not already.
pub(crate) fn standard<F: Float, D: ndarray::Dimension>(
    x: ndarray::Array<F, D>,
) -> ndarray::Array<F, D> {
    if x.is_standard_layout() {
        x
    } else {
        x.as_standard_layout().into_owned()
    }
}

/// `(N, ...)` to a standard-layout `(N, prod(...))` matrix, copying only if needed.
pub(crate) fn flatten2<F: Float>(x: ArrayD<F>) -> Array2<F> {
    let n = x.shape().first().copied().unwrap_or(1);
    let d: usize = x.shape().iter().skip(1).product();
    let x = if x.is_standard_layout() {
        x
    } else {
        x.as_standard_layout().into_owned()
    };
    match x.into_shape_with_order((n, d)) {
        Ok(a) => a,
        Err(_) => unreachable!("standard-layout array of {n}x{d} elements reshapes"),
    }
}

/// Converts a dynamic array to a fixed rank after the rank was checked.
pub(crate) fn fixed<F: Float, D: Dimension>(x: ArrayD<F>) -> ndarray::Array<F, D> {
    match x.into_dimensionality::<D>() {
        Ok(a) => a,
        Err(_) => unreachable!("rank checked before conversion"),
    }
}

/// `fixed::<Ix2>` under a shorter name.
pub(crate) fn fixed2<F: Float>(x: ArrayD<F>) -> Array2<F> {
    fixed::<F, Ix2>(x)
}

/// `fixed::<Ix4>` under a shorter name.
pub(crate) fn fixed4<F: Float>(x: ArrayD<F>) -> ndarray::Array4<F> {
    fixed::<F, Ix4>(x)
}

/// Checks a pooling window once at construction: non-zero kernel and stride, and padding
/// smaller than the kernel so that every window covers at least one real pixel.
pub(crate) fn check_pool(layer: &'static str, g: &nabla_tensor::ConvGeometry) -> Result<()> {
    g.validate()?;
    if g.padding >= g.kernel_h || g.padding >= g.kernel_w {
        return Err(LayerError::Config {
            layer,
            reason: format!(
                "padding {} must be smaller than the kernel {}x{}",
                g.padding, g.kernel_h, g.kernel_w
            ),
        });
    }
    Ok(())
}

/// The output shape of a pooling layer: channels kept, spatial size from the geometry.
pub(crate) fn pool_output(
    layer: &'static str,
    g: &nabla_tensor::ConvGeometry,
    input: &[usize],
) -> Result<Vec<usize>> {
    Ok(pool_dims(layer, g, input)?.to_vec())
}

/// [`pool_output`] without the vector.
pub(crate) fn pool_dims(
    layer: &'static str,
    g: &nabla_tensor::ConvGeometry,
    input: &[usize],
) -> Result<[usize; 4]> {
    expect_rank(layer, input, 4, "[n, c, h, w]")?;
    let (oh, ow) = g.out_hw(input[2], input[3])?;
    Ok([input[0], input[1], oh, ow])
}

/// Unwraps a reshape whose sizes the layer itself computed from the same shape, so that it
/// cannot fail: a failure would be a bug in the layer, never bad input, and is reported as
/// one (`unreachable!` with the layer's name) rather than as a misleading error.
#[track_caller]
pub(crate) fn reshaped<T, E>(result: std::result::Result<T, E>, layer: &'static str) -> T {
    match result {
        Ok(v) => v,
        Err(_) => unreachable!("{layer}: a reshape to sizes computed from the same shape failed"),
    }
}
