//! `/openapi.json`, generated from the route table below, which the router test checks
//! against the real routes.

use axum::Json;
use serde_json::{Value, json};

/// (method, path, summary, query parameters)
pub(crate) const ROUTES: &[(&str, &str, &str, &[&str])] = &[
    ("post", "/v1/concepts", "Batch: preferred term and status for a JSON array of ids", &["lang"]),
    (
        "get",
        "/v1/concepts/{id}",
        "A concept with terms, hierarchy, attributes, refsets and history",
        &["lang"],
    ),
    (
        "get",
        "/v1/concepts/{id}/descriptions",
        "Descriptions with language acceptability",
        &["lang"],
    ),
    ("get", "/v1/concepts/{id}/parents", "Is-a parents", &["lang"]),
    ("get", "/v1/concepts/{id}/children", "Is-a children", &["lang"]),
    ("get", "/v1/concepts/{id}/ancestors", "All ancestors (paged)", &["lang", "limit", "offset"]),
    (
        "get",
        "/v1/concepts/{id}/descendants",
        "All descendants (paged)",
        &["lang", "limit", "offset"],
    ),
    ("get", "/v1/concepts/{id}/properties", "Attributes by role group, concrete values", &["lang"]),
    ("get", "/v1/concepts/{id}/refsets", "Refset memberships with their fields", &["lang"]),
    ("get", "/v1/concepts/{id}/history", "Historical associations both ways", &["lang"]),
    (
        "get",
        "/v1/concepts/{id}/maps",
        "Map refset rows (ICD-10, CTV3, ...) for the concept",
        &["refset"],
    ),
    ("get", "/v1/subsumes", "Subsumption test: does a subsume b?", &["a", "b"]),
    (
        "get",
        "/v1/ecl",
        "Evaluate ECL 2.3: count and a page of concepts (of member rows, `rows`, for a final member field selection such as `^ [mapTarget, mapGroup] 447562003`)",
        &["ecl", "limit", "offset", "count", "lang"],
    ),
    ("post", "/v1/ecl", "Evaluate ECL (JSON body: ecl, limit, offset, count)", &["lang"]),
    (
        "get",
        "/v1/translate",
        "Translate one code: Read v2 / CTV3 / SNOMED CT / ICD-10",
        &["from", "to", "code", "termCode", "broader", "mapRefset", "sex", "age", "lang"],
    ),
    (
        "post",
        "/v1/translate",
        "Translate a JSON array of codes, or a CSV/TSV body streamed back row by row",
        &["from", "to", "column", "format", "broader", "mapRefset", "sex", "age", "lang"],
    ),
    (
        "post",
        "/v1/translate/report",
        "The JSON summary of translating a CSV/TSV body",
        &["from", "to", "column", "broader"],
    ),
    (
        "get",
        "/v1/legacy/{system}/{code}",
        "A Read v2 or CTV3 code: terms, hierarchy, SNOMED CT translation",
        &["lang"],
    ),
    ("get", "/v1/status", "Editions, versions and counts", &[]),
    ("get", "/healthz", "Liveness", &[]),
    ("get", "/readyz", "Readiness (503 until the database is open)", &[]),
    ("get", "/metrics", "Prometheus metrics", &[]),
    ("get", "/openapi.json", "This document", &[]),
];

pub(crate) fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, params) in ROUTES {
        let mut parameters: Vec<Value> = Vec::new();
        if path.contains("{id}") {
            parameters.push(json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "SNOMED CT concept id"}));
        }
        for p in *params {
            parameters.push(
                json!({"name": p, "in": "query", "required": false, "schema": {"type": "string"}}),
            );
        }
        let op = json!({
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "400": {"description": "Malformed input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "Unknown concept", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "503": {"description": "Not ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "sctx", "version": env!("CARGO_PKG_VERSION"), "description": "SNOMED CT terminology server with Read v2 / CTV3 translation. SCTIDs are JSON strings."},
        "paths": paths,
        "components": {"schemas": {"Error": {"type": "object", "required": ["error", "detail"], "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}}}}
    })
}

pub(crate) async fn openapi() -> Json<Value> {
    Json(document())
}
