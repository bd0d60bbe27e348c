//! Request counters and latency histograms in Prometheus text format.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

const BUCKETS: [f64; 12] =
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Collected metrics.
///
/// Recording takes no allocation once a route has been seen: routes are looked up by
/// `&str` under a read lock, and each route's series sit behind their own small mutex.
#[derive(Default)]
pub struct Metrics {
    by_route: RwLock<HashMap<Box<str>, Mutex<ByStatus>>>,
}

/// One route's series, by status code (a handful per route).
type ByStatus = Vec<(u16, Series)>;

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn add(series: &mut ByStatus, status: u16, secs: f64) {
    let i = match series.iter().position(|(s, _)| *s == status) {
        Some(i) => i,
        None => {
            series.push((status, Series::default()));
            series.len() - 1
        }
    };
    let s = &mut series[i].1;
    s.count += 1;
    s.sum += secs;
    for (i, b) in BUCKETS.iter().enumerate() {
        if secs <= *b {
            s.buckets[i] += 1;
        }
    }
}

impl Metrics {
    /// Records one request.
    pub fn record(&self, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        {
            let m = self.by_route.read().unwrap_or_else(|p| p.into_inner());
            if let Some(series) = m.get(route) {
                add(&mut series.lock().unwrap_or_else(|p| p.into_inner()), status, secs);
                return;
            }
        }
        let mut m = self.by_route.write().unwrap_or_else(|p| p.into_inner());
        let series = m.entry(route.into()).or_default();
        add(series.get_mut().unwrap_or_else(|p| p.into_inner()), status, secs);
    }

    /// Prometheus exposition text.
    pub fn render(&self, extra: &[(&str, &str, f64)]) -> String {
        use std::fmt::Write;
        let m = self.by_route.read().unwrap_or_else(|p| p.into_inner());
        let mut all: BTreeMap<(&str, u16), Series> = BTreeMap::new();
        for (route, series) in m.iter() {
            for (status, s) in series.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                all.insert((route, *status), s.clone());
            }
        }
        let mut out = String::new();
        out.push_str("# HELP sctx_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE sctx_http_requests_total counter\n");
        for ((route, status), s) in all.iter() {
            let _ = writeln!(
                out,
                "sctx_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP sctx_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE sctx_http_request_duration_seconds histogram\n");
        let mut per_route: BTreeMap<&str, Series> = BTreeMap::new();
        for ((route, _), s) in all.iter() {
            let t = per_route.entry(route).or_default();
            t.count += s.count;
            t.sum += s.sum;
            for i in 0..BUCKETS.len() {
                t.buckets[i] += s.buckets[i];
            }
        }
        for (route, s) in per_route {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "sctx_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "sctx_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "sctx_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "sctx_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                s.count
            );
        }
        for (name, help, v) in extra {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        out
    }
}
