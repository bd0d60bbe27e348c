use std::fmt;

/// What went wrong while reading a release.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Rf2ErrorKind {
    /// The file could not be read.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A zip archive could not be opened or read.
    #[error("unreadable zip archive: {0}")]
    Zip(String),
    /// The path does not exist or is neither a directory nor a zip file.
    #[error("not a directory or .zip file")]
    NotAPackage,
    /// No RF2 files were found in a package.
    #[error("no RF2 release files found")]
    NoRf2Files,
    /// A required column is missing from the header.
    #[error("missing required column")]
    MissingColumn,
    /// A row has a different number of fields than the header.
    #[error("row has {found} fields, the header has {expected}")]
    FieldCount {
        /// Header width.
        expected: usize,
        /// Row width.
        found: usize,
    },
    /// An SCTID failed validation.
    #[error("{0}")]
    SctId(#[from] sctx_types::SctIdError),
    /// A value is not a UUID.
    #[error("not a UUID")]
    Uuid,
    /// A value is not 0 or 1.
    #[error("not a boolean (0 or 1)")]
    Boolean,
    /// A value is not a YYYYMMDD date.
    #[error("not a date of the form YYYYMMDD")]
    Date,
    /// A value is not a signed 32-bit integer.
    #[error("not an integer")]
    Integer,
    /// The file is not valid UTF-8.
    #[error("invalid UTF-8")]
    Utf8,
    /// More rows, refset fields or language codes than the loader can address (4G rows of
    /// one kind, 4G refset fields, 65,536 language codes).
    #[error("too many {0} in one load")]
    TooLarge(&'static str),
}

/// An error reading RF2 input, naming the file, line, column and value at fault.
#[derive(Debug)]
pub struct Rf2Error {
    /// The file (for zip members: `archive.zip!/inner/path`).
    pub file: String,
    /// 1-based line number, when the error is in a row.
    pub line: Option<u64>,
    /// Column name, when the error is in a field.
    pub column: Option<String>,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What was wrong.
    pub kind: Rf2ErrorKind,
}

impl Rf2Error {
    pub(crate) fn file(file: impl Into<String>, kind: impl Into<Rf2ErrorKind>) -> Self {
        Rf2Error { file: file.into(), line: None, column: None, value: None, kind: kind.into() }
    }
}

impl fmt::Display for Rf2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column {c}")?;
        }
        if let Some(v) = &self.value {
            let shown: String = v.chars().take(80).collect();
            write!(f, ": value {shown:?}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for Rf2Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}
