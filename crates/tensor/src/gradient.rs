//! Central differences: the referee every hand-written backward pass is checked against.

use ndarray::ArrayD;

/// The gradient of `f` at `x` by central differences, `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`,
/// one element at a time, in `f64`.
///
/// `x` is perturbed in place and restored exactly after each element.
///
/// ```
/// use nabla_tensor::numerical_gradient;
/// let mut x = ndarray::arr1(&[1.0, -2.0]).into_dyn();
/// // f(x) = Σ x³, so ∇f = 3x².
/// let g = numerical_gradient(&mut x, 1e-5, |x| x.iter().map(|v| v * v * v).sum());
/// assert!((g[0] - 3.0).abs() < 1e-8 && (g[1] - 12.0).abs() < 1e-8);
/// ```
pub fn numerical_gradient(
    x: &mut ArrayD<f64>,
    h: f64,
    mut f: impl FnMut(&ArrayD<f64>) -> f64,
) -> ArrayD<f64> {
    let mut grad = ArrayD::zeros(x.raw_dim());
    let indices: Vec<_> = ndarray::indices(x.raw_dim()).into_iter().collect();
    for idx in indices {
        let old = x[&idx];
        x[&idx] = old + h;
        let plus = f(x);
        x[&idx] = old - h;
        let minus = f(x);
        x[&idx] = old;
        grad[&idx] = (plus - minus) / (2.0 * h);
    }
    grad
}

/// `‖a − b‖ / max(‖a‖, ‖b‖)` with Euclidean norms; `0` when both are zero.
///
/// # Panics
/// If the shapes differ.
#[track_caller]
pub fn relative_error(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape(), "relative_error needs equal shapes");
    let diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt();
    let scale = a
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(b.iter().map(|x| x * x).sum::<f64>().sqrt());
    if scale == 0.0 { 0.0 } else { diff / scale }
}
