//! Gradient checks: a layer's analytic backward pass against central differences, in `f64`.
//!
//! The scalar being differentiated is `L(x, θ) = Σ forward(x) ⊙ R` for a fixed random `R`,
//! so `backward(R)` must give `∂L/∂x` and store `∂L/∂θ` for every parameter.
//!
//! ```
//! use nabla_layers::{Mode, Sigmoid, gradcheck};
//! use ndarray::{ArrayD, IxDyn};
//! let x = ArrayD::from_shape_fn(IxDyn(&[3, 4]), |i| (i[0] as f64 - i[1] as f64) * 0.3);
//! let report = gradcheck::check_layer(&mut Sigmoid::new(), &x, Mode::Train, 1)?;
//! assert!(report.worst() < 1e-7, "{report:?}");
//! # Ok::<(), nabla_layers::LayerError>(())
//! ```

use nabla_tensor::{numerical_gradient, relative_error};
use ndarray::ArrayD;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::{Layer, Loss, Mode, Result, Target};

/// The step of the central differences: small enough for a truncation error near 1e-10,
/// large enough for rounding to stay below that.
pub const STEP: f64 = 1e-5;

/// The relative errors of one gradient check.
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheckReport {
    /// `‖analytic − numerical‖ / max(‖analytic‖, ‖numerical‖)` for the input gradient.
    pub input: f64,
    /// The same for each trainable parameter, by name.
    pub params: Vec<(String, f64)>,
}

impl GradCheckReport {
    /// The largest relative error of the report.
    pub fn worst(&self) -> f64 {
        self.params
            .iter()
            .map(|(_, e)| *e)
            .fold(self.input, f64::max)
    }
}

/// Checks the input gradient and every trainable parameter gradient of `layer` at `x`.
///
/// `mode` is used for every forward pass; a layer whose output is random in that mode
/// (dropout in training) must be made deterministic first.
pub fn check_layer(
    layer: &mut dyn Layer<f64>,
    x: &ArrayD<f64>,
    mode: Mode,
    seed: u64,
) -> Result<GradCheckReport> {
    let y = layer.forward(x.clone(), mode)?;
    // A seed unrelated to the input's, so `R` is never collinear with `x` by construction.
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
    let r = y.mapv(|_| rng.random_range(-1.0..1.0));
    let dx = layer.backward(r.clone())?;
    let mut analytic = Vec::new();
    layer.visit_params(&mut |name, p| {
        if p.is_trainable() {
            analytic.push((name.to_string(), p.grad.clone()))
        }
    });

    let mut failure = None;
    let mut objective = |layer: &mut dyn Layer<f64>, x: &ArrayD<f64>| -> f64 {
        match layer.forward(x.clone(), mode) {
            Ok(y) => (&y * &r).sum(),
            Err(e) => {
                failure.get_or_insert(e);
                f64::NAN
            }
        }
    };
    let mut xm = x.clone();
    let numeric_dx = numerical_gradient(&mut xm, STEP, |x| objective(layer, x));
    let input = relative_error(&dx, &numeric_dx);

    let mut params = Vec::new();
    for (name, grad) in analytic {
        let mut value = ArrayD::zeros(grad.raw_dim());
        layer.visit_params(&mut |n, p| {
            if n == name {
                value = p.value.clone()
            }
        });
        let numeric = numerical_gradient(&mut value, STEP, |v| {
            layer.visit_params(&mut |n, p| {
                if n == name {
                    p.value.assign(v)
                }
            });
            objective(layer, x)
        });
        params.push((name, relative_error(&grad, &numeric)));
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(GradCheckReport { input, params }),
    }
}

/// Checks the gradient of a loss with respect to its input `y`.
pub fn check_loss(
    loss: &mut dyn Loss<f64>,
    y: &ArrayD<f64>,
    target: Target<'_, f64>,
) -> Result<f64> {
    loss.forward(y, target)?;
    let analytic = loss.backward()?;
    let mut failure = None;
    let mut ym = y.clone();
    let numeric = numerical_gradient(&mut ym, STEP, |y| match loss.forward(y, target) {
        Ok(v) => v,
        Err(e) => {
            failure.get_or_insert(e);
            f64::NAN
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(relative_error(&analytic, &numeric)),
    }
}

/// Checks a whole network ending in a loss: the gradient of `loss(net(x), target)` with
/// respect to `x` and every trainable parameter.
///
/// Large tensors are checked on at most `max_entries` entries each, chosen with `seed`, so a
/// 784-50-10 network is checked in a fraction of a second.
pub fn check_network(
    net: &mut dyn Layer<f64>,
    loss: &mut dyn Loss<f64>,
    x: &ArrayD<f64>,
    target: Target<'_, f64>,
    max_entries: usize,
    seed: u64,
) -> Result<GradCheckReport> {
    let y = net.forward(x.clone(), Mode::Train)?;
    loss.forward(&y, target)?;
    let dx = net.backward(loss.backward()?)?;
    let mut analytic = Vec::new();
    net.visit_params(&mut |name, p| {
        if p.is_trainable() {
            analytic.push((name.to_string(), p.grad.clone()))
        }
    });
    let mut rng = StdRng::seed_from_u64(seed);
    let mut failure = None;
    let mut objective = |net: &mut dyn Layer<f64>, x: &ArrayD<f64>| -> f64 {
        match net
            .forward(x.clone(), Mode::Train)
            .and_then(|y| loss.forward(&y, target))
        {
            Ok(v) => v,
            Err(e) => {
                failure.get_or_insert(e);
                f64::NAN
            }
        }
    };
    let mut pick = |len: usize| -> Vec<usize> {
        if len <= max_entries {
            (0..len).collect()
        } else {
            (0..max_entries).map(|_| rng.random_range(0..len)).collect()
        }
    };

    let mut xm = x.as_standard_layout().into_owned();
    let picked = pick(xm.len());
    let (mut a, mut n) = (Vec::new(), Vec::new());
    for &k in &picked {
        let flat = |arr: &mut ArrayD<f64>, v: Option<f64>| -> f64 {
            let s = arr
                .as_slice_mut()
                .unwrap_or_else(|| unreachable!("standard layout"));
            if let Some(v) = v {
                s[k] = v
            }
            s[k]
        };
        let old = flat(&mut xm, None);
        flat(&mut xm, Some(old + STEP));
        let plus = objective(net, &xm);
        flat(&mut xm, Some(old - STEP));
        let minus = objective(net, &xm);
        flat(&mut xm, Some(old));
        n.push((plus - minus) / (2.0 * STEP));
        a.push(
            dx.as_standard_layout()
                .as_slice()
                .map_or(f64::NAN, |s| s[k]),
        );
    }
    let input = relative_error(&vector(a), &vector(n));

    let mut params = Vec::new();
    for (name, grad) in analytic {
        let grad = grad.as_standard_layout().into_owned();
        let picked = pick(grad.len());
        let (mut a, mut n) = (Vec::new(), Vec::new());
        for &k in &picked {
            let nudge = |net: &mut dyn Layer<f64>, delta: f64| {
                net.visit_params(&mut |pn, p| {
                    if pn == name
                        && let Some(v) = p.value.as_slice_mut()
                    {
                        v[k] += delta
                    }
                })
            };
            nudge(net, STEP);
            let plus = objective(net, x);
            nudge(net, -2.0 * STEP);
            let minus = objective(net, x);
            nudge(net, STEP);
            n.push((plus - minus) / (2.0 * STEP));
            a.push(grad.as_slice().map_or(f64::NAN, |s| s[k]));
        }
        params.push((name, relative_error(&vector(a), &vector(n))));
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(GradCheckReport { input, params }),
    }
}

fn vector(v: Vec<f64>) -> ArrayD<f64> {
    ndarray::Array1::from(v).into_dyn()
}
