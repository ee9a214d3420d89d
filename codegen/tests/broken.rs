//! Every document under `tests/broken/` must be rejected with located
//! errors, and never panic. Each one's full output is a snapshot.

mod common;

use std::path::PathBuf;

use chanx_codegen::Code;
use chanx_codegen::internal::load::LoadOptions;
use chanx_codegen::internal::source::Limits;
use chanx_codegen::internal::validate::load_and_validate;

fn broken_cases() -> Vec<PathBuf> {
    let dir = common::repo_root().join("tests/broken");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/broken exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        // `_parts/` holds files the cases reference.
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('_'))
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_broken_document_is_rejected_with_located_errors() {
    let cases = broken_cases();
    assert!(cases.len() >= 30, "only {} broken documents", cases.len());
    for path in cases {
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        let relative = path
            .strip_prefix(common::repo_root())
            .unwrap()
            .display()
            .to_string();
        let diags = match load_and_validate(&path, &LoadOptions::default()) {
            Ok((_, warnings)) => panic!("{relative} was accepted; warnings: {warnings}"),
            Err(diags) => diags,
        };
        assert!(diags.has_errors(), "{relative}: no error in {diags}");
        // Every error names the file it is about (located, or in the message for unreadable files).
        for d in diags.errors() {
            let text = common::render(&d.clone().into());
            assert!(
                text.contains("tests/broken/"),
                "{relative}: unlocated error: {text}"
            );
        }
        // Each case: the diagnostics as `chanx validate` shows them (source
        // line, caret, pointer, hint), then as `--format json` writes them.
        let json = serde_json::to_string_pretty(&diags).expect("diagnostics serialize");
        let shown = format!(
            "{}---\n{}\n",
            common::strip_roots(&chanx_codegen::render(&diags, false)),
            common::strip_roots(&json)
        );
        let located = diags.0.iter().filter(|d| d.location.is_some()).count();
        assert_eq!(shown.matches(" --> ").count(), located, "{shown}");
        insta::assert_snapshot!(name, shown);
    }
}

/// `generate` checks the root file beside the loading of the files it
/// references, and what follows references after: each broken document
/// must still get exactly the diagnostics `chanx validate` gives it.
#[test]
fn generate_rejects_each_broken_document_as_validate_does() {
    let out = std::env::temp_dir().join("chanx-broken-generate-never-written");
    let targets = chanx_codegen::Targets {
        rust: Some(out.clone()),
        typescript: Some(out.clone()),
    };
    for path in broken_cases() {
        let validated = match load_and_validate(&path, &LoadOptions::default()) {
            Ok(_) => panic!("{} was accepted", path.display()),
            Err(diags) => diags,
        };
        match chanx_codegen::generate(&path, &chanx_codegen::Options::default(), &targets) {
            Ok(_) => panic!("{} was generated", path.display()),
            Err(generated) => assert_eq!(generated, validated, "{}", path.display()),
        }
    }
    assert!(!out.exists(), "generate writes nothing");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_parsing() {
    let dir = std::env::temp_dir().join(format!("chanx-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.yaml");
    let limit = Limits::default().max_file_bytes;
    let mut text =
        String::from("asyncapi: 3.0.0\ninfo:\n  title: Large\n  version: 1.0.0\nchannels:\n");
    let mut i = 0;
    while (text.len() as u64) <= limit {
        text.push_str(&format!(
            "  channel{i}:\n    address: /ws/channel/{i}\n    description: {}\n",
            "x".repeat(200)
        ));
        i += 1;
    }
    std::fs::write(&path, &text).unwrap();
    let result = load_and_validate(&path, &LoadOptions::default());
    std::fs::remove_dir_all(&dir).ok();
    let diags = result.expect_err("a file over the limit is refused");
    assert_eq!(diags.len(), 1, "{diags}");
    assert_eq!(diags.0[0].code, Code::FileTooLarge);
    assert!(
        diags.0[0]
            .message
            .contains(&format!("limit of {limit} bytes"))
    );
}

#[test]
fn a_large_valid_file_under_the_limit_validates() {
    let dir = std::env::temp_dir().join(format!("chanx-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.yaml");
    let mut text =
        String::from("asyncapi: 3.0.0\ninfo:\n  title: Big\n  version: 1.0.0\nchannels:\n");
    for i in 0..2000 {
        text.push_str(&format!("  channel{i}:\n    address: /ws/channel/{{id}}\n    parameters:\n      id: {{}}\n    messages:\n      m:\n        payload:\n          type: object\n          properties:\n            action:\n              const: m{i}\n"));
    }
    std::fs::write(&path, &text).unwrap();
    let result = load_and_validate(&path, &LoadOptions::default());
    std::fs::remove_dir_all(&dir).ok();
    let (_, warnings) = result.expect("valid");
    assert!(warnings.is_empty(), "{warnings}");
}

/// Loads `path` on another thread: a read that blocks (a named pipe no one
/// writes to) fails the test instead of hanging it.
#[cfg(unix)]
fn load_within_seconds(path: &std::path::Path) -> chanx_codegen::Diagnostics {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let result = load_and_validate(&path, &LoadOptions::default());
        tx.send(result.err()).ok();
    });
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .expect("loading finished instead of blocking")
        .expect("the document is refused")
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_without_blocking() {
    let dir = std::env::temp_dir().join(format!("chanx-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        "asyncapi: 3.0.0\ninfo:\n  title: T\n  version: 1.0.0\nchannels:\n  c:\n    address: /c\n    messages:\n      m:\n        $ref: './pipe.yaml#/m'\n",
    )
    .unwrap();
    // Both through a $ref and as the document itself.
    let through_ref = load_within_seconds(&spec);
    let itself = load_within_seconds(&fifo);
    std::fs::remove_dir_all(&dir).ok();
    for diags in [through_ref, itself] {
        let error = diags
            .errors()
            .find(|d| d.code == Code::NotAFile)
            .unwrap_or_else(|| panic!("no not-a-file error in {diags}"));
        assert!(
            error.message.contains("pipe.yaml: is a named pipe"),
            "{}",
            error.message
        );
    }
}

#[cfg(unix)]
#[test]
fn endless_devices_are_refused_without_reading() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let diags = load_within_seconds(std::path::Path::new(device));
        assert_eq!(diags.len(), 1, "{diags}");
        assert_eq!(diags.0[0].code, Code::NotAFile, "{diags}");
    }
}

#[test]
fn a_chain_of_refs_longer_than_the_limit_is_refused_where_it_starts() {
    let dir = std::env::temp_dir().join(format!("chanx-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("chain.yaml");
    let mut text = String::from(
        "asyncapi: 3.0.0\ninfo:\n  title: T\n  version: 1.0.0\nchannels:\n  c:\n    address: /c\n    messages:\n      m:\n        $ref: '#/components/messages/m0'\ncomponents:\n  messages:\n",
    );
    for i in 0..100 {
        text.push_str(&format!(
            "    m{i}:\n      $ref: '#/components/messages/m{}'\n",
            i + 1
        ));
    }
    text.push_str("    m100:\n      payload:\n        type: string\n");
    std::fs::write(&path, &text).unwrap();
    let result = load_and_validate(&path, &LoadOptions::default());
    std::fs::remove_dir_all(&dir).ok();
    let diags = result.expect_err("a chain of 101 refs is refused");
    let first = diags
        .errors()
        .find(|d| d.pointer == "/channels/c/messages/m")
        .unwrap_or_else(|| panic!("no error where the chain starts: {diags}"));
    assert_eq!(first.code, Code::RefTooDeep, "{diags}");
    assert!(
        first.message.contains("'#/components/messages/m0'")
            && first.message.contains("more than 64 nested references"),
        "{}",
        first.message
    );
    assert!(
        diags.errors().all(|d| d.code == Code::RefTooDeep),
        "{diags}"
    );
}
