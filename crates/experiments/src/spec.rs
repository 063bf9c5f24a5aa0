//! What one training run of the suite is: its network, optimizer, data, budget, the quirks
//! of the original code it reproduces, and the numbers the original printed.

use nabla_nn::{Architecture, Layout};
use nabla_optim::OptimizerConfig;
use serde::Serialize;

/// The experiment groups, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Group {
    /// Vanishing gradient and weight initialization.
    #[serde(rename = "VG")]
    Vg,
    /// Optimizers and learning rates.
    #[serde(rename = "OPT")]
    Opt,
    /// Overfitting, regularization and dropout.
    #[serde(rename = "OF")]
    Of,
    /// Convolutional networks.
    #[serde(rename = "CNN")]
    Cnn,
    /// Topics of the notes that no notebook runs.
    #[serde(rename = "EXTRA")]
    Extra,
}

impl Group {
    /// Every group, in report order.
    pub const ALL: [Group; 5] = [Group::Vg, Group::Opt, Group::Of, Group::Cnn, Group::Extra];

    /// The id used in run ids and on the command line (`VG`, `OPT`, …).
    pub fn id(self) -> &'static str {
        match self {
            Group::Vg => "VG",
            Group::Opt => "OPT",
            Group::Of => "OF",
            Group::Cnn => "CNN",
            Group::Extra => "EXTRA",
        }
    }

    /// The report's heading.
    pub fn title(self) -> &'static str {
        match self {
            Group::Vg => "Vanishing gradient and weight initialization",
            Group::Opt => "Optimizers and learning rates",
            Group::Of => "Overfitting, regularization and dropout",
            Group::Cnn => "Convolutional networks",
            Group::Extra => "Beyond the notebooks",
        }
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Which network a run trains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ModelSpec {
    /// A built-in network, built by `nabla-nn` from its config like any other (the CNN
    /// notebook's two-convolution reference nets included).
    Net(Architecture),
}

impl ModelSpec {
    /// How the model wants its MNIST images: rows for the MLPs, images for the CNNs.
    pub fn layout(&self) -> Layout {
        match self {
            ModelSpec::Net(arch) => arch.layout(),
        }
    }
}

/// Where an evaluation's training accuracy is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum TrainAccuracy {
    /// On the training split (or the sample `train_eval_samples` asks for), inference mode.
    #[default]
    Split,
    /// Quirk of the optimizer notebook: on the current mini-batch, inference mode, after the
    /// update (cheap and noisy).
    BatchAfterUpdate,
    /// Quirk of the vanishing-gradient notebook: on the current mini-batch from the
    /// training-mode logits, before the update.
    BatchBeforeUpdate,
}

/// The optimizer of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum OptSpec {
    /// A library optimizer.
    Library(OptimizerConfig),
    /// Quirk: the optimizer notebook's AdaGrad (h₀ = θ = 1e-4, first step without g², no ε).
    AdaGradTheta {
        /// Learning rate.
        lr: f64,
    },
}

/// The training data of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Subset {
    /// All 60,000 training or 10,000 test images.
    All,
    /// The first `n` images.
    First(usize),
}

/// The numbers the original notebook printed for this run, and the second sample from a
/// fresh rerun of the original code where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Recorded {
    /// Final train accuracy as printed.
    pub train: f64,
    /// Final test accuracy as printed.
    pub test: f64,
    /// Final test accuracy of the fresh rerun.
    pub fresh_test: Option<f64>,
}

/// How a reproduction is judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Expect {
    /// Final test accuracy within `[lo, hi]`.
    Test {
        /// The lowest accuracy accepted, as a fraction.
        lo: f64,
        /// The highest accuracy accepted, as a fraction.
        hi: f64,
    },
    /// The median test accuracy of the last 10 evaluations within `[lo, hi]`: for runs whose
    /// large learning rate makes single evaluations spike (the original's curves spike too).
    TailMedian {
        /// The lowest accuracy accepted, as a fraction.
        lo: f64,
        /// The highest accuracy accepted, as a fraction.
        hi: f64,
    },
    /// The run sits on an unstable edge (the two samples of the original disagree): judged by
    /// the claims it supports, not by a number.
    Unstable,
    /// Not a reproduction (an extra or a corrected variant): nothing to check.
    Nothing,
}

/// One training run of the suite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSpec {
    /// Run id, as in the notes (`VG-1`, `OPT-C2`, …).
    pub id: String,
    /// The group it belongs to.
    pub group: Group,
    /// One line: what differs in this run.
    pub title: String,
    /// The network.
    pub model: ModelSpec,
    /// The optimizer.
    pub optimizer: OptSpec,
    /// Training iterations (mini-batches drawn with replacement).
    pub iterations: u64,
    /// Mini-batch size.
    pub batch: usize,
    /// Training images.
    pub train: Subset,
    /// Test images.
    pub test: Subset,
    /// Evaluate every this many iterations.
    pub eval_every: u64,
    /// Where train accuracy is measured.
    pub train_accuracy: TrainAccuracy,
    /// Measure train accuracy on a fixed sample of this many training images (`None`: all).
    pub train_eval_samples: Option<usize>,
    /// L1 strength.
    pub l1: f64,
    /// L2 strength (`0.5·λ·ΣW²`).
    pub l2: f64,
    /// Quirk: the sigmoid's derivative taken at its output, as the hand-written
    /// vanishing-gradient network does (`quirks::SigmoidGradOnOutput`).
    pub sigmoid_grad_on_output: bool,
    /// The loss is computed against one-hot rows, as the notebooks' hand-written networks do
    /// (the same gradient; the reported loss is summed over every class, so its last bits
    /// differ from the class-index form).
    pub one_hot_targets: bool,
    /// Quirk: the output layer is never updated (the hand-written L1/L2 loops).
    pub frozen_output: bool,
    /// Quirk: BatchNorm's γ and β are never updated.
    pub frozen_bn_affine: bool,
    /// BatchNorm after each activation instead of before it (an MLP with BatchNorm).
    pub batchnorm_after_activation: bool,
    /// Every image's pixels shuffled by one fixed permutation (train and test alike).
    pub permute_pixels: bool,
    /// Learning-rate decay: multiply by this every 100 iterations (1 = constant).
    pub decay_per_100: f64,
    /// What the original printed.
    pub recorded: Option<Recorded>,
    /// How the reproduction is judged.
    pub expect: Expect,
    /// The run this one corrects or varies, for side-by-side tables.
    pub variant_of: Option<String>,
}

impl RunSpec {
    /// A run with the common defaults: SGD lr 0.01, batch 100, evaluation every 10.
    pub(crate) fn new(
        id: &str,
        group: Group,
        title: &str,
        model: ModelSpec,
        iterations: u64,
    ) -> Self {
        RunSpec {
            id: id.to_string(),
            group,
            title: title.to_string(),
            model,
            optimizer: OptSpec::Library(OptimizerConfig::Sgd { lr: 0.01 }),
            iterations,
            batch: 100,
            train: Subset::All,
            test: Subset::All,
            eval_every: 10,
            train_accuracy: TrainAccuracy::Split,
            train_eval_samples: None,
            l1: 0.0,
            l2: 0.0,
            sigmoid_grad_on_output: false,
            one_hot_targets: false,
            frozen_output: false,
            frozen_bn_affine: false,
            batchnorm_after_activation: false,
            permute_pixels: false,
            decay_per_100: 1.0,
            recorded: None,
            expect: Expect::Nothing,
            variant_of: None,
        }
    }

    pub(crate) fn opt(mut self, optimizer: OptSpec) -> Self {
        self.optimizer = optimizer;
        self
    }

    pub(crate) fn data(mut self, train: Subset, test: Subset) -> Self {
        self.train = train;
        self.test = test;
        self
    }

    pub(crate) fn recorded(mut self, train: f64, test: f64, fresh_test: Option<f64>) -> Self {
        self.recorded = Some(Recorded {
            train,
            test,
            fresh_test,
        });
        self
    }

    pub(crate) fn accept(mut self, lo: f64, hi: f64) -> Self {
        self.expect = Expect::Test { lo, hi };
        self
    }

    pub(crate) fn accept_tail(mut self, lo: f64, hi: f64) -> Self {
        self.expect = Expect::TailMedian { lo, hi };
        self
    }

    pub(crate) fn unstable(mut self) -> Self {
        self.expect = Expect::Unstable;
        self
    }

    pub(crate) fn variant_of(mut self, id: &str) -> Self {
        self.variant_of = Some(id.to_string());
        self.expect = Expect::Nothing;
        self
    }

    /// Whether `filter` (a run id or a group id, case-insensitive) selects this run. Group ids
    /// also match id prefixes: `OPT-C` selects OPT-C1 … OPT-C5. A filter that is some run's
    /// own id selects that run alone: see [`select`].
    pub fn matches(&self, filter: &str) -> bool {
        let f = filter.to_ascii_uppercase();
        self.group.id() == f
            || self.id.to_ascii_uppercase() == f
            || self
                .id
                .to_ascii_uppercase()
                .strip_prefix(&f)
                .is_some_and(|rest| {
                    rest.starts_with(|c: char| c.is_ascii_digit() || c == '\'' || c == '-')
                })
    }
}

/// The runs of `specs` that `filters` select (all of them without filters), in catalog order.
/// A filter that is a run's own id selects that run only (`VG-1` is not also `VG-1-BN`);
/// any other filter selects by group or id prefix ([`RunSpec::matches`]). Returns the first
/// filter that selects nothing as the error.
pub fn select(specs: Vec<RunSpec>, filters: &[String]) -> Result<Vec<RunSpec>, String> {
    if filters.is_empty() {
        return Ok(specs);
    }
    let exact = |f: &str| specs.iter().any(|s| s.id.eq_ignore_ascii_case(f));
    let picks = |s: &RunSpec, f: &str| {
        if exact(f) {
            s.id.eq_ignore_ascii_case(f)
        } else {
            s.matches(f)
        }
    };
    if let Some(bad) = filters.iter().find(|f| !specs.iter().any(|s| picks(s, f))) {
        return Err(bad.clone());
    }
    Ok(specs
        .iter()
        .filter(|s| filters.iter().any(|f| picks(s, f)))
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_id_selects_that_run_and_a_prefix_selects_its_family() {
        let ids = |filters: &[&str]| -> Vec<String> {
            let filters: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
            select(crate::catalog::full(), &filters)
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect()
        };
        assert_eq!(ids(&["vg-1"]), ["VG-1"]);
        assert_eq!(ids(&["VG-1-BN"]), ["VG-1-BN"]);
        assert_eq!(ids(&["OPT-C"]).len(), 6, "{:?}", ids(&["OPT-C"]));
        assert_eq!(ids(&["OPT-LR"]).len(), 45);
        assert!(ids(&["OF"]).iter().all(|id| id.starts_with("OF-")));
        let err = select(crate::catalog::full(), &["VG-99".to_string()]).unwrap_err();
        assert_eq!(err, "VG-99");
    }
}
