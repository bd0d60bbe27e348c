//! The Verhoeff dihedral-D5 check digit used by SCTIDs.

const D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

const F: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

const INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/// `table` with rows 16 wide (`N` = 16 × its rows), so that entry `(i, j)` is one load at
/// `i << 4 | j`.
const fn rows16<const R: usize, const N: usize>(table: &[[u8; 10]; R]) -> [u8; N] {
    let mut t = [0u8; N];
    let mut i = 0;
    while i < R {
        let mut j = 0;
        while j < 10 {
            t[i * 16 + j] = table[i][j];
            j += 1;
        }
        i += 1;
    }
    t
}

/// [`D`] with rows 16 wide: `a · b` is at `a << 4 | b` (`a`, `b` < 10).
const DX: [u8; 256] = rows16(&D);

/// [`F`] with rows 16 wide: the permuted digit at position `i` is at `(i % 8) << 4 | d`.
const FX: [u8; 128] = rows16(&F);

/// The D5 product `a · b` (both elements, i.e. below 10).
#[inline(always)]
fn mul(a: u8, b: u8) -> u8 {
    DX[usize::from((a << 4) | b)]
}

/// The product of eight elements, as a balanced tree (the group is associative: the four
/// pairs are independent loads instead of a chain of eight).
#[inline(always)]
fn product8(y: &[u8; 8]) -> u8 {
    mul(mul(mul(y[0], y[1]), mul(y[2], y[3])), mul(mul(y[4], y[5]), mul(y[6], y[7])))
}

/// The Verhoeff checksum of `digits` (values `zero` to `zero + 9`, most significant first:
/// ASCII digits or their values), the digit
/// `i` places from the right permuted by `F[(i + offset) % 8]`: the product
/// `F(d0) · F(d1) · …` from the right, whose one dependent chain Verhoeff's loop
/// (`c = D[c][F[i % 8][d]]`) makes as long as the number; here a chain of one load per
/// eight digits. Identity padding (0) completes the last group.
fn product(digits: &[u8], zero: u8, offset: usize) -> u8 {
    let mut c = 0u8;
    for (g, group) in digits.rchunks(8).enumerate() {
        let mut y = [0u8; 8];
        for (k, &d) in group.iter().rev().enumerate() {
            let i = g * 8 + k + offset;
            y[k] = FX[((i & 7) << 4) | usize::from(d.wrapping_sub(zero).min(9))];
        }
        c = mul(c, product8(&y));
    }
    c
}

/// The checksum of ASCII `digits`, or 255 if any byte is not a digit.
fn checksum(digits: &[u8], offset: usize) -> u8 {
    if !digits.iter().all(u8::is_ascii_digit) {
        return 255;
    }
    product(digits, b'0', offset)
}

/// True when `digits` (values 0 to 9) end with a correct check digit. This is the check of
/// every identifier an import reads.
pub(crate) fn digits_valid(digits: &[u8]) -> bool {
    !digits.is_empty() && product(digits, 0, 0) == 0
}

/// Verhoeff's own loop, one table step per digit from the right, on ASCII digits (`None`
/// for any other byte): the reference that the tree of products must agree with.
#[cfg(test)]
pub(crate) fn reference_checksum(s: &[u8]) -> Option<u8> {
    let mut c = 0u8;
    for (i, &b) in s.iter().rev().enumerate() {
        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        c = D[c as usize][F[i % 8][d as usize] as usize];
    }
    Some(c)
}

/// True when `s` is all digits and its last digit is a correct Verhoeff check digit.
pub fn is_valid(s: &str) -> bool {
    !s.is_empty() && checksum(s.as_bytes(), 0) == 0
}

/// The check digit to append to `partial` (all digits), or `None` for non-digit input.
pub fn check_digit(partial: &str) -> Option<u8> {
    if partial.is_empty() || !partial.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(INV[checksum(partial.as_bytes(), 1) as usize])
}

/// Builds a full SCTID from an item identifier, an optional namespace and a partition
/// (`"00"` concept, `"01"` description, `"02"` relationship, or `"10"`/`"11"`/`"12"` with a
/// namespace).
pub fn make_id(item: u64, namespace: Option<u32>, partition: &str) -> u64 {
    let partial = match namespace {
        Some(ns) => format!("{item}{ns:07}{partition}"),
        None => format!("{item}{partition}"),
    };
    let cd = check_digit(&partial).unwrap_or(0);
    format!("{partial}{cd}").parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recomputes_known_check_digits() {
        for s in [
            "138875005",
            "116680003",
            "900000000000207008",
            "999001261000000100",
            "447562003",
            "24700007",
            "11000001102",
            "31000003106",
        ] {
            assert!(is_valid(s), "{s}");
            let (p, last) = s.split_at(s.len() - 1);
            assert_eq!(check_digit(p).unwrap().to_string(), last, "{s}");
        }
    }

    #[test]
    fn detects_single_digit_errors_and_transpositions() {
        let s = "73211009";
        for i in 0..s.len() {
            for d in b'0'..=b'9' {
                let mut b = s.as_bytes().to_vec();
                if b[i] == d {
                    continue;
                }
                b[i] = d;
                assert!(!is_valid(std::str::from_utf8(&b).unwrap()));
            }
        }
        assert!(!is_valid("73210109"));
        assert!(!is_valid("7321100x"));
    }

    #[test]
    fn makes_ids() {
        let id = make_id(1234, Some(1000000), "10");
        assert!(crate::SctId::from_u64(id).is_ok(), "{id}");
        let id = make_id(73211, None, "00");
        assert_eq!(id, 73211009);
    }
}
