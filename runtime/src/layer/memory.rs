//! The in-process layer: inboxes are bounded tokio channels.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use super::{
    ChannelLayer, Counters, Dropped, Inbox, InboxSender, LayerError, LayerFuture, LayerStats,
    deliver,
};

/// Inbox capacity, as Django Channels' in-memory layer.
pub const DEFAULT_CAPACITY: usize = 100;

/// How long a send waits for room in a full inbox by default.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Channel layer for one process.
///
/// A send to a full inbox waits for room, up to the send timeout (10 s by
/// default); the member whose inbox stays full that long misses the message
/// and is closed with 1013 (see the [layer docs](super)). [`stats`](Self::stats)
/// counts deliveries and drops.
#[derive(Debug)]
pub struct InMemoryLayer {
    state: Mutex<State>,
    capacity: usize,
    send_timeout: Duration,
    prefix: String,
    next_id: AtomicU64,
    counters: Counters,
}

#[derive(Debug, Default)]
struct State {
    channels: HashMap<String, InboxSender>,
    groups: HashMap<String, BTreeSet<String>>,
}

impl Default for InMemoryLayer {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl InMemoryLayer {
    /// A layer whose inboxes hold at most `capacity` undelivered messages.
    pub fn with_capacity(capacity: usize) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        InMemoryLayer {
            state: Mutex::new(State::default()),
            capacity: capacity.max(1),
            send_timeout: DEFAULT_SEND_TIMEOUT,
            prefix: format!("inmemory.{nanos:08x}"),
            next_id: AtomicU64::new(1),
            counters: Counters::default(),
        }
    }

    /// How long a send waits for room in a full inbox before the message is
    /// dropped for that member (which is then closed with 1013). Default
    /// 10 s; keep it above the consumers'
    /// [`slow_client_timeout`](crate::ConsumerConfig::slow_client_timeout),
    /// so that a client that does not read is closed (and stops holding up
    /// its senders) before anything has to be dropped.
    pub fn send_timeout(mut self, timeout: Duration) -> Self {
        self.send_timeout = timeout;
        self
    }

    /// What the layer delivered and dropped so far (the connection counters
    /// of [`LayerStats`] are kept by [`Layer`](super::Layer)).
    pub fn stats(&self) -> LayerStats {
        self.counters.snapshot()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the maps half-updated (each update is
        // one insert/remove), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl ChannelLayer for InMemoryLayer {
    fn new_channel(&self) -> LayerFuture<'_, Inbox> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}!{id}", self.prefix);
        let (inbox, sender) = super::inbox(name.clone(), self.capacity);
        self.state().channels.insert(name, sender);
        Box::pin(async move { Ok(inbox) })
    }

    fn close_channel<'a>(&'a self, channel: &'a str) -> LayerFuture<'a, ()> {
        let mut state = self.state();
        state.channels.remove(channel);
        state.groups.retain(|group, members| {
            if members.remove(channel) {
                crate::observe::group_size(group, members.len());
            }
            !members.is_empty()
        });
        Box::pin(async { Ok(()) })
    }

    fn send<'a>(&'a self, channel: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        let sender = self.state().channels.get(channel).cloned();
        Box::pin(async move {
            let Some(sender) = sender else {
                tracing::debug!(channel, "message to an unknown channel dropped");
                self.counters.dropped(Dropped::Gone);
                return Ok(());
            };
            let targets = vec![(channel.to_owned(), sender)];
            match deliver(targets, message, self.send_timeout, &self.counters, None).await {
                0 => Ok(()),
                _ => Err(LayerError::ChannelFull(channel.to_owned())),
            }
        })
    }

    fn group_add<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        let mut state = self.state();
        let members = state.groups.entry(group.to_owned()).or_default();
        if members.insert(channel.to_owned()) {
            crate::observe::group_size(group, members.len());
        }
        drop(state);
        Box::pin(async { Ok(()) })
    }

    fn group_discard<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        let mut state = self.state();
        if let Some(members) = state.groups.get_mut(group) {
            if members.remove(channel) {
                crate::observe::group_size(group, members.len());
            }
            if members.is_empty() {
                state.groups.remove(group);
            }
        }
        Box::pin(async { Ok(()) })
    }

    fn group_send<'a>(&'a self, group: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        // One lock for the whole group, not one per member.
        let targets: Vec<(String, InboxSender)> = {
            let state = self.state();
            state
                .groups
                .get(group)
                .map(|members| {
                    members
                        .iter()
                        .filter_map(|c| state.channels.get(c).map(|s| (c.clone(), s.clone())))
                        .collect()
                })
                .unwrap_or_default()
        };
        Box::pin(async move {
            // One member that does not keep up misses the message; the
            // others get it (as in Channels).
            deliver(
                targets,
                message,
                self.send_timeout,
                &self.counters,
                Some(group),
            )
            .await;
            Ok(())
        })
    }

    fn stats(&self) -> LayerStats {
        self.counters.snapshot()
    }
}
