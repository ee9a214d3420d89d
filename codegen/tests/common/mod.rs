//! Helpers shared by the integration tests.
#![allow(dead_code)]

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
    diags
        .to_string()
        .replace(&format!("{}/", repo_root().display()), "")
        .replace(&format!("{}/", corpus_root().display()), "")
}
