//! Writes one RF2 package (Snapshot) from the concept graph.

use std::ops::Range;
use std::path::Path;

use sctx_types::ids;

use crate::graph::{Graph, NONE16, tag_of};
use crate::ids::{ItemSeq, Part, sctid};
use crate::meta::{self, FIXED, Kind};
use crate::out::Table;
use crate::rng::Rng;
use crate::vocab::Vocab;
use crate::{FileStat, SynthError};

pub(crate) const H_CONCEPT: &[&str] =
    &["id", "effectiveTime", "active", "moduleId", "definitionStatusId"];
pub(crate) const H_DESCRIPTION: &[&str] = &[
    "id",
    "effectiveTime",
    "active",
    "moduleId",
    "conceptId",
    "languageCode",
    "typeId",
    "term",
    "caseSignificanceId",
];
pub(crate) const H_RELATIONSHIP: &[&str] = &[
    "id",
    "effectiveTime",
    "active",
    "moduleId",
    "sourceId",
    "destinationId",
    "relationshipGroup",
    "typeId",
    "characteristicTypeId",
    "modifierId",
];
pub(crate) const H_CONCRETE: &[&str] = &[
    "id",
    "effectiveTime",
    "active",
    "moduleId",
    "sourceId",
    "value",
    "relationshipGroup",
    "typeId",
    "characteristicTypeId",
    "modifierId",
];
const REFSET_COLS: [&str; 6] =
    ["id", "effectiveTime", "active", "moduleId", "refsetId", "referencedComponentId"];

fn refset_header(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v = REFSET_COLS.to_vec();
    v.extend_from_slice(extra);
    v
}

pub(crate) fn h_language() -> Vec<&'static str> {
    refset_header(&["acceptabilityId"])
}
pub(crate) fn h_association() -> Vec<&'static str> {
    refset_header(&["targetComponentId"])
}
pub(crate) fn h_attribute_value() -> Vec<&'static str> {
    refset_header(&["valueId"])
}
pub(crate) fn h_simple() -> Vec<&'static str> {
    refset_header(&[])
}
pub(crate) fn h_simple_map() -> Vec<&'static str> {
    refset_header(&["mapTarget"])
}
pub(crate) fn h_ext_map_int() -> Vec<&'static str> {
    refset_header(&[
        "mapGroup",
        "mapPriority",
        "mapRule",
        "mapAdvice",
        "mapTarget",
        "correlationId",
        "mapCategoryId",
    ])
}
pub(crate) fn h_ext_map_uk() -> Vec<&'static str> {
    refset_header(&[
        "mapGroup",
        "mapPriority",
        "mapRule",
        "mapAdvice",
        "mapTarget",
        "correlationId",
        "mapBlock",
    ])
}
pub(crate) fn h_module_dependency() -> Vec<&'static str> {
    refset_header(&["sourceEffectiveTime", "targetEffectiveTime"])
}

/// The description of one RF2 package.
pub(crate) struct PkgSpec {
    pub dir: String,
    pub infix: &'static str,
    pub ns_code: &'static str,
    pub date: u32,
    pub last_date: u8,
    pub ns: Option<u32>,
    pub module: u64,
    pub refset_module: u64,
    pub range: Range<usize>,
    /// Language refsets written in this package: (refset id, US dialect?).
    pub langs: Vec<(u64, bool)>,
    /// Whether CTV3 simple map, ICD-10 extended map and the lateralizable refset are written.
    pub int_maps: bool,
    /// Whether the UK ICD-10 map file belongs to this package.
    pub uk_map: bool,
    /// Share of active concepts whose GB and US preferred terms differ.
    pub us_diff: f64,
    /// Mean number of retired relationship rows per active concept.
    pub inactive_rel_mean: f64,
    /// Probability that an active concept gets no extra synonym at all (on top of the
    /// usual distribution).
    pub no_synonym: f64,
    pub desc_start: u64,
    pub rel_start: u64,
    /// Module dependency rows (source module, target module).
    pub moddeps: Vec<(u64, u64)>,
    /// Per pool, how many growth members this package may reference (members are appended
    /// package by package, so the International package never points into an extension).
    pub members_upto: Vec<usize>,
}

impl PkgSpec {
    fn name(&self, prefix: &str, summary: &str, lang: bool) -> String {
        format!(
            "{prefix}{summary}{}Snapshot{}_{}_{}.txt",
            self.infix,
            if lang { "-en" } else { "" },
            self.ns_code,
            self.date
        )
    }

    fn path(&self, folder: &str, file: String) -> String {
        format!("{}/Snapshot/{folder}/{file}", self.dir)
    }
}

/// The open files of one package.
pub(crate) struct Sinks {
    pub concept: Table,
    pub desc: Table,
    pub textdef: Table,
    pub rel: Table,
    pub concrete: Table,
    pub lang: Table,
    pub assoc: Table,
    pub attrval: Table,
    pub simple: Table,
    pub moddep: Table,
    pub simplemap: Option<Table>,
    pub extmap: Option<Table>,
    pub ukmap: Option<Table>,
}

impl Sinks {
    pub(crate) fn open(root: &Path, p: &PkgSpec) -> Result<Sinks, SynthError> {
        let t =
            |folder: &str, file: String, h: &[&str]| Table::create(root, &p.path(folder, file), h);
        Ok(Sinks {
            concept: t("Terminology", p.name("sct2_Concept_", "", false), H_CONCEPT)?,
            desc: t("Terminology", p.name("sct2_Description_", "", true), H_DESCRIPTION)?,
            textdef: t("Terminology", p.name("sct2_TextDefinition_", "", true), H_DESCRIPTION)?,
            rel: t("Terminology", p.name("sct2_Relationship_", "", false), H_RELATIONSHIP)?,
            concrete: t(
                "Terminology",
                p.name("sct2_RelationshipConcreteValues_", "", false),
                H_CONCRETE,
            )?,
            lang: t("Refset/Language", p.name("der2_cRefset_", "Language", true), &h_language())?,
            assoc: t(
                "Refset/Content",
                p.name("der2_cRefset_", "Association", false),
                &h_association(),
            )?,
            attrval: t(
                "Refset/Content",
                p.name("der2_cRefset_", "AttributeValue", false),
                &h_attribute_value(),
            )?,
            simple: t("Refset/Content", p.name("der2_Refset_", "Simple", false), &h_simple())?,
            moddep: t(
                "Refset/Metadata",
                p.name("der2_ssRefset_", "ModuleDependency", false),
                &h_module_dependency(),
            )?,
            simplemap: if p.int_maps {
                Some(t("Refset/Map", p.name("der2_sRefset_", "SimpleMap", false), &h_simple_map())?)
            } else {
                None
            },
            extmap: if p.int_maps {
                Some(t(
                    "Refset/Map",
                    p.name("der2_iisssccRefset_", "ExtendedMap", false),
                    &h_ext_map_int(),
                )?)
            } else {
                None
            },
            ukmap: if p.uk_map {
                Some(t(
                    "Refset/Map",
                    p.name("der2_iisssciRefset_", "ExtendedMap", false),
                    &h_ext_map_uk(),
                )?)
            } else {
                None
            },
        })
    }

    /// Closes every file; returns (kind, stat) pairs.
    pub(crate) fn finish(self) -> Result<Vec<(&'static str, FileStat)>, SynthError> {
        let mut v = vec![
            ("concept", self.concept.finish()?),
            ("description", self.desc.finish()?),
            ("text_definition", self.textdef.finish()?),
            ("relationship", self.rel.finish()?),
            ("concrete_value", self.concrete.finish()?),
            ("language", self.lang.finish()?),
            ("association", self.assoc.finish()?),
            ("attribute_value", self.attrval.finish()?),
            ("simple", self.simple.finish()?),
            ("module_dependency", self.moddep.finish()?),
        ];
        if let Some(t) = self.simplemap {
            v.push(("ctv3_simple_map", t.finish()?));
        }
        if let Some(t) = self.extmap {
            v.push(("icd10_map", t.finish()?));
        }
        if let Some(t) = self.ukmap {
            v.push(("uk_icd10_map", t.finish()?));
        }
        Ok(v)
    }
}

/// Rows written into another package's files while writing this one (UK profile: NHS
/// language members and UK ICD-10 map rows for International content).
pub(crate) struct Extra<'a> {
    pub lang: &'a mut Table,
    pub lang_refset: u64,
    pub lang_module: u64,
    pub ukmap: &'a mut Table,
    /// A separate stream, so that the International package is byte-identical whether or
    /// not UK rows are written alongside it.
    pub rng: Rng,
}

/// Counters the writer keeps for [`crate::Stats`].
#[derive(Default, Debug, Clone)]
pub(crate) struct Counters {
    pub active_concepts: u64,
    pub inactive_descriptions: u64,
    pub active_relationships: u64,
    pub active_is_a: u64,
    pub gb_us_differences: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DK {
    Fsn,
    Pt,
    GbPt,
    UsPt,
    Syn,
    InactiveSyn,
}

struct DPlan {
    kind: DK,
    start: usize,
    end: usize,
    cs: bool,
    et: u8,
}

/// Shared, read-only inputs of a pass.
pub(crate) struct Ctx<'a> {
    pub g: &'a Graph,
    pub vocab: &'a Vocab,
    pub dates: &'a [u32],
    pub seed: u64,
    pub ctv3: &'a dyn Fn(usize) -> Option<[u8; 5]>,
}

/// Per-concept description ids recorded for the NHS map tables.
pub(crate) struct DescIds {
    pub pt: Vec<u64>,
    pub syn: Vec<u64>,
}

const STRENGTHS: &[&str] = &[
    "#0.5", "#1", "#2", "#2.5", "#5", "#10", "#20", "#25", "#40", "#50", "#100", "#125", "#200",
    "#250", "#300", "#400", "#500", "#1000",
];

/// The writer for one package pass.
pub(crate) struct Pass<'a> {
    ctx: &'a Ctx<'a>,
    p: &'a PkgSpec,
    rng: Rng,
    desc_seq: ItemSeq,
    rel_seq: ItemSeq,
    terms: String,
    plan: Vec<DPlan>,
    tok: Vec<u32>,
    tok2: Vec<u32>,
    targets: Vec<u32>,
    code: String,
    advice: String,
    pub counters: Counters,
}

impl<'a> Pass<'a> {
    pub(crate) fn new(ctx: &'a Ctx<'a>, p: &'a PkgSpec, tag: &str) -> Self {
        Pass {
            ctx,
            p,
            rng: Rng::stream(ctx.seed, tag),
            desc_seq: ItemSeq::new(p.desc_start, 3),
            rel_seq: ItemSeq::new(p.rel_start, 2),
            terms: String::with_capacity(4096),
            plan: Vec::with_capacity(16),
            tok: Vec::with_capacity(16),
            tok2: Vec::with_capacity(16),
            targets: Vec::with_capacity(4),
            code: String::with_capacity(16),
            advice: String::with_capacity(128),
            counters: Counters::default(),
        }
    }

    /// The members of a pool this package may reference.
    fn members(&self, pool: usize) -> &'a [u32] {
        let m: &'a [u32] = &self.ctx.g.members[pool];
        &m[..self.p.members_upto[pool].min(m.len())]
    }

    fn module_of(&self, i: usize) -> u64 {
        let f = self.ctx.g.fixed[i];
        if f != NONE16 && FIXED[f as usize].5 == Kind::Meta {
            ids::MODEL_COMPONENT_MODULE
        } else {
            self.p.module
        }
    }

    fn date_between(&mut self, from: u8) -> u8 {
        let last = self.p.last_date;
        let from = from.min(last);
        if self.rng.chance(0.6) {
            from
        } else {
            from + self.rng.below(u64::from(last - from) + 1) as u8
        }
    }

    /// Writes every concept of the package; `progress` gets (stage, concepts done).
    pub(crate) fn run(
        &mut self,
        s: &mut Sinks,
        mut extra: Option<Extra<'_>>,
        desc_ids: &mut DescIds,
        progress: &dyn Fn(u64),
    ) -> Result<(), SynthError> {
        let range = self.p.range.clone();
        for (n, i) in range.enumerate() {
            self.concept(i, s, extra.as_mut(), desc_ids)?;
            if n % 100_000 == 99_999 {
                progress(n as u64 + 1);
            }
        }
        let dates = self.ctx.dates;
        for &(src, dst) in &self.p.moddeps {
            let u = self.rng.uuid();
            s.moddep
                .uuid(&u)
                .u64(u64::from(self.p.date))
                .flag(true)
                .u64(src)
                .u64(ids::MODULE_DEPENDENCY_REFSET)
                .u64(dst)
                .u64(u64::from(self.p.date))
                .u64(u64::from(if dst == ids::CORE_MODULE || dst == ids::MODEL_COMPONENT_MODULE {
                    dates[dates.iter().position(|&d| d == 20250131).unwrap_or(0)]
                } else {
                    self.p.date
                }))
                .end()?;
        }
        Ok(())
    }

    fn concept(
        &mut self,
        i: usize,
        s: &mut Sinks,
        mut extra: Option<&mut Extra<'_>>,
        desc_ids: &mut DescIds,
    ) -> Result<(), SynthError> {
        let g = self.ctx.g;
        let dates = self.ctx.dates;
        let id = g.id[i];
        let active = g.active[i];
        let module = self.module_of(i);
        let ns = self.p.ns;
        if active {
            self.counters.active_concepts += 1;
        }
        let defined = active
            && !g.attrs_of(i).is_empty()
            && crate::rng::hash01(self.ctx.seed, i as u64, 11) < 0.35;
        s.concept
            .u64(id)
            .u64(u64::from(dates[g.changed[i] as usize]))
            .flag(active)
            .u64(module)
            .u64(if defined { ids::DEFINED } else { ids::PRIMITIVE })
            .end()?;

        // ---- descriptions
        self.plan_descriptions(i);
        let n = self.plan.len() as u64;
        let base = self.desc_seq.take_block(n, &mut self.rng);
        let mut first_syn = 0u64;
        for k in 0..self.plan.len() {
            let (kind, st, en, cs, et) = {
                let d = &self.plan[k];
                (d.kind, d.start, d.end, d.cs, d.et)
            };
            let did = sctid(base + k as u64, ns, Part::Description);
            let d_active = kind != DK::InactiveSyn;
            let et_v = u64::from(dates[et as usize]);
            s.desc
                .u64(did)
                .u64(et_v)
                .flag(d_active)
                .u64(module)
                .u64(id)
                .str("en")
                .u64(if kind == DK::Fsn { ids::FSN } else { ids::SYNONYM })
                .str(&self.terms[st..en])
                .u64(if cs { meta::CS } else { meta::CI })
                .end()?;
            match kind {
                DK::Pt | DK::GbPt => desc_ids.pt[i] = did,
                DK::Syn if first_syn == 0 => first_syn = did,
                DK::InactiveSyn => self.counters.inactive_descriptions += 1,
                _ => {}
            }
            let lang_module = if self.p.infix.is_empty() { module } else { self.p.refset_module };
            for li in 0..self.p.langs.len() {
                let (refset, us) = self.p.langs[li];
                if let Some(acc) = acceptability(kind, us) {
                    let u = self.rng.uuid();
                    s.lang
                        .uuid(&u)
                        .u64(et_v)
                        .flag(d_active)
                        .u64(lang_module)
                        .u64(refset)
                        .u64(did)
                        .u64(acc)
                        .end()?;
                }
            }
            if let Some(x) = extra.as_deref_mut()
                && let Some(acc) = acceptability(kind, false)
            {
                let u = x.rng.uuid();
                x.lang
                    .uuid(&u)
                    .u64(et_v)
                    .flag(d_active)
                    .u64(x.lang_module)
                    .u64(x.lang_refset)
                    .u64(did)
                    .u64(acc)
                    .end()?;
            }
            // description inactivation indicators
            if !d_active || !active {
                let reason = if !active {
                    meta::R_CONCEPT_NON_CURRENT
                } else {
                    [meta::R_OUTDATED, meta::R_ERRONEOUS, meta::R_NONCONFORMANCE, meta::R_DUPLICATE]
                        [self.rng.index(4)]
                };
                let u = self.rng.uuid();
                let et_ind = if active { et_v } else { u64::from(dates[g.changed[i] as usize]) };
                s.attrval
                    .uuid(&u)
                    .u64(et_ind)
                    .flag(true)
                    .u64(module)
                    .u64(ids::DESCRIPTION_INACTIVATION_INDICATOR)
                    .u64(did)
                    .u64(reason)
                    .end()?;
            }
        }
        desc_ids.syn[i] = first_syn;

        // ---- text definition
        if active && g.fixed[i] == NONE16 && self.rng.chance(0.03) {
            self.terms.clear();
            self.ctx.vocab.render(g.name(i), &mut self.terms);
            self.terms.push_str(" characterised by ");
            let nw = 6 + self.rng.index(30);
            for w in 0..nw {
                if w > 0 {
                    self.terms.push_str(if self.rng.chance(0.1) { ", " } else { " " });
                }
                let t = self.ctx.vocab.zipf(&mut self.rng);
                self.terms.push_str(self.ctx.vocab.word(t));
            }
            self.terms.push('.');
            let did = sctid(self.desc_seq.take(&mut self.rng), ns, Part::Description);
            let et_v = u64::from(dates[g.created[i] as usize]);
            s.textdef
                .u64(did)
                .u64(et_v)
                .flag(true)
                .u64(module)
                .u64(id)
                .str("en")
                .u64(ids::DEFINITION)
                .str(&self.terms)
                .u64(meta::CI)
                .end()?;
            let lang_module = if self.p.infix.is_empty() { module } else { self.p.refset_module };
            for li in 0..self.p.langs.len() {
                let refset = self.p.langs[li].0;
                let u = self.rng.uuid();
                s.lang
                    .uuid(&u)
                    .u64(et_v)
                    .flag(true)
                    .u64(lang_module)
                    .u64(refset)
                    .u64(did)
                    .u64(ids::PREFERRED)
                    .end()?;
            }
            if let Some(x) = extra.as_deref_mut() {
                let u = x.rng.uuid();
                x.lang
                    .uuid(&u)
                    .u64(et_v)
                    .flag(true)
                    .u64(x.lang_module)
                    .u64(x.lang_refset)
                    .u64(did)
                    .u64(ids::PREFERRED)
                    .end()?;
            }
        }

        // ---- relationships
        self.relationships(i, s)?;

        // ---- inactivation and history
        if !active {
            self.inactivation(i, s)?;
        }

        // ---- maps and simple refsets
        let pool = g.pool[i] as usize;
        if self.p.int_maps {
            if let Some(code) = (self.ctx.ctv3)(i)
                && let Some(t) = s.simplemap.as_mut()
            {
                let u = self.rng.uuid();
                t.uuid(&u)
                    .u64(u64::from(dates[g.created[i] as usize]))
                    .flag(true)
                    .u64(ids::CORE_MODULE)
                    .u64(ids::CTV3_SIMPLE_MAP)
                    .u64(id)
                    .bytes(&code)
                    .end()?;
            }
            if active && is_icd_pool(pool) && g.fixed[i] == NONE16 && self.rng.chance(0.79) {
                self.icd_int(i, s)?;
            }
            if active && pool == meta::ANATOMY && self.rng.chance(0.65) {
                let u = self.rng.uuid();
                let et = self.date_between(g.created[i]);
                s.simple
                    .uuid(&u)
                    .u64(u64::from(dates[et as usize]))
                    .flag(true)
                    .u64(ids::CORE_MODULE)
                    .u64(meta::LATERALIZABLE_REFSET)
                    .u64(id)
                    .end()?;
            }
        }
        if active && is_icd_pool(pool) && g.fixed[i] == NONE16 {
            if let Some(t) = s.ukmap.as_mut() {
                if self.rng.chance(0.7) {
                    self.icd_uk(i, t)?;
                }
            } else if let Some(x) = extra {
                std::mem::swap(&mut self.rng, &mut x.rng);
                let r = if self.rng.chance(0.7) { self.icd_uk(i, x.ukmap) } else { Ok(()) };
                std::mem::swap(&mut self.rng, &mut x.rng);
                r?;
            }
        }
        Ok(())
    }

    fn plan_descriptions(&mut self, i: usize) {
        let g = self.ctx.g;
        let v = self.ctx.vocab;
        self.terms.clear();
        self.plan.clear();
        let created = g.created[i];
        if g.fixed[i] != NONE16 {
            let f = &FIXED[g.fixed[i] as usize];
            let s = self.terms.len();
            self.terms.push_str(f.1);
            self.terms.push_str(" (");
            self.terms.push_str(f.2);
            self.terms.push(')');
            self.plan.push(DPlan {
                kind: DK::Fsn,
                start: s,
                end: self.terms.len(),
                cs: false,
                et: created,
            });
            let s = self.terms.len();
            self.terms.push_str(f.1);
            self.plan.push(DPlan {
                kind: DK::Pt,
                start: s,
                end: self.terms.len(),
                cs: false,
                et: created,
            });
            return;
        }
        let active = g.active[i];
        let cs = g.pool[i] as usize == meta::ORGANISM;
        self.tok.clear();
        self.tok.extend_from_slice(g.name(i));
        let differs = active
            && self.p.us_diff > 0.0
            && !self.tok.is_empty()
            && self.rng.chance(self.p.us_diff);
        let mut us_word = 0;
        if differs {
            let (gb, us) = v.gb_us[self.rng.index(v.gb_us.len())];
            let last = self.tok.len() - 1;
            self.tok[last] = gb;
            us_word = us;
            self.counters.gb_us_differences += 1;
        }
        let tag = tag_of(g, i);
        // FSN
        let s = self.terms.len();
        v.render(&self.tok, &mut self.terms);
        self.terms.push_str(" (");
        self.terms.push_str(tag);
        self.terms.push(')');
        let fsn_et = created;
        self.plan.push(DPlan { kind: DK::Fsn, start: s, end: self.terms.len(), cs, et: fsn_et });
        // PT
        let s = self.terms.len();
        v.render(&self.tok, &mut self.terms);
        self.plan.push(DPlan {
            kind: if differs { DK::GbPt } else { DK::Pt },
            start: s,
            end: self.terms.len(),
            cs,
            et: created,
        });
        if differs {
            self.tok2.clear();
            self.tok2.extend_from_slice(&self.tok);
            let last = self.tok2.len() - 1;
            self.tok2[last] = us_word;
            let s = self.terms.len();
            v.render(&self.tok2, &mut self.terms);
            self.plan.push(DPlan {
                kind: DK::UsPt,
                start: s,
                end: self.terms.len(),
                cs,
                et: created,
            });
        }
        let n_syn = if active && self.rng.chance(self.p.no_synonym) {
            0
        } else if active {
            let u = self.rng.f64();
            if u < 0.3 {
                0
            } else if u < 0.7 {
                1
            } else if u < 0.9 {
                2
            } else if u < 0.97 {
                3
            } else {
                4
            }
        } else {
            usize::from(self.rng.chance(0.2))
        };
        for _ in 0..n_syn {
            self.synonym_tokens();
            let s = self.terms.len();
            v.render(&self.tok2, &mut self.terms);
            let et = self.date_between(created);
            self.plan.push(DPlan { kind: DK::Syn, start: s, end: self.terms.len(), cs, et });
        }
        if active && self.rng.chance(0.03) {
            let s = self.terms.len();
            if v.acronym(&self.tok, &mut self.terms) {
                let et = self.date_between(created);
                self.plan.push(DPlan {
                    kind: DK::Syn,
                    start: s,
                    end: self.terms.len(),
                    cs: true,
                    et,
                });
            }
        }
        if active && self.rng.chance(0.2) {
            self.synonym_tokens();
            let s = self.terms.len();
            v.render(&self.tok2, &mut self.terms);
            let et = (created
                + 1
                + self.rng.below(u64::from(self.p.last_date.saturating_sub(created)) + 1) as u8)
                .min(self.p.last_date);
            self.plan.push(DPlan {
                kind: DK::InactiveSyn,
                start: s,
                end: self.terms.len(),
                cs,
                et,
            });
        }
    }

    /// A variant of `self.tok` in `self.tok2`.
    fn synonym_tokens(&mut self) {
        let v = self.ctx.vocab;
        self.tok2.clear();
        self.tok2.extend_from_slice(&self.tok);
        let len = self.tok2.len();
        match self.rng.index(4) {
            0 if len >= 3 && !v.is_connector(self.tok2[1]) => {
                self.tok2.remove(0);
            }
            1 if len >= 2
                && !v.is_connector(self.tok2[1])
                && !v.is_connector(self.tok2[len - 1]) =>
            {
                self.tok2.rotate_left(1)
            }
            2 if len >= 1 => {
                let k = self.rng.index(len);
                self.tok2[k] = v.zipf(&mut self.rng);
            }
            _ => self.tok2.insert(0, v.zipf(&mut self.rng)),
        }
        if self.tok2 == self.tok {
            self.tok2.push(v.zipf(&mut self.rng));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rel(
        &mut self,
        s: &mut Sinks,
        src: u64,
        dst: u64,
        group: u8,
        ty: u64,
        active: bool,
        et: u8,
        module: u64,
    ) -> Result<(), SynthError> {
        let rid = sctid(self.rel_seq.take(&mut self.rng), self.p.ns, Part::Relationship);
        if active {
            self.counters.active_relationships += 1;
            if ty == ids::IS_A {
                self.counters.active_is_a += 1;
            }
        }
        s.rel
            .u64(rid)
            .u64(u64::from(self.ctx.dates[et as usize]))
            .flag(active)
            .u64(module)
            .u64(src)
            .u64(dst)
            .u64(u64::from(group))
            .u64(ty)
            .u64(ids::INFERRED)
            .u64(ids::EXISTENTIAL)
            .end()
    }

    #[allow(clippy::too_many_arguments)]
    fn concrete(
        &mut self,
        s: &mut Sinks,
        src: u64,
        value: &str,
        group: u8,
        ty: u64,
        et: u8,
        module: u64,
    ) -> Result<(), SynthError> {
        let rid = sctid(self.rel_seq.take(&mut self.rng), self.p.ns, Part::Relationship);
        s.concrete
            .u64(rid)
            .u64(u64::from(self.ctx.dates[et as usize]))
            .flag(true)
            .u64(module)
            .u64(src)
            .str(value)
            .u64(u64::from(group))
            .u64(ty)
            .u64(ids::INFERRED)
            .u64(ids::EXISTENTIAL)
            .end()
    }

    fn relationships(&mut self, i: usize, s: &mut Sinks) -> Result<(), SynthError> {
        let g = self.ctx.g;
        let id = g.id[i];
        let module = self.module_of(i);
        let created = g.created[i];
        let pool = g.pool[i] as usize;
        if g.active[i] {
            for &p in g.parents(i) {
                let et = self.date_between(created);
                self.rel(s, id, g.id[p as usize], 0, ids::IS_A, true, et, module)?;
            }
            for k in g.attr_off[i] as usize..g.attr_off[i + 1] as usize {
                let a = g.attrs[k];
                let et = self.date_between(created);
                self.rel(
                    s,
                    id,
                    g.id[a.value as usize],
                    a.group,
                    meta::ATTRS[a.a as usize].id,
                    true,
                    et,
                    module,
                )?;
            }
            if g.has_concrete[i] {
                let et = self.date_between(created);
                let v = STRENGTHS[self.rng.zipf(STRENGTHS.len())];
                self.concrete(s, id, v, 1, meta::C_NUMERATOR, et, module)?;
                self.concrete(s, id, "#1", 1, meta::C_DENOMINATOR, et, module)?;
                self.concrete(s, id, "#1", 0, meta::C_COUNT_OF_BASE, et, module)?;
            }
            if g.fixed[i] == NONE16 && pool < meta::N_POOLS {
                let n = self.rng.poisson(self.p.inactive_rel_mean);
                for _ in 0..n {
                    self.retired_rel(i, s, None)?;
                }
            }
        } else {
            let et = g.changed[i];
            for &p in g.parents(i) {
                self.rel(s, id, g.id[p as usize], 0, ids::IS_A, false, et, module)?;
            }
            let n = self.rng.poisson(1.6);
            for _ in 0..n {
                self.retired_rel(i, s, Some(et))?;
            }
        }
        Ok(())
    }

    /// One retired (inactive) relationship row of concept `i`.
    fn retired_rel(&mut self, i: usize, s: &mut Sinks, et: Option<u8>) -> Result<(), SynthError> {
        let g = self.ctx.g;
        let pool = g.pool[i] as usize;
        let module = self.module_of(i);
        let et = et.unwrap_or_else(|| {
            let c = g.created[i];
            (c + 1 + self.rng.below(u64::from(self.p.last_date.saturating_sub(c)) + 1) as u8)
                .min(self.p.last_date)
        });
        let (tpl, _) = meta::template(pool);
        if tpl.is_empty() || self.rng.chance(0.45) {
            let m = self.members(pool);
            let dst = m[self.rng.index(m.len())] as usize;
            if dst != i {
                self.rel(s, g.id[i], g.id[dst], 0, ids::IS_A, false, et, module)?;
            }
        } else {
            let (a, _, grouped) = tpl[self.rng.index(tpl.len())];
            let def = &meta::ATTRS[a as usize];
            let r = def.ranges[self.rng.index(def.ranges.len())];
            let m = self.members(r);
            if !m.is_empty() {
                let dst = m[self.rng.index(m.len())] as usize;
                self.rel(s, g.id[i], g.id[dst], u8::from(grouped), def.id, false, et, module)?;
            }
        }
        Ok(())
    }

    fn inactivation(&mut self, i: usize, s: &mut Sinks) -> Result<(), SynthError> {
        let g = self.ctx.g;
        let id = g.id[i];
        let module = self.module_of(i);
        let et = u64::from(self.ctx.dates[g.changed[i] as usize]);
        let u = self.rng.f64();
        let (reason, assoc, n) = if u < 0.25 {
            (meta::R_DUPLICATE, ids::SAME_AS, 1)
        } else if u < 0.5 {
            if self.rng.chance(0.6) {
                (meta::R_OUTDATED, ids::REPLACED_BY, 1)
            } else {
                (meta::R_OUTDATED, ids::ALTERNATIVE, 2 + self.rng.index(2))
            }
        } else if u < 0.75 {
            (meta::R_AMBIGUOUS, ids::POSSIBLY_EQUIVALENT_TO, 2 + self.rng.index(2))
        } else if u < 0.85 {
            (meta::R_ERRONEOUS, ids::REPLACED_BY, 1)
        } else if u < 0.95 {
            (meta::R_LIMITED, ids::WAS_A, 1 + self.rng.index(2))
        } else {
            (meta::R_NONCONFORMANCE, 0, 0)
        };
        let uu = self.rng.uuid();
        s.attrval
            .uuid(&uu)
            .u64(et)
            .flag(true)
            .u64(module)
            .u64(ids::CONCEPT_INACTIVATION_INDICATOR)
            .u64(id)
            .u64(reason)
            .end()?;
        self.targets.clear();
        if assoc == ids::WAS_A
            && let Some(p) = g.primary(i)
        {
            self.targets.push(p as u32);
        }
        let m = self.members(g.pool[i] as usize);
        let mut guard = 0;
        while self.targets.len() < n && guard < 20 {
            guard += 1;
            let t = m[self.rng.index(m.len())];
            if !self.targets.contains(&t) && t as usize != i {
                self.targets.push(t);
            }
        }
        for k in 0..self.targets.len() {
            let t = self.targets[k] as usize;
            let uu = self.rng.uuid();
            s.assoc
                .uuid(&uu)
                .u64(et)
                .flag(true)
                .u64(module)
                .u64(assoc)
                .u64(id)
                .u64(g.id[t])
                .end()?;
        }
        Ok(())
    }

    fn icd_code(&mut self, pool: usize, uk: bool) {
        let letters: &[u8] = match pool {
            meta::DISORDER => b"ABCDEFGHIJKLMNOQ",
            meta::FINDING => b"RRRM",
            meta::EVENT => b"VWXY",
            _ => b"Z",
        };
        self.code.clear();
        self.code.push(letters[self.rng.index(letters.len())] as char);
        let n = self.rng.below(100);
        self.code.push((b'0' + (n / 10) as u8) as char);
        self.code.push((b'0' + (n % 10) as u8) as char);
        if self.rng.chance(0.7) {
            if !uk {
                self.code.push('.');
            }
            self.code.push((b'0' + self.rng.below(10) as u8) as char);
        } else if uk {
            self.code.push('X');
        }
        if uk && self.rng.chance(0.03) {
            self.code.push(if self.rng.chance(0.5) { 'A' } else { 'D' });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn ext_row(
        &mut self,
        t: &mut Table,
        module: u64,
        refset: u64,
        id: u64,
        group: u64,
        prio: u64,
        rule: &str,
        last: u64,
        et: u64,
    ) -> Result<(), SynthError> {
        let u = self.rng.uuid();
        t.uuid(&u)
            .u64(et)
            .flag(true)
            .u64(module)
            .u64(refset)
            .u64(id)
            .u64(group)
            .u64(prio)
            .str(rule)
            .str(&self.advice)
            .str(&self.code)
            .u64(meta::CORRELATION_NOT_SPECIFIED)
            .u64(last)
            .end()
    }

    fn icd_int(&mut self, i: usize, s: &mut Sinks) -> Result<(), SynthError> {
        let g = self.ctx.g;
        let id = g.id[i];
        let pool = g.pool[i] as usize;
        let et = u64::from(self.ctx.dates[self.date_between(g.created[i]) as usize]);
        let Some(mut t) = s.extmap.take() else {
            return Ok(());
        };
        let (m, r) = (ids::ICD10_MODULE, ids::ICD10_MAP);
        let v = self.rng.f64();
        let res = (|| {
            if v < 0.78 {
                self.icd_code(pool, false);
                self.advice.clear();
                self.advice.push_str("ALWAYS ");
                self.advice.push_str(&self.code);
                self.ext_row(&mut t, m, r, id, 1, 1, "TRUE", meta::CAT_PROPER, et)?;
            } else if v < 0.88 {
                let age = self.rng.chance(0.2);
                self.icd_code(pool, false);
                self.advice.clear();
                if age {
                    self.advice
                        .push_str("IF AGE AT ONSET OF CLINICAL FINDING BEFORE 18.0 YEARS CHOOSE ");
                } else {
                    self.advice.push_str("IF FEMALE CHOOSE ");
                }
                self.advice.push_str(&self.code);
                self.advice.push_str(" | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT");
                let rule = if age {
                    "IFA 445518008 | Age at onset of clinical finding (observable entity) | < 18.0 years"
                } else {
                    "IFA 248152002 | Female (finding) |"
                };
                self.ext_row(&mut t, m, r, id, 1, 1, rule, meta::CAT_CONTEXT, et)?;
                self.icd_code(pool, false);
                self.advice.clear();
                self.advice.push_str("ALWAYS ");
                self.advice.push_str(&self.code);
                self.advice.push_str(" | MAP OF SOURCE CONCEPT IS CONTEXT DEPENDENT");
                self.ext_row(&mut t, m, r, id, 1, 2, "OTHERWISE TRUE", meta::CAT_CONTEXT, et)?;
            } else {
                self.code.clear();
                self.advice.clear();
                self.advice.push_str("MAP SOURCE CONCEPT CANNOT BE CLASSIFIED WITH AVAILABLE DATA");
                self.ext_row(&mut t, m, r, id, 1, 1, "TRUE", meta::CAT_CANNOT, et)?;
            }
            if self.rng.chance(0.15) {
                self.icd_code(meta::EVENT, false);
                self.advice.clear();
                self.advice.push_str("ALWAYS ");
                self.advice.push_str(&self.code);
                self.advice.push_str(" | POSSIBLE REQUIREMENT FOR AN EXTERNAL CAUSE CODE");
                self.ext_row(&mut t, m, r, id, 2, 1, "TRUE", meta::CAT_PROPER, et)?;
            }
            Ok(())
        })();
        s.extmap = Some(t);
        res
    }

    fn icd_uk(&mut self, i: usize, t: &mut Table) -> Result<(), SynthError> {
        let g = self.ctx.g;
        let id = g.id[i];
        let pool = g.pool[i] as usize;
        let et = u64::from(self.ctx.dates[self.date_between(g.created[i]) as usize]);
        let u = self.rng.f64();
        let blocks = if u < 0.85 {
            1
        } else if u < 0.97 {
            2
        } else {
            3
        };
        for b in 1..=blocks {
            let groups = if self.rng.chance(0.8) { 1 } else { 2 };
            for grp in 1..=groups {
                let prios = if self.rng.chance(0.75) { 1 } else { 2 + self.rng.below(3) };
                for p in 1..=prios {
                    self.icd_code(if grp == 1 { pool } else { meta::EVENT }, true);
                    self.advice.clear();
                    self.advice.push_str("ALWAYS ");
                    self.advice.push_str(&self.code);
                    if grp > 1 || p < prios {
                        self.advice.push_str(" | ADDITIONAL CODE POSSIBLE");
                    }
                    self.ext_row(
                        t,
                        meta::UKED_REFSET_MODULE,
                        ids::UK_ICD10_MAP,
                        id,
                        grp,
                        p,
                        "",
                        b,
                        et,
                    )?;
                }
            }
        }
        Ok(())
    }
}

fn is_icd_pool(pool: usize) -> bool {
    matches!(pool, meta::FINDING | meta::DISORDER | meta::EVENT | meta::SITUATION)
}

fn acceptability(kind: DK, us: bool) -> Option<u64> {
    match kind {
        DK::Fsn | DK::Pt => Some(ids::PREFERRED),
        DK::GbPt => Some(if us { ids::ACCEPTABLE } else { ids::PREFERRED }),
        DK::UsPt => us.then_some(ids::PREFERRED),
        DK::Syn | DK::InactiveSyn => Some(ids::ACCEPTABLE),
    }
}

/// Writes `n` filler members spread over `refsets`, referencing active concepts.
pub(crate) fn filler_simple(
    t: &mut Table,
    g: &Graph,
    refsets: &[u32],
    n: u64,
    module: u64,
    dates: &[u32],
    rng: &mut Rng,
) -> Result<(), SynthError> {
    let act: Vec<u32> = (0..g.len() as u32).filter(|&i| g.active[i as usize]).collect();
    if refsets.is_empty() || act.is_empty() {
        return Ok(());
    }
    let len = act.len() as u64;
    let mut left = n;
    for (k, &r) in refsets.iter().enumerate() {
        let share =
            if k + 1 == refsets.len() { left } else { (n / refsets.len() as u64).min(left) };
        let share = share.min(len);
        left -= share;
        // a stride coprime with len visits distinct concepts
        let mut stride = 1 + rng.below(len.max(2) - 1);
        while gcd(stride, len) != 1 {
            stride += 1;
        }
        let start = rng.below(len);
        let et = u64::from(dates[dates.len() - 1 - rng.index(4.min(dates.len()))]);
        for j in 0..share {
            let c = act[((start + j * stride) % len) as usize] as usize;
            let u = rng.uuid();
            t.uuid(&u).u64(et).flag(true).u64(module).u64(g.id[r as usize]).u64(g.id[c]).end()?;
        }
    }
    Ok(())
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}
