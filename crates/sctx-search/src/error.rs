//! The crate's error type.

use std::path::PathBuf;

/// Errors from building, opening or querying a search index.
///
/// Every variant names the index directory and the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A tantivy operation failed.
    #[error("search index {}: {what}: {source}", dir.display())]
    Tantivy {
        /// The index directory.
        dir: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// A filesystem operation failed.
    #[error("search index {}: {what}: {source}", dir.display())]
    Io {
        /// The index directory.
        dir: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The directory holds an index that was not built by this crate (or by an incompatible
    /// version of it).
    #[error("search index {}: incompatible index: {detail}", dir.display())]
    Incompatible {
        /// The index directory.
        dir: PathBuf,
        /// What is missing or different.
        detail: String,
    },
    /// A file of the index is damaged (truncated, wrong checksum, inconsistent with the
    /// segments).
    #[error("search index file {}: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

/// Attaches the directory and a step description to tantivy results.
pub(crate) trait Context<T> {
    fn ctx(self, dir: &std::path::Path, what: &'static str) -> Result<T, SearchError>;
}

impl<T> Context<T> for Result<T, tantivy::TantivyError> {
    fn ctx(self, dir: &std::path::Path, what: &'static str) -> Result<T, SearchError> {
        self.map_err(|source| SearchError::Tantivy { dir: dir.to_path_buf(), what, source })
    }
}

impl<T> Context<T> for Result<T, std::io::Error> {
    fn ctx(self, dir: &std::path::Path, what: &'static str) -> Result<T, SearchError> {
        self.map_err(|source| SearchError::Io { dir: dir.to_path_buf(), what, source })
    }
}
