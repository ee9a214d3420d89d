//! Messages from other processes waiting for room in a full inbox, and the
//! busy marks that push their senders back.
//!
//! The subscriber loop hands out what every other process publishes, so it
//! must never wait on one inbox. When an inbox is full, its messages queue
//! up here instead, in order, and a forwarder task moves them into the inbox
//! as room appears. Meanwhile every route into the inbox (its groups, and
//! the channel itself) is marked busy in Redis; a sender on another process
//! that sees the mark after publishing waits until it is gone (up to the
//! send timeout), as a sender in the same process waits for room. So a room
//! goes at the pace of its slowest reader on every process, and a reader
//! loses nothing because another member floods.
//!
//! A head message that finds no room within the send timeout is dropped
//! with everything queued behind it, counted and logged, and the member is
//! closed with 1013; so is a member whose backlog exceeds its limit
//! (senders that keep publishing despite the marks).

use std::{
    collections::{BTreeSet, VecDeque},
    sync::Arc,
    time::Duration,
};

use tokio::{sync::mpsc::error::TrySendError, time::Instant};

use super::Shared;
use crate::layer::{Counters, InboxSender};

/// How many messages an inbox's backlog holds, per message its inbox holds.
pub(super) const BACKLOG_PER_CAPACITY: usize = 10;

/// How often a forwarder renews its busy marks (they expire on their own
/// should its process die).
const RENEW_EVERY: Duration = Duration::from_secs(1);

/// The messages of one inbox still waiting for room.
#[derive(Default)]
pub(super) struct Backlog {
    queue: VecDeque<Vec<u8>>,
}

impl Backlog {
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }
}

impl Shared {
    /// Hands `message` to each target now, or queues it behind the
    /// target's backlog (starting one when its inbox is full). Never waits.
    pub(super) fn hand_out(
        self: &Arc<Self>,
        targets: Vec<(String, InboxSender)>,
        message: &[u8],
        group: Option<&str>,
    ) {
        let limit = self.config.capacity.max(1) * BACKLOG_PER_CAPACITY;
        for (channel, inbox) in targets {
            let mut local = self.local();
            if let Some(backlog) = local.backlogs.get_mut(&channel) {
                if backlog.queue.len() < limit {
                    backlog.queue.push_back(message.to_vec());
                } else {
                    let missed = backlog.queue.len() + 1;
                    local.backlogs.remove(&channel);
                    drop(local);
                    self.cut_off(&channel, &inbox, group, missed, "backlog full");
                }
                continue;
            }
            match inbox.try_send(message.to_vec()) {
                Ok(()) => Counters::count(&self.counters.delivered),
                // Its connection is closing (1013): nobody waits for it.
                Err(TrySendError::Full(_)) if inbox.is_cut_off() => {
                    Counters::count(&self.counters.dropped_gone)
                }
                Err(TrySendError::Full(message)) => {
                    let backlog = Backlog {
                        queue: VecDeque::from([message]),
                    };
                    local.backlogs.insert(channel.clone(), backlog);
                    drop(local);
                    tokio::spawn(forward(self.clone(), channel, inbox));
                }
                Err(TrySendError::Closed(_)) => Counters::count(&self.counters.dropped_gone),
            }
        }
    }

    /// `missed` messages dropped for `channel`, which is closed with 1013.
    fn cut_off(
        &self,
        channel: &str,
        inbox: &InboxSender,
        group: Option<&str>,
        missed: usize,
        why: &str,
    ) {
        self.counters.dropped_full(channel, group, missed, why);
        inbox.cut_off();
    }

    /// The busy keys of every route into `channel`: its groups, and itself.
    fn routes(&self, channel: &str) -> BTreeSet<String> {
        let local = self.local();
        let groups = local
            .groups
            .iter()
            .filter(|(_, members)| members.contains(channel))
            .map(|(group, _)| self.config.busy_group_key(group));
        groups
            .chain([self.config.busy_channel_key(channel)])
            .collect()
    }
}

/// Moves `channel`'s backlog into its inbox as room appears, with its
/// routes marked busy meanwhile.
async fn forward(shared: Arc<Shared>, channel: String, inbox: InboxSender) {
    let wait = shared.config.send_timeout;
    let mut marked = BTreeSet::new();
    let mut renewed: Option<Instant> = None;
    loop {
        if renewed.is_none_or(|at| at.elapsed() >= RENEW_EVERY) {
            marked.extend(shared.routes(&channel));
            shared.mark_busy(&marked, &channel).await;
            renewed = Some(Instant::now());
        }
        let head = shared
            .local()
            .backlogs
            .get_mut(&channel)
            .map(|b| b.queue.pop_front());
        let head = match head {
            Some(Some(head)) => head,
            Some(None) => {
                // Drained. The marks go first, so that they never outlive
                // the backlog; what arrived meanwhile is forwarded too.
                shared.clear_busy(&marked, &channel).await;
                marked.clear();
                renewed = None;
                let mut local = shared.local();
                if local
                    .backlogs
                    .get(&channel)
                    .is_some_and(|b| b.queue.is_empty())
                {
                    local.backlogs.remove(&channel);
                    return;
                }
                continue;
            }
            // Cut off meanwhile (its backlog overflowed).
            None => break,
        };
        let sent = tokio::select! {
            sent = tokio::time::timeout(wait, inbox.send(head)) => sent,
            // Cut off meanwhile (its backlog overflowed, or a local send
            // gave up on it): its connection is closing.
            () = inbox.until_cut_off() => Ok(Err(())),
        };
        match sent {
            Ok(Ok(())) => {
                Counters::count(&shared.counters.delivered);
                Counters::count(&shared.counters.delivered_after_wait);
            }
            Ok(Err(())) => {
                // The connection ended or is ending: nobody is left to
                // read these.
                let rest = shared.local().backlogs.remove(&channel);
                let missed = 1 + rest.map_or(0, |b| b.queue.len());
                for _ in 0..missed {
                    Counters::count(&shared.counters.dropped_gone);
                }
                break;
            }
            Err(_) => {
                let rest = shared.local().backlogs.remove(&channel);
                let missed = 1 + rest.map_or(0, |b| b.queue.len());
                let why = format!("inbox full for {} ms", wait.as_millis());
                shared.cut_off(&channel, &inbox, None, missed, &why);
                break;
            }
        }
    }
    shared.clear_busy(&marked, &channel).await;
}
