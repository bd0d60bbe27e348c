//! The in-memory tables a load produces.

use crate::source::FileKind;

/// True for a 5-character Read v2 / CTV3 code: `0-9`, `A-Z`, `a-z` and `.`.
/// Codes are case-sensitive and the dots are part of the code (`H33..`).
pub fn is_code(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

/// True for a 2-character Read v2 term code (`00`, `11`, `1A`...).
pub fn is_read_term_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// True for a CTV3 term id (5 characters such as `Y107p`; `.` and alphanumerics).
pub fn is_ctv3_term_id(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

/// The target of a legacy → SNOMED CT map row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SctTarget {
    /// A SNOMED CT concept, with the description the map names when it names one.
    Concept {
        /// Concept id.
        concept: u64,
        /// Description id (absent in the Not Clinically Assured map).
        description: Option<u64>,
    },
    /// `_DRUG`: a drug code, to be mapped through dm+d instead.
    Drug,
    /// `_NONE` or empty: no target.
    None,
}

/// The target of a legacy → legacy map row (Read v2 ↔ CTV3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LegacyTarget {
    /// A code, with a term code / term id when the row gives one.
    Code {
        /// 5-character code.
        code: String,
        /// Term code (Read v2) or term id (CTV3); may be empty.
        term: String,
    },
    /// `_DRUG`.
    Drug,
    /// `_NONE`.
    None,
}

/// CTV3 term type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TermType {
    /// `P`: preferred.
    Preferred,
    /// `S`: synonym.
    Synonym,
}

impl TermType {
    /// `P` or `S` (case-insensitive).
    pub fn parse(s: &str) -> Option<TermType> {
        match s.trim() {
            "P" | "p" => Some(TermType::Preferred),
            "S" | "s" => Some(TermType::Synonym),
            _ => None,
        }
    }
}

/// One active map (the latest row of its MapId, with an active MapStatus) from a legacy
/// code to SNOMED CT.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SctMap {
    /// MapId without braces, upper case.
    pub map_id: String,
    /// Source code (5 characters).
    pub code: String,
    /// Read v2 term code or CTV3 term id (empty when the row has none).
    pub term: String,
    /// CTV3 term type.
    pub term_type: Option<TermType>,
    /// Target.
    pub target: SctTarget,
    /// `IS_ASSURED`; `None` for files without the column (Not Clinically Assured).
    pub assured: Option<bool>,
    /// `EffectiveDate` as `yyyymmdd`.
    pub effective: u32,
    /// The file kind it came from.
    pub source: FileKind,
}

/// One active Read v2 ↔ CTV3 map.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LegacyMap {
    /// MapId without braces, upper case.
    pub map_id: String,
    /// Source code.
    pub code: String,
    /// Source term code / term id.
    pub term: String,
    /// CTV3 term type, when the row has one.
    pub term_type: Option<TermType>,
    /// Target.
    pub target: LegacyTarget,
    /// `USE_CTV3_TERMID` / `USE_V2_TERMID` = `Y`.
    pub use_term: bool,
    /// `MAPTYP` as given.
    pub map_type: String,
    /// `IS_ASSURED` / `ISASSURED`.
    pub assured: Option<bool>,
    /// `EffectiveDate`.
    pub effective: u32,
}

/// A `codesWithValues` alternate SNOMED CT target for a code recorded with a value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AlternateMap {
    /// Source code.
    pub code: String,
    /// Term code / term id.
    pub term: String,
    /// Alternate target concept.
    pub concept: u64,
    /// Alternate target description.
    pub description: Option<u64>,
    /// `Use` = `Y`.
    pub use_alternate: bool,
}

/// A Read v2 term: code + term code and its three lengths.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadTerm {
    /// 5-character code.
    pub code: String,
    /// 2-character term code (`00` preferred).
    pub term_code: String,
    /// 30-character term.
    pub term30: String,
    /// 60-character term (may be empty).
    pub term60: String,
    /// 198-character term (may be empty).
    pub term198: String,
}

impl ReadTerm {
    /// The longest non-empty term.
    pub fn term(&self) -> &str {
        [&self.term198, &self.term60, &self.term30]
            .into_iter()
            .find(|t| !t.is_empty())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A CTV3 concept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ctv3Concept {
    /// 5-character code.
    pub code: String,
    /// `C` current, `E` extinct, `O` optional, `R` redundant.
    pub status: char,
}

/// A CTV3 concept–term link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ctv3Description {
    /// Concept code.
    pub code: String,
    /// Term id.
    pub term_id: String,
    /// Preferred or synonym.
    pub term_type: TermType,
}

/// A CTV3 term.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ctv3Term {
    /// Term id.
    pub term_id: String,
    /// Status letter.
    pub status: char,
    /// 30-character term.
    pub term30: String,
    /// 60-character term.
    pub term60: String,
    /// 198-character term.
    pub term198: String,
}

impl Ctv3Term {
    /// The longest non-empty term.
    pub fn term(&self) -> &str {
        [&self.term198, &self.term60, &self.term30]
            .into_iter()
            .find(|t| !t.is_empty())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A CTV3 hierarchy link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ctv3Parent {
    /// Child code.
    pub child: String,
    /// Parent code (`.....` is the top).
    pub parent: String,
    /// List order.
    pub order: u32,
}

/// What was read from one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileSummary {
    /// Kind.
    pub kind: FileKind,
    /// Display path.
    pub path: String,
    /// Data rows read.
    pub rows: usize,
    /// Rows kept (map files: latest row per MapId, active).
    pub kept: usize,
}

/// Everything a load produced, ready to compile.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NhsTables {
    /// Read v2 → SNOMED CT (`rcsctmap2_uk`), active maps.
    pub read_sct: Vec<SctMap>,
    /// Read v2 → SNOMED CT, Not Clinically Assured (`rcsctmap_uk`), active maps.
    pub read_sct_nca: Vec<SctMap>,
    /// CTV3 → SNOMED CT (`ctv3sctmap2_uk`), active maps.
    pub ctv3_sct: Vec<SctMap>,
    /// Read v2 → CTV3 (`rctctv3map_uk`), active maps.
    pub read_ctv3: Vec<LegacyMap>,
    /// CTV3 → Read v2 (`ctv3rctmap_uk`), active maps.
    pub ctv3_read: Vec<LegacyMap>,
    /// Read v2 codes-with-values alternates.
    pub read_alternates: Vec<AlternateMap>,
    /// CTV3 codes-with-values alternates.
    pub ctv3_alternates: Vec<AlternateMap>,
    /// Read v2 terms (Corev2.all preferred terms and Keyv2.all terms, deduplicated).
    pub read_terms: Vec<ReadTerm>,
    /// CTV3 concepts.
    pub ctv3_concepts: Vec<Ctv3Concept>,
    /// CTV3 concept–term links.
    pub ctv3_descriptions: Vec<Ctv3Description>,
    /// CTV3 terms.
    pub ctv3_terms: Vec<Ctv3Term>,
    /// CTV3 hierarchy.
    pub ctv3_hierarchy: Vec<Ctv3Parent>,
    /// Files read.
    pub files: Vec<FileSummary>,
    /// Problems skipped in lenient mode.
    pub warnings: Vec<String>,
}

impl FileKind {
    /// Where rows of this kind live in [`NhsTables`] (for reports).
    pub fn table_name(self) -> &'static str {
        match self {
            FileKind::ReadSct => "rcsctmap2_uk",
            FileKind::Ctv3Sct => "ctv3sctmap2_uk",
            FileKind::ReadCtv3 => "rctctv3map_uk",
            FileKind::Ctv3Read => "ctv3rctmap_uk",
            FileKind::ReadSctNca => "rcsctmap_uk",
            FileKind::ReadAlternates => "codesWithValues_AlternateMaps_READ2",
            FileKind::Ctv3Alternates => "codesWithValues_AlternateMaps_CTV3",
            FileKind::Corev2 => "Corev2.all",
            FileKind::Keyv2 => "Keyv2.all",
            FileKind::Ctv3Concept => "Concept.v3",
            FileKind::Ctv3Descrip => "Descrip.v3",
            FileKind::Ctv3Terms => "Terms.v3",
            FileKind::Ctv3Hier => "V3hier.v3",
        }
    }
}
