//! The TypeScript client generated from `specs/chat.yaml` against the
//! `chat-server` binary, in Node and in headless Chromium: the same scenario
//! (`tests/ts/e2e/chat-scenario.ts`) the Python chanx passes in
//! `cli/tests/e2e_python.rs`, every frame compared exactly.
//!
//! Skips with a notice when node or the npm packages are missing (fails
//! instead when `CHANX_E2E_REQUIRED` is set, as in `scripts/test.sh`).

use std::process::Command;
use std::time::Duration;

use chanx_codegen::{
    Options,
    internal::{generate_ts, load_api},
};
use chanx_e2e_support::{self as e2e, Server, repo_root, ts_package};

#[test]
fn generated_client_talks_to_the_chat_server() {
    if let Err(reason) = e2e::node_ready() {
        e2e::skip(&reason);
        return;
    }
    let dir = ts_package().join("generated/e2e-rust");
    std::fs::create_dir_all(&dir).expect("create the e2e output directory");
    let options = Options::default();
    let loaded = load_api(&repo_root().join("specs/chat.yaml"), &options)
        .unwrap_or_else(|d| panic!("specs/chat.yaml does not load:\n{d}"));
    let client = generate_ts(&loaded, &options)
        .unwrap_or_else(|d| panic!("TypeScript generation failed:\n{d}"));
    std::fs::write(dir.join("chat.ts"), client).expect("write chat.ts");
    e2e::build_e2e_programs(&dir);

    let port = e2e::free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
    command
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn");
    let mut server = Server::start(command, &dir.join("server.log"));
    server.wait_for_listen(port, Duration::from_secs(30));

    e2e::run_chat_scenarios(&dir, port, &format!("http://127.0.0.1:{port}/notify"));
    drop(server);
}
