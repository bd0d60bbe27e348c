//! Times the RF2 load and the store compile of a release (development aid).
//!
//! `cargo run --release -p sctx-store --example store_phases -- RELEASE_DIR OUT_DIR`
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (src, out) = (&args[0], &args[1]);
    let t = Instant::now();
    let rel = sctx_rf2::load(&[src.into()], &sctx_rf2::LoadOptions::default()).expect("load");
    let load = t.elapsed().as_secs_f64();
    eprintln!(
        "load {load:.2}s: {} concepts, {} descriptions, {} relationships, {} members",
        rel.concepts.len(),
        rel.descriptions.len(),
        rel.relationships.len(),
        rel.members.len()
    );
    if args.get(2).is_some_and(|a| a == "--load-only") {
        return;
    }
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    let t = Instant::now();
    // (the release is consumed, and freed, by the build)
    sctx_store::write_store(rel, out.as_ref(), &Default::default()).expect("write");
    let write = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let s = sctx_store::Store::open(out.as_ref()).expect("open");
    let open = t.elapsed().as_secs_f64();
    eprintln!(
        "write_store {write:.2}s (freeing the release), open {open:.3}s ({} concepts)",
        s.concept_count()
    );
}
