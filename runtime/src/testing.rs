//! Test utilities: an in-process client (like chanx's
//! `WebsocketCommunicator`, no socket involved) and a layer that records
//! everything sent through it.

use std::{
    convert::Infallible,
    fmt,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;
use tokio::{sync::mpsc, task::JoinHandle};

use crate::{
    auth::ConnectRequest,
    layer::{ChannelLayer, Inbox, LayerFuture, LayerStats},
    router::{RouteError, Router},
    ws::{CloseFrame, WsMessage},
};

/// The in-process peer has gone.
#[derive(Debug)]
pub struct Disconnected;

impl fmt::Display for Disconnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the communicator is gone")
    }
}

/// A client connected to a [`Router`] through in-memory channels.
///
/// The `receive_*` and `assert_*` methods panic on timeouts and surprises:
/// they are meant for tests.
pub struct Communicator {
    to_server: mpsc::UnboundedSender<WsMessage>,
    from_server: mpsc::UnboundedReceiver<WsMessage>,
    task: JoinHandle<Result<(), RouteError>>,
    timeout: Duration,
}

impl Communicator {
    /// Connects to `path` (may carry a query) with no headers.
    pub fn connect(router: Arc<Router>, path: &str) -> Self {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (path, None),
        };
        let request = ConnectRequest {
            path: path.to_owned(),
            query,
            ..ConnectRequest::default()
        };
        Communicator::connect_with(router, request)
    }

    /// Connects with a full upgrade request (headers for authentication).
    pub fn connect_with(router: Arc<Router>, request: ConnectRequest) -> Self {
        let (to_server, server_rx) = mpsc::unbounded_channel::<WsMessage>();
        let (server_tx, from_server) = mpsc::unbounded_channel::<WsMessage>();
        let sink = futures_util::sink::unfold(server_tx, |tx, message: WsMessage| async move {
            tx.send(message).map_err(|_| Disconnected)?;
            Ok::<_, Disconnected>(tx)
        });
        let stream = futures_util::stream::unfold(server_rx, |mut rx| async move {
            rx.recv().await.map(|m| (Ok::<_, Infallible>(m), rx))
        });
        let task = tokio::spawn(async move { router.serve(request, sink, stream).await });
        Communicator {
            to_server,
            from_server,
            task,
            timeout: Duration::from_secs(1),
        }
    }

    /// How long `receive_*` wait (default 1 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends a JSON frame.
    pub fn send_json(&self, value: &Value) {
        self.send(WsMessage::Text(value.to_string()));
    }

    /// Sends a text frame as is.
    pub fn send_text(&self, text: &str) {
        self.send(WsMessage::Text(text.to_owned()));
    }

    /// Sends a binary frame.
    pub fn send_binary(&self, bytes: &[u8]) {
        self.send(WsMessage::Binary(bytes.to_vec()));
    }

    /// Sends any WebSocket message.
    pub fn send(&self, message: WsMessage) {
        // A closed server shows up in the next receive.
        let _ = self.to_server.send(message);
    }

    /// The next message other than a keepalive ping, if one comes in time.
    pub async fn try_receive(&mut self) -> Option<WsMessage> {
        loop {
            match tokio::time::timeout(self.timeout, self.from_server.recv()).await {
                Ok(Some(WsMessage::Ping(_))) => continue,
                Ok(message) => return message,
                Err(_) => return None,
            }
        }
    }

    /// The next JSON frame. Panics on timeout, close or non-JSON.
    pub async fn receive_json(&mut self) -> Value {
        match self.try_receive().await {
            Some(WsMessage::Text(text)) => serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("server sent non-JSON text {text:?}: {e}")),
            other => panic!("expected a JSON frame, got {other:?}"),
        }
    }

    /// Every frame before the first whose `action` is `action` (consumed, not returned).
    pub async fn receive_until(&mut self, action: &str) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let frame = self.receive_json().await;
            if frame.get("action").and_then(Value::as_str) == Some(action) {
                return frames;
            }
            frames.push(frame);
        }
    }

    /// True when nothing arrives within `within`.
    pub async fn receive_nothing(&mut self, within: Duration) -> bool {
        let saved = std::mem::replace(&mut self.timeout, within);
        let got = self.try_receive().await;
        self.timeout = saved;
        got.is_none()
    }

    /// Asserts the server closes with `code`; returns the close frame.
    pub async fn assert_closed(&mut self, code: u16) -> CloseFrame {
        match self.try_receive().await {
            Some(WsMessage::Close(Some(frame))) if frame.code == code => frame,
            other => panic!("expected close {code}, got {other:?}"),
        }
    }

    /// Closes from the client side and waits for the server to finish.
    pub async fn disconnect(self) {
        let _ = self.to_server.send(WsMessage::close(1000, ""));
        drop(self.to_server);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Where a recorded message went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One channel (`send_event`, `send`).
    Channel(String),
    /// A group (`group_send`).
    Group(String),
}

/// One message sent through a [`RecordingLayer`], as the JSON envelope
/// (`{"type":"handle_channel_event","event_data":…}`,
/// `{"type":"handle_group_message","message":…,…}` or
/// `{"type":"handle_topic_event","topic":…,"seq":…,"event_data":…}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Where the message went.
    pub target: Target,
    /// The message, as the layer carried it.
    pub envelope: Value,
}

/// Read access to what a [`RecordingLayer`] saw.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl Recorder {
    /// Every message recorded so far, in order.
    pub fn all(&self) -> Vec<Recorded> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Events sent with `send_event` / `broadcast_event`: target and event data.
    pub fn events(&self) -> Vec<(Target, Value)> {
        self.filtered("handle_channel_event", "event_data")
    }

    /// Frames relayed with `Context::broadcast`: group and frame.
    pub fn group_messages(&self) -> Vec<(Target, Value)> {
        self.filtered("handle_group_message", "message")
    }

    /// Pushes into topics (`Layer::topic_broadcast`): the topic's group and
    /// the layer message (`{"type":"handle_topic_event","topic":…,"seq":…,"event_data":…}`).
    pub fn topic_events(&self) -> Vec<(Target, Value)> {
        self.all()
            .into_iter()
            .filter(|r| {
                r.envelope.get("type").and_then(Value::as_str) == Some("handle_topic_event")
            })
            .map(|r| (r.target, r.envelope))
            .collect()
    }

    fn filtered(&self, kind: &str, field: &str) -> Vec<(Target, Value)> {
        self.all()
            .into_iter()
            .filter(|r| r.envelope.get("type").and_then(Value::as_str) == Some(kind))
            .map(|r| {
                (
                    r.target,
                    r.envelope.get(field).cloned().unwrap_or(Value::Null),
                )
            })
            .collect()
    }

    fn record(&self, target: Target, bytes: &[u8]) {
        let envelope = serde_json::from_slice(bytes).unwrap_or(Value::Null);
        if let Ok(mut log) = self.log.lock() {
            log.push(Recorded { target, envelope });
        }
    }
}

/// A layer that records every `send` and `group_send`, then delegates.
pub struct RecordingLayer<L> {
    inner: L,
    recorder: Recorder,
}

impl<L: ChannelLayer> RecordingLayer<L> {
    /// Records what passes through `inner`; the recorder reads it.
    pub fn new(inner: L) -> (Self, Recorder) {
        let recorder = Recorder::default();
        (
            RecordingLayer {
                inner,
                recorder: recorder.clone(),
            },
            recorder,
        )
    }
}

impl<L: ChannelLayer> ChannelLayer for RecordingLayer<L> {
    fn new_channel(&self) -> LayerFuture<'_, Inbox> {
        self.inner.new_channel()
    }

    fn close_channel<'a>(&'a self, channel: &'a str) -> LayerFuture<'a, ()> {
        self.inner.close_channel(channel)
    }

    fn send<'a>(&'a self, channel: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        self.recorder
            .record(Target::Channel(channel.to_owned()), &message);
        self.inner.send(channel, message)
    }

    fn group_add<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        self.inner.group_add(group, channel)
    }

    fn group_discard<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        self.inner.group_discard(group, channel)
    }

    fn group_send<'a>(&'a self, group: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        self.recorder
            .record(Target::Group(group.to_owned()), &message);
        self.inner.group_send(group, message)
    }

    fn stats(&self) -> LayerStats {
        self.inner.stats()
    }
}
