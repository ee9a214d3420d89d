//! A channel layer shared with other processes, Python chanx or Rust,
//! through Redis (feature `redis`): it speaks the channels_redis /
//! fast-channels format, so a chanx-runtime process joins a running Python
//! chanx deployment on the same Redis.
//!
//! # Core flavour (default): `RedisChannelLayer`
//!
//! - **Channel names** are `specific.<process>!<id>` (32 hex digits each).
//!   Every process has one **queue**, the sorted set
//!   `<prefix>specific.<process>!`, of message bytes scored by when they
//!   were sent; it holds up to `capacity` messages per channel name, and its
//!   key expires `message_expiry` after the last write.
//! - **Groups** are sorted sets `<prefix>:group:<group>` of channel names
//!   scored by when they joined; the key expires `group_expiry` after the
//!   last join.
//! - **Message bytes**: 12 random bytes, then msgpack of the message map
//!   (or JSON, [`Serializer::Json`]), with `__asgi_channel__` naming the
//!   channel (`send`) or the list of members in that queue (`group_send`).
//! - **`send`** to a channel of another process writes one message into its
//!   queue; a full queue refuses it ([`LayerError::ChannelFull`]).
//! - **`group_send`** lists the members, writes one message per process
//!   queue that has members, and hands it to the members in this process
//!   directly. A full process queue is tried again until
//!   [`RedisConfig::send_timeout`] (the sender waits for the slow process,
//!   as on the in-memory layer); only then does that queue miss it.
//! - This process **reads its queue** with `BZPOPMIN` (and `ZPOPMIN` in
//!   batches while messages wait) on a connection of its own, and hands
//!   each message to the inboxes its `__asgi_channel__` names. One sender's
//!   messages reach a member in the order sent: they go the same way, and
//!   scores from one process strictly increase.
//!
//! # Pub/sub flavour: `RedisPubSubChannelLayer`
//!
//! Chosen with [`Flavour::PubSub`]. No keys: a channel named
//! `<prefix>specific.<id>` is a Redis pub/sub channel its process
//! subscribes; a group is the Redis channel `<prefix>__group__<group>`,
//! subscribed by each process with a member in it. Messages are plain
//! msgpack without routing key. A `group_send` is one `PUBLISH`; this
//! process's members get it back through the subscription like everyone
//! else's.
//!
//! # Beside Python processes
//!
//! channels_redis never refreshes a membership: it lapses `group_expiry`
//! (a day) after the join, and a Python process that dies leaves its
//! memberships until then (messages for them pile up, at most `capacity`,
//! in a queue whose key soon expires). A chanx-runtime process does better
//! without writing anything Python reads differently:
//!
//! - it refreshes its memberships (same key, member, and a newer score)
//!   every third of `group_expiry`, so a living Rust member never lapses;
//! - it keeps a liveness key `<prefix>:chanx:process:<process>` (expiring
//!   after `process_ttl`, 30 s) and draws its process id as a version-8
//!   UUID, where Python draws version 4. A `group_send` from a Rust process
//!   removes the members of Rust processes whose liveness key is gone: a
//!   dead Rust process's memberships are gone within `process_ttl` of the
//!   next Rust `group_send`. Python members are never touched by that check,
//!   so Python processes see exactly what channels_redis would show them.
//! - when its liveness key had lapsed (Redis restarted empty, or the process
//!   stalled) or after a reconnect, it writes all its memberships again.
//!
//! # While Redis is unreachable
//!
//! - `send` to another process and `group_send` return
//!   [`LayerError::Backend`] (counted in `dropped_backend`); `group_send`
//!   still reaches the members in this process (core flavour).
//! - `group_add` / `group_discard` take effect locally and succeed; the
//!   memberships are written once Redis is back.
//! - Core: messages already queued for this process wait in Redis (up to
//!   `message_expiry`) and are read after the reconnect. Pub/sub: messages
//!   published meanwhile are lost, as for a Python process.
//!
//! The layer reconnects with backoff and logs a warning when the connection
//! drops and when it is back.
//!
//! # Full inboxes and unreadable messages
//!
//! - A send made in this process to a full inbox of this process waits for
//!   room, up to [`RedisConfig::send_timeout`], as the in-memory layer does.
//! - A message read from Redis is handed out by this process's one reader,
//!   which must not wait: a full inbox misses it.
//! - Either way a member that misses a message is counted
//!   ([`LayerStats::dropped_full`]), logged, and closed with 1013.
//! - A message from Redis that cannot be read, or whose `type` is none of
//!   chanx's (`handle_group_message`, `handle_channel_event`,
//!   `handle_topic_event`), is logged and dropped
//!   ([`LayerStats::dropped_unreadable`]); the connections never see it.

mod codec;
mod config;
mod core;
mod ids;
mod local;
mod pubsub;
mod scripts;

use std::{
    fmt,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use redis::{
    Client,
    aio::{ConnectionManager, ConnectionManagerConfig, PubSubSink},
};
use tokio::task::JoinHandle;

pub use config::{Flavour, RedisConfig, Serializer};

use super::{
    ChannelLayer, Counters, Dropped, Inbox, InboxSender, LayerError, LayerFuture, LayerStats,
    deliver,
};
use codec::{Codec, Decoded};
use ids::Ids;
use local::Local;

/// How long one connection attempt or reply may take before the layer
/// counts Redis as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// A silent subscription is pinged this often, to notice a dead peer.
const KEEPALIVE: Duration = Duration::from_secs(5);
const RETRY_MIN: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// A [`ChannelLayer`] on Redis in the channels_redis format: see the
/// [module docs](self).
pub struct RedisLayer {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for RedisLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLayer")
            .field("flavour", &self.shared.config.flavour)
            .field("prefix", &self.shared.config.prefix)
            .field("process", &self.shared.process)
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
    /// 32 hex digits naming this process (core flavour).
    process: String,
    client: Client,
    commands: ConnectionManager,
    local: Mutex<Local>,
    ids: Ids,
    codec: Codec,
    clock: Clock,
    counters: Counters,
    core: core::Core,
    /// Pub/sub flavour: where to subscribe, while connected.
    sink: tokio::sync::Mutex<Option<PubSubSink>>,
}

impl RedisLayer {
    /// Connects; fails when Redis cannot be reached now. Must run inside a
    /// tokio runtime (it spawns the reader and, for the core flavour, the
    /// liveness heartbeat; both stop when the layer is dropped).
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
        let ids = Ids::new();
        let process = ids.process_prefix();
        let random_prefix = match config.flavour {
            Flavour::Core => config.random_prefix_length,
            Flavour::PubSub => 0,
        };
        let shared = Arc::new(Shared {
            core: core::Core::new(&config.prefix, &process),
            codec: Codec::new(config.serializer, random_prefix),
            process,
            client,
            commands,
            local: Mutex::new(Local::default()),
            ids,
            clock: Clock::default(),
            counters: Counters::default(),
            sink: tokio::sync::Mutex::new(None),
            config,
        });
        let tasks = match shared.config.flavour {
            Flavour::Core => {
                // Alive before any membership is written, so no other
                // process takes them for a dead one's.
                shared.mark_alive().await?;
                vec![
                    tokio::spawn(core::receive(shared.clone())),
                    tokio::spawn(core::heartbeat(shared.clone())),
                ]
            }
            Flavour::PubSub => {
                let (sink, stream) = pubsub::connect(&shared, &[]).await?;
                *shared.sink.lock().await = Some(sink.clone());
                vec![tokio::spawn(pubsub::receive(
                    shared.clone(),
                    Some((sink, stream)),
                ))]
            }
        };
        Ok(RedisLayer { shared, tasks })
    }

    /// The settings the layer runs with.
    pub fn config(&self) -> &RedisConfig {
        &self.shared.config
    }

    /// Core flavour: this process's id, the 32 hex digits between
    /// `specific.` and `!` in its channel names.
    pub fn process_id(&self) -> &str {
        &self.shared.process
    }

    /// What this process's layer delivered and dropped so far (the
    /// connection counters of [`LayerStats`] are kept by
    /// [`Layer`](super::Layer)).
    pub fn stats(&self) -> LayerStats {
        self.shared.counters.snapshot()
    }

    /// Core flavour: the channels in `group` on every process, as Redis has
    /// them (expired memberships and those of dead chanx-runtime processes
    /// removed), sorted.
    pub async fn group_channels(&self, group: &str) -> Result<Vec<String>, LayerError> {
        let mut channels = self.shared.group_members(group).await.map_err(backend)?;
        channels.sort();
        Ok(channels)
    }
}

impl Shared {
    fn local(&self) -> MutexGuard<'_, Local> {
        // Each update is a single insert or remove: a poisoned lock is usable.
        self.local.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add_inbox(&self, name: String) -> Inbox {
        let (inbox, sender) = super::inbox(name.clone(), self.config.capacity);
        self.local().add_inbox(name, sender);
        inbox
    }

    /// Delivers to one inbox of this process, waiting for room.
    async fn deliver_local(&self, channel: &str, message: Vec<u8>) -> Result<(), LayerError> {
        let Some(inbox) = self.local().inbox(channel) else {
            tracing::debug!(channel, "message to an unknown channel dropped");
            self.counters.dropped(Dropped::Gone);
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

    /// Delivers to this process's members of a group, waiting for room; one
    /// that stays full misses it, the others get it.
    async fn deliver_local_group(
        &self,
        group: &str,
        members: Vec<(String, InboxSender)>,
        message: Vec<u8>,
    ) {
        if !members.is_empty() {
            deliver(
                members,
                message,
                self.config.send_timeout,
                &self.counters,
                Some(group),
            )
            .await;
        }
    }

    /// Bytes read from Redis, or `None` (logged, counted) when they cannot
    /// be delivered.
    fn decode(&self, bytes: &[u8]) -> Option<Decoded> {
        match self.codec.decode(bytes) {
            Ok(decoded) => Some(decoded),
            Err(error) => {
                self.counters.dropped(Dropped::Unreadable);
                tracing::warn!(%error, "channel-layer message from redis dropped");
                None
            }
        }
    }

    /// A message that could not be written: counted, and the error the
    /// sender gets.
    fn lost(&self, error: redis::RedisError) -> LayerError {
        self.counters.dropped(Dropped::Backend);
        backend(error)
    }
}

impl ChannelLayer for RedisLayer {
    fn new_channel(&self) -> LayerFuture<'_, Inbox> {
        Box::pin(async move {
            Ok(match self.shared.config.flavour {
                Flavour::Core => self.shared.core_new_channel(),
                Flavour::PubSub => self.shared.pubsub_new_channel().await,
            })
        })
    }

    fn close_channel<'a>(&'a self, channel: &'a str) -> LayerFuture<'a, ()> {
        Box::pin(async move {
            match self.shared.config.flavour {
                Flavour::Core => self.shared.core_close_channel(channel).await,
                Flavour::PubSub => self.shared.pubsub_close_channel(channel).await,
            }
            Ok(())
        })
    }

    fn send<'a>(&'a self, channel: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        Box::pin(async move {
            match self.shared.config.flavour {
                Flavour::Core => self.shared.core_send(channel, message).await,
                Flavour::PubSub => self.shared.pubsub_send(channel, message).await,
            }
        })
    }

    fn group_add<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        Box::pin(async move {
            match self.shared.config.flavour {
                Flavour::Core => self.shared.core_group_add(group, channel).await,
                Flavour::PubSub => self.shared.pubsub_group_add(group, channel).await,
            }
            Ok(())
        })
    }

    fn group_discard<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        Box::pin(async move {
            match self.shared.config.flavour {
                Flavour::Core => self.shared.core_group_discard(group, channel).await,
                Flavour::PubSub => self.shared.pubsub_group_discard(group, channel).await,
            }
            Ok(())
        })
    }

    fn group_send<'a>(&'a self, group: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        Box::pin(async move {
            match self.shared.config.flavour {
                Flavour::Core => self.shared.core_group_send(group, message).await,
                Flavour::PubSub => self.shared.pubsub_group_send(group, message).await,
            }
        })
    }

    fn stats(&self) -> LayerStats {
        self.shared.counters.snapshot()
    }
}

/// Scores for queued messages: unix seconds, strictly increasing within
/// this process so that one sender's messages keep their order in a queue
/// (equal scores would sort by their random bytes).
#[derive(Debug, Default)]
struct Clock {
    last_micros: AtomicU64,
}

impl Clock {
    fn score(&self) -> f64 {
        let now = now_micros();
        let mut last = self.last_micros.load(Ordering::Relaxed);
        loop {
            let next = now.max(last + 1);
            match self.last_micros.compare_exchange_weak(
                last,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return next as f64 / 1e6,
                Err(seen) => last = seen,
            }
        }
    }

    fn unix_secs(&self) -> u64 {
        now_micros() / 1_000_000
    }
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn backend(error: redis::RedisError) -> LayerError {
    LayerError::Backend(error.to_string())
}
