//! SNOMED CT Expression Constraint Language (ECL) 2.3: parser, printer and evaluator.
//!
//! * [`parse`] turns ECL text (brief **and** long syntax, case-insensitive
//!   keywords, comments) into an [`Expr`] tree, or a [`ParseError`] with byte
//!   offset, line, column, the list of expected tokens and
//!   [`ParseError::render`] for a caret diagnostic. The parser never panics
//!   and caps nesting at [`MAX_DEPTH`].
//! * `Display` on [`Expr`] prints canonical brief syntax; parsing the printed
//!   form gives an equal tree.
//! * [`Evaluator`] evaluates an [`Expr`] against any [`EclBackend`] (concepts
//!   addressed by dense `u32` indices, sets as [`roaring::RoaringBitmap`]),
//!   with [`Limits`] on result size and time. [`memory::MemoryBackend`] is a
//!   small in-memory backend for tests.
//!
//! The semantic conventions (substrate, cardinality, `!=`, history profiles)
//! are documented in the [`eval`] module.
//!
//! # Example
//!
//! ```
//! use sctx_ecl::{parse, Evaluator, memory::MemoryBackend};
//!
//! let expr = parse("descendantOrSelfOf 404684003 |Clinical finding| MINUS 313005").unwrap();
//! assert_eq!(expr.to_string(), "<< 404684003 |Clinical finding| MINUS 313005");
//!
//! let mut store = MemoryBackend::new();
//! let module = 900000000000207008;
//! for id in [138875005, 404684003, 313005, 362969004, 116680003] {
//!     store.add_concept(id, true, module, 20020131, true);
//! }
//! store.add_relationship(404684003, 116680003, 138875005, 0);
//! store.add_relationship(313005, 116680003, 404684003, 0);
//! store.add_relationship(362969004, 116680003, 404684003, 0);
//! store.finish();
//!
//! let ev = Evaluator::new(&store);
//! assert_eq!(ev.ids(&expr).unwrap(), vec![362969004, 404684003]);
//! assert_eq!(ev.count(&parse("< 138875005").unwrap()).unwrap(), 3);
//!
//! let err = parse("<< 404684003 OR << 313005 AND << 362969004").unwrap_err();
//! assert_eq!(err.column, 27);
//! println!("{}", err.render("<< 404684003 OR << 313005 AND << 362969004"));
//! ```

pub mod ast;
mod backend;
mod error;
pub mod eval;
pub mod memory;
mod parser;
mod printer;

pub use ast::*;
pub use backend::{
    ConcreteRel, ConcreteValue, DescriptionView, EclBackend, FieldValue, MemberView, Rel,
};
pub use error::{EvalError, ParseError};
pub use eval::{Evaluator, FieldValueOwned, Limits, MemberRow};
pub use parser::{MAX_DEPTH, parse};
