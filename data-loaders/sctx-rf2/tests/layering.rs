//! Layering: per component id the row with the latest effective time wins, and on a tie the
//! later row (the later file, the later package) wins; Full files give the state as of a date.

use std::path::{Path, PathBuf};

use sctx_rf2::{Field, LoadOptions, Release, load};
use sctx_types::verhoeff::make_id;

const CORE: u64 = 900000000000207008;
const ROOT: u64 = 138875005;
const SYNONYM: u64 = 900000000000013009;
const CASE: u64 = 900000000000448009;
const GB: u64 = 900000000000508004;
const PREFERRED: u64 = 900000000000548007;
const ACCEPTABLE: u64 = 900000000000549004;
const SIMPLE_MAP: u64 = 900000000000497000;

const DESC_HEADER: &str = "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId";
const LANG_HEADER: &str =
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId";
const MAP_HEADER: &str =
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tmapTarget";

fn desc_id(item: u64) -> u64 {
    make_id(100_000 + item, None, "01")
}

fn uuid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

fn desc(item: u64, et: u32, active: u8, lang: &str, term: &str) -> String {
    format!("{}\t{et}\t{active}\t{CORE}\t{ROOT}\t{lang}\t{SYNONYM}\t{term}\t{CASE}", desc_id(item))
}

fn lang_member(n: u32, et: u32, active: u8, item: u64, acceptability: u64) -> String {
    format!("{}\t{et}\t{active}\t{CORE}\t{GB}\t{}\t{acceptability}", uuid(n), desc_id(item))
}

fn map_member(n: u32, et: u32, target: &str) -> String {
    format!("{}\t{et}\t1\t{CORE}\t{SIMPLE_MAP}\t{ROOT}\t{target}", uuid(n))
}

fn file(header: &str, rows: &[String]) -> String {
    let mut s = format!("{header}\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s
}

/// Writes a package folder `name` under `root` with `files` (path inside the package,
/// content).
fn package(root: &Path, name: &str, files: &[(String, String)]) -> PathBuf {
    let pkg = root.join(name);
    for (path, body) in files {
        let p = pkg.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    pkg
}

fn concept_file(kind: &str) -> (String, String) {
    (
        format!("{kind}/Terminology/sct2_Concept_{kind}_INT_20250131.txt"),
        format!(
            "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\n\
             {ROOT}\t20020131\t1\t{CORE}\t900000000000074008\n"
        ),
    )
}

fn term(r: &Release, item: u64) -> (&str, bool, u32) {
    let d = r.descriptions.get(desc_id(item)).expect("description");
    (r.descriptions.term(d), d.active, d.effective_time)
}

fn acceptability(r: &Release, n: u32) -> (u64, u32) {
    let id = sctx_rf2::parse_uuid(&uuid(n)).unwrap();
    let m = r.members.get(id).expect("member");
    match r.members.field(m, 0) {
        Some(Field::Id(a)) => (a, m.effective_time),
        other => panic!("{other:?}"),
    }
}

fn map_target(r: &Release, n: u32) -> String {
    let m = r.members.get(sctx_rf2::parse_uuid(&uuid(n)).unwrap()).expect("member");
    r.members.fields(m).map(|f| f.to_text()).collect::<Vec<_>>().join("|")
}

/// Two packages holding the same ids: the later effective time wins in either order, and
/// on equal times the package given later wins.
#[test]
fn same_ids_in_two_packages() {
    let dir = tempfile::tempdir().unwrap();
    let snap = |kind: &str, descs: Vec<String>, lang: Vec<String>, map: Vec<String>| {
        vec![
            concept_file(kind),
            (
                format!("{kind}/Terminology/sct2_Description_{kind}-en_INT_20250131.txt"),
                file(DESC_HEADER, &descs),
            ),
            (
                format!("{kind}/Refset/Language/der2_cRefset_Language{kind}-en_INT_20250131.txt"),
                file(LANG_HEADER, &lang),
            ),
            (
                format!("{kind}/Refset/Map/der2_sRefset_SimpleMap{kind}_INT_20250131.txt"),
                file(MAP_HEADER, &map),
            ),
        ]
    };
    let a = package(
        dir.path(),
        "SnomedCT_A_PRODUCTION_20250131T120000Z",
        &snap(
            "Snapshot",
            vec![
                desc(1, 20200131, 1, "en", "tie in A"),
                desc(2, 20200131, 1, "en", "newer in A"),
                desc(3, 20200131, 1, "en", "older in A"),
            ],
            vec![
                lang_member(1, 20200131, 1, 1, PREFERRED),
                lang_member(2, 20200131, 1, 2, PREFERRED),
                lang_member(3, 20200131, 1, 3, PREFERRED),
            ],
            vec![map_member(10, 20200131, "A10"), map_member(11, 20200131, "A11")],
        ),
    );
    let b = package(
        dir.path(),
        "SnomedCT_B_PRODUCTION_20250131T120000Z",
        &snap(
            "Snapshot",
            vec![
                desc(1, 20200131, 0, "fr", "tie in B"),
                desc(2, 20190131, 0, "en", "a longer but older term in B"),
                // after a row that lost: its text must not be mixed up with the loser's
                desc(4, 20200131, 1, "en", "only in B"),
                desc(3, 20210131, 0, "en", "older in A"),
            ],
            vec![
                lang_member(1, 20200131, 1, 1, ACCEPTABLE),
                lang_member(2, 20190131, 1, 2, ACCEPTABLE),
                lang_member(3, 20210131, 1, 3, ACCEPTABLE),
            ],
            vec![map_member(10, 20200131, "B10"), map_member(11, 20190131, "B11-older")],
        ),
    );
    let ab = load(&[a.clone(), b.clone()], &LoadOptions::default()).unwrap();
    let ba = load(&[b, a], &LoadOptions::default()).unwrap();
    for (r, later) in [(&ab, "B"), (&ba, "A")] {
        // equal times: the later package's row
        let (t, active, _) = term(r, 1);
        assert_eq!(t, format!("tie in {later}"));
        assert_eq!(active, later == "A");
        let d = r.descriptions.get(desc_id(1)).unwrap();
        assert_eq!(r.descriptions.language_code(d), if later == "B" { "fr" } else { "en" });
        assert_eq!(acceptability(r, 1).0, if later == "B" { ACCEPTABLE } else { PREFERRED });
        assert_eq!(map_target(r, 10), format!("{later}10"));
        // different times: the latest, whatever the order
        assert_eq!(term(r, 2), ("newer in A", true, 20200131));
        assert_eq!(term(r, 3), ("older in A", false, 20210131));
        assert_eq!(term(r, 4), ("only in B", true, 20200131));
        assert_eq!(acceptability(r, 2), (PREFERRED, 20200131));
        assert_eq!(acceptability(r, 3), (ACCEPTABLE, 20210131));
        assert_eq!(map_target(r, 11), "A11");
        assert_eq!(r.descriptions.len(), 4);
        assert_eq!(r.members.len(), 5);
    }
    // tables compare by id and value, whatever the load order
    assert_ne!(ab.descriptions, ba.descriptions);
    assert_ne!(ab.members, ba.members);
    assert_eq!(ab.concepts, ba.concepts);
}

/// Two files of one package holding the same member id: the later file (by name) wins a
/// tie.
#[test]
fn same_member_in_two_files_of_a_package() {
    let dir = tempfile::tempdir().unwrap();
    let lang = |suffix: &str, rows: Vec<String>| {
        (
            format!(
                "Snapshot/Refset/Language/der2_cRefset_LanguageSnapshot-{suffix}_INT_20250131.txt"
            ),
            file(LANG_HEADER, &rows),
        )
    };
    let pkg = package(
        dir.path(),
        "SnomedCT_A_PRODUCTION_20250131T120000Z",
        &[
            concept_file("Snapshot"),
            lang(
                "en",
                vec![
                    lang_member(1, 20200131, 1, 1, PREFERRED),
                    lang_member(2, 20210131, 1, 2, PREFERRED),
                ],
            ),
            lang(
                "fr",
                vec![
                    lang_member(1, 20200131, 1, 1, ACCEPTABLE),
                    lang_member(2, 20200131, 1, 2, ACCEPTABLE),
                ],
            ),
        ],
    );
    let r = load(&[pkg], &LoadOptions::default()).unwrap();
    assert_eq!(acceptability(&r, 1), (ACCEPTABLE, 20200131));
    assert_eq!(acceptability(&r, 2), (PREFERRED, 20210131));
    assert_eq!(r.members.len(), 2);
}

/// A Full file holds the history: the snapshot is its latest row per id, or the latest at
/// or before `as_of`; two rows of one id with the same time in one file: the later row wins.
#[test]
fn full_history_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = package(
        dir.path(),
        "SnomedCT_A_PRODUCTION_20250131T120000Z",
        &[
            concept_file("Full"),
            (
                "Full/Terminology/sct2_Description_Full-en_INT_20250131.txt".into(),
                file(
                    DESC_HEADER,
                    &[
                        desc(1, 20220131, 1, "en", "third"),
                        desc(1, 20200131, 1, "en", "first"),
                        desc(2, 20200131, 1, "en", "two"),
                        // same term, inactivated: shares the first row's text
                        desc(1, 20210131, 0, "en", "first"),
                        desc(2, 20200131, 0, "en", "two, repeated"),
                        desc(3, 20230131, 1, "en", "added later"),
                    ],
                ),
            ),
            (
                "Full/Refset/Map/der2_sRefset_SimpleMapFull_INT_20250131.txt".into(),
                file(
                    MAP_HEADER,
                    &[
                        map_member(10, 20200131, "T1"),
                        map_member(10, 20210131, "T1"),
                        map_member(10, 20220131, "T2"),
                        map_member(10, 20220131, "T3"),
                    ],
                ),
            ),
        ],
    );
    let at = |as_of: Option<u32>| {
        load(std::slice::from_ref(&pkg), &LoadOptions { as_of, ..Default::default() })
    };
    let now = at(None).unwrap();
    assert!(now.packages[0].files.iter().all(|f| f.ends_with("(Full)")));
    assert_eq!(term(&now, 1), ("third", true, 20220131));
    assert_eq!(term(&now, 2), ("two, repeated", false, 20200131));
    assert_eq!(term(&now, 3), ("added later", true, 20230131));
    assert_eq!(map_target(&now, 10), "T3");
    let all = at(Some(99991231)).unwrap();
    assert_eq!(now.descriptions, all.descriptions);
    assert_eq!(now.members, all.members);

    let then = at(Some(20211231)).unwrap();
    assert_eq!(term(&then, 1), ("first", false, 20210131));
    assert_eq!(term(&then, 2), ("two, repeated", false, 20200131));
    assert!(then.descriptions.get(desc_id(3)).is_none());
    assert_eq!(then.descriptions.len(), 2);
    assert_eq!(map_target(&then, 10), "T1");
    assert_eq!(then.stats.rows_after_as_of, 1 + 1 + 2);

    let first = at(Some(20200131)).unwrap();
    assert_eq!(term(&first, 1), ("first", true, 20200131));
    assert_eq!(map_target(&first, 10), "T1");
}
