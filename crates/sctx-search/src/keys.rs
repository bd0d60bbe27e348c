//! Exact-term and concept-id look-up tables kept beside the tantivy index (`sctx-keys.bin`).
//!
//! Two questions are answered by key rather than by text: "which descriptions are exactly
//! this term?" (the exact-match pass and the exact-match rank) and "which descriptions
//! belong to this SCTID?" (typing a code). As tantivy fields they had a unique term per
//! description: 2.1M terms on the International edition whose hashing, sorting and
//! term-dictionary building were 40% of the index build (BENCHMARKS.md). Here they are two
//! sorted arrays per segment, written in one pass after the segments:
//!
//! - **exact**: `(xxh3-64 of the normalised term, doc)` pairs sorted by hash then doc (a
//!   leading acronym, "MI - Myocardial infarction", adds a second key for its document);
//! - **concept**: the segment's doc ids sorted by concept id (then doc); a look-up is a
//!   binary search that reads the concept ids of the probed documents (`docs.rs`).
//!
//! A 64-bit hash makes a false exact match on a 1.6M-description index about a 1-in-10^13
//! event per query; nothing else depends on it.
//!
//! File layout (all integers little-endian):
//!
//! ```text
//! header   "SCTXKEY1" | segments: u32 | 0: u32 | xxh3-64 of everything after the header: u64
//! entries  per segment: segment uuid (32 ASCII hex) | max_doc: u32 | exact: u32 | concepts: u32 | 0: u32
//! body     per segment: exact hashes [u64; exact] | exact docs [u32; exact] | concept docs [u32; concepts]
//! ```

use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};
use tantivy::index::SegmentId;
use tantivy::{DocId, DocSet, TERMINATED};

use crate::SearchError;

/// File name of the key tables inside the index directory.
pub(crate) const KEYS_FILE: &str = "sctx-keys.bin";
/// Commit payload word marking an index whose exact and concept-id look-ups are in
/// [`KEYS_FILE`] (older indexes have them as tantivy fields).
pub(crate) const KEYS_PAYLOAD: &str = "keys1";

const MAGIC: &[u8; 8] = b"SCTXKEY1";
/// Header bytes of the files sctx writes beside tantivy's: magic, two u32, checksum u64.
pub(crate) const HEADER: usize = 24;
const ENTRY: usize = 48;

/// The hash of a normalised exact-match key.
pub(crate) fn exact_hash(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

/// The key tables of one segment, ready to be written.
#[derive(Debug, Default)]
pub(crate) struct SegmentKeysBuilder {
    /// `(hash, doc)` pairs, any order.
    pub(crate) exact: Vec<(u64, DocId)>,
    /// `(concept id, doc)` pairs, any order.
    pub(crate) concepts: Vec<(u64, DocId)>,
}

/// Writes [`KEYS_FILE`] into `dir` for the given segments (in segment order).
pub(crate) fn write(
    dir: &Path,
    segments: Vec<(SegmentId, u32, SegmentKeysBuilder)>,
) -> Result<(), SearchError> {
    let mut entries = Vec::with_capacity(segments.len() * ENTRY);
    let mut body = Vec::new();
    for (id, max_doc, mut keys) in segments {
        keys.exact.sort_unstable();
        keys.exact.dedup();
        keys.concepts.sort_unstable();
        let uuid = id.uuid_string();
        if uuid.len() != 32 {
            return Err(corrupt(dir, format!("unexpected segment id {uuid:?}")));
        }
        entries.extend_from_slice(uuid.as_bytes());
        for n in [max_doc, len32(dir, keys.exact.len())?, len32(dir, keys.concepts.len())?, 0] {
            entries.extend_from_slice(&n.to_le_bytes());
        }
        body.reserve(keys.exact.len() * 12 + keys.concepts.len() * 4);
        body.extend(keys.exact.iter().flat_map(|(h, _)| h.to_le_bytes()));
        body.extend(keys.exact.iter().flat_map(|(_, d)| d.to_le_bytes()));
        body.extend(keys.concepts.iter().flat_map(|(_, d)| d.to_le_bytes()));
    }
    let n = len32(dir, entries.len() / ENTRY)?;
    write_side_file(dir, KEYS_FILE, MAGIC, n, &[&entries, &body], "writing the key tables")
}

fn len32(dir: &Path, n: usize) -> Result<u32, SearchError> {
    u32::try_from(n).map_err(|_| corrupt(dir, format!("{n} keys do not fit the format")))
}

fn corrupt(dir: &Path, detail: String) -> SearchError {
    SearchError::Corrupt { path: dir.join(KEYS_FILE), detail }
}

/// Where one segment's tables are in the file.
#[derive(Debug, Clone)]
struct SegmentKeys {
    segment: SegmentId,
    max_doc: u32,
    /// Offset of the hashes; the docs follow them.
    exact: usize,
    n_exact: usize,
    concepts: usize,
    n_concepts: usize,
}

/// The opened key tables (memory-mapped through tantivy's directory).
pub(crate) struct Keys {
    path: PathBuf,
    bytes: OwnedBytes,
    segments: Vec<SegmentKeys>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("path", &self.path).finish_non_exhaustive()
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes)
}

/// Writes `dir/name`, a file sctx keeps beside tantivy's (the key tables, the prefix
/// postings, the document values): the header (`magic`, `segments`, 0, the xxh3-64 of
/// everything after the header) and then `parts` in order. Errors name the directory and
/// `what` was being written.
pub(crate) fn write_side_file(
    dir: &Path,
    name: &str,
    magic: &[u8; 8],
    segments: u32,
    parts: &[&[u8]],
    what: &'static str,
) -> Result<(), SearchError> {
    use std::io::Write;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(part);
    }
    let io = |source| SearchError::Io { dir: dir.to_path_buf(), what, source };
    // (not read again by the import: written around the page cache)
    let mut f = sctx_io::OutputFile::create(&dir.join(name)).map_err(io)?;
    f.write_all(magic).map_err(io)?;
    f.write_all(&segments.to_le_bytes()).map_err(io)?;
    f.write_all(&0u32.to_le_bytes()).map_err(io)?;
    f.write_all(&hasher.digest().to_le_bytes()).map_err(io)?;
    for part in parts {
        f.write_all(part).map_err(io)?;
    }
    f.finish(false).map(drop).map_err(io)
}

/// Memory-maps `dir/name`, a file sctx writes beside tantivy's (the key tables, the prefix
/// postings), and checks its header: at least [`HEADER`] bytes starting with `magic`
/// ("not an sctx `kind` file" otherwise). Errors name the file.
pub(crate) fn open_mapped(
    dir: &Path,
    name: &str,
    magic: &[u8; 8],
    kind: &str,
) -> Result<(PathBuf, OwnedBytes), SearchError> {
    let path = dir.join(name);
    let bad = |detail: String| SearchError::Corrupt { path: path.clone(), detail };
    let mmap =
        MmapDirectory::open(dir).map_err(|e| bad(format!("cannot open the directory: {e}")))?;
    let bytes = mmap
        .open_read(Path::new(name))
        .map_err(|e| bad(format!("cannot open: {e}")))?
        .read_bytes()
        .map_err(|e| bad(format!("cannot read: {e}")))?;
    let b = bytes.as_slice();
    if b.len() < HEADER || &b[..8] != magic {
        return Err(bad(format!("not an sctx {kind} file")));
    }
    Ok((path, bytes))
}

/// Checks the checksum of a file opened by [`open_mapped`]: the xxh3-64 of everything after
/// the header, recorded at byte 16.
pub(crate) fn verify_mapped(path: &Path, bytes: &OwnedBytes) -> Result<(), SearchError> {
    let b = bytes.as_slice();
    let got = xxhash_rust::xxh3::xxh3_64(&b[HEADER.min(b.len())..]);
    let want = u64_at(b, 16);
    if got != want {
        return Err(SearchError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("checksum {got:016x} differs from the recorded {want:016x}"),
        });
    }
    Ok(())
}

impl Keys {
    /// Opens the tables of the index in `dir` and checks their structure against the
    /// segments (`(id, max_doc)`, in order). The checksum is checked by [`Keys::verify`].
    pub(crate) fn open(dir: &Path, segments: &[(SegmentId, u32)]) -> Result<Self, SearchError> {
        let (path, bytes) = open_mapped(dir, KEYS_FILE, MAGIC, "key")?;
        let bad = |detail: String| SearchError::Corrupt { path: path.clone(), detail };
        let b = bytes.as_slice();
        let n = u32_at(b, 8) as usize;
        if n != segments.len() {
            return Err(bad(format!("{n} segments, the index has {}", segments.len())));
        }
        let mut at = HEADER + n * ENTRY;
        let mut out = Vec::with_capacity(n);
        for (k, &(segment, max_doc)) in segments.iter().enumerate() {
            let e = HEADER + k * ENTRY;
            let uuid = b.get(e..e + 32).unwrap_or_default();
            if uuid != segment.uuid_string().as_bytes() {
                return Err(bad(format!("segment {k} is not the index's segment {segment:?}")));
            }
            let seg_max = u32_at(b, e + 32);
            if seg_max != max_doc {
                return Err(bad(format!("segment {k} has {seg_max} documents, not {max_doc}")));
            }
            let n_exact = u32_at(b, e + 36) as usize;
            let n_concepts = u32_at(b, e + 40) as usize;
            let exact = at;
            let concepts = exact + n_exact * 12;
            at = concepts + n_concepts * 4;
            out.push(SegmentKeys { segment, max_doc, exact, n_exact, concepts, n_concepts });
        }
        if at != b.len() {
            return Err(bad(format!("{} bytes, the tables need {at} (truncated?)", b.len())));
        }
        Ok(Self { path, bytes, segments: out })
    }

    /// Checks the file's checksum.
    pub(crate) fn verify(&self) -> Result<(), SearchError> {
        verify_mapped(&self.path, &self.bytes)
    }

    fn segment(&self, id: SegmentId) -> Option<&SegmentKeys> {
        self.segments.iter().find(|s| s.segment == id)
    }

    /// The documents of segment `id` whose exact key hashes to `hash`.
    pub(crate) fn exact(&self, id: SegmentId, hash: u64) -> Vec<DocId> {
        let Some(s) = self.segment(id) else { return Vec::new() };
        let b = self.bytes.as_slice();
        let hash_at = |i: usize| u64_at(b, s.exact + i * 8);
        let doc_at = |i: usize| u32_at(b, s.exact + s.n_exact * 8 + i * 4);
        equal_run(s.n_exact, hash_at, hash, doc_at, s.max_doc)
    }

    /// The documents of segment `id` whose concept id (read by `concept_of`) is
    /// `concept_id`.
    pub(crate) fn concept(
        &self,
        id: SegmentId,
        concept_of: impl Fn(DocId) -> u64,
        concept_id: u64,
    ) -> Vec<DocId> {
        let Some(s) = self.segment(id) else { return Vec::new() };
        let b = self.bytes.as_slice();
        let doc_at = |i: usize| u32_at(b, s.concepts + i * 4);
        // a doc id beyond the segment (a damaged file whose checksum is not checked yet)
        // must not reach the column reader
        let key = |i: usize| {
            let doc = doc_at(i);
            if doc < s.max_doc { concept_of(doc) } else { u64::MAX }
        };
        equal_run(s.n_concepts, key, concept_id, doc_at, s.max_doc)
    }
}

/// The documents of the run of table entries `0..n` whose `key` equals `want` (the table is
/// sorted by key), below `max_doc`, in table order ([`DocListQuery::new`] sorts them).
fn equal_run(
    n: usize,
    key: impl Fn(usize) -> u64,
    want: u64,
    doc_at: impl Fn(usize) -> DocId,
    max_doc: u32,
) -> Vec<DocId> {
    let first = partition_point(n, |i| key(i) < want);
    let mut docs: Vec<DocId> =
        (first..n).take_while(|&i| key(i) == want).map(doc_at).filter(|&d| d < max_doc).collect();
    docs.sort_unstable();
    docs.dedup();
    docs
}

/// The first index in `0..n` for which `before` is false (`before` must be true on a
/// prefix of the range).
fn partition_point(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// A query that matches a fixed, sorted list of documents per segment (the result of a key
/// look-up), so that it composes with tantivy queries (language filter, intersections).
#[derive(Clone, Debug)]
pub(crate) struct DocListQuery {
    lists: std::sync::Arc<Vec<(SegmentId, Vec<DocId>)>>,
}

impl DocListQuery {
    /// `lists`: per segment, doc ids in any order (sorted and de-duplicated here, once,
    /// as the doc set requires).
    pub(crate) fn new(mut lists: Vec<(SegmentId, Vec<DocId>)>) -> Self {
        for (_, docs) in &mut lists {
            docs.sort_unstable();
            docs.dedup();
        }
        Self { lists: std::sync::Arc::new(lists) }
    }
}

impl tantivy::query::Query for DocListQuery {
    fn weight(
        &self,
        _scoring: tantivy::query::EnableScoring<'_>,
    ) -> tantivy::Result<Box<dyn tantivy::query::Weight>> {
        Ok(Box::new(DocListWeight { lists: self.lists.clone() }))
    }
}

struct DocListWeight {
    lists: std::sync::Arc<Vec<(SegmentId, Vec<DocId>)>>,
}

impl tantivy::query::Weight for DocListWeight {
    fn scorer(
        &self,
        reader: &tantivy::SegmentReader,
        boost: tantivy::Score,
    ) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
        let docs = self
            .lists
            .iter()
            .find(|(id, _)| *id == reader.segment_id())
            .map(|(_, d)| d.clone())
            .unwrap_or_default();
        Ok(Box::new(tantivy::query::ConstScorer::new(DocList { docs, at: 0 }, boost)))
    }

    fn explain(
        &self,
        reader: &tantivy::SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not in the list"
            )));
        }
        Ok(tantivy::query::Explanation::new("listed document", 1.0))
    }
}

/// A strictly increasing list of doc ids as a [`DocSet`].
struct DocList {
    docs: Vec<DocId>,
    at: usize,
}

impl DocSet for DocList {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = self.docs.get(self.at..).unwrap_or_default();
        self.at += rest.partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len() - self.at.min(self.docs.len())).unwrap_or(u32::MAX)
    }
}
