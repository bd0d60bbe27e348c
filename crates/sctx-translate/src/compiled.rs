//! The compiled legacy-code tables: written by [`compile`] into `<build>/legacy/`, read back by
//! [`open`].
//!
//! Layout of `<build>/legacy/`:
//! - `readv2.fst`, `ctv3.fst`: fst maps from the 5-byte code (case-sensitive, dots kept) to
//!   its dense code index;
//! - `tables.bin`: a simple little-endian format: magic `SCTXLEG\0`, format version (u32),
//!   then length-prefixed sections (string pool, then per system: codes, statuses, parents,
//!   terms, SNOMED maps, Read↔CTV3 maps, alternates; then the reverse index), then the xxh3-64
//!   of everything before it. [`open`] checks the checksum, every offset array and every
//!   index, so later accessors cannot go out of bounds;
//! - `legacy.json`: [`LegacyCounts`] (row counts, format, file checksums).

use std::collections::BTreeMap;
use std::path::Path;

use rustc_hash::FxHashMap;
use sctx_nhsmaps::{LegacyTarget, NhsTables, SctTarget, TermType};

use crate::error::TranslateError;

/// The subdirectory of a database build that holds the legacy tables.
pub const LEGACY_DIR: &str = "legacy";
/// The format version of `tables.bin`.
pub const LEGACY_FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"SCTXLEG\0";

/// A legacy UK code system.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum LegacySystem {
    /// Read v2 (5-byte codes, 2-character term codes).
    #[serde(rename = "readv2")]
    ReadV2,
    /// CTV3 (5-byte concept codes, 5-character term ids).
    #[serde(rename = "ctv3")]
    Ctv3,
}

impl LegacySystem {
    pub(crate) fn slot(self) -> usize {
        match self {
            LegacySystem::ReadV2 => 0,
            LegacySystem::Ctv3 => 1,
        }
    }
    /// `readv2` or `ctv3`.
    pub fn as_str(self) -> &'static str {
        match self {
            LegacySystem::ReadV2 => "readv2",
            LegacySystem::Ctv3 => "ctv3",
        }
    }
}

/// Row counts recorded in `legacy.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LegacyCounts {
    /// `tables.bin` format version.
    pub format: u32,
    /// Read v2 codes (from term files, maps and derived ancestors).
    pub read_codes: u64,
    /// Read v2 terms.
    pub read_terms: u64,
    /// Read v2 → SNOMED CT maps (assured pack).
    pub read_sct_maps: u64,
    /// Of which `IS_ASSURED` = 1.
    pub read_sct_assured: u64,
    /// Read v2 → SNOMED CT maps from the Not Clinically Assured `rcsctmap_uk`.
    pub read_sct_nca_maps: u64,
    /// Read v2 → CTV3 maps.
    pub read_ctv3_maps: u64,
    /// Read v2 codes-with-values alternates.
    pub read_alternates: u64,
    /// CTV3 codes.
    pub ctv3_codes: u64,
    /// CTV3 terms.
    pub ctv3_terms: u64,
    /// CTV3 → SNOMED CT maps.
    pub ctv3_sct_maps: u64,
    /// Of which `IS_ASSURED` = 1.
    pub ctv3_sct_assured: u64,
    /// CTV3 → Read v2 maps.
    pub ctv3_read_maps: u64,
    /// CTV3 alternates.
    pub ctv3_alternates: u64,
    /// CTV3 hierarchy links.
    pub ctv3_parent_links: u64,
    /// Reverse (SNOMED CT → legacy) index entries.
    pub reverse_entries: u64,
    /// xxh3-64 (hex) of each file written, by name.
    pub files: BTreeMap<String, String>,
}

/// A short key: a Read v2 term code (2) or CTV3 term id / code (5), zero-padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub(crate) struct Key {
    pub bytes: [u8; 5],
    pub len: u8,
}

impl Key {
    pub fn new(s: &[u8]) -> Key {
        let mut bytes = [0u8; 5];
        let len = s.len().min(5);
        bytes[..len].copy_from_slice(&s[..len]);
        Key { bytes, len: len as u8 }
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..(self.len as usize).min(5)]
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
    fn write(&self, o: &mut Vec<u8>) {
        o.extend_from_slice(&self.bytes);
        o.push(self.len);
    }
    /// A number that orders as the key does (bytes, then length), cheaper to compare.
    fn ord(&self) -> u64 {
        code_ord(&self.bytes) << 8 | u64::from(self.len)
    }
    fn read(b: &[u8]) -> Key {
        let mut bytes = [0u8; 5];
        bytes.copy_from_slice(&b[..5]);
        Key { bytes, len: b[5].min(5) }
    }
}

/// A string in the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Str {
    pub off: u32,
    pub len: u32,
}

impl Str {
    fn write(&self, o: &mut Vec<u8>) {
        o.extend_from_slice(&self.off.to_le_bytes());
        o.extend_from_slice(&self.len.to_le_bytes());
    }
    fn read(b: &[u8]) -> Str {
        Str { off: le32(&b[0..4]), len: le32(&b[4..8]) }
    }
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
fn le64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

pub(crate) const TT_NONE: u8 = 0;
pub(crate) const TT_P: u8 = 1;
pub(crate) const TT_S: u8 = 2;
pub(crate) const KIND_CONCEPT: u8 = 0;
pub(crate) const KIND_DRUG: u8 = 1;
pub(crate) const KIND_NONE: u8 = 2;
pub(crate) const ASSURED_NO: u8 = 0;
pub(crate) const ASSURED_YES: u8 = 1;
pub(crate) const ASSURED_UNKNOWN: u8 = 2;
/// Source of an SNOMED map row: the clinically assured pack file.
pub(crate) const SRC_PRIMARY: u8 = 0;
/// Source: the Not Clinically Assured `rcsctmap_uk`.
pub(crate) const SRC_NCA: u8 = 1;

fn tt(t: Option<TermType>) -> u8 {
    match t {
        None => TT_NONE,
        Some(TermType::Preferred) => TT_P,
        Some(TermType::Synonym) => TT_S,
    }
}
fn assured(a: Option<bool>) -> u8 {
    match a {
        Some(true) => ASSURED_YES,
        Some(false) => ASSURED_NO,
        None => ASSURED_UNKNOWN,
    }
}

/// A legacy → SNOMED CT map row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SctRec {
    pub term: Key,
    pub term_type: u8,
    pub kind: u8,
    pub assured: u8,
    pub source: u8,
    pub concept: u64,
    pub description: u64,
    pub effective: u32,
    pub map_id: Str,
}
impl SctRec {
    const SIZE: usize = 6 + 4 + 16 + 4 + 8;
    fn write(&self, o: &mut Vec<u8>) {
        self.term.write(o);
        o.extend_from_slice(&[self.term_type, self.kind, self.assured, self.source]);
        o.extend_from_slice(&self.concept.to_le_bytes());
        o.extend_from_slice(&self.description.to_le_bytes());
        o.extend_from_slice(&self.effective.to_le_bytes());
        self.map_id.write(o);
    }
    fn read(b: &[u8]) -> SctRec {
        SctRec {
            term: Key::read(&b[0..6]),
            term_type: b[6],
            kind: b[7],
            assured: b[8],
            source: b[9],
            concept: le64(&b[10..18]),
            description: le64(&b[18..26]),
            effective: le32(&b[26..30]),
            map_id: Str::read(&b[30..38]),
        }
    }
}

/// A Read v2 ↔ CTV3 map row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LegRec {
    pub term: Key,
    pub term_type: u8,
    pub kind: u8,
    pub target: Key,
    pub target_term: Key,
    pub assured: u8,
    pub use_term: u8,
    pub effective: u32,
    pub map_id: Str,
}
impl LegRec {
    const SIZE: usize = 6 + 2 + 6 + 6 + 2 + 4 + 8;
    fn write(&self, o: &mut Vec<u8>) {
        self.term.write(o);
        o.extend_from_slice(&[self.term_type, self.kind]);
        self.target.write(o);
        self.target_term.write(o);
        o.extend_from_slice(&[self.assured, self.use_term]);
        o.extend_from_slice(&self.effective.to_le_bytes());
        self.map_id.write(o);
    }
    fn read(b: &[u8]) -> LegRec {
        LegRec {
            term: Key::read(&b[0..6]),
            term_type: b[6],
            kind: b[7],
            target: Key::read(&b[8..14]),
            target_term: Key::read(&b[14..20]),
            assured: b[20],
            use_term: b[21],
            effective: le32(&b[22..26]),
            map_id: Str::read(&b[26..34]),
        }
    }
}

/// A term of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TermRec {
    pub term: Key,
    pub term_type: u8,
    pub text: Str,
}
impl TermRec {
    const SIZE: usize = 6 + 1 + 8;
    fn write(&self, o: &mut Vec<u8>) {
        self.term.write(o);
        o.push(self.term_type);
        self.text.write(o);
    }
    fn read(b: &[u8]) -> TermRec {
        TermRec { term: Key::read(&b[0..6]), term_type: b[6], text: Str::read(&b[7..15]) }
    }
}

/// A codes-with-values alternate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AltRec {
    pub term: Key,
    pub use_alt: u8,
    pub concept: u64,
    pub description: u64,
}
impl AltRec {
    const SIZE: usize = 6 + 1 + 16;
    fn write(&self, o: &mut Vec<u8>) {
        self.term.write(o);
        o.push(self.use_alt);
        o.extend_from_slice(&self.concept.to_le_bytes());
        o.extend_from_slice(&self.description.to_le_bytes());
    }
    fn read(b: &[u8]) -> AltRec {
        AltRec {
            term: Key::read(&b[0..6]),
            use_alt: b[6],
            concept: le64(&b[7..15]),
            description: le64(&b[15..23]),
        }
    }
}

/// A reverse-index entry: SNOMED CT concept → a legacy map row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RevRec {
    pub concept: u64,
    pub system: u8,
    pub code: u32,
    pub rec: u32,
}
impl RevRec {
    const SIZE: usize = 8 + 1 + 4 + 4;
    fn write(&self, o: &mut Vec<u8>) {
        o.extend_from_slice(&self.concept.to_le_bytes());
        o.push(self.system);
        o.extend_from_slice(&self.code.to_le_bytes());
        o.extend_from_slice(&self.rec.to_le_bytes());
    }
    fn read(b: &[u8]) -> RevRec {
        RevRec {
            concept: le64(&b[0..8]),
            system: b[8],
            code: le32(&b[9..13]),
            rec: le32(&b[13..17]),
        }
    }
}

/// One system's compiled table.
#[derive(Default)]
pub(crate) struct CodeTable {
    pub fst: Option<fst::Map<Vec<u8>>>,
    pub codes: Vec<[u8; 5]>,
    /// Status letter from the term files (`C`, `R`, ...), 0 when the code is only known from
    /// maps or the hierarchy.
    pub status: Vec<u8>,
    pub parent_off: Vec<u32>,
    pub parents: Vec<u32>,
    pub term_off: Vec<u32>,
    pub terms: Vec<TermRec>,
    pub sct_off: Vec<u32>,
    pub sct: Vec<SctRec>,
    pub leg_off: Vec<u32>,
    pub leg: Vec<LegRec>,
    pub alt_off: Vec<u32>,
    pub alt: Vec<AltRec>,
}

fn slice<'a, T>(off: &[u32], v: &'a [T], i: u32) -> &'a [T] {
    let i = i as usize;
    match (off.get(i), off.get(i + 1)) {
        (Some(&a), Some(&b)) if a <= b => v.get(a as usize..b as usize).unwrap_or(&[]),
        _ => &[],
    }
}

impl CodeTable {
    pub fn index(&self, code: &[u8]) -> Option<u32> {
        let v = self.fst.as_ref()?.get(code)?;
        u32::try_from(v).ok().filter(|&i| (i as usize) < self.codes.len())
    }
    pub fn code(&self, i: u32) -> &str {
        self.codes.get(i as usize).and_then(|c| std::str::from_utf8(c).ok()).unwrap_or("")
    }
    pub fn parents_of(&self, i: u32) -> &[u32] {
        slice(&self.parent_off, &self.parents, i)
    }
    pub fn terms_of(&self, i: u32) -> &[TermRec] {
        slice(&self.term_off, &self.terms, i)
    }
    pub fn sct_range(&self, i: u32) -> std::ops::Range<usize> {
        let i = i as usize;
        match (self.sct_off.get(i), self.sct_off.get(i + 1)) {
            (Some(&a), Some(&b)) if a <= b => a as usize..b as usize,
            _ => 0..0,
        }
    }
    pub fn leg_of(&self, i: u32) -> &[LegRec] {
        slice(&self.leg_off, &self.leg, i)
    }
    pub fn alt_of(&self, i: u32) -> &[AltRec] {
        slice(&self.alt_off, &self.alt, i)
    }
}

/// The compiled Read v2 / CTV3 tables, opened from a database build.
#[derive(Default)]
pub struct LegacyTables {
    pub(crate) text: String,
    pub(crate) systems: [CodeTable; 2],
    pub(crate) reverse: Vec<RevRec>,
    pub(crate) counts: LegacyCounts,
}

impl std::fmt::Debug for LegacyTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyTables").field("counts", &self.counts).finish_non_exhaustive()
    }
}

/// A term of a legacy code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LegacyTerm {
    /// Read v2 term code or CTV3 term id.
    pub term_code: String,
    /// Preferred (`00` / `P`).
    pub preferred: bool,
    /// The longest form of the term.
    pub text: String,
}

impl LegacyTables {
    /// Row counts.
    pub fn counts(&self) -> &LegacyCounts {
        &self.counts
    }
    pub(crate) fn table(&self, s: LegacySystem) -> &CodeTable {
        &self.systems[s.slot()]
    }
    pub(crate) fn text(&self, s: Str) -> &str {
        self.text.get(s.off as usize..(s.off as usize).saturating_add(s.len as usize)).unwrap_or("")
    }
    /// Whether the code (5 characters, case-sensitive) is known in `system`.
    pub fn contains(&self, system: LegacySystem, code: &str) -> bool {
        self.table(system).index(code.as_bytes()).is_some()
    }
    /// The parents of a code: derived from the code string for Read v2, from `V3hier.v3` for
    /// CTV3.
    pub fn parents(&self, system: LegacySystem, code: &str) -> Vec<String> {
        let t = self.table(system);
        t.index(code.as_bytes())
            .map(|i| t.parents_of(i).iter().map(|&p| t.code(p).to_string()).collect())
            .unwrap_or_default()
    }
    /// The terms of a code, preferred first.
    pub fn terms(&self, system: LegacySystem, code: &str) -> Vec<LegacyTerm> {
        let t = self.table(system);
        let Some(i) = t.index(code.as_bytes()) else {
            return Vec::new();
        };
        let mut v: Vec<LegacyTerm> = t
            .terms_of(i)
            .iter()
            .map(|r| LegacyTerm {
                term_code: r.term.as_str().to_string(),
                preferred: r.term_type == TT_P,
                text: self.text(r.text).to_string(),
            })
            .collect();
        v.sort_by_key(|t| !t.preferred);
        v
    }
    /// The term of a code + term code, or its preferred term when `term_code` is `None`.
    pub fn term_text(
        &self,
        system: LegacySystem,
        code: &str,
        term_code: Option<&str>,
    ) -> Option<&str> {
        let t = self.table(system);
        let i = t.index(code.as_bytes())?;
        self.term_text_idx(system, i, term_code.map(str::as_bytes))
    }
    pub(crate) fn term_text_idx(
        &self,
        system: LegacySystem,
        i: u32,
        term: Option<&[u8]>,
    ) -> Option<&str> {
        let terms = self.table(system).terms_of(i);
        let r = match term {
            Some(k) => terms.iter().find(|r| r.term.as_bytes() == k),
            None => terms.iter().find(|r| r.term_type == TT_P).or(terms.first()),
        }?;
        Some(self.text(r.text))
    }
    /// The status letter of a code from the term files (`C` current, `R` redundant...),
    /// `None` when the code is known only from maps or the hierarchy.
    pub fn status(&self, system: LegacySystem, code: &str) -> Option<char> {
        let t = self.table(system);
        let i = t.index(code.as_bytes())?;
        t.status.get(i as usize).filter(|&&s| s != 0).map(|&s| s as char)
    }
}

/// The parent of a Read v2 code: the rightmost non-dot character becomes a dot
/// (`H33z.` → `H33..`); `.....` has none.
pub fn read_v2_parent(code: &[u8]) -> Option<[u8; 5]> {
    let mut c: [u8; 5] = code.try_into().ok()?;
    let pos = c.iter().rposition(|&b| b != b'.')?;
    c[pos] = b'.';
    Some(c)
}

// ---------------------------------------------------------------------------------------
// compile

/// The string pool: each distinct string once, in order of first use (the strings are
/// borrowed from the tables being compiled).
struct Pool<'a> {
    text: String,
    seen: FxHashMap<&'a str, Str>,
}

impl<'a> Pool<'a> {
    fn add(&mut self, s: &'a str) -> Str {
        *self.seen.entry(s).or_insert_with(|| {
            let v = Str { off: self.text.len() as u32, len: s.len() as u32 };
            self.text.push_str(s);
            v
        })
    }
}

fn code5(s: &str) -> Option<[u8; 5]> {
    s.as_bytes().try_into().ok()
}

/// A number that orders as the code's bytes do.
fn code_ord(c: &[u8; 5]) -> u64 {
    c.iter().fold(0u64, |v, &b| v << 8 | u64::from(b))
}

/// A system's codes and rows while building: codes get ids in order of first use (found by
/// code through a hash map); rows are kept with their code's id, in input order, and are
/// grouped by code (in code order) once, in [`build_system`].
#[derive(Default)]
struct Codes {
    index: FxHashMap<[u8; 5], u32>,
    codes: Vec<[u8; 5]>,
    status: Vec<u8>,
    parents: Vec<(u32, ([u8; 5], u32))>,
    terms: Vec<(u32, TermRec)>,
    sct: Vec<(u32, SctRec)>,
    leg: Vec<(u32, LegRec)>,
    alt: Vec<(u32, AltRec)>,
}

impl Codes {
    fn with_capacity(n: usize) -> Codes {
        Codes {
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            codes: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            ..Codes::default()
        }
    }
    /// The id of a code, adding it when new.
    fn id(&mut self, code: [u8; 5]) -> u32 {
        let next = self.codes.len() as u32;
        let i = *self.index.entry(code).or_insert(next);
        if i == next {
            self.codes.push(code);
            self.status.push(0);
        }
        i
    }
    fn set_status(&mut self, code: [u8; 5], status: u8) {
        let i = self.id(code) as usize;
        if let Some(s) = self.status.get_mut(i) {
            *s = status;
        }
    }
    fn contains(&self, code: &[u8; 5]) -> bool {
        self.index.contains_key(code)
    }
}

/// Groups rows by the rank of their code: the offsets (`n + 1`) and the rows, each code's in
/// input order.
fn group<T: Copy>(rows: &[(u32, T)], rank: &[u32], n: usize) -> (Vec<u32>, Vec<T>) {
    let mut off = vec![0u32; n + 1];
    for &(id, _) in rows {
        off[rank[id as usize] as usize + 1] += 1;
    }
    for i in 1..off.len() {
        off[i] += off[i - 1];
    }
    let mut next = off.clone();
    let mut order = vec![0u32; rows.len()];
    for (j, &(id, _)) in rows.iter().enumerate() {
        let r = rank[id as usize] as usize;
        order[next[r] as usize] = j as u32;
        next[r] += 1;
    }
    (off, order.into_iter().map(|j| rows[j as usize].1).collect())
}

/// Appends `items` to `out` less those equal (`same(item, last kept)`) to the item kept before
/// them, as `Vec::dedup_by` does.
fn push_dedup<T: Copy>(out: &mut Vec<T>, items: &[T], same: impl Fn(&T, &T) -> bool) {
    let start = out.len();
    for x in items {
        if out.len() > start && out.last().is_some_and(|y| same(x, y)) {
            continue;
        }
        out.push(*x);
    }
}

fn range(off: &[u32], i: usize) -> std::ops::Range<usize> {
    off[i] as usize..off[i + 1] as usize
}

/// Builds a system's table: codes sorted, each code's rows sorted and deduplicated.
fn build_system(c: Codes) -> Result<CodeTable, TranslateError> {
    let n = c.codes.len();
    // codes are unique, so an unstable sort of (code, id) gives the one code order
    let mut keyed: Vec<(u64, u32)> =
        c.codes.iter().enumerate().map(|(i, code)| (code_ord(code), i as u32)).collect();
    keyed.sort_unstable();
    let by_code: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
    let mut rank = vec![0u32; n];
    for (r, &i) in by_code.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    let (parent_g_off, mut parent_g) = group(&c.parents, &rank, n);
    let (term_g_off, mut term_g) = group(&c.terms, &rank, n);
    let (sct_g_off, mut sct_g) = group(&c.sct, &rank, n);
    let (leg_g_off, mut leg_g) = group(&c.leg, &rank, n);
    let (alt_off, alt) = group(&c.alt, &rank, n);
    let mut t = CodeTable {
        codes: Vec::with_capacity(n),
        status: Vec::with_capacity(n),
        parent_off: Vec::with_capacity(n + 1),
        parents: Vec::with_capacity(parent_g.len()),
        term_off: Vec::with_capacity(n + 1),
        terms: Vec::with_capacity(term_g.len()),
        sct_off: Vec::with_capacity(n + 1),
        sct: Vec::with_capacity(sct_g.len()),
        leg_off: Vec::with_capacity(n + 1),
        leg: Vec::with_capacity(leg_g.len()),
        alt_off,
        alt,
        ..CodeTable::default()
    };
    let mut fb = fst::MapBuilder::memory();
    let mut parents: Vec<([u8; 5], u32)> = Vec::new();
    for (r, &id) in by_code.iter().enumerate() {
        let code = c.codes[id as usize];
        fb.insert(code, r as u64).map_err(|e| TranslateError::Fst(e.to_string()))?;
        t.codes.push(code);
        t.status.push(c.status[id as usize]);
        t.parent_off.push(t.parents.len() as u32);
        let ps = &mut parent_g[range(&parent_g_off, r)];
        ps.sort_by_key(|p| (p.1, code_ord(&p.0)));
        parents.clear();
        push_dedup(&mut parents, ps, |x, y| x.0 == y.0);
        t.parents
            .extend(parents.iter().filter_map(|p| c.index.get(&p.0).map(|&i| rank[i as usize])));
        t.term_off.push(t.terms.len() as u32);
        let ts = &mut term_g[range(&term_g_off, r)];
        ts.sort_by_key(|r| (r.term_type != TT_P, r.term.ord()));
        push_dedup(&mut t.terms, ts, |x, y| x.term == y.term);
        t.sct_off.push(t.sct.len() as u32);
        // primary pack first; per term: assured first, newest first
        let ss = &mut sct_g[range(&sct_g_off, r)];
        ss.sort_by_key(|r| {
            (r.source, r.term.ord(), r.assured != ASSURED_YES, std::cmp::Reverse(r.effective))
        });
        push_dedup(&mut t.sct, ss, |x, y| {
            x.source == y.source && x.term == y.term && x.kind == y.kind && x.concept == y.concept
        });
        t.leg_off.push(t.leg.len() as u32);
        let ls = &mut leg_g[range(&leg_g_off, r)];
        ls.sort_by_key(|r| {
            (r.term.ord(), r.assured != ASSURED_YES, std::cmp::Reverse(r.effective))
        });
        push_dedup(&mut t.leg, ls, |x, y| {
            x.term == y.term
                && x.kind == y.kind
                && x.target == y.target
                && x.target_term == y.target_term
        });
    }
    t.parent_off.push(t.parents.len() as u32);
    t.term_off.push(t.terms.len() as u32);
    t.sct_off.push(t.sct.len() as u32);
    t.leg_off.push(t.leg.len() as u32);
    let bytes = fb.into_inner().map_err(|e| TranslateError::Fst(e.to_string()))?;
    t.fst = Some(fst::Map::new(bytes).map_err(|e| TranslateError::Fst(e.to_string()))?);
    Ok(t)
}

fn sct_rec<'a>(pool: &mut Pool<'a>, m: &'a sctx_nhsmaps::SctMap, source: u8) -> SctRec {
    let (kind, concept, description) = match m.target {
        SctTarget::Concept { concept, description } => {
            (KIND_CONCEPT, concept, description.unwrap_or(0))
        }
        SctTarget::Drug => (KIND_DRUG, 0, 0),
        SctTarget::None => (KIND_NONE, 0, 0),
    };
    SctRec {
        term: Key::new(m.term.as_bytes()),
        term_type: tt(m.term_type),
        kind,
        assured: assured(m.assured),
        source,
        concept,
        description,
        effective: m.effective,
        map_id: pool.add(&m.map_id),
    }
}

fn alt_rec(a: &sctx_nhsmaps::AlternateMap) -> AltRec {
    AltRec {
        term: Key::new(a.term.as_bytes()),
        use_alt: a.use_alternate as u8,
        concept: a.concept,
        description: a.description.unwrap_or(0),
    }
}

fn leg_rec<'a>(pool: &mut Pool<'a>, m: &'a sctx_nhsmaps::LegacyMap) -> LegRec {
    let (kind, target, target_term) = match &m.target {
        LegacyTarget::Code { code, term } => {
            (KIND_CONCEPT, Key::new(code.as_bytes()), Key::new(term.as_bytes()))
        }
        LegacyTarget::Drug => (KIND_DRUG, Key::default(), Key::default()),
        LegacyTarget::None => (KIND_NONE, Key::default(), Key::default()),
    };
    LegRec {
        term: Key::new(m.term.as_bytes()),
        term_type: tt(m.term_type),
        kind,
        target,
        target_term,
        assured: assured(m.assured),
        use_term: m.use_term as u8,
        effective: m.effective,
        map_id: pool.add(&m.map_id),
    }
}

/// Builds the in-memory compiled form (what [`compile`] writes and [`open`] reads).
pub fn build(tables: &NhsTables) -> Result<LegacyTables, TranslateError> {
    let t = tables;
    // an upper bound of the pool: every string added, with repeats
    let pool_len: usize = t.read_terms.iter().map(|r| r.term().len()).sum::<usize>()
        + [&t.read_sct, &t.read_sct_nca, &t.ctv3_sct]
            .into_iter()
            .flatten()
            .map(|m| m.map_id.len())
            .sum::<usize>()
        + [&t.read_ctv3, &t.ctv3_read].into_iter().flatten().map(|m| m.map_id.len()).sum::<usize>()
        + t.ctv3_terms.iter().map(|x| x.term().len()).sum::<usize>();
    let pool_n = t.read_terms.len()
        + t.read_sct.len()
        + t.read_sct_nca.len()
        + t.ctv3_sct.len()
        + t.read_ctv3.len()
        + t.ctv3_read.len()
        + t.ctv3_terms.len();
    let mut pool = Pool {
        text: String::with_capacity(pool_len),
        seen: FxHashMap::with_capacity_and_hasher(pool_n, Default::default()),
    };
    // Read v2
    let mut read = Codes::with_capacity(
        t.read_terms.len() + t.read_sct.len() + t.read_sct_nca.len() + t.read_ctv3.len(),
    );
    read.terms.reserve(t.read_terms.len());
    read.sct.reserve(t.read_sct.len() + t.read_sct_nca.len());
    read.leg.reserve(t.read_ctv3.len());
    read.alt.reserve(t.read_alternates.len());
    for r in &tables.read_terms {
        let Some(c) = code5(&r.code) else { continue };
        read.set_status(c, b'C');
        let id = read.id(c);
        read.terms.push((
            id,
            TermRec {
                term: Key::new(r.term_code.as_bytes()),
                term_type: if r.term_code == "00" { TT_P } else { TT_S },
                text: pool.add(r.term()),
            },
        ));
    }
    for (rows, src) in [(&tables.read_sct, SRC_PRIMARY), (&tables.read_sct_nca, SRC_NCA)] {
        for m in rows {
            let Some(c) = code5(&m.code) else { continue };
            let rec = sct_rec(&mut pool, m, src);
            let id = read.id(c);
            read.sct.push((id, rec));
        }
    }
    for m in &tables.read_ctv3 {
        let Some(c) = code5(&m.code) else { continue };
        let rec = leg_rec(&mut pool, m);
        let id = read.id(c);
        read.leg.push((id, rec));
    }
    for a in &tables.read_alternates {
        let Some(c) = code5(&a.code) else { continue };
        let id = read.id(c);
        read.alt.push((id, alt_rec(a)));
    }
    // derived Read v2 hierarchy: every ancestor of every code becomes a code
    // (a walk stops at a code already known: its ancestors are known or will be walked
    // from it, as every code present before the walks is walked)
    let known = read.codes.len();
    for i in 0..known {
        let mut cur = read.codes[i];
        while let Some(p) = read_v2_parent(&cur) {
            if read.contains(&p) {
                break;
            }
            read.id(p);
            cur = p;
        }
    }
    read.parents.reserve(read.codes.len());
    for (i, k) in read.codes.iter().enumerate() {
        if let Some(p) = read_v2_parent(k) {
            read.parents.push((i as u32, (p, 0)));
        }
    }
    // CTV3
    let mut ctv3 = Codes::with_capacity(
        t.ctv3_concepts.len() + t.ctv3_sct.len() + t.ctv3_read.len() + t.ctv3_hierarchy.len(),
    );
    ctv3.terms.reserve(t.ctv3_descriptions.len());
    ctv3.sct.reserve(t.ctv3_sct.len());
    ctv3.leg.reserve(t.ctv3_read.len());
    ctv3.alt.reserve(t.ctv3_alternates.len());
    ctv3.parents.reserve(t.ctv3_hierarchy.len());
    for c in &tables.ctv3_concepts {
        let Some(k) = code5(&c.code) else { continue };
        ctv3.set_status(k, c.status as u8);
    }
    let term_text: FxHashMap<&str, &str> =
        tables.ctv3_terms.iter().map(|t| (t.term_id.as_str(), t.term())).collect();
    for d in &tables.ctv3_descriptions {
        let Some(k) = code5(&d.code) else { continue };
        let text = term_text.get(d.term_id.as_str()).copied().unwrap_or("");
        let rec = TermRec {
            term: Key::new(d.term_id.as_bytes()),
            term_type: tt(Some(d.term_type)),
            text: pool.add(text),
        };
        let id = ctv3.id(k);
        ctv3.terms.push((id, rec));
    }
    for m in &tables.ctv3_sct {
        let Some(c) = code5(&m.code) else { continue };
        let rec = sct_rec(&mut pool, m, SRC_PRIMARY);
        let id = ctv3.id(c);
        ctv3.sct.push((id, rec));
    }
    for m in &tables.ctv3_read {
        let Some(c) = code5(&m.code) else { continue };
        let rec = leg_rec(&mut pool, m);
        let id = ctv3.id(c);
        ctv3.leg.push((id, rec));
    }
    for a in &tables.ctv3_alternates {
        let Some(c) = code5(&a.code) else { continue };
        let id = ctv3.id(c);
        ctv3.alt.push((id, alt_rec(a)));
    }
    for h in &tables.ctv3_hierarchy {
        let (Some(c), Some(p)) = (code5(&h.child), code5(&h.parent)) else { continue };
        ctv3.id(p);
        let id = ctv3.id(c);
        ctv3.parents.push((id, (p, h.order)));
    }
    let read = build_system(read)?;
    let ctv3 = build_system(ctv3)?;
    let mut reverse = Vec::with_capacity(read.sct.len() + ctv3.sct.len());
    for (s, t) in [&read, &ctv3].into_iter().enumerate() {
        for code in 0..t.codes.len() as u32 {
            for rec in t.sct_range(code) {
                if let Some(r) = t.sct.get(rec)
                    && r.kind == KIND_CONCEPT
                {
                    reverse.push(RevRec {
                        concept: r.concept,
                        system: s as u8,
                        code,
                        rec: rec as u32,
                    });
                }
            }
        }
    }
    reverse.sort_unstable();
    let count_assured = |t: &CodeTable, src: u8| {
        t.sct.iter().filter(|r| r.source == src && r.assured == ASSURED_YES).count() as u64
    };
    let counts = LegacyCounts {
        format: LEGACY_FORMAT,
        read_codes: read.codes.len() as u64,
        read_terms: read.terms.len() as u64,
        read_sct_maps: read.sct.iter().filter(|r| r.source == SRC_PRIMARY).count() as u64,
        read_sct_assured: count_assured(&read, SRC_PRIMARY),
        read_sct_nca_maps: read.sct.iter().filter(|r| r.source == SRC_NCA).count() as u64,
        read_ctv3_maps: read.leg.len() as u64,
        read_alternates: read.alt.len() as u64,
        ctv3_codes: ctv3.codes.len() as u64,
        ctv3_terms: ctv3.terms.len() as u64,
        ctv3_sct_maps: ctv3.sct.len() as u64,
        ctv3_sct_assured: count_assured(&ctv3, SRC_PRIMARY),
        ctv3_read_maps: ctv3.leg.len() as u64,
        ctv3_alternates: ctv3.alt.len() as u64,
        ctv3_parent_links: ctv3.parents.len() as u64,
        reverse_entries: reverse.len() as u64,
        files: BTreeMap::new(),
    };
    Ok(LegacyTables { text: pool.text, systems: [read, ctv3], reverse, counts })
}

fn section(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}
/// A section written in place: its length, patched once `write` has appended its bytes.
fn section_with(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&0u64.to_le_bytes());
    write(out);
    let len = (out.len() - at - 8) as u64;
    out[at..at + 8].copy_from_slice(&len.to_le_bytes());
}
fn u32_section(out: &mut Vec<u8>, v: &[u32]) {
    section_with(out, |o| {
        for x in v {
            o.extend_from_slice(&x.to_le_bytes());
        }
    });
}
fn rec_section<T>(out: &mut Vec<u8>, v: &[T], write: impl Fn(&T, &mut Vec<u8>)) {
    section_with(out, |o| {
        for x in v {
            write(x, o);
        }
    });
}

/// The size of `tables.bin` (to allocate it once).
fn encoded_len(t: &LegacyTables) -> usize {
    let systems: usize = t
        .systems
        .iter()
        .map(|s| {
            12 * 8
                + s.codes.len() * 6
                + 4 * (s.parent_off.len()
                    + s.parents.len()
                    + s.term_off.len()
                    + s.sct_off.len()
                    + s.leg_off.len()
                    + s.alt_off.len())
                + s.terms.len() * TermRec::SIZE
                + s.sct.len() * SctRec::SIZE
                + s.leg.len() * LegRec::SIZE
                + s.alt.len() * AltRec::SIZE
        })
        .sum();
    MAGIC.len() + 4 + 8 + t.text.len() + systems + 8 + t.reverse.len() * RevRec::SIZE + 8
}

fn encode(t: &LegacyTables) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(t));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&LEGACY_FORMAT.to_le_bytes());
    section(&mut out, t.text.as_bytes());
    for s in &t.systems {
        section(&mut out, s.codes.as_flattened());
        section(&mut out, &s.status);
        u32_section(&mut out, &s.parent_off);
        u32_section(&mut out, &s.parents);
        u32_section(&mut out, &s.term_off);
        rec_section(&mut out, &s.terms, TermRec::write);
        u32_section(&mut out, &s.sct_off);
        rec_section(&mut out, &s.sct, SctRec::write);
        u32_section(&mut out, &s.leg_off);
        rec_section(&mut out, &s.leg, LegRec::write);
        u32_section(&mut out, &s.alt_off);
        rec_section(&mut out, &s.alt, AltRec::write);
    }
    rec_section(&mut out, &t.reverse, RevRec::write);
    let h = xxhash_rust::xxh3::xxh3_64(&out);
    out.extend_from_slice(&h.to_le_bytes());
    out
}

fn write_file(path: &Path, bytes: &[u8], counts: &mut LegacyCounts) -> Result<(), TranslateError> {
    // (not read again by the import: written around the page cache)
    let mut out = sctx_io::OutputFile::create(path).map_err(TranslateError::io(path))?;
    std::io::Write::write_all(&mut out, bytes).map_err(TranslateError::io(path))?;
    let written = out.finish(false).map_err(TranslateError::io(path))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // (the checksum the writer computed on the way)
    counts.files.insert(name, format!("{:016x}", written.xxh3));
    Ok(())
}

/// Compiles `tables` into `<dir>/legacy/` (`dir` is a database build directory) and returns
/// the counts also written to `legacy.json`.
pub fn compile(tables: &NhsTables, dir: &Path) -> Result<LegacyCounts, TranslateError> {
    let built = build(tables)?;
    let out = dir.join(LEGACY_DIR);
    std::fs::create_dir_all(&out).map_err(TranslateError::io(&out))?;
    let mut counts = built.counts.clone();
    for (name, s) in [("readv2.fst", 0usize), ("ctv3.fst", 1)] {
        let bytes = built.systems[s].fst.as_ref().map(|m| m.as_fst().as_bytes()).unwrap_or(&[]);
        write_file(&out.join(name), bytes, &mut counts)?;
    }
    write_file(&out.join("tables.bin"), &encode(&built), &mut counts)?;
    let json =
        serde_json::to_vec_pretty(&counts).map_err(|e| TranslateError::Batch(e.to_string()))?;
    std::fs::write(out.join("legacy.json"), json)
        .map_err(TranslateError::io(out.join("legacy.json")))?;
    Ok(counts)
}

/// Whether a build directory holds compiled legacy tables.
pub fn exists(dir: &Path) -> bool {
    dir.join(LEGACY_DIR).join("legacy.json").is_file()
}

struct Dec<'a> {
    b: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Dec<'a> {
    fn err(&self, reason: impl Into<String>) -> TranslateError {
        TranslateError::Corrupt { path: self.path.to_path_buf(), reason: reason.into() }
    }
    fn section(&mut self) -> Result<&'a [u8], TranslateError> {
        let lb = self
            .b
            .get(self.pos..self.pos + 8)
            .ok_or_else(|| self.err("truncated section length"))?;
        let len = usize::try_from(le64(lb)).map_err(|_| self.err("section too long"))?;
        let start = self.pos + 8;
        let end = start.checked_add(len).ok_or_else(|| self.err("section overflow"))?;
        let s = self.b.get(start..end).ok_or_else(|| self.err("truncated section"))?;
        self.pos = end;
        Ok(s)
    }
    fn u32s(&mut self) -> Result<Vec<u32>, TranslateError> {
        let s = self.section()?;
        if s.len() % 4 != 0 {
            return Err(self.err("u32 section length"));
        }
        Ok(s.chunks_exact(4).map(le32).collect())
    }
    fn recs<T>(
        &mut self,
        size: usize,
        read: impl Fn(&[u8]) -> T,
    ) -> Result<Vec<T>, TranslateError> {
        let s = self.section()?;
        if s.len() % size != 0 {
            return Err(self.err("record section length"));
        }
        Ok(s.chunks_exact(size).map(read).collect())
    }
}

fn check_off(off: &[u32], n_codes: usize, len: usize) -> bool {
    off.len() == n_codes + 1
        && off.windows(2).all(|w| w[0] <= w[1])
        && off.last().copied() == Some(len as u32)
        && off.first().copied() == Some(0)
}

/// Opens `<dir>/legacy/` (`dir` is a database build directory), validating everything.
pub fn open(dir: &Path) -> Result<LegacyTables, TranslateError> {
    let base = dir.join(LEGACY_DIR);
    let json_path = base.join("legacy.json");
    let json = std::fs::read(&json_path).map_err(TranslateError::io(&json_path))?;
    let counts: LegacyCounts = serde_json::from_slice(&json)
        .map_err(|e| TranslateError::Corrupt { path: json_path.clone(), reason: e.to_string() })?;
    if counts.format != LEGACY_FORMAT {
        return Err(TranslateError::Corrupt {
            path: json_path,
            reason: format!("format {} (this build reads {LEGACY_FORMAT})", counts.format),
        });
    }
    let path = base.join("tables.bin");
    let bytes = std::fs::read(&path).map_err(TranslateError::io(&path))?;
    let corrupt = |r: &str| TranslateError::Corrupt { path: path.clone(), reason: r.to_string() };
    if bytes.len() < 20 || &bytes[..8] != MAGIC {
        return Err(corrupt("bad magic"));
    }
    let (body, tail) = bytes.split_at(bytes.len() - 8);
    if xxhash_rust::xxh3::xxh3_64(body) != le64(tail) {
        return Err(corrupt("checksum mismatch"));
    }
    if le32(&body[8..12]) != LEGACY_FORMAT {
        return Err(corrupt("format version"));
    }
    let mut d = Dec { b: body, pos: 12, path: &path };
    let text = std::str::from_utf8(d.section()?)
        .map_err(|_| corrupt("string pool is not UTF-8"))?
        .to_string();
    let mut systems: [CodeTable; 2] = Default::default();
    for (s, name) in systems.iter_mut().zip(["readv2.fst", "ctv3.fst"]) {
        let codes_b = d.section()?;
        if codes_b.len() % 5 != 0 {
            return Err(corrupt("codes section"));
        }
        s.codes = codes_b.chunks_exact(5).map(|c| [c[0], c[1], c[2], c[3], c[4]]).collect();
        s.status = d.section()?.to_vec();
        s.parent_off = d.u32s()?;
        s.parents = d.u32s()?;
        s.term_off = d.u32s()?;
        s.terms = d.recs(TermRec::SIZE, TermRec::read)?;
        s.sct_off = d.u32s()?;
        s.sct = d.recs(SctRec::SIZE, SctRec::read)?;
        s.leg_off = d.u32s()?;
        s.leg = d.recs(LegRec::SIZE, LegRec::read)?;
        s.alt_off = d.u32s()?;
        s.alt = d.recs(AltRec::SIZE, AltRec::read)?;
        let n = s.codes.len();
        if s.status.len() != n
            || !check_off(&s.parent_off, n, s.parents.len())
            || !check_off(&s.term_off, n, s.terms.len())
            || !check_off(&s.sct_off, n, s.sct.len())
            || !check_off(&s.leg_off, n, s.leg.len())
            || !check_off(&s.alt_off, n, s.alt.len())
            || s.parents.iter().any(|&p| p as usize >= n)
        {
            return Err(corrupt("inconsistent offsets"));
        }
        let strs_ok = |x: Str| {
            (x.off as usize).checked_add(x.len as usize).is_some_and(|e| e <= text.len())
                && text.is_char_boundary(x.off as usize)
                && text.is_char_boundary(x.off as usize + x.len as usize)
        };
        if !s.terms.iter().all(|r| strs_ok(r.text))
            || !s.sct.iter().all(|r| strs_ok(r.map_id))
            || !s.leg.iter().all(|r| strs_ok(r.map_id))
        {
            return Err(corrupt("string reference out of range"));
        }
        let fpath = base.join(name);
        let fbytes = std::fs::read(&fpath).map_err(TranslateError::io(&fpath))?;
        if let Some(want) = counts.files.get(name)
            && *want != format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&fbytes))
        {
            return Err(TranslateError::Corrupt {
                path: fpath,
                reason: "checksum mismatch".into(),
            });
        }
        let map = fst::Map::new(fbytes)
            .map_err(|e| TranslateError::Corrupt { path: fpath.clone(), reason: e.to_string() })?;
        if map.len() != n {
            return Err(TranslateError::Corrupt {
                path: fpath,
                reason: "key count differs from tables.bin".into(),
            });
        }
        s.fst = Some(map);
    }
    let reverse = d.recs(RevRec::SIZE, RevRec::read)?;
    if reverse.iter().any(|r| {
        systems
            .get(r.system as usize)
            .is_none_or(|s| r.code as usize >= s.codes.len() || r.rec as usize >= s.sct.len())
    }) {
        return Err(corrupt("reverse index out of range"));
    }
    if d.pos != body.len() {
        return Err(corrupt("trailing bytes"));
    }
    Ok(LegacyTables { text, systems, reverse, counts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ord_numbers_order_as_keys_and_codes() {
        let words: Vec<&[u8]> = vec![
            b"",
            b".",
            b"0",
            b"00",
            b"0.",
            b"1A",
            b"H33..",
            b"H33z.",
            b"H3...",
            b"XE0Ub",
            b"Xa",
            b"Y107p",
            b"a",
            b"z",
            b"zzzzz",
            b"\xff",
            b"\x00",
            b"\x00\x00",
            b"..",
            b"H33",
        ];
        let keys: Vec<Key> = words.iter().map(|w| Key::new(w)).collect();
        for a in &keys {
            for b in &keys {
                assert_eq!(a.cmp(b), a.ord().cmp(&b.ord()), "{a:?} {b:?}");
                assert_eq!(a.bytes.cmp(&b.bytes), code_ord(&a.bytes).cmp(&code_ord(&b.bytes)));
            }
        }
    }

    #[test]
    fn grouping_keeps_input_order_per_code() {
        // ids 0..3 with ranks 2, 0, 1
        let rows = [(0u32, 'a'), (1, 'b'), (0, 'c'), (2, 'd'), (1, 'e'), (0, 'f')];
        let (off, g) = group(&rows, &[2, 0, 1], 3);
        assert_eq!(off, vec![0, 2, 3, 6]);
        assert_eq!(g, vec!['b', 'e', 'd', 'a', 'c', 'f']);
        let mut out = vec!['x'];
        push_dedup(&mut out, &['x', 'x', 'y', 'y', 'x'], |a, b| a == b);
        assert_eq!(out, vec!['x', 'x', 'y', 'x']);
    }
}
