//! The real-world corpora: every root document of the shared corpus
//! validates, except the five its SOURCES.md marks invalid, each rejected
//! with its specific located error; every root document of `tests/corpus/`
//! validates, and its SOURCES.md lists each one.

mod common;

use chanx_codegen::Diagnostics;
use chanx_codegen::internal::load::{LoadOptions, RemoteRefs};
use chanx_codegen::internal::validate::load_and_validate;

fn validate(relative: &str, options: &LoadOptions) -> Result<Diagnostics, Diagnostics> {
    load_and_validate(&common::corpus_root().join(relative), options).map(|(_, w)| w)
}

#[test]
fn every_valid_root_document_validates() {
    let roots = common::corpus_root_documents();
    assert_eq!(
        roots.len(),
        32,
        "30 third-party roots and 2 emitted by chanx: {roots:?}"
    );
    let invalid = common::invalid_corpus_documents();
    assert_eq!(invalid.len(), 5, "SOURCES.md marks five documents invalid");
    for relative in roots
        .iter()
        .filter(|r| !invalid.iter().any(|i| i == r.as_str()))
    {
        if let Err(diags) = validate(relative, &LoadOptions::default()) {
            panic!("{relative} rejected:\n{}", common::render(&diags));
        }
    }
}

/// (code, file, line, pointer) of every error, paths relative to the corpus.
fn errors(relative: &str, options: &LoadOptions) -> Vec<(String, String, u32, String)> {
    let diags = validate(relative, options).expect_err("rejected");
    let corpus = format!("{}/", common::corpus_root().display());
    diags
        .errors()
        .map(|d| {
            let loc = d.location.clone().expect("located");
            (
                d.code.to_string(),
                loc.file.replace(&corpus, ""),
                loc.line,
                d.pointer.clone(),
            )
        })
        .collect()
}

fn e(code: &str, file: &str, line: u32, pointer: &str) -> (String, String, u32, String) {
    (code.into(), file.into(), line, pointer.into())
}

#[test]
fn documents_without_info_are_rejected_at_the_root() {
    for doc in [
        "lerenn-asyncapi-codegen/issue-131/asyncapi.yaml",
        "lerenn-asyncapi-codegen/issue-192/asyncapi.yaml",
    ] {
        assert_eq!(
            errors(doc, &LoadOptions::default()),
            vec![e("schema", doc, 1, "")]
        );
        let diags = validate(doc, &LoadOptions::default()).unwrap_err();
        assert_eq!(diags.0[0].message, "required property 'info' missing");
    }
}

#[test]
fn openapi_discriminator_object_is_rejected_with_a_hint() {
    let doc = "lerenn-asyncapi-codegen/issue-224/asyncapi.yaml";
    assert_eq!(
        errors(doc, &LoadOptions::default()),
        vec![e(
            "discriminator-object",
            doc,
            43,
            "/components/schemas/Collider/properties/shape/discriminator"
        )]
    );
    let diags = validate(doc, &LoadOptions::default()).unwrap_err();
    assert_eq!(
        diags.0[0].hint.as_deref(),
        Some("AsyncAPI 3 expects a string: use discriminator: shape_type")
    );
}

#[test]
fn dangling_refs_are_each_reported_where_written() {
    let doc = "asyncapi-spec-json-schemas/streetlights-all.json";
    let found = errors(doc, &LoadOptions::default());
    let pointers: Vec<(&str, u32, &str)> = found
        .iter()
        .map(|(c, _, l, p)| (c.as_str(), *l, p.as_str()))
        .collect();
    assert_eq!(
        pointers,
        vec![
            (
                "ref-file-missing",
                302,
                "/components/schemas/Avro-ReferencedSchema/schema"
            ),
            (
                "ref-file-missing",
                324,
                "/components/schemas/Json-ReferencedSchema/schema"
            ),
            (
                "ref-file-missing",
                330,
                "/components/schemas/OpenAPI-ReferencedSchema/schema"
            ),
            (
                "ref-file-missing",
                380,
                "/components/messages/AsyncAPI-UserSignedUpV3/payload"
            ),
            (
                "ref-not-found",
                702,
                "/components/messages/Json-UserSignedUp/payload/schema/properties/toDoItems/items/properties/subItems/items"
            ),
            (
                "ref-file-missing",
                764,
                "/components/messages/Unknown-UserSignedUpV2/payload"
            ),
        ]
    );
    assert!(found.iter().all(|(_, file, _, _)| file == doc));
}

const ADEO_KEY: &str = "/components/messages/costingResponse/bindings/kafka/key";

#[test]
fn adeo_remote_refs_are_refused_by_default() {
    let doc = "asyncapi-spec/adeo-kafka-request-reply-asyncapi.yml";
    assert_eq!(
        errors(doc, &LoadOptions::default()),
        vec![
            e(
                "ref-remote",
                doc,
                214,
                "/components/messages/costingRequestV1/payload/schema"
            ),
            // The schema error is at the `$ref` key, the remote ref at its value.
            e("schema", doc, 245, ADEO_KEY),
            e("ref-remote", doc, 245, ADEO_KEY),
            e(
                "ref-remote",
                doc,
                249,
                "/components/messages/costingResponse/payload/schema"
            ),
        ]
    );
}

#[test]
fn adeo_remote_refs_load_when_mapped_leaving_only_the_schema_quirk() {
    let doc = "asyncapi-spec/adeo-kafka-request-reply-asyncapi.yml";
    let local = common::corpus_root().join("asyncapi-spec/adeo-remote-refs");
    let options = LoadOptions {
        remote: RemoteRefs {
            mappings: vec![
                ("https://www.asyncapi.com/resources/casestudies/adeo/".into(), local.clone()),
                (
                    "https://deploy-preview-921--asyncapi-website.netlify.app/resources/casestudies/adeo/".into(),
                    local,
                ),
            ],
        },
        ..LoadOptions::default()
    };
    assert_eq!(errors(doc, &options), vec![e("schema", doc, 245, ADEO_KEY)]);
    let (loaded, _) =
        chanx_codegen::internal::load::load(&common::corpus_root().join(doc), &options)
            .expect("every ref, remote ones included, loads");
    assert_eq!(
        loaded.files.len(),
        4,
        "the document and its three .avsc files"
    );
}

#[test]
fn every_root_document_of_the_own_corpus_validates() {
    let corpus = common::own_corpus();
    let roots = corpus.root_documents();
    assert!(
        roots.len() >= 20,
        "root documents of tests/corpus: {roots:?}"
    );
    for relative in &roots {
        if let Err(diags) = load_and_validate(&corpus.dir.join(relative), &LoadOptions::default()) {
            panic!(
                "tests/corpus/{relative} rejected:\n{}",
                common::render(&diags)
            );
        }
    }
}

/// `tests/corpus/SOURCES.md` names every file of the corpus (root documents
/// and the files they reference), so none arrives without its origin.
#[test]
fn the_own_corpus_sources_list_every_file() {
    let corpus = common::own_corpus();
    let sources = std::fs::read_to_string(corpus.dir.join("SOURCES.md")).expect("SOURCES.md");
    let mut files = Vec::new();
    let mut stack = vec![corpus.dir.clone()];
    while let Some(dir) = stack.pop() {
        for path in std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "SOURCES.md") {
                files.push(
                    path.strip_prefix(&corpus.dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    files.sort();
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !sources.contains(&format!("`{f}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in tests/corpus/SOURCES.md: {missing:?}"
    );
}
