//! The Python client chanx's own generator (`chanx generate-client`) writes
//! for `specs/topics.json`, run against chanx (`topics_app.py`) and against
//! the chanx-runtime twin (`topics-server`): `python_client.py` drives both
//! through subscribe, refusal, requests in two topics at once, validation
//! errors, broadcasts with and without `seq`, unsubscribe, a reconnect that
//! resubscribes and a topic on its own address. Both transcripts (what the
//! client returned, every frame it received) must be equal as JSON.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chanx_e2e_support::{self as e2e, Server, repo_root};
use serde_json::Value;

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `chanx generate-client` into `dir/topics_client`.
fn generate_python_client(python: &Path, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("client directory");
    let chanx = python.with_file_name("chanx");
    let mut command = Command::new(chanx);
    command
        .arg("generate-client")
        .arg("--schema")
        .arg(repo_root().join("specs/topics.json"))
        .arg("--output")
        .arg(dir.join("topics_client"))
        .arg("--no-format");
    e2e::run(command, Duration::from_secs(120)).assert_success("chanx generate-client");
}

fn transcript(python: &Path, client_dir: &Path, port: u16) -> Vec<Value> {
    let mut command = Command::new(python);
    command
        .arg(here().join("python_client.py"))
        .arg(client_dir)
        .arg(format!("ws://127.0.0.1:{port}"))
        .arg(format!("http://127.0.0.1:{port}"));
    let finished = e2e::run(command, Duration::from_secs(180));
    finished.assert_success("python_client.py");
    serde_json::from_str(&finished.stdout).unwrap_or_else(|e| {
        panic!(
            "python_client.py printed no transcript ({e}):\n{}",
            finished.stdout
        )
    })
}

#[test]
fn the_python_client_chanx_generates_cannot_tell_the_servers_apart() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let client_dir = tmp.join("python-client");
    generate_python_client(&python, &client_dir);

    let python_port = e2e::free_port();
    let mut command = Command::new(&python);
    command
        .arg(here().join("topics_app.py"))
        .arg(python_port.to_string());
    let mut chanx_server = Server::start(command, &tmp.join("pyclient-chanx.log"));
    chanx_server.wait_for_http(python_port, "/asyncapi.json", Duration::from_secs(30));

    let rust_port = e2e::free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_topics-server"));
    command.args(["--bind", &format!("127.0.0.1:{rust_port}")]);
    let mut rust_server = Server::start(command, &tmp.join("pyclient-rust.log"));
    rust_server.wait_for_listen(rust_port, Duration::from_secs(30));

    let from_chanx = transcript(&python, &client_dir, python_port);
    let from_rust = transcript(&python, &client_dir, rust_port);

    // The scenario ran: every step received what it waited for.
    assert_eq!(from_chanx.len(), 17, "{from_chanx:#?}");
    for step in &from_chanx {
        let frames = step["frames"].as_array().map_or(0, Vec::len);
        assert!(frames > 0, "step received nothing from chanx: {step:#}");
    }
    assert_eq!(
        from_chanx[0]["result"]["value"]["action"], "subscribed",
        "{:#}",
        from_chanx[0]
    );
    for (chanx, rust) in from_chanx.iter().zip(&from_rust) {
        assert_eq!(
            chanx, rust,
            "step {}: the generated Python client saw\nfrom chanx: {chanx:#}\nfrom Rust:  {rust:#}",
            chanx["step"]
        );
    }
    assert_eq!(from_chanx.len(), from_rust.len());
}
