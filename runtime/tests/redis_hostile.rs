//! Hostile and slow clients on the Redis layer, across processes: two
//! servers in this test process, each on a `RedisLayer` of its own (two
//! processes to the layer: their own ids and subscriptions) sharing one
//! `redis-server`. A reader on one process loses nothing because a member
//! on the other floods or reads slowly: the sender is pushed back.

mod support;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use chanx_runtime::{
    ChannelLayer, ConsumerConfig, Layer, Route, Router, Server,
    layer::{RedisConfig, RedisLayer},
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use support::{
    app::ChatApp,
    chat::{channels::chat::ChatServer, types::NotificationPayload},
    raw::{self, Raw},
    redis_server::RedisServer,
};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const PING_FRAME: &str = r#"{"action":"ping"}"#;
const PONG: &str = r#"{"action": "pong", "payload": null}"#;

/// One process's layer: inboxes of `capacity`, sends waiting `send_timeout`.
async fn process(redis: &RedisServer, capacity: usize, send_timeout: Duration) -> Arc<RedisLayer> {
    let config = RedisConfig::new(redis.url())
        .capacity(capacity)
        .send_timeout(send_timeout);
    Arc::new(RedisLayer::connect(config).await.expect("connect"))
}

/// Serves the chat consumer (in group `chat`) on `layer`; the router's
/// layer counts the connections it closes with 1013.
async fn serve(
    layer: &Arc<RedisLayer>,
    app: &ChatApp,
    config: ConsumerConfig,
) -> (SocketAddr, Layer) {
    let router = Router::with_layer(Layer::from_arc(layer.clone()))
        .route(Route::new(ChatServer::new(app.clone())).config(config));
    let counted = router.layer().clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(Server::from_listener(listener, router).run());
    (addr, counted)
}

fn in_room() -> ConsumerConfig {
    ConsumerConfig {
        groups: vec!["chat".into()],
        ..ConsumerConfig::default()
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A client whose receive buffer is small, so that not reading shows soon;
/// in the room once it has its pong.
async fn connect_small(addr: SocketAddr) -> Socket {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let stream = socket.connect(addr).await.expect("connect");
    let (mut ws, _) = tokio_tungstenite::client_async(format!("ws://{addr}/ws/chat"), stream)
        .await
        .expect("upgrade");
    ping(&mut ws).await;
    ws
}

async fn connect(addr: SocketAddr) -> Socket {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut ws, _) = tokio_tungstenite::client_async(format!("ws://{addr}/ws/chat"), stream)
        .await
        .expect("upgrade");
    ping(&mut ws).await;
    ws
}

async fn ping(ws: &mut Socket) {
    ws.send(Message::text(PING_FRAME)).await.expect("ping");
    let pong = ws.next().await.expect("frame").expect("pong");
    assert_eq!(pong.to_text().expect("text"), PONG);
}

/// The chat line of a relayed `chat_notification` (or an event's message).
fn message_of(text: &str) -> String {
    let frame: Value = serde_json::from_str(text).expect("JSON");
    let message = frame["payload"]["message"].as_str().expect("a message");
    message
        .strip_prefix("anonymous: ")
        .unwrap_or(message)
        .to_owned()
}

/// The leading number of a message (`"17 padding"` → 17).
fn number(message: &str) -> usize {
    let head = message.split(' ').next().unwrap_or("");
    head.trim_start_matches(char::is_alphabetic)
        .parse()
        .expect("numbered")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_on_another_process_slows_the_sender_down() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let (x, y) = (
        process(&redis, 8, Duration::from_secs(10)).await,
        process(&redis, 8, Duration::from_secs(10)).await,
    );
    let config = ConsumerConfig {
        outgoing_queue_capacity: 16,
        ..in_room()
    };
    let (x_app, y_app) = (ChatApp::default(), ChatApp::default());
    let (x_addr, x_layer) = serve(&x, &x_app, config.clone()).await;
    let (y_addr, y_layer) = serve(&y, &y_app, config).await;
    let sender = connect(x_addr).await;
    let mut reader = connect_small(y_addr).await;

    const MESSAGES: usize = 600;
    let pad = "s".repeat(8 * 1024);
    let (mut sender_tx, mut sender_rx) = sender.split();
    let sending = tokio::spawn(async move {
        for i in 0..MESSAGES {
            let frame = json!({"action": "chat", "payload": {"message": format!("{i} {pad}")}});
            sender_tx
                .send(Message::text(frame.to_string()))
                .await
                .expect("the sender is never closed");
        }
        sender_tx
    });
    // The sender reads its own copies as they come.
    let echoes = tokio::spawn(async move {
        let mut count = 0;
        while count < MESSAGES {
            match tokio::time::timeout(Duration::from_secs(30), sender_rx.next()).await {
                Ok(Some(Ok(Message::Text(_)))) => count += 1,
                Ok(Some(Ok(_))) => {}
                other => panic!("the sender lost its connection: {other:?}"),
            }
        }
        count
    });
    let mut seen = Vec::new();
    while seen.len() < MESSAGES {
        match tokio::time::timeout(Duration::from_secs(30), reader.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                seen.push(number(&message_of(&text)));
                if seen.len() % 4 == 0 {
                    // About 400 messages a second: slower than the sender.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("the slow reader lost its connection: {other:?}"),
        }
    }
    assert_eq!(seen, (0..MESSAGES).collect::<Vec<_>>());
    assert_eq!(echoes.await.expect("echoes"), MESSAGES);
    let _sender = sending.await.expect("sending");
    assert_eq!(x_app.relayed(), MESSAGES);
    let (on_x, on_y) = (x_layer.stats(), y_layer.stats());
    eprintln!("sender's process {on_x:?}; reader's process {on_y:?}");
    assert_eq!((on_x.dropped_full, on_y.dropped_full), (0, 0));
    assert_eq!((on_x.closed_slow_clients, on_y.closed_slow_clients), (0, 0));
    assert!(
        on_y.delivered_after_wait > 0,
        "the reader's inbox filled and its backlog was forwarded: {on_y:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooder_on_one_process_costs_a_reader_on_another_nothing() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    // Small inboxes: a burst overflows them unless the sender is pushed back.
    let (x, y) = (
        process(&redis, 8, Duration::from_secs(10)).await,
        process(&redis, 8, Duration::from_secs(10)).await,
    );
    let config = ConsumerConfig {
        slow_client_timeout: Duration::from_millis(500),
        // The flooder never reads its close frame: do not wait long for it.
        close_timeout: Duration::from_secs(1),
        ..in_room()
    };
    let (x_app, y_app) = (ChatApp::default(), ChatApp::default());
    let (x_addr, x_layer) = serve(&x, &x_app, config.clone()).await;
    let (y_addr, y_layer) = serve(&y, &y_app, config).await;
    let mut flooder = connect_small(x_addr).await;
    let good = connect(y_addr).await;
    let (mut good_tx, mut good_rx) = good.split();

    const FLOOD: usize = 20_000;
    const OWN: usize = 50;
    let pad = "f".repeat(2000);
    let flood = tokio::spawn(async move {
        for i in 0..FLOOD {
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
        for j in 0..OWN {
            let frame = json!({"action": "chat", "payload": {"message": format!("G{j}")}});
            good_tx
                .send(Message::text(frame.to_string()))
                .await
                .expect("the good client can send");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        good_tx
    });
    let (mut flooder_seen, mut own_seen) = (Vec::new(), Vec::new());
    loop {
        match tokio::time::timeout(Duration::from_secs(2), good_rx.next()).await {
            // Quiet: done once the good client has sent all its messages.
            Err(_) if own.is_finished() => break,
            Err(_) => {}
            Ok(Some(Ok(Message::Text(text)))) => {
                let message = message_of(&text);
                match message.starts_with('F') {
                    true => flooder_seen.push(number(&message)),
                    false => own_seen.push(number(&message)),
                }
                if (flooder_seen.len() + own_seen.len()) % 5 == 0 {
                    // A reader on a slower link than the flooder's.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            Ok(Some(Ok(Message::Close(frame)))) => panic!("the good client was closed: {frame:?}"),
            Ok(Some(Ok(_))) => {}
            other => panic!("the good client lost its connection: {other:?}"),
        }
    }
    flood.abort();
    let _good_tx = own.await.expect("own");
    assert_eq!(own_seen, (0..OWN).collect::<Vec<_>>(), "own messages");
    assert_eq!(
        flooder_seen,
        (0..flooder_seen.len()).collect::<Vec<_>>(),
        "the flooder's messages, in order, none missing"
    );
    assert_eq!(
        flooder_seen.len(),
        x_app.relayed(),
        "every message the flooder's process accepted reached the reader"
    );
    assert!(flooder_seen.len() < FLOOD, "the flooder was pushed back");
    assert_eq!(y_app.relayed(), OWN);
    let (on_x, on_y) = (x_layer.stats(), y_layer.stats());
    eprintln!(
        "{} of {FLOOD} flood messages accepted; flooder's process {on_x:?}; reader's {on_y:?}",
        flooder_seen.len()
    );
    assert_eq!(on_y.dropped_full, 0, "{on_y:?}");
    assert_eq!(on_y.closed_slow_clients, 0, "{on_y:?}");
    assert_eq!(
        on_x.closed_slow_clients, 1,
        "the flooder was closed: {on_x:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_stops_reading_on_another_process_gets_1013_and_the_others_everything() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    // Small inboxes: a burst overflows them unless the sender is pushed back.
    let (x, y) = (
        process(&redis, 8, Duration::from_secs(10)).await,
        process(&redis, 8, Duration::from_secs(10)).await,
    );
    let config = ConsumerConfig {
        outgoing_queue_capacity: 16,
        // Long enough for the stalled inbox to fill and push the
        // broadcaster back before the client is closed.
        slow_client_timeout: Duration::from_secs(2),
        close_timeout: Duration::from_secs(20),
        ping_interval: None,
        ..in_room()
    };
    let (y_addr, y_layer) = serve(&y, &ChatApp::default(), config).await;
    let mut stalled = Raw::connect_small(y_addr, "/ws/chat", 4096).await;
    stalled.send(&raw::text(PING_FRAME)).await;
    assert_eq!(stalled.next_text(Duration::from_secs(5)).await, PONG);
    let mut good = connect(y_addr).await;

    // Events from the other process, far more than the stalled client's
    // socket buffers hold.
    const EVENTS: usize = 200;
    let events = Layer::from_arc(x.clone());
    let broadcaster = tokio::spawn(async move {
        let big = "z".repeat(64 * 1024);
        for i in 0..EVENTS {
            let notice: NotificationPayload =
                serde_json::from_value(json!({"message": format!("{i} {big}")})).expect("payload");
            events
                .broadcast_event(&notice, &["chat"])
                .await
                .expect("broadcast");
        }
    });
    let mut seen = Vec::new();
    while seen.len() < EVENTS {
        match tokio::time::timeout(Duration::from_secs(30), good.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => seen.push(number(&message_of(&text))),
            Ok(Some(Ok(_))) => {}
            other => panic!("the good client lost its connection: {other:?}"),
        }
    }
    assert_eq!(
        seen,
        (0..EVENTS).collect::<Vec<_>>(),
        "every event, in order"
    );
    tokio::time::timeout(Duration::from_secs(30), broadcaster)
        .await
        .expect("the broadcaster is not held up for long")
        .expect("broadcaster");
    // Long past its slow_client_timeout, the stalled client reads at last.
    let received = stalled.read_to_end(Duration::from_secs(10)).await;
    received.assert_closed(1013);
    let on_y = y_layer.stats();
    eprintln!("reader's process {on_y:?}");
    assert_eq!(on_y.closed_slow_clients, 1, "{on_y:?}");
    assert_eq!(on_y.dropped_full, 0, "{on_y:?}");
}

/// A `group_send` from `layer` of `message` to group `g`.
async fn send(layer: &RedisLayer, message: usize) {
    let bytes = message.to_string().into_bytes();
    layer.group_send("g", bytes).await.expect("group_send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbox_that_stays_full_is_cut_off_and_every_message_is_accounted_for() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let x = process(&redis, 4, Duration::from_millis(300)).await;
    let y = process(&redis, 4, Duration::from_millis(300)).await;
    // On y: one inbox read as messages come, one never read.
    let mut reader = y.new_channel().await.expect("channel");
    let stuck = y.new_channel().await.expect("channel");
    y.group_add("g", &reader.name).await.expect("add");
    y.group_add("g", &stuck.name).await.expect("add");

    const MESSAGES: usize = 40;
    let reading = tokio::spawn(async move {
        let mut seen = Vec::new();
        while seen.len() < MESSAGES {
            let bytes = tokio::time::timeout(Duration::from_secs(30), reader.receiver.recv())
                .await
                .expect("the reader gets every message")
                .expect("open");
            seen.push(String::from_utf8(bytes).expect("text"));
        }
        seen
    });
    for i in 0..MESSAGES {
        send(&x, i).await;
    }
    let seen = reading.await.expect("reader");
    let expected: Vec<String> = (0..MESSAGES).map(|i| i.to_string()).collect();
    assert_eq!(seen, expected, "the reader lost nothing");
    let stats = y.stats();
    eprintln!("{stats:?}");
    // The stuck inbox took its capacity; its backlog head waited out the
    // send timeout, so it missed its backlog and was cut off; what came
    // next was for a connection that is closing.
    assert_eq!(stats.delivered, (MESSAGES + 4) as u64, "{stats:?}");
    assert!(stats.dropped_full >= 1, "{stats:?}");
    assert_eq!(
        stats.delivered + stats.dropped_full + stats.dropped_gone,
        (2 * MESSAGES) as u64,
        "every message is delivered or counted as dropped: {stats:?}"
    );
    drop(stuck);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_over_its_limit_cuts_its_member_off() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    // Senders that do not wait for each other: the busy mark comes too
    // late to push them back, and the backlog (4 × 10) overflows.
    let x = process(&redis, 4, Duration::from_secs(10)).await;
    let y = process(&redis, 4, Duration::from_secs(10)).await;
    let stuck = y.new_channel().await.expect("channel");
    y.group_add("g", &stuck.name).await.expect("add");
    const SENDERS: usize = 80;
    futures_util::future::join_all((0..SENDERS).map(|i| send(&x, i))).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let stats = loop {
        let stats = y.stats();
        if stats.delivered + stats.dropped_full + stats.dropped_gone == SENDERS as u64 {
            break stats;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "every message accounted for: {stats:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    eprintln!("{stats:?}");
    assert_eq!(stats.delivered, 4, "{stats:?}");
    assert!(stats.dropped_full > 40, "the whole backlog: {stats:?}");
    drop(stuck);
}
