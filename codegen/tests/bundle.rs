//! The bundled document (every `$ref`'d file merged into one) stands alone
//! and describes the same API: loaded again, it has no errors, only
//! in-document references, and `chanx diff` finds nothing between it and the
//! original.

mod common;

use std::path::{Path, PathBuf};

use chanx_codegen::Options;
use chanx_codegen::diff::diff;
use chanx_codegen::internal::load_api;
use serde_json::Value;

fn documents() -> Vec<PathBuf> {
    let invalid = common::invalid_corpus_documents();
    let corpus = common::corpus_root();
    let mut documents: Vec<PathBuf> = common::corpus_root_documents()
        .into_iter()
        .filter(|d| !invalid.contains(d))
        .map(|d| corpus.join(d))
        .collect();
    for spec in std::fs::read_dir(common::repo_root().join("specs")).expect("specs") {
        documents.push(spec.expect("entry").path());
    }
    documents.sort();
    documents
}

/// Every `$ref` of `value`, with where it is.
fn references(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push((at.to_owned(), r.clone()));
            }
            for (k, v) in map {
                references(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                references(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn bundled_copy(document: &Path, dir: &Path) -> (PathBuf, Value) {
    let loaded = load_api(document, &Options::default())
        .unwrap_or_else(|d| panic!("{}: {d}", document.display()));
    let text = loaded
        .api
        .document
        .as_deref()
        .expect("a document read from a file");
    let bundled: Value = serde_json::from_str(text).expect("the bundled document is JSON");
    let name = document.to_string_lossy().replace(['/', '\\', ':'], "_");
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&bundled).unwrap()).unwrap();
    (path, bundled)
}

#[test]
fn every_bundled_document_stands_alone_and_describes_the_same_api() {
    let dir = std::env::temp_dir().join(format!("chanx-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let options = Options::default();
    for document in documents() {
        let (path, bundled) = bundled_copy(&document, &dir);
        let mut refs = Vec::new();
        references(&bundled, "", &mut refs);
        for (at, reference) in &refs {
            assert!(
                reference.starts_with("#/"),
                "{}: {at}: `{reference}` leaves the document",
                document.display()
            );
        }
        let again = load_api(&path, &options)
            .unwrap_or_else(|d| panic!("{} bundled does not load:\n{d}", document.display()));
        let original = load_api(&document, &options).unwrap();
        let changes = diff(&original.api, &again.api);
        assert!(
            changes.is_empty(),
            "{} bundled differs:\n{}",
            document.display(),
            changes.iter().map(|c| format!("{c}\n")).collect::<String>()
        );
        assert_eq!(again.inputs.len(), 1, "one file");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A document split over four files (a channel and a server `$ref`'d whole,
/// messages and schemas in files of their own): the bundle as served.
#[test]
fn a_multi_file_document_bundled() {
    let document = common::corpus_root().join("asyncapi-generator/asyncapi-hoppscotch-client.yml");
    let loaded = load_api(&document, &Options::default()).unwrap();
    let bundled: Value = serde_json::from_str(&loaded.api.document.unwrap()).unwrap();
    insta::assert_json_snapshot!(bundled);
}

/// What a server serves at `/asyncapi.yaml` reads back as the document.
#[test]
fn the_served_yaml_reads_back_as_the_document() {
    use chanx_codegen::internal::source::{Limits, parse};
    for document in documents() {
        let loaded = load_api(&document, &Options::default()).unwrap();
        let text = loaded.api.document.unwrap();
        let bundled: Value = serde_json::from_str(&text).unwrap();
        let json: &'static str = Box::leak(text.into_boxed_str());
        let served = chanx_runtime::Document::new(json);
        let yaml = served.yaml();
        let back = parse(&yaml, "served.yaml", &Limits::default()).unwrap_or_else(|d| {
            panic!(
                "{}: the YAML does not parse: {d}\n{yaml}",
                document.display()
            )
        });
        assert_eq!(back.value, bundled, "{}:\n{yaml}", document.display());
        let pretty: Value = serde_json::from_str(&served.pretty_json()).unwrap();
        assert_eq!(pretty, bundled);
    }
}
