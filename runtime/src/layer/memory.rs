//! The in-process layer: inboxes are bounded tokio channels.

use std::{
    collections::{BTreeSet, HashMap},
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use tokio::sync::mpsc::{self, error::TrySendError};

use super::{ChannelLayer, Inbox, LayerError, LayerFuture};

/// Inbox capacity, as Django Channels' in-memory layer.
pub const DEFAULT_CAPACITY: usize = 100;

/// Channel layer for one process.
#[derive(Debug)]
pub struct InMemoryLayer {
    state: Mutex<State>,
    capacity: usize,
    prefix: String,
    next_id: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    channels: HashMap<String, mpsc::Sender<Vec<u8>>>,
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
            prefix: format!("inmemory.{nanos:08x}"),
            next_id: AtomicU64::new(1),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the maps half-updated (each update is
        // one insert/remove), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn deliver(&self, channel: &str, message: Vec<u8>) -> Result<(), LayerError> {
        let sender = self.state().channels.get(channel).cloned();
        let Some(sender) = sender else {
            tracing::debug!(channel, "message to an unknown channel dropped");
            return Ok(());
        };
        match sender.try_send(message) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(LayerError::ChannelFull(channel.to_owned())),
            // The connection is ending; its inbox is about to be removed.
            Err(TrySendError::Closed(_)) => Ok(()),
        }
    }
}

impl ChannelLayer for InMemoryLayer {
    fn new_channel(&self) -> LayerFuture<'_, Inbox> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}!{id}", self.prefix);
        let (sender, receiver) = mpsc::channel(self.capacity);
        self.state().channels.insert(name.clone(), sender);
        Box::pin(async move { Ok(Inbox { name, receiver }) })
    }

    fn close_channel<'a>(&'a self, channel: &'a str) -> LayerFuture<'a, ()> {
        let mut state = self.state();
        state.channels.remove(channel);
        state.groups.retain(|_, members| {
            members.remove(channel);
            !members.is_empty()
        });
        Box::pin(async { Ok(()) })
    }

    fn send<'a>(&'a self, channel: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        let result = self.deliver(channel, message);
        Box::pin(async move { result })
    }

    fn group_add<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        self.state()
            .groups
            .entry(group.to_owned())
            .or_default()
            .insert(channel.to_owned());
        Box::pin(async { Ok(()) })
    }

    fn group_discard<'a>(&'a self, group: &'a str, channel: &'a str) -> LayerFuture<'a, ()> {
        let mut state = self.state();
        if let Some(members) = state.groups.get_mut(group) {
            members.remove(channel);
            if members.is_empty() {
                state.groups.remove(group);
            }
        }
        Box::pin(async { Ok(()) })
    }

    fn group_send<'a>(&'a self, group: &'a str, message: Vec<u8>) -> LayerFuture<'a, ()> {
        // One lock for the whole group, not one per member.
        let inboxes: Vec<(String, mpsc::Sender<Vec<u8>>)> = {
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
        for (channel, inbox) in inboxes {
            // As in Channels: one full inbox must not stop the others.
            match inbox.try_send(message.clone()) {
                Ok(()) | Err(TrySendError::Closed(_)) => {}
                Err(TrySendError::Full(_)) => {
                    let error = LayerError::ChannelFull(channel.clone());
                    tracing::warn!(group, channel, %error, "group message not delivered");
                }
            }
        }
        Box::pin(async { Ok(()) })
    }
}
