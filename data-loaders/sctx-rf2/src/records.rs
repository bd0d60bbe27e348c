//! Typed RF2 rows.

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

/// A description or text-definition row.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// ISO 639-1 language code.
    pub language_code: Box<str>,
    /// FSN, synonym or definition type id.
    pub type_id: u64,
    /// The term.
    pub term: Box<str>,
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

/// A concrete-value relationship row.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The value as written: `#3`, `#0.5`, `"text"`, `true`.
    pub value: Box<str>,
    /// Role group.
    pub group: u32,
    /// Attribute type.
    pub type_id: u64,
    /// Characteristic type.
    pub characteristic_type: u64,
}

/// One extra column of a refset member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A component id (`c`).
    Id(u64),
    /// A signed integer (`i`).
    Int(i64),
    /// A string (`s`), or a value kept as text.
    Str(Box<str>),
    /// An empty field.
    Empty,
}

impl Field {
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

/// A reference set member row of any refset type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Member UUID.
    pub id: u128,
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
    /// Extra columns, in header order (see [`RefsetLayout`]).
    pub fields: Vec<Field>,
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
