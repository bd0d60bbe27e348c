//! Per-document values kept beside the tantivy index (`sctx-docs.bin`): each description's
//! id, concept, type, flags, length and language-refset acceptability, by doc id.
//!
//! These were nine tantivy fast fields. Recording every value into tantivy's columnar
//! writer and serialising the columns (estimating codecs, sorting value runs) cost about
//! 2.5 CPU-seconds of the International index build, for data the builder already holds in
//! doc-id order (BENCHMARKS.md). Here they are plain arrays per segment, written in one
//! pass; the few distinct description types and acceptability combinations are codes into a
//! dictionary, and concept SCTIDs are one table by concept index.
//!
//! File layout (all integers little-endian):
//!
//! ```text
//! header   "SCTXDOC1" | segments: u32 | 0: u32 | xxh3-64 of everything after the header: u64
//! dict     types: u32 | refsets: u32 | langsets: u32 | concepts: u32 (PER_DOC: ids per document)
//!          | languages: u32
//!          type ids [u64; types] | refset ids [u64; refsets]
//!          languages: per code, its length u8 then its bytes (lower case)
//!          langsets: per set, preferred: u32, acceptable: u32, then that many refset codes u16
//!          concept ids by concept index [u64; concepts]
//! entries  per segment: uuid (32 ASCII hex) | max_doc: u32 | 0: u32
//! body     per segment: description ids [u64; max_doc] | concept ids [u64; max_doc] (PER_DOC
//!          only) | concept indexes [u32; max_doc] | lengths [u16; max_doc]
//!          | langset codes [u16; max_doc] | type codes [u8; max_doc] | flags [u8; max_doc]
//!          | language codes [u8; max_doc]
//! ```

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use tantivy::DocId;
use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentId;

use crate::SearchError;
use crate::build::{Ranked, rank_len};
use crate::keys::{HEADER, open_mapped, verify_mapped, write_side_file};
use crate::prefixes::{u32_at, u64_at};
use crate::schema::{FLAG_ACTIVE, FLAG_CONCEPT_ACTIVE};

/// File name of the document values inside the index directory.
pub(crate) const DOCS_FILE: &str = "sctx-docs.bin";
/// Commit payload word marking an index whose per-document values are in [`DOCS_FILE`]
/// (older indexes, and the fallback build, have them as tantivy fast fields).
pub(crate) const DOCS_PAYLOAD: &str = "docs1";

const MAGIC: &[u8; 8] = b"SCTXDOC1";
const ENTRY: usize = 40;
const DICT: usize = 20;
/// `concepts` value meaning concept SCTIDs are stored per document (the concept indexes
/// are too sparse for a table).
const PER_DOC: u32 = u32::MAX;
/// Bytes per document in a segment body, without and with per-document concept ids.
const ROW: usize = 8 + 4 + 2 + 2 + 1 + 1 + 1;

/// Interns values into small codes.
struct Codes<K> {
    values: Vec<K>,
    code: FxHashMap<K, usize>,
}

impl<K: std::hash::Hash + Eq + Clone> Codes<K> {
    fn new() -> Self {
        Self { values: Vec::new(), code: FxHashMap::default() }
    }
    fn get(&mut self, k: &K) -> usize {
        if let Some(&c) = self.code.get(k) {
            return c;
        }
        let c = self.values.len();
        self.values.push(k.clone());
        self.code.insert(k.clone(), c);
        c
    }
}

/// Writes [`DOCS_FILE`] into `dir`: per segment (in segment order) its id and its documents
/// with their static rank, in doc-id order.
pub(crate) fn write(
    dir: &Path,
    segments: &[(SegmentId, &[Ranked<'_, '_>])],
) -> Result<(), SearchError> {
    let parts: Vec<&[Ranked<'_, '_>]> = segments.iter().map(|(_, d)| *d).collect();
    let ids: Vec<SegmentId> = segments.iter().map(|(id, _)| *id).collect();
    write_encoded(dir, &encode(dir, &parts)?, &ids)
}

/// The document values of segments, encoded but not yet tied to the segments' ids (which
/// are known only once tantivy has committed them): the encoding runs beside the indexing.
#[derive(Debug)]
pub(crate) struct Encoded {
    dict: Vec<u8>,
    max_docs: Vec<u32>,
    body: Vec<u8>,
}

/// Encodes the document values of `segments` (each one's documents with their static
/// rank, in doc-id order), as [`write`] stores them.
pub(crate) fn encode(dir: &Path, segments: &[&[Ranked<'_, '_>]]) -> Result<Encoded, SearchError> {
    let bad = |detail: String| SearchError::Incompatible { dir: dir.to_path_buf(), detail };
    // concept ids by concept index: a table when the indexes are dense enough
    let docs: usize = segments.iter().map(|d| d.len()).sum();
    let max_index = segments.iter().flat_map(|d| d.iter().map(|d| d.1.concept_index)).max();
    let table_len = max_index.map_or(0, |m| m as usize + 1);
    let dense = table_len <= docs.saturating_mul(4).saturating_add(1 << 16);
    let mut concept_ids: Vec<u64> = if dense { vec![u64::MAX; table_len] } else { Vec::new() };
    let mut types = Codes::new();
    let mut languages: Codes<String> = Codes::new();
    let mut last_language: Option<(&str, u8)> = None;
    let mut refsets = Codes::new();
    let mut langsets: Codes<(Vec<u16>, Vec<u16>)> = Codes::new();
    let mut max_docs = Vec::with_capacity(segments.len());
    let mut body = Vec::with_capacity(docs * (ROW + if dense { 0 } else { 8 }));
    // the acceptability combinations seen so far (there are few; consecutive documents
    // alternate between them), so that a document's code is found without allocating
    let mut seen: Vec<(&[u64], &[u64], u16)> = Vec::new();
    let mut codes = |ids: &[u64]| -> Result<Vec<u16>, SearchError> {
        ids.iter()
            .map(|&r| {
                u16::try_from(refsets.get(&r))
                    .map_err(|_| bad("more than 65,536 language reference sets".into()))
            })
            .collect()
    };
    for seg in segments {
        max_docs.push(u32::try_from(seg.len()).map_err(|_| bad("too many documents".into()))?);
        // one pass over the documents (each is a random access: they are in rank order, not
        // where they were collected), filling one buffer per column
        let n = seg.len();
        let mut ids = Vec::with_capacity(n * 8);
        let mut per_doc_concepts = Vec::with_capacity(if dense { 0 } else { n * 8 });
        let mut indexes = Vec::with_capacity(n * 4);
        let mut lens = Vec::with_capacity(n * 2);
        let mut langset_codes = Vec::with_capacity(n * 2);
        let mut type_codes = Vec::with_capacity(n);
        let mut flag_bytes = Vec::with_capacity(n);
        let mut language_codes = Vec::with_capacity(n);
        let mut last_type: Option<(u64, u8)> = None;
        for (rank, d) in seg.iter() {
            ids.extend_from_slice(&d.description_id.to_le_bytes());
            if dense {
                let slot = &mut concept_ids[d.concept_index as usize];
                if *slot != u64::MAX && *slot != d.concept_id {
                    return Err(bad(format!(
                        "concept index {} is given for concepts {} and {}",
                        d.concept_index, *slot, d.concept_id
                    )));
                }
                *slot = d.concept_id;
            } else {
                per_doc_concepts.extend_from_slice(&d.concept_id.to_le_bytes());
            }
            indexes.extend_from_slice(&d.concept_index.to_le_bytes());
            let len = u16::try_from(rank_len(*rank, d)).unwrap_or(u16::MAX);
            lens.extend_from_slice(&len.to_le_bytes());
            let (p, a) = (&d.preferred_in[..], &d.acceptable_in[..]);
            let code = match seen.iter().find(|(sp, sa, _)| *sp == p && *sa == a) {
                Some(&(_, _, c)) => c,
                None => {
                    let key = (codes(p)?, codes(a)?);
                    let c = u16::try_from(langsets.get(&key)).map_err(|_| {
                        bad("more than 65,536 combinations of language acceptability".into())
                    })?;
                    // (bounded: with many combinations, the dictionary answers the rest)
                    if seen.len() < 64 {
                        seen.push((p, a, c));
                    }
                    c
                }
            };
            langset_codes.extend_from_slice(&code.to_le_bytes());
            let code = match last_type {
                Some((t, c)) if t == d.type_id => c,
                _ => {
                    let c = u8::try_from(types.get(&d.type_id))
                        .map_err(|_| bad("more than 256 description types".into()))?;
                    last_type = Some((d.type_id, c));
                    c
                }
            };
            type_codes.push(code);
            let mut flags = 0;
            if d.active {
                flags |= FLAG_ACTIVE as u8;
            }
            if d.concept_active {
                flags |= FLAG_CONCEPT_ACTIVE as u8;
            }
            flag_bytes.push(flags);
            let code = match last_language {
                Some((l, c)) if l == d.language_code => c,
                _ => {
                    let lower = d.language_code.to_ascii_lowercase();
                    if lower.len() > usize::from(u8::MAX) {
                        return Err(bad(format!("language code {lower:?} is too long")));
                    }
                    let c = u8::try_from(languages.get(&lower))
                        .map_err(|_| bad("more than 256 language codes".into()))?;
                    last_language = Some((&d.language_code, c));
                    c
                }
            };
            language_codes.push(code);
        }
        for column in [
            ids,
            per_doc_concepts,
            indexes,
            lens,
            langset_codes,
            type_codes,
            flag_bytes,
            language_codes,
        ] {
            body.extend_from_slice(&column);
        }
    }
    let mut dict = Vec::new();
    let n_concepts = if dense { len32(dir, concept_ids.len())? } else { PER_DOC };
    for n in [
        len32(dir, types.values.len())?,
        len32(dir, refsets.values.len())?,
        len32(dir, langsets.values.len())?,
        n_concepts,
        len32(dir, languages.values.len())?,
    ] {
        dict.extend_from_slice(&n.to_le_bytes());
    }
    dict.extend(types.values.iter().flat_map(|t| t.to_le_bytes()));
    dict.extend(refsets.values.iter().flat_map(|r| r.to_le_bytes()));
    for l in &languages.values {
        dict.push(l.len() as u8);
        dict.extend_from_slice(l.as_bytes());
    }
    for (p, a) in &langsets.values {
        dict.extend_from_slice(&len32(dir, p.len())?.to_le_bytes());
        dict.extend_from_slice(&len32(dir, a.len())?.to_le_bytes());
        dict.extend(p.iter().chain(a).flat_map(|c| c.to_le_bytes()));
    }
    dict.extend(concept_ids.iter().flat_map(|c| c.to_le_bytes()));
    Ok(Encoded { dict, max_docs, body })
}

/// Writes [`DOCS_FILE`] into `dir` from encoded values whose segments have the ids `ids`
/// (in segment order).
pub(crate) fn write_encoded(
    dir: &Path,
    enc: &Encoded,
    ids: &[SegmentId],
) -> Result<(), SearchError> {
    let path = dir.join(DOCS_FILE);
    if ids.len() != enc.max_docs.len() {
        return Err(SearchError::Incompatible {
            dir: dir.to_path_buf(),
            detail: format!(
                "document values encoded for {} segments, the index has {}",
                enc.max_docs.len(),
                ids.len()
            ),
        });
    }
    let mut entries = Vec::with_capacity(ids.len() * ENTRY);
    for (id, max_doc) in ids.iter().zip(&enc.max_docs) {
        let uuid = id.uuid_string();
        if uuid.len() != 32 {
            return Err(SearchError::Corrupt { path, detail: format!("segment id {uuid:?}") });
        }
        entries.extend_from_slice(uuid.as_bytes());
        entries.extend_from_slice(&max_doc.to_le_bytes());
        entries.extend_from_slice(&0u32.to_le_bytes());
    }
    let n = len32(dir, ids.len())?;
    let parts: [&[u8]; 3] = [&enc.dict, &entries, &enc.body];
    write_side_file(dir, DOCS_FILE, MAGIC, n, &parts, "writing the document values")
}

fn len32(dir: &Path, n: usize) -> Result<u32, SearchError> {
    u32::try_from(n).map_err(|_| SearchError::Incompatible {
        dir: dir.to_path_buf(),
        detail: format!("{n} entries do not fit the document values format"),
    })
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).and_then(|s| s.try_into().ok()).map(u16::from_le_bytes)
}

/// Where one segment's arrays start.
#[derive(Debug, Clone)]
struct SegmentLayout {
    max_doc: u32,
    description_ids: usize,
    /// Per-document concept ids (`PER_DOC` files only).
    concept_ids: Option<usize>,
    concept_indexes: usize,
    lengths: usize,
    langsets: usize,
    types: usize,
    flags: usize,
    languages: usize,
}

/// The opened document values (memory-mapped through tantivy's directory).
pub(crate) struct DocTable {
    path: PathBuf,
    bytes: OwnedBytes,
    types: Vec<u64>,
    /// Language codes (lower case).
    languages: Vec<String>,
    /// Per acceptability combination: the refsets it is preferred in, then acceptable in.
    langsets: Vec<(Vec<u64>, Vec<u64>)>,
    /// Offset of the concept id table and its length (0 with per-document ids).
    concepts: usize,
    n_concepts: usize,
    segments: Vec<SegmentLayout>,
}

impl std::fmt::Debug for DocTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocTable").field("path", &self.path).finish_non_exhaustive()
    }
}

impl DocTable {
    /// Opens the document values of the index in `dir` and checks their structure against
    /// the segments (`(id, max_doc)`, in order). The checksum is checked by
    /// [`DocTable::verify`].
    pub(crate) fn open(dir: &Path, segments: &[(SegmentId, u32)]) -> Result<Self, SearchError> {
        let (path, bytes) = open_mapped(dir, DOCS_FILE, MAGIC, "document values")?;
        let b = bytes.as_slice();
        let bad = |detail: String| SearchError::Corrupt { path: path.clone(), detail };
        let truncated = || bad(format!("{} bytes: truncated", b.len()));
        let n = u32_at(b, 8).ok_or_else(truncated)? as usize;
        if n != segments.len() {
            return Err(bad(format!("{n} segments, the index has {}", segments.len())));
        }
        let count = |k: usize| u32_at(b, HEADER + 4 * k).ok_or_else(truncated);
        let (n_types, n_refsets, n_langsets, n_concepts) =
            (count(0)?, count(1)?, count(2)?, count(3)?);
        let n_languages = count(4)?;
        let mut at = HEADER + DICT;
        let u64s = |n: u32, at: &mut usize| -> Result<Vec<u64>, SearchError> {
            let v = (0..n as usize)
                .map(|i| u64_at(b, *at + 8 * i).ok_or_else(truncated))
                .collect::<Result<Vec<_>, _>>()?;
            *at += 8 * n as usize;
            Ok(v)
        };
        let types = u64s(n_types, &mut at)?;
        let refsets = u64s(n_refsets, &mut at)?;
        let mut languages = Vec::new();
        for _ in 0..n_languages {
            let len = usize::from(*b.get(at).ok_or_else(truncated)?);
            let bytes = b.get(at + 1..at + 1 + len).ok_or_else(truncated)?;
            let code = std::str::from_utf8(bytes)
                .map_err(|_| bad(format!("language code at byte {at} is not UTF-8")))?;
            languages.push(code.to_string());
            at += 1 + len;
        }
        let mut langsets = Vec::new();
        for _ in 0..n_langsets {
            let p = u32_at(b, at).ok_or_else(truncated)? as usize;
            let a = u32_at(b, at + 4).ok_or_else(truncated)? as usize;
            at += 8;
            let list = |n: usize, at: &mut usize| -> Result<Vec<u64>, SearchError> {
                let v = (0..n)
                    .map(|i| {
                        let c = u16_at(b, *at + 2 * i).ok_or_else(truncated)?;
                        refsets
                            .get(c as usize)
                            .copied()
                            .ok_or_else(|| bad(format!("refset code {c} out of range")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                *at += 2 * n;
                Ok(v)
            };
            let preferred = list(p, &mut at)?;
            let acceptable = list(a, &mut at)?;
            langsets.push((preferred, acceptable));
        }
        let per_doc = n_concepts == PER_DOC;
        let concepts = at;
        let n_concepts = if per_doc { 0 } else { n_concepts as usize };
        at += 8 * n_concepts;
        let entries = at;
        at += n * ENTRY;
        let mut out = Vec::with_capacity(n);
        for (k, &(segment, max_doc)) in segments.iter().enumerate() {
            let e = entries + k * ENTRY;
            let uuid = b.get(e..e + 32).ok_or_else(truncated)?;
            if uuid != segment.uuid_string().as_bytes() {
                return Err(bad(format!("segment {k} is not the index's segment {segment:?}")));
            }
            let seg_max = u32_at(b, e + 32).ok_or_else(truncated)?;
            if seg_max != max_doc {
                return Err(bad(format!("segment {k} has {seg_max} documents, not {max_doc}")));
            }
            let m = max_doc as usize;
            let description_ids = at;
            at += 8 * m;
            let concept_ids = per_doc.then_some(at);
            if per_doc {
                at += 8 * m;
            }
            let concept_indexes = at;
            let lengths = concept_indexes + 4 * m;
            let langsets = lengths + 2 * m;
            let types = langsets + 2 * m;
            let flags = types + m;
            let languages = flags + m;
            at = languages + m;
            out.push(SegmentLayout {
                max_doc,
                description_ids,
                concept_ids,
                concept_indexes,
                lengths,
                langsets,
                types,
                flags,
                languages,
            });
        }
        if at != b.len() {
            return Err(bad(format!("{} bytes, the values need {at} (truncated?)", b.len())));
        }
        Ok(Self { path, bytes, types, languages, langsets, concepts, n_concepts, segments: out })
    }

    /// Checks the file's checksum.
    pub(crate) fn verify(&self) -> Result<(), SearchError> {
        verify_mapped(&self.path, &self.bytes)
    }

    /// The values of segment `seg` (by position), if it exists.
    pub(crate) fn segment(&self, seg: usize) -> Option<DocValues<'_>> {
        self.segments.get(seg).map(|s| DocValues { table: self, s })
    }
}

/// One segment's document values. Out-of-range documents and codes (a damaged file whose
/// checksum is not checked yet) read as `None` or zero, never panic.
#[derive(Clone, Copy)]
pub(crate) struct DocValues<'t> {
    table: &'t DocTable,
    s: &'t SegmentLayout,
}

impl<'t> DocValues<'t> {
    fn b(&self) -> &[u8] {
        self.table.bytes.as_slice()
    }

    fn ok(&self, doc: DocId) -> Option<usize> {
        (doc < self.s.max_doc).then_some(doc as usize)
    }

    pub(crate) fn description_id(&self, doc: DocId) -> Option<u64> {
        u64_at(self.b(), self.s.description_ids + 8 * self.ok(doc)?)
    }

    pub(crate) fn concept_index(&self, doc: DocId) -> Option<u32> {
        u32_at(self.b(), self.s.concept_indexes + 4 * self.ok(doc)?)
    }

    pub(crate) fn concept_id(&self, doc: DocId) -> Option<u64> {
        match self.s.concept_ids {
            Some(at) => u64_at(self.b(), at + 8 * self.ok(doc)?),
            None => {
                let i = self.concept_index(doc)? as usize;
                if i >= self.table.n_concepts {
                    return None;
                }
                u64_at(self.b(), self.table.concepts + 8 * i)
            }
        }
    }

    pub(crate) fn len(&self, doc: DocId) -> Option<u64> {
        u16_at(self.b(), self.s.lengths + 2 * self.ok(doc)?).map(u64::from)
    }

    pub(crate) fn type_id(&self, doc: DocId) -> Option<u64> {
        let code = *self.b().get(self.s.types + self.ok(doc)?)?;
        self.table.types.get(code as usize).copied()
    }

    pub(crate) fn flags(&self, doc: DocId) -> Option<u64> {
        self.b().get(self.s.flags + self.ok(doc)?).map(|&f| u64::from(f))
    }

    /// The description's language code (lower case).
    pub(crate) fn language(&self, doc: DocId) -> Option<&'t str> {
        let code = *self.b().get(self.s.languages + self.ok(doc)?)?;
        let table: &'t DocTable = self.table;
        table.languages.get(code as usize).map(String::as_str)
    }

    /// The language refsets the description is preferred in, then acceptable in.
    pub(crate) fn langs(&self, doc: DocId) -> (&[u64], &[u64]) {
        let set = self
            .ok(doc)
            .and_then(|d| u16_at(self.b(), self.s.langsets + 2 * d))
            .and_then(|c| self.table.langsets.get(c as usize));
        set.map_or((&[], &[]), |(p, a)| (&p[..], &a[..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SearchDoc;

    /// A document with the static rank the builder gives it.
    fn doc(description_id: u64, concept_id: u64, concept_index: u32) -> (u64, SearchDoc<'static>) {
        let d = SearchDoc {
            description_id,
            concept_id,
            concept_index,
            term: "Heart attack".into(),
            type_id: crate::SYNONYM_TYPE,
            language_code: if description_id % 10 == 3 { "en" } else { "ES" }.into(),
            active: true,
            concept_active: concept_index.is_multiple_of(2),
            preferred_in: if description_id.is_multiple_of(3) { vec![7, 9] } else { vec![] },
            acceptable_in: vec![11],
        };
        ranked(d)
    }

    fn ranked(d: SearchDoc<'static>) -> (u64, SearchDoc<'static>) {
        (crate::build::static_rank(&d, d.term.chars().count() as u64), d)
    }

    fn seg_ids() -> (SegmentId, SegmentId) {
        (SegmentId::generate_random(), SegmentId::generate_random())
    }

    /// Values read back equal those written, with concept ids in a table (dense concept
    /// indexes) and per document (sparse ones), across two segments.
    #[test]
    fn round_trip_dense_and_sparse() {
        for sparse in [false, true] {
            let tmp = tempfile::tempdir().expect("tempdir");
            let scale = if sparse { 1_000_000 } else { 1 };
            let all: Vec<(u64, SearchDoc<'static>)> = (0..40u32)
                .map(|i| doc(u64::from(i) * 10 + 3, 1000 + u64::from(i % 7), (i % 7) * scale))
                .collect();
            let (a, b) = seg_ids();
            let ranked: Vec<Ranked<'_, '_>> = all.iter().map(|(r, d)| (*r, d)).collect();
            let segments = vec![(a, &ranked[..25]), (b, &ranked[25..])];
            write(tmp.path(), &segments).expect("write");
            let t = DocTable::open(tmp.path(), &[(a, 25), (b, 15)]).expect("open");
            t.verify().expect("checksum");
            assert_eq!(t.n_concepts, if sparse { 0 } else { 7 }, "sparse={sparse}");
            for (seg, (_, docs)) in segments.iter().enumerate() {
                let v = t.segment(seg).expect("segment");
                for (i, (_, d)) in docs.iter().enumerate() {
                    let i = i as DocId;
                    assert_eq!(v.description_id(i), Some(d.description_id));
                    assert_eq!(v.concept_id(i), Some(d.concept_id));
                    assert_eq!(v.concept_index(i), Some(d.concept_index));
                    assert_eq!(v.type_id(i), Some(d.type_id));
                    assert_eq!(v.len(i), Some(12));
                    let flags = if d.concept_active { 3 } else { 1 };
                    assert_eq!(v.flags(i), Some(flags));
                    assert_eq!(v.langs(i), (&d.preferred_in[..], &d.acceptable_in[..]));
                    let lang = d.language_code.to_ascii_lowercase();
                    assert_eq!(v.language(i), Some(lang.as_str()));
                }
                let beyond = docs.len() as DocId;
                assert_eq!(v.description_id(beyond), None);
                assert_eq!(v.concept_id(beyond), None);
                assert_eq!(v.langs(beyond), (&[][..], &[][..]));
                assert_eq!(v.language(beyond), None);
            }
            assert!(t.segment(2).is_none());
            // the segments must be the index's, with its document counts
            let err = DocTable::open(tmp.path(), &[(a, 25), (b, 16)]).expect_err("count");
            assert!(err.to_string().contains("15 documents, not 16"), "{err}");
            let err = DocTable::open(tmp.path(), &[(b, 25), (a, 15)]).expect_err("order");
            assert!(err.to_string().contains("sctx-docs.bin"), "{err}");
        }
    }

    /// One concept index given for two concepts is the caller's mistake: refused.
    #[test]
    fn conflicting_concept_index_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (x, y) = (doc(13, 1000, 4), doc(23, 2000, 4));
        let both = [(x.0, &x.1), (y.0, &y.1)];
        let err = write(tmp.path(), &[(SegmentId::generate_random(), &both[..])])
            .expect_err("conflict")
            .to_string();
        assert!(err.contains("concept index 4 is given for concepts 1000 and 2000"), "{err}");
    }

    /// Inputs beyond the format's dictionaries are refused with a message naming what
    /// overflowed: more than 256 description types or language codes, an over-long code.
    #[test]
    fn dictionary_overflows_are_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let id = SegmentId::generate_random();
        let write_all = |docs: &[(u64, SearchDoc<'static>)]| {
            let ranked: Vec<Ranked<'_, '_>> = docs.iter().map(|(r, d)| (*r, d)).collect();
            write(tmp.path(), &[(id, &ranked[..])]).map_err(|e| e.to_string())
        };
        let many = |f: &dyn Fn(u32, &mut SearchDoc<'static>)| {
            (0..257u32)
                .map(|i| {
                    let (_, mut d) = doc(u64::from(i) * 10 + 3, 1000 + u64::from(i), i);
                    f(i, &mut d);
                    ranked(d)
                })
                .collect::<Vec<_>>()
        };
        let types = many(&|i, d| d.type_id = 5000 + u64::from(i));
        let err = write_all(&types).expect_err("types");
        assert!(err.contains("more than 256 description types"), "{err}");
        let langs = many(&|i, d| d.language_code = format!("x{i}").into());
        let err = write_all(&langs).expect_err("languages");
        assert!(err.contains("more than 256 language codes"), "{err}");
        let (_, mut d) = doc(13, 1000, 0);
        d.language_code = "e".repeat(300).into();
        let err = write_all(&[ranked(d)]).expect_err("long code");
        assert!(err.contains("is too long"), "{err}");
    }

    /// Values encoded for one number of segments are refused for an index with another,
    /// with both counts named, and nothing is written.
    #[test]
    fn encoded_values_must_match_the_segments() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let docs = [doc(13, 1000, 0), doc(23, 1001, 1)];
        let ranked: Vec<Ranked<'_, '_>> = docs.iter().map(|(r, d)| (*r, d)).collect();
        let enc = encode(tmp.path(), &[&ranked[..1], &ranked[1..]]).expect("encode");
        let (a, _) = seg_ids();
        let err = write_encoded(tmp.path(), &enc, &[a]).expect_err("one id for two segments");
        assert!(
            err.to_string().contains("document values encoded for 2 segments, the index has 1"),
            "{err}"
        );
        assert!(!tmp.path().join(DOCS_FILE).exists());
    }

    /// Long terms saturate the stored length instead of wrapping.
    #[test]
    fn long_terms_saturate() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (_, mut d) = doc(13, 1000, 0);
        d.term = "x".repeat(70_000).into();
        let d = ranked(d);
        let id = SegmentId::generate_random();
        write(tmp.path(), &[(id, &[(d.0, &d.1)][..])]).expect("write");
        let t = DocTable::open(tmp.path(), &[(id, 1)]).expect("open");
        assert_eq!(t.segment(0).expect("segment").len(0), Some(u64::from(u16::MAX)));
    }
}
