//! FHIR R4 terminology operations.
//!
//! Oneshot requests against the bundled sample; the HL7 tx-ecosystem `snomed` suite runs
//! against a live server through `tests/conformance/run.sh`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sctx_server::{AppState, ServerConfig, router};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::util::*;

fn state() -> Arc<AppState> {
    let build = sample().store().dir().to_path_buf();
    AppState::open(&build, ServerConfig::default()).unwrap()
}

async fn send(st: &Arc<AppState>, req: Request<Body>) -> (StatusCode, String, Value) {
    let resp = router(st.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, ct, v)
}

async fn get(st: &Arc<AppState>, uri: &str) -> (StatusCode, Value) {
    let (s, ct, v) = send(st, Request::get(uri).body(Body::empty()).unwrap()).await;
    assert!(ct.starts_with("application/fhir+json"), "{uri}: content type {ct}");
    (s, v)
}

async fn post(st: &Arc<AppState>, uri: &str, params: Value) -> (StatusCode, Value) {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/fhir+json")
        .body(Body::from(serde_json::to_vec(&params).unwrap()))
        .unwrap();
    let (s, _, v) = send(st, req).await;
    (s, v)
}

/// The first parameter of this name.
fn param<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v["parameter"].as_array()?.iter().find(|p| p["name"] == name)
}

fn params_named<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    v["parameter"]
        .as_array()
        .map(|a| a.iter().filter(|p| p["name"] == name).collect())
        .unwrap_or_default()
}

fn part<'a>(p: &'a Value, name: &str) -> Option<&'a Value> {
    p["part"].as_array()?.iter().find(|x| x["name"] == name)
}

fn assert_oo(v: &Value, code: &str) {
    assert_eq!(v["resourceType"], "OperationOutcome", "{v}");
    assert_eq!(v["issue"][0]["code"], code, "{v}");
    assert!(v["issue"][0]["details"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
}

fn codes(vs: &Value) -> Vec<String> {
    vs["expansion"]["contains"]
        .as_array()
        .map(|a| a.iter().map(|c| c["code"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn metadata_and_versions() {
    let st = state();
    let (s, v) = get(&st, "/fhir/metadata").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["resourceType"], "CapabilityStatement");
    assert_eq!(v["fhirVersion"], "4.0.1");
    assert_eq!(v["instantiates"][0], "http://hl7.org/fhir/CapabilityStatement/terminology-server");
    let ops: Vec<&str> = v["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["operation"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap())
        })
        .collect();
    for op in ["lookup", "subsumes", "validate-code", "expand", "translate"] {
        assert!(ops.contains(&op), "{op} missing from {ops:?}");
    }
    let (s, v) = get(&st, "/fhir/metadata?mode=terminology").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["resourceType"], "TerminologyCapabilities");
    assert_eq!(v["codeSystem"][0]["uri"], "http://snomed.info/sct");
    let versions = v["codeSystem"][0]["version"].as_array().unwrap();
    assert!(!versions.is_empty());
    assert!(
        versions
            .iter()
            .all(|x| { x["code"].as_str().unwrap().starts_with("http://snomed.info/sct/") })
    );
    assert_eq!(versions.iter().filter(|x| x["isDefault"] == true).count(), 1);
    let (s, v) = get(&st, "/fhir/$versions").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(param(&v, "default").unwrap()["valueString"], "4.0");
}

#[tokio::test]
async fn lookup_display_languages() {
    let st = state();
    let base = "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code=80146002";
    let (s, v) = get(&st, &format!("{base}&displayLanguage=en-GB")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(param(&v, "display").unwrap()["valueString"], "Appendicectomy");
    assert!(
        param(&v, "version").unwrap()["valueString"]
            .as_str()
            .unwrap()
            .starts_with("http://snomed.info/sct/")
    );
    let (_, v) = get(&st, &format!("{base}&displayLanguage=en-US")).await;
    assert_eq!(param(&v, "display").unwrap()["valueString"], "Appendectomy");
    // Accept-Language when there is no displayLanguage
    let req =
        Request::get(base).header(header::ACCEPT_LANGUAGE, "en-US").body(Body::empty()).unwrap();
    let (_, _, v) = send(&st, req).await;
    assert_eq!(param(&v, "display").unwrap()["valueString"], "Appendectomy");
    // designations carry language and use
    let des = params_named(&v, "designation");
    assert!(
        des.iter().any(|d| part(d, "use").unwrap()["valueCoding"]["code"] == "900000000000003001")
    );
    assert!(des.iter().all(|d| part(d, "language").is_some() && part(d, "value").is_some()));
    // properties: parents, inactive, attributes by concept id
    let props = params_named(&v, "property");
    let prop_codes: Vec<&str> =
        props.iter().map(|p| part(p, "code").unwrap()["valueCode"].as_str().unwrap()).collect();
    assert!(prop_codes.contains(&"parent"), "{prop_codes:?}");
    assert!(prop_codes.contains(&"inactive"));
    assert!(prop_codes.iter().any(|c| c.chars().all(|x| x.is_ascii_digit())), "{prop_codes:?}");
}

#[tokio::test]
async fn lookup_post_and_selected_properties() {
    let st = state();
    let body = json!({ "resourceType": "Parameters", "parameter": [
        { "name": "coding", "valueCoding": { "system": "http://snomed.info/sct", "code": "22298006" } },
        { "name": "property", "valueCode": "sufficientlyDefined" },
        { "name": "property", "valueCode": "moduleId" },
        { "name": "property", "valueCode": "normalForm" },
        { "name": "property", "valueCode": "normalFormTerse" },
        { "name": "property", "valueCode": "609096000" },
    ]});
    let (s, v) = post(&st, "/fhir/CodeSystem/$lookup", body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let props = params_named(&v, "property");
    let codes: Vec<&str> =
        props.iter().map(|p| part(p, "code").unwrap()["valueCode"].as_str().unwrap()).collect();
    for c in ["sufficientlyDefined", "moduleId", "normalForm", "normalFormTerse", "609096000"] {
        assert!(codes.contains(&c), "{c} missing: {codes:?}");
    }
    assert!(!codes.contains(&"parent"), "only the selected properties: {codes:?}");
    // role groups come as subproperties
    let group =
        props.iter().find(|p| part(p, "code").unwrap()["valueCode"] == "609096000").unwrap();
    assert!(
        group["part"].as_array().unwrap().iter().any(|x| x["name"] == "subproperty"),
        "{group}"
    );
    let nf =
        props.iter().find(|p| part(p, "code").unwrap()["valueCode"] == "normalFormTerse").unwrap();
    assert!(part(nf, "value").unwrap()["valueString"].as_str().unwrap().contains(':'), "{nf}");
}

#[tokio::test]
async fn lookup_errors() {
    let st = state();
    let (s, v) =
        get(&st, "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code=999999991000000105")
            .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "code-invalid");
    let (s, v) = get(&st, "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_oo(&v, "invalid");
    let (s, v) = get(&st, "/fhir/CodeSystem/$lookup?system=http://loinc.org&code=1234-5").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "not-found");
    let (s, v) = get(
        &st,
        "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code=80146002&version=http://snomed.info/sct/900000000000207008/version/19990101",
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "not-found");
    // a broken body is an OperationOutcome, not a 500
    let req = Request::post("/fhir/CodeSystem/$lookup")
        .header(header::CONTENT_TYPE, "application/fhir+json")
        .body(Body::from("{not json"))
        .unwrap();
    let (s, _, v) = send(&st, req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_oo(&v, "invalid");
    let (s, v) = post(&st, "/fhir/CodeSystem/$lookup", json!({ "resourceType": "Patient" })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_oo(&v, "invalid");
}

#[tokio::test]
async fn version_uris_select_the_edition() {
    let st = state();
    let (_, v) =
        get(&st, "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code=80146002").await;
    let version = param(&v, "version").unwrap()["valueString"].as_str().unwrap().to_string();
    let (s, v) = get(
        &st,
        &format!(
            "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code=80146002&version={version}"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // xsct names the same module and version
    let x = version.replace("/sct/", "/xsct/");
    let (s, v) = get(
        &st,
        &format!(
            "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code=80146002&version={x}"
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn subsumes() {
    let st = state();
    let base = "/fhir/CodeSystem/$subsumes?system=http://snomed.info/sct";
    for (a, b, outcome) in [
        ("44054006", "73211009", "subsumed-by"),
        ("73211009", "44054006", "subsumes"),
        ("73211009", "73211009", "equivalent"),
        ("80146002", "73211009", "not-subsumed"),
    ] {
        let (s, v) = get(&st, &format!("{base}&codeA={a}&codeB={b}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(param(&v, "outcome").unwrap()["valueCode"], outcome, "{a} {b}");
    }
    let body = json!({ "resourceType": "Parameters", "parameter": [
        { "name": "codingA", "valueCoding": { "system": "http://snomed.info/sct", "code": "44054006" } },
        { "name": "codingB", "valueCoding": { "system": "http://snomed.info/sct", "code": "73211009" } },
    ]});
    let (_, v) = post(&st, "/fhir/CodeSystem/$subsumes", body).await;
    assert_eq!(param(&v, "outcome").unwrap()["valueCode"], "subsumed-by");
    let (s, v) = get(&st, &format!("{base}&codeA=44054006")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_oo(&v, "invalid");
    let (s, v) = get(&st, &format!("{base}&codeA=44054006&codeB=12345678901")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "code-invalid");
}

#[tokio::test]
async fn expand_implicit_value_sets() {
    let st = state();
    let (s, v) =
        get(&st, "/fhir/ValueSet/$expand?url=http://snomed.info/sct?fhir_vs=isa/73211009").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resourceType"], "ValueSet");
    let c = codes(&v);
    assert!(c.contains(&"73211009".to_string()) && c.contains(&"44054006".to_string()), "{c:?}");
    assert_eq!(v["expansion"]["total"].as_u64().unwrap() as usize, c.len());
    assert!(v["expansion"]["identifier"].as_str().unwrap().starts_with("urn:uuid:"));
    let used = v["expansion"]["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "used-codesystem")
        .unwrap();
    assert!(
        used["valueUri"]
            .as_str()
            .unwrap()
            .starts_with("http://snomed.info/sct|http://snomed.info/sct/")
    );
    // ECL, URL-encoded, with paging: count and offset are echoed
    let (s, v) = get(
        &st,
        "/fhir/ValueSet/$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs%3Decl%2F%3C%3C%2073211009&count=1&offset=1",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(codes(&v).len(), 1);
    assert_eq!(v["expansion"]["offset"], 1);
    assert!(
        v["expansion"]["parameter"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "count" && p["valueInteger"] == 1)
    );
    // refset members
    let (s, v) = get(
        &st,
        "/fhir/ValueSet/$expand?url=http://snomed.info/sct?fhir_vs=refset/900000000000497000&count=0",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["expansion"]["total"].as_u64().unwrap() > 0);
    assert!(v["expansion"].get("contains").is_none());
    // text filter and designations
    let (s, v) = get(
        &st,
        "/fhir/ValueSet/$expand?url=http://snomed.info/sct?fhir_vs=isa/138875005&filter=appendicectomy&includeDesignations=true&displayLanguage=en-GB",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(codes(&v).contains(&"80146002".to_string()), "{v}");
    assert!(v["expansion"]["contains"][0]["designation"].as_array().is_some_and(|d| !d.is_empty()));
}

#[tokio::test]
async fn expand_inline_value_sets() {
    let st = state();
    let vs = json!({
        "resourceType": "ValueSet", "url": "http://example.org/vs/diabetes", "version": "1", "status": "active",
        "compose": {
            "include": [
                { "system": "http://snomed.info/sct", "filter": [{ "property": "constraint", "op": "=", "value": "<< 73211009" }] },
                { "system": "http://snomed.info/sct", "concept": [{ "code": "80146002" }] },
            ],
            "exclude": [{ "system": "http://snomed.info/sct", "concept": [{ "code": "44054006" }] }],
        },
    });
    let (s, v) = post(
        &st,
        "/fhir/ValueSet/$expand",
        json!({ "resourceType": "Parameters", "parameter": [{ "name": "valueSet", "resource": vs }] }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let c = codes(&v);
    assert!(c.contains(&"73211009".to_string()) && c.contains(&"80146002".to_string()));
    assert!(!c.contains(&"44054006".to_string()), "excluded: {c:?}");
    assert_eq!(v["url"], "http://example.org/vs/diabetes");
    // by url from a tx-resource, with is-a
    let vs2 = json!({
        "resourceType": "ValueSet", "url": "http://example.org/vs/isa", "status": "active",
        "compose": { "include": [{ "system": "http://snomed.info/sct",
            "filter": [{ "property": "concept", "op": "is-a", "value": "73211009" }] }] },
    });
    let (s, v) = post(
        &st,
        "/fhir/ValueSet/$expand",
        json!({ "resourceType": "Parameters", "parameter": [
            { "name": "url", "valueUri": "http://example.org/vs/isa" },
            { "name": "tx-resource", "resource": vs2 },
            { "name": "activeOnly", "valueBoolean": true },
        ]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(codes(&v).contains(&"44054006".to_string()));
}

#[tokio::test]
async fn expand_errors() {
    let st = state();
    // bad ECL
    let (s, v) =
        get(&st, "/fhir/ValueSet/$expand?url=http://snomed.info/sct?fhir_vs=ecl/%3C%3C").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_oo(&v, "invalid");
    assert!(v["issue"][0]["details"]["text"].as_str().unwrap().contains("<<"), "{v}");
    // unknown value set
    let (s, v) = get(&st, "/fhir/ValueSet/$expand?url=http://example.org/nothing").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "not-found");
    // unknown isa concept
    let (s, v) =
        get(&st, "/fhir/ValueSet/$expand?url=http://snomed.info/sct?fhir_vs=isa/12345678901").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "not-found");
    // too costly
    let (s, v) =
        get(&st, "/fhir/ValueSet/$expand?url=http://snomed.info/sct?fhir_vs&limit=10").await;
    assert!(s.is_client_error(), "{s}");
    assert_oo(&v, "too-costly");
    // unsupported filter and code system
    let vs = json!({ "resourceType": "ValueSet", "compose": { "include": [
        { "system": "http://snomed.info/sct", "filter": [{ "property": "colour", "op": "=", "value": "red" }] }] } });
    let (s, v) = post(
        &st,
        "/fhir/ValueSet/$expand",
        json!({ "resourceType": "Parameters", "parameter": [{ "name": "valueSet", "resource": vs }] }),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_oo(&v, "not-supported");
    let (s, v) =
        get(&st, "/fhir/ValueSet/$expand?count=abc&url=http://snomed.info/sct?fhir_vs").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_oo(&v, "invalid");
}

#[tokio::test]
async fn validate_code() {
    let st = state();
    let (s, v) = get(
        &st,
        "/fhir/ValueSet/$validate-code?url=http://snomed.info/sct?fhir_vs=isa/73211009&system=http://snomed.info/sct&code=44054006",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], true);
    assert!(param(&v, "display").is_some());
    let (_, v) = get(
        &st,
        "/fhir/ValueSet/$validate-code?url=http://snomed.info/sct?fhir_vs=isa/73211009&system=http://snomed.info/sct&code=80146002",
    )
    .await;
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], false);
    assert!(
        param(&v, "message").unwrap()["valueString"]
            .as_str()
            .unwrap()
            .contains("not found in the value set")
    );
    let issues = &param(&v, "issues").unwrap()["resource"];
    assert_eq!(issues["issue"][0]["details"]["coding"][0]["code"], "not-in-vs");
    // CodeSystem: R4 url, good and wrong displays, unknown codes
    let base = "/fhir/CodeSystem/$validate-code?url=http://snomed.info/sct&code=80146002";
    let (s, v) = get(&st, &format!("{base}&display=Appendectomy")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], true, "{v}");
    let (_, v) = get(&st, &format!("{base}&display=Tonsillectomy")).await;
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], false, "{v}");
    let issues = &param(&v, "issues").unwrap()["resource"];
    assert_eq!(issues["issue"][0]["details"]["coding"][0]["code"], "invalid-display");
    let (_, v) =
        get(&st, "/fhir/CodeSystem/$validate-code?system=http://snomed.info/sct&code=12345678901")
            .await;
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], false);
    // inactive concepts are valid codes, flagged inactive
    let (_, v) =
        get(&st, "/fhir/CodeSystem/$validate-code?system=http://snomed.info/sct&code=9900268007")
            .await;
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], true, "{v}");
    assert_eq!(param(&v, "inactive").unwrap()["valueBoolean"], true, "{v}");
    // codeableConcept against an inline value set
    let vs = json!({ "resourceType": "ValueSet", "url": "http://example.org/vs/x", "compose": { "include": [
        { "system": "http://snomed.info/sct", "concept": [{ "code": "80146002" }] }] } });
    let (s, v) = post(
        &st,
        "/fhir/ValueSet/$validate-code",
        json!({ "resourceType": "Parameters", "parameter": [
            { "name": "valueSet", "resource": vs },
            { "name": "codeableConcept", "valueCodeableConcept": { "coding": [
                { "system": "http://snomed.info/sct", "code": "80146002" }] } },
        ]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], true, "{v}");
    // an unknown implicit value set is an error
    let (s, v) = get(
        &st,
        "/fhir/ValueSet/$validate-code?url=http://snomed.info/sct?fhir_vs=refset/80146002&system=http://snomed.info/sct&code=80146002",
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "not-found");
}

#[tokio::test]
async fn post_coordinated_expressions() {
    let st = state();
    // find an attribute and value to refine with from the sample itself
    let db = sample();
    let c = db.lookup("22298006", &sctx_types::LanguagePreference::en_us()).unwrap();
    let a = &c.attributes.iter().find(|g| g.group > 0).unwrap().attributes[0];
    let expr = format!("22298006:{{{}={}}}", a.type_.id, a.value.as_ref().unwrap().id);
    let (s, v) = post(
        &st,
        "/fhir/CodeSystem/$validate-code",
        json!({ "resourceType": "Parameters", "parameter": [
            { "name": "url", "valueUri": "http://snomed.info/sct" },
            { "name": "code", "valueCode": expr },
        ]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], true, "{v}");
    assert!(param(&v, "display").unwrap()["valueString"].as_str().unwrap().contains('|'));
    // reversed attribute and value is not a valid expression
    let bad = format!("22298006:{{{}={}}}", a.value.as_ref().unwrap().id, a.type_.id);
    let (_, v) = post(
        &st,
        "/fhir/CodeSystem/$validate-code",
        json!({ "resourceType": "Parameters", "parameter": [
            { "name": "url", "valueUri": "http://snomed.info/sct" },
            { "name": "code", "valueCode": bad },
        ]}),
    )
    .await;
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], false, "{v}");
    let (s, v) = get(
        &st,
        &format!(
            "/fhir/CodeSystem/$lookup?system=http://snomed.info/sct&code={}",
            expr.replace('{', "%7B").replace('}', "%7D")
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        param(&v, "display").unwrap()["valueString"].as_str().unwrap().starts_with("22298006|")
    );
}

#[tokio::test]
async fn translate_implicit_maps() {
    let st = state();
    // historical association: SAME AS from an inactive concept
    let (s, v) = get(
        &st,
        "/fhir/ConceptMap/$translate?url=http://snomed.info/sct?fhir_cm=900000000000527005&system=http://snomed.info/sct&code=9900268007",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], true, "{v}");
    let m = param(&v, "match").unwrap();
    assert_eq!(part(m, "equivalence").unwrap()["valueCode"], "equal");
    assert_eq!(part(m, "concept").unwrap()["valueCoding"]["system"], "http://snomed.info/sct");
    let target = part(m, "concept").unwrap()["valueCoding"]["code"].as_str().unwrap().to_string();
    // and back
    let (_, v) = get(
        &st,
        &format!("/fhir/ConceptMap/$translate?url=http://snomed.info/sct?fhir_cm=900000000000527005&system=http://snomed.info/sct&code={target}&reverse=true"),
    )
    .await;
    assert!(
        params_named(&v, "match")
            .iter()
            .any(|m| part(m, "concept").unwrap()["valueCoding"]["code"] == "9900268007"),
        "{v}"
    );
    // ICD-10 complex map with products
    let (s, v) = get(
        &st,
        "/fhir/ConceptMap/$translate?url=http://snomed.info/sct?fhir_cm=447562003&system=http://snomed.info/sct&code=195967001",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let m = param(&v, "match").expect("an ICD-10 match");
    assert_eq!(
        part(m, "concept").unwrap()["valueCoding"]["system"],
        "http://hl7.org/fhir/sid/icd-10"
    );
    assert!(m["part"].as_array().unwrap().iter().any(|p| p["name"] == "product"), "{m}");
    // CTV3 simple map by target system
    let (_, v) = get(
        &st,
        "/fhir/ConceptMap/$translate?system=http://snomed.info/sct&code=195967001&targetsystem=http://read.info/ctv3",
    )
    .await;
    let m = param(&v, "match").expect("a CTV3 match");
    assert_eq!(part(m, "concept").unwrap()["valueCoding"]["system"], "http://read.info/ctv3");
    // no match is result=false, not an error
    let (s, v) = get(
        &st,
        "/fhir/ConceptMap/$translate?url=http://snomed.info/sct?fhir_cm=900000000000527005&system=http://snomed.info/sct&code=80146002",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(param(&v, "result").unwrap()["valueBoolean"], false);
    // errors: unknown map; Read v2 codes translate through the Data Migration maps
    let (s, v) = get(
        &st,
        "/fhir/ConceptMap/$translate?url=http://snomed.info/sct?fhir_cm=80146002&system=http://snomed.info/sct&code=80146002",
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_oo(&v, "not-found");
    let (s, v) =
        get(&st, "/fhir/ConceptMap/$translate?system=http://read.info/readv2&code=G30..").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.to_string().contains("57054005"), "{v}");
}

/// A paged text filter over a large value set goes to the search index alone (the value
/// set as a bitmap, one page of hits, the total counted by the index). Lowering the size
/// threshold sends the sample's value sets down that path: its pages and totals must agree
/// with the member-by-member path for words the index matches by prefix.
#[tokio::test]
async fn filtered_expand_by_index_agrees_with_member_scan() {
    let scan = state();
    let build = sample().store().dir().to_path_buf();
    let index = AppState::open(&build, ServerConfig { index_filter_from: 1, ..Default::default() })
        .unwrap();
    let urls = [
        "http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs",
        "http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs%3Disa%2F404684003",
        "http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs%3Decl%2F%3C%3C%2064572001",
    ];
    let mut compared = 0;
    for url in urls {
        for (filter, count, offset) in
            [("diab", 3, 0), ("diab", 2, 1), ("heart", 5, 0), ("appendic", 10, 0), ("zzzz", 5, 0)]
        {
            let uri = format!(
                "/fhir/ValueSet/$expand?url={url}&filter={filter}&count={count}&offset={offset}"
            );
            let (s1, a) = get(&scan, &uri).await;
            let (s2, b) = get(&index, &uri).await;
            assert_eq!(s1, StatusCode::OK, "{uri}: {a}");
            assert_eq!(s2, StatusCode::OK, "{uri}: {b}");
            assert_eq!(codes(&a), codes(&b), "{uri}");
            assert_eq!(a["expansion"]["total"], b["expansion"]["total"], "{uri}");
            compared += usize::from(!codes(&a).is_empty());
        }
    }
    assert!(compared >= 6, "the comparison must cover non-empty pages ({compared})");
    // an empty filter filters nothing, on either path
    for st in [&scan, &index] {
        let all = "/fhir/ValueSet/$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs%3Disa%2F404684003&count=5";
        let (_, a) = get(st, all).await;
        let (_, b) = get(st, &format!("{all}&filter=")).await;
        assert_eq!(a["expansion"]["total"], b["expansion"]["total"]);
        assert_eq!(codes(&a), codes(&b));
    }
    // pages are slices of one ranking, and every page reports the same total
    let base = "/fhir/ValueSet/$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs&filter=dis";
    let (_, whole) = get(&index, &format!("{base}&count=6")).await;
    let whole_codes = codes(&whole);
    assert!(whole_codes.len() >= 3, "{whole}");
    for (k, code) in whole_codes.iter().enumerate() {
        let (_, page) = get(&index, &format!("{base}&count=1&offset={k}")).await;
        assert_eq!(&codes(&page), std::slice::from_ref(code), "offset {k}");
        assert_eq!(page["expansion"]["total"], whole["expansion"]["total"], "offset {k}");
    }
    // a typo: the index path retries with typo tolerance, and its total covers what it found
    let (_, t) = get(
        &index,
        "/fhir/ValueSet/$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs&filter=diabtes&count=1",
    )
    .await;
    assert_eq!(codes(&t).len(), 1, "typo tolerant: {t}");
    assert!(t["expansion"]["total"].as_u64().unwrap() >= 1, "{t}");
    // an invalid ECL is the same error either way
    let uri = "/fhir/ValueSet/$expand?url=http%3A%2F%2Fsnomed.info%2Fsct%3Ffhir_vs%3Decl%2F%3C%3C&filter=diab&count=3";
    let (s1, a) = get(&scan, uri).await;
    let (s2, b) = get(&index, uri).await;
    assert_eq!(s1, s2);
    assert_eq!(a["issue"][0]["code"], b["issue"][0]["code"], "{a} {b}");
}
