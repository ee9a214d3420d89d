//! Every root document of the real-world corpora (the shared one and
//! `tests/corpus/`, see `common/corpora.rs`) that a correct validator accepts
//! loads and builds.

mod common;

use std::path::PathBuf;

use chanx_codegen::internal::ir::{BuildOptions, build};
use chanx_codegen::internal::load::{LoadOptions, load};

fn corpus_dir() -> PathBuf {
    common::corpora::shared(&common::repo_root()).dir
}

/// Loads and builds `path`, printing what the model holds; panics on errors.
fn load_and_build(path: &std::path::Path) {
    let (doc, _) = load(path, &LoadOptions::default())
        .unwrap_or_else(|d| panic!("{} does not load:\n{d}", path.display()));
    match build(&doc, &BuildOptions::default()) {
        Ok((api, warnings)) => {
            eprintln!(
                "ok {}: {} channels, {} operations, {} messages, {} types",
                path.display(),
                api.channels.len(),
                api.operations.len(),
                api.messages.len(),
                api.types.types.len()
            );
            eprint!("{warnings}");
        }
        Err(errors) => panic!("{} does not build:\n{errors}", path.display()),
    }
}

#[test]
fn every_valid_document_of_the_shared_corpus_builds() {
    let corpus = common::corpora::shared(&common::repo_root());
    if !corpus.dir.is_dir() {
        eprintln!("corpus not found at {}; skipping", corpus.dir.display());
        return;
    }
    let documents = corpus.documents();
    assert!(
        documents.len() >= 25,
        "expected the corpus root documents, found {}",
        documents.len()
    );
    let valid: Vec<_> = documents.iter().filter(|d| !d.invalid).collect();
    assert!(valid.len() >= 20, "only {} valid documents", valid.len());
    for document in valid {
        load_and_build(&document.path);
    }
}

#[test]
fn every_document_of_the_own_corpus_builds() {
    let corpus = common::own_corpus();
    let documents = corpus.documents();
    assert!(
        documents.len() >= 20,
        "expected the root documents of {}, found {documents:?}",
        corpus.dir.display()
    );
    assert!(
        documents.iter().all(|d| !d.invalid),
        "every document of tests/corpus is one the official parser accepts"
    );
    for document in &documents {
        load_and_build(&document.path);
    }
}

#[test]
fn chanx_documents_are_tagged_by_action_on_every_channel() {
    let dir = corpus_dir().join("chanx");
    if !dir.is_dir() {
        return;
    }
    for file in [
        "sandbox-django-asyncapi.yaml",
        "client-generation-schema.json",
    ] {
        let (doc, _) =
            load(&dir.join(file), &LoadOptions::default()).expect("chanx document loads");
        let (api, _) = build(&doc, &BuildOptions::default()).expect("chanx document builds");
        assert!(!api.channels.is_empty());
        for channel in &api.channels {
            assert_eq!(
                channel.tag_key.as_deref(),
                Some("action"),
                "{file}: channel {}",
                channel.name.spec
            );
            for m in &channel.messages {
                assert!(
                    m.tag.is_some(),
                    "{file}: {} / {} has no tag",
                    channel.name.spec,
                    m.key
                );
            }
        }
    }
}

#[test]
fn adeo_avro_payloads_build_from_offline_copies() {
    use chanx_codegen::internal::ir::TypeKind;
    use chanx_codegen::internal::load::RemoteRefs;

    let dir = corpus_dir().join("asyncapi-spec");
    if !dir.is_dir() {
        return;
    }
    let offline = dir.join("adeo-remote-refs");
    let options = LoadOptions {
        remote: RemoteRefs {
            mappings: vec![
                ("https://www.asyncapi.com/resources/casestudies/adeo/".into(), offline.clone()),
                (
                    "https://deploy-preview-921--asyncapi-website.netlify.app/resources/casestudies/adeo/".into(),
                    offline,
                ),
            ],
        },
        ..LoadOptions::default()
    };
    let (doc, _) = load(&dir.join("adeo-kafka-request-reply-asyncapi.yml"), &options)
        .expect("loads with mappings");
    let (api, warnings) = build(&doc, &BuildOptions::default()).expect("builds");
    eprint!("{warnings}");
    let records: Vec<&str> = api
        .types
        .types
        .iter()
        .filter(|t| matches!(t.kind, TypeKind::Struct { .. }) && t.origin.file.ends_with(".avsc"))
        .map(|t| t.name.spec.as_str())
        .collect();
    assert!(
        records.contains(&"CostingRequestPayload"),
        "Avro records: {records:?}"
    );
}
