//! Tests over a small hand-made index.

use std::sync::OnceLock;

use roaring::RoaringBitmap;

use crate::*;

const UK: u64 = 999_001_261_000_000_100;
const GB: u64 = 900_000_000_000_508_004;
const US: u64 = 900_000_000_000_509_007;

/// Acceptability of one description.
#[derive(Clone, Copy)]
enum Av {
    /// Preferred in UK, GB and US.
    Pref,
    /// Acceptable in UK, GB and US.
    Acc,
    /// Preferred in US, acceptable in UK and GB.
    UsPref,
    /// Preferred in UK and GB, acceptable in US.
    GbPref,
    /// In no language refset.
    Unlisted,
}

struct Fixture {
    _tmp: tempfile::TempDir,
    index: SearchIndex,
    stats: IndexStats,
    docs: usize,
}

// concept ids
const MI: u64 = 22_298_006;
const AMI: u64 = 57_054_005;
const APPENDECTOMY: u64 = 80_146_002;
const SJOGREN: u64 = 83_901_003;
const CROHN: u64 = 34_000_006;
const ALZHEIMER: u64 = 26_929_004;
const T2DM: u64 = 44_054_006;
const DM: u64 = 73_211_009;
const ASTHMA: u64 = 195_967_001;
const CHILD_ASTHMA: u64 = 233_678_006;
const COPD: u64 = 13_645_005;
const APPENDICITIS: u64 = 74_400_008;
const HEART: u64 = 80_891_009;
const HEARTBURN: u64 = 16_331_000;
const HEART_DISEASE: u64 = 56_265_001;
const WEGENER_OLD: u64 = 195_353_004;
const GPA: u64 = 117_666_006;
const HYPERTENSION: u64 = 38_341_003;
const HEART_FAILURE: u64 = 84_114_007;
const INFARCTION: u64 = 55_641_003;
const MYOCARDITIS: u64 = 50_920_009;
const MITRAL_STENOSIS: u64 = 79_619_009;
const HEART_MURMUR: u64 = 88_610_006;
const BETA_BLOCKER: u64 = 373_254_001;

/// (concept id, concept active, descriptions: (term, type, acceptability, active)).
#[allow(clippy::type_complexity)]
fn concepts() -> Vec<(u64, bool, Vec<(&'static str, u64, Av, bool)>)> {
    use Av::*;
    let s = SYNONYM_TYPE;
    let f = FSN_TYPE;
    vec![
        (
            MI,
            true,
            vec![
                ("Myocardial infarction (disorder)", f, Pref, true),
                ("Myocardial infarction", s, Pref, true),
                ("Heart attack", s, Acc, true),
                ("MI - Myocardial infarction", s, Acc, true),
                ("Cardiac infarction", s, Acc, true),
                ("Infarction of heart", s, Acc, true),
            ],
        ),
        (
            AMI,
            true,
            vec![
                ("Acute myocardial infarction (disorder)", f, Pref, true),
                ("Acute myocardial infarction", s, Pref, true),
                ("AMI - Acute myocardial infarction", s, Acc, true),
            ],
        ),
        (
            APPENDECTOMY,
            true,
            vec![
                ("Appendectomy (procedure)", f, Pref, true),
                ("Appendectomy", s, UsPref, true),
                ("Appendicectomy", s, GbPref, true),
            ],
        ),
        (
            SJOGREN,
            true,
            vec![
                ("Sjögren's syndrome (disorder)", f, Pref, true),
                ("Sjögren's syndrome", s, Pref, true),
                ("Sicca syndrome", s, Acc, true),
            ],
        ),
        (
            CROHN,
            true,
            vec![
                ("Crohn's disease (disorder)", f, Pref, true),
                ("Crohn's disease", s, Pref, true),
                ("Regional enteritis", s, Acc, true),
            ],
        ),
        (
            ALZHEIMER,
            true,
            vec![
                ("Alzheimer's disease (disorder)", f, Pref, true),
                ("Alzheimer's disease", s, Pref, true),
                ("AD - Alzheimer's disease", s, Acc, true),
            ],
        ),
        (
            T2DM,
            true,
            vec![
                ("Diabetes mellitus type 2 (disorder)", f, Pref, true),
                ("Type 2 diabetes mellitus", s, Pref, true),
                ("T2DM - Type 2 diabetes mellitus", s, Acc, true),
                ("Diabetes mellitus type 2", s, Acc, true),
            ],
        ),
        (
            DM,
            true,
            vec![
                ("Diabetes mellitus (disorder)", f, Pref, true),
                ("Diabetes mellitus", s, Pref, true),
                ("DM - Diabetes mellitus", s, Acc, true),
            ],
        ),
        (
            ASTHMA,
            true,
            vec![
                ("Asthma (disorder)", f, Pref, true),
                ("Asthma", s, Pref, true),
                (
                    "A chronic disease of the airways with reversible obstruction",
                    DEFINITION_TYPE,
                    Pref,
                    true,
                ),
            ],
        ),
        (
            CHILD_ASTHMA,
            true,
            vec![
                ("Childhood asthma (disorder)", f, Pref, true),
                ("Childhood asthma", s, Pref, true),
            ],
        ),
        (
            COPD,
            true,
            vec![
                ("Chronic obstructive lung disease (disorder)", f, Pref, true),
                ("Chronic obstructive pulmonary disease", s, Pref, true),
                ("COPD - Chronic obstructive pulmonary disease", s, Acc, true),
            ],
        ),
        (
            APPENDICITIS,
            true,
            vec![("Appendicitis (disorder)", f, Pref, true), ("Appendicitis", s, Pref, true)],
        ),
        (
            HEART,
            true,
            vec![
                ("Heart structure (body structure)", f, Pref, true),
                ("Heart structure", s, Pref, true),
                ("Heart", s, Acc, true),
            ],
        ),
        (
            HEARTBURN,
            true,
            vec![("Heartburn (finding)", f, Pref, true), ("Heartburn", s, Pref, true)],
        ),
        (
            HEART_DISEASE,
            true,
            vec![
                ("Heart disease (disorder)", f, Pref, true),
                ("Heart disease", s, Pref, true),
                ("Disorder of heart", s, Acc, true),
            ],
        ),
        // An inactive concept whose description stayed active.
        (WEGENER_OLD, false, vec![("Wegener's granulomatosis", s, Pref, true)]),
        // An active concept with an inactive description.
        (
            GPA,
            true,
            vec![
                ("Granulomatosis with polyangiitis (disorder)", f, Pref, true),
                ("Granulomatosis with polyangiitis", s, Pref, true),
                ("Wegener's granulomatosis", s, Unlisted, false),
            ],
        ),
        (
            HYPERTENSION,
            true,
            vec![
                ("Hypertensive disorder, systemic arterial (disorder)", f, Pref, true),
                ("Hypertensive disorder", s, Pref, true),
                ("High blood pressure", s, Acc, true),
                ("Hypertension", s, Acc, true),
            ],
        ),
        (
            HEART_FAILURE,
            true,
            vec![
                ("Heart failure (disorder)", f, Pref, true),
                ("Heart failure", s, Pref, true),
                ("Cardiac failure", s, Acc, true),
            ],
        ),
        (
            INFARCTION,
            true,
            vec![
                ("Infarct (morphologic abnormality)", f, Pref, true),
                ("Infarction", s, Pref, true),
            ],
        ),
        (
            MYOCARDITIS,
            true,
            vec![("Myocarditis (disorder)", f, Pref, true), ("Myocarditis", s, Pref, true)],
        ),
        (
            MITRAL_STENOSIS,
            true,
            vec![
                ("Mitral valve stenosis (disorder)", f, Pref, true),
                ("Mitral valve stenosis", s, Pref, true),
            ],
        ),
        (
            HEART_MURMUR,
            true,
            vec![("Heart murmur (finding)", f, Pref, true), ("Heart murmur", s, Pref, true)],
        ),
        (
            BETA_BLOCKER,
            true,
            vec![
                ("Beta-adrenoceptor blocking agent (substance)", f, Pref, true),
                ("Beta-blocker/antihypertensive", s, Acc, true),
            ],
        ),
    ]
}

fn index_of(concept_id: u64) -> u32 {
    concepts().iter().position(|c| c.0 == concept_id).map(|i| i as u32).expect("known concept")
}

fn build() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("search");
    let mut b = IndexBuilder::create(&dir, 50_000_000).expect("create");
    let docs = add_fixture_docs(&mut b);
    let stats = b.finish().expect("finish");
    let index = SearchIndex::open(&dir).expect("open");
    Fixture { _tmp: tmp, index, stats, docs }
}

/// Adds the fixture's descriptions; returns how many.
fn add_fixture_docs(b: &mut IndexBuilder<'_>) -> usize {
    let mut docs = 0;
    let mut description_id = 1_000_011u64;
    for (i, (concept_id, concept_active, descs)) in concepts().into_iter().enumerate() {
        for (term, type_id, acc, active) in descs {
            let (preferred_in, acceptable_in) = match acc {
                Av::Pref => (vec![UK, GB, US], vec![]),
                Av::Acc => (vec![], vec![UK, GB, US]),
                Av::UsPref => (vec![US], vec![UK, GB]),
                Av::GbPref => (vec![UK, GB], vec![US]),
                Av::Unlisted => (vec![], vec![]),
            };
            b.add(&SearchDoc {
                description_id,
                concept_id,
                concept_index: i as u32,
                term: term.into(),
                type_id,
                language_code: "en".into(),
                active,
                concept_active,
                preferred_in,
                acceptable_in,
            })
            .expect("add");
            description_id += 1000;
            docs += 1;
        }
    }
    // A Spanish description of Asthma, in no language refset.
    b.add(&SearchDoc {
        description_id: 9_999_011,
        concept_id: ASTHMA,
        concept_index: index_of(ASTHMA),
        term: "Asma".into(),
        type_id: SYNONYM_TYPE,
        language_code: "es".into(),
        active: true,
        concept_active: true,
        preferred_in: vec![],
        acceptable_in: vec![],
    })
    .expect("add");
    docs + 1
}

/// An active English synonym, preferred in the GB refset.
fn gb_synonym(
    description_id: u64,
    concept_id: u64,
    concept_index: u32,
    term: &str,
) -> SearchDoc<'_> {
    SearchDoc {
        description_id,
        concept_id,
        concept_index,
        term: term.into(),
        type_id: SYNONYM_TYPE,
        language_code: "en".into(),
        active: true,
        concept_active: true,
        preferred_in: vec![GB],
        acceptable_in: vec![],
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build)
}

fn run(q: &SearchQuery<'_>) -> Vec<Hit> {
    fixture().index.search(q).expect("search")
}

fn search(text: &str) -> Vec<Hit> {
    run(&SearchQuery::new(text))
}

fn ids(hits: &[Hit]) -> Vec<u64> {
    hits.iter().map(|h| h.concept_id).collect()
}

fn top(text: &str) -> (u64, String) {
    let hits = search(text);
    let h = hits.first().unwrap_or_else(|| panic!("no hit for {text:?}"));
    (h.concept_id, h.term.clone())
}

#[test]
fn builds_one_segment() {
    // the fixture is large enough for the two-segment (parallel) layout in tests
    let f = fixture();
    assert_eq!(f.stats.segments, 2);
    assert_eq!(f.stats.descriptions, f.docs as u64);
    assert_eq!(f.index.num_descriptions(), f.docs as u64);
    assert_eq!(f.index.num_segments(), 2);
    // a small index is one segment
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("small");
    let mut b = IndexBuilder::create(&dir, 0).expect("create");
    b.add(&gb_synonym(37_436_014, MI, 0, "Heart attack")).expect("add");
    let stats = b.finish().expect("finish");
    assert_eq!(stats.segments, 1);
    let idx = SearchIndex::open(&dir).expect("open");
    assert_eq!(idx.search(&SearchQuery::new("hea")).expect("search")[0].concept_id, MI);
}

#[test]
fn prefix_matches_and_term_start_wins() {
    assert_eq!(top("asth"), (ASTHMA, "Asthma".into()));
    assert_eq!(ids(&search("asth")), vec![ASTHMA, CHILD_ASTHMA]);
    // Shorter first among equally good matches.
    assert_eq!(ids(&search("myoc")), vec![MYOCARDITIS, MI, AMI]);
    assert_eq!(top("hypert"), (HYPERTENSION, "Hypertensive disorder".into()));
}

#[test]
fn word_order_does_not_matter() {
    let hits = search("inf myo");
    assert_eq!(hits[0].concept_id, MI);
    assert_eq!(hits[0].term, "Myocardial infarction");
    assert_eq!(ids(&hits), vec![MI, AMI]);
    assert_eq!(top("attack heart"), (MI, "Heart attack".into()));
}

#[test]
fn accents_are_folded() {
    for q in ["sjogren", "Sjögren", "SJOGRENS SYN", "sjögren's"] {
        assert_eq!(top(q), (SJOGREN, "Sjögren's syndrome".into()), "{q}");
    }
}

#[test]
fn apostrophes_join_and_split() {
    for q in ["crohns", "crohn", "Crohn's dis", "crohn\u{2019}s", "CROHN DISEASE"] {
        assert_eq!(top(q), (CROHN, "Crohn's disease".into()), "{q}");
    }
    assert_eq!(top("alzheimers"), (ALZHEIMER, "Alzheimer's disease".into()));
}

#[test]
fn hyphens_and_slashes_split_words() {
    assert_eq!(top("blocker").0, BETA_BLOCKER);
    assert_eq!(top("antihyp").0, BETA_BLOCKER);
    assert_eq!(top("beta-block").0, BETA_BLOCKER);
}

#[test]
fn abbreviations_and_acronyms() {
    assert_eq!(top("MI"), (MI, "MI - Myocardial infarction".into()));
    assert_eq!(top("copd"), (COPD, "COPD - Chronic obstructive pulmonary disease".into()));
    assert_eq!(top("t2dm").0, T2DM);
    assert_eq!(top("ami").0, AMI);
}

#[test]
fn typos_are_retried_fuzzily_when_nothing_matches() {
    assert_eq!(top("alzimer"), (ALZHEIMER, "Alzheimer's disease".into()));
    assert_eq!(top("diabetis").0, DM);
    assert_eq!(top("astma").0, ASTHMA);
    let off = SearchQuery { fuzzy: Fuzzy::Off, ..SearchQuery::new("alzimer") };
    assert!(run(&off).is_empty());
    // Short tokens are never fuzzy.
    assert!(search("qx").is_empty());
}

#[test]
fn explicit_fuzzy_adds_typo_matches_below_exact_prefixes() {
    let off = SearchQuery { fuzzy: Fuzzy::Off, ..SearchQuery::new("myocardail") };
    assert!(run(&off).is_empty());
    let on = SearchQuery { fuzzy: Fuzzy::On, ..SearchQuery::new("myocardail") };
    assert_eq!(run(&on)[0].concept_id, MI);
    // "heart" also fuzzily matches "hearts"/"heard"-like words; exact prefixes stay on top,
    // and every exact-prefix hit of the non-fuzzy search is there, in the same order.
    let exact = run(&SearchQuery { fuzzy: Fuzzy::Off, limit: 50, ..SearchQuery::new("heart") });
    let fuzzy = run(&SearchQuery { fuzzy: Fuzzy::On, limit: 50, ..SearchQuery::new("heart") });
    assert_eq!(ids(&fuzzy[..exact.len()]), ids(&exact));
}

#[test]
fn language_preference_picks_the_dialect_term() {
    let gb = SearchQuery::new("append");
    let us = SearchQuery { language_refsets: EN_US_REFSETS, ..SearchQuery::new("append") };
    let term_of =
        |hits: Vec<Hit>| hits.into_iter().find(|h| h.concept_id == APPENDECTOMY).map(|h| h.term);
    assert_eq!(term_of(run(&gb)).as_deref(), Some("Appendicectomy"));
    assert_eq!(term_of(run(&us)).as_deref(), Some("Appendectomy"));
    // "appendic" only matches the GB spelling, which is still found in en-GB.
    let hits = search("appendic");
    assert_eq!(ids(&hits), vec![APPENDICITIS, APPENDECTOMY]);
    assert_eq!(hits[1].term, "Appendicectomy");
    // ... and in en-US the concept is found through its acceptable synonym.
    let us =
        run(&SearchQuery { language_refsets: EN_US_REFSETS, ..SearchQuery::new("appendicec") });
    assert_eq!(us[0].concept_id, APPENDECTOMY);
    assert_eq!(us[0].term, "Appendicectomy");
}

#[test]
fn preferred_synonym_beats_acceptable_and_fsn() {
    // All three descriptions of MI match "myocardial infarction"; the preferred one wins.
    assert_eq!(top("myocardial infarction"), (MI, "Myocardial infarction".into()));
    let all = run(&SearchQuery {
        one_per_concept: false,
        limit: 20,
        ..SearchQuery::new("myocardial infarction")
    });
    let mi_terms: Vec<&str> =
        all.iter().filter(|h| h.concept_id == MI).map(|h| h.term.as_str()).collect();
    // The FSN starts with the query; "MI - ..." does not.
    assert_eq!(
        mi_terms,
        vec![
            "Myocardial infarction",
            "Myocardial infarction (disorder)",
            "MI - Myocardial infarction",
        ]
    );
    let all =
        run(&SearchQuery { one_per_concept: false, limit: 20, ..SearchQuery::new("infarction") });
    let mi_terms: Vec<&str> =
        all.iter().filter(|h| h.concept_id == MI).map(|h| h.term.as_str()).collect();
    // The term-start match first; then, at equal match quality (whole word, later word):
    // preferred, then acceptable (shortest first), then the FSN.
    assert_eq!(
        mi_terms,
        vec![
            "Infarction of heart",
            "Myocardial infarction",
            "Cardiac infarction",
            "MI - Myocardial infarction",
            "Myocardial infarction (disorder)",
        ]
    );
}

#[test]
fn exact_match_comes_first() {
    assert_eq!(top("infarction"), (INFARCTION, "Infarction".into()));
    assert_eq!(top("heart"), (HEART, "Heart".into()));
    assert_eq!(top("Diabetes Mellitus"), (DM, "Diabetes mellitus".into()));
}

#[test]
fn whole_words_then_shorter_terms() {
    let hits = search("heart");
    let ids = ids(&hits);
    // Exact match, then whole-word term-start matches (preferred, shortest first), then the
    // acceptable "Heart attack", then a later-word match, then the partial "Heartburn".
    assert_eq!(ids, vec![HEART, HEART_MURMUR, HEART_DISEASE, HEART_FAILURE, MI, HEARTBURN,]);
    assert_eq!(hits[4].term, "Heart attack");
    let scores: Vec<f32> = hits.iter().map(|h| h.score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn one_hit_per_concept_by_default() {
    let hits = search("myocardial infarction");
    let mut seen = std::collections::HashSet::new();
    assert!(hits.iter().all(|h| seen.insert(h.concept_id)));
    assert_eq!(ids(&hits), vec![MI, AMI]);
    let all =
        run(&SearchQuery { one_per_concept: false, ..SearchQuery::new("myocardial infarction") });
    assert!(all.iter().filter(|h| h.concept_id == MI).count() > 1);
}

#[test]
fn inactive_excluded_by_default_and_included_on_request() {
    assert!(search("wegener").is_empty());
    let q = SearchQuery { include_inactive: true, ..SearchQuery::new("wegener") };
    let mut found = ids(&run(&q));
    found.sort_unstable();
    assert_eq!(found, vec![GPA, WEGENER_OLD]);
    // The active description of the active concept is found as usual.
    assert_eq!(top("granulomatosis"), (GPA, "Granulomatosis with polyangiitis".into()));
}

#[test]
fn concept_filter_restricts_hits() {
    let mut allowed = RoaringBitmap::new();
    allowed.insert(index_of(HEART_DISEASE));
    allowed.insert(index_of(HEART_FAILURE));
    let q = SearchQuery { concept_filter: Some(&allowed), ..SearchQuery::new("heart") };
    assert_eq!(ids(&run(&q)), vec![HEART_DISEASE, HEART_FAILURE]);
    let empty = RoaringBitmap::new();
    let q = SearchQuery { concept_filter: Some(&empty), ..SearchQuery::new("heart") };
    assert!(run(&q).is_empty());
}

#[test]
fn type_and_language_filters() {
    let fsn = [FSN_TYPE];
    let q = SearchQuery { type_ids: Some(&fsn), ..SearchQuery::new("asthma") };
    let hits = run(&q);
    assert_eq!(hits[0].term, "Asthma (disorder)");
    assert!(hits.iter().all(|h| h.term.ends_with(')')));

    let es = ["es".to_owned()];
    let en = ["EN".to_owned()];
    let q = SearchQuery { language_codes: Some(&es), ..SearchQuery::new("asma") };
    assert_eq!(run(&q)[0].term, "Asma");
    let q =
        SearchQuery { language_codes: Some(&en), fuzzy: Fuzzy::Off, ..SearchQuery::new("asma") };
    assert!(run(&q).is_empty());
}

#[test]
fn definitions_rank_below_synonyms() {
    // "chronic" matches COPD's synonyms and Asthma's text definition.
    let hits = search("chronic");
    assert_eq!(ids(&hits), vec![COPD, ASTHMA]);
}

#[test]
fn nothing_found() {
    assert!(search("xyzzyqwv").is_empty());
    assert!(search("").is_empty());
    assert!(search("  -- ").is_empty());
    assert!(search("heart xyzzyqwv").is_empty());
    let zero = SearchQuery { limit: 0, ..SearchQuery::new("heart") };
    assert!(run(&zero).is_empty());
}

#[test]
fn sctid_returns_the_concept() {
    let hits = search("22298006");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].concept_id, MI);
    assert_eq!(hits[0].term, "Myocardial infarction");
    assert_eq!(hits[0].concept_index, index_of(MI));
    // An unknown code falls back to text search (and finds nothing here).
    assert!(search("123456789").is_empty());
}

#[test]
fn paging_is_consistent() {
    let all = run(&SearchQuery { limit: 6, ..SearchQuery::new("heart") });
    let first = run(&SearchQuery { limit: 2, ..SearchQuery::new("heart") });
    let rest = run(&SearchQuery { limit: 10, offset: 2, ..SearchQuery::new("heart") });
    assert_eq!(ids(&first), ids(&all[..2]));
    assert_eq!(ids(&rest), ids(&all[2..]));
    let beyond = SearchQuery { offset: 100, ..SearchQuery::new("heart") };
    assert!(run(&beyond).is_empty());
}

#[test]
fn count_matches() {
    let idx = &fixture().index;
    assert_eq!(idx.count(&SearchQuery::new("heart")).expect("count"), 6);
    let per_description = SearchQuery { one_per_concept: false, ..SearchQuery::new("asthma") };
    // Asthma (FSN, synonym), Childhood asthma (FSN, synonym).
    assert_eq!(idx.count(&per_description).expect("count"), 4);
}

#[test]
fn reopen_gives_identical_results_and_index_is_shareable() {
    fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
    assert_shareable::<SearchIndex>();
    let f = fixture();
    let again = SearchIndex::open(f.index.dir()).expect("reopen");
    for q in ["heart", "inf myo", "crohn", "alzimer", "append"] {
        let a = f.index.search(&SearchQuery::new(q)).expect("search");
        let b = again.search(&SearchQuery::new(q)).expect("search");
        assert_eq!(a, b, "{q}");
    }
    let shared = f.index.clone();
    let hits = std::thread::spawn(move || shared.search(&SearchQuery::new("asth")))
        .join()
        .expect("thread")
        .expect("search");
    assert_eq!(hits[0].concept_id, ASTHMA);
}

#[test]
fn errors_name_the_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("no-such-index");
    let err = SearchIndex::open(&missing).expect_err("must fail");
    let msg = err.to_string();
    assert!(msg.contains("no-such-index"), "{msg}");
    assert!(msg.contains("opening the index"), "{msg}");
    // Creating over an existing index fails too.
    let dir = tmp.path().join("idx");
    IndexBuilder::create(&dir, 0).expect("create").finish().expect("finish");
    let err = IndexBuilder::create(&dir, 0).expect_err("must fail");
    assert!(err.to_string().contains("idx"), "{err}");
}

#[test]
fn empty_index_searches() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("empty");
    let stats = IndexBuilder::create(&dir, 0).expect("create").finish().expect("finish");
    assert_eq!(stats.descriptions, 0);
    let idx = SearchIndex::open(&dir).expect("open");
    assert!(idx.search(&SearchQuery::new("heart")).expect("search").is_empty());
}

/// An index written before the edge length was recorded (four-letter edges, no `edgeN`
/// payload word) answers longer prefixes through term-dictionary expansion; the same
/// queries give the same hits as on the current index.
#[test]
fn index_without_recorded_edge_length_reads_longer_prefixes_by_expansion() {
    let f = fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(f.index.dir()).expect("read index dir") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), tmp.path().join(e.file_name())).expect("copy");
    }
    let meta = tmp.path().join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("meta");
    assert!(text.contains(" edge5"), "the payload records the edge length");
    // Recorded as four: every 5-letter token must now go through the expansion path.
    std::fs::write(&meta, text.replace(" edge5", " edge4")).expect("write meta");
    let old = SearchIndex::open(tmp.path()).expect("open");
    for q in ["myoca", "appen", "myoca infar", "heart", "asthm child", "hyper"] {
        let a = ids(&f.index.search(&SearchQuery::new(q)).expect("search"));
        let b = ids(&old.search(&SearchQuery::new(q)).expect("search"));
        assert!(!a.is_empty(), "{q}");
        assert_eq!(a, b, "{q}");
    }
}

/// Copies the fixture's index into a fresh directory.
fn copy_fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(fixture().index.dir()).expect("read index dir") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), tmp.path().join(e.file_name())).expect("copy");
    }
    tmp
}

/// Queries whose answers depend on the key tables: exact terms (first place), acronyms,
/// codes, and ordinary prefixes for contrast.
const KEY_QUERIES: &[&str] =
    &["asthma", "MI", "heart attack", "22298006", "195967001", "myoca", "appendicitis", "hyper"];

/// The fallback build (tantivy sorts and merges, so doc ids are not the insertion order)
/// rebuilds the key tables from the index and answers exactly like the normal build.
#[test]
fn fallback_build_maps_keys_from_the_index() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fallback");
    let mut b = IndexBuilder::create(&dir, 0).expect("create");
    add_fixture_docs(&mut b);
    let stats = b.rebuild_sorted_by_tantivy().expect("fallback build");
    assert_eq!(stats.segments, 1);
    let other = SearchIndex::open(&dir).expect("open");
    other.verify().expect("checksum");
    for q in KEY_QUERIES {
        let a = fixture().index.search(&SearchQuery::new(q)).expect("search");
        let b = other.search(&SearchQuery::new(q)).expect("search");
        assert!(!a.is_empty(), "{q}");
        let key =
            |h: &[Hit]| h.iter().map(|h| (h.concept_id, h.description_id)).collect::<Vec<_>>();
        assert_eq!(key(&a), key(&b), "{q}");
    }
}

/// The key tables are checked: structure at open, checksum on `verify`.
#[test]
fn damaged_key_tables_are_reported() {
    let f = fixture();
    f.index.verify().expect("intact");
    assert_eq!(top("asthma").0, ASTHMA);
    let path = |t: &tempfile::TempDir| t.path().join(crate::keys::KEYS_FILE);
    // a flipped byte in the body: opens (structure intact), fails verification
    let tmp = copy_fixture();
    let mut bytes = std::fs::read(path(&tmp)).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(path(&tmp), &bytes).expect("write");
    let idx = SearchIndex::open(tmp.path()).expect("structure is intact");
    let err = idx.verify().expect_err("checksum must fail").to_string();
    assert!(err.contains("sctx-keys.bin") && err.contains("checksum"), "{err}");
    // doc ids beyond the segment (structure intact, checksum not yet checked): code and
    // exact look-ups answer without reading outside the columns
    let (entries, n) = (24usize, bytes[8] as usize);
    let mut damaged = std::fs::read(f.index.dir().join(crate::keys::KEYS_FILE)).expect("read");
    let mut at = entries + n * 48;
    for k in 0..n {
        let e = entries + k * 48;
        let u = |o: usize| u32::from_le_bytes(damaged[e + o..e + o + 4].try_into().unwrap());
        let (n_exact, n_concepts) = (u(36) as usize, u(40) as usize);
        for i in 0..n_exact {
            let d = at + n_exact * 8 + i * 4;
            damaged[d..d + 4].copy_from_slice(&0x0FFF_FFF0u32.to_le_bytes());
        }
        at += n_exact * 12;
        for i in 0..n_concepts {
            let d = at + i * 4;
            damaged[d..d + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        at += n_concepts * 4;
    }
    std::fs::write(path(&tmp), &damaged).expect("write");
    let idx = SearchIndex::open(tmp.path()).expect("structure is intact");
    for q in ["22298006", "asthma", "MI"] {
        idx.search(&SearchQuery::new(q)).expect("answers");
    }
    assert!(idx.verify().is_err());
    // truncated: refused at open, naming the file
    std::fs::write(path(&tmp), &bytes[..bytes.len() - 4]).expect("write");
    let err = SearchIndex::open(tmp.path()).expect_err("truncated").to_string();
    assert!(err.contains("sctx-keys.bin") && err.contains("truncated"), "{err}");
    // missing
    std::fs::remove_file(path(&tmp)).expect("remove");
    let err = SearchIndex::open(tmp.path()).expect_err("missing").to_string();
    assert!(err.contains("sctx-keys.bin"), "{err}");
    // not ours
    std::fs::write(path(&tmp), b"hello").expect("write");
    let err = SearchIndex::open(tmp.path()).expect_err("foreign").to_string();
    assert!(err.contains("not an sctx key file"), "{err}");
}

/// A long typed word (beyond the first-word edge n-grams) still earns the term-start rank
/// through the whole first words of the `first` field: the longer term that starts with it
/// comes before the shorter term that has it later.
#[test]
fn long_first_word_prefix_earns_the_term_start_rank() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("start");
    let mut b = IndexBuilder::create(&dir, 0).expect("create");
    for (i, (concept_id, term)) in [
        (1_000_000_101u64, "Laparoscopic appendicectomy"),
        (1_000_000_202, "Appendicectomy wound infection"),
    ]
    .into_iter()
    .enumerate()
    {
        b.add(&gb_synonym(2_000_000_110 + i as u64, concept_id, i as u32, term)).expect("add");
    }
    b.finish().expect("finish");
    let idx = SearchIndex::open(&dir).expect("open");
    for q in ["appendicectom", "appendi", "appen", "wound appendicectomy"] {
        let hits = idx.search(&SearchQuery::new(q)).expect("search");
        assert_eq!(hits[0].concept_id, 1_000_000_202, "{q}");
    }
    let hits = idx.search(&SearchQuery::new("laparoscopic")).expect("search");
    assert_eq!(hits[0].concept_id, 1_000_000_101);
}

/// Short prefixes are answered from the prefix postings (`prefixes.rs`) in the normal build
/// and from the tantivy `prefix` field in the fallback build: the answers are the same,
/// with and without filters, counted and listed.
#[test]
fn prefix_postings_answer_like_the_prefix_field() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fallback");
    let mut b = IndexBuilder::create(&dir, 0).expect("create");
    add_fixture_docs(&mut b);
    b.rebuild_sorted_by_tantivy().expect("fallback build");
    let other = SearchIndex::open(&dir).expect("open");
    assert!(other.inner_prefixes_absent(), "the fallback build keeps the prefix field");
    assert!(!fixture().index.inner_prefixes_absent(), "the normal build has prefix postings");
    let key = |h: &[Hit]| h.iter().map(|h| (h.concept_id, h.description_id)).collect::<Vec<_>>();
    for q in [
        "h", "he", "hea", "hear", "heart", "inf myo", "my in", "cro", "sjo", "men", "app", "a",
        "di", "t2", "o b", "asth", "pa", "fr", "ty 2 dia",
    ] {
        for inactive in [false, true] {
            let mut sq = SearchQuery::new(q);
            sq.include_inactive = inactive;
            sq.limit = 50;
            let a = fixture().index.search(&sq).expect("search");
            let b = other.search(&sq).expect("search");
            assert_eq!(key(&a), key(&b), "{q} inactive={inactive}");
            let ca = fixture().index.count(&sq).expect("count");
            assert_eq!(ca, other.count(&sq).expect("count"), "{q}");
        }
    }
}

/// Whole words, longer prefixes and typos are answered from the whole-word lists in the
/// prefix postings in the normal build and from the tantivy `words` field (term queries,
/// term-dictionary expansion, tantivy's fuzzy automaton) in the fallback build: the answers
/// are the same, at every typo setting, counted and listed.
#[test]
fn whole_word_postings_answer_like_the_words_field() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fallback");
    let mut b = IndexBuilder::create(&dir, 0).expect("create");
    add_fixture_docs(&mut b);
    b.rebuild_sorted_by_tantivy().expect("fallback build");
    let other = SearchIndex::open(&dir).expect("open");
    assert!(!other.inner_words_in_postings(), "the fallback build keeps the words field");
    assert!(fixture().index.inner_words_in_postings(), "the normal build has word lists");
    let queries = [
        "heart",
        "heart attack",
        "myocardial",
        "myocard infarc",
        "appendicitis",
        "appendic",
        "asthma",
        "diabetes",
        "diabet melli",
        "alzimer",
        "alzheimers",
        "myocrdial",
        "infraction",
        "apendicitis",
        "hart atack",
        "asthmaa",
        "sjogren",
        "crohns",
        "crohn",
        "meniere",
        "menieres",
        "zzzzzz",
        "heart xyzzy",
    ];
    let compared = assert_answers_like_the_fixture(&other, &queries, true);
    assert!(compared > 40, "most queries find something ({compared})");
}

/// An index laid out as the previous release wrote it (prefix postings with the edges and
/// term-start edges, whole words in the tantivy `words` field, no `pfx-words` payload word)
/// reads its whole words, longer prefixes and typos from the field and answers like the
/// current layout.
#[test]
fn an_index_with_words_in_tantivy_answers_like_the_current_layout() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("words-field");
    let mut b = IndexBuilder::create_with_words_field(&dir).expect("create");
    add_fixture_docs(&mut b);
    b.finish().expect("finish");
    let meta = std::fs::read_to_string(dir.join("meta.json")).expect("meta");
    assert!(!meta.contains(crate::prefixes::WORDS_PAYLOAD), "{meta}");
    assert!(meta.contains(crate::prefixes::FIRST_PAYLOAD), "{meta}");
    let other = SearchIndex::open(&dir).expect("open");
    assert!(!other.inner_words_in_postings() && !other.inner_prefixes_absent());
    let queries = [
        "heart",
        "heart attack",
        "myocardial",
        "myocard infarc",
        "appendicitis",
        "appendic",
        "asthma",
        "diabet melli",
        "alzimer",
        "myocrdial",
        "apendicitis",
        "hart atack",
        "crohns",
        "meniere",
        "hea",
        "inf myo",
        "zzzzzz",
    ];
    let compared = assert_answers_like_the_fixture(&other, &queries, false);
    assert!(compared > 30, "most queries find something ({compared})");
}

/// Asserts that `other` gives the fixture index's hits (identity and score) and counts for
/// each of `queries` at every typo setting (50 hits; with inactive descriptions when
/// `inactive`); returns how many of those searches found something.
fn assert_answers_like_the_fixture(other: &SearchIndex, queries: &[&str], inactive: bool) -> usize {
    let mut compared = 0;
    for &q in queries {
        for fuzzy in [Fuzzy::Off, Fuzzy::Auto, Fuzzy::On] {
            let mut sq = SearchQuery::new(q);
            sq.fuzzy = fuzzy;
            sq.limit = 50;
            sq.include_inactive = inactive;
            let a = fixture().index.search(&sq).expect("search");
            let b = other.search(&sq).expect("search");
            assert_eq!(hit_keys(&a), hit_keys(&b), "{q} {fuzzy:?}");
            compared += usize::from(!a.is_empty());
            let ca = fixture().index.count(&sq).expect("count");
            assert_eq!(ca, other.count(&sq).expect("count"), "{q} {fuzzy:?}");
        }
    }
    compared
}

/// An index whose payload does not say the whole words are in the prefix postings, and
/// without a `words` field, cannot answer whole words: refused at open, naming the directory.
#[test]
fn an_index_without_any_word_data_is_refused() {
    let tmp = copy_fixture();
    let meta = tmp.path().join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("read meta");
    let word = format!("{} ", crate::prefixes::WORDS_PAYLOAD);
    assert!(text.contains(&word));
    std::fs::write(&meta, text.replace(&word, "")).expect("write meta");
    let err = SearchIndex::open(tmp.path()).expect_err("no word data").to_string();
    assert!(err.contains("nor a `words` field"), "{err}");
    assert!(err.contains(&tmp.path().display().to_string()), "{err}");
}

/// The checks every file sctx writes beside the index gets, on a copy of the fixture: a
/// flipped last byte still opens (the structure is intact) and answers, and `verify` fails
/// naming the file and the checksum; a truncated file is refused at open naming it (and
/// saying `truncated_says`, when given); so is a missing one. Returns the copy (without the
/// file) and the file's intact bytes.
fn assert_side_file_checked(
    name: &str,
    truncated_says: Option<&str>,
) -> (tempfile::TempDir, Vec<u8>) {
    let tmp = copy_fixture();
    let path = tmp.path().join(name);
    let bytes = std::fs::read(&path).expect("read");
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    std::fs::write(&path, &flipped).expect("write");
    let idx = SearchIndex::open(tmp.path()).expect("structure is intact");
    idx.search(&SearchQuery::new("hea")).expect("answers");
    let err = idx.verify().expect_err("checksum must fail").to_string();
    assert!(err.contains(name) && err.contains("checksum"), "{err}");
    std::fs::write(&path, &bytes[..bytes.len() - 4]).expect("write");
    let err = SearchIndex::open(tmp.path()).expect_err("truncated").to_string();
    assert!(err.contains(name), "{err}");
    if let Some(says) = truncated_says {
        assert!(err.contains(says), "{err}");
    }
    std::fs::remove_file(&path).expect("remove");
    let err = SearchIndex::open(tmp.path()).expect_err("missing").to_string();
    assert!(err.contains(name), "{err}");
    (tmp, bytes)
}

/// The prefix postings are checked like the key tables: structure at open, checksum on
/// `verify`; a missing file is refused, naming it.
#[test]
fn damaged_prefix_postings_are_reported() {
    assert_side_file_checked(crate::prefixes::PREFIX_FILE, None);
}

/// An index without prefix postings (no `pfx1` payload word) and without a `prefix` field
/// cannot answer short prefixes: it is refused at open, naming the directory.
#[test]
fn an_index_without_any_prefix_data_is_refused() {
    let tmp = copy_fixture();
    let meta = tmp.path().join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("read meta");
    assert!(text.contains(crate::prefixes::PREFIX_PAYLOAD));
    let word = format!("{} ", crate::prefixes::PREFIX_PAYLOAD);
    std::fs::write(&meta, text.replace(&word, "")).expect("write meta");
    let err = SearchIndex::open(tmp.path()).expect_err("no prefix data").to_string();
    assert!(err.contains("neither prefix postings nor a `prefix` field"), "{err}");
    assert!(err.contains(&tmp.path().display().to_string()), "{err}");
}

/// Hit identity and score, for comparing two indexes.
fn hit_keys(h: &[Hit]) -> Vec<(u64, u64, u32, u32)> {
    h.iter().map(|h| (h.concept_id, h.description_id, h.concept_index, h.score as u32)).collect()
}

/// Queries and options that read every per-document value: flags (inactive), concept
/// indexes (filter, one per concept), types, lengths and language preferences (ranking),
/// concept ids (codes).
fn value_queries() -> Vec<SearchQuery<'static>> {
    static GB_ONLY: [u64; 1] = [GB];
    static US_ONLY: [u64; 1] = [US];
    static FSN_ONLY: [u64; 1] = [crate::FSN_TYPE];
    static SPANISH: OnceLock<Vec<String>> = OnceLock::new();
    let spanish = SPANISH.get_or_init(|| vec!["ES".to_string(), "fr".to_string()]);
    static FILTER: OnceLock<RoaringBitmap> = OnceLock::new();
    let filter = FILTER.get_or_init(|| (0..6).collect());
    let mut out = Vec::new();
    for text in ["hea", "inf myo", "asthma", "appendic", "22298006", "di", "alzimer", "myo", "asm"]
    {
        let mut q = SearchQuery::new(text);
        q.limit = 50;
        out.push(q);
        q.include_inactive = true;
        out.push(q);
        q.one_per_concept = false;
        out.push(q);
        q.language_refsets = &US_ONLY;
        out.push(q);
        q.language_refsets = &GB_ONLY;
        q.type_ids = Some(&FSN_ONLY);
        out.push(q);
        q.type_ids = None;
        q.concept_filter = Some(filter);
        out.push(q);
        q.concept_filter = None;
        q.language_codes = Some(spanish);
        out.push(q);
    }
    out
}

/// An index from before the document values (`docs1`) reads its fast fields: the fallback
/// build keeps both, so dropping the document values from a copy of it must not change any
/// answer.
#[test]
fn fast_fields_answer_like_the_document_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fallback");
    let mut b = IndexBuilder::create(&dir, 0).expect("create");
    add_fixture_docs(&mut b);
    b.rebuild_sorted_by_tantivy().expect("fallback build");
    let with_values = SearchIndex::open(&dir).expect("open");
    let meta = dir.join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("read meta");
    let word = format!(" {}", crate::docs::DOCS_PAYLOAD);
    assert!(text.contains(&word));
    std::fs::write(&meta, text.replace(&word, "")).expect("write meta");
    std::fs::remove_file(dir.join(crate::docs::DOCS_FILE)).expect("remove");
    let columns = SearchIndex::open(&dir).expect("open without document values");
    for q in value_queries() {
        let a = with_values.search(&q).expect("search");
        let b = columns.search(&q).expect("search");
        let narrowed =
            q.concept_filter.is_some() || q.language_codes.is_some() || q.type_ids.is_some();
        assert!(!a.is_empty() || narrowed, "{}", q.text);
        assert_eq!(hit_keys(&a), hit_keys(&b), "{q:?}");
        assert_eq!(with_values.count(&q).expect("count"), columns.count(&q).expect("count"));
        // and the normal build agrees
        let c = fixture().index.search(&q).expect("search");
        assert_eq!(hit_keys(&a), hit_keys(&c), "{q:?}");
    }
}

/// The document values are checked like the key tables: structure at open, checksum on
/// `verify`; out-of-range codes and indexes read as absent, never panic; a missing, truncated
/// or foreign file is refused, naming it.
#[test]
fn damaged_document_values_are_reported() {
    let (tmp, bytes) = assert_side_file_checked(crate::docs::DOCS_FILE, Some("truncated"));
    let path = tmp.path().join(crate::docs::DOCS_FILE);
    // every body byte set to 0xFF: codes, concept indexes and lengths out of range
    let n = fixture().docs;
    let body = bytes.len() - n * 19;
    let mut ones = bytes.clone();
    ones[body..].fill(0xFF);
    std::fs::write(&path, &ones).expect("write");
    let idx = SearchIndex::open(tmp.path()).expect("structure is intact");
    for q in value_queries() {
        idx.search(&q).expect("answers");
        idx.count(&q).expect("counts");
    }
    assert!(idx.verify().is_err());
    std::fs::write(&path, b"hello").expect("write");
    let err = SearchIndex::open(tmp.path()).expect_err("foreign").to_string();
    assert!(err.contains("not an sctx document values file"), "{err}");
}

/// An index without document values (no `docs1` payload word) and without fast fields has
/// no per-document values at all: refused at open, naming the directory.
#[test]
fn an_index_without_any_document_values_is_refused() {
    let tmp = copy_fixture();
    let meta = tmp.path().join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("read meta");
    let word = format!(" {}", crate::docs::DOCS_PAYLOAD);
    std::fs::write(&meta, text.replace(&word, "")).expect("write meta");
    let err = SearchIndex::open(tmp.path()).expect_err("no values").to_string();
    assert!(err.contains("neither document values nor fast fields"), "{err}");
    assert!(err.contains(&tmp.path().display().to_string()), "{err}");
}
