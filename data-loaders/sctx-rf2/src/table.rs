//! The loaded rows of one component kind: a [`Table`] of plain rows in load order, with
//! one arena per table for the rows' text (terms, language codes, concrete values, refset
//! string fields) and refset extra columns.
//!
//! Rows are appended as they are read (no per-row hash probe); when all files are read,
//! [`Table::finish`] keeps per id the row with the latest effective time (on a tie the later
//! row) by radix-sorting the rows' id hashes, and drops the others. An index by id is built
//! on the first [`Table::get`] only (the store compiler never needs one). A table of
//! millions of rows is a few large allocations instead of a hash map plus one or two small
//! allocations per row: on an International release that is half the memory the load
//! touches, and freeing it is a handful of `munmap`s.

use std::fmt;
use std::sync::OnceLock;

use hashbrown::HashTable;
use rustc_hash::FxHashMap;

use crate::records::{Concept, ConcreteValue, Description, Field, Member, Relationship};

/// A row kind held in a [`Table`]: keyed by a component id, versioned by effective time.
pub trait TableRow: sealed::Row {
    /// The id: an SCTID (`u64`) or a member UUID (`u128`).
    type Id: Copy + Eq + fmt::Debug + sealed::Key;
    /// The row's component id.
    fn id(&self) -> Self::Id;
    /// `YYYYMMDD` (0 = blank).
    fn effective_time(&self) -> u32;
}

pub(crate) mod sealed {
    use super::Arena;
    use std::fmt;

    /// An id type: not implementable outside this crate.
    pub trait Key: Copy + Ord {
        /// 32 well-mixed bits of the id's hash.
        fn hash32(self) -> u32;
    }

    /// What a table needs of its rows besides [`super::TableRow`]: not implementable
    /// outside this crate.
    pub trait Row: Sized {
        /// Whether the rows are equal, their arena data compared by value.
        fn same(&self, arena: &Arena, other: &Self, other_arena: &Arena) -> bool;
        /// Copies this row's arena data from `from` to `to`, pointing the row at the copy.
        fn relocate(&mut self, from: &Arena, to: &mut Arena);
        /// Debug output with the arena data resolved.
        fn fmt_row(&self, arena: &Arena, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    }
}

impl sealed::Key for u64 {
    fn hash32(self) -> u32 {
        hash_u64(self)
    }
}

impl sealed::Key for u128 {
    fn hash32(self) -> u32 {
        hash_u64((self >> 64) as u64 ^ (self as u64).rotate_left(32))
    }
}

/// The top 32 bits of a multiplicative hash of `x`.
fn hash_u64(x: u64) -> u32 {
    ((x ^ (x >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// The index's 64-bit hash from the stored 32 bits (hashbrown takes the bucket from the low
/// bits and its tag from the top seven).
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0xD6E8_FEB8_6659_FD93)
}

/// An index entry: the row's position and its id hash.
#[derive(Debug, Clone, Copy)]
struct Slot {
    pos: u32,
    hash: u32,
}

/// A span of an arena's text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Text {
    start: u64,
    len: u32,
}

/// A refset member's extra column as stored in the arena (16 bytes: a string's span is
/// inlined rather than a [`Text`], whose padding would make it 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldSlot {
    Empty,
    Id(u64),
    Int(i64),
    Str { start: u64, len: u32 },
}

impl FieldSlot {
    pub(crate) fn text(t: Text) -> FieldSlot {
        FieldSlot::Str { start: t.start, len: t.len }
    }
}

/// The variable-size data of a table's rows.
#[derive(Default)]
pub struct Arena {
    text: String,
    fields: Vec<FieldSlot>,
    /// Interned short strings (language codes), by number.
    names: Vec<Box<str>>,
    name_index: FxHashMap<Box<str>, u16>,
}

impl Arena {
    /// An empty arena with the same interned names.
    fn fresh(&mut self) -> Arena {
        Arena {
            text: String::new(),
            fields: Vec::new(),
            names: std::mem::take(&mut self.names),
            name_index: std::mem::take(&mut self.name_index),
        }
    }

    /// Appends `s`, or None when it is 4 GiB or longer.
    pub(crate) fn push_text(&mut self, s: &str) -> Option<Text> {
        let len = u32::try_from(s.len()).ok()?;
        let start = self.text.len() as u64;
        self.text.push_str(s);
        Some(Text { start, len })
    }

    /// Appends the text `t` of arena `from`.
    fn copy_text(&mut self, from: &Arena, t: Text) -> Text {
        let s = from.text(t);
        let start = self.text.len() as u64;
        self.text.push_str(s);
        // no longer than `t`
        Text { start, len: s.len() as u32 }
    }

    pub(crate) fn text(&self, t: Text) -> &str {
        let start = usize::try_from(t.start).unwrap_or(usize::MAX);
        start
            .checked_add(t.len as usize)
            .and_then(|end| self.text.get(start..end))
            .unwrap_or_default()
    }

    /// The number of an interned string, or None when 65,536 are interned already.
    pub(crate) fn intern(&mut self, s: &str) -> Option<u16> {
        if let Some(&i) = self.name_index.get(s) {
            return Some(i);
        }
        let i = u16::try_from(self.names.len()).ok()?;
        self.names.push(s.into());
        self.name_index.insert(s.into(), i);
        Some(i)
    }

    pub(crate) fn name(&self, i: u16) -> &str {
        self.names.get(usize::from(i)).map_or("", |s| s)
    }

    pub(crate) fn push_field(&mut self, f: FieldSlot) {
        self.fields.push(f);
    }

    pub(crate) fn fields_len(&self) -> usize {
        self.fields.len()
    }

    pub(crate) fn field_slots(&self, start: u32, len: u32) -> &[FieldSlot] {
        let start = start as usize;
        self.fields.get(start..start.saturating_add(len as usize)).unwrap_or_default()
    }

    pub(crate) fn field(&self, f: FieldSlot) -> Field<'_> {
        match f {
            FieldSlot::Empty => Field::Empty,
            FieldSlot::Id(v) => Field::Id(v),
            FieldSlot::Int(v) => Field::Int(v),
            FieldSlot::Str { start, len } => Field::Str(self.text(Text { start, len })),
        }
    }

    /// Whether two runs of field slots (possibly of two arenas) hold the same values.
    pub(crate) fn same_fields(&self, a: &[FieldSlot], other: &Arena, b: &[FieldSlot]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.field(*x) == other.field(*y))
    }
}

/// The rows of one kind, one per component id (the layered snapshot's winner), in load
/// order: rows are kept in one chunk per file read, so a later file never moves the rows
/// already loaded.
pub struct Table<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
    /// By id, built on the first [`Table::get`].
    index: OnceLock<Index>,
    pub(crate) arena: Arena,
}

/// Row positions by id hash, and the position of each chunk's first row.
struct Index {
    slots: HashTable<Slot>,
    starts: Vec<u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { chunks: Vec::new(), len: 0, index: OnceLock::new(), arena: Arena::default() }
    }
}

/// Iterator over a table's rows (of known length).
#[derive(Clone)]
pub struct Iter<'a, T> {
    rows: std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>,
    left: usize,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        let r = self.rows.next()?;
        self.left = self.left.saturating_sub(1);
        Some(r)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> std::iter::FusedIterator for Iter<'_, T> {}

/// More rows than a `u32` position can address.
#[derive(Debug)]
pub(crate) struct TooManyRows;

fn row_at<'a, T>(chunks: &'a [Vec<T>], starts: &[u32], pos: u32) -> Option<&'a T> {
    let c = starts.partition_point(|&s| s <= pos).checked_sub(1)?;
    let off = pos.checked_sub(*starts.get(c)?)?;
    chunks.get(c)?.get(off as usize)
}

/// Sorts distinct keys by value: an LSD radix sort on the top 32 bits (the id hash), which
/// keeps the low bits (the position) in order, as `sort_unstable` would for distinct keys.
fn sort_keys(keys: &mut Vec<u64>) {
    if keys.len() < 1 << 16 {
        keys.sort_unstable();
        return;
    }
    let mut buf = vec![0u64; keys.len()];
    for shift in [32u32, 48] {
        let mut count = vec![0usize; 1 << 16];
        for &k in keys.iter() {
            count[((k >> shift) & 0xFFFF) as usize] += 1;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &k in keys.iter() {
            let d = ((k >> shift) & 0xFFFF) as usize;
            buf[count[d]] = k;
            count[d] += 1;
        }
        std::mem::swap(keys, &mut buf);
    }
}

impl<T: TableRow> Table<T> {
    /// Number of rows (distinct ids).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of text (terms, values, string fields) held for the rows: an upper bound of
    /// what a compiler copies out of them, for sizing its buffers.
    pub fn text_bytes(&self) -> usize {
        self.arena.text.len()
    }

    /// The rows, in load order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rows: self.chunks.iter().flatten(), left: self.len }
    }

    /// The row with this id. The first call builds an index by id.
    pub fn get(&self, id: T::Id) -> Option<&T> {
        let index = self.index.get_or_init(|| self.build_index());
        let probe = sealed::Key::hash32(id);
        let slot = index.slots.find(spread(probe), |s| {
            s.hash == probe
                && row_at(&self.chunks, &index.starts, s.pos).is_some_and(|r| r.id() == id)
        })?;
        row_at(&self.chunks, &index.starts, slot.pos)
    }

    /// Whether a row has this id.
    pub fn contains(&self, id: T::Id) -> bool {
        self.get(id).is_some()
    }

    fn build_index(&self) -> Index {
        let mut starts = Vec::with_capacity(self.chunks.len());
        let mut at = 0u32;
        for c in &self.chunks {
            starts.push(at);
            // positions fit: `push` refuses a row past u32::MAX
            at = at.saturating_add(c.len() as u32);
        }
        let mut slots = HashTable::with_capacity(self.len);
        for (pos, r) in self.iter().enumerate() {
            let hash = sealed::Key::hash32(r.id());
            slots.insert_unique(spread(hash), Slot { pos: pos as u32, hash }, |s: &Slot| {
                spread(s.hash)
            });
        }
        Index { slots, starts }
    }

    /// Makes room for a file of about `rows` rows: a chunk of that size, so that the rows of
    /// the files before are not moved. Allocation failure is ignored (the estimate is a
    /// hint; the chunk then grows as rows arrive).
    pub(crate) fn reserve_rows(&mut self, rows: usize) {
        let spare = self.chunks.last().map_or(0, |c| c.capacity() - c.len());
        if rows == 0 || spare >= rows {
            return;
        }
        if self.chunks.last().is_some_and(Vec::is_empty) {
            self.chunks.pop();
        }
        let mut chunk = Vec::new();
        let _ = chunk.try_reserve_exact(rows);
        self.chunks.push(chunk);
    }

    /// Makes room for `bytes` more bytes of text (a hint: failure is ignored).
    pub(crate) fn reserve_text(&mut self, bytes: usize) {
        let _ = self.arena.text.try_reserve_exact(bytes);
    }

    /// Appends a row, which may repeat an id until [`Table::finish`].
    pub(crate) fn push(&mut self, row: T) -> Result<(), TooManyRows> {
        if self.len >= u32::MAX as usize {
            return Err(TooManyRows);
        }
        match self.chunks.last_mut() {
            Some(c) => c.push(row),
            None => self.chunks.push(vec![row]),
        }
        self.len += 1;
        Ok(())
    }

    /// Layers the rows pushed: per id, keeps the row with the latest effective time, and on
    /// a tie the later row. When rows were dropped, the arena is rebuilt with the data of
    /// the rows kept only (the history of a Full file).
    pub(crate) fn finish(&mut self) {
        self.index = OnceLock::new();
        if self.len < 2 {
            return;
        }
        // (id hash, position), sorted: rows of one id are next to each other, in load order
        let mut keys: Vec<u64> = Vec::with_capacity(self.len);
        keys.extend(
            self.iter()
                .enumerate()
                .map(|(pos, r)| (u64::from(sealed::Key::hash32(r.id())) << 32) | pos as u64),
        );
        sort_keys(&mut keys);
        let mut starts = Vec::with_capacity(self.chunks.len());
        let mut at = 0u32;
        for c in &self.chunks {
            starts.push(at);
            at = at.saturating_add(c.len() as u32);
        }
        let mut dropped: Vec<u32> = Vec::new();
        let mut group: Vec<(T::Id, u32, u32)> = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let hash = keys[i] >> 32;
            let mut j = i + 1;
            while j < keys.len() && keys[j] >> 32 == hash {
                j += 1;
            }
            if j - i > 1 {
                // rows with one hash: by id, then effective time, then position; the last
                // row of each id wins
                group.clear();
                for &k in &keys[i..j] {
                    let pos = k as u32;
                    if let Some(r) = row_at(&self.chunks, &starts, pos) {
                        group.push((r.id(), r.effective_time(), pos));
                    }
                }
                group.sort_unstable();
                for w in group.windows(2) {
                    if w[0].0 == w[1].0 {
                        dropped.push(w[0].2);
                    }
                }
            }
            i = j;
        }
        drop(keys);
        if dropped.is_empty() {
            return;
        }
        dropped.sort_unstable();
        let mut next = dropped.iter().copied().peekable();
        let mut pos = 0u32;
        let mut old = std::mem::take(&mut self.arena);
        let mut arena = old.fresh();
        for chunk in &mut self.chunks {
            chunk.retain_mut(|r| {
                let keep = next.next_if_eq(&pos).is_none();
                pos += 1;
                if keep {
                    r.relocate(&old, &mut arena);
                }
                keep
            });
        }
        self.arena = arena;
        self.len -= dropped.len();
    }
}

impl<'a, T: TableRow> IntoIterator for &'a Table<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Tables are equal when they hold the same rows by id (in any order), text and fields
/// compared by value.
impl<T: TableRow> PartialEq for Table<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self
                .iter()
                .all(|r| other.get(r.id()).is_some_and(|o| r.same(&self.arena, o, &other.arena)))
    }
}

impl<T: TableRow> Eq for Table<T> {}

impl<T: TableRow> fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Resolved<'a, T>(&'a T, &'a Arena);
        impl<T: TableRow> fmt::Debug for Resolved<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt_row(self.1, f)
            }
        }
        f.debug_list().entries(self.iter().map(|r| Resolved(r, &self.arena))).finish()
    }
}

impl Table<Description> {
    /// The term of a description of this table.
    pub fn term(&self, d: &Description) -> &str {
        self.arena.text(d.term)
    }

    /// The ISO 639-1 language code of a description of this table.
    pub fn language_code(&self, d: &Description) -> &str {
        self.arena.name(d.language)
    }
}

impl Table<ConcreteValue> {
    /// The value as written (`#3`, `#0.5`, `"text"`, `true`) of a concrete value of this
    /// table.
    pub fn value(&self, c: &ConcreteValue) -> &str {
        self.arena.text(c.value)
    }
}

impl Table<Member> {
    /// The extra columns of a member of this table, in header order (see
    /// [`crate::RefsetLayout`]).
    pub fn fields(&self, m: &Member) -> Fields<'_> {
        Fields {
            slots: self.arena.field_slots(m.fields_start, m.fields_len).iter(),
            arena: &self.arena,
        }
    }

    /// Extra column `k` of a member of this table.
    pub fn field(&self, m: &Member, k: usize) -> Option<Field<'_>> {
        self.fields(m).nth(k)
    }
}

/// The extra columns of a member ([`Table::fields`]).
#[derive(Clone)]
pub struct Fields<'a> {
    slots: std::slice::Iter<'a, FieldSlot>,
    arena: &'a Arena,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;
    fn next(&mut self) -> Option<Field<'a>> {
        self.slots.next().map(|f| self.arena.field(*f))
    }
    fn nth(&mut self, n: usize) -> Option<Field<'a>> {
        self.slots.nth(n).map(|f| self.arena.field(*f))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.slots.size_hint()
    }
}

impl ExactSizeIterator for Fields<'_> {}

impl DoubleEndedIterator for Fields<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.slots.next_back().map(|f| self.arena.field(*f))
    }
}

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

// ---- the row kinds

macro_rules! sctid_row {
    ($($t:ty),*) => {$(
        impl TableRow for $t {
            type Id = u64;
            fn id(&self) -> u64 {
                self.id
            }
            fn effective_time(&self) -> u32 {
                self.effective_time
            }
        }
    )*};
}
sctid_row!(Concept, Description, Relationship, ConcreteValue);

/// Rows without arena data.
macro_rules! plain_row {
    ($($t:ty),*) => {$(
        impl sealed::Row for $t {
            fn same(&self, _: &Arena, other: &Self, _: &Arena) -> bool {
                self == other
            }
            fn relocate(&mut self, _: &Arena, _: &mut Arena) {}
            fn fmt_row(&self, _: &Arena, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self, f)
            }
        }
    )*};
}
plain_row!(Concept, Relationship);

impl sealed::Row for Description {
    fn same(&self, arena: &Arena, o: &Self, other_arena: &Arena) -> bool {
        (self.id, self.effective_time, self.active, self.module, self.concept)
            == (o.id, o.effective_time, o.active, o.module, o.concept)
            && (self.type_id, self.case_significance) == (o.type_id, o.case_significance)
            && arena.text(self.term) == other_arena.text(o.term)
            && arena.name(self.language) == other_arena.name(o.language)
    }
    fn relocate(&mut self, from: &Arena, to: &mut Arena) {
        // the language code is interned: the names move with the arena
        self.term = to.copy_text(from, self.term);
    }
    fn fmt_row(&self, arena: &Arena, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Description")
            .field("id", &self.id)
            .field("effective_time", &self.effective_time)
            .field("active", &self.active)
            .field("module", &self.module)
            .field("concept", &self.concept)
            .field("language_code", &arena.name(self.language))
            .field("type_id", &self.type_id)
            .field("term", &arena.text(self.term))
            .field("case_significance", &self.case_significance)
            .finish()
    }
}

impl sealed::Row for ConcreteValue {
    fn same(&self, arena: &Arena, o: &Self, other_arena: &Arena) -> bool {
        (self.id, self.effective_time, self.active, self.module, self.source)
            == (o.id, o.effective_time, o.active, o.module, o.source)
            && (self.group, self.type_id, self.characteristic_type)
                == (o.group, o.type_id, o.characteristic_type)
            && arena.text(self.value) == other_arena.text(o.value)
    }
    fn relocate(&mut self, from: &Arena, to: &mut Arena) {
        self.value = to.copy_text(from, self.value);
    }
    fn fmt_row(&self, arena: &Arena, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcreteValue")
            .field("id", &self.id)
            .field("effective_time", &self.effective_time)
            .field("active", &self.active)
            .field("module", &self.module)
            .field("source", &self.source)
            .field("value", &arena.text(self.value))
            .field("group", &self.group)
            .field("type_id", &self.type_id)
            .field("characteristic_type", &self.characteristic_type)
            .finish()
    }
}

impl TableRow for Member {
    type Id = u128;
    fn id(&self) -> u128 {
        Member::id(self)
    }
    fn effective_time(&self) -> u32 {
        self.effective_time
    }
}

impl sealed::Row for Member {
    fn same(&self, arena: &Arena, o: &Self, other_arena: &Arena) -> bool {
        (self.uuid, self.effective_time, self.active, self.module, self.refset, self.referenced)
            == (o.uuid, o.effective_time, o.active, o.module, o.refset, o.referenced)
            && arena.same_fields(
                arena.field_slots(self.fields_start, self.fields_len),
                other_arena,
                other_arena.field_slots(o.fields_start, o.fields_len),
            )
    }
    fn relocate(&mut self, from: &Arena, to: &mut Arena) {
        let old = from.field_slots(self.fields_start, self.fields_len);
        // fewer slots than before: the start fits in u32 as the old one did
        self.fields_start = to.fields.len() as u32;
        for &f in old {
            let f = match f {
                FieldSlot::Str { start, len } => {
                    FieldSlot::text(to.copy_text(from, Text { start, len }))
                }
                other => other,
            };
            to.fields.push(f);
        }
    }
    fn fmt_row(&self, arena: &Arena, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<Field<'_>> = arena
            .field_slots(self.fields_start, self.fields_len)
            .iter()
            .map(|s| arena.field(*s))
            .collect();
        f.debug_struct("Member")
            .field("id", &crate::records::format_uuid(self.id()))
            .field("effective_time", &self.effective_time)
            .field("active", &self.active)
            .field("module", &self.module)
            .field("refset", &self.refset)
            .field("referenced", &self.referenced)
            .field("fields", &fields)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(t: &mut Table<Description>, id: u64, et: u32, term: &str) {
        let language = t.arena.intern("en").unwrap();
        let term = t.arena.push_text(term).unwrap();
        let d = Description {
            id,
            effective_time: et,
            active: true,
            module: 1,
            concept: 2,
            language,
            type_id: 3,
            term,
            case_significance: 4,
        };
        t.push(d).unwrap();
    }

    fn term_of(t: &Table<Description>, id: u64) -> &str {
        t.term(t.get(id).unwrap())
    }

    /// Per id the latest row wins, the later one on a tie; rows keep their load order, and
    /// the arena keeps the text of the winners only.
    #[test]
    fn finish_layers_the_rows() {
        let mut t = Table::default();
        t.reserve_rows(2);
        add(&mut t, 10, 20200131, "alpha");
        add(&mut t, 20, 20200131, "beta");
        add(&mut t, 10, 20190131, "older");
        add(&mut t, 10, 20200131, "alpha, later");
        // a new chunk, as for a new file
        t.reserve_rows(10);
        add(&mut t, 30, 20200131, "delta");
        add(&mut t, 20, 20220131, "beta 2");
        add(&mut t, 20, 20210131, "beta 1");
        t.finish();
        assert_eq!(t.len(), 3);
        assert_eq!(term_of(&t, 10), "alpha, later");
        assert_eq!(term_of(&t, 20), "beta 2");
        assert_eq!(term_of(&t, 30), "delta");
        assert!(t.get(40).is_none());
        let ids: Vec<u64> = t.iter().map(|d| d.id).collect();
        assert_eq!(ids, vec![10, 30, 20], "load order of the rows kept");
        assert_eq!(t.iter().len(), 3);
        assert_eq!(t.iter().skip(1).len(), 2);
        assert_eq!(t.arena.text.len(), "alpha, later".len() + "delta".len() + "beta 2".len());
        assert_eq!(t.language_code(t.get(30).unwrap()), "en");
    }

    /// The radix sort orders keys as a comparison sort does, and many rows of one id
    /// layer to the last of the latest.
    #[test]
    fn large_tables() {
        let mut keys: Vec<u64> =
            (0..200_000u64).map(|i| (u64::from(hash_u64(i % 70_000)) << 32) | i).collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        sort_keys(&mut keys);
        assert_eq!(keys, expected);

        let mut t = Table::default();
        for i in 0..100_000u64 {
            add(&mut t, 1 + i % 3, 20200101 + (i % 7) as u32, &i.to_string());
        }
        t.finish();
        assert_eq!(t.len(), 3);
        // the last i of each id with the top time (i % 7 == 6)
        let last = |id: u64| (0..100_000u64).filter(|i| 1 + i % 3 == id && i % 7 == 6).max();
        for id in 1..=3 {
            assert_eq!(term_of(&t, id), last(id).unwrap().to_string());
        }
    }

    /// Two ids with the same 32-bit hash are layered apart.
    #[test]
    fn hash_collisions() {
        let mut seen = FxHashMap::default();
        // ids from splitmix64: a pair with one hash turns up after about 2^16 of them
        let id = |i: u64| {
            let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let (a, b) = (0..1u64 << 24)
            .find_map(|i| seen.insert(hash_u64(id(i)), id(i)).map(|other| (other, id(i))))
            .unwrap();
        assert_ne!(a, b);
        let mut t = Table::default();
        add(&mut t, a, 20200131, "a1");
        add(&mut t, b, 20210131, "b1");
        add(&mut t, a, 20190131, "a0");
        add(&mut t, b, 20210131, "b2");
        add(&mut t, a, 20200131, "a2");
        add(&mut t, b, 20200131, "b0");
        t.finish();
        assert_eq!(t.len(), 2);
        assert_eq!(term_of(&t, a), "a2");
        assert_eq!(term_of(&t, b), "b2");
    }

    #[test]
    fn rows_are_compact() {
        assert_eq!(std::mem::size_of::<FieldSlot>(), 16);
        assert_eq!(std::mem::size_of::<Member>(), 56);
        assert!(std::mem::size_of::<Description>() <= 64);
    }
}
