//! Each claim of the notes, decided from the numbers this suite measured. The claims are
//! data ([`claims::CLAIMS`]): a statement, its section of the notes, the expected outcome,
//! and the runs that decide it with the function that reads them.

use serde::Serialize;

use crate::suite::SuiteResult;
use crate::{ExperimentError, Result, RunResult};

pub mod body;
pub mod claims;

pub use crate::computed::Computed;

/// The section of the notes a claim comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

    /// The anchor of its heading.
    pub fn anchor(self) -> &'static str {
        match self {
            Section::VanishingGradient => "section-1",
            Section::Optimizers => "section-2",
            Section::Overfitting => "section-3",
            Section::Convolution => "section-4",
            Section::AlexNet => "section-5",
        }
    }
}

/// What a claim's figure draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Chart {
    /// The test accuracy of the runs it reads, on one chart (their seeds' median and band).
    Runs,
    /// The norm of all weights over training, per run it reads.
    WeightNorms,
    /// Each run's weights over their layer's RMS, one histogram per run it reads.
    WeightHistograms,
    /// The learning-rate sweep: accuracy by rate, one line per optimizer.
    Sweep,
    /// The optimizers' paths over the contour lines of a surface.
    Paths(crate::computed::Surface),
    /// The L1 and L2 constraint regions with the loss's contours and each optimum.
    Constraints,
    /// The sigmoid's derivative.
    SigmoidSlope,
    /// No figure: the numbers say it, or another claim's figure shows it.
    None,
}

/// A verdict and the numbers behind it.
pub type Decision = (bool, String);

/// The runs a piece of evidence asked for, in its order.
pub type Runs<'a> = &'a [&'a RunResult];

/// What decides a claim.
#[derive(Debug, Clone, Copy)]
pub enum Evidence {
    /// These runs (ids of the catalog), read by the function; used when all of them ran.
    Runs(&'static [&'static str], fn(Runs<'_>) -> Decision),
    /// Computed without training (the same for every seed): from the library's layers,
    /// optimizers and geometry.
    Computed(fn(&Computed) -> Decision),
}

/// One claim of the notes.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    /// Short id (`relu-fixes-vanishing`).
    pub id: &'static str,
    /// Where the notes make it.
    pub section: Section,
    /// The claim, as the notes make it.
    pub statement: &'static str,
    /// What we expect the measurements to say.
    pub expected: Outcome,
    /// Why, when we expect the notes to be contradicted (empty otherwise).
    pub why: &'static str,
    /// Its figure.
    pub chart: Chart,
    /// What to look at in the figure.
    pub caption: &'static str,
    /// Ways to decide it, best first: the first whose runs all ran decides (the full
    /// suite's, then a quick run's).
    pub evidence: &'static [Evidence],
}

/// Every claim: the closing summary's, then the body's.
pub fn every_claim() -> impl Iterator<Item = &'static Claim> {
    claims::CLAIMS.iter().chain(body::CLAIMS)
}

/// Checks that every run a claim reads is a run of `known` (the catalog's ids): a misspelled
/// id would otherwise leave its claim silently undecided.
pub fn check_claims(known: &[&str]) -> Result<()> {
    for claim in every_claim() {
        for evidence in claim.evidence {
            if let Evidence::Runs(ids, _) = evidence
                && let Some(bad) = ids.iter().find(|id| !known.contains(id))
            {
                return Err(ExperimentError::Setup(format!(
                    "claim {} reads run {bad}, which the catalog does not have",
                    claim.id
                )));
            }
        }
    }
    Ok(())
}

/// What the measurements say of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The numbers agree with the claim.
    Supported,
    /// The numbers contradict it.
    Contradicted,
    /// The seeds disagree: supported with some, contradicted with others.
    Mixed,
    /// The runs that decide it did not run (quick mode, `--only`).
    Undecided,
}

/// One claim and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Short id (`relu-fixes-vanishing`).
    pub id: &'static str,
    /// Where the notes make the claim.
    pub section: Section,
    /// The claim, as the notes make it.
    pub claim: &'static str,
    /// What the measurements say.
    pub outcome: Outcome,
    /// What we expect them to say.
    pub expected: Outcome,
    /// Why, when we expect the notes to be contradicted.
    pub why: &'static str,
    /// Its figure.
    pub chart: Chart,
    /// What to look at in the figure.
    pub caption: &'static str,
    /// The numbers behind the verdict (the primary seed's).
    pub evidence: String,
    /// The verdict with each seed, `(seed, outcome, evidence)`.
    pub per_seed: Vec<(u64, Outcome, String)>,
}

impl Verdict {
    /// The verdict in words with its count over the seeds: "supported (5 of 5 seeds)",
    /// "mixed: supported with 3 of 5 seeds"; a claim decided without training has no count.
    pub fn tally(&self) -> String {
        let n = self.per_seed.len();
        let supported = self
            .per_seed
            .iter()
            .filter(|(_, o, _)| *o == Outcome::Supported)
            .count();
        let word = match self.outcome {
            Outcome::Supported => "supported",
            Outcome::Contradicted => "contradicted",
            Outcome::Mixed => return format!("mixed: supported with {supported} of {n} seeds"),
            Outcome::Undecided => return "not decided".into(),
        };
        if n <= 1 {
            word.into()
        } else {
            format!("{word} ({n} of {n} seeds)")
        }
    }

    /// Whether a decided verdict differs from the expected one.
    pub fn is_unexpected(&self) -> bool {
        self.outcome != Outcome::Undecided && self.outcome != self.expected
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

fn decide(ok: bool) -> Outcome {
    if ok {
        Outcome::Supported
    } else {
        Outcome::Contradicted
    }
}

/// The first piece of evidence of `claim` that can decide it with one seed's runs.
fn decide_once<'r>(
    claim: &Claim,
    runs: &dyn Fn(&str) -> Option<&'r RunResult>,
    computed: Option<&Computed>,
) -> Option<Decision> {
    claim.evidence.iter().find_map(|e| match *e {
        Evidence::Runs(ids, decide) => {
            let runs: Option<Vec<&RunResult>> = ids.iter().map(|id| runs(id)).collect();
            runs.map(|runs| decide(&runs))
        }
        Evidence::Computed(decide) => computed.map(decide),
    })
}

/// Every claim, decided with each seed where its runs are present; `computed` holds what
/// needs no training.
pub fn all(suite: &SuiteResult, computed: Option<&Computed>) -> Vec<Verdict> {
    let seeds = suite.per_seed();
    every_claim()
        .map(|claim| {
            let mut per_seed = Vec::new();
            let mut evidence = None;
            for (seed, results) in &seeds {
                let lookup = |id: &str| -> Option<&RunResult> {
                    suite
                        .runs
                        .iter()
                        .position(|(s, _)| s.id == id)
                        .and_then(|k| results.get(k).copied())
                };
                if let Some((ok, words)) = decide_once(claim, &lookup, computed) {
                    evidence.get_or_insert(words.clone());
                    per_seed.push((*seed, decide(ok), words));
                }
                // Decided without training: the same for every seed, so decided once.
                let runs_decide = claim.evidence.iter().any(|e| match e {
                    Evidence::Runs(ids, _) => ids.iter().all(|id| lookup(id).is_some()),
                    Evidence::Computed(_) => false,
                });
                if !runs_decide {
                    break;
                }
            }
            let outcome = match per_seed.first() {
                None => Outcome::Undecided,
                Some((_, first, _)) if per_seed.iter().all(|(_, o, _)| o == first) => *first,
                Some(_) => Outcome::Mixed,
            };
            Verdict {
                id: claim.id,
                section: claim.section,
                claim: claim.statement,
                outcome,
                expected: claim.expected,
                why: claim.why,
                chart: claim.chart,
                caption: claim.caption,
                evidence: evidence.unwrap_or_else(|| "not run in this suite".to_string()),
                per_seed,
            }
        })
        .collect()
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
        for claim in every_claim() {
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
        for claim in every_claim() {
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
            let needs_runs = matches!(
                claim.chart,
                Chart::Runs | Chart::WeightNorms | Chart::WeightHistograms | Chart::Sweep
            );
            assert!(!needs_runs || reads_runs, "{}", claim.id);
        }
    }

    #[test]
    fn claim_ids_are_unique() {
        let mut ids: Vec<&str> = every_claim().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), every_claim().count());
    }
}
