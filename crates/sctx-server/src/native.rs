//! The native JSON API under `/v1`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use sctx_db::{ConceptRef, Database};
use sctx_store::FieldValue;
use sctx_types::{LanguagePreference, ids};
use serde::{Deserialize, Serialize};

use crate::{ApiError, AppState};

/// The language preference of a request: `lang` query parameter, else `Accept-Language`,
/// else en-GB.
pub(crate) struct Lang(pub LanguagePreference);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let from_query = q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == "lang" || k == "displayLanguage")
                .then(|| v.replace("%2C", ",").replace("%3B", ";").replace('+', " "))
        });
        if let Some(tag) = from_query {
            return LanguagePreference::parse(&tag)
                .map(Lang)
                .map_err(|e| ApiError::bad_request("invalid-language", e.to_string()));
        }
        if let Some(al) = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) {
            // an unsupported Accept-Language falls back to en-GB rather than failing
            if let Ok(p) = LanguagePreference::parse(al) {
                return Ok(Lang(p));
            }
        }
        Ok(Lang(LanguagePreference::en_gb()))
    }
}

/// Paging parameters.
#[derive(Debug, Deserialize)]
pub(crate) struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Paged<T> {
    total: usize,
    offset: usize,
    limit: usize,
    items: Vec<T>,
}

fn page_bounds(p: &Page, max: usize, default: usize) -> (usize, usize) {
    (p.offset.unwrap_or(0), p.limit.unwrap_or(default).min(max))
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/concepts", axum::routing::post(concepts_batch))
        .route("/v1/concepts/{id}", get(concept))
        .route("/v1/concepts/{id}/descriptions", get(descriptions))
        .route("/v1/concepts/{id}/parents", get(parents))
        .route("/v1/concepts/{id}/children", get(children))
        .route("/v1/concepts/{id}/ancestors", get(ancestors))
        .route("/v1/concepts/{id}/descendants", get(descendants))
        .route("/v1/concepts/{id}/properties", get(properties))
        .route("/v1/concepts/{id}/refsets", get(refsets))
        .route("/v1/concepts/{id}/history", get(history))
        .route("/v1/concepts/{id}/maps", get(maps))
        .route("/v1/subsumes", get(subsumes))
        .route("/v1/ecl", get(ecl_get).post(ecl_post))
        .route("/v1/search", get(search))
        .route("/v1/status", get(status))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

fn idx(db: &Database, id: &str) -> Result<u32, ApiError> {
    Ok(db.concept_index(id)?)
}

async fn concept(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(Json(db.lookup_idx(i, &l)).into_response())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchItem {
    id: String,
    found: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `POST /v1/concepts` with a JSON array of ids: preferred terms and status for each.
async fn concepts_batch(
    State(st): State<Arc<AppState>>,
    Lang(l): Lang,
    body: Result<Json<Vec<String>>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let Json(ids) = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload-too-large",
            detail: e.body_text(),
        },
        _ => ApiError::bad_request("invalid-body", e.body_text()),
    })?;
    if ids.len() > st.config.max_page_size {
        return Err(ApiError::unprocessable(
            "too-many-ids",
            format!("{} ids given; at most {} per request", ids.len(), st.config.max_page_size),
        ));
    }
    let s = db.store();
    let items: Vec<BatchItem> = ids
        .into_iter()
        .map(|id| match sctx_db::parse_id(&id) {
            Err(e) => BatchItem {
                id,
                found: false,
                active: None,
                preferred_term: None,
                error: Some(e.to_string()),
            },
            Ok(n) => match s.index_of(n) {
                None => {
                    BatchItem { id, found: false, active: None, preferred_term: None, error: None }
                }
                Some(i) => BatchItem {
                    id,
                    found: true,
                    active: Some(s.is_active(i)),
                    preferred_term: s.preferred_term(i, &l).map(str::to_string),
                    error: None,
                },
            },
        })
        .collect();
    Ok(Json(items).into_response())
}

async fn descriptions(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Lang(_): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(Json(db.description_details(i)).into_response())
}

fn refs(db: &Database, v: &[u32], l: &LanguagePreference) -> Vec<ConceptRef> {
    v.iter().map(|&i| db.concept_ref(i, l)).collect()
}

async fn parents(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(Json(refs(&db, db.store().parents(i), &l)).into_response())
}

async fn children(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(Json(refs(&db, db.store().children(i), &l)).into_response())
}

fn paged(db: &Database, all: &[u32], p: &Page, max: usize, l: &LanguagePreference) -> Response {
    let (offset, limit) = page_bounds(p, max, 100);
    let mut ids: Vec<u32> = all.to_vec();
    ids.sort_by_key(|&i| db.store().id_of(i));
    let slice = ids.get(offset..).unwrap_or(&[]);
    let slice = &slice[..slice.len().min(limit)];
    Json(Paged { total: all.len(), offset, limit, items: refs(db, slice, l) }).into_response()
}

async fn ancestors(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(p): Query<Page>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(paged(&db, db.store().ancestors(i), &p, st.config.max_page_size, &l))
}

async fn descendants(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(p): Query<Page>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(paged(&db, db.store().descendants(i), &p, st.config.max_page_size, &l))
}

async fn properties(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    let c =
        db.store().concept(i).ok_or_else(|| ApiError::internal("concept index out of range"))?;
    Ok(Json(serde_json::json!({
        "id": c.id.to_string(),
        "active": c.active,
        "moduleId": c.module.to_string(),
        "definitionStatus": if c.primitive { "primitive" } else { "defined" },
        "effectiveTime": if c.effective_time == 0 { String::new() } else { format!("{:08}", c.effective_time) },
        "groups": db.attribute_groups(i, &l),
    }))
    .into_response())
}

async fn refsets(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(Json(db.refset_memberships(i, &l)).into_response())
}

async fn history(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let i = idx(&db, &id)?;
    Ok(Json(db.histories(i, &l)).into_response())
}

#[derive(Deserialize)]
struct MapsQuery {
    refset: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MapRow {
    refset_id: String,
    member_id: String,
    active: bool,
    effective_time: String,
    fields: BTreeMap<String, String>,
}

async fn maps(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(q): Query<MapsQuery>,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let cid = sctx_db::parse_id(&id)?;
    idx(&db, &id)?;
    let s = db.store();
    let refset = q.refset.as_deref().map(sctx_db::parse_id).transpose()?;
    if let Some(r) = refset {
        match s.refset(r) {
            None => {
                return Err(ApiError::not_found(format!("refset {r} is not in this database")));
            }
            Some(info) if !info.field_names.contains(&"mapTarget") => {
                return Err(ApiError::unprocessable(
                    "not-a-map",
                    format!("refset {r} is a {} refset, not a map refset", info.summary),
                ));
            }
            Some(_) => {}
        }
    }
    let rows: Vec<MapRow> = s
        .members_for(cid)
        .filter(|m| m.active)
        .filter(|m| match refset {
            Some(r) => m.refset == r,
            None => s.refset(m.refset).is_some_and(|r| r.field_names.contains(&"mapTarget")),
        })
        .map(|m| MapRow {
            refset_id: m.refset.to_string(),
            member_id: m.uuid_string(),
            active: m.active,
            effective_time: format!("{:08}", m.effective_time),
            fields: m
                .fields
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        if matches!(v, FieldValue::Empty) { String::new() } else { v.to_string() },
                    )
                })
                .collect(),
        })
        .collect();
    Ok(Json(rows).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    fuzzy: Option<bool>,
    inactive: Option<bool>,
    is_a: Option<String>,
    refset: Option<String>,
    ecl: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    all_descriptions: Option<bool>,
}

fn split_list(s: Option<String>) -> Vec<String> {
    s.map(|v| v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default()
}

async fn search(
    State(st): State<Arc<AppState>>,
    Lang(l): Lang,
    q: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid-parameter", e.body_text()))?;
    let db = st.db()?;
    let Some(text) = q.q else {
        return Err(ApiError::bad_request("missing-parameter", "q is required"));
    };
    let opts = sctx_db::SearchOptions {
        limit: q.limit.unwrap_or(10).clamp(1, st.config.max_page_size),
        offset: q.offset.unwrap_or(0),
        fuzzy: q.fuzzy,
        include_inactive: q.inactive.unwrap_or(false),
        is_a: split_list(q.is_a),
        refsets: split_list(q.refset),
        ecl: q.ecl,
        types: split_list(q.kind),
        all_descriptions: q.all_descriptions.unwrap_or(false),
        ..Default::default()
    };
    // plain searches are sub-millisecond: answer inline; filtered ones go to the pool
    let r = if opts.ecl.is_none() && opts.is_a.is_empty() && opts.refsets.is_empty() {
        db.search(&text, &opts, &l)
    } else {
        tokio::task::spawn_blocking(move || db.search(&text, &opts, &l))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?
    }
    .map_err(db_error)?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize)]
struct EclQuery {
    ecl: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    count: Option<bool>,
}

async fn ecl_get(
    State(st): State<Arc<AppState>>,
    Lang(l): Lang,
    q: Result<Query<EclQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid-parameter", e.body_text()))?;
    run_ecl(st, l, q).await
}

async fn ecl_post(
    State(st): State<Arc<AppState>>,
    Lang(l): Lang,
    body: Result<Json<EclQuery>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(q) = body.map_err(json_rejection)?;
    run_ecl(st, l, q).await
}

pub(crate) fn json_rejection(e: axum::extract::rejection::JsonRejection) -> ApiError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload-too-large",
            detail: e.body_text(),
        },
        _ => ApiError::bad_request("invalid-body", e.body_text()),
    }
}

pub(crate) fn db_error(e: sctx_db::DbError) -> ApiError {
    match e {
        sctx_db::DbError::EclSyntax { error, rendered } => ApiError::bad_request(
            "invalid-ecl",
            format!("{error}; expected one of: {}\n{rendered}", error.expected.join(", ")),
        ),
        sctx_db::DbError::EclEval(err) => {
            ApiError::unprocessable("ecl-not-evaluable", err.to_string())
        }
        other => other.into(),
    }
}

async fn run_ecl(
    st: Arc<AppState>,
    l: LanguagePreference,
    q: EclQuery,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let Some(text) = q.ecl else {
        return Err(ApiError::bad_request("missing-parameter", "ecl is required"));
    };
    let opts = sctx_db::EclOptions {
        limit: q.limit.unwrap_or(100).min(st.config.max_page_size),
        offset: q.offset.unwrap_or(0),
        count_only: q.count.unwrap_or(false),
        timeout: st.config.request_timeout,
        ..Default::default()
    };
    let r = tokio::task::spawn_blocking(move || db.ecl(&text, &opts, &l))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(db_error)?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize)]
struct SubsumesQuery {
    a: Option<String>,
    b: Option<String>,
}

async fn subsumes(
    State(st): State<Arc<AppState>>,
    Query(q): Query<SubsumesQuery>,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let (Some(a), Some(b)) = (q.a, q.b) else {
        return Err(ApiError::bad_request("missing-parameter", "both a and b are required"));
    };
    let outcome = db.subsumes(&a, &b)?;
    Ok(Json(serde_json::json!({ "a": a, "b": b, "outcome": outcome })).into_response())
}

async fn status(State(st): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let db = st.db()?;
    let m = db.manifest();
    Ok(Json(serde_json::json!({
        "service": "sctx",
        "version": env!("CARGO_PKG_VERSION"),
        "build": db.store().dir().display().to_string(),
        "createdAt": m.created_at,
        "editions": m.editions,
        "counts": m.counts,
        "uptimeSeconds": st.started.elapsed().as_secs(),
        "reloads": st.reloads.load(std::sync::atomic::Ordering::Relaxed),
    }))
    .into_response())
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(st): State<Arc<AppState>>) -> Response {
    if st.is_ready() {
        Json(serde_json::json!({ "status": "ready" })).into_response()
    } else {
        ApiError::unavailable("the database is still loading").into_response()
    }
}

async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    let concepts = st.db().map(|d| d.manifest().counts.concepts as f64).unwrap_or(0.0);
    let ready = if st.is_ready() { 1.0 } else { 0.0 };
    let body = st.metrics.render(&[
        ("sctx_ready", "1 when a database is open.", ready),
        ("sctx_concepts", "Concepts in the open build.", concepts),
        ("sctx_uptime_seconds", "Seconds since start.", st.started.elapsed().as_secs_f64()),
        (
            "sctx_response_cache_bytes",
            "Bytes of GET answers held by the response cache.",
            st.cache.as_ref().map_or(0.0, |c| c.weight() as f64),
        ),
    ]);
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Unused id reference to keep the well-known id module linked for future routes.
#[allow(dead_code)]
const _IS_A: u64 = ids::IS_A;
