//! `--seeds`: a count of seeds from `--seed` on, or a list.

/// What `--seeds` asked for.
#[derive(Debug, Clone)]
pub(super) enum SeedChoice {
    Count(u64),
    List(Vec<u64>),
}

pub(super) fn parse_seeds(text: &str) -> std::result::Result<SeedChoice, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{t}` is not a seed (a whole number)"))
    };
    if text.contains(',') {
        let seeds = text
            .split(',')
            .map(number)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != seeds.len() {
            return Err("a seed appears twice in the list".into());
        }
        Ok(SeedChoice::List(seeds))
    } else {
        match number(text)? {
            0 => Err("the count of seeds must be at least 1".into()),
            n if n > 1000 => Err(format!(
                "{n} seeds is more than this suite should train (at most 1000)"
            )),
            n => Ok(SeedChoice::Count(n)),
        }
    }
}

/// The seeds `--seeds` asked for, counting from `seed`.
pub(super) fn seed_list(seed: u64, seeds: Option<&SeedChoice>) -> Vec<u64> {
    match seeds {
        None => vec![seed],
        Some(SeedChoice::Count(n)) => (0..*n).map(|k| seed.wrapping_add(k)).collect(),
        Some(SeedChoice::List(list)) => list.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_a_count_from_the_seed_or_a_list() {
        let list = |seed: u64, text: &str| seed_list(seed, Some(&parse_seeds(text).unwrap()));
        assert_eq!(list(7, "3"), [7, 8, 9]);
        assert_eq!(list(7, "100,5,42"), [100, 5, 42]);
        assert_eq!(seed_list(4, None), [4]);
        for bad in ["0", "1,1", "x", "2,,3", "5000"] {
            assert!(parse_seeds(bad).is_err(), "{bad}");
        }
    }
}
