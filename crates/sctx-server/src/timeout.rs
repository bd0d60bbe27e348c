//! The per-request envelope: request id, tracing span and timeout, in one layer.
//!
//! Every answer carries an `x-request-id` (the client's, or `<process tag>-<sequence>`: unique
//! per run and across restarts, no system call), and the handler runs inside a `request`
//! span (method, URI, id) when INFO tracing is on; server errors are logged at ERROR, every
//! answer at DEBUG with its latency. tower_http's request-id and trace layers did the same
//! at about a fifth of a cheap route's throughput (BENCHMARKS.md, HTTP).
//!
//! The timeout costs nothing for requests answered on their first poll. tower_http's
//! timeout armed a tokio timer per request, which woke the runtime's timer driver (an
//! `eventfd` write and a futex) once per request. Here a request that has to wait (a body
//! still arriving, blocking work, a slow handler) registers its waker with a deadline; a
//! single ticker task, started on first use (and again if its runtime went away), wakes
//! expired requests, which then answer `408 Request Timeout`. The deadline is checked to
//! the tick (a tenth of the timeout, between 5 and 250 ms). The clock starts when the
//! request is handed to the service, after any wait for a concurrency permit (the limit
//! sits outside this layer).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use slab::Slab;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::ApiError;

struct Registry {
    waiting: Mutex<Slab<(Instant, Waker)>>,
    ticker: Mutex<Option<tokio::task::JoinHandle<()>>>,
    tick: Duration,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slab<(Instant, Waker)>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts the ticker unless it runs (a runtime that shut down took it with it).
    fn start_ticker(self: &Arc<Self>) {
        let mut t = self.ticker.lock().unwrap_or_else(|p| p.into_inner());
        if t.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        let weak: Weak<Registry> = Arc::downgrade(self);
        let tick = self.tick;
        *t = Some(tokio::spawn(async move {
            let mut every = tokio::time::interval(tick);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let Some(reg) = weak.upgrade() else { return };
                let now = Instant::now();
                let expired: Vec<Waker> = reg
                    .lock()
                    .iter()
                    .filter(|(_, (deadline, _))| *deadline <= now)
                    .map(|(_, (_, w))| w.clone())
                    .collect();
                for w in expired {
                    w.wake();
                }
            }
        }));
    }
}

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids `<process tag>-<sequence>`.
struct RequestIds {
    tag: String,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        RequestIds {
            tag: format!("{:x}", t ^ (u64::from(std::process::id()) << 40)),
            next: AtomicU64::new(1),
        }
    }

    fn make(&self) -> HeaderValue {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut buf = itoa::Buffer::new();
        let n = buf.format(n);
        let mut v = String::with_capacity(self.tag.len() + 1 + n.len());
        v.push_str(&self.tag);
        v.push('-');
        v.push_str(n);
        HeaderValue::try_from(v).unwrap_or(HeaderValue::from_static("-"))
    }
}

/// The layer: request id, span, and a 408 when a request is not done within `timeout`.
#[derive(Clone)]
pub(crate) struct RequestTimeoutLayer {
    timeout: Duration,
    registry: Arc<Registry>,
    ids: Arc<RequestIds>,
}

impl RequestTimeoutLayer {
    pub(crate) fn new(timeout: Duration) -> Self {
        let tick = (timeout / 10).clamp(Duration::from_millis(5), Duration::from_millis(250));
        RequestTimeoutLayer {
            timeout,
            registry: Arc::new(Registry {
                waiting: Mutex::new(Slab::new()),
                ticker: Mutex::new(None),
                tick,
            }),
            ids: Arc::new(RequestIds::new()),
        }
    }
}

impl<S> Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeout<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequestTimeout {
            inner,
            timeout: self.timeout,
            registry: self.registry.clone(),
            ids: self.ids.clone(),
        }
    }
}

/// The service of [`RequestTimeoutLayer`].
#[derive(Clone)]
pub(crate) struct RequestTimeout<S> {
    inner: S,
    timeout: Duration,
    registry: Arc<Registry>,
    ids: Arc<RequestIds>,
}

impl<S, B, RB> Service<Request<B>> for RequestTimeout<S>
where
    S: Service<Request<B>, Response = axum::http::Response<RB>>,
    RB: HttpBody<Data = bytes::Bytes> + Send + 'static,
    RB::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = TimeoutFuture<tracing::instrument::Instrumented<S::Future>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let id = match req.headers().get(&X_REQUEST_ID) {
            Some(v) => v.clone(),
            None => {
                let v = self.ids.make();
                req.headers_mut().insert(X_REQUEST_ID.clone(), v.clone());
                v
            }
        };
        // fields are evaluated only when the span is enabled
        let span = tracing::info_span!(
            "request",
            method = %req.method(),
            uri = %req.uri(),
            request_id = id.to_str().unwrap_or("-"),
        );
        let started = Instant::now();
        TimeoutFuture {
            inner: self.inner.call(req).instrument(span),
            started,
            deadline: started + self.timeout,
            timeout: self.timeout,
            key: None,
            registry: self.registry.clone(),
            id: Some(id),
        }
    }
}

pin_project_lite::pin_project! {
    /// A request in flight.
    pub(crate) struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        started: Instant,
        deadline: Instant,
        timeout: Duration,
        key: Option<usize>,
        registry: Arc<Registry>,
        id: Option<HeaderValue>,
    }

    impl<F> PinnedDrop for TimeoutFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(k) = this.key.take() {
                this.registry.lock().try_remove(k);
            }
        }
    }
}

impl<F, E, RB> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<axum::http::Response<RB>, E>>,
    RB: HttpBody<Data = bytes::Bytes> + Send + 'static,
    RB::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let finish = |mut resp: Response, id: Option<HeaderValue>, started: Instant| {
            let status = resp.status();
            if status.is_server_error() {
                tracing::error!(status = status.as_u16(), latency = ?started.elapsed(), "request failed");
            } else {
                tracing::debug!(status = status.as_u16(), latency = ?started.elapsed(), "answered");
            }
            if let Some(id) = id {
                resp.headers_mut().insert(X_REQUEST_ID.clone(), id);
            }
            resp
        };
        if let Poll::Ready(r) = this.inner.poll(cx) {
            if let Some(k) = this.key.take() {
                this.registry.lock().try_remove(k);
            }
            let (id, started) = (this.id.take(), *this.started);
            return Poll::Ready(r.map(|resp| finish(resp.map(Body::new), id, started)));
        }
        if Instant::now() >= *this.deadline {
            if let Some(k) = this.key.take() {
                this.registry.lock().try_remove(k);
            }
            let detail = format!("the request was not answered within {:?}", this.timeout);
            let e = ApiError { status: StatusCode::REQUEST_TIMEOUT, code: "timeout", detail };
            return Poll::Ready(Ok(finish(e.into_response(), this.id.take(), *this.started)));
        }
        match *this.key {
            Some(k) => {
                let mut w = this.registry.lock();
                if let Some((_, waker)) = w.get_mut(k)
                    && !waker.will_wake(cx.waker())
                {
                    *waker = cx.waker().clone();
                }
            }
            None => {
                *this.key = Some(this.registry.lock().insert((*this.deadline, cx.waker().clone())));
                this.registry.start_ticker();
            }
        }
        Poll::Pending
    }
}
