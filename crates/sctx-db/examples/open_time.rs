//! Times `Database::open` + a first lookup, and the parts of `Store::open` (development aid).
//!
//! `cargo run --release -p sctx-db --example open_time -- DB`
use std::time::Instant;

use sctx_types::LanguagePreference;

fn main() {
    let path = std::path::PathBuf::from(std::env::args().nth(1).expect("DB"));
    for _ in 0..5 {
        let t = Instant::now();
        let db = sctx_db::Database::open(&path).expect("open");
        let t_open = t.elapsed();
        let s = db.store();
        let id = s.id_of(s.concept_count() / 2);
        let i = s.index_of(id).expect("index");
        let pt = s.preferred_term(i, &LanguagePreference::en_gb()).map(str::len);
        eprintln!("Database::open {t_open:?}, + first lookup {:?} ({pt:?})", t.elapsed());
    }
    for verify in [true, false] {
        let t = Instant::now();
        let s = sctx_store::Store::open_with(
            &path,
            sctx_store::OpenOptions { verify_checksums: verify },
        )
        .expect("open");
        eprintln!(
            "Store::open verify={verify}: {:?} ({} concepts)",
            t.elapsed(),
            s.concept_count()
        );
    }
    let s = sctx_store::Store::open(&path).expect("open");
    let t = Instant::now();
    let idx = sctx_search::SearchIndex::open(&s.dir().join("search")).expect("search");
    eprintln!("SearchIndex::open {:?} ({} docs)", t.elapsed(), idx.num_descriptions());
    let t = Instant::now();
    let l = sctx_translate::open(s.dir());
    eprintln!("sctx_translate::open {:?} ({})", t.elapsed(), l.is_ok());
}
