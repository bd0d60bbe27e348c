//! Times building the search index of an existing database (development aid), with the
//! same code path as `sctx import`.
//!
//! `cargo run --release -p sctx-db --example search_build -- DB OUT_DIR`
use std::time::Instant;

use sctx_store::Store;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store = Store::open(args[0].as_ref()).expect("open");
    let out = std::path::Path::new(&args[1]);
    let _ = std::fs::remove_dir_all(out);
    let t = Instant::now();
    let stats = sctx_db::build_search_index(&store, out).expect("build");
    eprintln!("total {:.2}s, {stats:?}", t.elapsed().as_secs_f64());
}
