//! `CodeSystem/$validate-code` and `ValueSet/$validate-code`.

use serde_json::{Value, json};

use super::expression;
use super::lookup::unknown_code;
use super::params::Coding;
use super::valueset::{self, Candidate, VsDef};
use super::{
    Ctx, Issue, Oo, Params, SCT, concept_idx, display, is_snomed, language, outcome, parameters,
    resolve_version,
};

/// The coding to validate and the paths used in issue expressions.
struct Input {
    coding: Coding,
    code_path: &'static str,
    display_path: &'static str,
}

fn input(p: &Params, system_names: &[&str], version_names: &[&str]) -> Result<Input, Oo> {
    if let Some(c) = p.coding("coding") {
        return Ok(Input { coding: c, code_path: "Coding.code", display_path: "Coding.display" });
    }
    if let Some(cs) = p.codeable_concept("codeableConcept") {
        let c = cs
            .iter()
            .find(|c| c.system.as_deref().is_some_and(is_snomed))
            .or_else(|| cs.first())
            .cloned()
            .ok_or_else(|| Oo::invalid("The codeableConcept has no coding"))?;
        return Ok(Input {
            coding: c,
            code_path: "CodeableConcept.coding[0].code",
            display_path: "CodeableConcept.coding[0].display",
        });
    }
    let Some(code) = p.str("code") else {
        return Err(Oo::invalid("No code, coding or codeableConcept parameter was provided"));
    };
    Ok(Input {
        coding: Coding {
            system: p.str_any(system_names),
            version: p.str_any(version_names),
            code: Some(code),
            display: p.str("display"),
        },
        code_path: "code",
        display_path: "display",
    })
}

fn quote_list(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| {
            if t.contains(char::is_whitespace) || t.contains(',') {
                format!("\"{t}\"")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Validates the input against the code system and, when given, a value set.
fn check(ctx: &Ctx, p: &Params, inp: &Input, vs: Option<&VsDef>) -> Result<Value, Oo> {
    let c = &inp.coding;
    let code = c.code.clone().unwrap_or_default();
    let mut out = vec![json!({ "name": "code", "valueCode": code })];
    let mut issues: Vec<Issue> = Vec::new();
    let Some(system) = c.system.clone() else {
        return Err(Oo::invalid("No system was provided for the code"));
    };
    out.push(json!({ "name": "system", "valueUri": system }));
    let finish = |mut out: Vec<Value>, issues: Vec<Issue>, result: bool| {
        out.push(json!({ "name": "result", "valueBoolean": result }));
        let errors: Vec<&str> =
            issues.iter().filter(|i| i.severity == "error").map(|i| i.text.as_str()).collect();
        if !errors.is_empty() {
            out.push(json!({ "name": "message", "valueString": errors.join("; ") }));
        }
        if !issues.is_empty() {
            out.push(json!({ "name": "issues", "resource": outcome(&issues) }));
        }
        Ok(parameters(out))
    };
    if !is_snomed(&system) {
        issues.push(
            Issue::new(
                "error",
                "not-found",
                format!("A definition for CodeSystem '{system}' could not be found, so the code cannot be validated"),
            )
            .tx("not-found")
            .id("UNKNOWN_CODESYSTEM")
            .at("system"),
        );
        return finish(out, issues, false);
    }
    let version = c
        .version
        .clone()
        .or_else(|| (system != SCT && system != "http://snomed.info/xsct").then(|| system.clone()));
    let ed = match resolve_version(&ctx.db, version.as_deref()) {
        Ok(e) => e,
        Err(oo) => {
            issues.extend(oo.issues);
            return finish(out, issues, false);
        }
    };
    let lang = language(ctx, p, &ed);
    let store = ctx.store();
    let version_param = json!({ "name": "version", "valueString": ed.uri() });

    if expression::is_expression(&code) {
        let parsed = expression::parse(&code).and_then(|e| e.validate(store).map(|()| e));
        let e = match parsed {
            Ok(e) => e,
            Err(why) => {
                out.push(version_param);
                issues.push(unknown_code(&code, &ed).at(inp.code_path));
                issues.push(
                    Issue::new(
                        "information",
                        "code-invalid",
                        format!("Not a valid expression: {why}"),
                    )
                    .tx("invalid-code")
                    .at(inp.code_path),
                );
                return finish(out, issues, false);
            }
        };
        out.push(json!({ "name": "display", "valueString": e.render(store, &lang) }));
        match vs {
            None => {
                out.push(version_param);
                issues.push(
                    Issue::new(
                        "information",
                        "informational",
                        "The expression is grammatically correct and the concepts are valid, but the expression has not been checked against the SNOMED CT concept model (MRCM)",
                    )
                    .tx("process-note")
                    .at(inp.code_path),
                );
                finish(out, issues, true)
            }
            Some(vs) => {
                let forbidden = vs.implicit
                    || vs.includes.iter().all(|i| {
                        i.filters.iter().any(|(p, _, v)| p == "expressions" && v.trim() == "false")
                    });
                let ok = !forbidden && valueset::contains(ctx, p, vs, &Candidate::Expr(&e))?;
                // the code system version is reported when the expression was checked
                // against it (value sets that forbid expressions reject it unseen)
                if !forbidden || vs.implicit {
                    out.push(version_param);
                }
                if !ok {
                    issues.push(not_in_vs(&system, &code, c.display.as_deref(), vs, inp.code_path));
                }
                finish(out, issues, ok)
            }
        }
    } else {
        out.push(version_param);
        let Some(idx) = concept_idx(store, &code) else {
            issues.push(unknown_code(&code, &ed).at(inp.code_path));
            return finish(out, issues, false);
        };
        out.push(json!({ "name": "display", "valueString": display(store, idx, &lang) }));
        let mut result = true;
        if !store.is_active(idx) {
            out.push(json!({ "name": "inactive", "valueBoolean": true }));
            issues.push(
                Issue::new(
                    "warning",
                    "business-rule",
                    format!("The concept '{code}' has a status of inactive and its use should be reviewed"),
                )
                .tx("code-comment")
                .id("INACTIVE_CONCEPT_FOUND")
                .at(inp.code_path),
            );
        }
        if let Some(d) = c.display.as_deref().filter(|d| !d.trim().is_empty()) {
            let descs: Vec<_> = store.descriptions(idx).collect();
            let norm = |s: &str| s.trim().to_lowercase();
            let active_match = descs.iter().any(|x| x.active && x.term == d)
                || descs.iter().any(|x| x.active && norm(x.term) == norm(d));
            if !active_match {
                let mut valid: Vec<String> =
                    descs.iter().filter(|x| x.active).map(|x| x.term.to_string()).collect();
                valid.sort();
                valid.dedup();
                if descs.iter().any(|x| !x.active && norm(x.term) == norm(d)) {
                    issues.push(
                        Issue::new(
                            "warning",
                            "invalid",
                            format!(
                                "'{d}' is no longer considered a correct display for code '{code}' (status = inactive). The correct display is one of {}.",
                                quote_list(&valid)
                            ),
                        )
                        .tx("display-comment")
                        .id("INACTIVE_DISPLAY_FOUND")
                        .at(inp.display_path)
                        .with_location(),
                    );
                } else {
                    result = false;
                    let choices =
                        valid.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
                    issues.push(
                        Issue::new(
                            "error",
                            "invalid",
                            format!(
                                "Wrong Display Name '{d}' for {SCT}#{code}. Valid display is one of {} choices: {choices} (for the language(s) '{}')",
                                valid.len(),
                                p.str("displayLanguage").unwrap_or_else(|| "en".into())
                            ),
                        )
                        .tx("invalid-display")
                        .id("Display_Name_for__should_be_one_of__instead_of")
                        .at(inp.display_path)
                        .with_location(),
                    );
                }
            }
        }
        if let Some(vs) = vs
            && !valueset::contains(ctx, p, vs, &Candidate::Concept(idx))?
        {
            result = false;
            issues.push(not_in_vs(&system, &code, c.display.as_deref(), vs, inp.code_path));
        }
        finish(out, issues, result)
    }
}

fn not_in_vs(system: &str, code: &str, display: Option<&str>, vs: &VsDef, path: &str) -> Issue {
    let shown = match display {
        Some(d) => format!("{system}#{code} ('{d}')"),
        None => format!("{system}#{code}"),
    };
    Issue::new(
        "error",
        "code-invalid",
        format!("The provided code '{shown}' was not found in the value set '{}'", vs.label()),
    )
    .tx("not-in-vs")
    .id("None_of_the_provided_codes_are_in_the_value_set_one")
    .at(path.to_string())
}

/// `CodeSystem/$validate-code` (R4 names the system `url`; `system` is accepted too).
pub(crate) fn cs_validate_code(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    let inp = input(p, &["url", "system"], &["version"])?;
    check(ctx, p, &inp, None)
}

/// `ValueSet/$validate-code`.
pub(crate) fn vs_validate_code(ctx: &Ctx, p: &Params) -> Result<Value, Oo> {
    let vs = valueset::request_vs(ctx, p)?;
    let inp = input(p, &["system"], &["systemVersion", "version"])?;
    check(ctx, p, &inp, Some(&vs))
}
