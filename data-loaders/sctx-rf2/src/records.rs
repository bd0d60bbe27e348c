//! Typed RF2 rows. Text and refset extra columns live in their [`crate::Table`]'s arena:
//! read them through the table ([`crate::Table::term`], [`crate::Table::fields`], ...).

use crate::table::Text;

/// A concept row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// SCTID.
    pub id: u64,
    /// `YYYYMMDD` (0 = blank).
    pub effective_time: u32,
    /// Active flag.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// Definition status id (primitive / fully defined).
    pub definition_status: u64,
}

/// A description or text-definition row. Its term and language code are read through its
/// table: [`crate::Table::term`], [`crate::Table::language_code`].
#[derive(Debug, Clone)]
pub struct Description {
    /// SCTID.
    pub id: u64,
    /// `YYYYMMDD` (0 = blank).
    pub effective_time: u32,
    /// Active flag.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// The concept described.
    pub concept: u64,
    /// ISO 639-1 language code (interned in the table's arena).
    pub(crate) language: u16,
    /// FSN, synonym or definition type id.
    pub type_id: u64,
    /// The term, in the table's arena.
    pub(crate) term: Text,
    /// Case significance id.
    pub case_significance: u64,
}

/// A relationship row (inferred or stated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    /// SCTID.
    pub id: u64,
    /// `YYYYMMDD` (0 = blank).
    pub effective_time: u32,
    /// Active flag.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// Source concept.
    pub source: u64,
    /// Destination concept.
    pub destination: u64,
    /// Role group (0 = ungrouped).
    pub group: u32,
    /// Attribute type.
    pub type_id: u64,
    /// Characteristic type (inferred, stated, additional).
    pub characteristic_type: u64,
    /// Modifier (existential).
    pub modifier: u64,
}

/// A concrete-value relationship row. Its value is read through its table:
/// [`crate::Table::value`].
#[derive(Debug, Clone)]
pub struct ConcreteValue {
    /// SCTID.
    pub id: u64,
    /// `YYYYMMDD` (0 = blank).
    pub effective_time: u32,
    /// Active flag.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// Source concept.
    pub source: u64,
    /// The value as written (`#3`, `#0.5`, `"text"`, `true`), in the table's arena.
    pub(crate) value: Text,
    /// Role group.
    pub group: u32,
    /// Attribute type.
    pub type_id: u64,
    /// Characteristic type.
    pub characteristic_type: u64,
}

/// One extra column of a refset member, as read from its table ([`crate::Table::fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    /// A component id (`c`).
    Id(u64),
    /// A signed integer (`i`).
    Int(i64),
    /// A string (`s`), or a value kept as text.
    Str(&'a str),
    /// An empty field.
    Empty,
}

impl Field<'_> {
    /// The value as text.
    pub fn to_text(&self) -> String {
        match self {
            Field::Id(v) => v.to_string(),
            Field::Int(v) => v.to_string(),
            Field::Str(s) => s.to_string(),
            Field::Empty => String::new(),
        }
    }
}

/// A reference set member row of any refset type. Its extra columns are read through its
/// table ([`crate::Table::fields`]).
#[derive(Debug, Clone)]
pub struct Member {
    /// Member UUID, high and low halves (two `u64`s pack tighter than a 16-aligned `u128`).
    pub(crate) uuid: [u64; 2],
    /// `YYYYMMDD` (0 = blank).
    pub effective_time: u32,
    /// Active flag.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// The refset.
    pub refset: u64,
    /// The referenced component.
    pub referenced: u64,
    /// Extra columns, in header order (see [`RefsetLayout`]): the first and the number of
    /// the member's slots in the table's arena.
    pub(crate) fields_start: u32,
    pub(crate) fields_len: u32,
}

impl Member {
    /// Member UUID.
    pub fn id(&self) -> u128 {
        (u128::from(self.uuid[0]) << 64) | u128::from(self.uuid[1])
    }

    /// Number of extra columns.
    pub fn field_count(&self) -> usize {
        self.fields_len as usize
    }
}

/// The extra columns of a refset, learned from its file's header and pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefsetLayout {
    /// Pattern letters from the file name (`c`, `i`, `s`).
    pub pattern: String,
    /// Refset type name from the file name (`Language`, `ExtendedMap`, ...).
    pub summary: String,
    /// Extra column names in order.
    pub field_names: Vec<String>,
}

/// Formats a UUID held as `u128`.
pub fn format_uuid(v: u128) -> String {
    let h = format!("{v:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Parses a `8-4-4-4-12` UUID.
pub fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        let d = (c as char).to_digit(16)?;
        v = (v << 4) | d as u128;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn uuid_roundtrip() {
        let s = "93c2b74b-d933-4f3e-ac5e-181eecfb5894";
        assert_eq!(format_uuid(parse_uuid(s).unwrap()), s);
        assert!(parse_uuid("93c2b74b-d933-4f3e-ac5e-181eecfb589").is_none());
        assert!(parse_uuid("93c2b74b-d933-4f3e-ac5e-181eecfb589g").is_none());
    }
}
