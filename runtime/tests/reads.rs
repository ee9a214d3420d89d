//! Frames of every size and however TCP cuts them, through every entry
//! point: the `Server` and `axum::serve` read the socket ahead of
//! tungstenite (8 KiB at a time, handed over a kilobyte at a time); under
//! plain `axum::serve` tungstenite reads the socket itself.

mod support;

use std::{net::SocketAddr, time::Duration};

use chanx_runtime::{ConsumerConfig, Route, Router};
use serde_json::{Value, json};
use support::{
    app::ChatApp,
    chat::channels::chat::ChatServer,
    client::Client,
    raw::{self, Raw},
    serve::{ENTRIES, Entry, Limits, serve},
};

/// The chat consumer in the `chat` group, served through `entry`.
async fn start(entry: Entry) -> SocketAddr {
    let config = ConsumerConfig {
        groups: vec!["chat".into()],
        ..ConsumerConfig::default()
    };
    let router =
        Router::new().route(Route::new(ChatServer::new(ChatApp::default())).config(config));
    serve(entry, router, Limits::default()).await
}

/// Text that shows where a piece went missing or out of order.
fn numbered(len: usize) -> String {
    (0..len)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

fn chat_frame(message: &str) -> String {
    json!({"action": "chat", "payload": {"message": message}}).to_string()
}

fn relayed(message: &str) -> Value {
    json!({"action": "chat_notification", "payload": {"message": format!("anonymous: {message}")}})
}

/// The default `max_message_bytes`.
const LIMIT: usize = 1024 * 1024;

/// Frames of every size around 1 and 8 KiB, up to the 1 MiB limit; one
/// byte more closes the connection with 1009.
#[tokio::test]
async fn frames_of_every_size_arrive_whole() {
    let envelope = chat_frame("").len();
    let sizes = [
        1, 1000, 1023, 1024, 1025, 4096, 8191, 8192, 8193, 16_385, 70_000, LIMIT,
    ];
    for &entry in ENTRIES {
        let addr = start(entry).await;
        let mut client = Client::connect(&format!("ws://{addr}/ws/chat")).await;
        for frame_len in sizes {
            let message = numbered(frame_len.saturating_sub(envelope).max(1));
            let frame = chat_frame(&message);
            assert_eq!(frame.len(), frame_len.max(envelope + 1));
            client.send_text(&frame).await;
            client.expect(relayed(&message)).await;
        }
        let over = chat_frame(&numbered(LIMIT + 1 - envelope));
        client.send_text(&over).await;
        assert_eq!(client.expect_close().await.0, 1009, "{entry:?}");
    }
}

/// Several frames of mixed sizes in one write; a frame in 97-byte writes.
#[tokio::test]
async fn frames_arrive_whole_however_the_socket_cuts_them() {
    let wait = Duration::from_secs(5);
    for &entry in ENTRIES {
        let addr = start(entry).await;
        let mut client = Raw::connect(addr, "/ws/chat").await;
        let next = async |client: &mut Raw| -> Value {
            serde_json::from_str(&client.next_text(wait).await).expect("JSON")
        };

        let messages: Vec<String> = [5, 3000, 9000, 20, 8192, 1]
            .into_iter()
            .map(numbered)
            .collect();
        let packed: Vec<u8> = messages
            .iter()
            .flat_map(|message| raw::text(&chat_frame(message)))
            .collect();
        client.send(&packed).await;
        for message in &messages {
            assert_eq!(next(&mut client).await, relayed(message), "{entry:?}");
        }

        let message = numbered(2500);
        let frame = raw::text(&chat_frame(&message));
        for piece in frame.chunks(97) {
            client.send(piece).await;
            tokio::task::yield_now().await;
        }
        assert_eq!(next(&mut client).await, relayed(&message), "{entry:?}");
    }
}
