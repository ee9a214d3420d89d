//! Documents the AsyncAPI tools accept that are stricter in the YAML 1.2 or
//! JSON Schema text (`tests/accepted/`): each loads, warns where chanx reads
//! something its own way, and generates Rust and TypeScript.

mod common;

use std::path::PathBuf;

use chanx_codegen::Options;
use chanx_codegen::internal::{generate_rust, generate_ts, load_api};

fn accepted() -> Vec<PathBuf> {
    let dir = common::repo_root().join("tests/accepted");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/accepted exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
}

#[test]
fn documents_the_asyncapi_tools_accept_generate() {
    let files = accepted();
    assert!(files.len() >= 2, "{files:?}");
    let options = Options::default();
    for path in files {
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        let loaded = load_api(&path, &options)
            .unwrap_or_else(|d| panic!("{} is refused:\n{d}", path.display()));
        let rust = generate_rust(&loaded, &options).expect("Rust");
        let ts = generate_ts(&loaded, &options).expect("TypeScript");
        assert!(rust.contains("pub mod channels"), "{name}");
        assert!(ts.contains("export class"), "{name}");
        let warnings = common::strip_roots(&chanx_codegen::render(&loaded.warnings, false));
        insta::assert_snapshot!(name, warnings);
    }
}

/// The continuation lines are read as libyaml reads them: same values as
/// the document written with its flow mappings on one line.
#[test]
fn flow_continuations_read_as_one_line() {
    let path = common::repo_root().join("tests/accepted/flow-continuation.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let one_line = text
        .replace(",\n  price:", ", price:")
        .replace(",\n     \"price\":", ", \"price\":");
    let dir = std::env::temp_dir().join(format!("chanx-flow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let flat = dir.join("flat.yaml");
    std::fs::write(&flat, &one_line).unwrap();
    let options = Options::default();
    let continued = load_api(&path, &options).expect("continued form loads");
    let flat_loaded = load_api(&flat, &options).expect("one-line form loads");
    std::fs::remove_dir_all(&dir).ok();
    assert_ne!(text, one_line, "the test rewrote the continuation lines");
    // The same module but for the file names it mentions.
    let code = |loaded| {
        generate_rust(loaded, &options)
            .unwrap()
            .lines()
            .filter(|l| !l.contains(".yaml"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(code(&continued), code(&flat_loaded));
}
