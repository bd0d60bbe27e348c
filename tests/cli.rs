use std::process::Command;

fn sctx() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sctx"));
    c.env_remove("SCTX_DB").arg("--quiet");
    c
}

fn json(c: &mut Command) -> serde_json::Value {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn subsumes_and_lookup_on_the_bundled_sample() {
    let v = json(sctx().args(["subsumes", "44054006", "73211009"]));
    assert_eq!(v["outcome"], "subsumed-by");
    let v = json(sctx().args(["lookup", "80146002", "--lang", "en-GB"]));
    assert_eq!(v["preferredTerm"], "Appendicectomy");
    for key in [
        "id",
        "active",
        "moduleId",
        "definitionStatus",
        "fsn",
        "descriptions",
        "parents",
        "children",
        "attributes",
        "refsets",
        "historicalAssociations",
    ] {
        assert!(v.get(key).is_some(), "lookup lacks {key}");
    }
    assert!(v["parents"][0]["id"].is_string() && v["parents"][0]["preferredTerm"].is_string());
    let v = json(sctx().args(["lookup", "80146002", "--lang", "en-US"]));
    assert_eq!(v["preferredTerm"], "Appendectomy");
}

#[test]
fn import_and_info_with_a_database_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let pkg = crate::util::int_package();
    let v = json(sctx().args(["import", "--db"]).arg(&db).arg(&pkg));
    assert!(v["counts"]["concepts"].as_u64().unwrap() > 300);
    let v = json(sctx().args(["info", "--db"]).arg(&db));
    assert_eq!(v["format"], "sctx-database");
    assert_eq!(
        v["editions"][0]["uri"],
        "http://snomed.info/sct/900000000000207008/version/20250131"
    );
    let v = json(sctx().env("SCTX_DB", &db).args(["lookup", "73211009"]));
    assert_eq!(v["id"], "73211009");
}

#[test]
fn errors_are_clear_and_exit_nonzero() {
    let out = sctx().args(["lookup", "73211008"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("73211008") && err.contains("Verhoeff"), "{err}");
    let out = sctx().args(["lookup", "--db", "/nonexistent/db", "73211009"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/db"));
}

#[test]
fn search_ecl_and_declared_editions() {
    let v = json(sctx().args(["search", "inf myo", "--limit", "3"]));
    assert_eq!(v[0]["conceptId"], "22298006");
    assert!(v[0]["preferredTerm"].is_string() && v[0]["score"].is_number());
    let v = json(sctx().args(["search", "appendic", "--lang", "en-GB"]));
    assert!(v.as_array().unwrap().iter().take(3).any(|h| h["conceptId"] == "80146002"));
    let v = json(sctx().args(["ecl", "<< 73211009", "--count"]));
    assert!(v["total"].as_u64().unwrap() >= 7);
    let v = json(sctx().args(["ecl", "<! 73211009", "--limit", "2", "--offset", "1"]));
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let out = sctx().args(["ecl", "<< 73211009 OR"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1, column"));

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let v = json(
        sctx()
            .args(["import", "--db"])
            .arg(&db)
            .args(["--edition", "900000000000207008=20250814"])
            .arg(crate::util::int_package()),
    );
    assert_eq!(
        v["editions"][0]["uri"],
        "http://snomed.info/sct/900000000000207008/version/20250814"
    );
}

#[test]
fn generate_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = json(
        sctx()
            .args(["generate", "--profile", "tiny", "--seed", "3", "--out"])
            .arg(dir.path().join("a")),
    );
    let b = json(
        sctx()
            .args(["generate", "--profile", "tiny", "--seed", "3", "--out"])
            .arg(dir.path().join("b")),
    );
    assert_eq!(a["concepts"], b["concepts"]);
    let f = "SnomedCT_SynthInternationalRF2_PRODUCTION_20250131T120000Z/Snapshot/Terminology/sct2_Concept_Snapshot_INT_20250131.txt";
    assert_eq!(
        std::fs::read(dir.path().join("a").join(f)).unwrap(),
        std::fs::read(dir.path().join("b").join(f)).unwrap()
    );
}
