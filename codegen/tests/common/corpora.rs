//! The real-world AsyncAPI corpora the tests walk, in one place so every
//! walker agrees on what a root document is and which ones must be rejected:
//!
//! - the shared corpus, `../shared/specs-corpus` beside the repository (its
//!   documents that a correct validator rejects are listed in
//!   `tests/corpus-invalid.txt`);
//! - the repository's own corpus, `tests/corpus/` (`tests/corpus/SOURCES.md`
//!   says where each file comes from). Every root document there is one the
//!   official AsyncAPI parser accepts, so every one must generate.
//!
//! Used by the integration tests (`common/mod.rs`) and, through `#[path]`, by
//! `tests/compile-rust/build.rs`; it needs only `std`, `serde_json` and
//! `chanx_codegen`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One corpus: a directory of documents and the ones expected to fail.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Prefix of the module and file names generated from its documents.
    pub prefix: &'static str,
    pub dir: PathBuf,
    /// Root documents (relative to `dir`, `/`-separated) a correct validator
    /// rejects.
    pub invalid: Vec<String>,
}

/// A root document of a corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusDocument {
    /// Relative to the corpus directory, `/`-separated.
    pub relative: String,
    pub path: PathBuf,
    /// A Rust module / TypeScript file name unique across every corpus.
    pub module: String,
    /// Listed as one a correct validator rejects.
    pub invalid: bool,
}

/// The shared corpus beside the repository at `repo` (it may be missing).
pub fn shared(repo: &Path) -> Corpus {
    Corpus {
        prefix: "corpus",
        dir: repo.join("../shared/specs-corpus"),
        invalid: listed_lines(&repo.join("tests/corpus-invalid.txt")),
    }
}

/// The repository's own corpus, `tests/corpus/`.
pub fn own(repo: &Path) -> Corpus {
    Corpus {
        prefix: "tests_corpus",
        dir: repo.join("tests/corpus"),
        invalid: Vec::new(),
    }
}

/// Both corpora, those that are present.
pub fn corpora(repo: &Path) -> Vec<Corpus> {
    [shared(repo), own(repo)]
        .into_iter()
        .filter(|c| c.dir.is_dir())
        .collect()
}

/// Every root document of every present corpus, each with a module name no
/// other document shares.
pub fn all_documents(repo: &Path) -> Vec<CorpusDocument> {
    let documents: Vec<CorpusDocument> = corpora(repo).iter().flat_map(Corpus::documents).collect();
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for d in &documents {
        if let Some(other) = seen.insert(&d.module, &d.relative) {
            panic!(
                "corpus documents {other} and {} both become module {}",
                d.relative, d.module
            );
        }
    }
    documents
}

/// The documents of every present corpus that must load and generate.
pub fn valid_documents(repo: &Path) -> Vec<CorpusDocument> {
    all_documents(repo)
        .into_iter()
        .filter(|d| !d.invalid)
        .collect()
}

impl Corpus {
    /// Relative paths (`/`-separated, sorted) of the root documents.
    pub fn root_documents(&self) -> Vec<String> {
        let mut roots: Vec<String> = yaml_and_json_files(&self.dir)
            .into_iter()
            .filter(|p| is_root_document(p))
            .filter_map(|p| {
                p.strip_prefix(&self.dir)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        roots.sort();
        roots
    }

    /// The root documents, with their paths and module names.
    pub fn documents(&self) -> Vec<CorpusDocument> {
        self.root_documents()
            .into_iter()
            .map(|relative| CorpusDocument {
                path: self.dir.join(&relative),
                module: format!(
                    "{}_{}",
                    self.prefix,
                    chanx_codegen::module_name(Path::new(&relative.replace('/', "_")))
                ),
                invalid: self.invalid.contains(&relative),
                relative,
            })
            .collect()
    }
}

/// YAML and JSON files below `dir`, sorted (none when it is missing).
pub fn yaml_and_json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

/// A root document is a YAML or JSON mapping with a top-level `asyncapi`
/// key; referenced fragments, JSON Schemas and meta-schemas have none. Read
/// with the generator's own parser, so flow-style YAML and CRLF line ends
/// count like any other layout.
pub fn is_root_document(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let limits = chanx_codegen::internal::source::Limits::default();
    chanx_codegen::internal::source::parse(&text, &path.to_string_lossy(), &limits)
        .is_ok_and(|parsed| parsed.value.get("asyncapi").is_some())
}

/// The non-empty, non-comment lines of a list file (none when it is missing).
fn listed_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}
