//! A mixed deployment on one Redis: the Rust `chat-server` and the same chat
//! in Python chanx (FastAPI + fast-channels' Redis layer,
//! `tests/interop/chanx_redis_chat.py`), a client on each, plus events sent
//! from a plain Python script and from a Rust program without a server.
//!
//! Needs `redis-server` and the interop virtualenv (`scripts/python-venv.sh`,
//! run here); skipped with a loud notice when either cannot be had.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chanx_e2e_support::{Server, free_port, repo_root};
use chanx_runtime::Layer;
use chanx_runtime::layer::redis::{Flavour, RedisConfig, RedisLayer};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `redis-server` on a free port with an append-only file in its own
/// directory, so a restart keeps what Python processes wrote (they never
/// write their memberships again).
struct Redis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Redis {
    fn start() -> Option<Redis> {
        if Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("\n!!! redis-server not found: SKIPPING the Python/Rust Redis tests\n");
            return None;
        }
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("chanx-redis-interop-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("redis dir");
        let child = Redis::spawn(port, &dir);
        Some(Redis { child, port, dir })
    }

    fn spawn(port: u16, dir: &Path) -> Child {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis_cli(port, &["PING"]).as_deref() != Some("PONG") {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills the server and starts it again on the same port and data.
    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(300));
        self.child = Redis::spawn(self.port, &self.dir);
    }

    fn cli(&self, args: &[&str]) -> Vec<String> {
        redis_cli(self.port, args)
            .map(|out| {
                out.lines()
                    .map(str::to_owned)
                    .filter(|l| !l.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn redis_cli(port: u16, args: &[&str]) -> Option<String> {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The interop virtualenv's Python, or `None` (with a notice) without one.
fn python() -> Option<PathBuf> {
    let venv = Command::new("bash")
        .arg(repo_root().join("scripts/python-venv.sh"))
        .output();
    match venv {
        Ok(out) if out.status.success() => {}
        other => {
            eprintln!(
                "\n!!! no interop virtualenv ({other:?}): SKIPPING the Python/Rust Redis tests\n"
            );
            return None;
        }
    }
    Some(repo_root().join("tests/interop/.venv/bin/python"))
}

fn script() -> PathBuf {
    repo_root().join("tests/interop/chanx_redis_chat.py")
}

fn flavour_args(flavour: Flavour) -> &'static [&'static str] {
    match flavour {
        Flavour::PubSub => &["--pubsub"],
        _ => &[],
    }
}

/// One side of the deployment: a server process and its WebSocket URL.
struct Side {
    /// Ended when dropped; its output goes to the test's log directory.
    _server: Server,
    port: u16,
}

impl Side {
    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws/chat", self.port)
    }

    fn rust(redis: &str, flavour: Flavour, log: &Path) -> Side {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
        command
            .args(["--bind", &format!("127.0.0.1:{port}"), "--redis", redis])
            .env("RUST_LOG", "warn");
        if flavour == Flavour::PubSub {
            command.arg("--redis-pubsub");
        }
        let mut server = Server::start(command, log);
        server.wait_for_listen(port, Duration::from_secs(20));
        Side {
            _server: server,
            port,
        }
    }

    fn python(python: &Path, redis: &str, flavour: Flavour, log: &Path) -> Side {
        let port = free_port();
        let mut command = Command::new(python);
        command
            .arg(script())
            .args(["serve", &port.to_string(), "--redis", redis])
            .args(flavour_args(flavour));
        let mut server = Server::start(command, log);
        server.wait_for_listen(port, Duration::from_secs(30));
        Side {
            _server: server,
            port,
        }
    }
}

/// Runs the plain Python script (no server): `notify`, `send-event` or `room-post`.
fn python_script(python: &Path, redis: &str, flavour: Flavour, args: &[&str]) {
    let out = Command::new(python)
        .arg(script())
        .args(args)
        .args(["--redis", redis])
        .args(flavour_args(flavour))
        .output()
        .expect("run the Python script");
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn connect(url: &str) -> Socket {
    tokio_tungstenite::connect_async(url)
        .await
        .expect("connects")
        .0
}

async fn send(socket: &mut Socket, frame: &Value) {
    socket
        .send(Message::text(frame.to_string()))
        .await
        .expect("sends");
}

/// The next text frame as JSON, or `None` after `wait`.
async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??;
        if let Ok(Message::Text(text)) = message {
            return Some(serde_json::from_str(&text).expect("frames are JSON"));
        }
    }
}

async fn receive(socket: &mut Socket, what: &str) -> Value {
    next(socket, Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("{what}: no frame within 10 s"))
}

/// A ping answered by a pong: everything sent before has been handled, and
/// nothing else arrived first.
async fn ping(socket: &mut Socket, who: &str) {
    send(socket, &json!({"action": "ping"})).await;
    assert_eq!(
        receive(socket, who).await,
        json!({"action": "pong", "payload": null}),
        "{who}: the next frame is the pong"
    );
}

fn chat(text: &str) -> Value {
    json!({"action": "chat", "payload": {"message": text}})
}

fn relayed(text: &str) -> Value {
    json!({"action": "chat_notification", "payload": {"message": format!("User: {text}")}})
}

fn notification(text: &str) -> Value {
    json!({"action": "notification", "payload": {"message": text, "level": "info"}})
}

fn notify_event(text: &str) -> Value {
    json!({"action": "notify", "payload": {"message": text, "level": "info"}})
}

fn room_chat(text: &str, seq: Option<i64>) -> Value {
    let mut frame = json!({
        "action": "room_chat",
        "payload": {"room": "lobby", "message": text},
        "version": 1,
        "topic": "room:lobby",
    });
    if let Some(seq) = seq {
        frame["seq"] = json!(seq);
    }
    frame
}

/// Who relays a client's chat messages in the order it sent them.
#[derive(Clone, Copy, PartialEq)]
enum Sender {
    /// chanx-runtime: one frame at a time, so relays leave in send order.
    Rust,
    /// chanx handles each frame in its own task, and channels_redis scores
    /// a message before it writes it: relays may leave, and be read, in
    /// another order.
    Python,
}

/// `count` chat messages from `from`: each reaches both clients exactly
/// once; from a Rust server, in the order sent.
async fn chat_both_ways(
    from: &mut Socket,
    other: &mut Socket,
    sender: Sender,
    prefix: &str,
    count: usize,
) {
    for n in 0..count {
        send(from, &chat(&format!("{prefix}{n}"))).await;
    }
    let (mut seen_by_sender, mut seen_by_other) = (Vec::new(), Vec::new());
    for _ in 0..count {
        seen_by_sender.push(receive(from, prefix).await);
        seen_by_other.push(receive(other, prefix).await);
    }
    let sent: Vec<Value> = (0..count)
        .map(|n| relayed(&format!("{prefix}{n}")))
        .collect();
    if sender == Sender::Rust {
        assert_eq!(seen_by_sender, sent, "sender: in the order sent");
        assert_eq!(seen_by_other, sent, "other side: in the order sent");
    } else {
        let sorted = |mut frames: Vec<Value>| {
            frames.sort_by_key(Value::to_string);
            frames
        };
        let sent = sorted(sent);
        assert_eq!(sorted(seen_by_sender), sent, "sender: each message once");
        assert_eq!(sorted(seen_by_other), sent, "other side: each message once");
    }
    ping(from, prefix).await;
    ping(other, prefix).await;
}

/// The channel that appeared in `after` but not in `before`.
fn new_channel(before: &[String], after: &[String]) -> String {
    let added: Vec<&String> = after.iter().filter(|c| !before.contains(c)).collect();
    assert_eq!(added.len(), 1, "one new channel: {before:?} -> {after:?}");
    added[0].clone()
}

/// Channels this deployment's consumers listen on: members of the room
/// (core), subscribed channels (pub/sub).
fn channels(redis: &Redis, flavour: Flavour) -> Vec<String> {
    match flavour {
        Flavour::PubSub => redis.cli(&["PUBSUB", "CHANNELS", "asgispecific.*"]),
        _ => redis.cli(&["ZRANGE", "asgi:group:chat_room", "0", "-1"]),
    }
}

async fn rust_layer(redis: &Redis, flavour: Flavour) -> Layer {
    let config = RedisConfig::new(redis.url()).flavour(flavour);
    Layer::new(
        RedisLayer::connect(config)
            .await
            .expect("the Rust program connects"),
    )
}

async fn mixed_deployment(flavour: Flavour) {
    let Some(mut redis) = Redis::start() else {
        return;
    };
    let Some(python) = python() else { return };
    let logs = tempdir(&format!("mixed-{flavour:?}"));
    let url = redis.url();
    let rust_side = Side::rust(&url, flavour, &logs.join("rust.log"));
    let python_side = Side::python(&python, &url, flavour, &logs.join("python.log"));

    let before = channels(&redis, flavour);
    let mut r = connect(&rust_side.url()).await;
    ping(&mut r, "rust client").await;
    let after_r = channels(&redis, flavour);
    let r_channel = new_channel(&before, &after_r);
    let mut p = connect(&python_side.url()).await;
    ping(&mut p, "python client").await;
    let p_channel = new_channel(&after_r, &channels(&redis, flavour));

    // Chat: 100 messages each way, each once on both sides, in one order.
    chat_both_ways(&mut r, &mut p, Sender::Rust, "from rust ", 100).await;
    chat_both_ways(&mut p, &mut r, Sender::Python, "from python ", 100).await;

    // broadcast_event from a plain Python script, then from a Rust program.
    python_script(&python, &url, flavour, &["notify", "from a python script"]);
    for (client, who) in [(&mut r, "rust client"), (&mut p, "python client")] {
        assert_eq!(
            receive(client, who).await,
            notification("from a python script")
        );
    }
    let layer = rust_layer(&redis, flavour).await;
    layer
        .broadcast_event(&notify_event("from a rust program"), &["chat_room"])
        .await
        .expect("broadcast_event");
    for (client, who) in [(&mut r, "rust client"), (&mut p, "python client")] {
        assert_eq!(
            receive(client, who).await,
            notification("from a rust program")
        );
    }

    // send_event to one channel of the other process, each way.
    layer
        .send_event(&notify_event("rust to the python channel"), &p_channel)
        .await
        .expect("send_event");
    assert_eq!(
        receive(&mut p, "python client").await,
        notification("rust to the python channel")
    );
    python_script(
        &python,
        &url,
        flavour,
        &["send-event", &r_channel, "python to the rust channel"],
    );
    assert_eq!(
        receive(&mut r, "rust client").await,
        notification("python to the rust channel")
    );
    ping(&mut r, "rust client").await;
    ping(&mut p, "python client").await;

    // The room topic: subscribers on both sides; posts and broadcasts from
    // either language reach both.
    for (client, who) in [(&mut r, "rust client"), (&mut p, "python client")] {
        send(
            client,
            &json!({"action": "subscribe", "topic": "room:lobby", "ref": "1"}),
        )
        .await;
        assert_eq!(
            receive(client, who).await,
            json!({"action": "subscribed", "payload": null, "version": 1, "topic": "room:lobby", "ref": "1"})
        );
        assert_eq!(
            receive(client, who).await,
            json!({"action": "room_joined", "payload": {"room": "lobby"}, "version": 1, "topic": "room:lobby"})
        );
    }
    for (text, from_python) in [("posted on python", true), ("posted on rust", false)] {
        let poster = if from_python { &mut p } else { &mut r };
        send(
            poster,
            &json!({"action": "room_post", "topic": "room:lobby", "payload": {"message": text}}),
        )
        .await;
        for (client, who) in [(&mut r, "rust client"), (&mut p, "python client")] {
            assert_eq!(receive(client, who).await, room_chat(text, None), "{who}");
        }
    }
    python_script(
        &python,
        &url,
        flavour,
        &["room-post", "lobby", "python topic broadcast", "--seq", "7"],
    );
    layer
        .topic_broadcast(
            "RoomTopic",
            "room:lobby",
            &json!({"action": "room_chat", "payload": {"room": "lobby", "message": "rust topic broadcast"}}),
            Some(8),
        )
        .await
        .expect("topic_broadcast");
    for (client, who) in [(&mut r, "rust client"), (&mut p, "python client")] {
        assert_eq!(
            receive(client, who).await,
            room_chat("python topic broadcast", Some(7))
        );
        assert_eq!(
            receive(client, who).await,
            room_chat("rust topic broadcast", Some(8))
        );
        ping(client, who).await;
    }

    if flavour == Flavour::Core {
        restart_in_the_middle(&mut redis, &mut r, &mut p).await;
    }
    drop((rust_side, python_side));
    // Kept when a step failed: the servers' output.
    let _ = std::fs::remove_dir_all(&logs);
}

/// Redis restarted under both servers: once each side has a message through
/// again, every later message reaches both.
async fn restart_in_the_middle(redis: &mut Redis, r: &mut Socket, p: &mut Socket) {
    redis.restart();
    recover(r, p, "rust").await;
    recover(p, r, "python").await;
    chat_both_ways(r, p, Sender::Rust, "after the restart, from rust ", 20).await;
    chat_both_ways(p, r, Sender::Python, "after the restart, from python ", 20).await;
}

/// Sends probes from `from` until one reaches both clients, then drains
/// what the other probes bring.
async fn recover(from: &mut Socket, to: &mut Socket, who: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    loop {
        assert!(Instant::now() < deadline, "{who}: no recovery within 30 s");
        let text = format!("probe from {who} {n}");
        n += 1;
        send(from, &chat(&text)).await;
        let mine = next(from, Duration::from_secs(2)).await;
        let theirs = next(to, Duration::from_secs(2)).await;
        if mine.is_some() && theirs.is_some() {
            break;
        }
    }
    // Probes sent while Redis was away may still arrive: ping until quiet.
    for (socket, side) in [(from, "sender"), (to, "other")] {
        loop {
            send(socket, &json!({"action": "ping"})).await;
            let mut pong = false;
            while let Some(frame) = next(socket, Duration::from_secs(5)).await {
                if frame == json!({"action": "pong", "payload": null}) {
                    pong = true;
                    break;
                }
                // Late probes, or the sender's report of one that failed.
                let action = frame["action"].as_str().unwrap_or_default();
                assert!(
                    matches!(action, "chat_notification" | "error"),
                    "{who} {side}: {frame}"
                );
            }
            if pong {
                break;
            }
        }
    }
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chanx-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("log dir");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_and_rust_share_one_redis() {
    mixed_deployment(Flavour::Core).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_and_rust_share_one_redis_over_pubsub() {
    mixed_deployment(Flavour::PubSub).await;
}
