//! Search latency percentiles over a database (divan gives medians; the search targets
//! are also on p99).
//!
//! `SCTX_BENCH_DB=bench-data/db-international cargo bench --bench search_latency`
//!
//! Queries are built as in `benches/inprocess.rs`: from the preferred terms of 300 active
//! concepts spread over the id space, 1, 2 or 3 words cut to 3, 4 or 5 letters. Each query
//! runs 5 times and its median counts; the table gives percentiles over the queries, plain
//! and constrained to the descendants of the concept whose hierarchy is closest to 100k.

mod common;

use std::time::Instant;

use sctx_db::SearchOptions;
use sctx_types::LanguagePreference;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let (path, db) = common::bench_db();
    let s = db.store();
    let n = s.concept_count();
    let queries = common::queries(s, &common::sample(s));
    let big = common::big_hierarchy(s);
    let lang = LanguagePreference::en_gb();
    let plain = SearchOptions { limit: 10, ..Default::default() };
    let is_a =
        SearchOptions { limit: 10, is_a: vec![s.id_of(big).to_string()], ..Default::default() };
    println!("{} queries over {} ({} concepts)", queries.len(), path.display(), n);
    println!("| queries | n | p50 µs | p90 µs | p99 µs | max µs |");
    println!("|---|---|---|---|---|---|");
    for (label, opts, tokens) in [
        ("1 token", &plain, Some(1)),
        ("2 tokens", &plain, Some(2)),
        ("3 tokens", &plain, Some(3)),
        ("all", &plain, None),
        ("all, is-a 100k hierarchy", &is_a, None),
    ] {
        let mut t: Vec<f64> = Vec::new();
        for (k, q) in &queries {
            if tokens.is_some_and(|n| n != *k) {
                continue;
            }
            let mut runs: Vec<f64> = (0..5)
                .map(|_| {
                    let t0 = Instant::now();
                    let hits = db.search(q, opts, &lang).map(|r| r.hits.len()).unwrap_or(0);
                    std::hint::black_box(hits);
                    t0.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            t.push(pct(&mut runs, 0.5));
        }
        if t.is_empty() {
            continue;
        }
        let max = t.iter().copied().fold(0.0, f64::max);
        println!(
            "| {label} | {} | {:.0} | {:.0} | {:.0} | {max:.0} |",
            t.len(),
            pct(&mut t, 0.5),
            pct(&mut t, 0.9),
            pct(&mut t, 0.99)
        );
    }
}
