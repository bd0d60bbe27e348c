//! Building a tiny release and reading it back: the coded columns round-trip.

use std::path::Path;

use sctx_types::LanguagePreference;
use sctx_types::verhoeff::make_id;

use crate::{Store, StoreError, write_store};

use sctx_types::ids::{
    ACCEPTABLE, CORE_MODULE as CORE, DEFINITION, FSN, GB_ENGLISH as GB, PREFERRED, PRIMITIVE, ROOT,
    SAME_AS, SYNONYM,
};

/// Entire term case insensitive.
const CASE: u64 = 900000000000448009;

const DESC_HEADER: &str = "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId";
const LANG_HEADER: &str =
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId";
const SIMPLE_HEADER: &str = "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId";
const ASSOC_HEADER: &str =
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\ttargetComponentId";

/// An extension id (namespace 1000099) of partition `part` (`10` concept, `11` description).
fn ext(item: u64, part: &str) -> u64 {
    make_id(item, Some(1000099), part)
}

fn uuid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

fn file(header: &str, rows: &[String]) -> String {
    let mut s = format!("{header}\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s
}

/// Writes a Snapshot package with the given concept, description, text definition,
/// language, simple refset and association rows, builds it into `out` and returns the
/// result of the build.
fn build(root: &Path, out: &Path, files: &[(&str, String)]) -> Result<(), StoreError> {
    let pkg = root.join("SnomedCT_TestRF2_PRODUCTION_20250131T120000Z");
    for (path, body) in files {
        let p = pkg.join("Snapshot").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    let rel = sctx_rf2::load(&[pkg], &sctx_rf2::LoadOptions::default()).expect("load");
    std::fs::create_dir_all(out).unwrap();
    write_store(rel, out, &Default::default()).map(|_| ())
}

fn concepts(rows: &[(u64, u64, u64)]) -> (&'static str, String) {
    let rows: Vec<String> =
        rows.iter().map(|(id, m, ds)| format!("{id}\t20200131\t1\t{m}\t{ds}")).collect();
    (
        "Terminology/sct2_Concept_Snapshot_INT_20250131.txt",
        file("id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId", &rows),
    )
}

/// A description's module, type, case significance and language code, a concept's module and
/// definition status, language acceptabilities, and a member's refset and module
/// round-trip through the codes, for values other than the usual ones.
#[test]
fn coded_columns_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (module, other_module) = (ext(1, "10"), ext(2, "10"));
    let status = ext(3, "10");
    let child = ext(4, "10");
    let odd_type = ext(5, "10");
    let odd_case = ext(6, "10");
    let odd_lang_refset = ext(7, "10");
    let odd_acceptability = ext(8, "10");
    let simple = ext(9, "10");
    let d = |i: u64| ext(100 + i, "11");
    let descs = vec![
        format!("{}\t20210131\t1\t{module}\t{ROOT}\tda\t{FSN}\tRod (navn)\t{odd_case}", d(1)),
        format!("{}\t20220131\t0\t{CORE}\t{ROOT}\ten\t{odd_type}\tOdd\t{CASE}", d(2)),
        format!("{}\t20210131\t1\t{other_module}\t{child}\txx\t{SYNONYM}\tBarn\t{CASE}", d(3)),
        format!("{}\t20210131\t1\t{CORE}\t{child}\tda\t{SYNONYM}\tBarn 5\t{CASE}", d(5)),
        format!("{}\t20210131\t1\t{CORE}\t{child}\ten\t{SYNONYM}\tBarn 6\t{CASE}", d(6)),
        format!("{}\t20210131\t1\t{CORE}\t{ROOT}\tda\t{SYNONYM}\tRod 7\t{CASE}", d(7)),
        format!("{}\t20210131\t1\t{CORE}\t{ROOT}\txx\t{SYNONYM}\tRod 8\t{CASE}", d(8)),
    ];
    let defs = vec![format!(
        "{}\t20230131\t1\t{other_module}\t{child}\tzz\t{DEFINITION}\tDef\t{odd_case}",
        d(4)
    )];
    let lang = vec![
        format!("{}\t20210131\t1\t{CORE}\t{GB}\t{}\t{PREFERRED}", uuid(1), d(1)),
        format!(
            "{}\t20210131\t1\t{module}\t{odd_lang_refset}\t{}\t{odd_acceptability}",
            uuid(2),
            d(1)
        ),
        format!("{}\t20210131\t1\t{CORE}\t{odd_lang_refset}\t{}\t{ACCEPTABLE}", uuid(3), d(3)),
        format!("{}\t20210131\t1\t{CORE}\t{odd_lang_refset}\t{}\t{PREFERRED}", uuid(6), d(6)),
        format!("{}\t20210131\t1\t{CORE}\t{odd_lang_refset}\t{}\t{ACCEPTABLE}", uuid(8), d(8)),
    ];
    let members = vec![format!("{}\t20240131\t1\t{other_module}\t{simple}\t{child}", uuid(4))];
    let assoc = vec![format!("{}\t20240131\t1\t{module}\t{SAME_AS}\t{child}\t{ROOT}", uuid(5))];
    let out = dir.path().join("db");
    build(
        dir.path(),
        &out,
        &[
            concepts(&[(ROOT, CORE, PRIMITIVE), (child, other_module, status)]),
            (
                "Terminology/sct2_Description_Snapshot-en_INT_20250131.txt",
                file(DESC_HEADER, &descs),
            ),
            (
                "Terminology/sct2_TextDefinition_Snapshot-en_INT_20250131.txt",
                file(DESC_HEADER, &defs),
            ),
            (
                "Refset/Language/der2_cRefset_LanguageSnapshot-en_INT_20250131.txt",
                file(LANG_HEADER, &lang),
            ),
            (
                "Refset/Content/der2_Refset_SimpleSnapshot_INT_20250131.txt",
                file(SIMPLE_HEADER, &members),
            ),
            (
                "Refset/Content/der2_cRefset_AssociationSnapshot_INT_20250131.txt",
                file(ASSOC_HEADER, &assoc),
            ),
        ],
    )
    .expect("build");
    let s = Store::open(&out).expect("open");

    let (r, c) = (s.index_of(ROOT).unwrap(), s.index_of(child).unwrap());
    let cv = s.concept(c).unwrap();
    assert_eq!((cv.module, cv.definition_status, cv.primitive), (other_module, status, true));
    let rv = s.concept(r).unwrap();
    assert_eq!((rv.module, rv.definition_status), (CORE, PRIMITIVE));

    let d1 = s.description(d(1)).unwrap();
    assert_eq!(
        (d1.module, d1.type_id, d1.case_significance, d1.language_code, d1.active),
        (module, FSN, odd_case, "da", true)
    );
    assert_eq!(d1.term, "Rod (navn)");
    assert_eq!(d1.effective_time, 20210131);
    // (in refset id order, as before the codes)
    assert!(odd_lang_refset < GB);
    assert_eq!(
        d1.acceptability().collect::<Vec<_>>(),
        vec![(odd_lang_refset, odd_acceptability), (GB, PREFERRED)]
    );
    assert_eq!(d1.acceptability_in(odd_lang_refset), Some(odd_acceptability));
    assert!(d1.is_preferred_in(GB) && !d1.is_preferred_in(odd_lang_refset));

    let d2 = s.description(d(2)).unwrap();
    assert_eq!(
        (d2.module, d2.type_id, d2.case_significance, d2.language_code, d2.active),
        (CORE, odd_type, CASE, "en", false)
    );
    assert_eq!(d2.acceptability().count(), 0);

    let d3 = s.description(d(3)).unwrap();
    assert_eq!((d3.module, d3.type_id, d3.language_code), (other_module, SYNONYM, "xx"));
    assert_eq!(d3.acceptability().collect::<Vec<_>>(), vec![(odd_lang_refset, ACCEPTABLE)]);

    let defs: Vec<_> = s.text_definitions(c).collect();
    assert_eq!(defs.len(), 1);
    assert_eq!(
        (defs[0].id, defs[0].module, defs[0].type_id, defs[0].case_significance),
        (d(4), other_module, DEFINITION, odd_case)
    );
    assert_eq!((defs[0].language_code, defs[0].term), ("zz", "Def"));

    // preferred terms: preferred in the odd refset (with its 16-bit refset code and the
    // acceptability code of "preferred") first, then the language code
    let pref = |refset: u64, language: &str| {
        let lp = LanguagePreference { refsets: vec![refset], language: language.into() };
        (s.preferred_description(c, &lp).map(|d| d.id), s.preferred_description(r, &lp).unwrap().id)
    };
    assert_eq!(pref(odd_lang_refset, "da"), (Some(d(6)), d(7)));
    assert_eq!(pref(odd_lang_refset, "xx"), (Some(d(6)), d(8)));
    assert_eq!(pref(GB, "da").1, d(7));
    assert_eq!(s.fsn(r, &LanguagePreference::en_gb()).map(|d| d.id), Some(d(1)));

    let m: Vec<_> = s.members_of(simple).collect();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].refset, m[0].module, m[0].referenced), (simple, other_module, child));
    let m: Vec<_> = s.members_for(child).map(|m| (m.refset, m.module)).collect();
    assert!(m.contains(&(SAME_AS, module)) && m.contains(&(simple, other_module)), "{m:?}");
    assert_eq!(s.associations_from(c).collect::<Vec<_>>(), vec![(SAME_AS, r)]);
    assert_eq!(s.associations_to(r).collect::<Vec<_>>(), vec![(SAME_AS, c)]);
    // the language refsets are listed, with their active members
    assert_eq!(s.refset(odd_lang_refset).map(|r| r.active_members), Some(4));
}

/// More distinct case significances than a one-byte code holds: a clear error, no panic.
#[test]
fn too_many_distinct_values_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let descs: Vec<String> = (0..257u64)
        .map(|i| {
            let case = ext(1000 + i, "10");
            format!(
                "{}\t20210131\t1\t{CORE}\t{ROOT}\ten\t{SYNONYM}\tT{i}\t{case}",
                ext(i + 1, "11")
            )
        })
        .collect();
    let e = build(
        dir.path(),
        &dir.path().join("db"),
        &[
            concepts(&[(ROOT, CORE, PRIMITIVE)]),
            (
                "Terminology/sct2_Description_Snapshot-en_INT_20250131.txt",
                file(DESC_HEADER, &descs),
            ),
        ],
    )
    .unwrap_err();
    assert!(
        matches!(&e, StoreError::TooMany { what: "case significances", limit: 256, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("case significances"), "{e}");
    // the error names the first value that did not fit: the 257th distinct case significance
    let StoreError::TooMany { value, .. } = &e else { unreachable!() };
    assert!(descs.iter().any(|row| row.ends_with(&format!("\t{value}"))), "{e}");
    assert!(e.to_string().contains(value.as_str()), "{e}");
}
