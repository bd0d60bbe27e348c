//! Errors of the NHS pack readers.

use std::path::PathBuf;

/// Why loading a pack failed. Every variant names the file; row errors also name the
/// line (1-based), the column and the offending value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NhsError {
    /// Reading a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A zip archive could not be read.
    #[error("{path}: zip: {reason}")]
    Zip {
        /// The archive (and entry, if any).
        path: String,
        /// The zip error.
        reason: String,
    },
    /// A file lacks a required column.
    #[error("{file}: missing column {column:?} in header {header:?}")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column that is required.
        column: String,
        /// The header as read.
        header: String,
    },
    /// A malformed value in a row.
    #[error("{file}:{line}: column {column:?}: {reason}: {value:?}")]
    BadValue {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The column name (or number for files without a header).
        column: String,
        /// The value as read.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A row with fewer fields than the header or format needs.
    #[error("{file}:{line}: expected at least {expected} fields, found {found}")]
    ShortRow {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// Fields needed.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A comma-separated file that the CSV reader rejected.
    #[error("{file}:{line}: CSV: {reason}")]
    Csv {
        /// The file.
        file: String,
        /// 1-based line number (0 if unknown).
        line: usize,
        /// The reader's message.
        reason: String,
    },
    /// Nothing usable was found at the given paths.
    #[error("no NHS Data Migration, Read v2 or CTV3 files found in {0}")]
    NothingFound(String),
}
