//! ICD-10 maps (International rules, UK blocks), generic map refsets.

mod common;

use common::*;
use sctx_translate::*;
use sctx_types::{SctId, ids};

fn ctx() -> MapContext {
    MapContext::default()
}

fn codes(m: &MapResult) -> Vec<&str> {
    m.codes()
}

#[test]
fn simple_and_two_groups() {
    let tr = translator();
    let m = tr.icd10("195967001", &ctx(), false);
    assert_eq!(m.status, Status::Exact, "{m:#?}");
    assert_eq!(codes(&m), vec!["J45.9"]);
    let d = tr.icd10("9900213008", &ctx(), false);
    assert_eq!(codes(&d), vec!["E14.2", "N08.3"]);
    assert_eq!(d.groups.len(), 2);
    let a = tr.icd10("26929004", &ctx(), false);
    assert_eq!(codes(&a), vec!["G30.9", "F00.9"]);
    assert!(a.groups[0].advice.as_deref().unwrap().contains("POSSIBLE REQUIREMENT"));
    let j = serde_json::to_value(&a).unwrap();
    assert_eq!(j["concept"], "26929004");
    assert_eq!(j["groups"][0]["rows"][0]["category"], "447637006");
}

#[test]
fn sex_rule() {
    let tr = translator();
    // without context: the IFA rule is unknown, OTHERWISE TRUE applies
    let m = tr.icd10("9900265005", &ctx(), false);
    assert_eq!(codes(&m), vec!["N46"], "{m:#?}");
    assert!(m.groups[0].context_dependent);
    assert_eq!(m.groups[0].rows[0].evaluation, RuleValue::Unknown);
    assert_eq!(m.groups[0].rows[1].evaluation, RuleValue::True);
    let f = MapContext { sex: Some(Sex::Female), ..ctx() };
    let m = tr.icd10("9900265005", &f, false);
    assert_eq!(codes(&m), vec!["N97.9"]);
    assert!(!m.groups[0].context_dependent);
    assert_eq!(m.groups[0].rows[1].evaluation, RuleValue::Skipped);
    let male = MapContext { sex: Some(Sex::Male), ..ctx() };
    assert_eq!(codes(&tr.icd10("9900265005", &male, false)), vec!["N46"]);
    // male breast cancer rule
    let b = tr.icd10("254837009", &male, false);
    assert_eq!(codes(&b), vec!["C50.9"]);
    assert_eq!(b.groups[0].priority, Some(1));
    assert_eq!(tr.icd10("254837009", &f, false).groups[0].priority, Some(2));
}

#[test]
fn age_rule() {
    let tr = translator();
    let young = MapContext { age_years: Some(12.0), ..ctx() };
    assert_eq!(codes(&tr.icd10("9900256003", &young, false)), vec!["F93.8"]);
    let old = MapContext { onset_age_years: Some(40.0), ..ctx() };
    assert_eq!(codes(&tr.icd10("9900256003", &old, false)), vec!["F41.9"]);
    let boundary = MapContext { onset_age_years: Some(19.0), ..ctx() };
    assert_eq!(codes(&tr.icd10("9900256003", &boundary, false)), vec!["F41.9"]);
    let none = tr.icd10("9900256003", &ctx(), false);
    assert_eq!(codes(&none), vec!["F41.9"]);
    assert!(none.groups[0].context_dependent);
}

#[test]
fn sub_condition_rule_with_findings() {
    let tr = translator();
    assert_eq!(codes(&tr.icd10("84114007", &ctx(), false)), vec!["I50.9"]);
    let lvf = MapContext { findings: Some(vec![SctId::new_unchecked(9900190001)]), ..ctx() };
    assert_eq!(codes(&tr.icd10("84114007", &lvf, false)), vec!["I50.1"]);
    let other = MapContext { findings: Some(vec![SctId::new_unchecked(195967001)]), ..ctx() };
    let m = tr.icd10("84114007", &other, false);
    assert_eq!(codes(&m), vec!["I50.9"]);
    assert_eq!(m.groups[0].rows[0].evaluation, RuleValue::False);
}

#[test]
fn cannot_classify_and_history_and_ancestor_walk() {
    let tr = translator();
    let d = tr.icd10("64572001", &ctx(), false);
    assert_eq!(d.status, Status::Unmapped, "{d:#?}");
    assert!(d.notes.iter().any(|n| n.contains("CANNOT BE CLASSIFIED")));
    // unmapped child: ancestor walk
    let u = tr.icd10("9900187007", &ctx(), false);
    assert_eq!(u.status, Status::Unmapped);
    let w = tr.icd10("9900187007", &ctx(), true);
    assert_eq!(w.status, Status::Broader, "{w:#?}");
    assert!(w.via_ancestor);
    assert_eq!(codes(&w), vec!["I21.9"]);
    assert_eq!(w.mapped_concept.map(|c| c.get()), Some(57054005));
    // inactive concept with an inactive row: history
    let h = tr.icd10("9900270003", &ctx(), false);
    assert_eq!(h.status, Status::ViaHistory, "{h:#?}");
    assert_eq!(h.mapped_concept.map(|c| c.get()), Some(38341003));
    // changed target: the Snapshot row is the new one
    assert_eq!(codes(&tr.icd10("9900200002", &ctx(), false)), vec!["I63.9"]);
    assert_eq!(tr.icd10("123", &ctx(), false).status, Status::InvalidCode);
}

#[test]
fn uk_map_blocks() {
    let tr = translator();
    let m = tr.map_concept("9900202005", ids::UK_ICD10_MAP, &ctx(), false);
    assert_eq!(m.blocks.len(), 2, "{m:#?}");
    let b1: Vec<_> = m.blocks[0].groups.iter().filter_map(|g| g.target.as_deref()).collect();
    let b2: Vec<_> = m.blocks[1].groups.iter().filter_map(|g| g.target.as_deref()).collect();
    assert_eq!(b1, vec!["E059D", "I438A"]);
    assert_eq!(b2, vec!["E059", "I519"]);
    assert_eq!(codes(&m), vec!["E059D", "I438A"]);
    let hf = tr.map_concept("84114007", ids::UK_ICD10_MAP, &ctx(), false);
    let alts: Vec<_> = hf.groups[0].rows.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(alts, vec!["I500", "I501", "I509"]);
    assert_eq!(codes(&hf), vec!["I509"]);
    assert_eq!(codes(&tr.map_concept("38341003", ids::UK_ICD10_MAP, &ctx(), false)), vec!["I10X"]);
    // UK concept: ancestor walk to a mapped ancestor
    let uk = tr.map_concept("99900061000000105", ids::UK_ICD10_MAP, &ctx(), true);
    assert!(
        uk.status == Status::Broader || uk.status == Status::Exact || uk.status == Status::Unmapped,
        "{uk:#?}"
    );
}

#[test]
fn generic_map_refsets_forward_and_reverse() {
    let tr = translator();
    let f = tr.map_members(ids::CTV3_SIMPLE_MAP, 195967001);
    assert_eq!(f[0].target, "H33..");
    let r = tr.map_reverse(ids::CTV3_SIMPLE_MAP, "X200E");
    assert_eq!(r[0].concept.get(), 22298006);
    let i = tr.map_reverse(ids::ICD10_MAP, "J45.9");
    assert!(i.iter().any(|m| m.concept.get() == 195967001));
    // UK undotted form found from the dotted input
    let u = tr.map_reverse(ids::UK_ICD10_MAP, "I10.X");
    assert!(u.iter().any(|m| m.concept.get() == 38341003), "{u:#?}");
    assert!(u[0].fields.iter().any(|(n, _)| n == "mapBlock"));
}

#[test]
fn translate_request_dispatch() {
    let tr = translator();
    let req: TranslateRequest = serde_json::from_str(
        r#"{"from":"sct","to":"icd10","code":"9900265005","context":{"sex":"female"}}"#,
    )
    .unwrap();
    match tr.translate(&req).unwrap() {
        TranslateResponse::Map(m) => assert_eq!(m.codes(), vec!["N97.9"]),
        other => panic!("{other:?}"),
    }
    let req: TranslateRequest =
        serde_json::from_str(r#"{"from":"readv2","to":"sct","code":"H33..00"}"#).unwrap();
    match tr.translate(&req).unwrap() {
        TranslateResponse::Code(t) => assert_eq!(t.status, Status::Exact),
        other => panic!("{other:?}"),
    }
    let bad: TranslateRequest =
        serde_json::from_str(r#"{"from":"icd10","to":"sct","code":"J45.9"}"#).unwrap();
    assert!(matches!(tr.translate(&bad), Err(TranslateError::Unsupported { .. })));
}
