//! `/v1/translate` and `/v1/legacy`: Read v2 / CTV3 / SNOMED CT / ICD-10 translation.

use std::io::Write;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use sctx_db::sctx_translate as t;
use serde::Deserialize;

use crate::native::Lang;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/translate", get(translate_get).post(translate_post))
        .route("/v1/translate/report", post(translate_report))
        .route("/v1/legacy/{system}/{code}", get(legacy))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TranslateParams {
    from: Option<String>,
    to: Option<String>,
    code: Option<String>,
    term_code: Option<String>,
    broader: Option<bool>,
    map_refset: Option<String>,
    sex: Option<String>,
    age: Option<f64>,
    column: Option<String>,
    format: Option<String>,
}

fn system(name: &str, v: Option<&str>) -> Result<t::System, ApiError> {
    let v =
        v.ok_or_else(|| ApiError::bad_request("missing-parameter", format!("{name} is required")))?;
    serde_json::from_value(serde_json::Value::String(v.to_ascii_lowercase())).map_err(|_| {
        ApiError::bad_request(
            "invalid-parameter",
            format!("{name}={v:?}: use readv2, ctv3, sct or icd10"),
        )
    })
}

fn batch_options(p: &TranslateParams) -> Result<t::BatchOptions, ApiError> {
    let mut o =
        t::BatchOptions::new(system("from", p.from.as_deref())?, system("to", p.to.as_deref())?);
    o.broader = p.broader.unwrap_or(false);
    if let Some(r) = &p.map_refset {
        o.map_refset = Some(
            sctx_types::SctId::parse(r)
                .map_err(|e| ApiError::bad_request("invalid-id", e.to_string()))?,
        );
    }
    if let Some(s) = &p.sex {
        o.context.sex = Some(
            serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase())).map_err(
                |_| ApiError::bad_request("invalid-parameter", "sex must be female or male"),
            )?,
        );
    }
    o.context.age_years = p.age;
    if let Some(c) = &p.column {
        o.column = Some(
            c.parse()
                .map_err(|e| ApiError::bad_request("invalid-parameter", format!("column: {e}")))?,
        );
    }
    if let Some(f) = &p.format {
        o.output_format = Some(match f.to_ascii_lowercase().as_str() {
            "csv" => t::Format::Csv,
            "tsv" => t::Format::Tsv,
            _ => {
                return Err(ApiError::bad_request(
                    "invalid-parameter",
                    "format must be csv or tsv",
                ));
            }
        });
    }
    Ok(o)
}

fn translate_error(e: t::TranslateError) -> ApiError {
    match e {
        t::TranslateError::Unsupported { .. } => {
            ApiError::unprocessable("unsupported-direction", e.to_string())
        }
        other => ApiError::bad_request("invalid-request", other.to_string()),
    }
}

async fn translate_get(
    State(st): State<Arc<AppState>>,
    Lang(l): Lang,
    q: Result<Query<TranslateParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid-parameter", e.body_text()))?;
    let db = st.db()?;
    let o = batch_options(&q)?;
    let code = q
        .code
        .clone()
        .ok_or_else(|| ApiError::bad_request("missing-parameter", "code is required"))?;
    let req = t::TranslateRequest {
        from: o.from,
        to: o.to,
        code,
        term_code: q.term_code.clone(),
        broader: o.broader,
        map_refset: o.map_refset,
        context: o.context.clone(),
    };
    let r = db.translator(&l).translate(&req).map_err(translate_error)?;
    Ok(Json(r).into_response())
}

fn is_json(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"))
}

/// A writer that sends chunks of output to the response body.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = Bytes::from(std::mem::take(&mut self.buf));
            self.tx.blocking_send(Ok(chunk)).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away")
            })?;
        }
        Ok(())
    }
}

/// `POST /v1/translate?from=&to=`: a JSON array of codes gives a JSON array of results; a
/// CSV or TSV body is translated row by row and streamed back in the same format.
async fn translate_post(
    State(st): State<Arc<AppState>>,
    Lang(l): Lang,
    headers: HeaderMap,
    q: Result<Query<TranslateParams>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid-parameter", e.body_text()))?;
    let db = st.db()?;
    let o = batch_options(&q)?;
    if is_json(&headers) {
        let codes: Vec<String> = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request("invalid-body", format!("expected a JSON array of codes: {e}"))
        })?;
        if codes.len() > st.config.max_page_size {
            return Err(ApiError::unprocessable(
                "too-many-codes",
                format!(
                    "{} codes; at most {} per JSON request (send CSV for more)",
                    codes.len(),
                    st.config.max_page_size
                ),
            ));
        }
        let out = tokio::task::spawn_blocking(move || {
            let tr = db.translator(&l);
            codes
                .into_iter()
                .map(|code| {
                    let req = t::TranslateRequest {
                        from: o.from,
                        to: o.to,
                        code,
                        term_code: None,
                        broader: o.broader,
                        map_refset: o.map_refset,
                        context: o.context.clone(),
                    };
                    tr.translate(&req)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(translate_error)?;
        return Ok(Json(out).into_response());
    }
    let csv = o
        .output_format
        .unwrap_or_else(|| t::Format::sniff(body.split(|&b| b == b'\n').next().unwrap_or(&[])))
        == t::Format::Csv;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    tokio::task::spawn_blocking(move || {
        let tr = db.translator(&l);
        let mut w = ChannelWriter { tx: tx.clone(), buf: Vec::new() };
        let r = t::translate_batch(&tr, &body[..], &mut w, &o).map_err(|e| e.to_string());
        let r = r.and_then(|_| w.flush().map_err(|e| e.to_string()));
        if let Err(e) = r {
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let ct =
        if csv { "text/csv; charset=utf-8" } else { "text/tab-separated-values; charset=utf-8" };
    let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, ct)], Body::from_stream(stream)).into_response())
}

/// `POST /v1/translate/report?from=&to=`: the same CSV/TSV body, answered with the JSON
/// summary (counts per status, unmapped codes, invalid rows with line numbers).
async fn translate_report(
    State(st): State<Arc<AppState>>,
    Lang(l): Lang,
    q: Result<Query<TranslateParams>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid-parameter", e.body_text()))?;
    let db = st.db()?;
    let o = batch_options(&q)?;
    let rep = tokio::task::spawn_blocking(move || {
        let tr = db.translator(&l);
        t::translate_batch(&tr, &body[..], std::io::sink(), &o)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(translate_error)?;
    Ok(Json(rep).into_response())
}

/// `GET /v1/legacy/{readv2|ctv3}/{code}`: terms, hierarchy and the SNOMED CT translation.
async fn legacy(
    State(st): State<Arc<AppState>>,
    Path((sys, code)): Path<(String, String)>,
    Lang(l): Lang,
) -> Result<Response, ApiError> {
    let db = st.db()?;
    let system = sctx_db::legacy_system(&sys).ok_or_else(|| {
        ApiError::not_found(format!("unknown legacy system {sys:?}; use readv2 or ctv3"))
    })?;
    let Some(tables) = db.legacy() else {
        return Err(ApiError::unprocessable(
            "no-legacy-tables",
            "this database has no Read v2 / CTV3 tables; import the NHS Data Migration pack",
        ));
    };
    let base: String = code.chars().take(5).collect();
    if code.chars().count() < 5 {
        return Err(ApiError::bad_request(
            "invalid-code",
            format!("{code:?} is not a 5-character legacy code"),
        ));
    }
    if !tables.contains(system, &base) {
        return Err(ApiError::not_found(format!(
            "{} code {base:?} is not in this database",
            system.as_str()
        )));
    }
    let tr = db.translator(&l).legacy_to_sct(system, &code, None, false);
    Ok(Json(serde_json::json!({
        "system": system.as_str(),
        "code": base,
        "status": tables.status(system, &base).map(|c| c.to_string()),
        "terms": tables.terms(system, &base),
        "parents": tables.parents(system, &base),
        "snomed": tr,
    }))
    .into_response())
}
