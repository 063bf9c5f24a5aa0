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

/// An array kept between steps by a layer that is not generic over its element type (the
/// pooling layers implement `Layer<F>` for every `F`). The box is made once and reused.
#[derive(Default)]
pub(crate) struct Kept(Option<Box<dyn std::any::Any + Send>>);

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept")
    }
}

impl Kept {
    /// The kept array, if it holds one of element type `F`.
    pub(crate) fn take<F: Float>(&mut self) -> Option<ArrayD<F>> {
        self.0
            .as_mut()
            .and_then(|b| b.downcast_mut::<Option<ArrayD<F>>>())
            .and_then(Option::take)
    }

    /// Keeps `spent` when nothing is kept, else gives it back.
    pub(crate) fn keep_if_empty<F: Float>(&mut self, spent: ArrayD<F>) -> Option<ArrayD<F>> {
        let empty = match self
            .0
            .as_ref()
            .and_then(|b| b.downcast_ref::<Option<ArrayD<F>>>())
        {
            Some(slot) => slot.is_none(),
            None => true,
        };
        if !empty {
            return Some(spent);
        }
        self.put(spent);
        None
    }

    /// Keeps `array` (in the existing box when it is one for `F`).
    pub(crate) fn put<F: Float>(&mut self, array: ArrayD<F>) {
        match self
            .0
            .as_mut()
            .and_then(|b| b.downcast_mut::<Option<ArrayD<F>>>())
        {
            Some(slot) => *slot = Some(array),
            None => self.0 = Some(Box::new(Some(array))),
        }
    }
}

/// A loss input as `(n, k)` rows, or the shape error naming the loss.
pub(crate) fn loss_rows<'a, F: Float>(
    loss: &'static str,
    y: &'a ArrayD<F>,
    what: &str,
) -> Result<ndarray::ArrayView2<'a, F>> {
    expect_rank(loss, y.shape(), 2, what)?;
    y.view()
        .into_dimensionality::<Ix2>()
        .map_err(|_| LayerError::Shape {
            layer: loss,
            expected: what.to_string(),
            got: y.shape().to_vec(),
        })
}

/// `y − t` in place, for one-hot or class-index targets already checked against `y`.
pub(crate) fn subtract_target<F: Float>(residual: &mut Array2<F>, target: crate::Target<'_, F>) {
    match target {
        crate::Target::OneHot(t) => *residual -= &t,
        crate::Target::Indices(t) => t
            .iter()
            .enumerate()
            .for_each(|(row, &label)| residual[[row, label]] -= F::one()),
    }
}

/// `residual / N`: the gradient of a batch-mean loss whose per-sample gradient is `residual`,
/// written into `spare` when it has the right shape.
pub(crate) fn batch_mean<F: Float>(residual: &Array2<F>, spare: Option<ArrayD<F>>) -> ArrayD<F> {
    let n = F::of(residual.nrows().max(1) as f64);
    let mut out = buffer(spare, residual.shape());
    out.zip_mut_with(&residual.view().into_dyn(), |o, &v| *o = v / n);
    out
}

/// A standard-layout array of `shape` to write into: `spare` when it fits, else a new
/// one. Its values are whatever it held; the caller overwrites every one. This is how a
/// layer keeps its buffers: the gradient a layer receives in backward has the shape of its
/// output, so it becomes the next forward's output, and what the layer kept of its input
/// becomes the input's gradient.
pub(crate) fn buffer<F: Float>(spare: Option<ArrayD<F>>, shape: &[usize]) -> ArrayD<F> {
    // Any standard array of as many values will do: a flattened one is reshaped back.
    match spare {
        Some(b) if b.is_standard_layout() && b.len() == shape.iter().product::<usize>() => {
            match b.into_shape_with_order(shape) {
                Ok(b) => b,
                Err(_) => ArrayD::zeros(shape),
            }
        }
        _ => ArrayD::zeros(shape),
    }
}

/// What a layer keeps of its last training forward (an output, a mask), written into the
/// array kept from the step before when it fits, so that a step allocates nothing; an
/// inference pass marks it stale instead of dropping it, and backward then refuses it.
#[derive(Debug, Default)]
pub(crate) struct KeptCopy<T> {
    array: Option<ArrayD<T>>,
    current: bool,
}

impl<T: Clone> KeptCopy<T> {
    /// Keeps `f` of each of `x`'s values (in logical order) for a backward pass.
    pub(crate) fn keep<U>(&mut self, x: &ArrayD<U>, f: impl Fn(&U) -> T) {
        match &mut self.array {
            Some(kept) if kept.shape() == x.shape() => {
                ndarray::Zip::from(kept).and(x).for_each(|k, v| *k = f(v));
            }
            _ => self.array = Some(x.map(f)),
        }
        self.current = true;
    }

    /// Marks the kept array stale (an inference pass): nothing to backpropagate.
    pub(crate) fn forget(&mut self) {
        self.current = false;
    }

    /// The array of the last training forward, if the last forward was one.
    pub(crate) fn get(&self) -> Option<&ArrayD<T>> {
        self.array.as_ref().filter(|_| self.current)
    }
}

/// Keeps `spent` in `slot` when it is empty, else gives it back (for [`crate::Layer::recycle`]).
pub(crate) fn keep_if_empty<F: Float>(
    slot: &mut Option<ArrayD<F>>,
    spent: ArrayD<F>,
) -> Option<ArrayD<F>> {
    match slot {
        Some(_) => Some(spent),
        None => {
            *slot = Some(spent);
            None
        }
    }
}

/// [`buffer`] of a fixed dimensionality (`[n, c, h, w]` and the like).
pub(crate) fn buffer_of<F: Float, D: ndarray::Dimension>(
    spare: Option<ArrayD<F>>,
    shape: D,
) -> ndarray::Array<F, D> {
    let b = buffer(spare, shape.slice());
    match b.into_dimensionality::<D>() {
        Ok(b) => b,
        Err(_) => unreachable!("made with the rank of D"),
    }
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
