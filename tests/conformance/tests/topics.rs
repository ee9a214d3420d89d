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

#[path = "support/mutate.rs"]
mod mutate;
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
                // A send may fail when the server closed after the previous
                // frame: what it sent is read (and compared) either way.
                let _ = socket.send(Message::text(text.clone())).await;
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
            if socket.send(Message::text(sync)).await.is_err() {
                received.insert(conn.clone(), vec!["<closed>".to_owned()]);
                continue;
            }
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

/// One step's answers on both sides, compared.
struct Compared {
    /// The same connections got the same frames, as JSON.
    same: bool,
    /// Frames received (the larger count of the two sides, per connection).
    frames: usize,
    byte_identical: usize,
}

impl Compared {
    fn of(chanx: &BTreeMap<String, Vec<String>>, rust: &BTreeMap<String, Vec<String>>) -> Self {
        let mut compared = Compared {
            same: chanx.len() == rust.len(),
            frames: 0,
            byte_identical: 0,
        };
        for conn in chanx.keys().chain(rust.keys()) {
            let (a, b) = (
                chanx.get(conn).map_or(&[][..], Vec::as_slice),
                rust.get(conn).map_or(&[][..], Vec::as_slice),
            );
            compared.same &= same_json(a, b);
            compared.frames += a.len().max(b.len());
            compared.byte_identical += a.iter().zip(b).filter(|(a, b)| a == b).count();
        }
        compared
    }
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

/// `topics_app.py` under the Python chanx and `topics-server`, each logging
/// to `$CARGO_TARGET_TMPDIR/<name>-{chanx,rust}.log`.
struct TopicServers {
    // Held to stop each server when dropped.
    _chanx: Server,
    _rust: Server,
    python_port: u16,
    rust_port: u16,
}

impl TopicServers {
    fn start(python: &Path, name: &str) -> TopicServers {
        let logs = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let python_port = e2e::free_port();
        let mut command = Command::new(python);
        command
            .arg(here().join("topics_app.py"))
            .arg(python_port.to_string());
        let mut chanx = Server::start(command, &logs.join(format!("{name}-chanx.log")));
        chanx.wait_for_http(python_port, "/asyncapi.json", Duration::from_secs(30));

        let rust_port = e2e::free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_topics-server"));
        command.args(["--bind", &format!("127.0.0.1:{rust_port}")]);
        let mut rust = Server::start(command, &logs.join(format!("{name}-rust.log")));
        rust.wait_for_listen(rust_port, Duration::from_secs(30));
        TopicServers {
            _chanx: chanx,
            _rust: rust,
            python_port,
            rust_port,
        }
    }

    /// No connection yet to either server.
    fn sides(&self) -> (Side, Side) {
        let side = |port| Side {
            port,
            sockets: BTreeMap::new(),
        };
        (side(self.python_port), side(self.rust_port))
    }
}

/// The single-threaded runtime both tests drive their connections on.
fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Applies `step` to both servers and returns what every open connection
/// of each received (chanx's, the Rust server's).
async fn run_step(
    chanx: &mut Side,
    rust: &mut Side,
    step: &Step,
    n: usize,
) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, Vec<String>>) {
    tokio::join!(chanx.apply(step), rust.apply(step));
    let mut from_rust = rust.collect(n, None).await;
    let from_chanx = chanx.collect(n, Some(&from_rust)).await;
    // A push may also reach a Rust connection after its sync answer (a
    // client frame and a layer message ready at once).
    rust.top_up(&mut from_rust, &from_chanx).await;
    (from_chanx, from_rust)
}

#[test]
fn chanx_runtime_serves_topics_as_chanx() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let steps = load_steps();
    let servers = TopicServers::start(&python, "topics");
    let runtime = current_thread_runtime();
    let started = Instant::now();
    let results = runtime.block_on(async {
        let (mut chanx, mut rust) = servers.sides();
        let mut results = Vec::new();
        for (n, step) in steps.iter().enumerate() {
            results.push(run_step(&mut chanx, &mut rust, step, n).await);
        }
        results
    });
    let elapsed = started.elapsed();
    drop(servers);

    let mut frames = 0;
    let mut byte_identical = 0;
    let mut failures = String::new();
    let mut failing = Vec::new();
    for (step, (chanx, rust)) in steps.iter().zip(&results) {
        let compared = Compared::of(chanx, rust);
        frames += compared.frames;
        byte_identical += compared.byte_identical;
        if !compared.same {
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

// --- the mutant campaign ------------------------------------------------------------

/// How many steps [`mutated_topic_frames_are_served_as_chanx_serves_them`]
/// takes unless `CHANX_TOPIC_MUTANTS` says otherwise.
const DEFAULT_TOPIC_MUTANTS: usize = 600;

/// Member names of `topics_app.py`'s messages, and a few none has.
const TOPIC_KEYS: &[&str] = &[
    "action",
    "topic",
    "ref",
    "payload",
    "user_name",
    "text_body",
    "mood",
    "userName",
    "textBody",
    "percent",
    "text",
    "level",
    "title",
    "rank",
    "version",
    "seq",
    "extra",
    "",
];

/// The hub's actions, the server's and some nobody handles.
const TOPIC_ACTIONS: &[&str] = &[
    "ping",
    "subscribe",
    "unsubscribe",
    "post",
    "progress",
    "whoami",
    "pong",
    "posted",
    "room_event",
    "not_subscribed",
    "error",
    "nope",
    "",
];

fn topic_field_pool(key: &str) -> &'static [&'static str] {
    match key {
        "topic" => &[
            r#""room:42""#,
            r#""room:1""#,
            r#""room:7""#,
            r#""room:""#,
            r#""room:secret""#,
            r#""room:s""#,
            r#""room:v""#,
            r#""feed:news""#,
            r#""run:7:step:2""#,
            r#""run:7:step:x""#,
            r#""room:42:x""#,
            r#""Room:42""#,
            r#"" room:42""#,
            r#""room:42\n""#,
            r#""nope:1""#,
            "42",
            r#"["room:42"]"#,
            "null",
            r#""""#,
            r#""room:café☃""#,
            r#""room:{room_id}""#,
            r#""room:a b""#,
            r#""room:%34%32""#,
        ],
        "ref" => &[
            r#""1""#,
            "1",
            "null",
            "[1]",
            r#"{"a": 1}"#,
            r#""""#,
            "true",
            "1.5",
            r#""sync-0""#,
        ],
        "user_name" | "userName" => &[
            r#""ann""#,
            r#""""#,
            r#""aaaaaaaaaaaaaaaaaaaa""#,
            r#""aaaaaaaaaaaaaaaaaaaaa""#,
            "1",
            r#""😀""#,
        ],
        "mood" => &[r#""happy""#, r#""sad""#, r#""HAPPY""#, "null", "1", r#""""#],
        "percent" => &["0", "100", "101", "-1", "50.0", "50.5", r#""50""#, "null"],
        _ => &[],
    }
}

/// Broadcast bodies are taken as they are: the test endpoint of each app
/// answers 200 only to a well-formed one.
fn topic_vocabulary() -> mutate::Vocabulary {
    mutate::Vocabulary {
        keys: TOPIC_KEYS,
        actions: TOPIC_ACTIONS,
        envelope: &["ref", "topic", "action", "payload", "version", "zzz"],
        field_pool: topic_field_pool,
        values: &[r#""room:42""#, r#""feed:news""#, r#""run:7:step:2""#],
        // chanx's topic answers have no documented difference.
        known: |frame| mutate::holds_integer_beyond_i64(frame),
    }
}

/// The seeded topic campaign: three hub connections and a feed connection
/// take turns sending mutants of the hub frames of `topic_steps.jsonl`
/// (subscribing, posting, unsubscribing with topics, refs and payloads
/// changed), with broadcasts of the steps' bodies between them, and every
/// connection's frames are compared after each step, as in
/// [`chanx_runtime_serves_topics_as_chanx`]. A connection the server
/// closes is opened again. `CHANX_TOPIC_MUTANTS` sets how many steps,
/// `CHANX_FUZZ_SEED` the seed.
#[test]
fn mutated_topic_frames_are_served_as_chanx_serves_them() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let count = mutate::env_number("CHANX_TOPIC_MUTANTS", DEFAULT_TOPIC_MUTANTS as u64) as usize;
    let seed = mutate::env_number("CHANX_FUZZ_SEED", 2_013);
    let recorded = load_steps();
    let hub: Vec<&str> = recorded
        .iter()
        .filter(|step| matches!(step.conn.as_deref(), Some("a" | "b" | "c")))
        .filter_map(|step| match &step.action {
            Action::Send(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let broadcasts: Vec<&Step> = recorded
        .iter()
        .filter(|step| matches!(step.action, Action::Broadcast(_)))
        .collect();
    let mutator = mutate::Mutator::new(mutate::seeds(hub.into_iter()), topic_vocabulary());
    let mut rng = mutate::Rng::new(seed);
    let connections = [
        ("a", "/ws/hub"),
        ("b", "/ws/hub"),
        ("c", "/ws/hub"),
        ("f", "/ws/feed/news"),
    ];
    let connect = |conn: &str, path: &str| Step {
        name: format!("connect {conn}"),
        conn: Some(conn.to_owned()),
        action: Action::Connect(path.to_owned()),
    };

    let servers = TopicServers::start(&python, "topics-mutants");
    let runtime = current_thread_runtime();
    let started = Instant::now();
    let (failures, failing, frames, sent, reconnects, steps_run) = runtime.block_on(async {
        let (mut chanx, mut rust) = servers.sides();
        for (n, (conn, path)) in connections.iter().enumerate() {
            run_step(&mut chanx, &mut rust, &connect(conn, path), n).await;
        }
        let mut failures = String::new();
        let mut failing = 0;
        let mut frames = 0;
        let mut sent = 0;
        let mut reconnects = 0;
        let mut steps_run = 0;
        let mut closed: Vec<&str> = Vec::new();
        for n in connections.len()..connections.len() + count {
            let step = if let Some(conn) = closed.pop() {
                reconnects += 1;
                let path = connections
                    .iter()
                    .find(|(c, _)| *c == conn)
                    .map_or("", |c| c.1);
                connect(conn, path)
            } else if rng.below(10) == 0 {
                let recorded = *rng.pick(&broadcasts);
                Step {
                    name: recorded.name.clone(),
                    conn: None,
                    action: match &recorded.action {
                        Action::Broadcast(body) => Action::Broadcast(body.clone()),
                        _ => unreachable!("only broadcasts were kept"),
                    },
                }
            } else {
                let Some(text) = mutator.mutant(&mut rng) else {
                    continue;
                };
                sent += 1;
                Step {
                    name: text.clone(),
                    conn: Some(rng.pick(&["a", "b", "c"]).to_string()),
                    action: Action::Send(text),
                }
            };
            let (from_chanx, from_rust) = run_step(&mut chanx, &mut rust, &step, n).await;
            steps_run += 1;
            let compared = Compared::of(&from_chanx, &from_rust);
            frames += compared.frames;
            if !compared.same {
                failing += 1;
                if failing <= 20 {
                    let _ = write!(
                        failures,
                        "\n--- DIFFERS at step {n}: {} on {}\n  chanx:{}\n  rust:{}\n",
                        step.name.escape_debug(),
                        step.conn.as_deref().unwrap_or("(no connection)"),
                        show(&from_chanx),
                        show(&from_rust)
                    );
                }
            }
            // A connection either server closed is opened again on both.
            for (conn, _) in connections {
                let ended = |side: &BTreeMap<String, Vec<String>>| {
                    side.get(conn)
                        .and_then(|frames| frames.last())
                        .is_some_and(|last| {
                            last.starts_with("<close")
                                || last == "<connection lost>"
                                || last == "<closed>"
                        })
                };
                if ended(&from_chanx) || ended(&from_rust) {
                    closed.push(conn);
                }
            }
        }
        (failures, failing, frames, sent, reconnects, steps_run)
    });
    let elapsed = started.elapsed();
    drop(servers);
    say(&failures);
    let summary = format!(
        "topic mutants (seed {seed}): {}/{steps_run} steps identical, {sent} mutants sent, \
         {frames} frames compared, {reconnects} reconnections; {:.1} s",
        steps_run - failing,
        elapsed.as_secs_f64()
    );
    say(&summary);
    assert!(
        frames > count,
        "the campaign exchanged only {frames} frames\n{summary}"
    );
    assert!(
        failing == 0,
        "{failing} of {steps_run} topic steps are answered differently by chanx-runtime and chanx \
         (the first 20 are printed above)\n{summary}"
    );
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
