//! Seeded mini-batch sampling.
//!
//! ```
//! use nabla_datasets::batches::{Epoch, sample_with_replacement};
//! use rand::SeedableRng;
//! let mut rng = rand::rngs::StdRng::seed_from_u64(0);
//! // The classic notebooks: each iteration draws `batch` indices independently.
//! let batch = sample_with_replacement(60_000, 100, &mut rng);
//! assert_eq!(batch.len(), 100);
//! // Epochs: a shuffled permutation cut into batches; every index exactly once.
//! let mut seen: Vec<usize> = Epoch::shuffled(10, 4, &mut rng).flatten().collect();
//! seen.sort();
//! assert_eq!(seen, (0..10).collect::<Vec<_>>());
//! ```

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};

/// `batch` indices drawn uniformly from `0..n` with replacement (NumPy's
/// `random.choice(n, batch)`).
///
/// # Panics
/// If `n` is zero and `batch` is not.
#[track_caller]
pub fn sample_with_replacement<R: Rng + ?Sized>(n: usize, batch: usize, rng: &mut R) -> Vec<usize> {
    assert!(n > 0 || batch == 0, "cannot sample from an empty set");
    (0..batch).map(|_| rng.random_range(0..n)).collect()
}

/// One epoch: a random permutation of `0..n` yielded in batches; the last batch may be short.
#[derive(Debug, Clone)]
pub struct Epoch {
    order: Vec<usize>,
    batch: usize,
    next: usize,
}

impl Epoch {
    /// A shuffled epoch over `0..n` in batches of `batch` (at least 1).
    pub fn shuffled<R: Rng + ?Sized>(n: usize, batch: usize, rng: &mut R) -> Self {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(rng);
        Epoch {
            order,
            batch: batch.max(1),
            next: 0,
        }
    }

    /// Batch `k` of the epoch (`None` past the end), without consuming the iterator: how a
    /// trainer resumed mid-epoch finds its place.
    ///
    /// ```
    /// use nabla_datasets::batches::Epoch;
    /// use rand::SeedableRng;
    /// let epoch = Epoch::shuffled(10, 4, &mut rand::rngs::StdRng::seed_from_u64(3));
    /// assert_eq!(epoch.batch(2).map(<[usize]>::len), Some(2));
    /// assert_eq!(epoch.batch(1), epoch.clone().nth(1).as_deref());
    /// assert!(epoch.batch(3).is_none());
    /// ```
    pub fn batch(&self, k: usize) -> Option<&[usize]> {
        let start = k.checked_mul(self.batch)?;
        (start < self.order.len())
            .then(|| &self.order[start..(start + self.batch).min(self.order.len())])
    }

    /// The number of batches.
    pub fn len(&self) -> usize {
        self.order.len().div_ceil(self.batch)
    }

    /// Whether the epoch has no batches.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

impl Iterator for Epoch {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        if self.next >= self.order.len() {
            return None;
        }
        let end = (self.next + self.batch).min(self.order.len());
        let out = self.order[self.next..end].to_vec();
        self.next = end;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn same_seed_same_batches() {
        let a = sample_with_replacement(1000, 50, &mut StdRng::seed_from_u64(1));
        let b = sample_with_replacement(1000, 50, &mut StdRng::seed_from_u64(1));
        assert_eq!(a, b);
        assert!(a.iter().all(|&i| i < 1000));
        let e1: Vec<_> = Epoch::shuffled(100, 30, &mut StdRng::seed_from_u64(2)).collect();
        let e2: Vec<_> = Epoch::shuffled(100, 30, &mut StdRng::seed_from_u64(2)).collect();
        assert_eq!(e1, e2);
        assert_eq!(
            e1.iter().map(Vec::len).collect::<Vec<_>>(),
            [30, 30, 30, 10]
        );
    }

    #[test]
    fn with_replacement_repeats_and_covers_uniformly() {
        let draws = sample_with_replacement(10, 100_000, &mut StdRng::seed_from_u64(3));
        let mut counts = [0usize; 10];
        draws.iter().for_each(|&i| counts[i] += 1);
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
    }
}
