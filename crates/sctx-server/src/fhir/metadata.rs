//! `GET /fhir/metadata` (CapabilityStatement, TerminologyCapabilities), `$versions`,
//! and the (empty) ValueSet search.

use serde_json::{Value, json};

use super::{Ctx, Oo, Params, SCT, default_edition, editions};

const FEATURE: &str = "http://hl7.org/fhir/uv/application-feature/StructureDefinition/feature";
/// The tx-ecosystem test suite version this server is tested against.
const TX_TESTS_VERSION: &str = "1.7.8";

fn date() -> String {
    sctx_store::now_rfc3339().chars().take(10).collect()
}

fn op(name: &str) -> Value {
    json!({ "name": name, "definition": format!("http://hl7.org/fhir/OperationDefinition/{}", match name {
        "lookup" | "subsumes" => format!("CodeSystem-{name}"),
        "translate" => format!("ConceptMap-{name}"),
        "versions" => "fhir-versions".to_string(),
        n => format!("ValueSet-{n}"),
    }) })
}

fn capability_statement() -> Value {
    let version = env!("CARGO_PKG_VERSION");
    json!({
        "resourceType": "CapabilityStatement",
        "id": "sctx",
        "extension": [
            { "url": FEATURE, "extension": [
                { "url": "definition", "valueCanonical": "http://hl7.org/fhir/uv/tx-tests/FeatureDefinition/test-version" },
                { "url": "value", "valueCode": TX_TESTS_VERSION },
            ]},
            { "url": FEATURE, "extension": [
                { "url": "definition", "valueCanonical": "http://hl7.org/fhir/uv/tx-ecosystem/FeatureDefinition/CodeSystemAsParameter" },
                { "url": "value", "valueBoolean": false },
            ]},
        ],
        "url": "http://sctx.local/fhir/CapabilityStatement/sctx",
        "version": version,
        "name": "SctxTerminologyServer",
        "title": "sctx SNOMED CT terminology server",
        "status": "active",
        "date": date(),
        "publisher": "sctx",
        "kind": "instance",
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "software": { "name": "sctx", "version": version, "releaseDate": date() },
        "implementation": { "description": "sctx FHIR R4 terminology service" },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "application/json"],
        "rest": [{
            "mode": "server",
            "resource": [
                { "type": "CodeSystem", "operation": [op("lookup"), op("subsumes"), op("validate-code")] },
                { "type": "ConceptMap", "operation": [op("translate")] },
                {
                    "type": "ValueSet",
                    "interaction": [{ "code": "read" }, { "code": "search-type" }],
                    "searchParam": [
                        { "name": "url", "type": "uri" },
                        { "name": "version", "type": "token" },
                    ],
                    "operation": [op("expand"), op("validate-code")],
                },
            ],
            "operation": [op("versions")],
        }],
    })
}

fn terminology_capabilities(ctx: &Ctx) -> Value {
    let def = default_edition(&ctx.db);
    let mut versions: Vec<Value> = editions(&ctx.db)
        .iter()
        .map(|e| {
            json!({
                "code": e.uri(),
                "isDefault": *e == def,
                "language": ["en"],
                "filter": [
                    { "code": "concept", "op": ["is-a", "descendent-of", "is-not-a", "in", "not-in", "generalizes", "="] },
                    { "code": "constraint", "op": ["="] },
                    { "code": "expressions", "op": ["="] },
                    { "code": "inactive", "op": ["="] },
                    { "code": "moduleId", "op": ["="] },
                ],
                "property": ["parent", "child", "inactive", "effectiveTime", "sufficientlyDefined",
                    "moduleId", "normalForm", "normalFormTerse", "609096000"],
            })
        })
        .collect();
    if versions.is_empty() {
        versions.push(json!({ "code": def.uri(), "isDefault": true }));
    }
    let params = [
        "activeOnly",
        "check-system-version",
        "count",
        "displayLanguage",
        "excludeNested",
        "filter",
        "force-system-version",
        "includeDefinition",
        "includeDesignations",
        "offset",
        "property",
        "system-version",
        "tx-resource",
    ];
    json!({
        "resourceType": "TerminologyCapabilities",
        "id": "sctx",
        "url": "http://sctx.local/fhir/TerminologyCapabilities/sctx",
        "version": env!("CARGO_PKG_VERSION"),
        "name": "SctxTerminologyCapabilities",
        "title": "sctx SNOMED CT terminology capabilities",
        "status": "active",
        "date": date(),
        "kind": "instance",
        "software": { "name": "sctx", "version": env!("CARGO_PKG_VERSION") },
        "codeSystem": [{ "uri": SCT, "version": versions, "subsumption": true }],
        "expansion": {
            "hierarchical": false,
            "paging": true,
            "parameter": params.iter().map(|n| json!({ "name": n })).collect::<Vec<_>>(),
            "textFilter": "Words match the starts of words in the concept's active descriptions",
        },
        "validateCode": { "translations": false },
        "translation": { "needsMap": false },
    })
}

/// `GET /fhir/metadata[?mode=terminology]`.
pub(crate) fn metadata(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    match p.str("mode").as_deref() {
        Some("terminology") => Ok(terminology_capabilities(ctx)),
        None | Some("full") | Some("normative") => Ok(capability_statement()),
        Some(m) => Err(Oo::invalid(format!("Unknown metadata mode '{m}'"))),
    }
}

/// `GET /fhir/$versions`.
pub(crate) fn versions(_ctx: &Ctx, _p: &Params) -> Result<Value, Oo> {
    Ok(json!({
        "resourceType": "Parameters",
        "parameter": [
            { "name": "version", "valueString": "4.0" },
            { "name": "default", "valueString": "4.0" },
        ],
    }))
}

/// `GET /fhir/ValueSet?url=...`: value sets here are implicit, so only implicit SNOMED
/// value set URLs are found.
pub(crate) fn vs_search(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    let mut entries = Vec::new();
    if let Some(url) = p.str("url")
        && let Some(Ok(_)) = super::valueset::implicit(ctx, &url)
    {
        entries.push(json!({ "resource": {
            "resourceType": "ValueSet", "url": url, "status": "active",
        }}));
    }
    Ok(json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
        "entry": entries,
    }))
}
