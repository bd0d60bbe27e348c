//! Canonical brief-syntax printer (`Display` for the AST).

use std::fmt::{self, Display, Formatter, Write as _};

use crate::ast::*;

fn join<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{it}")?;
    }
    Ok(())
}

fn set<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    if items.len() == 1 {
        write!(f, "{}", items[0])
    } else {
        f.write_char('(')?;
        join(f, items, " ")?;
        f.write_char(')')
    }
}

struct Operand<'a>(&'a Expr);

impl Display for Operand<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Expr::Sub(_) | Expr::Dotted(..) => write!(f, "{}", self.0),
            other => write!(f, "({other})"),
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Sub(s) => write!(f, "{s}"),
            Expr::Refined(s, r) => write!(f, "{s} : {r}"),
            Expr::Dotted(s, attrs) => {
                write!(f, "{s}")?;
                for a in attrs {
                    write!(f, " . {a}")?;
                }
                Ok(())
            }
            Expr::And(v) => join(f, &v.iter().map(Operand).collect::<Vec<_>>(), " AND "),
            Expr::Or(v) => join(f, &v.iter().map(Operand).collect::<Vec<_>>(), " OR "),
            Expr::Minus(a, b) => write!(f, "{} MINUS {}", Operand(a), Operand(b)),
        }
    }
}

impl Display for SubExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.op {
            write!(f, "{} ", op.symbol())?;
        }
        match &self.refset {
            None => {}
            Some(RefsetOp::ContainingAny) => f.write_str("^R ")?,
            Some(RefsetOp::MemberOf(None)) => f.write_str("^ ")?,
            Some(RefsetOp::MemberOf(Some(FieldSelection::All))) => f.write_str("^ [*] ")?,
            Some(RefsetOp::MemberOf(Some(FieldSelection::Fields(v)))) => {
                write!(f, "^ [{}] ", v.join(", "))?
            }
        }
        write!(f, "{}", self.focus)?;
        for mf in &self.member_filters {
            f.write_str(" {{ M ")?;
            join(f, mf, ", ")?;
            f.write_str(" }}")?;
        }
        for flt in &self.filters {
            match flt {
                FilterConstraint::Description(v) => {
                    f.write_str(" {{ D ")?;
                    join(f, v, ", ")?;
                }
                FilterConstraint::Concept(v) => {
                    f.write_str(" {{ C ")?;
                    join(f, v, ", ")?;
                }
            }
            f.write_str(" }}")?;
        }
        if let Some(h) = &self.history {
            write!(f, " {{{{ +{h} }}}}")?;
        }
        Ok(())
    }
}

impl Display for HistorySupplement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            HistorySupplement::Default => f.write_str("HISTORY"),
            HistorySupplement::Min => f.write_str("HISTORY-MIN"),
            HistorySupplement::Mod => f.write_str("HISTORY-MOD"),
            HistorySupplement::Max => f.write_str("HISTORY-MAX"),
            HistorySupplement::Subset(e) => write!(f, "HISTORY ({e})"),
        }
    }
}

impl Display for Focus {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Focus::Concept(c) => write!(f, "{c}"),
            Focus::Wildcard => f.write_char('*'),
            Focus::AltId(a) => write!(f, "{a}"),
            Focus::Nested(e) => write!(f, "({e})"),
        }
    }
}

impl Display for ConceptRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if let Some(t) = &self.term {
            write!(f, " |{t}|")?;
        }
        Ok(())
    }
}

impl Display for AltIdentifier {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let plain_scheme = self.scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && self.scheme.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
        let plain_code = !self.code.is_empty()
            && self.code.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._".contains(&c));
        if plain_scheme && plain_code {
            write!(f, "{}#{}", self.scheme, self.code)?;
        } else {
            let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
            write!(f, "\"{}#{}\"", esc(&self.scheme), esc(&self.code))?;
        }
        if let Some(t) = &self.term {
            write!(f, " |{t}|")?;
        }
        Ok(())
    }
}

impl Display for Cardinality {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(m) => write!(f, "[{}..{m}]", self.min),
            None => write!(f, "[{}..*]", self.min),
        }
    }
}

struct RefChild<'a>(&'a Refinement);

impl Display for RefChild<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Refinement::And(_) | Refinement::Or(_) => write!(f, "({})", self.0),
            other => write!(f, "{other}"),
        }
    }
}

impl Display for Refinement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Refinement::Attribute(a) => write!(f, "{a}"),
            Refinement::Group { cardinality, body } => {
                if let Some(c) = cardinality {
                    write!(f, "{c} ")?;
                }
                write!(f, "{{ {body} }}")
            }
            Refinement::And(v) => join(f, &v.iter().map(RefChild).collect::<Vec<_>>(), ", "),
            Refinement::Or(v) => join(f, &v.iter().map(RefChild).collect::<Vec<_>>(), " OR "),
        }
    }
}

impl Display for Attribute {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(c) = &self.cardinality {
            write!(f, "{c} ")?;
        }
        if self.reverse {
            f.write_str("R ")?;
        }
        write!(f, "{} {}", self.name, self.comparison)
    }
}

impl Display for Number {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Number::Integer(i) => write!(f, "{i}"),
            Number::Decimal(d) if d.fract() == 0.0 => write!(f, "{d:.1}"),
            Number::Decimal(d) => write!(f, "{d}"),
        }
    }
}

impl Display for Comparison {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Comparison::Expr(op, v) => write!(f, "{} {v}", op.symbol()),
            Comparison::Numeric(op, n) => write!(f, "{} #{n}", op.symbol()),
            Comparison::String(op, v) => {
                write!(f, "{} ", op.symbol())?;
                set(f, v)
            }
            Comparison::Boolean(op, b) => write!(f, "{} {b}", op.symbol()),
        }
    }
}

impl Display for TypedString {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.mode {
            StringMode::Plain => {}
            StringMode::Match => f.write_str("match:")?,
            StringMode::Wild => f.write_str("wild:")?,
        }
        write!(f, "\"{}\"", self.raw)
    }
}

impl Display for IdSet {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            IdSet::Expr(e) => write!(f, "{e}"),
            IdSet::Set(v) => {
                f.write_char('(')?;
                join(f, v, " ")?;
                f.write_char(')')
            }
        }
    }
}

struct Time(TimeValue);

impl Display for Time {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(t) => write!(f, "\"{t:08}\""),
            None => f.write_str("\"\""),
        }
    }
}

fn times(f: &mut Formatter<'_>, v: &[TimeValue]) -> fmt::Result {
    set(f, &v.iter().map(|t| Time(*t)).collect::<Vec<_>>())
}

impl Display for ActiveValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ActiveValue::True => "true",
            ActiveValue::False => "false",
            ActiveValue::Any => "*",
        })
    }
}

impl Display for DescriptionType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DescriptionType::Synonym => "syn",
            DescriptionType::FullySpecifiedName => "fsn",
            DescriptionType::Definition => "def",
        })
    }
}

impl Display for DefinitionStatus {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DefinitionStatus::Primitive => "primitive",
            DefinitionStatus::Defined => "defined",
        })
    }
}

impl Display for AcceptabilitySet {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        match self {
            AcceptabilitySet::Tokens(v) => {
                let names: Vec<&str> = v
                    .iter()
                    .map(|a| match a {
                        Acceptability::Acceptable => "accept",
                        Acceptability::Preferred => "prefer",
                    })
                    .collect();
                f.write_str(&names.join(" "))?;
            }
            AcceptabilitySet::Ids(v) => join(f, v, " ")?,
        }
        f.write_char(')')
    }
}

impl Display for DialectEntry {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.dialect {
            Dialect::Alias(a) => f.write_str(a)?,
            Dialect::Id(c) => write!(f, "{c}")?,
            Dialect::Expr(e) => write!(f, "{e}")?,
        }
        if let Some(a) = &self.acceptability {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

impl Display for DescriptionFilter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            DescriptionFilter::Term(op, v) => {
                write!(f, "term {} ", op.symbol())?;
                set(f, v)
            }
            DescriptionFilter::Language(op, v) => {
                write!(f, "language {} ", op.symbol())?;
                set(f, v)
            }
            DescriptionFilter::TypeId(op, ids) => write!(f, "typeId {} {ids}", op.symbol()),
            DescriptionFilter::Type(op, v) => {
                write!(f, "type {} ", op.symbol())?;
                set(f, v)
            }
            DescriptionFilter::Dialect { op, by_id, set: is_set, entries, acceptability } => {
                let kw = if *by_id { "dialectId" } else { "dialect" };
                write!(f, "{kw} {} ", op.symbol())?;
                if *is_set {
                    f.write_char('(')?;
                    join(f, entries, " ")?;
                    f.write_char(')')?;
                } else {
                    join(f, entries, " ")?;
                }
                if let Some(a) = acceptability {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
            DescriptionFilter::Module(op, ids) => write!(f, "moduleId {} {ids}", op.symbol()),
            DescriptionFilter::EffectiveTime(op, v) => {
                write!(f, "effectiveTime {} ", op.symbol())?;
                times(f, v)
            }
            DescriptionFilter::Active(op, a) => write!(f, "active {} {a}", op.symbol()),
            DescriptionFilter::Id(op, v) => {
                write!(f, "id {} ", op.symbol())?;
                set(f, v)
            }
        }
    }
}

impl Display for ConceptFilter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ConceptFilter::DefinitionStatusId(op, ids) => {
                write!(f, "definitionStatusId {} {ids}", op.symbol())
            }
            ConceptFilter::DefinitionStatus(op, v) => {
                write!(f, "definitionStatus {} ", op.symbol())?;
                set(f, v)
            }
            ConceptFilter::Module(op, ids) => write!(f, "moduleId {} {ids}", op.symbol()),
            ConceptFilter::EffectiveTime(op, v) => {
                write!(f, "effectiveTime {} ", op.symbol())?;
                times(f, v)
            }
            ConceptFilter::Active(op, a) => write!(f, "active {} {a}", op.symbol()),
        }
    }
}

impl Display for MemberFilter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MemberFilter::Module(op, ids) => write!(f, "moduleId {} {ids}", op.symbol()),
            MemberFilter::EffectiveTime(op, v) => {
                write!(f, "effectiveTime {} ", op.symbol())?;
                times(f, v)
            }
            MemberFilter::Active(op, a) => write!(f, "active {} {a}", op.symbol()),
            MemberFilter::Field(name, cmp) => {
                write!(f, "{name} ")?;
                match cmp {
                    FieldComparison::Expr(op, e) => write!(f, "{} {e}", op.symbol()),
                    FieldComparison::Numeric(op, n) => write!(f, "{} #{n}", op.symbol()),
                    FieldComparison::String(op, v) => {
                        write!(f, "{} ", op.symbol())?;
                        set(f, v)
                    }
                    FieldComparison::Boolean(op, b) => write!(f, "{} {b}", op.symbol()),
                    FieldComparison::Time(op, v) => {
                        write!(f, "{} ", op.symbol())?;
                        times(f, v)
                    }
                }
            }
        }
    }
}
