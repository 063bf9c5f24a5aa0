//! What every optimizer shares, written once: the learning rate, the step count and the
//! per-parameter buffers, around an [`UpdateRule`] that holds only a formula.

use nabla_tensor::parallel::for_each_task;
use ndarray::{ArrayD, Zip};

use crate::error::check_lr;
use crate::optimizer::{check_grad, check_kind};
use crate::{Float, Optimizer, OptimizerState, Result};

/// `x`, or zero when `x` is subnormal (nonzero and smaller in magnitude than the type's
/// smallest normal number, 1.2e-38 for `f32`).
///
/// For state that decays while its gradient stays zero: a dead ReLU unit's weights, a
/// weight that only ever sees a black border pixel. Momentum's velocity and Adam's moments
/// then shrink by a constant factor every step until they stick at the smallest subnormal
/// (`0.9 · 2⁻¹⁴⁹` rounds back to `2⁻¹⁴⁹`), and every operation on a subnormal costs an
/// Intel CPU a microcode assist of about a hundred cycles: Adam's update was half of the
/// 99% recipe's time on a 2-core Xeon (README, "Speed"). What such a value adds to a
/// parameter is far below the parameter's rounding unless the parameter is itself (nearly)
/// zero, so flushing it changes no result the experiments measure (checked bit for bit on
/// the whole suite).
///
/// ```
/// use nabla_optim::flush_subnormal;
/// assert_eq!(flush_subnormal(1e-39f32), 0.0);
/// assert_eq!(flush_subnormal(-2e-38f32), -2e-38);
/// assert_eq!(flush_subnormal(0.5f64), 0.5);
/// ```
#[inline(always)]
pub fn flush_subnormal<F: Float>(x: F) -> F {
    if x.abs() < F::min_positive_value() {
        F::zero()
    } else {
        x
    }
}

/// Elements per block when an update is shared among threads: 64 KiB of `f32` per buffer,
/// so a block's four streams stay in a core's L2 and a bias vector is one block, run inline.
const BLOCK: usize = 16 * 1024;

/// Applies `f(p, g, s)` to each element of a parameter, its gradient and one buffer. When
/// all three are in standard layout (as the optimizer keeps them) the blocks run in
/// parallel: the same arithmetic element by element, so the same bits on any thread count.
/// Otherwise ndarray's `Zip` walks them.
pub(crate) fn each1<F: Float>(
    p: &mut ArrayD<F>,
    g: &ArrayD<F>,
    s: &mut ArrayD<F>,
    f: impl Fn(&mut F, F, &mut F) + Sync,
) {
    if let (Some(ps), Some(gs), Some(ss)) = (p.as_slice_mut(), g.as_slice(), s.as_slice_mut())
        && ps.len() == gs.len()
        && ps.len() == ss.len()
    {
        let blocks = ps
            .chunks_mut(BLOCK)
            .zip(gs.chunks(BLOCK))
            .zip(ss.chunks_mut(BLOCK));
        for_each_task(blocks, |((p, g), s)| {
            for ((p, &g), s) in p.iter_mut().zip(g).zip(s) {
                f(p, g, s);
            }
        });
    } else {
        Zip::from(p).and(g).and(s).for_each(|p, &g, s| f(p, g, s));
    }
}

/// [`each1`] with two buffers (Adam's moments).
pub(crate) fn each2<F: Float>(
    p: &mut ArrayD<F>,
    g: &ArrayD<F>,
    (s, t): (&mut ArrayD<F>, &mut ArrayD<F>),
    f: impl Fn(&mut F, F, &mut F, &mut F) + Sync,
) {
    if let (Some(ps), Some(gs), Some(ss), Some(ts)) = (
        p.as_slice_mut(),
        g.as_slice(),
        s.as_slice_mut(),
        t.as_slice_mut(),
    ) && ps.len() == gs.len()
        && ps.len() == ss.len()
        && ps.len() == ts.len()
    {
        let blocks = ps
            .chunks_mut(BLOCK)
            .zip(gs.chunks(BLOCK))
            .zip(ss.chunks_mut(BLOCK).zip(ts.chunks_mut(BLOCK)));
        for_each_task(blocks, |((p, g), (s, t))| {
            for ((p, &g), (s, t)) in p.iter_mut().zip(g).zip(s.iter_mut().zip(t)) {
                f(p, g, s, t);
            }
        });
    } else {
        Zip::from(p)
            .and(g)
            .and(s)
            .and(t)
            .for_each(|p, &g, s, t| f(p, g, s, t));
    }
}

/// The part of an optimizer that makes it what it is: its name, its hyperparameters (the
/// implementing value), how many buffers it keeps per parameter, and its update formula.
///
/// [`RuleOptimizer`] turns a rule into an [`Optimizer`]; [`Momentum`](crate::Momentum),
/// [`Adam`](crate::Adam) and the others are rules wrapped that way. A rule of your own:
///
/// ```
/// use nabla_optim::{Float, Optimizer, RuleOptimizer, UpdateRule};
/// use nabla_optim::ndarray::{ArrayD, array};
///
/// /// Sign SGD: `p −= lr·sign(g)`.
/// #[derive(Debug, Clone)]
/// struct SignSgd;
///
/// impl UpdateRule for SignSgd {
///     const KIND: &'static str = "SignSgd";
///     const SLOTS: usize = 0;
///     fn apply<F: Float>(&self, lr: f64, _step: u64, p: &mut ArrayD<F>, g: &ArrayD<F>, _: &mut [ArrayD<F>]) {
///         p.zip_mut_with(g, |p, &g| *p -= F::of(lr) * g.signum());
///     }
/// }
///
/// let mut opt = RuleOptimizer::from_rule(0.5, SignSgd)?;
/// let mut p = array![1.0f64, 1.0].into_dyn();
/// opt.update("w", &mut p, &array![3.0, -0.1].into_dyn())?;
/// assert_eq!(p, array![0.5, 1.5].into_dyn());
/// # Ok::<(), nabla_optim::OptimError>(())
/// ```
pub trait UpdateRule: Clone + Send + std::fmt::Debug {
    /// The optimizer's name, stored in checkpoints.
    const KIND: &'static str;
    /// Buffers kept per parameter (velocity, moments, …), each shaped like the parameter.
    const SLOTS: usize;

    /// The value the buffers start at (zero for all but AdaGrad's optional start).
    fn slot_init(&self) -> f64 {
        0.0
    }

    /// Updates `value` in place from `grad` with learning rate `lr` at step `step` (counted
    /// from 1), reading and writing this parameter's `SLOTS` buffers.
    fn apply<F: Float>(
        &self,
        lr: f64,
        step: u64,
        value: &mut ArrayD<F>,
        grad: &ArrayD<F>,
        slots: &mut [ArrayD<F>],
    );
}

/// An [`Optimizer`] made of an [`UpdateRule`].
#[derive(Debug, Clone)]
pub struct RuleOptimizer<F: Float, R> {
    lr: f64,
    rule: R,
    state: OptimizerState<F>,
}

impl<F: Float, R: UpdateRule> RuleOptimizer<F, R> {
    /// An optimizer applying `rule` with learning rate `lr` (positive and finite).
    pub fn from_rule(lr: f64, rule: R) -> Result<Self> {
        check_lr(R::KIND, lr)?;
        Ok(RuleOptimizer {
            lr,
            rule,
            state: OptimizerState::new(R::KIND),
        })
    }

    /// The rule and its hyperparameters.
    pub fn rule(&self) -> &R {
        &self.rule
    }
}

impl<F: Float, R: UpdateRule> Optimizer<F> for RuleOptimizer<F, R> {
    fn kind(&self) -> &'static str {
        R::KIND
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) -> Result<()> {
        check_lr(R::KIND, lr)?;
        self.lr = lr;
        Ok(())
    }

    fn begin_step(&mut self) {
        self.state.step += 1;
    }

    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()> {
        check_grad(R::KIND, name, value, grad)?;
        // A call without begin_step counts as the first step (Adam would divide by zero).
        let step = self.state.step.max(1);
        if R::SLOTS == 0 {
            // Nothing to keep: no entry in the state, so checkpoints stay as they were.
            self.rule.apply(self.lr, step, value, grad, &mut []);
            return Ok(());
        }
        let init = F::of(self.rule.slot_init());
        let slots = self.state.slots_for(R::KIND, name, value, R::SLOTS, init)?;
        self.rule.apply(self.lr, step, value, grad, slots);
        Ok(())
    }

    fn state(&self) -> OptimizerState<F> {
        self.state.clone()
    }

    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()> {
        check_kind(R::KIND, &state)?;
        self.state = state;
        Ok(())
    }
}
