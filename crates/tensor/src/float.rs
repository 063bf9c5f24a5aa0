//! The element type shared by every crate.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A floating-point element: `f32` for training, `f64` for gradient checks.
///
/// The trait is sealed in practice by its two impls; it bundles what ndarray, serde and
/// the layers need so that generic code has one bound to write.
///
/// ```
/// use nabla_tensor::Float;
/// fn halve<F: Float>(x: F) -> F { x * F::of(0.5) }
/// assert_eq!(halve(3.0f32), 1.5);
/// assert_eq!(halve(3.0f64).as_f64(), 1.5);
/// ```
pub trait Float:
    num_traits::Float
    + LinalgScalar
    + ScalarOperand
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Debug
    + Display
    + Default
    + Send
    + Sync
    + Serialize
    + DeserializeOwned
    + 'static
{
    /// `"f32"` or `"f64"`, for checkpoints and messages.
    const NAME: &'static str;
    /// Converts from `f64`, rounding to the nearest representable value.
    fn of(v: f64) -> Self;
    /// Converts to `f64` exactly.
    fn as_f64(self) -> f64;
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    #[inline]
    fn of(v: f64) -> Self {
        v as f32
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    #[inline]
    fn of(v: f64) -> Self {
        v
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
}
