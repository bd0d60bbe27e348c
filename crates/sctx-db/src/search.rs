//! Clinical search: building the index during import and querying it with filters.

use std::path::Path;

use roaring::RoaringBitmap;
use sctx_search::{Fuzzy, IndexBuilder, IndexStats, SearchDoc, SearchQuery};
use sctx_store::{CoreView, DescriptionView, Store};
use sctx_types::{LanguagePreference, ids};
use serde::Serialize;

use crate::{Database, DbError};

/// Where the search index's documents come from: an open [`Store`], or the core archive
/// an import has just compiled ([`CoreView`]), which gives the same answers.
pub trait DescriptionSource: Sync {
    /// Number of descriptions.
    fn description_count(&self) -> u32;
    /// The description at position `i`.
    fn description_at(&self, i: u32) -> Option<DescriptionView<'_>>;
    /// SCTID of the concept with dense index `idx`.
    fn id_of(&self, idx: u32) -> u64;
    /// Whether that concept is active.
    fn is_active(&self, idx: u32) -> bool;
}

impl DescriptionSource for Store {
    fn description_count(&self) -> u32 {
        Store::description_count(self)
    }
    fn description_at(&self, i: u32) -> Option<DescriptionView<'_>> {
        Store::description_at(self, i)
    }
    fn id_of(&self, idx: u32) -> u64 {
        Store::id_of(self, idx)
    }
    fn is_active(&self, idx: u32) -> bool {
        Store::is_active(self, idx)
    }
}

impl DescriptionSource for CoreView<'_> {
    fn description_count(&self) -> u32 {
        CoreView::description_count(self)
    }
    fn description_at(&self, i: u32) -> Option<DescriptionView<'_>> {
        CoreView::description_at(self, i)
    }
    fn id_of(&self, idx: u32) -> u64 {
        CoreView::id_of(self, idx)
    }
    fn is_active(&self, idx: u32) -> bool {
        CoreView::is_active(self, idx)
    }
}

/// Builds the search index of a store (or of a core archive being written) into `dir`, as
/// `import` does: one document per description; terms are not stored in the index (they
/// are read from the store).
pub fn build_search_index(
    store: &impl DescriptionSource,
    dir: &Path,
) -> Result<IndexStats, DbError> {
    let err = |e: sctx_search::SearchError| DbError::Search(e.to_string());
    let mut b = IndexBuilder::create(dir, 300_000_000).map_err(err)?;
    // terms are read from the store by description id: not stored twice
    b.store_terms(false);
    // the documents borrow their terms from the store; the two halves are collected on two
    // threads
    let n = store.description_count();
    let half = n / 2;
    let (first, second) = std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("sctx-search-docs".into())
            .spawn_scoped(scope, || search_docs(store, half..n));
        let first = search_docs(store, 0..half);
        let second = match other {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => search_docs(store, half..n),
        };
        (first, second)
    });
    b.add_batch(first);
    b.add_batch(second);
    b.finish().map_err(err)
}

/// The search documents of the store's descriptions at positions `range`.
fn search_docs(store: &impl DescriptionSource, range: std::ops::Range<u32>) -> Vec<SearchDoc<'_>> {
    let mut out = Vec::with_capacity(range.len());
    for i in range {
        let Some(d) = store.description_at(i) else { continue };
        let mut preferred_in = Vec::new();
        let mut acceptable_in = Vec::new();
        for (r, a) in d.acceptability() {
            if a == ids::PREFERRED {
                preferred_in.push(r);
            } else {
                acceptable_in.push(r);
            }
        }
        out.push(SearchDoc {
            description_id: d.id,
            concept_id: store.id_of(d.concept),
            concept_index: d.concept,
            term: d.term.into(),
            type_id: d.type_id,
            language_code: d.language_code.into(),
            active: d.active,
            concept_active: store.is_active(d.concept),
            preferred_in,
            acceptable_in,
        });
    }
    out
}

pub(crate) fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    if e.path().is_dir() {
                        dir_size(&e.path())
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Options for [`Database::search`].
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Maximum hits (default 10 when 0).
    pub limit: usize,
    /// Skip this many hits.
    pub offset: usize,
    /// Typo tolerance: `Some(true)` always, `Some(false)` never, `None` retry on no result.
    pub fuzzy: Option<bool>,
    /// Include inactive concepts and descriptions.
    pub include_inactive: bool,
    /// Only descendants-or-self of these concepts.
    pub is_a: Vec<String>,
    /// Only members of these refsets.
    pub refsets: Vec<String>,
    /// Only concepts matching this ECL.
    pub ecl: Option<String>,
    /// Only these description types: `fsn`, `synonym`, `definition` or type ids.
    pub types: Vec<String>,
    /// Only descriptions in these language codes (`en`).
    pub language_codes: Vec<String>,
    /// All matching descriptions instead of the best one per concept.
    pub all_descriptions: bool,
    /// Only these concepts (dense indices), e.g. a value set being expanded.
    pub concept_filter: Option<RoaringBitmap>,
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// Concept id.
    pub concept_id: String,
    /// The matching description's term.
    pub term: String,
    /// The matching description's id.
    pub description_id: String,
    /// The concept's preferred term in the requested language.
    pub preferred_term: Option<String>,
    /// Whether the concept is active.
    pub active: bool,
    /// Rank score (higher is better; non-increasing down the list).
    pub score: f32,
}

/// Hits of a search.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    /// The query text.
    pub query: String,
    /// The hits.
    pub hits: Vec<SearchHit>,
}

impl Database {
    /// Whether a search index is present.
    pub fn has_search(&self) -> bool {
        self.search.is_some()
    }

    /// The descendants of `i` and `i` itself as a bitmap; large ones are cached (32 most
    /// recently used), since building a 100k-concept bitmap costs about a millisecond.
    fn descendants_or_self_bitmap(&self, i: u32) -> std::sync::Arc<RoaringBitmap> {
        const CACHE_FROM: usize = 10_000;
        const CAPACITY: usize = 32;
        let d = self.store().descendants(i);
        let build = || {
            // descendants are sorted: appending them is much cheaper than inserting
            let mut b = RoaringBitmap::from_sorted_iter(d.iter().copied())
                .unwrap_or_else(|_| d.iter().copied().collect());
            b.insert(i);
            std::sync::Arc::new(b)
        };
        if d.len() < CACHE_FROM {
            return build();
        }
        {
            let mut c = self.is_a_cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(pos) = c.iter().position(|(k, _)| *k == i) {
                let hit = c.remove(pos);
                let out = hit.1.clone();
                c.push(hit);
                return out;
            }
        }
        let b = build();
        let mut c = self.is_a_cache.lock().unwrap_or_else(|p| p.into_inner());
        if c.len() >= CAPACITY {
            c.remove(0);
        }
        c.push((i, b.clone()));
        b
    }

    /// Concept filter bitmap for `is_a`, `refsets` and `ecl` (intersected), if any.
    fn search_filter(&self, o: &SearchOptions) -> Result<Option<RoaringBitmap>, DbError> {
        let s = self.store();
        let mut filter: Option<RoaringBitmap> = None;
        let mut and = |b: RoaringBitmap| {
            filter = Some(match filter.take() {
                Some(f) => f & b,
                None => b,
            })
        };
        if !o.is_a.is_empty() {
            let mut b = RoaringBitmap::new();
            for id in &o.is_a {
                let i = self.concept_index(id)?;
                b |= &*self.descendants_or_self_bitmap(i);
            }
            and(b);
        }
        if !o.refsets.is_empty() {
            let mut b = RoaringBitmap::new();
            for id in &o.refsets {
                let r = crate::parse_id(id)?;
                for m in s.members_of(r).filter(|m| m.active) {
                    if let Some(i) = s.index_of(m.referenced) {
                        b.insert(i);
                    }
                }
            }
            and(b);
        }
        if let Some(b) = &o.concept_filter {
            and(b.clone());
        }
        if let Some(e) = &o.ecl {
            and(self.ecl_set(e, sctx_ecl::Limits::default())?);
        }
        Ok(filter)
    }

    /// Builds the index query of `text` and `o` and hands it to `run` with the filter.
    fn with_query<R>(
        &self,
        text: &str,
        o: &SearchOptions,
        lang: &LanguagePreference,
        run: impl FnOnce(
            &sctx_search::SearchIndex,
            &SearchQuery<'_>,
            Option<&RoaringBitmap>,
        ) -> Result<R, DbError>,
    ) -> Result<R, DbError> {
        let Some(index) = &self.search else {
            return Err(DbError::Search("this database has no search index; re-import it".into()));
        };
        let filter = self.search_filter(o)?;
        let mut types = Vec::new();
        for t in &o.types {
            types.push(match t.to_ascii_lowercase().as_str() {
                "fsn" => ids::FSN,
                "synonym" | "syn" => ids::SYNONYM,
                "definition" | "def" => ids::DEFINITION,
                other => crate::parse_id(other)?,
            });
        }
        let mut q = SearchQuery::new(text);
        q.limit = if o.limit == 0 { 10 } else { o.limit };
        q.offset = o.offset;
        q.language_refsets = &lang.refsets;
        q.fuzzy = match o.fuzzy {
            Some(true) => Fuzzy::On,
            Some(false) => Fuzzy::Off,
            None => Fuzzy::Auto,
        };
        q.include_inactive = o.include_inactive;
        q.concept_filter = filter.as_ref();
        q.type_ids = (!types.is_empty()).then_some(&types[..]);
        q.language_codes = (!o.language_codes.is_empty()).then_some(&o.language_codes[..]);
        q.one_per_concept = !o.all_descriptions;
        run(index, &q, filter.as_ref())
    }

    /// How many concepts (descriptions with `all_descriptions`) match a search, ignoring
    /// `limit` and `offset` (exact prefixes only, unless `fuzzy` is `Some(true)`).
    pub fn search_count(
        &self,
        text: &str,
        o: &SearchOptions,
        lang: &LanguagePreference,
    ) -> Result<u64, DbError> {
        self.with_query(text, o, lang, |index, q, _| {
            index.count(q).map_err(|e| DbError::Search(e.to_string()))
        })
    }

    /// Autocomplete search.
    pub fn search(
        &self,
        text: &str,
        o: &SearchOptions,
        lang: &LanguagePreference,
    ) -> Result<SearchResult, DbError> {
        self.with_query(text, o, lang, |index, q, filter| {
            let hits = index.search(q).map_err(|e| DbError::Search(e.to_string()))?;
            let s = self.store();
            let hits: Vec<SearchHit> = hits
                .into_iter()
                .map(|h| SearchHit {
                    concept_id: h.concept_id.to_string(),
                    description_id: h.description_id.to_string(),
                    preferred_term: s.preferred_term(h.concept_index, lang).map(str::to_string),
                    active: s.is_active(h.concept_index),
                    term: if h.term.is_empty() {
                        s.description(h.description_id)
                            .map(|d| d.term.to_string())
                            .unwrap_or_default()
                    } else {
                        h.term
                    },
                    score: h.score,
                })
                .collect();
            // a typed Read v2 / CTV3 code leads to the concepts it maps to, first
            let hits = self.with_legacy_code_hits(text, hits, filter, lang, q.limit);
            Ok(SearchResult { query: text.to_string(), hits })
        })
    }
}
