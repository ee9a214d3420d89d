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

/// Starts, on a thread of its own, the part of checking a document that
/// does not depend on its content (parsing the embedded meta-schema its
/// first bytes, `start`, name), so that it runs while the document is read
/// and parsed. Once per process: the parsed meta-schema is kept.
pub fn prepare_in_background(start: Vec<u8>) {
    static STARTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if STARTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    // Detached: it only fills caches, which whoever needs them first
    // finishes filling (a `OnceLock` waits for a fill under way).
    let started = std::thread::Builder::new()
        .name("chanx-meta-schema".into())
        .spawn(move || metaschema::prepare(&start));
    if started.is_err() {
        // No thread to spare: the check parses the meta-schema itself.
        STARTED.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

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
