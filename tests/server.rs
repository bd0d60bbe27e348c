use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sctx_server::{AppState, ServerConfig, router};
use serde_json::Value;
use tower::ServiceExt;

use crate::util::*;

fn state_with(cfg: ServerConfig) -> Arc<AppState> {
    let build = sample().store().dir().to_path_buf();
    AppState::open(&build, cfg).unwrap()
}

async fn call(
    st: &Arc<AppState>,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let resp = router(st.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

async fn get(st: &Arc<AppState>, uri: &str) -> (StatusCode, Value) {
    let (s, h, b) = call(st, Request::get(uri).body(Body::empty()).unwrap()).await;
    let ct =
        h.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    if ct.contains("json") {
        (s, serde_json::from_slice(&b).unwrap())
    } else {
        (s, Value::String(String::from_utf8_lossy(&b).into_owned()))
    }
}

fn assert_error(v: &Value, code: &str) {
    assert_eq!(v["error"], code, "{v}");
    assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
}

#[tokio::test]
async fn concept_routes() {
    let st = state_with(ServerConfig::default());
    let (s, v) = get(&st, "/v1/concepts/80146002").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["preferredTerm"], "Appendicectomy");
    assert_eq!(v["id"], "80146002");
    let (_, v) = get(&st, "/v1/concepts/80146002?lang=en-US").await;
    assert_eq!(v["preferredTerm"], "Appendectomy");
    let req = Request::get("/v1/concepts/80146002")
        .header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.5")
        .body(Body::empty())
        .unwrap();
    let (_, _, b) = call(&st, req).await;
    assert_eq!(serde_json::from_slice::<Value>(&b).unwrap()["preferredTerm"], "Appendectomy");

    let (s, v) = get(&st, "/v1/concepts/80146002/descriptions").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.as_array().unwrap().iter().any(|d| d["term"] == "Appendicectomy"));
    let (_, v) = get(&st, "/v1/concepts/44054006/parents").await;
    assert!(v.as_array().unwrap().iter().any(|p| p["id"] == "73211009"));
    let (_, v) = get(&st, "/v1/concepts/73211009/children").await;
    assert!(v.as_array().unwrap().iter().any(|p| p["id"] == "44054006"));
    let (_, v) = get(&st, "/v1/concepts/44054006/ancestors").await;
    assert!(v["items"].as_array().unwrap().iter().any(|p| p["id"] == "138875005"));
    let (_, v) = get(&st, "/v1/concepts/138875005/descendants?limit=5&offset=2").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 5);
    assert!(v["total"].as_u64().unwrap() > 300);
    assert_eq!(v["offset"], 2);
    let (_, v) = get(&st, "/v1/concepts/22298006/properties").await;
    assert!(v["groups"].as_array().unwrap().iter().any(|g| g["group"] == 1));
    let (_, v) = get(&st, "/v1/concepts/195967001/refsets").await;
    assert!(v.as_array().unwrap().iter().any(|r| r["refset"]["id"] == "900000000000497000"));
    let (_, v) = get(&st, "/v1/concepts/9900268007/history").await;
    assert_eq!(v["outgoing"][0]["name"], "SAME AS");
    let (s, v) = get(&st, "/v1/concepts/195967001/maps?refset=447562003").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.as_array().unwrap().iter().any(|m| m["fields"]["mapTarget"] == "J45.9"), "{v}");
    let (_, v) = get(&st, "/v1/concepts/195967001/maps").await;
    assert!(v.as_array().unwrap().iter().any(|m| m["refsetId"] == "900000000000497000"));
}

#[tokio::test]
async fn batch_subsumes_status_health() {
    let st = state_with(ServerConfig::default());
    let req = Request::post("/v1/concepts")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"["73211009","24700007","1234"]"#))
        .unwrap();
    let (s, _, b) = call(&st, req).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v[0]["found"], true);
    assert_eq!(v[1]["found"], false);
    assert!(v[2]["error"].is_string());

    let (s, v) = get(&st, "/v1/subsumes?a=73211009&b=44054006").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["outcome"], "subsumes");
    let (_, v) = get(&st, "/v1/subsumes?a=44054006&b=73211009").await;
    assert_eq!(v["outcome"], "subsumed-by");
    let (s, v) = get(&st, "/v1/subsumes?a=44054006").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_error(&v, "missing-parameter");

    let (s, v) = get(&st, "/v1/status").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["editions"][0]["uri"].as_str().unwrap().starts_with("http://snomed.info/sct/"));
    assert!(v["counts"]["concepts"].as_u64().unwrap() > 300);
    assert_eq!(get(&st, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get(&st, "/readyz").await.0, StatusCode::OK);
    let (s, v) = get(&st, "/metrics").await;
    assert_eq!(s, StatusCode::OK);
    let text = v.as_str().unwrap();
    assert!(
        text.contains("sctx_http_requests_total{route=\"/v1/subsumes\",status=\"200\"}"),
        "{text}"
    );
    assert!(text.contains("sctx_ready 1"));
}

#[tokio::test]
async fn errors_are_json_with_the_right_status() {
    let st = state_with(ServerConfig { max_page_size: 2, body_limit: 64, ..Default::default() });
    let (s, v) = get(&st, "/v1/concepts/73211008").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_error(&v, "invalid-id");
    let (s, v) = get(&st, "/v1/concepts/not-a-number").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_error(&v, "invalid-id");
    let (s, v) = get(&st, "/v1/concepts/24700007").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_error(&v, "not-found");
    let (s, v) = get(&st, "/v1/concepts/24700007/children").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_error(&v, "not-found");
    let (s, v) = get(&st, "/v1/no/such/route").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_error(&v, "not-found");
    let (s, v) = get(&st, "/v1/concepts/73211009?lang=xx-YY").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_error(&v, "invalid-language");
    let (s, v) = get(&st, "/v1/concepts/138875005/descendants?limit=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_error(&v, "bad-request");
    // page size is capped
    let (_, v) = get(&st, "/v1/concepts/138875005/descendants?limit=1000").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    // 422: a valid request that cannot be answered
    let (s, v) = get(&st, "/v1/concepts/195967001/maps?refset=9900001008").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_error(&v, "not-a-map");
    let req = Request::post("/v1/concepts")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"["73211009","73211009","73211009"]"#))
        .unwrap();
    let (s, _, b) = call(&st, req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&serde_json::from_slice(&b).unwrap(), "too-many-ids");
    // 413: oversized body
    let big = format!("[{}]", vec!["\"73211009\""; 50].join(","));
    let req = Request::post("/v1/concepts")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(big))
        .unwrap();
    let (s, _, b) = call(&st, req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&serde_json::from_slice(&b).unwrap(), "payload-too-large");
    // malformed JSON body
    let req = Request::post("/v1/concepts")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("[1,"))
        .unwrap();
    let (s, _, b) = call(&st, req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_error(&serde_json::from_slice(&b).unwrap(), "invalid-body");
    // wrong method
    let req = Request::delete("/v1/concepts/73211009").body(Body::empty()).unwrap();
    let (s, _, b) = call(&st, req).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&serde_json::from_slice(&b).unwrap(), "method-not-allowed");
}

#[tokio::test]
async fn not_ready_is_503() {
    let st = AppState::new(std::path::Path::new("/nonexistent"), ServerConfig::default());
    let (s, v) = get(&st, "/v1/concepts/73211009").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&v, "not-ready");
    assert_eq!(get(&st, "/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get(&st, "/healthz").await.0, StatusCode::OK);
    assert!(st.load().is_err());
}

#[tokio::test]
async fn reload_swaps_in_the_newest_build() {
    let dir = tempfile::tempdir().unwrap();
    sctx_db::import(dir.path(), &[int_package()], &Default::default()).unwrap();
    let st = AppState::open(dir.path(), ServerConfig::default()).unwrap();
    let (_, before) = get(&st, "/v1/status").await;
    let (s, _) = get(&st, "/v1/concepts/44054006").await;
    assert_eq!(s, StatusCode::OK);
    let held = st.db().unwrap(); // an in-flight request's view
    sctx_db::import(dir.path(), &[int_package(), uk_package()], &Default::default()).unwrap();
    st.load().unwrap();
    let (_, after) = get(&st, "/v1/status").await;
    assert_ne!(before["build"], after["build"]);
    assert!(after["counts"]["concepts"].as_u64() > before["counts"]["concepts"].as_u64());
    assert_eq!(after["reloads"], 2);
    // the old build still answers for whoever holds it
    assert!(held.lookup("44054006", &sctx_types::LanguagePreference::en_gb()).is_ok());
}

#[tokio::test]
async fn cors_request_ids_and_openapi() {
    let st = state_with(ServerConfig::default());
    let req = Request::get("/healthz")
        .header(header::ORIGIN, "https://epr.example")
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = call(&st, req).await;
    assert!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "CORS is off by default");
    assert!(h.get("x-request-id").is_some());
    // a client's own request id is kept
    let req =
        Request::get("/healthz").header("x-request-id", "abc-123").body(Body::empty()).unwrap();
    let (_, h, _) = call(&st, req).await;
    assert_eq!(h["x-request-id"], "abc-123");
    let st2 = state_with(ServerConfig {
        cors_origin: Some("https://epr.example".into()),
        ..Default::default()
    });
    let req = Request::get("/healthz")
        .header(header::ORIGIN, "https://epr.example")
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = call(&st2, req).await;
    assert_eq!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), "https://epr.example");

    let (s, v) = get(&st, "/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let paths = v["paths"].as_object().unwrap();
    assert!(paths.len() >= 15);
    // every documented route exists
    for (path, ops) in paths {
        let uri = path
            .replace("{id}", "73211009")
            .replace("{system}", "readv2")
            .replace("{code}", "H33..");
        for method in ops.as_object().unwrap().keys() {
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(if method == "post" { "[]" } else { "" }))
                .unwrap();
            let (s, _, b) = call(&st, req).await;
            assert_ne!(s, StatusCode::NOT_FOUND, "{method} {uri}: {}", String::from_utf8_lossy(&b));
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        }
    }
}

#[tokio::test]
async fn request_timeout_answers_408() {
    let st = state_with(ServerConfig {
        request_timeout: std::time::Duration::from_millis(60),
        ..Default::default()
    });
    // A body that never finishes arriving (a slow or stalled client).
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(1);
    tx.send(Ok(bytes::Bytes::from_static(b"[\"H33.."))).await.unwrap();
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let req = Request::post("/v1/translate?from=readv2&to=snomed")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap();
    let t0 = std::time::Instant::now();
    let (s, h, b) = call(&st, req).await;
    assert_eq!(s, StatusCode::REQUEST_TIMEOUT);
    assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("json"));
    assert_error(&serde_json::from_slice(&b).unwrap(), "timeout");
    assert!(h.get("x-request-id").is_some(), "a 408 carries the request id too");
    assert!(t0.elapsed() < std::time::Duration::from_secs(5));
    drop(tx);
    // a request answered at once is unaffected by the short timeout
    let (s, _) = get(&st, "/v1/concepts/80146002").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn response_cache_keys_on_language_and_build() {
    let st = state_with(ServerConfig::default());
    let fetch = |uri: &'static str, lang: &'static str| {
        let st = st.clone();
        async move {
            let mut r = Request::get(uri);
            if !lang.is_empty() {
                r = r.header(header::ACCEPT_LANGUAGE, lang);
            }
            call(&st, r.body(Body::empty()).unwrap()).await
        }
    };
    let hit = |h: &axum::http::HeaderMap| h.get("x-cache").is_some();
    let (_, h1, b1) = fetch("/v1/concepts/80146002", "").await;
    assert!(!hit(&h1));
    let (_, h2, b2) = fetch("/v1/concepts/80146002", "").await;
    assert!(hit(&h2), "a repeat is answered from the cache");
    assert_eq!(b1, b2);
    assert_eq!(h1[header::CONTENT_TYPE], h2[header::CONTENT_TYPE]);
    assert_ne!(h1["x-request-id"], h2["x-request-id"], "request ids are per request");
    // another language is another answer
    let (_, h3, b3) = fetch("/v1/concepts/80146002", "en-US").await;
    assert!(!hit(&h3));
    assert_eq!(serde_json::from_slice::<Value>(&b3).unwrap()["preferredTerm"], "Appendectomy");
    // errors are not kept
    fetch("/v1/concepts/1234567", "").await;
    let (s, h4, _) = fetch("/v1/concepts/1234567", "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(!hit(&h4));
    // status is live, never cached
    fetch("/v1/status", "").await;
    assert!(!hit(&fetch("/v1/status", "").await.1));
    // a reload starts afresh
    st.load().unwrap();
    assert!(!hit(&fetch("/v1/concepts/80146002", "").await.1));
    assert!(hit(&fetch("/v1/concepts/80146002", "").await.1));
    // and a cache of 0 bytes is off
    let off = state_with(ServerConfig { response_cache_bytes: 0, ..Default::default() });
    for _ in 0..2 {
        let (_, h, _) =
            call(&off, Request::get("/v1/concepts/80146002").body(Body::empty()).unwrap()).await;
        assert!(!hit(&h));
    }
}

/// `/v1/ecl` answers a final member field selection with member rows (ids as strings,
/// integers as numbers), and an ordinary expression with concepts and no `rows`.
#[tokio::test]
async fn ecl_member_rows_over_http() {
    let st = state_with(ServerConfig::default());
    let body = serde_json::json!({
        "ecl": "^ [mapTarget, mapGroup] 447562003 {{ M referencedComponentId = 26929004 }}",
        "limit": 10
    });
    let req = Request::post("/v1/ecl")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, _, b) = call(&st, req).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(v["total"], 2, "{v}");
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["refsetId"], "447562003");
    assert_eq!(rows[0]["referencedComponentId"], "26929004");
    let groups: Vec<i64> = rows.iter().map(|r| r["fields"]["mapGroup"].as_i64().unwrap()).collect();
    assert!(groups.contains(&1) && groups.contains(&2), "{v}");
    let (s, v) = get(&st, "/v1/ecl?ecl=%3C%3C%2073211009&limit=5").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.get("rows").is_none() && !v["items"].as_array().unwrap().is_empty(), "{v}");
}
