//! WebSocket helpers shared by the chat example's tests.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(url: &str) -> Socket {
    tokio_tungstenite::connect_async(url)
        .await
        .expect("connects")
        .0
}

pub async fn send(socket: &mut Socket, frame: &str) {
    socket.send(Message::text(frame)).await.expect("sends");
}

/// The next text frame, as JSON; fails after 5 s.
pub async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("socket open")
            .expect("no transport error");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("frames are JSON");
        }
    }
}
