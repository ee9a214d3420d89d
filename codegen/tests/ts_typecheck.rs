//! Type-checks generated TypeScript with `tsc --strict`, together with the
//! hand-written `tests/ts/smoke.ts` that uses a generated client.
//!
//! Needs `npm ci` in `tests/ts/` first; without `node_modules` the test is
//! skipped with a notice (CI installs them).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use chanx_codegen::ts::{TsOptions, generate};

fn package_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ts")
}

#[test]
fn generated_modules_and_smoke_test_type_check() {
    let package = package_dir();
    let tsc = package.join("node_modules/typescript/bin/tsc");
    if !tsc.exists() {
        println!(
            "skipping the TypeScript type-check: run `npm ci` in {} first",
            package.display()
        );
        return;
    }

    let generated = package.join("generated");
    std::fs::create_dir_all(&generated).expect("create tests/ts/generated");
    for (file, api) in [
        ("chat.ts", support::chat_api()),
        ("echo.ts", support::untagged_api()),
        ("shapes.ts", support::shapes_api()),
    ] {
        let ts = generate(&api, &TsOptions::default())
            .unwrap_or_else(|diagnostics| panic!("generating {file} failed:\n{diagnostics}"));
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
        "tsc found errors:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
