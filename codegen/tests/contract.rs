//! `docs/generated-rust.md` lists the runtime items generated code calls;
//! this keeps that list equal to what the generator really writes, read from
//! the snapshots of every spec and emitter fixture.

use std::collections::BTreeSet;
use std::path::Path;

/// `::chanx_runtime::a::B::c` paths in `text`, without the prefix.
fn runtime_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("::chanx_runtime::") {
        rest = &rest[at + "::chanx_runtime::".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        found.insert(rest[..end].trim_end_matches(':').to_owned());
    }
    found
}

/// Every path named in the first column of the doc's runtime-items table,
/// with its prefixes (`__private::Program::new` names `__private::Program`).
fn documented_paths(doc: &str) -> BTreeSet<String> {
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Runtime items the generated code calls"))
        .expect("docs/generated-rust.md has the runtime-items section");
    let mut paths = BTreeSet::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = row
            .trim_start_matches('|')
            .split(" | ")
            .next()
            .unwrap_or("");
        for code in first_cell.split('`').skip(1).step_by(2) {
            let path: String = code
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            for n in 1..=parts.len() {
                paths.insert(parts[..n].join("::"));
            }
        }
    }
    paths
}

#[test]
fn the_documented_runtime_items_are_the_ones_generated_code_uses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut generated = BTreeSet::new();
    for dir in ["tests/snapshots", "tests/rust_emit/snapshots"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("snapshot directory") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.contains("rust") && name.ends_with(".snap") {
                let text = std::fs::read_to_string(&path).expect("read snapshot");
                generated.extend(runtime_paths(&text));
            }
        }
    }
    assert!(
        generated.len() > 10,
        "found the runtime paths: {generated:?}"
    );
    let doc =
        std::fs::read_to_string(root.join("../docs/generated-rust.md")).expect("read the doc");
    let documented = documented_paths(&doc);
    let undocumented: Vec<&String> = generated
        .iter()
        .filter(|p| !documented.contains(*p))
        .collect();
    assert!(
        undocumented.is_empty(),
        "generated code calls runtime items docs/generated-rust.md does not list: {undocumented:?}"
    );
    let unused: Vec<&String> = documented
        .iter()
        .filter(|p| {
            !generated
                .iter()
                .any(|g| g == *p || g.starts_with(&format!("{p}::")))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "docs/generated-rust.md lists runtime items generated code no longer calls: {unused:?}"
    );
}
