//! The loaded rows of one component kind: a [`Table`] of plain rows with an index by id, and
//! one arena per table for the rows' text (terms, language codes, concrete values, refset
//! string fields) and refset extra columns.
//!
//! A table of millions of rows is a few large allocations instead of a hash map plus one or
//! two small allocations per row: on an International release that is half the memory the
//! load touches, and freeing it is a handful of `munmap`s.

use std::fmt;

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
    pub trait Key {
        /// 32 well-mixed bits of the id's hash.
        fn hash32(self) -> u32;
    }

    /// What a table needs of its rows besides [`super::TableRow`]: not implementable
    /// outside this crate.
    pub trait Row: Sized {
        /// Whether the rows are equal, their arena data compared by value.
        fn same(&self, arena: &Arena, other: &Self, other_arena: &Arena) -> bool;
        /// When this row's arena data equals `old`'s, points this row at `old`'s copy and
        /// returns true (the caller then drops this row's copy).
        fn reuse(&mut self, old: &Self, arena: &Arena) -> bool;
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

/// An index entry: the row's position in load order and its id hash, so that growing the
/// index never reads a row.
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

/// Where an arena stood before a row's data was added (to drop the data of a row that
/// lost to a newer one).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    text: usize,
    fields: usize,
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
    pub(crate) fn mark(&self) -> Mark {
        Mark { text: self.text.len(), fields: self.fields.len() }
    }

    pub(crate) fn rewind(&mut self, m: Mark) {
        self.text.truncate(m.text);
        self.fields.truncate(m.fields);
    }

    pub(crate) fn push_text(&mut self, s: &str) -> Text {
        let start = self.text.len() as u64;
        self.text.push_str(s);
        // a field is one line of a file read in blocks: far below 4 GiB
        Text { start, len: u32::try_from(s.len()).unwrap_or(u32::MAX) }
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
/// already loaded; an index maps ids to positions.
pub struct Table<T> {
    chunks: Vec<Vec<T>>,
    /// The position of each chunk's first row.
    starts: Vec<u32>,
    len: usize,
    index: HashTable<Slot>,
    pub(crate) arena: Arena,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            chunks: Vec::new(),
            starts: Vec::new(),
            len: 0,
            index: HashTable::new(),
            arena: Arena::default(),
        }
    }
}

/// Iterator over a table's rows.
pub type Iter<'a, T> = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;

/// What [`Table::upsert`] did with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Upsert {
    Added,
    Replaced,
    Kept,
}

/// More rows than a `u32` position can address.
#[derive(Debug)]
pub(crate) struct TooManyRows;

fn chunk_of(starts: &[u32], pos: u32) -> usize {
    starts.partition_point(|&s| s <= pos).saturating_sub(1)
}

fn row_at<'a, T>(chunks: &'a [Vec<T>], starts: &[u32], pos: u32) -> Option<&'a T> {
    let c = chunk_of(starts, pos);
    let off = pos.checked_sub(*starts.get(c)?)?;
    chunks.get(c)?.get(off as usize)
}

fn row_at_mut<'a, T>(chunks: &'a mut [Vec<T>], starts: &[u32], pos: u32) -> Option<&'a mut T> {
    let c = chunk_of(starts, pos);
    let off = pos.checked_sub(*starts.get(c)?)?;
    chunks.get_mut(c)?.get_mut(off as usize)
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

    /// The rows, in load order (where each id was first seen).
    pub fn iter(&self) -> Iter<'_, T> {
        self.chunks.iter().flatten()
    }

    /// The row with this id.
    pub fn get(&self, id: T::Id) -> Option<&T> {
        let probe = sealed::Key::hash32(id);
        let slot = self.index.find(spread(probe), |s| {
            s.hash == probe
                && row_at(&self.chunks, &self.starts, s.pos).is_some_and(|r| r.id() == id)
        })?;
        row_at(&self.chunks, &self.starts, slot.pos)
    }

    /// Whether a row has this id.
    pub fn contains(&self, id: T::Id) -> bool {
        self.get(id).is_some()
    }

    /// Makes room for a file of about `rows` rows: a chunk of that size (so the rows of the
    /// files before are not moved) and index space. Allocation failure is ignored (the
    /// estimate is a hint; the table then grows as rows arrive).
    pub(crate) fn reserve_rows(&mut self, rows: usize) {
        if rows == 0 {
            return;
        }
        let spare = self.chunks.last().map_or(0, |c| c.capacity() - c.len());
        if spare < rows {
            if self.chunks.last().is_some_and(Vec::is_empty) {
                self.chunks.pop();
                self.starts.pop();
            }
            let mut chunk = Vec::new();
            let _ = chunk.try_reserve_exact(rows);
            self.starts.push(u32::try_from(self.len).unwrap_or(u32::MAX));
            self.chunks.push(chunk);
        }
        let _ = self.index.try_reserve(rows, |s| spread(s.hash));
    }

    /// Makes room for `bytes` more bytes of text (a hint: failure is ignored).
    pub(crate) fn reserve_text(&mut self, bytes: usize) {
        let _ = self.arena.text.try_reserve_exact(bytes);
    }

    /// Where the arena stands before a row's data is added.
    pub(crate) fn mark(&self) -> Mark {
        self.arena.mark()
    }

    /// Layers `row` in: it replaces the row with its id when its effective time is the
    /// same or later (a later row wins a tie), else it is dropped. `mark` is where the
    /// arena stood before the row's data was added: the data of a dropped row is removed,
    /// and so is that of a replacing row whose data equals the old row's (which it then
    /// shares), so history rows of a Full file leave no garbage unless their text changed.
    pub(crate) fn upsert(&mut self, row: T, mark: Mark) -> Result<Upsert, TooManyRows> {
        let id = row.id();
        let hash = sealed::Key::hash32(id);
        let Table { chunks, starts, len, index, arena } = self;
        let entry = index.entry(
            spread(hash),
            |s| s.hash == hash && row_at(chunks, starts, s.pos).is_some_and(|r| r.id() == id),
            |s| spread(s.hash),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(o) => {
                let Some(cur) = row_at_mut(chunks, starts, o.get().pos) else {
                    // not reached: every index entry has its row
                    arena.rewind(mark);
                    return Ok(Upsert::Kept);
                };
                if cur.effective_time() <= row.effective_time() {
                    let old = std::mem::replace(cur, row);
                    if cur.reuse(&old, arena) {
                        arena.rewind(mark);
                    }
                    Ok(Upsert::Replaced)
                } else {
                    arena.rewind(mark);
                    Ok(Upsert::Kept)
                }
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                let pos = u32::try_from(*len).map_err(|_| TooManyRows)?;
                if chunks.is_empty() {
                    chunks.push(Vec::new());
                    starts.push(pos);
                }
                if let Some(last) = chunks.last_mut() {
                    last.push(row);
                }
                v.insert(Slot { pos, hash });
                *len += 1;
                Ok(Upsert::Added)
            }
        }
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
            fn reuse(&mut self, _: &Self, _: &Arena) -> bool {
                false
            }
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
    fn reuse(&mut self, old: &Self, arena: &Arena) -> bool {
        // the language code is interned: only the term is in this row's data
        let same = arena.text(self.term) == arena.text(old.term);
        if same {
            self.term = old.term;
        }
        same
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
    fn reuse(&mut self, old: &Self, arena: &Arena) -> bool {
        let same = arena.text(self.value) == arena.text(old.value);
        if same {
            self.value = old.value;
        }
        same
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
    fn reuse(&mut self, old: &Self, arena: &Arena) -> bool {
        let same = arena.same_fields(
            arena.field_slots(self.fields_start, self.fields_len),
            arena,
            arena.field_slots(old.fields_start, old.fields_len),
        );
        if same {
            self.fields_start = old.fields_start;
            self.fields_len = old.fields_len;
        }
        same
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

    fn add(t: &mut Table<Description>, id: u64, et: u32, term: &str) -> Upsert {
        let mark = t.mark();
        let language = t.arena.intern("en").unwrap();
        let term = t.arena.push_text(term);
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
        t.upsert(d, mark).unwrap()
    }

    fn term_of(t: &Table<Description>, id: u64) -> &str {
        t.term(t.get(id).unwrap())
    }

    /// A row that loses leaves nothing in the arena; a replacing row with the same text
    /// shares the old copy; one with new text keeps its own.
    #[test]
    fn upsert_keeps_the_arena_tight() {
        let mut t = Table::default();
        t.reserve_rows(2);
        assert_eq!(add(&mut t, 10, 20200131, "alpha"), Upsert::Added);
        assert_eq!(add(&mut t, 20, 20200131, "beta"), Upsert::Added);
        let used = t.arena.text.len();
        assert_eq!(add(&mut t, 10, 20190131, "older and longer"), Upsert::Kept);
        assert_eq!(t.arena.text.len(), used);
        assert_eq!(add(&mut t, 10, 20200131, "alpha"), Upsert::Replaced);
        assert_eq!(t.arena.text.len(), used);
        assert_eq!(add(&mut t, 10, 20210131, "gamma"), Upsert::Replaced);
        assert_eq!(t.arena.text.len(), used + 5);
        // a third chunk after a new file's reservation
        t.reserve_rows(10);
        assert_eq!(add(&mut t, 30, 20200131, "delta"), Upsert::Added);
        assert_eq!(add(&mut t, 20, 20220131, "beta 2"), Upsert::Replaced);
        assert_eq!(t.len(), 3);
        assert_eq!(term_of(&t, 10), "gamma");
        assert_eq!(term_of(&t, 20), "beta 2");
        assert_eq!(term_of(&t, 30), "delta");
        assert!(t.get(40).is_none());
        let ids: Vec<u64> = t.iter().map(|d| d.id).collect();
        assert_eq!(ids, vec![10, 20, 30], "load order, where each id was first seen");
    }

    #[test]
    fn rows_are_compact() {
        assert_eq!(std::mem::size_of::<FieldSlot>(), 16);
        assert_eq!(std::mem::size_of::<Member>(), 56);
        assert!(std::mem::size_of::<Description>() <= 64);
    }
}
