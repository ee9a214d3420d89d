//! What a handler sees of its connection.

use std::{any::Any, fmt, marker::PhantomData, sync::Arc};

use serde::Serialize;

use crate::{
    auth::{AnyUser, ConnectRequest},
    layer::{Layer, LayerError},
    outbox::{Outbox, SendError},
};

/// One connection, as seen by its handlers: typed address parameters, the
/// authenticated user, groups, the channel layer and the client.
pub struct Context<Out, P> {
    params: P,
    user: Option<AnyUser>,
    request: Arc<ConnectRequest>,
    channel_name: String,
    groups: Vec<String>,
    layer: Layer,
    outbox: Outbox,
    _outgoing: PhantomData<fn(Out)>,
}

impl<Out, P: fmt::Debug> fmt::Debug for Context<Out, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("params", &self.params)
            .field("channel_name", &self.channel_name)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

impl<Out: Serialize, P> Context<Out, P> {
    pub(crate) fn new(
        params: P,
        user: Option<AnyUser>,
        request: Arc<ConnectRequest>,
        channel_name: String,
        layer: Layer,
        outbox: Outbox,
    ) -> Self {
        Context {
            params,
            user,
            request,
            channel_name,
            groups: Vec::new(),
            layer,
            outbox,
            _outgoing: PhantomData,
        }
    }

    /// The typed address parameters.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// The user the route's `Authenticator` returned, if it is a `U`.
    pub fn user<U: Any + Send + Sync>(&self) -> Option<&U> {
        self.user.as_deref().and_then(|u| u.downcast_ref::<U>())
    }

    /// The upgrade request (path, query, headers).
    pub fn request(&self) -> &ConnectRequest {
        &self.request
    }

    /// This connection's inbox name: the target of `Layer::send_event`.
    pub fn channel_name(&self) -> &str {
        &self.channel_name
    }

    /// The groups this connection is in.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The channel layer, to send events from a handler.
    pub fn layer(&self) -> &Layer {
        &self.layer
    }

    /// Joins `group` (no-op when already in it).
    pub async fn join(&mut self, group: &str) -> Result<(), LayerError> {
        if self.groups.iter().any(|g| g == group) {
            return Ok(());
        }
        self.layer
            .backend()
            .group_add(group, &self.channel_name)
            .await?;
        self.groups.push(group.to_owned());
        Ok(())
    }

    /// Leaves `group` (no-op when not in it).
    pub async fn leave(&mut self, group: &str) -> Result<(), LayerError> {
        let Some(index) = self.groups.iter().position(|g| g == group) else {
            return Ok(());
        };
        self.layer
            .backend()
            .group_discard(group, &self.channel_name)
            .await?;
        self.groups.remove(index);
        Ok(())
    }

    /// Queues a message for this client without waiting (see the slow-client
    /// policy in the crate docs).
    pub fn send(&self, message: &Out) -> Result<(), SendError> {
        let text = crate::json::to_frame(message)?;
        self.outbox.push_json_text(&text)
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
        self.layer
            .group_message(frame, groups, exclude_current, &self.channel_name)
            .await
    }

    /// `broadcast` to every group this connection is in (chanx's default).
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
}
