//! Serde result types (the JSON of `sctx translate` and of the HTTP routes). SCTIDs travel
//! as strings.

use sctx_types::SctId;

/// A code system a translation goes from or to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum System {
    /// Read v2.
    #[serde(rename = "readv2")]
    ReadV2,
    /// CTV3.
    #[serde(rename = "ctv3")]
    Ctv3,
    /// SNOMED CT.
    #[serde(rename = "sct")]
    Sct,
    /// ICD-10 (International map 447562003 by default, UK map on request).
    #[serde(rename = "icd10")]
    Icd10,
}

impl std::str::FromStr for System {
    type Err = crate::TranslateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "readv2" | "read2" | "read" | "rv2" => Ok(System::ReadV2),
            "ctv3" | "read3" => Ok(System::Ctv3),
            "sct" | "snomed" | "snomedct" | "snomed-ct" => Ok(System::Sct),
            "icd10" | "icd-10" => Ok(System::Icd10),
            _ => Err(crate::TranslateError::UnknownSystem(s.to_string())),
        }
    }
}

impl std::fmt::Display for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            System::ReadV2 => "readv2",
            System::Ctv3 => "ctv3",
            System::Sct => "sct",
            System::Icd10 => "icd10",
        })
    }
}

/// How a translation ended, from a fixed vocabulary.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// An active, assured map to an active concept (or the map's own direction for
    /// refset maps).
    Exact,
    /// The mapped concept is inactive; one active target was reached through SAME AS /
    /// REPLACED BY associations.
    ViaHistory,
    /// Several candidates (POSSIBLY EQUIVALENT TO, ALTERNATIVE, several history targets).
    Ambiguous,
    /// The map row is not clinically assured (`IS_ASSURED` = 0 or Not Clinically Assured map).
    Unassured,
    /// A drug code (`_DRUG`): map it through dm+d.
    Drug,
    /// A broader result: from the nearest mapped ancestor (legacy hierarchy or SNOMED CT is-a
    /// for map refsets) or a WAS A association.
    Broader,
    /// No map.
    Unmapped,
    /// The input is not a well-formed code.
    InvalidCode,
}

impl Status {
    /// All statuses, in report order.
    pub const ALL: [Status; 8] = [
        Status::Exact,
        Status::ViaHistory,
        Status::Ambiguous,
        Status::Unassured,
        Status::Drug,
        Status::Broader,
        Status::Unmapped,
        Status::InvalidCode,
    ];
    /// The JSON/CSV name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exact => "exact",
            Status::ViaHistory => "via-history",
            Status::Ambiguous => "ambiguous",
            Status::Unassured => "unassured",
            Status::Drug => "drug",
            Status::Broader => "broader",
            Status::Unmapped => "unmapped",
            Status::InvalidCode => "invalid-code",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a map matched the source term or only the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MapLevel {
    /// The map row names the same term code / term id as the input.
    Term,
    /// The input had no term (or its term has no map): the code's preferred-term map (or
    /// another map of the code) was used.
    Code,
}

/// The source of a translation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceCode {
    /// System.
    pub system: System,
    /// The code as normalised (5 characters for Read v2 / CTV3, the SCTID for SNOMED CT),
    /// or the raw input for invalid codes.
    pub code: String,
    /// Read v2 term code / CTV3 term id, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_code: Option<String>,
    /// The source term from the term files (or the SNOMED CT preferred term).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
}

/// One step through a historical association.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryStep {
    /// The inactive concept.
    pub from: SctId,
    /// Association name (`SAME AS`, `REPLACED BY`, ...).
    pub association: String,
    /// Association refset id.
    pub refset: SctId,
    /// The target.
    pub to: SctId,
}

/// How a result was reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Method {
    /// The table used: `rcsctmap2_uk`, `rcsctmap_uk` (Not Clinically Assured),
    /// `ctv3sctmap2_uk`, `rctctv3map_uk`, `ctv3rctmap_uk`, or a refset id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The MapId of the row used (braces stripped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_id: Option<String>,
    /// `IS_ASSURED` of the row used (`None` when the table has no such flag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assured: Option<bool>,
    /// Term-level or code-level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<MapLevel>,
    /// True for reverse maps (SNOMED CT → legacy) derived from forward tables.
    pub derived: bool,
    /// The concept the map row names (before history).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapped_concept: Option<SctId>,
    /// Historical associations followed.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub history: Vec<HistoryStep>,
    /// The ancestor whose map was used (`broader`): a legacy code or an SCTID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broader_via: Option<String>,
}

/// A translation target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    /// Target system.
    pub system: System,
    /// SCTID (as a string), or 5-character legacy code.
    pub code: String,
    /// Read v2 term code / CTV3 term id of a legacy target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_code: Option<String>,
    /// The SNOMED CT description named by the map row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_id: Option<SctId>,
    /// Its term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Preferred term (SNOMED CT, in the requested language) or legacy term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_term: Option<String>,
    /// Whether the SNOMED CT concept is active in the loaded release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Assurance of the map row giving this target (reverse maps list several).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assured: Option<bool>,
    /// MapId of the row giving this target (reverse maps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_id: Option<String>,
    /// How this candidate was reached when it differs per candidate (e.g. `POSSIBLY
    /// EQUIVALENT TO`, `900000000000497000`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// The result of translating one code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Translation {
    /// The source.
    pub source: SourceCode,
    /// Target system.
    pub to: System,
    /// Outcome.
    pub status: Status,
    /// Targets (one for `exact`/`via-history`/`unassured`/`broader`; several candidates for
    /// `ambiguous` and for reverse maps; none for `unmapped`/`drug`/`invalid-code`).
    pub targets: Vec<Target>,
    /// How it was reached.
    pub method: Method,
    /// Human-readable notes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

/// Patient context for ICD-10 map rules.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapContext {
    /// `female` / `male`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Current chronological age in years (rules on 424144002).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_years: Option<f64>,
    /// Age at onset in years (rules on 445518008); defaults to `age_years`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onset_age_years: Option<f64>,
    /// Other findings in the record (`IFA <concept>` clauses). `None`: unknown, such clauses
    /// evaluate as unknown; `Some(list)`: a clause is true when a listed concept is the named
    /// concept or a descendant of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<SctId>>,
}

/// Patient sex for `IFA 248152002 | Female |` / `IFA 248153007 | Male |`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// A rule's truth value given the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleValue {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Depends on context that was not given.
    Unknown,
    /// Not evaluated (a previous row of the group was chosen).
    Skipped,
}

/// One map row as evaluated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MapRow {
    /// mapPriority.
    pub priority: i64,
    /// mapRule (empty for UK rows).
    pub rule: String,
    /// mapAdvice.
    pub advice: String,
    /// mapTarget (empty: no code).
    pub target: String,
    /// correlationId.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation: Option<SctId>,
    /// mapCategoryId (International).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<SctId>,
    /// Rule evaluation.
    pub evaluation: RuleValue,
}

/// One map group: at most one target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MapGroup {
    /// mapGroup.
    pub group: i64,
    /// The chosen target (`None`: no code for this group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The chosen row's advice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    /// The chosen row's priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// True when a conditional row could not be evaluated for lack of context.
    pub context_dependent: bool,
    /// Every row of the group in priority order, with its evaluation.
    pub rows: Vec<MapRow>,
}

/// A UK map block: an alternative complete combination of groups.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MapBlock {
    /// mapBlock.
    pub block: i64,
    /// Its groups.
    pub groups: Vec<MapGroup>,
}

/// The result of mapping a concept through a complex/extended map refset (ICD-10).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MapResult {
    /// The concept asked about.
    pub concept: SctId,
    /// The map refset.
    pub refset: SctId,
    /// `exact`, `via-history`, `broader` (ancestor walk), `ambiguous` or `unmapped`.
    pub status: Status,
    /// The concept whose map rows were used (differs after history or the ancestor walk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapped_concept: Option<SctId>,
    /// True when the rows are the nearest mapped ancestor's.
    pub via_ancestor: bool,
    /// History steps followed for an inactive concept.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub history: Vec<HistoryStep>,
    /// The selected groups (International: the evaluated groups; UK: the first block).
    pub groups: Vec<MapGroup>,
    /// UK: every block (alternatives); empty for maps without `mapBlock`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub blocks: Vec<MapBlock>,
    /// Notes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
}

impl MapResult {
    /// The chosen target codes, one per group that yields one.
    pub fn codes(&self) -> Vec<&str> {
        self.groups.iter().filter_map(|g| g.target.as_deref()).collect()
    }
}

/// A raw member of any map refset, for generic forward and reverse lookups.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MapMember {
    /// Refset.
    pub refset: SctId,
    /// Referenced component (the SNOMED CT concept).
    pub concept: SctId,
    /// Its preferred term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_term: Option<String>,
    /// mapTarget.
    pub target: String,
    /// Every extra field by name (ids and integers as strings).
    pub fields: Vec<(String, String)>,
}

/// The HTTP request body for a single translation (`POST /v1/translate`), also usable as
/// query parameters.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TranslateRequest {
    /// Source system.
    pub from: System,
    /// Target system.
    pub to: System,
    /// The code (Read v2 `H33..` or `H33..00`, CTV3 `XE0Ub` or `XE0UbY900C`, SCTID).
    pub code: String,
    /// Term code / term id, when not in `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_code: Option<String>,
    /// Walk up the legacy hierarchy (or SNOMED CT is-a for ICD-10) when there is no map.
    #[serde(default)]
    pub broader: bool,
    /// ICD-10: `447562003` (default) or `999002271000000101` (UK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_refset: Option<SctId>,
    /// ICD-10 rule context.
    #[serde(default)]
    pub context: MapContext,
}

/// The HTTP response for a single translation: either kind of result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum TranslateResponse {
    /// Read v2 / CTV3 / SNOMED CT results.
    Code(Translation),
    /// ICD-10 and other map refset results.
    Map(MapResult),
}
