//! The pub/sub flavour (channels_redis's `RedisPubSubChannelLayer`): no
//! keys; each channel and each group is a Redis pub/sub channel that the
//! processes with a member subscribe (see the [layer docs](super)).

use std::sync::Arc;

use futures_util::StreamExt;
use redis::aio::{PubSubSink, PubSubStream};

use super::{
    CONNECT_TIMEOUT, KEEPALIVE, RESPONSE_TIMEOUT, RETRY_MAX, RETRY_MIN, Shared, codec::Route,
};
use crate::layer::{Dropped, Inbox, LayerError, deliver_now};

impl Shared {
    /// `<prefix>__group__<group>`: the Redis channel of a group.
    fn group_channel(&self, group: &str) -> String {
        format!("{}__group__{group}", self.config.prefix)
    }

    pub(super) async fn pubsub_new_channel(&self) -> Inbox {
        let name = format!("{}specific.{}", self.config.prefix, self.ids.hex32());
        let inbox = self.add_inbox(name.clone());
        self.subscribe(&[name]).await;
        inbox
    }

    pub(super) async fn pubsub_close_channel(&self, channel: &str) {
        let (_, emptied) = self.local().remove_inbox(channel);
        let mut names: Vec<String> = emptied.iter().map(|g| self.group_channel(g)).collect();
        names.push(channel.to_owned());
        self.unsubscribe(&names).await;
    }

    pub(super) async fn pubsub_send(
        &self,
        channel: &str,
        message: Vec<u8>,
    ) -> Result<(), LayerError> {
        if self.local().is_local(channel) {
            return self.deliver_local(channel, message).await;
        }
        self.publish(channel, &message).await
    }

    pub(super) async fn pubsub_group_add(&self, group: &str, channel: &str) {
        if self.local().join(group, channel) {
            self.subscribe(&[self.group_channel(group)]).await;
        }
    }

    pub(super) async fn pubsub_group_discard(&self, group: &str, channel: &str) {
        if self.local().leave(group, channel) {
            self.unsubscribe(&[self.group_channel(group)]).await;
        }
    }

    /// Published once; every process with a member, this one included,
    /// gets it through its subscription.
    pub(super) async fn pubsub_group_send(
        &self,
        group: &str,
        message: Vec<u8>,
    ) -> Result<(), LayerError> {
        self.publish(&self.group_channel(group), &message).await
    }

    async fn publish(&self, channel: &str, message: &[u8]) -> Result<(), LayerError> {
        let bytes = self
            .codec
            .encode(message, Route::None, &self.ids)
            .map_err(LayerError::Serialize)?;
        let mut commands = self.commands.clone();
        let receivers: i64 = redis::cmd("PUBLISH")
            .arg(channel)
            .arg(bytes)
            .query_async(&mut commands)
            .await
            .map_err(|error| self.lost(error))?;
        if receivers == 0 {
            self.counters.dropped(Dropped::Gone);
            tracing::debug!(
                channel,
                "no process subscribes this channel; message dropped"
            );
        }
        Ok(())
    }

    /// Subscribes now if connected; otherwise the receiver subscribes
    /// every channel and group of this process when it reconnects.
    async fn subscribe(&self, names: &[String]) {
        let mut sink = self.sink.lock().await;
        if let Some(sink) = sink.as_mut() {
            let subscribe = tokio::time::timeout(RESPONSE_TIMEOUT, sink.subscribe(names));
            if !matches!(subscribe.await, Ok(Ok(()))) {
                tracing::warn!(?names, "cannot subscribe now; will on reconnect");
            }
        }
    }

    async fn unsubscribe(&self, names: &[String]) {
        let mut sink = self.sink.lock().await;
        if let Some(sink) = sink.as_mut() {
            let unsubscribe = tokio::time::timeout(RESPONSE_TIMEOUT, sink.unsubscribe(names));
            if !matches!(unsubscribe.await, Ok(Ok(()))) {
                tracing::warn!(
                    ?names,
                    "cannot unsubscribe now (dropped with the connection)"
                );
            }
        }
    }

    /// A message published on `channel`.
    fn on_published(&self, channel: &str, bytes: &[u8]) {
        let Some(decoded) = self.decode(bytes) else {
            return;
        };
        let targets = {
            let local = self.local();
            match local.inbox(channel) {
                Some(inbox) => vec![(channel.to_owned(), inbox)],
                None => channel
                    .strip_prefix(&format!("{}__group__", self.config.prefix))
                    .map(|group| local.members(group))
                    .unwrap_or_default(),
            }
        };
        if targets.is_empty() {
            self.counters.dropped(Dropped::Gone);
            tracing::debug!(channel, "message for a channel no longer here dropped");
        }
        // One loop reads for the whole process: it never waits.
        deliver_now(targets, &decoded.message, &self.counters, None);
    }
}

/// Connects, subscribes everything this process has, and hands published
/// messages to inboxes; on a lost connection, does it all again with
/// backoff. Messages published while disconnected are lost (pub/sub keeps
/// nothing), as with Python processes.
pub(super) async fn receive(shared: Arc<Shared>, first: Option<(PubSubSink, PubSubStream)>) {
    let mut retry = RETRY_MIN;
    let mut lost = false;
    let mut first = first;
    loop {
        let connected = if let Some(first) = first.take() {
            Some(first)
        } else {
            // Held while subscribing: a channel created meanwhile is either
            // in this snapshot or subscribed through the new sink after.
            let mut slot = shared.sink.lock().await;
            let names: Vec<String> = {
                let local = shared.local();
                let mut names = local.channels();
                names.extend(local.groups().iter().map(|g| shared.group_channel(g)));
                names
            };
            match connect(&shared, &names).await {
                Ok((sink, stream)) => {
                    *slot = Some(sink.clone());
                    Some((sink, stream))
                }
                Err(error) => {
                    tracing::debug!(%error, "redis still unreachable");
                    None
                }
            }
        };
        let Some((mut sink, mut stream)) = connected else {
            tokio::time::sleep(retry).await;
            retry = (retry * 2).min(RETRY_MAX);
            continue;
        };
        if lost {
            tracing::warn!("redis channel layer reconnected and subscribed again");
        }
        retry = RETRY_MIN;
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        keepalive.reset();
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => shared.on_published(message.get_channel_name(), message.get_payload_bytes()),
                    None => break,
                },
                _ = keepalive.tick() => {
                    let ping = tokio::time::timeout(RESPONSE_TIMEOUT, sink.ping::<redis::Value>());
                    if !matches!(ping.await, Ok(Ok(_))) {
                        break;
                    }
                }
            }
        }
        *shared.sink.lock().await = None;
        lost = true;
        tracing::warn!(
            "redis channel layer lost its connection; reconnecting (messages published meanwhile are lost)"
        );
    }
}

pub(super) async fn connect(
    shared: &Shared,
    names: &[String],
) -> Result<(PubSubSink, PubSubStream), LayerError> {
    let connect = async {
        let (mut sink, stream) = shared.client.get_async_pubsub().await?.split();
        if !names.is_empty() {
            sink.subscribe(names).await?;
        }
        Ok::<_, redis::RedisError>((sink, stream))
    };
    match tokio::time::timeout(CONNECT_TIMEOUT + RESPONSE_TIMEOUT, connect).await {
        Ok(result) => result.map_err(super::backend),
        Err(_) => Err(LayerError::Backend(
            "timed out subscribing to redis".to_owned(),
        )),
    }
}
