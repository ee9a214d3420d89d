//! `chanx docs FILE`: the docs page of the largest corpus document, written
//! to a file and opened from disk in headless Chromium (no console error, no
//! request: it works offline). `CHANX_UPDATE_SCREENSHOTS=1` writes its
//! screenshots to `docs/screenshots/`.

mod common;

use std::path::PathBuf;

use common::{chanx, repo, text};

/// The largest corpus root document that loads (by file size).
fn largest_corpus_document() -> PathBuf {
    let invalid = std::fs::read_to_string(repo("tests/corpus-invalid.txt")).unwrap();
    let corpus = repo("../shared/specs-corpus");
    let mut best: Option<(u64, PathBuf)> = None;
    let mut stack = vec![corpus.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(&corpus)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            // A root document has a top-level `asyncapi` key (schemas and
            // referenced parts do not).
            let is_root = match path.extension().and_then(|e| e.to_str()) {
                Some("json") => serde_json::from_str::<serde_json::Value>(&text)
                    .is_ok_and(|v| v.get("asyncapi").is_some()),
                _ => text.lines().any(|l| l.starts_with("asyncapi:")),
            };
            if !is_root || invalid.lines().any(|l| l.trim() == relative) {
                continue;
            }
            let size = entry.metadata().unwrap().len();
            if best.as_ref().is_none_or(|(s, _)| size > *s) {
                best = Some((size, path));
            }
        }
    }
    best.expect("a corpus document").1
}

#[test]
fn the_largest_corpus_document_gets_a_working_page() {
    let document = largest_corpus_document();
    let out = std::env::temp_dir().join(format!("chanx-docs-{}.html", std::process::id()));
    let run = chanx(&[
        "docs",
        &document.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), format!("wrote {}\n", out.display()));
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(
        !page.contains("<script src") && !page.contains("<link"),
        "nothing to fetch"
    );

    let url = format!("file://{}", out.display());
    let dir = chanx_e2e_support::screenshot_dir();
    let shown = chanx_e2e_support::check_docs_page(&url, &dir.join("corpus-largest"), "chat");
    std::fs::remove_file(&out).unwrap();
    let Some(shown) = shown else { return };
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("a JSON line");
    assert!(shown["channels"].as_u64().unwrap() >= 5, "{shown}");
    assert!(shown["messages"].as_u64().unwrap() >= 20, "{shown}");
}

#[test]
fn docs_writes_to_stdout_and_reports_a_broken_document() {
    let run = chanx(&["docs", "specs/chat.yaml"]);
    assert_eq!(run.status.code(), Some(0));
    assert!(text(&run.stdout).starts_with("<!doctype html>"));
    let broken = chanx(&["docs", "tests/broken/dangling-ref.yaml"]);
    assert_eq!(broken.status.code(), Some(1));
    let stderr = text(&broken.stderr);
    assert!(
        stderr.starts_with("error[ref-not-found]: ")
            && stderr.contains(" --> tests/broken/dangling-ref.yaml:25:15\n"),
        "{stderr}"
    );
}
