//! Operation parameters from a query string (GET) or a `Parameters` body (POST).

use axum::http::{HeaderMap, Uri, header};
use serde_json::{Value, json};

use super::Oo;

/// A coding given as parameters or a `Coding`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Coding {
    pub system: Option<String>,
    pub version: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
}

impl Coding {
    fn from_json(v: &Value) -> Coding {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Coding {
            system: s("system"),
            version: s("version"),
            code: s("code"),
            display: s("display"),
        }
    }
}

/// The parameters of one operation call: `Parameters.parameter` objects, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    items: Vec<Value>,
}

/// The primitive value of a parameter (`valueX`) as text.
pub(crate) fn primitive(p: &Value) -> Option<String> {
    let o = p.as_object()?;
    for (k, v) in o {
        let Some(rest) = k.strip_prefix("value") else { continue };
        if !rest.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        return match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
    }
    None
}

impl Params {
    /// Parses the query string, and for POST a JSON `Parameters` body.
    pub(crate) fn from_request(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Params, Oo> {
        let mut items = Vec::new();
        if let Some(q) = uri.query() {
            for (k, v) in form_pairs(q) {
                if k.starts_with('_') {
                    continue; // _format and friends
                }
                items.push(json!({ "name": k, "valueString": v }));
            }
        }
        if !body.iter().all(u8::is_ascii_whitespace) {
            let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            if ct.contains("x-www-form-urlencoded") {
                let text = String::from_utf8_lossy(body);
                for (k, v) in form_pairs(&text) {
                    items.push(json!({ "name": k, "valueString": v }));
                }
            } else {
                let v: Value = serde_json::from_slice(body)
                    .map_err(|e| Oo::invalid(format!("The request body is not valid JSON: {e}")))?;
                match v.get("resourceType").and_then(Value::as_str) {
                    Some("Parameters") => {
                        if let Some(ps) = v.get("parameter") {
                            let Some(ps) = ps.as_array() else {
                                return Err(Oo::invalid("Parameters.parameter must be an array"));
                            };
                            for p in ps {
                                if p.get("name").and_then(Value::as_str).is_none() {
                                    return Err(Oo::invalid("A parameter has no name"));
                                }
                                items.push(p.clone());
                            }
                        }
                    }
                    Some(other) => {
                        return Err(Oo::invalid(format!(
                            "Expected a Parameters resource in the body, found {other}"
                        )));
                    }
                    None => {
                        return Err(Oo::invalid("The request body is not a FHIR resource"));
                    }
                }
            }
        }
        Ok(Params { items })
    }

    fn named<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a Value> + use<'a, 'n> {
        self.items.iter().filter(move |p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    /// The first primitive value of this name.
    pub(crate) fn str(&self, name: &str) -> Option<String> {
        self.named(name).find_map(primitive)
    }

    /// The first primitive value of any of these names.
    pub(crate) fn str_any(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| self.str(n))
    }

    /// All primitive values of this name.
    pub(crate) fn strs(&self, name: &str) -> Vec<String> {
        self.named(name).filter_map(primitive).collect()
    }

    /// A boolean parameter (`true`/`false`).
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, Oo> {
        match self.str(name).as_deref().map(str::trim) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(v) => Err(Oo::invalid(format!("Parameter {name}: {v:?} is not a boolean"))),
        }
    }

    /// A non-negative integer parameter.
    pub(crate) fn uint(&self, name: &str) -> Result<Option<usize>, Oo> {
        match self.str(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
                Oo::invalid(format!("Parameter {name}: {v:?} is not a non-negative integer"))
            }),
        }
    }

    /// A resource parameter.
    pub(crate) fn resource(&self, name: &str) -> Option<&Value> {
        self.named(name).find_map(|p| p.get("resource"))
    }

    /// All resource parameters of this name.
    pub(crate) fn resources(&self, name: &str) -> Vec<&Value> {
        self.named(name).filter_map(|p| p.get("resource")).collect()
    }

    /// A `Coding` parameter.
    pub(crate) fn coding(&self, name: &str) -> Option<Coding> {
        self.named(name).find_map(|p| p.get("valueCoding")).map(Coding::from_json)
    }

    /// The codings of a `CodeableConcept` parameter.
    pub(crate) fn codeable_concept(&self, name: &str) -> Option<Vec<Coding>> {
        let cc = self.named(name).find_map(|p| p.get("valueCodeableConcept"))?;
        Some(
            cc.get("coding")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(Coding::from_json).collect())
                .unwrap_or_default(),
        )
    }

    /// The parameter objects to echo in `expansion.parameter`, typed for FHIR.
    pub(crate) fn echo(&self, names: &[&str]) -> Vec<Value> {
        let mut out = Vec::new();
        for p in &self.items {
            let Some(name) = p.get("name").and_then(Value::as_str) else { continue };
            if !names.contains(&name) {
                continue;
            }
            let Some(v) = primitive(p) else { continue };
            let value = match name {
                "count" | "offset" => match v.parse::<i64>() {
                    Ok(n) => json!({ "name": name, "valueInteger": n }),
                    Err(_) => continue,
                },
                "includeDesignations" | "activeOnly" | "excludeNested" | "includeDefinition" => {
                    match v.as_str() {
                        "true" => json!({ "name": name, "valueBoolean": true }),
                        "false" => json!({ "name": name, "valueBoolean": false }),
                        _ => continue,
                    }
                }
                "displayLanguage" => json!({ "name": name, "valueCode": v }),
                _ => json!({ "name": name, "valueString": v }),
            };
            out.push(value);
        }
        out
    }
}

/// `application/x-www-form-urlencoded` pairs, percent-decoded.
fn form_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(&k.replace('+', " ")), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
