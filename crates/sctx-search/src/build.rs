//! Building an index during import.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tantivy::index::SegmentId;
use tantivy::indexer::{NoMergePolicy, UserOperation};
use tantivy::{DocId, Index, IndexSettings, IndexWriter, TantivyDocument};

use crate::analysis::{Analyser, exact_key, query_tokens};
use crate::docs::{self, DOCS_PAYLOAD};
use crate::error::Context;
use crate::keys::{self, KEYS_PAYLOAD, SegmentKeysBuilder, exact_hash};
use crate::prefixes::{
    self, FIRST_PAYLOAD, PREFIX_PAYLOAD, PrefixBuilder, SegmentPrefixes, WORDS_PAYLOAD,
};
use crate::schema::{
    FLAG_ACTIVE, FLAG_CONCEPT_ACTIVE, Fields, build_schema, index_settings, names,
    register_tokenizers,
};
use crate::{DEFINITION_TYPE, FSN_TYPE, SearchDoc, SearchError};

/// Smallest heap handed to one tantivy indexing thread.
const MIN_HEAP_PER_THREAD: usize = 32_000_000;
/// Heap per indexing thread above which another thread is used (fallback build only).
const HEAP_PER_THREAD: usize = 128_000_000;
/// Memory budget of the single indexing thread of the pre-sorted build. tantivy allocates
/// its arena lazily, so this is a ceiling that keeps the whole index in one segment (no
/// flush, no merge), not an allocation.
const SORTED_BUILD_HEAP: usize = 3_800_000_000;
/// From this many documents, two threads index the two halves (then merged in order).
/// (Tiny in unit tests, so that they cover the two-segment layout.)
const SPLIT_MIN_DOCS: usize = if cfg!(test) { 8 } else { 100_000 };
/// Commit payload word marking an index whose documents were added in static-rank order.
pub(crate) const SORTED_PAYLOAD: &str = "sctx-sorted-by-rank";
/// Commit payload word marking an index whose `first` field holds the first word's edges up
/// to the `edgeN` length plus the whole first word (older indexes: edges up to 10).
pub(crate) const FIRST_WHOLE_PAYLOAD: &str = "firstw";
/// Commit payload word marking an index without stored terms.
pub(crate) const NO_TERMS_PAYLOAD: &str = "no-stored-terms";

/// Summary of a finished index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStats {
    /// Number of indexed descriptions.
    pub descriptions: u64,
    /// Number of segments: 1, or 2 for a large index (two consecutive runs of the static
    /// order, indexed in parallel).
    pub segments: usize,
}

/// Writes a new search index into a directory.
///
/// Add every description (active and inactive) with [`IndexBuilder::add`], in any order, then
/// call [`IndexBuilder::finish`]: documents are sorted by a static rank (active first, then
/// preferred/acceptable/FSN/other, then term length) and written, in that order, into a
/// single segment.
pub struct IndexBuilder<'a> {
    dir: PathBuf,
    index: Index,
    fields: Fields,
    heap: usize,
    /// Buffered documents, in batches; written in static-rank order by `finish`.
    batches: Vec<Vec<SearchDoc<'a>>>,
    /// Whether terms go into the doc store (see [`IndexBuilder::store_terms`]).
    store_terms: bool,
}

impl std::fmt::Debug for IndexBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexBuilder")
            .field("dir", &self.dir)
            .field("added", &self.batches.iter().map(Vec::len).sum::<usize>())
            .finish_non_exhaustive()
    }
}

/// The term length (characters) of a document with static rank `rank`: from the rank, unless
/// it saturated there.
pub(crate) fn rank_len(rank: u64, doc: &SearchDoc<'_>) -> u64 {
    let len = (rank >> 32) & 0x3FFF;
    if len == 0x3FFF { doc.term.chars().count() as u64 } else { len }
}

/// The static rank a document is sorted by (lower first).
///
/// Layout: bit 48 = not (description and concept active); bits 46–47 = static preference
/// (0 preferred synonym in any language refset, 1 acceptable synonym, 2 FSN, 3 other);
/// bits 32–45 = term length in characters (saturating); bits 0–31 = concept index.
pub(crate) fn static_rank(doc: &SearchDoc<'_>, len_chars: u64) -> u64 {
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

impl<'a> IndexBuilder<'a> {
    /// Creates an empty index in `dir` (created if missing; it must not already hold an
    /// index). `heap_bytes` is the indexing memory budget used if the index has to be
    /// rebuilt with several indexing threads (at least 32 MB is used); the normal build
    /// uses one thread and one segment.
    pub fn create(dir: &Path, heap_bytes: usize) -> Result<Self, SearchError> {
        Self::create_with(dir, heap_bytes, false)
    }

    /// [`Self::create`]; `words_field`: whole words go to the tantivy `words` field instead
    /// of the prefix postings (the layout before they joined them; tests).
    fn create_with(dir: &Path, heap_bytes: usize, words_field: bool) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).ctx(dir, "creating the index directory")?;
        let index = Index::builder()
            .schema(build_schema(false, words_field))
            .settings(IndexSettings { sort_by_field: None, ..index_settings() })
            .create_in_dir(dir)
            .ctx(dir, "creating the index")?;
        register_tokenizers(&index);
        let fields = Fields::resolve(&index.schema(), dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            index,
            fields,
            heap: heap_bytes.max(MIN_HEAP_PER_THREAD),
            batches: Vec::new(),
            store_terms: true,
        })
    }

    /// Whether to keep each description's term in the index (default `true`). Without
    /// stored terms the index is smaller and [`crate::Hit::term`] is empty: the caller
    /// reads the term by [`crate::Hit::description_id`] from where it keeps descriptions.
    pub fn store_terms(&mut self, yes: bool) {
        self.store_terms = yes;
    }

    fn payload(&self) -> String {
        let unsorted = self.payload_unsorted();
        // (an index whose schema has the `words` field keeps its whole words there)
        let words =
            if self.fields.words.is_some() { String::new() } else { format!("{WORDS_PAYLOAD} ") };
        format!("{SORTED_PAYLOAD} {PREFIX_PAYLOAD} {FIRST_PAYLOAD} {words}{unsorted}")
    }

    /// An empty index laid out as before whole words joined the prefix postings: the
    /// `words` field holds them and the payload does not say `pfx-words` (tests of reading
    /// such indexes).
    #[cfg(test)]
    pub(crate) fn create_with_words_field(dir: &Path) -> Result<Self, SearchError> {
        Self::create_with(dir, MIN_HEAP_PER_THREAD, true)
    }

    /// The payload words of an index whose documents were not added in static order (the
    /// fallback build, sorted by tantivy, which keeps the edge n-grams in the `prefix`
    /// field).
    fn payload_unsorted(&self) -> String {
        let edge = crate::analysis::PREFIX_EDGE;
        let terms = if self.store_terms { String::new() } else { format!(" {NO_TERMS_PAYLOAD}") };
        format!("edge{edge} {FIRST_WHOLE_PAYLOAD} {KEYS_PAYLOAD} {DOCS_PAYLOAD}{terms}")
    }

    /// Makes room for `additional` more descriptions added one by one (the builder keeps
    /// every document until [`IndexBuilder::finish`]; growing that buffer step by step
    /// copies it each time).
    pub fn reserve(&mut self, additional: usize) {
        self.last_batch().reserve(additional);
    }

    fn last_batch(&mut self) -> &mut Vec<SearchDoc<'a>> {
        if self.batches.is_empty() {
            self.batches.push(Vec::new());
        }
        let last = self.batches.len() - 1;
        &mut self.batches[last]
    }

    /// Adds one description.
    pub fn add(&mut self, doc: &SearchDoc<'a>) -> Result<(), SearchError> {
        self.add_owned(doc.clone())
    }

    /// Adds one description, taking ownership (saves a copy).
    pub fn add_owned(&mut self, doc: SearchDoc<'a>) -> Result<(), SearchError> {
        self.last_batch().push(doc);
        Ok(())
    }

    /// Adds many descriptions at once, e.g. collected on several threads (the documents are
    /// kept where they are: nothing is copied).
    pub fn add_batch(&mut self, docs: Vec<SearchDoc<'a>>) {
        self.batches.push(docs);
        // later single additions must not go into a caller's batch's spare room
        self.batches.push(Vec::new());
    }

    /// Sorts the documents by static rank, writes them into one segment (two for a large
    /// index) and commits.
    pub fn finish(self) -> Result<IndexStats, SearchError> {
        let sorted = sorted_by_rank(&self.batches);
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        if cpus >= 2 && sorted.len() >= SPLIT_MIN_DOCS {
            return self.finish_split(&sorted);
        }
        // One indexing thread: documents get ids in the order they are added, and the
        // budget is large enough to keep them in one segment. (Documents are analysed on
        // this thread while tantivy's thread indexes.)
        let dir = &self.dir;
        let payload = self.payload();
        let (keys, pfx) = index_chunk(
            &self.index,
            dir,
            &self.fields,
            &sorted,
            self.store_terms,
            SORTED_BUILD_HEAP,
            &payload,
        )?;
        let segments = self.index.searchable_segment_ids().ctx(dir, "listing segments")?.len();
        if segments > 1 {
            // The budget was exceeded: segment order is not known, so rebuild with tantivy
            // sorting the merged segment instead.
            return self.rebuild_with(&sorted);
        }
        let parts = vec![(&sorted[..], keys)];
        let Some(tables) = layout_keys(&self.index, dir, &self.fields, self.store_terms, parts)?
        else {
            return self.rebuild_with(&sorted);
        };
        let values = docs::encode(dir, &[&sorted[..]])?;
        write_tables(dir, tables, vec![pfx], &values)?;
        Ok(IndexStats { descriptions: sorted.len() as u64, segments })
    }

    /// The two halves of the sorted documents are indexed in parallel, each into one
    /// segment: the first into `dir`, the second into a sibling directory whose segment is
    /// then moved into `dir` and listed second. Segments are not merged (a merge would
    /// rewrite everything on one thread); queries read them as one list (see
    /// [`SORTED_PAYLOAD`]).
    fn finish_split(&self, sorted: &[Ranked<'_, 'a>]) -> Result<IndexStats, SearchError> {
        let dir = &self.dir;
        let settings = self.index.settings().clone();
        let half = sorted.len().div_ceil(2);
        let mut name = dir.file_name().unwrap_or_default().to_os_string();
        name.push(".part-1");
        let part1 = dir.with_file_name(name);
        let payload = self.payload();
        let build_part = |index: &Index, pdir: &Path, chunk: &[Ranked<'_, 'a>]| {
            let heap = SORTED_BUILD_HEAP / 2;
            index_chunk(index, pdir, &self.fields, chunk, self.store_terms, heap, &payload)
        };
        let _ = std::fs::remove_dir_all(&part1);
        std::fs::create_dir_all(&part1).ctx(&part1, "creating the index directory")?;
        let index1 = Index::builder()
            .schema(self.index.schema())
            .settings(settings)
            .create_in_dir(&part1)
            .ctx(&part1, "creating the index")?;
        register_tokenizers(&index1);
        let halves = [&sorted[..half], &sorted[half..]];
        // the document values are encoded beside the indexing (they need only the order);
        // at the end they would be the last thing running, on one core
        let (r0, r1, values) = std::thread::scope(|scope| {
            let values = scope.spawn(|| docs::encode(dir, &halves));
            let h = scope.spawn(|| build_part(&index1, &part1, &sorted[half..]));
            let r0 = build_part(&self.index, dir, &sorted[..half]);
            let r1 = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (r0, r1, values.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        let (keys0, pfx0) = r0?;
        let (keys1, pfx1) = r1?;
        let combined = combine(&self.index, dir, &index1, &part1, &payload);
        drop(index1);
        let _ = std::fs::remove_dir_all(&part1);
        match combined {
            Ok(segments) => {
                let parts = vec![(&sorted[..half], keys0), (&sorted[half..], keys1)];
                let Some(tables) =
                    layout_keys(&self.index, dir, &self.fields, self.store_terms, parts)?
                else {
                    return self.rebuild_with(sorted);
                };
                write_tables(dir, tables, vec![pfx0, pfx1], &values?)?;
                Ok(IndexStats { descriptions: sorted.len() as u64, segments })
            }
            // unexpected layout: build it the slow way
            Err(_) => self.rebuild_with(sorted),
        }
    }

    /// Fallback: a fresh index with tantivy's index sorting, several indexing threads and a
    /// final merge.
    #[cfg(test)]
    pub(crate) fn rebuild_sorted_by_tantivy(self) -> Result<IndexStats, SearchError> {
        let sorted = sorted_by_rank(&self.batches);
        self.rebuild_with(&sorted)
    }

    /// [`Self::rebuild_sorted_by_tantivy`] of the documents `all` (in any order).
    fn rebuild_with(&self, all: &[Ranked<'_, 'a>]) -> Result<IndexStats, SearchError> {
        let dir = &self.dir;
        std::fs::remove_dir_all(dir).ctx(dir, "clearing the index directory")?;
        std::fs::create_dir_all(dir).ctx(dir, "creating the index directory")?;
        let index = Index::builder()
            .schema(build_schema(true, true))
            .settings(index_settings())
            .create_in_dir(dir)
            .ctx(dir, "creating the index")?;
        register_tokenizers(&index);
        let fields = Fields::resolve(&index.schema(), dir)?;
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let threads = (self.heap / HEAP_PER_THREAD).clamp(1, cpus.min(8));
        let mut writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(threads, self.heap)
            .ctx(dir, "creating the index writer")?;
        let mut analyser = Analyser::default();
        for (rank, doc) in all {
            writer
                .add_document(
                    document(&fields, doc, *rank, self.store_terms, None, &mut analyser).0,
                )
                .ctx(dir, "adding a description")?;
        }
        let mut prepared = writer.prepare_commit().ctx(dir, "committing")?;
        prepared.set_payload(&self.payload_unsorted());
        prepared.commit().ctx(dir, "committing")?;
        let ids = index.searchable_segment_ids().ctx(dir, "listing segments")?;
        if ids.len() > 1 {
            writer.merge(&ids).wait().ctx(dir, "merging segments")?;
        }
        writer.wait_merging_threads().ctx(dir, "waiting for merges")?;
        let segments = index.searchable_segment_ids().ctx(dir, "listing segments")?.len();
        let (tables, docs) = rebuilt_keys(&index, dir, all)?;
        keys::write(dir, tables)?;
        let docs: Vec<_> = docs.iter().map(|(id, d)| (*id, &d[..])).collect();
        docs::write(dir, &docs)?;
        Ok(IndexStats { descriptions: all.len() as u64, segments })
    }
}

/// A document with its static rank.
pub(crate) type Ranked<'d, 'a> = (u64, &'d SearchDoc<'a>);

/// The documents of `batches` with their static rank, sorted by (rank, description id): a
/// total, deterministic order. Ranks are computed and the two halves sorted on two threads,
/// then merged; the documents themselves do not move.
fn sorted_by_rank<'d, 'a>(batches: &'d [Vec<SearchDoc<'a>>]) -> Vec<Ranked<'d, 'a>> {
    let all: Vec<&SearchDoc<'a>> = batches.iter().flatten().collect();
    let key = |d: &&'d SearchDoc<'a>| {
        let rank = static_rank(d, d.term.chars().count() as u64);
        (rank, d.description_id, *d)
    };
    let sort_half = |docs: &[&'d SearchDoc<'a>]| {
        let mut keys: Vec<(u64, u64, &'d SearchDoc<'a>)> = docs.iter().map(key).collect();
        keys.sort_unstable_by_key(|k| (k.0, k.1));
        keys
    };
    let half = all.len() / 2;
    let (a, b) = if all.len() >= SPLIT_MIN_DOCS {
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name("sctx-rank".into())
                .spawn_scoped(scope, || sort_half(&all[half..]));
            let a = sort_half(&all[..half]);
            let b = match other {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(_) => sort_half(&all[half..]),
            };
            (a, b)
        })
    } else {
        (sort_half(&all), Vec::new())
    };
    // merge
    let mut out = Vec::with_capacity(all.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if (a[i].0, a[i].1) <= (b[j].0, b[j].1) {
            out.push((a[i].0, a[i].2));
            i += 1;
        } else {
            out.push((b[j].0, b[j].2));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|k| (k.0, k.2)));
    out.extend(b[j..].iter().map(|k| (k.0, k.2)));
    out
}

/// Moves the single segment of the index in `from_dir` into the single-segment index in `dir`,
/// listed after its own, and checks the result. Returns the number of segments.
fn combine(
    index: &Index,
    dir: &Path,
    from: &Index,
    from_dir: &Path,
    payload: &str,
) -> Result<usize, SearchError> {
    let bad = |detail: String| SearchError::Incompatible { dir: dir.to_path_buf(), detail };
    let mut meta = index.load_metas().ctx(dir, "reading the index metadata")?;
    let other = from.load_metas().ctx(from_dir, "reading the index metadata")?;
    if meta.segments.len() != 1 || other.segments.len() != 1 {
        return Err(bad("expected one segment per part".into()));
    }
    let seg = &other.segments[0];
    if seg.has_deletes() {
        return Err(bad("unexpected deletes".into()));
    }
    let prefix = seg.id().uuid_string();
    for entry in std::fs::read_dir(from_dir).ctx(from_dir, "listing the index part")? {
        let entry = entry.ctx(from_dir, "listing the index part")?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with(&prefix) {
            std::fs::rename(entry.path(), dir.join(&name)).ctx(dir, "moving a segment file")?;
        }
    }
    meta.segments.push(index.new_segment_meta(seg.id(), seg.max_doc()));
    meta.opstamp = meta.opstamp.max(other.opstamp);
    meta.payload = Some(payload.to_string());
    let mut json = serde_json::to_vec_pretty(&meta).map_err(|e| bad(e.to_string()))?;
    json.push(b'\n');
    let tmp = dir.join("meta.json.sctx-tmp");
    std::fs::write(&tmp, &json).ctx(&tmp, "writing the index metadata")?;
    std::fs::rename(&tmp, dir.join("meta.json")).ctx(dir, "writing the index metadata")?;
    // check: reopen and read the segments in the expected order
    let check = Index::open_in_dir(dir).ctx(dir, "opening the index")?;
    let metas = check.searchable_segment_metas().ctx(dir, "listing segments")?;
    let ids: Vec<_> = metas.iter().map(|m| m.id()).collect();
    if ids.len() != 2 || ids[1] != seg.id() {
        return Err(bad("segments are not in the expected order".into()));
    }
    let reader = check.reader().ctx(dir, "opening the index reader")?;
    let searcher = reader.searcher();
    let readers = searcher.segment_readers();
    if readers.len() != 2 || readers[1].segment_id() != seg.id() {
        return Err(bad("segments are not read in the expected order".into()));
    }
    Ok(2)
}

/// The tantivy document of one description, and the hashes of its exact-match keys (the
/// normalised term; a leading acronym) for the key tables. With `prefixes`, the word forms
/// go to the prefix postings as the builder's next document; without, the edge n-grams go
/// into the tantivy `prefix` field (the fallback build).
fn document(
    f: &Fields,
    doc: &SearchDoc<'_>,
    rank: u64,
    store_term: bool,
    prefixes: Option<&mut PrefixBuilder>,
    analyser: &mut Analyser,
) -> (TantivyDocument, Keys2) {
    let text = analyser.index_text(&doc.term, prefixes.is_none());
    if let Some(builder) = prefixes {
        builder.add(text.words.split(' ').filter(|w| !w.is_empty()), text.first_forms);
    }
    let mut d = TantivyDocument::default();
    if let Some(words) = f.words {
        d.add_text(words, text.words);
    }
    if let Some(field) = f.prefix
        && !text.prefixes.is_empty()
    {
        d.add_text(field, text.prefixes);
    }
    d.add_text(f.first, text.first);
    if let Some(lang) = f.lang {
        d.add_text(lang, doc.language_code.to_ascii_lowercase());
    }
    if store_term {
        d.add_text(f.term, &doc.term);
    }
    // the fallback build only: the normal build writes these to the document values
    if let Some(f) = &f.fast {
        let len = rank_len(rank, doc);
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
        d.add_u64(f.rank, rank);
    }
    (d, exact_hashes(&doc.term, text.exact))
}

/// Per segment: its id, its document count and its key tables.
type SegmentTables = Vec<(SegmentId, u32, SegmentKeysBuilder)>;

/// Exact-match key hashes of one description (at most two).
type Keys2 = [Option<u64>; 2];

/// The exact-match keys of a term whose normalised form is `exact`: the term itself and,
/// for "MI - Myocardial infarction", the acronym (typing just "MI" is an exact match).
fn exact_hashes(term: &str, exact: &str) -> Keys2 {
    let main = (!exact.is_empty()).then(|| exact_hash(exact));
    let acronym = leading_acronym(term).and_then(|a| {
        let key = exact_key(&query_tokens(a));
        (!key.is_empty()).then(|| exact_hash(&key))
    });
    [main, acronym]
}

/// Documents handed to tantivy's indexing thread at a time: one channel message per batch
/// instead of per document (the channel's send and receive were 2.5% of the index build).
const INDEX_BATCH: usize = 256;

/// Indexes `chunk` (already in static order) with one writer thread into `index` as one
/// segment, and returns the key-table entries by position in `chunk` and the encoded prefix
/// postings.
fn index_chunk(
    index: &Index,
    dir: &Path,
    fields: &Fields,
    chunk: &[Ranked<'_, '_>],
    store_terms: bool,
    heap: usize,
    payload: &str,
) -> Result<(SegmentKeysBuilder, SegmentPrefixes), SearchError> {
    let mut writer: IndexWriter<TantivyDocument> =
        index.writer_with_num_threads(1, heap).ctx(dir, "creating the index writer")?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let mut keys = SegmentKeysBuilder {
        exact: Vec::with_capacity(chunk.len()),
        concepts: Vec::with_capacity(chunk.len()),
    };
    let mut pfx = PrefixBuilder::new(crate::analysis::PREFIX_EDGE);
    let mut analyser = Analyser::default();
    // ~44 lists per International term (32 edges of all words, 6 of the first, 6 forms)
    pfx.reserve(chunk.len(), 44);
    let mut batch = Vec::with_capacity(INDEX_BATCH);
    for (i, (rank, doc)) in chunk.iter().enumerate() {
        let Ok(i) = DocId::try_from(i) else {
            return Err(SearchError::Incompatible {
                dir: dir.to_path_buf(),
                detail: "more documents than a segment can hold".into(),
            });
        };
        let (d, hashes) = document(fields, doc, *rank, store_terms, Some(&mut pfx), &mut analyser);
        batch.push(UserOperation::Add(d));
        if batch.len() == INDEX_BATCH {
            writer.run(batch.drain(..)).ctx(dir, "adding descriptions")?;
        }
        keys.exact.extend(hashes.into_iter().flatten().map(|h| (h, i)));
        keys.concepts.push((doc.concept_id, i));
    }
    writer.run(batch.drain(..)).ctx(dir, "adding descriptions")?;
    // sorted and encoded here, while tantivy's thread indexes the last queued documents;
    // the writers then find them ready
    keys.exact.sort_unstable();
    keys.concepts.sort_unstable();
    let pfx = pfx.finish().map_err(|detail| SearchError::Incompatible {
        dir: dir.to_path_buf(),
        detail: format!("encoding the prefix postings: {detail}"),
    })?;
    let mut prepared = writer.prepare_commit().ctx(dir, "committing")?;
    prepared.set_payload(payload);
    prepared.commit().ctx(dir, "committing")?;
    writer.wait_merging_threads().ctx(dir, "waiting for merges")?;
    Ok((keys, pfx))
}

/// Per segment, its id and its documents (with their static rank) in doc-id order.
pub(crate) type SegmentDocs<'d, 'a> = Vec<(SegmentId, Vec<Ranked<'d, 'a>>)>;

/// Writes the key tables, the prefix postings and the document values (one entry per
/// segment, in segment order), each on its own thread.
fn write_tables(
    dir: &Path,
    tables: SegmentTables,
    pfx: Vec<SegmentPrefixes>,
    values: &docs::Encoded,
) -> Result<(), SearchError> {
    let ids: Vec<SegmentId> = tables.iter().map(|(id, _, _)| *id).collect();
    let segs: Vec<_> = tables
        .iter()
        .map(|(id, max, _)| (*id, *max))
        .zip(pfx)
        .map(|((id, max), p)| (id, max, p))
        .collect();
    std::thread::scope(|scope| {
        let prefixes = std::thread::Builder::new()
            .name("sctx-prefixes".into())
            .spawn_scoped(scope, || prefixes::write(dir, segs))
            .map_err(|source| SearchError::Io {
                dir: dir.to_path_buf(),
                what: "starting the thread that writes the prefix postings",
                source,
            })?;
        let values = std::thread::Builder::new()
            .name("sctx-doc-values".into())
            .spawn_scoped(scope, || docs::write_encoded(dir, values, &ids))
            .map_err(|source| SearchError::Io {
                dir: dir.to_path_buf(),
                what: "starting the thread that writes the document values",
                source,
            })?;
        let here = keys::write(dir, tables);
        let values = values.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        let there = prefixes.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        here.and(values).and(there)
    })
}

/// How many documents per segment [`layout_keys`] checks.
const LAYOUT_SAMPLES: usize = 256;

/// The key tables of the committed index in `dir`, whose segments hold `parts` in order
/// (each part's documents in doc-id order, with the entries `index_chunk` returned), after
/// checking that layout: each segment holds as many documents as its part, and in each of
/// [`LAYOUT_SAMPLES`] evenly spaced windows the first document with a long first word (the
/// only words in tantivy's `first` field) is in that word's postings at its position and,
/// with stored terms, the doc store holds the term of the window's first document there.
/// `None` when it differs (the caller rebuilds the index the general way). A segment with
/// no long first word at all has nothing in tantivy whose order matters but the doc store.
/// (One indexing thread with a budget that holds the whole part gives doc ids in the order
/// documents are added; this guards against that ever changing underneath.)
fn layout_keys(
    index: &Index,
    dir: &Path,
    fields: &Fields,
    store_terms: bool,
    parts: Vec<(&[Ranked<'_, '_>], SegmentKeysBuilder)>,
) -> Result<Option<SegmentTables>, SearchError> {
    use tantivy::schema::Value;
    let reader = index.reader().ctx(dir, "opening the index reader")?;
    let searcher = reader.searcher();
    let readers = searcher.segment_readers();
    if readers.len() != parts.len() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(parts.len());
    let mut analyser = Analyser::default();
    for (seg, (r, (chunk, keys))) in readers.iter().zip(parts).enumerate() {
        if r.max_doc() as usize != chunk.len() {
            return Ok(None);
        }
        let inverted =
            r.inverted_index(fields.first).ctx(dir, "reading the first-word postings")?;
        let step = chunk.len().div_ceil(LAYOUT_SAMPLES).max(1);
        for i in (0..chunk.len()).step_by(step) {
            if store_terms {
                let stored: TantivyDocument = searcher
                    .doc(tantivy::DocAddress::new(seg as u32, i as DocId))
                    .ctx(dir, "reading a stored term")?;
                let term = stored.get_first(fields.term).and_then(|v| v.as_str());
                if term != Some(&*chunk[i].1.term) {
                    return Ok(None);
                }
            }
            // the window's first document with a long first word
            let end = (i + step).min(chunk.len());
            let Some((j, word)) = (i..end).find_map(|j| {
                let text = analyser.index_text(&chunk[j].1.term, false);
                text.first.split(' ').find(|w| !w.is_empty()).map(|w| (j, w.to_owned()))
            }) else {
                continue;
            };
            let doc = j as DocId;
            let term = tantivy::Term::from_field_text(fields.first, &word);
            let postings = inverted
                .read_postings(&term, tantivy::schema::IndexRecordOption::Basic)
                .ctx(dir, "reading the first-word postings")?;
            // (a posting list may only be sought forward of its current doc)
            let at = |mut p: tantivy::postings::SegmentPostings| {
                use tantivy::DocSet;
                if p.doc() >= doc { p.doc() } else { p.seek(doc) }
            };
            if postings.is_none_or(|p| at(p) != doc) {
                return Ok(None);
            }
        }
        out.push((r.segment_id(), r.max_doc(), keys));
    }
    Ok(Some(out))
}

/// The key tables of an index whose layout is not known (the fallback build), and each
/// segment's documents in doc-id order: every document is mapped back to its description
/// through the `description_id` fast field.
fn rebuilt_keys<'d, 'a>(
    index: &Index,
    dir: &Path,
    all: &[Ranked<'d, 'a>],
) -> Result<(SegmentTables, SegmentDocs<'d, 'a>), SearchError> {
    let reader = index.reader().ctx(dir, "opening the index reader")?;
    let searcher = reader.searcher();
    let by_id: HashMap<u64, usize> =
        all.iter().enumerate().map(|(i, (_, d))| (d.description_id, i)).collect();
    let mut out = Vec::new();
    let mut docs = Vec::new();
    for r in searcher.segment_readers() {
        let col = r.fast_fields().u64(names::DESCRIPTION_ID).ctx(dir, "reading ids")?;
        let mut keys = SegmentKeysBuilder::default();
        let mut seg_docs = Vec::with_capacity(r.max_doc() as usize);
        for doc in 0..r.max_doc() {
            let Some(&i) = col.first(doc).and_then(|id| by_id.get(&id)) else {
                return Err(SearchError::Incompatible {
                    dir: dir.to_path_buf(),
                    detail: format!("document {doc} has no known description id"),
                });
            };
            let d = all[i].1;
            let exact = exact_key(&query_tokens(&d.term));
            keys.exact
                .extend(exact_hashes(&d.term, &exact).into_iter().flatten().map(|h| (h, doc)));
            keys.concepts.push((d.concept_id, doc));
            seg_docs.push(all[i]);
        }
        docs.push((r.segment_id(), seg_docs));
        out.push((r.segment_id(), r.max_doc(), keys));
    }
    Ok((out, docs))
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

#[cfg(test)]
mod sort_tests {
    use super::*;

    /// Documents come out sorted by (static rank, description id), every one once, whether
    /// added one by one or in batches, and whether the halves are sorted on two threads.
    #[test]
    fn sorted_by_rank_is_a_total_order_by_rank_then_id() {
        let mut x: u64 = 7;
        let docs: Vec<SearchDoc<'_>> = (0..1000u64)
            .map(|i| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                SearchDoc {
                    description_id: x >> 20,
                    concept_id: i,
                    concept_index: (x >> 50) as u32 % 7,
                    term: "t".repeat((x >> 58) as usize % 5 + 1).into(),
                    type_id: [crate::FSN_TYPE, crate::SYNONYM_TYPE][(x >> 45) as usize % 2],
                    language_code: "en".into(),
                    active: !(x >> 44).is_multiple_of(5),
                    concept_active: true,
                    preferred_in: if (x >> 43).is_multiple_of(2) { vec![1] } else { vec![] },
                    acceptable_in: vec![],
                }
            })
            .collect();
        let mut want: Vec<(u64, u64, u64)> = docs
            .iter()
            .map(|d| (static_rank(d, d.term.len() as u64), d.description_id, d.concept_id))
            .collect();
        want.sort_unstable();
        for n in [3, 1000] {
            // n batches (small ones are sorted on one thread)
            let batches: Vec<Vec<SearchDoc<'_>>> =
                docs.chunks(1000 / n).map(<[SearchDoc<'_>]>::to_vec).collect();
            let got: Vec<(u64, u64, u64)> = sorted_by_rank(&batches)
                .iter()
                .map(|(r, d)| (*r, d.description_id, d.concept_id))
                .collect();
            assert_eq!(got, want, "{n} batches");
        }
        let got: Vec<u64> =
            sorted_by_rank(&[docs[..5].to_vec()]).iter().map(|(_, d)| d.concept_id).collect();
        assert_eq!(got.len(), 5);
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    /// The layout check accepts the documents in the order they were indexed and refuses the
    /// same documents shifted by one (as if tantivy had numbered them differently), so the
    /// document values are never written against the wrong doc ids.
    #[test]
    fn layout_check_detects_a_shifted_order() {
        for store_terms in [false, true] {
            check_layout(store_terms);
        }
    }

    /// [`layout_check_detects_a_shifted_order`] with or without stored terms (the check
    /// reads the first-word postings, and the doc store when there is one).
    fn check_layout(store_terms: bool) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("layout");
        let b = IndexBuilder::create(&dir, 0).expect("create");
        // one first word in eight is long enough for the `first` field: most windows'
        // first documents have none, so the check must look further in the window
        let words = ["heart", "lung", "liver", "kidney", "brain", "bone", "skin", "eye"];
        let docs: Vec<(u64, SearchDoc<'_>)> = (0..600u64)
            .map(|i| {
                let term = format!("{} part {i}", words[i as usize % words.len()]);
                let doc = SearchDoc {
                    description_id: 1_000_000 + i,
                    concept_id: 2_000_000 + i,
                    concept_index: i as u32,
                    term: term.into(),
                    type_id: crate::SYNONYM_TYPE,
                    language_code: "en".into(),
                    active: true,
                    concept_active: true,
                    preferred_in: vec![],
                    acceptable_in: vec![],
                };
                (i, doc)
            })
            .collect();
        let docs: Vec<Ranked<'_, '_>> = docs.iter().map(|(r, d)| (*r, d)).collect();
        let payload = b.payload();
        let (keys, _) =
            index_chunk(&b.index, &dir, &b.fields, &docs, store_terms, SORTED_BUILD_HEAP, &payload)
                .expect("index");
        let check = |docs: &[Ranked<'_, '_>], keys| {
            layout_keys(&b.index, &dir, &b.fields, store_terms, vec![(docs, keys)]).expect("check")
        };
        assert!(check(&docs, keys).is_some(), "store_terms {store_terms}");
        let mut shifted = docs.clone();
        shifted.rotate_left(1);
        assert!(check(&shifted, SegmentKeysBuilder::default()).is_none());
        assert!(check(&docs[1..], SegmentKeysBuilder::default()).is_none());
    }
}
