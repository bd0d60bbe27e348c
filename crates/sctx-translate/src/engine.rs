//! The translation engine over a [`Store`] and optional [`LegacyTables`].

use rustc_hash::FxHashSet;
use sctx_store::Store;
use sctx_types::{LanguagePreference, SctId, ids};

use crate::compiled::*;
use crate::result::*;

/// Translates codes between Read v2, CTV3, SNOMED CT and map refsets (ICD-10).
///
/// Cheap to create; borrows the store and the legacy tables.
pub struct Translator<'a> {
    pub(crate) store: &'a Store,
    pub(crate) legacy: Option<&'a LegacyTables>,
    pub(crate) lang: LanguagePreference,
}

/// Where a historical-association walk ended.
#[derive(Debug, Clone)]
pub(crate) enum Hist {
    /// One active target through SAME AS / REPLACED BY.
    Single(u32),
    /// Several candidates (with the association that gave each).
    Candidates(Vec<(u32, &'static str)>),
    /// WAS A targets (broader).
    WasA(Vec<u32>),
    /// Nothing usable.
    Dead,
}

const STRONG: [u64; 2] = [ids::SAME_AS, ids::REPLACED_BY];
const WEAK: [u64; 5] = [
    ids::POSSIBLY_EQUIVALENT_TO,
    ids::ALTERNATIVE,
    ids::POSSIBLY_REPLACED_BY,
    ids::PARTIALLY_EQUIVALENT_TO,
    ids::SIMILAR_TO,
];
const MAX_HISTORY_DEPTH: usize = 32;

pub(crate) fn sctid(v: u64) -> SctId {
    SctId::new_unchecked(v)
}

/// A parsed legacy code: the 5 bytes and the optional term code / term id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct LegacyKey {
    pub code: [u8; 5],
    pub term: Option<Key>,
}

fn code_chars_ok(b: &[u8]) -> bool {
    b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'.')
}

/// Parses a legacy code given as `code` (5 characters, or the code + term code form:
/// 7 characters for Read v2 such as `H33..00`, 10 for CTV3 such as `XE0UbY900C`) and an
/// optional separate term code. Codes are case-sensitive; surrounding spaces are ignored.
pub(crate) fn parse_legacy(
    system: LegacySystem,
    code: &[u8],
    term: Option<&[u8]>,
) -> Result<LegacyKey, &'static str> {
    let code = code.trim_ascii();
    let term = term.map(<[u8]>::trim_ascii).filter(|t| !t.is_empty());
    let tlen = match system {
        LegacySystem::ReadV2 => 2,
        LegacySystem::Ctv3 => 5,
    };
    if code.is_empty() {
        return Err("empty code");
    }
    let (c, inline) = if code.len() == 5 {
        (code, None)
    } else if code.len() == 5 + tlen {
        (&code[..5], Some(&code[5..]))
    } else {
        return Err(match system {
            LegacySystem::ReadV2 => "a Read v2 code has 5 characters (or 7 with a term code)",
            LegacySystem::Ctv3 => "a CTV3 code has 5 characters (or 10 with a term id)",
        });
    };
    if !code_chars_ok(c) {
        return Err("codes use only 0-9, A-Z, a-z and '.'");
    }
    let t = match (inline, term) {
        (Some(a), Some(b)) if a != b => {
            return Err("the term code in the code differs from the term code given");
        }
        (Some(a), _) => Some(a),
        (None, b) => b,
    };
    if let Some(t) = t
        && (t.len() != tlen
            || !t
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || (system == LegacySystem::Ctv3 && *b == b'.')))
    {
        return Err(match system {
            LegacySystem::ReadV2 => "a Read v2 term code has 2 letters or digits",
            LegacySystem::Ctv3 => "a CTV3 term id has 5 characters",
        });
    }
    let mut code5 = [0u8; 5];
    code5.copy_from_slice(c);
    Ok(LegacyKey { code: code5, term: t.map(Key::new) })
}

fn table_name(system: LegacySystem, source: u8) -> &'static str {
    match (system, source) {
        (LegacySystem::ReadV2, SRC_NCA) => "rcsctmap_uk",
        (LegacySystem::ReadV2, _) => "rcsctmap2_uk",
        (LegacySystem::Ctv3, _) => "ctv3sctmap2_uk",
    }
}

fn assured_of(v: u8) -> Option<bool> {
    match v {
        ASSURED_YES => Some(true),
        ASSURED_NO => Some(false),
        _ => None,
    }
}

impl<'a> Translator<'a> {
    /// A translator over a store and, when the database has them, the legacy tables. The
    /// language preference defaults to en-GB.
    pub fn new(store: &'a Store, legacy: Option<&'a LegacyTables>) -> Translator<'a> {
        Translator { store, legacy, lang: LanguagePreference::en_gb() }
    }

    /// Sets the language preference for preferred terms.
    pub fn with_language(mut self, lang: LanguagePreference) -> Self {
        self.lang = lang;
        self
    }

    /// The store.
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// The legacy tables, if any.
    pub fn legacy(&self) -> Option<&'a LegacyTables> {
        self.legacy
    }

    pub(crate) fn preferred(&self, idx: u32) -> Option<&'a str> {
        self.store.preferred_term(idx, &self.lang)
    }

    pub(crate) fn sct_target(&self, idx: u32, description: Option<u64>) -> Target {
        let desc = description.and_then(|d| self.store.description(d)).filter(|d| d.concept == idx);
        Target {
            system: System::Sct,
            code: self.store.id_of(idx).to_string(),
            term_code: None,
            description_id: desc.as_ref().map(|d| sctid(d.id)),
            description: desc.map(|d| d.term.to_string()),
            preferred_term: self.preferred(idx).map(str::to_string),
            active: Some(self.store.is_active(idx)),
            assured: None,
            map_id: None,
            via: None,
        }
    }

    /// Follows historical associations from an inactive concept.
    pub(crate) fn follow_history(
        &self,
        start: u32,
        steps: &mut Vec<HistoryStep>,
        depth: usize,
    ) -> Hist {
        let mut visited = FxHashSet::default();
        let mut cur = start;
        let step = |from: u32, refset: u64, to: u32| HistoryStep {
            from: sctid(self.store.id_of(from)),
            association: ids::association_name(refset).unwrap_or("ASSOCIATION").to_string(),
            refset: sctid(refset),
            to: sctid(self.store.id_of(to)),
        };
        for _ in 0..MAX_HISTORY_DEPTH {
            if !visited.insert(cur) {
                return Hist::Dead;
            }
            let assocs: Vec<(u64, u32)> = self.store.associations_from(cur).collect();
            let strong: Vec<(u64, u32)> =
                assocs.iter().copied().filter(|(r, _)| STRONG.contains(r)).collect();
            if strong.len() == 1 {
                let (r, t) = strong[0];
                steps.push(step(cur, r, t));
                if self.store.is_active(t) {
                    return Hist::Single(t);
                }
                cur = t;
                continue;
            }
            let mut cands: Vec<(u32, &'static str)> = Vec::new();
            let many = if strong.len() > 1 {
                strong
            } else {
                assocs.iter().copied().filter(|(r, _)| WEAK.contains(r)).collect()
            };
            if !many.is_empty() {
                for (r, t) in many {
                    steps.push(step(cur, r, t));
                    let name = ids::association_name(r).unwrap_or("ASSOCIATION");
                    if self.store.is_active(t) {
                        cands.push((t, name));
                    } else if depth < 4
                        && let Hist::Single(x) = self.follow_history(t, steps, depth + 1)
                    {
                        cands.push((x, name));
                    }
                }
                cands.sort_unstable();
                cands.dedup_by_key(|c| c.0);
                return if cands.is_empty() { Hist::Dead } else { Hist::Candidates(cands) };
            }
            let was_a: Vec<u32> = assocs
                .iter()
                .filter(|(r, t)| *r == ids::WAS_A && self.store.is_active(*t))
                .map(|(_, t)| *t)
                .collect();
            if !was_a.is_empty() {
                for &t in &was_a {
                    steps.push(step(cur, ids::WAS_A, t));
                }
                return Hist::WasA(was_a);
            }
            return Hist::Dead;
        }
        Hist::Dead
    }

    /// Resolves a mapped concept id into (status adjustment, targets, notes).
    fn resolve_concept(
        &self,
        concept: u64,
        description: u64,
        base: Status,
        method: &mut Method,
        notes: &mut Vec<String>,
    ) -> (Status, Vec<Target>) {
        method.mapped_concept = Some(sctid(concept));
        let Some(idx) = self.store.index_of(concept) else {
            notes.push(format!("mapped concept {concept} is not in the loaded release"));
            return (Status::Unmapped, Vec::new());
        };
        if self.store.is_active(idx) {
            return (base, vec![self.sct_target(idx, (description != 0).then_some(description))]);
        }
        notes.push(format!("mapped concept {concept} is inactive"));
        match self.follow_history(idx, &mut method.history, 0) {
            Hist::Single(t) => (Status::ViaHistory, vec![self.sct_target(t, None)]),
            Hist::Candidates(c) => (
                Status::Ambiguous,
                c.into_iter()
                    .map(|(t, via)| Target {
                        via: Some(via.to_string()),
                        ..self.sct_target(t, None)
                    })
                    .collect(),
            ),
            Hist::WasA(c) => {
                notes.push("WAS A association: the result is broader than the source".into());
                (
                    Status::Broader,
                    c.into_iter()
                        .map(|t| Target { via: Some("WAS A".into()), ..self.sct_target(t, None) })
                        .collect(),
                )
            }
            Hist::Dead => {
                notes.push("no usable historical association".into());
                (Status::Unmapped, Vec::new())
            }
        }
    }

    fn source(&self, system: LegacySystem, raw: &str, key: Option<&LegacyKey>) -> SourceCode {
        let sys = match system {
            LegacySystem::ReadV2 => System::ReadV2,
            LegacySystem::Ctv3 => System::Ctv3,
        };
        let Some(k) = key else {
            return SourceCode { system: sys, code: raw.to_string(), term_code: None, term: None };
        };
        let code = String::from_utf8_lossy(&k.code).into_owned();
        let term = self.legacy.and_then(|l| {
            let t = l.table(system);
            let i = t.index(&k.code)?;
            l.term_text_idx(system, i, k.term.as_ref().map(|x| x.as_bytes()))
        });
        SourceCode {
            system: sys,
            code,
            term_code: k.term.map(|t| t.as_str().to_string()),
            term: term.filter(|t| !t.is_empty()).map(str::to_string),
        }
    }

    fn is_preferred_row(
        &self,
        system: LegacySystem,
        t: &CodeTable,
        i: u32,
        term: Key,
        term_type: u8,
    ) -> bool {
        match system {
            LegacySystem::ReadV2 => term.as_bytes() == b"00",
            LegacySystem::Ctv3 => {
                term_type == TT_P
                    || t.terms_of(i).iter().any(|x| x.term_type == TT_P && x.term == term)
            }
        }
    }

    /// Picks the map row for a code: exact term match first, then the preferred term's map,
    /// then the first map of the code (rows are ordered primary pack first, assured first,
    /// newest first).
    fn select_sct(
        &self,
        system: LegacySystem,
        t: &CodeTable,
        i: u32,
        term: Option<Key>,
    ) -> Option<(usize, MapLevel)> {
        let range = t.sct_range(i);
        let rows = t.sct.get(range.clone())?;
        if let Some(k) = term
            && let Some(p) = rows.iter().position(|r| r.term == k)
        {
            return Some((range.start + p, MapLevel::Term));
        }
        let p = rows
            .iter()
            .position(|r| {
                r.source == SRC_PRIMARY && self.is_preferred_row(system, t, i, r.term, r.term_type)
            })
            .or_else(|| {
                rows.iter().position(|r| self.is_preferred_row(system, t, i, r.term, r.term_type))
            })
            .or(if rows.is_empty() { None } else { Some(0) })?;
        Some((range.start + p, MapLevel::Code))
    }

    /// Read v2 / CTV3 → SNOMED CT for one code. `code` may be the 5-character code or the
    /// code + term code form; `term_code` may give the term separately. `broader` walks up
    /// the legacy hierarchy to the nearest mapped ancestor when the code has no usable map.
    pub fn legacy_to_sct(
        &self,
        system: LegacySystem,
        code: &str,
        term_code: Option<&str>,
        broader: bool,
    ) -> Translation {
        match parse_legacy(system, code.as_bytes(), term_code.map(str::as_bytes)) {
            Ok(k) => self.legacy_to_sct_key(system, &k, broader),
            Err(reason) => Translation {
                source: self.source(system, code, None),
                to: System::Sct,
                status: Status::InvalidCode,
                targets: Vec::new(),
                method: Method::default(),
                notes: vec![reason.to_string()],
            },
        }
    }

    pub(crate) fn legacy_to_sct_key(
        &self,
        system: LegacySystem,
        k: &LegacyKey,
        broader: bool,
    ) -> Translation {
        let mut tr = Translation {
            source: self.source(system, "", Some(k)),
            to: System::Sct,
            status: Status::Unmapped,
            targets: Vec::new(),
            method: Method::default(),
            notes: Vec::new(),
        };
        let idx = self.legacy.and_then(|l| l.table(system).index(&k.code));
        if self.legacy.is_some() && idx.is_none() {
            tr.notes.push(format!("{} is not a known {} code", tr.source.code, system.as_str()));
        }
        let mut found = false;
        if let (Some(l), Some(i)) = (self.legacy, idx) {
            found = self.apply_sct_map(l, system, i, k.term, &mut tr);
        }
        if !found && system == LegacySystem::Ctv3 {
            found = self.apply_rf2_ctv3(&k.code, &mut tr);
        }
        if !found {
            tr.notes.push("no map".into());
        }
        if broader && tr.status == Status::Unmapped {
            self.broader_fallback(system, k, &mut tr);
        }
        tr
    }

    /// Applies the best DM map of code `i`; false when the code has no map rows.
    fn apply_sct_map(
        &self,
        l: &LegacyTables,
        system: LegacySystem,
        i: u32,
        term: Option<Key>,
        tr: &mut Translation,
    ) -> bool {
        let t = l.table(system);
        let Some((ri, level)) = self.select_sct(system, t, i, term) else {
            return false;
        };
        let Some(r) = t.sct.get(ri).copied() else {
            return false;
        };
        let m = &mut tr.method;
        m.table = Some(table_name(system, r.source).to_string());
        m.map_id = Some(l.text(r.map_id).to_string());
        m.assured = assured_of(r.assured);
        m.level = Some(level);
        if level == MapLevel::Code
            && let Some(k) = term
        {
            tr.notes.push(format!(
                "term {} has no map of its own; used the code-level map (term {})",
                k.as_str(),
                r.term.as_str()
            ));
        }
        if r.source == SRC_NCA {
            tr.notes.push("from the Not Clinically Assured map".into());
        }
        let base = if r.assured == ASSURED_YES { Status::Exact } else { Status::Unassured };
        match r.kind {
            KIND_DRUG => {
                tr.status = Status::Drug;
                tr.notes.push("drug code: map through dm+d".into());
            }
            KIND_NONE => {
                tr.status = Status::Unmapped;
                tr.notes.push("the map row has no target (_NONE)".into());
            }
            _ => {
                let (s, targets) = self.resolve_concept(
                    r.concept,
                    r.description,
                    base,
                    &mut tr.method,
                    &mut tr.notes,
                );
                tr.status = s;
                tr.targets = targets;
            }
        }
        for a in t.alt_of(i) {
            if term.is_none_or(|k| k == a.term) && a.use_alt == 1 {
                tr.notes.push(format!(
                    "when recorded with a value, the alternate map is {}",
                    a.concept
                ));
            }
        }
        true
    }

    /// CTV3 → SNOMED CT through the RF2 simple map refset 900000000000497000, reversed.
    fn apply_rf2_ctv3(&self, code: &[u8; 5], tr: &mut Translation) -> bool {
        let code = std::str::from_utf8(code).unwrap_or("");
        let mut concepts: Vec<u64> = self
            .store
            .members_by_map_target(ids::CTV3_SIMPLE_MAP, code)
            .into_iter()
            .filter(|m| m.active)
            .map(|m| m.referenced)
            .collect();
        concepts.sort_unstable();
        concepts.dedup();
        if concepts.is_empty() {
            return false;
        }
        tr.method.table = Some(ids::CTV3_SIMPLE_MAP.to_string());
        tr.method.level = Some(MapLevel::Code);
        tr.notes.push("from the RF2 CTV3 simple map refset 900000000000497000 (reversed)".into());
        if concepts.len() == 1 {
            let (s, t) =
                self.resolve_concept(concepts[0], 0, Status::Exact, &mut tr.method, &mut tr.notes);
            tr.status = s;
            tr.targets = t;
        } else {
            tr.status = Status::Ambiguous;
            tr.targets = concepts
                .into_iter()
                .filter_map(|c| self.store.index_of(c))
                .map(|i| self.sct_target(i, None))
                .collect();
        }
        true
    }

    /// Ancestors of a legacy code, nearest first, level by level.
    pub(crate) fn legacy_ancestors(&self, system: LegacySystem, code: &[u8; 5]) -> Vec<[u8; 5]> {
        let mut out = Vec::new();
        match system {
            LegacySystem::ReadV2 => {
                let mut cur = *code;
                while let Some(p) = read_v2_parent(&cur) {
                    out.push(p);
                    cur = p;
                }
            }
            LegacySystem::Ctv3 => {
                let Some(l) = self.legacy else { return out };
                let t = l.table(system);
                let Some(start) = t.index(code) else { return out };
                let mut seen = FxHashSet::default();
                seen.insert(start);
                let mut level = vec![start];
                while !level.is_empty() && out.len() < 10_000 {
                    let mut next = Vec::new();
                    for &c in &level {
                        for &p in t.parents_of(c) {
                            if seen.insert(p) {
                                next.push(p);
                                if let Some(b) = t.codes.get(p as usize) {
                                    out.push(*b);
                                }
                            }
                        }
                    }
                    level = next;
                }
            }
        }
        out.retain(|c| c != b".....");
        out
    }

    fn broader_fallback(&self, system: LegacySystem, k: &LegacyKey, tr: &mut Translation) {
        for anc in self.legacy_ancestors(system, &k.code) {
            let key = LegacyKey { code: anc, term: None };
            let sub = self.legacy_to_sct_key(system, &key, false);
            if matches!(sub.status, Status::Unmapped | Status::InvalidCode) {
                continue;
            }
            let anc_s = String::from_utf8_lossy(&anc).into_owned();
            tr.notes.push(format!("used the map of ancestor {anc_s} ({})", sub.status));
            tr.status = Status::Broader;
            tr.targets = sub.targets;
            tr.method = Method { broader_via: Some(anc_s), ..sub.method };
            tr.notes.extend(sub.notes.into_iter().filter(|n| n != "no map"));
            return;
        }
    }

    /// Read v2 → CTV3 (`rctctv3map_uk`) or CTV3 → Read v2 (`ctv3rctmap_uk`).
    pub fn legacy_to_legacy(
        &self,
        from: LegacySystem,
        code: &str,
        term_code: Option<&str>,
    ) -> Translation {
        let to = match from {
            LegacySystem::ReadV2 => LegacySystem::Ctv3,
            LegacySystem::Ctv3 => LegacySystem::ReadV2,
        };
        let to_sys = match to {
            LegacySystem::ReadV2 => System::ReadV2,
            LegacySystem::Ctv3 => System::Ctv3,
        };
        let k = match parse_legacy(from, code.as_bytes(), term_code.map(str::as_bytes)) {
            Ok(k) => k,
            Err(reason) => {
                return Translation {
                    source: self.source(from, code, None),
                    to: to_sys,
                    status: Status::InvalidCode,
                    targets: Vec::new(),
                    method: Method::default(),
                    notes: vec![reason.to_string()],
                };
            }
        };
        self.legacy_to_legacy_key(from, &k)
    }

    pub(crate) fn legacy_to_legacy_key(&self, from: LegacySystem, k: &LegacyKey) -> Translation {
        let (to, to_sys, table) = match from {
            LegacySystem::ReadV2 => (LegacySystem::Ctv3, System::Ctv3, "rctctv3map_uk"),
            LegacySystem::Ctv3 => (LegacySystem::ReadV2, System::ReadV2, "ctv3rctmap_uk"),
        };
        let mut tr = Translation {
            source: self.source(from, "", Some(k)),
            to: to_sys,
            status: Status::Unmapped,
            targets: Vec::new(),
            method: Method::default(),
            notes: Vec::new(),
        };
        let Some(l) = self.legacy else {
            tr.notes.push("no legacy tables in this database".into());
            return tr;
        };
        let t = l.table(from);
        let Some(i) = t.index(&k.code) else {
            tr.notes.push(format!("{} is not a known {} code", tr.source.code, from.as_str()));
            return tr;
        };
        let rows = t.leg_of(i);
        let pick = k
            .term
            .and_then(|kt| rows.iter().find(|r| r.term == kt).map(|r| (r, MapLevel::Term)))
            .or_else(|| {
                rows.iter()
                    .find(|r| self.is_preferred_row(from, t, i, r.term, r.term_type))
                    .or(rows.first())
                    .map(|r| (r, MapLevel::Code))
            });
        let Some((r, level)) = pick else {
            tr.notes.push("no map".into());
            return tr;
        };
        tr.method = Method {
            table: Some(table.into()),
            map_id: Some(l.text(r.map_id).to_string()),
            assured: assured_of(r.assured),
            level: Some(level),
            ..Method::default()
        };
        match r.kind {
            KIND_DRUG => {
                tr.status = Status::Drug;
                tr.notes.push("drug code (_DRUG)".into());
            }
            KIND_NONE => {
                tr.notes.push("the map row has no target (_NONE)".into());
            }
            _ => {
                let code = r.target.as_str().to_string();
                let term_code = (r.target_term.len > 0).then(|| r.target_term.as_str().to_string());
                let tt = l.term_text(to, &code, term_code.as_deref()).map(str::to_string);
                tr.status = if r.assured == ASSURED_NO { Status::Unassured } else { Status::Exact };
                tr.targets.push(Target {
                    system: to_sys,
                    code,
                    term_code,
                    description_id: None,
                    description: None,
                    preferred_term: tt,
                    active: None,
                    assured: assured_of(r.assured),
                    map_id: None,
                    via: None,
                });
            }
        }
        tr
    }

    /// SNOMED CT → Read v2 / CTV3: every legacy code whose forward map names the concept
    /// (marked `derived`), plus for CTV3 the RF2 simple map refset 900000000000497000. An
    /// inactive concept without maps of its own is first resolved through history.
    pub fn sct_to_legacy(&self, concept: &str, to: LegacySystem) -> Translation {
        let to_sys = match to {
            LegacySystem::ReadV2 => System::ReadV2,
            LegacySystem::Ctv3 => System::Ctv3,
        };
        let mut tr = Translation {
            source: SourceCode {
                system: System::Sct,
                code: concept.trim().to_string(),
                term_code: None,
                term: None,
            },
            to: to_sys,
            status: Status::Unmapped,
            targets: Vec::new(),
            method: Method { derived: true, ..Method::default() },
            notes: Vec::new(),
        };
        let id = match SctId::parse(concept.trim()) {
            Ok(id) => id.get(),
            Err(e) => {
                tr.status = Status::InvalidCode;
                tr.notes.push(e.to_string());
                return tr;
            }
        };
        let Some(idx) = self.store.index_of(id) else {
            tr.notes.push(format!("concept {id} is not in the loaded release"));
            return tr;
        };
        tr.source.term = self.preferred(idx).map(str::to_string);
        let mut targets = self.reverse_targets(id, to);
        if targets.is_empty() && !self.store.is_active(idx) {
            let mut steps = Vec::new();
            let hist = self.follow_history(idx, &mut steps, 0);
            let ids_: Vec<u32> = match hist {
                Hist::Single(t) => vec![t],
                Hist::Candidates(c) => c.into_iter().map(|x| x.0).collect(),
                _ => Vec::new(),
            };
            for t in ids_ {
                targets.extend(self.reverse_targets(self.store.id_of(t), to));
            }
            if !targets.is_empty() {
                tr.method.history = steps;
                tr.status = Status::ViaHistory;
            }
        }
        if targets.is_empty() {
            tr.notes.push("no legacy code maps to this concept".into());
            return tr;
        }
        if tr.status != Status::ViaHistory {
            tr.status = if targets.iter().any(|t| t.assured != Some(false)) {
                Status::Exact
            } else {
                Status::Unassured
            };
        }
        tr.method.table = Some(
            match to {
                LegacySystem::ReadV2 => "rcsctmap2_uk",
                LegacySystem::Ctv3 => "ctv3sctmap2_uk",
            }
            .into(),
        );
        tr.notes.push("reverse map derived from the forward tables: SNOMED CT concepts may have no legacy code".into());
        tr.targets = targets;
        tr
    }

    fn reverse_targets(&self, id: u64, to: LegacySystem) -> Vec<Target> {
        let to_sys = match to {
            LegacySystem::ReadV2 => System::ReadV2,
            LegacySystem::Ctv3 => System::Ctv3,
        };
        let mut out: Vec<(bool, bool, Target)> = Vec::new();
        if let Some(l) = self.legacy {
            let lo = l.reverse.partition_point(|r| r.concept < id);
            let hi = l.reverse.partition_point(|r| r.concept <= id);
            let t = l.table(to);
            for r in l.reverse.get(lo..hi).unwrap_or(&[]) {
                if r.system as usize != to.slot() {
                    continue;
                }
                let Some(rec) = t.sct.get(r.rec as usize) else { continue };
                let code = t.code(r.code).to_string();
                let term_code = (rec.term.len > 0).then(|| rec.term.as_str().to_string());
                let pref = self.is_preferred_row(to, t, r.code, rec.term, rec.term_type);
                let term = l
                    .term_text_idx(to, r.code, term_code.as_deref().map(str::as_bytes))
                    .map(str::to_string);
                out.push((
                    rec.assured == ASSURED_YES,
                    pref,
                    Target {
                        system: to_sys,
                        code,
                        term_code,
                        description_id: None,
                        description: None,
                        preferred_term: term,
                        active: None,
                        assured: assured_of(rec.assured),
                        map_id: Some(l.text(rec.map_id).to_string()),
                        via: Some(table_name(to, rec.source).to_string()),
                    },
                ));
            }
        }
        if to == LegacySystem::Ctv3 {
            for m in self.store.members_of_for(ids::CTV3_SIMPLE_MAP, id) {
                if !m.active {
                    continue;
                }
                let Some(code) = m.field("mapTarget").map(|v| v.to_string()) else { continue };
                if out.iter().any(|(_, _, t)| t.code == code) {
                    continue;
                }
                let term = self
                    .legacy
                    .and_then(|l| l.term_text(LegacySystem::Ctv3, &code, None))
                    .map(str::to_string);
                out.push((
                    false,
                    true,
                    Target {
                        system: System::Ctv3,
                        code,
                        term_code: None,
                        description_id: None,
                        description: None,
                        preferred_term: term,
                        active: None,
                        assured: None,
                        map_id: Some(m.uuid_string()),
                        via: Some(ids::CTV3_SIMPLE_MAP.to_string()),
                    },
                ));
            }
        }
        out.sort_by(|a, b| {
            (!a.0, !a.1, &a.2.code, &a.2.term_code).cmp(&(!b.0, !b.1, &b.2.code, &b.2.term_code))
        });
        out.dedup_by(|a, b| a.2.code == b.2.code && a.2.term_code == b.2.term_code);
        out.into_iter().map(|x| x.2).collect()
    }
}
