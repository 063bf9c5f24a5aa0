//! Seeded inputs for the gradient checks.

use ndarray::{Array4, ArrayD, ArrayView2, Axis, IxDyn};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Uniform values in `[-1, 1)`.
pub(crate) fn random(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(-1.0..1.0))
}

/// Uniform values at least `margin` away from zero, so kinks at 0 are not straddled by a
/// finite difference.
pub(crate) fn away_from_zero(shape: &[usize], seed: u64, margin: f64) -> ArrayD<f64> {
    random(shape, seed).mapv(|v| {
        if v.abs() < margin {
            v.signum() * margin + v
        } else {
            v
        }
    })
}

/// Distinct values (a shuffled ramp with spacing 0.01), so max-pooling windows have no ties.
pub(crate) fn distinct(shape: &[usize], seed: u64) -> ArrayD<f64> {
    use rand::seq::SliceRandom;
    let n: usize = shape.iter().product();
    let mut values: Vec<f64> = (0..n).map(|i| (i as f64 - n as f64 / 2.0) * 0.01).collect();
    values.shuffle(&mut StdRng::seed_from_u64(seed));
    ArrayD::from_shape_vec(IxDyn(shape), values).unwrap_or_else(|_| unreachable!())
}

/// Random pooling geometries and input shapes where the window fits and the padding is
/// smaller than the kernel.
pub(crate) fn pool_case()
-> impl proptest::strategy::Strategy<Value = (nabla_tensor::ConvGeometry, [usize; 4], u64)> {
    use proptest::prelude::*;
    (
        1usize..3,
        1usize..4,
        1usize..4,
        1usize..4,
        1usize..4,
        0usize..2,
        1usize..8,
        1usize..8,
        any::<u64>(),
    )
        .prop_filter_map("window must fit", |(n, c, kh, kw, s, p, h, w, seed)| {
            let g = nabla_tensor::ConvGeometry::new((kh, kw), s, p);
            (crate::shape::check_pool("pool", &g).is_ok() && g.out_hw(h, w).is_ok()).then_some((
                g,
                [n, c, h, w],
                seed,
            ))
        })
}

/// `x` with `p` cells of `fill` around each plane: the padded input a reference reads.
pub(crate) fn padded(x: &Array4<f64>, p: usize, fill: f64) -> Array4<f64> {
    let (n, c, h, w) = x.dim();
    let mut xp = Array4::from_elem((n, c, h + 2 * p, w + 2 * p), fill);
    let mut inner = xp.view_mut();
    inner.slice_axis_inplace(Axis(2), (p..p + h).into());
    inner.slice_axis_inplace(Axis(3), (p..p + w).into());
    inner.assign(x);
    xp
}

/// The window `rows x cols` of plane `(image, channel)` of `x`.
pub(crate) fn window(
    x: &Array4<f64>,
    (image, channel): (usize, usize),
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
) -> ArrayView2<'_, f64> {
    let mut v = x
        .view()
        .index_axis_move(Axis(0), image)
        .index_axis_move(Axis(0), channel);
    v.slice_axis_inplace(Axis(0), rows.into());
    v.slice_axis_inplace(Axis(1), cols.into());
    v
}
