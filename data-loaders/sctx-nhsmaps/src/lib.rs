//! Readers of the NHS Data Migration pack (TRUD item 9: Read v2 and CTV3 → SNOMED CT maps)
//! and of the Read v2 (`Corev2.all`, `Keyv2.all`) and CTV3 (`V3/*.v3`) term files.
//!
//! [`load`] finds the files recursively in directories or zip archives (nested zips and
//! doubled folders included, `__MACOSX` skipped), recognises them by name
//! ([`FileKind::classify`]), and returns [`NhsTables`]: in-memory tables that
//! `sctx-translate` compiles into a database build.
//!
//! Rules implemented (see the project's `rf2-and-nhs-maps.md` §2):
//! - map files are TAB-separated with a header whose names are compared case-insensitively
//!   (`MapId` / `MAPID`, `IS_ASSURED` / `ISASSURED`, `CTV3_TERMTYPE` / `CTV3_TERMTYP`);
//! - MapIds lose their braces and are upper-cased; rows are versioned by MapId: the latest
//!   row at or before [`LoadOptions::as_of`] is taken **first**, and only then its
//!   `MapStatus` decides whether the map is active;
//! - `IS_ASSURED` is kept per map ([`SctMap::assured`]), `_DRUG` and `_NONE` targets are
//!   [`SctTarget::Drug`] / [`SctTarget::None`] ([`LegacyTarget`] for Read v2 ↔ CTV3);
//! - CRLF or LF; each line is decoded as UTF-8, or as Windows-1252 when it is not UTF-8;
//! - `Corev2.all` / `Keyv2.all` are comma-separated and quoted (read with the `csv` crate);
//!   CTV3 files are `|`-separated without a header;
//! - a malformed row is an [`NhsError`] naming the file, line, column and value (or, with
//!   [`LoadOptions::lenient`], a warning in [`NhsTables::warnings`]); input never panics.
//!
//! ```no_run
//! use sctx_nhsmaps::{load, LoadOptions};
//! let tables = load(&["release-files/sample".into()], &LoadOptions::default())?;
//! let asthma = tables.read_sct.iter().find(|m| m.code == "H33.." && m.term == "00").unwrap();
//! assert_eq!(asthma.assured, Some(true));
//! # Ok::<(), sctx_nhsmaps::NhsError>(())
//! ```

mod error;
mod parse;
mod source;
mod tables;
mod text;

use std::path::PathBuf;

pub use error::NhsError;
pub use parse::{normalize_map_id, parse_date};
pub use source::{FileKind, SourceFile, discover};
pub use tables::*;
pub use text::decode;

/// Options for [`load`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Take each MapId's latest row at or before this date (`yyyymmdd`); default: latest.
    pub as_of: Option<u32>,
    /// Record malformed rows as warnings instead of failing.
    pub lenient: bool,
}

/// Finds and reads every recognised file under `paths` (directories, zip archives or
/// single files). Fails with [`NhsError::NothingFound`] when none is recognised.
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<NhsTables, NhsError> {
    let mut files = Vec::new();
    for p in paths {
        files.extend(discover(p)?);
    }
    if files.is_empty() {
        return Err(NhsError::NothingFound(
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        ));
    }
    load_files(&files, opts)
}

/// Reads already discovered files.
pub fn load_files(files: &[SourceFile], opts: &LoadOptions) -> Result<NhsTables, NhsError> {
    let mut t = NhsTables::default();
    let mut warnings = Vec::new();
    let mut files_summary = Vec::new();
    {
        let mut sink = parse::Sink { lenient: opts.lenient, warnings: &mut warnings };
        let of = |k: FileKind| files.iter().filter(move |f| f.kind == k).collect::<Vec<_>>();
        let fs = &mut files_summary;
        t.read_sct =
            parse::sct_maps(&of(FileKind::ReadSct), FileKind::ReadSct, opts.as_of, &mut sink, fs)?;
        t.read_sct_nca = parse::sct_maps(
            &of(FileKind::ReadSctNca),
            FileKind::ReadSctNca,
            opts.as_of,
            &mut sink,
            fs,
        )?;
        t.ctv3_sct =
            parse::sct_maps(&of(FileKind::Ctv3Sct), FileKind::Ctv3Sct, opts.as_of, &mut sink, fs)?;
        t.read_ctv3 = parse::legacy_maps(
            &of(FileKind::ReadCtv3),
            FileKind::ReadCtv3,
            opts.as_of,
            &mut sink,
            fs,
        )?;
        t.ctv3_read = parse::legacy_maps(
            &of(FileKind::Ctv3Read),
            FileKind::Ctv3Read,
            opts.as_of,
            &mut sink,
            fs,
        )?;
        t.read_alternates = parse::alternates(
            &of(FileKind::ReadAlternates),
            FileKind::ReadAlternates,
            &mut sink,
            fs,
        )?;
        t.ctv3_alternates = parse::alternates(
            &of(FileKind::Ctv3Alternates),
            FileKind::Ctv3Alternates,
            &mut sink,
            fs,
        )?;
        let mut terms = of(FileKind::Corev2);
        terms.extend(of(FileKind::Keyv2));
        t.read_terms = parse::read_terms(&terms, &mut sink, fs)?;
        let mut v3 = of(FileKind::Ctv3Concept);
        v3.extend(of(FileKind::Ctv3Descrip));
        v3.extend(of(FileKind::Ctv3Terms));
        v3.extend(of(FileKind::Ctv3Hier));
        t.files = std::mem::take(fs);
        parse::ctv3_files(&v3, &mut t, &mut sink)?;
    }
    t.warnings = warnings;
    Ok(t)
}
