//! Building an index during import.

use std::path::{Path, PathBuf};

use tantivy::{Index, IndexWriter, TantivyDocument};

use crate::analysis::index_text;
use crate::error::Context;
use crate::schema::{
    FLAG_ACTIVE, FLAG_CONCEPT_ACTIVE, Fields, build_schema, index_settings, register_tokenizers,
};
use crate::{DEFINITION_TYPE, FSN_TYPE, SearchDoc, SearchError};

/// Smallest heap handed to one tantivy indexing thread.
const MIN_HEAP_PER_THREAD: usize = 32_000_000;
/// Heap per indexing thread above which another thread is used.
const HEAP_PER_THREAD: usize = 128_000_000;

/// Summary of a finished index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStats {
    /// Number of indexed descriptions.
    pub descriptions: u64,
    /// Number of segments after the final merge (1 unless the index is empty).
    pub segments: usize,
}

/// Writes a new search index into a directory.
///
/// Add every description (active and inactive) with [`IndexBuilder::add`], in any order, then
/// call [`IndexBuilder::finish`]: it commits once and merges everything into one segment, with
/// documents sorted by a static rank (active first, then preferred/acceptable/FSN/other, then
/// term length).
pub struct IndexBuilder {
    dir: PathBuf,
    index: Index,
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
    added: u64,
}

impl std::fmt::Debug for IndexBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexBuilder")
            .field("dir", &self.dir)
            .field("added", &self.added)
            .finish_non_exhaustive()
    }
}

/// The static rank a document is sorted by (lower first).
///
/// Layout: bit 48 = not (description and concept active); bits 46–47 = static preference
/// (0 preferred synonym in any language refset, 1 acceptable synonym, 2 FSN, 3 other);
/// bits 32–45 = term length in characters (saturating); bits 0–31 = concept index.
pub(crate) fn static_rank(doc: &SearchDoc, len_chars: u64) -> u64 {
    let inactive = u64::from(!(doc.active && doc.concept_active));
    let pref = if doc.type_id == FSN_TYPE {
        2
    } else if doc.type_id == DEFINITION_TYPE {
        3
    } else if !doc.preferred_in.is_empty() {
        0
    } else if !doc.acceptable_in.is_empty() {
        1
    } else {
        3
    };
    (inactive << 48) | (pref << 46) | (len_chars.min(0x3FFF) << 32) | u64::from(doc.concept_index)
}

impl IndexBuilder {
    /// Creates an empty index in `dir` (created if missing; it must not already hold an
    /// index). `heap_bytes` is the indexing memory budget shared by the indexing threads
    /// (at least 32 MB is used).
    pub fn create(dir: &Path, heap_bytes: usize) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).ctx(dir, "creating the index directory")?;
        let index = Index::builder()
            .schema(build_schema())
            .settings(index_settings())
            .create_in_dir(dir)
            .ctx(dir, "creating the index")?;
        register_tokenizers(&index);
        let fields = Fields::resolve(&index.schema(), dir)?;
        let heap = heap_bytes.max(MIN_HEAP_PER_THREAD);
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let threads = (heap / HEAP_PER_THREAD).clamp(1, cpus.min(8));
        let writer =
            index.writer_with_num_threads(threads, heap).ctx(dir, "creating the index writer")?;
        Ok(Self { dir: dir.to_path_buf(), index, writer, fields, added: 0 })
    }

    /// Adds one description.
    pub fn add(&mut self, doc: &SearchDoc) -> Result<(), SearchError> {
        let f = &self.fields;
        let text = index_text(&doc.term);
        let len = doc.term.chars().count() as u64;
        let mut d = TantivyDocument::default();
        d.add_text(f.words, &text.words);
        d.add_text(f.prefix, &text.prefixes);
        d.add_text(f.first, &text.first);
        d.add_text(f.exact, &text.exact);
        // "MI - Myocardial infarction": typing just the acronym is an exact match
        if let Some(acronym) = leading_acronym(&doc.term) {
            d.add_text(f.exact, &index_text(acronym).exact);
        }
        d.add_text(f.lang, doc.language_code.to_ascii_lowercase());
        d.add_text(f.term, &doc.term);
        d.add_u64(f.concept_id, doc.concept_id);
        d.add_u64(f.description_id, doc.description_id);
        d.add_u64(f.concept_index, u64::from(doc.concept_index));
        d.add_u64(f.type_id, doc.type_id);
        let mut flags = 0;
        if doc.active {
            flags |= FLAG_ACTIVE;
        }
        if doc.concept_active {
            flags |= FLAG_CONCEPT_ACTIVE;
        }
        d.add_u64(f.flags, flags);
        d.add_u64(f.len, len);
        for &r in &doc.preferred_in {
            d.add_u64(f.preferred_in, r);
        }
        for &r in &doc.acceptable_in {
            d.add_u64(f.acceptable_in, r);
        }
        d.add_u64(f.rank, static_rank(doc, len));
        self.writer.add_document(d).ctx(&self.dir, "adding a description")?;
        self.added += 1;
        Ok(())
    }

    /// Commits once, merges all segments into one and waits for the merge to finish.
    pub fn finish(mut self) -> Result<IndexStats, SearchError> {
        let dir = self.dir;
        self.writer.commit().ctx(&dir, "committing")?;
        let ids = self.index.searchable_segment_ids().ctx(&dir, "listing segments")?;
        if ids.len() > 1 {
            self.writer.merge(&ids).wait().ctx(&dir, "merging segments")?;
        }
        self.writer.wait_merging_threads().ctx(&dir, "waiting for merges")?;
        let segments = self.index.searchable_segment_ids().ctx(&dir, "listing segments")?.len();
        Ok(IndexStats { descriptions: self.added, segments })
    }
}

/// The acronym of a term written `ACRONYM - expansion` (UK synonyms such as
/// "MI - Myocardial infarction", "T2DM - Type 2 diabetes mellitus"): upper-case letters and
/// digits, at most 10 characters, at least one letter.
fn leading_acronym(term: &str) -> Option<&str> {
    let (head, rest) = term.split_once(" - ")?;
    let ok = !head.is_empty()
        && !rest.trim().is_empty()
        && head.chars().count() <= 10
        && head.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && head.chars().any(|c| c.is_ascii_uppercase());
    ok.then_some(head)
}

#[cfg(test)]
mod acronym_tests {
    use super::leading_acronym;

    #[test]
    fn acronyms() {
        assert_eq!(leading_acronym("MI - Myocardial infarction"), Some("MI"));
        assert_eq!(leading_acronym("T2DM - Type 2 diabetes mellitus"), Some("T2DM"));
        assert_eq!(leading_acronym("Excision - action"), None);
        assert_eq!(leading_acronym("Myocardial infarction"), None);
        assert_eq!(leading_acronym("2 - two"), None);
    }
}
