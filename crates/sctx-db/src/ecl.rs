//! ECL over the store: the [`EclBackend`] implementation and the query API.

use std::sync::OnceLock;
use std::time::Duration;

use roaring::RoaringBitmap;
use sctx_ecl::{
    ConcreteRel, ConcreteValue, DescriptionView, EclBackend, Evaluator, FieldValue, Limits,
    MemberView, Rel, parse,
};
use sctx_store::{FieldValue as StoreField, Store};
use sctx_types::{LanguagePreference, ids};
use serde::Serialize;

use crate::detail::concept_ref;
use crate::{ConceptRef, Database, DbError};

/// Resolves an ECL alternate identifier (scheme, code) to concept indices.
pub type AlternateResolver<'a> = &'a (dyn Fn(&str, &str) -> Option<Vec<u32>> + Sync);

/// The store seen by the ECL evaluator.
pub struct StoreBackend<'a> {
    store: &'a Store,
    active: &'a RoaringBitmap,
    alt: Option<AlternateResolver<'a>>,
    refset_cache: &'a RefsetCache,
}

/// Concepts referenced by active members, per refset, computed on first use.
pub(crate) type RefsetCache =
    std::sync::Mutex<std::collections::HashMap<u64, std::sync::Arc<RoaringBitmap>>>;

impl std::fmt::Debug for StoreBackend<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreBackend").finish_non_exhaustive()
    }
}

fn rel(r: sctx_store::RelView) -> Rel {
    Rel { type_idx: r.type_idx, other: r.other, group: r.group.min(u16::MAX as u32) as u16 }
}

/// Parses an RF2 concrete value: `#5`, `#0.5`, `"text"`, `true`.
pub fn concrete_value(s: &str) -> ConcreteValue {
    if let Some(n) = s.strip_prefix('#') {
        if let Ok(i) = n.parse::<i64>() {
            return ConcreteValue::Integer(i);
        }
        if let Ok(f) = n.parse::<f64>() {
            return ConcreteValue::Decimal(f);
        }
    }
    match s {
        "true" => return ConcreteValue::Boolean(true),
        "false" => return ConcreteValue::Boolean(false),
        _ => {}
    }
    let inner = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(s);
    ConcreteValue::String(inner.replace("\\\"", "\""))
}

impl EclBackend for StoreBackend<'_> {
    fn concept_count(&self) -> u32 {
        self.store.concept_count()
    }
    fn index_of(&self, id: u64) -> Option<u32> {
        self.store.index_of(id)
    }
    fn id_of(&self, idx: u32) -> u64 {
        self.store.id_of(idx)
    }
    fn is_active(&self, idx: u32) -> bool {
        self.store.is_active(idx)
    }
    fn module(&self, idx: u32) -> u64 {
        self.store.concept(idx).map(|c| c.module).unwrap_or(0)
    }
    fn effective_time(&self, idx: u32) -> u32 {
        self.store.concept(idx).map(|c| c.effective_time).unwrap_or(0)
    }
    fn is_primitive(&self, idx: u32) -> bool {
        self.store.concept(idx).is_some_and(|c| c.primitive)
    }
    fn parents(&self, idx: u32) -> &[u32] {
        self.store.parents(idx)
    }
    fn children(&self, idx: u32) -> &[u32] {
        self.store.children(idx)
    }
    fn ancestors(&self, idx: u32) -> &[u32] {
        self.store.ancestors(idx)
    }
    fn descendants(&self, idx: u32) -> &[u32] {
        self.store.descendants(idx)
    }
    fn outbound(&self, idx: u32) -> Vec<Rel> {
        self.store.outbound(idx).map(rel).collect()
    }
    fn inbound(&self, idx: u32) -> Vec<Rel> {
        self.store.inbound(idx).map(rel).collect()
    }
    fn concrete(&self, idx: u32) -> Vec<ConcreteRel> {
        self.store
            .concrete(idx)
            .map(|c| ConcreteRel {
                type_idx: c.type_idx,
                group: c.group.min(u16::MAX as u32) as u16,
                value: concrete_value(c.value),
            })
            .collect()
    }
    /// The concept's descriptions and text definitions: a description filter without a
    /// type matches any description type, text definitions included (`type = def` selects
    /// them).
    fn descriptions(&self, idx: u32) -> Vec<DescriptionView<'_>> {
        self.filter_descriptions(idx, true)
    }
    fn filter_descriptions(&self, idx: u32, acceptability: bool) -> Vec<DescriptionView<'_>> {
        self.store
            .descriptions(idx)
            .chain(self.store.text_definitions(idx))
            .map(|d| DescriptionView {
                id: d.id,
                active: d.active,
                module: d.module,
                effective_time: d.effective_time,
                language_code: d.language_code,
                type_id: d.type_id,
                term: d.term,
                acceptability: if acceptability {
                    d.acceptability().map(|(r, a)| (r, a == ids::PREFERRED)).collect()
                } else {
                    Vec::new()
                },
            })
            .collect()
    }
    fn refset_members(&self, refset_id: u64) -> Vec<MemberView<'_>> {
        self.store
            .members_of(refset_id)
            .map(|m| MemberView {
                id: None,
                refset: m.refset,
                referenced_component: m.referenced,
                active: m.active,
                module: m.module,
                effective_time: m.effective_time,
                fields: m
                    .fields
                    .iter()
                    .map(|(n, v)| {
                        let v = match v {
                            StoreField::Id(i) => FieldValue::Id(*i),
                            StoreField::Int(i) => FieldValue::Integer(*i),
                            StoreField::Str(s) => FieldValue::String(s),
                            StoreField::Empty => FieldValue::String(""),
                        };
                        (*n, v)
                    })
                    .collect(),
            })
            .collect()
    }
    fn member_refsets(&self, idx: u32) -> Vec<u64> {
        let mut v: Vec<u64> = self
            .store
            .members_for(self.store.id_of(idx))
            .filter(|m| m.active)
            .map(|m| m.refset)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    fn associations(&self, idx: u32) -> Vec<(u64, u32)> {
        self.store.associations_from(idx).collect()
    }
    fn association_sources(&self, target_idx: u32) -> Vec<(u64, u32)> {
        self.store.associations_to(target_idx).collect()
    }
    fn alternate_identifier(&self, scheme: &str, code: &str) -> Option<Vec<u32>> {
        self.alt.and_then(|f| f(scheme, code))
    }
    fn refset_ids(&self) -> Option<Vec<u64>> {
        Some(self.store.refsets().filter(|r| r.members > 0).map(|r| r.id).collect())
    }
    fn active_concepts(&self) -> Option<&RoaringBitmap> {
        Some(self.active)
    }
    fn active_member_concepts(&self, refset_id: u64) -> Option<RoaringBitmap> {
        if let Some(b) = self.refset_cache.lock().unwrap_or_else(|p| p.into_inner()).get(&refset_id)
        {
            return Some((**b).clone());
        }
        let mut b = RoaringBitmap::new();
        for (referenced, active) in self.store.member_refs(refset_id) {
            if active && let Some(i) = self.store.index_of(referenced) {
                b.insert(i);
            }
        }
        let b = std::sync::Arc::new(b);
        self.refset_cache.lock().unwrap_or_else(|p| p.into_inner()).insert(refset_id, b.clone());
        Some((*b).clone())
    }
}

/// Options for [`Database::ecl`].
#[derive(Debug, Clone)]
pub struct EclOptions {
    /// Page size (0 with `count_only`).
    pub limit: usize,
    /// Page offset.
    pub offset: usize,
    /// Only count.
    pub count_only: bool,
    /// Fail when the result has more concepts than this.
    pub max_results: u64,
    /// Fail when evaluation takes longer than this.
    pub timeout: Duration,
    /// Treat concepts that are not in the database as errors (FHIR), instead of empty
    /// sets (the ECL specification's default).
    pub strict: bool,
}

impl Default for EclOptions {
    fn default() -> Self {
        EclOptions {
            limit: 100,
            offset: 0,
            count_only: false,
            max_results: 5_000_000,
            timeout: Duration::from_secs(20),
            strict: false,
        }
    }
}

/// An ECL answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EclResult {
    /// The expression in canonical form.
    pub ecl: String,
    /// Number of concepts.
    pub total: u64,
    /// Page offset.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// The page, ordered by id (empty when the answer is member rows).
    pub items: Vec<ConceptRef>,
    /// For an expression whose final operation selects several refset member fields or all
    /// of them (`^ [mapTarget, mapGroup] X`, `^ [*] X`): the page of member rows, in refset
    /// and member order; `total` counts rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<EclMemberRow>>,
}

/// One refset member selected by an ECL member field selection. Ids are strings in JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct EclMemberRow {
    /// The refset.
    pub refset_id: u64,
    /// The member's referenced component.
    pub referenced_component_id: u64,
    /// The selected fields by name, in selection order (every field for `[*]`).
    pub fields: Vec<(String, sctx_ecl::FieldValueOwned)>,
}

impl Serialize for EclMemberRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        /// The selected fields as a JSON object in selection order.
        struct Fields<'a>(&'a [(String, sctx_ecl::FieldValueOwned)]);
        impl Serialize for Fields<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (name, v) in self.0 {
                    match v {
                        sctx_ecl::FieldValueOwned::Id(i) => {
                            m.serialize_entry(name, &i.to_string())?
                        }
                        sctx_ecl::FieldValueOwned::Integer(i) => m.serialize_entry(name, i)?,
                        sctx_ecl::FieldValueOwned::String(t) => m.serialize_entry(name, t)?,
                    }
                }
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("refsetId", &self.refset_id.to_string())?;
        m.serialize_entry("referencedComponentId", &self.referenced_component_id.to_string())?;
        m.serialize_entry("fields", &Fields(&self.fields))?;
        m.end()
    }
}

impl Database {
    pub(crate) fn active_set(&self) -> &RoaringBitmap {
        static_active(&self.active, self.store())
    }

    /// The evaluator backend over this database.
    pub fn ecl_backend(&self) -> StoreBackend<'_> {
        StoreBackend {
            store: self.store(),
            active: self.active_set(),
            alt: None,
            refset_cache: &self.refset_cache,
        }
    }

    /// Parses ECL, checking that every concept id in it is a valid SCTID.
    pub fn ecl_parse(&self, text: &str) -> Result<sctx_ecl::Expr, DbError> {
        let expr =
            parse(text).map_err(|e| DbError::EclSyntax { rendered: e.render(text), error: e })?;
        for id in expr.concept_ids() {
            if let Err(e) = sctx_types::SctId::from_u64(id) {
                return Err(DbError::InvalidId { input: id.to_string(), reason: e.to_string() });
            }
        }
        Ok(expr)
    }

    /// Evaluates ECL to a bitmap of dense concept indices.
    pub fn ecl_set(&self, text: &str, limits: Limits) -> Result<RoaringBitmap, DbError> {
        let expr = self.ecl_parse(text)?;
        self.ecl_eval(&expr, limits, false)
    }

    /// Evaluates a parsed expression.
    pub fn ecl_eval(
        &self,
        expr: &sctx_ecl::Expr,
        limits: Limits,
        strict: bool,
    ) -> Result<RoaringBitmap, DbError> {
        self.with_evaluator(limits, strict, |e| e.evaluate(expr))
    }

    /// Runs `f` with an evaluator over this database (alternate identifiers resolved).
    fn with_evaluator<T>(
        &self,
        limits: Limits,
        strict: bool,
        f: impl FnOnce(Evaluator<'_, StoreBackend<'_>>) -> Result<T, sctx_ecl::EvalError>,
    ) -> Result<T, DbError> {
        let backend = self.ecl_backend();
        let alt = self.alternate_identifier_fn();
        let backend = StoreBackend { alt: alt.as_deref(), ..backend };
        f(Evaluator::new(&backend).with_limits(limits).strict(strict)).map_err(DbError::EclEval)
    }

    /// Evaluates ECL and returns a count and a page of concepts ordered by id.
    pub fn ecl(
        &self,
        text: &str,
        opts: &EclOptions,
        lang: &LanguagePreference,
    ) -> Result<EclResult, DbError> {
        let expr = self.ecl_parse(text)?;
        let limits = Limits { max_results: opts.max_results, timeout: opts.timeout };
        // several fields, or all, are member rows; one field is concepts when its values
        // are (`^ [targetComponentId] X`), else member rows too (`^ [mapTarget] X`)
        let set = if expr.selects_member_rows() {
            None
        } else {
            match self.ecl_eval(&expr, limits, opts.strict) {
                Err(DbError::EclEval(sctx_ecl::EvalError::NotConcepts(_)))
                    if expr.selects_member_fields() =>
                {
                    None
                }
                other => Some(other?),
            }
        };
        let Some(set) = set else {
            let rows = self.with_evaluator(limits, opts.strict, |e| e.member_fields(&expr))?;
            let total = rows.len() as u64;
            let page = if opts.count_only {
                Vec::new()
            } else {
                rows.into_iter()
                    .skip(opts.offset)
                    .take(opts.limit)
                    .map(|r| EclMemberRow {
                        refset_id: r.refset,
                        referenced_component_id: r.referenced_component,
                        fields: r.fields,
                    })
                    .collect()
            };
            return Ok(EclResult {
                ecl: expr.to_string(),
                total,
                offset: opts.offset,
                limit: opts.limit,
                items: Vec::new(),
                rows: Some(page),
            });
        };
        let total = set.len();
        let items = if opts.count_only {
            Vec::new()
        } else {
            let s = self.store();
            // indices are assigned in id order, so bitmap order is id order
            set.iter().skip(opts.offset).take(opts.limit).map(|i| concept_ref(s, i, lang)).collect()
        };
        Ok(EclResult {
            ecl: expr.to_string(),
            total,
            offset: opts.offset,
            limit: opts.limit,
            items,
            rows: None,
        })
    }
}

/// The ECL substrate: active concepts of the inferred hierarchy under the root. In a
/// complete release this is every active concept (every one but the root has an is-a
/// parent); in extracted subsets whose metadata concepts lost their is-a relationships it
/// leaves those out, as `<< 138875005` does (this is what the HL7 snomed suite expects of
/// `*`). Without a root concept, every active concept.
fn static_active<'a>(cell: &'a OnceLock<RoaringBitmap>, store: &Store) -> &'a RoaringBitmap {
    cell.get_or_init(|| {
        let active = (0..store.concept_count()).filter(|&i| store.is_active(i));
        match store.index_of(ids::ROOT) {
            Some(root) => {
                let mut under: RoaringBitmap = store.descendants(root).iter().copied().collect();
                under.insert(root);
                active.filter(|i| under.contains(*i)).collect()
            }
            None => active.collect(),
        }
    })
}
