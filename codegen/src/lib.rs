//! chanx-codegen: AsyncAPI 3 documents in, typed Rust and TypeScript out.
//!
//! Pipeline: [`source`] parses files with positions, [`load`] follows `$ref`s
//! across files, [`validate`] checks the document, [`ir`] builds the
//! language-independent model, and the emitters turn it into code.

// Diagnostics are returned on cold paths only; boxing them would cost more
// readability than the few bytes it saves.
#![allow(clippy::result_large_err)]

pub mod diag;
pub mod inspect;
pub mod ir;
pub mod load;
pub mod source;
pub mod ts;

pub use diag::{Diagnostic, Diagnostics, Location, Severity};
