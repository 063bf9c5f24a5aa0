//! A trainable tensor and its gradient, travelling together.

use ndarray::ArrayD;

use crate::Float;

/// What role a parameter plays; decides whether regularization and optimizers touch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ParamKind {
    /// A weight matrix or kernel: trained and, by default, regularized.
    Weight,
    /// A bias: trained, not regularized.
    Bias,
    /// A BatchNorm scale (γ): trained, not regularized.
    Scale,
    /// A BatchNorm shift (β): trained, not regularized.
    Shift,
    /// State that is saved with the model but never trained (BatchNorm running statistics).
    Buffer,
}

/// A parameter value with the gradient the last backward pass stored for it.
///
/// ```
/// use nabla_tensor::{Param, ParamKind};
/// use ndarray::ArrayD;
/// let p = Param::new(ArrayD::<f32>::zeros(vec![3, 2]), ParamKind::Weight);
/// assert_eq!(p.grad.shape(), &[3, 2]);
/// assert!(p.is_trainable() && p.is_regularized());
/// ```
#[derive(Debug, Clone)]
pub struct Param<F: Float> {
    /// The current value.
    pub value: ArrayD<F>,
    /// The gradient of the loss with respect to `value`, same shape.
    pub grad: ArrayD<F>,
    /// The role of the parameter.
    pub kind: ParamKind,
    /// A frozen parameter is skipped by every optimizer.
    pub frozen: bool,
}

impl<F: Float> Param<F> {
    /// A parameter with a zero gradient of the same shape.
    pub fn new(value: ArrayD<F>, kind: ParamKind) -> Self {
        let grad = ArrayD::zeros(value.raw_dim());
        Param {
            value,
            grad,
            kind,
            frozen: false,
        }
    }

    /// Whether optimizers update this parameter (not frozen, not a buffer).
    pub fn is_trainable(&self) -> bool {
        !self.frozen && self.kind != ParamKind::Buffer
    }

    /// Whether weight penalties (L1, L2) apply to it by default: weights only.
    pub fn is_regularized(&self) -> bool {
        self.kind == ParamKind::Weight
    }

    /// Sets the gradient to zero.
    pub fn zero_grad(&mut self) {
        self.grad.fill(F::zero());
    }
}
