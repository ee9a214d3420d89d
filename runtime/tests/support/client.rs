//! A WebSocket client over a real socket, for asserting exact frames.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, protocol::frame::coding::CloseCode},
};

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

const WAIT: Duration = Duration::from_secs(3);

impl Client {
    pub async fn connect(url: &str) -> Client {
        Self::connect_with(url, &[]).await
    }

    pub async fn connect_with(url: &str, headers: &[(&'static str, &str)]) -> Client {
        let mut request = url.into_client_request().expect("request");
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(*name, value.parse().expect("header"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("connect");
        Client { ws }
    }

    pub async fn send_json(&mut self, value: Value) {
        self.send_text(&value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::binary(bytes)).await.expect("send");
    }

    /// The next message that is not a ping, or `None` on timeout / end.
    pub async fn next(&mut self, wait: Duration) -> Option<Message> {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Ok(Some(Ok(Message::Ping(_)))) | Ok(Some(Ok(Message::Pong(_)))) => continue,
                Ok(Some(Ok(message))) => return Some(message),
                Ok(Some(Err(_))) | Ok(None) | Err(_) => return None,
            }
        }
    }

    pub async fn recv_json(&mut self) -> Value {
        match self.next(WAIT).await {
            Some(Message::Text(text)) => serde_json::from_str(text.as_str()).expect("JSON frame"),
            other => panic!("expected a JSON frame, got {other:?}"),
        }
    }

    /// Asserts the next frame is exactly `expected` as chanx writes it
    /// (Python's `json.dumps` layout, so key order and spacing count too).
    pub async fn expect(&mut self, expected: Value) {
        let written = chanx_runtime::json::to_string(&expected).expect("expected frames serialize");
        match self.next(WAIT).await {
            Some(Message::Text(text)) => assert_eq!(text.as_str(), written),
            other => panic!("expected {expected}, got {other:?}"),
        }
    }

    pub async fn expect_silence(&mut self, wait: Duration) {
        if let Some(message) = self.next(wait).await {
            panic!("expected nothing, got {message:?}");
        }
    }

    /// Waits for the server's close frame; returns (code, reason).
    pub async fn expect_close(&mut self) -> (u16, String) {
        match self.next(WAIT).await {
            Some(Message::Close(Some(frame))) => {
                (u16::from(frame.code), frame.reason.as_str().to_owned())
            }
            other => panic!("expected a close frame, got {other:?}"),
        }
    }

    pub async fn close(&mut self) {
        let _ = self
            .ws
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "".into(),
            }))
            .await;
    }

    /// Waits for the next raw message of any kind (pings included).
    pub async fn raw_next(&mut self, wait: Duration) -> Option<Message> {
        match tokio::time::timeout(wait, self.ws.next()).await {
            Ok(Some(Ok(message))) => Some(message),
            _ => None,
        }
    }
}
