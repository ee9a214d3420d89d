//! Generates the Rust module of every document in `specs/` and every valid
//! document of the shared AsyncAPI corpus, plus a table of every message
//! example, so `src/lib.rs` can compile them all under `#![deny(warnings)]`
//! and its tests can round-trip the examples through the generated types.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chanx_codegen::internal::rust::TypePaths;
use chanx_codegen::{
    Options,
    internal::{generate_rust, load_api},
    module_name,
};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let repo = manifest.join("../..");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed={}", repo.join("specs").display());
    // Documents read leniently, as the AsyncAPI tools read them.
    println!(
        "cargo:rerun-if-changed={}",
        repo.join("tests/accepted").display()
    );

    let mut documents: Vec<(String, PathBuf)> = files_in(&repo.join("specs"))
        .into_iter()
        .chain(files_in(&repo.join("tests/accepted")))
        .map(|p| (module_name(&p), p))
        .collect();
    let invalid_list = repo.join("tests/corpus-invalid.txt");
    println!("cargo:rerun-if-changed={}", invalid_list.display());
    let invalid: Vec<String> = std::fs::read_to_string(&invalid_list)
        .expect("tests/corpus-invalid.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let corpus = repo.join("../shared/specs-corpus");
    if corpus.is_dir() {
        println!("cargo:rerun-if-changed={}", corpus.display());
        for path in files_in(&corpus) {
            let relative = path
                .strip_prefix(&corpus)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if invalid.contains(&relative) || !is_root_document(&path) {
                continue;
            }
            documents.push((
                format!(
                    "corpus_{}",
                    module_name(Path::new(&relative.replace('/', "_")))
                ),
                path,
            ));
        }
    } else {
        println!(
            "cargo:warning=no AsyncAPI corpus at {}: compiling specs/ only",
            corpus.display()
        );
    }

    // The client side too: every document's clients compile as well.
    let mut options = Options::default();
    options.rust.client = true;
    let mut modules = String::new();
    let mut examples = String::from("pub const EXAMPLES: &[crate::Example] = &[\n");
    let mut checks = String::new();
    let mut check_count = 0usize;
    for (name, path) in &documents {
        let loaded = match load_api(path, &options) {
            Ok(loaded) => loaded,
            Err(diagnostics) => panic!("{} does not load:\n{diagnostics}", path.display()),
        };
        for input in &loaded.inputs {
            println!("cargo:rerun-if-changed={}", input.display());
        }
        let code = generate_rust(&loaded, &options)
            .unwrap_or_else(|d| panic!("{}: Rust generation failed:\n{d}", path.display()));
        std::fs::write(out.join(format!("{name}.rs")), code).expect("write generated module");
        writeln!(
            modules,
            "pub mod {name} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{name}.rs\")); }}"
        )
        .unwrap();

        let paths = TypePaths::new(&loaded.api, &options.rust, &format!("crate::{name}"));
        for message in &loaded.api.messages {
            let Some(payload) = &message.payload else {
                continue;
            };
            let ty = paths.of(payload);
            for (index, example) in message.examples.iter().enumerate() {
                let Some(json) = &example.payload else {
                    continue;
                };
                let label = example.name.clone().unwrap_or_else(|| index.to_string());
                let check = format!("check_{check_count}");
                check_count += 1;
                writeln!(
                    checks,
                    "fn {check}(value: ::serde_json::Value) -> ::std::result::Result<::serde_json::Value, ::std::string::String> {{\n    crate::round_trip::<{ty}>(value)\n}}"
                )
                .unwrap();
                writeln!(
                    examples,
                    "    crate::Example {{ document: {:?}, message: {:?}, example: {:?}, json: {:?}, check: {check} }},",
                    name,
                    message.name.spec,
                    label,
                    json.to_string()
                )
                .unwrap();
            }
        }
    }
    examples.push_str("];\n");
    std::fs::write(out.join("modules.rs"), modules).expect("write module list");
    std::fs::write(out.join("examples.rs"), format!("{checks}\n{examples}"))
        .expect("write examples");
}

/// YAML and JSON files below `dir`, sorted, so the output is stable.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_in(&path));
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A root AsyncAPI document has a top-level `asyncapi` key; referenced
/// fragments and JSON Schemas do not.
fn is_root_document(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("asyncapi").cloned())
            .is_some()
    } else {
        text.lines().any(|l| l.starts_with("asyncapi:"))
    }
}
