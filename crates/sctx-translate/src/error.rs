//! Errors of the translation crate.

use std::path::PathBuf;

/// Why compiling, opening or running a batch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TranslateError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A compiled table is damaged or from another format version.
    #[error("{path}: corrupt legacy table: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Building an fst failed.
    #[error("fst: {0}")]
    Fst(String),
    /// Batch input or output failed.
    #[error("batch: {0}")]
    Batch(String),
    /// The requested column is not in the input.
    #[error("column {0:?} not found in the input header")]
    NoSuchColumn(String),
    /// A direction the engine does not support.
    #[error("cannot translate from {from} to {to}")]
    Unsupported {
        /// Source system.
        from: String,
        /// Target system.
        to: String,
    },
    /// Legacy tables are needed but none were compiled into this database.
    #[error("this database has no Read v2 / CTV3 tables (import the NHS Data Migration pack)")]
    NoLegacyTables,
    /// A system name that is not known.
    #[error("unknown code system {0:?} (expected readv2, ctv3, sct or icd10)")]
    UnknownSystem(String),
}

impl TranslateError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> TranslateError {
        let path = path.into();
        move |source| TranslateError::Io { path, source }
    }
}
