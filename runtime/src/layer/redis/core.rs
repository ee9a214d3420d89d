//! The core flavour (channels_redis's `RedisChannelLayer`): group sorted
//! sets and one queue per process (see the [layer docs](super)).

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use redis::{AsyncConnectionConfig, Script, aio::MultiplexedConnection};

use super::{
    CONNECT_TIMEOUT, RESPONSE_TIMEOUT, RETRY_MAX, RETRY_MIN, Shared, backend, codec::Route, scripts,
};
use crate::layer::{Dropped, Inbox, LayerError, deliver_now};

/// How long one BZPOPMIN waits for a message before it is issued again.
const BLOCK: Duration = Duration::from_secs(1);
/// At most this many messages are taken off the queue in one round trip.
const BATCH: usize = 128;

/// What the core flavour keeps besides the shared state.
pub(super) struct Core {
    /// `specific.<process>!`: every channel of this process starts so.
    pub(super) local_prefix: String,
    /// `<prefix>specific.<process>!`: this process's queue.
    pub(super) queue: String,
    /// `<prefix>:chanx:process:<process>`: present while this process lives.
    pub(super) alive_key: String,
    /// What liveness keys start with, for `scripts::group_members`.
    pub(super) alive_prefix: String,
    pub(super) scripts: Scripts,
    /// Wakes the heartbeat to write every membership again.
    pub(super) refresh_now: tokio::sync::Notify,
}

pub(super) struct Scripts {
    send: Script,
    group_members: Script,
    group_send: Script,
    group_add: Script,
    alive: Script,
}

impl Core {
    pub(super) fn new(prefix: &str, process: &str) -> Self {
        Core {
            local_prefix: format!("specific.{process}!"),
            queue: format!("{prefix}specific.{process}!"),
            alive_key: format!("{prefix}:chanx:process:{process}"),
            alive_prefix: format!("{prefix}:chanx:process:"),
            scripts: Scripts {
                send: scripts::send(),
                group_members: scripts::group_members(),
                group_send: scripts::group_send(),
                group_add: scripts::group_add(),
                alive: scripts::alive(),
            },
            refresh_now: tokio::sync::Notify::new(),
        }
    }
}

/// The part of a channel name that names its queue: up to and including
/// `!` (channels_redis's `non_local_name`).
fn non_local_name(channel: &str) -> &str {
    channel.find('!').map_or(channel, |bang| &channel[..=bang])
}

impl Shared {
    pub(super) fn core_new_channel(&self) -> Inbox {
        let name = format!("{}{}", self.core.local_prefix, self.ids.hex32());
        self.add_inbox(name)
    }

    pub(super) async fn core_close_channel(&self, channel: &str) {
        let (left, _) = self.local().remove_inbox(channel);
        for group in left {
            if let Err(error) = self.zrem(&group, channel).await {
                tracing::warn!(group, channel, %error, "membership left in redis");
            }
        }
    }

    pub(super) async fn core_send(
        &self,
        channel: &str,
        message: Vec<u8>,
    ) -> Result<(), LayerError> {
        let core = &self.core;
        if channel.starts_with(&core.local_prefix) {
            return self.deliver_local(channel, message).await;
        }
        let bytes = self
            .codec
            .encode(&message, Route::Channel(channel), &self.ids)
            .map_err(LayerError::Serialize)?;
        let key = format!("{}{}", self.config.prefix, non_local_name(channel));
        let mut commands = self.commands.clone();
        let added: i64 = core
            .scripts
            .send
            .key(key)
            .arg(bytes)
            .arg(self.clock.score())
            .arg(self.config.message_expiry.as_secs().max(1))
            .arg(self.config.capacity)
            .invoke_async(&mut commands)
            .await
            .map_err(|error| self.lost(error))?;
        if added == 0 {
            self.counters.dropped(Dropped::Full);
            tracing::warn!(
                channel,
                "channel-layer message dropped: the channel's process queue is full"
            );
            return Err(LayerError::ChannelFull(channel.to_owned()));
        }
        Ok(())
    }

    pub(super) async fn core_group_add(&self, group: &str, channel: &str) {
        self.local().join(group, channel);
        if let Err(error) = self.register(group, &[channel.to_owned()]).await {
            // The heartbeat writes it once Redis is back.
            tracing::warn!(group, channel, %error, "membership not yet in redis");
        }
    }

    pub(super) async fn core_group_discard(&self, group: &str, channel: &str) {
        self.local().leave(group, channel);
        if let Err(error) = self.zrem(group, channel).await {
            tracing::warn!(group, channel, %error, "membership left in redis");
        }
    }

    /// The other processes' members first get the message through their
    /// queues (one write per queue, listing its members), then this
    /// process's members, waiting for room.
    pub(super) async fn core_group_send(
        &self,
        group: &str,
        message: Vec<u8>,
    ) -> Result<(), LayerError> {
        let local = self.local().members(group);
        let remote = self.publish_to_group(group, &message).await;
        self.deliver_local_group(group, local, message).await;
        remote
    }

    async fn publish_to_group(&self, group: &str, message: &[u8]) -> Result<(), LayerError> {
        let core = &self.core;
        let members = self
            .group_members(group)
            .await
            .map_err(|error| self.lost(error))?;
        let mut queues: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for channel in &members {
            if !channel.starts_with(&core.local_prefix) {
                queues
                    .entry(non_local_name(channel))
                    .or_default()
                    .push(channel.clone());
            }
        }
        if queues.is_empty() {
            return Ok(());
        }
        let mut pending: Vec<(&str, Vec<u8>, &Vec<String>)> = Vec::with_capacity(queues.len());
        for (queue, channels) in &queues {
            let bytes = self
                .codec
                .encode(message, Route::Channels(channels), &self.ids)
                .map_err(LayerError::Serialize)?;
            pending.push((queue, bytes, channels));
        }
        // A process queue that is full is tried again until the send
        // timeout: the sender waits for the slow process (push-back, as the
        // in-memory layer does) instead of its members losing the message.
        let deadline = Instant::now() + self.config.send_timeout;
        let mut pause = Duration::from_millis(2);
        loop {
            let mut invocation = core.scripts.group_send.prepare_invoke();
            for (queue, bytes, _) in &pending {
                invocation
                    .key(format!("{}{queue}", self.config.prefix))
                    .arg(bytes.as_slice());
            }
            for _ in &pending {
                invocation.arg(self.config.capacity);
            }
            invocation
                .arg(self.clock.score())
                .arg(self.config.message_expiry.as_secs().max(1));
            let mut commands = self.commands.clone();
            let full: Vec<usize> = invocation
                .invoke_async(&mut commands)
                .await
                .map_err(|error| self.lost(error))?;
            let mut index = 0;
            pending.retain(|_| {
                index += 1;
                full.contains(&index)
            });
            if pending.is_empty() || Instant::now() + pause > deadline {
                break;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
        for (_, _, channels) in pending {
            for channel in channels {
                self.counters.dropped(Dropped::Full);
                tracing::warn!(
                    group,
                    channel,
                    "channel-layer message dropped: the member's process queue is full"
                );
            }
        }
        Ok(())
    }

    /// Members of `group` on every process, as Redis has them (after
    /// dropping expired ones and those of dead chanx-runtime processes).
    pub(super) async fn group_members(
        &self,
        group: &str,
    ) -> Result<Vec<String>, redis::RedisError> {
        let core = &self.core;
        let cutoff = self
            .clock
            .unix_secs()
            .saturating_sub(self.config.group_expiry.as_secs());
        let mut commands = self.commands.clone();
        core.scripts
            .group_members
            .key(self.config.group_key(group))
            .arg(cutoff)
            .arg(&core.alive_prefix)
            .invoke_async(&mut commands)
            .await
    }

    async fn register(&self, group: &str, channels: &[String]) -> Result<(), LayerError> {
        let mut commands = self.commands.clone();
        let mut invocation = self
            .core
            .scripts
            .group_add
            .key(self.config.group_key(group));
        invocation
            .arg(self.clock.score())
            .arg(self.config.group_expiry.as_secs().max(1));
        for channel in channels {
            invocation.arg(channel);
        }
        invocation
            .invoke_async::<i64>(&mut commands)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn zrem(&self, group: &str, channel: &str) -> Result<(), LayerError> {
        let mut commands = self.commands.clone();
        redis::cmd("ZREM")
            .arg(self.config.group_key(group))
            .arg(channel)
            .query_async::<i64>(&mut commands)
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Sets this process's liveness key; true when it had lapsed.
    pub(super) async fn mark_alive(&self) -> Result<bool, LayerError> {
        let core = &self.core;
        let mut commands = self.commands.clone();
        let had: i64 = core
            .scripts
            .alive
            .key(&core.alive_key)
            .arg(
                u64::try_from(self.config.process_ttl.as_millis())
                    .unwrap_or(u64::MAX)
                    .max(1),
            )
            .invoke_async(&mut commands)
            .await
            .map_err(backend)?;
        Ok(had == 0)
    }

    /// Writes every membership of this process to Redis again.
    async fn refresh_all(&self) -> Result<(), LayerError> {
        let memberships = self.local().memberships();
        for (group, channels) in memberships {
            self.register(&group, &channels).await?;
        }
        Ok(())
    }

    /// A message taken off this process's queue.
    fn on_queued(&self, bytes: &[u8], score: f64) {
        let age = self.clock.score() - score;
        if age > self.config.message_expiry.as_secs_f64() {
            self.counters.dropped(Dropped::Expired);
            tracing::warn!(age_s = age, "expired channel-layer message dropped");
            return;
        }
        let Some(decoded) = self.decode(bytes) else {
            return;
        };
        let targets = {
            let local = self.local();
            decoded
                .channels
                .iter()
                .filter_map(|channel| match local.inbox(channel) {
                    Some(inbox) => Some((channel.clone(), inbox)),
                    None => {
                        self.counters.dropped(Dropped::Gone);
                        tracing::debug!(channel, "message to an unknown channel dropped");
                        None
                    }
                })
                .collect()
        };
        // One loop reads for the whole process: it never waits.
        deliver_now(targets, &decoded.message, &self.counters, None);
    }
}

/// A connection of its own for the blocking pop: on a shared one it would
/// hold up every other command.
async fn blocking_connection(shared: &Shared) -> Result<MultiplexedConnection, redis::RedisError> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(BLOCK + RESPONSE_TIMEOUT));
    shared
        .client
        .get_multiplexed_async_connection_with_config(&config)
        .await
}

/// Takes messages off this process's queue and hands them to inboxes; on
/// a lost connection, reconnects with backoff and has the heartbeat write
/// the memberships again.
///
/// channels_redis keeps a `$inflight` copy of each popped message so that a
/// cancelled Python receive does not lose it; here the pop and the hand-off
/// run in one task that is never cancelled mid-way, so there is nothing to
/// back up (no process reads another's queue, or its backup).
pub(super) async fn receive(shared: Arc<Shared>) {
    let queue = shared.core.queue.clone();
    let mut retry = RETRY_MIN;
    let mut lost = false;
    loop {
        let mut connection = match blocking_connection(&shared).await {
            Ok(connection) => connection,
            Err(error) => {
                tracing::debug!(%error, "redis still unreachable");
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(RETRY_MAX);
                continue;
            }
        };
        if lost {
            tracing::warn!("redis channel layer reconnected; writing group memberships again");
            shared.core.refresh_now.notify_one();
        }
        retry = RETRY_MIN;
        loop {
            // Drain what is queued, then block until more comes.
            let batch: Result<Vec<(Vec<u8>, f64)>, _> = redis::cmd("ZPOPMIN")
                .arg(&queue)
                .arg(BATCH)
                .query_async(&mut connection)
                .await;
            let batch = match batch {
                Ok(batch) if batch.is_empty() => redis::cmd("BZPOPMIN")
                    .arg(&queue)
                    .arg(BLOCK.as_secs())
                    .query_async::<Option<(String, Vec<u8>, f64)>>(&mut connection)
                    .await
                    .map(|popped| {
                        popped
                            .map(|(_, bytes, score)| (bytes, score))
                            .into_iter()
                            .collect()
                    }),
                other => other,
            };
            match batch {
                Ok(batch) => {
                    for (bytes, score) in batch {
                        shared.on_queued(&bytes, score);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "redis channel layer lost its connection; reconnecting");
                    break;
                }
            }
        }
        lost = true;
    }
}

/// Keeps this process's liveness key set, and writes its memberships again
/// after a reconnect, when the key had lapsed (other processes may then
/// have dropped them), and every third of the group expiry (so that
/// channels_redis's expiry never drops a living member).
pub(super) async fn heartbeat(shared: Arc<Shared>) {
    let every = (shared.config.process_ttl / 3).max(Duration::from_millis(50));
    let refresh_every = shared.config.group_expiry / 3;
    let mut last_refresh = Instant::now();
    let mut refresh = false;
    let mut retry: Option<Duration> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(retry.unwrap_or(every).min(every)) => {}
            _ = shared.core.refresh_now.notified() => refresh = true,
        }
        let result = async {
            let lapsed = shared.mark_alive().await?;
            if lapsed || refresh || last_refresh.elapsed() >= refresh_every {
                shared.refresh_all().await?;
                last_refresh = Instant::now();
                refresh = false;
            }
            Ok::<_, LayerError>(())
        }
        .await;
        match result {
            Ok(()) => {
                if retry.take().is_some() {
                    tracing::info!("group memberships written to redis again");
                }
            }
            Err(error) => {
                if retry.is_none() {
                    tracing::warn!(%error, "cannot reach redis to keep memberships; retrying");
                }
                // Whatever was missed is written once Redis answers.
                refresh = true;
                retry = Some(retry.map_or(RETRY_MIN, |r| (r * 2).min(RETRY_MAX)));
            }
        }
    }
}
