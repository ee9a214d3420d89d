//! The differential topic test: chanx-runtime serves chanx 2.13's topic
//! protocol exactly as chanx does.
//!
//! Serves `topics_app.py` (chanx 2.13 on FastAPI) and `topics-server` (the
//! Rust generated from `specs/topics.json`, the document chanx emits for
//! the app, with `src/topics.rs` as its consumer and topics), runs the steps
//! of `topic_steps.jsonl` against both (connect, send a frame, broadcast into
//! a topic from outside any connection, disconnect) and, after each step,
//! compares what every open connection received: as JSON and byte for byte.
//! Any difference fails the test.
//!
//! Collecting a step's frames: every open connection is sent
//! `{"action":"ping","ref":"sync-N"}` and read up to the frame carrying
//! that ref (the hub answers `pong`, a topic route `pong` on its topic or
//! `not_subscribed`); that frame is left out. chanx-runtime handles a
//! connection's frames and pushes one at a time, so that is exact for it.
//! chanx handles each topic frame in a task of its own, so the sync answer
//! may overtake a topic answer: on the chanx side the test then waits
//! until it has as many frames as the Rust side gave (a frame too many
//! shows up in the next step and fails it). A broadcast's push and the sync
//! ping can also reach a Rust connection at once, the ping handled first,
//! so the Rust side is then read again up to chanx's count.
//!
//! Also checks that `specs/topics.json` and `topic_steps.jsonl` are what
//! `topics_app.py --asyncapi` and `gen_topic_steps.py` write.

#[path = "support/pyjson.rs"]
mod pyjson;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chanx_e2e_support::{self as e2e, Server};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// How long a server may take to answer a sync ping.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long chanx may take for a frame that the sync answer overtook.
const STRAGGLER_TIMEOUT: Duration = Duration::from_secs(5);

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn say(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

// --- steps ----------------------------------------------------------------------

enum Action {
    Connect(String),
    Send(String),
    Broadcast(String),
    Disconnect,
}

struct Step {
    name: String,
    conn: Option<String>,
    action: Action,
}

fn load_steps() -> Vec<Step> {
    let text =
        std::fs::read_to_string(here().join("topic_steps.jsonl")).expect("read topic_steps.jsonl");
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let entry: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("topic_steps.jsonl:{}: {e}", i + 1));
            let text = |key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let action = if let Some(path) = text("connect") {
                Action::Connect(path)
            } else if let Some(frame) = text("text") {
                Action::Send(frame)
            } else if let Some(body) = entry.get("broadcast") {
                Action::Broadcast(body.to_string())
            } else if entry.get("disconnect").is_some() {
                Action::Disconnect
            } else {
                panic!("topic_steps.jsonl:{}: no action", i + 1)
            };
            Step {
                name: text("name")
                    .unwrap_or_else(|| panic!("topic_steps.jsonl:{}: no name", i + 1)),
                conn: text("conn"),
                action,
            }
        })
        .collect()
}

// --- one server -------------------------------------------------------------------

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The open connections to one server, by step name.
struct Side {
    port: u16,
    sockets: BTreeMap<String, Socket>,
}

impl Side {
    async fn apply(&mut self, step: &Step) {
        let conn = step.conn.clone().unwrap_or_default();
        match &step.action {
            Action::Connect(path) => {
                let url = format!("ws://127.0.0.1:{}{path}", self.port);
                let socket = tokio_tungstenite::connect_async(&url)
                    .await
                    .unwrap_or_else(|e| panic!("{}: connect to {url}: {e}", step.name))
                    .0;
                self.sockets.insert(conn, socket);
            }
            Action::Send(text) => {
                let socket = self
                    .sockets
                    .get_mut(&conn)
                    .expect("the step's connection is open");
                socket
                    .send(Message::text(text.clone()))
                    .await
                    .unwrap_or_else(|e| panic!("{}: send: {e}", step.name));
            }
            Action::Broadcast(body) => {
                let port = self.port;
                let body = body.clone();
                let (status, answer) = tokio::task::spawn_blocking(move || {
                    e2e::http(port, "POST", "/broadcast", Some(&body))
                })
                .await
                .expect("the broadcast request ran")
                .unwrap_or_else(|e| panic!("{}: POST /broadcast: {e}", step.name));
                assert_eq!(
                    status, 200,
                    "{}: POST /broadcast answered {answer}",
                    step.name
                );
            }
            Action::Disconnect => {
                if let Some(mut socket) = self.sockets.remove(&conn) {
                    let _ = socket.close(None).await;
                    // Read to the end so the server has seen the close.
                    while let Ok(Some(Ok(_))) =
                        tokio::time::timeout(ANSWER_TIMEOUT, socket.next()).await
                    {
                    }
                }
            }
        }
    }

    /// What each open connection received since the last step, read up to
    /// the answer to sync ping `n`; on a connection where `expect` says how
    /// many frames the other side got, waits for that many.
    async fn collect(
        &mut self,
        n: usize,
        expect: Option<&BTreeMap<String, Vec<String>>>,
    ) -> BTreeMap<String, Vec<String>> {
        let sync_ref = format!("sync-{n}");
        let mut received = BTreeMap::new();
        for (conn, socket) in &mut self.sockets {
            let sync = format!(r#"{{"action":"ping","ref":"{sync_ref}"}}"#);
            socket
                .send(Message::text(sync))
                .await
                .expect("send the sync ping");
            let wanted = expect.and_then(|e| e.get(conn)).map_or(0, Vec::len);
            let mut frames = Vec::new();
            let mut synced = false;
            let mut deadline = Instant::now() + ANSWER_TIMEOUT;
            loop {
                if synced && frames.len() >= wanted {
                    break;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                let message = match tokio::time::timeout(left, socket.next()).await {
                    Err(_) if synced => break,
                    Err(_) => {
                        frames.push(format!(
                            "<no answer to {sync_ref} within {ANSWER_TIMEOUT:?}>"
                        ));
                        break;
                    }
                    Ok(None) | Ok(Some(Err(_))) => {
                        frames.push("<connection lost>".to_owned());
                        break;
                    }
                    Ok(Some(Ok(message))) => message,
                };
                match message {
                    Message::Text(text) => {
                        let is_sync = pyjson::parse(text.as_str())
                            .is_some_and(|v| v.get("ref").is_some_and(|r| r.is_str(&sync_ref)));
                        if is_sync && !synced {
                            synced = true;
                            deadline = Instant::now() + STRAGGLER_TIMEOUT;
                        } else {
                            frames.push(text.to_string());
                        }
                    }
                    Message::Close(close) => {
                        frames.push(format!("<close {:?}>", close.map(|c| u16::from(c.code))));
                        break;
                    }
                    Message::Binary(bytes) => frames.push(format!("<binary {bytes:?}>")),
                    _ => {}
                }
            }
            received.insert(conn.clone(), frames);
        }
        received
    }
}

impl Side {
    /// Reads more frames on each connection that got fewer than `other`
    /// says, for up to [`STRAGGLER_TIMEOUT`].
    async fn top_up(
        &mut self,
        received: &mut BTreeMap<String, Vec<String>>,
        other: &BTreeMap<String, Vec<String>>,
    ) {
        for (conn, socket) in &mut self.sockets {
            let wanted = other.get(conn).map_or(0, Vec::len);
            let frames = received.entry(conn.clone()).or_default();
            let deadline = Instant::now() + STRAGGLER_TIMEOUT;
            while frames.len() < wanted {
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, socket.next()).await {
                    Ok(Some(Ok(Message::Text(text)))) => frames.push(text.to_string()),
                    Ok(Some(Ok(_))) => {}
                    _ => break,
                }
            }
        }
    }
}

fn same_json(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| match (pyjson::parse(a), pyjson::parse(b)) {
                (Some(a), Some(b)) => a == b,
                _ => a == b,
            })
}

fn show(frames: &BTreeMap<String, Vec<String>>) -> String {
    let mut out = String::new();
    for (conn, list) in frames {
        let _ = write!(out, "\n    [{conn}]");
        if list.is_empty() {
            out.push_str(" (nothing)");
        }
        for frame in list {
            let _ = write!(out, "\n      {}", frame.escape_debug());
        }
    }
    out
}

#[test]
fn chanx_runtime_serves_topics_as_chanx() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let steps = load_steps();
    let logs = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));

    let python_port = e2e::free_port();
    let mut command = Command::new(&python);
    command
        .arg(here().join("topics_app.py"))
        .arg(python_port.to_string());
    let mut chanx_server = Server::start(command, &logs.join("topics-chanx.log"));
    chanx_server.wait_for_http(python_port, "/asyncapi.json", Duration::from_secs(30));

    let rust_port = e2e::free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_topics-server"));
    command.args(["--bind", &format!("127.0.0.1:{rust_port}")]);
    let mut rust_server = Server::start(command, &logs.join("topics-rust.log"));
    rust_server.wait_for_listen(rust_port, Duration::from_secs(30));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let results = runtime.block_on(async {
        let mut chanx = Side {
            port: python_port,
            sockets: BTreeMap::new(),
        };
        let mut rust = Side {
            port: rust_port,
            sockets: BTreeMap::new(),
        };
        let mut results = Vec::new();
        for (n, step) in steps.iter().enumerate() {
            tokio::join!(chanx.apply(step), rust.apply(step));
            let mut from_rust = rust.collect(n, None).await;
            let from_chanx = chanx.collect(n, Some(&from_rust)).await;
            // A push may also reach a Rust connection after its sync
            // answer (a client frame and a layer message ready at once).
            rust.top_up(&mut from_rust, &from_chanx).await;
            results.push((from_chanx, from_rust));
        }
        results
    });
    let elapsed = started.elapsed();
    drop(rust_server);
    drop(chanx_server);

    let mut frames = 0;
    let mut byte_identical = 0;
    let mut failures = String::new();
    let mut failing = Vec::new();
    for (step, (chanx, rust)) in steps.iter().zip(&results) {
        let conns: Vec<&String> = chanx.keys().chain(rust.keys()).collect();
        let mut same = chanx.len() == rust.len();
        for conn in conns {
            let (a, b) = (
                chanx.get(conn).map_or(&[][..], Vec::as_slice),
                rust.get(conn).map_or(&[][..], Vec::as_slice),
            );
            same &= same_json(a, b);
            frames += a.len().max(b.len());
            byte_identical += a.iter().zip(b).filter(|(a, b)| a == b).count();
        }
        if !same {
            failing.push(step.name.as_str());
            let _ = write!(
                failures,
                "\n--- DIFFERS: {}\n  chanx:{}\n  rust:{}\n",
                step.name,
                show(chanx),
                show(rust)
            );
        }
    }
    say(&failures);
    say(&format!(
        "topics: {}/{} steps identical; {byte_identical}/{frames} frames byte-identical; {:.1} s",
        steps.len() - failing.len(),
        steps.len(),
        elapsed.as_secs_f64()
    ));
    assert!(
        failing.is_empty(),
        "{} of {} topic steps are answered differently by chanx-runtime and chanx: {failing:?}",
        failing.len(),
        steps.len()
    );
    assert!(frames > 100, "the session exchanged only {frames} frames");
}

/// `specs/topics.json` is the document chanx emits for `topics_app.py`.
#[test]
fn checked_in_topic_document_is_what_chanx_emits() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let mut command = Command::new(python);
    command.arg(here().join("topics_app.py")).arg("--asyncapi");
    let emitted = e2e::run(command, Duration::from_secs(60));
    emitted.assert_success("topics_app.py --asyncapi");
    let checked_in = std::fs::read_to_string(here().join("../../specs/topics.json"))
        .expect("read specs/topics.json");
    assert!(
        emitted.stdout == checked_in,
        "specs/topics.json is stale; rewrite it with \
         `tests/interop/.venv/bin/python tests/conformance/topics_app.py --asyncapi > specs/topics.json`"
    );
}

/// `topic_steps.jsonl` is what `gen_topic_steps.py` writes.
#[test]
fn checked_in_steps_are_what_gen_topic_steps_writes() {
    if !e2e::has_program("python3") {
        e2e::skip("python3 is not installed");
        return;
    }
    let mut command = Command::new("python3");
    command
        .arg(here().join("gen_topic_steps.py"))
        .arg("--check");
    e2e::run(command, Duration::from_secs(60)).assert_success(
        "gen_topic_steps.py --check (topic_steps.jsonl is stale: run `python3 tests/conformance/gen_topic_steps.py`)",
    );
}
