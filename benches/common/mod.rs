//! What the benchmarks share: the database they run over, the concept sample, the
//! concept with a ~100k hierarchy and the search queries, built the same way for each.

use std::path::PathBuf;

use sctx_db::Database;
use sctx_store::Store;
use sctx_types::LanguagePreference;

/// `$SCTX_BENCH_DB`, else the bundled sample (built on first use).
pub fn bench_db() -> (PathBuf, Database) {
    let path = match std::env::var_os("SCTX_BENCH_DB") {
        Some(p) => PathBuf::from(p),
        None => {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/sctx-sample-db");
            sctx_db::sample_db(&root).expect("sample db")
        }
    };
    let db = Database::open(&path).expect("open bench db");
    (path, db)
}

/// Active concepts spread over the id space (about 1,000 steps).
pub fn sample(s: &Store) -> Vec<u32> {
    let n = s.concept_count();
    let step = (n / 1000).max(1);
    (0..n).step_by(step as usize).filter(|&i| s.is_active(i)).collect()
}

/// The active concept whose descendant count is closest to 100k.
pub fn big_hierarchy(s: &Store) -> u32 {
    (0..s.concept_count())
        .filter(|&i| s.is_active(i))
        .min_by_key(|&i| (s.descendants(i).len() as i64 - 100_000).abs())
        .unwrap_or(0)
}

/// Search prefixes from the preferred terms of the first 300 sampled concepts: 1, 2 or 3
/// words (of 3+ letters) cut to 3, 4 or 5 letters, with their token count.
pub fn queries(s: &Store, sample: &[u32]) -> Vec<(usize, String)> {
    let lang = LanguagePreference::en_gb();
    let mut queries = Vec::new();
    for (k, &c) in sample.iter().enumerate().take(300) {
        let Some(term) = s.preferred_term(c, &lang) else { continue };
        let words: Vec<&str> = term.split_whitespace().filter(|w| w.len() >= 3).collect();
        let take = 1 + k % 3;
        if words.len() < take {
            continue;
        }
        let q: Vec<String> =
            words[..take].iter().map(|w| w.chars().take(3 + k % 3).collect()).collect();
        queries.push((take, q.join(" ")));
    }
    queries
}
