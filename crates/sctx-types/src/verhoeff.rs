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

fn checksum(digits: &[u8], offset: usize) -> u8 {
    let mut c = 0u8;
    for (i, &b) in digits.iter().rev().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return 255;
        }
        c = D[c as usize][F[(i + offset) % 8][d as usize] as usize];
    }
    c
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
