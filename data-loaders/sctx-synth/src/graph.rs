//! The in-memory concept graph: ids, hierarchy, names, attributes.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::ids::{self, Part};
use crate::meta::{self, FIXED, Kind, MODEL, N_POOLS, ORGANISM, POOLS, PRODUCT};
use crate::rng::Rng;
use crate::vocab::Vocab;

/// Longest is-a path allowed from the root.
pub(crate) const MAX_DEPTH: u8 = 30;
/// Marker for "no fixed definition" / "no pool".
pub(crate) const NONE16: u16 = u16::MAX;
pub(crate) const NO_POOL: u8 = u8::MAX;

/// One attribute relationship: type (index into `meta::ATTRS`), role group, value concept.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attr {
    pub a: u8,
    pub group: u8,
    pub value: u32,
}

/// How one package's generated concepts are drawn.
pub(crate) struct GrowSpec {
    pub n: usize,
    pub inactive: f64,
    pub multi_parent: f64,
    pub weights: Vec<(usize, f64)>,
    pub ns: Option<u32>,
    pub concrete: f64,
}

/// Struct-of-arrays concept store.
pub(crate) struct Graph {
    pub id: Vec<u64>,
    pub active: Vec<bool>,
    pub pool: Vec<u8>,
    pub fixed: Vec<u16>,
    pub par_off: Vec<u32>,
    pub pars: Vec<u32>,
    pub depth: Vec<u8>,
    pub created: Vec<u8>,
    pub changed: Vec<u8>,
    pub name_off: Vec<u32>,
    pub names: Vec<u32>,
    pub attr_off: Vec<u32>,
    pub attrs: Vec<Attr>,
    pub has_concrete: Vec<bool>,
    /// Active concepts that may receive children, per pool.
    pub members: Vec<Vec<u32>>,
    pub by_id: HashMap<u64, u32>,
    /// Index of the last date each package may use.
    pub n_dates: u8,
}

impl Graph {
    pub(crate) fn new() -> Graph {
        let mut g = Graph {
            id: Vec::new(),
            active: Vec::new(),
            pool: Vec::new(),
            fixed: Vec::new(),
            par_off: vec![0],
            pars: Vec::new(),
            depth: Vec::new(),
            created: Vec::new(),
            changed: Vec::new(),
            name_off: vec![0],
            names: Vec::new(),
            attr_off: vec![0],
            attrs: Vec::new(),
            has_concrete: Vec::new(),
            members: vec![Vec::new(); N_POOLS],
            by_id: HashMap::new(),
            n_dates: 0,
        };
        g.attr_off.clear();
        g.attr_off.push(0);
        g
    }

    pub(crate) fn len(&self) -> usize {
        self.id.len()
    }

    #[inline]
    pub(crate) fn parents(&self, i: usize) -> &[u32] {
        &self.pars[self.par_off[i] as usize..self.par_off[i + 1] as usize]
    }

    #[inline]
    pub(crate) fn primary(&self, i: usize) -> Option<usize> {
        self.parents(i).first().map(|&p| p as usize)
    }

    #[inline]
    pub(crate) fn name(&self, i: usize) -> &[u32] {
        &self.names[self.name_off[i] as usize..self.name_off[i + 1] as usize]
    }

    #[inline]
    pub(crate) fn attrs_of(&self, i: usize) -> &[Attr] {
        &self.attrs[self.attr_off[i] as usize..self.attr_off[i + 1] as usize]
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: u64,
        active: bool,
        pool: u8,
        fixed: u16,
        parents: &[u32],
        name: &[u32],
        created: u8,
        changed: u8,
    ) -> usize {
        let i = self.id.len();
        let depth = parents.iter().map(|&p| self.depth[p as usize] + 1).max().unwrap_or(0);
        self.id.push(id);
        self.active.push(active);
        self.pool.push(pool);
        self.fixed.push(fixed);
        self.pars.extend_from_slice(parents);
        self.par_off.push(self.pars.len() as u32);
        self.depth.push(depth);
        self.created.push(created);
        self.changed.push(changed);
        self.names.extend_from_slice(name);
        self.name_off.push(self.names.len() as u32);
        self.has_concrete.push(false);
        self.by_id.insert(id, i as u32);
        i
    }

    /// Adds the fixed concepts of the given kinds (parents must already exist).
    pub(crate) fn add_fixed(&mut self, kinds: &[Kind]) {
        for (k, &(id, _, _, parent, pool, kind)) in FIXED.iter().enumerate() {
            if !kinds.contains(&kind) {
                continue;
            }
            let parents: Vec<u32> =
                if parent == 0 { Vec::new() } else { vec![self.by_id[&parent]] };
            let p = if pool >= 0 { pool as u8 } else { NO_POOL };
            let i = self.push(id, true, p, k as u16, &parents, &[], 0, 0);
            if pool >= 0 {
                self.members[pool as usize].push(i as u32);
            }
        }
        self.close_attrs();
    }

    fn close_attrs(&mut self) {
        while self.attr_off.len() <= self.id.len() {
            self.attr_off.push(self.attrs.len() as u32);
        }
    }

    /// Adds a non-growing metadata concept with a generated name under `parent`.
    pub(crate) fn add_named(&mut self, id: u64, parent: u64, name: &[u32], created: u8) -> usize {
        let p = self.by_id[&parent];
        let i = self.push(id, true, MODEL as u8, NONE16, &[p], name, created, created);
        self.close_attrs();
        i
    }

    /// Concept items that must not be generated (the fixed short-format ids).
    pub(crate) fn reserved_items() -> HashSet<u64> {
        FIXED.iter().filter(|f| (f.0 / 10) % 100 < 10).map(|f| ids::item_of(f.0)).collect()
    }

    /// Grows `spec.n` generated concepts, then gives the new active ones their attributes.
    pub(crate) fn grow(
        &mut self,
        spec: &GrowSpec,
        items: &[u64],
        vocab: &Vocab,
        rng: &mut Rng,
        first_date: u8,
        last_date: u8,
    ) -> Range<usize> {
        let start = self.len();
        let total_w: f64 = spec.weights.iter().map(|w| w.1).sum();
        let mut cum = Vec::with_capacity(spec.weights.len());
        let mut acc = 0.0;
        for &(p, w) in &spec.weights {
            acc += w / total_w;
            cum.push((p, acc));
        }
        let mut parents: Vec<u32> = Vec::with_capacity(4);
        let mut name: Vec<u32> = Vec::with_capacity(12);
        for (k, &item) in items.iter().enumerate().take(spec.n) {
            let u = rng.f64();
            let pool = cum.iter().find(|c| u < c.1).map_or(cum[cum.len() - 1].0, |c| c.0);
            let active = !rng.chance(spec.inactive);
            let q = self.pick_parent(pool, rng);
            parents.clear();
            parents.push(q as u32);
            if active && rng.chance(spec.multi_parent) {
                let extra = if rng.chance(0.2) { 2 } else { 1 };
                for _ in 0..extra {
                    if let Some(c) = self.pick_extra_parent(pool, q, &parents, rng) {
                        parents.push(c as u32);
                    }
                }
            }
            name.clear();
            self.make_name(pool, q, vocab, rng, &mut name);
            let span = last_date - first_date;
            let (created, changed) = if active {
                let c = if rng.chance(0.35) {
                    first_date
                } else {
                    first_date + rng.below(u64::from(span) + 1) as u8
                };
                let ch = if rng.chance(0.6) {
                    c
                } else {
                    c + rng.below(u64::from(last_date - c) + 1) as u8
                };
                (c, ch)
            } else {
                let c = if span == 0 || rng.chance(0.35) {
                    first_date
                } else {
                    first_date + rng.below(u64::from(span)) as u8
                };
                let ch = (c + 1 + rng.below(u64::from(last_date - c)) as u8).min(last_date);
                (c, ch.max(c))
            };
            let id = ids::sctid(item, spec.ns, Part::Concept);
            let i = self.push(id, active, pool as u8, NONE16, &parents, &name, created, changed);
            if active {
                self.members[pool].push(i as u32);
            }
            let _ = k;
        }
        let end = self.len();
        // attributes, parents before children
        for i in start..end {
            if self.active[i] {
                self.make_attrs(i, spec.concrete, rng);
            }
            self.attr_off.push(self.attrs.len() as u32);
        }
        start..end
    }

    fn pick_parent(&self, pool: usize, rng: &mut Rng) -> usize {
        let m = &self.members[pool];
        let root = m[0] as usize;
        let mut q = if m.len() > 1 && rng.chance(0.12) {
            // preferential attachment: the parent of a random member
            let j = m[rng.index(m.len())] as usize;
            match self.primary(j) {
                Some(pp) if j != root && self.pool[pp] == pool as u8 && self.active[pp] => pp,
                _ => j,
            }
        } else {
            m[rng.index(m.len())] as usize
        };
        while self.depth[q] >= MAX_DEPTH - 1 {
            q = self.primary(q).unwrap_or(root);
        }
        q
    }

    fn on_primary_chain(&self, from: usize, target: usize) -> bool {
        let mut c = from;
        for _ in 0..=MAX_DEPTH {
            if c == target {
                return true;
            }
            match self.primary(c) {
                Some(p) => c = p,
                None => return false,
            }
        }
        false
    }

    fn pick_extra_parent(
        &self,
        pool: usize,
        q: usize,
        taken: &[u32],
        rng: &mut Rng,
    ) -> Option<usize> {
        let m = &self.members[pool];
        if m.len() < 3 {
            return None;
        }
        for _ in 0..6 {
            let c = m[rng.index(m.len())] as usize;
            if self.depth[c] > self.depth[q] || taken.contains(&(c as u32)) {
                continue;
            }
            if taken.iter().any(|&t| {
                self.on_primary_chain(t as usize, c) || self.on_primary_chain(c, t as usize)
            }) {
                continue;
            }
            return Some(c);
        }
        None
    }

    fn make_name(&self, pool: usize, q: usize, vocab: &Vocab, rng: &mut Rng, out: &mut Vec<u32>) {
        let parent = self.name(q);
        let derived = self.fixed[q] == NONE16 && self.pool[q] == pool as u8 && !parent.is_empty();
        if !derived {
            match pool {
                PRODUCT => {
                    out.extend_from_slice(&vocab.product_containing);
                    out.push(vocab.zipf(rng));
                }
                ORGANISM => {
                    out.push(vocab.zipf(rng));
                    if rng.chance(0.3) {
                        out.push(vocab.head(pool, rng));
                    }
                }
                _ => {
                    let r = rng.f64();
                    if r < 0.55 {
                        out.push(vocab.zipf(rng));
                        out.push(vocab.head(pool, rng));
                    } else if r < 0.85 {
                        out.push(vocab.head(pool, rng));
                        out.push(vocab.connector(rng));
                        out.push(vocab.zipf(rng));
                    } else {
                        out.push(vocab.qualifier(rng));
                        out.push(vocab.zipf(rng));
                        out.push(vocab.head(pool, rng));
                    }
                }
            }
            return;
        }
        let r = rng.f64();
        let len = parent.len();
        match pool {
            PRODUCT if len < 6 && r < 0.7 => {
                out.extend_from_slice(parent);
                out.push(vocab.head(pool, rng));
            }
            ORGANISM if len < 4 && r < 0.8 => {
                out.extend_from_slice(parent);
                out.push(vocab.zipf(rng));
            }
            _ if r < 0.45 && len < 7 => {
                out.push(if rng.chance(0.6) { vocab.qualifier(rng) } else { vocab.zipf(rng) });
                out.extend_from_slice(parent);
            }
            _ if r < 0.7 && len < 6 => {
                out.extend_from_slice(parent);
                out.push(vocab.connector(rng));
                out.push(vocab.zipf(rng));
            }
            _ => {
                out.extend_from_slice(parent);
                let k = rng.index(len);
                if !vocab.is_connector(out[k]) {
                    out[k] = vocab.zipf(rng);
                } else {
                    out.insert(0, vocab.zipf(rng));
                }
                out.truncate(9);
            }
        }
    }

    fn draw_value(&self, a: u8, self_idx: usize, rng: &mut Rng) -> Option<u32> {
        let ranges = meta::ATTRS[a as usize].ranges;
        let r = ranges[rng.index(ranges.len())];
        // never the branch root itself (e.g. "Substance" as an ingredient)
        let m = self.members[r].get(1..).unwrap_or(&[]);
        if m.is_empty() {
            return None;
        }
        let k = if rng.chance(0.5) { rng.zipf(m.len()) } else { rng.index(m.len()) };
        let v = m[k];
        (v as usize != self_idx).then_some(v)
    }

    fn make_attrs(&mut self, i: usize, concrete: f64, rng: &mut Rng) {
        let pool = self.pool[i] as usize;
        if pool >= N_POOLS {
            return;
        }
        let (tpl, second) = meta::template(pool);
        if tpl.is_empty() {
            return;
        }
        let start = self.attrs.len();
        let q = self.primary(i).unwrap_or(0);
        let inherit = self.fixed[q] == NONE16
            && self.pool[q] == pool as u8
            && !self.attrs_of(q).is_empty()
            && rng.chance(0.6);
        if inherit {
            let (s, e) = (self.attr_off[q] as usize, self.attr_off[q + 1] as usize);
            for k in s..e {
                let a = self.attrs[k];
                self.attrs.push(a);
            }
            if rng.chance(0.6) {
                let k = start + rng.index(self.attrs.len() - start);
                let a = self.attrs[k].a;
                if let Some(v) = self.draw_value(a, i, rng) {
                    self.attrs[k].value = v;
                }
            }
        } else {
            let mut any_grouped = false;
            for &(a, p, grouped) in tpl {
                if rng.chance(p)
                    && let Some(v) = self.draw_value(a, i, rng)
                {
                    any_grouped |= grouped;
                    self.attrs.push(Attr { a, group: u8::from(grouped), value: v });
                }
            }
            if any_grouped && rng.chance(second) {
                for &(a, p, grouped) in tpl {
                    if grouped
                        && rng.chance(p)
                        && let Some(v) = self.draw_value(a, i, rng)
                    {
                        self.attrs.push(Attr { a, group: 2, value: v });
                    }
                }
            }
        }
        if pool == PRODUCT
            && self.attrs[start..].iter().any(|a| a.a == meta::A_ACTIVE_INGREDIENT)
            && rng.chance(concrete)
        {
            self.has_concrete[i] = true;
        }
    }

    /// The top-level hierarchy (child of the root) of a concept, by walking primary parents.
    pub(crate) fn top_of(&self, i: usize) -> usize {
        let mut c = i;
        loop {
            match self.primary(c) {
                Some(p) if self.primary(p).is_some() => c = p,
                _ => return c,
            }
        }
    }
}

/// The semantic tag of a concept.
pub(crate) fn tag_of(g: &Graph, i: usize) -> &'static str {
    if g.fixed[i] != NONE16 {
        return FIXED[g.fixed[i] as usize].2;
    }
    let p = g.pool[i] as usize;
    if p == PRODUCT {
        if g.has_concrete[i] {
            return "clinical drug";
        }
        if g.depth[i] <= 2 {
            return "product";
        }
    }
    POOLS.get(p).map_or("foundation metadata concept", |d| d.tag)
}
