//! Type-checks generated TypeScript with one `tsc --strict` run over:
//! the modules of hand-built models (used by `tests/ts/smoke.ts`, which is
//! checked too), every document in `specs/` and every valid root document of
//! the corpora (the shared one and `tests/corpus/`, see `common/corpora.rs`),
//! each through the whole pipeline (load → validate → IR → TS).
//! `tests/ts/closed-types.ts` and `tests/ts/topic-types.ts` are
//! checked against the modules of `specs/chat.yaml` and `specs/topics.json`:
//! their `@ts-expect-error` lines must fail to compile (a misspelt key, a
//! payload or action of another topic), or tsc reports the unused directive.
//!
//! Needs `npm ci` in `tests/ts/` first; without `node_modules` the test is
//! skipped with a notice (`scripts/test.sh` installs them).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use chanx_codegen::internal::ts::{TsOptions, generate};
use chanx_codegen::{
    Options,
    internal::{generate_ts, load_api},
    module_name,
};

fn package_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ts")
}

/// `(file name, document)` for every document the test generates from.
fn documents() -> Vec<(String, PathBuf)> {
    let specs = common::repo_root().join("specs");
    let mut documents: Vec<(String, PathBuf)> = std::fs::read_dir(&specs)
        .expect("specs/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .map(|p| (format!("spec_{}.ts", module_name(&p)), p))
        .collect();
    let repo = common::repo_root();
    if !common::corpora::shared(&repo).dir.is_dir() {
        println!("NOTICE: no shared corpus: type-checking specs/ and tests/corpus/ only");
    }
    for document in common::corpora::valid_documents(&repo) {
        documents.push((format!("{}.ts", document.module), document.path));
    }
    documents.sort();
    documents
}

/// Removes the `.ts` files a previous run left, so a deleted document does
/// not keep its module in the check.
fn clear_generated(dir: &Path) {
    for path in std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
    {
        if path.extension().is_some_and(|e| e == "ts") {
            std::fs::remove_file(&path).expect("remove stale generated module");
        }
    }
}

#[test]
fn every_generated_module_and_the_smoke_test_type_check() {
    let package = package_dir();
    let tsc = package.join("node_modules/typescript/bin/tsc");
    if !tsc.exists() {
        let required = std::env::var("CHANX_E2E_REQUIRED").is_ok_and(|v| !v.is_empty() && v != "0");
        assert!(
            !required,
            "no TypeScript compiler: run `npm ci` in {}",
            package.display()
        );
        // Straight to stderr: the test harness swallows `println!` of passing tests.
        let _ = writeln!(
            std::io::stderr().lock(),
            "NOTICE: TypeScript type-check SKIPPED: run `npm ci` in {} first",
            package.display()
        );
        return;
    }

    let generated = package.join("generated");
    std::fs::create_dir_all(&generated).expect("create tests/ts/generated");
    clear_generated(&generated);
    for (file, api) in [
        ("chat.ts", common::api::chat_api()),
        ("echo.ts", common::api::untagged_api()),
        ("shapes.ts", common::api::shapes_api()),
    ] {
        let ts = generate(&api, &TsOptions::default())
            .unwrap_or_else(|diagnostics| panic!("generating {file} failed:\n{diagnostics}"));
        std::fs::write(generated.join(file), ts).expect("write generated module");
    }

    let documents = documents();
    assert!(
        documents.len() >= 4,
        "expected the specs/ documents, found {documents:?}"
    );
    let options = Options::default();
    for (file, path) in &documents {
        let loaded = load_api(path, &options)
            .unwrap_or_else(|d| panic!("{} does not load:\n{d}", path.display()));
        let ts = generate_ts(&loaded, &options)
            .unwrap_or_else(|d| panic!("{}: TypeScript generation failed:\n{d}", path.display()));
        std::fs::write(generated.join(file), ts).expect("write generated module");
    }

    let output = Command::new("node")
        .arg(&tsc)
        .args(["--strict", "--noEmit", "-p", "."])
        .current_dir(&package)
        .output()
        .expect("run node (is Node.js installed?)");
    assert!(
        output.status.success(),
        "tsc found errors in the {} generated modules:\n{}{}",
        documents.len() + 3,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!(
        "tsc --strict passed over {} generated modules",
        documents.len() + 3
    );
}
