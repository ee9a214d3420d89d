//! The bounded queue of frames to one client, and the task that writes them.
//!
//! Policy for a slow client:
//!
//! - frames are queued without waiting; the connection takes its next
//!   client frame or layer message only when the queue has room for what it
//!   may answer, so a client that reads slowly slows down what is sent to it
//!   (and, through the channel layer, its senders) instead of overflowing;
//! - a client that does not keep up is closed with 1013 ("try again
//!   later"), with a warning: when a handler queues a frame into a full
//!   queue, or when a frame has waited in the queue longer than
//!   `slow_client_timeout` (the client reads slower than it is sent to, or
//!   not at all).

use std::{
    collections::HashSet,
    fmt::Display,
    future::Future,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    task::Poll,
    time::Duration,
};

use futures_util::{Sink, SinkExt};
use serde_json::Value;
use tokio::{
    sync::{mpsc, watch},
    time::Instant,
};

use crate::{
    layer::RuntimeCounters,
    woken::WhenWoken,
    ws::{WsMessage, close_code},
};

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
    /// Frames queued so far, for the connection's disconnect line.
    pub(crate) sent_frames: AtomicU64,
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

    /// The action of serialized JSON whose first key is the action key
    /// (every frame chanx writes), read without parsing.
    pub(crate) fn leading_action<'a>(&self, text: &'a str) -> Option<&'a str> {
        let rest = text
            .strip_prefix("{\"")?
            .strip_prefix(self.action_key.as_str())?;
        let rest = rest.strip_prefix("\":")?;
        let rest = rest.strip_prefix(' ').unwrap_or(rest).strip_prefix('"')?;
        let action = &rest[..rest.find('"')?];
        // An escape would need decoding: leave that to a parse.
        (!action.contains('\\')).then_some(action)
    }

    /// Reports a frame queued for the client: counted, and logged (one
    /// line per frame, at debug) unless its action is not logged.
    pub(crate) fn sent(&self, action: Option<&str>) {
        self.sent_frames.fetch_add(1, Ordering::Relaxed);
        crate::observe::frame_sent(action);
        if self.log_sent && self.loggable(action) {
            tracing::debug!(
                target: crate::FRAMES_TARGET,
                direction = "out",
                action = action.unwrap_or(""),
                "websocket sent"
            );
        }
    }

    /// Whether [`LogPolicy::sent`] needs the action of an outgoing frame.
    fn wants_sent_action(&self) -> bool {
        crate::observe::RECORDING
            || (self.log_sent
                && tracing::enabled!(target: crate::FRAMES_TARGET, tracing::Level::DEBUG))
    }
}

struct Shared {
    overflowed: AtomicBool,
    overflow: watch::Sender<bool>,
    /// The reason of the 1013 close, set with `overflowed`.
    reason: OnceLock<&'static str>,
    log: LogPolicy,
    counters: Arc<RuntimeCounters>,
}

impl Shared {
    fn close_slow(&self, reason: &'static str) {
        if !self.overflowed.swap(true, Ordering::SeqCst) {
            let _ = self.reason.set(reason);
            tracing::warn!(reason, "client does not keep up: closing with 1013");
            self.counters.slow_client_closed();
            crate::observe::closed(close_code::TRY_AGAIN_LATER);
            self.overflow.send_replace(true);
        }
    }
}

/// A frame and when it was queued.
struct Queued {
    message: WsMessage,
    at: Instant,
}

/// A cloneable handle that queues frames for one client.
#[derive(Clone)]
pub(crate) struct Outbox {
    sender: mpsc::Sender<Queued>,
    shared: Arc<Shared>,
}

impl Outbox {
    /// Creates the queue; the receiver goes to the [`Writer`].
    pub(crate) fn new(
        capacity: usize,
        log: LogPolicy,
        counters: Arc<RuntimeCounters>,
    ) -> (Outbox, Writer) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let (overflow, overflow_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            overflowed: AtomicBool::new(false),
            overflow,
            reason: OnceLock::new(),
            log,
            counters,
        });
        let writer = Writer {
            receiver,
            overflow: overflow_rx,
            shared: shared.clone(),
        };
        (Outbox { sender, shared }, writer)
    }

    pub(crate) fn log(&self) -> &LogPolicy {
        &self.shared.log
    }

    /// Queues a raw WebSocket message; a full queue closes the client (1013).
    pub(crate) fn push(&self, message: WsMessage) -> Result<(), SendError> {
        if self.overflowed() {
            return Err(SendError::QueueFull);
        }
        let queued = Queued {
            message,
            at: Instant::now(),
        };
        match self.sender.try_send(queued) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.close_slow("outgoing queue full");
                Err(SendError::QueueFull)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(SendError::Closed),
        }
    }

    /// Queues a message only if there is room (a keep-alive ping, say): a
    /// full queue is not the client's fault here.
    pub(crate) fn push_if_room(&self, message: WsMessage) {
        let queued = Queued {
            message,
            at: Instant::now(),
        };
        let _ = self.sender.try_send(queued);
    }

    /// Waits until the queue has room for `frames` more frames (or as many
    /// as it holds).
    pub(crate) async fn room(&self, frames: usize) {
        let frames = frames.clamp(1, self.sender.max_capacity());
        if self.sender.capacity() >= frames {
            return;
        }
        // The permits are given back at once: this only waits for room.
        let _ = self.sender.reserve_many(frames).await;
    }

    /// Closes the client with 1013: the writer drops what is queued and
    /// sends the close frame. Logged and counted once.
    pub(crate) fn close_slow(&self, reason: &'static str) {
        self.shared.close_slow(reason);
    }

    /// Queues a JSON frame, logging its action.
    pub(crate) fn push_json(&self, frame: &Value) -> Result<(), SendError> {
        let log = &self.shared.log;
        log.sent(log.action_of(frame));
        let text = crate::json::to_string(frame)?;
        tracing::trace!(target: crate::FRAMES_TARGET, frame = %text, "websocket sent frame");
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
        log.sent(action);
        tracing::trace!(target: crate::FRAMES_TARGET, frame = %text, "websocket sent frame");
        self.push(WsMessage::Text(text))
    }

    /// Queues a frame already serialized as JSON text, logging its action.
    pub(crate) fn push_json_text(&self, frame: &str) -> Result<(), SendError> {
        let log = &self.shared.log;
        // The action is only read when a log line or metric wants it; a
        // frame whose action is not its first key needs a parse.
        if log.wants_sent_action() {
            match log.leading_action(frame) {
                Some(action) => log.sent(Some(action)),
                None => {
                    let value = crate::json::parse(frame).ok();
                    log.sent(value.as_ref().and_then(|v| log.action_of_json(v)));
                }
            }
        } else {
            log.sent_frames.fetch_add(1, Ordering::Relaxed);
        }
        tracing::trace!(target: crate::FRAMES_TARGET, frame, "websocket sent frame");
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
    receiver: mpsc::Receiver<Queued>,
    overflow: watch::Receiver<bool>,
    shared: Arc<Shared>,
}

impl Writer {
    /// Writes queued frames until a close frame was written, every outbox
    /// handle is gone, the sink fails, or the client was found too slow (a
    /// full queue, or a frame not written within `slow_timeout` of being
    /// queued): then the rest of the queue is dropped and 1013 sent.
    ///
    /// Frames already queued are written together and flushed once: a
    /// broadcast to a busy client costs one system call, not one per frame.
    pub(crate) async fn run<S>(
        mut self,
        mut sink: S,
        close_timeout: Duration,
        slow_timeout: Duration,
    ) where
        S: Sink<WsMessage> + Unpin,
        S::Error: Display,
    {
        let mut too_slow = false;
        // Made once, not once per frame: a watch waiter is not free. And
        // polled only once its watch woke the task (`WhenWoken`), not twice
        // per frame.
        let overflow = &mut self.overflow;
        let mut overflow_signal = std::pin::pin!(async {
            if !crate::util::became_true(overflow).await {
                std::future::pending::<()>().await;
            }
        });
        let mut gate = WhenWoken::new();
        let mut overflowed =
            std::future::poll_fn(|cx| gate.poll(cx, |cx| overflow_signal.as_mut().poll(cx)));
        loop {
            let next = tokio::select! {
                biased;
                () = &mut overflowed => { too_slow = true; break; }
                next = self.receiver.recv() => next,
            };
            let Some(Queued { message, at }) = next else {
                break;
            };
            let closing = matches!(message, WsMessage::Close(_));
            let deadline = if closing {
                Instant::now() + close_timeout
            } else {
                at + slow_timeout
            };
            // The first frame's deadline holds for the whole batch: it is
            // the oldest, and the batch is written when it is.
            let mut batch =
                std::pin::pin!(write_batch(&mut sink, message, &mut self.receiver, closing));
            // As the `select!` below would: an overflow drops the batch.
            if self.shared.overflowed.load(Ordering::SeqCst) {
                too_slow = true;
                break;
            }
            // Most batches are written at once: a timer (and the runtime
            // handle it clones) only for one the socket did not take.
            let at_once =
                std::future::poll_fn(|cx| Poll::Ready(batch.as_mut().poll(cx).map(Ok))).await;
            let sent = match at_once {
                Poll::Ready(sent) => sent,
                Poll::Pending => tokio::select! {
                    biased;
                    () = &mut overflowed => { too_slow = true; break; }
                    sent = tokio::time::timeout_at(deadline, batch) => sent,
                },
            };
            match sent {
                Ok(Ok(true)) => return,
                Ok(Ok(false)) => {}
                Ok(Err(error)) => {
                    tracing::debug!(%error, "websocket write failed");
                    return;
                }
                // The close frame could not be written in time.
                Err(_) if closing => return,
                Err(_) => {
                    self.shared.close_slow("client too slow");
                    too_slow = true;
                    break;
                }
            }
        }
        if too_slow {
            let reason = self
                .shared
                .reason
                .get()
                .copied()
                .unwrap_or("client too slow");
            let close = WsMessage::close(close_code::TRY_AGAIN_LATER, reason);
            let _ = tokio::time::timeout(close_timeout, sink.send(close)).await;
            return;
        }
        let _ = tokio::time::timeout(close_timeout, sink.close()).await;
    }
}

/// Most frames written before one flush.
const BATCH: usize = 64;

/// Writes `first` and the frames queued behind it (up to [`BATCH`], up to
/// and including a close frame), then flushes. `Ok(true)`: a close frame
/// was written. A failure is its message (all the writer does with it).
async fn write_batch<S>(
    sink: &mut S,
    first: WsMessage,
    receiver: &mut mpsc::Receiver<Queued>,
    first_closes: bool,
) -> Result<bool, String>
where
    S: Sink<WsMessage> + Unpin,
    S::Error: Display,
{
    write_frames(sink, first, receiver, first_closes)
        .await
        .map_err(|error| error.to_string())
}

async fn write_frames<S>(
    sink: &mut S,
    first: WsMessage,
    receiver: &mut mpsc::Receiver<Queued>,
    first_closes: bool,
) -> Result<bool, S::Error>
where
    S: Sink<WsMessage> + Unpin,
{
    sink.feed(first).await?;
    let mut closed = first_closes;
    let mut written = 1;
    // `is_empty` first: a failed `try_recv` costs several times as much,
    // and most batches are one frame. A frame queued after the check goes
    // in the next batch, in order.
    while !closed && written < BATCH && !receiver.is_empty() {
        let Ok(Queued { message, .. }) = receiver.try_recv() else {
            break;
        };
        closed = matches!(message, WsMessage::Close(_));
        sink.feed(message).await?;
        written += 1;
    }
    sink.flush().await?;
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(action_key: &str) -> LogPolicy {
        LogPolicy {
            action_key: action_key.to_owned(),
            log_received: true,
            log_sent: true,
            ignored: HashSet::new(),
            sent_frames: AtomicU64::new(0),
        }
    }

    #[test]
    fn the_leading_action_is_read_without_a_parse() {
        let log = policy("action");
        for (text, action) in [
            (r#"{"action": "pong", "payload": null}"#, Some("pong")),
            (
                r#"{"action":"chat_notification","payload":{}}"#,
                Some("chat_notification"),
            ),
            // Not first, escaped, not a string, another key: left to a parse.
            (r#"{"payload": null, "action": "pong"}"#, None),
            (r#"{"action": "a\"b"}"#, None),
            (r#"{"action": 5}"#, None),
            (r#"{"actions": "x"}"#, None),
            ("[1]", None),
        ] {
            assert_eq!(log.leading_action(text), action, "{text}");
        }
        assert_eq!(policy("type").leading_action(r#"{"type": "x"}"#), Some("x"));
    }
}
