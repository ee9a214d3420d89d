//! The `chat-server` binary, run as a user would, talked to over real sockets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::{connect, receive, send};

/// A running `chat-server`, killed when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    /// Started on a port the server picks itself (`--bind 127.0.0.1:0`) and
    /// announces in its log: a port picked here and released would be free
    /// for any other test's server or client until the child binds it.
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chat-server"))
            .args(["--bind", "127.0.0.1:0"])
            .args(extra)
            .env("RUST_LOG", "warn,chat_server=info")
            .env_remove("CHANX_LOG_FORMAT")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chat-server starts");
        let (lines, announced) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("stderr is piped");
        // Reads the log to its end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        let address = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match announced.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split("listening on ws://").nth(1) {
                        break rest.split('/').next().unwrap().to_string();
                    }
                }
                Err(_) => match child.try_wait().unwrap() {
                    Some(status) => panic!("chat-server exited: {status}"),
                    None => panic!("chat-server did not listen in time"),
                },
            }
        };
        Server { child, address }
    }

    fn url(&self) -> String {
        format!("ws://{}/ws/chat", self.address)
    }

    /// `GET /stats`: the channel layer's counters.
    fn stats(&self) -> Value {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET /stats HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split("\r\n\r\n").nth(1).expect("a body");
        serde_json::from_str(body).expect("JSON stats")
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

#[tokio::test]
async fn ping_chat_broadcast_notification_and_errors() {
    let server = Server::start(&[]);
    let mut alice = connect(&server.url()).await;
    let mut bob = connect(&server.url()).await;
    send(&mut bob, r#"{"action":"ping"}"#).await;
    assert_eq!(
        receive(&mut bob).await,
        json!({"action": "pong", "payload": null})
    );

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
        "--redis-pubsub",
        "CHANX_REDIS_URL",
        "--handshake-timeout",
        "--max-pending-handshakes",
        "/notify",
        "/stats",
    ] {
        assert!(help.contains(option), "--help mentions {option}:\n{help}");
    }
}

/// Hand-written WebSocket frames over raw TCP: what a client library
/// refuses to send, and how the server's side of the stream ends.
mod raw {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    const MASK: [u8; 4] = [0x12, 0x34, 0x56, 0x78];

    /// A client frame: `head` holds FIN, RSV and opcode.
    pub fn frame(head: u8, payload: &[u8], masked: bool) -> Vec<u8> {
        let mut out = vec![head];
        let bit = if masked { 0x80 } else { 0 };
        match payload.len() {
            n if n < 126 => out.push(bit | n as u8),
            n if n <= 0xffff => {
                out.push(bit | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(bit | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        if masked {
            out.extend_from_slice(&MASK);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
        } else {
            out.extend_from_slice(payload);
        }
        out
    }

    pub fn upgrade_request() -> String {
        "GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            .to_owned()
    }

    /// Connects and upgrades; returns the stream and bytes read past the response.
    pub async fn upgrade(address: &str) -> (TcpStream, Vec<u8>) {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(upgrade_request().as_bytes())
            .await
            .unwrap();
        let mut read = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed during the upgrade");
            read.extend_from_slice(&chunk[..n]);
            if let Some(at) = read.windows(4).position(|w| w == b"\r\n\r\n") {
                assert!(read.starts_with(b"HTTP/1.1 101"), "upgrade refused");
                return (stream, read[at + 4..].to_vec());
            }
        }
    }

    /// How the server's side ended: "eof", "reset", "timeout" or another error.
    pub async fn read_to_end(stream: &mut TcpStream, mut read: Vec<u8>) -> (Vec<u8>, String) {
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
                Err(_) => return (read, "timeout".into()),
                Ok(Ok(0)) => return (read, "eof".into()),
                Ok(Ok(n)) => read.extend_from_slice(&chunk[..n]),
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                    return (read, "reset".into());
                }
                Ok(Err(e)) => return (read, format!("{e}")),
            }
        }
    }

    /// The code of the last frame of `bytes` (server frames are not masked),
    /// if it is a close frame.
    pub fn last_close_code(mut bytes: &[u8]) -> Option<u16> {
        let mut last = None;
        while bytes.len() >= 2 {
            let (len, at) = match bytes[1] & 0x7f {
                126 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
                127 => (
                    u64::from_be_bytes(bytes[2..10].try_into().unwrap()) as usize,
                    10,
                ),
                n => (n as usize, 2),
            };
            let payload = &bytes[at..at + len];
            last = (bytes[0] & 0x0f == 0x8 && payload.len() >= 2)
                .then(|| u16::from_be_bytes([payload[0], payload[1]]));
            bytes = &bytes[at + len..];
        }
        last
    }
}

#[tokio::test]
async fn hostile_frames_get_their_close_code_before_a_clean_end() {
    use tokio::io::AsyncWriteExt;
    let server = Server::start(&[]);
    let ping = br#"{"action":"ping"}"#;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        // 2 MiB: over the default 1 MiB limit.
        (
            "oversized",
            raw::frame(0x81, &vec![b' '; 2 << 20], true),
            1009,
        ),
        (
            "invalid UTF-8",
            raw::frame(0x81, b"\"\xc3\x28\"", true),
            1007,
        ),
        ("unmasked", raw::frame(0x81, ping, false), 1002),
        ("reserved bits", raw::frame(0xC1, ping, true), 1002),
        ("unknown opcode", raw::frame(0x83, ping, true), 1002),
        ("orphan continuation", raw::frame(0x80, ping, true), 1002),
        ("126-byte ping", raw::frame(0x89, &[0; 126], true), 1002),
        ("fragmented ping", raw::frame(0x09, b"x", true), 1002),
    ];
    for (case, bytes, code) in cases {
        let (mut stream, read) = raw::upgrade(&server.address).await;
        // And more the server will not read: it must not reset the connection.
        let after: Vec<u8> = (0..4000)
            .flat_map(|_| raw::frame(0x81, ping, true))
            .collect();
        let (mut reader, mut writer) = stream.split();
        let write = async {
            let _ = writer.write_all(&[bytes, after].concat()).await;
        };
        let read_all = async {
            let mut socket_read = read;
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                use tokio::io::AsyncReadExt;
                match tokio::time::timeout(Duration::from_secs(10), reader.read(&mut chunk)).await {
                    Err(_) => return (socket_read, "timeout".to_owned()),
                    Ok(Ok(0)) => return (socket_read, "eof".to_owned()),
                    Ok(Ok(n)) => socket_read.extend_from_slice(&chunk[..n]),
                    Ok(Err(e)) => return (socket_read, e.kind().to_string()),
                }
            }
        };
        let ((received, end), ()) = tokio::join!(read_all, write);
        assert_eq!(raw::last_close_code(&received), Some(code), "{case}");
        assert_eq!(
            end, "eof",
            "{case}: the server ends the stream without a reset"
        );
    }
}

#[tokio::test]
async fn stalled_handshakes_are_shed_and_a_new_client_connects() {
    use tokio::io::AsyncWriteExt;
    const STALLED: usize = 30;
    let server = Server::start(&[
        "--handshake-timeout",
        "0.5",
        "--max-pending-handshakes",
        "10",
    ]);
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let mut stream = tokio::net::TcpStream::connect(&server.address)
            .await
            .unwrap();
        let request = raw::upgrade_request();
        stream
            .write_all(&request.as_bytes()[..request.len() / 2])
            .await
            .unwrap();
        stalled.push(stream);
    }
    let url = server.url();
    let newcomer = tokio::spawn(async move {
        let mut socket = connect(&url).await;
        send(&mut socket, r#"{"action":"ping"}"#).await;
        assert_eq!(
            receive(&mut socket).await,
            json!({"action": "pong", "payload": null})
        );
        started.elapsed()
    });
    let mut shed = Vec::new();
    for mut stream in stalled {
        let (_, end) = raw::read_to_end(&mut stream, Vec::new()).await;
        assert_eq!(end, "eof", "a stalled handshake is ended cleanly");
        shed.push(started.elapsed());
    }
    let connected = tokio::time::timeout(Duration::from_secs(10), newcomer)
        .await
        .expect("a new client connects")
        .unwrap();
    let last = shed.iter().max().copied().unwrap_or_default();
    eprintln!(
        "{STALLED} stalled handshakes shed within {last:?}; a new client connected after {connected:?}"
    );
    assert!(shed.iter().all(|at| *at >= Duration::from_millis(500)));
    // 10 at a time, 0.5 s each: three waves.
    assert!(last < Duration::from_secs(4), "shed in {last:?}");
}

#[tokio::test]
async fn a_flooder_costs_a_reader_no_message() {
    let server = Server::start(&[]);
    // The flooder never reads; a small receive buffer makes that show soon.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket
        .connect(server.address.parse().unwrap())
        .await
        .unwrap();
    let (mut flooder, _) = tokio_tungstenite::client_async(server.url(), stream)
        .await
        .unwrap();
    let (good, _) = tokio_tungstenite::connect_async(server.url())
        .await
        .unwrap();
    let (mut good_tx, mut good_rx) = good.split();
    flooder
        .send(Message::text(r#"{"action":"ping"}"#))
        .await
        .unwrap();
    good_tx
        .send(Message::text(r#"{"action":"ping"}"#))
        .await
        .unwrap();
    let pong = good_rx.next().await.unwrap().unwrap();
    assert_eq!(
        pong.to_text().unwrap(),
        r#"{"action": "pong", "payload": null}"#
    );

    let pad = "f".repeat(2000);
    let flood = tokio::spawn(async move {
        for i in 0..20_000 {
            let frame = json!({"action": "chat", "payload": {"message": format!("F{i} {pad}")}});
            if flooder
                .send(Message::text(frame.to_string()))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let own = tokio::spawn(async move {
        for j in 0..30 {
            let frame = json!({"action": "chat", "payload": {"message": format!("G{j}")}});
            good_tx
                .send(Message::text(frame.to_string()))
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        good_tx
    });
    let (mut flooder_seen, mut own_seen) = (Vec::new(), Vec::new());
    let started = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(2), good_rx.next()).await {
            Err(_) if own.is_finished() => break,
            Err(_) => {}
            Ok(Some(Ok(Message::Text(text)))) => {
                let frame: Value = serde_json::from_str(&text).unwrap();
                let message = frame["payload"]["message"].as_str().unwrap();
                let tag = message
                    .trim_start_matches("User: ")
                    .split(' ')
                    .next()
                    .unwrap();
                let number: usize = tag[1..].parse().unwrap();
                if tag.starts_with('F') {
                    flooder_seen.push(number);
                } else {
                    own_seen.push(number);
                }
            }
            Ok(Some(Ok(Message::Close(frame)))) => panic!("the reader was closed: {frame:?}"),
            Ok(Some(Ok(_))) => {}
            other => panic!("the reader lost its connection: {other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(120));
    }
    let _good_tx = own.await.unwrap();
    assert_eq!(own_seen, (0..30).collect::<Vec<_>>());
    assert_eq!(flooder_seen, (0..flooder_seen.len()).collect::<Vec<_>>());
    // The flooder, not read since, is closed once its queue waited past
    // the slow-client timeout (5 s); nothing was dropped for anyone.
    let deadline = Instant::now() + Duration::from_secs(15);
    let stats = loop {
        let stats = server.stats();
        if stats["closed_slow_clients"] == 1 || Instant::now() > deadline {
            break stats;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    flood.abort();
    eprintln!(
        "{} flooder messages accepted before it was stopped; {stats}",
        flooder_seen.len()
    );
    assert_eq!(stats["dropped_full"], 0, "{stats}");
    assert_eq!(
        stats["closed_slow_clients"], 1,
        "the flooder was closed: {stats}"
    );
}
