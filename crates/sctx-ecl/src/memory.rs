//! A simple in-memory [`EclBackend`] for tests and small data sets.
//!
//! Build it with the `add_*` methods and call [`MemoryBackend::finish`]
//! before evaluating (it computes the transitive closure, inbound
//! relationships, refset membership and historical associations).

use std::collections::{HashMap, HashSet};

use crate::backend::{
    ConcreteRel, ConcreteValue, DescriptionView, EclBackend, FieldValue, MemberView, Rel,
};
use crate::eval::FieldValueOwned;

const IS_A: u64 = 116680003;
const HISTORICAL_ASSOCIATION: u64 = 900000000000522004;

#[derive(Debug, Clone)]
struct Concept {
    id: u64,
    active: bool,
    module: u64,
    effective_time: u32,
    primitive: bool,
}

/// An owned description (see [`DescriptionView`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// Description id.
    pub id: u64,
    /// Active flag.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// Effective time `YYYYMMDD`.
    pub effective_time: u32,
    /// Language code.
    pub language_code: String,
    /// Type id.
    pub type_id: u64,
    /// Term.
    pub term: String,
    /// (language refset, preferred?) pairs.
    pub acceptability: Vec<(u64, bool)>,
}

/// An owned refset member (see [`MemberView`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Member UUID.
    pub id: Option<String>,
    /// Refset id.
    pub refset: u64,
    /// Referenced component id.
    pub referenced_component: u64,
    /// Active flag.
    pub active: bool,
    /// Module id.
    pub module: u64,
    /// Effective time.
    pub effective_time: u32,
    /// Extra columns by header name.
    pub fields: Vec<(String, FieldValueOwned)>,
}

/// In-memory backend.
#[derive(Debug, Default, Clone)]
pub struct MemoryBackend {
    concepts: Vec<Concept>,
    index: HashMap<u64, u32>,
    parents: Vec<Vec<u32>>,
    children: Vec<Vec<u32>>,
    ancestors: Vec<Vec<u32>>,
    descendants: Vec<Vec<u32>>,
    out: Vec<Vec<Rel>>,
    inb: Vec<Vec<Rel>>,
    concrete: Vec<Vec<ConcreteRel>>,
    descriptions: Vec<Vec<Description>>,
    refsets: HashMap<u64, Vec<Member>>,
    member_refsets: Vec<Vec<u64>>,
    assoc: Vec<Vec<(u64, u32)>>,
    assoc_src: Vec<Vec<(u64, u32)>>,
    alt_ids: HashMap<(String, String), Vec<u32>>,
    pending_rels: Vec<(u64, u64, u64, u16)>,
    pending_concrete: Vec<(u64, u64, u16, ConcreteValue)>,
    pending_descs: Vec<(u64, Description)>,
    pending_acceptability: Vec<(u64, u64, bool)>,
}

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) a concept; returns its index.
    pub fn add_concept(
        &mut self,
        id: u64,
        active: bool,
        module: u64,
        effective_time: u32,
        primitive: bool,
    ) -> u32 {
        let c = Concept { id, active, module, effective_time, primitive };
        if let Some(&i) = self.index.get(&id) {
            self.concepts[i as usize] = c;
            return i;
        }
        let i = self.concepts.len() as u32;
        self.concepts.push(c);
        self.index.insert(id, i);
        i
    }

    /// Add an active inferred relationship (is-a when `type_id` is 116680003).
    /// Relationships whose concepts are unknown at [`MemoryBackend::finish`] are ignored.
    pub fn add_relationship(&mut self, source: u64, type_id: u64, destination: u64, group: u16) {
        self.pending_rels.push((source, type_id, destination, group));
    }

    /// Add an active concrete-valued relationship.
    pub fn add_concrete(&mut self, source: u64, type_id: u64, group: u16, value: ConcreteValue) {
        self.pending_concrete.push((source, type_id, group, value));
    }

    /// Add a description of a concept.
    pub fn add_description(&mut self, concept: u64, d: Description) {
        self.pending_descs.push((concept, d));
    }

    /// Record an active language refset member for a description.
    pub fn add_acceptability(&mut self, description: u64, language_refset: u64, preferred: bool) {
        self.pending_acceptability.push((description, language_refset, preferred));
    }

    /// Add a refset member.
    pub fn add_member(&mut self, m: Member) {
        self.refsets.entry(m.refset).or_default().push(m);
    }

    /// Map an alternate identifier to a concept.
    pub fn add_alternate_identifier(&mut self, scheme: &str, code: &str, concept: u64) {
        if let Some(&i) = self.index.get(&concept) {
            self.alt_ids.entry((scheme.to_string(), code.to_string())).or_default().push(i);
        }
    }

    /// Compute derived structures. Must be called after adding content.
    pub fn finish(&mut self) {
        let n = self.concepts.len();
        self.parents = vec![Vec::new(); n];
        self.children = vec![Vec::new(); n];
        self.out = vec![Vec::new(); n];
        self.inb = vec![Vec::new(); n];
        self.concrete = vec![Vec::new(); n];
        self.descriptions = vec![Vec::new(); n];
        self.member_refsets = vec![Vec::new(); n];
        self.assoc = vec![Vec::new(); n];
        self.assoc_src = vec![Vec::new(); n];
        for (s, t, d, g) in std::mem::take(&mut self.pending_rels) {
            let (Some(&si), Some(&ti), Some(&di)) =
                (self.index.get(&s), self.index.get(&t), self.index.get(&d))
            else {
                continue;
            };
            if t == IS_A {
                self.parents[si as usize].push(di);
                self.children[di as usize].push(si);
            }
            self.out[si as usize].push(Rel { type_idx: ti, other: di, group: g });
            self.inb[di as usize].push(Rel { type_idx: ti, other: si, group: g });
        }
        for v in self.parents.iter_mut().chain(self.children.iter_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        for (s, t, g, value) in std::mem::take(&mut self.pending_concrete) {
            if let (Some(&si), Some(&ti)) = (self.index.get(&s), self.index.get(&t)) {
                self.concrete[si as usize].push(ConcreteRel { type_idx: ti, group: g, value });
            }
        }
        let mut acc: HashMap<u64, Vec<(u64, bool)>> = HashMap::new();
        for (d, rs, p) in std::mem::take(&mut self.pending_acceptability) {
            acc.entry(d).or_default().push((rs, p));
        }
        for (c, mut d) in std::mem::take(&mut self.pending_descs) {
            if let Some(&ci) = self.index.get(&c) {
                if let Some(a) = acc.get(&d.id) {
                    d.acceptability.extend(a.iter().copied());
                }
                self.descriptions[ci as usize].push(d);
            }
        }
        // transitive closure
        self.ancestors = (0..n).map(|i| closure(i as u32, &self.parents)).collect();
        self.descendants = (0..n).map(|i| closure(i as u32, &self.children)).collect();
        // refset membership and associations
        let assoc_refsets: HashSet<u64> = {
            let mut s: HashSet<u64> = [
                900000000000523009,
                900000000000524003,
                900000000000525002,
                900000000000526001,
                900000000000527005,
                900000000000528000,
                900000000000529008,
                900000000000530003,
                900000000000531004,
                1186921001,
                1186924009,
            ]
            .into_iter()
            .collect();
            if let Some(&h) = self.index.get(&HISTORICAL_ASSOCIATION) {
                s.extend(
                    self.descendants[h as usize].iter().map(|&d| self.concepts[d as usize].id),
                );
            }
            s
        };
        for (rs, members) in &self.refsets {
            for m in members.iter().filter(|m| m.active) {
                let Some(&ci) = self.index.get(&m.referenced_component) else {
                    continue;
                };
                if !self.member_refsets[ci as usize].contains(rs) {
                    self.member_refsets[ci as usize].push(*rs);
                }
                if assoc_refsets.contains(rs) {
                    let target = m.fields.iter().find_map(|(n, v)| match (n.as_str(), v) {
                        ("targetComponentId", FieldValueOwned::Id(t)) => Some(*t),
                        _ => None,
                    });
                    if let Some(&ti) = target.and_then(|t| self.index.get(&t)) {
                        self.assoc[ci as usize].push((*rs, ti));
                        self.assoc_src[ti as usize].push((*rs, ci));
                    }
                }
            }
        }
    }
}

fn closure(start: u32, edges: &[Vec<u32>]) -> Vec<u32> {
    let mut seen = HashSet::new();
    let mut stack = edges[start as usize].clone();
    while let Some(x) = stack.pop() {
        if x != start && seen.insert(x) {
            stack.extend(edges[x as usize].iter().copied());
        }
    }
    let mut v: Vec<u32> = seen.into_iter().collect();
    v.sort_unstable();
    v
}

fn field_view(v: &FieldValueOwned) -> FieldValue<'_> {
    match v {
        FieldValueOwned::Id(i) => FieldValue::Id(*i),
        FieldValueOwned::Integer(i) => FieldValue::Integer(*i),
        FieldValueOwned::String(s) => FieldValue::String(s),
    }
}

impl EclBackend for MemoryBackend {
    fn concept_count(&self) -> u32 {
        self.concepts.len() as u32
    }
    fn index_of(&self, id: u64) -> Option<u32> {
        self.index.get(&id).copied()
    }
    fn id_of(&self, idx: u32) -> u64 {
        self.concepts[idx as usize].id
    }
    fn is_active(&self, idx: u32) -> bool {
        self.concepts[idx as usize].active
    }
    fn module(&self, idx: u32) -> u64 {
        self.concepts[idx as usize].module
    }
    fn effective_time(&self, idx: u32) -> u32 {
        self.concepts[idx as usize].effective_time
    }
    fn is_primitive(&self, idx: u32) -> bool {
        self.concepts[idx as usize].primitive
    }
    fn parents(&self, idx: u32) -> &[u32] {
        self.parents.get(idx as usize).map_or(&[], Vec::as_slice)
    }
    fn children(&self, idx: u32) -> &[u32] {
        self.children.get(idx as usize).map_or(&[], Vec::as_slice)
    }
    fn ancestors(&self, idx: u32) -> &[u32] {
        self.ancestors.get(idx as usize).map_or(&[], Vec::as_slice)
    }
    fn descendants(&self, idx: u32) -> &[u32] {
        self.descendants.get(idx as usize).map_or(&[], Vec::as_slice)
    }
    fn outbound(&self, idx: u32) -> Vec<Rel> {
        self.out.get(idx as usize).cloned().unwrap_or_default()
    }
    fn inbound(&self, idx: u32) -> Vec<Rel> {
        self.inb.get(idx as usize).cloned().unwrap_or_default()
    }
    fn concrete(&self, idx: u32) -> Vec<ConcreteRel> {
        self.concrete.get(idx as usize).cloned().unwrap_or_default()
    }
    fn descriptions(&self, idx: u32) -> Vec<DescriptionView<'_>> {
        self.descriptions
            .get(idx as usize)
            .map(|v| {
                v.iter()
                    .map(|d| DescriptionView {
                        id: d.id,
                        active: d.active,
                        module: d.module,
                        effective_time: d.effective_time,
                        language_code: &d.language_code,
                        type_id: d.type_id,
                        term: &d.term,
                        acceptability: d.acceptability.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    fn refset_members(&self, refset_id: u64) -> Vec<MemberView<'_>> {
        self.refsets
            .get(&refset_id)
            .map(|v| {
                v.iter()
                    .map(|m| MemberView {
                        id: m.id.as_deref(),
                        refset: m.refset,
                        referenced_component: m.referenced_component,
                        active: m.active,
                        module: m.module,
                        effective_time: m.effective_time,
                        fields: m.fields.iter().map(|(n, v)| (n.as_str(), field_view(v))).collect(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    fn member_refsets(&self, idx: u32) -> Vec<u64> {
        self.member_refsets.get(idx as usize).cloned().unwrap_or_default()
    }
    fn associations(&self, idx: u32) -> Vec<(u64, u32)> {
        self.assoc.get(idx as usize).cloned().unwrap_or_default()
    }
    fn association_sources(&self, target_idx: u32) -> Vec<(u64, u32)> {
        self.assoc_src.get(target_idx as usize).cloned().unwrap_or_default()
    }
    fn alternate_identifier(&self, scheme: &str, code: &str) -> Option<Vec<u32>> {
        self.alt_ids.get(&(scheme.to_string(), code.to_string())).cloned()
    }
    fn refset_ids(&self) -> Option<Vec<u64>> {
        Some(self.refsets.keys().copied().collect())
    }
}
