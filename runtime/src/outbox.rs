//! The bounded queue of frames to one client, and the task that writes them.
//!
//! Policy for a slow client: frames are queued without waiting; when the
//! queue is full the client is closed with 1013 ("try again later") and a
//! warning is logged. Nothing ever waits on a slow client, so group
//! broadcasts and other connections are never held up.

use std::{
    collections::HashSet,
    fmt::Display,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures_util::{Sink, SinkExt};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::ws::{WsMessage, close_code};

/// Why a frame could not be queued for the client.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The client is not reading; it is being closed (1013).
    #[error("the client's outgoing queue is full")]
    QueueFull,
    /// The connection has ended.
    #[error("the connection is closed")]
    Closed,
    #[error("cannot serialize the message: {0}")]
    /// The message could not be serialized.
    Serialize(String),
}

impl From<serde_json::Error> for SendError {
    fn from(error: serde_json::Error) -> Self {
        SendError::Serialize(error.to_string())
    }
}

impl From<crate::json::DumpError> for SendError {
    fn from(error: crate::json::DumpError) -> Self {
        SendError::Serialize(error.to_string())
    }
}

/// Which frames are logged.
#[derive(Debug)]
pub(crate) struct LogPolicy {
    pub(crate) action_key: String,
    pub(crate) log_received: bool,
    pub(crate) log_sent: bool,
    pub(crate) ignored: HashSet<String>,
}

/// Actions chanx never logs.
const COMPLETE_ACTIONS: [&str; 3] = ["complete", "group_complete", "event_complete"];

impl LogPolicy {
    pub(crate) fn loggable(&self, action: Option<&str>) -> bool {
        match action {
            Some(a) => !COMPLETE_ACTIONS.contains(&a) && !self.ignored.contains(a),
            None => true,
        }
    }

    pub(crate) fn action_of<'a>(&self, frame: &'a Value) -> Option<&'a str> {
        frame.get(&self.action_key).and_then(Value::as_str)
    }

    pub(crate) fn action_of_json<'a>(&self, frame: &'a crate::json::Json) -> Option<&'a str> {
        frame.as_object()?.get(&self.action_key)?.as_str()
    }
}

struct Shared {
    overflowed: AtomicBool,
    overflow: watch::Sender<bool>,
    log: LogPolicy,
}

/// A cloneable handle that queues frames for one client.
#[derive(Clone)]
pub(crate) struct Outbox {
    sender: mpsc::Sender<WsMessage>,
    shared: Arc<Shared>,
}

impl Outbox {
    /// Creates the queue; the receiver goes to [`write_frames`].
    pub(crate) fn new(capacity: usize, log: LogPolicy) -> (Outbox, Writer) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let (overflow, overflow_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            overflowed: AtomicBool::new(false),
            overflow,
            log,
        });
        let writer = Writer {
            receiver,
            overflow: overflow_rx,
        };
        (Outbox { sender, shared }, writer)
    }

    pub(crate) fn log(&self) -> &LogPolicy {
        &self.shared.log
    }

    /// Queues a raw WebSocket message.
    pub(crate) fn push(&self, message: WsMessage) -> Result<(), SendError> {
        if self.overflowed() {
            return Err(SendError::QueueFull);
        }
        match self.sender.try_send(message) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                if !self.shared.overflowed.swap(true, Ordering::SeqCst) {
                    tracing::warn!("client is not reading: outgoing queue full, closing with 1013");
                    self.shared.overflow.send_replace(true);
                }
                Err(SendError::QueueFull)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(SendError::Closed),
        }
    }

    /// Queues a JSON frame, logging its action.
    pub(crate) fn push_json(&self, frame: &Value) -> Result<(), SendError> {
        let log = &self.shared.log;
        let action = log.action_of(frame);
        if log.log_sent && log.loggable(action) {
            tracing::info!(sent_action = action.unwrap_or(""), "websocket sent");
        }
        let text = crate::json::to_string(frame)?;
        tracing::debug!(frame = %text, "websocket sent frame");
        self.push(WsMessage::Text(text))
    }

    /// Queues a serialized message whose action is known, so logging it
    /// needs no parse.
    pub(crate) fn push_serialized(
        &self,
        text: String,
        action: Option<&str>,
    ) -> Result<(), SendError> {
        let log = &self.shared.log;
        if action.is_none() {
            return self.push_json_text(&text);
        }
        if log.log_sent && log.loggable(action) {
            tracing::info!(sent_action = action.unwrap_or(""), "websocket sent");
        }
        tracing::debug!(frame = %text, "websocket sent frame");
        self.push(WsMessage::Text(text))
    }

    /// Queues a frame already serialized as JSON text, logging its action.
    pub(crate) fn push_json_text(&self, frame: &str) -> Result<(), SendError> {
        let log = &self.shared.log;
        // The action is only read when the log line is wanted: that needs a parse.
        if log.log_sent && tracing::enabled!(tracing::Level::INFO) {
            let value = crate::json::parse(frame).ok();
            let action = value.as_ref().and_then(|v| log.action_of_json(v));
            if log.loggable(action) {
                tracing::info!(sent_action = action.unwrap_or(""), "websocket sent");
            }
        }
        tracing::debug!(frame, "websocket sent frame");
        self.push(WsMessage::Text(frame.to_owned()))
    }

    pub(crate) fn overflowed(&self) -> bool {
        self.shared.overflowed.load(Ordering::SeqCst)
    }

    /// Resolves once the queue has overflowed.
    pub(crate) fn overflow_signal(&self) -> watch::Receiver<bool> {
        self.shared.overflow.subscribe()
    }
}

/// The receiving end of an [`Outbox`].
pub(crate) struct Writer {
    receiver: mpsc::Receiver<WsMessage>,
    overflow: watch::Receiver<bool>,
}

impl Writer {
    /// Writes queued frames until a close frame was written, every outbox
    /// handle is gone, the sink fails, or the queue overflowed.
    pub(crate) async fn run<S>(mut self, mut sink: S, close_timeout: Duration)
    where
        S: Sink<WsMessage> + Unpin,
        S::Error: Display,
    {
        let mut overflowed = false;
        loop {
            let next = tokio::select! {
                biased;
                true = crate::util::became_true(&mut self.overflow) => { overflowed = true; break; }
                next = self.receiver.recv() => next,
            };
            let Some(message) = next else { break };
            let closing = matches!(message, WsMessage::Close(_));
            let sent = tokio::select! {
                biased;
                true = crate::util::became_true(&mut self.overflow) => { overflowed = true; break; }
                sent = sink.send(message) => sent,
            };
            if let Err(error) = sent {
                tracing::debug!(%error, "websocket write failed");
                return;
            }
            if closing {
                return;
            }
        }
        if overflowed {
            let close = WsMessage::close(close_code::TRY_AGAIN_LATER, "outgoing queue full");
            let _ = tokio::time::timeout(close_timeout, sink.send(close)).await;
        }
        let _ = tokio::time::timeout(close_timeout, sink.close()).await;
    }
}
