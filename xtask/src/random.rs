//! Deterministic pseudo-random numbers for synthetic data: SplitMix64, so that
//! what is generated depends on the seed alone, never on a dependency's version.

use std::ops::RangeInclusive;

/// A SplitMix64 generator.
pub struct Rng {
    state: u64,
}

/// The golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective mix of 64 bits.
fn mix(mut value: u64) -> u64 {
    value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    value ^ (value >> 31)
}

impl Rng {
    /// The generator of stream `stream` of seed `seed`. Distinct streams of
    /// one seed are independent, so that work split by stream can run in any order.
    pub fn new(seed: u64, stream: u64) -> Rng {
        Rng {
            state: mix(seed) ^ mix(stream.wrapping_mul(GAMMA).wrapping_add(1)),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// Uniform in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in `low..high`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// Uniform in `0..count`; `count` must not be 0.
    pub fn below(&mut self, count: usize) -> usize {
        // The bias of the modulo is below 2^-40 for the counts used here.
        (self.next_u64() % count as u64) as usize
    }

    /// Uniform in `range`.
    pub fn between(&mut self, range: RangeInclusive<u32>) -> u32 {
        let (low, high) = range.into_inner();
        low + self.below((high - low) as usize + 1) as u32
    }

    /// True with probability `probability`.
    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// One of `items`, uniformly; `items` must not be empty.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Puts `items` in a uniformly random order.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            items.swap(index, self.below(index + 1));
        }
    }
}

/// Picks ranks `0..count` with probabilities proportional to `1 / (rank + 1)`,
/// the skew of word frequencies (Zipf's law) and of the release's classes.
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    /// A distribution over `count` ranks; `count` must not be 0.
    pub fn new(count: usize) -> Zipf {
        let cumulative = (1..=count)
            .scan(0.0, |total, rank| {
                *total += 1.0 / rank as f64;
                Some(*total)
            })
            .collect();
        Zipf { cumulative }
    }

    /// A random rank.
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative[self.cumulative.len() - 1];
        let target = rng.unit() * total;
        self.cumulative
            .partition_point(|&sum| sum <= target)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |stream| {
            let mut rng = Rng::new(7, stream);
            [rng.next_u64(), rng.next_u64()]
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
    }

    #[test]
    fn zipf_favours_low_ranks() {
        let zipf = Zipf::new(100);
        let mut rng = Rng::new(1, 0);
        let mut counts = [0; 100];
        for _ in 0..100_000 {
            counts[zipf.sample(&mut rng)] += 1;
        }
        // Rank 0 has 1 / H(100) ≈ 19 % of the mass, rank 9 a tenth of that.
        assert!((18_000..21_000).contains(&counts[0]), "{}", counts[0]);
        assert!((1_500..2_400).contains(&counts[9]), "{}", counts[9]);
    }

    #[test]
    fn between_stays_in_range() {
        let mut rng = Rng::new(2, 0);
        assert!((0..1000).all(|_| (3..=5).contains(&rng.between(3..=5))));
    }
}
