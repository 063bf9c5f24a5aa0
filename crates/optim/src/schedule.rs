//! Learning-rate schedules: "start large, decrease gradually", as pure functions of the step.

use crate::error::check_range;
use crate::{OptimError, Result};

/// A learning-rate schedule: the rate at step `t` (counting from 0) is `base · factor(t)`.
///
/// ```
/// use nabla_optim::Schedule;
/// let s = Schedule::Step { every: 100, gamma: 0.5 };
/// assert_eq!(s.lr(0.1, 0), 0.1);
/// assert_eq!(s.lr(0.1, 250), 0.025);
/// let warm = Schedule::warmup(10, Schedule::Constant);
/// assert_eq!(warm.lr(0.1, 4), 0.05);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Schedule {
    /// `factor = 1`.
    Constant,
    /// `factor = gamma^(t / every)` (integer division): multiply by `gamma` every `every` steps.
    Step {
        /// Steps between decays (> 0).
        every: u64,
        /// Decay factor in `(0, 1]`.
        gamma: f64,
    },
    /// `factor = gamma^t`.
    Exponential {
        /// Decay per step in `(0, 1]`.
        gamma: f64,
    },
    /// Cosine annealing from 1 to `min_factor` over `total` steps, then flat:
    /// `factor = min + (1 − min)·(1 + cos(π·t/total))/2`.
    Cosine {
        /// Steps to reach the minimum (> 0).
        total: u64,
        /// The final factor in `[0, 1]`.
        min_factor: f64,
    },
    /// The learning-rate range test's sweep: `factor = growth^(t / steps)`, from 1 at the
    /// first step to `growth` after `steps` steps (and on, geometrically).
    Sweep {
        /// Steps to grow by `growth` (> 0).
        steps: u64,
        /// The total growth, at least 1 (1e8 sweeps 1e-7 to 10).
        growth: f64,
    },
    /// Linear warmup `factor = (t + 1)/steps` for the first `steps` steps, then `then`
    /// counted from the end of the warmup.
    Warmup {
        /// Warmup length (> 0).
        steps: u64,
        /// The schedule after the warmup.
        then: Box<Schedule>,
    },
}

/// The schedule in words: `constant`, `×0.7 every 100 steps`, `cosine to 0.01·lr over 1800
/// steps`.
///
/// ```
/// use nabla_optim::Schedule;
/// assert_eq!(Schedule::Step { every: 100, gamma: 0.7 }.to_string(), "×0.7 every 100 steps");
/// ```
impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schedule::Constant => f.write_str("constant"),
            Schedule::Step { every, gamma } => write!(f, "×{gamma} every {every} steps"),
            Schedule::Exponential { gamma } => write!(f, "×{gamma} every step"),
            Schedule::Cosine { total, min_factor } => {
                write!(f, "cosine to {min_factor}·lr over {total} steps")
            }
            Schedule::Sweep { steps, growth } => {
                write!(f, "growing ×{growth:e} over {steps} steps")
            }
            Schedule::Warmup { steps, then } => {
                write!(f, "linear warmup over {steps} steps, then {then}")
            }
        }
    }
}

impl Schedule {
    /// `then` preceded by `steps` steps of linear warmup.
    pub fn warmup(steps: u64, then: Schedule) -> Self {
        Schedule::Warmup {
            steps,
            then: Box::new(then),
        }
    }

    /// Checks the parameters, so that [`Schedule::factor`] is always finite and non-negative.
    pub fn validate(&self) -> Result<()> {
        let positive = |name, v: u64| {
            if v > 0 {
                Ok(())
            } else {
                Err(OptimError::Hyperparameter {
                    optimizer: "Schedule",
                    name,
                    value: 0.0,
                    rule: "> 0",
                })
            }
        };
        match self {
            Schedule::Constant => Ok(()),
            Schedule::Step { every, gamma } => {
                positive("every", *every)?;
                check_range(
                    "Schedule",
                    "gamma",
                    *gamma,
                    f64::MIN_POSITIVE,
                    1.0 + f64::EPSILON,
                    "in (0, 1]",
                )
            }
            Schedule::Exponential { gamma } => check_range(
                "Schedule",
                "gamma",
                *gamma,
                f64::MIN_POSITIVE,
                1.0 + f64::EPSILON,
                "in (0, 1]",
            ),
            Schedule::Cosine { total, min_factor } => {
                positive("total", *total)?;
                check_range(
                    "Schedule",
                    "min_factor",
                    *min_factor,
                    0.0,
                    1.0 + f64::EPSILON,
                    "in [0, 1]",
                )
            }
            Schedule::Sweep { steps, growth } => {
                positive("steps", *steps)?;
                check_range("Schedule", "growth", *growth, 1.0, 1e30, "in [1, 1e30]")
            }
            Schedule::Warmup { steps, then } => {
                positive("steps", *steps)?;
                then.validate()
            }
        }
    }

    /// The multiplier of the base learning rate at step `t`.
    pub fn factor(&self, t: u64) -> f64 {
        match self {
            Schedule::Constant => 1.0,
            Schedule::Step { every, gamma } => gamma.powf((t / (*every).max(1)) as f64),
            Schedule::Exponential { gamma } => gamma.powf(t as f64),
            Schedule::Cosine { total, min_factor } => {
                let progress = t.min(*total) as f64 / (*total).max(1) as f64;
                min_factor
                    + (1.0 - min_factor) * (1.0 + (std::f64::consts::PI * progress).cos()) / 2.0
            }
            Schedule::Sweep { steps, growth } => growth.powf(t as f64 / (*steps).max(1) as f64),
            Schedule::Warmup { steps, then } => {
                if t < *steps {
                    (t + 1) as f64 / *steps as f64
                } else {
                    then.factor(t - steps)
                }
            }
        }
    }

    /// The learning rate at step `t` for base rate `base`.
    pub fn lr(&self, base: f64, t: u64) -> f64 {
        base * self.factor(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_at_chosen_steps() {
        let step = Schedule::Step {
            every: 10,
            gamma: 0.1,
        };
        assert_eq!(
            [
                step.factor(0),
                step.factor(9),
                step.factor(10),
                step.factor(25)
            ],
            [1.0, 1.0, 0.1, 0.1f64.powi(2)]
        );
        let exp = Schedule::Exponential { gamma: 0.5 };
        assert_eq!([exp.factor(0), exp.factor(3)], [1.0, 0.125]);
        let cos = Schedule::Cosine {
            total: 100,
            min_factor: 0.1,
        };
        assert_eq!(cos.factor(0), 1.0);
        assert!((cos.factor(50) - 0.55).abs() < 1e-12);
        assert!((cos.factor(100) - 0.1).abs() < 1e-12);
        assert!((cos.factor(1000) - 0.1).abs() < 1e-12);
        let warm = Schedule::warmup(4, Schedule::Exponential { gamma: 0.5 });
        assert_eq!(
            (0..7).map(|t| warm.factor(t)).collect::<Vec<_>>(),
            [0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.25]
        );
        assert_eq!(Schedule::Constant.lr(0.3, 12345), 0.3);
    }

    #[test]
    fn invalid_schedules_are_rejected() {
        assert!(
            Schedule::Step {
                every: 0,
                gamma: 0.5
            }
            .validate()
            .is_err()
        );
        assert!(
            Schedule::Step {
                every: 5,
                gamma: 1.5
            }
            .validate()
            .is_err()
        );
        assert!(Schedule::Exponential { gamma: 0.0 }.validate().is_err());
        assert!(
            Schedule::Cosine {
                total: 10,
                min_factor: -0.1
            }
            .validate()
            .is_err()
        );
        assert!(Schedule::warmup(0, Schedule::Constant).validate().is_err());
        assert!(
            Schedule::warmup(3, Schedule::Exponential { gamma: f64::NAN })
                .validate()
                .is_err()
        );
        assert!(
            Schedule::warmup(
                3,
                Schedule::Cosine {
                    total: 5,
                    min_factor: 0.0
                }
            )
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn a_sweep_grows_geometrically_from_the_base_rate() {
        let s = Schedule::Sweep {
            steps: 100,
            growth: 1e8,
        };
        assert!(s.validate().is_ok());
        assert_eq!(s.lr(1e-7, 0), 1e-7);
        assert!((s.lr(1e-7, 100) - 10.0).abs() < 1e-9);
        assert!((s.lr(1e-7, 50) - 1e-3).abs() < 1e-12);
        assert!(
            Schedule::Sweep {
                steps: 10,
                growth: 0.5
            }
            .validate()
            .is_err()
        );
        assert!(
            Schedule::Sweep {
                steps: 0,
                growth: 10.0
            }
            .validate()
            .is_err()
        );
    }
}
