//! The optimizer panel: the path each of nabla-optim's optimizers takes on a 2-D function
//! from a starting point, the same update code that trains the networks.

use nabla_optim::{OptimizerConfig, Param, ParamKind};
use ndarray::ArrayD;
use serde::{Deserialize, Serialize};

/// A function of two variables with its gradient and minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Function {
    /// `x²/20 + y²`: the notes' elongated bowl, steep in `y` and flat in `x`.
    Bowl,
    /// `x⁴/4 − x²/2 + x/5 + y²`: a global minimum near `x = −1.1` and a shallower local one
    /// near `x = 0.9`.
    Local,
    /// `x² − y² + y⁴/4`: a saddle at the origin between minima at `y = ±√2`.
    Saddle,
}

impl Function {
    /// `f(x, y)`.
    pub fn value(self, x: f64, y: f64) -> f64 {
        match self {
            Function::Bowl => x * x / 20.0 + y * y,
            Function::Local => x.powi(4) / 4.0 - x * x / 2.0 + x / 5.0 + y * y,
            Function::Saddle => x * x - y * y + y.powi(4) / 4.0,
        }
    }

    /// `∇f(x, y)`.
    pub fn gradient(self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Function::Bowl => (x / 10.0, 2.0 * y),
            Function::Local => (x.powi(3) - x + 0.2, 2.0 * y),
            Function::Saddle => (2.0 * x, -2.0 * y + y.powi(3)),
        }
    }

    /// Where the lowest value is (one of them, for the saddle's two).
    pub fn minima(self) -> Vec<(f64, f64)> {
        match self {
            Function::Bowl => vec![(0.0, 0.0)],
            // x³ − x + 0.2 = 0, the lowest root.
            Function::Local => vec![(-1.088_033_8, 0.0)],
            Function::Saddle => vec![(0.0, 2f64.sqrt()), (0.0, -(2f64.sqrt()))],
        }
    }
}

/// What the page asks: a function, a start, optimizers, a rate, a number of steps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRequest {
    /// The function.
    pub function: Function,
    /// The starting point.
    pub start: (f64, f64),
    /// Optimizer names (`sgd`, `momentum`, `nesterov`, `adagrad`, `rmsprop`, `adam`).
    pub optimizers: Vec<String>,
    /// Their learning rate.
    pub lr: f64,
    /// Steps to take, at most [`MAX_STEPS`].
    pub steps: usize,
}

/// The most steps a path request may ask for.
pub const MAX_STEPS: usize = 2000;

/// One optimizer's path.
#[derive(Debug, Clone, Serialize)]
pub struct Path {
    /// The optimizer's name.
    pub optimizer: String,
    /// The points, start first.
    pub points: Vec<(f64, f64)>,
    /// The first step within 0.01 of a minimum, if any.
    pub reached: Option<usize>,
}

/// The config of the optimizer named `name` at rate `lr`.
pub fn optimizer(name: &str, lr: f64) -> Result<OptimizerConfig, String> {
    Ok(match name {
        "sgd" => OptimizerConfig::sgd(lr),
        "momentum" => OptimizerConfig::momentum(lr),
        "nesterov" => OptimizerConfig::nesterov(lr),
        "adagrad" => OptimizerConfig::adagrad(lr),
        "rmsprop" => OptimizerConfig::rmsprop(lr),
        "adam" => OptimizerConfig::adam(lr),
        other => {
            return Err(format!(
                "unknown optimizer `{other}`: sgd, momentum, nesterov, adagrad, rmsprop or adam"
            ));
        }
    })
}

/// Every requested optimizer's path, or what is wrong with the request.
///
/// ```
/// use nabla_playground::paths::{Function, PathRequest, paths};
/// let request = PathRequest {
///     function: Function::Bowl, start: (-7.0, 2.0),
///     optimizers: vec!["sgd".into(), "adam".into()], lr: 0.3, steps: 100,
/// };
/// let found = paths(&request)?;
/// assert_eq!(found[0].points.len(), 101);
/// let (x, y) = *found[1].points.last().unwrap();
/// assert!(x.hypot(y) < 7.0_f64.hypot(2.0) / 2.0, "Adam heads for the bottom at (0, 0)");
/// # Ok::<(), String>(())
/// ```
pub fn paths(request: &PathRequest) -> Result<Vec<Path>, String> {
    if !(request.lr.is_finite() && (1e-5..=10.0).contains(&request.lr)) {
        return Err(format!(
            "the learning rate {} is outside the allowed range [0.00001, 10]",
            request.lr
        ));
    }
    if request.steps == 0 || request.steps > MAX_STEPS {
        return Err(format!(
            "{} steps: between 1 and {MAX_STEPS} are allowed",
            request.steps
        ));
    }
    let (x0, y0) = request.start;
    if !(x0.is_finite() && y0.is_finite() && x0.abs() <= 100.0 && y0.abs() <= 100.0) {
        return Err(format!("the start ({x0}, {y0}) is outside [-100, 100]²"));
    }
    let f = request.function;
    request
        .optimizers
        .iter()
        .map(|name| {
            let mut opt = optimizer(name, request.lr)?
                .build::<f64>()
                .map_err(|e| e.to_string())?;
            let mut p = Param::new(
                ArrayD::from_shape_vec(vec![2], vec![x0, y0]).map_err(|e| e.to_string())?,
                ParamKind::Weight,
            );
            let mut points = vec![(x0, y0)];
            let mut reached = None;
            for step in 1..=request.steps {
                let (gx, gy) = f.gradient(p.value[0], p.value[1]);
                p.grad[0] = gx;
                p.grad[1] = gy;
                nabla_optim::step(opt.as_mut(), |visit| visit("xy", &mut p))
                    .map_err(|e| e.to_string())?;
                let (x, y) = (p.value[0], p.value[1]);
                if !(x.is_finite() && y.is_finite()) || x.abs() > 1e6 || y.abs() > 1e6 {
                    break;
                }
                points.push((x, y));
                let near = f
                    .minima()
                    .iter()
                    .any(|&(mx, my)| (x - mx).hypot(y - my) < 0.01);
                if near && reached.is_none() {
                    reached = Some(step);
                }
            }
            Ok(Path {
                optimizer: name.clone(),
                points,
                reached,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_are_the_functions_slopes() {
        for f in [Function::Bowl, Function::Local, Function::Saddle] {
            for &(x, y) in &[(0.3, -0.7), (-1.2, 0.4), (2.0, 1.5)] {
                let h = 1e-6;
                let (gx, gy) = f.gradient(x, y);
                let nx = (f.value(x + h, y) - f.value(x - h, y)) / (2.0 * h);
                let ny = (f.value(x, y + h) - f.value(x, y - h)) / (2.0 * h);
                assert!(
                    (gx - nx).abs() < 1e-6 && (gy - ny).abs() < 1e-6,
                    "{f:?} at ({x}, {y})"
                );
            }
            for (mx, my) in f.minima() {
                let (gx, gy) = f.gradient(mx, my);
                assert!(
                    gx.abs() < 1e-6 && gy.abs() < 1e-6,
                    "{f:?}: minimum ({mx}, {my})"
                );
            }
        }
    }

    #[test]
    fn sgd_zigzags_where_momentum_and_adam_go_through() {
        // The notes' bowl from (-7, 2): SGD at 0.95 crosses the steep y axis back and forth.
        let request = PathRequest {
            function: Function::Bowl,
            start: (-7.0, 2.0),
            optimizers: vec!["sgd".into()],
            lr: 0.95,
            steps: 30,
        };
        let sgd = &paths(&request).unwrap()[0];
        let flips = sgd
            .points
            .windows(2)
            .filter(|w| w[0].1 * w[1].1 < 0.0)
            .count();
        assert!(flips >= 20, "{flips} sign changes of y");
        let bad = PathRequest {
            lr: 1e9,
            ..request.clone()
        };
        assert!(paths(&bad).unwrap_err().contains("[0.00001, 10]"));
        let unknown = PathRequest {
            optimizers: vec!["lion".into()],
            ..request
        };
        assert!(
            paths(&unknown)
                .unwrap_err()
                .contains("unknown optimizer `lion`")
        );
    }
}
