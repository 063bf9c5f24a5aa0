//! Words and labels the report's parts share.

use crate::verdict::Outcome;

/// A fraction as a percentage with two decimals.
pub(super) fn pct(v: f64) -> String {
    format!("{:.2}%", 100.0 * v)
}

/// A verdict's outcome in words, in bold where it disagrees with the notes or cannot tell.
pub(super) fn word(o: Outcome) -> String {
    match o {
        Outcome::Supported | Outcome::Undecided => o.word().into(),
        _ => format!("**{}**", o.word()),
    }
}

/// Splits a run title at its top-level commas: "SGD, lr 0.01, N(0, 0.01²)" gives three parts.
fn parts(title: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, ch) in title.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            // ", " only: "5,000/1,000 images" is one part.
            ',' if depth == 0 && title[i + 1..].starts_with(' ') => {
                out.push(title[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(title[start..].trim());
    out
}

/// What the runs of one chart share, and what tells each apart: `(shared, [label per run])`,
/// from their titles. A run whose title shares everything keeps its whole title.
pub(super) fn what_differs(titles: &[&str]) -> (String, Vec<String>) {
    let split: Vec<Vec<&str>> = titles.iter().map(|t| parts(t)).collect();
    let shared: Vec<&str> = match split.first() {
        Some(first) if titles.len() > 1 => first
            .iter()
            .copied()
            .filter(|p| split.iter().all(|s| s.contains(p)))
            .collect(),
        _ => Vec::new(),
    };
    let labels = split
        .iter()
        .zip(titles)
        .map(|(s, title)| {
            let own: Vec<&str> = s.iter().copied().filter(|p| !shared.contains(p)).collect();
            if own.is_empty() {
                title.to_string()
            } else {
                own.join(", ")
            }
        })
        .collect();
    (shared.join(", "), labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legends_name_what_differs() {
        let (shared, labels) = what_differs(&["sigmoid, N(0, 0.01²)", "ReLU, N(0, 0.01²)"]);
        assert_eq!(shared, "N(0, 0.01²)");
        assert_eq!(labels, ["sigmoid", "ReLU"]);
        let (shared, labels) = what_differs(&["SGD, lr 0.01", "SGD + BatchNorm (γ, β frozen)"]);
        assert_eq!(shared, "");
        assert_eq!(labels, ["SGD, lr 0.01", "SGD + BatchNorm (γ, β frozen)"]);
        let (_, labels) = what_differs(&["a, b", "a, b, c"]);
        assert_eq!(labels, ["a, b", "c"]);
        let (_, labels) = what_differs(&["CNN, 5,000/1,000 images", "DeepConvNet"]);
        assert_eq!(labels, ["CNN, 5,000/1,000 images", "DeepConvNet"]);
    }
}
