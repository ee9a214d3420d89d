//! The generated TypeScript client against the real Python chanx.
//!
//! Installs the pinned Python chanx into `tests/interop/.venv` (once; see
//! `scripts/python-venv.sh`), serves `tests/interop/chanx_app.py`, fetches the
//! AsyncAPI document chanx emits for it, generates the TypeScript client with
//! the `chanx` binary, and runs `tests/ts/e2e/chat-scenario.ts` with that
//! client in Node and in headless Chromium: typed ping/pong, `ref`
//! correlation, a broadcast seen by two clients, a pushed notification and
//! error frames, every frame compared exactly.
//!
//! Skips with a notice when python3, node or the npm packages are missing
//! (fails instead when `CHANX_E2E_REQUIRED` is set, as in `scripts/test.sh`).

use std::process::Command;
use std::time::Duration;

use chanx_e2e_support::{self as e2e, Server, repo_root, ts_package};

#[test]
fn generated_client_talks_to_the_python_chanx() {
    if let Err(reason) = e2e::node_ready() {
        e2e::skip(&reason);
        return;
    }
    let Some(python) = e2e::interop_python() else {
        return;
    };

    let dir = ts_package().join("generated/e2e-python");
    std::fs::create_dir_all(&dir).expect("create the e2e output directory");
    let port = e2e::free_port();
    let interop = repo_root().join("tests/interop");
    let mut command = Command::new(python);
    command
        .arg(interop.join("chanx_app.py"))
        .arg(port.to_string());
    let mut server = Server::start(command, &dir.join("server.log"));
    let emitted = server.wait_for_http(port, "/asyncapi.json", Duration::from_secs(30));

    assert_matches_the_checked_in_copy(&emitted);
    let document = dir.join("chat.json");
    std::fs::write(&document, &emitted).expect("write the emitted document");
    let mut generate = Command::new(env!("CARGO_BIN_EXE_chanx"));
    generate
        .args(["generate", "--lang", "ts", "--out"])
        .arg(&dir)
        .arg(&document);
    e2e::run(generate, Duration::from_secs(60)).assert_success("chanx generate");
    let client = std::fs::read_to_string(dir.join("chat.ts")).expect("chanx wrote chat.ts");
    assert!(client.contains("export class ChatClient"), "{client}");

    e2e::build_e2e_programs(&dir);
    e2e::run_chat_scenarios(&dir, port, &format!("http://127.0.0.1:{port}/notify"));
    drop(server);
}

/// The document the server emits is the one checked in as
/// `tests/interop/chanx-emitted-chat.json`, apart from the server's host
/// (taken from the request), so the tests that read that copy test what
/// chanx really emits.
fn assert_matches_the_checked_in_copy(emitted: &str) {
    let emitted: serde_json::Value = serde_json::from_str(emitted).expect("the document is JSON");
    let checked_in =
        std::fs::read_to_string(repo_root().join("tests/interop/chanx-emitted-chat.json"))
            .expect("read the checked-in copy");
    let mut checked_in: serde_json::Value =
        serde_json::from_str(&checked_in).expect("the checked-in copy is JSON");
    checked_in["servers"]["development"]["host"] =
        emitted["servers"]["development"]["host"].clone();
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    assert_eq!(
        pretty(&emitted),
        pretty(&checked_in),
        "chanx now emits a different document"
    );
}
