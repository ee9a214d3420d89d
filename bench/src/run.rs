//! The benchmark sections, each producing tables.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::codegen::{self, Budget, Document};
use crate::load::{self, Measured, ServerProcess};
use crate::servers::{Kind, Logging, Options};
use crate::table::{self, Table};

/// How big a run is.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub smoke: bool,
}

/// rustc's instructions checking the Rust generated from documents
/// (valgrind): the synthetic 1k and 10k documents and the largest real
/// one; a smoke run counts `specs/chat.yaml` only.
pub fn instructions(sizes: Sizes) -> Result<Table> {
    let scratch = std::env::temp_dir().join(format!("chanx-bench-{}", std::process::id()));
    let docs = documents(sizes, &scratch)?;
    let table = instructions_table(&docs, sizes);
    let _ = std::fs::remove_dir_all(&scratch);
    table
}

fn instructions_table(docs: &[Document], sizes: Sizes) -> Result<Table> {
    let chosen: Vec<&Document> = if sizes.smoke {
        docs.iter()
            .filter(|d| d.label == "specs/chat.yaml")
            .collect()
    } else {
        let largest = docs
            .iter()
            .filter(|d| !d.label.starts_with("synthetic"))
            .max_by_key(|d| d.lines);
        let synthetic = |label: &str| docs.iter().find(|d| d.label == label);
        synthetic("synthetic 1k")
            .into_iter()
            .chain(largest)
            .chain(synthetic("synthetic 10k"))
            .collect()
    };
    let mut table = Table::new(
        "Compiling the generated Rust: rustc's instructions",
        &[
            "document",
            "document lines",
            "generated Rust lines",
            "rustc instructions (cargo check)",
            "per document line",
        ],
    );
    for doc in chosen {
        eprintln!("instructions: {}", doc.label);
        let counted = codegen::instructions(doc)?;
        let count = counted.instructions as f64;
        table.push(vec![
            doc.label.clone(),
            table::rate(doc.lines as f64),
            table::rate(counted.rust_lines as f64),
            format!("{:.4} billion", count / 1e9),
            format!("{:.3} million", count / doc.lines as f64 / 1e6),
        ]);
    }
    Ok(table)
}

impl Sizes {
    fn chanx_budget(self) -> Budget {
        if self.smoke {
            Budget {
                runs: 3,
                per_document: Duration::from_millis(200),
                process_repeats: 0,
                limit: Duration::from_secs(60),
            }
        } else {
            Budget {
                runs: 20,
                per_document: Duration::from_secs(3),
                process_repeats: 3,
                limit: Duration::from_secs(300),
            }
        }
    }

    fn modelina_budget(self) -> Budget {
        if self.smoke {
            Budget {
                runs: 0,
                per_document: Duration::ZERO,
                process_repeats: 0,
                limit: Duration::from_secs(60),
            }
        } else {
            Budget {
                runs: 5,
                per_document: Duration::from_secs(5),
                process_repeats: 1,
                limit: Duration::from_secs(240),
            }
        }
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus() -> PathBuf {
    repo().join("../shared/specs-corpus")
}

/// The documents of a run: real ones, then synthetic ones of growing size.
fn documents(sizes: Sizes, scratch: &Path) -> Result<Vec<Document>> {
    let mut docs = vec![Document::new(
        "specs/chat.yaml",
        repo().join("specs/chat.yaml"),
    )?];
    if !sizes.smoke {
        for (label, relative) in [
            (
                "corpus chanx/client-generation-schema.json",
                "chanx/client-generation-schema.json",
            ),
            (
                "corpus asyncapi-spec/slack-rtm-asyncapi.yml",
                "asyncapi-spec/slack-rtm-asyncapi.yml",
            ),
        ] {
            let path = corpus().join(relative);
            if path.is_file() {
                docs.push(Document::new(label, path)?);
            } else {
                eprintln!("skipping {label}: no corpus at {}", corpus().display());
            }
        }
        // An exchange's whole WebSocket API (the repository's own corpus).
        docs.push(Document::new(
            "corpus openxapi Binance USD-M futures",
            repo().join("tests/corpus/openxapi-openxapi/specs/binance/asyncapi/umfutures.yaml"),
        )?);
    }
    let synthetic: &[usize] = if sizes.smoke {
        &[1_000]
    } else {
        &[1_000, 10_000, 100_000]
    };
    std::fs::create_dir_all(scratch)?;
    for &lines in synthetic {
        let path = scratch.join(format!("synthetic-{}k.yaml", lines / 1000));
        std::fs::write(&path, crate::synth::document(lines))?;
        docs.push(Document::new(format!("synthetic {}k", lines / 1000), path)?);
    }
    Ok(docs)
}

/// Code generation: chanx beside Modelina, and compiling the generated Rust.
pub fn codegen(sizes: Sizes) -> Result<Vec<Table>> {
    let scratch = std::env::temp_dir().join(format!("chanx-bench-{}", std::process::id()));
    let docs = documents(sizes, &scratch)?;
    let modelina_ready = codegen::ensure_modelina();
    let cli = codegen::cli_binary()?;
    let mut table = Table::new(
        "Code generation: Rust + TypeScript from one document",
        &[
            "document",
            "lines",
            "chanx first run",
            "chanx median",
            "chanx µs/line",
            "chanx peak RSS",
            "chanx process",
            "Modelina median",
            "Modelina process",
            "Modelina peak RSS",
            "speed-up (median)",
            "speed-up (process)",
        ],
    );
    for doc in &docs {
        eprintln!("codegen: {}", doc.label);
        let chanx = codegen::chanx(doc, sizes.chanx_budget(), &cli, &scratch)?;
        let ours = &chanx.in_process;
        let mut row = vec![
            doc.label.clone(),
            table::rate(doc.lines as f64),
            table::micros(ours.first_us),
            table::micros(ours.median_us),
            table::sig3(ours.median_us / doc.lines as f64),
            table::mib(chanx.process_peak_kib),
            table::duration(chanx.process),
        ];
        let modelina = match &modelina_ready {
            Ok(()) => codegen::modelina(doc, sizes.modelina_budget()),
            Err(error) => Err(format!("not run: {error}")),
        };
        match modelina {
            Ok(m) => row.extend([
                table::micros(m.median_ms * 1_000.0),
                table::duration(m.process),
                table::mib(m.peak_kib),
                table::ratio(m.median_ms * 1_000.0 / ours.median_us),
                table::ratio(m.process.as_secs_f64() / chanx.process.as_secs_f64()),
            ]),
            Err(cell) => {
                row.push(cell.replace('|', "\\|"));
                row.extend(std::iter::repeat_n("—".to_string(), 4));
            }
        }
        table.push(row);
    }
    let mut tables = vec![table];
    if !sizes.smoke {
        tables.push(compile_table(&docs)?);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(tables)
}

/// Only the compile table.
pub fn compile(sizes: Sizes) -> Result<Table> {
    let scratch = std::env::temp_dir().join(format!("chanx-bench-{}", std::process::id()));
    let docs = documents(sizes, &scratch)?;
    let table = compile_table(&docs);
    let _ = std::fs::remove_dir_all(&scratch);
    table
}

/// Compiling the Rust generated from the largest real document (the
/// synthetic ones only repeat a pattern) and the 10,000-line synthetic one.
fn compile_table(docs: &[Document]) -> Result<Table> {
    let largest = docs
        .iter()
        .filter(|d| !d.label.starts_with("synthetic"))
        .max_by_key(|d| d.lines);
    let ten_k = docs.iter().find(|d| d.label == "synthetic 10k");
    let mut compile = Table::new(
        "Compiling the generated Rust",
        &[
            "document",
            "document lines",
            "generated Rust lines",
            "cargo check (generated crate alone)",
            "check ms per document line",
            "cargo build (generated crate alone)",
        ],
    );
    for doc in largest.into_iter().chain(ten_k) {
        eprintln!("compile: {}", doc.label);
        let compiled = codegen::compile(doc, 3)?;
        compile.push(vec![
            doc.label.clone(),
            table::rate(doc.lines as f64),
            table::rate(compiled.rust_lines as f64),
            table::duration(compiled.check),
            table::sig3(compiled.check.as_secs_f64() * 1_000.0 / doc.lines as f64),
            table::duration(compiled.build),
        ]);
    }
    Ok(compile)
}

impl Sizes {
    /// Rounds of the logging table (its rows differ by less than the
    /// machine's drift between two runs).
    fn logging_rounds(self) -> usize {
        if self.smoke { 1 } else { 3 }
    }

    /// Rounds of the rows that pair chanx with the hand-written server.
    fn paired_rounds(self) -> usize {
        if self.smoke { 1 } else { 7 }
    }

    /// Warm-up and measured time of one load.
    fn load_time(self) -> (Duration, Duration) {
        if self.smoke {
            (Duration::ZERO, Duration::from_millis(300))
        } else {
            (Duration::from_millis(500), Duration::from_secs(3))
        }
    }
}

/// Runtime load beside the hand-written server.
pub fn runtime(sizes: Sizes) -> Result<Vec<Table>> {
    let fd_limit = crate::sys::raise_fd_limit();
    let (warmup, duration) = sizes.load_time();
    let ping_connections: &[usize] = if sizes.smoke {
        &[1, 10]
    } else {
        &[1, 10, 100, 1_000]
    };
    let subscribers: &[usize] = if sizes.smoke { &[10] } else { &[100, 1_000] };
    // Each idle connection costs the client one descriptor; keep headroom.
    let idle = if sizes.smoke { 100 } else { 10_000 };
    let idle = idle.min(fd_limit.saturating_sub(256) as usize);

    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut table = Table::new(
        "Runtime: the chat server on chanx-runtime beside a hand-written tokio-tungstenite server",
        &[
            "load",
            "measure",
            "chanx",
            "hand-written",
            "chanx / hand-written",
            "target",
        ],
    );
    // The two servers in alternating rounds, each row the median round of
    // each: one run apiece swung the ratio by a tenth either way on a
    // shared machine. The ratio is the median of the rounds' own ratios: a
    // round's two runs are back to back, so a slow spell of the machine
    // weighs on both sides of it.
    let rounds = sizes.paired_rounds();
    let both = |f: &dyn Fn(u16) -> Result<Measured>| -> Result<Paired> {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            // Each goes first in every other round.
            let order = if round % 2 == 0 {
                [Kind::Chanx, Kind::Baseline]
            } else {
                [Kind::Baseline, Kind::Chanx]
            };
            for kind in order {
                let server = ServerProcess::start(kind)?;
                let measured = f(server.port)?;
                match kind {
                    Kind::Chanx => ours.push(measured),
                    _ => theirs.push(measured),
                }
            }
        }
        let mut ratios: Vec<f64> = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b): (&Measured, &Measured)| {
                a.per_second / b.per_second.max(f64::MIN_POSITIVE)
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        let ratio = ratios.get(ratios.len() / 2).copied().context("no round")?;
        let ours = median_run(ours).context("no chanx run")?;
        let theirs = median_run(theirs).context("no hand-written run")?;
        Ok(Paired {
            ours,
            theirs,
            ratio,
        })
    };
    for &connections in ping_connections {
        eprintln!("runtime: ping → pong, {connections} connection(s)");
        let paired =
            both(&|port| client.block_on(load::ping_pong(port, connections, warmup, duration)))?;
        let load = format!(
            "ping → pong, {} connection(s)",
            table::rate(connections as f64)
        );
        push_measured(&mut table, &load, "round trips/s", &paired);
    }
    for &count in subscribers {
        eprintln!("runtime: broadcast to {count} subscribers");
        let paired =
            both(&|port| client.block_on(load::broadcast(port, count, 8, warmup, duration)))?;
        let load = format!("chat broadcast, {} subscribers", table::rate(count as f64));
        push_measured(&mut table, &load, "deliveries/s", &paired);
    }
    let logging = logging_cost(&client, warmup, duration, sizes.logging_rounds())?;
    eprintln!("runtime: per-frame cost in process");
    for (name, nanos) in crate::frames::cost(
        crate::frames::per_round(sizes.smoke),
        crate::frames::ROUNDS,
        None,
    )? {
        table.push(vec![
            format!("{name}, in process (no sockets)"),
            "server work per frame".into(),
            format!("{} µs", table::sig3(nanos / 1_000.0)),
            "—".into(),
            "—".into(),
            "—".into(),
        ]);
    }
    eprintln!("runtime: {idle} idle connections");
    let ours = client.block_on(load::idle_memory(Kind::Chanx, idle))?;
    let theirs = client.block_on(load::idle_memory(Kind::Baseline, idle))?;
    eprintln!("runtime: {idle} idle connections through the axum adapter");
    let axum = client.block_on(load::idle_memory(Kind::Axum, idle))?;
    for (entry, measured) in [("", ours), (", through the axum adapter", axum)] {
        table.push(vec![
            format!("{} idle connections{entry}", table::rate(idle as f64)),
            "server RSS per connection".into(),
            format!("{} KiB", table::sig3(measured)),
            format!("{} KiB", table::sig3(theirs)),
            table::ratio(measured / theirs.max(0.001)),
            "≤ 32 KiB".into(),
        ]);
    }
    if !sizes.smoke {
        for &count in subscribers {
            for python in [false, true] {
                let (servers, load) = if python {
                    ("a Rust and a Python chanx server", "Rust + Python")
                } else {
                    ("two Rust servers", "Rust + Rust")
                };
                eprintln!("runtime: broadcast to {count} subscribers on {servers} sharing Redis");
                let load = format!(
                    "chat broadcast, {} subscribers on 2 servers ({load}) sharing one Redis",
                    table::rate(count as f64)
                );
                match client.block_on(redis_broadcast(count, python, warmup, duration)) {
                    Ok(measured) => push_unpaired(&mut table, &load, "deliveries/s", &measured),
                    Err(error) => table.push(vec![
                        load,
                        "deliveries/s".into(),
                        format!("not measured: {error}").replace('|', "\\|"),
                        "—".into(),
                        "—".into(),
                        "—".into(),
                    ]),
                }
            }
        }
    }
    Ok(vec![table, logging])
}

/// What logging costs under load (the logging table of `runtime` alone).
pub fn logging(sizes: Sizes) -> Result<Table> {
    let (warmup, duration) = sizes.load_time();
    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    logging_cost(&client, warmup, duration, sizes.logging_rounds())
}

/// The run of median rate among `runs`.
fn median_run(mut runs: Vec<Measured>) -> Option<Measured> {
    runs.sort_by(|a, b| a.per_second.total_cmp(&b.per_second));
    let middle = runs.len() / 2;
    runs.into_iter().nth(middle)
}

/// Connections of the logging rows.
const LOGGING_CONNECTIONS: usize = 10;

/// Ping → pong on the chanx server with chat-server's subscriber
/// (`chanx_runtime::logging`, writing to a file through its non-blocking
/// writer) in each format, at the default filter and with a line per frame,
/// beside the same server without a subscriber, in `rounds` rounds.
fn logging_cost(
    client: &tokio::runtime::Runtime,
    warmup: Duration,
    duration: Duration,
    rounds: usize,
) -> Result<Table> {
    use chanx_runtime::logging::LogFormat;
    /// One row: a log subscriber (`None`: no subscriber) and its target.
    struct Setup {
        name: &'static str,
        log: Option<(LogFormat, &'static str)>,
        target: &'static str,
    }
    const EVERY_FRAME: &str = "info,chanx_runtime::frames=debug";
    let unlogged = Setup {
        name: "none (no subscriber)",
        log: None,
        target: "—",
    };
    let logged = [
        Setup {
            name: "text, `info` (chat-server's default)",
            log: Some((LogFormat::Text, "info")),
            target: "≥ 0.8×",
        },
        Setup {
            name: "JSON, `info`",
            log: Some((LogFormat::Json, "info")),
            target: "≥ 0.8×",
        },
        Setup {
            name: "text, every frame (`chanx_runtime::frames=debug`)",
            log: Some((LogFormat::Text, EVERY_FRAME)),
            target: "—",
        },
        Setup {
            name: "JSON, every frame (`chanx_runtime::frames=debug`)",
            log: Some((LogFormat::Json, EVERY_FRAME)),
            target: "—",
        },
    ];
    let mut table = Table::new(
        &format!(
            "Logging under load: ping → pong, {LOGGING_CONNECTIONS} connections, chanx `Server`"
        ),
        &[
            "log subscriber",
            "round trips/s",
            "latency p50 / p99 / p999",
            "/ no subscriber",
            "target",
        ],
    );
    let measure = |setup: &Setup| -> Result<Measured> {
        eprintln!(
            "runtime: ping → pong, {LOGGING_CONNECTIONS} connections, logging: {}",
            setup.name
        );
        let options = Options {
            log: setup.log.map(|(format, filter)| Logging {
                format,
                filter: filter.to_owned(),
            }),
            ..Options::default()
        };
        let server = ServerProcess::start_with(Kind::Chanx, &options)?;
        client.block_on(load::ping_pong(
            server.port,
            LOGGING_CONNECTIONS,
            warmup,
            duration,
        ))
    };
    // Rounds of every setup in turn: a drift of the machine's load reaches
    // them all alike, and each row is its median round.
    let setups: Vec<&Setup> = std::iter::once(&unlogged).chain(&logged).collect();
    let mut runs: Vec<Vec<Measured>> = vec![Vec::new(); setups.len()];
    for _ in 0..rounds {
        for (setup, runs) in setups.iter().zip(&mut runs) {
            runs.push(measure(setup)?);
        }
    }
    let medians: Vec<Measured> = runs.into_iter().filter_map(median_run).collect();
    let baseline = medians.first().map_or(f64::NAN, |m| m.per_second);
    for (setup, measured) in setups.iter().zip(medians) {
        let (name, target) = (setup.name, setup.target);
        table.push(vec![
            name.to_owned(),
            table::rate(measured.per_second),
            format!(
                "{} / {} / {} µs",
                table::sig3(measured.p50_us),
                table::sig3(measured.p99_us),
                table::sig3(measured.p999_us)
            ),
            table::ratio(measured.per_second / baseline),
            target.to_owned(),
        ]);
    }
    Ok(table)
}

/// What hostile clients cost each entry point: memory per idle connection,
/// and what stalled handshakes (half an upgrade request, then nothing) cost
/// and how soon they are shed, with the default limits (smoke: a short
/// handshake timeout, few connections).
pub fn hostile(sizes: Sizes) -> Result<Table> {
    let fd_limit = crate::sys::raise_fd_limit();
    let (idle, stalled) = if sizes.smoke { (50, 20) } else { (10_000, 500) };
    let idle = idle.min(fd_limit.saturating_sub(256) as usize);
    let options = Options {
        handshake_timeout: sizes.smoke.then_some(Duration::from_millis(500)),
        ..Options::default()
    };
    let limit = if sizes.smoke {
        Duration::from_secs(3)
    } else {
        Duration::from_secs(30)
    };
    let timeout = options
        .handshake_timeout
        .unwrap_or(chanx_runtime::DEFAULT_HANDSHAKE_TIMEOUT);
    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut table = Table::new(
        "Memory per idle connection and stalled handshakes, by entry point",
        &[
            "server",
            "handshake timeout",
            "idle connections",
            "server RSS per idle connection",
            "stalled handshakes",
            "server RSS per stalled handshake",
            "all stalled shed after",
            "a new client's ping answered after",
        ],
    );
    for (kind, name, shed_by) in [
        (
            Kind::Chanx,
            "chanx-runtime `Server`",
            table::duration(timeout),
        ),
        (
            Kind::Axum,
            "chanx-runtime `axum::serve`",
            table::duration(timeout),
        ),
        (
            Kind::Baseline,
            "hand-written tokio-tungstenite",
            "none".to_owned(),
        ),
    ] {
        eprintln!("hostile: {} idle connections on {}", idle, kind.name());
        let idle_kib = client.block_on(load::idle_memory(kind, idle))?;
        eprintln!("hostile: {stalled} stalled handshakes on {}", kind.name());
        let shed = client.block_on(load::stalled_handshakes(kind, &options, stalled, limit))?;
        let after = shed.all_shed_after.map_or_else(
            || format!("not shed within {}", table::duration(limit)),
            table::duration,
        );
        table.push(vec![
            name.to_owned(),
            shed_by,
            table::rate(idle as f64),
            format!("{} KiB", table::sig3(idle_kib)),
            table::rate(stalled as f64),
            format!("{} KiB", table::sig3(shed.per_stalled_kib)),
            after,
            table::duration(shed.newcomer),
        ]);
    }
    Ok(table)
}

/// redis-server on a free loopback port, ended when dropped.
struct RedisServer {
    child: std::process::Child,
    port: u16,
}

impl RedisServer {
    fn start() -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("redis-server not started: {e}"))?;
        let server = RedisServer { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!("redis-server did not listen on port {port}")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        crate::child::kill(&mut self.child);
    }
}

/// Broadcasts across two servers on one Redis: the publisher and half the
/// subscribers on a Rust server, the other half on a second Rust server or,
/// with `python`, on the Python chanx chat of the interop tests
/// (`tests/interop/chanx_redis_chat.py`, fast-channels' `RedisChannelLayer`).
async fn redis_broadcast(
    subscribers: usize,
    python: bool,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured> {
    let redis = RedisServer::start()?;
    let url = format!("redis://127.0.0.1:{}/0", redis.port);
    let options = Options {
        redis: Some(url.clone()),
        ..Options::default()
    };
    let a = ServerProcess::start_with(Kind::Chanx, &options)?;
    let (b, b_port) = if python {
        let server = PythonChat::start(&url)?;
        let port = server.port;
        (Err(server), port)
    } else {
        let server = ServerProcess::start_with(Kind::Chanx, &options)?;
        let port = server.port;
        (Ok(server), port)
    };
    let measured =
        load::broadcast_across(&[a.port, b_port], subscribers, 8, warmup, duration).await;
    drop((a, b, redis));
    measured
}

/// The Python chanx chat server of the interop tests, ended when dropped.
struct PythonChat {
    child: std::process::Child,
    port: u16,
}

impl PythonChat {
    fn start(redis: &str) -> Result<Self> {
        let interop = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop");
        let python = interop.join(".venv/bin/python");
        if !python.exists() {
            anyhow::bail!("no interop virtualenv (scripts/python-venv.sh makes it)");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = std::process::Command::new(python)
            .arg(interop.join("chanx_redis_chat.py"))
            .args(["serve", &port.to_string(), "--redis", redis])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .map_err(|e| anyhow::anyhow!("the Python chat server did not start: {e}"))?;
        let server = PythonChat { child, port };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        anyhow::bail!("the Python chat server did not listen on port {port}")
    }
}

impl Drop for PythonChat {
    fn drop(&mut self) {
        crate::child::kill(&mut self.child);
    }
}

fn push_unpaired(table: &mut Table, load: &str, what: &str, ours: &Measured) {
    table.push(vec![
        load.to_string(),
        what.to_string(),
        table::rate(ours.per_second),
        "—".into(),
        "—".into(),
        "—".into(),
    ]);
    table.push(vec![
        load.to_string(),
        "latency p50 / p99 / p999".into(),
        format!(
            "{} / {} / {} µs",
            table::sig3(ours.p50_us),
            table::sig3(ours.p99_us),
            table::sig3(ours.p999_us)
        ),
        "—".into(),
        "—".into(),
        "—".into(),
    ]);
}

/// A paired row: each server's median round, and the median of the rounds'
/// ratios of chanx to the hand-written server.
struct Paired {
    ours: Measured,
    theirs: Measured,
    ratio: f64,
}

fn push_measured(table: &mut Table, load: &str, what: &str, paired: &Paired) {
    let Paired {
        ours,
        theirs,
        ratio,
    } = paired;
    table.push(vec![
        load.to_string(),
        what.to_string(),
        table::rate(ours.per_second),
        table::rate(theirs.per_second),
        table::ratio(*ratio),
        "≥ 0.9×".into(),
    ]);
    let latency = |m: &Measured| {
        format!(
            "{} / {} / {} µs",
            table::sig3(m.p50_us),
            table::sig3(m.p99_us),
            table::sig3(m.p999_us)
        )
    };
    table.push(vec![
        load.to_string(),
        "latency p50 / p99 / p999".into(),
        latency(ours),
        latency(theirs),
        table::ratio(ours.p50_us / theirs.p50_us.max(0.001)),
        "—".into(),
    ]);
}
