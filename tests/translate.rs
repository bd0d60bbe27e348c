use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sctx_server::{AppState, ServerConfig, router};
use sctx_types::LanguagePreference;
use serde_json::Value;
use tower::ServiceExt;

use crate::util::*;

#[test]
fn import_compiles_the_legacy_tables() {
    let db = sample();
    assert!(db.legacy().is_some(), "the sample's NHS Data Migration pack was imported");
    let legacy = &db.manifest().extra["legacy"];
    assert!(legacy.is_object(), "{legacy}");
    // Read v2 asthma maps to asthma; an ECL alternate identifier resolves through the maps
    let set = db.ecl_set("readv2#H33..", Default::default()).unwrap();
    let ids: Vec<u64> = set.iter().map(|i| db.store().id_of(i)).collect();
    assert_eq!(ids, vec![195967001]);
    // typing a Read code in the search box finds the concept it maps to
    let hits = db.search("H33..", &Default::default(), &LanguagePreference::en_gb()).unwrap().hits;
    assert_eq!(hits[0].concept_id, "195967001");
    // without maps, an import of RF2 alone has no legacy tables
    let dir = tempfile::tempdir().unwrap();
    sctx_db::import(dir.path(), &[int_package()], &Default::default()).unwrap();
    let plain = sctx_db::Database::open(dir.path()).unwrap();
    assert!(plain.legacy().is_none());
    assert!(plain.ecl_set("readv2#H33..", Default::default()).unwrap().is_empty());
}

#[test]
fn a_pack_without_rf2_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = sctx_db::import(
        dir.path(),
        &[sample_dir().join("nhs_datamigration_sample_20200401")],
        &Default::default(),
    );
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("no RF2 package"), "{msg}");
    let r = sctx_db::import(dir.path(), &[dir.path().to_path_buf()], &Default::default());
    let msg = r.unwrap_err().to_string();
    assert!(
        msg.contains(&dir.path().display().to_string()) && msg.contains("no RF2 release files"),
        "{msg}"
    );
}

#[test]
fn cli_translate_single_code_and_batch() {
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_sctx"));
        c.env_remove("SCTX_DB").arg("--quiet").args(args);
        c.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        } else {
            drop(child.stdin.take());
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let v: Value = serde_json::from_str(&run(
        &["translate", "--from", "readv2", "--to", "sct", "H33.."],
        None,
    ))
    .unwrap();
    assert_eq!(v["status"], "exact");
    assert_eq!(v["targets"][0]["code"], "195967001");
    assert_eq!(v["method"]["assured"], true);

    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let csv = run(
        &[
            "translate",
            "--from",
            "readv2",
            "--to",
            "sct",
            "--column",
            "code",
            "--report",
            report.to_str().unwrap(),
        ],
        Some("code\nH33..\nnot a code\nG30..\n"),
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("source_code,"), "{csv}");
    assert_eq!(lines.len(), 4, "one row per input row, bad rows kept: {csv}");
    assert!(lines[2].contains("invalid-code"), "{csv}");
    let rep: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(rep["counts"]["invalid-code"], 1);
    assert_eq!(rep["invalid"][0]["line"], 3);

    let v: Value = serde_json::from_str(&run(
        &["translate", "--from", "sct", "--to", "icd10", "195967001"],
        None,
    ))
    .unwrap();
    assert_eq!(v["groups"][0]["target"], "J45.9");
}

async fn call(req: Request<Body>) -> (StatusCode, HeaderBody) {
    let st = AppState::open(sample().store().dir(), ServerConfig::default()).unwrap();
    let resp = router(st).oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, HeaderBody { ct, body })
}

struct HeaderBody {
    ct: String,
    body: Vec<u8>,
}

impl HeaderBody {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[tokio::test]
async fn http_translate_routes() {
    let (s, b) = call(
        Request::get("/v1/translate?from=readv2&to=sct&code=H33..").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b.json()["targets"][0]["code"], "195967001");

    let (s, b) =
        call(Request::get("/v1/translate?from=readv2&to=sct").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b.json()["error"], "missing-parameter");
    let (s, b) =
        call(Request::get("/v1/translate?from=klingon&to=sct&code=x").body(Body::empty()).unwrap())
            .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b.json()["error"], "invalid-parameter");

    let (s, b) = call(
        Request::post("/v1/translate?from=readv2&to=sct")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"["H33..","G30..","zz"]"#))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v = b.json();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[2]["status"], "invalid-code");

    let (s, b) = call(
        Request::post("/v1/translate?from=readv2&to=sct")
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from("code\nH33..\nC10F.\n"))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.ct.starts_with("text/csv"));
    let text = String::from_utf8(b.body.clone()).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("44054006"));

    let (s, b) = call(
        Request::post("/v1/translate/report?from=readv2&to=sct")
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from("code\nH33..\nbad\n"))
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b.json()["counts"]["exact"], 1);

    let (s, b) = call(Request::get("/v1/legacy/readv2/H33..").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let v = b.json();
    assert_eq!(v["snomed"]["targets"][0]["code"], "195967001");
    assert!(v["parents"].as_array().unwrap().iter().any(|p| p == "H3..."));
    assert!(!v["terms"].as_array().unwrap().is_empty());
    let (s, _) = call(Request::get("/v1/legacy/readv2/Q9999").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(Request::get("/v1/legacy/icd9/H33..").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn fhir_translate_from_read_v2() {
    let (s, b) = call(
        Request::get("/fhir/ConceptMap/$translate?system=http://read.info/readv2&code=H33..&targetsystem=http://snomed.info/sct")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let v = b.json();
    assert_eq!(s, StatusCode::OK, "{v}");
    let text = v.to_string();
    assert!(text.contains("195967001"), "{text}");
    assert!(text.contains("\"result\"") && text.contains("true"), "{text}");
}
