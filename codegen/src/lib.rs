//! chanx-codegen: AsyncAPI 3 documents in, typed Rust and TypeScript out.
//!
//! Pipeline: [`source`] parses files with positions, [`load`] follows `$ref`s
//! across files, [`validate`] checks the document, [`ir`] builds the
//! language-independent model, and the emitters turn it into code.

pub mod diag;
pub mod ir;
pub mod load;
pub mod rust;
pub mod source;

pub use diag::{Diagnostic, Diagnostics, Location, Severity};
