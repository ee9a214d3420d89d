//! Hostile clients over real sockets, on both entry points (`Server` and the
//! axum adapter served with `chanx_runtime::axum::serve`): each protocol
//! violation gets its close code, and the close frame arrives (the
//! connection ends with end-of-stream, not a reset); a flooding client is
//! pushed back and the clients that read lose nothing; stalled handshakes
//! are shed; deep, garbage and binary frames leave the connection usable.

mod support;

use std::time::{Duration, Instant};

use chanx_runtime::{ConsumerConfig, Layer, Route, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use support::{
    app::ChatApp,
    chat::{
        channels::{chat::ChatServer, chat_room_topic as room},
        types::NotificationPayload,
    },
    client::Client,
    raw::{self, End, FIN, PING, RSV1, Raw, TEXT},
    serve::{Entry, LIMITED_ENTRIES, Limits, serve},
};
use tokio_tungstenite::tungstenite::Message;

fn chat_router(app: ChatApp, config: ConsumerConfig) -> Router {
    Router::new().route(Route::new(ChatServer::new(app)).config(config))
}

fn in_room() -> ConsumerConfig {
    ConsumerConfig {
        groups: vec!["chat".into()],
        ..ConsumerConfig::default()
    }
}

const PING_FRAME: &str = r#"{"action":"ping"}"#;
const PONG: &str = r#"{"action": "pong", "payload": null}"#;

/// Frames that break the protocol, and the close code each must get.
fn violations() -> Vec<(&'static str, Vec<u8>, u16)> {
    let ping = PING_FRAME.as_bytes();
    vec![
        // The route's limit is 1024 bytes.
        (
            "oversized frame",
            raw::frame(FIN | TEXT, &[b' '; 4096]),
            1009,
        ),
        (
            "oversized fragmented message",
            [
                raw::frame(TEXT, &[b' '; 800]),
                raw::frame(FIN | raw::CONTINUATION, &[b' '; 800]),
            ]
            .concat(),
            1009,
        ),
        (
            "invalid UTF-8",
            raw::frame(FIN | TEXT, b"{\"action\":\"\xff\xfe\"}"),
            1007,
        ),
        (
            "unmasked frame",
            raw::unmasked_frame(FIN | TEXT, ping),
            1002,
        ),
        ("reserved bits", raw::frame(FIN | RSV1 | TEXT, ping), 1002),
        ("unknown data opcode", raw::frame(FIN | 0x3, b"x"), 1002),
        ("unknown control opcode", raw::frame(FIN | 0xB, b""), 1002),
        (
            "orphan continuation",
            raw::frame(FIN | raw::CONTINUATION, ping),
            1002,
        ),
        ("126-byte ping", raw::frame(FIN | PING, &[7; 126]), 1002),
        ("fragmented ping", raw::frame(PING, b"x"), 1002),
        (
            "fragment interrupted by a new message",
            [raw::frame(TEXT, b"{"), raw::frame(FIN | TEXT, ping)].concat(),
            1002,
        ),
        ("garbage", vec![0xff; 64 * 1024], 1002),
    ]
}

#[tokio::test]
async fn protocol_violations_get_their_close_code_and_no_reset() {
    let small = ConsumerConfig {
        max_message_bytes: 1024,
        ..in_room()
    };
    for &entry in LIMITED_ENTRIES {
        let router = chat_router(ChatApp::default(), small.clone());
        let layer = router.layer().clone();
        let addr = serve(entry, router, Limits::default()).await;
        // A client beside the attackers gets an event after each attack.
        let mut good = Client::connect(&format!("ws://{addr}/ws/chat")).await;
        good.send_json(json!({"action": "ping"})).await;
        good.expect(json!({"action": "pong", "payload": null}))
            .await;
        for (case, bytes, code) in violations() {
            let mut client = Raw::connect(addr, "/ws/chat").await;
            client.send(&raw::text(PING_FRAME)).await;
            assert_eq!(client.next_text(Duration::from_secs(5)).await, PONG);
            // The violation, then frames the server must no longer read
            // (128 KiB: still unread when the connection is closed).
            let after: Vec<u8> = std::iter::repeat_n(raw::text(PING_FRAME), 128 * 1024 / 24)
                .flatten()
                .collect();
            client.send(&[bytes, after].concat()).await;
            let received = client.read_to_end(Duration::from_secs(5)).await;
            eprintln!(
                "{entry:?} {case}: {:?}, {:?}",
                received.close(),
                received.end
            );
            assert!(
                received.texts().is_empty(),
                "{entry:?} {case}: nothing is answered after the violation: {:?}",
                received.texts()
            );
            received.assert_closed(code);
            let notice = json!({"message": case, "level": "info"});
            layer
                .broadcast_event(&notice, &["chat"])
                .await
                .expect("event");
            good.expect(json!({"action": "notification", "payload": notice}))
                .await;
        }
        good.expect_silence(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_gets_its_1013() {
    for &entry in LIMITED_ENTRIES {
        let config = ConsumerConfig {
            outgoing_queue_capacity: 16,
            slow_client_timeout: Duration::from_millis(300),
            close_timeout: Duration::from_secs(20),
            ping_interval: None,
            ..in_room()
        };
        let router = chat_router(ChatApp::default(), config);
        let layer = router.layer().clone();
        let addr = serve(entry, router, Limits::default()).await;
        let mut client = Raw::connect_small(addr, "/ws/chat", 4096).await;
        client.send(&raw::text(PING_FRAME)).await;
        assert_eq!(client.next_text(Duration::from_secs(5)).await, PONG);
        let good = reader(Client::connect(&format!("ws://{addr}/ws/chat")).await, 200);

        // Far more than the socket buffers hold; the client reads none of it.
        let broadcaster = {
            let layer = layer.clone();
            tokio::spawn(async move {
                let big = "z".repeat(64 * 1024);
                for i in 0..200 {
                    let notice: NotificationPayload =
                        serde_json::from_value(json!({"message": format!("{i} {big}")}))
                            .expect("payload");
                    layer
                        .broadcast_event(&notice, &["chat"])
                        .await
                        .expect("broadcast");
                }
            })
        };
        // And it keeps sending: frames the server stops reading.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let pings: Vec<u8> = std::iter::repeat_n(raw::text(PING_FRAME), 400)
            .flatten()
            .collect();
        client.send(&pings).await;
        // Well past its slow_client_timeout, the client reads at last.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let received = client.read_to_end(Duration::from_secs(10)).await;
        eprintln!(
            "{entry:?}: {} frames, then {:?}, {:?}",
            received.frames.len(),
            received.close(),
            received.end
        );
        received.assert_closed(1013);
        tokio::time::timeout(Duration::from_secs(15), broadcaster)
            .await
            .expect("the broadcaster is not held up for long")
            .expect("broadcaster");
        let seen = good.await.expect("the good client");
        assert_eq!(seen, (0..200).collect::<Vec<_>>(), "{entry:?}: in order");
        let stats = layer.stats();
        assert_eq!(stats.closed_slow_clients, 1, "{entry:?}: {stats:?}");
        assert_eq!(stats.dropped_full, 0, "{entry:?}: {stats:?}");
    }
}

/// Reads `count` numbered messages (`"17 …"` in `payload.message`, after
/// any `"name: "` prefix) as they come; the numbers, in arrival order.
fn reader(mut client: Client, count: usize) -> tokio::task::JoinHandle<Vec<usize>> {
    tokio::spawn(async move {
        let mut seen = Vec::new();
        while seen.len() < count {
            let frame = match client.next(Duration::from_secs(5)).await {
                Some(Message::Text(text)) => {
                    serde_json::from_str::<serde_json::Value>(&text).expect("JSON")
                }
                other => panic!("after {} frames: {other:?}", seen.len()),
            };
            let message = frame["payload"]["message"].as_str().expect("a message");
            let message = message.split_once(": ").map_or(message, |(_, m)| m);
            let number = message.split(' ').next().and_then(|n| n.parse().ok());
            seen.push(number.expect("numbered"));
        }
        seen
    })
}

/// Subscribes `client` to `room:lobby` and reads the confirmation and
/// the `room_joined` greeting.
async fn join_lobby(client: &mut Client) {
    client
        .send_json(json!({"action": "subscribe", "topic": "room:lobby"}))
        .await;
    let on_topic = |frame: serde_json::Value| {
        assert_eq!(frame["topic"], "room:lobby", "{frame}");
        frame["action"].as_str().map(str::to_owned)
    };
    assert_eq!(
        on_topic(client.recv_json().await).as_deref(),
        Some("subscribed")
    );
    assert_eq!(
        on_topic(client.recv_json().await).as_deref(),
        Some("room_joined")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_stops_reading_gets_1013_and_the_others_every_topic_event() {
    for &entry in LIMITED_ENTRIES {
        let config = ConsumerConfig {
            outgoing_queue_capacity: 16,
            // Above what a busy debug build takes to serve a reading client.
            slow_client_timeout: Duration::from_secs(1),
            close_timeout: Duration::from_secs(20),
            ping_interval: None,
            ..in_room()
        };
        let router = chat_router(ChatApp::default(), config);
        let layer = router.layer().clone();
        let addr = serve(entry, router, Limits::default()).await;
        let mut stalled = Raw::connect_small(addr, "/ws/chat", 4096).await;
        stalled
            .send(&raw::text(r#"{"action":"subscribe","topic":"room:lobby"}"#))
            .await;
        for _ in 0..2 {
            stalled.next_text(Duration::from_secs(5)).await;
        }
        let mut good = Client::connect(&format!("ws://{addr}/ws/chat")).await;
        join_lobby(&mut good).await;
        let good = reader(good, 200);

        // Topic events pushed from the layer, numbered by `seq`.
        let big = "t".repeat(64 * 1024);
        for i in 0..200 {
            let notice: NotificationPayload =
                serde_json::from_value(json!({"message": format!("{i} {big}")})).expect("payload");
            room::broadcast(&layer, "room:lobby", &notice, Some(i))
                .await
                .expect("topic broadcast");
        }
        let seen = good.await.expect("the good client");
        assert_eq!(seen, (0..200).collect::<Vec<_>>(), "{entry:?}: in order");
        let received = stalled.read_to_end(Duration::from_secs(10)).await;
        received.assert_closed(1013);
        let stats = layer.stats();
        assert_eq!(stats.closed_slow_clients, 1, "{entry:?}: {stats:?}");
        assert_eq!(stats.dropped_full, 0, "{entry:?}: {stats:?}");
    }
}

#[tokio::test]
async fn a_topic_flooder_is_pushed_back_and_the_subscribers_lose_nothing() {
    for &entry in LIMITED_ENTRIES {
        let app = ChatApp::default();
        let config = ConsumerConfig {
            slow_client_timeout: Duration::from_millis(500),
            close_timeout: Duration::from_secs(1),
            ..in_room()
        };
        let router = chat_router(app.clone(), config);
        let layer = router.layer().clone();
        let addr = serve(entry, router, Limits::default()).await;
        let url = format!("ws://{addr}/ws/chat");
        let mut good = Client::connect(&url).await;
        join_lobby(&mut good).await;
        // The flooder subscribes, then posts without ever reading.
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("connect");
        let (mut flooder, _) = tokio_tungstenite::client_async(url.as_str(), stream)
            .await
            .expect("flooder upgrade");
        let subscribe = json!({"action": "subscribe", "topic": "room:lobby"});
        flooder
            .send(Message::text(subscribe.to_string()))
            .await
            .expect("subscribe");

        const FLOOD: usize = 50_000;
        // A post holds at most 500 characters.
        let pad = "p".repeat(450);
        let flood = tokio::spawn(async move {
            for i in 0..FLOOD {
                let post = json!({"action": "room_post", "topic": "room:lobby",
                                  "payload": {"message": format!("F{i} {pad}")}});
                if flooder.send(Message::text(post.to_string())).await.is_err() {
                    break;
                }
            }
        });
        let mut seen: Vec<usize> = Vec::new();
        let started = Instant::now();
        while let Some(message) = good.next(Duration::from_secs(2)).await {
            let Message::Text(text) = message else {
                panic!("{entry:?}: the good client got {message:?}");
            };
            let frame: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(frame["action"], "room_chat", "{entry:?}: {frame}");
            assert_eq!(frame["topic"], "room:lobby", "{entry:?}: {frame}");
            let message = frame["payload"]["message"].as_str().expect("message");
            let number = message[1..].split(' ').next().and_then(|n| n.parse().ok());
            seen.push(number.expect("numbered"));
            assert!(started.elapsed() < Duration::from_secs(120), "runaway");
        }
        flood.abort();
        assert!(!seen.is_empty(), "{entry:?}: the flood reached the room");
        assert_eq!(
            seen,
            (0..seen.len()).collect::<Vec<_>>(),
            "{entry:?}: every post, in order"
        );
        assert_eq!(
            seen.len(),
            app.rooms.posted(),
            "{entry:?}: every accepted post"
        );
        assert!(seen.len() < FLOOD, "{entry:?}: the flooder was pushed back");
        let stats = layer.stats();
        eprintln!("{entry:?}: {} posts accepted; {stats:?}", seen.len());
        assert_eq!(stats.dropped_full, 0, "{entry:?}: {stats:?}");
        assert_eq!(
            stats.closed_slow_clients, 1,
            "{entry:?}: the flooder was closed"
        );
    }
}

#[tokio::test]
async fn a_flooder_is_pushed_back_and_a_reader_loses_nothing() {
    for &entry in LIMITED_ENTRIES {
        let app = ChatApp::default();
        let config = ConsumerConfig {
            slow_client_timeout: Duration::from_millis(500),
            // The flooder never reads its close frame: do not wait long for it.
            close_timeout: Duration::from_secs(1),
            ..in_room()
        };
        let router = chat_router(app.clone(), config);
        let layer = router.layer().clone();
        let addr = serve(entry, router, Limits::default()).await;
        let url = format!("ws://{addr}/ws/chat");

        // The flooder never reads; a small receive buffer makes that show soon.
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("connect");
        let (mut flooder, _) = tokio_tungstenite::client_async(url.as_str(), stream)
            .await
            .expect("flooder upgrade");
        let (good, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("good upgrade");
        let (mut good_tx, mut good_rx) = good.split();
        // Both are in the room once each has answered a ping.
        flooder.send(Message::text(PING_FRAME)).await.expect("ping");
        good_tx.send(Message::text(PING_FRAME)).await.expect("ping");
        let pong = good_rx.next().await.expect("frame").expect("pong");
        assert_eq!(pong.to_text().expect("text"), PONG);

        const FLOOD: usize = 20_000;
        const OWN: usize = 50;
        let pad = "f".repeat(2000);
        let flood = tokio::spawn(async move {
            let mut sent = 0;
            for i in 0..FLOOD {
                let frame =
                    json!({"action": "chat", "payload": {"message": format!("F{i} {pad}")}});
                if flooder
                    .send(Message::text(frame.to_string()))
                    .await
                    .is_err()
                {
                    break;
                }
                sent += 1;
            }
            sent
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

        // The good client reads normally until the traffic stops.
        let started = Instant::now();
        let mut flooder_seen = Vec::new();
        let mut own_seen = Vec::new();
        loop {
            match tokio::time::timeout(Duration::from_secs(2), good_rx.next()).await {
                // Quiet: done once the good client has sent all its messages.
                Err(_) if own.is_finished() => break,
                Err(_) => {}
                Ok(None) => panic!("{entry:?}: the good client was disconnected"),
                Ok(Some(Err(error))) => panic!("{entry:?}: the good client failed: {error}"),
                Ok(Some(Ok(Message::Text(text)))) => {
                    let frame: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                    let message = frame["payload"]["message"]
                        .as_str()
                        .expect("a chat message");
                    let message = message.strip_prefix("anonymous: ").expect("relayed");
                    let (tag, _) = message.split_once(' ').unwrap_or((message, ""));
                    let number: usize = tag[1..].parse().expect("numbered");
                    match &tag[..1] {
                        "F" => flooder_seen.push(number),
                        _ => own_seen.push(number),
                    }
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    panic!("{entry:?}: the good client was closed: {frame:?}")
                }
                Ok(Some(Ok(_))) => {}
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{entry:?}: runaway"
            );
        }
        // The flooder is still sending (into a connection the server closed).
        flood.abort();
        let _good_tx = own.await.expect("own");

        assert_eq!(
            own_seen,
            (0..OWN).collect::<Vec<_>>(),
            "{entry:?}: own messages"
        );
        assert_eq!(
            flooder_seen,
            (0..flooder_seen.len()).collect::<Vec<_>>(),
            "{entry:?}: the flooder's messages, in order, none missing"
        );
        // Every chat the server handled reached the good client.
        assert_eq!(
            own_seen.len() + flooder_seen.len(),
            app.relayed(),
            "{entry:?}: every accepted message was delivered"
        );
        let stats = layer.stats();
        eprintln!(
            "{entry:?}: {} of the flooder's {FLOOD} messages accepted; {stats:?}",
            flooder_seen.len()
        );
        assert_eq!(stats.dropped_full, 0, "{entry:?}: {stats:?}");
        assert!(
            flooder_seen.len() < FLOOD,
            "{entry:?}: the flooder was pushed back (closed before its flood was accepted)"
        );
        assert_eq!(
            stats.closed_slow_clients, 1,
            "{entry:?}: the flooder was closed"
        );
    }
}

#[tokio::test]
async fn a_fast_sender_is_slowed_down_to_its_slowest_reader() {
    // Both clients read, one slower than the other sends: the sender waits
    // (its frames are not read meanwhile), nobody is closed, nothing lost.
    let app = ChatApp::default();
    let config = ConsumerConfig {
        outgoing_queue_capacity: 16,
        ..in_room()
    };
    let router = Router::with_layer(Layer::new(chanx_runtime::InMemoryLayer::with_capacity(8)))
        .route(Route::new(ChatServer::new(app.clone())).config(config));
    let layer = router.layer().clone();
    let addr = serve(Entry::Server, router, Limits::default()).await;
    let url = format!("ws://{addr}/ws/chat");
    let (sender, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("sender upgrade");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let stream = socket.connect(addr).await.expect("connect");
    let (mut reader, _) = tokio_tungstenite::client_async(url.as_str(), stream)
        .await
        .expect("reader upgrade");
    let (mut sender_tx, mut sender_rx) = sender.split();
    sender_tx
        .send(Message::text(PING_FRAME))
        .await
        .expect("ping");
    let pong = sender_rx.next().await.expect("frame").expect("pong");
    assert_eq!(pong.to_text().expect("text"), PONG);
    reader.send(Message::text(PING_FRAME)).await.expect("ping");
    let pong = reader.next().await.expect("frame").expect("pong");
    assert_eq!(pong.to_text().expect("text"), PONG);

    const MESSAGES: usize = 800;
    let pad = "s".repeat(8 * 1024);
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
                let frame: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                let message = frame["payload"]["message"].as_str().expect("message");
                let number: usize = message
                    .trim_start_matches("anonymous: ")
                    .split(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("numbered");
                seen.push(number);
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
    let stats = layer.stats();
    eprintln!("{stats:?}");
    assert_eq!(app.relayed(), MESSAGES);
    assert_eq!(
        (stats.dropped_full, stats.closed_slow_clients),
        (0, 0),
        "{stats:?}"
    );
    assert!(
        stats.delivered_after_wait > 0,
        "the sender waited for the reader: {stats:?}"
    );
}

#[tokio::test]
async fn stalled_handshakes_are_shed_and_new_clients_still_connect() {
    for &entry in LIMITED_ENTRIES {
        const STALLED: usize = 30;
        const PENDING: usize = 10;
        let timeout = Duration::from_millis(500);
        let limits = Limits {
            handshake_timeout: timeout,
            max_pending_handshakes: PENDING,
        };
        let addr = serve(entry, chat_router(ChatApp::default(), in_room()), limits).await;
        let started = Instant::now();
        let mut stalled = Vec::new();
        for _ in 0..STALLED {
            stalled.push(raw::stalled_handshake(addr).await);
        }
        // Also a client that connects and sends nothing at all.
        let silent = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stalled.push(silent);
        let newcomer = tokio::spawn(async move {
            let mut client = Client::connect(&format!("ws://{addr}/ws/chat")).await;
            client.send_json(json!({"action": "ping"})).await;
            client
                .expect(json!({"action": "pong", "payload": null}))
                .await;
            started.elapsed()
        });
        let ends =
            futures_util::future::join_all(stalled.into_iter().map(|mut stream| async move {
                let end = raw::wait_for_end(&mut stream, Duration::from_secs(10)).await;
                (end, started.elapsed())
            }))
            .await;
        let connected = tokio::time::timeout(Duration::from_secs(10), newcomer)
            .await
            .expect("a new client connects while stalled handshakes are pending")
            .expect("newcomer");
        let last = ends.iter().map(|(_, at)| *at).max().unwrap_or_default();
        eprintln!(
            "{entry:?}: {} stalled handshakes shed within {last:?} (timeout {timeout:?}, \
             {PENDING} pending at most); a new client connected after {connected:?}",
            ends.len()
        );
        for (end, at) in &ends {
            assert_eq!(*end, End::Eof, "{entry:?}: shed gracefully, at {at:?}");
            assert!(
                *at >= timeout,
                "{entry:?}: shed only after the timeout ({at:?})"
            );
        }
        // Never more than PENDING in their handshake at once: the first wave
        // is shed after one timeout, the next ones a timeout later each.
        let first_wave = ends.iter().filter(|(_, at)| *at < timeout * 3 / 2).count();
        assert!(
            first_wave <= PENDING,
            "{entry:?}: {first_wave} in the first wave"
        );
        let waves = (STALLED + 1).div_ceil(PENDING) as u32;
        assert!(
            last < timeout * (waves + 2),
            "{entry:?}: every stalled handshake shed in time ({last:?})"
        );
    }
}

#[tokio::test]
async fn deep_garbage_and_binary_frames_leave_the_connection_usable() {
    for &entry in LIMITED_ENTRIES {
        let addr = serve(
            entry,
            chat_router(ChatApp::default(), in_room()),
            Limits::default(),
        )
        .await;
        let mut client = Client::connect(&format!("ws://{addr}/ws/chat")).await;

        // Deeper than json.loads reads under uvicorn.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        client.send_text(&deep).await;
        let error = client.recv_json().await;
        assert_eq!(error["payload"][0]["type"], "json_invalid", "{entry:?}");
        let deep_object = format!("{}1{}", r#"{"a":"#.repeat(50_000), "}".repeat(50_000));
        client.send_text(&deep_object).await;
        let error = client.recv_json().await;
        assert_eq!(error["payload"][0]["type"], "json_invalid", "{entry:?}");

        // A garbage flood, read along: every frame answered, in order.
        for _ in 0..10 {
            for i in 0..500 {
                client.send_text(&format!("garbage {i}")).await;
            }
            for _ in 0..500 {
                let error = client.recv_json().await;
                assert_eq!(error["payload"][0]["type"], "json_invalid", "{entry:?}");
            }
        }
        client.send_binary(vec![0xff; 70_000]).await;
        let error = client.recv_json().await;
        assert_eq!(
            error["payload"][0]["msg"], "Invalid JSON: binary frames are not supported",
            "{entry:?}"
        );
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
}

#[tokio::test]
async fn layer_stats_count_deliveries() {
    let router = chat_router(ChatApp::default(), in_room());
    let layer: Layer = router.layer().clone();
    let addr = serve(Entry::Server, router, Limits::default()).await;
    let mut alice = Client::connect(&format!("ws://{addr}/ws/chat")).await;
    let mut bob = Client::connect(&format!("ws://{addr}/ws/chat")).await;
    for client in [&mut alice, &mut bob] {
        client.send_json(json!({"action": "ping"})).await;
        client
            .expect(json!({"action": "pong", "payload": null}))
            .await;
    }
    alice
        .send_json(json!({"action": "chat", "payload": {"message": "hi"}}))
        .await;
    let relayed = json!({"action": "chat_notification", "payload": {"message": "anonymous: hi"}});
    alice.expect(relayed.clone()).await;
    bob.expect(relayed).await;
    layer
        .send_event(&serde_json::json!({"message": "x"}), "nobody")
        .await
        .expect("an unknown channel is not an error");
    let stats = layer.stats();
    assert_eq!(
        (
            stats.delivered,
            stats.dropped_full,
            stats.dropped_gone,
            stats.closed_slow_clients
        ),
        (2, 0, 1, 0),
        "{stats:?}"
    );
}
