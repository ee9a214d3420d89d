//! The `chat-server` binary, run as a user would, talked to over real sockets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// A running `chat-server`, killed when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_chat-server"))
            .args(["--bind", &address])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chat-server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(&address).is_err() {
            assert!(
                Instant::now() < deadline,
                "chat-server did not listen in time"
            );
            if let Some(status) = child.try_wait().unwrap() {
                panic!("chat-server exited: {status}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, address }
    }

    fn url(&self) -> String {
        format!("ws://{}/ws/chat", self.address)
    }

    /// `POST /notify` with a JSON body; returns the HTTP status line.
    fn post_notify(&self, body: &Value) -> String {
        let body = body.to_string();
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "POST /notify HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .unwrap();
        let mut status = String::new();
        BufReader::new(&stream).read_line(&mut status).unwrap();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        status.trim().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str) -> Socket {
    tokio_tungstenite::connect_async(url)
        .await
        .expect("connects")
        .0
}

async fn send(socket: &mut Socket, frame: &str) {
    socket.send(Message::text(frame)).await.expect("sends");
}

/// The next text frame, as JSON; fails after 5 s.
async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("socket open")
            .expect("no transport error");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("frames are JSON");
        }
    }
}

#[tokio::test]
async fn ping_chat_broadcast_notification_and_errors() {
    let server = Server::start(&[]);
    let mut alice = connect(&server.url()).await;
    let mut bob = connect(&server.url()).await;

    send(&mut alice, r#"{"action":"ping"}"#).await;
    assert_eq!(
        receive(&mut alice).await,
        json!({"action": "pong", "payload": null})
    );

    send(&mut alice, r#"{"action":"ping","ref":"r1"}"#).await;
    assert_eq!(
        receive(&mut alice).await,
        json!({"action": "pong", "payload": null, "version": 1, "ref": "r1"})
    );

    send(
        &mut alice,
        r#"{"action":"chat","payload":{"message":"hi"}}"#,
    )
    .await;
    let relayed = json!({"action": "chat_notification", "payload": {"message": "User: hi"}});
    assert_eq!(receive(&mut alice).await, relayed);
    assert_eq!(receive(&mut bob).await, relayed);

    let status =
        server.post_notify(&json!({"message": "Server restarts soon", "level": "warning"}));
    assert!(status.contains("202"), "POST /notify answered {status}");
    let notification = json!({
        "action": "notification",
        "payload": {"message": "Server restarts soon", "level": "warning"}
    });
    assert_eq!(receive(&mut alice).await, notification);
    assert_eq!(receive(&mut bob).await, notification);

    send(&mut bob, r#"{"action":"chat","payload":{}}"#).await;
    assert_eq!(
        receive(&mut bob).await,
        json!({"action": "error", "payload": [
            {"type": "missing", "loc": ["chat", "payload", "message"], "msg": "Field required"}
        ]})
    );
    // The connection stays open after an error.
    send(&mut bob, r#"{"action":"ping"}"#).await;
    assert_eq!(
        receive(&mut bob).await,
        json!({"action": "pong", "payload": null})
    );
}

/// The README's room session, over a real socket: two clients in `room:lobby`,
/// one in another room, and the refused `room:private`.
#[tokio::test]
async fn rooms_are_topics_on_the_chat_connection() {
    let server = Server::start(&[]);
    let mut alice = connect(&server.url()).await;
    let mut bob = connect(&server.url()).await;
    for (socket, room) in [(&mut alice, "lobby"), (&mut bob, "lobby")] {
        send(
            socket,
            &json!({"action": "subscribe", "topic": format!("room:{room}"), "ref": "1"})
                .to_string(),
        )
        .await;
        assert_eq!(
            receive(socket).await,
            json!({"action": "subscribed", "payload": null, "version": 1, "topic": "room:lobby", "ref": "1"})
        );
        assert_eq!(
            receive(socket).await,
            json!({"action": "room_joined", "payload": {"room": "lobby"}, "version": 1, "topic": "room:lobby"})
        );
    }
    send(
        &mut alice,
        r#"{"action":"room_post","topic":"room:lobby","payload":{"message":"hi"}}"#,
    )
    .await;
    let chat = json!({"action": "room_chat", "payload": {"room": "lobby", "message": "hi"}, "version": 1, "topic": "room:lobby"});
    assert_eq!(receive(&mut alice).await, chat);
    assert_eq!(receive(&mut bob).await, chat);

    send(&mut bob, r#"{"action":"subscribe","topic":"room:private"}"#).await;
    assert_eq!(
        receive(&mut bob).await,
        json!({"action": "error", "payload": {"reason": "unauthorized", "detail": "Not allowed to subscribe to 'room:private'"}, "version": 1, "topic": "room:private"})
    );
    // The consumer's own messages still work beside the topic.
    send(&mut bob, r#"{"action":"ping"}"#).await;
    assert_eq!(
        receive(&mut bob).await,
        json!({"action": "pong", "payload": null})
    );
}

#[tokio::test]
async fn completion_frames_when_enabled() {
    let server = Server::start(&["--send-completion"]);
    let mut client = connect(&server.url()).await;
    send(
        &mut client,
        r#"{"action":"chat","payload":{"message":"yo"}}"#,
    )
    .await;
    // The handled frame completes, and so does the group message relayed
    // back through the channel layer; the two may interleave, but the relay
    // always comes right before its own `group_complete`.
    let frames = [
        receive(&mut client).await,
        receive(&mut client).await,
        receive(&mut client).await,
    ];
    let relayed = json!({"action": "chat_notification", "payload": {"message": "User: yo"}});
    let at = frames
        .iter()
        .position(|f| *f == relayed)
        .expect("relayed message");
    assert_eq!(
        frames.get(at + 1),
        Some(&json!({"action": "group_complete", "payload": null}))
    );
    assert_eq!(
        frames
            .iter()
            .filter(|f| **f == json!({"action": "complete", "payload": null}))
            .count(),
        1
    );
}

/// A `redis-server` on a free loopback port, killed when dropped; `None`
/// (with a loud notice) when the binary is not installed.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Option<Redis> {
        if Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!(
                "\n!!! redis-server not found: SKIPPING the two-server chat test (scripts/test.sh installs it)\n"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Redis { child, port })
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn two_servers_share_the_room_through_redis() {
    let Some(redis) = Redis::start() else { return };
    let url = format!("redis://127.0.0.1:{}/0", redis.port);
    let first = Server::start(&["--redis", &url]);
    let second = Server::start(&["--redis", &url]);
    let mut alice = connect(&first.url()).await;
    let mut bob = connect(&second.url()).await;
    // Both are members once each has answered a ping (joined on connect).
    for client in [&mut alice, &mut bob] {
        send(client, r#"{"action":"ping"}"#).await;
        assert_eq!(
            receive(client).await,
            json!({"action": "pong", "payload": null})
        );
    }

    send(
        &mut alice,
        r#"{"action":"chat","payload":{"message":"across"}}"#,
    )
    .await;
    let relayed = json!({"action": "chat_notification", "payload": {"message": "User: across"}});
    assert_eq!(receive(&mut alice).await, relayed);
    assert_eq!(receive(&mut bob).await, relayed);

    let status = second.post_notify(&json!({"message": "from the second server"}));
    assert!(status.contains("202"), "POST /notify answered {status}");
    // `level` takes its default, as pydantic writes it.
    let notification = json!({"action": "notification", "payload": {"message": "from the second server", "level": "info"}});
    assert_eq!(receive(&mut alice).await, notification);
    assert_eq!(receive(&mut bob).await, notification);
}

#[test]
fn help_names_the_options() {
    let output = Command::new(env!("CARGO_BIN_EXE_chat-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--bind",
        "--notify-every",
        "--send-completion",
        "--redis",
        "CHANX_REDIS_URL",
        "/notify",
    ] {
        assert!(help.contains(option), "--help mentions {option}:\n{help}");
    }
}
