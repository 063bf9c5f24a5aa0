//! Small 2-D classification sets, the kind a learner can see whole: two interleaved
//! spirals, two circles, XOR quadrants and two Gaussian blobs, as TensorFlow Playground
//! draws them. Points lie in about `[-1, 1]²`; `noise` jitters them (0: clean, 1: the
//! classes overlap noticeably).

use ndarray::Array2;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

use crate::{DatasetError, Pixel, Result, Split};

/// Which 2-D set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toy2d {
    /// Two spirals winding around each other: needs a deep or wide network.
    Spiral,
    /// A disc inside a ring: not linearly separable, easy for one hidden layer.
    Circles,
    /// Opposite quadrants share a class: the classic problem a single layer cannot solve.
    Xor,
    /// Two Gaussian clouds: linearly separable.
    Blobs,
}

impl Toy2d {
    /// Every set, in the order a page lists them.
    pub const ALL: [Toy2d; 4] = [Toy2d::Spiral, Toy2d::Circles, Toy2d::Xor, Toy2d::Blobs];

    /// The set's name (`spiral`, `circles`, `xor`, `blobs`).
    pub fn name(self) -> &'static str {
        match self {
            Toy2d::Spiral => "spiral",
            Toy2d::Circles => "circles",
            Toy2d::Xor => "xor",
            Toy2d::Blobs => "blobs",
        }
    }

    /// `n` points (half of each class, two classes), jittered by `noise` in `[0, 1]`, drawn
    /// from `seed`: the same arguments give the same points.
    ///
    /// ```
    /// use nabla_datasets::{Split, Toy2d};
    /// let data: Split<f32> = Toy2d::Spiral.generate(200, 0.1, 7)?;
    /// assert_eq!((data.len(), data.sample_shape()), (200, &[2][..]));
    /// assert_eq!(data.labels().iter().filter(|&&l| l == 1).count(), 100);
    /// # Ok::<(), nabla_datasets::DatasetError>(())
    /// ```
    pub fn generate<F: Pixel + From<f32>>(
        self,
        n: usize,
        noise: f64,
        seed: u64,
    ) -> Result<Split<F>> {
        if n < 2 || !(0.0..=1.0).contains(&noise) {
            return Err(DatasetError::format(
                self.name(),
                format!(
                    "needs at least 2 points and noise in [0, 1], got {n} points and noise {noise}"
                ),
            ));
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut points = Array2::<f32>::zeros((n, 2));
        let mut labels = Vec::with_capacity(n);
        let half = n / 2;
        for i in 0..n {
            let label = usize::from(i >= half);
            let k = if label == 0 { i } else { i - half };
            let count = if label == 0 { half } else { n - half };
            let (x, y) = self.point(label, k, count, noise, &mut rng);
            points[[i, 0]] = x as f32;
            points[[i, 1]] = y as f32;
            labels.push(label);
        }
        Split::new(points.mapv(F::from).into_dyn(), labels)
    }

    /// The `k`-th of `count` points of class `label`.
    fn point(
        self,
        label: usize,
        k: usize,
        count: usize,
        noise: f64,
        rng: &mut StdRng,
    ) -> (f64, f64) {
        let jitter = |rng: &mut StdRng, scale: f64| {
            let g: f64 = StandardNormal.sample(rng);
            g * scale * noise
        };
        match self {
            Toy2d::Spiral => {
                // Radius grows from the centre; the second class is the first turned by π.
                let t = k as f64 / count.max(1) as f64;
                let angle = 1.75 * t * std::f64::consts::TAU
                    + if label == 1 {
                        std::f64::consts::PI
                    } else {
                        0.0
                    };
                let r = 0.9 * t;
                (
                    r * angle.sin() + jitter(rng, 0.1),
                    r * angle.cos() + jitter(rng, 0.1),
                )
            }
            Toy2d::Circles => {
                let r = if label == 0 {
                    rng.random_range(0.0..0.4)
                } else {
                    rng.random_range(0.6..0.9)
                };
                let angle = rng.random_range(0.0..std::f64::consts::TAU);
                (
                    r * angle.cos() + jitter(rng, 0.1),
                    r * angle.sin() + jitter(rng, 0.1),
                )
            }
            Toy2d::Xor => {
                // Away from the axes by a margin, so that a clean set is cleanly separable;
                // class 0 has x and y of the same sign, class 1 of opposite signs.
                let sx = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                let sy = if label == 0 { sx } else { -sx };
                let x = sx * rng.random_range(0.05..0.9);
                let y = sy * rng.random_range(0.05..0.9);
                (x + jitter(rng, 0.1), y + jitter(rng, 0.1))
            }
            Toy2d::Blobs => {
                // Two clouds of their own spread (standard deviation 0.15), wider with noise.
                let centre = if label == 0 { 0.45 } else { -0.45 };
                let spread = |rng: &mut StdRng| {
                    let g: f64 = StandardNormal.sample(rng);
                    0.15 * g + jitter(rng, 0.35)
                };
                (centre + spread(rng), centre + spread(rng))
            }
        }
    }
}

impl std::str::FromStr for Toy2d {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Toy2d::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| format!("unknown 2-D set `{s}`: spiral, circles, xor or blobs"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_sets_are_separated_as_described() {
        for kind in Toy2d::ALL {
            let data: Split<f64> = kind.generate(400, 0.0, 3).unwrap();
            let x = data.to_array();
            let rule = |i: usize| -> usize {
                let (a, b) = (x[[i, 0]], x[[i, 1]]);
                match kind {
                    Toy2d::Circles => usize::from(a.hypot(b) > 0.5),
                    Toy2d::Xor => usize::from(a * b < 0.0),
                    Toy2d::Blobs => usize::from(a + b < 0.0),
                    Toy2d::Spiral => data.labels()[i],
                }
            };
            let agree = (0..data.len())
                .filter(|&i| rule(i) == data.labels()[i])
                .count();
            assert!(
                agree as f64 >= 0.97 * data.len() as f64,
                "{kind:?}: {agree} of 400"
            );
            assert!(
                x.iter().all(|v| v.abs() <= 1.5),
                "{kind:?} stays near [-1, 1]"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_points_and_bad_arguments_are_named() {
        let a: Split<f32> = Toy2d::Spiral.generate(50, 0.3, 9).unwrap();
        let b: Split<f32> = Toy2d::Spiral.generate(50, 0.3, 9).unwrap();
        assert_eq!(a.to_array(), b.to_array());
        let err = Toy2d::Xor
            .generate::<f32>(10, 2.0, 0)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("xor") && err.contains("noise in [0, 1]"),
            "{err}"
        );
        assert_eq!("circles".parse::<Toy2d>(), Ok(Toy2d::Circles));
        assert!(
            "moons"
                .parse::<Toy2d>()
                .unwrap_err()
                .contains("spiral, circles")
        );
    }
}
