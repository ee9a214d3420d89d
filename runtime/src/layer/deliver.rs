//! Putting messages into inboxes: the push-back rule the built-in layers
//! share (see the [module docs](super)).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::future::join_all;
use tokio::{
    sync::{
        mpsc::{self, error::TrySendError},
        watch,
    },
    time::Instant,
};

use bytes::Bytes;

use super::{Inbox, LayerStats};

/// The layer's end of one inbox: where its messages go, and the switch
/// that closes its connection (1013) once a message had to be dropped for it.
#[derive(Debug, Clone)]
pub(crate) struct InboxSender {
    sender: mpsc::Sender<Bytes>,
    cut_off: Arc<watch::Sender<bool>>,
}

impl InboxSender {
    /// Has its connection close with 1013: it missed a message.
    pub(crate) fn cut_off(&self) {
        self.cut_off.send_replace(true);
    }

    /// Whether it was cut off: its connection is closing, and what is sent
    /// to it now is not waited for.
    pub(crate) fn is_cut_off(&self) -> bool {
        *self.cut_off.borrow()
    }
}

/// What the Redis layer needs of an inbox.
#[cfg(feature = "redis")]
impl InboxSender {
    pub(crate) fn try_send(&self, message: Bytes) -> Result<(), TrySendError<Bytes>> {
        self.sender.try_send(message)
    }
}

/// A new inbox holding up to `capacity` messages, and the layer's end of it.
pub(crate) fn inbox(name: String, capacity: usize) -> (Inbox, InboxSender) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    let (cut_off, signal) = watch::channel(false);
    let inbox = Inbox {
        name,
        receiver,
        cut_off: signal,
    };
    let sender = InboxSender {
        sender,
        cut_off: Arc::new(cut_off),
    };
    (inbox, sender)
}

/// Why a channel-layer message was dropped (the [`LayerStats`] counter it
/// goes to).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) enum Dropped {
    Full,
    Gone,
    Expired,
    Backend,
    Unreadable,
}

/// What a layer counts ([`LayerStats`] without the connection counters).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) delivered: AtomicU64,
    pub(crate) delivered_after_wait: AtomicU64,
    pub(crate) dropped_full: AtomicU64,
    pub(crate) dropped_gone: AtomicU64,
    pub(crate) dropped_expired: AtomicU64,
    pub(crate) dropped_backend: AtomicU64,
    pub(crate) dropped_unreadable: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> LayerStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        LayerStats {
            delivered: read(&self.delivered),
            delivered_after_wait: read(&self.delivered_after_wait),
            dropped_full: read(&self.dropped_full),
            dropped_gone: read(&self.dropped_gone),
            dropped_expired: read(&self.dropped_expired),
            dropped_backend: read(&self.dropped_backend),
            dropped_unreadable: read(&self.dropped_unreadable),
            closed_slow_clients: 0,
        }
    }

    pub(crate) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// One message dropped for `why` (counted, and reported to metrics).
    pub(crate) fn dropped(&self, why: Dropped) {
        let (counter, reason) = match why {
            Dropped::Full => (&self.dropped_full, "full"),
            Dropped::Gone => (&self.dropped_gone, "gone"),
            Dropped::Expired => (&self.dropped_expired, "expired"),
            Dropped::Backend => (&self.dropped_backend, "backend"),
            Dropped::Unreadable => (&self.dropped_unreadable, "unreadable"),
        };
        Counters::count(counter);
        crate::observe::dropped(reason, 1);
    }

    /// `count` messages dropped for `channel` (counted, logged once).
    pub(crate) fn dropped_full(&self, channel: &str, group: Option<&str>, count: usize, why: &str) {
        self.dropped_full.fetch_add(count as u64, Ordering::Relaxed);
        crate::observe::dropped("full", count as u64);
        tracing::warn!(
            channel,
            group = group.unwrap_or(""),
            count,
            "channel-layer message dropped: {why}; closing that connection (1013)"
        );
    }
}

/// Delivers `message` to every target. A full inbox is waited for, up to
/// `wait` for all of them together; a member whose inbox is still full then
/// misses the message (counted, logged) and is cut off. Returns how many
/// members missed it.
pub(crate) async fn deliver(
    targets: Vec<(String, InboxSender)>,
    message: Vec<u8>,
    wait: Duration,
    counters: &Counters,
    group: Option<&str>,
) -> usize {
    let mut waiting = Vec::new();
    // Shared by every member's inbox, not copied for each.
    let message = Bytes::from(message);
    for (channel, inbox) in targets {
        match inbox.sender.try_send(message.clone()) {
            Ok(()) => Counters::count(&counters.delivered),
            // Its connection is closing (1013): nobody waits for it.
            Err(TrySendError::Full(_)) if inbox.is_cut_off() => counters.dropped(Dropped::Gone),
            Err(TrySendError::Full(copy)) => waiting.push((channel, inbox, copy)),
            // The connection is ending; its inbox is about to be removed.
            Err(TrySendError::Closed(_)) => counters.dropped(Dropped::Gone),
        }
    }
    if waiting.is_empty() {
        return 0;
    }
    let deadline = Instant::now() + wait;
    let waits = waiting
        .into_iter()
        .map(|(channel, inbox, copy)| async move {
            match tokio::time::timeout_at(deadline, inbox.sender.send(copy)).await {
                Ok(Ok(())) => {
                    Counters::count(&counters.delivered);
                    Counters::count(&counters.delivered_after_wait);
                    0
                }
                Ok(Err(_)) => {
                    counters.dropped(Dropped::Gone);
                    0
                }
                Err(_) => {
                    counters.dropped_full(
                        &channel,
                        group,
                        1,
                        &format!("inbox full for {} ms", wait.as_millis()),
                    );
                    inbox.cut_off();
                    1
                }
            }
        });
    join_all(waits).await.into_iter().sum()
}

/// Delivers `message` to every target without waiting: a full inbox misses
/// it (counted, logged) and is cut off. For deliveries that must not wait,
/// such as a process's one reader handing out what it took from Redis.
#[cfg(feature = "redis")]
pub(crate) fn deliver_now(
    targets: Vec<(String, InboxSender)>,
    message: &[u8],
    counters: &Counters,
    group: Option<&str>,
) {
    let message = Bytes::copy_from_slice(message);
    for (channel, inbox) in targets {
        match inbox.try_send(message.clone()) {
            Ok(()) => Counters::count(&counters.delivered),
            Err(TrySendError::Full(_)) => {
                counters.dropped_full(&channel, group, 1, "inbox full");
                inbox.cut_off();
            }
            Err(TrySendError::Closed(_)) => counters.dropped(Dropped::Gone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_inbox_is_waited_for_then_cut_off() {
        let counters = Counters::default();
        let (mut reader, to_reader) = inbox("reader".into(), 1);
        let (mut stuck, to_stuck) = inbox("stuck".into(), 1);
        let targets = || {
            vec![
                ("reader".to_owned(), to_reader.clone()),
                ("stuck".to_owned(), to_stuck.clone()),
            ]
        };
        let wait = Duration::from_millis(200);
        assert_eq!(
            deliver(targets(), b"1".to_vec(), wait, &counters, None).await,
            0
        );
        // Both inboxes are full now; the reader makes room while we wait.
        let drain = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let first = reader.receiver.recv().await;
            (reader, first)
        });
        assert_eq!(
            deliver(targets(), b"2".to_vec(), wait, &counters, None).await,
            1
        );
        let (mut reader, first) = drain.await.unwrap();
        assert_eq!(first.as_deref(), Some(&b"1"[..]));
        assert_eq!(reader.receiver.recv().await.as_deref(), Some(&b"2"[..]));
        assert!(*stuck.cut_off.borrow_and_update());
        assert!(!*reader.cut_off.borrow());
        let stats = counters.snapshot();
        assert_eq!(
            (
                stats.delivered,
                stats.delivered_after_wait,
                stats.dropped_full
            ),
            (3, 1, 1)
        );
        // Cut off, its connection is closing: the next message is not waited for.
        let started = Instant::now();
        let targets = vec![("stuck".to_owned(), to_stuck)];
        assert_eq!(
            deliver(targets, b"3".to_vec(), wait, &counters, None).await,
            0
        );
        assert!(started.elapsed() < wait);
        assert_eq!(counters.snapshot().dropped_gone, 1);
    }
}
