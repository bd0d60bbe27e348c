//! A bounded cache of whole `GET` answers.
//!
//! A build is immutable while it is served, so the answer to a `GET` depends only on the
//! build, the path and query, and the request headers that select a representation
//! (`Accept-Language`, `Accept`). Clinical traffic is skewed (the same few thousand
//! concepts, the same search prefixes typed by every clinician), so answers of the read
//! routes are kept in an S3-FIFO cache (`quick_cache`) bounded by bytes, and a repeat is
//! answered without touching the database. Keys carry the reload generation, so an
//! answer from a previous build is never served after a reload (the cache is also
//! cleared then). Only `200` answers with a body of known size up to [`MAX_ENTRY`] are
//! kept; streamed answers pass through.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Largest answer kept, in bytes.
pub(crate) const MAX_ENTRY: u64 = 256 * 1024;

#[derive(Clone)]
pub(crate) struct Cached {
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct ByBytes;

impl Weighter<Box<str>, Cached> for ByBytes {
    fn weight(&self, key: &Box<str>, val: &Cached) -> u64 {
        (key.len() + val.body.len() + 64 * val.headers.len() + 64) as u64
    }
}

/// The cache (absent when configured with 0 bytes).
pub(crate) struct ResponseCache {
    inner: Cache<Box<str>, Cached, ByBytes>,
    /// Largest body kept: [`MAX_ENTRY`], or less in a small cache (its capacity is split
    /// over shards, and an entry larger than a shard's share would be refused anyway).
    max_entry: u64,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache").field("bytes", &self.inner.weight()).finish()
    }
}

/// Read routes whose answers may be kept.
fn cacheable(path: &str) -> bool {
    (path.starts_with("/v1/") && path != "/v1/status") || path.starts_with("/fhir/")
}

impl ResponseCache {
    pub(crate) fn new(bytes: usize) -> Option<ResponseCache> {
        (bytes > 0).then(|| ResponseCache {
            inner: Cache::with_weighter((bytes / 4096).max(16), bytes as u64, ByBytes),
            max_entry: MAX_ENTRY.min(bytes as u64 / 64),
        })
    }

    /// The key of a cacheable request, or `None`.
    pub(crate) fn key<B>(req: &Request<B>, generation: u64) -> Option<Box<str>> {
        if req.method() != axum::http::Method::GET || !cacheable(req.uri().path()) {
            return None;
        }
        // A GET with a body (FHIR reads one) is answered afresh.
        let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
            || req.headers().get(header::CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0");
        if has_body {
            return None;
        }
        let h = |n: header::HeaderName| {
            req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
        };
        let pq = req.uri().path_and_query().map_or("", |p| p.as_str());
        Some(
            format!("{generation}\n{pq}\n{}\n{}", h(header::ACCEPT_LANGUAGE), h(header::ACCEPT))
                .into(),
        )
    }

    pub(crate) fn get(&self, key: &str) -> Option<Response> {
        let c = self.inner.get(key)?;
        let mut r = Response::new(Body::from(c.body));
        *r.headers_mut() = c.headers;
        Some(r)
    }

    /// Keeps a `200` answer of known small size; gives back the response either way.
    pub(crate) async fn offer(&self, key: Box<str>, resp: Response) -> Response {
        use axum::body::HttpBody;
        let small = resp.body().size_hint().exact().is_some_and(|n| n <= self.max_entry);
        if resp.status() != StatusCode::OK
            || !small
            || resp.headers().contains_key(header::SET_COOKIE)
        {
            return resp;
        }
        let (parts, body) = resp.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, self.max_entry as usize).await else {
            // In-memory bodies of exact size do not fail; should one, say so.
            return axum::response::IntoResponse::into_response(crate::ApiError::internal(
                "the answer could not be read back",
            ));
        };
        self.inner.insert(key, Cached { headers: parts.headers.clone(), body: bytes.clone() });
        Response::from_parts(parts, Body::from(bytes))
    }

    pub(crate) fn clear(&self) {
        self.inner.clear();
    }

    /// Bytes held.
    pub(crate) fn weight(&self) -> u64 {
        self.inner.weight()
    }
}

/// `x-cache: hit` marks answers from the cache (useful to operators and tests).
pub(crate) fn mark_hit(resp: &mut Response) {
    resp.headers_mut().insert("x-cache", HeaderValue::from_static("hit"));
}
