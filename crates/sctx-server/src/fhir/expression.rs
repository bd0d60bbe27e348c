//! SNOMED CT post-coordinated expressions (compositional grammar, the subset used in
//! codes): parsing, validation against the store, rendering with terms, and a normal
//! form for comparing two expressions.

use sctx_store::Store;
use sctx_types::{LanguagePreference, ids};

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AttrValue {
    Concept(u64),
    Nested(Box<Expression>),
    Concrete(String),
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expression {
    pub focus: Vec<u64>,
    pub ungrouped: Vec<(u64, AttrValue)>,
    pub groups: Vec<Vec<(u64, AttrValue)>>,
}

/// Whether a code looks like an expression rather than a concept id.
pub(crate) fn is_expression(code: &str) -> bool {
    code.contains([':', '+', '|', '{', '=', '('])
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at character {}", self.i + 1))
    }
    fn concept(&mut self) -> Result<u64, String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if start == self.i {
            return self.err("expected a concept id");
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        let id: u64 = text.parse().map_err(|_| format!("{text} is not a concept id"))?;
        if self.eat(b'|') {
            while self.i < self.s.len() && self.s[self.i] != b'|' {
                self.i += 1;
            }
            if !self.eat(b'|') {
                return self.err("unterminated term");
            }
        }
        Ok(id)
    }
    fn value(&mut self) -> Result<AttrValue, String> {
        match self.peek() {
            Some(b'(') => {
                self.i += 1;
                let e = self.sub()?;
                if !self.eat(b')') {
                    return self.err("expected ')'");
                }
                Ok(AttrValue::Nested(Box::new(e)))
            }
            Some(b'#') => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit() || b".-+".contains(&self.s[self.i]))
                {
                    self.i += 1;
                }
                Ok(AttrValue::Concrete(String::from_utf8_lossy(&self.s[start..self.i]).into()))
            }
            Some(b'"') => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len() && self.s[self.i] != b'"' {
                    self.i += 1;
                }
                if self.i >= self.s.len() {
                    return self.err("unterminated string");
                }
                self.i += 1;
                Ok(AttrValue::Concrete(String::from_utf8_lossy(&self.s[start..self.i]).into()))
            }
            _ => Ok(AttrValue::Concept(self.concept()?)),
        }
    }
    fn attribute(&mut self) -> Result<(u64, AttrValue), String> {
        let name = self.concept()?;
        if !self.eat(b'=') {
            return self.err("expected '='");
        }
        Ok((name, self.value()?))
    }
    fn attr_set(&mut self) -> Result<Vec<(u64, AttrValue)>, String> {
        let mut v = vec![self.attribute()?];
        loop {
            let save = self.i;
            if self.eat(b',') {
                if self.peek() == Some(b'{') {
                    self.i = save;
                    break;
                }
                v.push(self.attribute()?);
            } else {
                break;
            }
        }
        Ok(v)
    }
    fn sub(&mut self) -> Result<Expression, String> {
        let mut focus = vec![self.concept()?];
        while self.eat(b'+') {
            focus.push(self.concept()?);
        }
        let mut e = Expression { focus, ungrouped: Vec::new(), groups: Vec::new() };
        if self.eat(b':') {
            if self.peek() != Some(b'{') {
                e.ungrouped = self.attr_set()?;
                self.eat(b',');
            }
            while self.eat(b'{') {
                e.groups.push(self.attr_set()?);
                if !self.eat(b'}') {
                    return self.err("expected '}'");
                }
                self.eat(b',');
            }
            if e.ungrouped.is_empty() && e.groups.is_empty() {
                return self.err("empty refinement");
            }
        }
        Ok(e)
    }
}

/// Parses an expression.
pub(crate) fn parse(code: &str) -> Result<Expression, String> {
    let mut p = P { s: code.as_bytes(), i: 0 };
    if p.s.starts_with(b"===") || p.s.starts_with(b"<<<") {
        p.i = 3;
    }
    let e = p.sub()?;
    if p.peek().is_some() {
        return p.err("unexpected text");
    }
    Ok(e)
}

impl Expression {
    fn concepts(&self, out: &mut Vec<(u64, bool)>) {
        out.extend(self.focus.iter().map(|&f| (f, false)));
        for (a, v) in self.ungrouped.iter().chain(self.groups.iter().flatten()) {
            out.push((*a, true));
            match v {
                AttrValue::Concept(c) => out.push((*c, false)),
                AttrValue::Nested(n) => n.concepts(out),
                AttrValue::Concrete(_) => {}
            }
        }
    }

    /// Checks that every concept exists and attribute names are attributes.
    pub(crate) fn validate(&self, store: &Store) -> Result<(), String> {
        let mut all = Vec::new();
        self.concepts(&mut all);
        let attr_root = store.index_of(ids::CONCEPT_MODEL_ATTRIBUTE);
        for (id, is_attr) in all {
            let Some(idx) = store.index_of(id) else {
                return Err(format!("Concept {id} not found"));
            };
            if !store.is_active(idx) {
                return Err(format!("Concept {id} is inactive"));
            }
            if is_attr
                && let Some(root) = attr_root
                && idx != root
                && !store.subsumes(root, idx)
            {
                return Err(format!("Concept {id} is not an attribute"));
            }
        }
        Ok(())
    }

    /// Renders with preferred terms: `id|term|:{a|term|=v|term|}`.
    pub(crate) fn render(&self, store: &Store, lang: &LanguagePreference) -> String {
        let term = |id: u64| {
            let t = store
                .index_of(id)
                .and_then(|i| store.preferred_term(i, lang))
                .map(str::to_string)
                .unwrap_or_default();
            format!("{id}|{t}|")
        };
        let attrs = |set: &[(u64, AttrValue)]| {
            set.iter()
                .map(|(a, v)| {
                    let v = match v {
                        AttrValue::Concept(c) => term(*c),
                        AttrValue::Nested(n) => format!("({})", n.render(store, lang)),
                        AttrValue::Concrete(s) => s.clone(),
                    };
                    format!("{}={v}", term(*a))
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut s = self.focus.iter().map(|&f| term(f)).collect::<Vec<_>>().join("+");
        if !self.ungrouped.is_empty() || !self.groups.is_empty() {
            s.push(':');
            let mut parts = Vec::new();
            if !self.ungrouped.is_empty() {
                parts.push(attrs(&self.ungrouped));
            }
            for g in &self.groups {
                parts.push(format!("{{{}}}", attrs(g)));
            }
            s.push_str(&parts.join(","));
        }
        s
    }

    /// A canonical text (ids only, sorted) for comparing expressions.
    pub(crate) fn normal(&self) -> String {
        let attrs = |set: &[(u64, AttrValue)]| {
            let mut v: Vec<String> = set
                .iter()
                .map(|(a, v)| {
                    let v = match v {
                        AttrValue::Concept(c) => c.to_string(),
                        AttrValue::Nested(n) => format!("({})", n.normal()),
                        AttrValue::Concrete(s) => s.clone(),
                    };
                    format!("{a}={v}")
                })
                .collect();
            v.sort();
            v.join(",")
        };
        let mut focus = self.focus.clone();
        focus.sort_unstable();
        focus.dedup();
        let mut s = focus.iter().map(u64::to_string).collect::<Vec<_>>().join("+");
        let mut parts = Vec::new();
        if !self.ungrouped.is_empty() {
            parts.push(attrs(&self.ungrouped));
        }
        let mut groups: Vec<String> =
            self.groups.iter().map(|g| format!("{{{}}}", attrs(g))).collect();
        groups.sort();
        parts.extend(groups);
        if !parts.is_empty() {
            s.push(':');
            s.push_str(&parts.join(","));
        }
        s
    }

    /// All attributes (ungrouped and grouped), flattened.
    pub(crate) fn attributes(&self) -> impl Iterator<Item = &(u64, AttrValue)> {
        self.ungrouped.iter().chain(self.groups.iter().flatten())
    }
}
