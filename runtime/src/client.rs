//! A typed WebSocket client for a chanx channel (feature `client`): what the
//! generated `<Channel>Client` types run on.
//!
//! One task owns the socket. Requests carry a `ref` from one counter per
//! client and resolve with the frame that answers them (a reply the caller
//! names, or chanx's `error`); every other frame is a [`Push`], read with
//! [`Client::next`]. When the connection drops, pending requests fail with
//! [`ClientError::Disconnected`], the client reconnects with backoff
//! ([`Reconnect`]) and subscribes again to every topic it had subscribed;
//! [`ClientEvent`]s say so. Nothing is queued while disconnected: a send
//! fails with [`ClientError::NotConnected`] instead of being lost silently.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::{
    self, Message,
    client::IntoClientRequest,
    http::{HeaderName, HeaderValue},
    protocol::WebSocketConfig,
};

use crate::{
    ChannelMessage, envelope,
    json::Json,
    read_ahead::{FRAME_READ_BYTES, ReadAhead},
};

/// How to reach the server.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Query parameters added to the URL (credentials a document puts in
    /// the query, e.g. `token`).
    pub query: Vec<(String, String)>,
    /// Headers sent with the upgrade request (`Authorization`, API keys).
    pub headers: Vec<(String, String)>,
    /// How long a request waits for its answer.
    pub request_timeout: Duration,
    /// What to do when the connection drops.
    pub reconnect: Reconnect,
    /// How many server pushes wait for [`Client::next`] before the client
    /// stops reading the socket (the server then pushes back on its side).
    pub push_capacity: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            query: Vec::new(),
            headers: Vec::new(),
            request_timeout: Duration::from_secs(10),
            reconnect: Reconnect::default(),
            push_capacity: 1024,
        }
    }
}

impl ClientOptions {
    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header to the upgrade request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// Sets how long a request waits for its answer.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets the reconnect policy.
    pub fn reconnect(mut self, reconnect: Reconnect) -> Self {
        self.reconnect = reconnect;
        self
    }
}

/// Reconnecting with exponential backoff: `initial`, doubled up to `max`,
/// for at most `attempts` tries per drop (`None`: until the client is dropped).
#[derive(Debug, Clone)]
pub struct Reconnect {
    /// The first delay.
    pub initial: Duration,
    /// The longest delay.
    pub max: Duration,
    /// Tries per drop; `None`: no limit.
    pub attempts: Option<u32>,
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(5),
            attempts: None,
        }
    }
}

impl Reconnect {
    /// Never reconnect: a drop ends the client.
    pub fn never() -> Self {
        Reconnect {
            attempts: Some(0),
            ..Reconnect::default()
        }
    }
}

/// One item of pydantic's error list, as chanx sends it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ValidationIssue {
    /// pydantic's error type (`missing`, `string_type`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// Where: the action, then the path into the message.
    pub loc: Vec<Value>,
    /// pydantic's message.
    pub msg: String,
}

/// Why a client call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The server rejected the message: pydantic's errors.
    #[error("the server rejected the message: {}", issues.iter().map(|i| format!("{} at {:?}: {}", i.kind, i.loc, i.msg)).collect::<Vec<_>>().join("; "))]
    Validation {
        /// pydantic's errors, in its order.
        issues: Vec<ValidationIssue>,
    },
    /// The handler failed: chanx's `{"detail": …}`.
    #[error("the server failed: {detail}")]
    Server {
        /// What the server said.
        detail: String,
    },
    /// A topic refused: `unauthorized`, `unknown_topic`, `not_subscribed`.
    #[error("topic `{topic}`: {reason}: {detail}")]
    Topic {
        /// The topic addressed.
        topic: String,
        /// chanx's reason code.
        reason: String,
        /// chanx's explanation.
        detail: String,
    },
    /// The answer was not one the document names for this request.
    #[error("unexpected answer `{action}`")]
    UnexpectedReply {
        /// The answer's action.
        action: String,
    },
    /// A frame from the server that does not match the document.
    #[error("invalid frame from the server: {0}")]
    InvalidFrame(String),
    /// No answer within the request timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection dropped before the answer came.
    #[error("disconnected before the answer")]
    Disconnected,
    /// Not connected now (reconnecting, or closed).
    #[error("not connected")]
    NotConnected,
    /// The connection could not be made.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The message could not be serialized.
    #[error("cannot serialize the message: {0}")]
    Serialize(String),
    /// A reply to a server request that carried no `ref` to answer.
    #[error("the request carries no `ref` to reply to")]
    NoReference,
}

/// A frame the server sent on its own (not an answer to a request), typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Push<M> {
    /// The message.
    pub message: M,
    /// The topic it was sent in, if any.
    pub topic: Option<String>,
    /// The `seq` a topic broadcast carried.
    pub seq: Option<i64>,
    /// The `ref` of the request it belongs to (a hook's frame, say).
    pub reference: Option<String>,
}

/// A frame the server sent within a topic, typed by the topic's handle
/// (`TopicFrame::decode::<chat_room_topic::Outgoing>()`).
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFrame {
    /// The topic it was sent in.
    pub topic: String,
    /// The frame as the server sent it, envelope included.
    pub frame: Value,
}

impl TopicFrame {
    /// The frame as one of the topic's messages.
    pub fn decode<M: ChannelMessage>(&self) -> Result<Push<M>, ClientError> {
        push::<M>(&self.frame).map_err(ClientError::InvalidFrame)
    }
}

/// What [`Client::next`] yields.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent<M> {
    /// A typed frame from the server.
    Push(Push<M>),
    /// A frame within a topic (see [`TopicFrame::decode`]).
    Topic(TopicFrame),
    /// chanx's `authentication` frame, sent first when the server
    /// authenticates: `status_code` 200, or the refusal (the server then
    /// closes with 4401/4403 and the client does not reconnect).
    Authentication {
        /// 200, 401, 403, …
        status_code: u16,
        /// What the server said (`{"detail": …}`).
        data: Value,
    },
    /// chanx's `error` frame answering no pending request (the answer to a
    /// `send_*`, say): pydantic's errors, a handler's `detail`, a topic refusal.
    ServerError {
        /// The topic the frame carried, if any.
        topic: Option<String>,
        /// The error, typed.
        error: ClientError,
    },
    /// A frame from the server that the document does not describe, or an
    /// `error` outside any request: the raw JSON and why it was not typed.
    Unrecognized {
        /// The frame as received (a JSON string when it was not JSON).
        frame: Value,
        /// Why it could not be typed.
        error: String,
    },
    /// The connection dropped; the client is reconnecting (unless its
    /// policy says not to, or the server refused it with a 44xx close, and
    /// then [`Client::next`] ends after this).
    Disconnected {
        /// The close code and reason, or the transport error.
        reason: String,
    },
    /// Connected again after a drop (`attempt` tries) and resubscribed.
    Reconnected {
        /// How many tries it took.
        attempt: u32,
    },
    /// A topic could not be subscribed again after a reconnect.
    ResubscribeFailed {
        /// The topic.
        topic: String,
        /// Why.
        error: ClientError,
    },
}

/// An answer in flight: the actions that answer it.
struct Pending {
    answers: &'static [&'static str],
    reply: oneshot::Sender<Result<Value, ClientError>>,
}

/// State the socket task and the caller share.
struct Shared {
    pending: Mutex<HashMap<String, Pending>>,
    /// Topics subscribed, in subscription order, to subscribe again.
    topics: Mutex<BTreeMap<u64, String>>,
    next_ref: AtomicU64,
    outgoing: Mutex<Option<mpsc::UnboundedSender<String>>>,
}

impl Shared {
    fn next_ref(&self) -> String {
        (self.next_ref.fetch_add(1, Ordering::Relaxed) + 1).to_string()
    }

    fn fail_pending(&self, error: ClientError) {
        let pending: Vec<Pending> = lock(&self.pending).drain().map(|(_, p)| p).collect();
        for p in pending {
            let _ = p.reply.send(Err(error.clone()));
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A connection to one channel: `In` is what the server sends (the
/// channel's `Outgoing`).
pub struct Client<In> {
    shared: Arc<Shared>,
    events: mpsc::Receiver<ClientEvent<In>>,
    options: ClientOptions,
    task: tokio::task::JoinHandle<()>,
}

impl<In> Drop for Client<In> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<In: ChannelMessage> Client<In> {
    /// Connects to `url` (`ws://host:port/path`, the address filled in).
    pub async fn connect(url: &str, options: ClientOptions) -> Result<Self, ClientError> {
        let request = build_request(url, &options)?;
        let socket = open(request.clone()).await?;
        let shared = Arc::new(Shared {
            pending: Mutex::new(HashMap::new()),
            topics: Mutex::new(BTreeMap::new()),
            next_ref: AtomicU64::new(0),
            outgoing: Mutex::new(None),
        });
        let (events_tx, events) = mpsc::channel(options.push_capacity.max(1));
        // Open for sends before connect returns: frames wait in the queue
        // until the socket task writes them.
        let (sender, outgoing) = mpsc::unbounded_channel::<String>();
        *lock(&shared.outgoing) = Some(sender);
        let task = tokio::spawn(run::<In>(
            socket,
            outgoing,
            request,
            shared.clone(),
            events_tx,
            options.reconnect.clone(),
            options.request_timeout,
        ));
        Ok(Client {
            shared,
            events,
            options,
            task,
        })
    }

    /// Sends a message: queued for the socket, in order with every other frame.
    pub async fn send<M: Serialize + ?Sized>(&self, message: &M) -> Result<(), ClientError> {
        self.write(Value::Object(frame(message, None)?).to_string())
    }

    /// Sends a message and waits for the frame answering it: one of
    /// `answers` (actions; empty: any frame with the request's `ref`), or
    /// chanx's `error` as a [`ClientError`].
    pub async fn request<M: Serialize + ?Sized>(
        &self,
        message: &M,
        answers: &'static [&'static str],
    ) -> Result<In, ClientError> {
        let value = self.ask(frame(message, None)?, answers).await?;
        decode::<In>(value)
    }

    /// Answers a request the server sent (`request`, a push carrying a
    /// `ref`): `message` goes back with the same `ref` (and topic).
    pub async fn reply<P, M: Serialize + ?Sized>(
        &self,
        request: &Push<P>,
        message: &M,
    ) -> Result<(), ClientError> {
        let Some(reference) = &request.reference else {
            return Err(ClientError::NoReference);
        };
        let mut frame = frame(message, request.topic.as_deref())?;
        frame.insert("version".into(), Value::from(envelope::VERSION));
        frame.insert("ref".into(), Value::String(reference.clone()));
        self.write(Value::Object(frame).to_string())
    }

    /// Subscribes to `topic`; resolves on chanx's `subscribed`. The client
    /// subscribes again after every reconnect until [`Client::unsubscribe`].
    pub async fn subscribe(&self, topic: &str) -> Result<(), ClientError> {
        let value = self
            .ask(protocol_frame("subscribe", topic), &["subscribed"])
            .await
            .map_err(|e| in_topic(e, topic))?;
        expect_action(&value, "subscribed")?;
        let mut topics = lock(&self.shared.topics);
        if !topics.values().any(|t| t == topic) {
            let order = topics.keys().next_back().map_or(0, |k| k + 1);
            topics.insert(order, topic.to_owned());
        }
        Ok(())
    }

    /// Unsubscribes from `topic`; resolves on chanx's `unsubscribed` (what
    /// the topic sends before it arrives as pushes).
    pub async fn unsubscribe(&self, topic: &str) -> Result<(), ClientError> {
        lock(&self.shared.topics).retain(|_, t| t != topic);
        let value = self
            .ask(protocol_frame("unsubscribe", topic), &["unsubscribed"])
            .await
            .map_err(|e| in_topic(e, topic))?;
        expect_action(&value, "unsubscribed")
    }

    /// Sends a message within a topic.
    pub async fn send_in<M: Serialize>(&self, topic: &str, message: &M) -> Result<(), ClientError> {
        self.write(Value::Object(frame(message, Some(topic))?).to_string())
    }

    /// A request within a topic; `T` is the topic's `Outgoing`.
    pub async fn request_in<M: Serialize, T: ChannelMessage>(
        &self,
        topic: &str,
        message: &M,
        answers: &'static [&'static str],
    ) -> Result<T, ClientError> {
        let value = self
            .ask(frame(message, Some(topic))?, answers)
            .await
            .map_err(|e| in_topic(e, topic))?;
        decode::<T>(value)
    }

    /// The next push or connection event; `None` once the connection is
    /// gone for good (closed by the server without reconnect, or dropped).
    pub async fn next(&mut self) -> Option<ClientEvent<In>> {
        self.events.recv().await
    }

    /// The options the client was made with.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Closes the connection (1000) and stops reconnecting.
    pub async fn close(self) {
        let sender = lock(&self.shared.outgoing).take();
        if let Some(sender) = sender {
            let _ = sender.send(String::new());
        }
        // The task ends once the close is written; dropping self aborts it
        // otherwise.
        for _ in 0..100 {
            if self.task.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn write(&self, text: String) -> Result<(), ClientError> {
        match &*lock(&self.shared.outgoing) {
            Some(sender) => sender.send(text).map_err(|_| ClientError::NotConnected),
            None => Err(ClientError::NotConnected),
        }
    }

    async fn ask(
        &self,
        mut frame: Map<String, Value>,
        answers: &'static [&'static str],
    ) -> Result<Value, ClientError> {
        let reference = self.shared.next_ref();
        frame.insert("ref".into(), Value::String(reference.clone()));
        let (reply, answer) = oneshot::channel();
        lock(&self.shared.pending).insert(reference.clone(), Pending { answers, reply });
        if let Err(error) = self.write(Value::Object(frame).to_string()) {
            lock(&self.shared.pending).remove(&reference);
            return Err(error);
        }
        let timeout = self.options.request_timeout;
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(ClientError::Disconnected),
            Err(_) => {
                lock(&self.shared.pending).remove(&reference);
                Err(ClientError::Timeout(timeout))
            }
        }
    }
}

/// `address` (`/ws/rooms/{roomId}`) with each `{name}` replaced by its
/// value, percent-encoded as one path segment.
pub fn fill_address(address: &str, values: &[(&str, &str)]) -> String {
    let mut path = address.to_owned();
    for (name, value) in values {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        path = path.replace(&format!("{{{name}}}"), &encoded);
    }
    path
}

fn in_topic(error: ClientError, topic: &str) -> ClientError {
    match error {
        ClientError::Topic { reason, detail, .. } => ClientError::Topic {
            topic: topic.to_owned(),
            reason,
            detail,
        },
        other => other,
    }
}

fn expect_action(value: &Value, action: &str) -> Result<(), ClientError> {
    match value.get("action").and_then(Value::as_str) {
        Some(a) if a == action => Ok(()),
        other => Err(ClientError::UnexpectedReply {
            action: other.unwrap_or("").to_owned(),
        }),
    }
}

/// A message as a frame, with chanx's envelope keys beside its own.
fn frame<M: Serialize + ?Sized>(
    message: &M,
    topic: Option<&str>,
) -> Result<Map<String, Value>, ClientError> {
    let value = serde_json::to_value(message).map_err(|e| ClientError::Serialize(e.to_string()))?;
    let Value::Object(mut map) = value else {
        return Err(ClientError::Serialize(
            "a message must serialize to a JSON object".into(),
        ));
    };
    if let Some(topic) = topic {
        map.insert("version".into(), Value::from(envelope::VERSION));
        map.insert("topic".into(), Value::String(topic.to_owned()));
    }
    Ok(map)
}

fn protocol_frame(action: &str, topic: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("action".into(), Value::String(action.to_owned()));
    map.insert("version".into(), Value::from(envelope::VERSION));
    map.insert("topic".into(), Value::String(topic.to_owned()));
    map
}

/// A server frame (envelope removed) as `M`.
fn decode<M: ChannelMessage>(value: Value) -> Result<M, ClientError> {
    let mut json = Json::from(value);
    envelope::take(&mut json).map_err(|e| ClientError::InvalidFrame(e.to_string()))?;
    M::decode(&mut json).map_err(|e| ClientError::InvalidFrame(e.to_string()))
}

/// chanx's `error` frame as a [`ClientError`].
fn server_error(frame: &Value) -> ClientError {
    let payload = frame.get("payload").cloned().unwrap_or(Value::Null);
    if let Ok(issues) = serde_json::from_value::<Vec<ValidationIssue>>(payload.clone()) {
        return ClientError::Validation { issues };
    }
    let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
    match (text("reason"), text("detail")) {
        (Some(reason), detail) => ClientError::Topic {
            topic: frame
                .get("topic")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            reason,
            detail: detail.unwrap_or_default(),
        },
        (None, Some(detail)) => ClientError::Server { detail },
        (None, None) => {
            ClientError::InvalidFrame(format!("an error frame chanx does not send: {frame}"))
        }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<ReadAhead<tokio::net::TcpStream>>;
type Request = tungstenite::handshake::client::Request;

fn build_request(url: &str, options: &ClientOptions) -> Result<Request, ClientError> {
    let mut parsed =
        url::Url::parse(url).map_err(|e| ClientError::Connect(format!("{url}: {e}")))?;
    if !options.query.is_empty() {
        let mut pairs = parsed.query_pairs_mut();
        for (name, value) in &options.query {
            pairs.append_pair(name, value);
        }
    }
    let mut request = parsed
        .as_str()
        .into_client_request()
        .map_err(|e| ClientError::Connect(e.to_string()))?;
    for (name, value) in &options.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| ClientError::Connect(format!("header {name}: {e}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|e| ClientError::Connect(format!("header {name}: {e}")))?;
        request.headers_mut().append(name, value);
    }
    Ok(request)
}

/// Connects and upgrades. The socket is read as the `Server` reads it
/// (see [`ReadAhead`]): with tungstenite's default read size, 128 KiB were
/// zero-filled before every read, twice per frame received.
async fn open(request: Request) -> Result<Socket, ClientError> {
    use tungstenite::error::UrlError;
    let failed = |error: tungstenite::Error| ClientError::Connect(error.to_string());
    let uri = request.uri();
    let port = match (uri.scheme_str(), uri.port_u16()) {
        // No TLS is built in: said as tungstenite says it.
        (Some("wss"), _) => return Err(failed(UrlError::TlsFeatureNotEnabled.into())),
        (Some("ws"), port) => port.unwrap_or(80),
        _ => return Err(failed(UrlError::UnsupportedUrlScheme.into())),
    };
    let host = uri
        .host()
        .ok_or_else(|| failed(UrlError::NoHostName.into()))?;
    let stream = tokio::net::TcpStream::connect(format!("{host}:{port}"))
        .await
        .map_err(|e| failed(e.into()))?;
    // Frames are written whole: nothing gains from waiting to fill a segment.
    let _ = stream.set_nodelay(true);
    let config = WebSocketConfig::default().read_buffer_size(FRAME_READ_BYTES);
    tokio_tungstenite::client_async_with_config(request, ReadAhead::new(stream), Some(config))
        .await
        .map(|(socket, _)| socket)
        .map_err(failed)
}

/// The socket task: reads frames, writes what the caller sends, reconnects.
async fn run<In: ChannelMessage>(
    mut socket: Socket,
    mut outgoing: mpsc::UnboundedReceiver<String>,
    request: Request,
    shared: Arc<Shared>,
    events: mpsc::Sender<ClientEvent<In>>,
    reconnect: Reconnect,
    request_timeout: Duration,
) {
    loop {
        let reason = serve(&mut socket, &mut outgoing, &shared, &events).await;
        *lock(&shared.outgoing) = None;
        shared.fail_pending(ClientError::Disconnected);
        let Some(ended) = reason else {
            return; // closed by the caller
        };
        let _ = events
            .send(ClientEvent::Disconnected {
                reason: ended.reason,
            })
            .await;
        if ended.refused {
            return; // refused credentials stay refused
        }
        let mut delay = reconnect.initial;
        let mut attempt = 0;
        socket = loop {
            if reconnect.attempts.is_some_and(|max| attempt >= max) {
                return;
            }
            attempt += 1;
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(reconnect.max);
            match open(request.clone()).await {
                Ok(socket) => break socket,
                Err(error) => tracing::debug!(%error, attempt, "reconnect failed"),
            }
        };
        // Open for sends before anyone hears of the reconnect: what is sent
        // meanwhile waits in the queue until the socket task writes it.
        let (sender, receiver) = mpsc::unbounded_channel::<String>();
        outgoing = receiver;
        *lock(&shared.outgoing) = Some(sender);
        let _ = events.send(ClientEvent::Reconnected { attempt }).await;
        let topics: Vec<String> = lock(&shared.topics).values().cloned().collect();
        if !topics.is_empty() {
            resubscribe(&shared, &events, topics, request_timeout);
        }
    }
}

/// Subscribes again to `topics` once the new socket runs (the answers come
/// through it, so this cannot block the task).
fn resubscribe<In: ChannelMessage>(
    shared: &Arc<Shared>,
    events: &mpsc::Sender<ClientEvent<In>>,
    topics: Vec<String>,
    timeout: Duration,
) {
    let shared = shared.clone();
    let events = events.clone();
    tokio::spawn(async move {
        for topic in topics {
            let reference = shared.next_ref();
            let mut frame = protocol_frame("subscribe", &topic);
            frame.insert("ref".into(), Value::String(reference.clone()));
            let (reply, answer) = oneshot::channel();
            lock(&shared.pending).insert(
                reference.clone(),
                Pending {
                    answers: &["subscribed"],
                    reply,
                },
            );
            let sent = lock(&shared.outgoing)
                .as_ref()
                .is_some_and(|s| s.send(Value::Object(frame).to_string()).is_ok());
            let result = if !sent {
                lock(&shared.pending).remove(&reference);
                Err(ClientError::NotConnected)
            } else {
                match tokio::time::timeout(timeout, answer).await {
                    Ok(Ok(result)) => result.and_then(|v| expect_action(&v, "subscribed")),
                    Ok(Err(_)) => Err(ClientError::Disconnected),
                    Err(_) => {
                        lock(&shared.pending).remove(&reference);
                        Err(ClientError::Timeout(timeout))
                    }
                }
            };
            if let Err(error) = result {
                let error = in_topic(error, &topic);
                let _ = events
                    .send(ClientEvent::ResubscribeFailed { topic, error })
                    .await;
            }
        }
    });
}

/// Why a socket ended.
struct Ended {
    reason: String,
    /// The server refused the connection (chanx's 4401/4403 after a failed
    /// authentication): trying again would be refused again.
    refused: bool,
}

impl Ended {
    fn dropped(reason: impl Into<String>) -> Option<Ended> {
        Some(Ended {
            reason: reason.into(),
            refused: false,
        })
    }
}

/// Runs one socket until it ends: `None` when the caller closed it.
async fn serve<In: ChannelMessage>(
    socket: &mut Socket,
    outgoing: &mut mpsc::UnboundedReceiver<String>,
    shared: &Shared,
    events: &mpsc::Sender<ClientEvent<In>>,
) -> Option<Ended> {
    loop {
        tokio::select! {
            text = outgoing.recv() => match text {
                Some(text) if !text.is_empty() => {
                    if let Err(error) = socket.send(Message::text(text)).await {
                        return Ended::dropped(error.to_string());
                    }
                }
                // An empty string, or the sender gone: the caller closes.
                _ => {
                    let _ = socket.close(None).await;
                    return None;
                }
            },
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    if events.is_closed() {
                        return None;
                    }
                    dispatch(text.as_str(), shared, events).await;
                }
                Some(Ok(Message::Close(close))) => {
                    let code = close.as_ref().map_or(1005, |c| u16::from(c.code));
                    return Some(Ended {
                        reason: close.map_or("closed".to_owned(), |c| format!("closed {code}: {}", c.reason)),
                        refused: (4400..4500).contains(&code),
                    });
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => return Ended::dropped(error.to_string()),
                None => return Ended::dropped("connection ended"),
            },
        }
    }
}

/// Routes one server frame: the answer to a pending request, or a push.
async fn dispatch<In: ChannelMessage>(
    text: &str,
    shared: &Shared,
    events: &mpsc::Sender<ClientEvent<In>>,
) {
    let frame: Value = match serde_json::from_str(text) {
        Ok(frame) => frame,
        Err(error) => {
            let _ = events
                .send(ClientEvent::Unrecognized {
                    frame: Value::String(text.to_owned()),
                    error: error.to_string(),
                })
                .await;
            return;
        }
    };
    let action = frame.get("action").and_then(Value::as_str).unwrap_or("");
    if let Some(reference) = frame.get("ref").and_then(Value::as_str) {
        let mut pending = lock(&shared.pending);
        let answers = pending.get(reference).is_some_and(|p| {
            action == "error" || p.answers.is_empty() || p.answers.contains(&action)
        });
        if answers && let Some(p) = pending.remove(reference) {
            drop(pending);
            let result = if action == "error" {
                Err(server_error(&frame))
            } else {
                Ok(frame)
            };
            let _ = p.reply.send(result);
            return;
        }
    }
    let topic = frame
        .get("topic")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let event = if action == "authentication" {
        let payload = frame.get("payload");
        ClientEvent::Authentication {
            status_code: payload
                .and_then(|p| p.get("status_code"))
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
                .unwrap_or(0),
            data: payload
                .and_then(|p| p.get("data"))
                .cloned()
                .unwrap_or(Value::Null),
        }
    } else if action == "error" {
        ClientEvent::ServerError {
            error: server_error(&frame),
            topic,
        }
    } else {
        match topic {
            Some(topic) => ClientEvent::Topic(TopicFrame { topic, frame }),
            None => match push::<In>(&frame) {
                Ok(push) => ClientEvent::Push(push),
                Err(error) => ClientEvent::Unrecognized { frame, error },
            },
        }
    };
    // Waits when the caller is behind: the socket is not read meanwhile.
    let _ = events.send(event).await;
}

fn push<In: ChannelMessage>(frame: &Value) -> Result<Push<In>, String> {
    let mut json = Json::from(frame.clone());
    let envelope = envelope::take(&mut json).map_err(|e| e.to_string())?;
    let message = In::decode(&mut json).map_err(|e| e.to_string())?;
    Ok(Push {
        message,
        topic: envelope.topic,
        seq: envelope.seq.and_then(|s| match s {
            Json::Int(n) => Some(n),
            _ => None,
        }),
        reference: envelope.reference,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    async fn open_url(url: &str) -> Result<Socket, ClientError> {
        open(build_request(url, &ClientOptions::default())?).await
    }

    #[tokio::test]
    async fn urls_it_cannot_open_say_why() {
        let message = |result: Result<Socket, ClientError>| match result {
            Err(ClientError::Connect(message)) => message,
            Err(other) => panic!("not a connection error: {other}"),
            Ok(_) => panic!("connected"),
        };
        let tls = message(open_url("wss://127.0.0.1:1/ws").await);
        assert!(tls.contains("TLS"), "{tls}");
        let scheme = message(open_url("http://127.0.0.1:1/ws").await);
        assert!(scheme.contains("scheme"), "{scheme}");
        // A port nothing listens on (bound, then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let refused = message(open_url(&format!("ws://127.0.0.1:{port}/ws")).await);
        assert!(refused.to_lowercase().contains("refused"), "{refused}");
    }

    /// The client reads through a [`ReadAhead`]: messages of every size
    /// around its read sizes arrive whole, on IPv4 and IPv6 addresses.
    #[tokio::test]
    async fn messages_of_every_size_arrive_whole() {
        use tokio::net::TcpListener;
        for bind in ["127.0.0.1:0", "[::1]:0"] {
            let Ok(listener) = TcpListener::bind(bind).await else {
                continue; // no IPv6 here
            };
            let addr = listener.local_addr().expect("addr");
            // Echoes every text frame back.
            tokio::spawn(async move {
                let (stream, _) = listener.accept().await.expect("accept");
                let mut socket = tokio_tungstenite::accept_async(stream)
                    .await
                    .expect("upgrade");
                while let Some(Ok(message)) = socket.next().await {
                    if message.is_text() && socket.send(message).await.is_err() {
                        break;
                    }
                }
            });
            let mut socket = open_url(&format!("ws://{addr}/ws")).await.expect("connect");
            for len in [1, 1023, 1024, 1025, 8191, 8192, 8193, 100_000, 2_000_000] {
                let text: String = (0..len)
                    .map(|i| char::from(b'a' + (i % 26) as u8))
                    .collect();
                socket
                    .send(Message::text(text.clone()))
                    .await
                    .expect("send");
                let echoed = socket.next().await.expect("a frame").expect("read");
                assert!(
                    echoed.to_text().expect("text") == text,
                    "{len} bytes over {addr}"
                );
            }
        }
    }

    #[test]
    fn addresses_are_filled_and_encoded_as_one_segment() {
        assert_eq!(
            fill_address(
                "/ws/rooms/{roomId}/{lang}",
                &[("roomId", "a b/c"), ("lang", "fr")]
            ),
            "/ws/rooms/a%20b%2Fc/fr"
        );
    }

    #[test]
    fn chanx_error_frames_become_typed_errors() {
        let validation = json!({"action": "error", "payload": [{"type": "missing", "loc": ["chat", "payload", "message"], "msg": "Field required"}]});
        assert_eq!(
            server_error(&validation),
            ClientError::Validation {
                issues: vec![ValidationIssue {
                    kind: "missing".into(),
                    loc: vec![json!("chat"), json!("payload"), json!("message")],
                    msg: "Field required".into(),
                }]
            }
        );
        let failed =
            json!({"action": "error", "payload": {"detail": "Failed to process message for chat"}});
        assert_eq!(
            server_error(&failed),
            ClientError::Server {
                detail: "Failed to process message for chat".into()
            }
        );
        let refused = json!({"action": "error", "payload": {"reason": "unknown_topic", "detail": "Unknown topic 'x'"}, "version": 1, "topic": "x"});
        assert_eq!(
            server_error(&refused),
            ClientError::Topic {
                topic: "x".into(),
                reason: "unknown_topic".into(),
                detail: "Unknown topic 'x'".into()
            }
        );
        assert!(matches!(
            server_error(&json!({"action": "error", "payload": 5})),
            ClientError::InvalidFrame(_)
        ));
    }

    #[test]
    fn frames_put_the_envelope_after_the_message() {
        let frame = frame(
            &json!({"action": "post", "payload": {"a": 1}}),
            Some("room:1"),
        )
        .unwrap();
        assert_eq!(
            Value::Object(frame).to_string(),
            r#"{"action":"post","payload":{"a":1},"version":1,"topic":"room:1"}"#
        );
        assert!(matches!(
            super::frame(&json!([1]), None),
            Err(ClientError::Serialize(_))
        ));
    }
}
