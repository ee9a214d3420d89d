//! The TypeScript client of `specs/tagged.yaml` in Node against a bare `ws`
//! server (`tests/ts/e2e/tagged/node-main.ts`): the document's credentials
//! reach the server (query API key, bearer header), the address parameter is
//! percent-encoded, and the client answers a request the server sends with
//! the request's `ref`.

use std::process::Command;
use std::time::Duration;

use chanx_e2e_support::{self as e2e, repo_root, ts_package};

#[test]
fn the_typescript_client_sends_credentials_and_answers_server_requests() {
    if let Err(reason) = e2e::node_ready() {
        e2e::skip(&reason);
        return;
    }
    let dir = ts_package().join("generated/e2e-tagged");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the output directory");
    let mut generate = Command::new(env!("CARGO_BIN_EXE_chanx"));
    generate
        .args(["generate", "--lang", "ts", "--out"])
        .arg(&dir)
        .arg(repo_root().join("specs/tagged.yaml"));
    e2e::run(generate, Duration::from_secs(60)).assert_success("chanx generate");
    assert!(dir.join("tagged.ts").is_file(), "chanx wrote tagged.ts");

    e2e::node(
        &["e2e/build.mjs", &dir.to_string_lossy(), "tagged"],
        Duration::from_secs(180),
    )
    .assert_success("type-checking and bundling the tagged scenario");
    let run = e2e::node(
        &[&dir.join("node-main.js").to_string_lossy()],
        Duration::from_secs(60),
    );
    run.assert_success("the tagged scenario");
    assert!(
        run.stdout
            .contains("PASSED credentials and server requests"),
        "{}",
        run.stdout
    );
}
