//! Seeded mini-batch sampling: [`Sampler`] for a training run, and the two ways it draws.
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

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngExt, SeedableRng};

/// `batch` indices drawn uniformly from `0..n` with replacement (NumPy's
/// `random.choice(n, batch)`).
///
/// # Panics
/// If `n` is zero and `batch` is not.
#[track_caller]
pub fn sample_with_replacement<R: Rng + ?Sized>(n: usize, batch: usize, rng: &mut R) -> Vec<usize> {
    let mut out = Vec::with_capacity(batch);
    sample_with_replacement_into(n, batch, rng, &mut out);
    out
}

/// [`sample_with_replacement`] into `out` (cleared first), reusing its allocation.
pub fn sample_with_replacement_into<R: Rng + ?Sized>(
    n: usize,
    batch: usize,
    rng: &mut R,
    out: &mut Vec<usize>,
) {
    assert!(n > 0 || batch == 0, "cannot sample from an empty set");
    out.clear();
    out.extend((0..batch).map(|_| rng.random_range(0..n)));
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

/// How a training run draws its mini-batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Shuffled passes over the data: every sample once per epoch; an epoch's last batch may
    /// be short.
    Epochs,
    /// Each batch drawn independently with replacement, as the classic notebooks do.
    WithReplacement,
}

/// The mini-batches of a training run as a function of the seed and the step number alone,
/// so that a run resumed at step `t` draws the batch an uninterrupted one would have.
///
/// ```
/// use nabla_datasets::batches::{Order, Sampler};
/// let mut a = Sampler::new(Order::Epochs, 10, 4, 7);
/// let mut b = Sampler::new(Order::Epochs, 10, 4, 7);
/// assert_eq!(a.steps_per_epoch(), 3);
/// let first: Vec<Vec<usize>> = (0..3).map(|t| a.batch(t)).collect();
/// // Asking for step 1 first (a resumed run) gives the same batch.
/// assert_eq!(b.batch(1), first[1]);
/// let mut seen: Vec<usize> = first.concat();
/// seen.sort();
/// assert_eq!(seen, (0..10).collect::<Vec<_>>());
/// ```
#[derive(Debug, Clone)]
pub struct Sampler {
    order: Order,
    n: usize,
    batch: usize,
    seed: u64,
    /// The epoch last shuffled, kept so that a step does not shuffle again.
    epoch: Option<(u64, Epoch)>,
}

impl Sampler {
    /// Batches of `batch` (at least 1) indices into `0..n`, drawn in `order` from `seed`.
    pub fn new(order: Order, n: usize, batch: usize, seed: u64) -> Self {
        Sampler {
            order,
            n,
            batch: batch.max(1),
            seed,
            epoch: None,
        }
    }

    /// Batches per epoch: `n / batch`, rounded up.
    pub fn steps_per_epoch(&self) -> u64 {
        self.n.div_ceil(self.batch) as u64
    }

    /// The batch of step `t` (counting from 0); empty when `n` is 0.
    pub fn batch(&mut self, t: u64) -> Vec<usize> {
        let mut out = Vec::new();
        self.batch_into(t, &mut out);
        out
    }

    /// [`Sampler::batch`] into `out` (cleared first), reusing its allocation: a training
    /// loop's step then allocates nothing for its indices.
    pub fn batch_into(&mut self, t: u64, out: &mut Vec<usize>) {
        out.clear();
        if self.n == 0 {
            return;
        }
        match self.order {
            Order::Epochs => {
                let per_epoch = self.steps_per_epoch();
                let epoch = t / per_epoch;
                if self.epoch.as_ref().is_none_or(|(e, _)| *e != epoch) {
                    // Each epoch its own stream, so that no earlier epoch must be replayed.
                    let mut rng = StdRng::seed_from_u64(
                        self.seed.wrapping_add(epoch.wrapping_mul(0x9E37_79B9)),
                    );
                    self.epoch = Some((epoch, Epoch::shuffled(self.n, self.batch, &mut rng)));
                }
                if let Some(batch) = self
                    .epoch
                    .as_ref()
                    .and_then(|(_, e)| e.batch((t % per_epoch) as usize))
                {
                    out.extend_from_slice(batch);
                }
            }
            Order::WithReplacement => {
                let mut rng = StdRng::seed_from_u64(
                    self.seed
                        .wrapping_mul(0x2545_F491_4F6C_DD1D)
                        .wrapping_add(t),
                );
                sample_with_replacement_into(self.n, self.batch, &mut rng, out);
            }
        }
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
