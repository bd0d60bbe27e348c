//! The abstract terminology backend the evaluator runs against.

/// A relationship seen from one concept. `other` is the destination for
/// [`EclBackend::outbound`] and the source for [`EclBackend::inbound`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rel {
    /// Index of the attribute type concept.
    pub type_idx: u32,
    /// Index of the other end.
    pub other: u32,
    /// Role group number (0 = ungrouped).
    pub group: u16,
}

/// A concrete relationship value.
#[derive(Debug, Clone, PartialEq)]
pub enum ConcreteValue {
    /// `#123`
    Integer(i64),
    /// `#1.5`
    Decimal(f64),
    /// `"text"`
    String(String),
    /// `true` / `false`
    Boolean(bool),
}

/// A concrete-valued relationship of a concept.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcreteRel {
    /// Index of the attribute type concept.
    pub type_idx: u32,
    /// Role group number.
    pub group: u16,
    /// The value.
    pub value: ConcreteValue,
}

/// A description of a concept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescriptionView<'a> {
    /// Description id.
    pub id: u64,
    /// Whether the description is active.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// Effective time as `YYYYMMDD` (0 when unpublished).
    pub effective_time: u32,
    /// ISO 639-1 language code.
    pub language_code: &'a str,
    /// Description type id (FSN, synonym, definition).
    pub type_id: u64,
    /// The term.
    pub term: &'a str,
    /// Active language refset memberships: (language refset id, preferred?).
    pub acceptability: Vec<(u64 /*lang refset*/, bool /*preferred*/)>,
}

/// A refset member field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// A component id (SCTID).
    Id(u64),
    /// An integer.
    Integer(i64),
    /// A string.
    String(&'a str),
}

/// A refset member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView<'a> {
    /// Member UUID, if known.
    pub id: Option<&'a str>,
    /// Refset id.
    pub refset: u64,
    /// Referenced component id (concept, description, ...).
    pub referenced_component: u64,
    /// Whether the member is active.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// Effective time as `YYYYMMDD`.
    pub effective_time: u32,
    /// The refset's extra columns by header name.
    pub fields: Vec<(&'a str, FieldValue<'a>)>, // fields = the refset's extra columns by header name
}

/// The terminology store as seen by the ECL evaluator.
///
/// Concepts are addressed by dense `u32` indices in `0..concept_count()`.
/// Sets of concepts are `roaring::RoaringBitmap`s of indices.
pub trait EclBackend {
    /// Number of concepts (active and inactive); indices are `0..concept_count()`.
    fn concept_count(&self) -> u32;
    /// Index of a concept id, if the concept exists.
    fn index_of(&self, id: u64) -> Option<u32>;
    /// Concept id of an index.
    fn id_of(&self, idx: u32) -> u64;
    /// Whether the concept is active.
    fn is_active(&self, idx: u32) -> bool;
    /// Module id of the concept.
    fn module(&self, idx: u32) -> u64;
    /// Effective time (`YYYYMMDD`) of the concept.
    fn effective_time(&self, idx: u32) -> u32;
    /// Whether the concept is primitive (vs fully defined).
    fn is_primitive(&self, idx: u32) -> bool;
    /// Active inferred is-a parents.
    fn parents(&self, idx: u32) -> &[u32]; // active inferred is-a
    /// Active inferred is-a children.
    fn children(&self, idx: u32) -> &[u32];
    /// Transitive ancestors, sorted ascending, excluding `idx`.
    fn ancestors(&self, idx: u32) -> &[u32]; // sorted ascending, excludes idx
    /// Transitive descendants, sorted ascending, excluding `idx`.
    fn descendants(&self, idx: u32) -> &[u32]; // sorted ascending, excludes idx
    /// Active inferred attribute relationships from the concept, including is-a (116680003).
    fn outbound(&self, idx: u32) -> Vec<Rel>; // active inferred attribute relationships incl. is-a (type 116680003)
    /// Active inferred relationships whose destination is the concept (`other` = source).
    fn inbound(&self, idx: u32) -> Vec<Rel>; // same, by destination
    /// Active concrete-valued relationships of the concept.
    fn concrete(&self, idx: u32) -> Vec<ConcreteRel>;
    /// All descriptions of the concept (active and inactive).
    fn descriptions(&self, idx: u32) -> Vec<DescriptionView<'_>>;
    /// [`Self::descriptions`] for a description filter that may not read `acceptability`
    /// (`acceptability == false`: it may be left empty, sparing the language refset
    /// look-ups). The default answers [`Self::descriptions`].
    fn filter_descriptions(&self, idx: u32, acceptability: bool) -> Vec<DescriptionView<'_>> {
        let _ = acceptability;
        self.descriptions(idx)
    }
    /// All members (active and inactive) of a refset; empty when `refset_id` is not a refset.
    fn refset_members(&self, refset_id: u64) -> Vec<MemberView<'_>>; // all members (active and inactive) of a refset
    /// Refsets with an active member referencing the concept (for `^R`).
    fn member_refsets(&self, idx: u32) -> Vec<u64>; // refsets with an active member referencing the concept (for ^R)
    /// Active historical associations from an inactive concept: (association refset, target).
    fn associations(&self, idx: u32) -> Vec<(u64 /*assoc refset*/, u32 /*target idx*/)>; // active historical associations from an inactive concept
    /// Reverse of [`EclBackend::associations`]: inactive concepts pointing at `target_idx`.
    fn association_sources(&self, target_idx: u32) -> Vec<(u64, u32 /*source idx*/)>; // reverse: inactive concepts pointing at target
    /// Resolve an alternate identifier (`scheme#code`) to concepts.
    fn alternate_identifier(&self, scheme: &str, code: &str) -> Option<Vec<u32>> {
        let _ = (scheme, code);
        None
    }
    /// All refset ids that have members, if the backend can list them cheaply
    /// (used to speed up `^ *` and `^ << X`). `None` means unknown.
    fn refset_ids(&self) -> Option<Vec<u64>> {
        None
    }
    /// The set of active concept indices, if the backend keeps one (otherwise
    /// the evaluator computes it with [`EclBackend::is_active`]).
    fn active_concepts(&self) -> Option<&roaring::RoaringBitmap> {
        None
    }
    /// Resolve a dialect alias (e.g. `en-gb`) to a language refset id. The
    /// evaluator falls back to a built-in table (ECL spec Appendix C) when
    /// this returns `None`.
    /// The concepts referenced by active members of a refset, when the backend can give
    /// them without materialising every member (a fast path for `^ R` without member
    /// filters or field selection). `None` falls back to [`EclBackend::refset_members`].
    fn active_member_concepts(&self, refset_id: u64) -> Option<roaring::RoaringBitmap> {
        let _ = refset_id;
        None
    }
    fn dialect_alias(&self, alias: &str) -> Option<u64> {
        let _ = alias;
        None
    }
}
