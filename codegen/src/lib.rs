//! chanx-codegen: AsyncAPI 3 documents in, typed Rust and TypeScript out.
//!
//! Pipeline: [`source`] parses files with positions, [`load`] follows `$ref`s
//! across files, [`validate`] checks the document, [`ir`] builds the
//! language-independent model, and the emitters turn it into code.

// `Diagnostic` is the error type throughout; it is returned rarely, so its
// size does not matter and boxing it would only make the API clumsier.
#![allow(clippy::result_large_err)]

pub mod diag;
pub mod generate;
pub mod inspect;
pub mod ir;
pub mod load;
pub mod rust;
pub mod source;
pub mod ts;
pub mod validate;

pub use diag::{Diagnostic, Diagnostics, Location, Severity};
pub use generate::{Builder, Error, configure};
