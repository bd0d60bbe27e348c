//! SCTID construction (partition + Verhoeff check digit from `sctx-types`) and item allocators.

use sctx_types::verhoeff;

use crate::rng::Rng;

/// Component partitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Concept = 0,
    Description = 1,
    Relationship = 2,
}

/// Builds a full SCTID from an item identifier, an optional 7-digit namespace and a
/// partition, with the check digit computed by `sctx_types::verhoeff::check_digit`
/// (no heap allocation).
#[inline]
pub(crate) fn sctid(item: u64, ns: Option<u32>, part: Part) -> u64 {
    let partial = match ns {
        Some(n) => (item * 10_000_000 + u64::from(n)) * 100 + 10 + part as u64,
        None => item * 100 + part as u64,
    };
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = partial;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let s = std::str::from_utf8(&buf[i..]).unwrap_or("0");
    let cd = verhoeff::check_digit(s).unwrap_or(0);
    partial * 10 + u64::from(cd)
}

/// Hands out increasing item identifiers with small random gaps, skipping reserved items.
pub(crate) struct ItemSeq {
    next: u64,
    max_gap: u64,
}

impl ItemSeq {
    pub(crate) fn new(start: u64, max_gap: u64) -> Self {
        ItemSeq { next: start, max_gap }
    }

    /// The next item, `gap` in `1..=max_gap` after the previous one.
    #[inline]
    pub(crate) fn take(&mut self, rng: &mut Rng) -> u64 {
        let v = self.next;
        self.next += 1 + if self.max_gap > 1 { rng.below(self.max_gap) } else { 0 };
        v
    }

    /// Reserves `n` consecutive items and returns the first.
    #[inline]
    pub(crate) fn take_block(&mut self, n: u64, rng: &mut Rng) -> u64 {
        let v = self.next;
        self.next += n + if self.max_gap > 1 { rng.below(self.max_gap) } else { 0 };
        v
    }
}

/// `n` distinct concept item identifiers in random order, avoiding `reserved` items.
pub(crate) fn concept_items(
    n: usize,
    start: u64,
    reserved: &std::collections::HashSet<u64>,
    rng: &mut Rng,
) -> Vec<u64> {
    let mut seq = ItemSeq::new(start, 3);
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        let it = seq.take(rng);
        if !reserved.contains(&it) {
            v.push(it);
        }
    }
    rng.shuffle(&mut v);
    v
}

/// The item identifier of a concept id (strips check digit, partition and namespace).
pub(crate) fn item_of(id: u64) -> u64 {
    let part = (id / 10) % 100;
    if part >= 10 { id / 10_000_000_000 } else { id / 1000 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_valid_ids() {
        assert_eq!(sctid(73211, None, Part::Concept), 73211009);
        assert_eq!(sctid(99900126, Some(1000000), Part::Concept), 999001261000000100);
        assert_eq!(sctid(1, Some(1000001), Part::Concept), 11000001102);
        for item in [10_000u64, 123_456, 9_999_999] {
            for ns in [None, Some(1000000), Some(1000001)] {
                for p in [Part::Concept, Part::Description, Part::Relationship] {
                    let id = sctid(item, ns, p);
                    assert!(sctx_types::SctId::from_u64(id).is_ok(), "{id}");
                }
            }
        }
        assert_eq!(item_of(999001261000000100), 99900126);
        assert_eq!(item_of(73211009), 73211);
    }
}
