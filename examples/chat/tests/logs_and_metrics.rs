//! `chat-server`'s JSON logs and Prometheus metrics, read as a log shipper
//! and a scraper would.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use chanx_e2e_support::{Server, free_port, http};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

mod common;
use common::{Socket, receive, send};

fn log_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("chanx-{name}-{}.log", std::process::id()))
}

/// `chat-server` on a free port, with `args` and `env`.
fn start(name: &str, args: &[&str], env: &[(&str, &str)]) -> (Server, u16) {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_chat-server"));
    command
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("CHANX_LOG_FORMAT");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut server = Server::start(command, &log_path(name));
    server.wait_for_listen(port, Duration::from_secs(10));
    (server, port)
}

async fn connect(port: u16) -> Socket {
    common::connect(&format!("ws://127.0.0.1:{port}/ws/chat")).await
}

/// Every log line, each parsed as one JSON object, once `done` holds for
/// them (the log is written by a thread of its own: it may lag a little).
fn json_lines(server: &Server, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = server.log();
        let lines: Vec<Value> = log
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}\n{log}"))
            })
            .collect();
        if done(&lines) {
            return lines;
        }
        assert!(Instant::now() < deadline, "log incomplete:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The line whose fields include every field of `expected`.
fn find<'a>(lines: &'a [Value], expected: &Value) -> Option<&'a Value> {
    let expected = expected.as_object().expect("an object");
    lines.iter().find(|line| {
        expected
            .iter()
            .all(|(key, value)| line.get(key) == Some(value))
    })
}

#[tokio::test]
async fn json_logs_are_one_flat_object_per_line() {
    let (server, port) = start(
        "json-logs",
        &["--log-format", "json"],
        &[("RUST_LOG", "info,chanx_runtime::frames=debug")],
    );
    let mut client = connect(port).await;
    send(&mut client, r#"{"action":"ping","ref":"r1"}"#).await;
    assert_eq!(receive(&mut client).await["action"], "pong");
    send(
        &mut client,
        r#"{"action":"chat","payload":{"message":"hi"}}"#,
    )
    .await;
    assert_eq!(receive(&mut client).await["action"], "chat_notification");
    send(&mut client, r#"{"action":"chat","payload":{}}"#).await;
    assert_eq!(receive(&mut client).await["action"], "error");
    send(&mut client, "not json").await;
    assert_eq!(receive(&mut client).await["action"], "error");
    client.close(None).await.expect("closes");

    let disconnected = json!({"message": "websocket disconnected"});
    let lines = json_lines(&server, |lines| find(lines, &disconnected).is_some());
    for line in &lines {
        for key in ["timestamp", "level", "target", "message"] {
            assert!(line[key].is_string(), "{key} missing: {line}");
        }
        let timestamp = line["timestamp"].as_str().unwrap_or_default();
        assert!(
            timestamp.len() >= 20 && timestamp.as_bytes()[10] == b'T' && timestamp.ends_with('Z'),
            "not an RFC 3339 UTC timestamp: {line}"
        );
        assert!(
            ["error", "warn", "info", "debug", "trace"].contains(&line["level"].as_str().unwrap()),
            "{line}"
        );
    }
    // Every line of the connection carries its span's fields, flattened.
    let connected = find(&lines, &json!({"message": "websocket connected"})).expect("connected");
    assert_eq!(connected["level"], "info");
    assert_eq!(connected["path"], "/ws/chat");
    let channel = connected["channel"].as_str().expect("channel name");
    assert!(!channel.is_empty());
    let in_connection = json!({"path": "/ws/chat", "channel": channel});

    let frame = |fields: Value| {
        let mut expected = in_connection.clone();
        expected
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        find(&lines, &expected)
            .unwrap_or_else(|| panic!("no line with {expected}:\n{lines:#?}"))
            .clone()
    };
    let received = frame(json!({
        "message": "websocket received", "direction": "in", "action": "ping", "ref": "r1"
    }));
    assert_eq!(received["level"], "debug");
    assert_eq!(received["target"], "chanx_runtime::frames");
    frame(json!({"message": "websocket sent", "direction": "out", "action": "pong", "ref": "r1"}));
    frame(json!({"message": "websocket sent", "direction": "out", "action": "chat_notification"}));
    frame(json!({"message": "websocket sent", "direction": "out", "action": "error"}));
    frame(json!({"message": "websocket received", "direction": "in", "action": ""}));
    for (action, outcome) in [("ping", "ok"), ("chat", "ok"), ("chat", "invalid")] {
        let handled = frame(json!({"message": "handled", "action": action, "outcome": outcome}));
        assert!(handled["elapsed_us"].is_u64(), "{handled}");
    }
    let summary = frame(disconnected);
    assert_eq!(summary["level"], "info");
    assert_eq!(summary["frames_in"], 4);
    assert_eq!(summary["frames_out"], 4);
    assert!(summary["duration_ms"].is_u64(), "{summary}");
}

#[tokio::test]
async fn log_format_from_the_environment_and_text_without_colour() {
    let (json_server, _) = start("env-json", &[], &[("CHANX_LOG_FORMAT", "json")]);
    let lines = json_lines(&json_server, |lines| !lines.is_empty());
    assert_eq!(lines[0]["level"], "info");
    assert!(
        lines[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("chat server listening")
    );

    // Written to a file (not a terminal): plain text, no escape codes.
    let (text_server, _) = start("text", &[], &[]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text_server.log().contains("listening") {
        assert!(Instant::now() < deadline, "no log line");
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = text_server.log();
    assert!(
        log.contains(" INFO chat_server: chat server listening"),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'), "colour codes in {log:?}");
}

/// Prometheus text: `name{labels} value` → value, labels sorted.
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("name and value");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value of {line}"));
        let key = match series.split_once('{') {
            Some((name, labels)) => {
                let mut labels: Vec<&str> = labels.trim_end_matches('}').split(',').collect();
                labels.sort_unstable();
                format!("{name}{{{}}}", labels.join(","))
            }
            None => series.to_owned(),
        };
        samples.insert(key, value);
    }
    samples
}

fn scrape(port: u16) -> BTreeMap<String, f64> {
    let (status, body) = http(port, "GET", "/metrics", None).expect("GET /metrics");
    assert_eq!(status, 200, "{body}");
    parse_metrics(&body)
}

#[tokio::test]
async fn metrics_count_frames_errors_closes_and_groups() {
    let (_server, port) = start("metrics", &["--metrics"], &[]);
    let mut alice = connect(port).await;
    let mut bob = connect(port).await;
    // Behind the axum adapter hyper answers the upgrade before the
    // connection is set up (see `chanx_runtime::axum`): a client is counted,
    // in the room, a moment after its `101`. Wait for both, so that Bob is
    // in the room when Alice chats.
    let deadline = Instant::now() + Duration::from_secs(5);
    while scrape(port).get("chanx_connections_open") != Some(&2.0) {
        assert!(
            Instant::now() < deadline,
            "two connections counted within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    send(&mut alice, r#"{"action":"ping"}"#).await;
    receive(&mut alice).await;
    send(
        &mut alice,
        r#"{"action":"chat","payload":{"message":"hi"}}"#,
    )
    .await;
    receive(&mut alice).await;
    receive(&mut bob).await;
    // A bad payload: a validation error, the connection stays open.
    send(&mut bob, r#"{"action":"chat","payload":{}}"#).await;
    assert_eq!(receive(&mut bob).await["action"], "error");
    // Over the 1 MiB limit: closed with 1009.
    let oversized = format!(
        r#"{{"action":"chat","payload":{{"message":"{}"}}}}"#,
        "x".repeat(1 << 20)
    );
    send(&mut bob, &oversized).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = bob.next().await {
            if let Message::Close(frame) = message {
                return frame.map(|f| u16::from(f.code));
            }
        }
        None
    })
    .await
    .expect("closed within 5 s");
    assert_eq!(closed, Some(1009));

    let expected = [
        ("chanx_connections_total", 2.0),
        ("chanx_connections_open", 1.0),
        ("chanx_frames_received_total{action=\"ping\"}", 1.0),
        ("chanx_frames_received_total{action=\"chat\"}", 1.0),
        ("chanx_frames_received_total{action=\"invalid\"}", 1.0),
        ("chanx_frames_sent_total{action=\"pong\"}", 1.0),
        ("chanx_frames_sent_total{action=\"chat_notification\"}", 2.0),
        ("chanx_frames_sent_total{action=\"error\"}", 1.0),
        ("chanx_validation_errors_total{type=\"missing\"}", 1.0),
        ("chanx_closes_total{code=\"1009\"}", 1.0),
        ("chanx_group_members{group=\"chat_room\"}", 1.0),
        ("chanx_layer_send_seconds_count{op=\"group_send\"}", 1.0),
    ];
    // The closed connection's clean-up runs beside this test: wait for it.
    let deadline = Instant::now() + Duration::from_secs(5);
    let samples = loop {
        let samples = scrape(port);
        let settled = expected
            .iter()
            .all(|(key, value)| samples.get(*key) == Some(value));
        if settled || Instant::now() > deadline {
            break samples;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for (key, value) in expected {
        assert_eq!(samples.get(key), Some(&value), "{key} in {samples:#?}");
    }
    assert!(samples["chanx_layer_send_seconds_sum{op=\"group_send\"}"] > 0.0);
    assert!(
        !samples
            .keys()
            .any(|k| k.starts_with("chanx_handler_errors_total"))
    );
}

#[tokio::test]
async fn no_metrics_unless_asked() {
    let (_server, port) = start("no-metrics", &[], &[]);
    let (status, _) = http(port, "GET", "/metrics", None).expect("GET /metrics");
    assert_eq!(status, 404);
}
