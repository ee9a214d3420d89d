//! Helpers shared by the integration tests: where the repository and the
//! corpus are, rendering diagnostics, and hand-built models ([`api`]).
#![allow(dead_code)]

pub mod api;
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

/// Corpus documents that must be rejected, from `tests/corpus-invalid.txt`
/// (the corpus's SOURCES.md says why).
pub fn invalid_corpus_documents() -> Vec<String> {
    let list = repo_root().join("tests/corpus-invalid.txt");
    std::fs::read_to_string(list)
        .expect("tests/corpus-invalid.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Paths (relative to the corpus, `/`-separated, sorted) of the files with a
/// top-level `asyncapi` key; referenced fragments and meta-schemas have none.
pub fn corpus_root_documents() -> Vec<String> {
    let corpus = corpus_root();
    let mut files = Vec::new();
    yaml_and_json_files(&corpus, &mut files);
    let mut roots: Vec<String> = files
        .into_iter()
        .filter(|p| is_root_document(p))
        .filter_map(|p| {
            p.strip_prefix(&corpus)
                .ok()
                .map(|r| r.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    roots.sort();
    roots
}

fn yaml_and_json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            yaml_and_json_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

fn is_root_document(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.get("asyncapi").is_some())
    } else {
        text.lines().any(|l| l.starts_with("asyncapi:"))
    }
}
