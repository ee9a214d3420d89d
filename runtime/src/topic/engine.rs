//! The subscription protocol of one connection, answered as chanx answers it.

use std::{future::Future, pin::Pin, sync::Arc};

use indexmap::IndexMap;
use serde_json::Value;

use super::{TopicHandler, TopicParams, TopicPattern, topic_group};
use crate::{
    context::{Connection, Context},
    frames::Completion,
    handler::{HandlerError, PathParams},
    json::Json,
    message::ChannelMessage,
    respond::Stamp,
};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A topic with its types erased, so one connection can hold subscriptions
/// of every topic its channel hosts.
pub(crate) trait ErasedTopic: Send + Sync + 'static {
    fn pattern(&self) -> &TopicPattern;
    /// A subscription to `topic` (matched, with its parameter values),
    /// not yet authorized.
    fn open(
        &self,
        connection: Arc<Connection>,
        topic: Arc<str>,
        values: Vec<String>,
    ) -> Box<dyn Subscription>;
}

/// One topic, as [`super::Topics`] holds it.
pub(crate) struct Entry<T> {
    topic: Arc<T>,
    pattern: TopicPattern,
}

impl<T: TopicHandler> Entry<T> {
    pub(crate) fn new(topic: T) -> Self {
        Entry {
            topic: Arc::new(topic),
            pattern: TopicPattern::new(T::PATTERN),
        }
    }
}

impl<T: TopicHandler> ErasedTopic for Entry<T> {
    fn pattern(&self) -> &TopicPattern {
        &self.pattern
    }

    fn open(
        &self,
        connection: Arc<Connection>,
        topic: Arc<str>,
        values: Vec<String>,
    ) -> Box<dyn Subscription> {
        let group = topic_group(T::GROUP_NAMESPACE, &topic);
        let params = T::Params::from_values(values);
        Box::new(Active {
            topic: Arc::clone(&self.topic),
            ctx: Context::for_topic(params, connection, topic),
            group,
        })
    }
}

/// One subscription of a connection.
pub(crate) trait Subscription: Send {
    /// The channel-layer group of the topic.
    fn group(&self) -> &str;
    fn authorize(&mut self) -> BoxFuture<'_, Result<bool, HandlerError>>;
    fn on_subscribe(&mut self) -> BoxFuture<'_, ()>;
    fn on_unsubscribe(&mut self, reference: Option<Arc<str>>) -> BoxFuture<'_, ()>;
    /// A client frame addressed to the topic (its envelope removed).
    fn handle_frame<'a>(
        &'a mut self,
        frame: &'a mut Json,
        depth: usize,
        reference: Option<Arc<str>>,
    ) -> BoxFuture<'a, ()>;
    /// An event broadcast into the topic.
    fn handle_event<'a>(&'a mut self, event: &'a Value, seq: Option<Json>) -> BoxFuture<'a, ()>;
    /// Leaves the groups the topic's handlers joined.
    fn leave_groups(&mut self) -> BoxFuture<'_, ()>;
}

struct Active<T: TopicHandler> {
    topic: Arc<T>,
    ctx: Context<T::Outgoing, T::Params>,
    group: String,
}

impl<T: TopicHandler> Active<T> {
    fn stamp(&self) -> Stamp<'_> {
        Stamp {
            topic: self.ctx.topic(),
            reference: self.ctx.reference(),
            seq: None,
        }
    }

    async fn frame(&mut self, frame: &mut Json, depth: usize, reference: Option<Arc<str>>) {
        self.ctx.set_reference(reference);
        let responder = self.ctx.connection().responder.clone();
        match crate::connection::decode_frame::<T::Incoming>(frame, depth) {
            Err(error) => {
                crate::observe::frame_received(crate::observe::INVALID);
                tracing::debug!(%error, "topic frame rejected");
                responder.validation_error(&error, self.stamp());
            }
            Ok(message) => {
                let tag = message.tag();
                crate::observe::frame_received(tag.unwrap_or(""));
                let result = self.topic.dispatch(&mut self.ctx, message).await;
                responder.reply(result, tag, self.stamp());
            }
        }
        responder.complete(Completion::Message, self.stamp());
        self.ctx.set_reference(None);
    }

    async fn event(&mut self, event: &Value, seq: Option<Json>) {
        self.ctx.set_seq(seq.clone());
        let responder = self.ctx.connection().responder.clone();
        let topic = self.ctx.topic().map(str::to_owned);
        let stamp = || Stamp {
            topic: topic.as_deref(),
            reference: None,
            seq: seq.as_ref(),
        };
        let handled = match serde_json::from_value::<T::Event>(event.clone()) {
            Ok(event) => {
                match self.topic.on_event(&mut self.ctx, event).await {
                    Ok(None) => {}
                    Ok(Some(message)) => responder.reply(Ok(Some(message)), None, stamp()),
                    // As chanx: event errors are logged, never sent.
                    Err(error) => {
                        tracing::error!(error = %error, "topic event handler failed");
                        crate::observe::handler_error("event", "");
                    }
                }
                true
            }
            Err(error) => {
                let action = event.get("action").and_then(Value::as_str);
                let passthrough = action.is_some_and(|a| self.topic.passthrough().contains(&a));
                if passthrough {
                    match T::Outgoing::decode(&mut Json::from(event.clone())) {
                        Ok(message) => {
                            responder.reply(Ok(Some(message)), None, stamp());
                            true
                        }
                        Err(error) => {
                            tracing::error!(%error, "topic event validation failed");
                            false
                        }
                    }
                } else {
                    tracing::error!(%error, "topic event validation failed");
                    false
                }
            }
        };
        if handled {
            responder.complete(Completion::Event, stamp());
        }
        self.ctx.set_seq(None);
    }
}

impl<T: TopicHandler> Subscription for Active<T> {
    fn group(&self) -> &str {
        &self.group
    }

    fn authorize(&mut self) -> BoxFuture<'_, Result<bool, HandlerError>> {
        Box::pin(self.topic.authorize(&mut self.ctx))
    }

    fn on_subscribe(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // What the topic pushes now is state, not a reply to the request.
            self.ctx.set_reference(None);
            if let Err(error) = self.topic.on_subscribe(&mut self.ctx).await {
                tracing::error!(error = %error, topic = self.ctx.topic(), "on_subscribe failed");
            }
        })
    }

    fn on_unsubscribe(&mut self, reference: Option<Arc<str>>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.ctx.set_reference(reference);
            if let Err(error) = self.topic.on_unsubscribe(&mut self.ctx).await {
                tracing::error!(error = %error, topic = self.ctx.topic(), "on_unsubscribe failed");
            }
            self.ctx.set_reference(None);
        })
    }

    fn handle_frame<'a>(
        &'a mut self,
        frame: &'a mut Json,
        depth: usize,
        reference: Option<Arc<str>>,
    ) -> BoxFuture<'a, ()> {
        Box::pin(self.frame(frame, depth, reference))
    }

    fn handle_event<'a>(&'a mut self, event: &'a Value, seq: Option<Json>) -> BoxFuture<'a, ()> {
        Box::pin(self.event(event, seq))
    }

    fn leave_groups(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for group in self.ctx.joined().to_vec() {
                if let Err(error) = self.ctx.leave(&group).await {
                    tracing::warn!(group, %error, "cannot leave group");
                }
            }
        })
    }
}

/// The subscriptions of one connection, and the protocol around them.
pub(crate) struct Subscriptions {
    topics: super::Topics,
    active: IndexMap<Arc<str>, Box<dyn Subscription>>,
    /// The topic un-addressed frames belong to, on a topic's own route.
    default_topic: Option<Arc<str>>,
}

/// Why a topic frame could not be served (`payload.reason`).
#[derive(Debug, Clone, Copy)]
enum Refusal {
    UnknownTopic,
    Unauthorized,
    NotSubscribed,
}

impl Subscriptions {
    pub(crate) fn new(topics: super::Topics) -> Self {
        Subscriptions {
            topics,
            active: IndexMap::new(),
            default_topic: None,
        }
    }

    /// On a topic's own route, fills its pattern from the address
    /// parameters; the error names what the address lacks.
    pub(crate) fn resolve_default(&mut self, path: &PathParams) -> Result<(), String> {
        let Some(index) = self.topics.default else {
            return Ok(());
        };
        let pattern = self.topics.entries[index].pattern();
        let mut values = Vec::new();
        for name in pattern.names() {
            match path.get(name) {
                Some(value) => values.push(value.to_owned()),
                None => {
                    return Err(format!(
                        "the topic pattern '{}' needs the address parameter '{name}'",
                        pattern.as_str()
                    ));
                }
            }
        }
        self.default_topic = Some(pattern.fill(&values).into());
        Ok(())
    }

    /// The topic un-addressed frames belong to, on a topic's own route.
    pub(crate) fn default_topic(&self) -> Option<&Arc<str>> {
        self.default_topic.as_ref()
    }

    /// A client frame addressed to `topic`: `subscribe`, `unsubscribe`, or
    /// a message for the topic's handlers.
    pub(crate) async fn on_frame(
        &mut self,
        connection: &Arc<Connection>,
        frame: &mut Json,
        depth: usize,
        topic: &str,
        reference: Option<&str>,
    ) {
        let action = frame
            .as_object()
            .and_then(|m| m.get("action"))
            .and_then(Json::as_str);
        match action {
            Some("subscribe") => {
                crate::observe::frame_received("subscribe");
                self.subscribe(connection, topic, reference).await
            }
            Some("unsubscribe") => {
                crate::observe::frame_received("unsubscribe");
                self.unsubscribe(connection, topic, reference).await
            }
            _ => match self.active.get_mut(topic) {
                Some(subscription) => {
                    subscription
                        .handle_frame(frame, depth, reference.map(Arc::from))
                        .await
                }
                None => {
                    crate::observe::frame_received(crate::observe::INVALID);
                    refuse(connection, topic, Refusal::NotSubscribed, reference)
                }
            },
        }
    }

    /// Subscribes `topic`, in chanx's order: already subscribed → confirm;
    /// first matching pattern (none → `unknown_topic`); `authorize` (false →
    /// `unauthorized`); join the group; record; confirm; `on_subscribe`.
    pub(crate) async fn subscribe(
        &mut self,
        connection: &Arc<Connection>,
        topic: &str,
        reference: Option<&str>,
    ) {
        if self.active.contains_key(topic) {
            confirm(connection, topic, "subscribed", reference);
            return;
        }
        let matched = self
            .topics
            .entries
            .iter()
            .find_map(|entry| entry.pattern().matches(topic).map(|values| (entry, values)));
        let Some((entry, values)) = matched else {
            refuse(connection, topic, Refusal::UnknownTopic, reference);
            return;
        };
        let topic: Arc<str> = Arc::from(topic);
        let mut subscription = entry.open(Arc::clone(connection), Arc::clone(&topic), values);
        match subscription.authorize().await {
            Ok(true) => {}
            Ok(false) => {
                refuse(connection, &topic, Refusal::Unauthorized, reference);
                return;
            }
            Err(error) => {
                // chanx answers nothing when authorize raises.
                tracing::error!(error = %error, topic = &*topic, "authorize failed");
                return;
            }
        }
        let joined = connection
            .layer
            .backend()
            .group_add(subscription.group(), &connection.channel_name)
            .await;
        if let Err(error) = joined {
            tracing::error!(%error, topic = &*topic, "cannot join the topic's group");
            return;
        }
        self.active.insert(Arc::clone(&topic), subscription);
        update_list(connection, |list| list.push(topic.to_string()));
        confirm(connection, &topic, "subscribed", reference);
        if let Some(subscription) = self.active.get_mut(&topic) {
            subscription.on_subscribe().await;
        }
    }

    /// Unsubscribes `topic`: `on_unsubscribe` and leaving the group when it
    /// was subscribed; confirmed either way.
    async fn unsubscribe(
        &mut self,
        connection: &Arc<Connection>,
        topic: &str,
        reference: Option<&str>,
    ) {
        if let Some(subscription) = self.active.shift_remove(topic) {
            update_list(connection, |list| list.retain(|t| t != topic));
            leave(connection, topic, subscription, reference.map(Arc::from)).await;
        }
        confirm(connection, topic, "unsubscribed", reference);
    }

    /// An event broadcast into `topic`; dropped when it is not subscribed.
    pub(crate) async fn on_event(&mut self, topic: &str, seq: Option<Json>, event: &Value) {
        if let Some(subscription) = self.active.get_mut(topic) {
            subscription.handle_event(event, seq).await;
        }
    }

    /// Every subscription undone (the connection ended): hooks run, groups left.
    pub(crate) async fn close(&mut self, connection: &Arc<Connection>) {
        for (topic, subscription) in std::mem::take(&mut self.active) {
            leave(connection, &topic, subscription, None).await;
        }
        update_list(connection, Vec::clear);
    }
}

async fn leave(
    connection: &Arc<Connection>,
    topic: &str,
    mut subscription: Box<dyn Subscription>,
    reference: Option<Arc<str>>,
) {
    subscription.on_unsubscribe(reference).await;
    subscription.leave_groups().await;
    let left = connection
        .layer
        .backend()
        .group_discard(subscription.group(), &connection.channel_name)
        .await;
    if let Err(error) = left {
        tracing::warn!(%error, topic, "cannot leave the topic's group");
    }
}

fn update_list(connection: &Connection, change: impl FnOnce(&mut Vec<String>)) {
    match connection.subscriptions.lock() {
        Ok(mut list) => change(&mut list),
        Err(poisoned) => change(&mut poisoned.into_inner()),
    }
}

/// `subscribed` / `unsubscribed`, stamped with the topic and the `ref`.
fn confirm(connection: &Connection, topic: &str, action: &str, reference: Option<&str>) {
    let responder = &connection.responder;
    let frame = responder.frames.frame(action, Value::Null);
    responder.send(
        &frame,
        Stamp {
            topic: Some(topic),
            reference,
            seq: None,
        },
    );
}

/// `{"action":"error","payload":{"reason":…,"detail":…}}` on the topic.
fn refuse(connection: &Connection, topic: &str, refusal: Refusal, reference: Option<&str>) {
    let (reason, detail) = match refusal {
        Refusal::UnknownTopic => ("unknown_topic", format!("Unknown topic '{topic}'")),
        Refusal::Unauthorized => (
            "unauthorized",
            format!("Not allowed to subscribe to '{topic}'"),
        ),
        Refusal::NotSubscribed => ("not_subscribed", format!("Not subscribed to '{topic}'")),
    };
    tracing::info!(topic, reason, detail, "topic error");
    let responder = &connection.responder;
    responder.send(
        &responder.frames.topic_error(reason, &detail),
        Stamp {
            topic: Some(topic),
            reference,
            seq: None,
        },
    );
}
