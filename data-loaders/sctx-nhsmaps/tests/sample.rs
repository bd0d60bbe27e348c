//! Loading the hand-made sample pack in release-files/sample.

use std::io::Write;
use std::path::{Path, PathBuf};

use sctx_nhsmaps::*;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../release-files/sample")
}

fn load_sample() -> NhsTables {
    load(&[sample()], &LoadOptions::default()).expect("sample loads")
}

fn read_maps<'a>(t: &'a NhsTables, code: &str, term: &str) -> Vec<&'a SctMap> {
    t.read_sct.iter().filter(|m| m.code == code && m.term == term).collect()
}

#[test]
fn finds_every_file_kind() {
    let t = load_sample();
    let kinds: std::collections::BTreeSet<_> = t.files.iter().map(|f| f.kind).collect();
    for k in [
        FileKind::ReadSct,
        FileKind::Ctv3Sct,
        FileKind::ReadCtv3,
        FileKind::Ctv3Read,
        FileKind::ReadSctNca,
        FileKind::ReadAlternates,
        FileKind::Corev2,
        FileKind::Keyv2,
        FileKind::Ctv3Concept,
        FileKind::Ctv3Descrip,
        FileKind::Ctv3Terms,
        FileKind::Ctv3Hier,
    ] {
        assert!(kinds.contains(&k), "{k:?} not found");
    }
    assert!(t.warnings.is_empty());
}

#[test]
fn asthma_assured() {
    let t = load_sample();
    let m = read_maps(&t, "H33..", "00");
    assert_eq!(m.len(), 1);
    assert_eq!(
        m[0].target,
        SctTarget::Concept { concept: 195967001, description: Some(9900941018) }
    );
    assert_eq!(m[0].assured, Some(true));
    assert_eq!(m[0].map_id, "5F623DF1-D61C-54F0-A87F-1E1951C9F95F");
    let g = read_maps(&t, "G2...", "11");
    assert_eq!(g[0].assured, Some(false));
}

#[test]
fn versioning_latest_row_first() {
    let t = load_sample();
    // re-versioned: 2010 active, 2015 inactive, 2018 active -> active
    let f = read_maps(&t, "F26..", "00");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].effective, 20180401);
    // latest row inactive -> gone
    assert!(read_maps(&t, "J2...", "00").is_empty());
    // superseded MapId for G30../14 -> only the active MI map remains
    let g = read_maps(&t, "G30..", "14");
    assert_eq!(g.len(), 1);
    assert!(matches!(g[0].target, SctTarget::Concept { concept: 22298006, .. }));
    // as of 2016: F26../00 inactive, J2.../00 active, G30../14 has both MapIds active
    let old = load(&[sample()], &LoadOptions { as_of: Some(20160101), lenient: false }).unwrap();
    assert!(read_maps(&old, "F26..", "00").is_empty());
    assert_eq!(read_maps(&old, "J2...", "00").len(), 1);
    assert_eq!(read_maps(&old, "G30..", "14").len(), 2);
    // CTV3: X40J5 re-versioned active, G5730 latest inactive
    assert!(t.ctv3_sct.iter().any(|m| m.code == "X40J5" && m.term == "Y900U"));
    assert!(!t.ctv3_sct.iter().any(|m| m.code == "G5730"));
}

#[test]
fn sentinels_and_legacy_maps() {
    let t = load_sample();
    let d: Vec<_> = t
        .ctv3_sct
        .iter()
        .filter(|m| m.target == SctTarget::Drug)
        .map(|m| m.code.as_str())
        .collect();
    assert_eq!(d, vec!["x00Dz", "bd3.."]);
    let none = t.ctv3_read.iter().find(|m| m.code == "H....").unwrap();
    assert_eq!(none.target, LegacyTarget::None);
    let drug = t.ctv3_read.iter().find(|m| m.code == "x00Dz").unwrap();
    assert_eq!(drug.target, LegacyTarget::Drug);
    let fwd = t.read_ctv3.iter().find(|m| m.code == "C10F.").unwrap();
    assert_eq!(fwd.target, LegacyTarget::Code { code: "X40J5".into(), term: "Y900U".into() });
    assert_eq!(t.read_alternates.len(), 4);
    assert!(!t.read_alternates.iter().find(|a| a.code == "C10F.").unwrap().use_alternate);
    assert!(t.read_sct_nca.iter().all(|m| m.assured.is_none()));
    assert!(
        t.read_sct_nca
            .iter()
            .all(|m| matches!(m.target, SctTarget::Concept { description: None, .. }))
    );
}

#[test]
fn term_files() {
    let t = load_sample();
    let g30: Vec<_> =
        t.read_terms.iter().filter(|r| r.code == "G30..").map(|r| r.term_code.as_str()).collect();
    assert!(g30.contains(&"00"));
    let c = t.read_terms.iter().find(|r| r.code == "C....").unwrap();
    assert_eq!(c.term(), "Endocrine, nutritional, metabolic and immunity disorders");
    assert!(t.read_terms.iter().any(|r| r.code == "b...."));
    assert!(t.read_terms.iter().any(|r| r.code == "B...."));
    assert_eq!(t.ctv3_concepts.iter().find(|c| c.code == "XaZz9").unwrap().status, 'R');
    let c104: Vec<_> =
        t.ctv3_hierarchy.iter().filter(|h| h.child == "C104.").map(|h| h.parent.as_str()).collect();
    assert_eq!(c104, vec!["C10..", "XaLHI"]);
    let y = t.ctv3_terms.iter().find(|x| x.term_id == "Y9002").unwrap();
    assert_eq!(y.term(), "Chronic obstructive pulmonary disease");
}

fn write(dir: &Path, rel: &str, data: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

const HDR: &str =
    "MAPID\tREADCODE\tTERMCODE\tCONCEPTID\tDESCRIPTIONID\tis_assured\tEFFECTIVEDATE\tMAPSTATUS\n";

#[test]
fn header_case_lf_cp1252_and_doubled_folders() {
    let d = tempfile::tempdir().unwrap();
    let body = format!("{HDR}{{a}}\tH33..\t00\t195967001\t9900941018\t1\t2010.04.01\t1\n");
    write(
        d.path(),
        "x/Not Clinically Assured/Not Clinically Assured/rcsctmap2_uk_1.txt",
        body.as_bytes(),
    );
    write(d.path(), "x/rcsctmap2_uk_1.txt", body.as_bytes());
    write(d.path(), "__MACOSX/rcsctmap2_uk_1.txt", b"garbage");
    // Windows-1252 term
    write(d.path(), "V2/Corev2.all", b"\"N0650\",\"Sj\xF6gren's syndrome\",\"\",\"\"\r\n");
    let t = load(&[d.path().to_path_buf()], &LoadOptions::default()).unwrap();
    assert_eq!(t.read_sct.len(), 1);
    assert_eq!(t.read_sct[0].map_id, "A");
    assert_eq!(t.read_sct[0].effective, 20100401);
    assert_eq!(t.read_terms[0].term30, "Sjögren's syndrome");
}

#[test]
fn malformed_rows_are_errors_with_location() {
    let d = tempfile::tempdir().unwrap();
    let body = format!(
        "{HDR}{{a}}\tH33..\t00\t195967001\t9900941018\t1\t20100401\t1\n{{b}}\tH33\t00\t195967001\t\t1\t20100401\t1\n"
    );
    write(d.path(), "rcsctmap2_uk_1.txt", body.as_bytes());
    let e = load(&[d.path().to_path_buf()], &LoadOptions::default()).unwrap_err();
    match e {
        NhsError::BadValue { line, column, value, .. } => {
            assert_eq!((line, column.as_str(), value.as_str()), (3, "readcode", "H33"));
        }
        other => panic!("{other}"),
    }
    let t = load(&[d.path().to_path_buf()], &LoadOptions { lenient: true, ..Default::default() })
        .unwrap();
    assert_eq!(t.read_sct.len(), 1);
    assert_eq!(t.warnings.len(), 1);
    // missing column
    write(d.path(), "rcsctmap2_uk_1.txt", b"MapId\tReadCode\n{a}\tH33..\n");
    assert!(matches!(
        load(&[d.path().to_path_buf()], &LoadOptions::default()),
        Err(NhsError::MissingColumn { .. })
    ));
    // bad date, bad status, bad concept
    for (bad, col) in [("2010041\t1", "effectivedate"), ("20100401\tx", "mapstatus")] {
        let body = format!("{HDR}{{a}}\tH33..\t00\t195967001\t9900941018\t1\t{bad}\n");
        write(d.path(), "rcsctmap2_uk_1.txt", body.as_bytes());
        match load(&[d.path().to_path_buf()], &LoadOptions::default()) {
            Err(NhsError::BadValue { column, .. }) => assert_eq!(column, col),
            other => panic!("{other:?}"),
        }
    }
    // arbitrary bytes never panic
    write(d.path(), "rcsctmap2_uk_1.txt", b"\xff\xfe\x00\t\t\n\t\t\t\t\t\t\t\t\t\n\"\"\"");
    write(d.path(), "Keyv2.all", b"\"a\",\"\"\"\n\xff,,,\n");
    let _ = load(&[d.path().to_path_buf()], &LoadOptions::default());
    let _ = load(&[d.path().to_path_buf()], &LoadOptions { lenient: true, ..Default::default() });
}

#[test]
fn zip_archives() {
    let d = tempfile::tempdir().unwrap();
    let zpath = d.path().join("pack.zip");
    let f = std::fs::File::create(&zpath).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("Mapping Tables/Updated/Clinically Assured/rcsctmap2_uk_1.txt", o).unwrap();
    z.write_all(
        format!("{HDR}{{a}}\tH33..\t00\t195967001\t9900941018\t1\t20100401\t1\r\n").as_bytes(),
    )
    .unwrap();
    z.start_file("__MACOSX/._rcsctmap2_uk_1.txt", o).unwrap();
    z.write_all(b"junk").unwrap();
    z.finish().unwrap();
    let t = load(&[zpath], &LoadOptions::default()).unwrap();
    assert_eq!(t.read_sct.len(), 1);
    assert!(t.files[0].path.contains("pack.zip!/"));
}

#[test]
fn nothing_found() {
    let d = tempfile::tempdir().unwrap();
    assert!(matches!(
        load(&[d.path().to_path_buf()], &LoadOptions::default()),
        Err(NhsError::NothingFound(_))
    ));
}
