//! Stochastic gradient descent: `p −= lr·g`.

use ndarray::ArrayD;

use crate::{Float, Result, RuleOptimizer, UpdateRule};

/// Plain SGD. Stateless, apart from the step count kept for checkpoints.
///
/// ```
/// use nabla_optim::{Optimizer, Sgd};
/// use ndarray::array;
/// let mut p = array![1.0f64].into_dyn();
/// Sgd::new(0.1)?.update("w", &mut p, &array![2.0].into_dyn())?;
/// assert_eq!(p[0], 0.8);
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
pub type Sgd<F> = RuleOptimizer<F, SgdRule>;

/// [`Sgd`]'s formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdRule;

impl<F: Float> Sgd<F> {
    /// SGD with learning rate `lr` (the classic default is 0.01).
    pub fn new(lr: f64) -> Result<Self> {
        RuleOptimizer::from_rule(lr, SgdRule)
    }
}

impl UpdateRule for SgdRule {
    const KIND: &'static str = "Sgd";
    const SLOTS: usize = 0;

    fn apply<F: Float>(
        &self,
        lr: f64,
        _: u64,
        p: &mut ArrayD<F>,
        g: &ArrayD<F>,
        _: &mut [ArrayD<F>],
    ) {
        p.scaled_add(-F::of(lr), g);
    }
}
