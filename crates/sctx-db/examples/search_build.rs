//! Times building the search index of an existing database (development aid).
//!
//! `cargo run --release -p sctx-db --example search_build -- DB OUT_DIR`
use std::time::Instant;

use sctx_search::{IndexBuilder, SearchDoc};
use sctx_store::Store;
use sctx_types::ids;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store = Store::open(args[0].as_ref()).expect("open");
    let out = std::path::Path::new(&args[1]);
    let _ = std::fs::remove_dir_all(out);
    let t = Instant::now();
    let mut b = IndexBuilder::create(out, 300_000_000).expect("create");
    for i in 0..store.description_count() {
        let Some(d) = store.description_at(i) else { continue };
        let (mut preferred_in, mut acceptable_in) = (Vec::new(), Vec::new());
        for (r, a) in d.acceptability() {
            if a == ids::PREFERRED { preferred_in.push(r) } else { acceptable_in.push(r) }
        }
        b.add_owned(SearchDoc {
            description_id: d.id,
            concept_id: store.id_of(d.concept),
            concept_index: d.concept,
            term: d.term.to_string(),
            type_id: d.type_id,
            language_code: d.language_code.to_string(),
            active: d.active,
            concept_active: store.is_active(d.concept),
            preferred_in,
            acceptable_in,
        })
        .expect("add");
    }
    let t_add = t.elapsed().as_secs_f64();
    let stats = b.finish().expect("finish");
    eprintln!("add {t_add:.2}s, total {:.2}s, {stats:?}", t.elapsed().as_secs_f64());
}
