use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sctx_db::{Database, ImportOptions};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample_dir() -> PathBuf {
    root().join("release-files/sample")
}

pub fn int_package() -> PathBuf {
    sample_dir().join("SnomedCT_SampleInternationalRF2_PRODUCTION_20250131T120000Z")
}

pub fn uk_package() -> PathBuf {
    sample_dir().join("SnomedCT_SampleUKClinicalRF2_PRODUCTION_20250401T000001Z")
}

/// `../shared` beside the project, or None (tests then skip with a message).
pub fn shared() -> Option<PathBuf> {
    let p = root().join("../shared");
    if p.is_dir() { Some(p) } else { None }
}

pub fn skip(what: &str) {
    eprintln!("SKIPPED {what}: ../shared is absent (external judges not available)");
}

struct Sample {
    _dir: tempfile::TempDir,
    db: Database,
}

/// The sample release imported once per test run.
pub fn sample() -> &'static Database {
    static S: OnceLock<Sample> = OnceLock::new();
    &S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        sctx_db::import(dir.path(), &[sample_dir()], &ImportOptions::default()).unwrap();
        let db = Database::open(dir.path()).unwrap();
        Sample { _dir: dir, db }
    })
    .db
}

/// Writes a zip of `dir` (entries under `prefix/`), plus extra raw entries.
pub fn zip_dir(dir: &Path, prefix: &str, extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        fn walk(
            w: &mut zip::ZipWriter<&mut std::io::Cursor<Vec<u8>>>,
            base: &Path,
            dir: &Path,
            prefix: &str,
            opts: zip::write::SimpleFileOptions,
        ) {
            let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let p = e.path();
                if p.is_dir() {
                    walk(w, base, &p, prefix, opts);
                } else {
                    let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                    w.start_file(format!("{prefix}/{rel}"), opts).unwrap();
                    w.write_all(&std::fs::read(&p).unwrap()).unwrap();
                }
            }
        }
        walk(&mut w, dir, dir, prefix, opts);
        for (name, bytes) in extra {
            w.start_file(*name, opts).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}
