//! JSON errors: `{ "error": CODE, "detail": TEXT }` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code.
    pub code: &'static str,
    /// Human-readable detail.
    pub detail: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    detail: &'a str,
}

impl ApiError {
    /// 400.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, code, detail: detail.into() }
    }
    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, code: "not-found", detail: detail.into() }
    }
    /// 422.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, code, detail: detail.into() }
    }
    /// 503.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "not-ready",
            detail: detail.into(),
        }
    }
    /// 500 (never from input).
    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            detail: detail.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&Body { error: self.code, detail: &self.detail })
            .unwrap_or_else(|_| b"{\"error\":\"internal\"}".to_vec());
        (self.status, [(axum::http::header::CONTENT_TYPE, "application/json")], body)
            .into_response()
    }
}

impl From<sctx_db::DbError> for ApiError {
    fn from(e: sctx_db::DbError) -> Self {
        match e {
            sctx_db::DbError::InvalidId { .. } => {
                ApiError::bad_request("invalid-id", e.to_string())
            }
            sctx_db::DbError::UnknownConcept(_) => ApiError::not_found(e.to_string()),
            other => ApiError::internal(other.to_string()),
        }
    }
}

/// The error code for a bare status produced by a layer (timeout, body limit, 404 route).
pub(crate) fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        s if s.is_client_error() => "bad-request",
        _ => "internal",
    }
}
