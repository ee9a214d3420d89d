//! The TypeScript client generated from `specs/topics.json` against both
//! topic servers, `topics_app.py` (chanx 2.13) and `topics-server` (its Rust
//! twin), in Node and in headless Chromium: the scenario of
//! `tests/ts/e2e/topics/scenario.ts` (subscribe, requests in two topics at
//! once, a broadcast with `seq`, a refused subscription, unsubscribe, a
//! dropped connection that resubscribes, a topic on its own address), every
//! frame the client writes and gets compared exactly.
//!
//! Skips with a notice when node, the npm packages or python3 are missing
//! (fails instead when `CHANX_E2E_REQUIRED` is set, as in `scripts/test.sh`).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chanx_codegen::{
    Options,
    internal::{generate_ts, load_api},
};
use chanx_e2e_support::{self as e2e, Server, repo_root, ts_package};

/// How many steps the scenario has; each run must pass them all.
const STEPS: usize = 11;

/// Generates the client and builds the scenario's programs into `dir`.
fn build(dir: &Path) {
    let options = Options::default();
    let spec = repo_root().join("specs/topics.json");
    let loaded = load_api(&spec, &options)
        .unwrap_or_else(|d| panic!("specs/topics.json does not load:\n{d}"));
    let client = generate_ts(&loaded, &options)
        .unwrap_or_else(|d| panic!("TypeScript generation failed:\n{d}"));
    std::fs::write(dir.join("topics.ts"), client).expect("write topics.ts");
    e2e::node(
        &["e2e/build.mjs", &dir.to_string_lossy(), "topics"],
        Duration::from_secs(180),
    )
    .assert_success("type-checking and bundling the topic e2e programs");
}

/// The scenario in Node, then (when Chromium is there) in the browser,
/// against the server `name` on `port`.
fn run_scenarios(dir: &Path, name: &str, port: u16) {
    let ws_url = format!("ws://127.0.0.1:{port}");
    let broadcast_url = format!("http://127.0.0.1:{port}/broadcast");
    let node_run = e2e::node(
        &[
            &dir.join("node-main.js").to_string_lossy(),
            &ws_url,
            &broadcast_url,
        ],
        Duration::from_secs(90),
    );
    node_run.assert_success(&format!("the Node topic scenario against {name}"));
    assert!(
        node_run.stdout.contains(&format!("PASSED {STEPS} steps")),
        "{name}: {}",
        node_run.stdout
    );

    if e2e::chromium().is_none() {
        e2e::skip(
            "no Chromium at /usr/bin/chromium (set CHROMIUM_PATH): the browser run is left out",
        );
        return;
    }
    let browser_run = e2e::node(
        &[
            &dir.join("drive.js").to_string_lossy(),
            &ws_url,
            &broadcast_url,
        ],
        Duration::from_secs(120),
    );
    browser_run.assert_success(&format!("the browser topic scenario against {name}"));
    assert!(
        browser_run
            .stdout
            .contains(&format!("PASSED in the browser: passed {STEPS} steps")),
        "{name}: {}",
        browser_run.stdout
    );
}

#[test]
fn generated_client_drives_both_topic_servers() {
    if let Err(reason) = e2e::node_ready() {
        e2e::skip(&reason);
        return;
    }
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let dir = ts_package().join("generated/e2e-topics");
    std::fs::create_dir_all(&dir).expect("create the e2e output directory");
    build(&dir);

    let python_port = e2e::free_port();
    let mut command = Command::new(python);
    command
        .arg(repo_root().join("tests/conformance/topics_app.py"))
        .arg(python_port.to_string());
    let mut chanx_server = Server::start(command, &dir.join("chanx-server.log"));
    chanx_server.wait_for_http(python_port, "/asyncapi.json", Duration::from_secs(30));
    run_scenarios(&dir, "topics_app.py (chanx 2.13)", python_port);
    drop(chanx_server);

    let rust_port = e2e::free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_topics-server"));
    command.args(["--bind", &format!("127.0.0.1:{rust_port}")]);
    let mut rust_server = Server::start(command, &dir.join("rust-server.log"));
    rust_server.wait_for_listen(rust_port, Duration::from_secs(30));
    run_scenarios(&dir, "topics-server", rust_port);
    drop(rust_server);
}
