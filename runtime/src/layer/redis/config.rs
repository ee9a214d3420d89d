//! How a [`RedisLayer`](super::RedisLayer) connects and what it keeps.

use std::time::Duration;

pub use super::codec::Serializer;

/// Which of channels_redis's layers to speak. Every process sharing a
/// Redis, Python or Rust, must use the same flavour, prefix and serializer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// `RedisChannelLayer`: groups and per-process queues in sorted sets;
    /// messages wait in Redis (up to the expiry) for a process that is
    /// briefly away.
    #[default]
    Core,
    /// `RedisPubSubChannelLayer`: Redis pub/sub only; nothing is stored,
    /// and a process not subscribed at the moment misses the message.
    PubSub,
}

/// Settings of a [`RedisLayer`](super::RedisLayer). The defaults are
/// channels_redis's, so a Rust process joins a Python deployment unchanged.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port/db`.
    pub url: String,
    /// `RedisChannelLayer` (default) or `RedisPubSubChannelLayer`.
    pub flavour: Flavour,
    /// Namespace of every key and pub/sub channel (`asgi`).
    pub prefix: String,
    /// How messages are written (msgpack).
    pub serializer: Serializer,
    /// Random bytes before each message in a queue (12), so equal messages
    /// stay distinct; the pub/sub flavour writes none.
    pub random_prefix_length: usize,
    /// Unread messages a process queue holds (100, as channels_redis counts
    /// them: one queue per process, read as fast as messages come), and
    /// undelivered messages one inbox of this process holds. A sender in
    /// this process waits for room in a full inbox of this process (up to
    /// `send_timeout`).
    pub capacity: usize,
    /// How long a send from this process waits for room in a full inbox of
    /// this process before the message is dropped for that member (which is
    /// closed with 1013; `send` gets `LayerError::ChannelFull`).
    pub send_timeout: Duration,
    /// A queued message older than this is dropped (60 s): by senders
    /// cleaning the queue, and by this process when it reads it.
    pub message_expiry: Duration,
    /// A membership older than this is dropped by `group_send` (one day).
    /// Python processes never refresh theirs; this process refreshes its
    /// own every third of it.
    pub group_expiry: Duration,
    /// Core flavour: how long this process's liveness key outlives its last
    /// refresh (30 s, refreshed every third). Once it is gone, a `group_send`
    /// from any chanx-runtime process removes this process's memberships.
    pub process_ttl: Duration,
}

impl RedisConfig {
    /// channels_redis's defaults: core flavour, prefix `asgi`, msgpack with
    /// 12 random bytes, capacity 100, messages expire after 60 s and
    /// memberships after a day; plus a 10 s send timeout and a 30 s
    /// liveness key.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            flavour: Flavour::Core,
            prefix: "asgi".to_owned(),
            serializer: Serializer::Msgpack,
            random_prefix_length: 12,
            capacity: 100,
            send_timeout: Duration::from_secs(10),
            message_expiry: Duration::from_secs(60),
            group_expiry: Duration::from_secs(86_400),
            process_ttl: Duration::from_secs(30),
        }
    }

    /// `RedisChannelLayer` or `RedisPubSubChannelLayer`.
    pub fn flavour(mut self, flavour: Flavour) -> Self {
        self.flavour = flavour;
        self
    }

    /// The prefix of every Redis key and channel this layer uses.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// msgpack or JSON (`serializer_format`).
    pub fn serializer(mut self, serializer: Serializer) -> Self {
        self.serializer = serializer;
        self
    }

    /// How many random bytes go before each queued message.
    pub fn random_prefix_length(mut self, length: usize) -> Self {
        self.random_prefix_length = length;
        self
    }

    /// How many undelivered messages a channel holds.
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// How long a send waits for room in a full inbox of this process.
    pub fn send_timeout(mut self, timeout: Duration) -> Self {
        self.send_timeout = timeout;
        self
    }

    /// How old a queued message may be when it is read.
    pub fn message_expiry(mut self, expiry: Duration) -> Self {
        self.message_expiry = expiry;
        self
    }

    /// How old a membership may be before `group_send` drops it.
    pub fn group_expiry(mut self, expiry: Duration) -> Self {
        self.group_expiry = expiry;
        self
    }

    /// How long this process's liveness key lasts without a refresh.
    pub fn process_ttl(mut self, ttl: Duration) -> Self {
        self.process_ttl = ttl;
        self
    }

    pub(super) fn group_key(&self, group: &str) -> String {
        format!("{}:group:{group}", self.prefix)
    }
}
