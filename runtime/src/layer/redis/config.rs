//! How a [`RedisLayer`](super::RedisLayer) connects and what it keeps.

use std::time::Duration;

/// Settings of a [`RedisLayer`](super::RedisLayer); every process sharing a
/// Redis must use the same `prefix`.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port/db`.
    pub url: String,
    /// Namespace of every key and pub/sub channel. Must not contain `!`.
    pub prefix: String,
    /// Undelivered messages one inbox holds. A sender in the same process
    /// waits for room (up to `send_timeout`); a message from another process
    /// to a full inbox is dropped. A member that misses a message is closed
    /// with 1013 (see the [layer docs](super)).
    pub capacity: usize,
    /// How long a send from this process waits for room in a full inbox of
    /// this process before the message is dropped for that member (local
    /// senders of `send` get `LayerError::ChannelFull`).
    pub send_timeout: Duration,
    /// A message that reaches its process later than this after it was
    /// sent is dropped (a stalled process does not replay stale traffic).
    pub message_expiry: Duration,
    /// How long a group membership lives in Redis unless its process
    /// refreshes it; processes refresh every third of it. A process that
    /// dies leaves its memberships behind for at most this long.
    pub group_expiry: Duration,
}

impl RedisConfig {
    /// Defaults: prefix `chanx`, capacity 100, send timeout 10 s, messages
    /// expire after 60 s, memberships after 60 s without a refresh.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            prefix: "chanx".to_owned(),
            capacity: 100,
            send_timeout: Duration::from_secs(10),
            message_expiry: Duration::from_secs(60),
            group_expiry: Duration::from_secs(60),
        }
    }

    /// The prefix of every Redis key and channel this layer uses.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
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

    /// How old a message may be when it reaches its process.
    pub fn message_expiry(mut self, expiry: Duration) -> Self {
        self.message_expiry = expiry;
        self
    }

    /// How long a group membership lives without being refreshed.
    pub fn group_expiry(mut self, expiry: Duration) -> Self {
        self.group_expiry = expiry;
        self
    }

    /// How often a process refreshes its memberships.
    pub(super) fn heartbeat(&self) -> Duration {
        (self.group_expiry / 3).max(Duration::from_millis(50))
    }

    pub(super) fn group_key(&self, group: &str) -> String {
        format!("{}:group:{group}", self.prefix)
    }

    /// Pub/sub channels are `<this>` + process id.
    pub(super) fn process_channel_prefix(&self) -> String {
        format!("{}:process:", self.prefix)
    }
}
