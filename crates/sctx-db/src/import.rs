//! Compiling packages into a new database build.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sctx_rf2::LoadOptions;
use sctx_store::{BuildOptions, Manifest, Staging, write_store_with};

use crate::DbError;

/// Progress callback: (stage, detail, done, total).
pub type ProgressFn<'a> = &'a (dyn Fn(&str, &str, u64, u64) + Sync);

/// Options for [`import`].
#[derive(Default)]
pub struct ImportOptions<'a> {
    /// Snapshot as of `YYYYMMDD` (uses Full files).
    pub as_of: Option<u32>,
    /// Override edition versions: (module, `YYYYMMDD`).
    pub edition_versions: Vec<(u64, u32)>,
    /// Recorded in the manifest.
    pub source_fingerprint: Option<String>,
    /// How many builds to keep in the database root (default 2).
    pub keep_builds: Option<usize>,
    /// Progress reporting.
    pub progress: Option<ProgressFn<'a>>,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The committed build directory.
    pub build: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Seconds spent loading RF2.
    pub load_seconds: f64,
    /// Seconds from the end of the load until the store's archives and the search index
    /// were both written (the index is built while the archives are written).
    pub store_seconds: f64,
    /// Seconds spent building the search index, from when the store's compiled
    /// descriptions were ready.
    pub search_seconds: f64,
}

/// Loads `packages` and compiles them into a new build under the database root `root`.
/// The build is written to a temporary directory and renamed into place only when
/// everything succeeded: an existing database is never touched by a failed import.
pub fn import(
    root: &Path,
    packages: &[PathBuf],
    opts: &ImportOptions<'_>,
) -> Result<ImportReport, DbError> {
    let t0 = Instant::now();
    let (rf2_paths, nhs_paths) = crate::legacy::classify(packages)?;
    let staging = Staging::new(root)?;
    let build_dir = staging.path();
    // The Read v2 / CTV3 maps and term files (when given) need only the build directory: they
    // compile from the start on another thread at the lowest priority, so that they take the
    // cores the other phases leave idle (the end of the load, the end of the store,
    // collecting the search documents) without slowing them. They took 1.5 s in series on
    // the International profile.
    let (legacy, built) = std::thread::scope(|scope| {
        let compile_legacy = || crate::legacy::compile(&nhs_paths, build_dir, opts.as_of);
        let worker =
            std::thread::Builder::new().name("sctx-legacy".into()).spawn_scoped(scope, move || {
                crate::background::lower_this_thread();
                compile_legacy()
            });
        let built = compile_release(&rf2_paths, build_dir, opts, t0);
        let legacy = match worker {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            // no thread available: compile here
            Err(_) => compile_legacy(),
        };
        (legacy, built)
    });
    let (mut manifest, search_stats, load_seconds, store_seconds, search_seconds) = built?;
    if let Some(counts) = legacy? {
        manifest.extra.insert(
            "legacy".to_string(),
            serde_json::to_value(&counts).unwrap_or(serde_json::Value::Null),
        );
    }
    let progress = opts.progress;
    manifest.extra.insert(
        "search".to_string(),
        serde_json::json!({
            "directory": "search",
            "descriptions": search_stats.descriptions,
            "segments": search_stats.segments,
            "bytes": crate::search::dir_size(&staging.path().join("search")),
            "buildSeconds": search_seconds,
        }),
    );
    manifest.write(staging.path())?;
    let build = staging.commit(opts.keep_builds.unwrap_or(2))?;
    if let Some(p) = progress {
        p("done", &build.display().to_string(), 1, 1);
    }
    Ok(ImportReport { build, manifest, load_seconds, store_seconds, search_seconds })
}

/// What [`compile_release`] built: the manifest so far, the index statistics, and the load,
/// store and index seconds.
type Built = (Manifest, sctx_search::IndexStats, f64, f64, f64);

/// Loads the RF2 packages and compiles the store and the search index into `build_dir`.
fn compile_release(
    rf2_paths: &[PathBuf],
    build_dir: &Path,
    opts: &ImportOptions<'_>,
    t0: Instant,
) -> Result<Built, DbError> {
    let progress = opts.progress;
    let file_cb = |name: &str, i: usize, n: usize| {
        if let Some(p) = progress {
            p("read", name, i as u64, n as u64);
        }
    };
    let release =
        sctx_rf2::load(rf2_paths, &LoadOptions { as_of: opts.as_of, progress: Some(&file_cb) })?;
    let load_seconds = t0.elapsed().as_secs_f64();
    if let Some(p) = progress {
        p("compile", "store and search index", 0, 1);
    }
    let t1 = Instant::now();
    // The search index needs only the core archive (descriptions, language): it is built
    // from the compiled core while the archives are still being compiled and written, which
    // keeps both cores busy where the store's last writes ran alone. The archives go around
    // the page cache and nothing here reads them back: they are validated when the build
    // is opened (the checksums in the manifest are those of the bytes written).
    // (the release is consumed: its largest tables are freed while the store is compiled)
    let search_dir = build_dir.join("search");
    let (manifest, (search, search_seconds)) = write_store_with(
        release,
        build_dir,
        &BuildOptions {
            as_of: opts.as_of,
            edition_versions: opts.edition_versions.clone(),
            source_fingerprint: opts.source_fingerprint.clone(),
        },
        |core| {
            let t2 = Instant::now();
            let built = crate::search::build_search_index(&core, &search_dir);
            (built, t2.elapsed().as_secs_f64())
        },
    )?;
    let store_seconds = t1.elapsed().as_secs_f64();
    let search = search?;
    Ok((manifest, search, load_seconds, store_seconds, search_seconds))
}
