//! Each claim of the notes, decided from the numbers this suite measured.
//!
//! A claim is one item in the file of its section of the notes ([`vanishing`],
//! [`optimizers`], [`overfitting`], [`convolution`], [`alexnet`]): its statement, the outcome
//! expected, its figure, the runs that decide it (typed ids of the catalog, handed to the
//! decision by name as a fixed-size array, so the compiler checks the count) and the decision
//! itself, with the decision's test beside it. A decision returns a [`Decision`]: a
//! [`Finding`] and the words, written from the numbers it measured.

use crate::catalog::ids::RunId;
use crate::computed::Surface;
use crate::{ExperimentError, Result, RunResult};

pub mod alexnet;
pub mod beyond;
pub mod convolution;
mod decide;
#[cfg(test)]
mod fixtures;
mod measures;
pub mod optimizers;
pub mod overfitting;
pub mod vanishing;
mod words;

pub use crate::computed::Computed;
pub use decide::{Outcome, Verdict, all};

/// The section of the notes a claim comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Section {
    /// 1: the vanishing gradient, weight initialization, batch normalization.
    VanishingGradient,
    /// 2: learning-rate optimizers and schedules.
    Optimizers,
    /// 3: overfitting, regularization, dropout.
    Overfitting,
    /// 4: convolution.
    Convolution,
    /// 5: AlexNet.
    AlexNet,
}

impl Section {
    /// Every section, in the notes' order.
    pub const ALL: [Section; 5] = [
        Section::VanishingGradient,
        Section::Optimizers,
        Section::Overfitting,
        Section::Convolution,
        Section::AlexNet,
    ];

    /// The section's number in the notes and its title.
    pub fn title(self) -> &'static str {
        match self {
            Section::VanishingGradient => {
                "1. The vanishing gradient, initialization and batch normalization"
            }
            Section::Optimizers => "2. Learning-rate optimizers",
            Section::Overfitting => "3. Overfitting: penalties and dropout",
            Section::Convolution => "4. Convolution",
            Section::AlexNet => "5. AlexNet",
        }
    }

    /// The section's number in the notes.
    pub fn number(self) -> u8 {
        match self {
            Section::VanishingGradient => 1,
            Section::Optimizers => 2,
            Section::Overfitting => 3,
            Section::Convolution => 4,
            Section::AlexNet => 5,
        }
    }

    /// The anchor of its heading.
    pub fn anchor(self) -> String {
        format!("section-{}", self.number())
    }

    /// Its claims, in the order the report shows them.
    pub fn claims(self) -> &'static [&'static Claim] {
        match self {
            Section::VanishingGradient => vanishing::CLAIMS,
            Section::Optimizers => optimizers::CLAIMS,
            Section::Overfitting => overfitting::CLAIMS,
            Section::Convolution => convolution::CLAIMS,
            Section::AlexNet => alexnet::CLAIMS,
        }
    }
}

/// What a claim's figure draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// The test accuracy of the runs that decided it, on one chart (their seeds' median and
    /// band).
    Runs,
    /// The training (dashed) and test (solid) accuracy of the runs that decided it.
    TrainAndTest,
    /// The train/test gap (train accuracy − test accuracy) of the runs that decided it.
    Gap,
    /// The root-mean-square gradient per weight of each layer, for each run that decided it.
    Gradients,
    /// The norm of all weights over training, per run that decided it.
    WeightNorms,
    /// Each deciding run's weights over their layer's RMS, one histogram per run.
    WeightHistograms,
    /// The learning-rate sweep: accuracy by rate, one line per optimizer.
    Sweep,
    /// The optimizers' paths over the contour lines of a surface.
    Paths(Surface),
    /// The L1 and L2 constraint regions with the loss's contours and each optimum.
    Constraints,
    /// The sigmoid's derivative.
    SigmoidSlope,
    /// Activations through five layers for each initialization, with this activation
    /// (`sigmoid`, `tanh` or `relu`).
    InitHistograms(&'static str),
    /// The first convolution's filters before and after training (the first run it draws).
    Filters,
    /// No figure: the numbers say it, or a neighbouring claim's figure shows it.
    None,
}

/// A figure beside a claim that is not its deciding chart: runs it did not read, or the same
/// runs seen another way.
#[derive(Debug, Clone, Copy)]
pub struct Exhibit {
    /// What it draws.
    pub chart: Chart,
    /// The runs it draws (empty for a chart that needs none).
    pub runs: &'static [RunId],
    /// A short name for its file and alt text.
    pub name: &'static str,
    /// What to look at.
    pub caption: &'static str,
}

/// What a measurement says of a claim on one seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Finding {
    /// The numbers agree with the claim by more than the spread over seeds.
    Holds,
    /// The numbers contradict it by more than the spread over seeds.
    Fails,
    /// The difference that decides it is inside the spread over seeds: this seed cannot tell.
    WithinNoise,
}

impl Finding {
    /// The finding in words.
    pub fn word(self) -> &'static str {
        match self {
            Finding::Holds => "supported",
            Finding::Fails => "contradicted",
            Finding::WithinNoise => "within noise",
        }
    }
}

/// A finding and the numbers behind it, in words written from those numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// What the numbers say.
    pub finding: Finding,
    /// The numbers, in words.
    pub words: String,
}

impl Decision {
    /// Holds when `holds`, fails otherwise.
    pub fn holds_if(holds: bool, words: String) -> Self {
        let finding = if holds {
            Finding::Holds
        } else {
            Finding::Fails
        };
        Decision { finding, words }
    }

    /// Decided from a `difference` that is positive where the claim holds: beyond `margin`
    /// either way it holds or fails, inside it this seed cannot tell.
    pub fn by_margin(difference: f64, margin: f64, words: String) -> Self {
        let finding = if difference > margin {
            Finding::Holds
        } else if difference < -margin {
            Finding::Fails
        } else {
            Finding::WithinNoise
        };
        Decision { finding, words }
    }
}

/// A decision that reads `N` runs, named by the pattern of its argument.
#[derive(Debug)]
pub struct Reads<const N: usize> {
    /// The runs, in the order the decision takes them.
    pub ids: [RunId; N],
    /// The decision.
    pub decide: fn([&RunResult; N]) -> Decision,
}

/// A decision over runs of any count (what [`Reads`] is to the claims that hold it).
pub trait ReadsRuns: Sync + std::fmt::Debug {
    /// The runs it reads.
    fn ids(&self) -> &[RunId];
    /// Decides from `runs`, one per id in order (`None` when the count is wrong).
    fn decide(&self, runs: &[&RunResult]) -> Option<Decision>;
}

impl<const N: usize> ReadsRuns for Reads<N> {
    fn ids(&self) -> &[RunId] {
        &self.ids
    }

    fn decide(&self, runs: &[&RunResult]) -> Option<Decision> {
        let runs: [&RunResult; N] = runs.try_into().ok()?;
        Some((self.decide)(runs))
    }
}

/// What decides a claim.
#[derive(Debug, Clone, Copy)]
pub enum Evidence {
    /// Runs of the catalog, read by a decision; used when all of them ran.
    Runs(&'static dyn ReadsRuns),
    /// Computed without training (the same for every seed): from the library's layers,
    /// optimizers and geometry.
    Computed(fn(&Computed) -> Decision),
}

/// One claim of the notes.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    /// Short id (`relu-fixes-vanishing`), its anchor in the report.
    pub id: &'static str,
    /// The claim, as the notes make it (in our words).
    pub statement: &'static str,
    /// What we expect the measurements to say.
    pub expected: Outcome,
    /// Why, when we expect the notes to be contradicted (empty otherwise). Reasoning only:
    /// the numbers are in the decision's words.
    pub why: &'static str,
    /// Its deciding figure.
    pub chart: Chart,
    /// What to look at in the figure.
    pub caption: &'static str,
    /// More figures that show it.
    pub exhibits: &'static [Exhibit],
    /// Ways to decide it, best first: the first whose runs all ran decides (the whole
    /// suite's runs, then the shorter suite's).
    pub evidence: &'static [Evidence],
}

impl Claim {
    /// Its anchor in the report.
    pub fn anchor(&self) -> String {
        format!("claim-{}", self.id)
    }
}

/// Every claim, section by section in the notes' order.
pub fn every_claim() -> impl Iterator<Item = (Section, &'static Claim)> {
    Section::ALL
        .into_iter()
        .flat_map(|s| s.claims().iter().map(move |c| (s, *c)))
}

/// The claim with this id.
pub fn claim(id: &str) -> Option<&'static Claim> {
    every_claim().map(|(_, c)| c).find(|c| c.id == id)
}

/// Checks that every run a claim or exhibit reads is a run of `known` (the catalog's ids): a
/// misspelled id would otherwise leave its claim silently undecided.
pub fn check_claims(known: &[&str]) -> Result<()> {
    let missing = |ids: &[RunId]| ids.iter().find(|id| !known.contains(&id.as_str())).copied();
    for (_, claim) in every_claim() {
        let read = claim.evidence.iter().filter_map(|e| match e {
            Evidence::Runs(r) => missing(r.ids()),
            Evidence::Computed(_) => None,
        });
        let shown = claim.exhibits.iter().filter_map(|x| missing(x.runs));
        if let Some(bad) = read.chain(shown).next() {
            return Err(ExperimentError::Setup(format!(
                "claim {} reads run {bad}, which the catalog does not have",
                claim.id
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_claim_reads_runs_of_the_catalog() {
        let specs = crate::catalog::full();
        let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
        check_claims(&ids).unwrap();
        let err = check_claims(&ids[1..]).unwrap_err().to_string();
        assert!(err.contains("the catalog does not have"), "{err}");
    }

    #[test]
    fn every_claim_expected_contradicted_says_why() {
        for (_, claim) in every_claim() {
            assert_eq!(
                claim.expected == Outcome::Contradicted,
                !claim.why.is_empty(),
                "{}",
                claim.id
            );
        }
    }

    #[test]
    fn every_figure_has_a_caption_and_runs_to_draw() {
        let needs_runs = |chart: Chart| {
            matches!(
                chart,
                Chart::Runs
                    | Chart::TrainAndTest
                    | Chart::Gap
                    | Chart::Gradients
                    | Chart::WeightNorms
                    | Chart::WeightHistograms
                    | Chart::Sweep
            )
        };
        for (_, claim) in every_claim() {
            assert_eq!(
                claim.chart == Chart::None,
                claim.caption.is_empty(),
                "{}",
                claim.id
            );
            let reads_runs = claim
                .evidence
                .iter()
                .any(|e| matches!(e, Evidence::Runs(..)));
            assert!(!needs_runs(claim.chart) || reads_runs, "{}", claim.id);
            for x in claim.exhibits {
                assert!(
                    !x.caption.is_empty() && x.chart != Chart::None,
                    "{}",
                    x.name
                );
                assert!(!needs_runs(x.chart) || !x.runs.is_empty(), "{}", x.name);
            }
        }
    }

    #[test]
    fn claim_ids_are_unique() {
        let mut ids: Vec<&str> = every_claim().map(|(_, c)| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), every_claim().count());
    }

    #[test]
    fn a_margin_leaves_small_differences_undecided() {
        let f = |d| Decision::by_margin(d, 0.01, String::new()).finding;
        assert_eq!(f(0.02), Finding::Holds);
        assert_eq!(f(-0.02), Finding::Fails);
        assert_eq!(f(0.005), Finding::WithinNoise);
        assert_eq!(f(-0.005), Finding::WithinNoise);
    }
}
