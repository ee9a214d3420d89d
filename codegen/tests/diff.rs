//! `chanx diff` judgements over pairs of documents: `tests/diff/<case>/`
//! holds `old.yaml` and `new.yaml`, and each case's snapshot lists the
//! changes as the command prints them.

mod common;

use std::path::Path;

use chanx_codegen::Options;
use chanx_codegen::diff::{Change, Summary, diff_files};
use common::repo_root;

/// The changes as `chanx diff` prints them, paths relative to the repository.
fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        out.push_str(&format!("{change}\n"));
    }
    out.push_str(&format!("{}\n", Summary::of(changes)));
    out.replace(&format!("{}/", repo_root().display()), "")
}

fn diff_case(dir: &Path) -> Vec<Change> {
    let (old, new) = (dir.join("old.yaml"), dir.join("new.yaml"));
    diff_files(&old, &new, &Options::default())
        .unwrap_or_else(|d| panic!("{}: cannot load:\n{d}", dir.display()))
}

#[test]
fn every_case_is_judged_as_its_snapshot_says() {
    let root = repo_root().join("tests/diff");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/diff")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("old.yaml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "the cases are there");
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let changes = diff_case(&dir);
        insta::assert_snapshot!(format!("diff_{name}"), render(&changes));
    }
}

/// `specs/chat.yaml` as committed, version after version
/// (`tests/diff-history/chat/`): each step judged as the snapshot says.
#[test]
fn consecutive_versions_of_the_chat_document() {
    let dir = repo_root().join("tests/diff-history/chat");
    let mut out = String::new();
    for (old, new) in [("v1", "v2"), ("v2", "v3"), ("v3", "v4")] {
        let changes = diff_files(
            &dir.join(format!("{old}.yaml")),
            &dir.join(format!("{new}.yaml")),
            &Options::default(),
        )
        .expect("every version loads");
        out.push_str(&format!("## {old} → {new}\n{}\n", render(&changes)));
    }
    insta::assert_snapshot!(out);
}

/// A document compared with itself has no changes: the matching of
/// channels, messages and payload definitions is exact.
#[test]
fn every_document_compared_with_itself_has_no_changes() {
    let invalid = common::invalid_corpus_documents();
    let corpus = common::corpus_root();
    let mut documents: Vec<_> = common::corpus_root_documents()
        .into_iter()
        .filter(|d| !invalid.contains(d))
        .map(|d| corpus.join(d))
        .collect();
    for spec in std::fs::read_dir(repo_root().join("specs")).expect("specs") {
        documents.push(spec.expect("entry").path());
    }
    assert!(documents.len() > 25);
    for document in documents {
        let changes = diff_files(&document, &document, &Options::default())
            .unwrap_or_else(|d| panic!("{}: {d}", document.display()));
        assert!(
            changes.is_empty(),
            "{} differs from itself:\n{}",
            document.display(),
            render(&changes)
        );
    }
}

/// The streetlights API as the AsyncAPI examples write it and as the
/// AsyncAPI CLI's converter writes it: channel keys, message names and one
/// payload differ, and each difference is judged.
#[test]
fn the_same_api_written_twice() {
    let corpus = common::corpus_root();
    let changes = diff_files(
        &corpus.join("asyncapi-spec/streetlights-mqtt-asyncapi.yml"),
        &corpus.join("asyncapi-cli/specification-v3.yml"),
        &Options::default(),
    )
    .expect("both load");
    let text = render(&changes).replace(&format!("{}/", corpus.display()), "");
    insta::assert_snapshot!(text);
}
