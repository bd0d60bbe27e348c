//! Evaluator unit tests over a small hand-built in-memory backend.

use std::time::Duration;

use sctx_ecl::memory::{Description, Member, MemoryBackend};
use sctx_ecl::{ConcreteValue, EvalError, Evaluator, FieldValueOwned, Limits, parse};

const ROOT: u64 = 138875005;
const IS_A: u64 = 116680003;
const CORE: u64 = 900000000000207008;
const UK: u64 = 999000011000000103;
const FSN: u64 = 900000000000003001;
const SYN: u64 = 900000000000013009;
const EN_GB: u64 = 900000000000508004;
const EN_US: u64 = 900000000000509007;
const SITE: u64 = 363698007;
const MORPH: u64 = 116676008;
const ASSOC_WITH: u64 = 47429007;
const CAUSATIVE: u64 = 246075003;
const INGREDIENT: u64 = 127489000;
const STRENGTH: u64 = 3311486008;
const TRADE_NAME: u64 = 111115;
const BOOL_ATTR: u64 = 859999999102;
const SAME_AS: u64 = 900000000000527005;
const REPLACED_BY: u64 = 900000000000526001;
const POSS_EQUIV: u64 = 900000000000523009;

fn desc(
    id: u64,
    term: &str,
    type_id: u64,
    lang: &str,
    acc: &[(u64, bool)],
    active: bool,
) -> Description {
    Description {
        id,
        active,
        module: CORE,
        effective_time: 20200131,
        language_code: lang.into(),
        type_id,
        term: term.into(),
        acceptability: acc.to_vec(),
    }
}

fn member(refset: u64, rc: u64, active: bool, fields: Vec<(&str, FieldValueOwned)>) -> Member {
    Member {
        id: None,
        refset,
        referenced_component: rc,
        active,
        module: CORE,
        effective_time: 20200131,
        fields: fields.into_iter().map(|(n, v)| (n.to_string(), v)).collect(),
    }
}

fn backend() -> MemoryBackend {
    let mut b = MemoryBackend::new();
    let mut c = |id: u64, parent: Option<u64>| {
        b.add_concept(id, true, CORE, 20020131, true);
        if let Some(p) = parent {
            b.add_relationship(id, IS_A, p, 0);
        }
    };
    c(ROOT, None);
    c(IS_A, Some(410662002));
    c(410662002, Some(ROOT));
    for a in [SITE, MORPH, ASSOC_WITH, INGREDIENT, STRENGTH, TRADE_NAME, BOOL_ATTR] {
        c(a, Some(410662002));
    }
    c(CAUSATIVE, Some(ASSOC_WITH));
    c(404684003, Some(ROOT));
    c(64572001, Some(404684003));
    c(19829001, Some(64572001));
    c(40541001, Some(19829001));
    c(233709006, Some(19829001));
    c(91723000, Some(ROOT));
    c(39607008, Some(91723000));
    c(80891009, Some(91723000));
    c(49755003, Some(ROOT));
    c(79654002, Some(49755003));
    c(415582006, Some(49755003));
    c(105590001, Some(ROOT));
    c(387517004, Some(105590001));
    c(372687004, Some(105590001));
    c(373873005, Some(ROOT));
    c(322236009, Some(373873005));
    c(777777001, Some(373873005));
    c(700043003, Some(ROOT));
    c(447562003, Some(ROOT));
    c(900000000000522004, Some(ROOT));
    for r in [SAME_AS, REPLACED_BY, POSS_EQUIV] {
        c(r, Some(900000000000522004));
    }
    // concept metadata
    b.add_concept(40541001, true, CORE, 20200131, false);
    b.add_concept(233709006, true, UK, 20210731, true);
    for id in [123456001, 123456002, 123456003] {
        b.add_concept(id, false, CORE, 20200131, true);
    }
    // attributes
    b.add_relationship(19829001, SITE, 39607008, 1);
    b.add_relationship(19829001, MORPH, 79654002, 1);
    b.add_relationship(40541001, SITE, 39607008, 1);
    b.add_relationship(40541001, MORPH, 79654002, 1);
    b.add_relationship(40541001, SITE, 80891009, 2);
    b.add_relationship(40541001, MORPH, 415582006, 2);
    b.add_relationship(233709006, SITE, 39607008, 1);
    b.add_relationship(233709006, MORPH, 79654002, 1);
    b.add_relationship(233709006, CAUSATIVE, 387517004, 0);
    b.add_relationship(322236009, INGREDIENT, 387517004, 1);
    b.add_concrete(322236009, STRENGTH, 1, ConcreteValue::Integer(500));
    b.add_concrete(322236009, TRADE_NAME, 0, ConcreteValue::String("PANADOL".into()));
    b.add_concrete(322236009, BOOL_ATTR, 0, ConcreteValue::Boolean(true));
    b.add_relationship(777777001, INGREDIENT, 387517004, 1);
    b.add_relationship(777777001, INGREDIENT, 372687004, 2);
    b.add_concrete(777777001, STRENGTH, 1, ConcreteValue::Integer(125));
    b.add_concrete(777777001, STRENGTH, 2, ConcreteValue::Decimal(125.5));
    // descriptions
    b.add_description(
        64572001,
        desc(10001001, "Disease", SYN, "en", &[(EN_GB, true), (EN_US, true)], true),
    );
    b.add_description(
        19829001,
        desc(10001002, "Disorder of lung (disorder)", FSN, "en", &[(EN_GB, true)], true),
    );
    b.add_description(
        19829001,
        desc(10001003, "Lung disease", SYN, "en", &[(EN_GB, true), (EN_US, true)], true),
    );
    b.add_description(
        40541001,
        desc(10001004, "Acute pulmonary oedema", SYN, "en", &[(EN_GB, true), (EN_US, false)], true),
    );
    b.add_description(
        40541001,
        desc(10001005, "Acute pulmonary edema", SYN, "en", &[(EN_US, true)], true),
    );
    b.add_description(40541001, desc(10001006, "Akut lungödem", SYN, "sv", &[], true));
    b.add_description(
        233709006,
        desc(10001007, "Toxic pulmonary edema", SYN, "en", &[(EN_GB, true)], true),
    );
    b.add_description(233709006, desc(10001008, "Old toxic thing", SYN, "en", &[], false));
    // refsets
    b.add_member(member(700043003, 19829001, true, vec![]));
    b.add_member(member(700043003, 40541001, true, vec![]));
    b.add_member(member(700043003, 233709006, false, vec![]));
    b.add_member(member(700043003, 123456001, true, vec![]));
    let map = |rc: u64, target: &str, group: i64, active: bool| {
        member(
            447562003,
            rc,
            active,
            vec![
                ("mapGroup", FieldValueOwned::Integer(group)),
                ("mapPriority", FieldValueOwned::Integer(1)),
                ("mapTarget", FieldValueOwned::String(target.into())),
                ("correlationId", FieldValueOwned::Id(447561005)),
            ],
        )
    };
    b.add_member(map(19829001, "J81", 1, true));
    b.add_member(map(40541001, "J81.0", 1, true));
    b.add_member(map(40541001, "I50.1", 2, true));
    b.add_member(map(233709006, "T59", 1, false));
    let assoc = |refset: u64, src: u64, target: u64| {
        member(refset, src, true, vec![("targetComponentId", FieldValueOwned::Id(target))])
    };
    b.add_member(assoc(SAME_AS, 123456001, 19829001));
    b.add_member(assoc(REPLACED_BY, 123456002, 19829001));
    b.add_member(assoc(POSS_EQUIV, 123456003, 40541001));
    b.add_alternate_identifier("LOINC", "1234-5", 40541001);
    b.finish();
    b
}

fn ids(b: &MemoryBackend, ecl: &str) -> Vec<u64> {
    let e = parse(ecl).unwrap_or_else(|e| panic!("{}", e.render(ecl)));
    Evaluator::new(b).ids(&e).unwrap_or_else(|e| panic!("{ecl}: {e}"))
}

fn check(b: &MemoryBackend, ecl: &str, expected: &[u64]) {
    let mut exp = expected.to_vec();
    exp.sort_unstable();
    assert_eq!(ids(b, ecl), exp, "{ecl}");
}

fn eval_err(b: &MemoryBackend, ecl: &str) -> EvalError {
    let e = parse(ecl).unwrap();
    Evaluator::new(b).evaluate(&e).expect_err(ecl)
}

#[test]
fn hierarchy_operators() {
    let b = backend();
    check(&b, "19829001", &[19829001]);
    check(&b, "< 19829001", &[40541001, 233709006]);
    check(&b, "<< 19829001", &[19829001, 40541001, 233709006]);
    check(&b, "<! 64572001", &[19829001]);
    check(&b, "<<! 64572001", &[19829001, 64572001]);
    check(&b, "> 40541001", &[ROOT, 404684003, 64572001, 19829001]);
    check(&b, ">> 40541001", &[ROOT, 404684003, 64572001, 19829001, 40541001]);
    check(&b, ">! 40541001", &[19829001]);
    check(&b, ">>! 40541001", &[19829001, 40541001]);
    check(&b, "!!> (<< 64572001)", &[64572001]);
    check(&b, "!!< (<< 64572001)", &[40541001, 233709006]);
    check(&b, "!!> (<< 19829001 OR << 91723000)", &[19829001, 91723000]);
    check(&b, "< (19829001 OR 91723000)", &[40541001, 233709006, 39607008, 80891009]);
    check(&b, "descendantOf 19829001", &[40541001, 233709006]);
    check(&b, "<! *", &ids(&b, "< *"));
    check(&b, "!!> *", &[ROOT]);
    assert_eq!(ids(&b, "<< *"), ids(&b, "*"));
    assert!(!ids(&b, ">! *").contains(&40541001));
}

#[test]
fn substrate_and_active_concepts() {
    let b = backend();
    let all = ids(&b, "*");
    assert!(!all.contains(&123456001), "inactive concepts are not in `*`");
    check(&b, "* {{ C active = false }}", &[123456001, 123456002, 123456003]);
    check(&b, "* {{ C active = 0 }}", &[123456001, 123456002, 123456003]);
    assert_eq!(ids(&b, "* {{ C active = * }}").len(), all.len() + 3);
    assert_eq!(ids(&b, "* {{ C active = true }}"), all);
    // an explicitly referenced inactive concept is returned
    check(&b, "123456001", &[123456001]);
    check(&b, "123456001 {{ C active = true }}", &[]);
    // unknown concept: empty, or an error in strict mode
    check(&b, "999999001", &[]);
    let e = parse("< 999999001").unwrap();
    assert_eq!(
        Evaluator::new(&b).strict(true).evaluate(&e),
        Err(EvalError::UnknownConcept(999999001))
    );
}

#[test]
fn compound_expressions() {
    let b = backend();
    check(&b, "<< 19829001 AND ^ 700043003", &[19829001, 40541001]);
    check(&b, "< 19829001 OR 91723000", &[40541001, 233709006, 91723000]);
    check(&b, "<< 19829001 MINUS 40541001", &[19829001, 233709006]);
    check(&b, "(<< 19829001 MINUS 40541001) MINUS 233709006", &[19829001]);
    check(&b, "<< 19829001 , << 40541001", &[40541001]);
}

#[test]
fn member_of_and_refsets() {
    let b = backend();
    // active members, including a member referencing an inactive concept
    check(&b, "^ 700043003", &[19829001, 40541001, 123456001]);
    check(&b, "^ 700043003 {{ M active = false }}", &[233709006]);
    check(&b, "^ 700043003 {{ M active = * }}", &[19829001, 40541001, 123456001, 233709006]);
    check(&b, "< ^ 700043003", &[40541001, 233709006]);
    check(&b, "^ (700043003 OR 447562003)", &[19829001, 40541001, 123456001]);
    check(&b, "^ *", &[19829001, 40541001, 123456001, 123456002, 123456003]);
    // not a refset: empty (as the HL7 tx suite expects)
    check(&b, "^ 40541001", &[]);
    check(&b, "^R 40541001", &[447562003, 700043003]);
    check(&b, "^R (<< 19829001)", &[447562003, 700043003]);
    check(&b, "^R 123456001", &[700043003, SAME_AS]);
    check(&b, "^R 40541001 {{ M mapTarget = \"I50\" }}", &[447562003]);
    check(&b, "^R 233709006 {{ M active = false }}", &[447562003, 700043003]);
    // a field whose values are not concepts cannot be a set of concepts (as the final
    // operation it is member rows: `Evaluator::member_fields`)
    assert!(matches!(
        eval_err(&b, "^ [mapTarget] 447562003"),
        EvalError::NotConcepts(f) if f == "mapTarget"
    ));
    // single field selection yielding concepts
    check(&b, "^ [targetComponentId] 900000000000527005", &[19829001]);
    check(&b, "^ [referencedComponentId] 447562003", &[19829001, 40541001]);
    check(
        &b,
        "^ [targetComponentId] (< 900000000000522004) {{ M referencedComponentId = 123456002 }}",
        &[19829001],
    );
    assert!(matches!(eval_err(&b, "^ [noSuchField] 447562003"), EvalError::Invalid(_)));
    assert!(matches!(eval_err(&b, "^ [*] 447562003"), EvalError::Invalid(_)));
    assert!(matches!(eval_err(&b, "19829001 {{ M active = 1 }}"), EvalError::Invalid(_)));
    // multi-field selection returns rows
    let e = parse("^ [referencedComponentId, mapTarget] 447562003").unwrap();
    let rows = Evaluator::new(&b).member_fields(&e).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().any(|r| r.fields
        == vec![
            ("referencedComponentId".to_string(), FieldValueOwned::Id(40541001)),
            ("mapTarget".to_string(), FieldValueOwned::String("I50.1".into()))
        ]));
    let e = parse("^ [*] 447562003 {{ M mapGroup = #2 }}").unwrap();
    let rows = Evaluator::new(&b).member_fields(&e).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].fields.len(), 5);
}

#[test]
fn member_filters() {
    let b = backend();
    check(&b, "^ 447562003 {{ M mapTarget = \"J81\" }}", &[19829001, 40541001]);
    check(&b, "^ 447562003 {{ M mapTarget = wild:\"J81\" }}", &[19829001]);
    check(&b, "^ 447562003 {{ M mapTarget = wild:\"J*\" }}", &[19829001, 40541001]);
    check(&b, "^ 447562003 {{ M mapTarget = (\"I50\" \"T59\") }}", &[40541001]);
    check(&b, "^ 447562003 {{ M mapTarget = \"T59\", active = 0 }}", &[233709006]);
    check(&b, "^ 447562003 {{ M mapTarget != \"J81\" }}", &[40541001]);
    check(&b, "^ 447562003 {{ M mapGroup = #2 }}", &[40541001]);
    check(&b, "^ 447562003 {{ M mapGroup != #2, mapPriority <= #1 }}", &[19829001, 40541001]);
    check(&b, "^ 447562003 {{ M referencedComponentId = < 19829001 }}", &[40541001]);
    check(&b, "^ 447562003 {{ M correlationId = 447561005 }}", &[19829001, 40541001]);
    check(
        &b,
        "^ 447562003 {{ M moduleId = 900000000000207008, effectiveTime >= \"20200101\" }}",
        &[19829001, 40541001],
    );
    check(&b, "^ 447562003 {{ M effectiveTime < \"20200101\" }}", &[]);
    // both member filter blocks apply to the same member
    check(&b, "^ 447562003 {{ M mapGroup = #2 }} {{ M mapTarget = \"J81\" }}", &[]);
    check(&b, "^ 447562003 {{ M mapGroup = #2 }} {{ M mapTarget = \"I50\" }}", &[40541001]);
}

#[test]
fn attribute_refinements() {
    let b = backend();
    let findings = [19829001, 40541001, 233709006];
    check(&b, "< 404684003 : 363698007 = 39607008", &findings);
    check(&b, "< 404684003 : 363698007 = << 91723000", &findings);
    check(&b, "< 404684003 : 363698007 = 80891009", &[40541001]);
    check(&b, "< 404684003 : << 47429007 = 387517004", &[233709006]);
    check(&b, "< 404684003 : 47429007 = 387517004", &[]);
    check(&b, "< 404684003 : * = 415582006", &[40541001]);
    check(&b, "< 404684003 : 116676008 = *", &findings);
    check(&b, "* : 246075003 = 387517004", &[233709006]);
    check(&b, "< 404684003 : 363698007 = 80891009, 116676008 = 79654002", &[40541001]);
    check(&b, "< 404684003 : 246075003 = * OR 363698007 = 80891009", &[40541001, 233709006]);
    check(
        &b,
        "< 404684003 : 363698007 = 39607008 AND (246075003 = * OR 116676008 = 415582006)",
        &[40541001, 233709006],
    );
    check(&b, "< 404684003 : 116676008 = (<< 49755003 MINUS 79654002)", &[40541001]);
    // nested refinement as value
    check(&b, "* : 246075003 = (< 105590001 : R 127489000 = *)", &[233709006]);
}

#[test]
fn groups_and_cardinality() {
    let b = backend();
    check(&b, "< 404684003 : { 363698007 = 80891009, 116676008 = 79654002 }", &[]);
    check(&b, "< 404684003 : { 363698007 = 80891009, 116676008 = 415582006 }", &[40541001]);
    check(
        &b,
        "< 404684003 : { 363698007 = 39607008, 116676008 = 79654002 }, { 363698007 = 80891009 }",
        &[40541001],
    );
    check(
        &b,
        "< 404684003 : { 363698007 = 80891009 } OR { 246075003 = * }",
        &[40541001, 233709006],
    );
    // ungrouped attribute cardinality counts across groups
    check(&b, "< 404684003 : [2..2] 363698007 = *", &[40541001]);
    check(&b, "< 404684003 : [1..1] 363698007 = *", &[19829001, 233709006]);
    check(&b, "< 404684003 : [0..1] 363698007 = *", &[64572001, 19829001, 233709006]);
    check(&b, "< 404684003 : [0..0] 246075003 = *", &[64572001, 19829001, 40541001]);
    check(&b, "< 404684003 : [0..*] 246075003 = *", &[64572001, 19829001, 40541001, 233709006]);
    // group cardinality
    check(&b, "< 404684003 : [2..*] { 363698007 = * }", &[40541001]);
    check(&b, "< 404684003 : [1..1] { 363698007 = * }", &[19829001, 233709006]);
    check(&b, "< 404684003 : [0..0] { 363698007 = 80891009 }", &[64572001, 19829001, 233709006]);
    check(&b, "< 404684003 : [1..*] { [2..*] 363698007 = * }", &[]);
    check(
        &b,
        "< 404684003 : [0..0] { [2..*] 363698007 = * }",
        &[64572001, 19829001, 40541001, 233709006],
    );
    // ungrouped relationships are groups of one
    check(&b, "< 404684003 : { 246075003 = 387517004 }", &[233709006]);
    // attribute cardinality within a group
    check(&b, "< 373873005 : { [2..*] 127489000 = * }", &[]);
    check(&b, "< 373873005 : [2..2] 127489000 = *", &[777777001]);
    check(&b, "< 373873005 : [2..2] { 127489000 = * }", &[777777001]);
}

#[test]
fn not_equals() {
    let b = backend();
    check(&b, "< 404684003 : 363698007 != 39607008", &[40541001]);
    check(&b, "< 404684003 : [0..0] 363698007 != 39607008", &[64572001, 19829001, 233709006]);
    check(
        &b,
        "< 404684003 : [0..0] 363698007 != 39607008 AND [1..*] 363698007 = 39607008",
        &[19829001, 233709006],
    );
    check(&b, "< 404684003 : 116676008 != << 49755003", &[]);
}

#[test]
fn reverse_and_dotted() {
    let b = backend();
    check(&b, "< 91723000 : R 363698007 = < 404684003", &[39607008, 80891009]);
    check(&b, "* : R 363698007 = 40541001", &[39607008, 80891009]);
    check(&b, "< 91723000 : [3..3] R 363698007 = *", &[39607008]);
    check(&b, "< 91723000 : [1..1] R 363698007 = *", &[80891009]);
    check(&b, "< 105590001 : R 127489000 = 777777001", &[387517004, 372687004]);
    check(&b, "< 19829001 . 363698007", &[39607008, 80891009]);
    check(&b, "19829001 . 363698007", &[39607008]);
    check(&b, "<< 64572001 . 363698007 . 116680003", &[91723000]);
    check(&b, "(<< 64572001 . 363698007) . 116680003", &[91723000]);
    check(&b, "<< 64572001 . << 47429007", &[387517004]);
    check(&b, "< 91723000 AND < 404684003 . 363698007", &[39607008, 80891009]);
    check(&b, "<< 373873005 . 3311486008", &[]);
}

#[test]
fn concrete_values() {
    let b = backend();
    check(&b, "< 373873005 : 3311486008 >= #500", &[322236009]);
    check(&b, "< 373873005 : 3311486008 > #500", &[]);
    check(&b, "< 373873005 : 3311486008 < #200", &[777777001]);
    check(&b, "< 373873005 : 3311486008 = #125.5", &[777777001]);
    check(&b, "< 373873005 : 3311486008 = #500.0", &[322236009]);
    check(&b, "< 373873005 : 3311486008 != #500", &[777777001]);
    check(&b, "< 373873005 : [2..2] 3311486008 <= #200", &[777777001]);
    check(&b, "< 373873005 : { 127489000 = 387517004, 3311486008 = #500 }", &[322236009]);
    check(&b, "< 373873005 : { 127489000 = 372687004, 3311486008 = #125 }", &[]);
    check(&b, "< 373873005 : { 127489000 = 372687004, 3311486008 = #125.5 }", &[777777001]);
    check(&b, "< 373873005 : 111115 = \"PANADOL\"", &[322236009]);
    check(&b, "< 373873005 : 111115 = \"panadol\"", &[]);
    check(&b, "< 373873005 : 111115 = \"PAN*\"", &[322236009]);
    check(&b, "< 373873005 : 111115 = \"PAN\\*\"", &[]);
    check(&b, "< 373873005 : 111115 = wild:\"pan*\"", &[322236009]);
    check(&b, "< 373873005 : 111115 = match:\"panadol\"", &[322236009]);
    check(&b, "< 373873005 : 111115 = (\"TYLENOL\" \"PANADOL\")", &[322236009]);
    check(&b, "< 373873005 : 111115 != \"TYLENOL\"", &[322236009]);
    check(&b, "< 373873005 : 859999999102 = true", &[322236009]);
    check(&b, "< 373873005 : 859999999102 != true", &[]);
    check(&b, "< 373873005 : 859999999102 = false", &[]);
    check(&b, "< 373873005 : [0..0] 859999999102 = true", &[777777001]);
    assert!(matches!(eval_err(&b, "* : R 3311486008 = #5"), EvalError::Invalid(_)));
}

#[test]
fn description_filters() {
    let b = backend();
    check(&b, "< 64572001 {{ term = \"lung dis\" }}", &[19829001]);
    check(&b, "< 64572001 {{ term = \"pulm acute\" }}", &[40541001]);
    check(&b, "< 64572001 {{ D term = match:\"pulmonary\" }}", &[40541001, 233709006]);
    check(&b, "< 64572001 {{ term = wild:\"*oedema\" }}", &[40541001]);
    check(&b, "< 64572001 {{ term = wild:\"acute*\" }}", &[40541001]);
    // "lung" is also a prefix of the Swedish word "lungödem"
    check(&b, "< 64572001 {{ term = (\"toxic\" \"lung\") }}", &[19829001, 40541001, 233709006]);
    check(&b, "< 64572001 {{ term = \"lung\" }} {{ term = \"disorder\" }}", &[19829001]);
    check(&b, "< 64572001 {{ term = \"lung\", term = \"disorder\" }}", &[19829001]);
    check(&b, "< 64572001 {{ term != \"pulmonary\" }}", &[19829001, 40541001]);
    check(&b, "< 64572001 {{ language = sv }}", &[40541001]);
    check(&b, "< 64572001 {{ term = \"akut\", language = en }}", &[]);
    check(&b, "< 64572001 {{ type = fsn }}", &[19829001]);
    check(&b, "< 64572001 {{ typeId = 900000000000003001 |FSN| }}", &[19829001]);
    check(&b, "< 64572001 {{ type != syn }}", &[19829001]);
    check(&b, "< 64572001 {{ type = (fsn syn), term = \"toxic\" }}", &[233709006]);
    check(&b, "< 64572001 {{ dialect = en-gb (prefer), term = \"oedema\" }}", &[40541001]);
    check(&b, "< 64572001 {{ dialect = en-us (prefer), term = \"oedema\" }}", &[]);
    check(&b, "< 64572001 {{ dialect = en-us (accept), term = \"oedema\" }}", &[40541001]);
    check(&b, "< 64572001 {{ dialect = (en-us (accept) en-gb), term = \"toxic\" }}", &[233709006]);
    check(&b, "< 64572001 {{ dialectId = 900000000000509007 }}", &[19829001, 40541001]);
    check(&b, "< 64572001 {{ dialectId = 900000000000509007 (900000000000549004) }}", &[40541001]);
    check(&b, "< 64572001 {{ dialect != en-us, term = \"toxic\" }}", &[233709006]);
    check(&b, "< 64572001 {{ term = \"old\" }}", &[]);
    check(&b, "< 64572001 {{ term = \"old\", active = false }}", &[233709006]);
    check(&b, "< 64572001 {{ id = 10001003 }}", &[19829001]);
    check(&b, "< 64572001 {{ id = (10001003 10001008) }}", &[19829001]);
    check(&b, "< 64572001 {{ id = (10001003 10001008), active = * }}", &[19829001, 233709006]);
    check(&b, "< 64572001 {{ moduleId = 900000000000207008, term = \"toxic\" }}", &[233709006]);
    check(&b, "< 64572001 {{ effectiveTime = \"20200131\", term = \"lung dis\" }}", &[19829001]);
    check(&b, "< 64572001 {{ term = \"acute\" }} {{ language = sv }}", &[40541001]);
    assert!(matches!(eval_err(&b, "* {{ dialect = xx-unknown }}"), EvalError::Invalid(_)));
}

#[test]
fn concept_filters() {
    let b = backend();
    check(&b, "< 64572001 {{ C definitionStatus = defined }}", &[40541001]);
    check(&b, "< 64572001 {{ C definitionStatus = primitive }}", &[19829001, 233709006]);
    check(&b, "< 64572001 {{ C definitionStatus != primitive }}", &[40541001]);
    check(&b, "< 64572001 {{ C definitionStatusId = 900000000000073002 |Defined| }}", &[40541001]);
    check(
        &b,
        "< 64572001 {{ C definitionStatusId = (900000000000073002 900000000000074008) }}",
        &[19829001, 40541001, 233709006],
    );
    check(&b, "< 64572001 {{ C moduleId = 999000011000000103 }}", &[233709006]);
    check(&b, "< 64572001 {{ C moduleId != 999000011000000103 }}", &[19829001, 40541001]);
    check(&b, "< 64572001 {{ C effectiveTime >= \"20200101\" }}", &[40541001, 233709006]);
    check(
        &b,
        "< 64572001 {{ C effectiveTime = (\"20020131\" \"20210731\") }}",
        &[19829001, 233709006],
    );
    check(&b, "< 64572001 {{ C effectiveTime != (\"20020131\" \"20210731\") }}", &[40541001]);
    check(&b, "< 64572001 {{ C effectiveTime < \"20200131\" }}", &[19829001]);
    check(&b, "< 64572001 {{ C effectiveTime = \"\" }}", &[]);
    check(
        &b,
        "< 64572001 {{ C definitionStatus = primitive }} {{ D term = \"toxic\" }}",
        &[233709006],
    );
    check(&b, "^ 700043003 {{ C active = false }}", &[123456001]);
    check(&b, "^ 700043003 {{ C active = true }}", &[19829001, 40541001]);
}

#[test]
fn history_supplements() {
    let b = backend();
    check(&b, "19829001 {{ +HISTORY-MIN }}", &[19829001, 123456001]);
    check(&b, "19829001 {{ +HISTORY-MOD }}", &[19829001, 123456001, 123456002]);
    check(&b, "19829001 {{ +HISTORY-MAX }}", &[19829001, 123456001, 123456002]);
    check(
        &b,
        "<< 19829001 {{ +HISTORY }}",
        &[19829001, 40541001, 233709006, 123456001, 123456002, 123456003],
    );
    check(
        &b,
        "<< 19829001 {{ +HISTORY (900000000000523009) }}",
        &[19829001, 40541001, 233709006, 123456003],
    );
    check(
        &b,
        "<< 19829001 {{ +HISTORY (< 900000000000522004) }}",
        &[19829001, 40541001, 233709006, 123456001, 123456002, 123456003],
    );
    // the spec's definition: Q {{+HISTORY(R)}} = Q OR ^ R {{ M targetComponentId = Q }}
    assert_eq!(
        ids(&b, "<< 19829001 {{ +HISTORY (900000000000527005) }}"),
        ids(&b, "<< 19829001 OR ^ 900000000000527005 {{ M targetComponentId = << 19829001 }}")
    );
}

#[test]
fn alternate_identifiers() {
    let b = backend();
    check(&b, "LOINC#1234-5", &[40541001]);
    check(&b, ">! LOINC#1234-5", &[19829001]);
    check(&b, "\"LOINC#1234-5\"", &[40541001]);
    check(&b, "LOINC#9999-9", &[]);
    let e = parse("LOINC#9999-9").unwrap();
    assert!(matches!(
        Evaluator::new(&b).strict(true).evaluate(&e),
        Err(EvalError::UnknownAlternateIdentifier { .. })
    ));
}

#[test]
fn paging_and_counting() {
    let b = backend();
    let e = parse("<< 64572001").unwrap();
    let ev = Evaluator::new(&b);
    assert_eq!(ev.count(&e).unwrap(), 4);
    assert_eq!(ev.page(&e, 1, 2).unwrap(), vec![40541001, 64572001]);
    assert_eq!(ev.page(&e, 3, 10).unwrap(), vec![233709006]);
    assert_eq!(ev.page(&e, 10, 10).unwrap(), Vec::<u64>::new());
    assert_eq!(parse("<< 64572001").unwrap().concept_ids(), vec![64572001]);
}

#[test]
fn limits() {
    let b = backend();
    let e = parse("<< 64572001").unwrap();
    let ev =
        Evaluator::new(&b).with_limits(Limits { max_results: 3, timeout: Duration::from_secs(10) });
    assert_eq!(ev.evaluate(&e), Err(EvalError::TooManyResults { limit: 3 }));
    // a large flat hierarchy with a zero time budget times out instead of running
    let mut big = MemoryBackend::new();
    big.add_concept(ROOT, true, CORE, 20020131, true);
    big.add_concept(IS_A, true, CORE, 20020131, true);
    for i in 0..5000u64 {
        let id = 100_000_000 + i;
        big.add_concept(id, true, CORE, 20020131, true);
        big.add_relationship(id, IS_A, ROOT, 0);
        big.add_description(id, desc(id * 10, "term", SYN, "en", &[], true));
    }
    big.finish();
    let e = parse("<< 138875005 {{ term = \"x\" }}").unwrap();
    let ev =
        Evaluator::new(&big).with_limits(Limits { max_results: u64::MAX, timeout: Duration::ZERO });
    assert!(matches!(ev.evaluate(&e), Err(EvalError::Timeout(_))));
    let ev = Evaluator::new(&big);
    assert_eq!(ev.count(&parse("< 138875005").unwrap()).unwrap(), 5000);
}
