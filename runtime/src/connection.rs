//! The per-connection core, independent of the transport.
//!
//! Ordering guarantee: the frames of one connection are handled one at a
//! time, in the order they arrive; the next frame is read only after the
//! previous one's handler finished and its reply, error and completion
//! frames were queued. Group messages and events for the connection are
//! interleaved with client frames, also one at a time, and each source
//! stays in order. (The Python chanx runs each frame in its own task, so its
//! replies may overtake one another; here they never do.)
//!
//! While a handler runs, the connection's inbox keeps being emptied into a
//! local queue (as long as the client keeps up), so that handlers waiting
//! for room in each other's inboxes never wait on one another.

use std::{
    collections::VecDeque,
    fmt::Display,
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::Poll,
    time::Duration,
};

use bytes::Bytes;
use futures_util::{Sink, Stream, StreamExt};
use tokio::{
    sync::{mpsc, watch},
    time::{Instant, Interval, Sleep},
};
use tracing::Instrument;

use crate::{
    auth::{AnyUser, ConnectRequest},
    context::{Connection, Context},
    decode::DecodeError,
    frames::{Completion, Frames},
    handler::{Handler, Params, PathParams},
    json::Json,
    layer::{Inbox, Layer, LayerMessage, RelayedFrame},
    message::ChannelMessage,
    outbox::{LogPolicy, Outbox},
    respond::{Responder, Stamp},
    router::Route,
    topic::Subscriptions,
    woken::WhenWoken,
    ws::{ReadFrame, WsMessage, close_code},
};

/// A transport read failure.
///
/// The first three are the client's fault and the connection can still send
/// a close frame: 1009, 1002 and 1007 respectively.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The client sent a message over the transport's size limit.
    #[error("message too big")]
    MessageTooBig,
    /// The client broke the WebSocket protocol (reserved bits, an unknown
    /// opcode, an unmasked or orphan continuation frame, a control frame
    /// fragmented or over 125 bytes, …).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// A text message that is not valid UTF-8.
    #[error("invalid UTF-8: {0}")]
    InvalidUtf8(String),
    #[error("{0}")]
    /// Any other failure to read (the connection is then over).
    Other(String),
}

impl TransportError {
    /// Classifies a tungstenite error from its text, for transports that
    /// hand it over wrapped (axum's `ws::Message` errors wrap the
    /// tungstenite version axum was built with).
    #[cfg(feature = "axum")]
    pub(crate) fn from_tungstenite_text(text: String) -> Self {
        if text.starts_with("Space limit exceeded: Message too long") {
            TransportError::MessageTooBig
        } else if let Some(detail) = text.strip_prefix("UTF-8 encoding error: ") {
            TransportError::InvalidUtf8(detail.to_owned())
        } else if let Some(detail) = text.strip_prefix("WebSocket protocol error: ") {
            // The peer is gone, or already closing: no close frame to send.
            let gone = [
                "Connection reset without closing handshake",
                "Remote sent after having closed",
                "Sending after closing is not allowed",
            ];
            if gone.contains(&detail) {
                TransportError::Other(text)
            } else {
                TransportError::Protocol(detail.to_owned())
            }
        } else {
            TransportError::Other(text)
        }
    }

    /// The close frame this failure calls for, if the connection can still
    /// send one.
    fn close(&self) -> Option<(u16, &'static str)> {
        match self {
            TransportError::MessageTooBig => Some((close_code::MESSAGE_TOO_BIG, "message too big")),
            TransportError::Protocol(_) => Some((close_code::PROTOCOL_ERROR, "protocol error")),
            TransportError::InvalidUtf8(_) => Some((close_code::INVALID_PAYLOAD, "invalid UTF-8")),
            TransportError::Other(_) => None,
        }
    }
}

impl From<tokio_tungstenite::tungstenite::Error> for TransportError {
    fn from(error: tokio_tungstenite::tungstenite::Error) -> Self {
        use tokio_tungstenite::tungstenite::{
            Error,
            error::{CapacityError, ProtocolError},
        };
        match error {
            Error::Capacity(CapacityError::MessageTooLong { .. }) => TransportError::MessageTooBig,
            Error::Utf8(detail) => TransportError::InvalidUtf8(detail),
            Error::Protocol(
                ProtocolError::ResetWithoutClosingHandshake
                | ProtocolError::ReceivedAfterClosing
                | ProtocolError::SendAfterClosing,
            ) => TransportError::Other(error.to_string()),
            Error::Protocol(violation) => TransportError::Protocol(violation.to_string()),
            other => TransportError::Other(other.to_string()),
        }
    }
}

impl From<std::convert::Infallible> for TransportError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// An upgraded connection, before the handler runs.
#[derive(Debug, Default)]
pub struct Accepted {
    pub request: ConnectRequest,
    /// The parameters of the matched address template.
    pub path_params: PathParams,
    /// Opened once the connection is in its groups and topic: until then
    /// the server holds back the handshake's answer.
    pub(crate) ready: crate::transport::Gate,
}

/// Why the main loop ended.
enum End {
    /// The client closed or went away: nothing more to send.
    ClientGone,
    /// The server closes with this code and reason.
    Close(u16, &'static str),
}

/// Serves one connection to completion: authentication, `on_connect`, then
/// frames, group messages and events until either side closes.
pub async fn serve_connection<H, Si, St, E>(
    route: &Route<H>,
    accepted: Accepted,
    layer: Layer,
    shutdown: watch::Receiver<bool>,
    sink: Si,
    stream: St,
) where
    H: Handler,
    Si: Sink<WsMessage> + Send + Unpin + 'static,
    Si::Error: Display,
    St: Stream<Item = Result<ReadFrame, E>> + Send + Unpin,
    E: Into<TransportError>,
{
    let config = route.settings();
    let action_key = config
        .action_key
        .clone()
        .or(H::TAG_KEY.map(str::to_owned))
        .unwrap_or_else(|| "action".to_owned());
    let frames = Frames {
        action_key: action_key.clone(),
        camelize: config.camelize,
        include_error_context: config.include_error_context,
    };
    let log = LogPolicy {
        action_key,
        log_received: config.log_received_message,
        log_sent: config.log_sent_message,
        ignored: config.log_ignored_actions.iter().cloned().collect(),
        sent_frames: AtomicU64::new(0),
    };
    let (outbox, writer) = Outbox::new(
        config.outgoing_queue_capacity,
        log,
        layer.runtime_counters(),
    );
    let close_timeout = config.close_timeout;
    let writer = tokio::spawn(writer.run(sink, close_timeout, config.slow_client_timeout));

    let core = Core {
        route,
        responder: Responder {
            outbox: outbox.clone(),
            frames: Arc::new(frames),
            send_completion: config.send_completion,
        },
        outbox: outbox.clone(),
        layer,
        topics: tokio::sync::Mutex::new(Subscriptions::new(route.topics().clone())),
        default_topic: std::sync::OnceLock::new(),
        received_frames: AtomicU64::new(0),
    };
    if let Some(end) = core.run(accepted, shutdown, stream).await {
        crate::observe::closed(end.0);
        let _ = outbox.push(WsMessage::close(end.0, end.1));
    }
    drop(core);
    drop(outbox);
    // Give the writer time to flush queued frames and the close frame.
    if tokio::time::timeout(close_timeout + Duration::from_secs(1), writer)
        .await
        .is_err()
    {
        tracing::debug!("writer did not finish in time");
    }
}

struct Core<'r, H: Handler> {
    route: &'r Route<H>,
    responder: Responder,
    outbox: Outbox,
    layer: Layer,
    /// The connection's topic subscriptions (frames are handled one at a
    /// time, so the lock is never contended).
    topics: tokio::sync::Mutex<Subscriptions>,
    /// The topic of a topic's own route, once resolved from the path: kept
    /// out of the lock so that other frames do not take it.
    default_topic: std::sync::OnceLock<Arc<str>>,
    /// Client frames read, for the disconnect line.
    received_frames: AtomicU64,
}

impl<H: Handler> Core<'_, H> {
    /// Returns the close frame to send, if the server closes.
    async fn run<St, E>(
        &self,
        mut accepted: Accepted,
        shutdown: watch::Receiver<bool>,
        stream: St,
    ) -> Option<(u16, &'static str)>
    where
        St: Stream<Item = Result<ReadFrame, E>> + Send + Unpin,
        E: Into<TransportError>,
    {
        let params = match H::Params::from_path(&accepted.path_params) {
            Ok(params) => params,
            Err(error) => {
                tracing::warn!(%error, "path parameters rejected");
                return Some((close_code::POLICY_VIOLATION, "invalid path parameters"));
            }
        };
        let user = match self.authenticate(&accepted.request).await {
            Ok(user) => user,
            Err(close) => return Some(close),
        };
        let mut inbox = match self.layer.backend().new_channel().await {
            Ok(inbox) => inbox,
            Err(error) => {
                tracing::error!(%error, "cannot create the connection's channel");
                return Some((close_code::INTERNAL_ERROR, "channel layer unavailable"));
            }
        };
        let channel_name = inbox.name.clone();
        tracing::Span::current().record("channel", channel_name.as_str());
        let connection = Arc::new(Connection {
            user,
            request: Arc::new(accepted.request),
            channel_name: channel_name.clone(),
            layer: self.layer.clone(),
            responder: self.responder.clone(),
            subscriptions: Default::default(),
        });
        let mut ctx = Context::new(params, Arc::clone(&connection));
        let resolved = {
            let mut topics = self.topics.lock().await;
            let resolved = topics.resolve_default(&accepted.path_params);
            if let Some(topic) = topics.default_topic() {
                let _ = self.default_topic.set(Arc::clone(topic));
            }
            resolved
        };
        if let Err(error) = resolved {
            tracing::error!(%error, "cannot serve the route's topic");
            let _ = self.layer.backend().close_channel(&channel_name).await;
            return Some((
                close_code::INTERNAL_ERROR,
                "topic pattern and address disagree",
            ));
        }
        let started = Instant::now();
        let ready = std::mem::take(&mut accepted.ready);
        let end = self
            .connected(&mut ctx, &mut inbox, ready, shutdown, stream)
            .await;
        // chanx's cleanup: every topic unsubscribed (hooks run, groups left).
        self.topics.lock().await.close(&connection).await;
        self.route.handler().on_disconnect(&mut ctx).await;
        // Leave the layer before the close frame: no more relays to a dead client.
        for group in ctx.joined() {
            if let Err(error) = self
                .layer
                .backend()
                .group_discard(group, &channel_name)
                .await
            {
                tracing::warn!(group, %error, "cannot leave group");
            }
        }
        if let Err(error) = self.layer.backend().close_channel(&channel_name).await {
            tracing::warn!(%error, "cannot close the connection's channel");
        }
        let close_code = match end {
            End::Close(code, _) => Some(code),
            End::ClientGone => None,
        };
        tracing::info!(
            frames_in = self.received_frames.load(Ordering::Relaxed),
            frames_out = self.outbox.log().sent_frames.load(Ordering::Relaxed),
            close_code,
            duration_ms = started.elapsed().as_millis() as u64,
            "websocket disconnected"
        );
        match end {
            End::ClientGone => None,
            End::Close(code, reason) => Some((code, reason)),
        }
    }

    async fn authenticate(
        &self,
        request: &ConnectRequest,
    ) -> Result<Option<AnyUser>, (u16, &'static str)> {
        let Some(authenticator) = self.route.auth() else {
            return Ok(None);
        };
        match authenticator.authenticate_dyn(request).await {
            Ok(user) => {
                if self.route.settings().send_authentication_message {
                    let _ = self
                        .outbox
                        .push_json(&self.responder.frames.authenticated());
                }
                Ok(Some(user))
            }
            Err(rejection) => {
                tracing::info!(
                    status = rejection.status_code,
                    "websocket authentication rejected"
                );
                let _ = self
                    .outbox
                    .push_json(&self.responder.frames.authentication(&rejection));
                let reason = if rejection.close_code() == close_code::UNAUTHORIZED {
                    "Unauthorized"
                } else {
                    "Forbidden"
                };
                Err((rejection.close_code(), reason))
            }
        }
    }

    async fn connected<St, E>(
        &self,
        ctx: &mut Context<H::Outgoing, H::Params>,
        inbox: &mut Inbox,
        mut ready: crate::transport::Gate,
        mut shutdown: watch::Receiver<bool>,
        mut stream: St,
    ) -> End
    where
        St: Stream<Item = Result<ReadFrame, E>> + Send + Unpin,
        E: Into<TransportError>,
    {
        let config = self.route.settings();
        // Messages set aside while a handler runs. When a member that does
        // not read holds a room up, every sender waits on it after one
        // message, so about one message per sender is set aside: room for
        // four times the outgoing queue (1024 by default) keeps a handler
        // from waiting on its own inbox in rooms up to that size.
        let mut pending = Pending::new(config.outgoing_queue_capacity.saturating_mul(4));
        for group in &config.groups {
            if let Err(error) = ctx.join(group).await {
                tracing::error!(group, %error, "cannot join group");
                return End::Close(close_code::INTERNAL_ERROR, "cannot join groups");
            }
        }
        let connected = {
            let connect = std::pin::pin!(self.route.handler().on_connect(ctx));
            pending.drain_while(connect, &mut inbox.receiver).await
        };
        if let Err(error) = connected {
            tracing::error!(%error, "on_connect failed");
            return End::Close(close_code::INTERNAL_ERROR, "connection setup failed");
        }
        tracing::info!("websocket connected");
        crate::observe::connection_opened();
        let _open = OpenConnection;
        // A topic's own route subscribes it on connect.
        {
            let mut topics = self.topics.lock().await;
            if let Some(topic) = topics.default_topic().cloned() {
                topics.subscribe(ctx.connection(), &topic, None).await;
            }
        }
        // In its groups and topic: the client may now learn it is connected.
        ready.open();

        // Room in the outgoing queue for what one client frame or layer
        // message may queue (reply, error, completion, …) before it is taken.
        let headroom = HEADROOM.min(config.outgoing_queue_capacity.max(1));
        let mut overflow = self.outbox.overflow_signal();
        let mut ping = config
            .ping_interval
            .map(|every| tokio::time::interval_at(Instant::now() + every, every));
        // One idle timer per connection, re-armed lazily when it fires: a
        // fresh timer per frame would cost a timer-wheel insert and removal
        // on every message.
        let mut last_activity = Instant::now();
        let mut idle_timer = config
            .idle_timeout
            .map(|idle| Box::pin(tokio::time::sleep_until(last_activity + idle)));
        // Client frames and layer messages take turns when both are waiting:
        // a busy room must not starve the client's own frames, nor a busy
        // client its inbox (its own broadcasts come back through it).
        let mut layer_first = false;
        // One future for the three ways the connection is stopped from
        // outside, made once: built afresh on every frame, its three watch
        // waiters were a tenth of the loop's cost.
        let cut_off = &mut inbox.cut_off;
        let mut stopped = std::pin::pin!(Stop::first(&mut overflow, cut_off, &mut shutdown));
        // The stop signals and timers almost never fire: polled only when
        // one of them woke the task, not on every frame.
        let mut rare = WhenWoken::new();
        loop {
            let rare_event = std::future::poll_fn(|cx| {
                rare.poll(cx, |cx| {
                    if let Poll::Ready(stop) = stopped.as_mut().poll(cx) {
                        return Poll::Ready(Rare::Stop(stop));
                    }
                    if poll_tick(&mut ping, cx).is_ready() {
                        return Poll::Ready(Rare::Ping);
                    }
                    if poll_timer(&mut idle_timer, cx).is_ready() {
                        return Poll::Ready(Rare::IdleTimer);
                    }
                    Poll::Pending
                })
            });
            tokio::select! {
                biased;
                event = rare_event => match event {
                    Rare::Stop(Stop::Shutdown) => {
                        // Boxed: rare work, kept out of the loop's own state.
                        Box::pin(self.flush_on_shutdown(ctx, &mut pending, &mut inbox.receiver)).await;
                        return End::Close(close_code::GOING_AWAY, "server shutting down");
                    }
                    Rare::Stop(Stop::Overflow) => return End::ClientGone,
                    Rare::Stop(Stop::CutOff) => return self.cut_off(),
                    Rare::Ping => self.outbox.push_if_room(WsMessage::Ping(Vec::new())),
                    Rare::IdleTimer => {
                        if let Some(end) = idle_timer_fired(config.idle_timeout, last_activity, &mut idle_timer) {
                            return end;
                        }
                    }
                },
                input = pending.next_input(&mut stream, &mut inbox.receiver, &self.outbox, headroom, layer_first) => {
                    layer_first = matches!(input, Input::Frame(_));
                    let frame = match input {
                        Input::Layer(bytes) => {
                            let handled = std::pin::pin!(self.on_layer_message(ctx, &bytes));
                            pending.drain_while(handled, &mut inbox.receiver).await;
                            continue;
                        }
                        Input::Frame(frame) => frame,
                    };
                    let message = match frame {
                        None => return End::ClientGone,
                        Some(Err(error)) => return read_failed(error.into()),
                        Some(Ok(message)) => message,
                    };
                    if idle_timer.is_some() {
                        last_activity = Instant::now();
                    }
                    match message {
                        ReadFrame::Text(text) if text.len() > config.max_message_bytes => {
                            return too_big();
                        }
                        ReadFrame::Binary(len) if len > config.max_message_bytes => return too_big(),
                        ReadFrame::Text(text) => {
                            let handled = std::pin::pin!(self.on_text(ctx, text.as_str()));
                            pending.drain_while(handled, &mut inbox.receiver).await;
                        }
                        ReadFrame::Binary(_) => self.on_binary(),
                        ReadFrame::Control => {}
                        ReadFrame::Close => return End::ClientGone,
                    }
                }
            }
        }
    }

    /// The layer dropped a message for this client: it does not keep up,
    /// and must not stay open having missed it.
    #[cold]
    #[inline(never)]
    fn cut_off(&self) -> End {
        self.outbox.close_slow("messages dropped: client too slow");
        End::ClientGone
    }

    /// On shutdown: relays and events already queued (such as the broadcast
    /// of the handler that just finished) still go out.
    async fn flush_on_shutdown(
        &self,
        ctx: &mut Context<H::Outgoing, H::Params>,
        pending: &mut Pending,
        inbox: &mut mpsc::Receiver<Bytes>,
    ) {
        while let Some(bytes) = pending.pop().or_else(|| inbox.try_recv().ok()) {
            self.on_layer_message(ctx, &bytes).await;
        }
    }

    /// A text frame: JSON → decode → dispatch → reply, errors and completion.
    async fn on_text(&self, ctx: &mut Context<H::Outgoing, H::Params>, text: &str) {
        // Read as Python's `json.loads` reads (NaN, integers of any size, its
        // error messages), as chanx does.
        let (mut value, depth) =
            match crate::json::parse_measured(text, crate::json::DEFAULT_MAX_DEPTH) {
                Ok(parsed) => parsed,
                Err(error) => return self.unreadable(&DecodeError::json_invalid(error), text),
            };
        // chanx validates the routing envelope (`version`, `topic`, `ref`,
        // `seq`) first and strips it before the message is decoded.
        let envelope = match crate::envelope::take(&mut value) {
            Ok(envelope) => envelope,
            Err(error) => return self.unreadable(&error, text),
        };
        // On a topic's own route, frames without a topic belong to it.
        let topic = envelope
            .topic
            .as_deref()
            .or(self.default_topic.get().map(|t| &**t));
        // Copied out: validation changes the frame in place.
        let action = logged_action(self.outbox.log(), &value);
        if let Some(topic) = topic {
            let topic = topic.to_owned();
            let received = Received {
                action: action.as_deref(),
                reference: envelope.reference.as_deref(),
                topic: Some(&topic),
            };
            let started = self.frame_in(received, text);
            let span = tracing::debug_span!(
                target: crate::FRAMES_TARGET,
                "topic",
                topic = topic.as_str(),
                r#ref = received.reference
            );
            // Boxed: a topic frame's work is far larger than a message's,
            // and in place it would size every frame's future by it.
            Box::pin(async {
                self.topics
                    .lock()
                    .await
                    .on_frame(
                        ctx.connection(),
                        &mut value,
                        depth,
                        &topic,
                        envelope.reference.as_deref(),
                    )
                    .instrument(span)
                    .await
            })
            .await;
            handled(started, received, "done");
            return;
        }
        let reference: Option<Arc<str>> = envelope.reference.map(Arc::from);
        let received = Received {
            action: action.as_deref(),
            reference: reference.as_deref(),
            topic: None,
        };
        let span = tracing::debug_span!(
            target: crate::FRAMES_TARGET,
            "message",
            action = received.action,
            r#ref = received.reference
        );
        async {
            let started = self.frame_in(received, text);
            let stamp = Stamp::reply(reference.as_deref());
            let outcome = match decode_frame::<H::Incoming>(&mut value, depth) {
                Err(error) => {
                    crate::observe::frame_received(crate::observe::INVALID);
                    tracing::debug!(%error, "frame rejected");
                    self.responder.validation_error(&error, stamp);
                    "invalid"
                }
                Ok(message) => {
                    let tag = message.tag();
                    crate::observe::frame_received(tag.unwrap_or(""));
                    // What the handler sends carries the frame's ref, as in chanx.
                    ctx.set_reference(reference.clone());
                    let result = self.route.handler().dispatch(ctx, message).await;
                    ctx.set_reference(None);
                    let outcome = if result.is_ok() { "ok" } else { "error" };
                    self.responder.reply(result, tag, stamp);
                    outcome
                }
            };
            self.responder.complete(Completion::Message, stamp);
            handled(started, received, outcome);
        }
        .instrument(span)
        .await
    }

    /// Binary frames are not JSON text: answered with a `json_invalid` error,
    /// the connection stays open.
    fn on_binary(&self) {
        let error = DecodeError::json_invalid("binary frames are not supported");
        self.unreadable(&error, "<binary>");
    }

    /// A frame that is not a JSON object with a valid envelope: answered
    /// with its error and a completion, the connection stays open.
    #[cold]
    #[inline(never)]
    fn unreadable(&self, error: &DecodeError, text: &str) {
        crate::observe::frame_received(crate::observe::INVALID);
        self.frame_in(Received::invalid(), text);
        self.responder.validation_error(error, Stamp::default());
        self.responder
            .complete(Completion::Message, Stamp::default());
    }

    async fn on_layer_message(&self, ctx: &mut Context<H::Outgoing, H::Params>, bytes: &[u8]) {
        // Relays are the hot path of a broadcast (one per member): their
        // frame goes out as the text it was serialized to, not re-parsed.
        if let Some(relay) = RelayedFrame::from_bytes(bytes) {
            if relay.exclude_current && relay.from_channel == ctx.channel_name() {
                return;
            }
            self.responder.send_relayed(relay.message.get());
            self.responder.complete(Completion::Group, Stamp::default());
            return;
        }
        let envelope = match LayerMessage::from_bytes(bytes) {
            Ok(envelope) => envelope,
            Err(error) => {
                tracing::warn!(%error, "unreadable channel-layer message dropped");
                return;
            }
        };
        match envelope {
            LayerMessage::GroupMessage {
                message,
                exclude_current,
                from_channel,
            } => {
                if exclude_current && from_channel == ctx.channel_name() {
                    return;
                }
                self.responder.send_relayed(message.get());
                self.responder.complete(Completion::Group, Stamp::default());
            }
            LayerMessage::TopicEvent {
                topic,
                seq,
                event_data,
            } => {
                let span = tracing::info_span!("topic_event", topic = topic.as_str());
                let seq = seq.filter(|s| !s.is_null()).map(Json::from);
                self.topics
                    .lock()
                    .await
                    .on_event(&topic, seq, &event_data)
                    .instrument(span)
                    .await;
            }
            LayerMessage::ChannelEvent { event_data } => {
                let action = self
                    .outbox
                    .log()
                    .action_of(&event_data)
                    .unwrap_or("")
                    .to_owned();
                let span = tracing::info_span!("event", action = action.as_str());
                async {
                    let event = match serde_json::from_value::<H::Event>(event_data) {
                        Ok(event) => event,
                        Err(error) => {
                            tracing::error!(%error, "channel event validation failed");
                            return;
                        }
                    };
                    match self.route.handler().on_event(ctx, event).await {
                        Ok(None) => {}
                        Ok(Some(message)) => {
                            self.responder
                                .reply(Ok(Some(message)), None, Stamp::default())
                        }
                        // As chanx: event errors are logged, never sent.
                        Err(error) => {
                            tracing::error!(error = %error, "event handler failed");
                            crate::observe::handler_error("event", &action);
                        }
                    }
                    self.responder.complete(Completion::Event, Stamp::default());
                }
                .instrument(span)
                .await
            }
        }
    }

    /// Counts and logs a client frame; returns when it arrived if its
    /// `handled` line will be logged.
    fn frame_in(&self, frame: Received<'_>, text: &str) -> Option<Instant> {
        self.received_frames.fetch_add(1, Ordering::Relaxed);
        let log = self.outbox.log();
        if !(log.log_received && log.loggable(frame.action)) {
            return None;
        }
        tracing::debug!(
            target: crate::FRAMES_TARGET,
            direction = "in",
            action = frame.action.unwrap_or(""),
            r#ref = frame.reference,
            topic = frame.topic,
            "websocket received"
        );
        tracing::trace!(target: crate::FRAMES_TARGET, frame = %text, "websocket received frame");
        tracing::enabled!(target: crate::FRAMES_TARGET, tracing::Level::DEBUG).then(Instant::now)
    }
}

/// What the log lines of a client frame say about it.
#[derive(Clone, Copy)]
struct Received<'a> {
    action: Option<&'a str>,
    reference: Option<&'a str>,
    topic: Option<&'a str>,
}

impl Received<'_> {
    /// A frame that is not a JSON object with an envelope.
    fn invalid() -> Self {
        Received {
            action: None,
            reference: None,
            topic: None,
        }
    }
}

/// The `handled` line of a frame: how long its handling took, and how it
/// ended (`ok`, `error`, `invalid`; `done` for a topic's frame).
/// A client frame's action for its log lines and span, or `None` when
/// they are off (debug level for [`crate::FRAMES_TARGET`]): a copy, since
/// validation then changes the frame in place.
fn logged_action(log: &LogPolicy, value: &Json) -> Option<String> {
    if !tracing::enabled!(target: crate::FRAMES_TARGET, tracing::Level::DEBUG) {
        return None;
    }
    log.action_of_json(value).map(str::to_owned)
}

fn handled(started: Option<Instant>, frame: Received<'_>, outcome: &'static str) {
    if let Some(started) = started {
        tracing::debug!(
            target: crate::FRAMES_TARGET,
            action = frame.action.unwrap_or(""),
            r#ref = frame.reference,
            topic = frame.topic,
            elapsed_us = started.elapsed().as_micros() as u64,
            outcome,
            "handled"
        );
    }
}

/// Counts a connection as open until it is dropped.
struct OpenConnection;

impl Drop for OpenConnection {
    fn drop(&mut self) {
        crate::observe::connection_closed();
    }
}

/// Frames nested deeper than this are decoded on a thread of their own
/// with a large stack: validation and building the typed message recurse
/// once per level, and an async worker's stack (2 MiB by default, less in
/// some deployments) must never overflow on a hostile frame. Real messages
/// stay far below it.
const DEEP_FRAME: usize = 48;

/// The stack of the thread that decodes a deep frame (reserved, not
/// committed: only the pages used cost memory).
const DEEP_FRAME_STACK: usize = 256 << 20;

pub(crate) fn decode_frame<M: ChannelMessage>(
    value: &mut Json,
    depth: usize,
) -> Result<M, DecodeError> {
    if depth <= DEEP_FRAME {
        return M::decode(value);
    }
    let spawned = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("chanx-deep-frame".into())
            .stack_size(DEEP_FRAME_STACK)
            .spawn_scoped(scope, || M::decode(value))
            .map(|handle| handle.join())
    });
    match spawned {
        Ok(Ok(decoded)) => decoded,
        Ok(Err(_)) | Err(_) => {
            tracing::error!("a deep frame could not be decoded");
            Err(DecodeError::json_invalid(
                "maximum recursion depth exceeded while decoding",
            ))
        }
    }
}

/// Why a connection is stopped from outside its frame loop.
enum Stop {
    /// The outgoing queue overflowed: the writer closes the client.
    Overflow,
    /// The channel layer dropped a message for this client.
    CutOff,
    /// The server is shutting down.
    Shutdown,
}

impl Stop {
    /// The first of the three signals to be raised. A signal whose sender
    /// is gone can never be raised and is not waited for.
    async fn first(
        overflow: &mut watch::Receiver<bool>,
        cut_off: &mut watch::Receiver<bool>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Stop {
        use crate::util::became_true;
        let never = || std::future::pending::<Stop>();
        tokio::select! {
            biased;
            stop = async { if became_true(overflow).await { Stop::Overflow } else { never().await } } => stop,
            stop = async { if became_true(cut_off).await { Stop::CutOff } else { never().await } } => stop,
            stop = async { if became_true(shutdown).await { Stop::Shutdown } else { never().await } } => stop,
        }
    }
}

/// Room kept in the outgoing queue for what one client frame or layer
/// message may queue before it is taken.
const HEADROOM: usize = 4;

/// What the connection handles next.
enum Input<T> {
    /// A client frame (`None`: the client went away).
    Frame(Option<T>),
    /// A channel-layer message.
    Layer(Bytes),
}

/// Layer messages taken from the inbox while a handler ran, to be handled
/// after it, in order.
struct Pending {
    queue: VecDeque<Bytes>,
    capacity: usize,
    /// The inbox is asked for a message only once its sender woke it: an
    /// empty inbox was otherwise asked twice per client frame.
    inbox_gate: WhenWoken,
}

impl Pending {
    fn new(capacity: usize) -> Self {
        Pending {
            queue: VecDeque::new(),
            capacity: capacity.max(1),
            inbox_gate: WhenWoken::new(),
        }
    }

    fn pop(&mut self) -> Option<Bytes> {
        self.queue.pop_front()
    }

    /// The next client frame or layer message (those set aside first),
    /// once the outgoing queue has room for what it may answer: a client
    /// that does not read is not read either, and gets no more layer
    /// messages, which pushes back on their senders. When both are waiting,
    /// `layer_first` says which goes first.
    async fn next_input<St: Stream + Unpin>(
        &mut self,
        stream: &mut St,
        inbox: &mut mpsc::Receiver<Bytes>,
        outbox: &Outbox,
        headroom: usize,
        layer_first: bool,
    ) -> Input<St::Item> {
        outbox.room(headroom).await;
        let queue = &mut self.queue;
        let gate = &mut self.inbox_gate;
        // Polled only when chosen: takes a message only when it returns it.
        let layer = async {
            match queue.pop_front() {
                Some(bytes) => Some(bytes),
                None => gated_recv(gate, inbox).await,
            }
        };
        if layer_first {
            tokio::select! {
                biased;
                Some(bytes) = layer => Input::Layer(bytes),
                frame = stream.next() => Input::Frame(frame),
            }
        } else {
            tokio::select! {
                biased;
                frame = stream.next() => Input::Frame(frame),
                Some(bytes) = layer => Input::Layer(bytes),
            }
        }
    }

    /// Runs `work` (a handler) to completion while setting aside what
    /// arrives in the inbox meanwhile, up to `capacity` messages. So a
    /// handler waiting for room in another connection's inbox never keeps
    /// this one's full, and two such handlers never wait on each other.
    /// (`work` is pinned by the caller, so that the handler's state is not
    /// stored twice in the connection's.)
    async fn drain_while<F: Future>(
        &mut self,
        mut work: Pin<&mut F>,
        inbox: &mut mpsc::Receiver<Bytes>,
    ) -> F::Output {
        loop {
            let room = self.queue.len() < self.capacity;
            let gate = &mut self.inbox_gate;
            let next = gated_recv(gate, inbox);
            tokio::select! {
                biased;
                done = work.as_mut() => return done,
                Some(bytes) = next, if room => {
                    self.queue.push_back(bytes);
                }
            }
        }
    }
}

/// The end of a connection whose client frame could not be read.
#[cold]
#[inline(never)]
fn read_failed(error: TransportError) -> End {
    match error.close() {
        Some((code, reason)) => {
            tracing::info!(%error, code, "closing: the client broke the protocol");
            End::Close(code, reason)
        }
        None => {
            tracing::debug!(%error, "websocket read failed");
            End::ClientGone
        }
    }
}

#[cold]
#[inline(never)]
fn too_big() -> End {
    End::Close(close_code::MESSAGE_TOO_BIG, "message too big")
}

/// The idle timer fired: the end of the connection if it was idle that
/// long, or else the timer set again for the last activity.
#[cold]
#[inline(never)]
fn idle_timer_fired(
    idle_timeout: Option<Duration>,
    last_activity: Instant,
    timer: &mut Option<Pin<Box<Sleep>>>,
) -> Option<End> {
    let deadline = last_activity + idle_timeout.unwrap_or_default();
    match timer.as_mut() {
        Some(timer) if Instant::now() < deadline => {
            timer.as_mut().reset(deadline);
            None
        }
        _ => {
            tracing::info!("closing idle connection");
            Some(End::Close(close_code::NORMAL, "idle timeout"))
        }
    }
}

/// The inbox's next message, asked for only once its sender woke `gate`.
async fn gated_recv(gate: &mut WhenWoken, inbox: &mut mpsc::Receiver<Bytes>) -> Option<Bytes> {
    std::future::poll_fn(|cx| gate.poll(cx, |cx| inbox.poll_recv(cx))).await
}

/// The ping interval's next tick, if there is an interval.
fn poll_tick(interval: &mut Option<Interval>, cx: &mut std::task::Context<'_>) -> Poll<()> {
    match interval {
        Some(interval) => interval.poll_tick(cx).map(|_| ()),
        None => Poll::Pending,
    }
}

/// The idle timer's deadline, if there is a timer.
fn poll_timer(timer: &mut Option<Pin<Box<Sleep>>>, cx: &mut std::task::Context<'_>) -> Poll<()> {
    match timer {
        Some(timer) => timer.as_mut().poll(cx),
        None => Poll::Pending,
    }
}

/// What the signals and timers polled through [`WhenWoken`] report.
enum Rare {
    Stop(Stop),
    Ping,
    IdleTimer,
}
