//! The relevance test set: what a clinician types, and the concept that must come first
//! (top-1) or among the first three (top-3).

use sctx_db::SearchOptions;
use sctx_types::LanguagePreference;

use crate::util::*;

struct Case {
    q: &'static str,
    expect: &'static str,
    top: usize,
    lang: &'static str,
    opts: fn() -> SearchOptions,
    why: &'static str,
}

fn none() -> SearchOptions {
    SearchOptions::default()
}
fn fuzzy() -> SearchOptions {
    SearchOptions { fuzzy: Some(true), ..Default::default() }
}
fn inactive() -> SearchOptions {
    SearchOptions { include_inactive: true, ..Default::default() }
}
fn inactive_exact() -> SearchOptions {
    SearchOptions { include_inactive: true, fuzzy: Some(false), ..Default::default() }
}
fn is_a_procedure() -> SearchOptions {
    SearchOptions { is_a: vec!["71388002".into()], ..Default::default() }
}
fn is_a_body_structure() -> SearchOptions {
    SearchOptions { is_a: vec!["123037004".into()], ..Default::default() }
}
fn is_a_disease() -> SearchOptions {
    SearchOptions { is_a: vec!["64572001".into()], ..Default::default() }
}
fn ecl_heart_findings() -> SearchOptions {
    SearchOptions {
        ecl: Some("< 404684003 : 363698007 = << 80891009".into()),
        ..Default::default()
    }
}
fn refset_cvd() -> SearchOptions {
    SearchOptions { refsets: vec!["9900001008".into()], ..Default::default() }
}
fn fsn_only() -> SearchOptions {
    SearchOptions { types: vec!["fsn".into()], ..Default::default() }
}

macro_rules! case {
    ($q:expr, $e:expr, $top:expr, $why:expr) => {
        Case { q: $q, expect: $e, top: $top, lang: "en-GB", opts: none, why: $why }
    };
    ($q:expr, $e:expr, $top:expr, $lang:expr, $opts:expr, $why:expr) => {
        Case { q: $q, expect: $e, top: $top, lang: $lang, opts: $opts, why: $why }
    };
}

const CASES: &[Case] = &[
    // prefixes
    case!("asth", "195967001", 1, "prefix of a single word"),
    case!("diab", "73211009", 1, "shortest matching preferred term first"),
    case!("myocardial inf", "22298006", 1, "all-prefix, term start"),
    case!("hypert", "38341003", 1, "prefix"),
    case!("pneum", "233604007", 1, "prefix"),
    case!("migr", "37796009", 1, "prefix"),
    case!("epilep", "84757009", 1, "prefix"),
    case!("append", "74400008", 3, "appendicitis, appendectomy family"),
    case!("appendic", "80146002", 3, "en-GB term Appendicectomy (issue example)"),
    case!("appendicec", "80146002", 1, "en-GB spelling only"),
    case!("appendec", "80146002", 1, "en-US spelling still finds the concept"),
    case!("heart fail", "84114007", 1, "two prefixes"),
    case!("chronic kid", "709044004", 1, "two prefixes"),
    case!("fract fem", "71620000", 1, "two prefixes"),
    case!("paracet 500", "9900074004", 1, "drug with strength"),
    // word order
    case!("inf myo", "22298006", 1, "any word order"),
    case!("infarction myocardial", "22298006", 1, "any word order"),
    case!("attack heart", "22298006", 1, "synonym in any order"),
    case!("breast cancer", "254837009", 1, "synonym"),
    case!("cancer breast", "254837009", 1, "synonym, reversed"),
    // exact term first
    case!("asthma", "195967001", 1, "exact match"),
    case!("heart attack", "22298006", 1, "exact synonym beats 'Acute heart attack'"),
    case!("infarction", "55641003", 1, "exact match of a morphology term"),
    // case, accents, punctuation
    case!("sjogren", "83901003", 1, "accent folding"),
    case!("SJÖGREN", "83901003", 1, "upper case with accent"),
    case!("crohns", "34000006", 1, "apostrophe folded"),
    case!("crohn's", "34000006", 1, "apostrophe typed"),
    case!("alzheimers", "26929004", 1, "apostrophe folded"),
    case!("oesophag", "9900024001", 3, "en-GB spelling (Oesophagitis is shorter)"),
    // abbreviations and acronyms
    case!("MI", "22298006", 1, "acronym in 'MI - Myocardial infarction'"),
    case!("copd", "13645005", 1, "acronym, lower case"),
    case!("T2DM", "44054006", 1, "acronym"),
    case!("ckd", "709044004", 1, "acronym: 'CKD - Chronic kidney disease' beats 'CKD stage 1'"),
    case!("HbA1c", "9900083009", 1, "mixed letters and digits"),
    case!("bp", "9900078001", 3, "short acronym"),
    case!("ami", "57054005", 1, "acronym of acute MI"),
    // typos
    case!("alzimer", "26929004", 1, "automatic fuzzy retry"),
    case!("diabetis", "73211009", 3, "automatic fuzzy retry"),
    case!("astma", "195967001", 1, "automatic fuzzy retry"),
    case!("pnuemonia", "233604007", 1, "transposition"),
    case!("epilepsy", "84757009", 1, "exact"),
    case!("hypertensoin", "38341003", 1, "fuzzy, 8+ letters allow 2 edits"),
    case!("migrane", "37796009", 1, "en-GB", fuzzy, "explicit fuzzy"),
    // en-GB vs en-US ranking
    case!("appendectomy", "80146002", 1, "en-US", none, "US preferred term"),
    case!("haemorrhage", "9900039000", 1, "en-GB spelling"),
    case!("hemorrhage", "9900039000", 1, "en-US", none, "en-US spelling"),
    case!("tumour", "108369006", 1, "en-GB synonym"),
    // inactive content
    case!(
        "heart infarction",
        "9900268007",
        1,
        "en-GB",
        inactive,
        "inactive concept found when asked"
    ),
    case!(
        "faliure",
        "84114007",
        1,
        "en-GB",
        inactive_exact,
        "inactive description leads to its active concept"
    ),
    case!("asthma nos", "9900269004", 1, "en-GB", inactive, "inactive concept with SAME AS"),
    // filters
    case!(
        "excision",
        "80146002",
        3,
        "en-GB",
        is_a_procedure,
        "is-a Procedure excludes the action qualifier"
    ),
    case!(
        "append",
        "66754008",
        1,
        "en-GB",
        is_a_body_structure,
        "is-a Body structure: the appendix itself"
    ),
    case!("heart", "22298006", 3, "en-GB", is_a_disease, "is-a Disease"),
    case!("heart", "84114007", 3, "en-GB", ecl_heart_findings, "ECL constraint"),
    case!("inf", "22298006", 3, "en-GB", refset_cvd, "refset filter"),
    case!("diabetes mellitus (dis", "73211009", 1, "en-GB", fsn_only, "description type filter"),
    // codes
    case!("73211009", "73211009", 1, "typing an SCTID finds the concept"),
];

#[test]
fn relevance_test_set() {
    let db = sample();
    let mut failures = Vec::new();
    assert!(CASES.len() >= 40);
    for c in CASES {
        let lang = LanguagePreference::parse(c.lang).unwrap();
        let mut o = (c.opts)();
        o.limit = 10;
        let r = db.search(c.q, &o, &lang).unwrap();
        let pos = r.hits.iter().position(|h| h.concept_id == c.expect);
        if pos.is_none_or(|p| p >= c.top) {
            failures.push(format!(
                "{:?} ({}, {}): expected {} in top {}, got {:?}",
                c.q,
                c.lang,
                c.why,
                c.expect,
                c.top,
                r.hits
                    .iter()
                    .take(5)
                    .map(|h| format!("{} {}", h.concept_id, h.term))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn hits_carry_the_preferred_term_and_filters_exclude() {
    let db = sample();
    let gb = LanguagePreference::en_gb();
    let r = db.search("heart attack", &Default::default(), &gb).unwrap();
    assert_eq!(r.hits[0].term, "Heart attack");
    assert_eq!(r.hits[0].preferred_term.as_deref(), Some("Myocardial infarction"));
    // one hit per concept by default
    let mut ids: Vec<_> = r.hits.iter().map(|h| h.concept_id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), r.hits.len());
    // inactive concepts are excluded by default
    let r = db
        .search(
            "heart infarction",
            &SearchOptions { fuzzy: Some(false), ..Default::default() },
            &gb,
        )
        .unwrap();
    assert!(r.hits.iter().all(|h| h.active), "{:?}", r.hits);
    // is-a filter excludes other hierarchies
    let r = db.search("excision", &is_a_procedure(), &gb).unwrap();
    assert!(!r.hits.is_empty());
    assert!(
        r.hits.iter().all(|h| db.subsumes("71388002", &h.concept_id).unwrap()
            != sctx_db::Subsumption::NotSubsumed)
    );
    // nonsense finds nothing
    let r = db.search("zzqxv", &Default::default(), &gb).unwrap();
    assert!(r.hits.is_empty());
    // bad filters are errors, not empty results
    assert!(
        db.search("x", &SearchOptions { ecl: Some("<<".into()), ..Default::default() }, &gb)
            .is_err()
    );
    assert!(
        db.search("x", &SearchOptions { is_a: vec!["123".into()], ..Default::default() }, &gb)
            .is_err()
    );
}

/// Queries over the real International subset in ../shared.
#[test]
fn relevance_on_the_real_subset() {
    let Some(shared) = shared() else { return skip("search over the hl7 subset") };
    let dir = tempfile::tempdir().unwrap();
    let pkg = shared.join("samples/fhir-tx-ecosystem-ig/tx-source/snomed");
    sctx_db::import(dir.path(), &[pkg], &Default::default()).unwrap();
    let db = sctx_db::Database::open(dir.path()).unwrap();
    let gb = LanguagePreference::en_gb();
    let top = |q: &str, n: usize| -> Vec<String> {
        db.search(q, &Default::default(), &gb)
            .unwrap()
            .hits
            .into_iter()
            .take(n)
            .map(|h| h.concept_id)
            .collect()
    };
    assert_eq!(top("liver struc", 1), vec!["10200004".to_string()]);
    // with a typo in the first word, the term that starts with it still leads (the exact
    // "struc" beginning "Structure of ligament of liver" must not outrank it)
    assert_eq!(top("livr struc", 1), vec!["10200004".to_string()]);
    // term-start matches come first
    let hits = db.search("diabetes", &Default::default(), &gb).unwrap().hits;
    assert!(hits[0].term.starts_with("Diabetes"), "{:?}", hits[0]);
    assert_eq!(top("pregnancy diabetes arising", 1), vec!["11687002".to_string()]);
    assert!(top("liver", 3).contains(&"10200004".to_string()));
    let hits = db.search("livr", &Default::default(), &gb).unwrap().hits;
    assert!(
        hits.len() >= 3 && hits.iter().all(|h| h.term.to_lowercase().contains("liver")),
        "typo on real data: {hits:?}"
    );
    assert_eq!(top("10200004", 1), vec!["10200004".to_string()]);
}
