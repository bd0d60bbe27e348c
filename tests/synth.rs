use sctx_db::Database;

#[test]
fn tiny_profile_imports_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("rel");
    let stats = sctx_synth::generate(sctx_synth::Profile::Tiny, 7, &rel, None).unwrap();
    let db_dir = dir.path().join("db");
    let report = sctx_db::import(&db_dir, &[rel], &Default::default()).unwrap();
    let c = &report.manifest.counts;
    assert_eq!(c.concepts, stats.concepts);
    assert_eq!(c.active_concepts, stats.active_concepts);
    assert_eq!(c.descriptions, stats.descriptions);
    assert_eq!(c.dangling_references, 0, "every reference resolves");
    assert_eq!(report.manifest.editions[0].module, "900000000000207008");
    let db = Database::open(&db_dir).unwrap();
    let s = db.store();
    // every active concept reaches the root, and the closure is consistent
    let root = s.index_of(138875005).unwrap();
    let reach = s.descendants(root).len() as u64 + 1;
    assert_eq!(reach, stats.active_concepts);
    crate::store::check_closure_sampled(&db, 200);
    // search and ECL work on generated content
    let t = s
        .preferred_term(s.descendants(root)[10], &sctx_types::LanguagePreference::en_gb())
        .unwrap()
        .to_string();
    let first = t.split_whitespace().next().unwrap();
    let hits = db
        .search(first, &Default::default(), &sctx_types::LanguagePreference::en_gb())
        .unwrap()
        .hits;
    assert!(!hits.is_empty(), "{first}");
    assert_eq!(db.ecl_set("*", Default::default()).unwrap().len(), stats.active_concepts);
}
