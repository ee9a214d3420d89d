//! chanx-codegen: AsyncAPI 3 documents in, typed Rust and TypeScript out.
//!
//! In a build script, [`configure`] a [`Builder`] and `compile` documents
//! into `OUT_DIR` (`chanx_runtime::include_api!` pulls the module in).
//! Tools call the pipeline itself, [`generate`], which returns the files of a
//! document without writing them, or [`validate`] and [`inspect`];
//! [`diff::diff_files`] judges the changes between two versions of a document,
//! and [`docs_page`] renders one as the page a server serves.
//!
//! Inside, the source is parsed with positions, `$ref`s are followed across
//! files, the document is checked against the AsyncAPI schema and what the
//! schema cannot say, a language-independent model is built, and the
//! emitters turn it into code. Every problem comes back at once, each with its
//! file, line and column ([`Diagnostic`]).

// `Diagnostic` is the error type throughout; it is returned rarely, so its
// size does not matter and boxing it would only make the API clumsier.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

mod bundle;
mod diag;
pub mod diff;
mod generate;
// The modules below are reached from outside only through the hidden
// `internal` module; their items document themselves where it helps.
#[allow(missing_docs)]
mod inspect;
#[allow(missing_docs)]
mod ir;
#[allow(missing_docs)]
mod load;
mod read;
mod render;
#[allow(missing_docs)]
mod rust;
#[allow(missing_docs)]
mod source;
#[cfg(test)]
mod test_files;
mod text;
#[allow(missing_docs)]
mod ts;
#[allow(missing_docs)]
mod validate;

pub use diag::{Code, Diagnostic, Diagnostics, Location, Severity};
pub use generate::{
    Builder, DocsPage, Error, Generated, GeneratedFile, Inspection, Options, Targets, configure,
    docs_page, generate, inspect, module_name, validate, write_if_changed,
};
pub use ir::build::BuildOptions;
pub use load::{LoadOptions, RemoteRefs};
pub use read::{ReadError, read_limited};
pub use render::render;
pub use rust::RustOptions;
pub use ts::TsOptions;

/// The pieces below the pipeline, for this workspace's own tests, compile
/// checks and benchmarks. Not a stable API: it changes with the generator.
#[doc(hidden)]
pub mod internal {
    pub use crate::generate::{Loaded, generate_rust, generate_ts, load_api};

    /// The language-independent model.
    pub mod ir {
        pub use crate::ir::*;
    }
    /// Files, `$ref`s and positions.
    pub mod load {
        pub use crate::load::*;
    }
    /// YAML and JSON parsing with positions.
    pub mod source {
        pub use crate::source::*;
    }
    /// The checks of a document.
    pub mod validate {
        pub use crate::validate::*;
    }
    /// The Rust emitter.
    pub mod rust {
        pub use crate::rust::*;
    }
    /// The TypeScript emitter.
    pub mod ts {
        pub use crate::ts::*;
    }
    /// Every `$ref`'d file merged into one document.
    pub mod bundle {
        pub use crate::bundle::*;
    }
    /// The model summary of `chanx inspect`.
    pub mod inspect {
        pub use crate::inspect::*;
    }
}
