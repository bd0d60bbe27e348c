//! The archived layout of the three store files. Every record is plain numbers; text lives
//! in one string blob per archive and is addressed by (start, length), so validation at
//! open is a fast linear scan.
//!
//! Columns that take only a few distinct values (modules, description types, case
//! significance, definition status, acceptability, language codes, refsets) are stored in
//! the records as small codes into per-archive tables of the distinct values: a
//! description is 32 bytes instead of 56, a language membership 4 instead of 16, a concept
//! 16 instead of 32 and a refset member 40 instead of 56. Codes are given in order of
//! first appearance during the build; a release with more distinct values than a code
//! can hold is refused with [`crate::StoreError::TooMany`]. The archived structs are
//! `repr(C)` and every field is naturally aligned, with no implicit padding.

use rkyv::{Archive, Deserialize, Serialize};

/// Format version of the database directory. Bump on any change to these types.
///
/// 2: coded modules, description types, case significance, definition status,
/// acceptability, language codes and refsets (smaller records).
pub const FORMAT_VERSION: u32 = 2;

/// Concept flag: active.
pub const FLAG_ACTIVE: u8 = 1;
/// Concept flag: primitive (not fully defined).
pub const FLAG_PRIMITIVE: u8 = 2;

/// A concept (16 bytes).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
pub struct ConceptRec {
    /// SCTID.
    pub id: u64,
    /// `YYYYMMDD`.
    pub effective_time: u32,
    /// Module: index into [`CoreArchive::modules`].
    pub module: u16,
    /// Definition status: index into [`CoreArchive::definition_statuses`].
    pub definition_status: u8,
    /// [`FLAG_ACTIVE`] | [`FLAG_PRIMITIVE`].
    pub flags: u8,
}

/// A description or text definition (32 bytes).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
pub struct DescRec {
    /// SCTID.
    pub id: u64,
    /// Dense index of the concept.
    pub concept: u32,
    /// `YYYYMMDD`.
    pub effective_time: u32,
    /// Term start in the text blob.
    pub term_start: u32,
    /// Term length in bytes.
    pub term_len: u32,
    /// Module: index into [`CoreArchive::modules`].
    pub module: u16,
    /// Language code: index into [`CoreArchive::languages`].
    pub language: u16,
    /// Type (FSN / synonym / definition): index into [`CoreArchive::desc_types`].
    pub type_id: u8,
    /// Case significance: index into [`CoreArchive::case_significances`].
    pub case_significance: u8,
    /// 1 = active.
    pub active: u8,
    /// Always 0 (keeps the record free of padding).
    pub reserved: u8,
}

/// Membership of a description in a language refset (4 bytes).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
#[rkyv(derive(Debug))]
pub struct LangRec {
    /// Language refset: index into [`CoreArchive::language_refsets`].
    pub refset: u16,
    /// Acceptability (preferred / acceptable): index into [`CoreArchive::acceptabilities`].
    pub acceptability: u16,
}

/// Concepts, descriptions, language acceptability, text definitions.
#[derive(Archive, Serialize, Deserialize, Debug, Default)]
pub struct CoreArchive {
    /// Concepts sorted by id; position = dense index.
    pub concepts: Vec<ConceptRec>,
    /// The same ids alone, for binary search.
    pub concept_ids: Vec<u64>,
    /// Per concept `[off[i], off[i+1])` into `descriptions`.
    pub desc_off: Vec<u32>,
    /// Descriptions grouped by concept.
    pub descriptions: Vec<DescRec>,
    /// Description ids sorted, and the description index of each.
    pub desc_ids: Vec<u64>,
    /// Parallel to `desc_ids`.
    pub desc_idx: Vec<u32>,
    /// Per description, into `lang`.
    pub lang_off: Vec<u32>,
    /// Language memberships (active only).
    pub lang: Vec<LangRec>,
    /// Per concept, into `definitions`.
    pub def_off: Vec<u32>,
    /// Text definitions grouped by concept.
    pub definitions: Vec<DescRec>,
    /// Every language refset of the release, sorted; [`LangRec::refset`] indexes it.
    pub language_refsets: Vec<u64>,
    /// Parallel to `language_refsets`: the number of its active members in `lang`.
    pub language_members: Vec<u32>,
    /// Acceptability ids by code ([`LangRec::acceptability`]).
    pub acceptabilities: Vec<u64>,
    /// Module ids of concepts, descriptions and text definitions, by code.
    pub modules: Vec<u64>,
    /// Definition status ids by code ([`ConceptRec::definition_status`]).
    pub definition_statuses: Vec<u64>,
    /// Description type ids by code ([`DescRec::type_id`]).
    pub desc_types: Vec<u64>,
    /// Case significance ids by code ([`DescRec::case_significance`]).
    pub case_significances: Vec<u64>,
    /// Language codes by code ([`DescRec::language`]).
    pub languages: Vec<String>,
    /// All text.
    pub text: String,
}

/// An attribute relationship, stored per source (outbound) and per destination (inbound).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RelRec {
    /// Dense index of the type.
    pub type_idx: u32,
    /// Dense index of the other end.
    pub other: u32,
    /// Role group.
    pub group: u32,
}

/// A concrete value.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
pub struct ConcreteRec {
    /// Dense index of the type.
    pub type_idx: u32,
    /// Role group.
    pub group: u32,
    /// Value start in `concrete_text`.
    pub start: u32,
    /// Value length.
    pub len: u32,
}

/// The graph: is-a, transitive closure, attributes, concrete values.
#[derive(Archive, Serialize, Deserialize, Debug, Default)]
pub struct GraphArchive {
    /// Per concept, into `parents`.
    pub parent_off: Vec<u32>,
    /// Active inferred is-a parents.
    pub parents: Vec<u32>,
    /// Per concept, into `children`.
    pub child_off: Vec<u32>,
    /// Children.
    pub children: Vec<u32>,
    /// Per concept, into `ancestors`.
    pub anc_off: Vec<u32>,
    /// Proper ancestors, sorted.
    pub ancestors: Vec<u32>,
    /// Per concept, into `descendants`.
    pub desc_off: Vec<u32>,
    /// Proper descendants, sorted.
    pub descendants: Vec<u32>,
    /// Per concept, into `out_rels`.
    pub out_off: Vec<u32>,
    /// Outbound active inferred relationships (is-a included), sorted by (group, type).
    pub out_rels: Vec<RelRec>,
    /// Per concept, into `in_rels`.
    pub in_off: Vec<u32>,
    /// Inbound relationships (`other` = source).
    pub in_rels: Vec<RelRec>,
    /// Per concept, into `concrete`.
    pub concrete_off: Vec<u32>,
    /// Concrete values.
    pub concrete: Vec<ConcreteRec>,
    /// Concrete value text.
    pub concrete_text: String,
}

/// A refset.
#[derive(Archive, Serialize, Deserialize, Debug, Clone)]
pub struct RefsetRec {
    /// Refset id.
    pub id: u64,
    /// Members `[member_start, member_end)`.
    pub member_start: u32,
    /// End of members.
    pub member_end: u32,
    /// Active members.
    pub active_members: u32,
    /// Pattern letters.
    pub pattern: String,
    /// Refset type name from the file name.
    pub summary: String,
    /// Extra column names.
    pub field_names: Vec<String>,
}

/// Field tags.
pub const FIELD_EMPTY: u32 = 0;
/// An id.
pub const FIELD_ID: u32 = 1;
/// An integer.
pub const FIELD_INT: u32 = 2;
/// A string.
pub const FIELD_STR: u32 = 3;

/// A refset member (40 bytes).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
pub struct MemberRec {
    /// UUID high half.
    pub uuid_hi: u64,
    /// UUID low half.
    pub uuid_lo: u64,
    /// Referenced component.
    pub referenced: u64,
    /// Refset: index into [`RefsetArchive::member_refsets`] (32 bits: there are no more
    /// refsets than members, whose count is already bounded by `u32`).
    pub refset: u32,
    /// `YYYYMMDD`.
    pub effective_time: u32,
    /// Fields `[field_start, field_start + field_len)`.
    pub field_start: u32,
    /// Module: index into [`RefsetArchive::modules`].
    pub module: u16,
    /// Number of fields.
    pub field_len: u8,
    /// 1 = active.
    pub active: u8,
}

/// One extra column value.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
pub struct FieldRec {
    /// [`FIELD_EMPTY`], [`FIELD_ID`], [`FIELD_INT`] or [`FIELD_STR`].
    pub tag: u32,
    /// String length (for strings).
    pub len: u32,
    /// Id, integer (as two's complement) or string start.
    pub value: u64,
}

/// A historical association between concepts (8 bytes).
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
pub struct AssocRec {
    /// Association refset: index into [`RefsetArchive::member_refsets`].
    pub refset: u32,
    /// The other concept's dense index.
    pub other: u32,
}

/// Every non-language refset with members and fields, indexes by component, and
/// historical associations between concepts.
#[derive(Archive, Serialize, Deserialize, Debug, Default)]
pub struct RefsetArchive {
    /// Refsets sorted by id.
    pub refsets: Vec<RefsetRec>,
    /// Members sorted by (refset, referenced component).
    pub members: Vec<MemberRec>,
    /// The refsets that have members, sorted, by code ([`MemberRec::refset`],
    /// [`AssocRec::refset`]).
    pub member_refsets: Vec<u64>,
    /// Module ids of members, by code ([`MemberRec::module`]).
    pub modules: Vec<u64>,
    /// Field values.
    pub fields: Vec<FieldRec>,
    /// Field text.
    pub text: String,
    /// Referenced component ids, sorted, with the member index of each.
    pub by_component: Vec<u64>,
    /// Parallel to `by_component`.
    pub by_component_member: Vec<u32>,
    /// Per concept, into `assoc_out` (active associations from the concept).
    pub assoc_out_off: Vec<u32>,
    /// Outbound associations.
    pub assoc_out: Vec<AssocRec>,
    /// Per concept, into `assoc_in`.
    pub assoc_in_off: Vec<u32>,
    /// Inbound associations.
    pub assoc_in: Vec<AssocRec>,
    /// Member indices for the map-target fst.
    pub target_postings: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, size_of};

    /// The archived records have the sizes the format documents, with no padding.
    #[test]
    fn record_sizes() {
        assert_eq!(size_of::<ArchivedConceptRec>(), 16);
        assert_eq!(size_of::<ArchivedDescRec>(), 32);
        assert_eq!(size_of::<ArchivedLangRec>(), 4);
        assert_eq!(size_of::<ArchivedMemberRec>(), 40);
        assert_eq!(size_of::<ArchivedAssocRec>(), 8);
        assert_eq!(align_of::<ArchivedDescRec>(), 8);
    }
}
