//! The channel layer: per-connection inboxes and named groups, shared by all
//! connections of a process (in memory) or of many processes (a backend).
//!
//! Messages cross the layer as JSON bytes shaped like chanx's layer
//! messages, so a networked backend can implement [`ChannelLayer`] without
//! knowing any message type (the Redis layer converts them to and from what
//! channels_redis writes).
//!
//! # Full inboxes
//!
//! A connection that reads must never lose a message because another one
//! sends faster than it can be delivered. So a send to a full inbox waits
//! for room (the sending handler awaits, and its own client is not read
//! meanwhile: the push-back reaches the flooding client through TCP), up to
//! the layer's send timeout. An inbox that stays full that long belongs to a
//! connection that does not keep up; the message is dropped for that member
//! only, counted in [`LayerStats::dropped_full`], logged, and the member is
//! closed with 1013, so no connection that stays open ever misses a message
//! silently. [`Layer::stats`] reads the counters.

mod deliver;
mod handle;
mod memory;
mod message;
#[cfg(feature = "redis")]
pub mod redis;

use std::{future::Future, pin::Pin};

/// The messages an [`Inbox`] receives: shared, so that a group send hands
/// every member the same bytes instead of a copy each.
pub use bytes::Bytes;
use tokio::sync::{mpsc, watch};

#[cfg(feature = "redis")]
pub(crate) use deliver::deliver_now;
pub(crate) use deliver::{Counters, Dropped, InboxSender, deliver, inbox};
pub use handle::Layer;
pub(crate) use handle::RuntimeCounters;
pub use memory::InMemoryLayer;
pub(crate) use message::{LayerMessage, RelayedFrame};
#[cfg(feature = "redis")]
pub use redis::{RedisConfig, RedisLayer};

/// What layer operations return.
pub type LayerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LayerError>> + Send + 'a>>;

/// A channel-layer backend. Object safe: [`Layer`] holds it as `Arc<dyn ChannelLayer>`.
pub trait ChannelLayer: Send + Sync + 'static {
    /// Creates a uniquely named inbox for one connection.
    fn new_channel(&self) -> LayerFuture<'_, Inbox>;
    /// Removes an inbox and its group memberships (the connection ended).
    fn close_channel<'a>(&'a self, channel: &'a str) -> LayerFuture<'a, ()>;
    /// Delivers one message to one inbox. An unknown channel drops it.
    fn send<'a>(&'a self, channel: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()>;
    /// Adds `channel` to `group`.
    fn group_add<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()>;
    /// Removes `channel` from `group` (no-op when not a member).
    fn group_discard<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()>;
    /// Delivers one message to every member of `group` (see the
    /// [module docs](self) for what happens to full inboxes).
    fn group_send<'a>(&'a self, group: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()>;
    /// What the layer delivered and dropped since it was created. The
    /// default reports nothing.
    fn stats(&self) -> LayerStats {
        LayerStats::default()
    }
}

/// One connection's inbox: its channel name and the messages sent to it.
#[derive(Debug)]
pub struct Inbox {
    /// The channel's name: the target of `send_event`.
    pub name: String,
    /// Where the channel's messages arrive.
    pub receiver: mpsc::Receiver<Bytes>,
    /// Set by the layer when it had to drop a message for this inbox: the
    /// connection then closes with 1013.
    pub(crate) cut_off: watch::Receiver<bool>,
}

impl Inbox {
    /// An inbox for a [`ChannelLayer`] of your own. (The built-in layers
    /// also give the inbox a signal to close its connection with 1013 when
    /// they had to drop a message for it; this one has none.)
    pub fn new(name: impl Into<String>, receiver: mpsc::Receiver<Bytes>) -> Self {
        Inbox {
            name: name.into(),
            receiver,
            cut_off: watch::channel(false).1,
        }
    }
}

/// Counters of a channel layer and of the connections on it, since the
/// layer was created ([`Layer::stats`], [`InMemoryLayer::stats`],
/// `RedisLayer::stats`).
///
/// A message is counted once per inbox it is meant for: a group send to
/// three members counts three deliveries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LayerStats {
    /// Messages put into a connection's inbox.
    pub delivered: u64,
    /// Of `delivered`, those whose sender had to wait for room in a full
    /// inbox first (push-back on the sender).
    pub delivered_after_wait: u64,
    /// Messages dropped for one member because its inbox stayed full for
    /// the layer's send timeout (or, on Redis, was full when a message from
    /// another process arrived). That member is closed with 1013. On Redis
    /// also messages a full process queue refused (one per member it was
    /// for; that process cannot be told).
    pub dropped_full: u64,
    /// Messages to a channel that no longer exists or whose connection was
    /// ending (not a loss: nobody was left to read them).
    pub dropped_gone: u64,
    /// Redis: messages older than `message_expiry` when they reached their
    /// process.
    pub dropped_expired: u64,
    /// Redis: messages that could not be published (Redis unreachable: the
    /// sender got [`LayerError::Backend`]) or read back.
    pub dropped_backend: u64,
    /// Redis: messages read from Redis that could not be decoded, or whose
    /// `type` is none a chanx consumer handles (logged and dropped; no
    /// connection sees them).
    pub dropped_unreadable: u64,
    /// Connections closed with 1013 because they did not keep up: their
    /// outgoing queue filled (a handler sent faster than the client read),
    /// a frame waited in it longer than
    /// [`ConsumerConfig::slow_client_timeout`](crate::ConsumerConfig::slow_client_timeout),
    /// or the layer had to drop a message for them. Counted by [`Layer`],
    /// not by the backend.
    pub closed_slow_clients: u64,
}

#[derive(Debug, thiserror::Error)]
/// Why a channel-layer operation failed.
pub enum LayerError {
    /// The inbox holds its capacity of undelivered messages.
    #[error("channel `{0}` is full")]
    ChannelFull(String),
    #[error("cannot serialize the message: {0}")]
    /// The message could not be serialized.
    Serialize(String),
    /// A blocking call made on a single-threaded async runtime.
    #[error("blocking layer call made inside a current-thread async runtime; use the async method")]
    BlockingInAsync,
    #[error("cannot start a runtime for a blocking call: {0}")]
    /// The runtime a blocking call needs could not start.
    Runtime(std::io::Error),
    /// A backend failure (connection lost, …).
    #[error("channel layer backend: {0}")]
    Backend(String),
    /// A layer URL or setting that cannot be used.
    #[error("channel layer configuration: {0}")]
    Config(String),
}

/// A layer from a URL: `memory://` for the in-process layer, or
/// `redis://host:port/db` (`rediss://`, `redis+unix://`) for a
/// [`RedisLayer`] with default settings (feature `redis`).
pub async fn from_url(url: &str) -> Result<Layer, LayerError> {
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    match scheme {
        "memory" => Ok(Layer::in_memory()),
        #[cfg(feature = "redis")]
        "redis" | "rediss" | "redis+unix" | "unix" => Ok(Layer::new(
            RedisLayer::connect(RedisConfig::new(url)).await?,
        )),
        #[cfg(not(feature = "redis"))]
        "redis" | "rediss" | "redis+unix" | "unix" => Err(LayerError::Config(
            "redis layer URLs need chanx-runtime's `redis` feature".to_owned(),
        )),
        _ => Err(LayerError::Config(format!(
            "unsupported channel layer URL `{url}` (expected memory:// or redis://)"
        ))),
    }
}

impl From<serde_json::Error> for LayerError {
    fn from(error: serde_json::Error) -> Self {
        LayerError::Serialize(error.to_string())
    }
}

impl From<crate::json::DumpError> for LayerError {
    fn from(error: crate::json::DumpError) -> Self {
        LayerError::Serialize(error.to_string())
    }
}
