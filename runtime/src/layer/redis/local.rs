//! This process's inboxes and the groups its channels are in: the truth
//! that Redis mirrors, and where messages from Redis are handed out.

use std::collections::{BTreeSet, HashMap};

use crate::layer::InboxSender;

#[derive(Default)]
pub(super) struct Local {
    inboxes: HashMap<String, InboxSender>,
    groups: HashMap<String, BTreeSet<String>>,
}

impl Local {
    pub(super) fn add_inbox(&mut self, channel: String, inbox: InboxSender) {
        self.inboxes.insert(channel, inbox);
    }

    /// Removes an inbox and its memberships; returns the groups it left
    /// and, of those, the ones no channel of this process is in any more.
    pub(super) fn remove_inbox(&mut self, channel: &str) -> (Vec<String>, Vec<String>) {
        self.inboxes.remove(channel);
        let mut left = Vec::new();
        let mut emptied = Vec::new();
        self.groups.retain(|group, members| {
            if members.remove(channel) {
                left.push(group.clone());
                if members.is_empty() {
                    emptied.push(group.clone());
                }
            }
            !members.is_empty()
        });
        (left, emptied)
    }

    pub(super) fn is_local(&self, channel: &str) -> bool {
        self.inboxes.contains_key(channel)
    }

    /// Adds a membership; true when it is the group's first in this process.
    pub(super) fn join(&mut self, group: &str, channel: &str) -> bool {
        let members = self.groups.entry(group.to_owned()).or_default();
        let first = members.is_empty();
        members.insert(channel.to_owned());
        first
    }

    /// Removes a membership; true when the group has no member in this
    /// process any more (and had this one).
    pub(super) fn leave(&mut self, group: &str, channel: &str) -> bool {
        let Some(members) = self.groups.get_mut(group) else {
            return false;
        };
        if !members.remove(channel) {
            return false;
        }
        if members.is_empty() {
            self.groups.remove(group);
            return true;
        }
        false
    }

    pub(super) fn inbox(&self, channel: &str) -> Option<InboxSender> {
        self.inboxes.get(channel).cloned()
    }

    /// This process's members of `group`, with their inboxes.
    pub(super) fn members(&self, group: &str) -> Vec<(String, InboxSender)> {
        self.groups
            .get(group)
            .map(|members| {
                members
                    .iter()
                    .filter_map(|c| self.inboxes.get(c).map(|s| (c.clone(), s.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every group with this process's members in it.
    pub(super) fn memberships(&self) -> Vec<(String, Vec<String>)> {
        self.groups
            .iter()
            .map(|(group, members)| (group.clone(), members.iter().cloned().collect()))
            .collect()
    }

    pub(super) fn channels(&self) -> Vec<String> {
        self.inboxes.keys().cloned().collect()
    }

    pub(super) fn groups(&self) -> Vec<String> {
        self.groups.keys().cloned().collect()
    }
}
