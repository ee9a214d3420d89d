//! The load generator: tokio-tungstenite clients against a server child
//! process on loopback. Every load stops at a deadline and every wait has a
//! timeout.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{SinkExt, StreamExt, stream};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::{Instant, sleep, timeout, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::servers::{Kind, Options};
use crate::stats::quantile;

type Socket = WebSocketStream<TcpStream>;

const PING: &str = r#"{"action":"ping","payload":null}"#;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections opened at once.
const CONNECT_CONCURRENCY: usize = 64;

/// A server child process; ended when dropped.
pub struct ServerProcess {
    child: Child,
    // Closing it tells the server to exit, should the kill below not happen.
    _stdin: Option<ChildStdin>,
    pub port: u16,
}

impl ServerProcess {
    pub fn start(kind: Kind) -> Result<Self> {
        Self::start_with(kind, &Options::default())
    }

    /// A server started with `options` (a Redis channel layer, limits).
    pub fn start_with(kind: Kind, options: &Options) -> Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["__serve", kind.name()])
            .args(options.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the server process")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok());
        let Some(port) = port else {
            crate::child::kill(&mut child);
            bail!("{} server did not start: {line:?}", kind.name());
        };
        Ok(ServerProcess {
            child,
            _stdin: stdin,
            port,
        })
    }

    /// The server's resident set, in KiB.
    pub fn rss_kib(&self) -> Result<u64> {
        crate::sys::rss_kib(self.child.id()).ok_or_else(|| anyhow!("cannot read the server's RSS"))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        crate::child::kill(&mut self.child);
    }
}

async fn connect(port: u16) -> Result<Socket> {
    let attempt = async {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        // Small buffers: thousands of clients share this process.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let url = format!("ws://127.0.0.1:{port}/ws/chat");
        let (socket, _) =
            tokio_tungstenite::client_async_with_config(url, stream, Some(config)).await?;
        anyhow::Ok(socket)
    };
    timeout(CONNECT_TIMEOUT, attempt)
        .await
        .map_err(|_| anyhow!("connect timed out"))?
}

/// Opens `count` connections and completes one ping → pong on each, so the
/// server has fully set every one of them up (groups joined).
async fn connect_ready(port: u16, count: usize) -> Result<Vec<Socket>> {
    stream::iter(0..count)
        .map(|_| async move {
            let mut socket = connect(port).await?;
            round_trip(&mut socket).await?;
            anyhow::Ok(socket)
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// Sends a ping and waits for the next text frame.
async fn round_trip(socket: &mut Socket) -> Result<()> {
    socket.send(Message::text(PING)).await?;
    next_text(socket, Instant::now() + REPLY_TIMEOUT).await?;
    Ok(())
}

async fn next_text(socket: &mut Socket, deadline: Instant) -> Result<String> {
    loop {
        match timeout_at(deadline, socket.next()).await {
            Err(_) => bail!("no reply in time"),
            Ok(None) => bail!("connection closed"),
            Ok(Some(frame)) => {
                if let Message::Text(text) = frame? {
                    return Ok(text.to_string());
                }
            }
        }
    }
}

/// Latencies in nanoseconds and a rate.
#[derive(Debug, Clone)]
pub struct Measured {
    pub per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
}

impl Measured {
    fn from_samples(mut nanos: Vec<u32>, events: u64, window: Duration) -> Self {
        nanos.sort_unstable();
        let us = |q| f64::from(quantile(&nanos, q)) / 1_000.0;
        Measured {
            per_second: events as f64 / window.as_secs_f64(),
            p50_us: us(0.5),
            p99_us: us(0.99),
            p999_us: us(0.999),
        }
    }
}

fn nanos(d: Duration) -> u32 {
    u32::try_from(d.as_nanos()).unwrap_or(u32::MAX)
}

/// Closed-loop ping → pong on `connections` connections for `duration`
/// (after `warmup`, not counted).
pub async fn ping_pong(
    port: u16,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured> {
    let sockets = connect_ready(port, connections).await?;
    let measure_from = Instant::now() + warmup;
    let end = measure_from + duration;
    let tasks: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while Instant::now() < end {
                    let sent = Instant::now();
                    if socket.send(Message::text(PING)).await.is_err()
                        || next_text(&mut socket, end + REPLY_TIMEOUT).await.is_err()
                    {
                        break;
                    }
                    let received = Instant::now();
                    if sent >= measure_from && received <= end {
                        samples.push(nanos(received - sent));
                    }
                }
                samples
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await?);
    }
    if all.is_empty() {
        bail!("no round trip completed");
    }
    let count = all.len() as u64;
    Ok(Measured::from_samples(all, count, duration))
}

/// One publisher sends `chat` frames, each relayed by the server to every
/// connection; `subscribers` connections receive them. At most `window`
/// broadcasts are in flight, so no queue overflows.
pub async fn broadcast(
    port: u16,
    subscribers: usize,
    window: u64,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured> {
    broadcast_across(&[port], subscribers, window, warmup, duration).await
}

/// [`broadcast`] with the subscribers spread evenly over the servers on
/// `ports` (which share a channel layer); the publisher is on the first.
pub async fn broadcast_across(
    ports: &[u16],
    subscribers: usize,
    window: u64,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured> {
    let mut sockets = Vec::new();
    for (i, &port) in ports.iter().enumerate() {
        let share = subscribers / ports.len() + usize::from(i < subscribers % ports.len());
        sockets.extend(connect_ready(port, share).await?);
    }
    let port = *ports.first().ok_or_else(|| anyhow!("no server"))?;
    let publisher = connect_ready(port, 1)
        .await?
        .pop()
        .ok_or_else(|| anyhow!("no publisher"))?;
    let base = Instant::now();
    let measure_from = base + warmup;
    let end = measure_from + duration;
    let delivered = Arc::new(AtomicU64::new(0));
    let progress = Arc::new(Notify::new());

    let receivers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let delivered = delivered.clone();
            let progress = progress.clone();
            tokio::spawn(async move {
                let mut samples = Vec::new();
                let mut counted = 0u64;
                while let Ok(text) = next_text(&mut socket, end).await {
                    let received = Instant::now();
                    delivered.fetch_add(1, Ordering::Relaxed);
                    progress.notify_one();
                    let Some(sent_ns) = sent_at(&text) else {
                        continue;
                    };
                    let sent = base + Duration::from_nanos(sent_ns);
                    if sent >= measure_from && received <= end {
                        counted += 1;
                        samples.push(nanos(received.saturating_duration_since(sent)));
                    }
                }
                (samples, counted)
            })
        })
        .collect();

    let (mut sink, mut own_copies) = publisher.split();
    // The publisher is in the room too: read its copies so its queue never fills.
    let drain =
        tokio::spawn(
            async move { while let Ok(Some(_)) = timeout_at(end, own_copies.next()).await {} },
        );
    let mut sequence = 0u64;
    while Instant::now() < end {
        let needed = sequence.saturating_sub(window) * subscribers as u64;
        while delivered.load(Ordering::Relaxed) < needed && Instant::now() < end {
            // A lost frame must not stall the run: re-check every 50 ms.
            let _ = timeout(Duration::from_millis(50), progress.notified()).await;
        }
        let sent_ns = base.elapsed().as_nanos();
        let frame =
            format!(r#"{{"action":"chat","payload":{{"message":"{sequence} {sent_ns}"}}}}"#);
        if sink.send(Message::text(frame)).await.is_err() {
            break;
        }
        sequence += 1;
    }
    let mut samples = Vec::new();
    let mut counted = 0;
    for receiver in receivers {
        let (s, c) = receiver.await?;
        samples.extend(s);
        counted += c;
    }
    drain.abort();
    if samples.is_empty() {
        bail!("no broadcast delivered");
    }
    Ok(Measured::from_samples(samples, counted, duration))
}

/// The send time carried in a relayed chat message (`User: SEQ NANOS`).
fn sent_at(text: &str) -> Option<u64> {
    let start = text.find("User: ")? + "User: ".len();
    let rest = &text[start..];
    let end = rest.find('"')?;
    rest[..end].split(' ').nth(1)?.parse().ok()
}

/// Server memory per idle connection, in KiB, with `connections` open.
pub async fn idle_memory(kind: Kind, connections: usize) -> Result<f64> {
    let server = ServerProcess::start(kind)?;
    // One connection first, so the runtime's one-off allocations are in the baseline.
    let warm = connect_ready(server.port, 1).await?;
    sleep(Duration::from_millis(200)).await;
    let before = server.rss_kib()?;
    let sockets = connect_ready(server.port, connections).await?;
    sleep(Duration::from_millis(500)).await;
    let after = server.rss_kib()?;
    drop(sockets);
    drop(warm);
    Ok(after.saturating_sub(before) as f64 / connections as f64)
}

/// What stalled handshakes cost a server, and how it sheds them.
#[derive(Debug, Clone)]
pub struct Shed {
    /// Server RSS per stalled connection while they are held, in KiB.
    pub per_stalled_kib: f64,
    /// The longest a stalled connection stayed open, from its TCP
    /// connection until the server ended it; `None` when one was still
    /// open at the limit.
    pub all_shed_after: Option<Duration>,
    /// How long a new client took to connect and get a pong meanwhile.
    pub newcomer: Duration,
}

/// Opens `count` connections that send half an upgrade request and stall,
/// then a normal client, and waits (up to `limit`) for the server (started
/// with `options`) to end the stalled ones.
pub async fn stalled_handshakes(
    kind: Kind,
    options: &Options,
    count: usize,
    limit: Duration,
) -> Result<Shed> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = ServerProcess::start_with(kind, options)?;
    let port = server.port;
    let warm = connect_ready(port, 1).await?;
    sleep(Duration::from_millis(200)).await;
    let before = server.rss_kib()?;
    let request = "GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n";
    let started = Instant::now();
    let stalled: Vec<(TcpStream, Instant)> = stream::iter(0..count)
        .map(|_| async move {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
            // From the connection, not the first SYN: a SYN the full listen
            // backlog dropped is retried a second later.
            let opened = Instant::now();
            stream.write_all(request.as_bytes()).await?;
            anyhow::Ok((stream, opened))
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    sleep(Duration::from_millis(500)).await;
    let during = server.rss_kib()?;
    let newcomer_from = Instant::now();
    connect_ready(port, 1).await?;
    let newcomer = newcomer_from.elapsed();
    let ends = stalled.into_iter().map(|(mut stream, opened)| async move {
        let mut chunk = [0u8; 1024];
        loop {
            match timeout_at(started + limit, stream.read(&mut chunk)).await {
                Err(_) => return None,
                Ok(Ok(0)) | Ok(Err(_)) => return Some(opened.elapsed()),
                Ok(Ok(_)) => {}
            }
        }
    });
    let shed: Option<Vec<Duration>> = futures_util::future::join_all(ends)
        .await
        .into_iter()
        .collect();
    drop(warm);
    Ok(Shed {
        per_stalled_kib: during.saturating_sub(before) as f64 / count as f64,
        all_shed_after: shed.map(|ends| ends.into_iter().max().unwrap_or_default()),
        newcomer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_send_time_from_a_relayed_message() {
        let text = r#"{"action":"chat_notification","payload":{"message":"User: 12 345678"}}"#;
        assert_eq!(sent_at(text), Some(345_678));
        assert_eq!(sent_at(r#"{"action":"pong","payload":null}"#), None);
    }
}
