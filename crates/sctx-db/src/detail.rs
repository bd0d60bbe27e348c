//! The concept detail object of `sctx lookup` and `GET /v1/concepts/{id}`.

use std::collections::BTreeMap;

use sctx_store::{FieldValue, Store};
use sctx_types::{LanguagePreference, ids};
use serde::Serialize;

use crate::{Database, DbError};

/// A concept reference with its preferred term.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ConceptRef {
    /// SCTID (string).
    pub id: String,
    /// Preferred term in the requested language.
    pub preferred_term: Option<String>,
}

/// A description.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptionDetail {
    /// SCTID.
    pub id: String,
    /// The term.
    pub term: String,
    /// `fsn`, `synonym` or `definition`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Type id.
    pub type_id: String,
    /// Language code.
    pub language_code: String,
    /// Active.
    pub active: bool,
    /// Module.
    pub module_id: String,
    /// `YYYYMMDD`.
    pub effective_time: String,
    /// Case significance id.
    pub case_significance_id: String,
    /// Language refset id → `preferred` / `acceptable`.
    pub acceptability: BTreeMap<String, &'static str>,
}

/// One attribute.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeRef {
    /// The attribute type.
    #[serde(rename = "type")]
    pub type_: ConceptRef,
    /// The value concept (absent for concrete values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<ConceptRef>,
    /// A concrete value as in RF2 (`#500`, `"tablet"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concrete_value: Option<String>,
}

/// Attributes of one role group (0 = ungrouped).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeGroup {
    /// Role group number.
    pub group: u32,
    /// Its attributes.
    pub attributes: Vec<AttributeRef>,
}

/// Membership of the concept in a refset.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefsetMembership {
    /// The refset.
    pub refset: ConceptRef,
    /// Member id.
    pub member_id: String,
    /// Extra fields by name.
    pub fields: BTreeMap<String, String>,
}

/// A historical association.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationRef {
    /// Association refset id.
    pub refset_id: String,
    /// Name (`SAME AS`, `REPLACED BY`, ...).
    pub name: String,
    /// The other concept.
    pub concept: ConceptRef,
}

/// Historical associations both ways.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Histories {
    /// From this (inactive) concept to its replacements.
    pub outgoing: Vec<AssociationRef>,
    /// From inactive concepts to this one.
    pub incoming: Vec<AssociationRef>,
}

/// Everything about a concept.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConceptDetail {
    /// SCTID.
    pub id: String,
    /// Active.
    pub active: bool,
    /// `YYYYMMDD`.
    pub effective_time: String,
    /// Module.
    pub module_id: String,
    /// `primitive` or `defined`.
    pub definition_status: &'static str,
    /// Definition status id.
    pub definition_status_id: String,
    /// Fully specified name.
    pub fsn: Option<String>,
    /// Preferred term in the requested language.
    pub preferred_term: Option<String>,
    /// All descriptions.
    pub descriptions: Vec<DescriptionDetail>,
    /// Text definitions.
    pub text_definitions: Vec<DescriptionDetail>,
    /// Is-a parents.
    pub parents: Vec<ConceptRef>,
    /// Is-a children.
    pub children: Vec<ConceptRef>,
    /// Attributes by role group.
    pub attributes: Vec<AttributeGroup>,
    /// Refset memberships (active members, language refsets excluded).
    pub refsets: Vec<RefsetMembership>,
    /// Historical associations.
    pub historical_associations: Histories,
}

fn kind_of(type_id: u64) -> &'static str {
    match type_id {
        ids::FSN => "fsn",
        ids::SYNONYM => "synonym",
        ids::DEFINITION => "definition",
        _ => "other",
    }
}

fn acc_name(a: u64) -> &'static str {
    match a {
        ids::PREFERRED => "preferred",
        ids::ACCEPTABLE => "acceptable",
        _ => "other",
    }
}

/// `YYYYMMDD` or empty.
pub(crate) fn date(d: u32) -> String {
    if d == 0 { String::new() } else { format!("{d:08}") }
}

pub(crate) fn concept_ref(store: &Store, idx: u32, lang: &LanguagePreference) -> ConceptRef {
    ConceptRef {
        id: store.id_of(idx).to_string(),
        preferred_term: store.preferred_term(idx, lang).map(str::to_string),
    }
}

fn id_ref(store: &Store, id: u64, lang: &LanguagePreference) -> ConceptRef {
    match store.index_of(id) {
        Some(i) => concept_ref(store, i, lang),
        None => ConceptRef { id: id.to_string(), preferred_term: None },
    }
}

fn desc_detail(d: &sctx_store::DescriptionView<'_>) -> DescriptionDetail {
    DescriptionDetail {
        id: d.id.to_string(),
        term: d.term.to_string(),
        kind: kind_of(d.type_id),
        type_id: d.type_id.to_string(),
        language_code: d.language_code.to_string(),
        active: d.active,
        module_id: d.module.to_string(),
        effective_time: date(d.effective_time),
        case_significance_id: d.case_significance.to_string(),
        acceptability: d.acceptability().map(|(r, a)| (r.to_string(), acc_name(a))).collect(),
    }
}

impl Database {
    /// Everything about a concept given as an id string.
    pub fn lookup(&self, id: &str, lang: &LanguagePreference) -> Result<ConceptDetail, DbError> {
        let idx = self.concept_index(id)?;
        Ok(self.lookup_idx(idx, lang))
    }

    /// Everything about a concept by dense index.
    pub fn lookup_idx(&self, idx: u32, lang: &LanguagePreference) -> ConceptDetail {
        let s = &self.store;
        let c = s.concept(idx).expect("index from index_of");
        ConceptDetail {
            id: c.id.to_string(),
            active: c.active,
            effective_time: date(c.effective_time),
            module_id: c.module.to_string(),
            definition_status: if c.primitive { "primitive" } else { "defined" },
            definition_status_id: c.definition_status.to_string(),
            fsn: s.fsn(idx, lang).map(|d| d.term.to_string()),
            preferred_term: s.preferred_term(idx, lang).map(str::to_string),
            descriptions: self.description_details(idx),
            text_definitions: s.text_definitions(idx).map(|d| desc_detail(&d)).collect(),
            parents: s.parents(idx).iter().map(|&p| concept_ref(s, p, lang)).collect(),
            children: s.children(idx).iter().map(|&p| concept_ref(s, p, lang)).collect(),
            attributes: self.attribute_groups(idx, lang),
            refsets: self.refset_memberships(idx, lang),
            historical_associations: self.histories(idx, lang),
        }
    }

    /// A concept reference (id and preferred term) by dense index.
    pub fn concept_ref(&self, idx: u32, lang: &LanguagePreference) -> ConceptRef {
        concept_ref(&self.store, idx, lang)
    }

    /// A concept's descriptions with their language acceptability.
    pub fn description_details(&self, idx: u32) -> Vec<DescriptionDetail> {
        self.store.descriptions(idx).map(|d| desc_detail(&d)).collect()
    }

    /// Attributes (is-a excluded) and concrete values by role group.
    pub fn attribute_groups(&self, idx: u32, lang: &LanguagePreference) -> Vec<AttributeGroup> {
        let s = &self.store;
        let mut groups: BTreeMap<u32, Vec<AttributeRef>> = BTreeMap::new();
        for r in s.outbound(idx) {
            if s.id_of(r.type_idx) == ids::IS_A {
                continue;
            }
            groups.entry(r.group).or_default().push(AttributeRef {
                type_: concept_ref(s, r.type_idx, lang),
                value: Some(concept_ref(s, r.other, lang)),
                concrete_value: None,
            });
        }
        for cv in s.concrete(idx) {
            groups.entry(cv.group).or_default().push(AttributeRef {
                type_: concept_ref(s, cv.type_idx, lang),
                value: None,
                concrete_value: Some(cv.value.to_string()),
            });
        }
        groups.into_iter().map(|(group, attributes)| AttributeGroup { group, attributes }).collect()
    }

    /// Active refset memberships (language refsets excluded) with their fields.
    pub fn refset_memberships(&self, idx: u32, lang: &LanguagePreference) -> Vec<RefsetMembership> {
        let s = &self.store;
        s.members_for(s.id_of(idx))
            .filter(|m| m.active)
            .map(|m| RefsetMembership {
                refset: id_ref(s, m.refset, lang),
                member_id: m.uuid_string(),
                fields: m
                    .fields
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.to_string(),
                            match v {
                                FieldValue::Empty => String::new(),
                                v => v.to_string(),
                            },
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    /// Historical associations from and to a concept.
    pub fn histories(&self, idx: u32, lang: &LanguagePreference) -> Histories {
        let s = &self.store;
        let assoc = |(refset, other): (u64, u32)| AssociationRef {
            refset_id: refset.to_string(),
            name: ids::association_name(refset)
                .map(str::to_string)
                .or_else(|| {
                    s.index_of(refset).and_then(|i| s.preferred_term(i, lang)).map(str::to_string)
                })
                .unwrap_or_else(|| refset.to_string()),
            concept: concept_ref(s, other, lang),
        };
        Histories {
            outgoing: s.associations_from(idx).map(assoc).collect(),
            incoming: s.associations_to(idx).map(assoc).collect(),
        }
    }
}
