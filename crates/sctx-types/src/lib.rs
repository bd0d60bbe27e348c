//! Identifiers and small domain types shared by every sctx crate.
//!
//! The main types are:
//! - [`SctId`]: a validated SNOMED CT identifier (partition and Verhoeff check digit);
//! - [`Partition`]: what kind of component an identifier names;
//! - [`LanguagePreference`]: an ordered list of language reference sets derived from a
//!   language tag such as `en-GB`, used to choose preferred terms;
//! - [`EffectiveTime`]: an RF2 `YYYYMMDD` date;
//! - the [`ids`] module: well-known metadata concept ids.
//!
//! ```
//! use sctx_types::{SctId, Partition, verhoeff};
//! let id: SctId = "73211009".parse().unwrap();
//! assert_eq!(id.partition(), Partition::Concept);
//! assert!(verhoeff::is_valid("138875005"));
//! assert!("73211008".parse::<SctId>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

pub mod ids;
mod lang;
pub mod verhoeff;

pub use lang::{LanguagePreference, LanguageTagError};

/// A validated SNOMED CT identifier.
///
/// Construction through [`FromStr`] or [`SctId::parse`] checks the length (6 to 18 digits),
/// the absence of a leading zero, the partition and the Verhoeff check digit.
/// [`SctId::new_unchecked`] wraps a number that is already known to be valid (e.g. read
/// back from a compiled store).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SctId(u64);

/// The kind of component an identifier names, from its partition digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partition {
    /// `00` or `10`.
    Concept,
    /// `01` or `11`.
    Description,
    /// `02` or `12`.
    Relationship,
    /// `16`: a post-coordinated expression.
    Expression,
}

/// Why a string is not a valid SCTID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SctIdError {
    /// Empty input.
    #[error("empty identifier")]
    Empty,
    /// A character other than an ASCII digit.
    #[error("identifier {0:?} contains a character that is not a digit")]
    NotDigits(String),
    /// Fewer than 6 or more than 18 digits.
    #[error("identifier {0:?} must have 6 to 18 digits")]
    Length(String),
    /// The first digit is 0.
    #[error("identifier {0:?} has a leading zero")]
    LeadingZero(String),
    /// Unknown partition digits.
    #[error("identifier {0:?} has an invalid partition {1:?}")]
    Partition(String, String),
    /// The long-format partition leaves no room for a 7-digit namespace.
    #[error("identifier {0:?} has a long-format partition but no 7-digit namespace")]
    Namespace(String),
    /// The Verhoeff check digit does not match.
    #[error("identifier {0:?} fails the Verhoeff check digit")]
    CheckDigit(String),
}

/// The value of a valid identifier (6 to 18 digits, no leading zero, a known partition,
/// room for a namespace in the long format, a correct check digit), or `None`: one pass
/// over the digits, then the check digit's product over their values.
fn valid_value(b: &[u8]) -> Option<u64> {
    let n = b.len();
    if !(6..=18).contains(&n) || b[0] == b'0' {
        return None;
    }
    let mut digits = [0u8; 18];
    let mut v = 0u64;
    for (slot, &x) in digits.iter_mut().zip(b) {
        let d = x.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        *slot = d;
        v = v * 10 + u64::from(d);
    }
    let long = match [b[n - 3], b[n - 2]] {
        [b'0', b'0' | b'1' | b'2'] => false,
        [b'1', b'0' | b'1' | b'2' | b'6'] => true,
        _ => return None,
    };
    (!(long && n < 3 + 7 + 1) && verhoeff::digits_valid(&digits[..n])).then_some(v)
}

impl SctId {
    /// Parses and validates an identifier.
    #[inline]
    pub fn parse(s: &str) -> Result<Self, SctIdError> {
        // one pass for a valid identifier (an import parses tens of millions); anything
        // else goes through the checks one by one, which name the first that fails
        match valid_value(s.as_bytes()) {
            Some(v) => Ok(SctId(v)),
            None => Self::parse_checked(s),
        }
    }

    /// [`Self::parse`], one check at a time.
    #[cold]
    #[inline(never)]
    fn parse_checked(s: &str) -> Result<Self, SctIdError> {
        let owned = || s.to_owned();
        if s.is_empty() {
            return Err(SctIdError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SctIdError::NotDigits(owned()));
        }
        if !(6..=18).contains(&s.len()) {
            return Err(SctIdError::Length(owned()));
        }
        if s.as_bytes()[0] == b'0' {
            return Err(SctIdError::LeadingZero(owned()));
        }
        let part = &s[s.len() - 3..s.len() - 1];
        let long = match part {
            "00" | "01" | "02" => false,
            "10" | "11" | "12" | "16" => true,
            _ => return Err(SctIdError::Partition(owned(), part.to_owned())),
        };
        if long && s.len() < 3 + 7 + 1 {
            return Err(SctIdError::Namespace(owned()));
        }
        if !verhoeff::is_valid(s) {
            return Err(SctIdError::CheckDigit(owned()));
        }
        // at most 18 digits: fits in u64
        Ok(SctId(s.parse().map_err(|_| SctIdError::Length(owned()))?))
    }

    /// Validates a number as an identifier.
    pub fn from_u64(v: u64) -> Result<Self, SctIdError> {
        Self::parse(&v.to_string())
    }

    /// Wraps a number without validation. Use only for values that were validated before,
    /// such as ids read back from a compiled store or well-known constants.
    pub const fn new_unchecked(v: u64) -> Self {
        SctId(v)
    }

    /// The numeric value.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The partition of a valid identifier.
    pub fn partition(self) -> Partition {
        match (self.0 / 10) % 100 {
            0 | 10 => Partition::Concept,
            1 | 11 => Partition::Description,
            2 | 12 => Partition::Relationship,
            _ => Partition::Expression,
        }
    }

    /// The 7-digit namespace of a long-format identifier.
    pub fn namespace(self) -> Option<u32> {
        let p = (self.0 / 10) % 100;
        if p >= 10 { Some(((self.0 / 1000) % 10_000_000) as u32) } else { None }
    }
}

impl FromStr for SctId {
    type Err = SctIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SctId::parse(s)
    }
}

impl fmt::Display for SctId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for SctId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SctId({})", self.0)
    }
}

impl From<SctId> for u64 {
    fn from(v: SctId) -> u64 {
        v.0
    }
}

/// SCTIDs travel as JSON strings: JavaScript numbers cannot hold 18 digits.
impl serde::Serialize for SctId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SctId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        SctId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An RF2 effective time, `YYYYMMDD`, stored as the integer `yyyymmdd`. Zero stands for a
/// blank effective time (unpublished content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EffectiveTime(pub u32);

/// Why a string is not an effective time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date of the form YYYYMMDD")]
pub struct EffectiveTimeError(pub String);

impl EffectiveTime {
    /// Parses `YYYYMMDD`; an empty string is the blank effective time (0).
    pub fn parse(s: &str) -> Result<Self, EffectiveTimeError> {
        if s.is_empty() {
            return Ok(EffectiveTime(0));
        }
        let err = || EffectiveTimeError(s.to_owned());
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let v: u32 = s.parse().map_err(|_| err())?;
        let (m, d) = ((v / 100) % 100, v % 100);
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return Err(err());
        }
        Ok(EffectiveTime(v))
    }
    /// True for the blank effective time.
    pub fn is_blank(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for EffectiveTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 { Ok(()) } else { write!(f, "{:08}", self.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_ids() {
        for s in [
            "138875005",
            "116680003",
            "900000000000207008",
            "999001261000000100",
            "447562003",
            "24700007",
            "11000001102",
            "31000003106",
            "18871000003025",
        ] {
            let id = SctId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(id.to_string(), s);
        }
    }

    #[test]
    fn rejects_invalid_ids() {
        assert_eq!(SctId::parse(""), Err(SctIdError::Empty));
        assert!(matches!(SctId::parse("12a456"), Err(SctIdError::NotDigits(_))));
        assert!(matches!(SctId::parse("12345"), Err(SctIdError::Length(_))));
        assert!(matches!(SctId::parse("0138875005"), Err(SctIdError::LeadingZero(_))));
        assert!(matches!(SctId::parse("1234567890"), Err(SctIdError::Partition(..))));
        assert!(matches!(SctId::parse("138875006"), Err(SctIdError::CheckDigit(_))));
        assert!(matches!(SctId::parse("1234567890123456789"), Err(SctIdError::Length(_))));
        // long format with too few digits for a namespace
        assert!(matches!(SctId::parse("1234107"), Err(SctIdError::Namespace(_))));
    }

    /// The one-pass parse (the check digit as a tree of products) answers as the checks one
    /// at a time do, value or error, for valid ids of every length, each of their
    /// single-digit changes and random strings of digits and a few other bytes; and the tree
    /// of products (under both) answers as Verhoeff's own loop.
    #[test]
    fn one_pass_parse_agrees_with_the_plain_checks() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut valid = 0;
        for round in 0..200_000 {
            let len = 1 + (next() % 20) as usize;
            let mut s: Vec<u8> = (0..len).map(|_| b'0' + (next() % 10) as u8).collect();
            if round % 3 == 0 && len >= 3 {
                // a real partition and a correct check digit, sometimes
                let part: &[u8] =
                    [b"00", b"01", b"02", b"10", b"11", b"12", b"16"][(next() % 7) as usize];
                s[len - 3..len - 1].copy_from_slice(part);
                let partial = std::str::from_utf8(&s[..len - 1]).unwrap();
                if let Some(cd) = verhoeff::check_digit(partial) {
                    s[len - 1] = b'0' + cd;
                }
            }
            if round % 11 == 0 {
                let at = (next() as usize) % len;
                s[at] = [b'a', b'/', b':', b' ', 0xC3][(next() % 5) as usize];
            }
            let Ok(text) = std::str::from_utf8(&s) else { continue };
            let want = SctId::parse_checked(text);
            assert_eq!(SctId::parse(text), want, "{text:?}");
            let by_loop = verhoeff::reference_checksum(&s) == Some(0);
            assert_eq!(verhoeff::is_valid(text), by_loop, "{text:?}");
            if want.is_ok() {
                valid += 1;
                for at in 0..len {
                    for d in b'0'..=b'9' {
                        let mut m = s.clone();
                        m[at] = d;
                        let by_loop = verhoeff::reference_checksum(&m) == Some(0);
                        let m = std::str::from_utf8(&m).unwrap();
                        assert_eq!(SctId::parse(m), SctId::parse_checked(m), "{m}");
                        assert_eq!(verhoeff::is_valid(m), by_loop, "{m}");
                    }
                }
            }
        }
        assert!(valid > 10_000, "only {valid} valid ids generated");
        let max = "999999999999999993";
        assert_eq!(SctId::parse(max), SctId::parse_checked(max));
    }

    #[test]
    fn partitions_and_namespaces() {
        let c = SctId::parse("999001261000000100").unwrap();
        assert_eq!(c.partition(), Partition::Concept);
        assert_eq!(c.namespace(), Some(1000000));
        let d = SctId::parse("11000001102").unwrap();
        assert_eq!(d.namespace(), Some(1000001));
        assert_eq!(SctId::parse("18871000003025").unwrap().partition(), Partition::Relationship);
        assert_eq!(SctId::parse("138875005").unwrap().namespace(), None);
    }

    #[test]
    fn json_as_string() {
        let id = SctId::parse("999001261000000100").unwrap();
        let j = serde_json::to_string(&id).unwrap();
        assert_eq!(j, "\"999001261000000100\"");
        let back: SctId = serde_json::from_str(&j).unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<SctId>("\"138875006\"").is_err());
    }

    #[test]
    fn effective_times() {
        assert_eq!(EffectiveTime::parse("20250701").unwrap().0, 20250701);
        assert!(EffectiveTime::parse("").unwrap().is_blank());
        assert!(EffectiveTime::parse("2025070").is_err());
        assert!(EffectiveTime::parse("20251301").is_err());
        assert_eq!(EffectiveTime(20020131).to_string(), "20020131");
    }
}
