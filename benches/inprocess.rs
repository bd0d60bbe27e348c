//! In-process benchmarks over a database (divan).
//!
//! `SCTX_BENCH_DB=bench-data/int-db cargo bench --bench inprocess`
//! (benches/run.sh sets this up; without the variable the bundled sample is used).

mod common;

use std::sync::OnceLock;

use sctx_db::{Database, SearchOptions};
use sctx_types::LanguagePreference;

fn main() {
    divan::main();
}

struct Fixture {
    db: Database,
    /// Active concepts spread over the id space.
    sample: Vec<u32>,
    /// (descendant, ancestor) pairs that subsume, and pairs that do not.
    pairs: Vec<(u32, u32)>,
    /// A concept with about 100k descendants (or the largest hierarchy).
    big: u32,
    /// Search prefixes drawn from the vocabulary: 1, 2 and 3 tokens.
    queries: Vec<String>,
    /// ECL expressions of every kind.
    ecl: Vec<String>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (_, db) = common::bench_db();
        let s = db.store();
        let sample = common::sample(s);
        let mut pairs = Vec::new();
        for &c in &sample {
            if let Some(&a) = s.ancestors(c).get(s.ancestors(c).len() / 2) {
                pairs.push((a, c));
            }
            pairs.push((c, sample[(c as usize * 7919) % sample.len()]));
        }
        let big = common::big_hierarchy(s);
        let queries = common::queries(s, &sample).into_iter().map(|(_, q)| q).collect();
        let id = |i: u32| s.id_of(i);
        let bigid = id(big);
        let mut ecl = Vec::new();
        for (k, &c) in sample.iter().enumerate().take(200) {
            let parent = s.parents(c).first().copied().map(id).unwrap_or(138875005);
            let attr = s.outbound(c).find(|r| id(r.type_idx) != 116680003);
            ecl.push(match k % 8 {
                0 => format!("<< {parent}"),
                1 => format!("< {parent} MINUS << {}", id(c)),
                2 => match attr {
                    Some(r) => format!("< {bigid} : {} = << {}", id(r.type_idx), id(r.other)),
                    None => format!("<< {parent}"),
                },
                3 => match attr {
                    Some(r) => format!(
                        "< {parent} : {{ {} = *, [0..1] {} = << {} }}",
                        id(r.type_idx),
                        id(r.type_idx),
                        id(r.other)
                    ),
                    None => format!(">> {}", id(c)),
                },
                4 => format!("<< {parent} OR << {}", id(c)),
                5 => match attr {
                    Some(r) => format!("<< {} . {}", id(c), id(r.type_idx)),
                    None => format!("<! {parent}"),
                },
                6 => format!("<< {parent} {{{{ C definitionStatus = primitive }}}}"),
                _ => format!("^ 900000000000497000 AND << {parent}"),
            });
        }
        Fixture { db, sample, pairs, big, queries, ecl }
    })
}

#[divan::bench]
fn open_and_first_lookup(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let dir = f.db.store().dir().to_path_buf();
    let id = f.db.store().id_of(f.sample[0]);
    // The database is returned so that divan drops it after the timing, which waits for
    // its background work (checksums, legacy tables) outside the measurement.
    bencher.bench(|| {
        let db = Database::open(&dir).unwrap();
        let i = db.store().index_of(id).unwrap();
        divan::black_box(db.store().preferred_term(i, &LanguagePreference::en_gb()).map(str::len));
        db
    });
}

#[divan::bench]
fn lookup_preferred_term(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let s = f.db.store();
    let ids: Vec<u64> = f.sample.iter().map(|&i| s.id_of(i)).collect();
    let lang = LanguagePreference::en_gb();
    let mut k = 0usize;
    bencher.bench_local(|| {
        k = (k + 1) % ids.len();
        let i = s.index_of(ids[k]).unwrap();
        divan::black_box(s.preferred_term(i, &lang).map(str::len))
    });
}

/// The whole `GET /v1/concepts/{id}` object (descriptions, relationships, refsets,
/// history) built and serialized to JSON, as the HTTP handler does.
#[divan::bench]
fn lookup_full_json(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let lang = LanguagePreference::en_gb();
    let mut k = 0usize;
    bencher.bench_local(|| {
        k = (k + 1) % f.sample.len();
        divan::black_box(serde_json::to_vec(&f.db.lookup_idx(f.sample[k], &lang)).unwrap().len())
    });
}

#[divan::bench]
fn subsumption_test(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let s = f.db.store();
    let mut k = 0usize;
    bencher.bench_local(|| {
        k = (k + 1) % f.pairs.len();
        let (a, b) = f.pairs[k];
        divan::black_box(s.subsumes(a, b))
    });
}

#[divan::bench]
fn ancestors(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let s = f.db.store();
    let mut k = 0usize;
    bencher.bench_local(|| {
        k = (k + 1) % f.sample.len();
        divan::black_box(s.ancestors(f.sample[k]).iter().map(|&x| x as u64).sum::<u64>())
    });
}

#[divan::bench]
fn descendants_of_large_hierarchy_as_bitmap(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let s = f.db.store();
    bencher.bench_local(|| {
        let b: roaring::RoaringBitmap = s.descendants(f.big).iter().copied().collect();
        divan::black_box(b.len())
    });
}

#[divan::bench]
fn ecl_count_large_hierarchy(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let e = format!("<< {}", f.db.store().id_of(f.big));
    bencher.bench_local(|| divan::black_box(f.db.ecl_set(&e, Default::default()).unwrap().len()));
}

#[divan::bench]
fn ecl_corpus(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let mut k = 0usize;
    bencher.bench_local(|| {
        k = (k + 1) % f.ecl.len();
        divan::black_box(f.db.ecl_set(&f.ecl[k], Default::default()).map(|s| s.len()).unwrap_or(0))
    });
}

#[divan::bench]
fn search_10_hits(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let lang = LanguagePreference::en_gb();
    let o = SearchOptions { limit: 10, ..Default::default() };
    let mut k = 0usize;
    bencher.bench_local(|| {
        k = (k + 1) % f.queries.len();
        divan::black_box(f.db.search(&f.queries[k], &o, &lang).map(|r| r.hits.len()).unwrap_or(0))
    });
}

#[divan::bench]
fn search_10_hits_is_a_large_hierarchy(bencher: divan::Bencher<'_, '_>) {
    let f = fixture();
    let lang = LanguagePreference::en_gb();
    let o = SearchOptions {
        limit: 10,
        is_a: vec![f.db.store().id_of(f.big).to_string()],
        ..Default::default()
    };
    let mut k = 0usize;
    bencher.bench_local(|| {
        k = (k + 1) % f.queries.len();
        divan::black_box(f.db.search(&f.queries[k], &o, &lang).map(|r| r.hits.len()).unwrap_or(0))
    });
}
