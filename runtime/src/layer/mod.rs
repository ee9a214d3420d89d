//! The channel layer: per-connection inboxes and named groups, shared by all
//! connections of a process (in memory) or of many processes (a backend).
//!
//! Messages cross the layer as JSON bytes, so a networked backend (Redis
//! lists for inboxes, sets for groups) can implement [`ChannelLayer`] without
//! knowing any message type.

mod handle;
mod memory;
mod message;
#[cfg(feature = "redis")]
pub mod redis;

use std::{future::Future, pin::Pin};

use tokio::sync::mpsc;

pub use handle::Layer;
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
    /// Delivers one message to every member of `group`; full inboxes miss it.
    fn group_send<'a>(&'a self, group: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()>;
}

/// One connection's inbox: its channel name and the messages sent to it.
#[derive(Debug)]
pub struct Inbox {
    /// The channel's name: the target of `send_event`.
    pub name: String,
    /// Where the channel's messages arrive.
    pub receiver: mpsc::Receiver<Vec<u8>>,
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
