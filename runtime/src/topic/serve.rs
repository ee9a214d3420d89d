//! The server side of topics: what generated glue implements and what a
//! channel's connections subscribe to.

use std::{future::Future, sync::Arc};

use serde::Serialize;

use super::{TopicParams, engine};
use crate::{
    context::Context,
    handler::HandlerError,
    message::{ChannelMessage, Event},
};

/// A topic as the runtime serves it: what generated glue implements for
/// each `x-topic` channel, by routing to the application's topic trait.
pub trait TopicHandler: Send + Sync + 'static {
    /// The messages clients send within the topic.
    type Incoming: ChannelMessage;
    /// The messages the server sends within the topic.
    type Outgoing: ChannelMessage + Serialize + Sync;
    /// The pattern's parameters.
    type Params: TopicParams;
    /// Events the topic handles from [`Layer::topic_broadcast`](crate::Layer::topic_broadcast).
    type Event: Event;
    /// The topic's name in the document (`room_topic`).
    const NAME: &'static str;
    /// The topic pattern (`room:{room_id}`).
    const PATTERN: &'static str;
    /// What the topic's groups are named after (chanx's topic class name, `RoomTopic`).
    const GROUP_NAMESPACE: &'static str;

    /// Actions of outgoing messages that are forwarded to subscribers as
    /// they are when broadcast into the topic (chanx's `passthrough_events`),
    /// unless [`TopicHandler::Event`] takes them.
    fn passthrough(&self) -> &[&str];

    /// Whether this connection may subscribe (chanx's `authorize(**params)`).
    fn authorize(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
    ) -> impl Future<Output = Result<bool, HandlerError>> + Send;

    /// Runs once the connection has joined; what it sends carries no `ref`.
    fn on_subscribe(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;

    /// Runs before the connection leaves, on unsubscribe (what it sends
    /// carries the unsubscribe's `ref`) or disconnect.
    fn on_unsubscribe(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;

    /// Handles one decoded message addressed to the topic; a returned
    /// message is the reply.
    fn dispatch(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
        message: Self::Incoming,
    ) -> impl Future<Output = Result<Option<Self::Outgoing>, HandlerError>> + Send;

    /// Handles an event broadcast into the topic; a returned message goes
    /// to the client, with the broadcast's `seq`.
    fn on_event(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
        event: Self::Event,
    ) -> impl Future<Output = Result<Option<Self::Outgoing>, HandlerError>> + Send;
}

/// The topics a channel's connections can subscribe to, in declaration
/// order (the first whose pattern matches serves a topic), and for a topic
/// served on its own address, that topic.
#[derive(Clone, Default)]
pub struct Topics {
    pub(crate) entries: Vec<Arc<dyn engine::ErasedTopic>>,
    /// Index of the topic un-addressed frames belong to (`Topic.as_consumer()`).
    pub(crate) default: Option<usize>,
}

impl std::fmt::Debug for Topics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|t| t.pattern().as_str()).collect();
        f.debug_struct("Topics")
            .field("patterns", &names)
            .field("default", &self.default)
            .finish()
    }
}

impl Topics {
    /// No topics.
    pub fn new() -> Self {
        Topics::default()
    }

    /// Adds a topic, after those already added.
    pub fn topic<T: TopicHandler>(mut self, topic: T) -> Self {
        self.entries.push(Arc::new(engine::Entry::new(topic)));
        self
    }

    /// The topics of a route that serves `topic` alone, on its own address:
    /// connecting subscribes it (the pattern filled from the address
    /// parameters) and frames without a `topic` belong to it.
    pub fn standalone<T: TopicHandler>(topic: T) -> Self {
        Topics {
            entries: vec![Arc::new(engine::Entry::new(topic))],
            default: Some(0),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
