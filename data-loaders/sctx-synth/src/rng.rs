//! A small, self-contained PRNG (SplitMix64 seeding xoshiro256**) so that the output never
//! depends on a third-party crate's version.

/// One SplitMix64 step.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stateless 64-bit hash of a few words, for per-component decisions that several passes
/// must agree on.
pub(crate) fn hash3(a: u64, b: u64, c: u64) -> u64 {
    let mut s = a ^ 0x5851_F42D_4C95_7F2D;
    let x = splitmix64(&mut s) ^ b;
    let mut s2 = x;
    let y = splitmix64(&mut s2) ^ c;
    let mut s3 = y;
    splitmix64(&mut s3)
}

/// A uniform number in `[0, 1)` from a stateless hash.
pub(crate) fn hash01(a: u64, b: u64, c: u64) -> f64 {
    (hash3(a, b, c) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// FNV-1a of a tag, used to derive independent streams.
fn fnv1a(tag: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// xoshiro256** generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator seeded through SplitMix64.
    pub(crate) fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s =
            [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    /// An independent stream for one purpose (`tag`) under one seed.
    pub(crate) fn stream(seed: u64, tag: &str) -> Self {
        Rng::new(hash3(seed, fnv1a(tag), 0x1234_5678))
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index in `0..n` (`n > 0`).
    #[inline]
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// A Zipf-like rank in `0..n`: `P(rank < k) ≈ ln(k + 1) / ln(n + 1)`.
    #[inline]
    pub(crate) fn zipf(&mut self, n: usize) -> usize {
        let r = ((n as f64 + 1.0).powf(self.f64()) - 1.0) as usize;
        r.min(n - 1)
    }

    /// A small count with the given mean (geometric distribution).
    pub(crate) fn geometric(&mut self, mean: f64) -> u32 {
        let p = 1.0 / (1.0 + mean);
        let mut k = 0;
        while !self.chance(p) && k < 64 {
            k += 1;
        }
        k
    }

    /// A Poisson count (Knuth; fine for small means).
    pub(crate) fn poisson(&mut self, mean: f64) -> u32 {
        let l = (-mean).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.f64();
            if p <= l || k > 200 {
                return k;
            }
            k += 1;
        }
    }

    /// 16 random bytes shaped as a version-4 UUID.
    #[inline]
    pub(crate) fn uuid(&mut self) -> [u8; 16] {
        let a = self.next_u64().to_be_bytes();
        let b = self.next_u64().to_be_bytes();
        let mut u = [0u8; 16];
        u[..8].copy_from_slice(&a);
        u[8..].copy_from_slice(&b);
        u[6] = (u[6] & 0x0f) | 0x40;
        u[8] = (u[8] & 0x3f) | 0x80;
        u
    }

    /// Fisher–Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.index(i + 1);
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_spread() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut c = Rng::stream(7, "x");
        let mut hits = [0u32; 10];
        for _ in 0..10_000 {
            hits[c.index(10)] += 1;
        }
        assert!(hits.iter().all(|&h| (800..1200).contains(&h)), "{hits:?}");
        let u = c.uuid();
        assert_eq!(u[6] >> 4, 4);
        assert_eq!(u[8] >> 6, 2);
    }
}
