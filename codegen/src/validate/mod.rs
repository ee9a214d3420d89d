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
use crate::load::{Document, LoadOptions, load_references, read_root};

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

/// [`prepare_in_background`] for the document at `path`, unless its root
/// file is parsed in two parts: then both cores parse, and the check of the
/// root file makes the meta-schema ready itself, beside the loading of the
/// files the root references. (Whether it is parsed in two is known from
/// the file's size and first bytes, before it is read.)
pub(crate) fn prepare_for(path: &Path) {
    let start = crate::read::read_start(path, 4096);
    if !crate::source::parsed_in_two(path, &start) {
        prepare_in_background(start);
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
///
/// The same checks as [`validate`] after loading, at once where they can
/// be: the root file's checks (most of the time) start as soon as it is
/// parsed, beside the loading of the files it references, and the checks
/// that follow references run beside them. Those are kept only for a
/// document of a version chanx reads, as [`validate`] would have run them.
pub fn load_and_validate(
    path: &Path,
    options: &LoadOptions,
) -> Result<(Document, Diagnostics), Diagnostics> {
    prepare_for(path);
    let root = read_root(path, options)?;
    let (doc, mut diags) = std::thread::scope(|scope| {
        let root_check = scope.spawn({
            let alone = root.alone(options);
            move || check_root(&alone)
        });
        let (doc, mut diags) = load_references(root, options);
        let references = check_references(&doc);
        let (version, found) = crate::generate::join_or_resume(root_check);
        diags.extend(found);
        if version.is_some() {
            diags.extend(references);
        }
        (doc, diags)
    });
    diags.sort();
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((doc, diags))
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::load::load_collecting;

    /// What [`load_and_validate`] must return: everything loaded first,
    /// then [`validate`], one after the other.
    fn in_sequence(path: &Path) -> Result<(Document, Diagnostics), Diagnostics> {
        let (doc, mut diags) = load_collecting(path, &LoadOptions::default());
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

    fn same_as_in_sequence(path: &Path) {
        let overlapped = load_and_validate(path, &LoadOptions::default());
        match (overlapped, in_sequence(path)) {
            (Ok((_, a)), Ok((_, b))) | (Err(a), Err(b)) => {
                assert_eq!(a, b, "{}", path.display());
            }
            (a, b) => panic!(
                "{}: {:?} in sequence, {:?} overlapped",
                path.display(),
                b.map(|(_, w)| w),
                a.map(|(_, w)| w)
            ),
        }
    }

    fn documents_in(dir: &Path) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn overlapped_checks_find_what_checks_in_sequence_find() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut documents = documents_in(&repo.join("tests/broken"));
        documents.extend(documents_in(&repo.join("specs")));
        assert!(documents.len() >= 40, "{} documents", documents.len());
        for path in &documents {
            same_as_in_sequence(path);
        }
    }

    /// The checks that follow references run before the version is known;
    /// for a document of another version they must leave no trace.
    #[test]
    fn reference_checks_are_dropped_for_another_version() {
        let dir = std::env::temp_dir().join(format!("chanx-other-version-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.yaml");
        // Two messages of one channel share an action: a problem only the
        // checks that follow references see.
        let broken = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/broken/duplicate-action.yaml"),
        )
        .unwrap();
        let old = broken.replacen("asyncapi: 3.0.0", "asyncapi: 2.6.0", 1);
        assert_ne!(old, broken);
        std::fs::write(&path, old).unwrap();
        let (doc, _) = load_collecting(&path, &LoadOptions::default());
        let speculative = check_references(&doc.expect("parses"));
        let result = load_and_validate(&path, &LoadOptions::default());
        same_as_in_sequence(&path);
        std::fs::remove_dir_all(&dir).ok();
        assert!(
            speculative.has_errors(),
            "the reference checks find something"
        );
        let diags = result.expect_err("another version is refused");
        assert_eq!(diags.len(), 1, "{diags}");
        for found in speculative.0 {
            assert!(!diags.0.contains(&found), "{found:?} kept");
        }
    }
}
