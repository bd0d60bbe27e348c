use std::path::{Path, PathBuf};

use sctx_rf2::{LoadOptions, Release, Rf2ErrorKind, load};

use crate::util::*;

fn load_default(p: &[PathBuf]) -> Release {
    load(p, &LoadOptions::default()).unwrap()
}

fn assert_same(a: &Release, b: &Release) {
    assert_eq!(a.concepts, b.concepts, "concepts");
    assert_eq!(a.descriptions, b.descriptions, "descriptions");
    assert_eq!(a.text_definitions, b.text_definitions, "text definitions");
    assert_eq!(a.relationships, b.relationships, "relationships");
    assert_eq!(a.concrete_values, b.concrete_values, "concrete values");
    assert_eq!(a.members, b.members, "members");
    assert_eq!(a.refset_layouts, b.refset_layouts, "refset layouts");
}

#[test]
fn full_and_snapshot_agree() {
    let snap = load_default(&[int_package()]);
    // a date after every row: the loader prefers Full files and derives the snapshot
    let full = load(&[int_package()], &LoadOptions { as_of: Some(99991231), ..Default::default() })
        .unwrap();
    assert!(
        full.packages[0].files.iter().all(|f| f.ends_with("(Full)")),
        "{:?}",
        full.packages[0].files
    );
    assert!(snap.packages[0].files.iter().all(|f| f.ends_with("(Snapshot)")));
    assert!(full.stats.rows_read > snap.stats.rows_read, "Full has history rows");
    assert_same(&snap, &full);
}

#[test]
fn full_as_of_an_earlier_date() {
    // 9900268007 was active in 20200131 and inactivated (SAME AS 22298006) in 20230731
    let then = load(&[int_package()], &LoadOptions { as_of: Some(20221231), ..Default::default() })
        .unwrap();
    let now = load_default(&[int_package()]);
    assert!(then.concepts.get(9900268007).unwrap().active);
    assert!(!now.concepts.get(9900268007).unwrap().active);
    assert!(then.stats.rows_after_as_of > 0);
    // rows after the date are ignored everywhere
    assert!(then.concepts.iter().all(|c| c.effective_time <= 20221231));
    assert!(then.members.iter().all(|m| m.effective_time <= 20221231));
}

#[test]
fn layering_latest_effective_time_wins_in_any_order() {
    let int_only = load_default(&[int_package()]);
    let both = load_default(&[int_package(), uk_package()]);
    let reversed = load_default(&[uk_package(), int_package()]);
    // the UK package inactivates the core description "Sick headache"
    assert!(int_only.descriptions.get(9901050013).unwrap().active);
    assert!(!both.descriptions.get(9901050013).unwrap().active);
    assert_same(&both, &reversed);
    // UK concepts are added
    assert!(both.concepts.len() > int_only.concepts.len());
    assert!(
        both.concepts
            .iter()
            .any(|c| sctx_types::SctId::new_unchecked(c.id).namespace() == Some(1000000))
    );
    // a stale UK row (2015) for the GB member of "Hypertension" loses to the core row (2016)
    fn gb(r: &Release) -> Vec<(u32, Vec<sctx_rf2::Field<'_>>)> {
        r.members
            .iter()
            .filter(|m| m.refset == 900000000000508004 && m.referenced == 9900824016)
            .map(|m| (m.effective_time, r.members.fields(m).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    }
    let g = gb(&both);
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].0, 20160131);
    assert_eq!(g[0].1, vec![sctx_rf2::Field::Id(900000000000548007)]);
    // module dependencies and editions are recorded per package
    let eds = both.editions();
    assert!(eds.iter().any(|e| e.module == 900000000000207008 && e.version == 20250131), "{eds:?}");
    assert!(eds.iter().any(|e| e.module != 900000000000207008 && e.version == 20250401), "{eds:?}");
    assert!(both.packages.iter().any(|p| !p.module_dependencies.is_empty()));
}

#[test]
fn international_edition_is_never_the_icd10_module() {
    let r = load_default(&[int_package()]);
    let eds = r.editions();
    assert_eq!(eds.len(), 1, "{eds:?}");
    assert_eq!(eds[0].module, 900000000000207008);
    assert_eq!(eds[0].uri(), "http://snomed.info/sct/900000000000207008/version/20250131");
}

#[test]
fn refsets_are_kept_generically_with_typed_fields() {
    let r = load_default(&[int_package(), uk_package()]);
    let int_map = &r.refset_layouts[&447562003];
    assert_eq!(int_map.pattern, "iissscc");
    assert_eq!(int_map.field_names.last().unwrap(), "mapCategoryId");
    let uk_map = &r.refset_layouts[&999002271000000101];
    assert_eq!(uk_map.pattern, "iisssci");
    assert_eq!(uk_map.field_names.last().unwrap(), "mapBlock");
    assert!(r.members.iter().any(|m| m.refset == 999002271000000101
        && matches!(r.members.fields(m).next_back(), Some(sctx_rf2::Field::Int(b)) if b >= 1)));
    // a refset of a kind sctx has no special handling for keeps its header names
    assert!(
        r.refset_layouts.values().any(|l| l.field_names.iter().any(|f| f == "descriptionLength"))
    );
    assert!(r.refset_layouts.values().any(|l| l.field_names.iter().any(|f| f == "owlExpression")));
}

#[test]
fn nested_zips_are_read_and_mac_junk_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let inner =
        zip_dir(&int_package(), "SnomedCT_SampleInternationalRF2_PRODUCTION_20250131T120000Z", &[]);
    let outer = {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        w.start_file("uk_sct2cl_1.0.0/SnomedCT_Inner.zip", o).unwrap();
        w.write_all(&inner).unwrap();
        w.start_file("__MACOSX/uk_sct2cl_1.0.0/._sct2_Concept_Snapshot_INT_20250131.txt", o)
            .unwrap();
        w.write_all(b"\x00\x05garbage").unwrap();
        w.start_file("uk_sct2cl_1.0.0/._sct2_Concept_Snapshot_INT_20250131.txt", o).unwrap();
        w.write_all(b"\x00\x05garbage").unwrap();
        w.finish().unwrap();
        buf.into_inner()
    };
    let path = dir.path().join("uk_sct2cl_1.0.0_20250401000001Z.zip");
    std::fs::write(&path, outer).unwrap();
    let from_zip = load_default(std::slice::from_ref(&path));
    let from_dir = load_default(&[int_package()]);
    assert_same(&from_zip, &from_dir);
    assert_eq!(
        from_zip.packages[0].folder,
        "SnomedCT_SampleInternationalRF2_PRODUCTION_20250131T120000Z"
    );
}

// ---- bad input

const CONCEPT_HEADER: &str = "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId";
const ROOT_ROW: &str = "138875005\t20020131\t1\t900000000000207008\t900000000000074008";

fn package_with_concepts(dir: &Path, body: &str) -> PathBuf {
    let pkg = dir.join("SnomedCT_Bad_PRODUCTION_20250131T120000Z");
    let t = pkg.join("Snapshot/Terminology");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join("sct2_Concept_Snapshot_INT_20250131.txt"), body).unwrap();
    pkg
}

fn load_err(body: &str) -> sctx_rf2::Rf2Error {
    let dir = tempfile::tempdir().unwrap();
    let pkg = package_with_concepts(dir.path(), body);
    load(&[pkg], &LoadOptions::default()).expect_err("bad input must fail")
}

#[test]
fn tolerant_of_bom_lf_and_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let pkg =
        package_with_concepts(dir.path(), &format!("\u{feff}{CONCEPT_HEADER}\n{ROOT_ROW}\n\n"));
    let t = pkg.join("Snapshot/Terminology");
    std::fs::write(
        t.join("sct2_Description_Snapshot-en_INT_20250131.txt"),
        "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId\r\n\
         2148514019\t20020131\t1\t900000000000207008\t138875005\ten\t900000000000013009\tBlood group antibody rh\"\t900000000000448009\r\n",
    )
    .unwrap();
    let r = load(&[pkg], &LoadOptions::default()).unwrap();
    assert_eq!(r.concepts.len(), 1);
    let d = r.descriptions.get(2148514019).unwrap();
    assert_eq!(r.descriptions.term(d), "Blood group antibody rh\"");
    assert_eq!(r.descriptions.language_code(d), "en");
}

#[test]
fn malformed_row_names_file_and_line() {
    let e = load_err(&format!("{CONCEPT_HEADER}\r\n{ROOT_ROW}\r\n138875005\t20020131\t1\r\n"));
    assert!(matches!(e.kind, Rf2ErrorKind::FieldCount { expected: 5, found: 3 }), "{e}");
    assert_eq!(e.line, Some(3));
    let msg = e.to_string();
    assert!(msg.contains("sct2_Concept_Snapshot_INT_20250131.txt:3"), "{msg}");
}

#[test]
fn invalid_sctid_partition_and_check_digit() {
    let e = load_err(&format!(
        "{CONCEPT_HEADER}\n1234567890\t20020131\t1\t900000000000207008\t900000000000074008\n"
    ));
    assert!(matches!(e.kind, Rf2ErrorKind::SctId(sctx_types::SctIdError::Partition(..))), "{e}");
    assert_eq!(e.column.as_deref(), Some("id"));
    assert_eq!(e.value.as_deref(), Some("1234567890"));
    assert_eq!(e.line, Some(2));

    let e = load_err(&format!(
        "{CONCEPT_HEADER}\n{ROOT_ROW}\n138875006\t20020131\t1\t900000000000207008\t900000000000074008\n"
    ));
    assert!(matches!(e.kind, Rf2ErrorKind::SctId(sctx_types::SctIdError::CheckDigit(_))), "{e}");
    assert_eq!(e.line, Some(3));
    assert!(e.to_string().contains("138875006"), "{e}");

    let e = load_err(&format!(
        "{CONCEPT_HEADER}\n138875005\t20020131\t1\t900000000000207009\t900000000000074008\n"
    ));
    assert_eq!(e.column.as_deref(), Some("moduleId"), "{e}");
}

#[test]
fn bad_boolean_date_and_uuid() {
    let e = load_err(&format!(
        "{CONCEPT_HEADER}\n138875005\t20020131\t2\t900000000000207008\t900000000000074008\n"
    ));
    assert!(matches!(e.kind, Rf2ErrorKind::Boolean), "{e}");
    assert_eq!(e.column.as_deref(), Some("active"));
    let e = load_err(&format!(
        "{CONCEPT_HEADER}\n138875005\t2002013\t1\t900000000000207008\t900000000000074008\n"
    ));
    assert!(matches!(e.kind, Rf2ErrorKind::Date), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let pkg = package_with_concepts(dir.path(), &format!("{CONCEPT_HEADER}\n{ROOT_ROW}\n"));
    let r = pkg.join("Snapshot/Refset/Content");
    std::fs::create_dir_all(&r).unwrap();
    std::fs::write(
        r.join("der2_Refset_SimpleSnapshot_INT_20250131.txt"),
        "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\nnot-a-uuid\t20020131\t1\t900000000000207008\t900000000000497000\t138875005\n",
    )
    .unwrap();
    let e = load(&[pkg], &LoadOptions::default()).unwrap_err();
    assert!(matches!(e.kind, Rf2ErrorKind::Uuid), "{e}");
    assert!(e.file.contains("der2_Refset_SimpleSnapshot_INT_20250131.txt"));
}

#[test]
fn missing_required_column() {
    let e = load_err(
        "id\teffectiveTime\tactive\tmoduleId\n138875005\t20020131\t1\t900000000000207008\n",
    );
    assert!(matches!(e.kind, Rf2ErrorKind::MissingColumn), "{e}");
    assert_eq!(e.column.as_deref(), Some("definitionStatusId"));
    assert_eq!(e.line, Some(1));
}

#[test]
fn invalid_utf8() {
    let mut body = format!("{CONCEPT_HEADER}\n").into_bytes();
    body.extend_from_slice(b"138875005\t20020131\t1\t9000000\xff\t1\n");
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("p/Snapshot/Terminology");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("sct2_Concept_Snapshot_INT_20250131.txt"), body).unwrap();
    let e = load(&[dir.path().join("p")], &LoadOptions::default()).unwrap_err();
    assert!(matches!(e.kind, Rf2ErrorKind::Utf8), "{e}");
    assert_eq!(e.line, Some(2));
}

#[test]
fn unreadable_zip_and_missing_package() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("broken.zip");
    std::fs::write(&z, b"PK\x03\x04 this is not really a zip").unwrap();
    let e = load(&[z], &LoadOptions::default()).unwrap_err();
    assert!(matches!(e.kind, Rf2ErrorKind::Zip(_)), "{e}");
    assert!(e.to_string().contains("broken.zip"), "{e}");

    let e = load(&[dir.path().join("nope")], &LoadOptions::default()).unwrap_err();
    assert!(matches!(e.kind, Rf2ErrorKind::Io(_)), "{e}");

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = load(&[empty], &LoadOptions::default()).unwrap_err();
    assert!(matches!(e.kind, Rf2ErrorKind::NoRf2Files), "{e}");
}

#[test]
fn failed_import_leaves_existing_database_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("db");
    let first = sctx_db::import(&root, &[int_package()], &Default::default()).unwrap();
    let before: Vec<_> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name()).collect();
    let bad = package_with_concepts(
        dir.path(),
        &format!(
            "{CONCEPT_HEADER}\n138875006\t20020131\t1\t900000000000207008\t900000000000074008\n"
        ),
    );
    assert!(sctx_db::import(&root, &[bad], &Default::default()).is_err());
    let after: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(before, after, "no new build and no temporary directory left behind");
    let db = sctx_db::Database::open(&root).unwrap();
    assert_eq!(db.store().dir(), first.build);
}
