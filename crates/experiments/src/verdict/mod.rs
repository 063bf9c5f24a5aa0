//! Each claim of the notes, decided from the numbers this suite measured. The claims are
//! data ([`claims::CLAIMS`]): a statement, its section of the notes, the expected outcome,
//! and the runs that decide it with the function that reads them.

use serde::Serialize;

use crate::suite::SuiteResult;
use crate::{ExperimentError, Result, RunResult};

pub mod claims;

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

/// A verdict and the numbers behind it.
pub type Decision = (bool, String);

/// The runs a piece of evidence asked for, in its order.
pub type Runs<'a> = &'a [&'a RunResult];

/// What decides a claim.
#[derive(Debug, Clone, Copy)]
pub enum Evidence {
    /// These runs (ids of the catalog), read by the function; used when all of them ran.
    Runs(&'static [&'static str], fn(Runs<'_>) -> Decision),
    /// The im2col/col2im demonstration: whether the matrix had the textbook shape, and
    /// whether the round trip returned the input.
    Im2col(fn(bool, bool) -> Decision),
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
    /// What we expect the measurements to say (the original data contradicts one claim).
    pub expected: Outcome,
    /// Ways to decide it, best first: the first whose runs all ran decides (the full
    /// suite's, then a quick run's).
    pub evidence: &'static [Evidence],
}

/// Checks that every run a claim reads is a run of `known` (the catalog's ids): a misspelled
/// id would otherwise leave its claim silently undecided.
pub fn check_claims(known: &[&str]) -> Result<()> {
    for claim in claims::CLAIMS {
        for evidence in claim.evidence {
            if let Evidence::Runs(ids, _) = evidence {
                if let Some(bad) = ids.iter().find(|id| !known.contains(id)) {
                    return Err(ExperimentError::Setup(format!(
                        "claim {} reads run {bad}, which the catalog does not have",
                        claim.id
                    )));
                }
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
    /// What we expect them to say (the original data contradicts one claim of the notes).
    pub expected: Outcome,
    /// The numbers behind the verdict.
    pub evidence: String,
}

impl Verdict {
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

/// Every claim, decided where its runs are present. `im2col` is the outcome of the
/// im2col/col2im demonstrations (shape of the matrix, and whether the round trip returned
/// the input), which need no training.
pub fn all(suite: &SuiteResult, im2col: Option<(bool, bool)>) -> Vec<Verdict> {
    claims::CLAIMS
        .iter()
        .map(|claim| {
            let decided = claim.evidence.iter().find_map(|e| match *e {
                Evidence::Runs(ids, decide) => {
                    let runs: Option<Vec<&RunResult>> =
                        ids.iter().map(|id| suite.get(id)).collect();
                    runs.map(|runs| decide(&runs))
                }
                Evidence::Im2col(decide) => im2col.map(|(shape, back)| decide(shape, back)),
            });
            let (outcome, evidence) = match decided {
                Some((ok, ev)) => (decide(ok), ev),
                None => (Outcome::Undecided, "not run in this suite".to_string()),
            };
            Verdict {
                id: claim.id,
                section: claim.section,
                claim: claim.statement,
                outcome,
                expected: claim.expected,
                evidence,
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
    fn claim_ids_are_unique() {
        let mut ids: Vec<&str> = claims::CLAIMS.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), claims::CLAIMS.len());
    }
}
