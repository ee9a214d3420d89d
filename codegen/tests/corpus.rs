//! Every root document of the shared corpus that loads also builds.

use std::path::{Path, PathBuf};

use chanx_codegen::internal::ir::{BuildOptions, build};
use chanx_codegen::internal::load::{LoadOptions, load};

fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/specs-corpus"
    ))
}

/// Files with a top-level `asyncapi:` key, sorted.
fn root_documents(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            root_documents(&path, out);
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "yaml" | "yml" | "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let is_root =
            text.lines().any(|l| l.starts_with("asyncapi:")) || text.contains("\"asyncapi\": \"3");
        if is_root {
            out.push(path);
        }
    }
}

#[test]
fn every_loadable_corpus_document_builds() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!("corpus not found at {}; skipping", dir.display());
        return;
    }
    let mut docs = Vec::new();
    root_documents(&dir, &mut docs);
    assert!(
        docs.len() >= 25,
        "expected the corpus root documents, found {}",
        docs.len()
    );
    let mut built = 0;
    for path in &docs {
        let Ok((doc, _)) = load(path, &LoadOptions::default()) else {
            eprintln!("skip (load rejects): {}", path.display());
            continue;
        };
        match build(&doc, &BuildOptions::default()) {
            Ok((api, warnings)) => {
                built += 1;
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
    assert!(built >= 20, "only {built} documents built");
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
