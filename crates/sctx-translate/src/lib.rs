//! Read v2 / CTV3 ↔ SNOMED CT translation, map refsets (ICD-10) and batch migration.
//!
//! Three layers:
//! 1. **Compiled legacy tables** ([`compile`], [`open`], [`LegacyTables`]): the NHS Data
//!    Migration maps and the Read v2 / CTV3 term files (loaded by `sctx-nhsmaps`) written
//!    into `<build>/legacy/` of a database build: fst maps from the 5-byte code to a code
//!    index, a checksummed little-endian `tables.bin` (terms, hierarchy, map rows, reverse
//!    index) and `legacy.json` ([`LegacyCounts`]). Opening validates everything and reads the
//!    files into memory (no `unsafe`, no mmap).
//! 2. **The engine** ([`Translator`]) over a `sctx_store::Store` and optional legacy tables:
//!    - Read v2 / CTV3 → SNOMED CT ([`Translator::legacy_to_sct`]): exact term match first,
//!      then the code's preferred-term map (`00` / `P`), assured before unassured, the
//!      clinically assured pack before the Not Clinically Assured `rcsctmap_uk`; an inactive
//!      target is followed through SAME AS / REPLACED BY chains (cycle-safe) to
//!      `via-history`, POSSIBLY EQUIVALENT TO / ALTERNATIVE / several targets give
//!      `ambiguous` candidates, WAS A gives `broader`; `_DRUG` gives `drug`; optional walk up
//!      the legacy hierarchy (Read v2 from the code string, CTV3 from `V3hier.v3`) to the
//!      nearest mapped ancestor (`broader`). CTV3 codes without a Data Migration map fall
//!      back to the RF2 simple map refset 900000000000497000 reversed.
//!    - Read v2 ↔ CTV3 ([`Translator::legacy_to_legacy`]).
//!    - SNOMED CT → Read v2 / CTV3 ([`Translator::sct_to_legacy`]), marked `derived`
//!      (plus the RF2 CTV3 simple map for CTV3).
//!    - Map refsets ([`Translator::map_concept`], [`Translator::icd10`]): International ICD-10
//!      447562003 with groups, priorities and rules (`IFA` sex, age and sub-condition
//!      clauses, ` AND `, `OTHERWISE TRUE`; without context a conditional rule is unknown and
//!      falls through), the UK map 999002271000000101 with `mapBlock` alternatives, any
//!      map refset forward/reverse ([`Translator::map_members`], [`Translator::map_reverse`]),
//!      history for inactive concepts and an optional is-a walk to the nearest mapped
//!      ancestor.
//! 3. **Batch** ([`translate_batch`], [`translate_codes`], [`BatchOptions`], [`BatchReport`]):
//!    streaming CSV/TSV in and out, one output row per input row, bad rows kept as
//!    `invalid-code`, and a JSON report. Distinct codes are translated once and their
//!    rendered rows cached.
//!
//! Every result says how it was reached ([`Method`]: table, MapId, assured, term- or
//! code-level, derived, history steps, ancestor) and has a [`Status`] from the fixed
//! vocabulary `exact`, `via-history`, `ambiguous`, `unassured`, `drug`, `broader`,
//! `unmapped`, `invalid-code`. Result types are serde types with SCTIDs as strings
//! ([`Translation`], [`MapResult`], [`TranslateRequest`], [`TranslateResponse`]).
//!
//! # Wiring
//! - **Import**: after `sctx_store::write_store` into the staging build directory, call
//!   `sctx_nhsmaps::load(&nhs_paths, &LoadOptions::default())` and
//!   [`compile(&tables, staging_dir)`](compile) (before the build is committed).
//! - **Open**: `if sctx_translate::exists(build) { Some(sctx_translate::open(build)?) }`, kept
//!   next to the `Store`; per request `Translator::new(db.store(), legacy.as_ref())`.
//! - **HTTP**: `POST /v1/translate` with a [`TranslateRequest`] body →
//!   [`Translator::translate`] → [`TranslateResponse`]; `POST /v1/translate/batch` streams a
//!   CSV/TSV body through [`translate_batch`] (the report can go in a trailer or a second
//!   call).
//!
//! # CLI (intended behaviour of `sctx translate`)
//! ```text
//! sctx translate --db DIR --from readv2|ctv3|sct --to sct|readv2|ctv3|icd10
//!                [CODE...] [--input FILE] [--output FILE] [--column NAME|N]
//!                [--term-column NAME|N] [--broader] [--uk] [--sex female|male]
//!                [--age YEARS] [--report FILE] [--format csv|tsv]
//! ```
//! - Directions: readv2→sct, ctv3→sct, readv2→ctv3, ctv3→readv2, sct→readv2, sct→ctv3,
//!   sct→icd10; anything else exits 2 with [`TranslateError::Unsupported`].
//! - Input: the `CODE` arguments (one row each, [`translate_codes`]), else `--input FILE`,
//!   else standard input. Format from the extension (`.csv` CSV; `.tsv`/`.tab`/`.txt` TSV,
//!   [`Format::from_path`]), else sniffed from the first line (a TAB means TSV).
//! - `--column NAME` selects a header column (case-insensitive; the file then has a header);
//!   `--column N` is 1-based; default: the first column. A header is otherwise detected when
//!   the first row's code cell is not a valid code and names a code column (`read_code`,
//!   `conceptId`, ...). A term-code column is picked up from a header named `term_code`,
//!   `termcode`, `term_id`, `termid`, `ctv3_termid` or `v2_termid`, or `--term-column`.
//!   Read v2 codes may also carry their term code (`H33..00`); CTV3 codes their term id.
//! - Output (`--output FILE` or standard output; the input's format unless `--format`): a
//!   header then one row per input row, columns [`OUTPUT_COLUMNS`]: `source_code`,
//!   `term_code`, `source_term`, `target_concept`, `target_description`,
//!   `target_preferred_term`, `status`, `assured`, `notes`. Several candidates are joined
//!   with `|`, ICD-10 groups with ` + `.
//! - `--broader` enables the hierarchy fallback; `--uk` uses the UK ICD-10 map
//!   999002271000000101; `--sex`/`--age` fill [`MapContext`].
//! - `--report FILE` writes the [`BatchReport`] as JSON (counts per status, distinct
//!   unmapped codes, invalid rows with line numbers); without it a one-line summary goes to
//!   standard error. Exit status 0 even when rows are unmapped or invalid; 1 on I/O or
//!   database errors.
//!
//! ```no_run
//! use sctx_translate::{LegacySystem, Status, Translator};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = sctx_db::Database::open("db".as_ref())?;
//! let build = db.store().dir().to_path_buf();
//! let legacy = sctx_translate::open(&build)?;
//! let tr = Translator::new(db.store(), Some(&legacy));
//! let t = tr.legacy_to_sct(LegacySystem::ReadV2, "H33..", None, false);
//! assert_eq!(t.status, Status::Exact);
//! assert_eq!(t.targets[0].code, "195967001");
//! let icd = tr.icd10("195967001", &Default::default(), false);
//! assert_eq!(icd.codes(), vec!["J45.9"]);
//! # Ok(())
//! # }
//! ```

mod batch;
mod compiled;
mod engine;
mod error;
mod maps;
mod result;

pub use batch::*;
pub use compiled::*;
pub use engine::Translator;
pub use error::TranslateError;
pub use maps::{Clause, parse_rule};
pub use result::*;
