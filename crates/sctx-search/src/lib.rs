//! Clinical autocomplete search over SNOMED CT descriptions, built on tantivy.
//!
//! A clinician types three or four letters and expects the right concept at the top. This
//! crate owns the description index that answers that: it is written once during import
//! ([`IndexBuilder`]) into a subdirectory of the sctx database directory and opened read-only
//! with it ([`SearchIndex`]). It knows nothing about the compiled store: concepts are
//! identified by their dense `concept_index` (position in the store) and their SCTID, and a
//! [`Hit`] carries the matched description's term; the caller adds the preferred term.
//!
//! # Matching
//!
//! - **Autocomplete**: every query token must match the start of some word of the term, in
//!   any order ("inf myo" finds "Myocardial infarction"). Case, accents and punctuation are
//!   folded ("Sjogren" finds "Sjögren's syndrome"); hyphens and slashes split words; an
//!   apostrophe joins ("crohns") and, on the index side, also splits ("crohn"). Abbreviations
//!   work through the descriptions that carry them ("MI", "COPD").
//! - **Typos**: [`Fuzzy::On`] also accepts words within edit distance 1 (tokens of 4–7
//!   letters) or 2 (8+ letters) of a token, as prefixes; shorter tokens stay exact.
//!   [`Fuzzy::Auto`] (the default) retries that way only when the exact search finds nothing,
//!   and as a last resort with distance 2 from 6 letters ("alzimer" finds "Alzheimer's
//!   disease").
//! - **Codes**: a query that looks like an SCTID returns that concept when it is indexed.
//! - **Filters**: active descriptions of active concepts only (unless `include_inactive`), a
//!   concept bitmap (is-a / refset / ECL results computed by the caller), description types
//!   and language codes.
//!
//! # Ranking
//!
//! Deterministic, lexicographic: a term equal to the query first; then terms whose tokens all
//! match as exact prefixes (above fuzzy matches); more whole-word matches above partial
//! prefixes; a match on the term's first word above later-word matches; the preferred synonym
//! in the requested language refsets (in their order) above acceptable synonyms, above the
//! FSN, above anything else; shorter terms; then concept id and description id. By default one
//! hit per concept: its best-ranked description.
//!
//! # Design
//!
//! One document per description, sorted by a static rank so that posting lists are visited
//! best-first: the builder sorts the documents and writes them in that order, a large index as
//! two segments (the two halves, indexed in parallel, read as one list by queries) rather than
//! one merged segment. Words are normalised in Rust (module `analysis`) and indexed as long
//! whole first words (the tantivy field `first`), and as whole words and edge n-grams of up
//! to 5 characters of every word and of the first word in prefix postings beside the
//! segments (module `prefixes`: short prefix queries read one list; longer prefixes and
//! typos read the union of the whole words that start with them or are close to them). Exact terms and concept ids are looked up in key tables beside
//! the segments (module `keys`: hashes of the normalised terms, doc ids sorted by concept
//! id) rather than indexed as 2.1M unique tantivy terms.
//! Ids, flags, lengths, language codes and acceptability are document values beside the
//! segments too (module `docs`: plain arrays by doc id, written in one pass, where tantivy's
//! fast fields cost 2.5 CPU-seconds of the International build). A query collects a
//! bounded number of candidates from a few cheap passes, then re-ranks them in Rust (see
//! [`SearchIndex::search`]).
//!
//! # Example
//!
//! ```
//! use sctx_search::{IndexBuilder, SearchDoc, SearchIndex, SearchQuery, SYNONYM_TYPE};
//!
//! # fn main() -> Result<(), sctx_search::SearchError> {
//! # let tmp = tempfile::tempdir().unwrap();
//! let dir = tmp.path().join("search");
//! let mut builder = IndexBuilder::create(&dir, 50_000_000)?;
//! builder.add(&SearchDoc {
//!     description_id: 37436014,
//!     concept_id: 22298006,
//!     concept_index: 0,
//!     term: "Heart attack".into(),
//!     type_id: SYNONYM_TYPE,
//!     language_code: "en".into(),
//!     active: true,
//!     concept_active: true,
//!     preferred_in: vec![],
//!     acceptable_in: vec![900000000000508004, 900000000000509007],
//! })?;
//! builder.finish()?;
//!
//! let index = SearchIndex::open(&dir)?;
//! let hits = index.search(&SearchQuery::new("hear att"))?;
//! assert_eq!(hits[0].concept_id, 22298006);
//! assert_eq!(hits[0].term, "Heart attack");
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

use std::borrow::Cow;

mod analysis;
mod build;
mod docs;
mod error;
mod keys;
mod prefixes;
mod schema;
mod search;

pub use build::{IndexBuilder, IndexStats};
pub use error::SearchError;
pub use search::SearchIndex;

/// Description type: fully specified name.
pub const FSN_TYPE: u64 = 900_000_000_000_003_001;
/// Description type: synonym.
pub const SYNONYM_TYPE: u64 = 900_000_000_000_013_009;
/// Description type: text definition.
pub const DEFINITION_TYPE: u64 = 900_000_000_000_550_004;

/// Language refsets for en-GB, in preference order: UK clinical, then GB English.
pub const EN_GB_REFSETS: &[u64] = &[999_001_261_000_000_100, 900_000_000_000_508_004];
/// Language refsets for en-US: US English.
pub const EN_US_REFSETS: &[u64] = &[900_000_000_000_509_007];

/// One description to index (active and inactive ones are both indexed). The term and
/// language code may borrow from the caller's store (an import indexes 1.6M descriptions
/// without copying their terms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc<'a> {
    /// Description SCTID.
    pub description_id: u64,
    /// Concept SCTID.
    pub concept_id: u64,
    /// Dense concept index (position in the compiled store).
    pub concept_index: u32,
    /// The description term.
    pub term: Cow<'a, str>,
    /// Description type ([`FSN_TYPE`], [`SYNONYM_TYPE`], [`DEFINITION_TYPE`]).
    pub type_id: u64,
    /// Language code, e.g. "en".
    pub language_code: Cow<'a, str>,
    /// Whether the description is active.
    pub active: bool,
    /// Whether its concept is active.
    pub concept_active: bool,
    /// Language refsets in which this description is preferred.
    pub preferred_in: Vec<u64>,
    /// Language refsets in which this description is acceptable.
    pub acceptable_in: Vec<u64>,
}

/// Typo tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fuzzy {
    /// Exact prefixes only.
    Off,
    /// Retry fuzzily only when the exact search finds nothing (the default).
    #[default]
    Auto,
    /// Always accept fuzzy matches too (ranked below exact-prefix matches).
    On,
}

/// A search request. Build one with [`SearchQuery::new`] and adjust the public fields.
#[derive(Debug, Clone, Copy)]
pub struct SearchQuery<'a> {
    /// What the user typed.
    pub text: &'a str,
    /// Maximum number of hits.
    pub limit: usize,
    /// Number of leading hits to skip (paging).
    pub offset: usize,
    /// Language refsets in preference order, e.g. [`EN_GB_REFSETS`] or [`EN_US_REFSETS`].
    pub language_refsets: &'a [u64],
    /// Typo tolerance.
    pub fuzzy: Fuzzy,
    /// Include inactive descriptions and descriptions of inactive concepts.
    pub include_inactive: bool,
    /// Allowed `concept_index` values, when set.
    pub concept_filter: Option<&'a roaring::RoaringBitmap>,
    /// Allowed description types, when set.
    pub type_ids: Option<&'a [u64]>,
    /// Allowed language codes (case-insensitive), when set.
    pub language_codes: Option<&'a [String]>,
    /// Return only the best description of each concept (default `true`).
    pub one_per_concept: bool,
}

impl<'a> SearchQuery<'a> {
    /// A query for `text` with the defaults: 10 hits, no offset, en-GB language refsets,
    /// [`Fuzzy::Auto`], active only, no filters, one hit per concept.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            limit: 10,
            offset: 0,
            language_refsets: EN_GB_REFSETS,
            fuzzy: Fuzzy::Auto,
            include_inactive: false,
            concept_filter: None,
            type_ids: None,
            language_codes: None,
            one_per_concept: true,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Concept SCTID.
    pub concept_id: u64,
    /// Dense concept index.
    pub concept_index: u32,
    /// SCTID of the matched description.
    pub description_id: u64,
    /// Term of the matched description (empty when the index was built without stored
    /// terms, see [`IndexBuilder::store_terms`]).
    pub term: String,
    /// Descriptive relevance score; never increases along a result list.
    pub score: f32,
}

#[cfg(test)]
mod tests;
