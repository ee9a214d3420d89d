//! A channel layer shared by several processes through Redis (feature
//! `redis`), designed after channels_redis.
//!
//! # Design
//!
//! - **Channel names** are `<process id>!<n>`, the process id being
//!   `<prefix>.<16 hex digits>` drawn at connect. Inboxes live in the owning
//!   process; the name says which process to route to.
//! - **One pub/sub channel per process**, `<prefix>:process:<process id>`,
//!   subscribed by that process only. `send` to another process's channel
//!   publishes there; the owner hands it to the inbox.
//! - **Groups** are sorted sets `<prefix>:group:<group>` of channel names
//!   scored by when the membership expires (Redis's clock). Each process
//!   refreshes its own memberships every third of the group expiry, so the
//!   members of a process that died expire; no ghost members.
//! - **`group_send`** delivers to this process's members directly, then a Lua
//!   script drops expired members and publishes the message once to every
//!   other process with a member, which delivers it to its own members. So
//!   every member gets it exactly once, and since one sender's messages take
//!   the same path to a given receiver, in the order sent.
//! - Pub/sub rather than streams: nothing is stored, so nothing needs
//!   trimming, and a process that is gone costs nothing. The price is that
//!   messages published while a process is not subscribed are lost.
//!
//! # While Redis is unreachable
//!
//! - `send` to a channel of another process and `group_send` return
//!   [`LayerError::Backend`]; nothing is queued. `group_send` has already
//!   delivered to the members in this process.
//! - Messages between members of the same process keep flowing.
//! - `group_add` / `group_discard` take effect locally and succeed; the
//!   heartbeat writes the memberships to Redis once it is back (a discarded
//!   membership left in Redis expires, and is ignored by its process meanwhile).
//! - Messages other processes published while this process's subscription
//!   was down are lost.
//!
//! The layer reconnects with backoff, re-subscribes, re-registers every live
//! membership at once and logs a warning when the connection drops and when
//! it is back.
//!
//! # Full inboxes
//!
//! - A `send` or `group_send` made in this process to a full inbox of this
//!   process waits for room, up to [`RedisConfig::send_timeout`], as the
//!   in-memory layer does: the sender is pushed back.
//! - A message published by another process is handed to its inboxes by
//!   this process's one subscriber loop, which must not wait: a full inbox
//!   misses it. Senders on other processes are not pushed back.
//! - Either way a member that misses a message is counted
//!   ([`LayerStats::dropped_full`]), logged, and closed with 1013.
//!   [`RedisLayer::stats`] also counts expired messages and messages lost
//!   while Redis was unreachable.

mod config;
mod scripts;
mod wire;

use std::{
    collections::{BTreeSet, HashMap},
    fmt,
    hash::{BuildHasher, Hasher},
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use futures_util::StreamExt;
use redis::{
    AsyncCommands, Client, Script,
    aio::{ConnectionManager, ConnectionManagerConfig, PubSub},
};
use tokio::{sync::Notify, task::JoinHandle};

pub use config::RedisConfig;

use super::{
    ChannelLayer, Counters, Inbox, InboxSender, LayerError, LayerFuture, LayerStats, deliver,
    deliver_now,
};
use wire::{Header, Target};

/// How long one connection attempt or reply may take before the layer
/// counts Redis as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// A silent subscription is pinged this often, to notice a dead peer.
const KEEPALIVE: Duration = Duration::from_secs(5);
const RETRY_MIN: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// A [`ChannelLayer`] on Redis: see the [module docs](self) for the design.
pub struct RedisLayer {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for RedisLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLayer")
            .field("process_id", &self.shared.process_id)
            .field("prefix", &self.shared.config.prefix)
            .finish_non_exhaustive()
    }
}

impl Drop for RedisLayer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

struct Shared {
    config: RedisConfig,
    process_id: String,
    /// This process's pub/sub channel.
    subscription: String,
    client: Client,
    commands: ConnectionManager,
    local: Mutex<Local>,
    next_id: AtomicU64,
    scripts: Scripts,
    /// Wakes the heartbeat early (after a reconnect).
    refresh_now: Notify,
    counters: Counters,
}

struct Scripts {
    group_add: Script,
    group_send: Script,
    group_channels: Script,
}

/// This process's inboxes and the memberships of its channels: the truth
/// that Redis mirrors.
#[derive(Default)]
struct Local {
    inboxes: HashMap<String, InboxSender>,
    groups: HashMap<String, BTreeSet<String>>,
}

impl RedisLayer {
    /// Connects and subscribes; fails when Redis cannot be reached now.
    /// Must run inside a tokio runtime (it spawns the subscriber and the
    /// membership heartbeat, stopped when the layer is dropped).
    pub async fn connect(config: RedisConfig) -> Result<Self, LayerError> {
        if config.prefix.is_empty() || config.prefix.contains('!') {
            return Err(LayerError::Config(format!(
                "redis key prefix `{}` must be non-empty and without `!`",
                config.prefix
            )));
        }
        let client = Client::open(config.url.as_str()).map_err(backend)?;
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let commands = client
            .get_connection_manager_with_config(manager)
            .await
            .map_err(backend)?;
        let process_id = format!("{}.{}", config.prefix, random_id());
        let subscription = format!("{}{process_id}", config.process_channel_prefix());
        let pubsub = subscribe(&client, &subscription).await?;
        let shared = Arc::new(Shared {
            process_id,
            subscription,
            client,
            commands,
            local: Mutex::new(Local::default()),
            next_id: AtomicU64::new(1),
            scripts: Scripts {
                group_add: scripts::group_add(),
                group_send: scripts::group_send(),
                group_channels: scripts::group_channels(),
            },
            refresh_now: Notify::new(),
            counters: Counters::default(),
            config,
        });
        let tasks = vec![
            tokio::spawn(receive(shared.clone(), pubsub)),
            tokio::spawn(heartbeat(shared.clone())),
        ];
        Ok(RedisLayer { shared, tasks })
    }

    /// This process's id: the part of its channel names before `!`.
    pub fn process_id(&self) -> &str {
        &self.shared.process_id
    }

    /// The settings the layer runs with.
    pub fn config(&self) -> &RedisConfig {
        &self.shared.config
    }

    /// What this process's layer delivered and dropped so far (the
    /// connection counters of [`LayerStats`] are kept by
    /// [`Layer`](super::Layer)).
    pub fn stats(&self) -> LayerStats {
        self.shared.counters.snapshot()
    }

    /// The channels in `group` on every process, as Redis has them (expired
    /// memberships left out), sorted.
    pub async fn group_channels(&self, group: &str) -> Result<Vec<String>, LayerError> {
        let mut commands = self.shared.commands.clone();
        let mut channels: Vec<String> = self
            .shared
            .scripts
            .group_channels
            .key(self.shared.config.group_key(group))
            .invoke_async(&mut commands)
            .await
            .map_err(backend)?;
        channels.sort();
        Ok(channels)
    }
}

impl Shared {
    fn local(&self) -> MutexGuard<'_, Local> {
        // Each update is a single insert or remove: a poisoned lock is usable.
        self.local.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// This process's inbox of `channel`, if it has one.
    fn inbox(&self, channel: &str) -> Option<InboxSender> {
        let inbox = self.local().inboxes.get(channel).cloned();
        if inbox.is_none() {
            tracing::debug!(channel, "message to an unknown channel dropped");
            Counters::count(&self.counters.dropped_gone);
        }
        inbox
    }

    /// This process's members of `group`, with their inboxes.
    fn members(&self, group: &str) -> Vec<(String, InboxSender)> {
        let local = self.local();
        local
            .groups
            .get(group)
            .map(|members| {
                members
                    .iter()
                    .filter_map(|c| local.inboxes.get(c).map(|s| (c.clone(), s.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Delivers to one inbox of this process, waiting for room.
    async fn deliver(&self, channel: &str, message: Vec<u8>) -> Result<(), LayerError> {
        let Some(inbox) = self.inbox(channel) else {
            return Ok(());
        };
        let targets = vec![(channel.to_owned(), inbox)];
        match deliver(
            targets,
            message,
            self.config.send_timeout,
            &self.counters,
            None,
        )
        .await
        {
            0 => Ok(()),
            _ => Err(LayerError::ChannelFull(channel.to_owned())),
        }
    }

    /// A message another process published to this one.
    fn on_published(&self, bytes: &[u8]) {
        let Some((header, message)) = wire::decode(bytes) else {
            tracing::warn!("unreadable message from redis dropped");
            Counters::count(&self.counters.dropped_backend);
            return;
        };
        let age = now_ms().saturating_sub(header.sent_at_ms);
        if u128::from(age) > self.config.message_expiry.as_millis() {
            tracing::warn!(age_ms = age, "expired channel-layer message dropped");
            Counters::count(&self.counters.dropped_expired);
            return;
        }
        // One loop delivers for the whole process: it never waits.
        match header.target {
            Target::Channel(channel) => {
                if let Some(inbox) = self.inbox(&channel) {
                    deliver_now(vec![(channel, inbox)], message, &self.counters, None);
                }
            }
            Target::Group(group) => {
                deliver_now(self.members(&group), message, &self.counters, Some(&group));
            }
        }
    }

    /// A message that could not be published: counted, and the error the
    /// sender gets.
    fn lost(&self, error: redis::RedisError) -> LayerError {
        Counters::count(&self.counters.dropped_backend);
        backend(error)
    }

    fn publish_payload(&self, target: Target, message: &[u8]) -> Result<Vec<u8>, LayerError> {
        let header = Header {
            target,
            sent_at_ms: now_ms(),
        };
        Ok(wire::encode(&header, message)?)
    }

    async fn register(&self, group: &str, channels: &[String]) -> Result<(), LayerError> {
        let mut commands = self.commands.clone();
        let mut invocation = self.scripts.group_add.key(self.config.group_key(group));
        invocation.arg(duration_ms(self.config.group_expiry));
        for channel in channels {
            invocation.arg(channel);
        }
        invocation
            .invoke_async::<i64>(&mut commands)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn unregister(&self, group: &str, channel: &str) -> Result<(), LayerError> {
        let mut commands = self.commands.clone();
        commands
            .zrem::<_, _, i64>(self.config.group_key(group), channel)
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Writes every live membership of this process to Redis again.
    async fn refresh_all(&self) -> Result<(), LayerError> {
        let groups: Vec<(String, Vec<String>)> = self
            .local()
            .groups
            .iter()
            .map(|(group, members)| (group.clone(), members.iter().cloned().collect()))
            .collect();
        for (group, channels) in groups {
            self.register(&group, &channels).await?;
        }
        Ok(())
    }
}

impl ChannelLayer for RedisLayer {
    fn new_channel(&self) -> LayerFuture<'_, Inbox> {
        let shared = &self.shared;
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}!{id}", shared.process_id);
        let (inbox, sender) = super::inbox(name.clone(), shared.config.capacity);
        shared.local().inboxes.insert(name, sender);
        Box::pin(async move { Ok(inbox) })
    }

    fn close_channel<'a>(&'a self, channel: &'a str) -> LayerFuture<'a, ()> {
        let left: Vec<String> = {
            let mut local = self.shared.local();
            local.inboxes.remove(channel);
            let mut left = Vec::new();
            local.groups.retain(|group, members| {
                if members.remove(channel) {
                    left.push(group.clone());
                }
                !members.is_empty()
            });
            left
        };
        Box::pin(async move {
            for group in left {
                if let Err(error) = self.shared.unregister(&group, channel).await {
                    tracing::warn!(group, channel, %error, "membership left in redis until it expires");
                }
            }
            Ok(())
        })
    }

    fn send<'a>(&'a self, channel: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        Box::pin(async move {
            let shared = &self.shared;
            let Some((process, _)) = channel.split_once('!') else {
                tracing::debug!(channel, "message to a malformed channel name dropped");
                return Ok(());
            };
            if process == shared.process_id {
                return shared.deliver(channel, message).await;
            }
            let payload = shared.publish_payload(Target::Channel(channel.to_owned()), &message)?;
            let mut commands = shared.commands.clone();
            let receivers: i64 = commands
                .publish(
                    format!("{}{process}", shared.config.process_channel_prefix()),
                    payload,
                )
                .await
                .map_err(|error| shared.lost(error))?;
            if receivers == 0 {
                tracing::debug!(
                    channel,
                    "message to a channel of a process that is gone dropped"
                );
            }
            Ok(())
        })
    }

    fn group_add<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        self.shared
            .local()
            .groups
            .entry(group.to_owned())
            .or_default()
            .insert(channel.to_owned());
        Box::pin(async move {
            if let Err(error) = self.shared.register(group, &[channel.to_owned()]).await {
                // The heartbeat writes it once Redis is back.
                tracing::warn!(group, channel, %error, "membership not yet in redis");
            }
            Ok(())
        })
    }

    fn group_discard<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        {
            let mut local = self.shared.local();
            if let Some(members) = local.groups.get_mut(group) {
                members.remove(channel);
                if members.is_empty() {
                    local.groups.remove(group);
                }
            }
        }
        Box::pin(async move {
            if let Err(error) = self.shared.unregister(group, channel).await {
                tracing::warn!(group, channel, %error, "membership left in redis until it expires");
            }
            Ok(())
        })
    }

    fn group_send<'a>(&'a self, group: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        let members = self.shared.members(group);
        Box::pin(async move {
            let shared = &self.shared;
            let payload = shared.publish_payload(Target::Group(group.to_owned()), &message)?;
            // Local members first, waiting for room as the in-memory layer
            // does; one that stays full misses it, the others get it.
            deliver(
                members,
                message,
                shared.config.send_timeout,
                &shared.counters,
                Some(group),
            )
            .await;
            let mut commands = shared.commands.clone();
            shared
                .scripts
                .group_send
                .key(shared.config.group_key(group))
                .arg(&shared.process_id)
                .arg(shared.config.process_channel_prefix())
                .arg(payload)
                .invoke_async::<i64>(&mut commands)
                .await
                .map_err(|error| shared.lost(error))?;
            Ok(())
        })
    }

    fn stats(&self) -> LayerStats {
        self.shared.counters.snapshot()
    }
}

async fn subscribe(client: &Client, channel: &str) -> Result<PubSub, LayerError> {
    let connect = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    match tokio::time::timeout(CONNECT_TIMEOUT + RESPONSE_TIMEOUT, connect).await {
        Ok(result) => result.map_err(backend),
        Err(_) => Err(LayerError::Backend(
            "timed out subscribing to redis".to_owned(),
        )),
    }
}

/// Hands published messages to inboxes; on a lost connection, re-subscribes
/// with backoff and has the heartbeat re-register memberships.
async fn receive(shared: Arc<Shared>, first: PubSub) {
    let mut connection = Some(first);
    let mut retry = RETRY_MIN;
    loop {
        let pubsub = match connection.take() {
            Some(pubsub) => pubsub,
            None => match subscribe(&shared.client, &shared.subscription).await {
                Ok(pubsub) => {
                    tracing::warn!(
                        "redis channel layer reconnected; re-registering group memberships"
                    );
                    shared.refresh_now.notify_one();
                    retry = RETRY_MIN;
                    pubsub
                }
                Err(error) => {
                    tracing::debug!(%error, "redis still unreachable");
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(RETRY_MAX);
                    continue;
                }
            },
        };
        let (mut sink, mut stream) = pubsub.split();
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        keepalive.reset();
        loop {
            tokio::select! {
                message = stream.next() => match message {
                    Some(message) => shared.on_published(message.get_payload_bytes()),
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
        tracing::warn!(
            "redis channel layer lost its connection; reconnecting (messages published meanwhile are lost)"
        );
    }
}

/// Refreshes this process's memberships every third of the group expiry,
/// and at once after a reconnect; retries with backoff while Redis is down.
async fn heartbeat(shared: Arc<Shared>) {
    let every = shared.config.heartbeat();
    let mut retry: Option<Duration> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(retry.unwrap_or(every).min(every)) => {}
            _ = shared.refresh_now.notified() => {}
        }
        match shared.refresh_all().await {
            Ok(()) => {
                if retry.take().is_some() {
                    tracing::info!("group memberships registered in redis again");
                }
            }
            Err(error) => {
                if retry.is_none() {
                    tracing::warn!(%error, "cannot refresh group memberships in redis; retrying");
                }
                retry = Some(retry.map_or(RETRY_MIN, |r| (r * 2).min(RETRY_MAX)));
            }
        }
    }
}

fn backend(error: redis::RedisError) -> LayerError {
    LayerError::Backend(error.to_string())
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// 64 random bits from the standard library's per-process hash keys, mixed
/// with the pid and the time.
fn random_id() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u64(now_ms());
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}", hasher.finish())
}
