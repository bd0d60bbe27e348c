//! Compiling a loaded [`Release`] into the store files.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::hash::Hash;
use std::path::Path;

use rustc_hash::FxHashMap;
use sctx_io::OutputFile;
use sctx_rf2::{Field, Member, Release, Table};
use sctx_types::ids;

use crate::error::StoreError;
use crate::format::*;
use crate::manifest::{Counts, EditionInfo, FileInfo, Manifest, ModuleDependency, SourceInfo};
use crate::store::CoreView;

/// Options for [`write_store`].
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The `--as-of` date used when loading, recorded in the manifest.
    pub as_of: Option<u32>,
    /// Declared editions: (module, version) pairs that replace the detected ones, e.g. to
    /// serve a subset under the edition and version a test suite expects.
    pub edition_versions: Vec<(u64, u32)>,
    /// Free-form fingerprint of the sources, recorded in the manifest.
    pub source_fingerprint: Option<String>,
}

struct TextBlob {
    text: String,
}

impl TextBlob {
    /// A blob with room for `bytes` of text (growing a large blob step by step copies it
    /// and touches twice the memory).
    fn with_capacity(bytes: usize) -> Self {
        TextBlob { text: String::with_capacity(bytes) }
    }
    fn push(&mut self, s: &str) -> Result<(u32, u32), StoreError> {
        let start = u32::try_from(self.text.len()).map_err(|_| StoreError::TooLarge("text"))?;
        self.text.push_str(s);
        Ok((start, s.len() as u32))
    }
}

/// The table of a column's distinct values (modules, description types, ...) and the small
/// code (`C`: `u8`, `u16`) of each: codes are given in order of first appearance, and
/// `values[code]` is the value. A look-up is one probe of a small hash map.
struct Codes<K, C> {
    /// What the values are, for [`StoreError::TooMany`].
    what: &'static str,
    values: Vec<K>,
    index: FxHashMap<K, C>,
}

impl<K: Eq + Hash + Clone + std::fmt::Debug, C: Copy + TryFrom<usize>> Codes<K, C> {
    fn new(what: &'static str) -> Self {
        Codes { what, values: Vec::new(), index: FxHashMap::default() }
    }

    /// The code of `key`, given it if new; an error when the code cannot hold another value.
    #[inline]
    fn code<Q>(&mut self, key: &Q) -> Result<C, StoreError>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(&c) = self.index.get(key) {
            return Ok(c);
        }
        let n = self.values.len();
        let c = C::try_from(n).map_err(|_| StoreError::TooMany {
            what: self.what,
            limit: n,
            value: format!("{:?}", key.to_owned()),
        })?;
        self.values.push(key.to_owned());
        self.index.insert(key.to_owned(), c);
        Ok(c)
    }
}

/// The code tables of the core archive's concepts and descriptions (one set, filled on the
/// core's thread).
struct CoreCodes {
    modules: Codes<u64, u16>,
    definition_statuses: Codes<u64, u8>,
    desc_types: Codes<u64, u8>,
    case_significances: Codes<u64, u8>,
    languages: Codes<String, u16>,
}

impl CoreCodes {
    fn new() -> Self {
        CoreCodes {
            modules: Codes::new("modules of concepts and descriptions"),
            definition_statuses: Codes::new("definition statuses"),
            desc_types: Codes::new("description types"),
            case_significances: Codes::new("case significances"),
            languages: Codes::new("description language codes"),
        }
    }

    /// The record of a description or text definition, `term` being its (start, length)
    /// in the text blob.
    fn desc_rec(
        &mut self,
        d: &sctx_rf2::Description,
        concept: u32,
        (term_start, term_len): (u32, u32),
        language: &str,
    ) -> Result<DescRec, StoreError> {
        Ok(DescRec {
            id: d.id,
            concept,
            effective_time: d.effective_time,
            term_start,
            term_len,
            module: self.modules.code(&d.module)?,
            language: self.languages.code(language)?,
            type_id: self.desc_types.code(&d.type_id)?,
            case_significance: self.case_significances.code(&d.case_significance)?,
            active: d.active as u8,
            reserved: 0,
        })
    }
}

fn csr<T: Copy>(n: usize, mut items: Vec<(u32, T)>) -> Result<(Vec<u32>, Vec<T>), StoreError> {
    items.sort_by_key(|(k, _)| *k);
    let mut off = vec![0u32; n + 1];
    for (k, _) in &items {
        off[*k as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    if items.len() > u32::MAX as usize {
        return Err(StoreError::TooLarge("adjacency"));
    }
    Ok((off, items.into_iter().map(|(_, v)| v).collect()))
}

fn is_language_refset(rel: &Release, refset: u64) -> bool {
    rel.refset_layouts.get(&refset).is_some_and(|l| {
        l.summary == "Language"
            || (l.field_names.len() == 1 && l.field_names[0] == "acceptabilityId")
    })
}

/// Writes `core.rkyv`, `graph.rkyv`, `refsets.rkyv`, `maptargets.fst` and `manifest.json`
/// into `dir` (which must exist and hold none of them; an import writes its other parts,
/// such as the legacy tables, beside them at the same time), returning the manifest.
///
/// The release is consumed: its descriptions and relationships (the largest tables after
/// the refset members) are freed as soon as they have been compiled, so that the rest of
/// the build reuses their memory instead of growing the process.
pub fn write_store(rel: Release, dir: &Path, opts: &BuildOptions) -> Result<Manifest, StoreError> {
    write_store_with(rel, dir, opts, |_| ()).map(|(manifest, ())| manifest)
}

/// As [`write_store`], and calls `with_core` with the compiled core archive (concepts,
/// descriptions, language memberships: [`CoreView`]) as soon as it is ready, on a thread of
/// its own, while the archives are still being compiled and written; returns its result
/// once both are done.
///
/// The archives are written around the page cache ([`sctx_io::OutputFile`]): work that
/// needs only descriptions, such as building the search index, should read them from the
/// view rather than from the files, which are not in memory after the build.
pub fn write_store_with<R: Send>(
    mut rel: Release,
    dir: &Path,
    opts: &BuildOptions,
    with_core: impl FnOnce(CoreView<'_>) -> R + Send,
) -> Result<(Manifest, R), StoreError> {
    let descriptions = std::mem::take(&mut rel.descriptions);
    let relationships = std::mem::take(&mut rel.relationships);
    // the refset members are shared by the language memberships' and the refsets' threads,
    // and freed by whichever finishes last (not at the end, when the search index built
    // beside the store may still run)
    let members_for_language = std::sync::Arc::new(std::mem::take(&mut rel.members));
    let members_for_refsets = std::sync::Arc::clone(&members_for_language);
    let rel = &rel;
    // ---- concepts
    let mut concepts: Vec<&sctx_rf2::Concept> = rel.concepts.iter().collect();
    concepts.sort_by_key(|c| c.id);
    let n = concepts.len();
    let index: FxHashMap<u64, u32> =
        concepts.iter().enumerate().map(|(i, c)| (c.id, i as u32)).collect();
    let idx = |id: u64| index.get(&id).copied();

    // (sorted: the layouts are a BTreeMap) a language membership stores the position of its
    // refset here in 16 bits
    let language_refsets: Vec<u64> =
        rel.refset_layouts.keys().copied().filter(|&r| is_language_refset(rel, r)).collect();
    if language_refsets.len() > usize::from(u16::MAX) + 1 {
        let limit = usize::from(u16::MAX) + 1;
        return Err(StoreError::TooMany {
            what: "language refsets",
            limit,
            value: language_refsets[limit].to_string(),
        });
    }
    // The three archives are compiled and written concurrently: the core (descriptions,
    // language) and the refsets (but their associations) on two worker threads, the graph on
    // this one, which then adds the associations and writes the refsets archive (the graph
    // is written by another worker meanwhile). With the refsets after the graph on this
    // thread, it ran alone for the last half second of the store.
    // the language refsets' member counts, sent by the core's thread before it writes its
    // archive: the refsets archive lists them, and is written meanwhile
    let (lang_tx, lang_rx) = std::sync::mpsc::sync_channel::<BTreeMap<u64, u32>>(1);
    let core_job = || -> Result<(FileInfo, CoreCounts, R), StoreError> {
        let mut dangling = 0u64;
        let terms = descriptions.text_bytes() + rel.text_definitions.text_bytes();
        let mut text = TextBlob::with_capacity(terms);
        let mut codes = CoreCodes::new();
        let mut concept_recs: Vec<ConceptRec> = Vec::with_capacity(n);
        for c in &concepts {
            concept_recs.push(ConceptRec {
                id: c.id,
                effective_time: c.effective_time,
                module: codes.modules.code(&c.module)?,
                definition_status: codes.definition_statuses.code(&c.definition_status)?,
                flags: (if c.active { FLAG_ACTIVE } else { 0 })
                    | (if c.definition_status != ids::DEFINED { FLAG_PRIMITIVE } else { 0 }),
            });
        }

        // ---- descriptions
        // by concept, then FSN first, synonyms, then by id (the key is packed next to the
        // reference so that sorting does not chase pointers)
        let mut keyed: Vec<(DescKey, &sctx_rf2::Description)> =
            Vec::with_capacity(descriptions.len());
        for d in descriptions.iter() {
            match idx(d.concept) {
                Some(ci) => keyed.push(((ci, d.type_id != ids::FSN, !d.active, d.id), d)),
                None => dangling += 1,
            }
        }
        keyed.sort_unstable_by_key(|(k, _)| *k);
        let descs: Vec<(u32, &sctx_rf2::Description)> =
            keyed.into_iter().map(|(k, d)| (k.0, d)).collect();
        let mut desc_off = vec![0u32; n + 1];
        let mut desc_recs = Vec::with_capacity(descs.len());
        // (description id, position), sorted by id: the archive's id index, and what the
        // language memberships are joined with
        let mut id_pairs: Vec<(u64, u32)> = Vec::with_capacity(descs.len());
        for (ci, d) in &descs {
            desc_off[*ci as usize + 1] += 1;
            let term = text.push(descriptions.term(d))?;
            id_pairs.push((d.id, desc_recs.len() as u32));
            desc_recs.push(codes.desc_rec(d, *ci, term, descriptions.language_code(d))?);
        }
        drop(descs);
        drop(descriptions);
        for i in 0..n {
            desc_off[i + 1] += desc_off[i];
        }
        id_pairs.sort_unstable();
        // (ids are unique in a layered release; were one repeated, its last position stands)
        id_pairs.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = later.1;
            }
            same
        });
        let (desc_ids, desc_idx): (Vec<u64>, Vec<u32>) = id_pairs.into_iter().unzip();
        // the language memberships on another thread (they need only the descriptions'
        // positions), while this one adds the definitions
        let desc_count = desc_recs.len();
        // one of two parts of the language memberships: those of the language refsets at
        // even (`part` 0) or odd positions, on two threads. A part's active members are
        // sorted by description id and joined with the sorted description ids (a hash map of
        // the ids cost a cache miss per member, and another per description to build); the
        // acceptability codes are local to the part, numbered by the member position where
        // each was first seen among the members that have a description
        let language_part = |members: &Table<Member>, part: usize| -> LanguagePart {
            let mut out = LanguagePart::default();
            // (description id, acceptability, member position, refset position)
            let mut active: Vec<(u64, u64, u32, u16)> = Vec::new();
            for (pos, m) in members.iter().enumerate() {
                let Some(ri) = language_refsets.iter().position(|&r| r == m.refset) else {
                    continue;
                };
                if ri % 2 != part {
                    continue;
                }
                out.language_members += 1;
                if !m.active {
                    continue;
                }
                let acc = match members.field(m, 0) {
                    Some(Field::Id(a)) => a,
                    _ => continue,
                };
                // (`ri` fits: checked against the number of language refsets above; the
                // position: a table's rows are counted in a u32)
                active.push((m.referenced, acc, pos as u32, ri as u16));
            }
            active.sort_unstable_by_key(|a| a.0);
            let mut joined: Vec<(u32, u64, u32, u16)> = Vec::with_capacity(active.len());
            let mut j = 0;
            for &(referenced, acc, pos, ri) in &active {
                while desc_ids.get(j).is_some_and(|&id| id < referenced) {
                    j += 1;
                }
                if desc_ids.get(j) == Some(&referenced) {
                    joined.push((desc_idx[j], acc, pos, ri));
                }
            }
            drop(active);
            // the first position of each acceptability, in position order: the local codes
            let mut local: FxHashMap<u64, u32> = FxHashMap::default();
            for &(_, acc, pos, _) in &joined {
                let first = local.entry(acc).or_insert(pos);
                *first = (*first).min(pos);
            }
            out.firsts = local.iter().map(|(&acc, &pos)| (pos as usize, acc)).collect();
            out.firsts.sort_unstable();
            let code: FxHashMap<u64, u16> = out
                .firsts
                .iter()
                .enumerate()
                // (at most one code per member: never more than u16 can count, as the
                // merged table is checked against)
                .map(|(c, &(_, acc))| (acc, u16::try_from(c).unwrap_or(u16::MAX)))
                .collect();
            out.items.reserve(joined.len());
            for (di, acc, _, ri) in joined {
                *out.lang_counts.entry(language_refsets[usize::from(ri)]).or_default() += 1;
                let acceptability = code.get(&acc).copied().unwrap_or_default();
                out.items.push((di, LangRec { refset: ri, acceptability }));
            }
            out
        };
        let language_job = || -> Result<Language, StoreError> {
            // (moved in, so that the channel closes if this thread ends without sending)
            let lang_tx = lang_tx;
            let members = members_for_language;
            let (even, odd) = std::thread::scope(|scope| {
                let odd = scope.spawn(|| language_part(&members, 1));
                let even = language_part(&members, 0);
                (even, odd.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            });
            drop(members);
            // the codes in order of first appearance among all the members, as one pass
            // would have given them
            let mut firsts: Vec<(usize, u64)> =
                even.firsts.iter().chain(&odd.firsts).copied().collect();
            firsts.sort_unstable();
            let mut acceptabilities: Codes<u64, u16> = Codes::new("acceptabilities");
            for (_, acc) in &firsts {
                acceptabilities.code(acc)?;
            }
            let mut lang_counts = even.lang_counts;
            lang_counts.extend(odd.lang_counts);
            let _ = lang_tx.send(lang_counts.clone());
            // each part's local codes -> the global ones
            let global = |firsts: &[(usize, u64)]| -> Vec<u16> {
                let codes = firsts.iter().map(|(_, acc)| acceptabilities.index.get(acc));
                codes.map(|c| c.copied().unwrap_or_default()).collect()
            };
            let (even_codes, odd_codes) = (global(&even.firsts), global(&odd.firsts));
            let recode = |codes: &[u16], l: &mut LangRec| {
                l.acceptability = codes.get(usize::from(l.acceptability)).copied().unwrap_or(0);
            };
            let mut lang_items = even.items;
            lang_items.iter_mut().for_each(|(_, l)| recode(&even_codes, l));
            lang_items.extend(odd.items.into_iter().map(|(d, mut l)| {
                recode(&odd_codes, &mut l);
                (d, l)
            }));
            // (the order of version 1, which sorted by the ids: the refset codes follow the ids)
            let acc_ids = &acceptabilities.values;
            lang_items
                .sort_unstable_by_key(|(d, l)| (*d, l.refset, acc_ids[l.acceptability as usize]));
            let (lang_off, lang) = csr(desc_count, lang_items)?;
            Ok(Language {
                lang_off,
                lang,
                lang_counts,
                language_members: even.language_members + odd.language_members,
                acceptabilities: acceptabilities.values,
            })
        };
        // ---- text definitions, while the language memberships are joined
        let (language, definitions) = std::thread::scope(|scope| {
            let language = scope.spawn(language_job);
            let definitions = (|| {
                let mut defs: Vec<(u32, &sctx_rf2::Description)> = rel
                    .text_definitions
                    .iter()
                    .filter_map(|d| idx(d.concept).map(|c| (c, d)))
                    .collect();
                defs.sort_by_key(|(c, d)| (*c, d.id));
                let mut def_items = Vec::with_capacity(defs.len());
                for (ci, d) in defs {
                    let term = text.push(rel.text_definitions.term(d))?;
                    let language = rel.text_definitions.language_code(d);
                    def_items.push((ci, codes.desc_rec(d, ci, term, language)?));
                }
                csr(n, def_items)
            })();
            (language.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), definitions)
        });
        let Language { lang_off, lang, lang_counts, language_members, acceptabilities } = language?;
        let (def_off, definitions) = definitions?;

        let core = CoreArchive {
            concepts: concept_recs,
            concept_ids: concepts.iter().map(|c| c.id).collect(),
            desc_off,
            descriptions: desc_recs,
            desc_ids,
            desc_idx,
            lang_off,
            lang,
            def_off,
            definitions,
            language_members: language_refsets
                .iter()
                .map(|r| lang_counts.get(r).copied().unwrap_or(0))
                .collect(),
            language_refsets: language_refsets.clone(),
            acceptabilities,
            modules: codes.modules.values,
            definition_statuses: codes.definition_statuses.values,
            desc_types: codes.desc_types.values,
            case_significances: codes.case_significances.values,
            languages: codes.languages.values,
            text: text.text,
        };
        let counts = CoreCounts {
            active_concepts: core.concepts.iter().filter(|c| c.flags & FLAG_ACTIVE != 0).count()
                as u64,
            descriptions: core.descriptions.len() as u64,
            active_descriptions: core.descriptions.iter().filter(|d| d.active == 1).count() as u64,
            text_definitions: core.definitions.len() as u64,
            language_members,
            lang_counts,
            dangling,
        };
        // the caller's work on the core runs while it is written (and the other archives
        // are compiled and written)
        let (info, done) = std::thread::scope(|scope| {
            let view = CoreView::new(&core);
            let user = scope.spawn(move || with_core(view));
            let info = write_archive(dir, "core.rkyv", &core);
            (info, user.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        Ok((info?, counts, done))
    };
    // ---- refsets (all but the associations, which need the graph's descendants)
    let refsets_job = || -> Result<RefsetParts, StoreError> {
        let members_arc = members_for_refsets;
        let all_members: &Table<Member> = &members_arc;
        let mut keyed: Vec<(MemberKey, &sctx_rf2::Member)> = Vec::with_capacity(all_members.len());
        keyed.extend(
            all_members
                .iter()
                .filter(|m| !language_refsets.contains(&m.refset))
                .map(|m| ((m.refset, m.referenced, !m.active, m.effective_time, m.id()), m)),
        );
        keyed.sort_unstable_by_key(|(k, _)| *k);
        let members: Vec<&sctx_rf2::Member> = keyed.into_iter().map(|(_, m)| m).collect();
        let mut rtext = TextBlob::with_capacity(all_members.text_bytes());
        let mut member_recs = Vec::with_capacity(members.len());
        let mut field_recs = Vec::with_capacity(members.len() * 2);
        let mut refsets: Vec<RefsetRec> = Vec::new();
        // (refset, map target, member): sorted into the fst's keys after the loop
        let mut targets: Vec<(u64, &str, u32)> = Vec::new();
        let mut member_modules: Codes<u64, u16> = Codes::new("modules of refset members");
        for m in &members {
            let mi =
                u32::try_from(member_recs.len()).map_err(|_| StoreError::TooLarge("members"))?;
            if refsets.last().is_none_or(|r| r.id != m.refset) {
                let layout = rel.refset_layouts.get(&m.refset);
                refsets.push(RefsetRec {
                    id: m.refset,
                    member_start: mi,
                    member_end: mi,
                    active_members: 0,
                    pattern: layout.map(|l| l.pattern.clone()).unwrap_or_default(),
                    summary: layout.map(|l| l.summary.clone()).unwrap_or_default(),
                    field_names: layout.map(|l| l.field_names.clone()).unwrap_or_default(),
                });
            }
            // the members are sorted by refset: its code is its position among the refsets so
            // far (no more than the members, so it fits in 32 bits)
            let refset_code = (refsets.len() - 1) as u32;
            let r = refsets.last_mut().expect("pushed above");
            r.member_end = mi + 1;
            r.active_members += m.active as u32;
            let field_start = field_recs.len() as u32;
            for (k, f) in all_members.fields(m).enumerate() {
                field_recs.push(match f {
                    Field::Empty => FieldRec { tag: FIELD_EMPTY, len: 0, value: 0 },
                    Field::Id(v) => FieldRec { tag: FIELD_ID, len: 0, value: v },
                    Field::Int(v) => FieldRec { tag: FIELD_INT, len: 0, value: v as u64 },
                    Field::Str(s) => {
                        let (st, l) = rtext.push(s)?;
                        let name = r.field_names.get(k).map(String::as_str).unwrap_or("");
                        if name == "mapTarget" && m.active {
                            targets.push((m.refset, s, mi));
                        }
                        FieldRec { tag: FIELD_STR, len: l, value: st as u64 }
                    }
                });
            }
            member_recs.push(MemberRec {
                uuid_hi: (m.id() >> 64) as u64,
                uuid_lo: m.id() as u64,
                referenced: m.referenced,
                refset: refset_code,
                effective_time: m.effective_time,
                field_start,
                module: member_modules.code(&m.module)?,
                field_len: u8::try_from(m.field_count()).map_err(|_| StoreError::TooMany {
                    what: "extra columns in a refset member",
                    limit: u8::MAX.into(),
                    value: format!(
                        "member {} of refset {} with {} columns",
                        sctx_rf2::format_uuid(m.id()),
                        m.refset,
                        m.field_count()
                    ),
                })?,
                active: m.active as u8,
            });
        }
        let mut by_comp: Vec<(u64, u32)> =
            member_recs.iter().enumerate().map(|(i, m)| (m.referenced, i as u32)).collect();
        by_comp.sort_unstable();
        let (by_component, by_component_member): (Vec<u64>, Vec<u32>) = by_comp.into_iter().unzip();

        // fst of map targets -> postings
        let mut target_postings = Vec::new();
        let fst_path = dir.join("maptargets.fst");
        let fst_info = {
            let w = OutputFile::create(&fst_path).map_err(|e| StoreError::io(&fst_path, e))?;
            let mut b = fst::MapBuilder::new(w).map_err(|e| StoreError::fst(&fst_path, e))?;
            // key: refset (big-endian, so that keys sort by refset) then the target's bytes
            targets.sort_unstable();
            let mut key = Vec::new();
            for run in targets.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
                let (refset, target, _) = run[0];
                key.clear();
                key.extend_from_slice(&refset.to_be_bytes());
                key.extend_from_slice(target.as_bytes());
                let start = target_postings.len() as u64;
                target_postings.extend(run.iter().map(|t| t.2));
                b.insert(&key, (start << 32) | run.len() as u64)
                    .map_err(|e| StoreError::fst(&fst_path, e))?;
            }
            let w = b.into_inner().map_err(|e| StoreError::fst(&fst_path, e))?;
            file_info(w.finish(true).map_err(|e| StoreError::io(&fst_path, e))?)
        };
        Ok(RefsetParts {
            fst_info,
            refsets,
            member_recs,
            member_modules: member_modules.values,
            field_recs,
            text: rtext.text,
            by_component,
            by_component_member,
            target_postings,
        })
    };
    std::thread::scope(|scope| -> Result<(Manifest, R), StoreError> {
        let core_handle = scope.spawn(core_job);
        let refsets_handle = scope.spawn(refsets_job);
        let mut dangling = 0u64;
        // ---- graph
        let rels = relationships.len();
        let mut parent_items: Vec<(u32, u32)> = Vec::with_capacity(rels);
        let mut out_items: Vec<(u32, RelRec)> = Vec::with_capacity(rels);
        let mut in_items: Vec<(u32, RelRec)> = Vec::with_capacity(rels);
        let mut active_rels = 0u64;
        for r in relationships.iter() {
            if !r.active || r.characteristic_type == ids::STATED {
                continue;
            }
            let (Some(s), Some(d), Some(t)) = (idx(r.source), idx(r.destination), idx(r.type_id))
            else {
                dangling += 1;
                continue;
            };
            active_rels += 1;
            if r.type_id == ids::IS_A && s != d {
                parent_items.push((s, d));
            }
            out_items.push((s, RelRec { type_idx: t, other: d, group: r.group }));
            in_items.push((d, RelRec { type_idx: t, other: s, group: r.group }));
        }
        drop(relationships);
        parent_items.sort_unstable();
        parent_items.dedup();
        let child_items: Vec<(u32, u32)> = parent_items.iter().map(|(s, d)| (*d, *s)).collect();
        let (parent_off, parents) = csr(n, parent_items)?;
        let (child_off, children) = csr(n, child_items)?;
        let (anc_off, ancestors) = closure(n, &parent_off, &parents, &concepts)?;
        // descendants: invert ancestors (iterating nodes in order keeps each list sorted)
        let mut desc_count = vec![0u32; n + 1];
        for &a in &ancestors {
            desc_count[a as usize + 1] += 1;
        }
        for i in 0..n {
            desc_count[i + 1] += desc_count[i];
        }
        let desc_off_g = desc_count.clone();
        let mut fill = desc_count;
        let mut descendants = vec![0u32; ancestors.len()];
        for node in 0..n {
            for &a in &ancestors[anc_off[node] as usize..anc_off[node + 1] as usize] {
                descendants[fill[a as usize] as usize] = node as u32;
                fill[a as usize] += 1;
            }
        }
        out_items.sort_by_key(|(s, r)| (*s, r.group, r.type_idx, r.other));
        out_items.dedup();
        in_items.sort_by_key(|(d, r)| (*d, r.group, r.type_idx, r.other));
        in_items.dedup();
        let (out_off, out_rels) = csr(n, out_items)?;
        let (in_off, in_rels) = csr(n, in_items)?;

        let mut ctext = TextBlob::with_capacity(rel.concrete_values.text_bytes());
        let mut conc_items = Vec::new();
        let mut concrete_count = 0u64;
        let mut cvs: Vec<&sctx_rf2::ConcreteValue> = rel
            .concrete_values
            .iter()
            .filter(|c| c.active && c.characteristic_type != ids::STATED)
            .collect();
        cvs.sort_by_key(|c| (c.source, c.group, c.type_id, c.id));
        for c in cvs {
            let (Some(s), Some(t)) = (idx(c.source), idx(c.type_id)) else {
                dangling += 1;
                continue;
            };
            concrete_count += 1;
            let (start, len) = ctext.push(rel.concrete_values.value(c))?;
            conc_items.push((s, ConcreteRec { type_idx: t, group: c.group, start, len }));
        }
        let (concrete_off, concrete) = csr(n, conc_items)?;
        let graph = GraphArchive {
            parent_off,
            parents,
            child_off,
            children,
            anc_off,
            ancestors,
            desc_off: desc_off_g,
            descendants,
            out_off,
            out_rels,
            in_off,
            in_rels,
            concrete_off,
            concrete,
            concrete_text: ctext.text,
        };

        let assoc_refsets: Vec<u64> = {
            let mut v: Vec<u64> = ids::HISTORICAL_ASSOCIATIONS.iter().map(|(i, _)| *i).collect();
            if let Some(h) = idx(ids::HISTORICAL_ASSOCIATION) {
                let (a, b) =
                    (graph.desc_off[h as usize] as usize, graph.desc_off[h as usize + 1] as usize);
                v.extend(graph.descendants[a..b].iter().map(|&i| concepts[i as usize].id));
            }
            v.sort_unstable();
            v.dedup();
            v
        };
        let is_a_edges = graph.parents.len() as u64;
        let closure_pairs = graph.ancestors.len() as u64;
        let graph_handle = scope.spawn(move || write_archive(dir, "graph.rkyv", &graph));
        // ---- refsets: the associations, once the graph says which refsets hold them
        let RefsetParts {
            mut refsets,
            member_recs,
            member_modules,
            field_recs,
            text: rtext,
            by_component,
            by_component_member,
            target_postings,
            fst_info,
        } = refsets_handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        // (the list holds only refsets with members yet: a member's refset code is its index;
        // the language refsets join it below)
        let member_refsets: Vec<u64> = refsets.iter().map(|r| r.id).collect();
        let mut assoc_out_items = Vec::new();
        let mut assoc_in_items = Vec::new();
        for (code, r) in refsets.iter().enumerate() {
            if assoc_refsets.binary_search(&r.id).is_err() {
                continue;
            }
            let members = member_recs.get(r.member_start as usize..r.member_end as usize);
            for m in members.unwrap_or_default() {
                // the target is the first extra column (`targetComponentId`)
                let first = field_recs.get(m.field_start as usize).filter(|_| m.field_len > 0);
                if m.active == 1
                    && let Some(s) = idx(m.referenced)
                    && let Some(f) = first
                    && f.tag == FIELD_ID
                    && let Some(t) = idx(f.value)
                {
                    let refset = code as u32;
                    assoc_out_items.push((s, AssocRec { refset, other: t }));
                    assoc_in_items.push((t, AssocRec { refset, other: s }));
                }
            }
        }
        let (assoc_out_off, assoc_out) = csr(n, assoc_out_items)?;
        let (assoc_in_off, assoc_in) = csr(n, assoc_in_items)?;
        // (only the language refsets' entries wait for the core's thread: everything above
        // runs while it works, and the two archives are written at the same time)
        // (`Ok`: the thread's result; `Err`: its handle, still running)
        let (lang_counts, core) = match lang_rx.recv() {
            Ok(counts) => (counts, Err(core_handle)),
            // the thread ended without sending them: its error (or panic) is the answer
            Err(_) => {
                let done = core_handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?;
                (done.1.lang_counts.clone(), Ok(done))
            }
        };
        // language refsets are listed with no stored members
        for (&rid, &count) in &lang_counts {
            if refsets.iter().all(|r| r.id != rid) {
                let layout = rel.refset_layouts.get(&rid);
                refsets.push(RefsetRec {
                    id: rid,
                    member_start: 0,
                    member_end: 0,
                    active_members: count,
                    pattern: layout.map(|l| l.pattern.clone()).unwrap_or_default(),
                    summary: "Language".into(),
                    field_names: layout.map(|l| l.field_names.clone()).unwrap_or_default(),
                });
            }
        }
        refsets.sort_by_key(|r| r.id);
        let member_count = member_recs.len() as u64;
        let active_member_count = member_recs.iter().filter(|m| m.active == 1).count() as u64;
        let refset_count = refsets.len() as u64;
        let refs = RefsetArchive {
            refsets,
            members: member_recs,
            member_refsets,
            modules: member_modules,
            fields: field_recs,
            text: rtext,
            by_component,
            by_component_member,
            assoc_out_off,
            assoc_out,
            assoc_in_off,
            assoc_in,
            target_postings,
        };

        let refs_info = write_archive(dir, "refsets.rkyv", &refs)?;
        let (core_info, core_counts, done) = match core {
            Ok(done) => done,
            Err(handle) => handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?,
        };
        let graph_info = graph_handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        let counts = Counts {
            concepts: n as u64,
            active_concepts: core_counts.active_concepts,
            descriptions: core_counts.descriptions,
            active_descriptions: core_counts.active_descriptions,
            text_definitions: core_counts.text_definitions,
            relationships: rels as u64,
            active_inferred_relationships: active_rels,
            is_a_edges,
            closure_pairs,
            concrete_values: concrete_count,
            refsets: refset_count,
            refset_members: member_count,
            active_refset_members: active_member_count,
            language_members: core_counts.language_members,
            dangling_references: dangling + core_counts.dangling,
        };

        let mut files = BTreeMap::new();
        files.insert("core.rkyv".to_string(), core_info);
        files.insert("graph.rkyv".to_string(), graph_info);
        files.insert("refsets.rkyv".to_string(), refs_info);
        files.insert("maptargets.fst".to_string(), fst_info);

        let detected = rel.editions();
        let declared: Vec<(u64, u32, String)> = if opts.edition_versions.is_empty() {
            detected.into_iter().map(|e| (e.module, e.version, e.folder)).collect()
        } else {
            // declared editions replace detection (e.g. a subset served under the edition and
            // version a test suite expects)
            opts.edition_versions
                .iter()
                .map(|&(m, v)| {
                    let folder = detected
                        .iter()
                        .find(|e| e.module == m)
                        .map(|e| e.folder.clone())
                        .unwrap_or_else(|| "declared".to_string());
                    (m, v, folder)
                })
                .collect()
        };
        let mut editions: Vec<EditionInfo> = declared
            .into_iter()
            .map(|(module, version, folder)| EditionInfo {
                module: module.to_string(),
                version: format!("{version:08}"),
                uri: format!("http://snomed.info/sct/{module}/version/{version:08}"),
                folder,
            })
            .collect();
        editions.dedup_by(|a, b| a.uri == b.uri);
        let manifest = Manifest {
            format: crate::manifest::FORMAT_NAME.to_string(),
            format_version: FORMAT_VERSION,
            sctx_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: crate::manifest::now_rfc3339(),
            as_of: opts.as_of.map(|d| format!("{d:08}")),
            sources: rel
                .packages
                .iter()
                .map(|p| SourceInfo {
                    path: p.source.display().to_string(),
                    folder: p.folder.clone(),
                    version_date: format!("{:08}", p.version_date),
                    files: p.files.clone(),
                })
                .collect(),
            editions,
            module_dependencies: rel
                .packages
                .iter()
                .flat_map(|p| p.module_dependencies.iter())
                .map(|&(m, t, st, tt)| ModuleDependency {
                    module: m.to_string(),
                    depends_on: t.to_string(),
                    source_effective_time: format!("{st:08}"),
                    target_effective_time: format!("{tt:08}"),
                })
                .collect(),
            counts,
            files,
            source_fingerprint: opts.source_fingerprint.clone(),
            extra: BTreeMap::new(),
        };
        manifest.write(dir)?;
        Ok((manifest, done))
    })
}

/// Sort key of a description: concept index, not FSN, inactive, id.
type DescKey = (u32, bool, bool, u64);
/// Sort key of a refset member: refset, referenced component, inactive, time, id.
type MemberKey = (u64, u64, bool, u32, u128);

/// One part of the language memberships (see `language_part` in [`write_store`]).
#[derive(Default)]
struct LanguagePart {
    /// By description position, with the refset's position and a code local to the part.
    items: Vec<(u32, LangRec)>,
    /// Per acceptability code of the part, the position of the member that first had it.
    firsts: Vec<(usize, u64)>,
    lang_counts: BTreeMap<u64, u32>,
    language_members: u64,
}

/// The language memberships of the core archive, compiled on a thread of their own.
struct Language {
    lang_off: Vec<u32>,
    lang: Vec<LangRec>,
    lang_counts: BTreeMap<u64, u32>,
    language_members: u64,
    acceptabilities: Vec<u64>,
}

/// The refsets archive but its associations, compiled on a thread of its own.
struct RefsetParts {
    /// The refsets with members, in member order (a member's refset code is its index).
    refsets: Vec<RefsetRec>,
    member_recs: Vec<MemberRec>,
    member_modules: Vec<u64>,
    field_recs: Vec<FieldRec>,
    text: String,
    by_component: Vec<u64>,
    by_component_member: Vec<u32>,
    target_postings: Vec<u32>,
    /// `maptargets.fst`, written by the refsets' thread.
    fst_info: FileInfo,
}

/// Counts from compiling the core archive.
struct CoreCounts {
    active_concepts: u64,
    descriptions: u64,
    active_descriptions: u64,
    text_definitions: u64,
    language_members: u64,
    lang_counts: BTreeMap<u64, u32>,
    dangling: u64,
}

type ArchiveWriter = rkyv::ser::writer::IoWriter<OutputFile>;

/// Serializes `value` straight into `dir/name` (no in-memory copy of the archive), computing
/// the checksum on the way, and syncs the file. The file is written around the page cache
/// (the import does not read it back).
fn write_archive<T>(dir: &Path, name: &str, value: &T) -> Result<FileInfo, StoreError>
where
    T: for<'a> rkyv::Serialize<
            rkyv::api::high::HighSerializer<
                ArchiveWriter,
                rkyv::ser::allocator::ArenaHandle<'a>,
                rkyv::rancor::Error,
            >,
        >,
{
    let path = dir.join(name);
    let file = OutputFile::create(&path).map_err(|e| StoreError::io(&path, e))?;
    let w = rkyv::api::high::to_bytes_in::<_, rkyv::rancor::Error>(
        value,
        rkyv::ser::writer::IoWriter::new(file),
    )
    .map_err(|e| StoreError::Serialize { file: path.clone(), reason: e.to_string() })?;
    let written = w.into_inner().finish(true).map_err(|e| StoreError::io(&path, e))?;
    Ok(file_info(written))
}

fn file_info(w: sctx_io::Written) -> FileInfo {
    FileInfo { bytes: w.bytes, xxh3: format!("{:016x}", w.xxh3) }
}

/// Transitive closure of the is-a graph by topological order (Kahn). Returns CSR arrays
/// of sorted proper ancestors; a cycle is an error naming a concept on it.
fn closure(
    n: usize,
    parent_off: &[u32],
    parents: &[u32],
    concepts: &[&sctx_rf2::Concept],
) -> Result<(Vec<u32>, Vec<u32>), StoreError> {
    let ps = |i: usize| &parents[parent_off[i] as usize..parent_off[i + 1] as usize];
    // children lists for Kahn
    let mut indeg: Vec<u32> = (0..n).map(|i| ps(i).len() as u32).collect();
    let mut kids: Vec<Vec<u32>> = vec![Vec::new(); n];
    for i in 0..n {
        for &p in ps(i) {
            kids[p as usize].push(i as u32);
        }
    }
    let mut queue: Vec<u32> = (0..n as u32).filter(|&i| indeg[i as usize] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        order.push(v);
        for &k in &kids[v as usize] {
            indeg[k as usize] -= 1;
            if indeg[k as usize] == 0 {
                queue.push(k);
            }
        }
    }
    if order.len() != n {
        let bad = (0..n).find(|&i| indeg[i] > 0).unwrap_or(0);
        return Err(StoreError::Cycle { concept: concepts[bad].id });
    }
    // each node's ancestors, appended in topological order (parents before children), then
    // copied out in node order: no allocation per node
    let mut topo: Vec<u32> = Vec::new();
    let mut span: Vec<(usize, usize)> = vec![(0, 0); n];
    let mut scratch: Vec<u32> = Vec::new();
    for &v in &order {
        let v = v as usize;
        scratch.clear();
        for &p in ps(v) {
            scratch.push(p);
            let (s, l) = span[p as usize];
            scratch.extend_from_slice(&topo[s..s + l]);
        }
        scratch.sort_unstable();
        scratch.dedup();
        span[v] = (topo.len(), scratch.len());
        topo.extend_from_slice(&scratch);
    }
    let total = topo.len();
    if total > u32::MAX as usize {
        return Err(StoreError::TooLarge("closure"));
    }
    let mut off = Vec::with_capacity(n + 1);
    let mut flat = Vec::with_capacity(total);
    off.push(0);
    for &(s, l) in &span {
        flat.extend_from_slice(&topo[s..s + l]);
        off.push(flat.len() as u32);
    }
    Ok((off, flat))
}
