//! The servers under load, each run as a child process of this executable
//! (`chanx-bench __serve chanx|axum|baseline`) so its memory is its own.
//!
//! Each serves the chat protocol of `specs/chat.yaml` on `/ws/chat`: `ping` →
//! `pong`, and `chat` → `chat_notification` to every connection.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use chanx_example_chat::{Chat, ROOM, api::channels::chat::ChatServer};
use chanx_runtime::logging::{LogFormat, LogGuard};
use chanx_runtime::{ConsumerConfig, Route, Router, Server};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The chat example's consumer on chanx-runtime's `Server`.
    Chanx,
    /// The same consumer through the axum adapter, served with
    /// `chanx_runtime::axum::serve` (as `chat-server` serves it).
    Axum,
    /// A minimal hand-written tokio-tungstenite server: the ceiling.
    Baseline,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Chanx => "chanx",
            Kind::Axum => "axum",
            Kind::Baseline => "baseline",
        }
    }

    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "chanx" => Ok(Kind::Chanx),
            "axum" => Ok(Kind::Axum),
            "baseline" => Ok(Kind::Baseline),
            other => bail!("unknown server {other:?} (chanx, axum or baseline)"),
        }
    }
}

/// Serves on a free loopback port, prints `port N` on stdout, and exits when
/// stdin closes (so a server never outlives the bench that started it).
/// How a server child is started: `__serve KIND [--redis URL]
/// [--handshake-timeout-ms N]`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The chanx server's channel layer is this Redis.
    pub redis: Option<String>,
    /// The chanx servers' handshake timeout, instead of the default.
    pub handshake_timeout: Option<Duration>,
    /// Install the logging subscriber chat-server uses, writing to a file.
    pub log: Option<Logging>,
}

/// A logging setup under load: chat-server's subscriber (its non-blocking
/// writer) in `format`, with `filter` for RUST_LOG.
#[derive(Debug, Clone)]
pub struct Logging {
    pub format: LogFormat,
    pub filter: String,
}

impl Options {
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(url) = &self.redis {
            args.extend(["--redis".to_owned(), url.clone()]);
        }
        if let Some(timeout) = self.handshake_timeout {
            args.extend([
                "--handshake-timeout-ms".to_owned(),
                timeout.as_millis().to_string(),
            ]);
        }
        if let Some(log) = &self.log {
            args.extend([
                "--log".to_owned(),
                log.format.to_string(),
                "--log-filter".to_owned(),
                log.filter.clone(),
            ]);
        }
        args
    }

    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| anyhow!("{flag} needs a value"))?;
            match flag.as_str() {
                "--redis" => options.redis = Some(value.clone()),
                "--handshake-timeout-ms" => {
                    options.handshake_timeout = Some(Duration::from_millis(value.parse()?));
                }
                "--log" => {
                    let filter = options.log.take().map(|l| l.filter).unwrap_or_default();
                    let format = value.parse()?;
                    options.log = Some(Logging { format, filter });
                }
                "--log-filter" => {
                    let log = options.log.as_mut().ok_or_else(|| anyhow!("--log first"))?;
                    log.filter = value.clone();
                }
                other => bail!("unknown server option {other:?}"),
            }
        }
        Ok(options)
    }
}

pub fn serve(kind: Kind, options: Options) -> Result<()> {
    crate::sys::raise_fd_limit();
    // Kept until the process ends.
    let _log = options.log.as_ref().map(log_to_file).transpose()?;
    std::thread::spawn(|| {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            if line.is_err() {
                break;
            }
        }
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut stdout = std::io::stdout();
        writeln!(stdout, "port {port}")?;
        stdout.flush()?;
        match kind {
            Kind::Chanx => serve_chanx(listener, options).await,
            Kind::Axum => serve_axum(listener, options).await,
            Kind::Baseline => serve_baseline(listener).await,
        }
    })
}

async fn serve_chanx(listener: TcpListener, options: Options) -> Result<()> {
    let config = ConsumerConfig {
        groups: vec![ROOM.to_string()],
        ..ConsumerConfig::default()
    };
    let router = match &options.redis {
        Some(url) => Router::with_layer(chanx_runtime::layer::from_url(url).await?),
        None => Router::new(),
    };
    let router = router.route(Route::new(ChatServer::new(Chat)).config(config));
    let mut server = Server::from_listener(listener, router);
    if let Some(timeout) = options.handshake_timeout {
        server = server.handshake_timeout(timeout);
    }
    server.run().await?;
    Ok(())
}

async fn serve_axum(listener: TcpListener, options: Options) -> Result<()> {
    let config = ConsumerConfig {
        groups: vec![ROOM.to_string()],
        ..ConsumerConfig::default()
    };
    let router = Router::new().route(Route::new(ChatServer::new(Chat)).config(config));
    let mut served = chanx_runtime::axum::serve(listener, chanx_runtime::axum::routes(router));
    if let Some(timeout) = options.handshake_timeout {
        served = served.handshake_timeout(timeout);
    }
    served.await?;
    Ok(())
}

/// Installs `log` writing to a file that is unlinked at once: the lines
/// reach the disk as in production, and nothing is left behind.
fn log_to_file(log: &Logging) -> Result<LogGuard> {
    let path = std::env::temp_dir().join(format!("chanx-bench-log-{}.log", std::process::id()));
    let file = std::fs::File::create(&path)?;
    std::fs::remove_file(&path)?;
    Ok(chanx_runtime::logging::Logging::new(log.format)
        .filter(log.filter.clone())
        .writer(file)
        .init()?)
}

/// Every connection's outgoing queue, for broadcasts.
#[derive(Default)]
struct Hub {
    next_id: AtomicU64,
    peers: Mutex<HashMap<u64, mpsc::Sender<Message>>>,
}

impl Hub {
    fn join(&self, sender: mpsc::Sender<Message>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, sender);
        id
    }

    fn leave(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn broadcast(&self, frame: Message) {
        let peers: Vec<_> = self.lock().values().cloned().collect();
        for peer in peers {
            // A full queue drops the frame for that client only.
            let _ = peer.try_send(frame.clone());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, mpsc::Sender<Message>>> {
        self.peers.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Deserialize)]
struct Incoming<'a> {
    action: &'a str,
    #[serde(default)]
    payload: Option<ChatPayload>,
}

#[derive(Deserialize)]
struct ChatPayload {
    message: String,
}

async fn serve_baseline(listener: TcpListener) -> Result<()> {
    let hub = Arc::new(Hub::default());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        tokio::spawn(baseline_connection(stream, hub.clone()));
    }
}

async fn baseline_connection(stream: TcpStream, hub: Arc<Hub>) {
    let _ = stream.set_nodelay(true);
    // The read buffer chanx uses: the default's 128 KiB is all touched by the first read.
    let config = WebSocketConfig::default().read_buffer_size(chanx_runtime::READ_BUFFER_BYTES);
    let Ok(socket) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let (mut sink, mut frames) = socket.split();
    let (sender, mut outgoing) = mpsc::channel::<Message>(256);
    let id = hub.join(sender.clone());
    let writer = tokio::spawn(async move {
        while let Some(frame) = outgoing.recv().await {
            if sink.send(frame).await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(frame)) = frames.next().await {
        let Message::Text(text) = frame else {
            continue;
        };
        let Ok(incoming) = serde_json::from_str::<Incoming>(&text) else {
            continue;
        };
        match (incoming.action, incoming.payload) {
            ("ping", _) => {
                let pong = Message::text(r#"{"action":"pong","payload":null}"#);
                if sender.send(pong).await.is_err() {
                    break;
                }
            }
            ("chat", Some(payload)) => {
                let relayed = serde_json::json!({
                    "action": "chat_notification",
                    "payload": { "message": format!("User: {}", payload.message) },
                });
                hub.broadcast(Message::text(relayed.to_string()));
            }
            _ => {}
        }
    }
    hub.leave(id);
    drop(sender);
    let _ = writer.await;
}
