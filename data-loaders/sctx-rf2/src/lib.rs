//! Streaming reader of SNOMED CT RF2 release packages.
//!
//! A package is a directory or a `.zip` (zips nested in zips too, as in the UK Clinical
//! package). Files are found recursively by their RF2 name ([`filename::parse`]), columns
//! are read by header name, and rows are streamed into a layered snapshot ([`Release`]):
//! per component id, the row with the latest effective time wins, across Full files
//! (turned into a snapshot, optionally as of a date) and several packages (International
//! plus extensions). Every refset is kept, typed extra columns included ([`Member`],
//! [`RefsetLayout`]).
//!
//! Bad input gives an [`Rf2Error`] naming the file, line, column and value.
//!
//! ```no_run
//! use sctx_rf2::{load, LoadOptions};
//! let release = load(&["release-files/sample".into()], &LoadOptions::default()).unwrap();
//! println!("{} concepts", release.concepts.len());
//! for e in release.editions() {
//!     println!("{}", e.uri());
//! }
//! ```

mod error;
pub mod filename;
mod load;
mod package;
mod reader;
mod records;
mod table;

pub use error::{Rf2Error, Rf2ErrorKind};
pub use filename::{FileKind, FileName, ReleaseType};
pub use load::{Edition, LoadOptions, LoadStats, PackageInfo, Release, load};
pub use package::{Location, SourceFile, discover};
pub use reader::{Row, read_rows};
pub use records::{
    Concept, ConcreteValue, Description, Field, Member, RefsetLayout, Relationship, format_uuid,
    parse_uuid,
};
pub use table::{Fields, Iter, Table, TableRow};
