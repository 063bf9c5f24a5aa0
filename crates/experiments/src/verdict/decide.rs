//! Deciding every claim with each seed's runs, and the verdict that counts the seeds.

use serde::Serialize;
use serde::ser::SerializeStruct;

use super::{Claim, Computed, Decision, Evidence, Finding, Section, every_claim};
use crate::RunResult;
use crate::catalog::ids::RunId;
use crate::suite::SuiteResult;

/// What the measurements say of a claim, over every seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The numbers agree with the claim (on every seed that could tell).
    Supported,
    /// The numbers contradict it (on every seed that could tell).
    Contradicted,
    /// The seeds disagree: supported with some, contradicted with others.
    Mixed,
    /// No seed could tell: every deciding difference was inside the spread over seeds.
    WithinNoise,
    /// The runs that decide it did not run (a shorter suite, `--only`).
    Undecided,
}

impl Outcome {
    /// The outcome in words.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Supported => "supported",
            Outcome::Contradicted => "contradicted",
            Outcome::Mixed => "mixed",
            Outcome::WithinNoise => "within noise",
            Outcome::Undecided => "not decided",
        }
    }
}

/// One claim and its verdict.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The claim.
    pub claim: &'static Claim,
    /// Its section of the notes.
    pub section: Section,
    /// What the measurements say, over every seed.
    pub outcome: Outcome,
    /// The numbers behind it on the first seed.
    pub evidence: String,
    /// The finding with each seed, `(seed, finding, words)`.
    pub per_seed: Vec<(u64, Finding, String)>,
    /// The runs that decided it (none for a claim decided without training).
    pub runs: Vec<RunId>,
}

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = s.serialize_struct("Verdict", 8)?;
        v.serialize_field("id", self.claim.id)?;
        v.serialize_field("section", &self.section)?;
        v.serialize_field("claim", self.claim.statement)?;
        v.serialize_field("outcome", &self.outcome)?;
        v.serialize_field("expected", &self.claim.expected)?;
        v.serialize_field("evidence", &self.evidence)?;
        v.serialize_field("per_seed", &self.per_seed)?;
        v.serialize_field("runs", &self.runs)?;
        v.end()
    }
}

impl Verdict {
    fn count(&self, finding: Finding) -> usize {
        self.per_seed
            .iter()
            .filter(|(_, f, _)| *f == finding)
            .count()
    }

    /// The verdict in words with its count over the seeds: "supported (5 of 5 seeds)",
    /// "supported (4 of 5 seeds, 1 within noise)", "mixed: supported with 3, contradicted with
    /// 2 of 5 seeds"; a claim decided without training has no count.
    pub fn tally(&self) -> String {
        let n = self.per_seed.len();
        let (holds, fails, noise) = (
            self.count(Finding::Holds),
            self.count(Finding::Fails),
            self.count(Finding::WithinNoise),
        );
        let noisy = if noise > 0 {
            format!(", {noise} within noise")
        } else {
            String::new()
        };
        match self.outcome {
            Outcome::Undecided => "not decided".into(),
            Outcome::Mixed => {
                format!(
                    "mixed: supported with {holds}, contradicted with {fails} of {n} seeds{noisy}"
                )
            }
            Outcome::WithinNoise if n <= 1 => "within noise on this seed".into(),
            Outcome::WithinNoise => format!("within noise ({n} of {n} seeds)"),
            Outcome::Supported | Outcome::Contradicted if self.runs.is_empty() => {
                format!("{} (computed)", self.outcome.word())
            }
            Outcome::Supported | Outcome::Contradicted if n <= 1 => self.outcome.word().into(),
            Outcome::Supported => format!("supported ({holds} of {n} seeds{noisy})"),
            Outcome::Contradicted => format!("contradicted ({fails} of {n} seeds{noisy})"),
        }
    }

    /// Whether a decided verdict differs from the expected one. A claim no seed could tell is
    /// not a failure of the notes nor of nabla; it says so in the report instead.
    pub fn is_unexpected(&self) -> bool {
        !matches!(self.outcome, Outcome::Undecided | Outcome::WithinNoise)
            && self.outcome != self.claim.expected
    }
}

/// The first piece of evidence of `claim` that can decide it with one seed's runs, and the
/// runs it read.
fn decide_once<'r>(
    claim: &Claim,
    runs: &dyn Fn(RunId) -> Option<&'r RunResult>,
    computed: Option<&Computed>,
) -> Option<(Decision, Vec<RunId>)> {
    claim.evidence.iter().find_map(|e| match *e {
        Evidence::Runs(reads) => {
            let found: Option<Vec<&RunResult>> = reads.ids().iter().map(|id| runs(*id)).collect();
            let decision = reads.decide(&found?)?;
            Some((decision, reads.ids().to_vec()))
        }
        Evidence::Computed(decide) => computed.map(|c| (decide(c), Vec::new())),
    })
}

/// The outcome over the seeds' findings.
fn outcome(findings: impl Iterator<Item = Finding> + Clone) -> Outcome {
    let any = |f: Finding| findings.clone().any(|g| g == f);
    match (
        any(Finding::Holds),
        any(Finding::Fails),
        any(Finding::WithinNoise),
    ) {
        (true, true, _) => Outcome::Mixed,
        (true, false, _) => Outcome::Supported,
        (false, true, _) => Outcome::Contradicted,
        (false, false, true) => Outcome::WithinNoise,
        (false, false, false) => Outcome::Undecided,
    }
}

/// Every claim, decided with each seed where its runs are present; `computed` holds what
/// needs no training.
pub fn all(suite: &SuiteResult, computed: Option<&Computed>) -> Vec<Verdict> {
    let seeds = suite.per_seed();
    every_claim()
        .map(|(section, claim)| {
            let mut per_seed = Vec::new();
            let mut read = Vec::new();
            for (seed, results) in &seeds {
                let lookup = |id: RunId| -> Option<&RunResult> {
                    suite
                        .runs
                        .iter()
                        .position(|(s, _)| s.id == id.as_str())
                        .and_then(|k| results.get(k).copied())
                };
                let Some((decision, runs)) = decide_once(claim, &lookup, computed) else {
                    break;
                };
                let from_runs = !runs.is_empty();
                if read.is_empty() {
                    read = runs;
                }
                per_seed.push((*seed, decision.finding, decision.words));
                // Decided without training: the same for every seed, so decided once.
                if !from_runs {
                    break;
                }
            }
            Verdict {
                claim,
                section,
                outcome: outcome(per_seed.iter().map(|(_, f, _)| *f)),
                evidence: per_seed
                    .first()
                    .map_or_else(|| "not run in this suite".into(), |(_, _, w)| w.clone()),
                per_seed,
                runs: read,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_counts_only_seeds_that_could_tell() {
        use Finding::*;
        let o = |v: &[Finding]| outcome(v.iter().copied());
        assert_eq!(o(&[Holds, Holds]), Outcome::Supported);
        assert_eq!(o(&[Holds, WithinNoise]), Outcome::Supported);
        assert_eq!(o(&[Fails, WithinNoise]), Outcome::Contradicted);
        assert_eq!(o(&[Holds, Fails]), Outcome::Mixed);
        assert_eq!(o(&[WithinNoise]), Outcome::WithinNoise);
        assert_eq!(o(&[]), Outcome::Undecided);
    }

    #[test]
    fn the_tally_says_each_count() {
        let claim = super::super::claim("dropout-suppresses-overfitting").unwrap();
        let verdict = |per_seed: Vec<(u64, Finding, String)>| Verdict {
            claim,
            section: Section::Overfitting,
            outcome: outcome(per_seed.iter().map(|(_, f, _)| *f)),
            evidence: String::new(),
            per_seed,
            runs: vec![crate::catalog::ids::OF_0],
        };
        let seeds = |v: &[Finding]| {
            v.iter()
                .enumerate()
                .map(|(k, f)| (k as u64, *f, String::new()))
                .collect()
        };
        use Finding::*;
        assert_eq!(
            verdict(seeds(&[Holds, Holds, WithinNoise])).tally(),
            "supported (2 of 3 seeds, 1 within noise)"
        );
        assert_eq!(verdict(seeds(&[Holds])).tally(), "supported");
        assert_eq!(
            verdict(seeds(&[WithinNoise])).tally(),
            "within noise on this seed"
        );
        assert_eq!(
            verdict(seeds(&[Holds, Fails, Holds])).tally(),
            "mixed: supported with 2, contradicted with 1 of 3 seeds"
        );
        assert!(!verdict(seeds(&[WithinNoise])).is_unexpected());
        assert!(verdict(seeds(&[Fails])).is_unexpected());
    }
}
