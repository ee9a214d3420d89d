//! The differential conformance test: a chanx-runtime server answers every
//! client frame exactly as the Python chanx does.
//!
//! Serves `app.py` (chanx 2.13 on FastAPI, from the pinned venv that
//! `scripts/python-venv.sh` creates) and `conformance-server` (this crate:
//! the Rust generated from `asyncapi.json`, the document chanx emits for
//! `app.py`), opens one WebSocket to each, sends every frame of
//! `frames.jsonl` to both and compares the answers: parsed as JSON (see
//! `support/pyjson.rs` for what counts as equal) and byte for byte. It
//! prints the counts and every difference, writes a full report to
//! `$CARGO_TARGET_TMPDIR/conformance-report.jsonl`, and fails when a frame
//! differs, unless its name is in the `## Known differences` table of
//! `docs/wire-protocol.md`.
//!
//! Collecting the answers to one frame: after the frame the test sends
//! `{"action":"ping","ref":"sync-N"}` and takes every frame up to the pong
//! carrying that ref (the pong itself left out). chanx-runtime handles the
//! frames of a connection one at a time, so that is exact for it. chanx
//! handles each frame in its own asyncio task: replies normally leave in
//! order, since the tasks start in order and run without waiting until they
//! send, but a frame with a `topic` is answered after an `await` on
//! structlog's thread pool, and the pong can overtake it. chanx answers every
//! client frame exactly once (`send_completion` is off), so on the chanx side
//! the test also waits, after the pong, for that one answer when it has not
//! come yet. A frame after which the server closes the connection is
//! recorded as `close <code>`, and the test connects again.
//!
//! Also checks that the checked-in `asyncapi.json` and `frames.jsonl` are what
//! `app.py --asyncapi` and `gen_frames.py` write.
//!
//! Skips with a notice when python3 is missing (fails instead when
//! `CHANX_E2E_REQUIRED` is set, as in `scripts/test.sh`).

#[path = "support/app_vocabulary.rs"]
mod app_vocabulary;
#[path = "support/mutate.rs"]
mod mutate;
#[path = "support/pyjson.rs"]
mod pyjson;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chanx_e2e_support::{self as e2e, Server, repo_root};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// How long a server may take to answer the sync ping.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait after the sync pong for chanx's one answer.
const STRAGGLER_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest frame or answer text printed in a difference.
const PRINT_LIMIT: usize = 700;

fn here() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Straight to stderr: the test harness swallows `println!` of passing tests.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

// --- frames and known differences ---------------------------------------------

struct Frame {
    name: String,
    text: String,
    binary: bool,
}

fn load_frames() -> Vec<Frame> {
    let path = here().join("frames.jsonl");
    let text = std::fs::read_to_string(&path).expect("read frames.jsonl");
    let mut names = BTreeSet::new();
    let frames: Vec<Frame> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let entry: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("frames.jsonl:{}: {e}", i + 1));
            let field = |key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::to_string);
            let frame = Frame {
                name: field("name").unwrap_or_else(|| panic!("frames.jsonl:{}: no name", i + 1)),
                text: field("text").unwrap_or_else(|| panic!("frames.jsonl:{}: no text", i + 1)),
                binary: entry.get("binary").and_then(|v| v.as_bool()) == Some(true),
            };
            assert!(
                names.insert(frame.name.clone()),
                "frames.jsonl:{}: duplicate name {}",
                i + 1,
                frame.name
            );
            frame
        })
        .collect();
    assert!(!frames.is_empty(), "frames.jsonl is empty");
    frames
}

/// The frame names of the `## Known differences` table of docs/wire-protocol.md
/// (first column, backticks stripped).
fn known_differences() -> BTreeSet<String> {
    let path = repo_root().join("docs/wire-protocol.md");
    let doc = std::fs::read_to_string(&path).expect("read docs/wire-protocol.md");
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Known differences"))
        .expect("docs/wire-protocol.md has a `## Known differences` section");
    section
        .lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .skip(2) // header and separator
        .filter_map(|row| row.trim().trim_start_matches('|').split('|').next())
        .map(|cell| cell.trim().trim_matches('`').to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The counts README.md quotes: frames sent, answers byte-identical and
/// known differences (the numbers in "sends N frames", "finds M answers"
/// and "the K known differences").
fn readme_counts() -> (usize, usize, usize) {
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("read README.md");
    let words: Vec<&str> = readme.split_whitespace().collect();
    let after = |word: &str, then: &str| -> usize {
        words
            .windows(3)
            .filter(|w| w[0] == word && w[2] == then)
            .find_map(|w| w[1].parse().ok())
            .unwrap_or_else(|| panic!("README.md has no \"{word} N {then}\""))
    };
    (
        after("sends", "frames"),
        after("finds", "answers"),
        after("the", "known"),
    )
}

// --- talking to a server --------------------------------------------------------

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One frame a server sent in answer to a client frame.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Text(String),
    Binary(Vec<u8>),
    /// The server closed the connection (with this close code, if any).
    Close(Option<u16>),
    /// No sync pong within [`ANSWER_TIMEOUT`].
    Timeout,
}

impl Answer {
    /// As shown in differences and in the report.
    fn show(&self) -> String {
        match self {
            Answer::Text(text) => text.clone(),
            Answer::Binary(bytes) => format!("<binary {bytes:?}>"),
            Answer::Close(Some(code)) => format!("<close {code}>"),
            Answer::Close(None) => "<closed without a close frame>".to_string(),
            Answer::Timeout => format!("<no sync pong within {ANSWER_TIMEOUT:?}>"),
        }
    }

    fn json(&self) -> Option<pyjson::Value> {
        match self {
            Answer::Text(text) => pyjson::parse(text),
            _ => None,
        }
    }
}

/// A WebSocket to one server, reopened after the server closes it.
struct Peer {
    url: String,
    socket: Option<Socket>,
    /// chanx answers every client frame exactly once (see the module docs).
    answers_every_frame: bool,
}

async fn connect(url: &str) -> Socket {
    tokio_tungstenite::connect_async(url)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"))
        .0
}

impl Peer {
    /// Sends `frame` and the sync ping `sync-<n>`, and returns what the
    /// server answered to `frame`.
    async fn exchange(&mut self, frame: &Frame, n: usize) -> Vec<Answer> {
        let sync_ref = format!("sync-{n}");
        let sync = format!(r#"{{"action":"ping","ref":"{sync_ref}"}}"#);
        let mut socket = match self.socket.take() {
            Some(socket) => socket,
            None => connect(&self.url).await,
        };
        let message = if frame.binary {
            Message::binary(frame.text.clone().into_bytes())
        } else {
            Message::text(frame.text.clone())
        };
        // A send may fail when the server closed after the previous frame;
        // what it answered is read below either way.
        let _ = socket.send(message).await;
        let _ = socket.send(Message::text(sync)).await;

        let mut answers = Vec::new();
        let mut deadline = Instant::now() + ANSWER_TIMEOUT;
        let mut synced = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(left, socket.next()).await;
            let message = match next {
                Err(_) if synced => break,
                Err(_) => {
                    answers.push(Answer::Timeout);
                    return answers;
                }
                Ok(None) | Ok(Some(Err(_))) => {
                    answers.push(Answer::Close(None));
                    return answers;
                }
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    let is_sync = pyjson::parse(text.as_str()).is_some_and(|v| {
                        v.get("action").is_some_and(|a| a.is_str("pong"))
                            && v.get("ref").is_some_and(|r| r.is_str(&sync_ref))
                    });
                    if !is_sync {
                        answers.push(Answer::Text(text.to_string()));
                        if synced {
                            break;
                        }
                    } else if answers.is_empty() && self.answers_every_frame {
                        synced = true;
                        deadline = Instant::now() + STRAGGLER_TIMEOUT;
                    } else {
                        break;
                    }
                }
                Message::Binary(bytes) => answers.push(Answer::Binary(bytes.to_vec())),
                Message::Close(close) => {
                    answers.push(Answer::Close(close.map(|c| u16::from(c.code))));
                    return answers;
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
        self.socket = Some(socket);
        answers
    }
}

// --- comparing ----------------------------------------------------------------

/// Whether two answer lists are the same as JSON (texts that are not JSON
/// must be equal as text).
fn same_json(a: &[Answer], b: &[Answer]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| match (a.json(), b.json()) {
            (Some(a), Some(b)) => a == b,
            _ => a == b,
        })
}

/// `text` cut to [`PRINT_LIMIT`] bytes, control characters escaped (`\u{0}`)
/// so a NUL or a newline in a frame does not garble the output.
fn clip(text: &str) -> String {
    let mut end = text.len().min(PRINT_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut shown: String = text[..end]
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    if end < text.len() {
        let _ = write!(shown, "… ({} more bytes)", text.len() - end);
    }
    shown
}

fn show_answers(answers: &[Answer]) -> String {
    match answers {
        [] => "(no answer)".to_string(),
        [one] => clip(&one.show()),
        many => many
            .iter()
            .enumerate()
            .map(|(i, a)| format!("\n    [{i}] {}", clip(&a.show())))
            .collect(),
    }
}

fn report_line(frame: &Frame, chanx: &[Answer], rust: &[Answer], verdict: &str) -> String {
    let answers = |list: &[Answer]| -> Vec<String> { list.iter().map(Answer::show).collect() };
    let line = serde_json::json!({
        "name": frame.name,
        "verdict": verdict,
        "text": frame.text,
        "chanx": answers(chanx),
        "rust": answers(rust),
    });
    format!("{line}\n")
}

// --- the two servers ---------------------------------------------------------------

/// The Python chanx serving `app.py` and the Rust server generated from the
/// document it emits, each logging to `<logs>/<name>-{chanx,rust}.log`.
struct Servers {
    // Held to stop each server when dropped.
    _chanx: Server,
    _rust: Server,
    python_port: u16,
    rust_port: u16,
}

impl Servers {
    fn start(python: &Path, logs: &Path, name: &str) -> Servers {
        let python_port = e2e::free_port();
        let mut command = Command::new(python);
        command
            .arg(here().join("app.py"))
            .arg(python_port.to_string())
            // Fixes the order in which Python iterates over a frozenset of str
            // (see the known differences), so every run gets the same answers.
            .env("PYTHONHASHSEED", "0");
        let mut chanx = Server::start(command, &logs.join(format!("{name}-chanx.log")));
        chanx.wait_for_http(python_port, "/asyncapi.json", Duration::from_secs(30));

        let rust_port = e2e::free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_conformance-server"));
        command.args(["--bind", &format!("127.0.0.1:{rust_port}")]);
        let mut rust = Server::start(command, &logs.join(format!("{name}-rust.log")));
        rust.wait_for_listen(rust_port, Duration::from_secs(30));
        Servers {
            _chanx: chanx,
            _rust: rust,
            python_port,
            rust_port,
        }
    }

    /// Sends every frame to both servers, one at a time on one connection
    /// each (reopened after a close), and returns (chanx's, the Rust
    /// server's) answers to each.
    fn exchange_all(&self, frames: &[Frame]) -> Vec<(Vec<Answer>, Vec<Answer>)> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        runtime.block_on(async {
            let mut chanx = Peer {
                url: format!("ws://127.0.0.1:{}/ws/conformance", self.python_port),
                socket: None,
                answers_every_frame: true,
            };
            let mut rust = Peer {
                url: format!("ws://127.0.0.1:{}/ws/conformance", self.rust_port),
                socket: None,
                answers_every_frame: false,
            };
            let mut results = Vec::with_capacity(frames.len());
            for (n, frame) in frames.iter().enumerate() {
                results.push(tokio::join!(
                    chanx.exchange(frame, n),
                    rust.exchange(frame, n)
                ));
            }
            results
        })
    }
}

// --- the tests ------------------------------------------------------------------

#[test]
fn chanx_runtime_answers_every_frame_as_chanx() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let frames = load_frames();
    let known = known_differences();
    let unknown: Vec<&String> = known
        .iter()
        .filter(|name| !frames.iter().any(|f| &f.name == *name))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/wire-protocol.md lists known differences for frames that frames.jsonl does not hold: {unknown:?}"
    );

    let logs = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let servers = Servers::start(&python, &logs, "conformance");
    let started = Instant::now();
    let results = servers.exchange_all(&frames);
    let elapsed = started.elapsed();
    drop(servers);

    let total = frames.len();
    let mut identical = 0;
    let mut byte_identical = 0;
    let mut report = String::new();
    let mut differences = String::new();
    let mut failing = Vec::new();
    let mut known_seen = Vec::new();
    let mut known_now_same = Vec::new();
    for (frame, (chanx, rust)) in frames.iter().zip(&results) {
        let same = same_json(chanx, rust);
        let verdict = if chanx == rust {
            byte_identical += 1;
            identical += 1;
            "byte-identical"
        } else if same {
            identical += 1;
            "identical-json"
        } else if known.contains(&frame.name) {
            "known-difference"
        } else {
            "differs"
        };
        report.push_str(&report_line(frame, chanx, rust, verdict));
        if same {
            if known.contains(&frame.name) {
                known_now_same.push(frame.name.as_str());
            }
            continue;
        }
        let kind = if known.contains(&frame.name) {
            known_seen.push(frame.name.as_str());
            "known difference"
        } else {
            failing.push(frame.name.as_str());
            "DIFFERS"
        };
        let _ = write!(
            differences,
            "\n--- {kind}: {}\n  frame: {}\n  chanx: {}\n  rust:  {}\n",
            frame.name,
            clip(&frame.text),
            show_answers(chanx),
            show_answers(rust),
        );
    }
    let report_path = logs.join("conformance-report.jsonl");
    std::fs::write(&report_path, &report).expect("write the report");

    let summary = format!(
        "conformance: {identical}/{total} frames identical (as JSON)\n\
         conformance: {byte_identical}/{total} byte-identical\n\
         conformance: {} differ, {} of them known differences (docs/wire-protocol.md); \
         {:.1} s for {total} frames; full report: {}",
        total - identical,
        known_seen.len(),
        elapsed.as_secs_f64(),
        report_path.display()
    );
    say(&differences);
    say(&summary);
    if !known_now_same.is_empty() {
        say(&format!(
            "conformance: listed as known differences but now identical (remove them from docs/wire-protocol.md): {known_now_same:?}"
        ));
    }
    // The README quotes these counts; a new frame or a mended difference
    // is a README to update, not a stale claim.
    assert_eq!(
        readme_counts(),
        (total, byte_identical, known.len()),
        "README.md's differential test sentences (\"sends N frames … finds M answers \
         byte-identical … the K known differences\") must quote this run's counts"
    );
    const LISTED: usize = 40;
    let mut names = failing[..failing.len().min(LISTED)].join("\n");
    if failing.len() > LISTED {
        let _ = write!(names, "\n… and {} more", failing.len() - LISTED);
    }
    assert!(
        failing.is_empty(),
        "{} of {total} frames are answered differently by chanx-runtime and chanx \
         (every difference is printed above):\n{names}\n{summary}",
        failing.len(),
    );
}

/// How many mutants [`mutated_frames_are_answered_as_chanx_answers`] sends
/// unless `CHANX_CONFORMANCE_MUTANTS` says otherwise.
const DEFAULT_MUTANTS: usize = 3000;

/// The seeded campaign: mutants of the frames of `frames.jsonl` (see
/// `support/mutate.rs`) sent to chanx and to the Rust server, every answer
/// compared as JSON. `CHANX_CONFORMANCE_MUTANTS` sets how many (3,000 by
/// default), `CHANX_FUZZ_SEED` the seed; a difference is printed with the
/// mutant that caused it, and every mutant is in
/// `$CARGO_TARGET_TMPDIR/conformance-mutants.jsonl`.
#[test]
fn mutated_frames_are_answered_as_chanx_answers() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let count = mutate::env_number("CHANX_CONFORMANCE_MUTANTS", DEFAULT_MUTANTS as u64) as usize;
    let seed = mutate::env_number("CHANX_FUZZ_SEED", 2_013);
    let known = known_differences();
    let originals = load_frames();
    let seeds = mutate::seeds(
        originals
            .iter()
            .filter(|frame| !frame.binary && !known.contains(&frame.name))
            .map(|frame| frame.text.as_str()),
    );
    let mutator = mutate::Mutator::new(seeds, app_vocabulary::vocabulary());
    let mut rng = mutate::Rng::new(seed);
    let mut frames = Vec::with_capacity(count);
    let mut skipped = 0;
    while frames.len() < count {
        match mutator.mutant(&mut rng) {
            Some(text) => frames.push(Frame {
                name: format!("mutant-{}", frames.len()),
                text,
                binary: false,
            }),
            None => skipped += 1,
        }
    }

    let logs = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let servers = Servers::start(&python, &logs, "conformance-mutants");
    let started = Instant::now();
    let results = servers.exchange_all(&frames);
    let elapsed = started.elapsed();
    drop(servers);

    let mut report = String::new();
    let mut differences = String::new();
    let mut failing = 0;
    let mut byte_identical = 0;
    for (frame, (chanx, rust)) in frames.iter().zip(&results) {
        let same = same_json(chanx, rust);
        byte_identical += usize::from(chanx == rust);
        let verdict = if same { "identical-json" } else { "differs" };
        report.push_str(&report_line(frame, chanx, rust, verdict));
        if !same {
            failing += 1;
            if failing <= 40 {
                let _ = write!(
                    differences,
                    "\n--- DIFFERS: {}\n  frame: {}\n  chanx: {}\n  rust:  {}\n",
                    frame.name,
                    clip(&frame.text),
                    show_answers(chanx),
                    show_answers(rust),
                );
            }
        }
    }
    let report_path = logs.join("conformance-mutants.jsonl");
    std::fs::write(&report_path, &report).expect("write the report");
    let summary = format!(
        "conformance mutants (seed {seed}): {}/{count} identical as JSON, {byte_identical} \
         byte-identical; {skipped} more made and not sent (known differences); {:.1} s; \
         every mutant: {}",
        count - failing,
        elapsed.as_secs_f64(),
        report_path.display()
    );
    say(&differences);
    say(&summary);
    // Any answer at all: a campaign whose every frame timed out or was
    // refused at the door would compare nothing.
    let answered = results
        .iter()
        .filter(|(chanx, _)| chanx.iter().any(|a| matches!(a, Answer::Text(_))))
        .count();
    assert!(
        answered * 2 > count,
        "only {answered} of {count} mutants got a text answer from chanx\n{summary}"
    );
    assert!(
        failing == 0,
        "{failing} of {count} mutants are answered differently by chanx-runtime and chanx \
         (the first 40 are printed above)\n{summary}"
    );
}

/// `asyncapi.json` is the document chanx emits for `app.py`
/// (rewrite it with `tests/interop/.venv/bin/python tests/conformance/app.py --asyncapi > tests/conformance/asyncapi.json`).
#[test]
fn checked_in_document_is_what_chanx_emits() {
    let Some(python) = e2e::interop_python() else {
        return;
    };
    let mut command = Command::new(python);
    command.arg(here().join("app.py")).arg("--asyncapi");
    let emitted = e2e::run(command, Duration::from_secs(60));
    emitted.assert_success("app.py --asyncapi");
    let checked_in =
        std::fs::read_to_string(here().join("asyncapi.json")).expect("read asyncapi.json");
    assert!(
        emitted.stdout == checked_in,
        "tests/conformance/asyncapi.json is stale: chanx now emits a different document for app.py; \
         rewrite it with `tests/interop/.venv/bin/python tests/conformance/app.py --asyncapi > tests/conformance/asyncapi.json`"
    );
}

/// `frames.jsonl` is what `gen_frames.py` writes.
#[test]
fn checked_in_frames_are_what_gen_frames_writes() {
    if !e2e::has_program("python3") {
        e2e::skip("python3 is not installed");
        return;
    }
    let mut command = Command::new("python3");
    command.arg(here().join("gen_frames.py")).arg("--check");
    e2e::run(command, Duration::from_secs(60)).assert_success(
        "gen_frames.py --check (frames.jsonl is stale: run `python3 tests/conformance/gen_frames.py`)",
    );
}
