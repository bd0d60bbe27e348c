//! The sctx public API: one [`Database`] over the compiled store (and, as they land, the
//! search index, ECL evaluator and translation tables), plus [`import`], which compiles
//! RF2 packages into a new build of a database directory.
//!
//! Main types: [`Database`], [`ImportOptions`], [`ConceptDetail`] (the JSON object of
//! `sctx lookup` and `GET /v1/concepts/{id}`), [`Subsumption`], [`DbError`].
//!
//! ```no_run
//! use sctx_db::{Database, ImportOptions, import};
//! use sctx_types::LanguagePreference;
//! let build = import("db".as_ref(), &["release-files/sample".into()], &ImportOptions::default()).unwrap();
//! let db = Database::open("db".as_ref()).unwrap();
//! let c = db.lookup("80146002", &LanguagePreference::en_gb()).unwrap();
//! assert_eq!(c.preferred_term.as_deref(), Some("Appendicectomy"));
//! ```

mod background;
mod detail;
mod ecl;
mod import;
mod legacy;
mod sample;
mod search;

use std::path::Path;

use sctx_store::Store;
use sctx_types::SctId;

pub use background::prefer_small_pages;
pub use detail::{
    AssociationRef, AttributeGroup, AttributeRef, ConceptDetail, ConceptRef, DescriptionDetail,
    Histories, RefsetMembership,
};
pub use ecl::{EclMemberRow, EclOptions, EclResult, StoreBackend, concrete_value};
pub use import::{ImportOptions, ImportReport, import};
pub use legacy::legacy_system;
pub use sample::{sample_db, sample_release_dir};
pub use sctx_store::{Manifest, StoreError};
pub use sctx_translate;
pub use search::{DescriptionSource, SearchHit, SearchOptions, SearchResult, build_search_index};

/// What an import builds beside the store (search index, legacy tables); bump it when
/// that changes so cached sample databases are rebuilt.
pub const BUILD_SCHEMA: u32 = 9;

/// Errors of the public API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// Reading RF2 input failed.
    #[error(transparent)]
    Rf2(#[from] sctx_rf2::Rf2Error),
    /// Building or opening the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A malformed identifier.
    #[error("invalid SNOMED CT identifier {input:?}: {reason}")]
    InvalidId {
        /// The input.
        input: String,
        /// Why.
        reason: String,
    },
    /// A valid identifier that is not in this database.
    #[error("concept {0} is not in this database")]
    UnknownConcept(u64),
    /// An ECL syntax error.
    #[error("{error}\n{rendered}")]
    EclSyntax {
        /// The parse error (line, column, expected).
        error: sctx_ecl::ParseError,
        /// The source line with a caret.
        rendered: String,
    },
    /// ECL evaluation failed (limits, unknown ids in strict mode).
    #[error("{0}")]
    EclEval(sctx_ecl::EvalError),
    /// A database file differs from its manifest (size or checksum).
    #[error("database integrity: {0}")]
    Integrity(String),
    /// Read v2 / CTV3 tables could not be loaded or compiled.
    #[error("legacy code tables: {0}")]
    Legacy(String),
    /// The search index failed.
    #[error("search index: {0}")]
    Search(String),
    /// Any other failure with a message.
    #[error("{0}")]
    Other(String),
}

/// The outcome of a subsumption test, as in FHIR `$subsumes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subsumption {
    /// A and B are the same concept.
    Equivalent,
    /// A subsumes B.
    Subsumes,
    /// A is subsumed by B.
    SubsumedBy,
    /// Neither.
    NotSubsumed,
}

/// An open database.
#[derive(Debug)]
pub struct Database {
    store: Store,
    active: std::sync::OnceLock<roaring::RoaringBitmap>,
    search: Option<sctx_search::SearchIndex>,
    /// Read v2 / CTV3 tables, decoded on a background thread from open.
    legacy: Background<Option<sctx_translate::LegacyTables>>,
    /// File checksums, verified on a background thread from open.
    checksums: Background<()>,
    /// Descendant-or-self bitmaps of large hierarchies used as search filters, most recent
    /// last (a search box is usually constrained to the same few hierarchies).
    is_a_cache: std::sync::Mutex<Vec<(u32, std::sync::Arc<roaring::RoaringBitmap>)>>,
    /// Concepts referenced by active members of each refset queried with `^` in ECL.
    refset_cache: ecl::RefsetCache,
}

/// The result of work started on a thread at open, waited for on first use. Dropping it
/// asks the work to stop (it checks between steps) and waits for the thread, so no work on
/// a database outlives it.
pub(crate) struct Background<T> {
    cell: std::sync::OnceLock<Result<T, String>>,
    handle: std::sync::Mutex<Option<std::thread::JoinHandle<Result<T, String>>>>,
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<T: Send + 'static> Background<T> {
    fn spawn(
        name: &str,
        f: impl FnOnce(std::sync::Arc<std::sync::atomic::AtomicBool>) -> Result<T, String>
        + Send
        + 'static,
    ) -> Self {
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let c = cancel.clone();
        // No thread to be had (resource exhaustion): `get` reports it.
        let handle = std::thread::Builder::new().name(name.to_string()).spawn(move || f(c)).ok();
        Background {
            cell: std::sync::OnceLock::new(),
            handle: std::sync::Mutex::new(handle),
            cancel,
        }
    }

    fn get(&self) -> &Result<T, String> {
        self.cell.get_or_init(|| {
            let h = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
            match h {
                Some(h) => h.join().unwrap_or_else(|_| Err("background task panicked".into())),
                None => Err("background task could not start".into()),
            }
        })
    }
}

impl<T> Drop for Background<T> {
    fn drop(&mut self) {
        self.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(h) = self.handle.get_mut().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = h.join();
        }
    }
}

impl<T> std::fmt::Debug for Background<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.cell.get().is_some() { "Background(done)" } else { "Background" })
    }
}

/// Parses a concept id from user input.
pub fn parse_id(s: &str) -> Result<u64, DbError> {
    SctId::parse(s.trim())
        .map(SctId::get)
        .map_err(|e| DbError::InvalidId { input: s.to_string(), reason: e.to_string() })
}

impl Database {
    /// Opens a database root (newest build) or a build directory.
    pub fn open(path: &Path) -> Result<Database, DbError> {
        // The store maps and validates its archives (rkyv) and the search index opens
        // concurrently; both are needed to answer. Two slower checks are not: the Read v2 /
        // CTV3 tables decode, and every file's checksum is verified, on background threads.
        // The first use of the legacy tables waits for them; [`Database::check`] waits for
        // both and reports what failed.
        let dir = sctx_store::resolve(path)?;
        let (store, search) = std::thread::scope(|scope| {
            let search = scope.spawn(|| {
                let search_dir = dir.join("search");
                if search_dir.is_dir() {
                    sctx_search::SearchIndex::open(&search_dir)
                        .map(Some)
                        .map_err(|e| DbError::Search(e.to_string()))
                } else {
                    Ok(None)
                }
            });
            let store = Store::open_with(&dir, sctx_store::OpenOptions { verify_checksums: false });
            (store, search.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        let (store, search) = (store?, search?);
        let legacy_dir = dir.clone();
        let legacy = Background::spawn("legacy-tables", move |_| {
            legacy::open(&legacy_dir).map_err(|e| e.to_string())
        });
        let check_dir = dir.clone();
        let check_search = search.clone();
        let checksums = Background::spawn("checksums", move |cancel| {
            let cancelled = || cancel.load(std::sync::atomic::Ordering::Relaxed);
            sctx_store::verify_build_files(&check_dir, &cancelled).map_err(|e| e.to_string())?;
            match check_search {
                Some(s) if !cancelled() => s.verify().map_err(|e| e.to_string()),
                _ => Ok(()),
            }
        });
        Ok(Database {
            store,
            active: std::sync::OnceLock::new(),
            search,
            legacy,
            checksums,
            is_a_cache: std::sync::Mutex::new(Vec::new()),
            refset_cache: Default::default(),
        })
    }

    /// Waits for the background work of [`Database::open`] and reports its first failure:
    /// a file whose checksum differs from the manifest, or legacy tables that do not load.
    /// A server checks before it reports ready; a one-shot command may skip it.
    pub fn check(&self) -> Result<(), DbError> {
        if let Err(e) = self.checksums.get() {
            return Err(DbError::Integrity(e.clone()));
        }
        self.legacy_loaded().map(|_| ())
    }

    /// The legacy tables once loaded (waiting for them), or why they failed.
    pub(crate) fn legacy_loaded(&self) -> Result<Option<&sctx_translate::LegacyTables>, DbError> {
        match self.legacy.get() {
            Ok(t) => Ok(t.as_ref()),
            Err(e) => Err(DbError::Legacy(e.clone())),
        }
    }

    /// The underlying store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The manifest of the open build.
    pub fn manifest(&self) -> &Manifest {
        self.store.manifest()
    }

    /// Resolves an id string to a dense concept index.
    pub fn concept_index(&self, id: &str) -> Result<u32, DbError> {
        let id = parse_id(id)?;
        self.store.index_of(id).ok_or(DbError::UnknownConcept(id))
    }

    /// A resolver of alternate identifiers (`scheme#code`) for ECL; set once the legacy
    /// code tables are loaded.
    #[allow(clippy::type_complexity)]
    pub(crate) fn alternate_identifier_fn(
        &self,
    ) -> Option<Box<dyn Fn(&str, &str) -> Option<Vec<u32>> + Sync + '_>> {
        self.legacy().as_ref()?;
        Some(Box::new(move |scheme: &str, code: &str| self.resolve_alternate(scheme, code)))
    }

    /// Subsumption between two concepts given as id strings.
    pub fn subsumes(&self, a: &str, b: &str) -> Result<Subsumption, DbError> {
        let (a, b) = (self.concept_index(a)?, self.concept_index(b)?);
        Ok(self.subsumes_idx(a, b))
    }

    /// Subsumption between two dense indices.
    pub fn subsumes_idx(&self, a: u32, b: u32) -> Subsumption {
        if a == b {
            Subsumption::Equivalent
        } else if self.store.subsumes(a, b) {
            Subsumption::Subsumes
        } else if self.store.subsumes(b, a) {
            Subsumption::SubsumedBy
        } else {
            Subsumption::NotSubsumed
        }
    }
}
