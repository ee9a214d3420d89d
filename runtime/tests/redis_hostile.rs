//! Hostile and slow clients on the Redis layer, across processes: two
//! servers in this test process, each on a `RedisLayer` of its own (two
//! processes to the layer: their own ids and subscriptions) sharing one
//! `redis-server`. A reader on one process loses nothing because a member
//! on the other floods (the flooder's own process pushes it back), and a
//! member that stops reading is closed with 1013 while the others get
//! everything; what its inbox could not take is counted.

mod support;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use chanx_runtime::{
    ConsumerConfig, Layer, Route, Router, Server,
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
    // The reader keeps reading, but on a loaded machine a pause of its
    // task can pass half a second: its process gives it more time, so a
    // scheduling pause is not taken for a slow reader. The flooder's
    // process keeps the short limit.
    let reader_config = ConsumerConfig {
        slow_client_timeout: Duration::from_secs(5),
        ..config.clone()
    };
    let (x_app, y_app) = (ChatApp::default(), ChatApp::default());
    let (x_addr, x_layer) = serve(&x, &x_app, config).await;
    let (y_addr, y_layer) = serve(&y, &y_app, reader_config).await;
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
    // What its full inbox could not take from Redis is counted, never silent.
    assert!(on_y.dropped_full > 0, "{on_y:?}");
}
