//! Weight initializers with documented formulas, driven by a caller-supplied seeded RNG.
//!
//! The notes' three classic choices for a weight with `n_in` inputs:
//!
//! | init | formula | variant here |
//! |---|---|---|
//! | small Gaussian | `0.01 · randn` | [`Init::Normal`] `{ mean: 0, std: 0.01 }` |
//! | Xavier | `randn / sqrt(n_in)` | [`Init::Xavier`]`(Dist::Normal)` |
//! | He | `randn · sqrt(2 / n_in)` | [`Init::He`]`(Dist::Normal)` |
//!
//! ```
//! use nabla_init::{Dist, Init};
//! use rand::SeedableRng;
//! use rand::rngs::StdRng;
//!
//! let mut rng = StdRng::seed_from_u64(42);
//! let w = Init::He(Dist::Normal).sample::<f32, _>(&[784, 100], &mut rng)?;
//! assert_eq!(w.shape(), &[784, 100]);
//! // The same seed gives bit-identical weights.
//! let again = Init::He(Dist::Normal).sample::<f32, _>(&[784, 100], &mut StdRng::seed_from_u64(42))?;
//! assert_eq!(w, again);
//! # Ok::<(), nabla_init::InitError>(())
//! ```
#![forbid(unsafe_code)]

/// The `ndarray` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_init::ndarray::…`).
pub use ndarray;
/// The `rand` this crate's public API is written against, re-exported so that a caller
/// uses the same version without pinning it (`nabla_init::rand::…`).
pub use rand;

use nabla_tensor::Float;
use ndarray::{ArrayD, IxDyn};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};

/// Everything that can go wrong when initializing a tensor.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The shape has no fan-in/fan-out interpretation (empty, or a zero dimension).
    #[error("cannot compute fan-in/fan-out of shape {0:?}: {1}")]
    Shape(Vec<usize>, &'static str),
    /// A parameter of the initializer is out of range.
    #[error("invalid initializer {0}: {1}")]
    Invalid(String, &'static str),
}

/// `Result` with [`InitError`].
pub type Result<T> = std::result::Result<T, InitError>;

/// Whether a scaled initializer draws from a normal or a uniform distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dist {
    /// A Gaussian with the initializer's variance.
    Normal,
    /// Uniform on a symmetric interval.
    Uniform,
}

/// How to fill a new tensor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Init {
    /// All zeros (the classic choice for biases).
    Zeros,
    /// Every element equal to the value (BatchNorm's γ = 1).
    Constant(f64),
    /// `mean + std · randn`; the classic `weight_init_std = 0.01` is `{ mean: 0.0, std: 0.01 }`.
    Normal {
        /// The centre of the distribution (0 for weights).
        mean: f64,
        /// Standard deviation, non-negative.
        std: f64,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// The smallest value that can be drawn.
        low: f64,
        /// Upper bound, above `low`.
        high: f64,
    },
    /// Xavier. `Normal`: `randn / sqrt(fan_in)`, the notes' form (LeCun normal; note it
    /// ignores fan-out). `Uniform`: Glorot & Bengio (2010) `U(-a, a)`,
    /// `a = sqrt(6 / (fan_in + fan_out))`, PyTorch's `xavier_uniform_`.
    Xavier(Dist),
    /// He (2015). `Normal`: `randn · sqrt(2 / fan_in)`, PyTorch's `kaiming_normal_`.
    /// `Uniform`: `U(-a, a)`, `a = sqrt(6 / fan_in)`, the same variance.
    He(Dist),
}

/// Fan-in and fan-out of a weight shape.
///
/// - dense weights `(in, out)`, as used in `x · W`: `(in, out)`;
/// - convolution kernels `(out, in, kh, kw)`: `(in·kh·kw, out·kh·kw)`;
/// - vectors `(n)`: `(n, n)`.
///
/// ```
/// assert_eq!(nabla_init::fan_in_out(&[784, 100]), Ok((784, 100)));
/// assert_eq!(nabla_init::fan_in_out(&[30, 1, 5, 5]), Ok((25, 750)));
/// ```
pub fn fan_in_out(shape: &[usize]) -> Result<(usize, usize)> {
    if shape.contains(&0) {
        return Err(InitError::Shape(shape.to_vec(), "a dimension is zero"));
    }
    match *shape {
        [n] => Ok((n, n)),
        [fan_in, fan_out] => Ok((fan_in, fan_out)),
        [out, inp, ref rest @ ..] if !rest.is_empty() => {
            let receptive: usize = rest.iter().product();
            Ok((inp * receptive, out * receptive))
        }
        _ => Err(InitError::Shape(shape.to_vec(), "a scalar has no fan-in")),
    }
}

impl Init {
    /// Checks the parameters once, so that sampling cannot produce NaN.
    pub fn validate(&self) -> Result<()> {
        let bad = |why| Err(InitError::Invalid(format!("{self:?}"), why));
        match *self {
            Init::Constant(v) if !v.is_finite() => bad("the value is not finite"),
            Init::Normal { mean, std } if !(mean.is_finite() && std >= 0.0 && std.is_finite()) => {
                bad("mean must be finite and std finite and non-negative")
            }
            Init::Uniform { low, high } if !(low < high && low.is_finite() && high.is_finite()) => {
                bad("bounds must be finite with low < high")
            }
            _ => Ok(()),
        }
    }

    /// A tensor of `shape` filled by this initializer, drawing from `rng`.
    ///
    /// Values are drawn in `f64` and rounded, so `f32` and `f64` weights from the same seed
    /// agree to `f32` precision.
    pub fn sample<F: Float, R: Rng + ?Sized>(
        &self,
        shape: &[usize],
        rng: &mut R,
    ) -> Result<ArrayD<F>> {
        self.validate()?;
        let normal = |rng: &mut R, mean: f64, std: f64| -> f64 {
            let z: f64 = StandardNormal.sample(rng);
            mean + std * z
        };
        let fill = |rng: &mut R, f: &mut dyn FnMut(&mut R) -> f64| {
            ArrayD::from_shape_simple_fn(IxDyn(shape), || F::of(f(rng)))
        };
        let out = match *self {
            Init::Zeros => ArrayD::zeros(IxDyn(shape)),
            Init::Constant(v) => ArrayD::from_elem(IxDyn(shape), F::of(v)),
            Init::Normal { mean, std } => fill(rng, &mut |r| normal(r, mean, std)),
            Init::Uniform { low, high } => fill(rng, &mut |r| r.random_range(low..high)),
            Init::Xavier(dist) | Init::He(dist) => {
                let (fan_in, fan_out) = fan_in_out(shape)?;
                let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
                let he = matches!(self, Init::He(_));
                match (dist, he) {
                    (Dist::Normal, false) => {
                        fill(rng, &mut |r| normal(r, 0.0, 1.0 / fan_in.sqrt()))
                    }
                    (Dist::Normal, true) => {
                        fill(rng, &mut |r| normal(r, 0.0, (2.0 / fan_in).sqrt()))
                    }
                    (Dist::Uniform, false) => {
                        let a = (6.0 / (fan_in + fan_out)).sqrt();
                        fill(rng, &mut |r| r.random_range(-a..a))
                    }
                    (Dist::Uniform, true) => {
                        let a = (6.0 / fan_in).sqrt();
                        fill(rng, &mut |r| r.random_range(-a..a))
                    }
                }
            }
        };
        Ok(out)
    }

    /// The standard deviation this initializer gives a tensor of `shape`, from its formula.
    pub fn expected_std(&self, shape: &[usize]) -> Result<f64> {
        let (fan_in, fan_out) = fan_in_out(shape)?;
        let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
        Ok(match *self {
            Init::Zeros | Init::Constant(_) => 0.0,
            Init::Normal { std, .. } => std,
            Init::Uniform { low, high } => (high - low) / 12f64.sqrt(),
            Init::Xavier(Dist::Normal) => 1.0 / fan_in.sqrt(),
            Init::Xavier(Dist::Uniform) => (2.0 / (fan_in + fan_out)).sqrt(),
            Init::He(_) => (2.0 / fan_in).sqrt(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn moments(a: &ArrayD<f64>) -> (f64, f64) {
        let n = a.len() as f64;
        let mean = a.sum() / n;
        let var = a.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        (mean, var.sqrt())
    }

    #[test]
    fn sample_moments_match_the_formulas() {
        let shapes: [&[usize]; 2] = [&[784, 300], &[64, 32, 3, 3]];
        let inits = [
            Init::Normal {
                mean: 0.0,
                std: 0.01,
            },
            Init::Normal {
                mean: 1.5,
                std: 2.0,
            },
            Init::Uniform {
                low: -1.0,
                high: 3.0,
            },
            Init::Xavier(Dist::Normal),
            Init::Xavier(Dist::Uniform),
            Init::He(Dist::Normal),
            Init::He(Dist::Uniform),
        ];
        let mut rng = StdRng::seed_from_u64(7);
        for shape in shapes {
            for init in inits {
                let a = init.sample::<f64, _>(shape, &mut rng).unwrap();
                let (mean, std) = moments(&a);
                let expected_mean = match init {
                    Init::Normal { mean, .. } => mean,
                    Init::Uniform { low, high } => (low + high) / 2.0,
                    _ => 0.0,
                };
                let expected_std = init.expected_std(shape).unwrap();
                // With >= 18k draws the sample std is within 2% and the mean within 4 standard errors.
                let se = expected_std / (a.len() as f64).sqrt();
                assert!(
                    (mean - expected_mean).abs() < 4.0 * se,
                    "{init:?} {shape:?}: mean {mean}"
                );
                assert!(
                    (std / expected_std - 1.0).abs() < 0.02,
                    "{init:?} {shape:?}: std {std} vs {expected_std}"
                );
            }
        }
    }

    #[test]
    fn formulas_are_the_notes_ones() {
        assert_eq!(Init::Xavier(Dist::Normal).expected_std(&[100, 10]), Ok(0.1));
        assert_eq!(Init::He(Dist::Normal).expected_std(&[50, 10]), Ok(0.2));
        assert_eq!(
            Init::He(Dist::Normal).expected_std(&[16, 8, 3, 3]),
            Ok((2.0f64 / 72.0).sqrt())
        );
    }

    #[test]
    fn same_seed_same_bits_other_seed_other_values() {
        let draw = |seed| {
            Init::He(Dist::Normal)
                .sample::<f32, _>(&[30, 1, 5, 5], &mut StdRng::seed_from_u64(seed))
                .unwrap()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn constants_and_errors() {
        let mut rng = StdRng::seed_from_u64(0);
        assert!(
            Init::Zeros
                .sample::<f32, _>(&[3], &mut rng)
                .unwrap()
                .iter()
                .all(|&v| v == 0.0)
        );
        assert!(
            Init::Constant(1.0)
                .sample::<f32, _>(&[3], &mut rng)
                .unwrap()
                .iter()
                .all(|&v| v == 1.0)
        );
        assert!(
            Init::Normal {
                mean: 0.0,
                std: -1.0
            }
            .sample::<f32, _>(&[3], &mut rng)
            .is_err()
        );
        assert!(
            Init::Uniform {
                low: 1.0,
                high: 1.0
            }
            .sample::<f32, _>(&[3], &mut rng)
            .is_err()
        );
        assert!(
            Init::He(Dist::Normal)
                .sample::<f32, _>(&[3, 0], &mut rng)
                .is_err()
        );
        assert!(
            Init::He(Dist::Normal)
                .sample::<f32, _>(&[], &mut rng)
                .is_err()
        );
    }
}
