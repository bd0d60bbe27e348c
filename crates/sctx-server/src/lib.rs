//! The sctx HTTP service: a lean axum router over an open [`sctx_db::Database`].
//!
//! [`router`] builds the whole service (routes, limits, error mapping, metrics) from an
//! [`AppState`]; tests drive it with `tower::ServiceExt::oneshot`, no socket needed.
//! [`serve`] binds it, handles SIGTERM (graceful shutdown) and SIGHUP (zero-downtime
//! reload of the database directory's newest build).
//!
//! ```no_run
//! # async fn run() {
//! use sctx_server::{AppState, ServerConfig, router};
//! let state = AppState::open("db".as_ref(), ServerConfig::default()).unwrap();
//! let app = router(state);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # }
//! ```

mod cache;
mod error;
mod fhir;
mod metrics;
mod native;
mod openapi;
mod timeout;
mod translate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use sctx_db::Database;
use tower::ServiceBuilder;
use tower_http::cors::CorsLayer;

pub use error::ApiError;
pub use metrics::Metrics;

/// Limits and options of the service.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Maximum request body size in bytes.
    pub body_limit: usize,
    /// Maximum requests processed at once (others wait).
    pub concurrency_limit: usize,
    /// Maximum page size for paged results.
    pub max_page_size: usize,
    /// Allowed CORS origin (`*` for any); CORS is off when `None`.
    pub cors_origin: Option<String>,
    /// Bytes of whole `GET` answers kept for repeats (0 disables the cache).
    pub response_cache_bytes: usize,
    /// `ValueSet/$expand` with a text `filter`: value sets of at least this many concepts are
    /// filtered and ranked by the search index alone (smaller ones also match words inside
    /// longer tokens, member by member, which takes seconds on a whole edition).
    pub index_filter_from: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            request_timeout: Duration::from_secs(30),
            body_limit: 8 * 1024 * 1024,
            concurrency_limit: 1024,
            max_page_size: 10_000,
            cors_origin: None,
            response_cache_bytes: 64 * 1024 * 1024,
            index_filter_from: 20_000,
        }
    }
}

/// Shared state: the current database (swapped on reload), config and metrics.
#[derive(Debug)]
pub struct AppState {
    db: ArcSwapOption<Database>,
    db_path: PathBuf,
    /// The configuration.
    pub config: ServerConfig,
    /// Request metrics.
    pub metrics: Metrics,
    reloads: AtomicU64,
    started: Instant,
    cache: Option<cache::ResponseCache>,
}

impl AppState {
    /// State for a database that is not open yet (the service answers 503 until
    /// [`AppState::load`] succeeds).
    pub fn new(db_path: &Path, config: ServerConfig) -> Arc<AppState> {
        Arc::new(AppState {
            db: ArcSwapOption::empty(),
            db_path: db_path.to_path_buf(),
            metrics: Metrics::default(),
            reloads: AtomicU64::new(0),
            started: Instant::now(),
            cache: cache::ResponseCache::new(config.response_cache_bytes),
            config,
        })
    }

    /// Opens the database now.
    pub fn open(db_path: &Path, config: ServerConfig) -> Result<Arc<AppState>, sctx_db::DbError> {
        let s = Self::new(db_path, config);
        s.load()?;
        Ok(s)
    }

    /// Opens the newest build of the database directory and swaps it in; requests in
    /// flight finish on the build they started with.
    pub fn load(&self) -> Result<(), sctx_db::DbError> {
        let db = Database::open(&self.db_path)?;
        // Checksums and the legacy tables are checked before the build is served.
        db.check()?;
        tracing::info!(build = %db.store().dir().display(), "database opened");
        self.db.store(Some(Arc::new(db)));
        // Cache keys carry the generation: bumped after the swap, so a key made with the
        // new generation is always answered from the new build.
        self.reloads.fetch_add(1, Ordering::SeqCst);
        if let Some(c) = &self.cache {
            c.clear();
        }
        Ok(())
    }

    /// The current database, or a 503.
    pub fn db(&self) -> Result<Arc<Database>, ApiError> {
        self.db.load_full().ok_or_else(|| ApiError::unavailable("the database is still loading"))
    }

    /// True once a database is open.
    pub fn is_ready(&self) -> bool {
        self.db.load().is_some()
    }
}

/// Replaces any non-JSON error body (from layers, unknown routes, extractor rejections)
/// with the JSON error shape, and records metrics.
async fn finish(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let t0 = Instant::now();
    let key = match &state.cache {
        Some(_) => cache::ResponseCache::key(&req, state.reloads.load(Ordering::SeqCst)),
        None => None,
    };
    let resp = match (&state.cache, key) {
        (Some(c), Some(k)) => match c.get(&k) {
            Some(mut hit) => {
                cache::mark_hit(&mut hit);
                hit
            }
            None => c.offer(k, next.run(req).await).await,
        },
        _ => next.run(req).await,
    };
    let status = resp.status();
    let route = route.as_ref().map_or("unmatched", |m| m.as_str());
    state.metrics.record(route, status.as_u16(), t0.elapsed());
    if status.is_client_error() || status.is_server_error() {
        let is_json = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        if !is_json {
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
            let detail = String::from_utf8_lossy(&bytes).trim().to_string();
            let detail = if detail.is_empty() {
                status.canonical_reason().unwrap_or("error").to_string()
            } else {
                detail
            };
            let mut r = ApiError { status, code: error::code_for(status), detail }.into_response();
            for (k, v) in parts.headers.iter() {
                if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                    r.headers_mut().insert(k.clone(), v.clone());
                }
            }
            return r;
        }
    }
    resp
}

async fn fallback() -> ApiError {
    ApiError::not_found("no such route; see /openapi.json")
}

/// The whole service.
pub fn router(state: Arc<AppState>) -> Router {
    let cfg = state.config.clone();
    let app = native::routes()
        .merge(fhir::routes())
        .merge(translate::routes())
        .route("/openapi.json", axum::routing::get(openapi::openapi))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(state.clone(), finish))
        .with_state(state);
    let cors = cfg.cors_origin.as_deref().map(|o| {
        let base = CorsLayer::new()
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::ACCEPT_LANGUAGE]);
        if o == "*" {
            base.allow_origin(tower_http::cors::Any)
        } else {
            base.allow_origin(HeaderValue::from_str(o).unwrap_or(HeaderValue::from_static("null")))
        }
    });
    // Layers wrap from the outside in: the request envelope first (request id, tracing span,
    // timeout: every answer, 408s included, carries its id), then the concurrency limit,
    // then the body limits.
    app.layer(
        ServiceBuilder::new()
            .layer(timeout::RequestTimeoutLayer::new(cfg.request_timeout))
            // one semaphore for the whole service (`Router::layer` wraps each route on its
            // own, so a per-instance limit would be per route)
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(cfg.concurrency_limit.max(1)))
            .layer(axum::extract::DefaultBodyLimit::max(cfg.body_limit))
            .layer(tower_http::limit::RequestBodyLimitLayer::new(cfg.body_limit))
            .option_layer(cors),
    )
}

/// Serves until SIGTERM / Ctrl-C; SIGHUP reloads the newest build.
pub async fn serve(state: Arc<AppState>, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(state, listener).await
}

/// [`serve`] on an already bound listener.
pub async fn serve_on(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let st = state.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                let st2 = st.clone();
                match tokio::task::spawn_blocking(move || st2.load()).await {
                    Ok(Ok(())) => tracing::info!("reloaded on SIGHUP"),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "reload failed; still serving the previous build")
                    }
                    Err(e) => tracing::error!(error = %e, "reload task failed"),
                }
            }
        });
    }
    let app = router(state);
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
