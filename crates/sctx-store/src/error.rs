use std::path::{Path, PathBuf};

/// Errors building or opening a store. Every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No database at the path.
    #[error("{}: no sctx database here (no manifest.json, and no build-* directory)", path.display())]
    NotFound {
        /// The directory.
        path: PathBuf,
    },
    /// The manifest is unreadable.
    #[error("{}: invalid manifest: {reason}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The database was written by an incompatible version.
    #[error("{}: database format version {found}, this sctx reads version {expected}; re-import the release", path.display())]
    FormatVersion {
        /// The manifest file.
        path: PathBuf,
        /// Version in the manifest.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// A file's size or checksum differs from the manifest: truncated or corrupt.
    #[error("{}: {reason}; the database is damaged, re-import the release", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
    /// Archive serialization failed.
    #[error("{}: cannot serialize: {reason}", file.display())]
    Serialize {
        /// The file.
        file: PathBuf,
        /// Why.
        reason: String,
    },
    /// An fst map could not be built or read.
    #[error("{}: fst error: {reason}", path.display())]
    Fst {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The is-a graph has a cycle.
    #[error("the is-a hierarchy has a cycle through concept {concept}")]
    Cycle {
        /// A concept on the cycle.
        concept: u64,
    },
    /// Some array would exceed the store's 32-bit offsets.
    #[error("the release is too large for this store format ({0} exceeds 4 GiB)")]
    TooLarge(&'static str),
    /// A column has more distinct values than the store's small code for it can hold.
    #[error(
        "the release has more distinct {what} than this store format can code ({limit} at \
         most): {value} is one too many"
    )]
    TooMany {
        /// What overflowed (e.g. `description modules`).
        what: &'static str,
        /// The most distinct values the code can hold.
        limit: usize,
        /// The first value that did not fit (for a count, what was counted and how many).
        value: String,
    },
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io { path: path.to_path_buf(), source }
    }
    pub(crate) fn fst(path: &Path, e: impl std::fmt::Display) -> Self {
        StoreError::Fst { path: path.to_path_buf(), reason: e.to_string() }
    }
}
