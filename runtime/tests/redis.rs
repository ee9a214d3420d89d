//! The Redis channel layer across real processes: a `redis-server` started
//! per test on a free loopback port, and chat servers that are copies of
//! this test binary running `redis_chat_server_process`.
#![cfg(feature = "redis")]

// The module chanx generates from specs/chat.yaml (not all of it is used here).
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "support/chat.rs"]
mod chat;
#[allow(dead_code)] // shared with the socket tests
#[path = "support/client.rs"]
mod client;
#[path = "support/redis_chat.rs"]
mod redis_chat;
#[path = "support/redis_server.rs"]
mod redis_server;

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::mpsc as std_mpsc,
    time::{Duration, Instant},
};

use chanx_runtime::{
    ChannelLayer, Layer, LayerError,
    layer::redis::{RedisConfig, RedisLayer},
};
use client::Client;
use redis_server::RedisServer;
use serde_json::{Value, json};

/// The environment variable that turns this binary into a chat server.
const SERVER_ARGS: &str = "CHANX_REDIS_CHAT_ARGS";

/// Not a test: the body of the server processes the tests start.
#[test]
#[ignore = "a chat server process, started by the other tests"]
fn redis_chat_server_process() {
    let Ok(args) = std::env::var(SERVER_ARGS) else {
        return;
    };
    let options = redis_chat::Options::parse(args.split_whitespace().map(str::to_owned))
        .expect("server options");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    if let Err(error) = runtime.block_on(redis_chat::serve(options)) {
        eprintln!("chat server failed: {error}");
        std::process::exit(1);
    }
}

// --- chat server processes ------------------------------------------------

struct ChatProcess {
    child: Child,
    addr: SocketAddr,
}

impl ChatProcess {
    /// A chat server on `redis_url`, with more `redis_chat::Options` flags.
    fn start(redis_url: &str, extra: &str) -> ChatProcess {
        let args = format!("--bind 127.0.0.1:0 --redis {redis_url} {extra}");
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["redis_chat_server_process", "--exact", "--ignored"])
            .args(["--nocapture", "--test-threads", "1"])
            .env(SERVER_ARGS, args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn chat server");
        let stdout = child.stdout.take().expect("stdout");
        let (found, listening) = std_mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest's "test … ..." may precede it on the same line.
                if let Some((_, addr)) = line.split_once("listening on ") {
                    let _ = found.send(addr.trim().to_owned());
                }
            }
        });
        let addr = match listening.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) => addr.parse().expect("address"),
            Err(_) => {
                let _ = child.kill();
                panic!("chat server process did not start listening");
            }
        };
        ChatProcess { child, addr }
    }

    fn url(&self) -> String {
        format!("ws://{}/ws/chat", self.addr)
    }

    /// `kill -9`: no chance to leave groups.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChatProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

// --- helpers --------------------------------------------------------------

/// A connected client, in group `chat` (its server answered a ping after
/// joining) and knowing its channel name.
async fn join(server: &ChatProcess) -> (Client, String) {
    let mut client = Client::connect(&server.url()).await;
    client.send_json(chat("whoami")).await;
    let frame = client.recv_json().await;
    assert_eq!(frame["action"], "notification", "{frame}");
    let name = frame["payload"]["message"]
        .as_str()
        .expect("channel name")
        .to_owned();
    (client, name)
}

fn chat(message: &str) -> Value {
    json!({"action": "chat", "payload": {"message": message}})
}

fn chat_notification(message: &str) -> Value {
    json!({"action": "chat_notification", "payload": {"message": message}})
}

fn notification(message: &str) -> Value {
    json!({"action": "notification", "payload": {"message": message, "level": "info"}})
}

/// A layer in the test process itself: a third process on the same Redis.
async fn observer(config: RedisConfig) -> (Layer, std::sync::Arc<RedisLayer>) {
    let layer = RedisLayer::connect(config).await.expect("connect observer");
    let layer = std::sync::Arc::new(layer);
    (Layer::from_arc(layer.clone()), layer)
}

/// Polls `group_channels(chat)` until it equals `expected`.
async fn wait_for_members(layer: &RedisLayer, expected: &[&str], within: Duration) -> Duration {
    let start = Instant::now();
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    loop {
        let members = layer.group_channels(redis_chat::GROUP).await;
        if members.as_ref().ok() == Some(&expected) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "group members {members:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const QUIET: Duration = Duration::from_millis(300);

// --- tests ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_messages_reach_every_member_on_every_process_once_in_order() {
    group_messages_once_in_order("").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_messages_reach_every_member_once_in_order_over_pubsub() {
    group_messages_once_in_order("--pubsub").await;
}

async fn group_messages_once_in_order(flags: &str) {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (one, two) = (
        ChatProcess::start(&redis.url(), flags),
        ChatProcess::start(&redis.url(), flags),
    );
    let (mut a1, _) = join(&one).await;
    let (mut a2, _) = join(&one).await;
    let (mut b1, _) = join(&two).await;
    let (mut b2, _) = join(&two).await;

    // Two senders on two processes, interleaving as fast as they can.
    const EACH: usize = 25;
    let started = Instant::now();
    for i in 0..EACH {
        a1.send_json(chat(&format!("a {i}"))).await;
        b1.send_json(chat(&format!("b {i}"))).await;
    }
    for client in [&mut a1, &mut a2, &mut b1, &mut b2] {
        let (mut from_a, mut from_b) = (Vec::new(), Vec::new());
        for _ in 0..2 * EACH {
            let frame = client.recv_json().await;
            assert_eq!(frame["action"], "chat_notification", "{frame}");
            let text = frame["payload"]["message"].as_str().expect("text");
            let (sender, n) = text.split_once(' ').expect("`sender n`");
            let n: usize = n.parse().expect("number");
            match sender {
                "a" => from_a.push(n),
                "b" => from_b.push(n),
                other => panic!("unexpected sender {other}"),
            }
        }
        let in_order: Vec<usize> = (0..EACH).collect();
        assert_eq!(from_a, in_order, "messages of a, as received");
        assert_eq!(from_b, in_order, "messages of b, as received");
    }
    println!(
        "{} broadcasts to 4 members on 2 processes delivered in {:?}",
        2 * EACH,
        started.elapsed()
    );
    for client in [&mut a1, &mut a2, &mut b1, &mut b2] {
        client.expect_silence(QUIET).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_sends_cross_processes() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (one, two) = (
        ChatProcess::start(&redis.url(), ""),
        ChatProcess::start(&redis.url(), ""),
    );
    let (mut a, a_name) = join(&one).await;
    let (mut b, b_name) = join(&two).await;
    assert_ne!(
        a_name.split_once('!').map(|p| p.0),
        b_name.split_once('!').map(|p| p.0),
        "channel names carry their process"
    );
    let (events, observer) = observer(RedisConfig::new(redis.url())).await;
    wait_for_members(&observer, &[&a_name, &b_name], Duration::from_secs(5)).await;

    // send_event from a handler on one process to a channel on the other.
    a.send_json(chat(&format!("to {b_name} hello b"))).await;
    b.expect(notification("hello b")).await;
    a.expect_silence(QUIET).await;

    // broadcast_event from a handler reaches both processes.
    b.send_json(chat("event all hands")).await;
    a.expect(notification("all hands")).await;
    b.expect(notification("all hands")).await;

    // And from a third process that serves no connection at all.
    events
        .broadcast_event(&redis_chat::notice("from outside"), &[redis_chat::GROUP])
        .await
        .expect("broadcast_event");
    a.expect(notification("from outside")).await;
    b.expect(notification("from outside")).await;
    events
        .send_event(&redis_chat::notice("just a"), &a_name)
        .await
        .expect("send_event");
    a.expect(notification("just a")).await;
    for client in [&mut a, &mut b] {
        client.expect_silence(QUIET).await;
    }

    // A channel that closed leaves its groups.
    b.close().await;
    wait_for_members(&observer, &[&a_name], Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberships_of_a_killed_process_expire() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    // Memberships lapse after 2 s unless refreshed; a process is dead 600 ms
    // after its last liveness refresh.
    const EXPIRY_MS: u64 = 2_000;
    const TTL_MS: u64 = 600;
    let flags = format!("--group-expiry-ms {EXPIRY_MS} --process-ttl-ms {TTL_MS}");
    let one = ChatProcess::start(&redis.url(), &flags);
    let mut two = ChatProcess::start(&redis.url(), &flags);
    let (mut a, a_name) = join(&one).await;
    let (_b, b_name) = join(&two).await;
    let config = RedisConfig::new(redis.url())
        .group_expiry(Duration::from_millis(EXPIRY_MS))
        .process_ttl(Duration::from_millis(TTL_MS));
    let (_, observer) = observer(config).await;
    wait_for_members(&observer, &[&a_name, &b_name], Duration::from_secs(5)).await;

    two.kill();
    let gone_after = wait_for_members(&observer, &[&a_name], Duration::from_secs(5)).await;
    println!("memberships of the killed process removed after {gone_after:?}");
    // The living process keeps its membership past the group expiry.
    tokio::time::sleep(Duration::from_millis(2 * EXPIRY_MS)).await;
    wait_for_members(&observer, &[&a_name], Duration::ZERO).await;
    a.send_json(chat("still here")).await;
    a.expect(chat_notification("still here")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_is_survived() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let one = ChatProcess::start(&redis.url(), "--process-ttl-ms 3000");
    let two = ChatProcess::start(&redis.url(), "--process-ttl-ms 3000");
    let (mut a, a_name) = join(&one).await;
    let (mut b, b_name) = join(&two).await;
    let (events, observer) = observer(RedisConfig::new(redis.url())).await;

    a.send_json(chat("before")).await;
    a.expect(chat_notification("before")).await;
    b.expect(chat_notification("before")).await;

    redis.kill();
    // Sends to another process fail rather than vanish...
    let sent = tokio::time::timeout(
        Duration::from_secs(10),
        events.send_event(&redis_chat::notice("lost"), &b_name),
    )
    .await
    .expect("send fails within its timeouts");
    assert!(matches!(sent, Err(LayerError::Backend(_))), "{sent:?}");
    // ...a broadcast still reaches the sender's own process, and the sender
    // learns that the rest missed it.
    // (The handler's error frame goes out before the relay it queued.)
    a.send_json(chat("during")).await;
    let error = a.recv_json().await;
    assert_eq!(error["action"], "error", "{error}");
    a.expect(chat_notification("during")).await;
    b.expect_silence(QUIET).await;

    redis.restart();
    // Reconnected and re-registered: Redis came back empty, so these
    // memberships can only be the processes' re-registrations.
    let back_after =
        wait_for_members(&observer, &[&a_name, &b_name], Duration::from_secs(15)).await;
    println!("memberships re-registered {back_after:?} after the restart");

    // Broadcasts from both sides flow again, exactly once.
    let deadline = Instant::now() + Duration::from_secs(15);
    'probe: loop {
        a.send_json(chat("probe")).await;
        while let Some(frame) = next_json(&mut b, Duration::from_millis(300)).await {
            if frame == chat_notification("probe") {
                break 'probe;
            }
        }
        assert!(Instant::now() < deadline, "no delivery after the restart");
    }
    for client in [&mut a, &mut b] {
        while next_json(client, QUIET).await.is_some() {}
    }
    a.send_json(chat("after")).await;
    b.send_json(chat("after from b")).await;
    for client in [&mut a, &mut b] {
        let mut got = vec![client.recv_json().await, client.recv_json().await];
        got.sort_by_key(Value::to_string);
        let mut want = vec![
            chat_notification("after"),
            chat_notification("after from b"),
        ];
        want.sort_by_key(Value::to_string);
        assert_eq!(got, want);
        client.expect_silence(QUIET).await;
    }
    events
        .send_event(&redis_chat::notice("direct again"), &b_name)
        .await
        .expect("send after the restart");
    b.expect(notification("direct again")).await;
}

async fn next_json(client: &mut Client, wait: Duration) -> Option<Value> {
    match client.next(wait).await? {
        tokio_tungstenite::tungstenite::Message::Text(text) => serde_json::from_str(&text).ok(),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_no_chanx_consumer_handles_are_dropped() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let layer = RedisLayer::connect(RedisConfig::new(redis.url()))
        .await
        .expect("connect");
    let mut inbox = layer.new_channel().await.expect("channel");
    let (process, _) = inbox.name.split_once('!').expect("`!` in the name");
    let queue = format!("asgi{process}!");
    // What a plain Channels consumer's `send` writes (a type chanx does not
    // handle), then bytes that are no message at all.
    let mut foreign = vec![7u8; 12];
    foreign.extend(
        rmp_serde::to_vec(
            &json!({"type": "chat.message", "text": "hi", "__asgi_channel__": inbox.name}),
        )
        .expect("msgpack"),
    );
    let garbage = vec![0xc1u8; 40];
    let mut redis_connection = redis::Client::open(redis.url())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("connection");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    for (score, member) in [(now - 0.002, foreign), (now - 0.001, garbage)] {
        redis::cmd("ZADD")
            .arg(&queue)
            .arg(score)
            .arg(member)
            .query_async::<i64>(&mut redis_connection)
            .await
            .expect("ZADD");
    }
    // A message chanx does handle, sent after them, still arrives.
    let sender = Layer::new(
        RedisLayer::connect(RedisConfig::new(redis.url()))
            .await
            .expect("connect sender"),
    );
    sender
        .send_event(&redis_chat::notice("after"), &inbox.name)
        .await
        .expect("send_event");
    let bytes = tokio::time::timeout(Duration::from_secs(5), inbox.receiver.recv())
        .await
        .expect("within 5 s")
        .expect("inbox open");
    let message: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(message["type"], "handle_channel_event", "{message}");
    assert_eq!(message["event_data"]["message"], "after", "{message}");
    assert_eq!(layer.stats().dropped_unreadable, 2);
}
