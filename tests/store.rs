use std::collections::BTreeSet;

use sctx_db::{Database, Subsumption};
use sctx_store::{Store, StoreError};
use sctx_types::LanguagePreference;

use crate::util::*;

fn idx(s: &Store, id: u64) -> u32 {
    s.index_of(id).unwrap_or_else(|| panic!("{id} missing"))
}

#[test]
fn preferred_terms_follow_the_language() {
    let db = sample();
    let s = db.store();
    let gb = LanguagePreference::en_gb();
    let us = LanguagePreference::en_us();
    let app = idx(s, 80146002);
    assert_eq!(s.preferred_term(app, &gb), Some("Appendicectomy"));
    assert_eq!(s.preferred_term(app, &us), Some("Appendectomy"));
    assert_eq!(s.fsn(app, &gb).unwrap().term, "Appendectomy (procedure)");
    // en-GB tries the NHS clinical refset first: the UK package prefers "Type 2 diabetes"
    let t2 = idx(s, 44054006);
    assert_eq!(s.preferred_term(t2, &gb), Some("Type 2 diabetes"));
    let gb_only = LanguagePreference::parse("en-x-900000000000508004").unwrap();
    assert_eq!(s.preferred_term(t2, &gb_only), Some("Type 2 diabetes mellitus"));
    // an explicit refset via en-x-
    let l = LanguagePreference::parse("en-x-900000000000509007").unwrap();
    assert_eq!(s.preferred_term(app, &l), Some("Appendectomy"));
}

#[test]
fn lookup_object() {
    let db = sample();
    let c = db.lookup("22298006", &LanguagePreference::en_gb()).unwrap();
    assert_eq!(c.id, "22298006");
    assert!(c.active);
    assert_eq!(c.preferred_term.as_deref(), Some("Myocardial infarction"));
    assert!(c.fsn.as_deref().unwrap().ends_with("(disorder)"));
    let g1 = c.attributes.iter().find(|g| g.group == 1).expect("role group 1");
    let pairs: BTreeSet<(String, String)> = g1
        .attributes
        .iter()
        .map(|a| (a.type_.id.clone(), a.value.as_ref().unwrap().id.clone()))
        .collect();
    assert!(pairs.contains(&("363698007".into(), "80891009".into())), "{pairs:?}");
    assert!(pairs.contains(&("116676008".into(), "55641003".into())), "{pairs:?}");
    assert!(c.parents.iter().all(|p| p.preferred_term.is_some()));
    assert!(!c.children.is_empty());
    // an inactive concept has its association out; its target lists it incoming
    let old = db.lookup("9900268007", &LanguagePreference::en_gb()).unwrap();
    assert!(!old.active);
    assert_eq!(old.historical_associations.outgoing[0].name, "SAME AS");
    assert_eq!(old.historical_associations.outgoing[0].concept.id, "22298006");
    assert!(c.historical_associations.incoming.iter().any(|a| a.concept.id == "9900268007"));
    // JSON: ids are strings
    let j = serde_json::to_value(&c).unwrap();
    assert!(j["id"].is_string() && j["parents"][0]["id"].is_string() && j["moduleId"].is_string());
    // concrete values
    let p = db.lookup("9900074004", &LanguagePreference::en_gb()).unwrap();
    assert!(
        p.attributes
            .iter()
            .flat_map(|g| &g.attributes)
            .any(|a| a.concrete_value.as_deref() == Some("#500"))
    );
    // refsets: simple refset membership and map rows carry their fields
    let a = db.lookup("195967001", &LanguagePreference::en_gb()).unwrap();
    assert!(
        a.refsets
            .iter()
            .any(|r| r.refset.id == "900000000000497000" && r.fields["mapTarget"] == "H33.."),
        "{:?}",
        a.refsets
    );
}

#[test]
fn unknown_and_malformed_ids() {
    let db = sample();
    assert!(matches!(
        db.lookup("24700007", &LanguagePreference::en_gb()),
        Err(sctx_db::DbError::UnknownConcept(24700007))
    ));
    assert!(matches!(
        db.lookup("24700008", &LanguagePreference::en_gb()),
        Err(sctx_db::DbError::InvalidId { .. })
    ));
    assert!(matches!(db.subsumes("abc", "73211009"), Err(sctx_db::DbError::InvalidId { .. })));
}

#[test]
fn subsumption_outcomes() {
    let db = sample();
    assert_eq!(db.subsumes("44054006", "73211009").unwrap(), Subsumption::SubsumedBy);
    assert_eq!(db.subsumes("73211009", "44054006").unwrap(), Subsumption::Subsumes);
    assert_eq!(db.subsumes("73211009", "73211009").unwrap(), Subsumption::Equivalent);
    assert_eq!(db.subsumes("195967001", "73211009").unwrap(), Subsumption::NotSubsumed);
    assert_eq!(db.subsumes("138875005", "195967001").unwrap(), Subsumption::Subsumes);
}

/// The closure against a brute-force walk of the parent graph, for every concept.
#[test]
fn closure_matches_brute_force() {
    let db = sample();
    check_closure(db);
}

/// Closure check on every `step`-th concept (for larger databases).
pub fn check_closure_sampled(db: &Database, step: u32) {
    let s = db.store();
    for c in (0..s.concept_count()).step_by(step as usize) {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<u32> = s.parents(c).to_vec();
        while let Some(p) = stack.pop() {
            if seen.insert(p) {
                stack.extend_from_slice(s.parents(p));
            }
        }
        let got: BTreeSet<u32> = s.ancestors(c).iter().copied().collect();
        assert_eq!(got, seen, "ancestors of {}", s.id_of(c));
        for &a in &seen {
            assert!(s.descendants(a).binary_search(&c).is_ok());
        }
    }
}

pub fn check_closure(db: &Database) {
    let s = db.store();
    let n = s.concept_count();
    let mut desc_expected: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); n as usize];
    for c in 0..n {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<u32> = s.parents(c).to_vec();
        while let Some(p) = stack.pop() {
            if seen.insert(p) {
                stack.extend_from_slice(s.parents(p));
            }
        }
        let got: BTreeSet<u32> = s.ancestors(c).iter().copied().collect();
        assert_eq!(got, seen, "ancestors of {}", s.id_of(c));
        assert!(s.ancestors(c).windows(2).all(|w| w[0] < w[1]), "sorted");
        for &a in &seen {
            desc_expected[a as usize].insert(c);
        }
        // children are the inverse of parents
        for &p in s.parents(c) {
            assert!(s.children(p).contains(&c));
        }
    }
    for c in 0..n {
        let got: BTreeSet<u32> = s.descendants(c).iter().copied().collect();
        assert_eq!(got, desc_expected[c as usize], "descendants of {}", s.id_of(c));
    }
    // subsumption for every pair
    for a in 0..n {
        for b in 0..n {
            let expect = a == b || desc_expected[a as usize].contains(&b);
            assert_eq!(s.subsumes(a, b), expect);
        }
    }
}

#[test]
fn everything_active_reaches_the_root() {
    let db = sample();
    let s = db.store();
    let root = idx(s, 138875005);
    for c in 0..s.concept_count() {
        if s.is_active(c) && c != root && !s.parents(c).is_empty() {
            assert!(s.subsumes(root, c));
        }
    }
    assert!(s.descendants(root).len() > 300);
}

fn fresh_build() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let r = sctx_db::import(dir.path(), &[int_package()], &Default::default()).unwrap();
    (dir, r.build)
}

#[test]
fn corrupt_database_files_are_refused() {
    // a flipped byte
    let (_d, build) = fresh_build();
    let f = build.join("graph.rkyv");
    let mut bytes = std::fs::read(&f).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&f, &bytes).unwrap();
    let e = Store::open(&build).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("graph.rkyv"), "{e}");

    // a truncated file
    let (_d, build) = fresh_build();
    let f = build.join("core.rkyv");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() - 100]).unwrap();
    let e = Store::open(&build).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("core.rkyv") && e.to_string().contains("truncated"), "{e}");

    // a flipped byte with checksums off is still caught or harmless: the archive is
    // validated structurally and never panics
    let (_d, build) = fresh_build();
    let f = build.join("refsets.rkyv");
    let mut bytes = std::fs::read(&f).unwrap();
    for i in (0..bytes.len()).step_by(97) {
        bytes[i] ^= 0xff;
    }
    std::fs::write(&f, &bytes).unwrap();
    let opened = Store::open_with(&build, sctx_store::OpenOptions { verify_checksums: false });
    assert!(opened.is_err());

    // garbage manifest, other format version, missing file
    let (_d, build) = fresh_build();
    let m = build.join("manifest.json");
    let text = std::fs::read_to_string(&m).unwrap();
    let version = format!("\"formatVersion\": {}", sctx_store::FORMAT_VERSION);
    assert!(text.contains(&version), "{text}");
    std::fs::write(&m, text.replace(&version, "\"formatVersion\": 999")).unwrap();
    let e = Store::open(&build).unwrap_err();
    assert!(matches!(e, StoreError::FormatVersion { found: 999, .. }), "{e}");
    std::fs::write(&m, "{not json").unwrap();
    assert!(matches!(Store::open(&build).unwrap_err(), StoreError::Manifest { .. }));
    let (_d, build) = fresh_build();
    std::fs::remove_file(build.join("maptargets.fst")).unwrap();
    assert!(matches!(Store::open(&build).unwrap_err(), StoreError::Io { .. }));
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(Store::open(empty.path()).unwrap_err(), StoreError::NotFound { .. }));
}

#[test]
fn newest_build_opens_and_old_builds_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let a = sctx_db::import(dir.path(), &[int_package()], &Default::default()).unwrap();
    let b =
        sctx_db::import(dir.path(), &[int_package(), uk_package()], &Default::default()).unwrap();
    assert!(b.build > a.build);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.store().dir(), b.build);
    let c = sctx_db::import(dir.path(), &[int_package()], &Default::default()).unwrap();
    assert!(!a.build.exists(), "only the newest two builds are kept");
    assert!(b.build.exists() && c.build.exists());
}

#[test]
fn maps_forward_and_reverse() {
    let db = sample();
    let s = db.store();
    let rev = s.members_by_map_target(900000000000497000, "H33..");
    assert!(rev.iter().any(|m| m.referenced == 195967001));
    let icd: Vec<_> = s.members_of_for(447562003, 195967001).collect();
    assert!(
        icd.iter().any(|m| m.field("mapTarget") == Some(sctx_store::FieldValue::Str("J45.9"))),
        "{icd:?}"
    );
    let uk: Vec<_> = s.members_of_for(999002271000000101, 84114007).collect();
    assert!(uk.len() >= 3, "{uk:?}");
    assert!(uk.iter().all(|m| matches!(m.field("mapBlock"), Some(sctx_store::FieldValue::Int(_)))));
}

#[test]
fn database_open_defers_checksums_and_check_reports_them() {
    // A flipped byte inside a byte array the archive validation cannot see (the text of
    // terms): `Database::open` answers at once, `check` names the file.
    let (_d, build) = fresh_build();
    let f = build.join("core.rkyv");
    let mut bytes = std::fs::read(&f).unwrap();
    let at = bytes.windows(14).position(|w| w == b"Appendicectomy").expect("a term in the archive");
    bytes[at] = b'X';
    std::fs::write(&f, &bytes).unwrap();
    let db = sctx_db::Database::open(&build).expect("opens without waiting for checksums");
    let e = db.check().unwrap_err();
    assert!(matches!(e, sctx_db::DbError::Integrity(_)), "{e}");
    assert!(e.to_string().contains("core.rkyv"), "{e}");
    // a server refuses to serve it
    let e = sctx_server::AppState::open(&build, Default::default()).unwrap_err();
    assert!(e.to_string().contains("core.rkyv"), "{e}");

    // so are the files sctx writes beside the search index: the key tables (exact terms,
    // codes), the prefix postings (the edge n-grams of every word) and the document values
    // (ids, flags, lengths, language acceptability); a missing one is refused at open,
    // naming it
    for name in ["sctx-keys.bin", "sctx-prefix.bin", "sctx-docs.bin"] {
        let (_d, build) = fresh_build();
        let path = build.join("search").join(name);
        let mut bytes = std::fs::read(&path).expect("the search index has the file");
        let last = bytes.len() - 1;
        bytes[last] ^= 0x11;
        std::fs::write(&path, &bytes).unwrap();
        let db = sctx_db::Database::open(&build).expect("opens without waiting for checksums");
        let e = db.check().unwrap_err();
        assert!(matches!(e, sctx_db::DbError::Integrity(_)), "{name}: {e}");
        assert!(e.to_string().contains(name), "{e}");
        drop(db);
        std::fs::remove_file(&path).unwrap();
        let e = sctx_db::Database::open(&build).map(|_| ()).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
    }

    // broken legacy tables: translation reports them, the rest still answers
    let dir = tempfile::tempdir().unwrap();
    let maps = sample_dir().join("nhs_datamigration_sample_20200401");
    let build =
        sctx_db::import(dir.path(), &[int_package(), maps], &Default::default()).unwrap().build;
    let t = build.join("legacy/tables.bin");
    let mut bytes = std::fs::read(&t).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&t, &bytes).unwrap();
    let db = sctx_db::Database::open(&build).expect("opens");
    assert!(db.lookup("80146002", &Default::default()).is_ok());
    let e = db.check().unwrap_err();
    assert!(e.to_string().contains("tables.bin"), "{e}");
    assert!(db.legacy().is_none());
}

/// Everything the search index reads of a description, and of its concept.
type DocFields = (u64, u32, u64, bool, String, u64, u64, bool, Vec<(u64, u64)>, u64, u64);

fn doc_fields(
    d: &sctx_store::DescriptionView<'_>,
    concept_id: u64,
    concept_active: bool,
) -> DocFields {
    (
        d.id,
        d.concept,
        d.type_id,
        d.active,
        format!("{}|{}", d.term, d.language_code),
        d.module,
        d.case_significance,
        concept_active,
        d.acceptability().collect(),
        concept_id,
        u64::from(d.effective_time),
    )
}

/// The search index of an import is built from the core archive as compiled (while the
/// archives are written), not from the files: the view must answer as the opened store does.
#[test]
fn the_compiled_core_answers_as_the_opened_store() {
    let dir = tempfile::tempdir().unwrap();
    let release =
        sctx_rf2::load(&[int_package(), uk_package()], &Default::default()).expect("load");
    let (_, from_view) =
        sctx_store::write_store_with(release, dir.path(), &Default::default(), |core| {
            (0..core.description_count() + 1)
                .map(|i| {
                    core.description_at(i)
                        .map(|d| doc_fields(&d, core.id_of(d.concept), core.is_active(d.concept)))
                })
                .collect::<Vec<_>>()
        })
        .expect("build");
    let store = Store::open(dir.path()).expect("open");
    let from_store: Vec<_> = (0..store.description_count() + 1)
        .map(|i| {
            store
                .description_at(i)
                .map(|d| doc_fields(&d, store.id_of(d.concept), store.is_active(d.concept)))
        })
        .collect();
    assert!(from_store.len() > 100, "{} descriptions", from_store.len());
    // (the sample has GB and US language refsets, preferred and acceptable terms)
    let accs: BTreeSet<_> =
        from_store.iter().flatten().flat_map(|f| f.8.iter().map(|a| a.1)).collect();
    assert!(accs.len() >= 2, "{accs:?}");
    assert_eq!(from_view, from_store);
}
