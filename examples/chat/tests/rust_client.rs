//! The typed `ChatClient` generated from `specs/chat.yaml` (`.client(true)`
//! in build.rs) against the Rust `chat-server` and against the real Python
//! chanx serving the same chat (`tests/interop/chanx_app.py`): a ping round
//! trip, a broadcast received by two clients, a validation error surfaced as
//! a typed error, and a reconnect after the server restarts.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use chanx_e2e_support::{self as e2e, Server, repo_root};
use chanx_example_chat::api::channels::chat::{ChatClient, ChatServer, Credentials, Outgoing};
use chanx_example_chat::api::channels::chat_room_topic as room;
use chanx_example_chat::api::types::{
    ChatMessage, ChatPayload, PingMessage, PongMessage, RoomPost, RoomPostMessage,
};
use chanx_runtime::client::{ClientError, ClientEvent, ClientOptions, Reconnect};
use chanx_runtime::{AuthRejection, Authenticator, ConnectRequest, Route, Router};
use serde_json::json;

/// Starts a server on the port given, or on one it picks; returns it and
/// its port. Restartable on that port.
type Start = Box<dyn Fn(Option<u16>, &str) -> (Server, u16)>;

fn rust_server() -> Start {
    Box::new(|port, log| {
        // Port 0 on the first start: the server binds the port it reports,
        // so no other test can take it between choosing and binding.
        let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
        command.args(["--bind", &format!("127.0.0.1:{}", port.unwrap_or(0))]);
        let mut server = Server::start(command, &logs().join(log));
        let bound = server.wait_for_listen_address(Duration::from_secs(30));
        (server, bound)
    })
}

fn python_server() -> Option<Start> {
    let python = e2e::interop_python()?;
    Some(Box::new(move |port, log| {
        let port = port.unwrap_or_else(e2e::free_port);
        let interop = repo_root().join("tests/interop");
        let mut command = Command::new(&python);
        command
            .arg(interop.join("chanx_app.py"))
            .arg(port.to_string());
        let mut server = Server::start(command, &logs().join(log));
        server.wait_for_http(port, "/asyncapi.json", Duration::from_secs(30));
        (server, port)
    }))
}

fn logs() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

fn options() -> ClientOptions {
    ClientOptions::default()
        .request_timeout(Duration::from_secs(5))
        .reconnect(Reconnect {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(500),
            attempts: Some(200),
        })
}

/// The next push, skipping nothing: any other event fails the test, with
/// what the server logged.
async fn next_push(client: &mut ChatClient, server: &Server) -> Outgoing {
    match tokio::time::timeout(Duration::from_secs(10), client.next()).await {
        Ok(Some(ClientEvent::Push(push))) => push.message,
        other => panic!(
            "expected a push, got {other:?}; server log:\n{}",
            server.log()
        ),
    }
}

async fn scenario(start: Start, name: &str) {
    let (server, port) = start(None, &format!("rust-client-{name}.log"));
    let base = format!("ws://127.0.0.1:{port}");
    let mut ann = ChatClient::connect(&base, &Credentials::default(), options())
        .await
        .expect("ann connects");
    let mut bob = ChatClient::connect(&base, &Credentials::default(), options())
        .await
        .expect("bob connects");

    let pong = ann
        .request_ping(&PingMessage::default())
        .await
        .expect("pong");
    assert_eq!(pong, PongMessage::default());
    // Both servers (chat-server through axum, and chanx) answer the upgrade
    // before the connection joins its groups: a reply to bob says his
    // connection is set up, so the broadcast below reaches him.
    bob.request_ping(&PingMessage::default())
        .await
        .expect("bob's pong");

    let chat = ChatMessage::new(ChatPayload {
        message: "hi".into(),
    });
    ann.send_chat(&chat).await.expect("send");
    for client in [&mut ann, &mut bob] {
        match next_push(client, &server).await {
            Outgoing::ChatNotification(m) => assert_eq!(m.payload.message, "User: hi"),
            other => panic!("{name}: expected the broadcast, got {other:?}"),
        }
    }

    // A frame the typed API cannot build, sent through the untyped client.
    let invalid = json!({"action": "chat", "payload": {}});
    let error = ann
        .inner()
        .request(&invalid, &[])
        .await
        .expect_err("rejected");
    let ClientError::Validation { issues } = &error else {
        panic!("{name}: expected a validation error, got {error:?}");
    };
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].kind, "missing");
    assert_eq!(
        issues[0].loc,
        vec![json!("chat"), json!("payload"), json!("message")]
    );
    assert_eq!(issues[0].msg, "Field required");

    // The server restarts on the same port: the client says so, reconnects,
    // and works again; a request while it is down fails instead of hanging.
    drop(server);
    match tokio::time::timeout(Duration::from_secs(10), ann.next()).await {
        Ok(Some(ClientEvent::Disconnected { .. })) => {}
        other => panic!("{name}: expected Disconnected, got {other:?}"),
    }
    let down = ann.request_ping(&PingMessage::default()).await;
    assert!(
        matches!(
            down,
            Err(ClientError::NotConnected | ClientError::Disconnected)
        ),
        "{down:?}"
    );
    let _server = start(Some(port), &format!("rust-client-{name}-again.log"));
    match tokio::time::timeout(Duration::from_secs(30), ann.next()).await {
        Ok(Some(ClientEvent::Reconnected { attempt })) => assert!(attempt >= 1),
        other => panic!("{name}: expected Reconnected, got {other:?}"),
    }
    let pong = ann
        .request_ping(&PingMessage::default())
        .await
        .expect("pong after reconnect");
    assert_eq!(pong, PongMessage::default());
    ann.close().await;
    bob.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_client_talks_to_the_rust_chat_server() {
    scenario(rust_server(), "rust").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_client_talks_to_the_python_chanx() {
    let Some(start) = python_server() else {
        return;
    };
    scenario(start, "python").await;
}

/// The next frame within a topic, typed as the room's messages.
async fn next_room_frame(client: &mut ChatClient) -> room::Outgoing {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), client.next()).await {
            Ok(Some(ClientEvent::Topic(frame))) => {
                return room::decode(&frame).expect("a room message").message;
            }
            Ok(Some(ClientEvent::Reconnected { .. })) => continue,
            other => panic!("expected a room frame, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_handles_subscribe_post_and_resubscribe_after_a_restart() {
    let start = rust_server();
    let (server, port) = start(None, "rust-client-topics.log");
    let base = format!("ws://127.0.0.1:{port}");
    let mut ann = ChatClient::connect(&base, &Credentials::default(), options())
        .await
        .expect("connects");
    let lobby = room::TopicParams {
        room: "lobby".into(),
    };
    ann.room_topic(&lobby)
        .subscribe()
        .await
        .expect("subscribed");
    match next_room_frame(&mut ann).await {
        room::Outgoing::RoomJoined(m) => assert_eq!(m.payload.room, "lobby"),
        other => panic!("expected room_joined, got {other:?}"),
    }

    let private = room::TopicParams {
        room: "private".into(),
    };
    let refused = ann
        .room_topic(&private)
        .subscribe()
        .await
        .expect_err("refused");
    assert_eq!(
        refused,
        ClientError::Topic {
            topic: "room:private".into(),
            reason: "unauthorized".into(),
            detail: "Not allowed to subscribe to 'room:private'".into(),
        }
    );

    let post = RoomPostMessage::new(RoomPost {
        message: "hello room".into(),
    });
    ann.room_topic(&lobby)
        .send_room_post(&post)
        .await
        .expect("posted");
    match next_room_frame(&mut ann).await {
        room::Outgoing::RoomChat(m) => assert_eq!(m.payload.message, "hello room"),
        other => panic!("expected room_chat, got {other:?}"),
    }

    // After a restart the client subscribes again by itself: a post from
    // another client reaches it.
    drop(server);
    match tokio::time::timeout(Duration::from_secs(10), ann.next()).await {
        Ok(Some(ClientEvent::Disconnected { .. })) => {}
        other => panic!("expected Disconnected, got {other:?}"),
    }
    let _server = start(Some(port), "rust-client-topics-again.log");
    match next_room_frame(&mut ann).await {
        room::Outgoing::RoomJoined(m) => assert_eq!(m.payload.room, "lobby"),
        other => panic!("expected room_joined after resubscribing, got {other:?}"),
    }
    let bob = ChatClient::connect(&base, &Credentials::default(), options())
        .await
        .expect("bob connects");
    bob.room_topic(&lobby)
        .subscribe()
        .await
        .expect("bob subscribed");
    bob.room_topic(&lobby)
        .send_room_post(&post)
        .await
        .expect("bob posts");
    match next_room_frame(&mut ann).await {
        room::Outgoing::RoomChat(m) => assert_eq!(m.payload.message, "hello room"),
        other => panic!("expected bob's post, got {other:?}"),
    }
}

/// Accepts `?token=let-me-in` only.
struct TokenOnly;

impl Authenticator for TokenOnly {
    type User = String;

    async fn authenticate(&self, request: &ConnectRequest) -> Result<String, AuthRejection> {
        match request.query_param("token").as_deref() {
            Some("let-me-in") => Ok("ann".into()),
            _ => Err(AuthRejection::forbidden(json!({"detail": "Invalid token"}))),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_from_the_document_reach_the_server() {
    let router = Router::new()
        .route(Route::new(ChatServer::new(chanx_example_chat::Chat)).authenticator(TokenOnly));
    let server = chanx_runtime::Server::bind("127.0.0.1:0", router)
        .await
        .expect("bind");
    let base = format!("ws://{}", server.local_addr().expect("addr"));
    tokio::spawn(server.run());

    // The document's `token` query value, typed.
    let good = Credentials {
        token: Some("let-me-in".into()),
    };
    let mut ann = ChatClient::connect(&base, &good, options())
        .await
        .expect("connects");
    match tokio::time::timeout(Duration::from_secs(10), ann.next()).await {
        Ok(Some(ClientEvent::Authentication {
            status_code: 200, ..
        })) => {}
        other => panic!("expected the authentication frame, got {other:?}"),
    }
    ann.request_ping(&PingMessage::default())
        .await
        .expect("pong");

    // Refused: the frame says why, the close ends the client (no retry loop).
    let bad = Credentials {
        token: Some("guess".into()),
    };
    let mut eve = ChatClient::connect(&base, &bad, options())
        .await
        .expect("upgrade");
    match tokio::time::timeout(Duration::from_secs(10), eve.next()).await {
        Ok(Some(ClientEvent::Authentication { status_code, data })) => {
            assert_eq!(status_code, 403);
            assert_eq!(data, json!({"detail": "Invalid token"}));
        }
        other => panic!("expected the refusal, got {other:?}"),
    }
    match tokio::time::timeout(Duration::from_secs(10), eve.next()).await {
        Ok(Some(ClientEvent::Disconnected { reason })) => {
            assert!(reason.contains("4403"), "{reason}")
        }
        other => panic!("expected the 4403 close, got {other:?}"),
    }
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(10), eve.next())
            .await
            .expect("ends"),
        None
    );
}
