//! The optimizers of the notes stepping on functions of two variables, with their analytic
//! gradients: the library's own optimizers, so the paths are what training would do.

use nabla_optim::OptimizerConfig;
use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::{ExperimentError, Result};

/// A test function of two variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Surface {
    /// `x²/20 + y²`: a long, shallow valley (the notes' figure); minimum at the origin.
    Bowl,
    /// `(x² − 1)² + 0.3·x + y²`: a local minimum near x = 0.96, the global one near x = −1.04.
    TwoMinima,
    /// `x² + (y² − 1)²`: a saddle at the origin between minima at (0, ±1).
    Saddle,
}

impl Surface {
    /// Every surface, in report order.
    pub const ALL: [Surface; 3] = [Surface::Bowl, Surface::TwoMinima, Surface::Saddle];

    /// The formula.
    pub fn formula(self) -> &'static str {
        match self {
            Surface::Bowl => "f(x, y) = x²/20 + y²",
            Surface::TwoMinima => "f(x, y) = (x² − 1)² + 0.3·x + y²",
            Surface::Saddle => "f(x, y) = x² + (y² − 1)²",
        }
    }

    /// f(x, y).
    pub fn value(self, x: f64, y: f64) -> f64 {
        match self {
            Surface::Bowl => x * x / 20.0 + y * y,
            Surface::TwoMinima => (x * x - 1.0).powi(2) + 0.3 * x + y * y,
            Surface::Saddle => x * x + (y * y - 1.0).powi(2),
        }
    }

    /// ∇f(x, y).
    pub fn gradient(self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Surface::Bowl => (x / 10.0, 2.0 * y),
            Surface::TwoMinima => (4.0 * x * (x * x - 1.0) + 0.3, 2.0 * y),
            Surface::Saddle => (2.0 * x, 4.0 * y * (y * y - 1.0)),
        }
    }

    /// Where every optimizer starts.
    pub fn start(self) -> (f64, f64) {
        match self {
            Surface::Bowl => (-7.0, 2.0),
            Surface::TwoMinima => (2.0, 1.0),
            // A hair off the ridge: the y gradient starts tiny.
            Surface::Saddle => (1.5, 1e-3),
        }
    }

    /// The region the figure shows, `((x0, x1), (y0, y1))`.
    pub fn window(self) -> ((f64, f64), (f64, f64)) {
        match self {
            Surface::Bowl => ((-10.0, 10.0), (-5.0, 5.0)),
            Surface::TwoMinima => ((-2.5, 2.5), (-2.0, 1.6)),
            Surface::Saddle => ((-2.0, 2.0), (-1.8, 1.6)),
        }
    }
}

/// The optimizers compared on `surface`, with their learning rates: on the bowl the notes'
/// figure's (SGD's 0.95 is nearly the largest stable rate there); on the steeper surfaces
/// one rate for the plain methods and one for the adaptive ones, the same for all.
pub fn optimizers(surface: Surface) -> Vec<(&'static str, OptimizerConfig)> {
    let (plain, adaptive, adagrad) = match surface {
        Surface::Bowl => (0.95, 0.3, 1.5),
        Surface::TwoMinima | Surface::Saddle => (0.05, 0.05, 0.05),
    };
    let momentum = if surface == Surface::Bowl { 0.1 } else { plain };
    vec![
        ("SGD", OptimizerConfig::sgd(plain)),
        ("Momentum", OptimizerConfig::momentum(momentum)),
        ("Nesterov", OptimizerConfig::nesterov(momentum)),
        ("AdaGrad", OptimizerConfig::adagrad(adagrad)),
        ("RMSProp", OptimizerConfig::rmsprop(adaptive)),
        ("Adam", OptimizerConfig::adam(adaptive)),
    ]
}

/// `steps` steps of `config` on `grad` from `start`; the path includes the start.
pub fn descend(
    config: &OptimizerConfig,
    grad: impl Fn(f64, f64) -> (f64, f64),
    start: (f64, f64),
    steps: usize,
) -> Result<Vec<(f64, f64)>> {
    descend_after(config, 0, grad, start, steps)
}

/// As [`descend`], by an optimizer that has already taken `history` steps elsewhere, each
/// with a gradient of 1 in both coordinates: an optimizer that trained a while before it
/// meets this region (AdaGrad's accumulated squares are then `history`).
pub fn descend_after(
    config: &OptimizerConfig,
    history: usize,
    grad: impl Fn(f64, f64) -> (f64, f64),
    start: (f64, f64),
    steps: usize,
) -> Result<Vec<(f64, f64)>> {
    let setup = |e: &dyn std::fmt::Display| ExperimentError::Setup(e.to_string());
    let mut optimizer = config.build::<f64>().map_err(|e| setup(&e))?;
    let mut p =
        ArrayD::from_shape_vec(IxDyn(&[2]), vec![start.0, start.1]).map_err(|e| setup(&e))?;
    let unit = ArrayD::from_elem(IxDyn(&[2]), 1.0);
    for _ in 0..history {
        optimizer.begin_step();
        optimizer
            .update("p", &mut p, &unit)
            .map_err(|e| setup(&e))?;
    }
    p[0] = start.0;
    p[1] = start.1;
    let mut path = vec![start];
    for _ in 0..steps {
        let (gx, gy) = grad(p[0], p[1]);
        let g = ArrayD::from_shape_vec(IxDyn(&[2]), vec![gx, gy])
            .map_err(|e| ExperimentError::Setup(e.to_string()))?;
        optimizer.begin_step();
        optimizer
            .update("p", &mut p, &g)
            .map_err(|e| ExperimentError::Setup(e.to_string()))?;
        path.push((p[0], p[1]));
    }
    Ok(path)
}

/// One optimizer's path on one surface, measured.
#[derive(Debug, Clone, Serialize)]
pub struct Path {
    /// The optimizer.
    pub optimizer: &'static str,
    /// Every point, the start first.
    pub points: Vec<(f64, f64)>,
    /// The first step within 0.1 of the (global) minimum, if any.
    pub reaches: Option<usize>,
    /// How often x changed sign (crossing the valley's floor lengthwise).
    pub x_crossings: usize,
    /// Where it ended.
    pub end: (f64, f64),
}

/// All the optimizers on one surface.
#[derive(Debug, Clone, Serialize)]
pub struct SurfaceRun {
    /// The surface.
    pub surface: Surface,
    /// Steps taken.
    pub steps: usize,
    /// Each optimizer's path.
    pub paths: Vec<Path>,
}

impl SurfaceRun {
    /// The path of `optimizer`.
    pub fn path(&self, optimizer: &str) -> Option<&Path> {
        self.paths.iter().find(|p| p.optimizer == optimizer)
    }
}

fn minimum(surface: Surface) -> (f64, f64) {
    match surface {
        Surface::Bowl => (0.0, 0.0),
        Surface::TwoMinima => (-1.0388, 0.0),
        Surface::Saddle => (0.0, 1.0),
    }
}

/// The label of AdaGrad's path on the saddle after [`SADDLE_HISTORY`] earlier steps.
pub const ADAGRAD_AFTER: &str = "AdaGrad after 100 earlier steps";

/// How many steps AdaGrad took elsewhere before it meets the saddle in the notes' scenario.
pub const SADDLE_HISTORY: usize = 100;

fn measured(surface: Surface, optimizer: &'static str, points: Vec<(f64, f64)>) -> Path {
    let (mx, my) = minimum(surface);
    let near = |&(x, y): &(f64, f64)| {
        // The saddle has two minima; either counts.
        let d = |ty: f64| ((x - mx).powi(2) + (y - ty).powi(2)).sqrt();
        d(my).min(if surface == Surface::Saddle {
            d(-my)
        } else {
            f64::MAX
        }) < 0.1
    };
    Path {
        optimizer,
        reaches: points.iter().position(near),
        x_crossings: points
            .windows(2)
            .filter(|w| w[0].0.signum() != w[1].0.signum())
            .count(),
        end: points[points.len() - 1],
        points,
    }
}

pub(super) fn surfaces() -> Result<Vec<SurfaceRun>> {
    Surface::ALL
        .iter()
        .map(|&surface| {
            let steps = 100;
            let paths = optimizers(surface)
                .iter()
                .map(|(name, config)| {
                    let points = descend(
                        config,
                        |x, y| surface.gradient(x, y),
                        surface.start(),
                        steps,
                    )?;
                    Ok(measured(surface, name, points))
                })
                .collect::<Result<Vec<_>>>()?;
            let mut paths = paths;
            if surface == Surface::Saddle {
                // The notes' scenario: AdaGrad meets the saddle after its rate has shrunk.
                let points = descend_after(
                    &OptimizerConfig::adagrad(0.05),
                    SADDLE_HISTORY,
                    |x, y| surface.gradient(x, y),
                    surface.start(),
                    steps,
                )?;
                paths.push(measured(surface, ADAGRAD_AFTER, points));
            }
            Ok(SurfaceRun {
                surface,
                steps,
                paths,
            })
        })
        .collect()
}

/// How each adaptive method's step length evolves under a constant gradient (a straight
/// slope, f = x): `(optimizer, [step length at steps 1, 10, 100, 1000])`.
pub(super) fn step_lengths() -> Result<Vec<(&'static str, Vec<f64>)>> {
    let at = [1usize, 10, 100, 1000];
    [
        ("SGD", OptimizerConfig::sgd(0.1)),
        ("AdaGrad", OptimizerConfig::adagrad(0.1)),
        ("RMSProp", OptimizerConfig::rmsprop(0.1)),
        ("Adam", OptimizerConfig::adam(0.1)),
    ]
    .iter()
    .map(|(name, config)| {
        let path = descend(config, |_, _| (1.0, 0.0), (0.0, 0.0), 1000)?;
        Ok((
            *name,
            at.iter()
                .map(|&k| (path[k].0 - path[k - 1].0).abs())
                .collect(),
        ))
    })
    .collect()
}

/// Whether Adam's path is the same on `f` and on `100·f` (to rounding): what it shares with
/// RMSProp, a step that does not depend on the gradient's scale. Also SGD's, which does.
pub(super) fn scale_invariance() -> Result<Vec<(&'static str, f64)>> {
    let surface = Surface::Bowl;
    optimizers(surface)
        .iter()
        .filter(|(name, _)| ["SGD", "RMSProp", "Adam"].contains(name))
        .map(|(name, config)| {
            // SGD at its own rate would diverge on 100·f: its rate divided by 100 gives the
            // same path only for SGD, so compare at the same rate, 20 steps.
            let config = if *name == "SGD" {
                OptimizerConfig::sgd(0.005)
            } else {
                config.clone()
            };
            let a = descend(&config, |x, y| surface.gradient(x, y), surface.start(), 20)?;
            let b = descend(
                &config,
                |x, y| {
                    let (gx, gy) = surface.gradient(x, y);
                    (100.0 * gx, 100.0 * gy)
                },
                surface.start(),
                20,
            )?;
            let gap = a
                .iter()
                .zip(&b)
                .map(|(p, q)| ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt())
                .fold(0.0, f64::max);
            Ok((*name, gap))
        })
        .collect()
}
