//! The tantivy schema, its field handles and the tokenizer registration.

use std::path::Path;

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexSettings, IndexSortByField, Order};

use crate::SearchError;

/// Tokenizer for the pre-normalised token fields: tokens are already folded and separated by
/// single spaces (see [`crate::analysis`]). Tokenizers are not persisted by tantivy, so this is
/// registered on every create and open.
pub(crate) const WS_TOKENIZER: &str = "sctx_ws";
/// Tokenizer for single-token fields (exact key, language code).
pub(crate) const RAW_TOKENIZER: &str = "sctx_raw";

/// Field names.
pub(crate) mod names {
    pub(crate) const WORDS: &str = "words";
    pub(crate) const PREFIX: &str = "prefix";
    pub(crate) const FIRST: &str = "first";
    pub(crate) const EXACT: &str = "exact";
    pub(crate) const LANG: &str = "lang";
    pub(crate) const TERM: &str = "term";
    pub(crate) const CONCEPT_ID: &str = "concept_id";
    pub(crate) const DESCRIPTION_ID: &str = "description_id";
    pub(crate) const CONCEPT_INDEX: &str = "concept_index";
    pub(crate) const TYPE_ID: &str = "type_id";
    pub(crate) const FLAGS: &str = "flags";
    pub(crate) const LEN: &str = "len";
    pub(crate) const PREFERRED_IN: &str = "preferred_in";
    pub(crate) const ACCEPTABLE_IN: &str = "acceptable_in";
    pub(crate) const RANK: &str = "rank";
}

/// `flags` bit: the description is active.
pub(crate) const FLAG_ACTIVE: u64 = 1;
/// `flags` bit: the concept is active.
pub(crate) const FLAG_CONCEPT_ACTIVE: u64 = 2;

/// Handles of every field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// The whole-word field of indexes without whole words in the prefix postings
    /// (`prefixes.rs`): older indexes and the fallback build.
    pub(crate) words: Option<Field>,
    /// The edge n-gram field of indexes without prefix postings (`prefixes.rs`).
    pub(crate) prefix: Option<Field>,
    pub(crate) first: Field,
    /// The exact-term field of indexes built before the key tables (`keys.rs`).
    pub(crate) exact: Option<Field>,
    /// The language-code field of indexes without document values (`docs.rs`).
    pub(crate) lang: Option<Field>,
    pub(crate) term: Field,
    /// The fast fields of indexes without document values (`docs.rs`): older indexes and
    /// the fallback build.
    pub(crate) fast: Option<FastFields>,
}

/// Handles of the per-document fast fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastFields {
    pub(crate) concept_id: Field,
    pub(crate) description_id: Field,
    pub(crate) concept_index: Field,
    pub(crate) type_id: Field,
    pub(crate) flags: Field,
    pub(crate) len: Field,
    pub(crate) preferred_in: Field,
    pub(crate) acceptable_in: Field,
    pub(crate) rank: Field,
}

fn token_field(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::Basic),
    )
}

/// Builds the schema. `fallback`: whether this is the fallback build, sorted by tantivy,
/// whose edge n-grams of every word are a tantivy field rather than prefix postings beside
/// the index (`prefixes.rs`), whose whole words are a tantivy field likewise, and which keeps
/// the per-document values as fast fields (tantivy sorts by the `rank` field; the document
/// values, `docs.rs`, are then read back from the `description_id` field). Without the
/// `prefix` and `words` fields, an older sctx refuses the index ("field `words` is missing")
/// instead of answering from empty fields; without the fast fields, it refuses it naming
/// `concept_id`.
/// `words_field`: whether whole words are a tantivy field even though it is not the fallback
/// build (the layout of indexes from before they joined the prefix postings; tests).
pub(crate) fn build_schema(fallback: bool, words_field: bool) -> Schema {
    let prefix_field = fallback;
    use names::*;
    let mut b = Schema::builder();
    if fallback || words_field {
        b.add_text_field(WORDS, token_field(WS_TOKENIZER));
    }
    if prefix_field {
        b.add_text_field(PREFIX, token_field(WS_TOKENIZER));
    }
    b.add_text_field(FIRST, token_field(WS_TOKENIZER));
    if fallback {
        b.add_text_field(LANG, token_field(RAW_TOKENIZER));
    }
    b.add_text_field(TERM, STORED);
    // exact terms and concept ids are looked up in the key tables (`keys.rs`), not indexed
    if !fallback {
        return b.build();
    }
    b.add_u64_field(CONCEPT_ID, FAST);
    b.add_u64_field(DESCRIPTION_ID, FAST);
    b.add_u64_field(CONCEPT_INDEX, FAST);
    b.add_u64_field(TYPE_ID, FAST);
    b.add_u64_field(FLAGS, FAST);
    b.add_u64_field(LEN, FAST);
    b.add_u64_field(PREFERRED_IN, FAST);
    b.add_u64_field(ACCEPTABLE_IN, FAST);
    b.add_u64_field(RANK, FAST);
    b.build()
}

/// Index settings: documents are kept sorted by the static `rank` so that iterating a posting
/// list in doc-id order visits active, preferred, short terms first; small doc-store blocks
/// keep the per-hit term fetch cheap.
pub(crate) fn index_settings() -> IndexSettings {
    IndexSettings {
        sort_by_field: Some(IndexSortByField { field: names::RANK.to_owned(), order: Order::Asc }),
        docstore_blocksize: 4096,
        ..IndexSettings::default()
    }
}

impl Fields {
    /// Looks every field up in `schema`.
    pub(crate) fn resolve(schema: &Schema, dir: &Path) -> Result<Self, SearchError> {
        let get = |name: &str| {
            schema.get_field(name).map_err(|_| SearchError::Incompatible {
                dir: dir.to_path_buf(),
                detail: format!("field `{name}` is missing from the schema"),
            })
        };
        use names::*;
        Ok(Self {
            words: schema.get_field(WORDS).ok(),
            prefix: schema.get_field(PREFIX).ok(),
            first: get(FIRST)?,
            exact: schema.get_field(EXACT).ok(),
            lang: schema.get_field(LANG).ok(),
            term: get(TERM)?,
            fast: match schema.get_field(CONCEPT_ID) {
                Ok(concept_id) => Some(FastFields {
                    concept_id,
                    description_id: get(DESCRIPTION_ID)?,
                    concept_index: get(CONCEPT_INDEX)?,
                    type_id: get(TYPE_ID)?,
                    flags: get(FLAGS)?,
                    len: get(LEN)?,
                    preferred_in: get(PREFERRED_IN)?,
                    acceptable_in: get(ACCEPTABLE_IN)?,
                    rank: get(RANK)?,
                }),
                Err(_) => None,
            },
        })
    }
}

/// Registers the crate's tokenizers on `index`.
pub(crate) fn register_tokenizers(index: &Index) {
    index.tokenizers().register(WS_TOKENIZER, TextAnalyzer::from(WhitespaceTokenizer::default()));
    index
        .tokenizers()
        .register(RAW_TOKENIZER, TextAnalyzer::from(tantivy::tokenizer::RawTokenizer::default()));
}
