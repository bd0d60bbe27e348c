//! ECL over the sample (every operator, refinement form and filter, with expected sets)
//! and the exact expansion counts of the HL7 snomed suite over the real subset.

use std::collections::BTreeSet;

use sctx_db::{Database, DbError};

use crate::util::*;

fn ids(db: &Database, ecl: &str) -> BTreeSet<u64> {
    let set = db.ecl_set(ecl, Default::default()).unwrap_or_else(|e| panic!("{ecl}: {e}"));
    set.iter().map(|i| db.store().id_of(i)).collect()
}

fn set(v: &[u64]) -> BTreeSet<u64> {
    v.iter().copied().collect()
}

#[test]
fn hierarchy_operators_on_the_sample() {
    let db = sample();
    let dm = 73211009;
    let kids = set(&[44054006, 46635009, 9900213008, 9900215001, 9900218004, 9900219007]);
    assert_eq!(ids(db, "<! 73211009"), kids);
    let mut k2 = kids.clone();
    k2.insert(dm);
    assert_eq!(ids(db, "<<! 73211009"), k2);
    let desc = ids(db, "< 73211009");
    assert!(kids.is_subset(&desc));
    assert!(!desc.contains(&dm));
    let mut dos = desc.clone();
    dos.insert(dm);
    assert_eq!(ids(db, "<< 73211009"), dos);
    assert_eq!(ids(db, "descendantOrSelfOf 73211009 |Diabetes mellitus|"), dos);
    let anc = ids(db, "> 44054006");
    assert!(anc.contains(&dm) && anc.contains(&138875005) && !anc.contains(&44054006));
    assert!(ids(db, ">> 44054006").contains(&44054006));
    assert_eq!(ids(db, ">! 44054006"), set(&[73211009]));
    assert_eq!(ids(db, "73211009"), set(&[dm]));
    // top and bottom
    assert_eq!(ids(db, "!!> (<< 73211009)"), set(&[dm]));
    assert!(ids(db, "!!< (<< 73211009)").is_subset(&dos));
    // the wildcard: every active concept
    assert_eq!(ids(db, "*").len() as u64, db.manifest().counts.active_concepts);
}

#[test]
fn compound_refinement_and_filters_on_the_sample() {
    let db = sample();
    // conjunction, disjunction, exclusion
    assert_eq!(ids(db, "<< 73211009 AND << 44054006"), ids(db, "<< 44054006"));
    assert_eq!(
        ids(db, "<< 44054006 OR << 46635009"),
        &ids(db, "<< 44054006") | &ids(db, "<< 46635009")
    );
    assert!(!ids(db, "<< 73211009 MINUS << 44054006").contains(&44054006));
    // refinement: finding site heart, morphology infarct, in one group
    let mi = ids(db, "< 404684003 : { 363698007 = << 80891009, 116676008 = << 55641003 }");
    assert!(mi.contains(&22298006) && mi.contains(&57054005), "{mi:?}");
    assert!(!mi.contains(&84114007), "heart failure is not an infarct");
    // attribute values honour subsumption, cardinality [0..0] excludes
    let no_site = ids(db, "< 64572001 : [0..0] 363698007 = *");
    assert!(!no_site.contains(&22298006));
    // reverse: the finding sites of myocardial infarction
    assert!(ids(db, "* : R 363698007 = 22298006").contains(&80891009));
    // dotted attribute
    assert!(ids(db, "22298006 . 363698007").contains(&80891009));
    // procedure with method and site
    assert!(
        ids(db, "< 71388002 : 260686004 = 129304002, 405813007 = 66754008").contains(&80146002)
    );
    // member of
    let cvd = ids(db, "^ 9900001008");
    assert!(cvd.contains(&22298006), "{cvd:?}");
    // description filters
    assert!(ids(db, "< 64572001 {{ term = \"heart attack\" }}").contains(&22298006));
    assert!(ids(db, "< 404684003 {{ D term = wild:\"*infarction\" }}").contains(&22298006));
    assert!(
        ids(db, "<< 80146002 {{ D term = \"appendectomy\", dialect = en-us (prefer) }}")
            .contains(&80146002)
    );
    // concept filters
    let prim = ids(db, "<< 73211009 {{ C definitionStatus = primitive }}");
    assert!(prim.contains(&73211009));
    // concrete values
    assert!(ids(db, "< 373873005 : 1142135004 = #500").contains(&9900074004));
    assert!(ids(db, "< 373873005 : 1142135004 > #100").contains(&9900074004));
    // history supplement: MI with SAME AS sources
    let h = ids(db, "22298006 {{ +HISTORY-MIN }}");
    assert!(h.contains(&9900268007), "{h:?}");
    // member filters on the map refset
    assert!(ids(db, "^ 447562003 {{ M mapTarget = \"J45.9\" }}").contains(&195967001));
}

#[test]
fn ecl_errors() {
    let db = sample();
    assert!(matches!(
        db.ecl_set("<< 73211009 OR << 44054006 AND << 46635009", Default::default()),
        Err(DbError::EclSyntax { .. })
    ));
    assert!(matches!(db.ecl_set("<<", Default::default()), Err(DbError::EclSyntax { .. })));
    assert!(matches!(
        db.ecl_set("<< 73211008", Default::default()),
        Err(DbError::InvalidId { .. })
    ));
    let e = db.ecl_set("<< 73211009 AND", Default::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("line 1") && msg.contains('^'), "{msg}");
    // limits give a clear error
    let e =
        db.ecl_set("*", sctx_ecl::Limits { max_results: 10, ..Default::default() }).unwrap_err();
    assert!(matches!(e, DbError::EclEval(sctx_ecl::EvalError::TooManyResults { .. })), "{e}");
}

/// The expansion counts of the HL7 `snomed` suite (tests/sct), over the real subset.
#[test]
fn hl7_snomed_suite_counts() {
    let Some(shared) = shared() else { return skip("hl7 ECL counts") };
    let dir = tempfile::tempdir().unwrap();
    let pkg = shared.join("samples/fhir-tx-ecosystem-ig/tx-source/snomed");
    sctx_db::import(dir.path(), &[pkg], &Default::default()).unwrap();
    let db = Database::open(dir.path()).unwrap();
    let cases: &[(&str, u64)] = &[
        ("<< 10200004", 310),
        ("< 10200004", 309),
        ("> 10200004", 19),
        (">> 10200004", 20),
        ("<! 10200004", 4),
        ("<<! 10200004", 5),
        (">! 10200004", 2),
        (">>! 10200004", 3),
        ("^ 900000000000526001", 1),
        ("^ 10200004", 0),
        ("<< 128045006 OR << 10200004", 311),
        ("<< 128045006 AND << 64572001", 1),
        ("<< 64572001 MINUS << 128045006", 798),
        ("<< 64572001 MINUS << 64572001", 0),
        ("* MINUS << 10200004", 1896),
        ("(<< 10200004 OR << 128045006) AND << 64572001", 1),
        ("<< 10200004 OR (<< 128045006 AND << 64572001)", 311),
        ("((((<< 10200004))))", 310),
        ("< 64572001 : 363698007 = << 10200004", 661),
        ("< 64572001 : 116676008 = 20946005", 2),
        ("< 64572001 : 363698007 = *", 708),
        ("< 64572001 : { 363698007 = << 10200004, 116676008 = 20946005 }", 0),
        ("< 64572001 : [1..1] 363698007 = << 10200004", 573),
        ("< 64572001 : [1..1] { [1..1] 363698007 = << 10200004 }", 573),
        ("< 64572001 : { [1..1] 363698007 = << 10200004 }", 661),
        ("< 64572001 . 363698007", 105),
        ("*", 2206),
    ];
    let mut bad = Vec::new();
    for (ecl, want) in cases {
        let got = db.ecl_set(ecl, Default::default()).map(|s| s.len());
        if got.as_ref().ok() != Some(want) {
            bad.push(format!("{ecl}: expected {want}, got {got:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Filters and refinement forms over the sample, each against a set computed independently
/// by brute force over the store (not through the evaluator).
#[test]
fn filters_and_refinements_match_brute_force() {
    let db = sample();
    let s = db.store();
    let under = |id: u64| -> BTreeSet<u32> {
        let i = s.index_of(id).unwrap();
        let mut v: BTreeSet<u32> = s.descendants(i).iter().copied().collect();
        v.insert(i);
        v.into_iter().filter(|&c| s.is_active(c)).collect()
    };
    let as_ids =
        |v: BTreeSet<u32>| -> BTreeSet<u64> { v.into_iter().map(|i| s.id_of(i)).collect() };
    let findings = under(404684003);

    // concept filters
    let want = as_ids(
        findings
            .iter()
            .copied()
            .filter(|&c| s.concept(c).unwrap().effective_time >= 20100101)
            .collect(),
    );
    assert!(!want.is_empty(), "vacuous: {}", "<< 404684003 {{ C effectiveTime >= \"20100101\" }}");
    assert_eq!(ids(db, "<< 404684003 {{ C effectiveTime >= \"20100101\" }}"), want);
    let want =
        as_ids(findings.iter().copied().filter(|&c| !s.concept(c).unwrap().primitive).collect());
    assert!(!want.is_empty(), "vacuous: {}", "<< 404684003 {{ C definitionStatus = defined }}");
    assert_eq!(ids(db, "<< 404684003 {{ C definitionStatus = defined }}"), want);
    let want = as_ids(
        findings
            .iter()
            .copied()
            .filter(|&c| s.concept(c).unwrap().module == 900000000000207008)
            .collect(),
    );
    assert!(!want.is_empty(), "vacuous: {}", "<< 404684003 {{ C moduleId = 900000000000207008 }}");
    assert_eq!(ids(db, "<< 404684003 {{ C moduleId = 900000000000207008 }}"), want);

    // description filters: type, language, dialect acceptability, term prefix words
    let has_desc = |c: u32, f: &dyn Fn(&sctx_store::DescriptionView<'_>) -> bool| {
        s.descriptions(c).any(|d| d.active && f(&d))
    };
    let want = as_ids(
        findings
            .iter()
            .copied()
            .filter(|&c| {
                has_desc(c, &|d| {
                    d.type_id == 900000000000013009
                        && d.term.to_lowercase().split_whitespace().any(|w| w.starts_with("heart"))
                })
            })
            .collect(),
    );
    assert!(!want.is_empty(), "vacuous: {}", "<< 404684003 {{ D term = \"heart\", type = syn }}");
    assert_eq!(ids(db, "<< 404684003 {{ D term = \"heart\", type = syn }}"), want);
    let procedures = under(71388002);
    let want = as_ids(
        procedures
            .iter()
            .copied()
            .filter(|&c| {
                has_desc(c, &|d| {
                    d.acceptability_in(900000000000508004) == Some(900000000000548007)
                        && d.term.to_lowercase().contains("appendicectomy")
                })
            })
            .collect(),
    );
    assert!(!want.is_empty(), "vacuous: dialect");
    assert_eq!(
        ids(db, "<< 71388002 {{ D term = \"appendicectomy\", dialect = en-gb (prefer) }}"),
        want
    );
    assert!(
        ids(db, "<< 71388002 {{ D term = \"appendicectomy\", dialect = en-us (prefer) }}")
            .is_empty()
    );

    // refinements: attribute with subsumption on type and value, and reverse
    let site = s.index_of(363698007).unwrap();
    let heart = under(80891009);
    let want = as_ids(
        findings
            .iter()
            .copied()
            .filter(|&c| c != s.index_of(404684003).unwrap())
            .filter(|&c| {
                s.outbound(c).any(|r| s.subsumes(site, r.type_idx) && heart.contains(&r.other))
            })
            .collect(),
    );
    assert!(!want.is_empty(), "vacuous: {}", "< 404684003 : 363698007 = << 80891009");
    assert_eq!(ids(db, "< 404684003 : 363698007 = << 80891009"), want);
    // grouped: both attributes in one group
    let morph = s.index_of(116676008).unwrap();
    let infarct = under(55641003);
    let want = as_ids(
        findings
            .iter()
            .copied()
            .filter(|&c| c != s.index_of(404684003).unwrap())
            .filter(|&c| {
                let rels: Vec<_> = s.outbound(c).collect();
                rels.iter().any(|a| {
                    a.group != 0
                        && s.subsumes(site, a.type_idx)
                        && heart.contains(&a.other)
                        && rels.iter().any(|b| {
                            b.group == a.group
                                && s.subsumes(morph, b.type_idx)
                                && infarct.contains(&b.other)
                        })
                })
            })
            .collect(),
    );
    assert!(
        !want.is_empty(),
        "vacuous: {}",
        "< 404684003 : { 363698007 = << 80891009, 116676008 = << 55641003 }"
    );
    assert_eq!(ids(db, "< 404684003 : { 363698007 = << 80891009, 116676008 = << 55641003 }"), want);
    // cardinality: at least two attributes of any kind in one concept
    let want = as_ids(
        findings
            .iter()
            .copied()
            .filter(|&c| c != s.index_of(404684003).unwrap())
            .filter(|&c| s.outbound(c).filter(|r| s.id_of(r.type_idx) != 116680003).count() >= 2)
            .collect(),
    );
    let got = ids(db, "< 404684003 : [2..*] * = *");
    // `*` as attribute name also matches is-a, so compare on concepts with 2+ non-is-a too
    assert!(want.is_subset(&got), "{want:?} ⊄ {got:?}");
    // member of, and refsets containing a concept (^R)
    let want: BTreeSet<u64> =
        s.members_of(9900001008).filter(|m| m.active).map(|m| m.referenced).collect();
    assert!(!want.is_empty(), "vacuous: {}", "^ 9900001008");
    assert_eq!(ids(db, "^ 9900001008"), want);
    let r = ids(db, "^R 22298006");
    assert!(r.contains(&9900001008), "{r:?}");
    // history: MAX includes every association source of the target
    let mi = s.index_of(22298006).unwrap();
    let mut want: BTreeSet<u64> = s.associations_to(mi).map(|(_, src)| s.id_of(src)).collect();
    want.insert(22298006);
    assert!(want.is_subset(&ids(db, "22298006 {{ +HISTORY-MAX }}")));
}

/// Description filters see text definitions too: without a type filter any description
/// type matches (the ECL specification's description filters range over all of a concept's
/// descriptions), and `type = def` selects the definitions alone. Found by a differential run
/// against snomed-ecl-engine (BENCHMARKS.md, peers), where sctx answered 0 for `type = def`.
#[test]
fn description_filters_include_text_definitions() {
    let db = sample();
    // "vermiform": a synonym of 66754008 (Vermiform appendix) and only the definition of
    // 80146002 (Appendectomy)
    let both = set(&[66754008, 80146002]);
    assert_eq!(ids(db, "<< 138875005 {{ term = \"vermiform\" }}"), both);
    assert_eq!(ids(db, "<< 138875005 {{ term = \"vermiform\", type = def }}"), set(&[80146002]));
    let not_def = ids(db, "<< 138875005 {{ term = \"vermiform\", type = (syn fsn) }}");
    assert_eq!(not_def, set(&[66754008]));
    // definitions alone: the concepts that have one containing "obstruction"
    let obstruction = ids(db, "<< 138875005 {{ term = \"obstruction\", type = def }}");
    assert!(obstruction.contains(&22298006) && obstruction.contains(&195967001), "{obstruction:?}");
    assert!(!ids(db, "<< 138875005 {{ type = def }}").contains(&44054006));
}

/// A final member field selection answers member rows (ECL 2.2 `^ [fields] X`): several
/// fields, all fields (`[*]`), and one field whose values are not concepts, with member
/// filters and paging; one field of concepts still answers concepts, and inside a larger
/// expression a non-concept field is an error.
#[test]
fn member_field_selection_answers_rows() {
    let db = sample();
    let lang = sctx_types::LanguagePreference::default();
    let run = |ecl: &str, limit: usize, offset: usize| {
        let opts = sctx_db::EclOptions { limit, offset, ..Default::default() };
        db.ecl(ecl, &opts, &lang).unwrap_or_else(|e| panic!("{ecl}: {e}"))
    };
    // Alzheimer's disease maps to two groups: F00.9 (group 2) and G30.9 (group 1)
    let r =
        run("^ [mapTarget, mapGroup] 447562003 {{ M referencedComponentId = 26929004 }}", 10, 0);
    assert_eq!(r.total, 2);
    assert!(r.items.is_empty());
    let rows = r.rows.expect("rows");
    let mut got: Vec<(String, i64)> = rows
        .iter()
        .map(|row| {
            assert_eq!((row.refset_id, row.referenced_component_id), (447562003, 26929004));
            let names: Vec<&str> = row.fields.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, ["mapTarget", "mapGroup"], "selection order");
            match (&row.fields[0].1, &row.fields[1].1) {
                (sctx_ecl::FieldValueOwned::String(t), sctx_ecl::FieldValueOwned::Integer(g)) => {
                    (t.clone(), *g)
                }
                other => panic!("{other:?}"),
            }
        })
        .collect();
    got.sort();
    assert_eq!(got, [("F00.9".to_string(), 2), ("G30.9".to_string(), 1)]);
    // JSON: ids as strings, integers as numbers, fields in selection order
    let json = serde_json::to_string(&rows[0]).expect("json");
    assert!(
        json.starts_with(
            r#"{"refsetId":"447562003","referencedComponentId":"26929004","fields":{"mapTarget":"#
        ),
        "{json}"
    );
    // every field; only active members
    let all = run("^ [*] 447562003", 100, 0);
    let rows = all.rows.expect("rows");
    assert_eq!(all.total, 37);
    assert_eq!(rows.len(), 37);
    assert!(rows[0].fields.iter().any(|(n, _)| n == "correlationId"));
    // paging and counting
    let page = run("^ [*] 447562003", 5, 35);
    assert_eq!((page.total, page.rows.expect("rows").len()), (37, 2));
    let count = db
        .ecl(
            "^ [*] 447562003",
            &sctx_db::EclOptions { count_only: true, ..Default::default() },
            &lang,
        )
        .expect("count");
    assert_eq!((count.total, count.rows.expect("rows").len()), (37, 0));
    // one field: values that are not concepts are rows, concepts stay concepts
    let one = run("^ [mapTarget] 447562003 {{ M referencedComponentId = 22298006 }}", 10, 0);
    let rows = one.rows.expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].fields,
        [("mapTarget".to_string(), sctx_ecl::FieldValueOwned::String("I21.9".into()))]
    );
    let concepts = run("^ [referencedComponentId] 447562003 {{ M mapTarget = \"I21.9\" }}", 10, 0);
    assert!(concepts.rows.is_none());
    let got: BTreeSet<u64> = concepts.items.iter().map(|c| c.id.parse().expect("id")).collect();
    assert_eq!(got, set(&[22298006, 57054005]));
    // inside a larger expression a non-concept field is refused
    let e = db.ecl("<< (^ [mapTarget] 447562003)", &Default::default(), &lang).unwrap_err();
    assert!(
        matches!(e, DbError::EclEval(sctx_ecl::EvalError::NotConcepts(ref f)) if f == "mapTarget"),
        "{e}"
    );
}
