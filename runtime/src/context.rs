//! What a handler sees of its connection.

use std::{
    any::Any,
    fmt,
    marker::PhantomData,
    sync::{Arc, Mutex},
};

use serde::Serialize;

use crate::{
    auth::{AnyUser, ConnectRequest},
    json::Json,
    layer::{Layer, LayerError},
    outbox::SendError,
    respond::{Responder, Stamp},
};

/// What every handler of one connection shares, the consumer's and its
/// topics'.
pub(crate) struct Connection {
    pub(crate) user: Option<AnyUser>,
    pub(crate) request: Arc<ConnectRequest>,
    pub(crate) channel_name: String,
    pub(crate) layer: Layer,
    pub(crate) responder: Responder,
    /// The topics this connection is subscribed to, in subscription order.
    pub(crate) subscriptions: Mutex<Vec<String>>,
}

/// The envelope a handler's frames carry (see [`Stamp`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnedStamp {
    pub(crate) topic: Option<Arc<str>>,
    pub(crate) reference: Option<Arc<str>>,
    pub(crate) seq: Option<Json>,
}

impl OwnedStamp {
    pub(crate) fn borrow(&self) -> Stamp<'_> {
        Stamp {
            topic: self.topic.as_deref(),
            reference: self.reference.as_deref(),
            seq: self.seq.as_ref(),
        }
    }
}

/// One connection, as seen by its handlers: typed parameters, the
/// authenticated user, groups, the channel layer and the client.
///
/// A consumer's handlers get the channel's address parameters; a topic's
/// handlers get the topic's pattern parameters, and what they send is
/// stamped with the topic.
pub struct Context<Out, P> {
    params: P,
    connection: Arc<Connection>,
    groups: Vec<String>,
    stamp: OwnedStamp,
    _outgoing: PhantomData<fn(Out)>,
}

impl<Out, P: fmt::Debug> fmt::Debug for Context<Out, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("params", &self.params)
            .field("channel_name", &self.connection.channel_name)
            .field("topic", &self.stamp.topic)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

impl<Out: Serialize, P> Context<Out, P> {
    pub(crate) fn new(params: P, connection: Arc<Connection>) -> Self {
        Context {
            params,
            connection,
            groups: Vec::new(),
            stamp: OwnedStamp::default(),
            _outgoing: PhantomData,
        }
    }

    /// A context for the topic `topic` of the same connection.
    pub(crate) fn for_topic(params: P, connection: Arc<Connection>, topic: Arc<str>) -> Self {
        let mut ctx = Context::new(params, connection);
        ctx.stamp.topic = Some(topic);
        ctx
    }

    /// The typed parameters: the channel address's for a consumer, the
    /// topic pattern's for a topic.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// The topic this context belongs to (`room:42`), `None` for a consumer's own handlers.
    pub fn topic(&self) -> Option<&str> {
        self.stamp.topic.as_deref()
    }

    /// The `ref` of the client frame being handled, if it carries one.
    pub fn reference(&self) -> Option<&str> {
        self.stamp.reference.as_deref()
    }

    /// The topics this connection is subscribed to, in subscription order.
    pub fn subscriptions(&self) -> Vec<String> {
        match self.connection.subscriptions.lock() {
            Ok(topics) => topics.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The user the route's `Authenticator` returned, if it is a `U`.
    pub fn user<U: Any + Send + Sync>(&self) -> Option<&U> {
        self.connection
            .user
            .as_deref()
            .and_then(|u| u.downcast_ref::<U>())
    }

    /// The upgrade request (path, query, headers).
    pub fn request(&self) -> &ConnectRequest {
        &self.connection.request
    }

    /// This connection's inbox name: the target of `Layer::send_event`.
    pub fn channel_name(&self) -> &str {
        &self.connection.channel_name
    }

    /// The groups this context joined (a topic's own group not included).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The channel layer, to send events from a handler.
    pub fn layer(&self) -> &Layer {
        &self.connection.layer
    }

    /// Joins `group` (no-op when already in it). A topic's context leaves
    /// its groups when the topic is unsubscribed.
    pub async fn join(&mut self, group: &str) -> Result<(), LayerError> {
        if self.groups.iter().any(|g| g == group) {
            return Ok(());
        }
        self.connection
            .layer
            .backend()
            .group_add(group, &self.connection.channel_name)
            .await?;
        self.groups.push(group.to_owned());
        Ok(())
    }

    /// Leaves `group` (no-op when not in it).
    pub async fn leave(&mut self, group: &str) -> Result<(), LayerError> {
        let Some(index) = self.groups.iter().position(|g| g == group) else {
            return Ok(());
        };
        self.connection
            .layer
            .backend()
            .group_discard(group, &self.connection.channel_name)
            .await?;
        self.groups.remove(index);
        Ok(())
    }

    /// Queues a message for this client without waiting (see the slow-client
    /// policy in the crate docs).
    ///
    /// As in chanx, the frame carries the envelope of what is being handled:
    /// `"version": 1, "ref": …` while answering a frame with a `ref`; on a
    /// topic, `"version": 1, "topic": …` and the `ref` or the event's `seq`.
    pub fn send(&self, message: &Out) -> Result<(), SendError> {
        let text = crate::json::to_frame(message)?;
        let outbox = &self.connection.responder.outbox;
        match self.stamp.borrow().apply_text(text) {
            Ok(text) => outbox.push_json_text(&text),
            Err(text) => {
                let frame =
                    crate::json::parse(&text).map_err(|e| SendError::Serialize(e.to_string()))?;
                let text = crate::json::to_string(&self.stamp.borrow().apply(frame))?;
                outbox.push_json_text(&text)
            }
        }
    }

    /// Relays a message to every client in `groups` (this one too, unless
    /// `exclude_current`). Each receiver sends it as is, then
    /// `group_complete` when completion is on.
    pub async fn broadcast(
        &self,
        message: &Out,
        groups: &[&str],
        exclude_current: bool,
    ) -> Result<(), LayerError> {
        let frame = crate::json::relay_text(message)?;
        self.connection
            .layer
            .group_message(
                frame,
                groups,
                exclude_current,
                &self.connection.channel_name,
            )
            .await
    }

    /// `broadcast` to every group this context joined (chanx's default).
    pub async fn broadcast_to_joined(
        &self,
        message: &Out,
        exclude_current: bool,
    ) -> Result<(), LayerError> {
        let groups: Vec<&str> = self.groups.iter().map(String::as_str).collect();
        self.broadcast(message, &groups, exclude_current).await
    }

    pub(crate) fn joined(&self) -> &[String] {
        &self.groups
    }

    pub(crate) fn connection(&self) -> &Arc<Connection> {
        &self.connection
    }

    /// Sets the `ref` being answered (`None` once the frame is handled).
    pub(crate) fn set_reference(&mut self, reference: Option<Arc<str>>) {
        self.stamp.reference = reference;
    }

    /// Sets the `seq` of the event being handled.
    pub(crate) fn set_seq(&mut self, seq: Option<Json>) {
        self.stamp.seq = seq;
    }
}
