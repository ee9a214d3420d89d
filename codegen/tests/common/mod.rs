//! Helpers shared by the integration tests: where the repository and the
//! corpus are, rendering diagnostics, and hand-built models ([`api`]).
#![allow(dead_code)]

pub mod api;
pub mod corpora;
pub mod fuzz;

use std::path::{Path, PathBuf};

use chanx_codegen::Diagnostics;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repo root exists")
}

pub fn corpus_root() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/specs-corpus"
    ))
    .canonicalize()
    .expect("the shared corpus is present")
}

/// Diagnostics as the CLI prints them, with machine-specific prefixes removed.
pub fn render(diags: &Diagnostics) -> String {
    strip_roots(&diags.to_string())
}

/// `text` with the repository's and the corpus's absolute paths made relative.
pub fn strip_roots(text: &str) -> String {
    text.replace(&format!("{}/", repo_root().display()), "")
        .replace(&format!("{}/", corpus_root().display()), "")
}

/// Shared-corpus documents that must be rejected, from
/// `tests/corpus-invalid.txt` (the corpus's SOURCES.md says why).
pub fn invalid_corpus_documents() -> Vec<String> {
    corpora::shared(&repo_root()).invalid
}

/// Paths (relative to the shared corpus, `/`-separated, sorted) of its root
/// documents ([`corpora::is_root_document`]).
pub fn corpus_root_documents() -> Vec<String> {
    corpora::shared(&repo_root()).root_documents()
}

/// The repository's own corpus, `tests/corpus/`.
pub fn own_corpus() -> corpora::Corpus {
    corpora::own(&repo_root())
}
