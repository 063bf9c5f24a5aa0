//! The error type of `nabla-optim`.

/// Everything that can go wrong in an optimizer, schedule or regularizer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimError {
    /// A hyperparameter is out of its valid range.
    #[error("{optimizer}: {name} = {value} is invalid: must be {rule}")]
    Hyperparameter {
        /// The optimizer, schedule or regularizer.
        optimizer: &'static str,
        /// The hyperparameter.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// The valid range, in words.
        rule: &'static str,
    },
    /// A gradient does not match its parameter, or saved state does not match the parameter.
    #[error(
        "{optimizer}: parameter `{param}` has shape {value:?} but its {what} has shape {other:?}"
    )]
    Shape {
        /// The optimizer.
        optimizer: &'static str,
        /// The parameter name.
        param: String,
        /// What was compared with the value.
        what: &'static str,
        /// The parameter's shape.
        value: Vec<usize>,
        /// The other shape.
        other: Vec<usize>,
    },
    /// Saved state belongs to another optimizer.
    #[error("cannot load {found} state into a {expected} optimizer")]
    StateKind {
        /// The optimizer loading the state.
        expected: &'static str,
        /// The optimizer that saved it.
        found: String,
    },
}

/// `Result` with [`OptimError`].
pub type Result<T> = std::result::Result<T, OptimError>;

/// Checks `lo <= value < hi` (or `<= hi` when `hi_inclusive`), naming the hyperparameter.
pub(crate) fn check_range(
    optimizer: &'static str,
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    rule: &'static str,
) -> Result<()> {
    if value.is_finite() && value >= lo && value < hi {
        Ok(())
    } else {
        Err(OptimError::Hyperparameter {
            optimizer,
            name,
            value,
            rule,
        })
    }
}

/// Checks a learning rate: finite and non-negative.
pub(crate) fn check_lr(optimizer: &'static str, lr: f64) -> Result<()> {
    check_range(
        optimizer,
        "learning rate",
        lr,
        0.0,
        f64::INFINITY,
        "finite and >= 0",
    )
}

/// Checks an ε: finite and positive.
pub(crate) fn check_eps(optimizer: &'static str, eps: f64) -> Result<()> {
    check_range(
        optimizer,
        "eps",
        eps,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        "finite and > 0",
    )
}
