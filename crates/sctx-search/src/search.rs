//! Opening an index and answering queries.
//!
//! A query runs in two steps:
//!
//! 1. **Candidate collection.** A few cheap boolean queries ("passes") are iterated in doc-id
//!    order. Because the index is sorted by a static rank (active first, then preferred
//!    synonyms, acceptable synonyms, FSNs, others, then shorter terms), the first documents of
//!    each pass are its best ones, and each pass stops after a bounded number of accepted
//!    documents. Filters (activity, concept bitmap, description type) are checked on fast
//!    fields while iterating; the language-code filter is part of the query.
//! 2. **Re-ranking.** The candidates get a deterministic lexicographic sort key computed from
//!    posting-list membership (exact term, whole-word and term-start matches, exact vs fuzzy
//!    prefix matches) and fast fields (language preference, length, concept id). Hits are then
//!    de-duplicated per concept and the terms of the returned hits are read from the doc store.
//!
//! If fewer hits than requested survive and a pass was cut short, collection is repeated with
//! a larger bound, so small result sets are always exact.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use roaring::RoaringBitmap;
use tantivy::columnar::Column;
use tantivy::query::{
    BooleanQuery, EnableScoring, FuzzyTermQuery, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, ReloadPolicy, Searcher, SegmentReader,
    TERMINATED, TantivyDocument, Term,
};

use crate::analysis::{OLD_FIRST_EDGE, exact_key, query_tokens, truncate_chars};
use crate::docs::{DOCS_PAYLOAD, DocTable, DocValues};
use crate::error::Context;
use crate::keys::{DocListQuery, KEYS_PAYLOAD, Keys, exact_hash};
use crate::prefixes::{
    FIRST_MARK, FIRST_PAYLOAD, PREFIX_PAYLOAD, PrefixQuery, Prefixes, WORD_MARK, WORDS_PAYLOAD,
    WordMatch, WordsQuery,
};
use crate::schema::{FLAG_ACTIVE, FLAG_CONCEPT_ACTIVE, Fields, names, register_tokenizers};
use crate::{DEFINITION_TYPE, FSN_TYPE, Fuzzy, Hit, SearchError, SearchQuery};

/// Most words a long prefix is expanded to as a union of term queries in the `words` or
/// `first` field; beyond this, an automaton query over the term dictionary is used.
const MAX_EXPANSION: usize = 256;

/// Accepted documents per pass, at least.
const MIN_BUDGET: usize = 128;
/// Accepted documents per pass per requested hit.
const BUDGET_PER_HIT: usize = 4;

/// An opened, read-only search index. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.inner.dir)
            .field("descriptions", &self.inner.searcher.num_docs())
            .finish_non_exhaustive()
    }
}

struct Inner {
    dir: PathBuf,
    searcher: Searcher,
    fields: Fields,
    values: Values,
    /// Documents are sorted by the static rank, so active documents come first.
    sorted: bool,
    /// The segments hold consecutive runs of the static order, in segment order (so a pass
    /// reads them as one list).
    ordered: bool,
    /// Terms are in the doc store (else hits carry an empty term).
    stored_terms: bool,
    /// Longest prefix indexed as an edge n-gram (`edgeN` in the payload; 4 before it was
    /// recorded).
    prefix_edge: usize,
    /// The `first` field holds whole first words beside edges up to `prefix_edge` (else
    /// edges up to [`OLD_FIRST_EDGE`]).
    first_whole: bool,
    /// The term-start edges are in the prefix postings (else in the `first` field).
    first_in_postings: bool,
    /// The whole word forms are in the prefix postings (else in the `words` field).
    words_in_postings: bool,
    /// Exact-term and concept-id look-up tables (`None` for indexes built before them,
    /// which index both as fields).
    keys: Option<Keys>,
    /// Edge n-gram postings (`None` for indexes that keep them in the `prefix` field).
    prefixes: Option<Arc<Prefixes>>,
    _reader: IndexReader,
}

/// Fast-field columns of one segment, opened once (indexes without [`DocTable`]).
struct SegmentColumns {
    concept_id: Column<u64>,
    description_id: Column<u64>,
    concept_index: Column<u64>,
    type_id: Column<u64>,
    flags: Column<u64>,
    len: Column<u64>,
    preferred_in: Column<u64>,
    acceptable_in: Column<u64>,
}

impl SegmentColumns {
    fn open(reader: &SegmentReader, dir: &Path) -> Result<Self, SearchError> {
        let ff = reader.fast_fields();
        let col = |name: &'static str| ff.u64(name).ctx(dir, "opening a fast field column");
        Ok(Self {
            concept_id: col(names::CONCEPT_ID)?,
            description_id: col(names::DESCRIPTION_ID)?,
            concept_index: col(names::CONCEPT_INDEX)?,
            type_id: col(names::TYPE_ID)?,
            flags: col(names::FLAGS)?,
            len: col(names::LEN)?,
            preferred_in: col(names::PREFERRED_IN)?,
            acceptable_in: col(names::ACCEPTABLE_IN)?,
        })
    }
}

/// Where the per-document values of an index are.
enum Values {
    /// In [`DocTable`] (`sctx-docs.bin`).
    Table(DocTable),
    /// In fast-field columns, per segment (older indexes).
    Columns(Vec<SegmentColumns>),
}

/// One segment's per-document values, whichever way they are stored.
#[derive(Clone, Copy)]
enum SegValues<'a> {
    Table(Option<DocValues<'a>>),
    Columns(Option<&'a SegmentColumns>),
}

impl SegValues<'_> {
    fn concept_id(&self, doc: DocId) -> Option<u64> {
        match self {
            Self::Table(t) => t.as_ref()?.concept_id(doc),
            Self::Columns(c) => c.as_ref()?.concept_id.first(doc),
        }
    }
    fn description_id(&self, doc: DocId) -> Option<u64> {
        match self {
            Self::Table(t) => t.as_ref()?.description_id(doc),
            Self::Columns(c) => c.as_ref()?.description_id.first(doc),
        }
    }
    fn concept_index(&self, doc: DocId) -> Option<u32> {
        match self {
            Self::Table(t) => t.as_ref()?.concept_index(doc),
            Self::Columns(c) => {
                c.as_ref()?.concept_index.first(doc).and_then(|i| i.try_into().ok())
            }
        }
    }
    fn type_id(&self, doc: DocId) -> Option<u64> {
        match self {
            Self::Table(t) => t.as_ref()?.type_id(doc),
            Self::Columns(c) => c.as_ref()?.type_id.first(doc),
        }
    }
    fn flags(&self, doc: DocId) -> Option<u64> {
        match self {
            Self::Table(t) => t.as_ref()?.flags(doc),
            Self::Columns(c) => c.as_ref()?.flags.first(doc),
        }
    }
    fn len(&self, doc: DocId) -> Option<u64> {
        match self {
            Self::Table(t) => t.as_ref()?.len(doc),
            Self::Columns(c) => c.as_ref()?.len.first(doc),
        }
    }
    /// The language preference of `doc` for `refsets` (see [`preference`]).
    fn preference(&self, doc: DocId, refsets: &[u64]) -> u32 {
        let type_id = self.type_id(doc).unwrap_or(0);
        match self {
            Self::Table(t) => {
                let (p, a) = t.as_ref().map_or((&[][..], &[][..]), |t| t.langs(doc));
                preference(type_id, refsets, &mut p.iter().copied(), &mut a.iter().copied())
            }
            Self::Columns(Some(c)) => preference(
                type_id,
                refsets,
                &mut c.preferred_in.values_for_doc(doc),
                &mut c.acceptable_in.values_for_doc(doc),
            ),
            Self::Columns(None) => {
                preference(type_id, refsets, &mut None.into_iter(), &mut None.into_iter())
            }
        }
    }
}

/// How lenient a fuzzy pass is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Exact prefixes only.
    Exact,
    /// Edit distance 1 for tokens of 4–7 characters, 2 for 8 or more.
    Strict,
    /// Edit distance 1 for tokens of 4–5 characters, 2 for 6 or more (last-resort retry).
    Lenient,
}

fn edit_distance(token: &str, level: Level) -> u8 {
    let n = token.chars().count();
    match level {
        Level::Exact => 0,
        _ if n < 4 => 0,
        Level::Strict if n < 8 => 1,
        Level::Lenient if n < 6 => 1,
        _ => 2,
    }
}

/// Returns the SCTID if `text` looks like one.
fn sctid(text: &str) -> Option<u64> {
    let t = text.trim();
    if (6..=18).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        t.parse().ok()
    } else {
        None
    }
}

/// Result of the fast-field filter check.
enum Accept {
    Yes,
    No,
    /// The index is sorted and only inactive documents follow.
    Stop,
}

/// Why a pass stopped iterating a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Every matching document was seen.
    Exhausted,
    /// The budget of accepted documents was reached (more may follow).
    Budget,
    /// Only inactive documents follow (sorted index).
    Stopped,
}

/// A candidate with its sort key.
#[derive(Debug, Clone)]
struct Ranked {
    key: RankKey,
    seg: u32,
    doc: DocId,
    concept_index: u32,
    score: f32,
}

/// Lexicographic sort key; smaller is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RankKey {
    not_exact: bool,
    /// Sum over the tokens of the edit distance they matched at (0 for exact prefixes).
    fuzzy_cost: u8,
    partial_tokens: u8,
    not_term_start: bool,
    preference: u32,
    len: u64,
    concept_id: u64,
    description_id: u64,
}

/// Returns whether `scorer` contains `doc`; calls must come in increasing `doc` order.
fn contains(scorer: &mut dyn Scorer, doc: DocId) -> bool {
    let mut d = scorer.doc();
    if d < doc {
        d = scorer.seek(doc);
    }
    d == doc
}

/// Ranking tier of a description in the caller's language preference: preferred in any of
/// the requested refsets → 0; acceptable in any → 1; FSN → 2; anything else → 3.
///
/// Which refset of the list supplied the preference does not matter across concepts: a
/// concept's preferred term is the first refset's preferred synonym that exists, so a term
/// preferred only in a fallback refset is as much "the preferred term" as one preferred in
/// the first refset (the store resolves the display term per concept).
fn preference(
    type_id: u64,
    refsets: &[u64],
    preferred: &mut dyn Iterator<Item = u64>,
    acceptable: &mut dyn Iterator<Item = u64>,
) -> u32 {
    if type_id == FSN_TYPE {
        return 2;
    }
    if type_id == DEFINITION_TYPE {
        return 3;
    }
    for r in preferred {
        if refsets.contains(&r) {
            return 0;
        }
    }
    for r in acceptable {
        if refsets.contains(&r) {
            return 1;
        }
    }
    3
}

/// The weights of one query at one fuzziness level.
struct Plan<'q> {
    q: &'q SearchQuery<'q>,
    n_tokens: usize,
    /// Candidate passes. When `covering` is set, the first pass matches a superset of
    /// the next `covering` passes (all-prefix ⊇ exact, whole-word, term-start): if it is
    /// read to the end within the budget, those passes can add nothing and are skipped.
    /// Otherwise they run to fetch their (better ranked) matches beyond the budget.
    passes: Vec<Box<dyn Weight>>,
    covering: usize,
    exact: Option<Box<dyn Weight>>,
    whole: Vec<Box<dyn Weight>>,
    start: Vec<Box<dyn Weight>>,
    /// Exact-prefix weights per token; only for fuzzy levels.
    prefix: Vec<Box<dyn Weight>>,
    /// Distance-1 fuzzy-prefix weights for tokens searched at distance 2; only for fuzzy
    /// levels.
    near: Vec<Option<Box<dyn Weight>>>,
    /// Maximum edit distance per token at this level.
    distances: Vec<u8>,
}

/// Outcome of one ranked search.
struct Ranking {
    hits: Vec<Ranked>,
    /// Whether any document matched at all (before offset).
    found: bool,
}

impl SearchIndex {
    /// Opens the index in `dir`, registers the tokenizers and loads the fast-field columns.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let index = Index::open_in_dir(dir).ctx(dir, "opening the index")?;
        register_tokenizers(&index);
        let fields = Fields::resolve(&index.schema(), dir)?;
        let tantivy_sorted = index
            .settings()
            .sort_by_field
            .as_ref()
            .is_some_and(|s| s.field == names::RANK && s.order.is_asc());
        let metas = index.load_metas().ctx(dir, "reading the index metadata")?;
        let words: Vec<&str> = metas.payload.as_deref().unwrap_or("").split(' ').collect();
        let presorted = words.contains(&crate::build::SORTED_PAYLOAD);
        let stored_terms = !words.contains(&crate::build::NO_TERMS_PAYLOAD);
        let prefix_edge = words
            .iter()
            .find_map(|w| w.strip_prefix("edge").and_then(|n| n.parse::<usize>().ok()))
            .unwrap_or(4);
        let sorted = tantivy_sorted || presorted;
        let ordered = presorted || (tantivy_sorted && metas.segments.len() <= 1);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .ctx(dir, "opening the index reader")?;
        let searcher = reader.searcher();
        let segs: Vec<_> =
            searcher.segment_readers().iter().map(|r| (r.segment_id(), r.max_doc())).collect();
        let values = if words.contains(&DOCS_PAYLOAD) {
            Values::Table(DocTable::open(dir, &segs)?)
        } else if fields.fast.is_none() {
            return Err(SearchError::Incompatible {
                dir: dir.to_path_buf(),
                detail: "neither document values nor fast fields".into(),
            });
        } else {
            Values::Columns(
                searcher
                    .segment_readers()
                    .iter()
                    .map(|r| SegmentColumns::open(r, dir))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        let keys = if words.contains(&KEYS_PAYLOAD) { Some(Keys::open(dir, &segs)?) } else { None };
        let prefixes = if words.contains(&PREFIX_PAYLOAD) {
            Some(Arc::new(Prefixes::open(dir, &segs)?))
        } else if fields.prefix.is_none() {
            return Err(SearchError::Incompatible {
                dir: dir.to_path_buf(),
                detail: "neither prefix postings nor a `prefix` field".into(),
            });
        } else {
            None
        };
        let words_in_postings = prefixes.is_some() && words.contains(&WORDS_PAYLOAD);
        if !words_in_postings && fields.words.is_none() {
            return Err(SearchError::Incompatible {
                dir: dir.to_path_buf(),
                detail: "neither whole words in the prefix postings nor a `words` field".into(),
            });
        }
        Ok(Self {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                searcher,
                fields,
                values,
                sorted,
                ordered,
                stored_terms,
                prefix_edge,
                first_whole: words.contains(&crate::build::FIRST_WHOLE_PAYLOAD),
                first_in_postings: words.contains(&FIRST_PAYLOAD),
                words_in_postings,
                keys,
                prefixes,
                _reader: reader,
            }),
        })
    }

    /// Whether the index stores terms (see [`crate::IndexBuilder::store_terms`]); when not,
    /// [`Hit::term`] is empty.
    pub fn has_stored_terms(&self) -> bool {
        self.inner.stored_terms
    }

    /// Checks the checksums of the files sctx writes beside tantivy's own (tantivy checks
    /// its files when it reads them).
    pub fn verify(&self) -> Result<(), SearchError> {
        self.inner.keys.as_ref().map_or(Ok(()), Keys::verify)?;
        if let Values::Table(t) = &self.inner.values {
            t.verify()?;
        }
        self.inner.prefixes.as_ref().map_or(Ok(()), |p| p.verify())
    }

    /// Whether this index keeps its edge n-grams in the tantivy `prefix` field (tests).
    #[cfg(test)]
    pub(crate) fn inner_prefixes_absent(&self) -> bool {
        self.inner.prefixes.is_none()
    }

    /// Whether this index keeps its whole words in the prefix postings (tests).
    #[cfg(test)]
    pub(crate) fn inner_words_in_postings(&self) -> bool {
        self.inner.words_in_postings
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Number of indexed descriptions (active and inactive).
    pub fn num_descriptions(&self) -> u64 {
        self.inner.searcher.num_docs()
    }

    /// Number of segments (1 for an index built by [`crate::IndexBuilder`]).
    pub fn num_segments(&self) -> usize {
        self.inner.searcher.segment_readers().len()
    }

    /// The per-document values of segment `seg` (by position).
    fn values(&self, seg: usize) -> SegValues<'_> {
        match &self.inner.values {
            Values::Table(t) => SegValues::Table(t.segment(seg)),
            Values::Columns(c) => SegValues::Columns(c.get(seg)),
        }
    }

    /// Searches: see the crate documentation for matching and ranking rules.
    pub fn search(&self, q: &SearchQuery<'_>) -> Result<Vec<Hit>, SearchError> {
        if q.limit == 0 {
            return Ok(Vec::new());
        }
        if let Some(id) = sctid(q.text) {
            let r = self.rank_code(id, q)?;
            if r.found {
                return self.hits(&r.hits, q.offset);
            }
        }
        let tokens = query_tokens(q.text);
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        let levels: &[Level] = match q.fuzzy {
            Fuzzy::Off => &[Level::Exact],
            Fuzzy::Auto => &[Level::Exact, Level::Strict, Level::Lenient],
            Fuzzy::On => &[Level::Strict, Level::Lenient],
        };
        for (k, &level) in levels.iter().enumerate() {
            // a retry follows a level that found nothing: only its new fuzzy pass can
            let r = self.rank_text(q, &tokens, level, k > 0)?;
            if r.found {
                return self.hits(&r.hits, q.offset);
            }
        }
        Ok(Vec::new())
    }

    /// Counts the concepts (or, with `one_per_concept == false`, the descriptions) matching
    /// `q`'s text and filters, ignoring `limit` and `offset`. Fuzzy matching is used only with
    /// [`Fuzzy::On`] (strict distances).
    pub fn count(&self, q: &SearchQuery<'_>) -> Result<u64, SearchError> {
        let tokens = query_tokens(q.text);
        if tokens.is_empty() {
            return Ok(0);
        }
        let level = if q.fuzzy == Fuzzy::On { Level::Strict } else { Level::Exact };
        let plan = self.plan(q, &tokens, level, false)?;
        // The broadest pass: fuzzy when on (last), else all-prefix (first).
        let general = if level == Level::Exact { plan.passes.first() } else { plan.passes.last() };
        let Some(general) = general else {
            return Ok(0);
        };
        let mut concepts = RoaringBitmap::new();
        let mut descriptions = 0u64;
        for (seg, reader) in self.inner.searcher.segment_readers().iter().enumerate() {
            let cols = self.values(seg);
            self.collect(general.as_ref(), reader, cols, q, usize::MAX, &mut |doc| {
                descriptions += 1;
                if let Some(ci) = cols.concept_index(doc) {
                    concepts.insert(ci);
                }
            })?;
        }
        Ok(if q.one_per_concept { concepts.len() } else { descriptions })
    }

    fn err(&self, what: &'static str) -> impl FnOnce(tantivy::TantivyError) -> SearchError + '_ {
        move |source| SearchError::Tantivy { dir: self.inner.dir.clone(), what, source }
    }

    fn weight(&self, query: &dyn Query) -> Result<Box<dyn Weight>, SearchError> {
        query
            .weight(EnableScoring::disabled_from_searcher(&self.inner.searcher))
            .map_err(self.err("building a query"))
    }

    /// Exact prefix query for one token: one edge n-gram posting list for short tokens (in
    /// the prefix postings, or the `prefix` field of older indexes); for longer ones, the
    /// union of the whole words that start with the token (few words share a prefix of
    /// that length).
    fn prefix_query(&self, token: &str) -> Box<dyn Query> {
        let f = &self.inner.fields;
        if token.chars().count() <= self.inner.prefix_edge {
            if let Some(p) = &self.inner.prefixes {
                return Box::new(PrefixQuery::new(p.clone(), &[token]));
            }
            if let Some(field) = f.prefix {
                return Self::term_query(field, token);
            }
            // not reached: `open` requires one of the two
            return Box::new(tantivy::query::EmptyQuery);
        }
        self.words_query(token, 0)
    }

    /// The documents with a word that has a prefix within edit distance `d` of `token`
    /// (`d == 0`: a word starting with `token`): a union of whole-word lists from the prefix
    /// postings, or an expansion or automaton query over the `words` field of older indexes.
    fn words_query(&self, token: &str, d: u8) -> Box<dyn Query> {
        if let Some(p) = self.word_postings() {
            let m = if d == 0 {
                WordMatch::Prefix(token.to_owned())
            } else {
                WordMatch::Fuzzy(token.to_owned(), d)
            };
            return Box::new(WordsQuery::new(p.clone(), m));
        }
        match self.inner.fields.words {
            Some(words) if d == 0 => self.expansion_query(words, token),
            Some(words) => {
                Box::new(FuzzyTermQuery::new_prefix(Term::from_field_text(words, token), d, true))
            }
            // not reached: `open` requires one of the two
            None => Box::new(tantivy::query::EmptyQuery),
        }
    }

    /// The prefix postings, when they hold the whole words.
    fn word_postings(&self) -> Option<&Arc<Prefixes>> {
        self.inner.prefixes.as_ref().filter(|_| self.inner.words_in_postings)
    }

    /// The documents with the word `token`.
    fn whole_query(&self, token: &str) -> Box<dyn Query> {
        if let Some(p) = self.word_postings() {
            let key = format!("{}{token}", char::from(WORD_MARK));
            return Box::new(PrefixQuery::new(p.clone(), &[key.as_str()]));
        }
        match self.inner.fields.words {
            Some(words) => Self::term_query(words, token),
            None => Box::new(tantivy::query::EmptyQuery),
        }
    }

    /// Documents whose term starts with one of the tokens: one union of term-start edge
    /// lists when every token is short and the edges are in the prefix postings, else the
    /// union of the tokens' start queries.
    fn any_start_query(&self, tokens: &[String], start_qs: &[Box<dyn Query>]) -> Box<dyn Query> {
        let short = tokens.iter().all(|t| t.chars().count() <= self.inner.prefix_edge);
        if let (true, true, Some(p)) = (short, self.inner.first_in_postings, &self.inner.prefixes) {
            let mark = char::from(FIRST_MARK);
            let edges = tokens.iter().map(|t| format!("{mark}{t}")).collect();
            return Box::new(PrefixQuery::any(p.clone(), edges));
        }
        Box::new(BooleanQuery::new(
            start_qs.iter().map(|s| (Occur::Should, s.box_clone())).collect(),
        ))
    }

    /// The clauses that together require every token's prefix: the short tokens' prefix
    /// postings as one intersection (see [`PrefixQuery`]), the other tokens' queries from
    /// `prefix_qs` (in token order) as they are.
    fn all_prefixes_query(
        &self,
        tokens: &[String],
        prefix_qs: &[Box<dyn Query>],
    ) -> Vec<Box<dyn Query>> {
        let Some(p) = &self.inner.prefixes else {
            return prefix_qs.iter().map(|q| q.box_clone()).collect();
        };
        let short = |t: &String| t.chars().count() <= self.inner.prefix_edge;
        let edges: Vec<&str> = tokens.iter().filter(|t| short(t)).map(String::as_str).collect();
        let mut out: Vec<Box<dyn Query>> = tokens
            .iter()
            .zip(prefix_qs)
            .filter(|(t, _)| !short(t))
            .map(|(_, q)| q.box_clone())
            .collect();
        if !edges.is_empty() {
            out.push(Box::new(PrefixQuery::new(p.clone(), &edges)));
        }
        out
    }

    /// Term-start query for one token: the documents whose first word starts with it. Short
    /// tokens are one term-start edge list (prefix postings, or the `first` field of older
    /// indexes); longer ones expand to the whole first words that start with them.
    fn start_query(&self, token: &str) -> Box<dyn Query> {
        let first = self.inner.fields.first;
        if !self.inner.first_whole {
            return Self::term_query(first, truncate_chars(token, OLD_FIRST_EDGE));
        }
        if token.chars().count() <= self.inner.prefix_edge {
            if let (true, Some(p)) = (self.inner.first_in_postings, &self.inner.prefixes) {
                let edge = format!("{}{token}", char::from(FIRST_MARK));
                return Box::new(PrefixQuery::new(p.clone(), &[edge.as_str()]));
            }
            return Self::term_query(first, token);
        }
        self.expansion_query(first, token)
    }

    /// The union of the terms of `field` that start with `token` (an automaton query over
    /// the term dictionary when there are more than [`MAX_EXPANSION`]).
    fn expansion_query(&self, field: tantivy::schema::Field, token: &str) -> Box<dyn Query> {
        let words = self.expand_prefix(field, token);
        if words.len() > MAX_EXPANSION {
            return Box::new(FuzzyTermQuery::new_prefix(
                Term::from_field_text(field, token),
                0,
                true,
            ));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
            .into_iter()
            .map(|w| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_bytes(field, &w),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        match clauses.len() {
            0 => Box::new(tantivy::query::EmptyQuery),
            1 => clauses
                .pop()
                .map(|(_, q)| q)
                .unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery)),
            _ => Box::new(BooleanQuery::new(clauses)),
        }
    }

    /// The terms of `field` that start with `prefix` (every segment), up to
    /// [`MAX_EXPANSION`] + 1 of them.
    fn expand_prefix(&self, field: tantivy::schema::Field, prefix: &str) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        for reader in self.inner.searcher.segment_readers() {
            let Ok(inv) = reader.inverted_index(field) else { continue };
            let Ok(mut stream) = inv.terms().range().ge(prefix.as_bytes()).into_stream() else {
                continue;
            };
            while stream.advance() {
                let k = stream.key();
                if !k.starts_with(prefix.as_bytes()) || out.len() > MAX_EXPANSION {
                    break;
                }
                out.push(k.to_vec());
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Prefix query for one token at a fuzziness level.
    fn token_query(&self, token: &str, level: Level) -> Box<dyn Query> {
        let d = edit_distance(token, level);
        if d == 0 {
            return self.prefix_query(token);
        }
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, self.prefix_query(token)),
            (Occur::Should, self.words_query(token, d)),
        ]))
    }

    fn term_query(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
    }

    /// Adds the language-code filter to `clauses` (indexes without document values).
    fn with_filters(
        &self,
        q: &SearchQuery<'_>,
        mut clauses: Vec<Box<dyn Query>>,
    ) -> Box<dyn Query> {
        // (with document values the language code is checked per document, in `accept`)
        if let Some(codes) = q.language_codes
            && let Some(lang) = self.inner.fields.lang
            && !matches!(self.inner.values, Values::Table(_))
        {
            let any: Vec<(Occur, Box<dyn Query>)> = codes
                .iter()
                .map(|c| (Occur::Should, Self::term_query(lang, &c.to_ascii_lowercase())))
                .collect();
            clauses.push(Box::new(BooleanQuery::new(any)));
        }
        if clauses.len() == 1 {
            return clauses.pop().unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery));
        }
        Box::new(BooleanQuery::new(clauses.into_iter().map(|c| (Occur::Must, c)).collect()))
    }

    fn plan<'q>(
        &self,
        q: &'q SearchQuery<'q>,
        tokens: &[String],
        level: Level,
        retry: bool,
    ) -> Result<Plan<'q>, SearchError> {
        let exact_q = self.exact_query(&exact_key(tokens));
        let whole_qs: Vec<Box<dyn Query>> = tokens.iter().map(|t| self.whole_query(t)).collect();
        let start_qs: Vec<Box<dyn Query>> = tokens.iter().map(|t| self.start_query(t)).collect();
        let prefix_qs: Vec<Box<dyn Query>> = tokens.iter().map(|t| self.prefix_query(t)).collect();
        // the passes need documents matching every prefix: short tokens as one
        // intersection of prefix postings, longer ones as their own clauses
        let all_prefixes = self.all_prefixes_query(tokens, &prefix_qs);
        let any_start = self.any_start_query(tokens, &start_qs);

        // On a retry (the previous, stricter level found nothing) the exact, whole-word,
        // term-start and prefix passes are known to be empty: only the fuzzy pass runs.
        let mut passes = Vec::new();
        let mut covering = 0;
        if !(retry && level != Level::Exact) {
            passes.push(self.with_filters(q, all_prefixes.iter().map(|p| p.box_clone()).collect()));
            passes.push(self.with_filters(q, vec![exact_q.box_clone()]));
            passes.push(self.with_filters(q, whole_qs.iter().map(|w| w.box_clone()).collect()));
            let mut start_pass: Vec<Box<dyn Query>> =
                all_prefixes.iter().map(|p| p.box_clone()).collect();
            start_pass.push(any_start);
            passes.push(self.with_filters(q, start_pass));
            covering = 3;
        }
        if level != Level::Exact {
            let fuzzy: Vec<Box<dyn Query>> =
                tokens.iter().map(|t| self.token_query(t, level)).collect();
            passes.push(self.with_filters(q, fuzzy));
        }

        let weights = |qs: &[Box<dyn Query>]| -> Result<Vec<Box<dyn Weight>>, SearchError> {
            qs.iter().map(|x| self.weight(x.as_ref())).collect()
        };
        Ok(Plan {
            q,
            n_tokens: tokens.len(),
            passes: weights(&passes)?,
            covering,
            exact: Some(self.weight(exact_q.as_ref())?),
            whole: weights(&whole_qs)?,
            start: weights(&start_qs)?,
            prefix: if level == Level::Exact { Vec::new() } else { weights(&prefix_qs)? },
            near: if level == Level::Exact {
                Vec::new()
            } else {
                tokens
                    .iter()
                    .map(|t| {
                        if edit_distance(t, level) < 2 {
                            return Ok(None);
                        }
                        self.weight(self.words_query(t, 1).as_ref()).map(Some)
                    })
                    .collect::<Result<_, SearchError>>()?
            },
            distances: tokens.iter().map(|t| edit_distance(t, level)).collect(),
        })
    }

    /// Whether `doc` passes the fast-field filters.
    fn accept(&self, cols: SegValues<'_>, doc: DocId, q: &SearchQuery<'_>) -> Accept {
        if !q.include_inactive {
            let flags = cols.flags(doc).unwrap_or(0);
            let both = FLAG_ACTIVE | FLAG_CONCEPT_ACTIVE;
            if flags & both != both {
                return if self.inner.sorted { Accept::Stop } else { Accept::No };
            }
        }
        if let Some(filter) = q.concept_filter
            && cols.concept_index(doc).is_none_or(|ci| !filter.contains(ci))
        {
            return Accept::No;
        }
        if let Some(types) = q.type_ids {
            let t = cols.type_id(doc).unwrap_or(0);
            if !types.contains(&t) {
                return Accept::No;
            }
        }
        if let (Some(codes), SegValues::Table(t)) = (q.language_codes, cols) {
            let lang = t.and_then(|t| t.language(doc)).unwrap_or("");
            if !codes.iter().any(|c| c.eq_ignore_ascii_case(lang)) {
                return Accept::No;
            }
        }
        Accept::Yes
    }

    /// Iterates `weight` over one segment in doc order, calling `sink` for up to `budget`
    /// accepted documents. Returns whether it stopped because of the budget.
    fn collect(
        &self,
        weight: &dyn Weight,
        reader: &SegmentReader,
        cols: SegValues<'_>,
        q: &SearchQuery<'_>,
        budget: usize,
        sink: &mut dyn FnMut(DocId),
    ) -> Result<bool, SearchError> {
        Ok(self.collect_counted(weight, reader, cols, q, budget, sink)?.0 == Outcome::Budget)
    }

    /// [`Self::collect`], also returning how many documents were accepted.
    fn collect_counted(
        &self,
        weight: &dyn Weight,
        reader: &SegmentReader,
        cols: SegValues<'_>,
        q: &SearchQuery<'_>,
        budget: usize,
        sink: &mut dyn FnMut(DocId),
    ) -> Result<(Outcome, usize), SearchError> {
        let mut scorer = weight.scorer(reader, 1.0).map_err(self.err("running a query"))?;
        let alive = reader.alive_bitset();
        let mut taken = 0usize;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                match self.accept(cols, doc, q) {
                    Accept::Stop => return Ok((Outcome::Stopped, taken)),
                    Accept::No => {}
                    Accept::Yes => {
                        if taken == budget {
                            return Ok((Outcome::Budget, taken));
                        }
                        taken += 1;
                        sink(doc);
                    }
                }
            }
            doc = scorer.advance();
        }
        Ok((Outcome::Exhausted, taken))
    }

    /// Ranks text matches at one fuzziness level.
    fn rank_text(
        &self,
        q: &SearchQuery<'_>,
        tokens: &[String],
        level: Level,
        retry: bool,
    ) -> Result<Ranking, SearchError> {
        let plan = self.plan(q, tokens, level, retry)?;
        let wanted = q.offset.saturating_add(q.limit);
        let mut budget = wanted.saturating_mul(BUDGET_PER_HIT).max(MIN_BUDGET);
        loop {
            let mut truncated = false;
            let mut candidates: Vec<(u32, DocId)> = Vec::new();
            let readers = self.inner.searcher.segment_readers();
            if self.inner.ordered {
                // Segments hold consecutive runs of the static order: a pass reads them as
                // one list, with one budget.
                let mut first_complete = false;
                for (k, pass) in plan.passes.iter().enumerate() {
                    if k >= 1 && k <= plan.covering && first_complete {
                        continue;
                    }
                    let mut left = budget;
                    let mut complete = true;
                    for (seg, reader) in readers.iter().enumerate() {
                        let cols = self.values(seg);
                        let (outcome, taken) =
                            self.collect_counted(pass.as_ref(), reader, cols, q, left, &mut |d| {
                                candidates.push((seg as u32, d))
                            })?;
                        left -= taken;
                        match outcome {
                            Outcome::Exhausted => {}
                            Outcome::Stopped => break,
                            Outcome::Budget => {
                                truncated = true;
                                complete = false;
                                break;
                            }
                        }
                    }
                    if k == 0 {
                        first_complete = complete;
                    }
                }
            } else {
                for (seg, reader) in readers.iter().enumerate() {
                    let cols = self.values(seg);
                    let mut first_complete = false;
                    for (k, pass) in plan.passes.iter().enumerate() {
                        if k >= 1 && k <= plan.covering && first_complete {
                            continue;
                        }
                        let cut =
                            self.collect(pass.as_ref(), reader, cols, q, budget, &mut |d| {
                                candidates.push((seg as u32, d));
                            })?;
                        truncated |= cut;
                        if k == 0 {
                            first_complete = !cut;
                        }
                    }
                }
            }
            let ranking = self.rank(&plan, candidates)?;
            if !truncated || ranking.hits.len() >= wanted {
                return Ok(ranking);
            }
            budget = budget.saturating_mul(8);
        }
    }

    /// The descriptions whose normalised term is `key`.
    fn exact_query(&self, key: &str) -> Box<dyn Query> {
        let readers = self.inner.searcher.segment_readers();
        match (&self.inner.keys, self.inner.fields.exact) {
            (Some(keys), _) => {
                let hash = exact_hash(key);
                Box::new(DocListQuery::new(
                    readers
                        .iter()
                        .map(|r| (r.segment_id(), keys.exact(r.segment_id(), hash)))
                        .collect(),
                ))
            }
            (None, Some(field)) => Self::term_query(field, key),
            (None, None) => Box::new(tantivy::query::EmptyQuery),
        }
    }

    /// Ranks the descriptions of the concept with SCTID `id`.
    fn rank_code(&self, id: u64, q: &SearchQuery<'_>) -> Result<Ranking, SearchError> {
        let term_q: Box<dyn Query> = match &self.inner.keys {
            Some(keys) => {
                let readers = self.inner.searcher.segment_readers();
                Box::new(DocListQuery::new(
                    readers
                        .iter()
                        .enumerate()
                        .map(|(seg, r)| {
                            let cols = self.values(seg);
                            let concept_of = |doc| cols.concept_id(doc).unwrap_or(u64::MAX);
                            (r.segment_id(), keys.concept(r.segment_id(), concept_of, id))
                        })
                        .collect(),
                ))
            }
            // older indexes: concept ids as a (fast, indexed) field
            None => match self.inner.fields.fast {
                Some(f) => Box::new(TermQuery::new(
                    Term::from_field_u64(f.concept_id, id),
                    IndexRecordOption::Basic,
                )),
                None => Box::new(tantivy::query::EmptyQuery),
            },
        };
        let plan = Plan {
            q,
            n_tokens: 0,
            passes: vec![self.weight(self.with_filters(q, vec![term_q]).as_ref())?],
            covering: 0,
            exact: None,
            whole: Vec::new(),
            start: Vec::new(),
            prefix: Vec::new(),
            near: Vec::new(),
            distances: Vec::new(),
        };
        let mut candidates = Vec::new();
        for (seg, reader) in self.inner.searcher.segment_readers().iter().enumerate() {
            let cols = self.values(seg);
            self.collect(plan.passes[0].as_ref(), reader, cols, q, usize::MAX, &mut |d| {
                candidates.push((seg as u32, d))
            })?;
        }
        self.rank(&plan, candidates)
    }

    /// Computes sort keys, sorts, de-duplicates and applies offset and limit.
    fn rank(
        &self,
        plan: &Plan<'_>,
        mut candidates: Vec<(u32, DocId)>,
    ) -> Result<Ranking, SearchError> {
        candidates.sort_unstable();
        candidates.dedup();
        let q = plan.q;
        let found = !candidates.is_empty();
        let mut ranked = Vec::with_capacity(candidates.len());
        let readers = self.inner.searcher.segment_readers();
        let mut i = 0;
        while i < candidates.len() {
            let seg = candidates[i].0;
            let reader = &readers[seg as usize];
            let cols = self.values(seg as usize);
            let scorers = |ws: &[Box<dyn Weight>]| -> Result<Vec<Box<dyn Scorer>>, SearchError> {
                ws.iter().map(|w| w.scorer(reader, 1.0).map_err(self.err("ranking"))).collect()
            };
            let mut exact = match &plan.exact {
                Some(w) => Some(w.scorer(reader, 1.0).map_err(self.err("ranking"))?),
                None => None,
            };
            let mut whole = scorers(&plan.whole)?;
            let mut start = scorers(&plan.start)?;
            let mut prefix = scorers(&plan.prefix)?;
            let mut near = plan
                .near
                .iter()
                .map(|w| w.as_ref().map(|w| w.scorer(reader, 1.0)).transpose())
                .collect::<Result<Vec<_>, _>>()
                .map_err(self.err("ranking"))?;
            while i < candidates.len() && candidates[i].0 == seg {
                let doc = candidates[i].1;
                i += 1;
                let is_exact = exact.as_mut().is_some_and(|s| contains(s.as_mut(), doc));
                let whole_n =
                    whole.iter_mut().map(|s| contains(s.as_mut(), doc)).filter(|&b| b).count();
                let is_start = start.iter_mut().any(|s| contains(s.as_mut(), doc));
                let mut fuzzy_cost = 0u32;
                for (t, scorer) in prefix.iter_mut().enumerate() {
                    if contains(scorer.as_mut(), doc) {
                        continue;
                    }
                    let close = near[t].as_mut().is_some_and(|s| contains(s.as_mut(), doc));
                    fuzzy_cost += if close { 1 } else { u32::from(plan.distances[t]) };
                }
                let pref = cols.preference(doc, q.language_refsets);
                let len = cols.len(doc).unwrap_or(u64::MAX);
                let n = plan.n_tokens;
                let key = RankKey {
                    not_exact: !is_exact,
                    fuzzy_cost: fuzzy_cost.min(255) as u8,
                    partial_tokens: n.saturating_sub(whole_n).min(255) as u8,
                    // The term-start bonus rewards a typed prefix that begins the term;
                    // among typo matches it would reward the wrong token ("livr struc":
                    // "Structure of ligament of liver" starts with the exact "struc",
                    // "Liver structure" with the misspelt "livr"), so it applies only to
                    // exact-prefix matches.
                    not_term_start: n > 0 && !is_start && fuzzy_cost == 0,
                    preference: pref,
                    len,
                    concept_id: cols.concept_id(doc).unwrap_or(u64::MAX),
                    description_id: cols.description_id(doc).unwrap_or(u64::MAX),
                };
                let score =
                    score(is_exact, fuzzy_cost, whole_n, is_start || fuzzy_cost > 0, pref, len);
                ranked.push(Ranked {
                    key,
                    seg,
                    doc,
                    concept_index: cols.concept_index(doc).unwrap_or(u32::MAX),
                    score,
                });
            }
        }
        ranked.sort_unstable_by_key(|r| r.key);
        let wanted = q.offset.saturating_add(q.limit);
        let mut hits = Vec::with_capacity(wanted.min(ranked.len()));
        let mut seen = HashSet::new();
        for r in ranked {
            if hits.len() == wanted {
                break;
            }
            if q.one_per_concept && !seen.insert(r.concept_index) {
                continue;
            }
            hits.push(r);
        }
        Ok(Ranking { hits, found })
    }

    /// Applies the offset and reads the terms of the final hits.
    fn hits(&self, ranked: &[Ranked], offset: usize) -> Result<Vec<Hit>, SearchError> {
        ranked.iter().skip(offset).map(|r| self.hit(r)).collect()
    }

    fn hit(&self, r: &Ranked) -> Result<Hit, SearchError> {
        let cols = self.values(r.seg as usize);
        let term = if self.inner.stored_terms {
            let doc: TantivyDocument = self
                .inner
                .searcher
                .doc(DocAddress::new(r.seg, r.doc))
                .map_err(self.err("reading a stored term"))?;
            doc.get_first(self.inner.fields.term)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        } else {
            String::new()
        };
        Ok(Hit {
            concept_id: cols.concept_id(r.doc).unwrap_or(0),
            concept_index: r.concept_index,
            description_id: cols.description_id(r.doc).unwrap_or(0),
            term,
            score: r.score,
        })
    }
}

/// A descriptive score that never increases along a ranked list: 24 bits (exactly
/// representable in an `f32`) packing, from most to least significant, exact match (1 bit),
/// inverted fuzzy cost (4), whole-word tokens (4), term start (1), inverted language preference
/// (5) and inverted length (9).
fn score(exact: bool, fuzzy_cost: u32, whole_n: usize, start: bool, pref: u32, len: u64) -> f32 {
    let v = (u32::from(exact) << 23)
        | ((15 - fuzzy_cost.min(15)) << 19)
        | ((whole_n.min(15) as u32) << 15)
        | (u32::from(start) << 14)
        | ((31 - pref.min(31)) << 9)
        | (511 - len.min(511) as u32);
    v as f32
}
