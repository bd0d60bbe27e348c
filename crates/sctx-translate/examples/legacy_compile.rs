//! Times the import's legacy-table compile (`sctx_nhsmaps::load` then
//! `sctx_translate::compile`) on its own (development aid). Uses mimalloc, as `sctx` does.
//!
//! `cargo run --release -p sctx-translate --example legacy_compile -- NHS_DIR OUT_DIR [RUNS]`
//! writes `OUT_DIR/legacy/`.
use std::path::PathBuf;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let nhs = PathBuf::from(args.next().expect("NHS_DIR"));
    let out = PathBuf::from(args.next().expect("OUT_DIR"));
    let runs: usize = args.next().map_or(1, |r| r.parse().expect("RUNS"));
    for _ in 0..runs {
        let t = Instant::now();
        let opts = sctx_nhsmaps::LoadOptions { as_of: None, lenient: false };
        let tables = sctx_nhsmaps::load(std::slice::from_ref(&nhs), &opts).expect("load");
        let t_load = t.elapsed();
        let counts = sctx_translate::compile(&tables, &out).expect("compile");
        let t_all = t.elapsed();
        drop(tables);
        eprintln!(
            "load {t_load:?}, compile {:?}, total {t_all:?} (read maps {}, ctv3 maps {})",
            t_all - t_load,
            counts.read_sct_maps,
            counts.ctv3_sct_maps
        );
    }
}
