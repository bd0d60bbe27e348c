//! Opening a database and answering from it.

use std::path::{Path, PathBuf};

use memmap2::Mmap;
use rend::{u32_le, u64_le};
use sctx_types::{LanguagePreference, ids};
use zerocopy::{FromBytes, IntoBytes};

use crate::error::StoreError;
use crate::format::*;
use crate::manifest::Manifest;
use crate::mmap::{Archive, map_file};

#[cfg(not(target_endian = "little"))]
compile_error!("the sctx store format is little-endian and is read without conversion");

#[inline]
fn u32s(v: &[u32_le]) -> &[u32] {
    <[u32]>::ref_from_bytes(v.as_bytes()).unwrap_or(&[])
}
#[inline]
fn u64s(v: &[u64_le]) -> &[u64] {
    <[u64]>::ref_from_bytes(v.as_bytes()).unwrap_or(&[])
}
/// The value of `code` in a code table (0 if out of range: only in a corrupt archive).
#[inline]
fn decode(table: &[u64_le], code: impl Into<usize>) -> u64 {
    table.get(code.into()).map_or(0, |v| v.to_native())
}
#[inline]
fn range(off: &[u32], i: u32) -> std::ops::Range<usize> {
    let i = i as usize;
    match (off.get(i), off.get(i + 1)) {
        (Some(&a), Some(&b)) if a <= b => a as usize..b as usize,
        _ => 0..0,
    }
}

/// How to open a store.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// Verify every file's checksum against the manifest (default true). Archives are
    /// always validated structurally.
    pub verify_checksums: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { verify_checksums: true }
    }
}

/// An open, read-only database build.
pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
    core: Archive<ArchivedCoreArchive>,
    graph: Archive<ArchivedGraphArchive>,
    refs: Archive<ArchivedRefsetArchive>,
    targets: fst::Map<Mmap>,
    /// Preferred descriptions computed so far for en-GB and en-US (see [`PrefMemo`]).
    pref_memo: [PrefMemo; 2],
}

/// A lazily filled table of preferred descriptions, one slot per concept: 0 = not yet
/// computed, `u32::MAX` = none, else description index + 1. Filling is idempotent (the
/// same value is computed whichever thread gets there first), so relaxed atomics suffice.
/// Parents, children and attribute values of a lookup each need a preferred term; the
/// memo turns those from a scan of the concept's descriptions into one load.
#[derive(Default)]
struct PrefMemo(std::sync::OnceLock<Box<[std::sync::atomic::AtomicU32]>>);

/// Compares the size and checksum of every file the manifest of build `dir` lists, without
/// opening the store; stops early (with `Ok`) when `cancelled` turns true between files.
pub fn verify_build_files(dir: &Path, cancelled: &dyn Fn() -> bool) -> Result<(), StoreError> {
    let manifest = Manifest::read(dir)?;
    for (name, info) in &manifest.files {
        if cancelled() {
            return Ok(());
        }
        map_file(&dir.join(name), info.bytes, Some(&info.xxh3))?;
    }
    Ok(())
}

/// The core archive (concepts, descriptions, language memberships) as compiled, before
/// and while it is written: what [`crate::write_store_with`] hands to its caller so that
/// work needing only descriptions (the search index) need not wait for the files. Its
/// answers are the [`Store`]'s for the same positions.
#[derive(Debug, Clone, Copy)]
pub struct CoreView<'a> {
    core: &'a CoreArchive,
}

impl<'a> CoreView<'a> {
    pub(crate) fn new(core: &'a CoreArchive) -> Self {
        CoreView { core }
    }

    /// As [`Store::description_count`].
    pub fn description_count(&self) -> u32 {
        self.core.descriptions.len() as u32
    }

    /// As [`Store::description_at`].
    pub fn description_at(&self, i: u32) -> Option<DescriptionView<'a>> {
        let c = self.core;
        let rec = c.descriptions.get(i as usize)?;
        let ts = rec.term_start as usize;
        let lr = range(&c.lang_off, i);
        let decode = |table: &[u64], code: usize| table.get(code).copied().unwrap_or(0);
        Some(DescriptionView {
            index: i,
            id: rec.id,
            concept: rec.concept,
            active: rec.active == 1,
            module: decode(&c.modules, rec.module.into()),
            effective_time: rec.effective_time,
            type_id: decode(&c.desc_types, rec.type_id.into()),
            case_significance: decode(&c.case_significances, rec.case_significance.into()),
            language_code: c.languages.get(usize::from(rec.language)).map_or("", |s| s.as_str()),
            term: c.text.get(ts..ts + rec.term_len as usize).unwrap_or(""),
            acceptability: LangRecs::Built(c.lang.get(lr).unwrap_or(&[])),
            language_refsets: &c.language_refsets,
            acceptabilities: &c.acceptabilities,
        })
    }

    /// As [`Store::id_of`].
    pub fn id_of(&self, idx: u32) -> u64 {
        self.core.concept_ids.get(idx as usize).copied().unwrap_or(0)
    }

    /// As [`Store::is_active`].
    pub fn is_active(&self, idx: u32) -> bool {
        self.core.concepts.get(idx as usize).is_some_and(|c| c.flags & FLAG_ACTIVE != 0)
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// A concept's attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConceptView {
    /// Dense index.
    pub index: u32,
    /// SCTID.
    pub id: u64,
    /// Active.
    pub active: bool,
    /// Primitive (not fully defined).
    pub primitive: bool,
    /// Module.
    pub module: u64,
    /// Definition status id.
    pub definition_status: u64,
    /// `YYYYMMDD`.
    pub effective_time: u32,
}

/// A description with its language-refset acceptability.
#[derive(Debug, Clone)]
pub struct DescriptionView<'a> {
    /// Index in the store's description table.
    pub index: u32,
    /// SCTID.
    pub id: u64,
    /// Dense index of its concept.
    pub concept: u32,
    /// Active.
    pub active: bool,
    /// Module.
    pub module: u64,
    /// `YYYYMMDD`.
    pub effective_time: u32,
    /// FSN / synonym / definition.
    pub type_id: u64,
    /// Case significance.
    pub case_significance: u64,
    /// Language code.
    pub language_code: &'a str,
    /// The term.
    pub term: &'a str,
    acceptability: LangRecs<'a>,
    /// The code tables of `acceptability`.
    language_refsets: &'a [u64],
    acceptabilities: &'a [u64],
}

/// A description's language memberships: in a mapped archive, or in the core archive
/// being written (see [`CoreView`]).
#[derive(Debug, Clone, Copy)]
enum LangRecs<'a> {
    Archived(&'a [ArchivedLangRec]),
    Built(&'a [LangRec]),
}

impl<'a> DescriptionView<'a> {
    /// (language refset, acceptability id) pairs from active language members.
    pub fn acceptability(&self) -> impl Iterator<Item = (u64, u64)> + 'a {
        let (refsets, accs) = (self.language_refsets, self.acceptabilities);
        let decode = move |(refset, acc): (u16, u16)| {
            let refset = refsets.get(usize::from(refset)).copied().unwrap_or(0);
            (refset, accs.get(usize::from(acc)).copied().unwrap_or(0))
        };
        let (archived, built) = match self.acceptability {
            LangRecs::Archived(a) => (a, &[][..]),
            LangRecs::Built(b) => (&[][..], b),
        };
        let archived = archived.iter().map(|l| (l.refset.to_native(), l.acceptability.to_native()));
        archived.chain(built.iter().map(|l| (l.refset, l.acceptability))).map(decode)
    }
    /// The acceptability in `refset`, if any.
    pub fn acceptability_in(&self, refset: u64) -> Option<u64> {
        self.acceptability().find(|&(r, _)| r == refset).map(|(_, a)| a)
    }
    /// Preferred in `refset`.
    pub fn is_preferred_in(&self, refset: u64) -> bool {
        self.acceptability_in(refset) == Some(ids::PREFERRED)
    }
}

/// A relationship as seen from one end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelView {
    /// Type concept index.
    pub type_idx: u32,
    /// The other end's concept index (destination for outbound, source for inbound).
    pub other: u32,
    /// Role group.
    pub group: u32,
}

/// A concrete value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcreteView<'a> {
    /// Type concept index.
    pub type_idx: u32,
    /// Role group.
    pub group: u32,
    /// The value as in RF2: `#500`, `#0.5`, `"tablet"`, `true`.
    pub value: &'a str,
}

/// A refset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefsetInfo<'a> {
    /// Refset id.
    pub id: u64,
    /// Refset type name from its file (`Simple`, `Language`, `ExtendedMap`, ...).
    pub summary: &'a str,
    /// Pattern letters.
    pub pattern: &'a str,
    /// Extra column names.
    pub field_names: Vec<&'a str>,
    /// Stored members (language refsets keep none: their data is in the descriptions).
    pub members: u32,
    /// Active members.
    pub active_members: u32,
}

/// A field value of a refset member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    /// A component id.
    Id(u64),
    /// An integer.
    Int(i64),
    /// A string.
    Str(&'a str),
    /// An empty field.
    Empty,
}

impl std::fmt::Display for FieldValue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldValue::Id(v) => write!(f, "{v}"),
            FieldValue::Int(v) => write!(f, "{v}"),
            FieldValue::Str(s) => f.write_str(s),
            FieldValue::Empty => Ok(()),
        }
    }
}

/// A refset member.
#[derive(Debug, Clone)]
pub struct MemberView<'a> {
    /// Member index in the store.
    pub index: u32,
    /// UUID.
    pub uuid: u128,
    /// Refset.
    pub refset: u64,
    /// Referenced component.
    pub referenced: u64,
    /// Module.
    pub module: u64,
    /// `YYYYMMDD`.
    pub effective_time: u32,
    /// Active.
    pub active: bool,
    /// Extra fields by name, in column order.
    pub fields: Vec<(&'a str, FieldValue<'a>)>,
}

impl<'a> MemberView<'a> {
    /// A field by name.
    pub fn field(&self, name: &str) -> Option<FieldValue<'a>> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
    /// The member id as a UUID string.
    pub fn uuid_string(&self) -> String {
        sctx_rf2::format_uuid(self.uuid)
    }
}

impl Store {
    /// Opens a database: `path` is either a build directory (holding `manifest.json`) or a
    /// database root holding `build-*` directories, of which the newest complete one opens.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_with(path, OpenOptions::default())
    }

    /// [`Store::open`] with options.
    pub fn open_with(path: &Path, opts: OpenOptions) -> Result<Store, StoreError> {
        let dir = crate::dbdir::resolve(path)?;
        let manifest = Manifest::read(&dir)?;
        let file = |name: &str| -> Result<(PathBuf, u64, Option<String>), StoreError> {
            let info = manifest.files.get(name).ok_or_else(|| StoreError::Manifest {
                path: dir.join("manifest.json"),
                reason: format!("no entry for {name}"),
            })?;
            Ok((dir.join(name), info.bytes, opts.verify_checksums.then(|| info.xxh3.clone())))
        };
        let core_file = file("core.rkyv")?;
        let graph_file = file("graph.rkyv")?;
        let refs_file = file("refsets.rkyv")?;
        let (fst_path, fst_bytes, fst_xxh3) = file("maptargets.fst")?;
        // Checksums and validation read every byte: the core archive (about half of the
        // data) is checked on a second thread while this one checks the rest.
        let (core, rest) = std::thread::scope(|scope| {
            let core = scope.spawn(|| {
                let (p, b, x) = &core_file;
                Archive::<ArchivedCoreArchive>::open(p, *b, x.as_deref())
            });
            let rest = (|| {
                let (p, b, x) = &graph_file;
                let graph = Archive::<ArchivedGraphArchive>::open(p, *b, x.as_deref())?;
                let (p, b, x) = &refs_file;
                let refs = Archive::<ArchivedRefsetArchive>::open(p, *b, x.as_deref())?;
                let map = map_file(&fst_path, fst_bytes, fst_xxh3.as_deref())?;
                let targets = fst::Map::new(map).map_err(|e| StoreError::fst(&fst_path, e))?;
                Ok::<_, StoreError>((graph, refs, targets))
            })();
            (core.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), rest)
        });
        // errors in file order
        let core = core?;
        let (graph, refs, targets) = rest?;
        let store =
            Store { dir, manifest, core, graph, refs, targets, pref_memo: Default::default() };
        store.check_shape()?;
        Ok(store)
    }

    /// Cross-checks array lengths so that no index derived from the archive can be out of
    /// bounds later (accessors also use checked indexing).
    fn check_shape(&self) -> Result<(), StoreError> {
        let c = self.core.get();
        let g = self.graph.get();
        let r = self.refs.get();
        let n = c.concepts.len();
        let bad = |what: &str| StoreError::Corrupt {
            path: self.dir.clone(),
            reason: format!("inconsistent archive shape: {what}"),
        };
        for (name, off, len) in [
            ("desc_off", u32s(&c.desc_off), c.descriptions.len()),
            ("def_off", u32s(&c.def_off), c.definitions.len()),
            ("parent_off", u32s(&g.parent_off), g.parents.len()),
            ("child_off", u32s(&g.child_off), g.children.len()),
            ("anc_off", u32s(&g.anc_off), g.ancestors.len()),
            ("desc_off", u32s(&g.desc_off), g.descendants.len()),
            ("out_off", u32s(&g.out_off), g.out_rels.len()),
            ("in_off", u32s(&g.in_off), g.in_rels.len()),
            ("concrete_off", u32s(&g.concrete_off), g.concrete.len()),
            ("assoc_out_off", u32s(&r.assoc_out_off), r.assoc_out.len()),
            ("assoc_in_off", u32s(&r.assoc_in_off), r.assoc_in.len()),
        ] {
            if off.len() != n + 1 || off.last().copied().unwrap_or(0) as usize != len {
                return Err(bad(name));
            }
        }
        if c.concept_ids.len() != n || u32s(&c.lang_off).len() != c.descriptions.len() + 1 {
            return Err(bad("concept ids / lang_off"));
        }
        let idx_ok = |v: &[u32]| v.iter().all(|&x| (x as usize) < n);
        if !idx_ok(u32s(&g.parents))
            || !idx_ok(u32s(&g.children))
            || !idx_ok(u32s(&g.ancestors))
            || !idx_ok(u32s(&g.descendants))
        {
            return Err(bad("graph index out of range"));
        }
        Ok(())
    }

    /// The build directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Number of concepts (dense indices are `0..concept_count()`).
    pub fn concept_count(&self) -> u32 {
        self.core.get().concepts.len() as u32
    }

    /// The dense index of a concept id.
    #[inline]
    pub fn index_of(&self, id: u64) -> Option<u32> {
        u64s(&self.core.get().concept_ids).binary_search(&id).ok().map(|i| i as u32)
    }

    /// The SCTID at a dense index (0 when out of range).
    #[inline]
    pub fn id_of(&self, idx: u32) -> u64 {
        u64s(&self.core.get().concept_ids).get(idx as usize).copied().unwrap_or(0)
    }

    /// A concept by dense index.
    pub fn concept(&self, idx: u32) -> Option<ConceptView> {
        let core = self.core.get();
        let c = core.concepts.get(idx as usize)?;
        let flags = c.flags;
        Some(ConceptView {
            index: idx,
            id: c.id.to_native(),
            active: flags & FLAG_ACTIVE != 0,
            primitive: flags & FLAG_PRIMITIVE != 0,
            module: decode(&core.modules, c.module.to_native()),
            definition_status: decode(&core.definition_statuses, c.definition_status),
            effective_time: c.effective_time.to_native(),
        })
    }

    /// Whether a concept is active.
    #[inline]
    pub fn is_active(&self, idx: u32) -> bool {
        self.core.get().concepts.get(idx as usize).is_some_and(|c| c.flags & FLAG_ACTIVE != 0)
    }

    fn text(&self) -> &str {
        self.core.get().text.as_str()
    }

    fn desc_view<'a>(&'a self, i: usize, rec: &'a ArchivedDescRec) -> DescriptionView<'a> {
        let c = self.core.get();
        let text = self.text();
        let ts = rec.term_start.to_native() as usize;
        let term = text.get(ts..ts + rec.term_len.to_native() as usize).unwrap_or("");
        let lang =
            c.languages.get(usize::from(rec.language.to_native())).map_or("", |s| s.as_str());
        let lr = range(u32s(&c.lang_off), i as u32);
        DescriptionView {
            index: i as u32,
            id: rec.id.to_native(),
            concept: rec.concept.to_native(),
            active: rec.active == 1,
            module: decode(&c.modules, rec.module.to_native()),
            effective_time: rec.effective_time.to_native(),
            type_id: decode(&c.desc_types, rec.type_id),
            case_significance: decode(&c.case_significances, rec.case_significance),
            language_code: lang,
            term,
            acceptability: LangRecs::Archived(c.lang.get(lr).unwrap_or(&[])),
            language_refsets: u64s(&c.language_refsets),
            acceptabilities: u64s(&c.acceptabilities),
        }
    }

    /// A concept's descriptions (FSN first, then synonyms; active before inactive).
    pub fn descriptions(&self, idx: u32) -> impl Iterator<Item = DescriptionView<'_>> + '_ {
        let c = self.core.get();
        let r = range(u32s(&c.desc_off), idx);
        r.filter_map(move |i| c.descriptions.get(i).map(|d| self.desc_view(i, d)))
    }

    /// Number of descriptions in the store.
    pub fn description_count(&self) -> u32 {
        self.core.get().descriptions.len() as u32
    }

    /// A description by its index in the description table.
    pub fn description_at(&self, i: u32) -> Option<DescriptionView<'_>> {
        let c = self.core.get();
        c.descriptions.get(i as usize).map(|d| self.desc_view(i as usize, d))
    }

    /// A description by SCTID.
    pub fn description(&self, id: u64) -> Option<DescriptionView<'_>> {
        let c = self.core.get();
        let pos = u64s(&c.desc_ids).binary_search(&id).ok()?;
        let di = *u32s(&c.desc_idx).get(pos)?;
        self.description_at(di)
    }

    /// A concept's text definitions.
    pub fn text_definitions(&self, idx: u32) -> impl Iterator<Item = DescriptionView<'_>> + '_ {
        let c = self.core.get();
        let r = range(u32s(&c.def_off), idx);
        r.filter_map(move |i| {
            c.definitions.get(i).map(|d| {
                let mut v = self.desc_view(usize::MAX, d);
                v.index = i as u32;
                v
            })
        })
    }

    /// The preferred synonym: the first refset in `lang` with an active preferred synonym
    /// wins; then any preferred synonym; then any active synonym; then the FSN.
    pub fn preferred_description(
        &self,
        idx: u32,
        lang: &LanguagePreference,
    ) -> Option<DescriptionView<'_>> {
        self.preferred_index(idx, lang).and_then(|i| self.description_at(i))
    }

    /// The index (in the description table) of [`Store::preferred_description`], memoized
    /// for en-GB and en-US.
    fn preferred_index(&self, idx: u32, lang: &LanguagePreference) -> Option<u32> {
        use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
        let compute = || {
            self.preferred_of_type(idx, lang, ids::SYNONYM)
                .or_else(|| self.preferred_of_type(idx, lang, ids::FSN))
        };
        let slot = if lang.language != "en" {
            None
        } else if lang.refsets == LanguagePreference::EN_GB_REFSETS {
            Some(0)
        } else if lang.refsets == LanguagePreference::EN_US_REFSETS {
            Some(1)
        } else {
            None
        };
        let Some(slot) = slot else { return compute() };
        let memo = self.pref_memo[slot].0.get_or_init(|| {
            (0..self.concept_count()).map(|_| AtomicU32::new(0)).collect::<Vec<_>>().into()
        });
        let Some(cell) = memo.get(idx as usize) else { return compute() };
        match cell.load(Relaxed) {
            0 => {
                let d = compute();
                cell.store(d.map_or(u32::MAX, |d| d.saturating_add(1)), Relaxed);
                d
            }
            u32::MAX => None,
            v => Some(v - 1),
        }
    }

    /// The preferred term of a concept (see [`Store::preferred_description`]): read
    /// straight from the description record, without building a view.
    pub fn preferred_term(&self, idx: u32, lang: &LanguagePreference) -> Option<&str> {
        let i = self.preferred_index(idx, lang)? as usize;
        let rec = self.core.get().descriptions.get(i)?;
        let ts = rec.term_start.to_native() as usize;
        self.text().get(ts..ts + rec.term_len.to_native() as usize)
    }

    /// The fully specified name in the language preference.
    pub fn fsn(&self, idx: u32, lang: &LanguagePreference) -> Option<DescriptionView<'_>> {
        self.preferred_of_type(idx, lang, ids::FSN).and_then(|i| self.description_at(i))
    }

    /// The active description of `type_id` that `lang` prefers: preferred in the
    /// earliest of its refsets; else preferred in any refset; else in its language;
    /// else the first. One pass over the concept's raw records (no views built).
    fn preferred_of_type(&self, idx: u32, lang: &LanguagePreference, type_id: u64) -> Option<u32> {
        let c = self.core.get();
        let lang_off = u32s(&c.lang_off);
        let n = lang.refsets.len();
        // the codes of `type_id` and of "preferred" (no description has a value without one)
        let type_code = u64s(&c.desc_types).iter().position(|&t| t == type_id)?;
        let preferred = u64s(&c.acceptabilities).iter().position(|&a| a == ids::PREFERRED);
        let lang_refsets = u64s(&c.language_refsets);
        let mut best: Option<(usize, usize)> = None;
        for i in range(u32s(&c.desc_off), idx) {
            let Some(rec) = c.descriptions.get(i) else { continue };
            if rec.active != 1 || usize::from(rec.type_id) != type_code {
                continue;
            }
            let mut rank = n + 2;
            for l in c.lang.get(range(lang_off, i as u32)).unwrap_or(&[]) {
                if Some(usize::from(l.acceptability.to_native())) == preferred {
                    let r = lang_refsets.get(usize::from(l.refset.to_native())).copied();
                    rank = rank.min(lang.refsets.iter().position(|&x| Some(x) == r).unwrap_or(n));
                }
            }
            if rank > n && best.is_none_or(|(b, _)| b > n + 1) {
                let code = c.languages.get(usize::from(rec.language.to_native()));
                if code.map(|s| s.as_str()) == Some(lang.language.as_str()) {
                    rank = n + 1;
                }
            }
            if best.is_none_or(|(b, _)| rank < b) {
                best = Some((rank, i));
                if rank == 0 {
                    break;
                }
            }
        }
        best.map(|(_, i)| i as u32)
    }

    /// Whether a description is acceptable or preferred in any of `lang`'s refsets.
    pub fn is_acceptable(&self, d: &DescriptionView<'_>, lang: &LanguagePreference) -> bool {
        lang.refsets.iter().any(|r| d.acceptability_in(*r).is_some())
    }

    fn g(&self) -> &ArchivedGraphArchive {
        self.graph.get()
    }

    /// Active inferred is-a parents.
    pub fn parents(&self, idx: u32) -> &[u32] {
        let g = self.g();
        u32s(&g.parents).get(range(u32s(&g.parent_off), idx)).unwrap_or(&[])
    }
    /// Children.
    pub fn children(&self, idx: u32) -> &[u32] {
        let g = self.g();
        u32s(&g.children).get(range(u32s(&g.child_off), idx)).unwrap_or(&[])
    }
    /// Proper ancestors, sorted by index.
    pub fn ancestors(&self, idx: u32) -> &[u32] {
        let g = self.g();
        u32s(&g.ancestors).get(range(u32s(&g.anc_off), idx)).unwrap_or(&[])
    }
    /// Proper descendants, sorted by index.
    pub fn descendants(&self, idx: u32) -> &[u32] {
        let g = self.g();
        u32s(&g.descendants).get(range(u32s(&g.desc_off), idx)).unwrap_or(&[])
    }
    /// True when `a` subsumes `b` (`b` is `a` or a descendant of `a`).
    #[inline]
    pub fn subsumes(&self, a: u32, b: u32) -> bool {
        a == b || self.ancestors(b).binary_search(&a).is_ok()
    }

    /// Outbound active inferred relationships, is-a included, ordered by group and type.
    pub fn outbound(&self, idx: u32) -> impl Iterator<Item = RelView> + '_ {
        let g = self.g();
        g.out_rels.get(range(u32s(&g.out_off), idx)).unwrap_or(&[]).iter().map(rel_view)
    }
    /// Inbound active inferred relationships (`other` is the source).
    pub fn inbound(&self, idx: u32) -> impl Iterator<Item = RelView> + '_ {
        let g = self.g();
        g.in_rels.get(range(u32s(&g.in_off), idx)).unwrap_or(&[]).iter().map(rel_view)
    }
    /// Concrete values of a concept.
    pub fn concrete(&self, idx: u32) -> impl Iterator<Item = ConcreteView<'_>> + '_ {
        let g = self.g();
        let text = g.concrete_text.as_str();
        g.concrete.get(range(u32s(&g.concrete_off), idx)).unwrap_or(&[]).iter().map(move |c| {
            let s = c.start.to_native() as usize;
            ConcreteView {
                type_idx: c.type_idx.to_native(),
                group: c.group.to_native(),
                value: text.get(s..s + c.len.to_native() as usize).unwrap_or(""),
            }
        })
    }

    fn r(&self) -> &ArchivedRefsetArchive {
        self.refs.get()
    }

    fn refset_info<'a>(&'a self, r: &'a ArchivedRefsetRec) -> RefsetInfo<'a> {
        RefsetInfo {
            id: r.id.to_native(),
            summary: r.summary.as_str(),
            pattern: r.pattern.as_str(),
            field_names: r.field_names.iter().map(|s| s.as_str()).collect(),
            members: r.member_end.to_native().saturating_sub(r.member_start.to_native()),
            active_members: r.active_members.to_native(),
        }
    }

    /// All refsets.
    pub fn refsets(&self) -> impl Iterator<Item = RefsetInfo<'_>> + '_ {
        self.r().refsets.iter().map(|r| self.refset_info(r))
    }

    fn refset_rec(&self, id: u64) -> Option<&ArchivedRefsetRec> {
        let rs = &self.r().refsets;
        let pos = rs.binary_search_by_key(&id, |r| r.id.to_native()).ok()?;
        rs.get(pos)
    }

    /// A refset by id.
    pub fn refset(&self, id: u64) -> Option<RefsetInfo<'_>> {
        self.refset_rec(id).map(|r| self.refset_info(r))
    }

    /// A member by index.
    pub fn member(&self, i: u32) -> Option<MemberView<'_>> {
        let r = self.r();
        let m = r.members.get(i as usize)?;
        let refset = decode(&r.member_refsets, m.refset.to_native() as usize);
        let names = self.refset_rec(refset).map(|x| &x.field_names[..]).unwrap_or(&[]);
        let fs = m.field_start.to_native() as usize;
        let fl = usize::from(m.field_len);
        let fields = r
            .fields
            .get(fs..fs + fl)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(k, f)| {
                let name = names.get(k).map(|s| s.as_str()).unwrap_or("");
                let v = f.value.to_native();
                let val = match f.tag.to_native() {
                    FIELD_ID => FieldValue::Id(v),
                    FIELD_INT => FieldValue::Int(v as i64),
                    FIELD_STR => FieldValue::Str(
                        r.text
                            .as_str()
                            .get(v as usize..v as usize + f.len.to_native() as usize)
                            .unwrap_or(""),
                    ),
                    _ => FieldValue::Empty,
                };
                (name, val)
            })
            .collect();
        Some(MemberView {
            index: i,
            uuid: ((m.uuid_hi.to_native() as u128) << 64) | m.uuid_lo.to_native() as u128,
            refset,
            referenced: m.referenced.to_native(),
            module: decode(&r.modules, m.module.to_native()),
            effective_time: m.effective_time.to_native(),
            active: m.active == 1,
            fields,
        })
    }

    /// Members of a refset (active and inactive), ordered by referenced component.
    pub fn members_of(&self, refset: u64) -> impl Iterator<Item = MemberView<'_>> + '_ {
        let (a, b) = self
            .refset_rec(refset)
            .map(|r| (r.member_start.to_native(), r.member_end.to_native()))
            .unwrap_or((0, 0));
        (a..b).filter_map(move |i| self.member(i))
    }

    /// (referenced component, active) of every member of a refset, without decoding fields.
    pub fn member_refs(&self, refset: u64) -> impl Iterator<Item = (u64, bool)> + '_ {
        let r = self.r();
        let (a, b) = self
            .refset_rec(refset)
            .map(|x| (x.member_start.to_native() as usize, x.member_end.to_native() as usize))
            .unwrap_or((0, 0));
        r.members.get(a..b).unwrap_or(&[]).iter().map(|m| (m.referenced.to_native(), m.active == 1))
    }

    /// Members of a refset that reference `component`.
    pub fn members_of_for(
        &self,
        refset: u64,
        component: u64,
    ) -> impl Iterator<Item = MemberView<'_>> + '_ {
        let r = self.r();
        let (a, b) = self
            .refset_rec(refset)
            .map(|x| (x.member_start.to_native() as usize, x.member_end.to_native() as usize))
            .unwrap_or((0, 0));
        let slice = r.members.get(a..b).unwrap_or(&[]);
        let lo = slice.partition_point(|m| m.referenced.to_native() < component);
        let hi = slice.partition_point(|m| m.referenced.to_native() <= component);
        (a + lo..a + hi).filter_map(move |i| self.member(i as u32))
    }

    /// Every member (any refset) that references `component`.
    pub fn members_for(&self, component: u64) -> impl Iterator<Item = MemberView<'_>> + '_ {
        let r = self.r();
        let keys = u64s(&r.by_component);
        let lo = keys.partition_point(|&k| k < component);
        let hi = keys.partition_point(|&k| k <= component);
        let idx = u32s(&r.by_component_member);
        idx.get(lo..hi).unwrap_or(&[]).iter().filter_map(move |&i| self.member(i))
    }

    /// Active historical associations from a concept: (association refset, target index).
    pub fn associations_from(&self, idx: u32) -> impl Iterator<Item = (u64, u32)> + '_ {
        let r = self.r();
        r.assoc_out.get(range(u32s(&r.assoc_out_off), idx)).unwrap_or(&[]).iter().map(|a| {
            (decode(&r.member_refsets, a.refset.to_native() as usize), a.other.to_native())
        })
    }

    /// Active historical associations to a concept: (association refset, source index).
    pub fn associations_to(&self, idx: u32) -> impl Iterator<Item = (u64, u32)> + '_ {
        let r = self.r();
        r.assoc_in.get(range(u32s(&r.assoc_in_off), idx)).unwrap_or(&[]).iter().map(|a| {
            (decode(&r.member_refsets, a.refset.to_native() as usize), a.other.to_native())
        })
    }

    /// Active members of a map refset whose `mapTarget` equals `target` (reverse map).
    pub fn members_by_map_target(&self, refset: u64, target: &str) -> Vec<MemberView<'_>> {
        let mut key = refset.to_be_bytes().to_vec();
        key.extend_from_slice(target.as_bytes());
        let Some(v) = self.targets.get(&key) else {
            return Vec::new();
        };
        let (start, len) = ((v >> 32) as usize, (v & 0xffff_ffff) as usize);
        let post = u32s(&self.r().target_postings);
        post.get(start..start + len).unwrap_or(&[]).iter().filter_map(|&i| self.member(i)).collect()
    }

    /// Map targets of a refset starting with `prefix` (for code search), up to `limit`.
    pub fn map_targets_with_prefix(&self, refset: u64, prefix: &str, limit: usize) -> Vec<String> {
        use fst::{IntoStreamer, Streamer};
        let mut lo = refset.to_be_bytes().to_vec();
        lo.extend_from_slice(prefix.as_bytes());
        let mut out = Vec::new();
        let mut s = self.targets.range().ge(&lo).into_stream();
        while let Some((k, _)) = s.next() {
            if !k.starts_with(&lo) || out.len() >= limit {
                break;
            }
            out.push(String::from_utf8_lossy(&k[8..]).into_owned());
        }
        out
    }
}

fn rel_view(r: &ArchivedRelRec) -> RelView {
    RelView {
        type_idx: r.type_idx.to_native(),
        other: r.other.to_native(),
        group: r.group.to_native(),
    }
}
