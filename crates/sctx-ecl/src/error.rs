//! Error types.

use std::fmt::Write as _;

/// An ECL syntax error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ECL syntax error at line {line}, column {column}: {message}")]
pub struct ParseError {
    /// Byte offset of the error in the source.
    pub offset: usize,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What the parser would have accepted at this point (may be empty).
    pub expected: Vec<String>,
    /// Human-readable description.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(source: &str, offset: usize, expected: Vec<String>, message: String) -> Self {
        let offset = offset.min(source.len());
        let offset = (0..=offset).rev().find(|&o| source.is_char_boundary(o)).unwrap_or(0);
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = source[line_start..offset].chars().count() + 1;
        ParseError { offset, line, column, expected, message }
    }

    /// Render the error with the offending source line and a caret, e.g.
    ///
    /// ```text
    /// error: unexpected `abc`; expected one of: concept id, `*`, `(`
    ///  --> line 1, column 4
    ///   |
    /// 1 | << abc
    ///   |    ^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "error: {}", self.message);
        let _ = writeln!(out, " --> line {}, column {}", self.line, self.column);
        let text = source.lines().nth(self.line - 1).unwrap_or("");
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{num} | {text}");
        let caret_pad: String = text
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = write!(out, "{pad} | {caret_pad}^");
        out
    }
}

/// Errors raised while evaluating an expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The evaluation exceeded the configured time budget.
    #[error("ECL evaluation timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// An intermediate or final result exceeded the configured maximum size.
    #[error("ECL result too large: more than {limit} results")]
    TooManyResults {
        /// The configured limit.
        limit: u64,
    },
    /// A concept referenced by the expression does not exist (strict mode only).
    #[error("unknown concept {0}")]
    UnknownConcept(u64),
    /// An alternate identifier could not be resolved (strict mode only).
    #[error("unknown alternate identifier {scheme}#{code}")]
    UnknownAlternateIdentifier {
        /// Scheme.
        scheme: String,
        /// Code.
        code: String,
    },
    /// The expression is syntactically valid but semantically invalid.
    #[error("invalid ECL: {0}")]
    Invalid(String),
    /// A member field selection used as a set of concepts selects a field whose values are
    /// not concepts (`^ [mapTarget] X` inside a larger expression); at the top level its
    /// values are member rows ([`crate::Evaluator::member_fields`]).
    #[error(
        "invalid ECL: refset field `{0}` holds values that are not concepts; it can be selected only as the final operation"
    )]
    NotConcepts(String),
    /// A construct this evaluator does not support.
    #[error("unsupported ECL feature: {0}")]
    Unsupported(String),
}
