//! Generates the Rust module of every document in `specs/` and every valid
//! root document of the AsyncAPI corpora (the shared one and `tests/corpus/`,
//! walked by `codegen/tests/common/corpora.rs`), plus a table of every
//! message example, so `src/lib.rs` can compile them all under
//! `#![deny(warnings)]` and its tests can round-trip the examples through the
//! generated types.

#[path = "../../codegen/tests/common/corpora.rs"]
mod corpora;

use std::fmt::Write as _;
use std::path::PathBuf;

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

    let mut documents: Vec<(String, PathBuf)> = corpora::yaml_and_json_files(&repo.join("specs"))
        .into_iter()
        .chain(corpora::yaml_and_json_files(&repo.join("tests/accepted")))
        .map(|p| (module_name(&p), p))
        .collect();
    println!(
        "cargo:rerun-if-changed={}",
        repo.join("tests/corpus-invalid.txt").display()
    );
    for corpus in [corpora::shared(&repo), corpora::own(&repo)] {
        if corpus.dir.is_dir() {
            println!("cargo:rerun-if-changed={}", corpus.dir.display());
        } else {
            println!(
                "cargo:warning=no AsyncAPI corpus at {}: not compiling its documents",
                corpus.dir.display()
            );
        }
    }
    for document in corpora::valid_documents(&repo) {
        documents.push((document.module, document.path));
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
