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

mod detail;
mod ecl;
mod import;
mod legacy;
mod sample;
mod search;

use std::path::Path;

use sctx_store::Store;
use sctx_types::SctId;

pub use detail::{
    AssociationRef, AttributeGroup, AttributeRef, ConceptDetail, ConceptRef, DescriptionDetail,
    Histories, RefsetMembership,
};
pub use ecl::{EclOptions, EclResult, StoreBackend, concrete_value};
pub use import::{ImportOptions, ImportReport, import};
pub use legacy::legacy_system;
pub use sample::{sample_db, sample_release_dir};
pub use sctx_store::{Manifest, StoreError};
pub use sctx_translate;
pub use search::{SearchHit, SearchOptions, SearchResult, build_search_index};

/// What an import builds beside the store (search index, legacy tables); bump it when
/// that changes so cached sample databases are rebuilt.
pub const BUILD_SCHEMA: u32 = 4;

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
    legacy: Option<sctx_translate::LegacyTables>,
    /// Descendant-or-self bitmaps of large hierarchies used as search filters, most recent
    /// last (a search box is usually constrained to the same few hierarchies).
    is_a_cache: std::sync::Mutex<Vec<(u32, std::sync::Arc<roaring::RoaringBitmap>)>>,
    /// Concepts referenced by active members of each refset queried with `^` in ECL.
    refset_cache: ecl::RefsetCache,
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
        // the store, the search index and the legacy tables open concurrently (each reads,
        // checks or validates its files)
        let dir = sctx_store::resolve(path)?;
        let (store, search, legacy) = std::thread::scope(|scope| {
            let legacy = scope.spawn(|| legacy::open(&dir));
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
            let store = Store::open(&dir);
            let search = search.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            let legacy = legacy.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (store, search, legacy)
        });
        let (store, search, legacy) = (store?, search?, legacy?);
        Ok(Database {
            store,
            active: std::sync::OnceLock::new(),
            search,
            legacy,
            is_a_cache: std::sync::Mutex::new(Vec::new()),
            refset_cache: Default::default(),
        })
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
        self.legacy.as_ref()?;
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
