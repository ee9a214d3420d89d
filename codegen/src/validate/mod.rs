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
    let (version, mut diags) = check_root(doc);
    if version.is_some() {
        diags.extend(check_references(doc));
    }
    diags.sort();
    diags
}

/// The checks of the root file's own text: its version, then the AsyncAPI
/// meta-schema. They read nothing but the root file, so they can run while
/// the files it references are loaded (on a document of that file alone,
/// see [`crate::load::RootFile::alone`]). The version is `None` when the
/// document is not of one chanx reads: the other checks would only
/// produce noise then.
pub fn check_root(doc: &Document) -> (Option<SpecVersion>, Diagnostics) {
    match version::check(doc) {
        Err(d) => (None, d.into()),
        Ok(version) => (Some(version), schema::check(doc, version)),
    }
}

/// The checks that follow references: the rules chanx needs beyond the
/// meta-schema, for a document whose [`check_root`] found its version.
pub fn check_references(doc: &Document) -> Diagnostics {
    let mut diags = semantic::check(doc);
    diags.extend(schemas::check(doc));
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
