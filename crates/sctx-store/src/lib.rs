//! The compiled sctx database: a directory of memory-mapped rkyv archives and an fst map,
//! described by a versioned `manifest.json`.
//!
//! Main types:
//! - [`write_store`] compiles a loaded [`sctx_rf2::Release`] into a build directory;
//! - [`Staging`] builds in a temporary directory and renames into place;
//! - [`Store`] opens a build (validating each archive once), and answers concept, description,
//!   preferred-term, hierarchy, closure, attribute, refset, history and map questions by
//!   dense concept index (`u32`), with [`Store::index_of`] translating SCTIDs.
//!
//! ```no_run
//! use sctx_store::Store;
//! use sctx_types::LanguagePreference;
//! let store = Store::open("db".as_ref()).unwrap();
//! let dm = store.index_of(73211009).unwrap();
//! let t2 = store.index_of(44054006).unwrap();
//! assert!(store.subsumes(dm, t2));
//! println!("{:?}", store.preferred_term(t2, &LanguagePreference::en_gb()));
//! ```

mod build;
mod dbdir;
mod error;
pub mod format;
mod manifest;
mod mmap;
mod store;
#[cfg(test)]
mod tests;

pub use build::{BuildOptions, write_store, write_store_with};
pub use dbdir::{Staging, newest_build, resolve};
pub use error::StoreError;
pub use format::FORMAT_VERSION;
pub use manifest::{
    Counts, EditionInfo, FileInfo, Manifest, ModuleDependency, SourceInfo, now_rfc3339,
};
pub use store::{
    ConceptView, ConcreteView, CoreView, DescriptionView, FieldValue, MemberView, OpenOptions,
    RefsetInfo, RelView, Store, verify_build_files,
};
