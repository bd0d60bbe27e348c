//! Well-known SNOMED CT metadata concept ids (raw `u64`).

/// SNOMED CT Concept (root).
pub const ROOT: u64 = 138875005;
/// Is a.
pub const IS_A: u64 = 116680003;
/// Concept model attribute.
pub const CONCEPT_MODEL_ATTRIBUTE: u64 = 410662002;
/// Concept model object attribute.
pub const CONCEPT_MODEL_OBJECT_ATTRIBUTE: u64 = 762705008;
/// Concept model data attribute.
pub const CONCEPT_MODEL_DATA_ATTRIBUTE: u64 = 762706009;
/// Core module; also the International edition's module id.
pub const CORE_MODULE: u64 = 900000000000207008;
/// Model component module.
pub const MODEL_COMPONENT_MODULE: u64 = 900000000000012004;
/// ICD-10 mapping module (not an edition).
pub const ICD10_MODULE: u64 = 449080006;
/// Primitive definition status.
pub const PRIMITIVE: u64 = 900000000000074008;
/// Fully defined definition status.
pub const DEFINED: u64 = 900000000000073002;
/// Fully specified name description type.
pub const FSN: u64 = 900000000000003001;
/// Synonym description type.
pub const SYNONYM: u64 = 900000000000013009;
/// Definition description type.
pub const DEFINITION: u64 = 900000000000550004;
/// Preferred acceptability.
pub const PREFERRED: u64 = 900000000000548007;
/// Acceptable acceptability.
pub const ACCEPTABLE: u64 = 900000000000549004;
/// GB English language refset.
pub const GB_ENGLISH: u64 = 900000000000508004;
/// US English language refset.
pub const US_ENGLISH: u64 = 900000000000509007;
/// NHS realm language refset, clinical part.
pub const NHS_CLINICAL_LANG: u64 = 999001261000000100;
/// NHS realm language refset, pharmacy part.
pub const NHS_PHARMACY_LANG: u64 = 999000691000001104;
/// Inferred relationship.
pub const INFERRED: u64 = 900000000000011006;
/// Stated relationship.
pub const STATED: u64 = 900000000000010007;
/// Additional relationship.
pub const ADDITIONAL: u64 = 900000000000227009;
/// Existential modifier.
pub const EXISTENTIAL: u64 = 900000000000451002;
/// Reference set (parent of all refsets).
pub const REFSET: u64 = 900000000000455006;
/// Module dependency refset.
pub const MODULE_DEPENDENCY_REFSET: u64 = 900000000000534007;
/// OWL axiom refset.
pub const OWL_AXIOM_REFSET: u64 = 733073007;
/// OWL ontology refset.
pub const OWL_ONTOLOGY_REFSET: u64 = 762103008;
/// Historical association refset (parent).
pub const HISTORICAL_ASSOCIATION: u64 = 900000000000522004;
/// SAME AS association refset.
pub const SAME_AS: u64 = 900000000000527005;
/// REPLACED BY association refset.
pub const REPLACED_BY: u64 = 900000000000526001;
/// POSSIBLY EQUIVALENT TO association refset.
pub const POSSIBLY_EQUIVALENT_TO: u64 = 900000000000523009;
/// WAS A association refset.
pub const WAS_A: u64 = 900000000000528000;
/// SIMILAR TO association refset.
pub const SIMILAR_TO: u64 = 900000000000529008;
/// ALTERNATIVE association refset.
pub const ALTERNATIVE: u64 = 900000000000530003;
/// REFERS TO association refset (descriptions).
pub const REFERS_TO: u64 = 900000000000531004;
/// MOVED TO association refset.
pub const MOVED_TO: u64 = 900000000000524003;
/// MOVED FROM association refset.
pub const MOVED_FROM: u64 = 900000000000525002;
/// POSSIBLY REPLACED BY association refset.
pub const POSSIBLY_REPLACED_BY: u64 = 1186921001;
/// PARTIALLY EQUIVALENT TO association refset.
pub const PARTIALLY_EQUIVALENT_TO: u64 = 1186924009;
/// Concept inactivation indicator refset.
pub const CONCEPT_INACTIVATION_INDICATOR: u64 = 900000000000489007;
/// Description inactivation indicator refset.
pub const DESCRIPTION_INACTIVATION_INDICATOR: u64 = 900000000000490003;
/// CTV3 simple map refset.
pub const CTV3_SIMPLE_MAP: u64 = 900000000000497000;
/// International ICD-10 complex (extended) map refset.
pub const ICD10_MAP: u64 = 447562003;
/// UK ICD-10 5th edition complex map refset.
pub const UK_ICD10_MAP: u64 = 999002271000000101;
/// UK OPCS-4.9 complex map refset.
pub const UK_OPCS49_MAP: u64 = 1126441000000105;
/// Role group attribute (OWL).
pub const ROLE_GROUP: u64 = 609096000;

/// The historical association refsets sctx knows by name, with the name used in JSON.
pub const HISTORICAL_ASSOCIATIONS: &[(u64, &str)] = &[
    (SAME_AS, "SAME AS"),
    (REPLACED_BY, "REPLACED BY"),
    (POSSIBLY_EQUIVALENT_TO, "POSSIBLY EQUIVALENT TO"),
    (WAS_A, "WAS A"),
    (SIMILAR_TO, "SIMILAR TO"),
    (ALTERNATIVE, "ALTERNATIVE"),
    (REFERS_TO, "REFERS TO"),
    (MOVED_TO, "MOVED TO"),
    (MOVED_FROM, "MOVED FROM"),
    (POSSIBLY_REPLACED_BY, "POSSIBLY REPLACED BY"),
    (PARTIALLY_EQUIVALENT_TO, "PARTIALLY EQUIVALENT TO"),
];

/// The display name of a historical association refset, if it is one.
pub fn association_name(refset: u64) -> Option<&'static str> {
    HISTORICAL_ASSOCIATIONS.iter().find(|(id, _)| *id == refset).map(|(_, n)| *n)
}
