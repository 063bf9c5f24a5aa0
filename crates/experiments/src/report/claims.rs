//! Each claim in its section of the report: the statement, the verdict with its count over
//! the seeds and its numbers, then its figures with what to look at in each. Everything comes
//! from the verdict: the claim it carries and the runs that decided it.

use std::fmt::Write as _;

use super::charts::{Context, draw};
use super::words::word;
use super::*;
use crate::verdict::{Outcome, Section, Verdict};

/// The note under a verdict that no seed could decide.
const WITHIN_NOISE: &str = "The difference that decides this claim is smaller than how far one run scatters from seed to seed, so one seed cannot tell; `--seeds N` decides it on the count over the seeds.";

/// `text` with its first letter capitalized.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The claims of `section`, each with its verdict, numbers and figures.
pub(super) fn claims_of(
    md: &mut String,
    figures: &mut Vec<Figure>,
    section: Section,
    verdicts: &[Verdict],
    cx: &Context<'_>,
) -> Result<()> {
    for v in verdicts.iter().filter(|v| v.section == section) {
        let claim = v.claim;
        let _ = writeln!(
            md,
            "<a id=\"{}\"></a>\n\n#### {}\n",
            claim.anchor(),
            claim.statement
        );
        let _ = writeln!(
            md,
            "**Verdict: {}** (expected: {}). {}.\n",
            v.tally(),
            word(claim.expected),
            sentence(&v.evidence)
        );
        if !claim.why.is_empty() {
            let _ = writeln!(md, "Why the notes do not hold here: {}.\n", claim.why);
        }
        if v.outcome == Outcome::WithinNoise {
            let _ = writeln!(md, "{WITHIN_NOISE}\n");
        }
        // Each seed's numbers where the seeds did not all say the same.
        let split = v.per_seed.iter().any(|(_, f, _)| *f != v.per_seed[0].1);
        if v.per_seed.len() > 1 && split {
            for (seed, finding, words) in &v.per_seed {
                let _ = writeln!(md, "- seed {seed}: {}: {words}", finding.word());
            }
            md.push('\n');
        }
        if v.outcome == Outcome::Undecided {
            continue;
        }
        let drawn = draw(claim.chart, &claim.anchor(), &v.runs, cx)?;
        for f in drawn {
            place_figure(md, figures, claim.id, Some(claim.caption), "claim", f);
        }
        for x in claim.exhibits {
            for f in draw(
                x.chart,
                &format!("{}-{}", claim.anchor(), x.name),
                x.runs,
                cx,
            )? {
                place_figure(md, figures, x.name, Some(x.caption), "claim", f);
            }
        }
    }
    Ok(())
}
