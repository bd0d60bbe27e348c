//! FHIR R4 terminology operations under `/fhir`.
//!
//! * `GET /fhir/metadata` (CapabilityStatement; `?mode=terminology` gives
//!   TerminologyCapabilities) and `GET /fhir/$versions`;
//! * `CodeSystem/$lookup`, `CodeSystem/$subsumes`, `CodeSystem/$validate-code`;
//! * `ValueSet/$expand`, `ValueSet/$validate-code` (implicit SNOMED value sets, inline
//!   value sets given as `valueSet` or `tx-resource`);
//! * `ConceptMap/$translate` (implicit SNOMED concept maps `?fhir_cm=`).
//!
//! Every operation accepts GET (primitive parameters in the query) and POST (a
//! `Parameters` resource). Errors are `OperationOutcome`s with FHIR issue codes.

mod expression;
mod lookup;
mod metadata;
mod params;
mod translate;
mod validate;
mod valueset;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sctx_db::Database;
use sctx_store::Store;
use sctx_types::LanguagePreference;
use serde_json::{Value, json};

use crate::AppState;
pub(crate) use params::Params;

/// The SNOMED CT code system URI.
pub(crate) const SCT: &str = "http://snomed.info/sct";
/// The tx-issue-type code system.
const TX_ISSUE_TYPE: &str = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type";
/// The message-id extension of OperationOutcome issues.
const MESSAGE_ID: &str = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id";
/// The FHIR JSON media type.
const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// The FHIR routes.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/fhir/metadata", get(metadata_h))
        .route("/fhir/$versions", get(versions_h))
        .route("/fhir/CodeSystem/$lookup", get(lookup_h).post(lookup_h))
        .route("/fhir/CodeSystem/$subsumes", get(subsumes_h).post(subsumes_h))
        .route("/fhir/CodeSystem/$validate-code", get(cs_validate_h).post(cs_validate_h))
        .route("/fhir/ValueSet/$validate-code", get(vs_validate_h).post(vs_validate_h))
        .route("/fhir/ValueSet/$expand", get(expand_h).post(expand_h))
        .route("/fhir/ConceptMap/$translate", get(translate_h).post(translate_h))
        .route("/fhir/ValueSet", get(vs_search_h))
        .route("/fhir/ValueSet/{id}", get(vs_read_h))
}

// ---------------------------------------------------------------------------------------
// OperationOutcome errors
// ---------------------------------------------------------------------------------------

/// One OperationOutcome issue.
#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub severity: &'static str,
    pub code: &'static str,
    pub tx: Option<&'static str>,
    pub text: String,
    pub message_id: Option<&'static str>,
    pub expression: Vec<String>,
    pub location: bool,
}

impl Issue {
    pub(crate) fn new(severity: &'static str, code: &'static str, text: impl Into<String>) -> Self {
        Issue {
            severity,
            code,
            tx: None,
            text: text.into(),
            message_id: None,
            expression: Vec::new(),
            location: false,
        }
    }
    pub(crate) fn tx(mut self, tx: &'static str) -> Self {
        self.tx = Some(tx);
        self
    }
    pub(crate) fn id(mut self, id: &'static str) -> Self {
        self.message_id = Some(id);
        self
    }
    pub(crate) fn at(mut self, expr: impl Into<String>) -> Self {
        self.expression.push(expr.into());
        self
    }
    pub(crate) fn with_location(mut self) -> Self {
        self.location = true;
        self
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut o = serde_json::Map::new();
        if let Some(id) = self.message_id {
            o.insert("extension".into(), json!([{ "url": MESSAGE_ID, "valueString": id }]));
        }
        o.insert("severity".into(), json!(self.severity));
        o.insert("code".into(), json!(self.code));
        let mut details = serde_json::Map::new();
        if let Some(tx) = self.tx {
            details.insert("coding".into(), json!([{ "system": TX_ISSUE_TYPE, "code": tx }]));
        }
        details.insert("text".into(), json!(self.text));
        o.insert("details".into(), Value::Object(details));
        if !self.expression.is_empty() {
            if self.location {
                o.insert("location".into(), json!(self.expression));
            }
            o.insert("expression".into(), json!(self.expression));
        }
        Value::Object(o)
    }
}

/// An error answer: an OperationOutcome with an HTTP status.
#[derive(Debug, Clone)]
pub(crate) struct Oo {
    pub status: StatusCode,
    pub issues: Vec<Issue>,
}

impl Oo {
    pub(crate) fn new(status: StatusCode, issue: Issue) -> Self {
        Oo { status, issues: vec![issue] }
    }
    /// 400 `invalid`.
    pub(crate) fn invalid(text: impl Into<String>) -> Self {
        Oo::new(StatusCode::BAD_REQUEST, Issue::new("error", "invalid", text).tx("invalid-data"))
    }
    /// 404 `not-found`.
    pub(crate) fn not_found(text: impl Into<String>) -> Self {
        Oo::new(StatusCode::NOT_FOUND, Issue::new("error", "not-found", text).tx("not-found"))
    }
    /// 400 `not-supported`.
    pub(crate) fn not_supported(text: impl Into<String>) -> Self {
        Oo::new(
            StatusCode::BAD_REQUEST,
            Issue::new("error", "not-supported", text).tx("not-supported"),
        )
    }
    /// 500 `processing` (never from input).
    pub(crate) fn processing(text: impl Into<String>) -> Self {
        Oo::new(StatusCode::INTERNAL_SERVER_ERROR, Issue::new("error", "processing", text))
    }

    pub(crate) fn to_json(&self) -> Value {
        outcome(&self.issues)
    }
}

/// An OperationOutcome resource of these issues.
pub(crate) fn outcome(issues: &[Issue]) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": issues.iter().map(Issue::to_json).collect::<Vec<_>>(),
    })
}

impl IntoResponse for Oo {
    fn into_response(self) -> Response {
        fhir(self.status, &self.to_json())
    }
}

/// A FHIR JSON response.
pub(crate) fn fhir(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    (status, [(header::CONTENT_TYPE, FHIR_JSON)], bytes).into_response()
}

// ---------------------------------------------------------------------------------------
// Request context
// ---------------------------------------------------------------------------------------

/// What an operation needs besides its parameters.
pub(crate) struct Ctx {
    pub db: Arc<Database>,
    pub accept_language: Option<String>,
    pub max_expansion: usize,
    /// Value sets at least this large are text-filtered by the search index alone.
    pub index_filter_from: u64,
}

impl Ctx {
    pub(crate) fn store(&self) -> &Store {
        self.db.store()
    }
}

type Op = fn(&Ctx, &Params) -> Result<Value, Oo>;

/// Runs an operation. Cheap ones (bounded work per request: `$lookup`, `$subsumes`,
/// `CodeSystem/$validate-code`, metadata) run on the async worker; ones whose cost depends
/// on a value set or an expansion go to the blocking pool so they cannot stall other
/// requests. Handing a request to the pool costs a thread wake-up, which for a `$lookup`
/// was a third of its time.
async fn run(
    st: Arc<AppState>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
    op: Op,
    blocking: bool,
) -> Response {
    let db = match st.db() {
        Ok(db) => db,
        Err(e) => {
            return Oo::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Issue::new("error", "transient", e.detail),
            )
            .into_response();
        }
    };
    let params = match Params::from_request(&uri, &headers, &body) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let ctx = Ctx {
        db,
        accept_language: headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        max_expansion: st.config.max_page_size.max(1),
        index_filter_from: st.config.index_filter_from,
    };
    let call = move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| op(&ctx, &params)));
    let r = if blocking { tokio::task::spawn_blocking(call).await } else { Ok(call()) };
    match r {
        Ok(Ok(Ok(v))) => fhir(StatusCode::OK, &v),
        Ok(Ok(Err(oo))) => oo.into_response(),
        Ok(Err(_)) | Err(_) => {
            Oo::processing("internal error while processing the request").into_response()
        }
    }
}

macro_rules! handler {
    ($name:ident, $op:path, $blocking:expr) => {
        async fn $name(
            State(st): State<Arc<AppState>>,
            headers: HeaderMap,
            uri: Uri,
            body: Bytes,
        ) -> Response {
            run(st, headers, uri, body, $op, $blocking).await
        }
    };
}

handler!(lookup_h, lookup::lookup, false);
handler!(subsumes_h, lookup::subsumes, false);
handler!(cs_validate_h, validate::cs_validate_code, false);
handler!(vs_validate_h, validate::vs_validate_code, true);
handler!(expand_h, valueset::expand, true);
handler!(translate_h, translate::translate, true);
handler!(metadata_h, metadata::metadata, false);
handler!(versions_h, metadata::versions, false);
handler!(vs_search_h, metadata::vs_search, false);

async fn vs_read_h(axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    Oo::not_found(format!("ValueSet/{id} is not known to this server (value sets are implicit)"))
        .into_response()
}

// ---------------------------------------------------------------------------------------
// Editions and versions
// ---------------------------------------------------------------------------------------

/// A SNOMED CT edition and version served by this database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edition {
    pub module: String,
    pub version: String,
    /// False for content that is not a published release (`xsct` URIs).
    pub published: bool,
}

/// Modules of UK editions: their default display language is en-GB.
const UK_MODULES: &[&str] = &[
    "83821000000107",
    "999000041000000102",
    "999000011000000103",
    "999000021000000109",
    "999000031000000106",
    "999000001000001107",
];

impl Edition {
    /// The version URI (`http://snomed.info/sct/{module}/version/{date}`, or `xsct`).
    pub(crate) fn uri(&self) -> String {
        let scheme = if self.published { "sct" } else { "xsct" };
        if self.version.is_empty() {
            format!("http://snomed.info/{scheme}/{}", self.module)
        } else {
            format!("http://snomed.info/{scheme}/{}/version/{}", self.module, self.version)
        }
    }
    /// The edition URI without version.
    pub(crate) fn edition_uri(&self) -> String {
        let scheme = if self.published { "sct" } else { "xsct" };
        format!("http://snomed.info/{scheme}/{}", self.module)
    }
    /// A human name of the edition.
    pub(crate) fn name(&self) -> String {
        match self.module.as_str() {
            "900000000000207008" => "International Edition".into(),
            "731000124108" => "US Edition".into(),
            "32506021000036107" => "Australian Edition".into(),
            "45991000052106" => "Swedish Edition".into(),
            m if UK_MODULES.contains(&m) => "UK Edition".into(),
            m => format!("Edition {m}"),
        }
    }
    /// The default display language of this edition.
    pub(crate) fn default_language(&self) -> LanguagePreference {
        if UK_MODULES.contains(&self.module.as_str()) {
            LanguagePreference::en_gb()
        } else {
            LanguagePreference::en_us()
        }
    }
}

/// The editions of the open database.
pub(crate) fn editions(db: &Database) -> Vec<Edition> {
    let m = db.manifest();
    m.editions
        .iter()
        .map(|e| Edition {
            module: e.module.clone(),
            version: e.version.clone(),
            // a version declared at import that is no release date of the imported
            // packages denotes unpublished content (SNOMED URI standard: `xsct`)
            published: e.folder != "declared"
                || m.sources.iter().any(|s| s.version_date == e.version),
        })
        .collect()
}

/// The default edition: the most dependent one (an extension over the International
/// edition), newest version first.
pub(crate) fn default_edition(db: &Database) -> Edition {
    let mut eds = editions(db);
    eds.sort_by(|a, b| {
        let ext = |e: &Edition| e.module != "900000000000207008";
        ext(b).cmp(&ext(a)).then_with(|| b.version.cmp(&a.version))
    });
    eds.into_iter().next().unwrap_or(Edition {
        module: "900000000000207008".into(),
        version: String::new(),
        published: true,
    })
}

/// Whether a system URI names SNOMED CT.
pub(crate) fn is_snomed(system: &str) -> bool {
    system == SCT
        || system == "http://snomed.info/xsct"
        || system.starts_with("http://snomed.info/sct/")
        || system.starts_with("http://snomed.info/xsct/")
}

/// Resolves a version parameter (`http://snomed.info/(x)sct/{module}[/version/{date}]`)
/// to an edition of this database; `None` gives the default edition.
pub(crate) fn resolve_version(db: &Database, version: Option<&str>) -> Result<Edition, Oo> {
    let Some(v) = version.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(default_edition(db));
    };
    let eds = editions(db);
    let rest = v
        .strip_prefix("http://snomed.info/sct/")
        .or_else(|| v.strip_prefix("http://snomed.info/xsct/"))
        .unwrap_or(v);
    let (module, date) = match rest.split_once("/version/") {
        Some((m, d)) => (m, Some(d)),
        None => (rest, None),
    };
    let found = eds.iter().filter(|e| e.module == module).find(|e| match date {
        Some(d) => e.version == d,
        None => true,
    });
    match found {
        Some(e) => Ok(e.clone()),
        None if v == SCT || v == "http://snomed.info/xsct" => Ok(default_edition(db)),
        None => {
            let valid: Vec<String> = eds.iter().map(Edition::uri).collect();
            Err(Oo::new(
                StatusCode::NOT_FOUND,
                Issue::new(
                    "error",
                    "not-found",
                    format!(
                        "A definition for CodeSystem '{SCT}' version '{v}' could not be found. \
                         Valid versions: {}",
                        valid.join(", ")
                    ),
                )
                .tx("not-found")
                .id("UNKNOWN_CODESYSTEM_VERSION"),
            ))
        }
    }
}

/// The display language of a request: `displayLanguage`, else `Accept-Language`, else
/// the edition's default.
pub(crate) fn language(ctx: &Ctx, p: &Params, ed: &Edition) -> LanguagePreference {
    if let Some(l) = p.str("displayLanguage")
        && let Ok(l) = LanguagePreference::parse(&l)
    {
        return l;
    }
    if let Some(l) = &ctx.accept_language
        && let Ok(l) = LanguagePreference::parse(l)
    {
        return l;
    }
    ed.default_language()
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

/// The dense index of a concept code, if it is a concept id in the store.
pub(crate) fn concept_idx(store: &Store, code: &str) -> Option<u32> {
    let c = code.trim();
    if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    sctx_db::parse_id(c).ok().and_then(|id| store.index_of(id))
}

/// The preferred term (or the id when the concept has no description).
pub(crate) fn display(store: &Store, idx: u32, lang: &LanguagePreference) -> String {
    store
        .preferred_term(idx, lang)
        .map(str::to_string)
        .unwrap_or_else(|| store.id_of(idx).to_string())
}

/// `urn:uuid:` with a random-looking version 4 UUID.
pub(crate) fn new_uuid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let c = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let hi = (mix(t ^ c.rotate_left(32)) & 0xffff_ffff_ffff_0fff) | 0x4000;
    let lo = (mix(c ^ t.rotate_left(17)) & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "urn:uuid:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

/// A `Parameters` resource of these parameter objects.
pub(crate) fn parameters(items: Vec<Value>) -> Value {
    json!({ "resourceType": "Parameters", "parameter": items })
}

/// `YYYYMMDD` → `YYYY-MM-DD`.
pub(crate) fn fhir_date(d: u32) -> Option<String> {
    (d > 0).then(|| format!("{:04}-{:02}-{:02}", d / 10_000, (d / 100) % 100, d % 100))
}
