//! `ConceptMap/$translate` over implicit SNOMED concept maps (`?fhir_cm=`): historical
//! associations, simple maps (CTV3), extended and complex maps (ICD-10).

use sctx_db::Database;
use sctx_store::{FieldValue, Store};
use sctx_types::{LanguagePreference, ids};
use serde_json::{Value, json};

use super::{Ctx, Oo, Params, SCT, concept_idx, default_edition, display, is_snomed, parameters};

/// Read v2 code system URI.
pub(crate) const READ_V2: &str = "http://read.info/readv2";
/// CTV3 code system URI.
pub(crate) const CTV3: &str = "http://read.info/ctv3";

/// A match from a legacy (Read v2 / CTV3) code to SNOMED CT.
#[derive(Debug, Clone)]
pub(crate) struct LegacyMatch {
    /// The SNOMED CT concept.
    pub concept_id: u64,
    /// R4 equivalence (`equivalent`, `wider`, ...).
    pub equivalence: &'static str,
    /// The map the match came from (a URI).
    pub source: String,
}

/// Translates a Read v2 or CTV3 code (`system` is [`READ_V2`] or [`CTV3`]) to SNOMED CT
/// concepts through the NHS Data Migration maps compiled into the database. Equivalence
/// follows the translation status: `exact` → equivalent, `via-history` → equivalent (the map
/// target was retired and replaced), `unassured` → inexact, `ambiguous` → inexact (one per
/// candidate), `broader` → wider; unmapped and drug codes give no match.
pub(crate) fn legacy_to_snomed(
    db: &Database,
    system: &str,
    code: &str,
) -> Result<Vec<LegacyMatch>, Oo> {
    use sctx_db::sctx_translate::Status;
    let Some(sys) = sctx_db::legacy_system(system) else {
        return Err(Oo::not_supported(format!("{system} is not a legacy code system")));
    };
    if db.legacy().is_none() {
        return Err(Oo::not_supported(format!(
            "Translation from {system} (code '{code}') to SNOMED CT is not available: this database has no Read v2 / CTV3 tables"
        )));
    }
    let t = db
        .translator(&sctx_types::LanguagePreference::en_gb())
        .legacy_to_sct(sys, code, None, false);
    let equivalence = match t.status {
        Status::Exact | Status::ViaHistory => "equivalent",
        Status::Unassured | Status::Ambiguous => "inexact",
        Status::Broader => "wider",
        _ => return Ok(Vec::new()),
    };
    let source = t.method.table.clone().unwrap_or_default();
    Ok(t.targets
        .iter()
        .filter_map(|x| x.code.parse::<u64>().ok())
        .map(|concept_id| LegacyMatch { concept_id, equivalence, source: source.clone() })
        .collect())
}

/// How a refset maps.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Association(&'static str),
    Map { target_system: &'static str, complex: bool },
}

fn association_equivalence(refset: u64) -> Option<&'static str> {
    Some(match refset {
        ids::SAME_AS => "equal",
        ids::REPLACED_BY => "equivalent",
        ids::POSSIBLY_EQUIVALENT_TO => "inexact",
        ids::ALTERNATIVE => "inexact",
        ids::POSSIBLY_REPLACED_BY => "inexact",
        ids::PARTIALLY_EQUIVALENT_TO => "inexact",
        ids::SIMILAR_TO => "inexact",
        ids::WAS_A => "wider",
        ids::REFERS_TO | ids::MOVED_TO | ids::MOVED_FROM => "relatedto",
        _ if ids::HISTORICAL_ASSOCIATIONS.iter().any(|(r, _)| *r == refset) => "relatedto",
        _ => return None,
    })
}

fn map_target_system(refset: u64) -> &'static str {
    match refset {
        ids::ICD10_MAP => "http://hl7.org/fhir/sid/icd-10",
        ids::UK_ICD10_MAP => "http://hl7.org/fhir/sid/icd-10-uk",
        ids::UK_OPCS49_MAP => "http://hl7.org/fhir/sid/opcs-4",
        ids::CTV3_SIMPLE_MAP => CTV3,
        446608001 => "http://hl7.org/fhir/sid/icd-o",
        6011000124106 => "http://hl7.org/fhir/sid/icd-10-cm",
        _ => "",
    }
}

fn kind(store: &Store, refset: u64) -> Option<Kind> {
    if let Some(e) = association_equivalence(refset) {
        return Some(Kind::Association(e));
    }
    let info = store.refset(refset)?;
    if !info.field_names.contains(&"mapTarget") {
        return None;
    }
    let complex = info.field_names.contains(&"mapGroup");
    let ts = map_target_system(refset);
    Some(Kind::Map { target_system: if ts.is_empty() { "" } else { ts }, complex })
}

fn target_system_of(refset: u64, k: Kind) -> String {
    match k {
        Kind::Association(_) => SCT.to_string(),
        Kind::Map { target_system, .. } if !target_system.is_empty() => target_system.to_string(),
        Kind::Map { .. } => format!("http://snomed.info/id/{refset}"),
    }
}

fn correlation(id: u64) -> &'static str {
    match id {
        447561005 | 1193552004 => "unmatched",
        447560006 | 1193550007 => "inexact",
        447559001 | 1193547009 => "narrower",
        447558009 | 1193549007 => "wider",
        447557004 | 1193548004 => "equal",
        447556008 | 1193551006 => "disjoint",
        _ => "relatedto",
    }
}

fn field_text(v: Option<FieldValue<'_>>) -> Option<String> {
    match v {
        None | Some(FieldValue::Empty) => None,
        Some(v) => Some(v.to_string()).filter(|s| !s.is_empty()),
    }
}

fn cm_url(refset: u64) -> String {
    format!("{SCT}?fhir_cm={refset}")
}

fn match_part(
    equivalence: &str,
    concept: Option<Value>,
    products: Vec<Value>,
    source: &str,
) -> Value {
    let mut parts = vec![json!({ "name": "equivalence", "valueCode": equivalence })];
    if let Some(c) = concept {
        parts.push(json!({ "name": "concept", "valueCoding": c }));
    }
    parts.extend(products);
    parts.push(json!({ "name": "source", "valueUri": source }));
    json!({ "name": "match", "part": parts })
}

/// Pushes one SNOMED CT match per concept, ordered by id.
fn concept_matches(
    store: &Store,
    concepts: impl Iterator<Item = u32>,
    equivalence: &str,
    source: &str,
    lang: &LanguagePreference,
    matches: &mut Vec<Value>,
) {
    let mut v: Vec<u32> = concepts.collect();
    v.sort_by_key(|&c| store.id_of(c));
    for c in v {
        let coding = json!({ "system": SCT, "code": store.id_of(c).to_string(), "display": display(store, c, lang) });
        matches.push(match_part(equivalence, Some(coding), Vec::new(), source));
    }
}

fn product(element: &str, code: &str, display: Option<String>) -> Value {
    let mut c = json!({ "code": code });
    if let Some(d) = display {
        c["display"] = json!(d);
    }
    json!({ "name": "product", "part": [
        { "name": "element", "valueUri": element },
        { "name": "concept", "valueCoding": c },
    ]})
}

/// `ConceptMap/$translate` (R4 names; the R5 `sourceCode`/`targetCode`/... spellings
/// are accepted too).
pub(crate) fn translate(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    let store = ctx.store();
    let lang = default_edition(&ctx.db).default_language();
    let mut reverse = p.bool("reverse")?.unwrap_or(false);
    let coding = p.coding("coding").or_else(|| p.coding("sourceCoding")).or_else(|| {
        p.codeable_concept("codeableConcept")
            .or_else(|| p.codeable_concept("sourceCodeableConcept"))
            .and_then(|v| v.into_iter().next())
    });
    let r5_target = p.coding("targetCoding").or_else(|| {
        p.str("targetCode").map(|c| super::params::Coding {
            code: Some(c),
            system: p.str("targetSystem"),
            ..Default::default()
        })
    });
    let (code, system) = if let Some(c) = coding {
        (c.code, c.system)
    } else if let Some(c) = p.str_any(&["code", "sourceCode"]) {
        (Some(c), p.str_any(&["system", "sourceSystem"]))
    } else if let Some(t) = r5_target {
        reverse = true;
        (t.code, t.system)
    } else {
        (None, None)
    };
    let Some(code) = code else {
        return Err(Oo::invalid("No code, coding or codeableConcept parameter was provided"));
    };
    let target_system = if reverse { None } else { p.str_any(&["targetsystem", "targetSystem"]) };
    let url = p.str("url");
    let refsets: Vec<u64> = match &url {
        Some(u) => {
            let id = u
                .split_once("?fhir_cm=")
                .filter(|(base, _)| is_snomed(base))
                .and_then(|(_, id)| sctx_db::parse_id(id).ok());
            match id {
                Some(id) if kind(store, id).is_some() => vec![id],
                _ => {
                    return Err(Oo::not_found(format!(
                        "Unable to find the ConceptMap '{u}' (implicit SNOMED CT maps are {SCT}?fhir_cm=<refset id>)"
                    )));
                }
            }
        }
        None => {
            let mut v: Vec<u64> = ids::HISTORICAL_ASSOCIATIONS.iter().map(|(r, _)| *r).collect();
            v.extend(
                store.refsets().filter(|r| r.field_names.contains(&"mapTarget")).map(|r| r.id),
            );
            v.sort_unstable();
            v.dedup();
            v
        }
    };
    let sys = system.clone().unwrap_or_else(|| SCT.to_string());
    let legacy = sys == READ_V2 || sys == CTV3;
    let mut matches = Vec::new();
    if legacy && !reverse && url.is_none() {
        for m in legacy_to_snomed(&ctx.db, &sys, &code)? {
            let c = concept_idx(store, &m.concept_id.to_string()).map(|i| {
                json!({ "system": SCT, "code": m.concept_id.to_string(), "display": display(store, i, &lang) })
            });
            matches.push(match_part(m.equivalence, c, Vec::new(), &m.source));
        }
    } else {
        // a legacy source code with a map url is a reverse lookup of that map
        let reverse = reverse || legacy;
        for &refset in &refsets {
            let Some(k) = kind(store, refset) else { continue };
            let tsys = target_system_of(refset, k);
            if let Some(ts) = &target_system
                && *ts != tsys
            {
                continue;
            }
            let source = cm_url(refset);
            if !reverse {
                if !is_snomed(&sys) {
                    continue;
                }
                let Some(idx) = concept_idx(store, &code) else { continue };
                match k {
                    Kind::Association(eq) => {
                        let targets = store.associations_from(idx).filter(|(r, _)| *r == refset);
                        concept_matches(
                            store,
                            targets.map(|(_, t)| t),
                            eq,
                            &source,
                            &lang,
                            &mut matches,
                        );
                    }
                    Kind::Map { complex, .. } => {
                        let mut ms: Vec<_> = store
                            .members_of_for(refset, store.id_of(idx))
                            .filter(|m| m.active)
                            .collect();
                        ms.sort_by_key(|m| {
                            (
                                field_text(m.field("mapGroup")).and_then(|g| g.parse::<i64>().ok()),
                                field_text(m.field("mapPriority"))
                                    .and_then(|g| g.parse::<i64>().ok()),
                                m.uuid,
                            )
                        });
                        for m in ms {
                            let target = field_text(m.field("mapTarget"));
                            let eq = if !complex {
                                "equivalent"
                            } else {
                                match m.field("correlationId") {
                                    Some(FieldValue::Id(c)) => correlation(c),
                                    _ => "relatedto",
                                }
                            };
                            let mut products = Vec::new();
                            if complex {
                                for f in [
                                    "mapGroup",
                                    "mapPriority",
                                    "mapRule",
                                    "mapAdvice",
                                    "mapCategoryId",
                                ] {
                                    if let Some(v) = field_text(m.field(f)) {
                                        products.push(product(f, &v, None));
                                    }
                                }
                            }
                            let (eq, concept) = match target {
                                Some(t) => (eq, Some(json!({ "system": tsys, "code": t }))),
                                None => ("unmatched", None),
                            };
                            matches.push(match_part(eq, concept, products, &source));
                        }
                    }
                }
            } else {
                match k {
                    Kind::Association(eq) => {
                        if !is_snomed(&sys) {
                            continue;
                        }
                        let Some(idx) = concept_idx(store, &code) else { continue };
                        let sources = store.associations_to(idx).filter(|(r, _)| *r == refset);
                        concept_matches(
                            store,
                            sources.map(|(_, s)| s),
                            eq,
                            &source,
                            &lang,
                            &mut matches,
                        );
                    }
                    Kind::Map { complex, .. } => {
                        if system.as_deref().is_some_and(|s| s != tsys) {
                            continue;
                        }
                        let mut ms = store.members_by_map_target(refset, &code);
                        ms.retain(|m| m.active);
                        ms.sort_by_key(|m| (m.referenced, m.uuid));
                        for m in ms {
                            let Some(i) = store.index_of(m.referenced) else { continue };
                            let eq = if !complex {
                                "equivalent"
                            } else {
                                match m.field("correlationId") {
                                    Some(FieldValue::Id(c)) => correlation(c),
                                    _ => "relatedto",
                                }
                            };
                            let c = json!({ "system": SCT, "code": m.referenced.to_string(), "display": display(store, i, &lang) });
                            matches.push(match_part(eq, Some(c), Vec::new(), &source));
                        }
                    }
                }
            }
        }
    }
    let result = matches.iter().any(|m| {
        let eq = m["part"][0]["valueCode"].as_str().unwrap_or("");
        eq != "unmatched" && eq != "disjoint"
    });
    let mut out = vec![json!({ "name": "result", "valueBoolean": result })];
    if !result {
        out.push(json!({ "name": "message", "valueString": format!("No mappings could be found for {sys}#{code}") }));
    }
    out.extend(matches);
    Ok(parameters(out))
}
