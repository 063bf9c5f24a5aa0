//! The optimizer trait, its lazily created per-parameter state, and the step driver.

use std::collections::BTreeMap;

use ndarray::ArrayD;

use crate::{Float, OptimError, Param, Result};

/// Everything an optimizer remembers between steps, for checkpoints.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(bound = "")]
pub struct OptimizerState<F: Float> {
    /// Which optimizer saved it (`"Adam"`, …).
    pub kind: String,
    /// Steps taken so far (Adam's `t`).
    pub step: u64,
    /// Per-parameter buffers by parameter name (velocity, moments, …).
    pub slots: BTreeMap<String, Vec<ArrayD<F>>>,
}

impl<F: Float> OptimizerState<F> {
    /// An empty state for an optimizer called `kind`.
    pub fn new(kind: &'static str) -> Self {
        OptimizerState {
            kind: kind.to_string(),
            step: 0,
            slots: BTreeMap::new(),
        }
    }

    /// The `count` buffers of parameter `name`, created filled with `init` on first use.
    pub fn slots_for(
        &mut self,
        optimizer: &'static str,
        name: &str,
        value: &ArrayD<F>,
        count: usize,
        init: F,
    ) -> Result<&mut Vec<ArrayD<F>>> {
        // Looked up before it is inserted: a key is allocated once per parameter, not per step.
        if !self.slots.contains_key(name) {
            let fresh = (0..count)
                .map(|_| ArrayD::from_elem(value.raw_dim(), init))
                .collect();
            self.slots.insert(name.to_string(), fresh);
        }
        let Some(slots) = self.slots.get_mut(name) else {
            unreachable!("inserted above")
        };
        if let Some(bad) = slots.iter().find(|s| s.shape() != value.shape()) {
            return Err(OptimError::Shape {
                optimizer,
                param: name.to_string(),
                what: "saved state",
                value: value.shape().to_vec(),
                other: bad.shape().to_vec(),
            });
        }
        Ok(slots)
    }
}

/// An update rule applied one named parameter at a time.
pub trait Optimizer<F: Float>: Send {
    /// The optimizer's name, as stored in its state.
    fn kind(&self) -> &'static str;

    /// The current learning rate.
    fn lr(&self) -> f64;

    /// Changes the learning rate (schedules call this before each step).
    fn set_lr(&mut self, lr: f64) -> Result<()>;

    /// Marks the start of a step over all parameters (Adam counts its `t` here).
    fn begin_step(&mut self) {}

    /// Updates `value` in place from `grad`, using the state kept under `name`.
    fn update(&mut self, name: &str, value: &mut ArrayD<F>, grad: &ArrayD<F>) -> Result<()>;

    /// A copy of the optimizer's state.
    fn state(&self) -> OptimizerState<F>;

    /// Restores a state saved by [`Optimizer::state`] of the same kind of optimizer.
    fn load_state(&mut self, state: OptimizerState<F>) -> Result<()>;
}

/// Checks that a state was saved by an optimizer of `kind`.
pub(crate) fn check_kind<F: Float>(kind: &'static str, state: &OptimizerState<F>) -> Result<()> {
    if state.kind == kind {
        Ok(())
    } else {
        Err(OptimError::StateKind {
            expected: kind,
            found: state.kind.clone(),
        })
    }
}

/// Checks that a gradient matches its value.
pub(crate) fn check_grad<F: Float>(
    kind: &'static str,
    name: &str,
    value: &ArrayD<F>,
    grad: &ArrayD<F>,
) -> Result<()> {
    if value.shape() == grad.shape() {
        Ok(())
    } else {
        Err(OptimError::Shape {
            optimizer: kind,
            param: name.to_string(),
            what: "gradient",
            value: value.shape().to_vec(),
            other: grad.shape().to_vec(),
        })
    }
}

/// One optimization step: calls `begin_step`, then updates every trainable parameter that
/// `visit` reaches, skipping frozen parameters and buffers.
///
/// `visit` is how a model shows its parameters, typically `|f| net.visit_params(f)`.
pub fn step<F: Float, O: Optimizer<F> + ?Sized>(
    optimizer: &mut O,
    visit: impl FnOnce(&mut dyn FnMut(&str, &mut Param<F>)),
) -> Result<()> {
    optimizer.begin_step();
    let mut result = Ok(());
    visit(&mut |name, p| {
        if result.is_ok() && p.is_trainable() {
            result = optimizer.update(name, &mut p.value, &p.grad);
        }
    });
    result
}
