//! Prefix postings kept beside the tantivy index (`sctx-prefix.bin`): for every edge n-gram
//! (the first 1 to [`crate::analysis::PREFIX_EDGE`] characters) of every word form, the
//! documents whose term has a word starting with it; for the first word's forms, likewise
//! after [`FIRST_MARK`]; and for every whole word form, after [`WORD_MARK`], the documents
//! with that word.
//!
//! Whole words answer whole-word matches (one list), typed prefixes longer than the edges
//! (the union of the forms in an fst range) and typos (the union of the forms that a
//! Levenshtein prefix automaton accepts, see [`WordsQuery`]). They were a tantivy field
//! too, and tantivy's indexing thread spent ~3 CPU-seconds of the International build on
//! them; here each costs one more list id per distinct form, appended with its edges.
//!
//! The edges were a tantivy field. An International term has about 32 distinct edges, 69% of
//! all indexed tokens, and tantivy spent most of the index build hashing each of them into
//! its per-segment term table (BENCHMARKS.md). Here the builder hashes each *word form* once
//! per segment (the edges of a form are computed the first time it is seen) and appends the
//! document to the lists of the form's edges; because documents are added in doc-id order,
//! every list is append-only and needs no sort.
//!
//! A list is read through [`PrefixQuery`], a tantivy query whose doc set decodes the list a
//! block at a time and seeks with a skip table, so it intersects with the other query
//! clauses as a posting list would.
//!
//! File layout (all integers little-endian):
//!
//! ```text
//! header   "SCTXPFX1" | segments: u32 | 0: u32 | xxh3-64 of everything after the header: u64
//! entries  per segment: uuid (32 ASCII hex) | max_doc: u32 | 0: u32 | fst bytes: u64 | list bytes: u64
//!          | xxh3-64 of the fst bytes: u64 (checked at open: the fst crate trusts its input)
//! body     per segment: fst map (edge → offset of its list in the segment's list bytes) | lists
//! list     n: u32 | per full block of 128 docs: last doc u32, data offset u32 (from the
//!          first block's data), bit width u8 | block data (bitpacked strictly increasing
//!          deltas, BitPacker4x) | the last n % 128 docs as LEB128 deltas (first doc + 1,
//!          then differences)
//! ```

use std::path::{Path, PathBuf};

use bitpacking::{BitPacker, BitPacker4x};
use rustc_hash::FxHashMap;
use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

use crate::SearchError;
use crate::keys::{HEADER, open_mapped, verify_mapped, write_side_file};

/// File name of the prefix postings inside the index directory.
pub(crate) const PREFIX_FILE: &str = "sctx-prefix.bin";
/// Commit payload word marking an index whose edge n-grams are in [`PREFIX_FILE`] (older
/// indexes, and the fallback build, have them in the tantivy `prefix` field).
pub(crate) const PREFIX_PAYLOAD: &str = "pfx1";
/// Commit payload word marking prefix postings that also hold the term-start edges (keys
/// after [`FIRST_MARK`]; with `pfx1` alone they are in the tantivy `first` field).
pub(crate) const FIRST_PAYLOAD: &str = "pfx-first";
/// Commit payload word marking prefix postings that also hold the whole word forms (keys
/// after [`WORD_MARK`]; older indexes and the fallback build have them in the tantivy
/// `words` field).
pub(crate) const WORDS_PAYLOAD: &str = "pfx-words";

const MAGIC: &[u8; 8] = b"SCTXPFX1";
const ENTRY: usize = 64;
const BLOCK: usize = BitPacker4x::BLOCK_LEN;
/// The byte before the term-start edges (edges of the first word's forms) in the edge map;
/// word forms are alphanumeric, so the kinds of key never meet.
pub(crate) const FIRST_MARK: u8 = 1;
/// The byte before the whole word forms in the edge map: the key of a form's own list (the
/// documents with that word), which answers whole-word matches, longer typed prefixes
/// (a range of forms) and typos (forms within an edit distance).
pub(crate) const WORD_MARK: u8 = 2;
/// Skip-table bytes per full block: last doc, data offset, bit width.
const SKIP: usize = 9;

/// Collects the prefix postings of one segment; documents must be added in doc-id order.
///
/// Adding a document touches only small, hot arrays: each word form is looked up once
/// (its edges are computed the first time it is seen), and the ids of its edges that the
/// document does not already have are appended to one sequential log. [`Self::finish`]
/// then sorts the log into lists by counting (the lists come out in doc order, since the
/// log is). Appending to 150k separate lists instead cost a cache miss per entry.
#[derive(Debug)]
pub(crate) struct PrefixBuilder {
    max_chars: usize,
    /// Word form → range of its edge ids in `form_edges`: forms of up to 16 bytes (nearly
    /// all) keyed inline, so that a look-up does not chase a pointer to the key.
    short_forms: FxHashMap<u128, (u32, u32)>,
    long_forms: FxHashMap<Box<str>, (u32, u32)>,
    form_edges: Vec<u32>,
    /// Edge → id.
    edges: FxHashMap<Box<str>, u32>,
    /// Per edge id: the last document added + 1 (0: none yet).
    next: Vec<u32>,
    /// Edge ids, document after document.
    log: Vec<u32>,
    /// Per document: the end of its run in `log`.
    ends: Vec<usize>,
}

fn push_leb(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads one LEB128 value at `*at`; `None` at the end of `b` or on an overlong value.
fn read_leb(b: &[u8], at: &mut usize) -> Option<u32> {
    let mut v: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= u32::from(byte & 0x7F).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The inline key of a form of 1 to 16 bytes, zero-padded (forms never contain NUL), or of
/// a first-word form of 1 to 15 bytes, after the [`FIRST_MARK`] byte: the bytes in
/// little-endian order.
fn short_key(form: &str, first: bool) -> Option<u128> {
    let b = form.as_bytes();
    if b.is_empty() || b.len() + usize::from(first) > 16 {
        return None;
    }
    let k = load_le(b);
    Some(if first { (k << 8) | u128::from(FIRST_MARK) } else { k })
}

/// The 1 to 16 bytes of `b` as a little-endian integer, read with two overlapping loads
/// (copying them into a zeroed array first made the key's loads wait for the byte stores:
/// an eighth of `PrefixBuilder::add`).
fn load_le(b: &[u8]) -> u128 {
    let n = b.len();
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
    let half = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or_default());
    if n >= 8 {
        // bytes 8..n: the last eight bytes without the 16 - n that `word(0)` holds
        let hi = if n == 8 { 0 } else { word(n - 8) >> (8 * (16 - n)) };
        u128::from(word(0)) | (u128::from(hi) << 64)
    } else if n >= 4 {
        // bytes 4..n likewise
        let hi = if n == 4 { 0 } else { half(n - 4) >> (8 * (8 - n)) };
        u128::from(half(0)) | (u128::from(hi) << 32)
    } else {
        b.iter().rev().fold(0u128, |k, &x| (k << 8) | u128::from(x))
    }
}

impl PrefixBuilder {
    /// A builder for edges of 1 to `max_chars` characters.
    pub(crate) fn new(max_chars: usize) -> Self {
        Self {
            max_chars,
            short_forms: FxHashMap::default(),
            long_forms: FxHashMap::default(),
            form_edges: Vec::new(),
            edges: FxHashMap::default(),
            next: Vec::new(),
            log: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Room for `docs` documents of about `edges_per_doc` edges each.
    pub(crate) fn reserve(&mut self, docs: usize, edges_per_doc: usize) {
        self.ends.reserve(docs);
        self.log.reserve(docs.saturating_mul(edges_per_doc));
    }

    /// The id of the list keyed `key` (a new, empty one the first time).
    fn edge_id(&mut self, key: &str) -> u32 {
        match self.edges.get(key) {
            Some(&id) => id,
            None => {
                let id = self.next.len() as u32;
                self.next.push(0);
                self.edges.insert(key.into(), id);
                id
            }
        }
    }

    /// Computes and records the list ids of `form`: its edges and, after [`WORD_MARK`], the
    /// whole form (as a first-word form: only its edges, keyed after [`FIRST_MARK`]).
    fn intern_form(&mut self, form: &str, first: bool) -> (u32, u32) {
        let start = self.form_edges.len() as u32;
        let mut edge = String::with_capacity(form.len() + 1);
        if first {
            edge.push(char::from(FIRST_MARK));
        }
        for (n, c) in form.chars().enumerate() {
            if n >= self.max_chars {
                break;
            }
            edge.push(c);
            let id = self.edge_id(&edge);
            self.form_edges.push(id);
        }
        if !first {
            edge.clear();
            edge.push(char::from(WORD_MARK));
            edge.push_str(form);
            let id = self.edge_id(&edge);
            self.form_edges.push(id);
        }
        let range = (start, self.form_edges.len() as u32);
        match short_key(form, first) {
            Some(k) => {
                self.short_forms.insert(k, range);
            }
            None => {
                let mut key = String::with_capacity(form.len() + 1);
                if first {
                    key.push(char::from(FIRST_MARK));
                }
                key.push_str(form);
                self.long_forms.insert(key.into(), range);
            }
        }
        range
    }

    fn edges_of(&mut self, form: &str, first: bool) -> (u32, u32) {
        let known = match short_key(form, first) {
            Some(k) => self.short_forms.get(&k).copied(),
            None if first => {
                let mut key = String::with_capacity(form.len() + 1);
                key.push(char::from(FIRST_MARK));
                key.push_str(form);
                self.long_forms.get(key.as_str()).copied()
            }
            None => self.long_forms.get(form).copied(),
        };
        known.unwrap_or_else(|| self.intern_form(form, first))
    }

    /// Adds the next document (doc id = the number added before) with its word forms, of
    /// which the first `first` are the first word's (their edges are also recorded as
    /// term-start edges).
    pub(crate) fn add<'a>(&mut self, forms: impl IntoIterator<Item = &'a str>, first: usize) {
        let next = self.ends.len() as u32 + 1;
        for (k, form) in forms.into_iter().enumerate() {
            for marked in [false, true] {
                if marked && k >= first {
                    break;
                }
                let (s, e) = self.edges_of(form, marked);
                for &id in &self.form_edges[s as usize..e as usize] {
                    // a form of this document shares this edge with an earlier one
                    let seen = &mut self.next[id as usize];
                    if *seen != next {
                        *seen = next;
                        self.log.push(id);
                    }
                }
            }
        }
        self.ends.push(self.log.len());
    }

    /// Encodes the segment: the fst map and the lists.
    pub(crate) fn finish(self) -> Result<SegmentPrefixes, String> {
        // counting sort of the log by edge id: `start[id]..start[id + 1]` in `docs`
        let n_edges = self.next.len();
        let mut start = vec![0usize; n_edges + 1];
        for &id in &self.log {
            start[id as usize + 1] += 1;
        }
        for i in 0..n_edges {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut docs = vec![0u32; self.log.len()];
        let mut from = 0usize;
        for (doc, &end) in self.ends.iter().enumerate() {
            for &id in &self.log[from..end] {
                let slot = &mut fill[id as usize];
                docs[*slot] = doc as u32;
                *slot += 1;
            }
            from = end;
        }
        drop(self.log);
        let mut names: Vec<(Box<str>, u32)> = self.edges.into_iter().collect();
        names.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut map = fst::MapBuilder::memory();
        let mut lists = Vec::with_capacity(docs.len() * 3 / 2);
        let packer = BitPacker4x::new();
        let mut packed = vec![0u8; BLOCK * 4];
        for (edge, id) in names {
            let list = &docs[start[id as usize]..start[id as usize + 1]];
            map.insert(edge.as_bytes(), lists.len() as u64).map_err(|e| e.to_string())?;
            lists.extend_from_slice(&(list.len() as u32).to_le_bytes());
            let full = list.len() / BLOCK;
            let skip_at = lists.len();
            lists.resize(skip_at + full * SKIP, 0);
            let mut offset = 0u32;
            let mut initial = None;
            for (b, block) in list.chunks_exact(BLOCK).enumerate() {
                let bits = packer.num_bits_strictly_sorted(initial, block);
                let len = packer.compress_strictly_sorted(initial, block, &mut packed, bits);
                let e = skip_at + b * SKIP;
                lists[e..e + 4].copy_from_slice(&block[BLOCK - 1].to_le_bytes());
                lists[e + 4..e + 8].copy_from_slice(&offset.to_le_bytes());
                lists[e + 8] = bits;
                lists.extend_from_slice(&packed[..len]);
                offset += len as u32;
                initial = Some(block[BLOCK - 1]);
            }
            let mut prev = initial.map_or(0, |d| d + 1);
            for &d in &list[full * BLOCK..] {
                push_leb(&mut lists, d + 1 - prev);
                prev = d + 1;
            }
        }
        let fst = map.into_inner().map_err(|e| e.to_string())?;
        Ok(SegmentPrefixes { fst, lists })
    }
}

/// The encoded prefix postings of one segment.
#[derive(Debug, Default)]
pub(crate) struct SegmentPrefixes {
    fst: Vec<u8>,
    lists: Vec<u8>,
}

/// Writes [`PREFIX_FILE`] into `dir` for the given segments (in segment order).
pub(crate) fn write(
    dir: &Path,
    segments: Vec<(SegmentId, u32, SegmentPrefixes)>,
) -> Result<(), SearchError> {
    let path = dir.join(PREFIX_FILE);
    let mut entries = Vec::with_capacity(segments.len() * ENTRY);
    for (id, max_doc, s) in &segments {
        let uuid = id.uuid_string();
        if uuid.len() != 32 {
            return Err(SearchError::Corrupt {
                path,
                detail: format!("unexpected segment id {uuid:?}"),
            });
        }
        entries.extend_from_slice(uuid.as_bytes());
        entries.extend_from_slice(&max_doc.to_le_bytes());
        entries.extend_from_slice(&0u32.to_le_bytes());
        entries.extend_from_slice(&(s.fst.len() as u64).to_le_bytes());
        entries.extend_from_slice(&(s.lists.len() as u64).to_le_bytes());
        entries.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&s.fst).to_le_bytes());
    }
    let n = u32::try_from(segments.len()).unwrap_or(u32::MAX);
    let mut parts: Vec<&[u8]> = vec![&entries];
    for (_, _, s) in &segments {
        parts.push(&s.fst);
        parts.push(&s.lists);
    }
    write_side_file(dir, PREFIX_FILE, MAGIC, n, &parts, "writing the prefix postings")
}

/// The little-endian u32 at `at`, if `b` holds it.
pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).and_then(|s| s.try_into().ok()).map(u32::from_le_bytes)
}

/// The little-endian u64 at `at`, if `b` holds it.
pub(crate) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at.checked_add(8)?).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes)
}

/// The byte slice that an fst map reads (tantivy's memory-mapped bytes).
#[derive(Clone)]
struct FstBytes(OwnedBytes);

impl AsRef<[u8]> for FstBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

/// One segment's part of the file.
struct SegmentPart {
    segment: SegmentId,
    max_doc: u32,
    map: fst::Map<FstBytes>,
    lists: OwnedBytes,
}

/// The opened prefix postings (memory-mapped through tantivy's directory).
pub(crate) struct Prefixes {
    path: PathBuf,
    bytes: OwnedBytes,
    segments: Vec<SegmentPart>,
}

impl std::fmt::Debug for Prefixes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefixes").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Prefixes {
    /// Opens the postings of the index in `dir` and checks their structure against the
    /// segments (`(id, max_doc)`, in order). The checksum is checked by [`Prefixes::verify`].
    pub(crate) fn open(dir: &Path, segments: &[(SegmentId, u32)]) -> Result<Self, SearchError> {
        let (path, bytes) = open_mapped(dir, PREFIX_FILE, MAGIC, "prefix")?;
        let bad = |detail: String| SearchError::Corrupt { path: path.clone(), detail };
        let b = bytes.as_slice();
        let n = u32_at(b, 8).unwrap_or(0) as usize;
        if n != segments.len() {
            return Err(bad(format!("{n} segments, the index has {}", segments.len())));
        }
        let mut at = (HEADER + n * ENTRY) as u64;
        let mut out = Vec::with_capacity(n);
        for (k, &(segment, max_doc)) in segments.iter().enumerate() {
            let e = HEADER + k * ENTRY;
            if b.get(e..e + 32) != Some(segment.uuid_string().as_bytes()) {
                return Err(bad(format!("segment {k} is not the index's segment {segment:?}")));
            }
            let seg_max = u32_at(b, e + 32).unwrap_or(0);
            if seg_max != max_doc {
                return Err(bad(format!("segment {k} has {seg_max} documents, not {max_doc}")));
            }
            let fst_len = u64_at(b, e + 40).unwrap_or(u64::MAX);
            let lists_len = u64_at(b, e + 48).unwrap_or(u64::MAX);
            let fst_end = at.saturating_add(fst_len);
            let end = fst_end.saturating_add(lists_len);
            if end > b.len() as u64 {
                return Err(bad(format!(
                    "{} bytes, segment {k} needs {end} (truncated?)",
                    b.len()
                )));
            }
            let (fst_at, fst_end, end) = (at as usize, fst_end as usize, end as usize);
            // the edge map is checked here, not only by `verify`: the fst crate trusts its
            // bytes, and a damaged map could panic on a look-up (it is small: ~1 MB)
            let want = u64_at(b, e + 56).unwrap_or(0);
            let got = xxhash_rust::xxh3::xxh3_64(&b[fst_at..fst_end]);
            if got != want {
                return Err(bad(format!(
                    "segment {k}: edge map checksum {got:016x} differs from the recorded {want:016x}"
                )));
            }
            let map = fst::Map::new(FstBytes(bytes.slice(fst_at..fst_end)))
                .map_err(|e| bad(format!("segment {k}: bad edge map: {e}")))?;
            let lists = bytes.slice(fst_end..end);
            out.push(SegmentPart { segment, max_doc, map, lists });
            at = end as u64;
        }
        if at != b.len() as u64 {
            return Err(bad(format!("{} bytes, the postings need {at}", b.len())));
        }
        Ok(Self { path, bytes, segments: out })
    }

    /// Checks the file's checksum.
    pub(crate) fn verify(&self) -> Result<(), SearchError> {
        verify_mapped(&self.path, &self.bytes)
    }

    /// The list keyed `edge` in segment `id` (the documents with a word starting with an
    /// edge; after [`FIRST_MARK`], whose first word does; after [`WORD_MARK`], with that
    /// word), or `None` when there is none (or the list is malformed: the checksum check
    /// reports the file).
    fn docs(&self, id: SegmentId, edge: &str) -> Option<PrefixDocs> {
        let s = self.segment(id)?;
        s.list_at(s.map.get(edge.as_bytes())?)
    }

    /// Segment `id`'s part of the file.
    fn segment(&self, id: SegmentId) -> Option<&SegmentPart> {
        self.segments.iter().find(|s| s.segment == id)
    }
}

impl SegmentPart {
    /// The list at offset `at` of the segment's list bytes (an offset from its edge map).
    fn list_at(&self, at: u64) -> Option<PrefixDocs> {
        let at = usize::try_from(at).ok()?.min(self.lists.len());
        PrefixDocs::new(self.lists.slice(at..self.lists.len()), self.max_doc)
    }
}

/// One list as a [`DocSet`]: a block of up to 128 docs is decoded at a time; `seek` binary
/// searches the skip table for the block to decode. A malformed list (which the checksum
/// check reports) ends early instead of handing tantivy a doc id outside the segment or out
/// of order.
struct PrefixDocs {
    data: OwnedBytes,
    n: usize,
    full: usize,
    /// Where the block data start (after the skip table).
    blocks_at: usize,
    /// Where the tail's LEB128 deltas start.
    tail_at: usize,
    max_doc: u32,
    /// The decoded block (`full` is the tail; `usize::MAX` before the first).
    block: usize,
    buf: Vec<u32>,
    pos: usize,
    doc: DocId,
    /// The last doc of the blocks decoded so far.
    floor: Option<DocId>,
}

impl PrefixDocs {
    fn new(data: OwnedBytes, max_doc: u32) -> Option<Self> {
        let b = data.as_slice();
        let n = u32_at(b, 0)? as usize;
        let full = n / BLOCK;
        let blocks_at = full.checked_mul(SKIP)?.checked_add(4)?;
        let mut tail_at = blocks_at;
        if full > 0 {
            let last = 4 + (full - 1) * SKIP;
            let off = u32_at(b, last + 4)? as usize;
            let bits = *b.get(last + 8)?;
            if bits > 32 {
                return None;
            }
            let size = BitPacker4x::compressed_block_size(bits);
            tail_at = blocks_at.checked_add(off)?.checked_add(size)?;
        }
        if tail_at > b.len() {
            return None;
        }
        let mut docs = Self {
            data,
            n,
            full,
            blocks_at,
            tail_at,
            max_doc,
            block: usize::MAX,
            buf: Vec::with_capacity(BLOCK),
            pos: 0,
            doc: TERMINATED,
            floor: None,
        };
        docs.load(0);
        docs.set_doc();
        Some(docs)
    }

    fn last_of(&self, block: usize) -> u32 {
        u32_at(self.data.as_slice(), 4 + block * SKIP).unwrap_or(u32::MAX)
    }

    /// Decodes block `block` (`full`: the tail) into `buf` and moves to its start. The
    /// block is cut at its first doc that is outside the segment or not after the one
    /// before it, and then no later block is read (a malformed list ends early).
    fn load(&mut self, block: usize) {
        let floor = self.floor;
        self.block = block;
        self.buf.clear();
        self.pos = 0;
        let b = self.data.as_slice();
        if block < self.full {
            let e = 4 + block * SKIP;
            let initial = if block == 0 { None } else { u32_at(b, e - SKIP) };
            let (Some(off), Some(&bits)) = (u32_at(b, e + 4), b.get(e + 8)) else { return };
            if bits > 32 {
                return;
            }
            let start = self.blocks_at.saturating_add(off as usize);
            let end = start.saturating_add(BitPacker4x::compressed_block_size(bits));
            if let Some(src) = b.get(start..end) {
                self.buf.resize(BLOCK, 0);
                BitPacker4x::new().decompress_strictly_sorted(initial, src, &mut self.buf, bits);
            }
        } else if block == self.full {
            let mut next = if block == 0 { 0 } else { self.last_of(block - 1).saturating_add(1) };
            let mut at = self.tail_at;
            for _ in 0..self.n % BLOCK {
                let Some(d) = read_leb(b, &mut at) else { break };
                next = next.saturating_add(d);
                self.buf.push(next.wrapping_sub(1));
            }
        }
        // validate once per block, so that advancing needs no checks
        let mut prev = floor;
        let mut good = self.buf.len();
        for (i, &d) in self.buf.iter().enumerate() {
            if d >= self.max_doc || prev.is_some_and(|p| d <= p) {
                good = i;
                break;
            }
            prev = Some(d);
        }
        if good < self.buf.len() || (block < self.full && self.buf.is_empty()) {
            self.buf.truncate(good);
            // nothing after a malformed entry is trusted
            self.full = self.full.min(block);
            self.n = 0;
        }
        self.floor = prev;
    }

    /// Sets `doc` to `buf[pos]`, loading the next blocks while the buffer is used up.
    fn set_doc(&mut self) {
        loop {
            if let Some(&d) = self.buf.get(self.pos) {
                self.doc = d;
                return;
            }
            if self.block >= self.full {
                self.doc = TERMINATED;
                return;
            }
            self.load(self.block + 1);
        }
    }
}

impl DocSet for PrefixDocs {
    #[inline]
    fn advance(&mut self) -> DocId {
        self.pos += 1;
        match self.buf.get(self.pos) {
            Some(&d) => self.doc = d,
            None => self.set_doc(),
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.buf.last().is_none_or(|&l| l < target) {
            // the first later full block whose last doc is at least `target`, else the tail:
            // intersections mostly seek a little ahead, so the next block is tried first,
            // then a binary search over the rest of the skip table
            let (mut lo, mut hi) = ((self.block + 1).min(self.full), self.full);
            if lo < hi && self.last_of(lo) >= target {
                hi = lo;
            }
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.last_of(mid) < target {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if lo <= self.block {
                // already in the tail: nothing reaches `target`
                self.pos = self.buf.len();
                self.doc = TERMINATED;
                return TERMINATED;
            }
            self.load(lo);
        }
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        // a short linear scan first (targets are usually near), then a binary search
        self.pos += match rest.iter().take(8).position(|&d| d >= target) {
            Some(k) => k,
            None => rest.partition_point(|&d| d < target),
        };
        self.set_doc();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.n).unwrap_or(u32::MAX)
    }
}

/// Documents in every one of several lists: the rarest list leads, the others seek to it
/// (statically dispatched, where tantivy's intersection of boxed scorers calls through a
/// vtable per step).
struct PrefixAnd {
    lists: Vec<PrefixDocs>,
    doc: DocId,
}

impl PrefixAnd {
    fn new(mut lists: Vec<PrefixDocs>) -> Self {
        lists.sort_by_key(|l| l.n);
        let first = lists.first().map_or(TERMINATED, PrefixDocs::doc);
        let mut and = Self { lists, doc: TERMINATED };
        and.doc = and.align(first);
        and
    }

    /// The first doc at or after `candidate` (a doc of the leading list) in every list.
    fn align(&mut self, mut candidate: DocId) -> DocId {
        let Some((lead, rest)) = self.lists.split_first_mut() else { return TERMINATED };
        'next: while candidate != TERMINATED {
            for other in rest.iter_mut() {
                let d = other.seek(candidate);
                if d > candidate {
                    candidate = lead.seek(d);
                    continue 'next;
                }
            }
            return candidate;
        }
        TERMINATED
    }
}

impl DocSet for PrefixAnd {
    fn advance(&mut self) -> DocId {
        let c = self.lists.first_mut().map_or(TERMINATED, PrefixDocs::advance);
        self.doc = self.align(c);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let c = self.lists.first_mut().map_or(TERMINATED, |l| l.seek(target));
        self.doc = self.align(c);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.lists.first().map_or(0, PrefixDocs::size_hint)
    }
}

/// Documents in any of several lists (the term-start pass: the term starts with one of the
/// typed tokens), statically dispatched.
struct PrefixAny {
    lists: Vec<PrefixDocs>,
    doc: DocId,
}

impl PrefixAny {
    fn new(lists: Vec<PrefixDocs>) -> Self {
        let doc = lists.iter().map(PrefixDocs::doc).min().unwrap_or(TERMINATED);
        Self { lists, doc }
    }
}

impl DocSet for PrefixAny {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let current = self.doc;
        let mut min = TERMINATED;
        for l in &mut self.lists {
            let d = if l.doc() == current { l.advance() } else { l.doc() };
            min = min.min(d);
        }
        self.doc = min;
        min
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.doc = self.lists.iter_mut().map(|l| l.seek(target)).min().unwrap_or(TERMINATED);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.lists.iter().map(PrefixDocs::size_hint).fold(0u32, u32::saturating_add)
    }
}

/// The documents in the lists keyed by each of `edges` (see [`Prefixes::docs`]: an edge of
/// at most [`crate::analysis::PREFIX_EDGE`] characters, possibly after [`FIRST_MARK`], or
/// a whole word after [`WORD_MARK`]; several keys: documents in all of them, or in any of
/// them when built by [`PrefixQuery::any`]), as a tantivy query.
#[derive(Clone, Debug)]
pub(crate) struct PrefixQuery {
    prefixes: std::sync::Arc<Prefixes>,
    edges: Vec<String>,
    any: bool,
}

impl PrefixQuery {
    /// Documents with all of `edges`.
    pub(crate) fn new(prefixes: std::sync::Arc<Prefixes>, edges: &[&str]) -> Self {
        let edges = edges.iter().map(|e| (*e).to_string()).collect();
        Self { prefixes, edges, any: false }
    }

    /// Documents with any of `edges`.
    pub(crate) fn any(prefixes: std::sync::Arc<Prefixes>, edges: Vec<String>) -> Self {
        Self { prefixes, edges, any: true }
    }
}

impl Query for PrefixQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for PrefixQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let id = reader.segment_id();
        let docs = |e: &String| self.prefixes.docs(id, e);
        let lists: Vec<PrefixDocs> = if self.any {
            self.edges.iter().filter_map(docs).collect()
        } else {
            // a missing edge empties the intersection
            self.edges.iter().map(docs).collect::<Option<_>>().unwrap_or_default()
        };
        Ok(match lists.len() {
            0 => Box::new(EmptyScorer),
            1 => match lists.into_iter().next() {
                Some(docs) => Box::new(ConstScorer::new(docs, boost)),
                None => Box::new(EmptyScorer),
            },
            _ if self.any => Box::new(ConstScorer::new(PrefixAny::new(lists), boost)),
            _ => Box::new(ConstScorer::new(PrefixAnd::new(lists), boost)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            let which = if self.any { "any of" } else { "all of" };
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not have words starting with {which} {:?}",
                self.edges
            )));
        }
        Ok(Explanation::new("word prefixes", 1.0))
    }
}

/// Which word forms a [`WordsQuery`] takes.
#[derive(Clone, Debug)]
pub(crate) enum WordMatch {
    /// The forms that start with the text (a typed prefix longer than the edges).
    Prefix(String),
    /// The forms that have a prefix within the edit distance of the text (a transposition
    /// counts as one edit), as tantivy's prefix `FuzzyTermQuery` took them from its term
    /// dictionary.
    Fuzzy(String, u8),
}

/// Levenshtein automaton builders for distances 0 to 2, with transpositions (building one
/// computes its parametric tables: built once, on first use).
fn lev_builder(distance: u8) -> &'static levenshtein_automata::LevenshteinAutomatonBuilder {
    static BUILDERS: [std::sync::OnceLock<levenshtein_automata::LevenshteinAutomatonBuilder>; 3] =
        [const { std::sync::OnceLock::new() }; 3];
    debug_assert!(distance <= 2, "edit distances are at most 2 (see `edit_distance`)");
    let d = distance.min(2);
    BUILDERS[usize::from(d)]
        .get_or_init(|| levenshtein_automata::LevenshteinAutomatonBuilder::new(d, true))
}

/// A Levenshtein prefix automaton over the whole-word keys: [`WORD_MARK`], then the DFA.
struct MarkedDfa(levenshtein_automata::DFA);

/// [`MarkedDfa`]'s state before the mark (the DFA's states are dense from 0, its sink).
const BEFORE_MARK: u32 = u32::MAX;

impl fst::Automaton for MarkedDfa {
    type State = u32;

    fn start(&self) -> u32 {
        BEFORE_MARK
    }

    fn is_match(&self, s: &u32) -> bool {
        *s != BEFORE_MARK && matches!(self.0.distance(*s), levenshtein_automata::Distance::Exact(_))
    }

    fn can_match(&self, s: &u32) -> bool {
        *s != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, s: &u32, byte: u8) -> u32 {
        match *s {
            BEFORE_MARK if byte == WORD_MARK => self.0.initial_state(),
            BEFORE_MARK => levenshtein_automata::SINK_STATE,
            s => self.0.transition(s, byte),
        }
    }
}

/// Lists above which a union is decoded into a bitset rather than merged on the fly.
const MAX_MERGED: usize = 8;

/// The values of the keys of `map` that `aut` accepts.
fn matching<A: fst::Automaton>(map: &fst::Map<FstBytes>, aut: A) -> Vec<u64> {
    use fst::{IntoStreamer, Streamer};
    let mut stream = map.search(aut).into_stream();
    let mut out = Vec::new();
    while let Some((_, at)) = stream.next() {
        out.push(at);
    }
    out
}

impl Prefixes {
    /// The lists of segment `id`'s word forms that `q` takes.
    fn word_lists(&self, id: SegmentId, q: &WordsQuery) -> Vec<PrefixDocs> {
        let Some(s) = self.segment(id) else {
            return Vec::new();
        };
        let offsets = match &q.automaton {
            WordsAutomaton::Prefix(key) => {
                matching(&s.map, fst::Automaton::starts_with(fst::automaton::Str::new(key)))
            }
            WordsAutomaton::Fuzzy(dfa) => matching(&s.map, dfa.as_ref()),
        };
        offsets.into_iter().filter_map(|at| s.list_at(at)).collect()
    }
}

/// The documents in any of `lists` (of a segment of `max_doc` documents): merged on the fly
/// when there are few lists, else decoded into a bitset (as tantivy's automaton queries
/// always do).
fn union(mut lists: Vec<PrefixDocs>, max_doc: u32, boost: Score) -> Box<dyn Scorer> {
    match lists.len() {
        0 => Box::new(EmptyScorer),
        1 => match lists.pop() {
            Some(docs) => Box::new(ConstScorer::new(docs, boost)),
            None => Box::new(EmptyScorer),
        },
        n if n <= MAX_MERGED => Box::new(ConstScorer::new(PrefixAny::new(lists), boost)),
        _ => {
            let mut set = tantivy::BitSet::with_max_value(max_doc);
            for mut l in lists {
                // (a list's docs are below `max_doc`: `PrefixDocs` ends a list early
                // rather than yield one outside the segment)
                while l.doc() != TERMINATED {
                    set.insert(l.doc());
                    l.advance();
                }
            }
            Box::new(ConstScorer::new(tantivy::query::BitSetDocSet::from(set), boost))
        }
    }
}

/// The documents with a word form taken by a [`WordMatch`], as a tantivy query: the union of
/// the forms' lists (see [`union`]).
#[derive(Clone)]
pub(crate) struct WordsQuery {
    prefixes: std::sync::Arc<Prefixes>,
    /// What the query takes (for `Debug` and explanations).
    matcher: WordMatch,
    /// How it is found in the edge map (built once per query).
    automaton: WordsAutomaton,
}

/// The keys of the edge map a [`WordsQuery`] reads.
#[derive(Clone)]
enum WordsAutomaton {
    /// The whole-word keys starting with this one ([`WORD_MARK`] and the typed prefix).
    Prefix(String),
    /// The whole-word keys a Levenshtein prefix automaton accepts.
    Fuzzy(std::sync::Arc<MarkedDfa>),
}

impl std::fmt::Debug for WordsQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordsQuery").field("matcher", &self.matcher).finish_non_exhaustive()
    }
}

impl WordsQuery {
    pub(crate) fn new(prefixes: std::sync::Arc<Prefixes>, matcher: WordMatch) -> Self {
        let automaton = match &matcher {
            WordMatch::Prefix(text) => {
                WordsAutomaton::Prefix(format!("{}{text}", char::from(WORD_MARK)))
            }
            WordMatch::Fuzzy(text, d) => WordsAutomaton::Fuzzy(std::sync::Arc::new(MarkedDfa(
                lev_builder(*d).build_prefix_dfa(text),
            ))),
        };
        Self { prefixes, matcher, automaton }
    }
}

impl Query for WordsQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for WordsQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let lists = self.prefixes.word_lists(reader.segment_id(), self);
        Ok(union(lists, reader.max_doc(), boost))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no word taken by {:?}",
                self.matcher
            )));
        }
        Ok(Explanation::new("words", 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_the_zero_padded_bytes() {
        let text = "abcdefghijklmnopq";
        for n in 1..=17 {
            let form = &text[..n];
            for first in [false, true] {
                let mut padded = [0u8; 16];
                let at = usize::from(first);
                let expected = (n + at <= 16).then(|| {
                    padded[0] = FIRST_MARK;
                    padded[at..at + n].copy_from_slice(form.as_bytes());
                    u128::from_le_bytes(padded)
                });
                assert_eq!(short_key(form, first), expected, "{form} {first}");
            }
        }
        assert_eq!(short_key("", false), None);
    }
    use std::collections::BTreeMap;

    /// A deterministic pseudo-random document collection: doc → word forms.
    fn corpus(n: u32) -> Vec<Vec<String>> {
        let vocab = [
            "heart",
            "hear",
            "hepatic",
            "h",
            "attack",
            "at",
            "myocardial",
            "infarction",
            "in",
            "ménière",
            "menieres",
            "crohn",
            "crohns",
            "a",
            "abdominal",
            "abdomen",
            "zeta",
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let k = 1 + (x % 4) as usize;
                (0..k)
                    .map(|j| vocab[((x >> (8 * j)) % vocab.len() as u64) as usize].to_string())
                    .collect()
            })
            .collect()
    }

    /// Expected lists: edge → docs, from the corpus directly; the first form of each
    /// document also gives term-start edges (after [`FIRST_MARK`]), and every form its
    /// whole-word key (after [`WORD_MARK`]).
    fn expected(docs: &[Vec<String>]) -> BTreeMap<String, Vec<u32>> {
        let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (d, forms) in docs.iter().enumerate() {
            for f in forms {
                let list = out.entry(format!("{}{f}", char::from(WORD_MARK))).or_default();
                if list.last() != Some(&(d as u32)) {
                    list.push(d as u32);
                }
            }
            let marked = forms.first().map(|f| format!("{}{f}", char::from(FIRST_MARK)));
            for f in forms.iter().chain(marked.as_ref()) {
                let skip = usize::from(f.starts_with(char::from(FIRST_MARK)));
                for (n, (i, c)) in f.char_indices().enumerate() {
                    if n >= 5 + skip {
                        break;
                    }
                    if n < skip {
                        continue;
                    }
                    let list = out.entry(f[..i + c.len_utf8()].to_string()).or_default();
                    if list.last() != Some(&(d as u32)) {
                        list.push(d as u32);
                    }
                }
            }
        }
        out
    }

    fn build(dir: &Path, docs: &[Vec<String>]) -> (SegmentId, u32) {
        let mut b = PrefixBuilder::new(5);
        for forms in docs {
            b.add(forms.iter().map(String::as_str), 1);
        }
        let id = SegmentId::generate_random();
        let max = docs.len() as u32;
        write(dir, vec![(id, max, b.finish().unwrap())]).unwrap();
        (id, max)
    }

    fn all(mut d: PrefixDocs) -> Vec<u32> {
        let mut out = Vec::new();
        while d.doc() != TERMINATED {
            out.push(d.doc());
            d.advance();
        }
        out
    }

    #[test]
    fn lists_round_trip_and_seek_across_blocks() {
        let tmp = tempfile::tempdir().unwrap();
        let docs = corpus(3000);
        let (id, max) = build(tmp.path(), &docs);
        let p = Prefixes::open(tmp.path(), &[(id, max)]).unwrap();
        p.verify().unwrap();
        let want = expected(&docs);
        assert!(want["h"].len() > 3 * BLOCK, "several full blocks and a tail");
        for (edge, list) in &want {
            assert_eq!(all(p.docs(id, edge).unwrap()), *list, "{edge}");
            // seek to every 7th target, from a fresh doc set each time and in one sweep
            let mut sweep = p.docs(id, edge).unwrap();
            for t in (0..max + 2).step_by(7) {
                let next = list.iter().copied().find(|&d| d >= t).unwrap_or(TERMINATED);
                assert_eq!(p.docs(id, edge).unwrap().seek(t), next, "{edge} seek {t}");
                if sweep.doc() != TERMINATED || next == TERMINATED {
                    assert_eq!(sweep.seek(t), next, "{edge} sweep {t}");
                }
            }
            assert_eq!(p.docs(id, edge).unwrap().size_hint() as usize, list.len());
        }
        // intersections of two and three lists, advanced and sought
        let edges: Vec<&String> = want.keys().collect();
        for (k, a) in edges.iter().enumerate() {
            for b in edges.iter().skip(k).step_by(3).take(6) {
                for c in [None, Some(edges[(k * 7) % edges.len()])] {
                    let mut lists = vec![&want[*a], &want[*b]];
                    lists.extend(c.map(|c| &want[c]));
                    let and: Vec<u32> = lists[0]
                        .iter()
                        .copied()
                        .filter(|d| lists.iter().all(|l| l.binary_search(d).is_ok()))
                        .collect();
                    let open = || {
                        let mut docs = vec![p.docs(id, a).unwrap(), p.docs(id, b).unwrap()];
                        docs.extend(c.map(|c| p.docs(id, c).unwrap()));
                        PrefixAnd::new(docs)
                    };
                    let mut got = Vec::new();
                    let mut x = open();
                    while x.doc() != TERMINATED {
                        got.push(x.doc());
                        x.advance();
                    }
                    assert_eq!(got, and, "{a} & {b} & {c:?}");
                    let mut sweep = open();
                    for t in (0..max + 2).step_by(11) {
                        let next = and.iter().copied().find(|&d| d >= t).unwrap_or(TERMINATED);
                        if sweep.doc() != TERMINATED || next == TERMINATED {
                            assert_eq!(sweep.seek(t), next, "{a} & {b} seek {t}");
                        }
                    }
                }
            }
        }
        // unions of two and three lists, advanced and sought
        for (k, a) in edges.iter().enumerate().step_by(5) {
            let c = edges[(k * 11 + 3) % edges.len()];
            let b = edges[(k * 7 + 1) % edges.len()];
            let mut or: Vec<u32> =
                want[*a].iter().chain(&want[b]).chain(&want[c]).copied().collect();
            or.sort_unstable();
            or.dedup();
            let open = || {
                PrefixAny::new(vec![
                    p.docs(id, a).unwrap(),
                    p.docs(id, b).unwrap(),
                    p.docs(id, c).unwrap(),
                ])
            };
            let mut got = Vec::new();
            let mut x = open();
            while x.doc() != TERMINATED {
                got.push(x.doc());
                x.advance();
            }
            assert_eq!(got, or, "{a} | {b} | {c}");
            let mut sweep = open();
            for t in (0..max + 2).step_by(11) {
                let next = or.iter().copied().find(|&d| d >= t).unwrap_or(TERMINATED);
                if sweep.doc() != TERMINATED || next == TERMINATED {
                    assert_eq!(sweep.seek(t), next, "{a} | {b} seek {t}");
                }
            }
        }
        let mark = char::from(FIRST_MARK);
        assert!(want.keys().any(|k| k.starts_with(mark)), "term-start edges are tested");
        let word = char::from(WORD_MARK);
        assert!(want.contains_key(&format!("{word}hear")), "a whole word that is an edge");
        assert!(!want[&format!("{word}hear")].iter().eq(want["hear"].iter()));
        assert!(p.docs(id, "q").is_none());
        assert!(p.docs(id, "heart").is_some() && p.docs(id, "hearts").is_none());
        assert!(p.docs(id, "menie").is_some(), "edges of non-ASCII forms by characters");
        assert!(p.docs(SegmentId::generate_random(), "h").is_none());
    }

    /// The optimal-string-alignment distance of `a` and `b` (a transposition of adjacent
    /// characters is one edit), by characters.
    fn osa(a: &[char], b: &[char]) -> usize {
        let (n, m) = (a.len(), b.len());
        let mut d = vec![vec![0usize; m + 1]; n + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=n {
            for j in 1..=m {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[n][m]
    }

    /// Word queries take exactly the forms a brute-force reading of the corpus takes: those
    /// starting with a prefix, and those with a prefix within an edit distance of a (typo'd)
    /// token; the union is the same whether merged on the fly or through a bitset.
    #[test]
    fn word_queries_take_the_forms_a_scan_takes() {
        let tmp = tempfile::tempdir().unwrap();
        let docs = corpus(3000);
        let (id, max) = build(tmp.path(), &docs);
        let p = std::sync::Arc::new(Prefixes::open(tmp.path(), &[(id, max)]).unwrap());
        let run = |m: WordMatch| -> Vec<u32> {
            let q = WordsQuery::new(p.clone(), m);
            let lists = p.word_lists(id, &q);
            let n = lists.len();
            let mut expect: Vec<u32> = lists.into_iter().flat_map(all).collect();
            expect.sort_unstable();
            expect.dedup();
            // the union the query's scorer reads, merged or through a bitset
            let mut scorer = union(p.word_lists(id, &q), max, 1.0);
            let mut got = Vec::new();
            while scorer.doc() != TERMINATED {
                got.push(scorer.doc());
                scorer.advance();
            }
            assert_eq!(got, expect, "{:?}: union of {n} lists", q.matcher);
            got
        };
        let scan = |take: &dyn Fn(&str) -> bool| -> Vec<u32> {
            (0..docs.len() as u32).filter(|&d| docs[d as usize].iter().any(|f| take(f))).collect()
        };
        for prefix in ["h", "hea", "heart", "hearts", "menier", "ménière", "abdom", "q"] {
            let got = run(WordMatch::Prefix(prefix.into()));
            assert_eq!(got, scan(&|f| f.starts_with(prefix)), "prefix {prefix}");
        }
        let within = |token: &str, d: usize, form: &str| {
            let t: Vec<char> = token.chars().collect();
            let f: Vec<char> = form.chars().collect();
            (0..=f.len()).any(|k| osa(&t, &f[..k]) <= d)
        };
        for (token, d) in [
            ("haert", 1u8),
            ("hert", 1),
            ("myocradial", 2),
            ("infraction", 1),
            ("abdomne", 2),
            ("menire", 1),
            ("zzzz", 1),
            ("ab", 2),
        ] {
            let got = run(WordMatch::Fuzzy(token.into(), d));
            let want = scan(&|f| within(token, usize::from(d), f));
            assert_eq!(got, want, "{token} within {d}");
        }
        let forms = |m: WordMatch| p.word_lists(id, &WordsQuery::new(p.clone(), m)).len();
        assert!(forms(WordMatch::Prefix("h".into())) <= MAX_MERGED, "a merged union");
        assert!(forms(WordMatch::Fuzzy("ab".into(), 2)) > MAX_MERGED, "a bitset union");
    }

    #[test]
    fn damaged_files_are_refused_or_read_safely() {
        let tmp = tempfile::tempdir().unwrap();
        let docs = corpus(2000);
        let (id, max) = build(tmp.path(), &docs);
        let path = tmp.path().join(PREFIX_FILE);
        let good = std::fs::read(&path).unwrap();
        // truncated, foreign, wrong segment: refused at open, naming the file
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        let err = Prefixes::open(tmp.path(), &[(id, max)]).unwrap_err().to_string();
        assert!(err.contains(PREFIX_FILE), "{err}");
        std::fs::write(&path, b"not a prefix file at all, really").unwrap();
        assert!(Prefixes::open(tmp.path(), &[(id, max)]).is_err());
        std::fs::write(&path, &good).unwrap();
        assert!(Prefixes::open(tmp.path(), &[(SegmentId::generate_random(), max)]).is_err());
        assert!(Prefixes::open(tmp.path(), &[(id, max + 1)]).is_err());
        // any flipped byte of the edge map (the fst crate could panic on it) is refused at open
        let fst_len = u64_at(&good, HEADER + 40).unwrap() as usize;
        for at in (HEADER + ENTRY..HEADER + ENTRY + fst_len).step_by(3) {
            let mut bad = good.clone();
            bad[at] ^= 0x80;
            std::fs::write(&path, &bad).unwrap();
            let err = Prefixes::open(tmp.path(), &[(id, max)]).map(|_| ()).unwrap_err();
            assert!(err.to_string().contains("edge map"), "byte {at}: {err}");
        }
        // every byte of the lists flipped in turn (a stride of them): the checksum reports
        // it, and reading any list never panics nor yields an id outside the segment or out
        // of order
        let want = expected(&docs);
        let lists_start = good.len() - good.len() / 2;
        for at in (lists_start..good.len()).step_by(97) {
            let mut bad = good.clone();
            bad[at] ^= 0x5A;
            std::fs::write(&path, &bad).unwrap();
            let Ok(p) = Prefixes::open(tmp.path(), &[(id, max)]) else { continue };
            assert!(p.verify().is_err(), "flipped byte {at} not reported");
            for edge in want.keys() {
                let Some(mut d) = p.docs(id, edge) else { continue };
                let mut prev = None;
                while d.doc() != TERMINATED {
                    assert!(d.doc() < max && prev.is_none_or(|p| d.doc() > p));
                    prev = Some(d.doc());
                    d.advance();
                }
                let mut d = p.docs(id, edge).unwrap();
                for t in (0..max).step_by(13) {
                    let got = d.seek(t);
                    assert!(got == TERMINATED || (got >= t && got < max));
                }
            }
        }
    }
}
