//! The client-only crate against real servers: the Rust `chat-server` (a
//! separate process, built by the workspace) and the Python chanx serving the
//! same chat. This crate's chanx-runtime has no `server` feature (the
//! last test checks it), so the generated client stands on its own.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use chanx_e2e_support::{self as e2e, Server, repo_root};
use chanx_example_client_only::api::channels::chat::{ChatClient, Credentials, Outgoing};
use chanx_example_client_only::api::channels::chat_room_topic as room;
use chanx_example_client_only::api::types::{
    ChatMessage, ChatPayload, PingMessage, PongMessage, RoomPost, RoomPostMessage,
};
use chanx_runtime::client::{ClientError, ClientEvent, ClientOptions};

fn logs() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// `chat-server`, which this crate cannot depend on (it would bring the
/// server in): the workspace builds it next to this test's target directory.
fn chat_server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CHANX_CHAT_SERVER") {
        return path.into();
    }
    // CARGO_TARGET_TMPDIR is <target>/tmp; the binary is <target>/debug/chat-server.
    let path = logs().join("../debug/chat-server");
    assert!(
        path.is_file(),
        "{} is missing: build it first (cargo build -p chanx-example-chat --bin chat-server) \
         or set CHANX_CHAT_SERVER",
        path.display()
    );
    path
}

/// The Rust chat server on a port it binds itself (so that no other test
/// takes it first), and that port.
fn rust_server() -> (Server, u16) {
    let mut command = Command::new(chat_server_binary());
    command.args(["--bind", "127.0.0.1:0"]);
    let mut server = Server::start(command, &logs().join("client-only-rust.log"));
    let port = server.wait_for_listen_address(Duration::from_secs(30));
    (server, port)
}

fn python_server(port: u16) -> Option<Server> {
    let python = e2e::interop_python()?;
    let interop = repo_root().join("tests/interop");
    let mut command = Command::new(python);
    command
        .arg(interop.join("chanx_app.py"))
        .arg(port.to_string());
    let mut server = Server::start(command, &logs().join("client-only-python.log"));
    server.wait_for_http(port, "/asyncapi.json", Duration::from_secs(30));
    Some(server)
}

fn options() -> ClientOptions {
    ClientOptions::default().request_timeout(Duration::from_secs(5))
}

async fn next_event(client: &mut ChatClient) -> ClientEvent<Outgoing> {
    tokio::time::timeout(Duration::from_secs(10), client.next())
        .await
        .expect("an event within 10 s")
        .expect("the client is open")
}

/// Ping, a broadcast to two clients, a validation error as a typed error.
async fn chat(base: &str, name: &str) {
    let mut ann = ChatClient::connect(base, &Credentials::default(), options())
        .await
        .expect("ann connects");
    let mut bob = ChatClient::connect(base, &Credentials::default(), options())
        .await
        .expect("bob connects");
    let pong = ann
        .request_ping(&PingMessage::default())
        .await
        .expect("pong");
    assert_eq!(pong, PongMessage::default(), "{name}");
    // Served through axum (the Rust chat server) or by chanx, the upgrade is
    // answered before the connection joins its groups: a reply to bob says
    // his connection is set up, so the broadcast below reaches him.
    bob.request_ping(&PingMessage::default())
        .await
        .expect("bob's pong");

    let chat = ChatMessage::new(ChatPayload {
        message: "hi".into(),
    });
    ann.send_chat(&chat).await.expect("send");
    for client in [&mut ann, &mut bob] {
        match next_event(client).await {
            ClientEvent::Push(push) => match push.message {
                Outgoing::ChatNotification(m) => assert_eq!(m.payload.message, "User: hi"),
                other => panic!("{name}: expected the broadcast, got {other:?}"),
            },
            other => panic!("{name}: expected a push, got {other:?}"),
        }
    }

    let invalid = serde_json::json!({"action": "chat", "payload": {"message": 5}});
    let error = ann
        .inner()
        .request(&invalid, &[])
        .await
        .expect_err("rejected");
    let ClientError::Validation { issues } = &error else {
        panic!("{name}: expected a validation error, got {error:?}");
    };
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].kind, "string_type", "{name}");
    assert_eq!(issues[0].msg, "Input should be a valid string", "{name}");
    ann.close().await;
    bob.close().await;
}

async fn next_room(client: &mut ChatClient, name: &str) -> room::Outgoing {
    match next_event(client).await {
        ClientEvent::Topic(frame) => room::decode(&frame).expect("a room message").message,
        other => panic!("{name}: expected a room frame, got {other:?}"),
    }
}

/// A topic handle: subscribe, post within the topic, get the post back.
async fn room_topic(base: &str, name: &str) {
    let mut ann = ChatClient::connect(base, &Credentials::default(), options())
        .await
        .expect("connects");
    let lobby = room::TopicParams {
        room: "lobby".into(),
    };
    ann.room_topic(&lobby)
        .subscribe()
        .await
        .expect("subscribed");
    match next_room(&mut ann, name).await {
        room::Outgoing::RoomJoined(m) => assert_eq!(m.payload.room, "lobby"),
        other => panic!("{name}: expected room_joined, got {other:?}"),
    }
    let post = RoomPostMessage::new(RoomPost {
        message: "hello room".into(),
    });
    ann.room_topic(&lobby)
        .send_room_post(&post)
        .await
        .expect("posted");
    match next_room(&mut ann, name).await {
        room::Outgoing::RoomChat(m) => assert_eq!(m.payload.message, "hello room"),
        other => panic!("{name}: expected room_chat, got {other:?}"),
    }
    ann.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_only_crate_talks_to_the_rust_chat_server() {
    let (_server, port) = rust_server();
    let base = format!("ws://127.0.0.1:{port}");
    chat(&base, "rust").await;
    room_topic(&base, "rust").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_only_crate_talks_to_the_python_chanx() {
    let port = e2e::free_port();
    let Some(_server) = python_server(port) else {
        return;
    };
    let base = format!("ws://127.0.0.1:{port}");
    // The Python chat of the interop tests serves no room topic.
    chat(&base, "python").await;
}

/// Run on its own (`cargo test -p chanx-example-client-only`), this crate's
/// build has chanx-runtime without `server`; inside a whole-workspace build
/// cargo unifies features, so the check is what cargo resolves for it alone.
#[test]
fn chanx_runtime_is_built_without_its_server() {
    let output = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            "chanx-example-client-only",
            "-e",
            "features,normal",
            "-i",
            "chanx-runtime",
        ])
        .output()
        .expect("cargo tree runs");
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cargo tree failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(tree.contains("chanx-runtime feature \"client\""), "{tree}");
    for feature in ["server", "default", "axum", "redis"] {
        assert!(
            !tree.contains(&format!("chanx-runtime feature \"{feature}\"")),
            "{feature} is on:\n{tree}"
        );
    }
}
