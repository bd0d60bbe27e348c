#![allow(dead_code)]

use std::path::PathBuf;

/// The shared test-data directory (`../shared` from the workspace root), if present.
pub fn shared_dir() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if p.join("testsuites").is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: shared test data not found at {}", p.display());
        None
    }
}

/// Recursively list files under `dir` with the given extension, sorted.
pub fn files_with_ext(dir: &std::path::Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Parse, print, re-parse and check the trees are equal. Returns the error text on failure.
pub fn parse_roundtrip(src: &str) -> Result<sctx_ecl::Expr, String> {
    let e = sctx_ecl::parse(src).map_err(|e| e.render(src))?;
    let printed = e.to_string();
    let e2 = sctx_ecl::parse(&printed).map_err(|err| {
        format!("re-parse of printed form failed:\n{printed}\n{}", err.render(&printed))
    })?;
    // Evaluating against an empty store must never panic.
    let store = sctx_ecl::memory::MemoryBackend::new();
    let _ = sctx_ecl::Evaluator::new(&store).evaluate(&e);
    if e != e2 {
        return Err(format!("round trip changed the tree:\n{src}\n=> {printed}\n{e:?}\n{e2:?}"));
    }
    Ok(e)
}
