//! `CodeSystem/$lookup` and `CodeSystem/$subsumes`.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use sctx_store::Store;
use sctx_types::{LanguagePreference, ids};
use serde_json::{Value, json};

use super::expression::{self, AttrValue, Expression};
use super::{
    Ctx, Edition, Issue, Oo, Params, SCT, concept_idx, display, fhir_date, is_snomed, language,
    parameters, resolve_version,
};

/// `system`, `code`, `version` of a request, from the plain parameters or a Coding.
pub(crate) struct Target {
    pub system: Option<String>,
    pub code: String,
    pub version: Option<String>,
}

/// The name of a description type for designation `use` codings.
pub(crate) fn type_name(type_id: u64) -> &'static str {
    match type_id {
        ids::FSN => "Fully specified name",
        ids::SYNONYM => "Synonym",
        ids::DEFINITION => "Definition",
        _ => "Designation",
    }
}

/// Checks the system is SNOMED CT and resolves the version to an edition.
pub(crate) fn snomed_edition(
    ctx: &Ctx,
    system: Option<&str>,
    version: Option<&str>,
) -> Result<Edition, Oo> {
    match system {
        None => Err(Oo::invalid("No system was provided (system is required with code)")),
        Some(s) if !is_snomed(s) => Err(Oo::new(
            StatusCode::NOT_FOUND,
            Issue::new(
                "error",
                "not-found",
                format!("A definition for CodeSystem '{s}' could not be found"),
            )
            .tx("not-found")
            .id("UNKNOWN_CODESYSTEM"),
        )),
        Some(s) => {
            let v = version.or((s != SCT && s != "http://snomed.info/xsct").then_some(s));
            resolve_version(&ctx.db, v)
        }
    }
}

/// The "unknown code" issue.
pub(crate) fn unknown_code(code: &str, ed: &Edition) -> Issue {
    Issue::new(
        "error",
        "code-invalid",
        format!(
            "Unknown code '{code}' in the CodeSystem '{SCT}' version '{}' ({})",
            ed.edition_uri(),
            ed.name()
        ),
    )
    .tx("invalid-code")
    .id("Unknown_Code_in_Version")
}

fn part(name: &str, key: &str, v: Value) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("name".into(), json!(name));
    o.insert(key.into(), v);
    Value::Object(o)
}

/// A `property` parameter: its code, its value as `(valueX, value)`, and an optional
/// description part. Built straight into the parts (no intermediate objects).
fn property(code: &str, value: (&str, Value), description: Option<String>) -> Value {
    let mut parts = Vec::with_capacity(4);
    parts.push(part("code", "valueCode", Value::String(code.to_string())));
    parts.push(part("value", value.0, value.1));
    if let Some(d) = description {
        parts.push(part("description", "valueString", Value::String(d)));
    }
    json!({ "name": "property", "part": parts })
}

fn code_prop(store: &Store, code: &str, idx: u32, lang: &LanguagePreference) -> Value {
    property(
        code,
        ("valueCode", Value::String(store.id_of(idx).to_string())),
        Some(display(store, idx, lang)),
    )
}

fn attr_prop(store: &Store, a: u32, v: &AttrValue, lang: &LanguagePreference) -> Value {
    let (value, desc) = match v {
        AttrValue::Concept(c) => (
            ("valueCode", Value::String(c.to_string())),
            store.index_of(*c).map(|i| display(store, i, lang)),
        ),
        AttrValue::Concrete(s) => (("valueString", Value::String(s.clone())), None),
        AttrValue::Nested(e) => (("valueString", Value::String(e.render(store, lang))), None),
    };
    let mut p = property(&store.id_of(a).to_string(), value, desc);
    if let Some(parts) = p.get_mut("part").and_then(Value::as_array_mut) {
        parts.push(part("code-display", "valueString", Value::String(display(store, a, lang))));
    }
    p
}

/// Which properties to return.
struct Wanted(Vec<String>);

impl Wanted {
    fn has(&self, code: &str) -> bool {
        const DEFAULT: &[&str] =
            &["parent", "child", "effectiveTime", "inactive", "designation", "attributes"];
        if self.0.is_empty() {
            DEFAULT.contains(&code)
        } else {
            self.0.iter().any(|p| p == code || p == "*")
        }
    }
    fn attribute(&self, id: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|p| p == id || p == "*")
    }
}

/// Role groups of a concept (0 = ungrouped): attribute type index and value.
fn groups(store: &Store, idx: u32) -> BTreeMap<u32, Vec<(u32, AttrValue)>> {
    let mut g: BTreeMap<u32, Vec<(u32, AttrValue)>> = BTreeMap::new();
    for r in store.outbound(idx) {
        if store.id_of(r.type_idx) == ids::IS_A {
            continue;
        }
        g.entry(r.group).or_default().push((r.type_idx, AttrValue::Concept(store.id_of(r.other))));
    }
    for c in store.concrete(idx) {
        g.entry(c.group).or_default().push((c.type_idx, AttrValue::Concrete(c.value.to_string())));
    }
    // by attribute id, then value (concept ids numerically, concrete values as text; the
    // rare nested expression by its rendering)
    fn rank(v: &AttrValue) -> (u8, u64, std::borrow::Cow<'_, str>) {
        match v {
            AttrValue::Concept(c) => (0, *c, "".into()),
            AttrValue::Concrete(s) => (1, 0, s.as_str().into()),
            AttrValue::Nested(e) => (2, 0, format!("{e:?}").into()),
        }
    }
    for v in g.values_mut() {
        v.sort_by(|(ta, va), (tb, vb)| {
            store.id_of(*ta).cmp(&store.id_of(*tb)).then_with(|| rank(va).cmp(&rank(vb)))
        });
    }
    g
}

/// The necessary normal form of a concept as an expression.
fn normal_form(store: &Store, idx: u32) -> Expression {
    let mut focus: Vec<u64> = store.parents(idx).iter().map(|&p| store.id_of(p)).collect();
    focus.sort_unstable();
    let mut e = Expression { focus, ungrouped: Vec::new(), groups: Vec::new() };
    for (g, attrs) in groups(store, idx) {
        let set: Vec<(u64, AttrValue)> =
            attrs.into_iter().map(|(t, v)| (store.id_of(t), v)).collect();
        if g == 0 {
            e.ungrouped = set;
        } else {
            e.groups.push(set);
        }
    }
    e
}

fn normal_form_terse(e: &Expression) -> String {
    e.normal()
}

/// `CodeSystem/$lookup`.
pub(crate) fn lookup(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    let t = target(p, "code", "coding")?;
    let ed = snomed_edition(ctx, t.system.as_deref(), t.version.as_deref())?;
    let lang = language(ctx, p, &ed);
    let wanted = Wanted(p.strs("property"));
    let store = ctx.store();
    let mut out = vec![
        json!({ "name": "name", "valueString": format!("{SCT}|{}", ed.uri()) }),
        json!({ "name": "system", "valueUri": SCT }),
        json!({ "name": "version", "valueString": ed.uri() }),
        json!({ "name": "code", "valueCode": t.code }),
    ];
    if expression::is_expression(&t.code) {
        let e = expression::parse(&t.code).and_then(|e| e.validate(store).map(|()| e)).map_err(
            |why| {
                Oo::new(StatusCode::NOT_FOUND, unknown_code(&t.code, &ed).at("code")).with(
                    Issue::new(
                        "information",
                        "code-invalid",
                        format!("Not a valid expression: {why}"),
                    )
                    .tx("invalid-code")
                    .at("code"),
                )
            },
        )?;
        let text = e.render(store, &lang);
        out.push(json!({ "name": "display", "valueString": text }));
        if wanted.has("designation") {
            out.push(json!({ "name": "designation", "part": [
                { "name": "language", "valueCode": "en" },
                { "name": "use", "valueCoding": {
                    "system": "http://terminology.hl7.org/CodeSystem/hl7TermMaintInfra",
                    "code": "preferredForLanguage", "display": "Preferred For Language" } },
                { "name": "value", "valueString": text },
            ]}));
        }
        if wanted.has("parent") {
            for f in &e.focus {
                if let Some(i) = store.index_of(*f) {
                    out.push(code_prop(store, "parent", i, &lang));
                }
            }
        }
        if wanted.has("inactive") {
            out.push(property("inactive", ("valueBoolean", json!(false)), None));
        }
        {
            let mut attrs: Vec<(u32, AttrValue)> = Vec::new();
            for f in &e.focus {
                if let Some(i) = store.index_of(*f) {
                    attrs.extend(groups(store, i).into_values().flatten());
                }
            }
            for (a, v) in e.attributes() {
                if let Some(ai) = store.index_of(*a) {
                    attrs.retain(|(t, _)| *t != ai);
                    attrs.push((ai, v.clone()));
                }
            }
            for (a, v) in attrs {
                if wanted.attribute(&store.id_of(a).to_string()) {
                    out.push(attr_prop(store, a, &v, &lang));
                }
            }
        }
        return Ok(parameters(out));
    }
    let Some(idx) = concept_idx(store, &t.code) else {
        return Err(Oo::new(StatusCode::NOT_FOUND, unknown_code(&t.code, &ed).at("code")));
    };
    let Some(c) = store.concept(idx) else {
        return Err(Oo::processing("concept record missing"));
    };
    out.push(json!({ "name": "display", "valueString": display(store, idx, &lang) }));
    if wanted.has("designation") {
        let pt = store.preferred_description(idx, &lang).map(|d| d.id);
        let mut ds: Vec<_> = store
            .descriptions(idx)
            .filter(|d| d.active)
            .map(|d| {
                let rank = match d.type_id {
                    _ if Some(d.id) == pt => 0,
                    ids::SYNONYM => 1,
                    ids::FSN => 2,
                    _ => 3,
                };
                (rank, d.term.to_string(), d.language_code.to_string(), d.type_id)
            })
            .collect();
        ds.sort();
        for (_, term, lc, type_id) in ds {
            out.push(json!({ "name": "designation", "part": [
                { "name": "language", "valueCode": lc },
                { "name": "use", "valueCoding": {
                    "system": SCT, "code": type_id.to_string(), "display": type_name(type_id) } },
                { "name": "value", "valueString": term },
            ]}));
        }
    }
    if wanted.has("parent") {
        for &pi in store.parents(idx) {
            out.push(code_prop(store, "parent", pi, &lang));
        }
    }
    if wanted.has("child") {
        for &ci in store.children(idx) {
            out.push(code_prop(store, "child", ci, &lang));
        }
    }
    if wanted.has("inactive") {
        out.push(property("inactive", ("valueBoolean", json!(!c.active)), None));
    }
    if wanted.has("effectiveTime")
        && let Some(d) = fhir_date(c.effective_time)
    {
        out.push(property("effectiveTime", ("valueDateTime", json!(d)), None));
    }
    if wanted.has("sufficientlyDefined") {
        out.push(property(
            "sufficientlyDefined",
            ("valueBoolean", json!(c.definition_status == ids::DEFINED)),
            None,
        ));
    }
    if wanted.has("moduleId") {
        out.push(property("moduleId", ("valueCode", json!(c.module.to_string())), None));
    }
    if wanted.has("module") {
        let desc = store.index_of(c.module).map(|m| display(store, m, &lang));
        out.push(property("module", ("valueCode", json!(c.module.to_string())), desc));
    }
    if wanted.has("normalForm") || wanted.has("normalFormTerse") {
        let nf = normal_form(store, idx);
        let prefix = if c.primitive { "<<< " } else { "=== " };
        if wanted.has("normalForm") {
            out.push(property(
                "normalForm",
                ("valueString", json!(format!("{prefix}{}", nf.render(store, &lang)))),
                None,
            ));
        }
        if wanted.has("normalFormTerse") {
            out.push(property(
                "normalFormTerse",
                ("valueString", json!(format!("{prefix}{}", normal_form_terse(&nf)))),
                None,
            ));
        }
    }
    let gs = groups(store, idx);
    for (a, v) in gs.values().flatten() {
        let id = store.id_of(*a).to_string();
        if wanted.attribute(&id) {
            out.push(attr_prop(store, *a, v, &lang));
        }
    }
    let role_group = ids::ROLE_GROUP.to_string();
    if !wanted.0.is_empty() && wanted.0.iter().any(|p| p == &role_group || p == "*") {
        for (g, attrs) in gs.iter().filter(|(g, _)| **g > 0) {
            let subs: Vec<Value> = attrs
                .iter()
                .map(|(a, v)| {
                    let mut s = attr_prop(store, *a, v, &lang);
                    if let Some(o) = s.as_object_mut() {
                        o.insert("name".into(), json!("subproperty"));
                    }
                    s
                })
                .collect();
            let mut parts = vec![
                part("code", "valueCode", json!(role_group)),
                part("value", "valueInteger", json!(g)),
            ];
            parts.extend(subs);
            out.push(json!({ "name": "property", "part": parts }));
        }
    }
    Ok(parameters(out))
}

impl Oo {
    pub(crate) fn with(mut self, issue: Issue) -> Self {
        self.issues.push(issue);
        self
    }
}

/// Reads `code`/`system`/`version` or a Coding parameter.
pub(crate) fn target(p: &Params, code: &str, coding: &str) -> Result<Target, Oo> {
    if let Some(c) = p.coding(coding) {
        let Some(code) = c.code else {
            return Err(Oo::invalid(format!("The {coding} parameter has no code")));
        };
        return Ok(Target {
            system: c.system.or_else(|| p.str("system")),
            code,
            version: c.version.or_else(|| p.str("version")),
        });
    }
    let Some(c) = p.str(code) else {
        return Err(Oo::invalid(format!("No {code} or {coding} parameter was provided")));
    };
    Ok(Target { system: p.str("system"), code: c, version: p.str("version") })
}

/// `CodeSystem/$subsumes`.
pub(crate) fn subsumes(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    let a = target(p, "codeA", "codingA")?;
    let b = target(p, "codeB", "codingB")?;
    let system = a.system.clone().or_else(|| b.system.clone());
    let ed = snomed_edition(ctx, system.as_deref(), a.version.as_deref().or(b.version.as_deref()))?;
    if let Some(sb) = &b.system
        && !is_snomed(sb)
    {
        return Err(Oo::invalid(format!("codingB has system {sb}, which is not SNOMED CT")));
    }
    let store = ctx.store();
    let idx = |t: &Target, which: &str| {
        if expression::is_expression(&t.code) {
            return Err(Oo::not_supported(format!(
                "Subsumption testing of post-coordinated expressions ({which} = '{}') is not supported",
                t.code
            )));
        }
        concept_idx(store, &t.code).ok_or_else(|| {
            Oo::new(StatusCode::NOT_FOUND, unknown_code(&t.code, &ed).at(which.to_string()))
        })
    };
    let (ia, ib) = (idx(&a, "codeA")?, idx(&b, "codeB")?);
    let outcome = match ctx.db.subsumes_idx(ia, ib) {
        sctx_db::Subsumption::Equivalent => "equivalent",
        sctx_db::Subsumption::Subsumes => "subsumes",
        sctx_db::Subsumption::SubsumedBy => "subsumed-by",
        sctx_db::Subsumption::NotSubsumed => "not-subsumed",
    };
    Ok(parameters(vec![json!({ "name": "outcome", "valueCode": outcome })]))
}
