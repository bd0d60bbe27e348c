//! Hand-written recursive-descent parser for ECL 2.3 (brief and long syntax).

use crate::ast::*;
use crate::error::ParseError;

/// Maximum nesting depth of brackets / sub-expressions.
pub const MAX_DEPTH: usize = 64;

/// Parse an ECL expression constraint (brief or long syntax).
pub fn parse(source: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        src: source,
        b: source.as_bytes(),
        pos: 0,
        depth: 0,
        exp_pos: 0,
        expected: Vec::new(),
    };
    let res = (|| {
        p.ws()?;
        let e = p.expression()?;
        p.ws()?;
        if p.pos < p.b.len() {
            p.expect("end of input");
            p.expect("`AND`");
            p.expect("`OR`");
            p.expect("`MINUS`");
            return Err(p.fail());
        }
        Ok(e)
    })();
    res.map_err(|f| p.to_error(f))
}

#[derive(Debug)]
struct Fail {
    pos: usize,
    message: Option<String>,
}

type PResult<T> = Result<T, Fail>;

#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    depth: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BinOp {
    And,
    Or,
    Minus,
}

impl BinOp {
    fn name(self) -> &'static str {
        match self {
            BinOp::And => "AND",
            BinOp::Or => "OR",
            BinOp::Minus => "MINUS",
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
    exp_pos: usize,
    expected: Vec<String>,
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> Parser<'a> {
    // ----- low-level helpers -------------------------------------------------

    fn to_error(&self, f: Fail) -> ParseError {
        match f.message {
            Some(m) => {
                let exp = if self.exp_pos == f.pos { self.expected.clone() } else { Vec::new() };
                ParseError::new(self.src, f.pos, exp, m)
            }
            None => {
                let pos = self.exp_pos.max(f.pos);
                let exp = if pos == self.exp_pos { self.expected.clone() } else { Vec::new() };
                let found = self.describe_at(pos);
                let message = if exp.is_empty() {
                    format!("unexpected {found}")
                } else {
                    format!("unexpected {found}; expected one of: {}", exp.join(", "))
                };
                ParseError::new(self.src, pos, exp, message)
            }
        }
    }

    fn describe_at(&self, pos: usize) -> String {
        if pos >= self.b.len() {
            return "end of input".to_string();
        }
        let mut end = pos;
        let rest = &self.src[pos.min(self.src.len())..];
        for (i, c) in rest.char_indices() {
            if c.is_whitespace() || (i > 0 && !c.is_alphanumeric()) || i >= 24 {
                break;
            }
            end = pos + i + c.len_utf8();
            if !c.is_alphanumeric() {
                break;
            }
        }
        if end == pos {
            end = pos + rest.chars().next().map_or(1, char::len_utf8);
        }
        format!("`{}`", &self.src[pos..end.min(self.src.len())])
    }

    fn expect(&mut self, what: &str) {
        if self.pos > self.exp_pos {
            self.exp_pos = self.pos;
            self.expected.clear();
        }
        if self.pos == self.exp_pos && !self.expected.iter().any(|e| e == what) {
            self.expected.push(what.to_string());
        }
    }

    fn fail(&self) -> Fail {
        Fail { pos: self.pos, message: None }
    }

    fn fail_msg(&self, pos: usize, msg: impl Into<String>) -> Fail {
        Fail { pos, message: Some(msg.into()) }
    }

    fn mark(&self) -> Mark {
        Mark { pos: self.pos, depth: self.depth }
    }

    fn reset(&mut self, m: Mark) {
        self.pos = m.pos;
        self.depth = m.depth;
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail_msg(
                self.pos,
                format!("expression nested too deeply (maximum depth {MAX_DEPTH})"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.b.get(self.pos + n).copied()
    }

    /// Optional whitespace and comments.
    fn ws(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    match self.src[self.pos + 2..].find("*/") {
                        Some(i) => self.pos += 2 + i + 2,
                        None => return Err(self.fail_msg(start, "unterminated comment")),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Whether whitespace or a comment starts here.
    fn at_ws(&self) -> bool {
        matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n'))
            || (self.peek() == Some(b'/') && self.peek_at(1) == Some(b'*'))
    }

    /// Exact (case-sensitive) symbol.
    fn sym(&mut self, s: &str) -> bool {
        if self.b[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            self.expect(&format!("`{s}`"));
            false
        }
    }

    fn require(&mut self, s: &str) -> PResult<()> {
        if self.sym(s) { Ok(()) } else { Err(self.fail()) }
    }

    fn starts_ci(&self, word: &str) -> bool {
        let w = word.as_bytes();
        self.b.len() >= self.pos + w.len()
            && self.b[self.pos..self.pos + w.len()].eq_ignore_ascii_case(w)
    }

    /// Case-insensitive keyword followed by a non-word character.
    fn kw(&mut self, word: &str) -> bool {
        if self.starts_ci(word)
            && !self
                .b
                .get(self.pos + word.len())
                .copied()
                .is_some_and(|c| is_word(c) || c == b'#' || c == b'-')
            && !self.alt_id_ahead()
        {
            self.pos += word.len();
            true
        } else {
            self.expect(&format!("`{word}`"));
            false
        }
    }

    /// Whether an unquoted alternate identifier (`scheme#code`) starts here.
    fn alt_id_ahead(&self) -> bool {
        let mut i = self.pos;
        if !self.b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
            return false;
        }
        while i < self.b.len() && scheme_char(self.b[i]) {
            i += 1;
        }
        self.b.get(i) == Some(&b'#')
    }

    /// Case-insensitive long-syntax keyword followed by mandatory whitespace.
    fn kw_mws(&mut self, word: &str) -> bool {
        if self.starts_ci(word) {
            let save = self.pos;
            self.pos += word.len();
            if self.at_ws() {
                return true;
            }
            self.pos = save;
        }
        false
    }

    // ----- expressions -------------------------------------------------------

    /// expressionConstraint (without surrounding ws).
    fn expression(&mut self) -> PResult<Expr> {
        let first = self.sub_expression()?;
        let m = self.mark();
        self.ws()?;
        if self.peek() == Some(b':') {
            self.pos += 1;
            self.ws()?;
            let r = self.refinement()?;
            return Ok(Expr::Refined(Box::new(first), r));
        }
        self.expect("`:`");
        self.reset(m);
        let first = self.maybe_dotted(first)?;
        let mut op: Option<BinOp> = None;
        let mut operands = vec![first];
        loop {
            let m = self.mark();
            self.ws()?;
            let op_pos = self.pos;
            let Some(this) = self.binop() else {
                self.reset(m);
                break;
            };
            match op {
                None => op = Some(this),
                Some(prev) if prev != this => {
                    return Err(self.fail_msg(
                        op_pos,
                        format!(
                            "`{}` and `{}` cannot be mixed without brackets",
                            prev.name(),
                            this.name()
                        ),
                    ));
                }
                Some(BinOp::Minus) => {
                    return Err(self.fail_msg(op_pos, "`MINUS` cannot be chained without brackets"));
                }
                Some(_) => {}
            }
            self.ws()?;
            let s = self.sub_expression()?;
            operands.push(self.maybe_dotted(s)?);
        }
        Ok(match op {
            None => operands.pop().expect("one operand"),
            Some(BinOp::And) => Expr::And(operands),
            Some(BinOp::Or) => Expr::Or(operands),
            Some(BinOp::Minus) => {
                let b = operands.pop().expect("two operands");
                let a = operands.pop().expect("two operands");
                Expr::Minus(Box::new(a), Box::new(b))
            }
        })
    }

    fn binop(&mut self) -> Option<BinOp> {
        if self.peek() == Some(b',') {
            self.pos += 1;
            return Some(BinOp::And);
        }
        self.expect("`,`");
        if self.kw("and") {
            Some(BinOp::And)
        } else if self.kw("or") {
            Some(BinOp::Or)
        } else if self.kw("minus") {
            Some(BinOp::Minus)
        } else {
            None
        }
    }

    /// Dotted attributes after a sub-expression, if any.
    fn maybe_dotted(&mut self, first: SubExpr) -> PResult<Expr> {
        let mut attrs = Vec::new();
        loop {
            let m = self.mark();
            self.ws()?;
            if self.peek() == Some(b'.') && self.peek_at(1) != Some(b'.') {
                self.pos += 1;
                self.ws()?;
                attrs.push(self.sub_expression()?);
            } else {
                self.expect("`.`");
                self.reset(m);
                break;
            }
        }
        if attrs.is_empty() {
            Ok(Expr::Sub(Box::new(first)))
        } else {
            Ok(Expr::Dotted(Box::new(first), attrs))
        }
    }

    fn constraint_op(&mut self) -> Option<ConstraintOp> {
        use ConstraintOp::*;
        const BRIEF: [(&str, ConstraintOp); 10] = [
            ("<<!", ChildOrSelfOf),
            ("<<", DescendantOrSelfOf),
            ("<!", ChildOf),
            ("<", DescendantOf),
            (">>!", ParentOrSelfOf),
            (">>", AncestorOrSelfOf),
            (">!", ParentOf),
            (">", AncestorOf),
            ("!!>", Top),
            ("!!<", Bottom),
        ];
        for (s, op) in BRIEF {
            if self.b[self.pos..].starts_with(s.as_bytes()) {
                self.pos += s.len();
                return Some(op);
            }
        }
        const LONG: [(&str, ConstraintOp); 10] = [
            ("descendantOrSelfOf", DescendantOrSelfOf),
            ("descendantOf", DescendantOf),
            ("childOrSelfOf", ChildOrSelfOf),
            ("childOf", ChildOf),
            ("ancestorOrSelfOf", AncestorOrSelfOf),
            ("ancestorOf", AncestorOf),
            ("parentOrSelfOf", ParentOrSelfOf),
            ("parentOf", ParentOf),
            ("top", Top),
            ("bottom", Bottom),
        ];
        for (s, op) in LONG {
            if self.kw_mws(s) {
                return Some(op);
            }
        }
        self.expect("constraint operator");
        None
    }

    /// subExpressionConstraint.
    fn sub_expression(&mut self) -> PResult<SubExpr> {
        self.enter()?;
        let op = self.constraint_op();
        if op.is_some() {
            self.ws()?;
        }
        let refset = self.refset_op()?;
        if refset.is_some() {
            self.ws()?;
        }
        let focus = self.focus()?;
        let mut sub = SubExpr {
            op,
            refset,
            focus,
            member_filters: Vec::new(),
            filters: Vec::new(),
            history: None,
        };
        // filters
        loop {
            let m = self.mark();
            self.ws()?;
            if !self.b[self.pos..].starts_with(b"{{") {
                self.expect("`{{`");
                self.reset(m);
                break;
            }
            let open = self.pos;
            self.pos += 2;
            self.ws()?;
            if self.peek() == Some(b'+') {
                self.pos += 1;
                self.ws()?;
                sub.history = Some(self.history()?);
                self.ws()?;
                self.require("}}")?;
                break;
            }
            if self.kw("m") {
                if !sub.filters.is_empty() {
                    return Err(self.fail_msg(
                        open,
                        "member filters must come before description and concept filters",
                    ));
                }
                self.ws()?;
                let v = self.list(Self::member_filter)?;
                sub.member_filters.push(v);
            } else if self.kw("c") {
                self.ws()?;
                let v = self.list(Self::concept_filter)?;
                sub.filters.push(FilterConstraint::Concept(v));
            } else {
                if self.kw("d") {
                    self.ws()?;
                }
                let v = self.list(Self::description_filter)?;
                sub.filters.push(FilterConstraint::Description(v));
            }
            self.ws()?;
            if !self.sym("}}") {
                self.expect("`,`");
                return Err(self.fail());
            }
        }
        self.leave();
        Ok(sub)
    }

    /// Comma-separated filters.
    fn list<T>(&mut self, f: fn(&mut Self) -> PResult<T>) -> PResult<Vec<T>> {
        let mut v = vec![f(self)?];
        loop {
            let m = self.mark();
            self.ws()?;
            if self.peek() == Some(b',') {
                self.pos += 1;
                self.ws()?;
                v.push(f(self)?);
            } else {
                self.reset(m);
                return Ok(v);
            }
        }
    }

    fn refset_op(&mut self) -> PResult<Option<RefsetOp>> {
        let is_contains = (self.starts_ci("^r")
            && !self
                .b
                .get(self.pos + 2)
                .copied()
                .is_some_and(|c| is_word(c) || c == b'#' || c == b'-'))
            || self.kw_mws("refsetContainingAny");
        if is_contains {
            if self.peek() == Some(b'^') {
                self.pos += 2;
            }
            return Ok(Some(RefsetOp::ContainingAny));
        }
        let member = if self.peek() == Some(b'^') {
            self.pos += 1;
            true
        } else {
            self.expect("`^`");
            self.kw("memberOf")
        };
        if !member {
            return Ok(None);
        }
        let m = self.mark();
        self.ws()?;
        if self.peek() != Some(b'[') {
            self.reset(m);
            return Ok(Some(RefsetOp::MemberOf(None)));
        }
        self.pos += 1;
        self.ws()?;
        let sel = if self.peek() == Some(b'*') {
            self.pos += 1;
            FieldSelection::All
        } else {
            let mut names = vec![self.field_name()?];
            loop {
                self.ws()?;
                if self.peek() == Some(b',') {
                    self.pos += 1;
                    self.ws()?;
                    names.push(self.field_name()?);
                } else {
                    break;
                }
            }
            FieldSelection::Fields(names)
        };
        self.ws()?;
        self.require("]")?;
        Ok(Some(RefsetOp::MemberOf(Some(sel))))
    }

    fn field_name(&mut self) -> PResult<String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        if start == self.pos {
            self.expect("refset field name");
            return Err(self.fail());
        }
        Ok(self.src[start..self.pos].to_string())
    }

    fn focus(&mut self) -> PResult<Focus> {
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                self.enter()?;
                self.ws()?;
                let e = self.expression()?;
                self.ws()?;
                self.require(")")?;
                self.leave();
                Ok(Focus::Nested(Box::new(e)))
            }
            Some(b'*') => {
                self.pos += 1;
                Ok(Focus::Wildcard)
            }
            Some(c) if c.is_ascii_digit() => Ok(Focus::Concept(self.concept_ref()?)),
            Some(b'"') => {
                let raw = self.quoted()?;
                let text = unescape(&raw);
                let Some((scheme, code)) = text.split_once('#') else {
                    return Err(self.fail_msg(
                        self.pos,
                        "quoted alternate identifier must be \"scheme#code\"",
                    ));
                };
                if scheme.is_empty() || code.is_empty() {
                    return Err(
                        self.fail_msg(self.pos, "empty alternate identifier scheme or code")
                    );
                }
                let (scheme, code) = (scheme.to_string(), code.to_string());
                let term = self.opt_term()?;
                Ok(Focus::AltId(AltIdentifier { scheme, code, term }))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                if !self.alt_id_ahead() && self.kw("any") {
                    return Ok(Focus::Wildcard);
                }
                // alternate identifier scheme#code
                let start = self.pos;
                let mut i = self.pos;
                while i < self.b.len() && scheme_char(self.b[i]) {
                    i += 1;
                }
                if self.b.get(i) == Some(&b'#') {
                    let scheme = self.src[start..i].to_string();
                    self.pos = i + 1;
                    let cstart = self.pos;
                    while self.peek().is_some_and(code_char) {
                        self.pos += 1;
                    }
                    if cstart == self.pos {
                        self.expect("alternate identifier code");
                        return Err(self.fail());
                    }
                    let code = self.src[cstart..self.pos].to_string();
                    let term = self.opt_term()?;
                    return Ok(Focus::AltId(AltIdentifier { scheme, code, term }));
                }
                self.expect("concept id");
                self.expect("`*`");
                self.expect("`(`");
                self.expect("alternate identifier");
                Err(self.fail())
            }
            _ => {
                self.expect("concept id");
                self.expect("`*`");
                self.expect("`(`");
                self.expect("`^`");
                self.expect("constraint operator");
                Err(self.fail())
            }
        }
    }

    fn sctid(&mut self) -> PResult<u64> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits = &self.src[start..self.pos];
        if digits.is_empty() {
            self.expect("concept id");
            return Err(self.fail());
        }
        if digits.starts_with('0') {
            return Err(self.fail_msg(start, "SCTID must not start with 0"));
        }
        if !(6..=18).contains(&digits.len()) {
            return Err(self.fail_msg(start, format!("SCTID `{digits}` must have 6 to 18 digits")));
        }
        if self.peek().is_some_and(is_word) {
            self.expect("digit");
            return Err(self.fail());
        }
        digits.parse().map_err(|_| self.fail_msg(start, "invalid SCTID"))
    }

    fn concept_ref(&mut self) -> PResult<ConceptRef> {
        let id = self.sctid()?;
        let term = self.opt_term()?;
        Ok(ConceptRef { id, term })
    }

    fn opt_term(&mut self) -> PResult<Option<String>> {
        let m = self.mark();
        self.ws()?;
        if self.peek() != Some(b'|') {
            self.expect("`|term|`");
            self.reset(m);
            return Ok(None);
        }
        let open = self.pos;
        self.pos += 1;
        match self.src[self.pos..].find('|') {
            Some(i) => {
                let t = self.src[self.pos..self.pos + i].trim();
                self.pos += i + 1;
                if t.is_empty() {
                    return Err(self.fail_msg(open, "empty term"));
                }
                Ok(Some(t.to_string()))
            }
            None => Err(self.fail_msg(open, "unterminated term (missing closing `|`)")),
        }
    }

    /// A quoted string; returns the raw content with escapes retained.
    fn quoted(&mut self) -> PResult<String> {
        let open = self.pos;
        if !self.sym("\"") {
            return Err(self.fail());
        }
        let start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.fail_msg(open, "unterminated string")),
                Some(b'\\') => match self.peek_at(1) {
                    Some(b'"' | b'\\' | b'*') => self.pos += 2,
                    _ => {
                        return Err(self.fail_msg(
                            self.pos,
                            "invalid escape in string (allowed: \\\" \\\\ \\*)",
                        ));
                    }
                },
                Some(b'"') => {
                    let raw = self.src[start..self.pos].to_string();
                    self.pos += 1;
                    return Ok(raw);
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    // ----- refinements -------------------------------------------------------

    /// eclRefinement: subRefinement (op subRefinement)*, with one kind of operator.
    fn refinement(&mut self) -> PResult<Refinement> {
        self.ref_chain(true)
    }

    fn ref_chain(&mut self, allow_groups: bool) -> PResult<Refinement> {
        let first = self.sub_refinement(allow_groups)?;
        let mut op: Option<BinOp> = None;
        let mut items = vec![first];
        loop {
            let m = self.mark();
            self.ws()?;
            let op_pos = self.pos;
            let this = if self.peek() == Some(b',') {
                self.pos += 1;
                Some(BinOp::And)
            } else {
                self.expect("`,`");
                if self.kw("and") {
                    Some(BinOp::And)
                } else if self.kw("or") {
                    Some(BinOp::Or)
                } else {
                    None
                }
            };
            let Some(this) = this else {
                self.reset(m);
                break;
            };
            if let Some(prev) = op
                && prev != this
            {
                return Err(self.fail_msg(
                    op_pos,
                    format!(
                        "`{}` and `{}` cannot be mixed in a refinement without brackets",
                        prev.name(),
                        this.name()
                    ),
                ));
            }
            op = Some(this);
            self.ws()?;
            items.push(self.sub_refinement(allow_groups)?);
        }
        Ok(match op {
            None => items.pop().expect("one item"),
            Some(BinOp::Or) => Refinement::Or(items),
            Some(_) => Refinement::And(items),
        })
    }

    fn sub_refinement(&mut self, allow_groups: bool) -> PResult<Refinement> {
        self.enter()?;
        let r = if self.peek() == Some(b'(') && self.bracket_is_refinement() {
            self.pos += 1;
            self.ws()?;
            let r = self.ref_chain(allow_groups)?;
            self.ws()?;
            self.require(")")?;
            r
        } else {
            // optional cardinality, then group or attribute
            let m = self.mark();
            let card = self.opt_cardinality()?;
            if card.is_some() {
                self.ws()?;
            }
            if self.peek() == Some(b'{') && self.peek_at(1) != Some(b'{') {
                if !allow_groups {
                    return Err(self.fail_msg(self.pos, "attribute groups cannot be nested"));
                }
                self.pos += 1;
                self.ws()?;
                let body = self.ref_chain(false)?;
                self.ws()?;
                self.require("}")?;
                Refinement::Group { cardinality: card, body: Box::new(body) }
            } else {
                if allow_groups {
                    self.expect("`{`");
                }
                self.reset(m);
                Refinement::Attribute(self.attribute()?)
            }
        };
        self.leave();
        Ok(r)
    }

    /// Decide whether the `(` at the current position opens a bracketed
    /// refinement (true) or a nested expression used as an attribute name
    /// (false), by looking at what follows the matching `)`.
    fn bracket_is_refinement(&self) -> bool {
        let b = self.b;
        let mut i = self.pos;
        let mut depth = 0usize;
        while i < b.len() {
            match b[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                b'|' => {
                    i += 1;
                    while i < b.len() && b[i] != b'|' {
                        i += 1;
                    }
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {}
            }
            i += 1;
        }
        if i >= b.len() {
            return true;
        }
        // skip ws and comments after the closing bracket
        i += 1;
        loop {
            match b.get(i) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
                Some(b'/') if b.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                        i += 1;
                    }
                    i += 2;
                }
                _ => break,
            }
        }
        match b.get(i) {
            Some(b'=' | b'!' | b'<' | b'>' | b'{') => false,
            Some(b'n' | b'N') => !b.get(i..i + 3).is_some_and(|w| w.eq_ignore_ascii_case(b"not")),
            _ => true,
        }
    }

    fn opt_cardinality(&mut self) -> PResult<Option<Cardinality>> {
        if self.peek() != Some(b'[') {
            self.expect("`[`");
            return Ok(None);
        }
        self.pos += 1;
        self.ws()?;
        let min = self.uint()?;
        self.ws()?;
        if !self.sym("..") && !self.kw("to") {
            return Err(self.fail());
        }
        self.ws()?;
        let max = if self.peek() == Some(b'*') {
            self.pos += 1;
            None
        } else if self.kw("many") {
            None
        } else {
            self.expect("`*`");
            Some(self.uint()?)
        };
        self.ws()?;
        let close = self.pos;
        self.require("]")?;
        if let Some(mx) = max
            && mx < min
        {
            return Err(
                self.fail_msg(close, format!("cardinality maximum {mx} is below minimum {min}"))
            );
        }
        Ok(Some(Cardinality { min, max }))
    }

    fn uint(&mut self) -> PResult<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if start == self.pos {
            self.expect("non-negative integer");
            return Err(self.fail());
        }
        self.src[start..self.pos].parse().map_err(|_| self.fail_msg(start, "integer too large"))
    }

    fn attribute(&mut self) -> PResult<Attribute> {
        let cardinality = self.opt_cardinality()?;
        if cardinality.is_some() {
            self.ws()?;
        }
        let reverse = if (self.peek() == Some(b'R') || self.peek() == Some(b'r'))
            && !self.alt_id_ahead()
            && !self.peek_at(1).is_some_and(|c| {
                c.is_ascii_alphabetic() || matches!(c, b'#' | b'-' | b'.' | b'_' | b':')
            }) {
            self.pos += 1;
            self.ws()?;
            true
        } else if self.kw_mws("reverseOf") {
            self.ws()?;
            true
        } else {
            self.expect("`R`");
            false
        };
        let name = self.sub_expression()?;
        self.ws()?;
        let op_pos = self.pos;
        let op = self.cmp_op()?;
        self.ws()?;
        let comparison = if self.peek() == Some(b'#') {
            self.pos += 1;
            Comparison::Numeric(op, self.number()?)
        } else {
            self.expect("`#`");
            let eq = match op {
                CmpOp::Eq => EqOp::Eq,
                CmpOp::Ne => EqOp::Ne,
                _ => {
                    return Err(self.fail_msg(
                        op_pos,
                        format!("`{}` can only be used with numeric values (`#`)", op.symbol()),
                    ));
                }
            };
            if let Some(strings) = self.opt_typed_strings(true)? {
                Comparison::String(eq, strings)
            } else if self.kw("true") {
                Comparison::Boolean(eq, true)
            } else if self.kw("false") {
                Comparison::Boolean(eq, false)
            } else {
                Comparison::Expr(eq, Box::new(self.sub_expression()?))
            }
        };
        Ok(Attribute { cardinality, reverse, name: Box::new(name), comparison })
    }

    fn eq_op(&mut self) -> PResult<EqOp> {
        if self.sym("=") {
            return Ok(EqOp::Eq);
        }
        if self.sym("!=") || self.sym("<>") {
            return Ok(EqOp::Ne);
        }
        let m = self.mark();
        if self.kw("not") {
            self.ws()?;
            if self.sym("=") {
                return Ok(EqOp::Ne);
            }
            self.reset(m);
        }
        Err(self.fail())
    }

    fn cmp_op(&mut self) -> PResult<CmpOp> {
        for (s, op) in [
            ("!=", CmpOp::Ne),
            ("<>", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("=", CmpOp::Eq),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ] {
            if self.sym(s) {
                return Ok(op);
            }
        }
        let m = self.mark();
        if self.kw("not") {
            self.ws()?;
            if self.sym("=") {
                return Ok(CmpOp::Ne);
            }
            self.reset(m);
        }
        Err(self.fail())
    }

    fn number(&mut self) -> PResult<Number> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        let ds = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if ds == self.pos {
            self.expect("number");
            return Err(self.fail());
        }
        let mut decimal = false;
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            decimal = true;
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let text = &self.src[start..self.pos];
        let text = text.strip_prefix('+').unwrap_or(text);
        if decimal {
            text.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Number::Decimal)
                .ok_or_else(|| self.fail_msg(start, "invalid decimal"))
        } else {
            text.parse::<i64>()
                .map(Number::Integer)
                .map_err(|_| self.fail_msg(start, "integer out of range"))
        }
    }

    /// `"..."`, `match:"..."`, `wild:"..."` or a bracketed set of them.
    /// Returns `None` (consuming nothing) when no string starts here.
    fn opt_typed_strings(&mut self, allow_set: bool) -> PResult<Option<Vec<TypedString>>> {
        if allow_set && self.peek() == Some(b'(') {
            let m = self.mark();
            self.pos += 1;
            self.ws()?;
            if self.typed_string_start() {
                let mut v = vec![self.typed_string()?];
                loop {
                    self.ws()?;
                    if self.peek() == Some(b')') {
                        self.pos += 1;
                        return Ok(Some(v));
                    }
                    if !self.typed_string_start() {
                        self.expect("`)`");
                        self.expect("string");
                        return Err(self.fail());
                    }
                    v.push(self.typed_string()?);
                }
            }
            self.reset(m);
            return Ok(None);
        }
        if self.typed_string_start() {
            return Ok(Some(vec![self.typed_string()?]));
        }
        self.expect("string");
        Ok(None)
    }

    fn typed_string_start(&mut self) -> bool {
        if self.peek() == Some(b'"') {
            return true;
        }
        for w in ["match", "wild"] {
            if self.starts_ci(w) {
                let mut i = self.pos + w.len();
                while matches!(self.b.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                    i += 1;
                }
                if self.b.get(i) == Some(&b':') {
                    return true;
                }
            }
        }
        false
    }

    fn typed_string(&mut self) -> PResult<TypedString> {
        let mode = if self.kw("match") {
            StringMode::Match
        } else if self.kw("wild") {
            StringMode::Wild
        } else {
            StringMode::Plain
        };
        if mode != StringMode::Plain {
            self.ws()?;
            self.require(":")?;
            self.ws()?;
        }
        let raw = self.quoted()?;
        if raw.is_empty() && mode != StringMode::Plain {
            return Err(self.fail_msg(self.pos - 1, "empty search term"));
        }
        Ok(TypedString { mode, raw })
    }

    // ----- filters -----------------------------------------------------------

    /// subExpressionConstraint or a set `(id id ...)` of concept references.
    fn id_set(&mut self) -> PResult<IdSet> {
        if self.peek() == Some(b'(') {
            let m = self.mark();
            if let Ok(v) = self.concept_ref_set() {
                return Ok(IdSet::Set(v));
            }
            self.reset(m);
        }
        Ok(IdSet::Expr(Box::new(self.sub_expression()?)))
    }

    fn concept_ref_set(&mut self) -> PResult<Vec<ConceptRef>> {
        self.require("(")?;
        self.ws()?;
        let mut v = vec![self.concept_ref()?];
        loop {
            self.ws()?;
            if self.peek() == Some(b')') {
                self.pos += 1;
                return Ok(v);
            }
            v.push(self.concept_ref()?);
        }
    }

    fn time_values(&mut self) -> PResult<Vec<TimeValue>> {
        if self.peek() == Some(b'(') {
            self.pos += 1;
            self.ws()?;
            let mut v = vec![self.time_value()?];
            loop {
                self.ws()?;
                if self.peek() == Some(b')') {
                    self.pos += 1;
                    return Ok(v);
                }
                self.expect("`)`");
                v.push(self.time_value()?);
            }
        }
        Ok(vec![self.time_value()?])
    }

    fn time_value(&mut self) -> PResult<TimeValue> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            self.expect("time value \"YYYYMMDD\"");
            return Err(self.fail());
        }
        let raw = self.quoted()?;
        if raw.is_empty() {
            return Ok(None);
        }
        let ok =
            raw.len() == 8 && raw.bytes().all(|c| c.is_ascii_digit()) && !raw.starts_with('0') && {
                let month: u32 = raw[4..6].parse().unwrap_or(0);
                let day: u32 = raw[6..8].parse().unwrap_or(0);
                (1..=12).contains(&month) && (1..=31).contains(&day)
            };
        if !ok {
            return Err(self
                .fail_msg(start, format!("invalid time value \"{raw}\" (expected \"YYYYMMDD\")")));
        }
        Ok(Some(raw.parse().expect("8 digits")))
    }

    fn active_value(&mut self) -> PResult<ActiveValue> {
        let quoted = self.peek() == Some(b'"');
        if quoted {
            self.pos += 1;
        }
        let v = if self.sym("1") || self.kw("true") {
            ActiveValue::True
        } else if self.sym("0") || self.kw("false") {
            ActiveValue::False
        } else if self.sym("*") {
            ActiveValue::Any
        } else {
            return Err(self.fail());
        };
        if quoted {
            self.require("\"")?;
        }
        Ok(v)
    }

    fn token_set<T: Copy>(&mut self, tokens: &[(&str, T)]) -> PResult<Vec<T>> {
        let one = |p: &mut Self| -> PResult<T> {
            for (w, t) in tokens {
                if p.kw(w) {
                    return Ok(*t);
                }
            }
            Err(p.fail())
        };
        if self.peek() == Some(b'(') {
            self.pos += 1;
            self.ws()?;
            let mut v = vec![one(self)?];
            loop {
                self.ws()?;
                if self.peek() == Some(b')') {
                    self.pos += 1;
                    return Ok(v);
                }
                self.expect("`)`");
                v.push(one(self)?);
            }
        }
        Ok(vec![one(self)?])
    }

    fn description_filter(&mut self) -> PResult<DescriptionFilter> {
        if self.kw("term") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return match self.opt_typed_strings(true)? {
                Some(v) => Ok(DescriptionFilter::Term(op, v)),
                None => Err(self.fail()),
            };
        }
        if self.kw("language") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            let code = |p: &mut Self| -> PResult<String> {
                let s = p.pos;
                while p.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    p.pos += 1;
                }
                if p.pos - s != 2 {
                    p.pos = s;
                    p.expect("two-letter language code");
                    return Err(p.fail());
                }
                Ok(p.src[s..p.pos].to_ascii_lowercase())
            };
            let v = if self.peek() == Some(b'(') {
                self.pos += 1;
                self.ws()?;
                let mut v = vec![code(self)?];
                loop {
                    self.ws()?;
                    if self.peek() == Some(b')') {
                        self.pos += 1;
                        break v;
                    }
                    self.expect("`)`");
                    v.push(code(self)?);
                }
            } else {
                vec![code(self)?]
            };
            return Ok(DescriptionFilter::Language(op, v));
        }
        if self.kw("typeId") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(DescriptionFilter::TypeId(op, self.id_set()?));
        }
        if self.kw("type") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            use DescriptionType::*;
            let v = self.token_set(&[
                ("syn", Synonym),
                ("synonym", Synonym),
                ("fsn", FullySpecifiedName),
                ("fullySpecifiedName", FullySpecifiedName),
                ("def", Definition),
                ("definition", Definition),
            ])?;
            return Ok(DescriptionFilter::Type(op, v));
        }
        if self.kw("dialectId") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            let (set, entries) = if self.peek() == Some(b'(') {
                let m = self.mark();
                match self.dialect_set(true) {
                    Ok(v) => (true, v),
                    Err(_) => {
                        self.reset(m);
                        let e = self.sub_expression()?;
                        (
                            false,
                            vec![DialectEntry {
                                dialect: Dialect::Expr(Box::new(e)),
                                acceptability: None,
                            }],
                        )
                    }
                }
            } else {
                let e = self.sub_expression()?;
                let d = match (&e.focus, e.is_bare()) {
                    (Focus::Concept(c), true) => Dialect::Id(c.clone()),
                    _ => Dialect::Expr(Box::new(e)),
                };
                (false, vec![DialectEntry { dialect: d, acceptability: None }])
            };
            let acceptability = self.opt_acceptability()?;
            return Ok(DescriptionFilter::Dialect { op, by_id: true, set, entries, acceptability });
        }
        if self.kw("dialect") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            let (set, entries) = if self.peek() == Some(b'(') {
                (true, self.dialect_set(false)?)
            } else {
                (
                    false,
                    vec![DialectEntry {
                        dialect: Dialect::Alias(self.dialect_alias()?),
                        acceptability: None,
                    }],
                )
            };
            let acceptability = self.opt_acceptability()?;
            return Ok(DescriptionFilter::Dialect {
                op,
                by_id: false,
                set,
                entries,
                acceptability,
            });
        }
        if self.kw("moduleId") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(DescriptionFilter::Module(op, self.id_set()?));
        }
        if self.kw("effectiveTime") {
            self.ws()?;
            let op = self.cmp_op()?;
            self.ws()?;
            return Ok(DescriptionFilter::EffectiveTime(op, self.time_values()?));
        }
        if self.kw("active") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(DescriptionFilter::Active(op, self.active_value()?));
        }
        if self.kw("id") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            let v = if self.peek() == Some(b'(') {
                self.pos += 1;
                self.ws()?;
                let mut v = vec![self.sctid()?];
                loop {
                    self.ws()?;
                    if self.peek() == Some(b')') {
                        self.pos += 1;
                        break v;
                    }
                    self.expect("`)`");
                    v.push(self.sctid()?);
                }
            } else {
                vec![self.sctid()?]
            };
            return Ok(DescriptionFilter::Id(op, v));
        }
        Err(self.fail())
    }

    fn dialect_alias(&mut self) -> PResult<String> {
        let s = self.pos;
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.expect("dialect alias");
            return Err(self.fail());
        }
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-') {
            self.pos += 1;
        }
        Ok(self.src[s..self.pos].to_string())
    }

    fn dialect_set(&mut self, by_id: bool) -> PResult<Vec<DialectEntry>> {
        self.require("(")?;
        self.ws()?;
        let mut v = Vec::new();
        loop {
            let dialect = if by_id {
                Dialect::Id(self.concept_ref()?)
            } else {
                Dialect::Alias(self.dialect_alias()?)
            };
            let acceptability = self.opt_acceptability()?;
            v.push(DialectEntry { dialect, acceptability });
            self.ws()?;
            if self.peek() == Some(b')') {
                self.pos += 1;
                return Ok(v);
            }
            self.expect("`)`");
        }
    }

    fn opt_acceptability(&mut self) -> PResult<Option<AcceptabilitySet>> {
        let m = self.mark();
        self.ws()?;
        if self.peek() != Some(b'(') {
            self.expect("acceptability set");
            self.reset(m);
            return Ok(None);
        }
        self.pos += 1;
        self.ws()?;
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let mut v = vec![self.concept_ref()?];
            loop {
                self.ws()?;
                if self.peek() == Some(b')') {
                    self.pos += 1;
                    return Ok(Some(AcceptabilitySet::Ids(v)));
                }
                self.expect("`)`");
                v.push(self.concept_ref()?);
            }
        }
        let one = |p: &mut Self| -> PResult<Acceptability> {
            if p.kw("accept") || p.kw("acceptable") {
                Ok(Acceptability::Acceptable)
            } else if p.kw("prefer") || p.kw("preferred") {
                Ok(Acceptability::Preferred)
            } else {
                Err(p.fail())
            }
        };
        let mut v = vec![one(self)?];
        loop {
            self.ws()?;
            if self.peek() == Some(b')') {
                self.pos += 1;
                return Ok(Some(AcceptabilitySet::Tokens(v)));
            }
            self.expect("`)`");
            v.push(one(self)?);
        }
    }

    fn concept_filter(&mut self) -> PResult<ConceptFilter> {
        if self.kw("definitionStatusId") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(ConceptFilter::DefinitionStatusId(op, self.id_set()?));
        }
        if self.kw("definitionStatus") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            let v = self.token_set(&[
                ("primitive", DefinitionStatus::Primitive),
                ("defined", DefinitionStatus::Defined),
            ])?;
            return Ok(ConceptFilter::DefinitionStatus(op, v));
        }
        if self.kw("moduleId") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(ConceptFilter::Module(op, self.id_set()?));
        }
        if self.kw("effectiveTime") {
            self.ws()?;
            let op = self.cmp_op()?;
            self.ws()?;
            return Ok(ConceptFilter::EffectiveTime(op, self.time_values()?));
        }
        if self.kw("active") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(ConceptFilter::Active(op, self.active_value()?));
        }
        Err(self.fail())
    }

    fn member_filter(&mut self) -> PResult<MemberFilter> {
        if self.kw("moduleId") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(MemberFilter::Module(op, self.id_set()?));
        }
        if self.kw("effectiveTime") {
            self.ws()?;
            let op = self.cmp_op()?;
            self.ws()?;
            return Ok(MemberFilter::EffectiveTime(op, self.time_values()?));
        }
        if self.kw("active") {
            self.ws()?;
            let op = self.eq_op()?;
            self.ws()?;
            return Ok(MemberFilter::Active(op, self.active_value()?));
        }
        let name = self.field_name()?;
        self.ws()?;
        let op_pos = self.pos;
        let op = self.cmp_op()?;
        self.ws()?;
        let cmp = if self.peek() == Some(b'#') {
            self.pos += 1;
            FieldComparison::Numeric(op, self.number()?)
        } else {
            self.expect("`#`");
            let eq = match op {
                CmpOp::Eq => Some(EqOp::Eq),
                CmpOp::Ne => Some(EqOp::Ne),
                _ => None,
            };
            match eq {
                None => {
                    if matches!(self.peek(), Some(b'"' | b'(')) {
                        FieldComparison::Time(op, self.time_values()?)
                    } else {
                        return Err(self.fail_msg(
                            op_pos,
                            format!("`{}` needs a numeric (`#`) or time value", op.symbol()),
                        ));
                    }
                }
                Some(eq) => {
                    if let Some(strings) = self.opt_typed_strings(true)? {
                        FieldComparison::String(eq, strings)
                    } else if self.kw("true") {
                        FieldComparison::Boolean(eq, true)
                    } else if self.kw("false") {
                        FieldComparison::Boolean(eq, false)
                    } else {
                        FieldComparison::Expr(eq, Box::new(self.sub_expression()?))
                    }
                }
            }
        };
        Ok(MemberFilter::Field(name, cmp))
    }

    fn history(&mut self) -> PResult<HistorySupplement> {
        if !self.starts_ci("history") {
            self.expect("`HISTORY`");
            return Err(self.fail());
        }
        self.pos += "history".len();
        if matches!(self.peek(), Some(b'-' | b'_')) {
            self.pos += 1;
            if self.kw("min") {
                return Ok(HistorySupplement::Min);
            }
            if self.kw("mod") {
                return Ok(HistorySupplement::Mod);
            }
            if self.kw("max") {
                return Ok(HistorySupplement::Max);
            }
            return Err(self.fail());
        }
        if self.peek().is_some_and(is_word) {
            self.expect("`-MIN`, `-MOD`, `-MAX`");
            return Err(self.fail());
        }
        let m = self.mark();
        self.ws()?;
        if self.peek() == Some(b'(') {
            self.pos += 1;
            self.enter()?;
            self.ws()?;
            let e = self.expression()?;
            self.ws()?;
            self.require(")")?;
            self.leave();
            return Ok(HistorySupplement::Subset(Box::new(e)));
        }
        self.expect("`(`");
        self.reset(m);
        Ok(HistorySupplement::Default)
    }
}

fn scheme_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b':' | b'/' | b'~' | b'%')
}

fn code_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_')
}

/// Remove `\"`, `\\` and `\*` escapes (the latter becomes `*`).
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}
