//! Abstract syntax tree for ECL 2.3 expression constraints.
//!
//! The tree is designed for evaluation: concept identifiers are `u64`,
//! long-syntax keywords are normalised to the same variants as brief syntax,
//! and redundant brackets are not represented (a bracketed expression used as
//! a focus concept is [`Focus::Nested`]). Terms (`|...|`) are kept so that the
//! printer can reproduce them, but they carry no meaning.

/// A complete expression constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A simple sub-expression (operator, refset operator, focus, filters).
    Sub(Box<SubExpr>),
    /// `sub : refinement`.
    Refined(Box<SubExpr>, Refinement),
    /// `sub . attr . attr ...` (dotted attributes, evaluated left to right).
    Dotted(Box<SubExpr>, Vec<SubExpr>),
    /// `a AND b AND ...` (also written with `,`).
    And(Vec<Expr>),
    /// `a OR b OR ...`.
    Or(Vec<Expr>),
    /// `a MINUS b`.
    Minus(Box<Expr>, Box<Expr>),
}

/// `[constraintOperator] [refsetOperator] focus {{M ...}}* {{D/C ...}}* [{{+HISTORY}}]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubExpr {
    /// Hierarchy operator (`<`, `<<`, `!!>`, ...), if any.
    pub op: Option<ConstraintOp>,
    /// `^`, `^ [fields]` or `^R`, if any.
    pub refset: Option<RefsetOp>,
    /// The focus: a concept, `*`, an alternate identifier or a bracketed expression.
    pub focus: Focus,
    /// Member filters (`{{ M ... }}`), applied to the refset members.
    pub member_filters: Vec<Vec<MemberFilter>>,
    /// Description and concept filters, applied to the result of the sub-expression.
    pub filters: Vec<FilterConstraint>,
    /// History supplement, applied last.
    pub history: Option<HistorySupplement>,
}

impl SubExpr {
    /// A bare focus with no operator or filters.
    pub fn focus(focus: Focus) -> Self {
        SubExpr {
            op: None,
            refset: None,
            focus,
            member_filters: Vec::new(),
            filters: Vec::new(),
            history: None,
        }
    }

    /// A bare concept reference.
    pub fn concept(id: u64) -> Self {
        Self::focus(Focus::Concept(ConceptRef { id, term: None }))
    }

    /// True when this is only a focus (no operator, refset operator or filter).
    pub fn is_bare(&self) -> bool {
        self.op.is_none()
            && self.refset.is_none()
            && self.member_filters.is_empty()
            && self.filters.is_empty()
            && self.history.is_none()
    }
}

/// Hierarchy (constraint) operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConstraintOp {
    /// `<` descendantOf
    DescendantOf,
    /// `<<` descendantOrSelfOf
    DescendantOrSelfOf,
    /// `<!` childOf
    ChildOf,
    /// `<<!` childOrSelfOf
    ChildOrSelfOf,
    /// `>` ancestorOf
    AncestorOf,
    /// `>>` ancestorOrSelfOf
    AncestorOrSelfOf,
    /// `>!` parentOf
    ParentOf,
    /// `>>!` parentOrSelfOf
    ParentOrSelfOf,
    /// `!!>` top
    Top,
    /// `!!<` bottom
    Bottom,
}

impl ConstraintOp {
    /// Brief-syntax symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            ConstraintOp::DescendantOf => "<",
            ConstraintOp::DescendantOrSelfOf => "<<",
            ConstraintOp::ChildOf => "<!",
            ConstraintOp::ChildOrSelfOf => "<<!",
            ConstraintOp::AncestorOf => ">",
            ConstraintOp::AncestorOrSelfOf => ">>",
            ConstraintOp::ParentOf => ">!",
            ConstraintOp::ParentOrSelfOf => ">>!",
            ConstraintOp::Top => "!!>",
            ConstraintOp::Bottom => "!!<",
        }
    }
}

/// Refset operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefsetOp {
    /// `^` (memberOf), optionally with a field selection `^ [a, b]` / `^ [*]`.
    MemberOf(Option<FieldSelection>),
    /// `^R` (refsetContainingAny, ECL 2.3).
    ContainingAny,
}

/// Member field selection of `^ [ ... ]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSelection {
    /// `[*]`
    All,
    /// `[a, b, ...]`
    Fields(Vec<String>),
}

/// Focus of a sub-expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Focus {
    /// An SCTID with optional term.
    Concept(ConceptRef),
    /// `*` / `ANY`.
    Wildcard,
    /// `scheme#code` alternate identifier (ECL 2.2).
    AltId(AltIdentifier),
    /// `( expressionConstraint )`.
    Nested(Box<Expr>),
}

/// A concept reference `id |term|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptRef {
    /// The SCTID.
    pub id: u64,
    /// The term between pipes (trimmed); ignored for meaning.
    pub term: Option<String>,
}

/// An alternate identifier `scheme#code |term|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AltIdentifier {
    /// The scheme alias or URI (e.g. `LOINC`).
    pub scheme: String,
    /// The code (unescaped).
    pub code: String,
    /// Optional term.
    pub term: Option<String>,
}

/// Equality-style comparison operator (`=`, `!=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EqOp {
    /// `=`
    Eq,
    /// `!=` (long: `NOT =`, `<>`)
    Ne,
}

/// Ordering comparison operator for numbers and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Symbol of the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Apply the comparison to an ordering of `actual` relative to `expected`.
    pub fn test(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt => ord == Less,
            CmpOp::Le => ord != Greater,
            CmpOp::Gt => ord == Greater,
            CmpOp::Ge => ord != Less,
        }
    }
}

impl EqOp {
    /// Symbol of the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            EqOp::Eq => "=",
            EqOp::Ne => "!=",
        }
    }
}

/// Refinement of a refined expression constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Refinement {
    /// A single attribute.
    Attribute(Attribute),
    /// `[card] { attribute set }`.
    Group {
        /// Group cardinality (default `[1..*]`).
        cardinality: Option<Cardinality>,
        /// The attribute set inside the group (no nested groups).
        body: Box<Refinement>,
    },
    /// Conjunction (`AND` / `,`).
    And(Vec<Refinement>),
    /// Disjunction (`OR`).
    Or(Vec<Refinement>),
}

/// `[min..max]`; `max == None` is `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cardinality {
    /// Minimum.
    pub min: u32,
    /// Maximum; `None` for many (`*`).
    pub max: Option<u32>,
}

impl Cardinality {
    /// Whether `n` is within the cardinality.
    pub fn contains(&self, n: u32) -> bool {
        n >= self.min && self.max.is_none_or(|m| n <= m)
    }
}

/// A single attribute constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Attribute cardinality (default `[1..*]`).
    pub cardinality: Option<Cardinality>,
    /// Reverse flag `R`.
    pub reverse: bool,
    /// The attribute name (any sub-expression, e.g. `<< 47429007` or `*`).
    pub name: Box<SubExpr>,
    /// The comparison.
    pub comparison: Comparison,
}

/// Comparison part of an attribute.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// `= subExpression` / `!= subExpression`.
    Expr(EqOp, Box<SubExpr>),
    /// `op #number`.
    Numeric(CmpOp, Number),
    /// `= "string"` / `= ("a" "b")`.
    String(EqOp, Vec<TypedString>),
    /// `= true` / `!= false`.
    Boolean(EqOp, bool),
}

/// A numeric literal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// Integer literal.
    Integer(i64),
    /// Decimal literal.
    Decimal(f64),
}

impl Number {
    /// Value as `f64`.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Integer(i) => i as f64,
            Number::Decimal(d) => d,
        }
    }
}

/// How a quoted string is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringMode {
    /// No prefix. In a term or member filter this means `match:`; as an
    /// attribute value (ECL 2.3 concreteString) it means an exact,
    /// case-sensitive match in which an unescaped `*` is a wildcard.
    Plain,
    /// `match:"..."` word-prefix, any order, case-insensitive.
    Match,
    /// `wild:"..."` whole-string wildcard, case-insensitive.
    Wild,
}

/// A quoted string with its matching mode. `raw` is the text between the
/// quotes with escapes (`\"`, `\\`, `\*`) left in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedString {
    /// Matching mode.
    pub mode: StringMode,
    /// Raw text (escapes retained).
    pub raw: String,
}

/// A filter constraint `{{ ... }}` following a sub-expression.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterConstraint {
    /// `{{ [D] ... }}`: a concept matches if one description satisfies every filter.
    Description(Vec<DescriptionFilter>),
    /// `{{ C ... }}`.
    Concept(Vec<ConceptFilter>),
}

/// `subExpression` or a set `(id id ...)` of concept references.
#[derive(Debug, Clone, PartialEq)]
pub enum IdSet {
    /// A sub-expression constraint.
    Expr(Box<SubExpr>),
    /// An explicit set of concept references.
    Set(Vec<ConceptRef>),
}

/// Description type tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DescriptionType {
    /// `syn` 900000000000013009
    Synonym,
    /// `fsn` 900000000000003001
    FullySpecifiedName,
    /// `def` 900000000000550004
    Definition,
}

impl DescriptionType {
    /// The type concept id.
    pub fn type_id(self) -> u64 {
        match self {
            DescriptionType::Synonym => 900000000000013009,
            DescriptionType::FullySpecifiedName => 900000000000003001,
            DescriptionType::Definition => 900000000000550004,
        }
    }
}

/// Acceptability tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Acceptability {
    /// `accept` 900000000000549004
    Acceptable,
    /// `prefer` 900000000000548007
    Preferred,
}

/// Acceptability set after a dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptabilitySet {
    /// `(prefer accept)`
    Tokens(Vec<Acceptability>),
    /// `(900000000000548007 ...)`
    Ids(Vec<ConceptRef>),
}

/// One dialect in a dialect filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialect {
    /// `en-gb` etc.
    Alias(String),
    /// A concept reference (from a `dialectId` set).
    Id(ConceptRef),
    /// A sub-expression (single `dialectId = <expr>`).
    Expr(Box<SubExpr>),
}

/// A dialect with an optional acceptability set.
#[derive(Debug, Clone, PartialEq)]
pub struct DialectEntry {
    /// The dialect.
    pub dialect: Dialect,
    /// Acceptability constraint for this dialect.
    pub acceptability: Option<AcceptabilitySet>,
}

/// Active value of an active filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActiveValue {
    /// `1` / `true`
    True,
    /// `0` / `false`
    False,
    /// `*` (ECL 2.3)
    Any,
}

/// `effectiveTime` value: `None` for `""`, otherwise `YYYYMMDD` as a number.
pub type TimeValue = Option<u32>;

/// A filter inside `{{ D ... }}`.
#[derive(Debug, Clone, PartialEq)]
pub enum DescriptionFilter {
    /// `term op "..."` / `term op (...)`.
    Term(EqOp, Vec<TypedString>),
    /// `language op xx` / `(xx yy)`.
    Language(EqOp, Vec<String>),
    /// `typeId op ...`.
    TypeId(EqOp, IdSet),
    /// `type op syn` / `(syn fsn)`.
    Type(EqOp, Vec<DescriptionType>),
    /// `dialectId` / `dialect` filter.
    Dialect {
        /// Operator.
        op: EqOp,
        /// `dialectId` (true) or `dialect` (false).
        by_id: bool,
        /// Whether written as a bracketed set.
        set: bool,
        /// Dialects.
        entries: Vec<DialectEntry>,
        /// Acceptability applying to all entries (after the value).
        acceptability: Option<AcceptabilitySet>,
    },
    /// `moduleId op ...`.
    Module(EqOp, IdSet),
    /// `effectiveTime op "YYYYMMDD"` / set.
    EffectiveTime(CmpOp, Vec<TimeValue>),
    /// `active op value`.
    Active(EqOp, ActiveValue),
    /// `id op 123` / `(123 456)`.
    Id(EqOp, Vec<u64>),
}

/// Definition status tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefinitionStatus {
    /// `primitive` 900000000000074008
    Primitive,
    /// `defined` 900000000000073002
    Defined,
}

/// A filter inside `{{ C ... }}`.
#[derive(Debug, Clone, PartialEq)]
pub enum ConceptFilter {
    /// `definitionStatusId op ...`.
    DefinitionStatusId(EqOp, IdSet),
    /// `definitionStatus op primitive|defined` / set.
    DefinitionStatus(EqOp, Vec<DefinitionStatus>),
    /// `moduleId op ...`.
    Module(EqOp, IdSet),
    /// `effectiveTime op ...`.
    EffectiveTime(CmpOp, Vec<TimeValue>),
    /// `active op ...`.
    Active(EqOp, ActiveValue),
}

/// Comparison on a named refset field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldComparison {
    /// `= subExpression`.
    Expr(EqOp, Box<SubExpr>),
    /// `op #number`.
    Numeric(CmpOp, Number),
    /// `= "string"` (typedSearchTerm, default word-prefix match).
    String(EqOp, Vec<TypedString>),
    /// `= true`.
    Boolean(EqOp, bool),
    /// `op "YYYYMMDD"` (time comparison).
    Time(CmpOp, Vec<TimeValue>),
}

/// A filter inside `{{ M ... }}`.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberFilter {
    /// `moduleId op ...`.
    Module(EqOp, IdSet),
    /// `effectiveTime op ...`.
    EffectiveTime(CmpOp, Vec<TimeValue>),
    /// `active op ...` (also includes inactive members when false/`*`).
    Active(EqOp, ActiveValue),
    /// `fieldName op value`.
    Field(String, FieldComparison),
}

/// A history supplement `{{ +HISTORY... }}`.
#[derive(Debug, Clone, PartialEq)]
pub enum HistorySupplement {
    /// `+HISTORY` (no suffix; same as MAX).
    Default,
    /// `+HISTORY-MIN`.
    Min,
    /// `+HISTORY-MOD`.
    Mod,
    /// `+HISTORY-MAX`.
    Max,
    /// `+HISTORY (expr)`: custom set of association refsets.
    Subset(Box<Expr>),
}

impl Expr {
    /// Whether the expression's answer is refset member rows rather than concepts: its final
    /// operation selects several member fields (`^ [mapTarget, mapGroup] X`) or all of them
    /// (`^ [*] X`); see [`crate::Evaluator::member_fields`]. Selecting one field
    /// (`^ [targetComponentId] X`) still gives concepts.
    pub fn selects_member_rows(&self) -> bool {
        matches!(
            self,
            Expr::Sub(s) if matches!(
                &s.refset,
                Some(RefsetOp::MemberOf(Some(FieldSelection::All)))
            ) || matches!(
                &s.refset,
                Some(RefsetOp::MemberOf(Some(FieldSelection::Fields(f)))) if f.len() > 1
            )
        )
    }

    /// Whether the expression's final operation is a member field selection (of one field,
    /// several or all).
    pub fn selects_member_fields(&self) -> bool {
        matches!(self, Expr::Sub(s) if matches!(&s.refset, Some(RefsetOp::MemberOf(Some(_)))))
    }

    /// All SCTIDs referenced anywhere in the expression (including terms'
    /// concepts in filters), sorted and deduplicated. Useful to check that the
    /// referenced concepts exist before evaluation.
    pub fn concept_ids(&self) -> Vec<u64> {
        let mut out = Vec::new();
        walk_expr(self, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn walk_expr(e: &Expr, out: &mut Vec<u64>) {
    match e {
        Expr::Sub(s) => walk_sub(s, out),
        Expr::Refined(s, r) => {
            walk_sub(s, out);
            walk_ref(r, out);
        }
        Expr::Dotted(s, attrs) => {
            walk_sub(s, out);
            attrs.iter().for_each(|a| walk_sub(a, out));
        }
        Expr::And(v) | Expr::Or(v) => v.iter().for_each(|x| walk_expr(x, out)),
        Expr::Minus(a, b) => {
            walk_expr(a, out);
            walk_expr(b, out);
        }
    }
}

fn walk_idset(s: &IdSet, out: &mut Vec<u64>) {
    match s {
        IdSet::Expr(e) => walk_sub(e, out),
        IdSet::Set(v) => out.extend(v.iter().map(|c| c.id)),
    }
}

fn walk_sub(s: &SubExpr, out: &mut Vec<u64>) {
    match &s.focus {
        Focus::Concept(c) => out.push(c.id),
        Focus::Nested(e) => walk_expr(e, out),
        Focus::Wildcard | Focus::AltId(_) => {}
    }
    for mf in s.member_filters.iter().flatten() {
        match mf {
            MemberFilter::Module(_, ids) => walk_idset(ids, out),
            MemberFilter::Field(_, FieldComparison::Expr(_, e)) => walk_sub(e, out),
            _ => {}
        }
    }
    for f in &s.filters {
        match f {
            FilterConstraint::Description(v) => {
                for d in v {
                    match d {
                        DescriptionFilter::TypeId(_, ids) | DescriptionFilter::Module(_, ids) => {
                            walk_idset(ids, out)
                        }
                        DescriptionFilter::Dialect { entries, .. } => {
                            for en in entries {
                                match &en.dialect {
                                    Dialect::Id(c) => out.push(c.id),
                                    Dialect::Expr(e) => walk_sub(e, out),
                                    Dialect::Alias(_) => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            FilterConstraint::Concept(v) => {
                for c in v {
                    match c {
                        ConceptFilter::DefinitionStatusId(_, ids)
                        | ConceptFilter::Module(_, ids) => walk_idset(ids, out),
                        _ => {}
                    }
                }
            }
        }
    }
    if let Some(HistorySupplement::Subset(e)) = &s.history {
        walk_expr(e, out);
    }
}

fn walk_ref(r: &Refinement, out: &mut Vec<u64>) {
    match r {
        Refinement::Attribute(a) => {
            walk_sub(&a.name, out);
            if let Comparison::Expr(_, v) = &a.comparison {
                walk_sub(v, out);
            }
        }
        Refinement::Group { body, .. } => walk_ref(body, out),
        Refinement::And(v) | Refinement::Or(v) => v.iter().for_each(|x| walk_ref(x, out)),
    }
}
