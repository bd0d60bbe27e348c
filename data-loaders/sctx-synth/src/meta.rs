//! Real metadata and top-level concepts, hierarchy "pools" and the concept model used to
//! shape the synthetic content.

use sctx_types::ids;

// Pools: branches of the hierarchy that grow generated concepts.
pub(crate) const FINDING: usize = 0;
pub(crate) const DISORDER: usize = 1;
pub(crate) const PROCEDURE: usize = 2;
pub(crate) const ANATOMY: usize = 3;
pub(crate) const MORPHOLOGY: usize = 4;
pub(crate) const SUBSTANCE: usize = 5;
pub(crate) const PRODUCT: usize = 6;
pub(crate) const ORGANISM: usize = 7;
pub(crate) const OBSERVABLE: usize = 8;
pub(crate) const QUALIFIER: usize = 9;
pub(crate) const SITUATION: usize = 10;
pub(crate) const EVENT: usize = 11;
pub(crate) const PHYSOBJ: usize = 12;
pub(crate) const ENVIRONMENT: usize = 13;
pub(crate) const SOCIAL: usize = 14;
pub(crate) const SPECIAL: usize = 15;
pub(crate) const SPECIMEN: usize = 16;
pub(crate) const STAGING: usize = 17;
pub(crate) const MODEL: usize = 18;
pub(crate) const FORCE: usize = 19;
pub(crate) const RECORD: usize = 20;
pub(crate) const N_POOLS: usize = 21;

/// A branch of the hierarchy that grows generated concepts. Its root is the fixed concept
/// whose growth-pool index (in [`FIXED`]) is the branch's index.
pub(crate) struct PoolDef {
    /// Semantic tag of generated concepts.
    pub tag: &'static str,
    /// Share of the generated International concepts.
    pub weight: f64,
    /// Head nouns for fresh names.
    pub heads: &'static [&'static str],
}

pub(crate) const POOLS: [PoolDef; N_POOLS] = [
    PoolDef {
        tag: "finding",
        weight: 0.125,
        heads: &[
            "finding",
            "pain",
            "swelling",
            "sign",
            "symptom",
            "observation",
            "tenderness",
            "discharge",
            "murmur",
            "reflex",
            "rash",
            "weakness",
            "cough",
            "fever",
            "bleeding",
            "numbness",
        ],
    },
    PoolDef {
        tag: "disorder",
        weight: 0.215,
        heads: &[
            "disorder",
            "disease",
            "syndrome",
            "lesion",
            "infection",
            "inflammation",
            "fracture",
            "injury",
            "deficiency",
            "abnormality",
            "ulcer",
            "cyst",
            "stenosis",
            "neoplasm",
            "carcinoma",
            "dysplasia",
            "hypertrophy",
            "atrophy",
            "malformation",
            "poisoning",
            "dislocation",
            "obstruction",
            "degeneration",
        ],
    },
    PoolDef {
        tag: "procedure",
        weight: 0.16,
        heads: &[
            "excision",
            "repair",
            "biopsy",
            "injection",
            "imaging",
            "examination",
            "resection",
            "transplantation",
            "reconstruction",
            "drainage",
            "incision",
            "implantation",
            "therapy",
            "assessment",
            "screening",
            "measurement",
            "ultrasonography",
            "radiography",
            "catheterization",
            "anastomosis",
            "removal",
            "insertion",
            "education",
            "referral",
        ],
    },
    PoolDef {
        tag: "body structure",
        weight: 0.09,
        heads: &[
            "structure",
            "bone",
            "artery",
            "vein",
            "nerve",
            "muscle",
            "ligament",
            "tendon",
            "joint",
            "gland",
            "lobe",
            "region",
            "surface",
            "wall",
            "cavity",
            "duct",
            "membrane",
            "cartilage",
            "segment",
        ],
    },
    PoolDef {
        tag: "morphologic abnormality",
        weight: 0.016,
        heads: &[
            "lesion",
            "neoplasm",
            "carcinoma",
            "inflammation",
            "necrosis",
            "fibrosis",
            "hyperplasia",
            "metaplasia",
            "adenoma",
            "sarcoma",
            "cyst",
            "ulcer",
            "fistula",
            "calculus",
            "haematoma",
        ],
    },
    PoolDef {
        tag: "substance",
        weight: 0.05,
        heads: &[
            "hydrochloride",
            "sodium",
            "acetate",
            "sulfate",
            "phosphate",
            "antibody",
            "enzyme",
            "protein",
            "hormone",
            "antigen",
            "toxin",
            "compound",
            "citrate",
            "oxide",
            "chloride",
        ],
    },
    PoolDef {
        tag: "medicinal product",
        weight: 0.045,
        heads: &[
            "tablet",
            "capsule",
            "solution",
            "suspension",
            "cream",
            "ointment",
            "injection",
            "inhaler",
            "patch",
            "drops",
            "syrup",
            "powder",
            "suppository",
            "spray",
        ],
    },
    PoolDef {
        tag: "organism",
        weight: 0.09,
        heads: &[
            "virus",
            "bacterium",
            "fungus",
            "species",
            "genus",
            "family",
            "strain",
            "serotype",
            "phage",
        ],
    },
    PoolDef {
        tag: "observable entity",
        weight: 0.03,
        heads: &[
            "level",
            "count",
            "concentration",
            "rate",
            "volume",
            "pressure",
            "score",
            "index",
            "ratio",
            "measurement",
            "time",
            "size",
        ],
    },
    PoolDef {
        tag: "qualifier value",
        weight: 0.03,
        heads: &[
            "type",
            "grade",
            "stage",
            "pattern",
            "form",
            "route",
            "method",
            "technique",
            "status",
            "category",
            "action",
            "approach",
        ],
    },
    PoolDef {
        tag: "situation",
        weight: 0.012,
        heads: &[
            "history",
            "suspected",
            "risk",
            "absence",
            "family history",
            "procedure declined",
            "not done",
            "contraindicated",
            "at risk",
        ],
    },
    PoolDef {
        tag: "event",
        weight: 0.01,
        heads: &[
            "accident",
            "exposure",
            "fall",
            "collision",
            "assault",
            "incident",
            "bite",
            "contact",
            "overdose",
        ],
    },
    PoolDef {
        tag: "physical object",
        weight: 0.04,
        heads: &[
            "device",
            "catheter",
            "implant",
            "prosthesis",
            "stent",
            "tube",
            "dressing",
            "instrument",
            "appliance",
            "splint",
            "pump",
            "monitor",
            "needle",
            "bag",
        ],
    },
    PoolDef {
        tag: "environment",
        weight: 0.005,
        heads: &[
            "unit",
            "ward",
            "clinic",
            "department",
            "centre",
            "home",
            "facility",
            "region",
            "service",
        ],
    },
    PoolDef {
        tag: "social concept",
        weight: 0.012,
        heads: &[
            "worker",
            "group",
            "relationship",
            "status",
            "officer",
            "practitioner",
            "community",
            "family",
            "occupation",
        ],
    },
    PoolDef {
        tag: "navigational concept",
        weight: 0.001,
        heads: &["concepts", "groupers", "categories"],
    },
    PoolDef {
        tag: "specimen",
        weight: 0.005,
        heads: &[
            "specimen",
            "sample",
            "swab",
            "aspirate",
            "biopsy sample",
            "fluid",
            "washings",
            "scraping",
        ],
    },
    PoolDef {
        tag: "assessment scale",
        weight: 0.004,
        heads: &[
            "scale",
            "score",
            "staging system",
            "questionnaire",
            "index",
            "classification",
            "inventory",
        ],
    },
    PoolDef {
        tag: "foundation metadata concept",
        weight: 0.004,
        heads: &["reference set", "attribute", "value", "type", "module"],
    },
    PoolDef {
        tag: "physical force",
        weight: 0.0005,
        heads: &["force", "radiation", "current", "pressure", "vibration", "heat"],
    },
    PoolDef {
        tag: "record artifact",
        weight: 0.004,
        heads: &[
            "record",
            "report",
            "letter",
            "summary",
            "note",
            "document",
            "form",
            "plan",
            "certificate",
        ],
    },
];

/// Which package a fixed concept belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// International clinical content (core module).
    Clin,
    /// International metadata (model component module).
    Meta,
    /// UK clinical extension metadata.
    Uk,
}

/// A real concept included verbatim: id, preferred term, semantic tag, parent, growth pool
/// (`-1` none), kind.
pub(crate) type FixedDef = (u64, &'static str, &'static str, u64, i8, Kind);

use Kind::{Clin, Meta, Uk};

const ATTR: &str = "attribute";
const FMC: &str = "foundation metadata concept";
const CMC: &str = "core metadata concept";

/// The fixed concepts, parents before children.
pub(crate) const FIXED: &[FixedDef] = &[
    (ids::ROOT, "SNOMED CT Concept", "SNOMED RT+CTV3", 0, -1, Clin),
    (404684003, "Clinical finding", "finding", ids::ROOT, FINDING as i8, Clin),
    (71388002, "Procedure", "procedure", ids::ROOT, PROCEDURE as i8, Clin),
    (123037004, "Body structure", "body structure", ids::ROOT, -1, Clin),
    (105590001, "Substance", "substance", ids::ROOT, SUBSTANCE as i8, Clin),
    (373873005, "Pharmaceutical / biologic product", "product", ids::ROOT, PRODUCT as i8, Clin),
    (410607006, "Organism", "organism", ids::ROOT, ORGANISM as i8, Clin),
    (363787002, "Observable entity", "observable entity", ids::ROOT, OBSERVABLE as i8, Clin),
    (362981000, "Qualifier value", "qualifier value", ids::ROOT, QUALIFIER as i8, Clin),
    (243796009, "Situation with explicit context", "situation", ids::ROOT, SITUATION as i8, Clin),
    (272379006, "Event", "event", ids::ROOT, EVENT as i8, Clin),
    (260787004, "Physical object", "physical object", ids::ROOT, PHYSOBJ as i8, Clin),
    (
        308916002,
        "Environment or geographical location",
        "environment / location",
        ids::ROOT,
        ENVIRONMENT as i8,
        Clin,
    ),
    (48176007, "Social context", "social concept", ids::ROOT, SOCIAL as i8, Clin),
    (370115009, "Special concept", "special concept", ids::ROOT, SPECIAL as i8, Clin),
    (123038009, "Specimen", "specimen", ids::ROOT, SPECIMEN as i8, Clin),
    (254291000, "Staging and scales", "staging scale", ids::ROOT, STAGING as i8, Clin),
    (900000000000441003, "SNOMED CT Model Component", "metadata", ids::ROOT, -1, Meta),
    (78621006, "Physical force", "physical force", ids::ROOT, FORCE as i8, Clin),
    (419891008, "Record artifact", "record artifact", ids::ROOT, RECORD as i8, Clin),
    // clinical anchors
    (64572001, "Disease", "disorder", 404684003, DISORDER as i8, Clin),
    (91723000, "Anatomical structure", "body structure", 123037004, ANATOMY as i8, Clin),
    (
        49755003,
        "Morphologically abnormal structure",
        "morphologic abnormality",
        123037004,
        MORPHOLOGY as i8,
        Clin,
    ),
    (248152002, "Female", "finding", 404684003, -1, Clin),
    (248153007, "Male", "finding", 404684003, -1, Clin),
    (7771000, "Left", "qualifier value", 362981000, QUALIFIER as i8, Clin),
    (24028007, "Right", "qualifier value", 362981000, QUALIFIER as i8, Clin),
    (51440002, "Right and left", "qualifier value", 362981000, QUALIFIER as i8, Clin),
    (272141005, "Severities", "qualifier value", 362981000, QUALIFIER as i8, Clin),
    (255604002, "Mild", "qualifier value", 272141005, QUALIFIER as i8, Clin),
    (6736007, "Moderate", "severity modifier", 272141005, QUALIFIER as i8, Clin),
    (24484000, "Severe", "severity modifier", 272141005, QUALIFIER as i8, Clin),
    (125676002, "Person", "person", 48176007, SOCIAL as i8, Clin),
    (
        445518008,
        "Age at onset of clinical finding",
        "observable entity",
        363787002,
        OBSERVABLE as i8,
        Clin,
    ),
    (
        424144002,
        "Current chronological age",
        "observable entity",
        363787002,
        OBSERVABLE as i8,
        Clin,
    ),
    // concept model
    (ids::CONCEPT_MODEL_ATTRIBUTE, "Concept model attribute", ATTR, 900000000000441003, -1, Meta),
    (
        ids::CONCEPT_MODEL_OBJECT_ATTRIBUTE,
        "Concept model object attribute",
        ATTR,
        ids::CONCEPT_MODEL_ATTRIBUTE,
        -1,
        Meta,
    ),
    (
        ids::CONCEPT_MODEL_DATA_ATTRIBUTE,
        "Concept model data attribute",
        ATTR,
        ids::CONCEPT_MODEL_ATTRIBUTE,
        -1,
        Meta,
    ),
    (ids::IS_A, "Is a", ATTR, ids::CONCEPT_MODEL_OBJECT_ATTRIBUTE, -1, Meta),
    (363698007, "Finding site", ATTR, 762705008, -1, Meta),
    (116676008, "Associated morphology", ATTR, 762705008, -1, Meta),
    (246075003, "Causative agent", ATTR, 762705008, -1, Meta),
    (370135005, "Pathological process", ATTR, 762705008, -1, Meta),
    (263502005, "Clinical course", ATTR, 762705008, -1, Meta),
    (246112005, "Severity", ATTR, 762705008, -1, Meta),
    (42752001, "Due to", ATTR, 762705008, -1, Meta),
    (116686009, "Has specimen", ATTR, 762705008, -1, Meta),
    (260686004, "Method", ATTR, 762705008, -1, Meta),
    (363704007, "Procedure site", ATTR, 762705008, -1, Meta),
    (405813007, "Procedure site - Direct", ATTR, 363704007, -1, Meta),
    (405815000, "Procedure device", ATTR, 762705008, -1, Meta),
    (363701004, "Direct substance", ATTR, 762705008, -1, Meta),
    (127489000, "Has active ingredient", ATTR, 762705008, -1, Meta),
    (762949000, "Has precise active ingredient", ATTR, 127489000, -1, Meta),
    (411116001, "Has manufactured dose form", ATTR, 762705008, -1, Meta),
    (732943007, "Has basis of strength substance", ATTR, 762705008, -1, Meta),
    (246093002, "Component", ATTR, 762705008, -1, Meta),
    (704319004, "Inheres in", ATTR, 762705008, -1, Meta),
    (370130000, "Property", ATTR, 762705008, -1, Meta),
    (370132008, "Scale type", ATTR, 762705008, -1, Meta),
    (408729009, "Finding context", ATTR, 762705008, -1, Meta),
    (408731000, "Temporal context", ATTR, 762705008, -1, Meta),
    (408732007, "Subject relationship context", ATTR, 762705008, -1, Meta),
    (246090004, "Associated finding", ATTR, 762705008, -1, Meta),
    (255234002, "After", ATTR, 762705008, -1, Meta),
    (370133003, "Specimen substance", ATTR, 762705008, -1, Meta),
    (118169006, "Specimen source topography", ATTR, 762705008, -1, Meta),
    (272741003, "Laterality", ATTR, 762705008, -1, Meta),
    (726542003, "Has disposition", ATTR, 762705008, -1, Meta),
    (738774007, "Is modification of", ATTR, 762705008, -1, Meta),
    (1142135004, "Has presentation strength numerator value", ATTR, 762706009, -1, Meta),
    (1142136003, "Has presentation strength denominator value", ATTR, 762706009, -1, Meta),
    (1142139005, "Count of base of active ingredient", ATTR, 762706009, -1, Meta),
    // foundation metadata: reference sets
    (900000000000454005, "Foundation metadata concept", FMC, 900000000000441003, MODEL as i8, Meta),
    (ids::REFSET, "Reference set", FMC, 900000000000454005, -1, Meta),
    (446609009, "Simple type reference set", FMC, ids::REFSET, -1, Meta),
    (723264001, "Lateralizable body structure reference set", FMC, 446609009, -1, Meta),
    (900000000000506000, "Language type reference set", FMC, ids::REFSET, -1, Meta),
    (
        900000000000507009,
        "English [International Organization for Standardization 639-1 code en] language reference set",
        FMC,
        900000000000506000,
        -1,
        Meta,
    ),
    (
        ids::GB_ENGLISH,
        "Great Britain English language reference set",
        FMC,
        900000000000507009,
        -1,
        Meta,
    ),
    (
        ids::US_ENGLISH,
        "United States of America English language reference set",
        FMC,
        900000000000507009,
        -1,
        Meta,
    ),
    (900000000000496009, "Simple map type reference set", FMC, ids::REFSET, -1, Meta),
    (ids::CTV3_SIMPLE_MAP, "CTV3 simple map reference set", FMC, 900000000000496009, -1, Meta),
    (447250001, "Complex map type reference set", FMC, ids::REFSET, -1, Meta),
    (609331003, "Extended map type reference set", FMC, ids::REFSET, -1, Meta),
    (ids::ICD10_MAP, "ICD-10 complex map reference set", FMC, 609331003, -1, Meta),
    (900000000000521006, "Association type reference set", FMC, ids::REFSET, -1, Meta),
    (
        ids::HISTORICAL_ASSOCIATION,
        "Historical association reference set",
        FMC,
        900000000000521006,
        -1,
        Meta,
    ),
    (ids::SAME_AS, "SAME AS association reference set", FMC, ids::HISTORICAL_ASSOCIATION, -1, Meta),
    (
        ids::REPLACED_BY,
        "REPLACED BY association reference set",
        FMC,
        ids::HISTORICAL_ASSOCIATION,
        -1,
        Meta,
    ),
    (
        ids::POSSIBLY_EQUIVALENT_TO,
        "POSSIBLY EQUIVALENT TO association reference set",
        FMC,
        ids::HISTORICAL_ASSOCIATION,
        -1,
        Meta,
    ),
    (ids::WAS_A, "WAS A association reference set", FMC, ids::HISTORICAL_ASSOCIATION, -1, Meta),
    (
        ids::SIMILAR_TO,
        "SIMILAR TO association reference set",
        FMC,
        ids::HISTORICAL_ASSOCIATION,
        -1,
        Meta,
    ),
    (
        ids::ALTERNATIVE,
        "ALTERNATIVE association reference set",
        FMC,
        ids::HISTORICAL_ASSOCIATION,
        -1,
        Meta,
    ),
    (
        ids::REFERS_TO,
        "REFERS TO concept association reference set",
        FMC,
        ids::HISTORICAL_ASSOCIATION,
        -1,
        Meta,
    ),
    (
        ids::MOVED_TO,
        "MOVED TO association reference set",
        FMC,
        ids::HISTORICAL_ASSOCIATION,
        -1,
        Meta,
    ),
    (
        ids::MOVED_FROM,
        "MOVED FROM association reference set",
        FMC,
        ids::HISTORICAL_ASSOCIATION,
        -1,
        Meta,
    ),
    (900000000000480006, "Attribute value type reference set", FMC, ids::REFSET, -1, Meta),
    (
        ids::CONCEPT_INACTIVATION_INDICATOR,
        "Concept inactivation indicator attribute value reference set",
        FMC,
        900000000000480006,
        -1,
        Meta,
    ),
    (
        ids::DESCRIPTION_INACTIVATION_INDICATOR,
        "Description inactivation indicator attribute value reference set",
        FMC,
        900000000000480006,
        -1,
        Meta,
    ),
    (ids::MODULE_DEPENDENCY_REFSET, "Module dependency reference set", FMC, ids::REFSET, -1, Meta),
    // core metadata
    (900000000000442005, "Core metadata concept", CMC, 900000000000454005, -1, Meta),
    (900000000000443000, "Module", CMC, 900000000000442005, -1, Meta),
    (
        900000000000445007,
        "International Health Terminology Standards Development Organisation maintained module",
        CMC,
        900000000000443000,
        -1,
        Meta,
    ),
    (ids::CORE_MODULE, "SNOMED CT core module", CMC, 900000000000445007, -1, Meta),
    (
        ids::MODEL_COMPONENT_MODULE,
        "SNOMED CT model component module",
        CMC,
        900000000000445007,
        -1,
        Meta,
    ),
    (
        ids::ICD10_MODULE,
        "SNOMED CT to ICD-10 rule-based mapping module",
        CMC,
        900000000000445007,
        -1,
        Meta,
    ),
    (900000000000446008, "Description type", CMC, 900000000000442005, -1, Meta),
    (ids::FSN, "Fully specified name", CMC, 900000000000446008, -1, Meta),
    (ids::SYNONYM, "Synonym", CMC, 900000000000446008, -1, Meta),
    (ids::DEFINITION, "Definition", CMC, 900000000000446008, -1, Meta),
    (900000000000444006, "Definition status", CMC, 900000000000442005, -1, Meta),
    (ids::PRIMITIVE, "Primitive", CMC, 900000000000444006, -1, Meta),
    (ids::DEFINED, "Defined", CMC, 900000000000444006, -1, Meta),
    (900000000000447004, "Case significance", CMC, 900000000000442005, -1, Meta),
    (CI, "Entire term case insensitive", CMC, 900000000000447004, -1, Meta),
    (
        900000000000020002,
        "Only initial character case insensitive",
        CMC,
        900000000000447004,
        -1,
        Meta,
    ),
    (CS, "Entire term case sensitive", CMC, 900000000000447004, -1, Meta),
    (900000000000449001, "Characteristic type", CMC, 900000000000442005, -1, Meta),
    (900000000000006009, "Defining relationship", CMC, 900000000000449001, -1, Meta),
    (ids::INFERRED, "Inferred relationship", CMC, 900000000000006009, -1, Meta),
    (ids::STATED, "Stated relationship", CMC, 900000000000006009, -1, Meta),
    (ids::ADDITIONAL, "Additional relationship", CMC, 900000000000449001, -1, Meta),
    (900000000000450001, "Modifier", CMC, 900000000000442005, -1, Meta),
    (ids::EXISTENTIAL, "Existential restriction modifier", CMC, 900000000000450001, -1, Meta),
    (900000000000511003, "Acceptability", CMC, 900000000000442005, -1, Meta),
    (ids::PREFERRED, "Preferred", CMC, 900000000000511003, -1, Meta),
    (ids::ACCEPTABLE, "Acceptable", CMC, 900000000000511003, -1, Meta),
    (900000000000481005, "Concept inactivation value", CMC, 900000000000442005, -1, Meta),
    (R_DUPLICATE, "Duplicate component", CMC, 900000000000481005, -1, Meta),
    (R_OUTDATED, "Outdated component", CMC, 900000000000481005, -1, Meta),
    (R_AMBIGUOUS, "Ambiguous component", CMC, 900000000000481005, -1, Meta),
    (R_ERRONEOUS, "Erroneous component", CMC, 900000000000481005, -1, Meta),
    (R_LIMITED, "Limited component", CMC, 900000000000481005, -1, Meta),
    (900000000000487009, "Component moved elsewhere", CMC, 900000000000481005, -1, Meta),
    (
        R_NONCONFORMANCE,
        "Nonconformance to editorial policy component",
        CMC,
        900000000000481005,
        -1,
        Meta,
    ),
    (900000000000493001, "Description inactivation value", CMC, 900000000000442005, -1, Meta),
    (R_CONCEPT_NON_CURRENT, "Concept non-current", CMC, 900000000000493001, -1, Meta),
    (
        447247004,
        "SNOMED CT source code to target map code correlation value",
        FMC,
        900000000000442005,
        -1,
        Meta,
    ),
    (
        CORRELATION_NOT_SPECIFIED,
        "SNOMED CT source code to target map code correlation not specified",
        FMC,
        447247004,
        -1,
        Meta,
    ),
    (447634004, "ICD-10 map category value", FMC, 900000000000442005, -1, Meta),
    (CAT_PROPER, "Map source concept is properly classified", FMC, 447634004, -1, Meta),
    (
        CAT_CANNOT,
        "Map source concept cannot be classified with available data",
        FMC,
        447634004,
        -1,
        Meta,
    ),
    (CAT_CONTEXT, "Map of source concept is context dependent", FMC, 447634004, -1, Meta),
    // UK clinical extension metadata
    (
        ids::NHS_CLINICAL_LANG,
        "National Health Service realm language reference set (clinical part)",
        FMC,
        900000000000507009,
        -1,
        Uk,
    ),
    (
        ids::NHS_PHARMACY_LANG,
        "National Health Service realm language reference set (pharmacy part)",
        FMC,
        900000000000507009,
        -1,
        Uk,
    ),
    (
        ids::UK_ICD10_MAP,
        "International Classification of Diseases, Tenth Revision, Fifth Edition, five character code United Kingdom complex map reference set",
        FMC,
        609331003,
        -1,
        Uk,
    ),
    (
        UKCL_MODULE,
        "SNOMED CT United Kingdom clinical extension module",
        CMC,
        900000000000443000,
        -1,
        Uk,
    ),
    (
        UKCL_REFSET_MODULE,
        "SNOMED CT United Kingdom clinical extension reference set module",
        CMC,
        900000000000443000,
        -1,
        Uk,
    ),
    (
        UKED_REFSET_MODULE,
        "SNOMED CT United Kingdom Edition reference set module",
        CMC,
        900000000000443000,
        -1,
        Uk,
    ),
    (
        UKDG_MODULE,
        "SNOMED CT United Kingdom drug extension module",
        CMC,
        900000000000443000,
        -1,
        Uk,
    ),
];

/// Case significance: entire term case insensitive.
pub(crate) const CI: u64 = 900000000000448009;
/// Case significance: entire term case sensitive.
pub(crate) const CS: u64 = 900000000000017005;
pub(crate) const R_DUPLICATE: u64 = 900000000000482003;
pub(crate) const R_OUTDATED: u64 = 900000000000483008;
pub(crate) const R_AMBIGUOUS: u64 = 900000000000484002;
pub(crate) const R_ERRONEOUS: u64 = 900000000000485001;
pub(crate) const R_LIMITED: u64 = 900000000000486000;
pub(crate) const R_NONCONFORMANCE: u64 = 723277005;
pub(crate) const R_CONCEPT_NON_CURRENT: u64 = 900000000000495008;
pub(crate) const CORRELATION_NOT_SPECIFIED: u64 = 447561005;
pub(crate) const CAT_PROPER: u64 = 447637006;
pub(crate) const CAT_CANNOT: u64 = 447638001;
pub(crate) const CAT_CONTEXT: u64 = 447639009;
pub(crate) const UKCL_MODULE: u64 = 999000011000000103;
pub(crate) const UKCL_REFSET_MODULE: u64 = 999000021000000109;
pub(crate) const UKED_REFSET_MODULE: u64 = 999000031000000106;
pub(crate) const UKDG_MODULE: u64 = 999000011000001104;
pub(crate) const LATERALIZABLE_REFSET: u64 = 723264001;
pub(crate) const SIMPLE_TYPE_REFSET: u64 = 446609009;

/// Attribute types used in relationships: id and value-range pools.
pub(crate) struct AttrDef {
    pub id: u64,
    pub ranges: &'static [usize],
}

pub(crate) const A_FINDING_SITE: u8 = 0;
pub(crate) const A_MORPHOLOGY: u8 = 1;
pub(crate) const A_CAUSATIVE: u8 = 2;
pub(crate) const A_PATH_PROCESS: u8 = 3;
pub(crate) const A_COURSE: u8 = 4;
pub(crate) const A_SEVERITY: u8 = 5;
pub(crate) const A_DUE_TO: u8 = 6;
pub(crate) const A_HAS_SPECIMEN: u8 = 7;
pub(crate) const A_METHOD: u8 = 8;
pub(crate) const A_PROC_SITE_DIRECT: u8 = 9;
pub(crate) const A_PROC_DEVICE: u8 = 10;
pub(crate) const A_DIRECT_SUBSTANCE: u8 = 11;
pub(crate) const A_ACTIVE_INGREDIENT: u8 = 12;
pub(crate) const A_DOSE_FORM: u8 = 13;
pub(crate) const A_BOSS: u8 = 14;
pub(crate) const A_COMPONENT: u8 = 15;
pub(crate) const A_INHERES_IN: u8 = 16;
pub(crate) const A_PROPERTY: u8 = 17;
pub(crate) const A_SCALE: u8 = 18;
pub(crate) const A_FINDING_CONTEXT: u8 = 19;
pub(crate) const A_TEMPORAL_CONTEXT: u8 = 20;
pub(crate) const A_SUBJECT_CONTEXT: u8 = 21;
pub(crate) const A_ASSOCIATED_FINDING: u8 = 22;
pub(crate) const A_AFTER: u8 = 23;
pub(crate) const A_SPECIMEN_SUBSTANCE: u8 = 24;
pub(crate) const A_SPECIMEN_TOPOGRAPHY: u8 = 25;
pub(crate) const A_LATERALITY: u8 = 26;
pub(crate) const A_DISPOSITION: u8 = 27;
pub(crate) const A_MODIFICATION_OF: u8 = 28;
pub(crate) const A_PRECISE_INGREDIENT: u8 = 29;

pub(crate) const ATTRS: &[AttrDef] = &[
    AttrDef { id: 363698007, ranges: &[ANATOMY] },
    AttrDef { id: 116676008, ranges: &[MORPHOLOGY] },
    AttrDef { id: 246075003, ranges: &[ORGANISM, ORGANISM, SUBSTANCE] },
    AttrDef { id: 370135005, ranges: &[QUALIFIER] },
    AttrDef { id: 263502005, ranges: &[QUALIFIER] },
    AttrDef { id: 246112005, ranges: &[QUALIFIER] },
    AttrDef { id: 42752001, ranges: &[DISORDER, FINDING] },
    AttrDef { id: 116686009, ranges: &[SPECIMEN] },
    AttrDef { id: 260686004, ranges: &[QUALIFIER] },
    AttrDef { id: 405813007, ranges: &[ANATOMY] },
    AttrDef { id: 405815000, ranges: &[PHYSOBJ] },
    AttrDef { id: 363701004, ranges: &[SUBSTANCE] },
    AttrDef { id: 127489000, ranges: &[SUBSTANCE] },
    AttrDef { id: 411116001, ranges: &[QUALIFIER] },
    AttrDef { id: 732943007, ranges: &[SUBSTANCE] },
    AttrDef { id: 246093002, ranges: &[SUBSTANCE] },
    AttrDef { id: 704319004, ranges: &[ANATOMY] },
    AttrDef { id: 370130000, ranges: &[QUALIFIER] },
    AttrDef { id: 370132008, ranges: &[QUALIFIER] },
    AttrDef { id: 408729009, ranges: &[QUALIFIER] },
    AttrDef { id: 408731000, ranges: &[QUALIFIER] },
    AttrDef { id: 408732007, ranges: &[SOCIAL] },
    AttrDef { id: 246090004, ranges: &[DISORDER, FINDING, PROCEDURE] },
    AttrDef { id: 255234002, ranges: &[PROCEDURE, EVENT] },
    AttrDef { id: 370133003, ranges: &[SUBSTANCE] },
    AttrDef { id: 118169006, ranges: &[ANATOMY] },
    AttrDef { id: 272741003, ranges: &[QUALIFIER] },
    AttrDef { id: 726542003, ranges: &[QUALIFIER] },
    AttrDef { id: 738774007, ranges: &[SUBSTANCE] },
    AttrDef { id: 762949000, ranges: &[SUBSTANCE] },
];

/// Concrete (data) attributes.
pub(crate) const C_NUMERATOR: u64 = 1142135004;
pub(crate) const C_DENOMINATOR: u64 = 1142136003;
pub(crate) const C_COUNT_OF_BASE: u64 = 1142139005;

/// One line of a concept-model template: attribute, probability, grouped?
pub(crate) type TemplateItem = (u8, f64, bool);

/// The concept-model template of a pool and the probability of a second role group.
pub(crate) fn template(pool: usize) -> (&'static [TemplateItem], f64) {
    match pool {
        FINDING => (
            &[(A_FINDING_SITE, 0.75, true), (A_SEVERITY, 0.05, false), (A_DUE_TO, 0.04, false)],
            0.1,
        ),
        DISORDER => (
            &[
                (A_FINDING_SITE, 0.9, true),
                (A_MORPHOLOGY, 0.85, true),
                (A_CAUSATIVE, 0.18, true),
                (A_PATH_PROCESS, 0.1, true),
                (A_COURSE, 0.12, false),
                (A_DUE_TO, 0.05, false),
            ],
            0.3,
        ),
        PROCEDURE => (
            &[
                (A_METHOD, 0.92, true),
                (A_PROC_SITE_DIRECT, 0.7, true),
                (A_DIRECT_SUBSTANCE, 0.15, true),
                (A_PROC_DEVICE, 0.12, true),
                (A_HAS_SPECIMEN, 0.05, false),
            ],
            0.25,
        ),
        ANATOMY => (&[(A_LATERALITY, 0.2, false)], 0.0),
        SUBSTANCE => (&[(A_DISPOSITION, 0.25, false), (A_MODIFICATION_OF, 0.15, false)], 0.0),
        PRODUCT => (
            &[
                (A_ACTIVE_INGREDIENT, 1.0, true),
                (A_PRECISE_INGREDIENT, 0.5, true),
                (A_BOSS, 0.5, true),
                (A_DOSE_FORM, 0.8, false),
            ],
            0.25,
        ),
        OBSERVABLE => (
            &[
                (A_COMPONENT, 0.8, false),
                (A_PROPERTY, 0.9, false),
                (A_SCALE, 0.7, false),
                (A_INHERES_IN, 0.4, false),
            ],
            0.0,
        ),
        SITUATION => (
            &[
                (A_ASSOCIATED_FINDING, 0.95, true),
                (A_FINDING_CONTEXT, 0.9, true),
                (A_TEMPORAL_CONTEXT, 0.9, true),
                (A_SUBJECT_CONTEXT, 0.9, true),
            ],
            0.05,
        ),
        EVENT => (&[(A_AFTER, 0.2, false), (A_CAUSATIVE, 0.15, true)], 0.0),
        SPECIMEN => {
            (&[(A_SPECIMEN_TOPOGRAPHY, 0.6, false), (A_SPECIMEN_SUBSTANCE, 0.35, false)], 0.0)
        }
        _ => (&[], 0.0),
    }
}

/// Release dates used for effective times: every January and July from 2002, then the
/// release date.
pub(crate) fn release_dates(last: u32) -> Vec<u32> {
    let mut v = Vec::new();
    for y in 2002..=2025u32 {
        for md in [131u32, 731] {
            let d = y * 10000 + md;
            if d < last {
                v.push(d);
            }
        }
    }
    v.push(last);
    v
}
