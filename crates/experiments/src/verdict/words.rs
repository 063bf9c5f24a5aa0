//! Numbers into the words of a verdict.

/// A fraction as a percentage with one decimal: `0.913` → `91.3%`.
pub(super) fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// A gap's change in words: "4.1 points narrower" or "0.3 points wider".
pub(super) fn narrower_words(narrower: f64) -> String {
    if narrower >= 0.0 {
        format!("{:.1} points narrower", 100.0 * narrower)
    } else {
        format!("{:.1} points wider", -100.0 * narrower)
    }
}

/// The iteration a run first passed a level, or "never".
pub(super) fn when(at: Option<u64>) -> String {
    at.map_or("never".into(), |i| i.to_string())
}

/// Items joined as a list: "a", "a and b", "a, b and c".
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => "none".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_sentences() {
        let s = |v: &[&str]| and_list(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "none");
        assert_eq!(s(&["SGD"]), "SGD");
        assert_eq!(s(&["SGD", "Adam"]), "SGD and Adam");
        assert_eq!(s(&["SGD", "Momentum", "Adam"]), "SGD, Momentum and Adam");
        assert_eq!(narrower_words(-0.0123), "1.2 points wider");
    }
}
