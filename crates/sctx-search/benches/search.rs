//! Latency probe for the search index on a synthetic corpus.
//!
//! `cargo bench -p sctx-search --bench search` builds (once, in a temp dir) an index of
//! synthetic descriptions — by default 535,000 concepts with three descriptions each, terms of
//! 2–6 pseudo-words drawn from a skewed 40,000-word vocabulary — then prints p50/p90/p99
//! latencies for typical autocomplete queries. Environment:
//! - `SCTX_SEARCH_BENCH_CONCEPTS`: number of concepts (default 535000);
//! - `SCTX_SEARCH_BENCH_DIR`: reuse/keep the index in this directory.
//!
//! Real SNOMED CT text has a different word distribution; treat the numbers as indicative.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use roaring::RoaringBitmap;
use sctx_search::{
    FSN_TYPE, Fuzzy, IndexBuilder, SYNONYM_TYPE, SearchDoc, SearchIndex, SearchQuery,
};

const GB: u64 = 900_000_000_000_508_004;
const UK: u64 = 999_001_261_000_000_100;
const US: u64 = 900_000_000_000_509_007;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Skewed towards small values (frequent words).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * u) * n as f64) as usize
    }
}

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const ONSETS: &[&str] = &[
        "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "st", "tr", "pl",
        "cr", "ph", "th", "ch", "gl", "br", "sp",
    ];
    const NUCLEI: &[&str] = &["a", "e", "i", "o", "u", "y", "ae", "io", "ou"];
    const CODAS: &[&str] = &["", "", "", "n", "r", "s", "l", "m", "x", "t", "c"];
    let mut words = std::collections::HashSet::new();
    while words.len() < 40_000 {
        let syllables = 1 + rng.below(4);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.below(ONSETS.len())]);
            w.push_str(NUCLEI[rng.below(NUCLEI.len())]);
            w.push_str(CODAS[rng.below(CODAS.len())]);
        }
        words.insert(w);
    }
    let mut v: Vec<String> = words.into_iter().collect();
    v.sort();
    // Shuffle so frequent words are spread over the alphabet.
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
    v
}

fn term(rng: &mut Rng, vocab: &[String]) -> String {
    let n = 2 + rng.below(5);
    let mut t = String::new();
    for i in 0..n {
        if i > 0 {
            t.push(' ');
        }
        let w = &vocab[rng.skewed(vocab.len())];
        if i == 0 {
            let mut c = w.chars();
            if let Some(first) = c.next() {
                t.extend(first.to_uppercase());
                t.push_str(c.as_str());
            }
        } else {
            t.push_str(w);
        }
    }
    t
}

fn build(dir: &std::path::Path, concepts: u32, vocab: &[String]) -> Vec<String> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let started = Instant::now();
    let mut b = IndexBuilder::create(dir, 400_000_000).expect("create");
    let mut sample = Vec::new();
    let mut description_id = 10_000_011u64;
    for ci in 0..concepts {
        let concept_id = 100_000_000 + u64::from(ci) * 1000 + 5;
        let pt = term(&mut rng, vocab);
        let syn = term(&mut rng, vocab);
        let active = rng.below(20) != 0;
        for (t, type_id, pref, acc) in [
            (format!("{pt} (disorder)"), FSN_TYPE, vec![UK, GB, US], vec![]),
            (pt.clone(), SYNONYM_TYPE, vec![UK, GB, US], vec![]),
            (syn, SYNONYM_TYPE, vec![], vec![UK, GB, US]),
        ] {
            b.add(&SearchDoc {
                description_id,
                concept_id,
                concept_index: ci,
                term: t.into(),
                type_id,
                language_code: "en".into(),
                active: true,
                concept_active: active,
                preferred_in: pref,
                acceptable_in: acc,
            })
            .expect("add");
            description_id += 1000;
        }
        if ci % 97 == 0 {
            sample.push(pt);
        }
    }
    let stats = b.finish().expect("finish");
    eprintln!(
        "built {} descriptions, {} segment(s) in {:.1?}",
        stats.descriptions,
        stats.segments,
        started.elapsed()
    );
    sample
}

fn queries(rng: &mut Rng, sample: &[String], tokens: usize) -> Vec<String> {
    (0..2000)
        .map(|_| {
            let t = &sample[rng.below(sample.len())];
            let words: Vec<&str> = t.split(' ').collect();
            let mut q = Vec::new();
            for w in words.iter().take(tokens) {
                let len = (3 + rng.below(2)).min(w.len());
                q.push(w[..len].to_lowercase());
            }
            q.join(" ")
        })
        .collect()
}

fn report(name: &str, mut times: Vec<Duration>, hits: usize) {
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{name:<44} p50 {:>9.1?}  p90 {:>9.1?}  p99 {:>9.1?}  max {:>9.1?}  (avg hits {:.1})",
        p(0.5),
        p(0.9),
        p(0.99),
        times[times.len() - 1],
        hits as f64 / times.len() as f64
    );
}

fn run<'a>(
    index: &SearchIndex,
    name: &str,
    qs: &'a [String],
    f: impl Fn(&'a str) -> SearchQuery<'a>,
) {
    for q in qs.iter().take(200) {
        let _ = index.search(&f(q)).expect("search");
    }
    let mut times = Vec::with_capacity(qs.len());
    let mut hits = 0;
    for q in qs {
        let query = f(q);
        let t = Instant::now();
        let h = index.search(&query).expect("search");
        times.push(t.elapsed());
        hits += h.len();
    }
    report(name, times, hits);
}

fn main() {
    let concepts: u32 = std::env::var("SCTX_SEARCH_BENCH_CONCEPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(535_000);
    let mut rng = Rng(0x0bad_cafe_f00d_0001);
    let vocab = vocabulary(&mut rng);
    let (_tmp, dir) = match std::env::var_os("SCTX_SEARCH_BENCH_DIR") {
        Some(d) => (None, PathBuf::from(d)),
        None => {
            let tmp = tempfile::tempdir().expect("tempdir");
            let dir = tmp.path().join("search");
            (Some(tmp), dir)
        }
    };
    let sample = if dir.join("meta.json").exists() {
        // Regenerate the same sample without rebuilding.
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let mut sample = Vec::new();
        for ci in 0..concepts {
            let pt = term(&mut rng, &vocab);
            let _syn = term(&mut rng, &vocab);
            let _active = rng.below(20);
            if ci % 97 == 0 {
                sample.push(pt);
            }
        }
        sample
    } else {
        build(&dir, concepts, &vocab)
    };
    let index = SearchIndex::open(&dir).expect("open");

    let one = queries(&mut rng, &sample, 1);
    let two = queries(&mut rng, &sample, 2);
    let three = queries(&mut rng, &sample, 3);
    let two_letters: Vec<String> = one.iter().map(|q| q[..2].to_owned()).collect();
    let mut filter = RoaringBitmap::new();
    while filter.len() < 100_000.min(u64::from(concepts)) {
        filter.insert(rng.below(concepts as usize) as u32);
    }
    let typos: Vec<String> = sample
        .iter()
        .take(2000)
        .map(|t| {
            let w = t.split(' ').next().unwrap_or_default().to_lowercase();
            let mut c: Vec<char> = w.chars().collect();
            if c.len() > 4 {
                c.swap(2, 3);
            }
            c.into_iter().collect()
        })
        .collect();

    let exact = |q| SearchQuery { fuzzy: Fuzzy::Off, ..SearchQuery::new(q) };
    run(&index, "1 token, 3-4 letters", &one, SearchQuery::new);
    run(&index, "2 tokens", &two, SearchQuery::new);
    run(&index, "3 tokens", &three, SearchQuery::new);
    run(&index, "1 token, 2 letters, Fuzzy::Off", &two_letters, exact);
    run(&index, "1 token, Fuzzy::Off", &one, exact);
    run(&index, "3 tokens, Fuzzy::Off", &three, exact);
    run(&index, "1 token + concept_filter(100k)", &one, |q| SearchQuery {
        concept_filter: Some(&filter),
        ..SearchQuery::new(q)
    });
    run(&index, "2 tokens + concept_filter(100k)", &two, |q| SearchQuery {
        concept_filter: Some(&filter),
        ..SearchQuery::new(q)
    });
    run(&index, "typo in first word, Fuzzy::Auto", &typos, SearchQuery::new);
    run(&index, "1 token, limit 50", &one, |q| SearchQuery { limit: 50, ..SearchQuery::new(q) });
}
