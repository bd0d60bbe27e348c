//! Value sets: implicit SNOMED value sets (`?fhir_vs`), inline `ValueSet` resources
//! (`valueSet`, `tx-resource`), their evaluation, and `ValueSet/$expand`.

use std::collections::HashSet;

use roaring::RoaringBitmap;

use axum::http::StatusCode;
use sctx_store::Store;
use sctx_types::LanguagePreference;
use serde_json::{Value, json};

use super::expression::{self, Expression};
use super::lookup::type_name;
use super::params::percent_decode;
use super::{
    Ctx, Edition, Issue, Oo, Params, SCT, default_edition, display, is_snomed, language, new_uuid,
    resolve_version,
};

const EXT_UNCLOSED: &str = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed";
const EXT_VS_EXP_PROP: &str =
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.property";
const EXT_EXP_CONT_PROP: &str =
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property";

/// One `compose.include` / `compose.exclude` entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Part {
    pub system: Option<String>,
    pub version: Option<String>,
    pub concepts: Vec<String>,
    pub filters: Vec<(String, String, String)>,
    pub value_sets: Vec<String>,
}

/// A value set definition.
#[derive(Debug, Clone, Default)]
pub(crate) struct VsDef {
    pub url: Option<String>,
    pub version: Option<String>,
    /// The resource it came from (for the expansion's metadata).
    pub resource: Option<Value>,
    pub includes: Vec<Part>,
    pub excludes: Vec<Part>,
    pub implicit: bool,
}

impl VsDef {
    /// `url|version`, `url`, or a placeholder for anonymous value sets.
    pub(crate) fn label(&self) -> String {
        match (&self.url, &self.version) {
            (Some(u), Some(v)) => format!("{u}|{v}"),
            (Some(u), None) => u.clone(),
            _ => "(inline value set)".into(),
        }
    }
}

/// A member of an expansion.
#[derive(Debug, Clone)]
pub(crate) enum Member {
    Concept(u32),
    Expr { code: String, display: String },
}

/// The evaluated members of one include/exclude.
pub(crate) struct PartEval {
    pub concepts: Vec<u32>,
    pub concept_set: RoaringBitmap,
    /// Enumerated expressions: (normal form, code as given, parsed).
    pub exprs: Vec<(String, String, Expression)>,
    /// Expressions whose focus concepts are in `concepts` are members.
    pub allow_expressions: bool,
    /// Defined by filters (an intensional, open definition).
    pub filtered: bool,
    pub edition: Edition,
}

fn not_found_vs(url: &str) -> Oo {
    Oo::new(
        StatusCode::NOT_FOUND,
        Issue::new(
            "error",
            "not-found",
            format!("A definition for the value Set '{url}' could not be found"),
        )
        .tx("not-found")
        .id("Unable_to_resolve_value_Set_"),
    )
}

fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn parts_of(v: Option<&Value>) -> Result<Vec<Part>, Oo> {
    let Some(arr) = v else { return Ok(Vec::new()) };
    let Some(arr) = arr.as_array() else {
        return Err(Oo::invalid("ValueSet.compose.include must be an array"));
    };
    arr.iter()
        .map(|inc| {
            let concepts = inc
                .get("concept")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|c| str_of(c, "code")).collect())
                .unwrap_or_default();
            let filters = inc
                .get("filter")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|f| {
                            (
                                str_of(f, "property").unwrap_or_default(),
                                str_of(f, "op").unwrap_or_default(),
                                str_of(f, "value").unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let value_sets = inc
                .get("valueSet")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            Ok(Part {
                system: str_of(inc, "system"),
                version: str_of(inc, "version"),
                concepts,
                filters,
                value_sets,
            })
        })
        .collect()
}

/// A value set definition from a `ValueSet` resource.
pub(crate) fn from_resource(v: &Value) -> Result<VsDef, Oo> {
    if v.get("resourceType").and_then(Value::as_str) != Some("ValueSet") {
        return Err(Oo::invalid("The valueSet parameter is not a ValueSet resource"));
    }
    let compose = v.get("compose");
    Ok(VsDef {
        url: str_of(v, "url"),
        version: str_of(v, "version"),
        resource: Some(v.clone()),
        includes: parts_of(compose.and_then(|c| c.get("include")))?,
        excludes: parts_of(compose.and_then(|c| c.get("exclude")))?,
        implicit: false,
    })
}

/// The implicit SNOMED value set of a URL (`[edition/version]?fhir_vs[=...]`), or `None`
/// when the URL is not one.
pub(crate) fn implicit(ctx: &Ctx, url: &str) -> Option<Result<VsDef, Oo>> {
    let (base, query) = url.split_once('?')?;
    if !is_snomed(base) {
        return None;
    }
    let q = query.strip_prefix("fhir_vs")?;
    Some((|| {
        let version = (base != SCT && base != "http://snomed.info/xsct").then(|| base.to_string());
        let ed = resolve_version(&ctx.db, version.as_deref())?;
        let arg = match q.strip_prefix('=') {
            Some(a) => {
                let once = percent_decode(a);
                if once.contains('%') { percent_decode(&once) } else { once }
            }
            None if q.is_empty() => String::new(),
            None => return Err(not_found_vs(url)),
        };
        let store = ctx.store();
        let mut part =
            Part { system: Some(SCT.into()), version: Some(ed.uri()), ..Part::default() };
        if arg.is_empty() {
            part.filters.push(("constraint".into(), "=".into(), "*".into()));
        } else if let Some(id) = arg.strip_prefix("isa/") {
            if super::concept_idx(store, id).is_none() {
                return Err(not_found_vs(url));
            }
            part.filters.push(("concept".into(), "is-a".into(), id.trim().into()));
        } else if let Some(id) = arg.strip_prefix("refset/") {
            let is_refset = sctx_db::parse_id(id.trim())
                .ok()
                .and_then(|r| store.refset(r))
                .is_some_and(|r| r.members > 0);
            if !is_refset {
                return Err(not_found_vs(url));
            }
            part.filters.push(("concept".into(), "in".into(), id.trim().into()));
        } else if arg == "refset" {
            let mut ids: Vec<u64> =
                store.refsets().filter(|r| r.members > 0).map(|r| r.id).collect();
            ids.sort_unstable();
            part.concepts = ids.iter().map(u64::to_string).collect();
        } else if let Some(ecl) = arg.strip_prefix("ecl/") {
            part.filters.push(("constraint".into(), "=".into(), ecl.into()));
        } else {
            return Err(not_found_vs(url));
        }
        Ok(VsDef {
            url: Some(url.to_string()),
            version: None,
            resource: None,
            includes: vec![part],
            excludes: Vec::new(),
            implicit: true,
        })
    })())
}

/// Resolves a value set URL (`url[|version]`): implicit SNOMED value sets, then
/// `tx-resource` value sets.
pub(crate) fn resolve(ctx: &Ctx, p: &Params, url: &str) -> Result<VsDef, Oo> {
    if let Some(r) = implicit(ctx, url) {
        return r;
    }
    let (u, v) = match url.split_once('|') {
        Some((u, v)) => (u, Some(v.to_string())),
        None => (url, p.str("valueSetVersion")),
    };
    for r in p.resources("tx-resource") {
        if r.get("resourceType").and_then(Value::as_str) == Some("ValueSet")
            && r.get("url").and_then(Value::as_str) == Some(u)
            && (v.is_none() || r.get("version").and_then(Value::as_str) == v.as_deref())
        {
            return from_resource(r);
        }
    }
    Err(not_found_vs(url))
}

/// The value set of a request: `valueSet`, else `url` (or `context`).
pub(crate) fn request_vs(ctx: &Ctx, p: &Params) -> Result<VsDef, Oo> {
    if let Some(r) = p.resource("valueSet") {
        return from_resource(r);
    }
    match p.str("url") {
        Some(u) => resolve(ctx, p, &u),
        None => Err(Oo::invalid("No value set was given (url or valueSet is required)")),
    }
}

/// Evaluates ECL to concept indices in id order; errors are `invalid` issues.
pub(crate) fn ecl_members(ctx: &Ctx, ecl: &str) -> Result<Vec<u32>, Oo> {
    Ok(ecl_bitmap(ctx, ecl)?.iter().collect())
}

/// The concepts an ECL expression gives, as a bitmap; errors as OperationOutcomes.
fn ecl_bitmap(ctx: &Ctx, ecl: &str) -> Result<RoaringBitmap, Oo> {
    let bad = |why: String| {
        Oo::new(
            StatusCode::BAD_REQUEST,
            Issue::new("error", "invalid", format!("Invalid ECL expression '{ecl}': {why}"))
                .tx("vs-invalid")
                .id("INVALID_ECL"),
        )
    };
    let expr = ctx.db.ecl_parse(ecl).map_err(|e| match e {
        sctx_db::DbError::EclSyntax { error, .. } => bad(error.to_string()),
        other => bad(other.to_string()),
    })?;
    ctx.db.ecl_eval(&expr, Default::default(), true).map_err(|e| bad(e.to_string()))
}

/// One page of the search hits within `bitmap` (ranked by the index), and the total number
/// of matches when the page is full (else the page is all there is).
fn search_page(
    ctx: &Ctx,
    bitmap: RoaringBitmap,
    text: &str,
    lang: &LanguagePreference,
    want: Option<usize>,
) -> Option<(Vec<Member>, Option<usize>)> {
    // Unpaged: at most this many (the caller reports too-costly beyond its limits).
    const LIMIT: usize = 5_000;
    // Paged: the index ranks a whole bucket (the next power of two from 256), so that
    // consecutive pages are slices of one ranking rather than of rankings over different
    // candidate budgets.
    let limit = match want {
        Some(w) => w.max(1).next_power_of_two().max(256),
        None => LIMIT,
    };
    let store = ctx.store();
    let mut opts = sctx_db::SearchOptions {
        limit,
        include_inactive: true,
        concept_filter: Some(bitmap),
        ..Default::default()
    };
    let r = ctx.db.search(text, &opts, lang).ok()?;
    let mut seen = RoaringBitmap::new();
    let page: Vec<Member> = r
        .hits
        .into_iter()
        .filter_map(|h| super::concept_idx(store, &h.concept_id))
        .filter(|&i| seen.insert(i))
        .map(Member::Concept)
        .collect();
    // A short page is everything; a full one is counted by the index, at the level that
    // produced it (exact prefixes, or typo-tolerant when the search had to retry).
    let total = match want {
        Some(_) if page.len() >= limit => {
            opts.fuzzy = Some(false);
            let exact = ctx.db.search_count(text, &opts, lang).ok().map(|n| n as usize);
            match exact {
                Some(n) if n >= page.len() => Some(n),
                _ => {
                    opts.fuzzy = Some(true);
                    ctx.db.search_count(text, &opts, lang).ok().map(|n| n as usize)
                }
            }
        }
        _ => None,
    };
    Some((page, total))
}

/// A paged text filter over a large value set defined only by ECL-like filters (the whole
/// edition, `isa/`, `ecl/`, `refset/` and their inline equivalents): the definition is
/// evaluated as a bitmap and handed to the search index, which ranks and pages the hits,
/// instead of listing every member first. `None` when the request is not of that shape.
fn quick_filtered(
    ctx: &Ctx,
    p: &Params,
    vs: &VsDef,
    text: &str,
    want: usize,
) -> Result<Option<(Evaluated, Option<usize>)>, Oo> {
    let [part] = vs.includes.as_slice() else { return Ok(None) };
    // a filter without words filters nothing: the full path returns every member
    if !text.chars().any(char::is_alphanumeric)
        || !vs.excludes.is_empty()
        || !ctx.db.has_search()
        || part.system.as_deref().is_none_or(|s| !is_snomed(s))
        || !part.concepts.is_empty()
        || !part.value_sets.is_empty()
        || part.filters.is_empty()
    {
        return Ok(None);
    }
    let mut ecls = Vec::new();
    for (prop, op, value) in &part.filters {
        match filter_ecl(prop, op, value) {
            Some(Ok(e)) => ecls.push(format!("({e})")),
            // errors and non-ECL filters (expressions, inactive, module): the full path
            _ => return Ok(None),
        }
    }
    let edition = part_edition(ctx, p, part)?;
    let bitmap = ecl_bitmap(ctx, &ecls.join(" AND "))?;
    if bitmap.len() < ctx.index_filter_from {
        return Ok(None);
    }
    let lang = language(ctx, p, &edition);
    let Some((members, total)) = search_page(ctx, bitmap, text, &lang, Some(want)) else {
        return Ok(None);
    };
    let unclosed = true; // defined by filters
    Ok(Some((Evaluated { members, editions: vec![edition], unclosed }, total)))
}

fn version_param_for(p: &Params, name: &str) -> Option<String> {
    p.strs(name).into_iter().find_map(|sv| {
        let (sys, ver) = sv.split_once('|')?;
        is_snomed(sys).then(|| ver.to_string())
    })
}

/// The edition an include uses: `force-system-version`, the include's version,
/// `system-version`, the default.
fn part_edition(ctx: &Ctx, p: &Params, part: &Part) -> Result<Edition, Oo> {
    let v = version_param_for(p, "force-system-version")
        .or_else(|| part.version.clone())
        .or_else(|| version_param_for(p, "system-version"));
    let ed = resolve_version(&ctx.db, v.as_deref())?;
    if let Some(check) = version_param_for(p, "check-system-version") {
        let want = resolve_version(&ctx.db, Some(&check))?;
        if want != ed {
            return Err(Oo::new(
                StatusCode::BAD_REQUEST,
                Issue::new(
                    "error",
                    "exception",
                    format!(
                        "The version '{}' is not allowed for system '{SCT}': required to be '{}' by a version-check parameter",
                        ed.uri(),
                        want.uri()
                    ),
                )
                .tx("version-error")
                .id("VALUESET_VERSION_CHECK"),
            ));
        }
    }
    Ok(ed)
}

fn filter_ecl(prop: &str, op: &str, value: &str) -> Option<Result<String, Oo>> {
    let v = value.trim();
    let list = || v.split(',').map(str::trim).filter(|x| !x.is_empty()).collect::<Vec<_>>();
    let ecl = match (prop, op) {
        ("constraint", "=") => v.to_string(),
        ("concept", "is-a") => format!("<< {v}"),
        ("concept", "descendent-of") => format!("< {v}"),
        ("concept", "is-not-a") => format!("* MINUS << {v}"),
        ("concept", "generalizes") => format!(">> {v}"),
        ("concept", "=") => v.to_string(),
        ("concept", "in") => {
            list().iter().map(|r| format!("^ {r}")).collect::<Vec<_>>().join(" OR ")
        }
        ("concept", "not-in") => format!(
            "* MINUS ({})",
            list().iter().map(|r| format!("^ {r}")).collect::<Vec<_>>().join(" OR ")
        ),
        ("expressions", _) | ("inactive", "=") | ("moduleId", "=") => return None,
        _ => {
            return Some(Err(Oo::not_supported(format!(
                "The filter '{prop} {op} {v}' is not supported for SNOMED CT"
            ))));
        }
    };
    if ecl.is_empty() {
        return Some(Err(Oo::invalid(format!("The filter '{prop} {op}' has no value"))));
    }
    Some(Ok(ecl))
}

/// Evaluates one include or exclude.
pub(crate) fn eval_part(ctx: &Ctx, p: &Params, part: &Part, depth: u32) -> Result<PartEval, Oo> {
    if depth > 8 {
        return Err(Oo::invalid("Value set references are nested too deeply (or circular)"));
    }
    if let Some(s) = &part.system
        && !is_snomed(s)
    {
        return Err(Oo::new(
                StatusCode::NOT_FOUND,
                Issue::new(
                    "error",
                    "not-found",
                    format!("A definition for CodeSystem '{s}' could not be found, so the value set cannot be expanded"),
                )
                .tx("not-found")
                .id("UNKNOWN_CODESYSTEM"),
            ));
    }
    let store = ctx.store();
    let edition = part_edition(ctx, p, part)?;
    let mut out = PartEval {
        concepts: Vec::new(),
        concept_set: RoaringBitmap::new(),
        exprs: Vec::new(),
        allow_expressions: false,
        filtered: !part.filters.is_empty(),
        edition,
    };
    let mut enumerated: Option<Vec<u32>> = None;
    if !part.concepts.is_empty() {
        let mut v = Vec::new();
        for code in &part.concepts {
            if expression::is_expression(code) {
                if let Ok(e) = expression::parse(code)
                    && e.validate(store).is_ok()
                {
                    out.exprs.push((e.normal(), code.clone(), e));
                }
            } else if let Some(i) = super::concept_idx(store, code) {
                v.push(i);
            }
        }
        enumerated = Some(v);
    }
    let mut ecls = Vec::new();
    let mut inactive: Option<bool> = None;
    let mut module: Option<u64> = None;
    for (prop, op, value) in &part.filters {
        match filter_ecl(prop, op, value) {
            Some(r) => ecls.push(r?),
            None => match prop.as_str() {
                "expressions" => out.allow_expressions = value.trim() == "true",
                "inactive" => inactive = Some(value.trim() == "true"),
                _ => {
                    module = Some(sctx_db::parse_id(value).map_err(|e| Oo::invalid(e.to_string()))?)
                }
            },
        }
    }
    let mut set: Option<Vec<u32>> = None;
    if !ecls.is_empty() {
        let ecl = if ecls.len() == 1 {
            ecls.remove(0)
        } else {
            ecls.iter().map(|e| format!("({e})")).collect::<Vec<_>>().join(" AND ")
        };
        set = Some(ecl_members(ctx, &ecl)?);
    } else if enumerated.is_none() && part.system.is_some() {
        set = Some(ecl_members(ctx, "*")?);
    }
    let mut result: Vec<u32> = match (enumerated, set) {
        (Some(e), Some(s)) => {
            let ss: RoaringBitmap = s.into_iter().collect();
            e.into_iter().filter(|&i| ss.contains(i)).collect()
        }
        (Some(e), None) => e,
        (None, Some(s)) => s,
        (None, None) => Vec::new(),
    };
    for (k, vs_url) in part.value_sets.iter().enumerate() {
        let vs = resolve(ctx, p, vs_url)?;
        let ev = evaluate(ctx, p, &vs, depth + 1)?;
        let ids: Vec<u32> = ev
            .members
            .iter()
            .filter_map(|m| match m {
                Member::Concept(i) => Some(*i),
                Member::Expr { .. } => None,
            })
            .collect();
        if k == 0 && part.system.is_none() {
            result = ids;
        } else {
            let s: RoaringBitmap = ids.into_iter().collect();
            result.retain(|&i| s.contains(i));
        }
    }
    if let Some(want_inactive) = inactive {
        result.retain(|&i| store.is_active(i) != want_inactive);
    }
    if let Some(m) = module {
        result.retain(|&i| store.concept(i).is_some_and(|c| c.module == m));
    }
    out.concept_set = if result.windows(2).all(|w| w[0] < w[1]) {
        // sorted and distinct (ECL results are): the bitmap builds by appending
        RoaringBitmap::from_sorted_iter(result.iter().copied()).unwrap_or_default()
    } else {
        let mut seen = RoaringBitmap::new();
        result.retain(|&i| seen.insert(i));
        seen
    };
    out.concepts = result;
    Ok(out)
}

/// An evaluated value set.
pub(crate) struct Evaluated {
    pub members: Vec<Member>,
    pub editions: Vec<Edition>,
    pub unclosed: bool,
}

/// Evaluates a value set definition: includes minus excludes.
pub(crate) fn evaluate(ctx: &Ctx, p: &Params, vs: &VsDef, depth: u32) -> Result<Evaluated, Oo> {
    let store = ctx.store();
    let lang = default_edition(&ctx.db).default_language();
    let mut members = Vec::new();
    let mut seen_c = RoaringBitmap::new();
    let mut seen_e = HashSet::new();
    let mut editions: Vec<Edition> = Vec::new();
    let mut unclosed = vs.implicit;
    let mut inc = Vec::new();
    for part in &vs.includes {
        inc.push(eval_part(ctx, p, part, depth)?);
    }
    let mut exc = Vec::new();
    for part in &vs.excludes {
        exc.push(eval_part(ctx, p, part, depth)?);
    }
    for ev in &inc {
        if !editions.contains(&ev.edition) {
            editions.push(ev.edition.clone());
        }
        let expressions_forbidden = vs
            .includes
            .iter()
            .flat_map(|i| &i.filters)
            .any(|(p, _, v)| p == "expressions" && v.trim() == "false");
        if ev.filtered && !expressions_forbidden {
            unclosed = true;
        }
        if exc.is_empty() && seen_c.is_empty() {
            // the first include, nothing excluded: its concepts are distinct already
            members.extend(ev.concepts.iter().map(|&c| Member::Concept(c)));
            seen_c = ev.concept_set.clone();
        } else {
            for &c in &ev.concepts {
                if exc.iter().any(|x| x.concept_set.contains(c)) {
                    continue;
                }
                if seen_c.insert(c) {
                    members.push(Member::Concept(c));
                }
            }
        }
        for (normal, code, e) in &ev.exprs {
            if exc.iter().any(|x| x.exprs.iter().any(|(n, _, _)| n == normal)) {
                continue;
            }
            if seen_e.insert(normal.clone()) {
                members.push(Member::Expr { code: code.clone(), display: e.render(store, &lang) });
            }
        }
    }
    Ok(Evaluated { members, editions, unclosed })
}

/// A code to test for membership.
pub(crate) enum Candidate<'a> {
    Concept(u32),
    Expr(&'a Expression),
}

/// Whether a value set contains a concept or expression.
pub(crate) fn contains(ctx: &Ctx, p: &Params, vs: &VsDef, c: &Candidate<'_>) -> Result<bool, Oo> {
    let in_part = |ev: &PartEval| match c {
        Candidate::Concept(i) => ev.concept_set.contains(*i),
        Candidate::Expr(e) => {
            let n = e.normal();
            ev.exprs.iter().any(|(x, _, _)| *x == n)
                || (ev.allow_expressions
                    && e.focus.iter().all(|f| {
                        ctx.store().index_of(*f).is_some_and(|i| ev.concept_set.contains(i))
                    }))
        }
    };
    let mut found = false;
    for part in &vs.includes {
        if in_part(&eval_part(ctx, p, part, 0)?) {
            found = true;
            break;
        }
    }
    if !found {
        return Ok(false);
    }
    for part in &vs.excludes {
        if in_part(&eval_part(ctx, p, part, 0)?) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn designations(store: &Store, idx: u32, lang: &LanguagePreference) -> Vec<Value> {
    let mut out = Vec::new();
    let fsn = store.fsn(idx, lang);
    let pt = store.preferred_description(idx, lang);
    for d in [fsn, pt].into_iter().flatten() {
        if out.iter().any(|v: &Value| v["value"] == d.term) {
            continue;
        }
        out.push(json!({
            "language": d.language_code,
            "use": { "system": SCT, "code": d.type_id.to_string(), "display": type_name(d.type_id) },
            "value": d.term,
        }));
    }
    out
}

fn word_match(store: &Store, idx: u32, words: &[String]) -> bool {
    store.descriptions(idx).filter(|d| d.active).any(|d| {
        let term = d.term.to_lowercase();
        let toks: Vec<&str> = term.split(|c: char| !c.is_alphanumeric()).collect();
        words.iter().all(|w| toks.iter().any(|t| t.starts_with(w.as_str())))
    })
}

/// Applies the `filter` text parameter: our search index ranks the hits when it has
/// them all, else the terms are matched word by word (prefixes). With `want` (offset +
/// count of a paged request) a large value set yields only its first `want` matches,
/// and the total is counted by the index; the second value is that total when known.
fn text_filter(
    ctx: &Ctx,
    members: Vec<Member>,
    text: &str,
    lang: &LanguagePreference,
    want: Option<usize>,
) -> (Vec<Member>, Option<usize>) {
    let store = ctx.store();
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        return (members, None);
    }
    let limit = 5_000;
    // large value sets (e.g. the whole of SNOMED CT): the search index alone, restricted to
    // the value set, ranks and pages the matches
    if ctx.db.has_search() && members.len() as u64 >= ctx.index_filter_from {
        let ids = members.iter().filter_map(|m| match m {
            Member::Concept(i) => Some(*i),
            Member::Expr { .. } => None,
        });
        let bitmap = RoaringBitmap::from_sorted_iter(ids.clone())
            .unwrap_or_else(|_| ids.collect::<RoaringBitmap>());
        if let Some(r) = search_page(ctx, bitmap, text, lang, want) {
            return r;
        }
    }
    if ctx.db.has_search() {
        let opts = sctx_db::SearchOptions {
            limit,
            include_inactive: true,
            fuzzy: Some(false),
            ..Default::default()
        };
        if let Ok(r) = ctx.db.search(text, &opts, lang)
            && r.hits.len() < limit
        {
            let set: RoaringBitmap = members
                .iter()
                .filter_map(|m| match m {
                    Member::Concept(i) => Some(*i),
                    Member::Expr { .. } => None,
                })
                .collect();
            let mut out = Vec::new();
            let mut seen = RoaringBitmap::new();
            for h in r.hits {
                if let Some(i) = super::concept_idx(store, &h.concept_id)
                    && set.contains(i)
                    && seen.insert(i)
                {
                    out.push(Member::Concept(i));
                }
            }
            // hits the index may miss (e.g. a word inside a longer token) come after
            for m in members {
                if let Member::Concept(i) = m
                    && !seen.contains(i)
                    && word_match(store, i, &words)
                {
                    out.push(m);
                }
            }
            return (out, None);
        }
    }
    let out = members
        .into_iter()
        .filter(|m| match m {
            Member::Concept(i) => word_match(store, *i, &words),
            Member::Expr { display, .. } => {
                let d = display.to_lowercase();
                words.iter().all(|w| d.contains(w.as_str()))
            }
        })
        .collect();
    (out, None)
}

fn too_costly(vs: &VsDef, limit: usize) -> Oo {
    Oo::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        Issue::new(
            "error",
            "too-costly",
            format!(
                "The value set '{}' expansion has too many codes to produce (>{limit})",
                vs.url.clone().unwrap_or_else(|| vs.label())
            ),
        )
        .id("VALUESET_TOO_COSTLY"),
    )
}

/// `ValueSet/$expand`.
pub(crate) fn expand(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    let vs = request_vs(ctx, p)?;
    let count = p.uint("count")?;
    let offset = p.uint("offset")?;
    let active_only = p.bool("activeOnly")? == Some(true);
    let filter = p.str("filter");
    let want = count.map(|c| c.saturating_add(offset.unwrap_or(0)));
    let quick = match (&filter, want) {
        (Some(f), Some(w)) if !active_only => quick_filtered(ctx, p, &vs, f, w)?,
        _ => None,
    };
    let filtered = quick.is_some();
    let (ev, mut counted) = match quick {
        Some((ev, total)) => (ev, total),
        None => (evaluate(ctx, p, &vs, 0)?, None),
    };
    let store = ctx.store();
    let ed = ev.editions.first().cloned().unwrap_or_else(|| default_edition(&ctx.db));
    let lang = language(ctx, p, &ed);
    let mut members = ev.members;
    if active_only {
        members.retain(|m| match m {
            Member::Concept(i) => store.is_active(*i),
            Member::Expr { .. } => true,
        });
    }
    if let Some(f) = filter
        && !filtered
    {
        (members, counted) = text_filter(ctx, members, &f, &lang, want);
    }
    let total = counted.unwrap_or(members.len()).max(members.len());
    if count.is_none() {
        if let Some(limit) = p.uint("limit")?
            && total > limit
        {
            return Err(too_costly(&vs, limit));
        }
        if total > ctx.max_expansion {
            return Err(too_costly(&vs, ctx.max_expansion));
        }
    }
    let start = offset.unwrap_or(0).min(members.len());
    let n = count.unwrap_or(total).min(ctx.max_expansion);
    let with_designations = p.bool("includeDesignations")? == Some(true);
    let mut any_inactive = false;
    let contains: Vec<Value> = members[start..]
        .iter()
        .take(n)
        .map(|m| match m {
            Member::Concept(i) => {
                let mut o = serde_json::Map::new();
                o.insert("system".into(), json!(SCT));
                if !store.is_active(*i) {
                    any_inactive = true;
                    o.insert("inactive".into(), json!(true));
                    o.insert(
                        "extension".into(),
                        json!([{ "url": EXT_EXP_CONT_PROP, "extension": [
                            { "url": "code", "valueCode": "status" },
                            { "url": "value", "valueCode": "inactive" },
                        ]}]),
                    );
                }
                o.insert("code".into(), json!(store.id_of(*i).to_string()));
                o.insert("display".into(), json!(display(store, *i, &lang)));
                if with_designations {
                    o.insert("designation".into(), json!(designations(store, *i, &lang)));
                }
                Value::Object(o)
            }
            Member::Expr { code, display } => {
                json!({ "system": SCT, "code": code, "display": display })
            }
        })
        .collect();
    let mut params = p.echo(&[
        "filter",
        "count",
        "offset",
        "includeDesignations",
        "activeOnly",
        "displayLanguage",
        "excludeNested",
        "includeDefinition",
    ]);
    for e in &ev.editions {
        params.push(json!({ "name": "used-codesystem", "valueUri": format!("{SCT}|{}", e.uri()) }));
    }
    let mut expansion = serde_json::Map::new();
    let mut exts = Vec::new();
    if ev.unclosed {
        exts.push(json!({ "url": EXT_UNCLOSED, "valueBoolean": true }));
    }
    if any_inactive {
        exts.push(json!({ "url": EXT_VS_EXP_PROP, "extension": [
            { "url": "code", "valueCode": "status" },
            { "url": "uri", "valueUri": "http://hl7.org/fhir/concept-properties#status" },
        ]}));
    }
    if !exts.is_empty() {
        expansion.insert("extension".into(), Value::Array(exts));
    }
    expansion.insert("identifier".into(), json!(new_uuid()));
    expansion.insert("timestamp".into(), json!(sctx_store::now_rfc3339()));
    expansion.insert("total".into(), json!(total));
    if let Some(o) = offset {
        expansion.insert("offset".into(), json!(o));
    }
    if !params.is_empty() {
        expansion.insert("parameter".into(), Value::Array(params));
    }
    if !contains.is_empty() {
        expansion.insert("contains".into(), Value::Array(contains));
    }
    let mut out = serde_json::Map::new();
    out.insert("resourceType".into(), json!("ValueSet"));
    match &vs.resource {
        Some(Value::Object(r)) => {
            for (k, v) in r {
                // the identifying metadata; descriptive text stays with the definition
                if matches!(
                    k.as_str(),
                    "id" | "url"
                        | "version"
                        | "name"
                        | "title"
                        | "status"
                        | "experimental"
                        | "date"
                        | "publisher"
                ) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        _ => {
            if let Some(u) = &vs.url {
                out.insert("url".into(), json!(u));
            }
            out.insert("status".into(), json!("active"));
        }
    }
    out.insert("expansion".into(), Value::Object(expansion));
    Ok(Value::Object(out))
}
