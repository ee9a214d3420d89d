//! The chat server documents itself: `/asyncapi.json`, `/asyncapi.yaml` and
//! the docs page at `/asyncapi` (the same page `chanx docs` writes), which
//! renders in headless Chromium with no console error and no request.
//!
//! The browser part skips with a notice when node, the npm packages or
//! Chromium are missing (fails instead when `CHANX_E2E_REQUIRED` is set).
//! `CHANX_UPDATE_SCREENSHOTS=1` writes its screenshots to `docs/screenshots/`.

use std::process::Command;
use std::time::Duration;

use chanx_codegen::{Options, docs_page};
use chanx_e2e_support::{self as e2e, Server, repo_root};

#[test]
fn the_chat_server_serves_its_document_and_docs_page() {
    let port = e2e::free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
    command
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn");
    let dir = e2e::screenshot_dir();
    let mut server = Server::start(
        command,
        &std::env::temp_dir().join(format!("chanx-docs-{port}.log")),
    );
    server.wait_for_listen(port, Duration::from_secs(30));

    let (status, json) =
        e2e::http(port, "GET", "/asyncapi.json", None).expect("GET /asyncapi.json");
    assert_eq!(status, 200);
    let document: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(document["info"]["title"], "Chat API");
    assert_eq!(
        document["channels"]["chat_room_topic"]["x-topic"]["pattern"],
        "room:{room}"
    );

    let (status, yaml) =
        e2e::http(port, "GET", "/asyncapi.yaml", None).expect("GET /asyncapi.yaml");
    assert_eq!(status, 200);
    assert!(yaml.starts_with("asyncapi: \"3.0.0\"\n"), "{yaml}");

    let (status, page) = e2e::http(port, "GET", "/asyncapi", None).expect("GET /asyncapi");
    assert_eq!(status, 200);
    let written = docs_page(&repo_root().join("specs/chat.yaml"), &Options::default())
        .expect("specs/chat.yaml loads");
    assert!(
        page == written.html,
        "the served page is the one `chanx docs` writes"
    );
    assert!(
        page.len() < 64 * 1024,
        "small enough to serve from memory: {} bytes",
        page.len()
    );

    let url = format!("http://127.0.0.1:{port}/asyncapi");
    let Some(shown) = e2e::check_docs_page(&url, &dir.join("chat"), "room") else {
        return;
    };
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("a JSON line");
    assert_eq!(shown["title"], "Chat API 1.0.0");
    assert_eq!(shown["channels"], 2);
    assert_eq!(shown["operations"], 7);
    assert_eq!(shown["topics"], 1);
    assert!(shown["fields"].as_u64().unwrap() > 50, "{shown}");
    drop(server);
}
