//! A request timeout that costs nothing for requests answered on their first poll.
//!
//! `tower_http::timeout` arms a tokio timer for every request; under load that woke the
//! runtime's timer driver (an `eventfd` write and a futex) once per request, which cost
//! a quarter of the throughput of a cheap route (BENCHMARKS.md, HTTP). Here a request
//! that completes on its first poll (almost every lookup) never touches a timer. One that
//! has to wait (a body still arriving, blocking work, a slow handler) registers its
//! waker with a deadline; a single ticker task, started on first use (and again if its
//! runtime went away), wakes expired requests, which then answer `408 Request Timeout`.
//! The deadline is checked to the tick (a tenth of the timeout, between 5 and 250 ms).
//! The clock starts when the request is handed to the service, after any wait for a
//! concurrency permit (the limit sits outside this layer).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use slab::Slab;
use tower::{Layer, Service};

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

/// The layer: answers 408 when a request is not done within `timeout`.
#[derive(Clone)]
pub(crate) struct RequestTimeoutLayer {
    timeout: Duration,
    registry: Arc<Registry>,
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
        }
    }
}

impl<S> Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeout<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RequestTimeout { inner, timeout: self.timeout, registry: self.registry.clone() }
    }
}

/// The service of [`RequestTimeoutLayer`].
#[derive(Clone)]
pub(crate) struct RequestTimeout<S> {
    inner: S,
    timeout: Duration,
    registry: Arc<Registry>,
}

impl<S, B, RB> Service<Request<B>> for RequestTimeout<S>
where
    S: Service<Request<B>, Response = axum::http::Response<RB>>,
    RB: HttpBody<Data = bytes::Bytes> + Send + 'static,
    RB::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        TimeoutFuture {
            inner: self.inner.call(req),
            deadline: Instant::now() + self.timeout,
            timeout: self.timeout,
            key: None,
            registry: self.registry.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// A request in flight.
    pub(crate) struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        deadline: Instant,
        timeout: Duration,
        key: Option<usize>,
        registry: Arc<Registry>,
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
        if let Poll::Ready(r) = this.inner.poll(cx) {
            if let Some(k) = this.key.take() {
                this.registry.lock().try_remove(k);
            }
            return Poll::Ready(r.map(|resp| resp.map(Body::new)));
        }
        if Instant::now() >= *this.deadline {
            if let Some(k) = this.key.take() {
                this.registry.lock().try_remove(k);
            }
            let detail = format!("the request was not answered within {:?}", this.timeout);
            let e = ApiError { status: StatusCode::REQUEST_TIMEOUT, code: "timeout", detail };
            return Poll::Ready(Ok(e.into_response()));
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
