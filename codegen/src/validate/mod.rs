//! Validation of a loaded document: the version gate, the official JSON
//! Schema for the root file, and the rules chanx needs beyond it.
//!
//! Everything is collected, so one run shows every problem.

mod metaschema;
mod schema;
mod schemas;
mod semantic;
mod version;

use std::path::Path;

pub use schema::{SpecVersion, warm_up};
pub use semantic::TAG_PROPERTY;

use crate::diag::Diagnostics;
use crate::load::{Document, LoadOptions, load_collecting};

/// Checks a loaded document; returns errors and warnings, sorted.
pub fn validate(doc: &Document) -> Diagnostics {
    let mut diags = Diagnostics::default();
    match version::check(doc) {
        // A document of another version would only produce noise below.
        Err(d) => diags.push(d),
        Ok(version) => {
            diags.extend(schema::check(doc, version));
            diags.extend(semantic::check(doc));
            diags.extend(schemas::check(doc));
        }
    }
    diags.sort();
    diags
}

/// Loads and validates `path`: the document with its warnings, or every
/// problem found (loading and validation problems together).
pub fn load_and_validate(
    path: &Path,
    options: &LoadOptions,
) -> Result<(Document, Diagnostics), Diagnostics> {
    let (doc, mut diags) = load_collecting(path, options);
    let Some(doc) = doc else {
        return Err(diags);
    };
    diags.extend(validate(&doc));
    diags.sort();
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((doc, diags))
    }
}
