//! Topics: chanx 2.13's subscriptions multiplexed on one connection.
//!
//! A client subscribes with `{"action":"subscribe","topic":"room:42"}`,
//! addresses the topic's handlers with `"topic"` in the envelope, and
//! receives what is pushed into the topic from anywhere in the program
//! ([`Layer::topic_broadcast`](crate::Layer::topic_broadcast)). Generated
//! code implements [`TopicHandler`] for each topic of a document and lists a
//! channel's topics in [`Handler::topics`](crate::Handler::topics); this
//! module runs the protocol exactly as chanx answers it (see
//! `docs/wire-protocol.md`, "Topics").

#[cfg(feature = "server")]
mod engine;
mod group;
mod pattern;
#[cfg(feature = "server")]
mod serve;

pub use group::topic_group;
pub use pattern::TopicPattern;

#[cfg(feature = "server")]
pub(crate) use engine::Subscriptions;
#[cfg(feature = "server")]
pub use serve::{TopicHandler, Topics};

/// The parameters of a topic pattern, built from a matched topic.
pub trait TopicParams: Sized + Send + Sync + 'static {
    /// Builds the parameters from their values, in pattern order.
    fn from_values(values: Vec<String>) -> Self;
    /// The values, in pattern order.
    fn values(&self) -> Vec<&str>;
}

impl TopicParams for () {
    fn from_values(_: Vec<String>) -> Self {}
    fn values(&self) -> Vec<&str> {
        Vec::new()
    }
}
