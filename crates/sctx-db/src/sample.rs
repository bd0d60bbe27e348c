//! The bundled sample release and its database, built on first use.

use std::path::{Path, PathBuf};

use crate::{DbError, ImportOptions, import};

/// `release-files/sample` in the source tree this binary was built from.
pub fn sample_release_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../release-files/sample")
}

fn fingerprint(dir: &Path) -> Result<String, DbError> {
    fn walk(dir: &Path, out: &mut Vec<(String, u64)>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if e.file_type()?.is_dir() {
                walk(&p, out)?;
            } else {
                let bytes = std::fs::read(&p)?;
                out.push((p.display().to_string(), fxhash(&bytes)));
            }
        }
        Ok(())
    }
    fn fxhash(b: &[u8]) -> u64 {
        // FNV-1a: stable across versions, plenty for change detection of a small sample
        let mut h: u64 = 0xcbf29ce484222325;
        for &x in b {
            h ^= x as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        h
    }
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(|e| DbError::Other(format!("{}: {e}", dir.display())))?;
    let mut h: u64 = files.len() as u64;
    for (name, fh) in files {
        let rel = name.rsplit("release-files").next().unwrap_or(&name).to_string();
        h = h.rotate_left(7) ^ fxhash(rel.as_bytes()) ^ fh;
    }
    Ok(format!("sample-v{}.{}-{h:016x}", sctx_store::FORMAT_VERSION, crate::BUILD_SCHEMA))
}

/// The database of the bundled sample under `root` (e.g. `target/sctx-sample-db`),
/// imported on first use and again whenever the sample files or the format change.
pub fn sample_db(root: &Path) -> Result<PathBuf, DbError> {
    let dir = sample_release_dir();
    let fp = fingerprint(&dir)?;
    if let Ok(Some(build)) = sctx_store::newest_build(root)
        && let Ok(m) = sctx_store::Manifest::read(&build)
        && m.source_fingerprint.as_deref() == Some(fp.as_str())
    {
        return Ok(build);
    }
    let report = import(
        root,
        &[dir],
        &ImportOptions { source_fingerprint: Some(fp), ..ImportOptions::default() },
    )?;
    Ok(report.build)
}
