//! Channels, their messages per direction, and replies, matched across the
//! two models and judged (the rules of `docs/diff.md`).

use super::schema::{self, Difference};
use super::{Breaks, Change, Direction, Kind, Shift, Site};
use crate::ir::{Action, Api, Channel, ChannelId, MessageId, Origin};
use crate::source::push_token;

/// Every change, channel by channel: OLD's channels in order, then NEW's new ones.
pub fn compare(old: &Api, new: &Api) -> Vec<Change> {
    let matches = match_channels(old, new);
    let mut out = Vec::new();
    for (old_id, channel) in old.channels.iter().enumerate() {
        let key = &channel.name.spec;
        match matches[old_id] {
            Some(new_id) => {
                let pair = Pair {
                    old,
                    new,
                    old_id,
                    new_id,
                };
                pair.renamed_channel(&mut out);
                pair.compare(&mut out);
            }
            None => out.push(Change {
                kind: Kind::ChannelRemoved,
                breaks: Breaks::BOTH,
                reason: format!(
                    "{} is gone: clients built on OLD still connect to it, and servers built \
                     on OLD serve a channel NEW does not describe",
                    address(channel)
                ),
                old: Site::at(&channel.origin),
                new: Site::new(&new.source, "/channels"),
                ..change(key)
            }),
        }
    }
    for (new_id, channel) in new.channels.iter().enumerate() {
        if !matches.contains(&Some(new_id)) {
            out.push(Change {
                kind: Kind::ChannelAdded,
                breaks: Breaks::NONE,
                reason: format!("new channel at {}", address(channel)),
                old: Site::new(&old.source, "/channels"),
                new: Site::at(&channel.origin),
                ..change(&channel.name.spec)
            });
        }
    }
    out
}

/// For each channel of OLD, its channel in NEW: the one with the same key,
/// else the only one left at the same address (a key is not on the wire).
fn match_channels(old: &Api, new: &Api) -> Vec<Option<ChannelId>> {
    let mut matches: Vec<Option<ChannelId>> = old
        .channels
        .iter()
        .map(|c| new.channels.iter().position(|n| n.name.spec == c.name.spec))
        .collect();
    let same_place = |a: &Channel, b: &Channel| {
        a.address.is_some() && a.address == b.address && a.topic.is_some() == b.topic.is_some()
    };
    for old_id in 0..old.channels.len() {
        if matches[old_id].is_some() {
            continue;
        }
        let channel = &old.channels[old_id];
        let left = |id: &ChannelId| !matches.contains(&Some(*id));
        let candidates: Vec<ChannelId> = (0..new.channels.len())
            .filter(left)
            .filter(|&id| same_place(channel, &new.channels[id]))
            .collect();
        let rivals = (0..old.channels.len())
            .filter(|&id| matches[id].is_none() && id != old_id)
            .filter(|&id| same_place(channel, &old.channels[id]))
            .count();
        if let ([only], 0) = (candidates.as_slice(), rivals) {
            matches[old_id] = Some(*only);
        }
    }
    matches
}

/// A change about `channel`, to be completed.
fn change(channel: &str) -> Change {
    Change {
        kind: Kind::ChannelAdded,
        breaks: Breaks::NONE,
        channel: channel.to_owned(),
        message: None,
        direction: None,
        path: None,
        shift: None,
        reason: String::new(),
        old: Site::new("", ""),
        new: Site::new("", ""),
    }
}

fn address(channel: &Channel) -> String {
    match &channel.address {
        Some(a) => format!("address `{a}`"),
        None => "a dynamic address".to_owned(),
    }
}

fn below(origin: &Origin, tokens: &[&str]) -> Site {
    let mut pointer = origin.pointer.clone();
    for token in tokens {
        pointer = push_token(&pointer, token);
    }
    Site::new(&origin.file, &pointer)
}

/// One channel of OLD and the channel of NEW with the same key.
struct Pair<'a> {
    old: &'a Api,
    new: &'a Api,
    old_id: ChannelId,
    new_id: ChannelId,
}

/// A message of one direction of a channel, by the key it is matched on.
struct Keyed {
    key: String,
    id: MessageId,
}

impl<'a> Pair<'a> {
    fn old_channel(&self) -> &'a Channel {
        &self.old.channels[self.old_id]
    }

    fn new_channel(&self) -> &'a Channel {
        &self.new.channels[self.new_id]
    }

    fn change(&self) -> Change {
        change(&self.old_channel().name.spec)
    }

    /// A channel matched by its address under another key.
    fn renamed_channel(&self, out: &mut Vec<Change>) {
        let (o, n) = (self.old_channel(), self.new_channel());
        if o.name.spec == n.name.spec {
            return;
        }
        out.push(Change {
            kind: Kind::ChannelRenamed,
            breaks: Breaks::NONE,
            reason: format!(
                "now keyed `{}`, at the same {}: nothing changes on the wire (generated names do)",
                n.name.spec,
                address(n)
            ),
            old: Site::at(&o.origin),
            new: Site::at(&n.origin),
            ..self.change()
        });
    }

    fn compare(&self, out: &mut Vec<Change>) {
        self.addressing(out);
        out.extend(super::connect::credentials(
            (self.old, self.old_id),
            (self.new, self.new_id),
            &self.change(),
        ));
        for direction in [Direction::ClientToServer, Direction::ServerToClient] {
            self.direction(direction, out);
        }
    }

    /// Address, parameters, tag key and topic: what both sides agree on to meet.
    fn addressing(&self, out: &mut Vec<Change>) {
        let (o, n) = (self.old_channel(), self.new_channel());
        let sites = |key: &str| (below(&o.origin, &[key]), below(&n.origin, &[key]));
        if o.address != n.address {
            let (old, new) = sites("address");
            out.push(Change {
                kind: Kind::AddressChanged,
                breaks: Breaks::BOTH,
                reason: format!(
                    "{} → {}: clients built on OLD connect to the old one, servers built on \
                     OLD serve it",
                    address(o),
                    address(n)
                ),
                old,
                new,
                ..self.change()
            });
        }
        let (old_params, new_params) = (parameters(o), parameters(n));
        if old_params != new_params {
            let (old, new) = sites("parameters");
            out.push(Change {
                kind: Kind::ParametersChanged,
                breaks: Breaks::BOTH,
                reason: format!(
                    "parameters {old_params} → {new_params}: the addresses clients built on \
                     OLD connect to and servers built on OLD serve differ from NEW's"
                ),
                old,
                new,
                ..self.change()
            });
        }
        if o.tag_key != n.tag_key {
            let shown = |k: &Option<String>| {
                k.as_ref()
                    .map_or("no tag property".to_owned(), |k| format!("`{k}`"))
            };
            out.push(Change {
                kind: Kind::TagKeyChanged,
                breaks: Breaks::BOTH,
                reason: format!(
                    "messages tagged by {} → by {}: each side reads the other's messages by the \
                     wrong property",
                    shown(&o.tag_key),
                    shown(&n.tag_key)
                ),
                old: Site::at(&o.origin),
                new: Site::at(&n.origin),
                ..self.change()
            });
        }
        let pattern = |c: &Channel| c.topic.as_ref().map(|t| t.pattern.clone());
        if pattern(o) != pattern(n) {
            let shown =
                |p: Option<String>| p.map_or("not a topic".to_owned(), |p| format!("`{p}`"));
            let (old, new) = sites("x-topic");
            out.push(Change {
                kind: Kind::TopicChanged,
                breaks: Breaks::BOTH,
                reason: format!(
                    "topic {} → {}: clients built on OLD subscribe to topics servers on NEW do \
                     not match, and the other way round",
                    shown(pattern(o)),
                    shown(pattern(n))
                ),
                old,
                new,
                ..self.change()
            });
        }
    }

    /// The messages of one direction: matched, removed, renamed, added.
    fn direction(&self, direction: Direction, out: &mut Vec<Change>) {
        let (o, n) = (self.old_channel(), self.new_channel());
        // Tags only match when both documents tag by the same property.
        let by_tag = o.tag_key.is_some() && o.tag_key == n.tag_key;
        let old_messages = keyed(self.old, o, ids(o, direction), by_tag);
        let new_messages = keyed(self.new, n, ids(n, direction), by_tag);
        let mut added: Vec<&Keyed> = new_messages
            .iter()
            .filter(|m| !old_messages.iter().any(|o| o.key == m.key))
            .collect();
        for message in &old_messages {
            match new_messages.iter().find(|m| m.key == message.key) {
                Some(other) => {
                    self.payload(direction, message, other, out);
                    self.correlation(direction, message, other, out);
                    self.reply(direction, message, other, out);
                }
                None => match self.renamed_to(message, &added) {
                    Some(i) => {
                        let other = added.remove(i);
                        self.renamed(direction, message, other, out);
                    }
                    None => self.removed(direction, message, out),
                },
            }
        }
        for message in added {
            self.added(direction, message, out);
        }
    }

    fn message_site(api: &Api, channel: &Channel, id: MessageId) -> Site {
        match channel.messages.iter().find(|m| m.message == id) {
            Some(m) => below(&channel.origin, &["messages", &m.key]),
            None => Site::at(&api.messages[id].origin),
        }
    }

    fn old_site(&self, id: MessageId) -> Site {
        Self::message_site(self.old, self.old_channel(), id)
    }

    fn new_site(&self, id: MessageId) -> Site {
        Self::message_site(self.new, self.new_channel(), id)
    }

    fn payload(&self, direction: Direction, old: &Keyed, new: &Keyed, out: &mut Vec<Change>) {
        for difference in self.payload_differences(old.id, new.id) {
            let Difference {
                path,
                kind,
                shift,
                what,
                old: old_at,
                new: new_at,
            } = difference;
            out.push(Change {
                kind,
                breaks: Breaks::of_payload(direction, shift),
                message: Some(old.key.clone()),
                direction: Some(direction),
                path: (!path.is_empty()).then_some(path),
                shift: Some(shift),
                reason: format!("{what}: {}", consequence(direction, shift)),
                old: Site::at(&old_at),
                new: Site::at(&new_at),
                ..self.change()
            });
        }
    }

    fn payload_differences(&self, old: MessageId, new: MessageId) -> Vec<Difference> {
        let payload = |api: &Api, id: MessageId| {
            let message = &api.messages[id];
            let origin = Origin {
                file: message.origin.file.clone(),
                pointer: push_token(&message.origin.pointer, "payload"),
            };
            (message.validator, origin)
        };
        let (old_def, old_origin) = payload(self.old, old);
        let (new_def, new_origin) = payload(self.new, new);
        schema::compare(
            (&self.old.program, old_def, &old_origin),
            (&self.new.program, new_def, &new_origin),
        )
    }

    /// The added message that `old` became, when only its tag or name differs.
    fn renamed_to(&self, old: &Keyed, added: &[&Keyed]) -> Option<usize> {
        let tag = self.new_channel().tag_key.as_deref();
        added.iter().position(|new| {
            self.payload_differences(old.id, new.id)
                .iter()
                .all(|d| Some(d.path.as_str()) == tag)
        })
    }

    fn renamed(&self, direction: Direction, old: &Keyed, new: &Keyed, out: &mut Vec<Change>) {
        let who = match direction {
            Direction::ClientToServer => {
                "clients built on OLD send the old one, which a NEW server rejects"
            }
            Direction::ServerToClient => {
                "clients built on OLD wait for the old one, which a NEW server never sends"
            }
        };
        out.push(Change {
            kind: Kind::MessageRenamed,
            breaks: Breaks::CLIENTS,
            message: Some(old.key.clone()),
            direction: Some(direction),
            reason: format!("\"{}\" is now \"{}\": {who}", old.key, new.key),
            old: self.old_site(old.id),
            new: self.new_site(new.id),
            ..self.change()
        });
    }

    fn removed(&self, direction: Direction, old: &Keyed, out: &mut Vec<Change>) {
        let who = match direction {
            Direction::ClientToServer => {
                "clients built on OLD send it, and a NEW server rejects it"
            }
            Direction::ServerToClient => {
                "clients built on OLD wait for it, and a NEW server never sends it"
            }
        };
        out.push(Change {
            kind: Kind::MessageRemoved,
            breaks: Breaks::CLIENTS,
            message: Some(old.key.clone()),
            direction: Some(direction),
            reason: format!("the message is gone: {who}"),
            old: self.old_site(old.id),
            new: Site::at(&self.new_channel().origin),
            ..self.change()
        });
    }

    fn added(&self, direction: Direction, new: &Keyed, out: &mut Vec<Change>) {
        let who = match direction {
            Direction::ClientToServer => "clients built on OLD never send it",
            Direction::ServerToClient => {
                "clients built on OLD leave a message they do not know alone"
            }
        };
        out.push(Change {
            kind: Kind::MessageAdded,
            breaks: Breaks::NONE,
            message: Some(new.key.clone()),
            direction: Some(direction),
            reason: format!("new message: {who}"),
            old: Site::at(&self.old_channel().origin),
            new: self.new_site(new.id),
            ..self.change()
        });
    }

    /// Where a reply carries the id of its request: clients built on OLD
    /// match replies by it.
    fn correlation(&self, direction: Direction, old: &Keyed, new: &Keyed, out: &mut Vec<Change>) {
        let (o, n) = (&self.old.messages[old.id], &self.new.messages[new.id]);
        let location =
            |m: &crate::ir::Message| m.correlation_id.as_ref().map(|c| c.location.clone());
        let (breaks, reason) = match (location(o), location(n)) {
            (a, b) if a == b => return,
            (None, Some(b)) => (
                Breaks::NONE,
                format!("correlation id `{b}` added: clients built on OLD do not rely on it"),
            ),
            (Some(a), None) => (
                Breaks::CLIENTS,
                format!("correlation id `{a}` removed: clients built on OLD match replies by it"),
            ),
            (a, b) => (
                Breaks::CLIENTS,
                format!(
                    "correlation id `{}` → `{}`: clients built on OLD match replies by the old one",
                    a.unwrap_or_default(),
                    b.unwrap_or_default()
                ),
            ),
        };
        out.push(Change {
            kind: Kind::CorrelationChanged,
            breaks,
            message: Some(old.key.clone()),
            direction: Some(direction),
            reason,
            old: below(&o.origin, &["correlationId"]),
            new: below(&n.origin, &["correlationId"]),
            ..self.change()
        });
    }

    /// The replies to a matched message (a request of either side).
    fn reply(&self, direction: Direction, old: &Keyed, new: &Keyed, out: &mut Vec<Change>) {
        let (old_replies, old_at) = replies(self.old, self.old_id, old.id, direction);
        let (new_replies, new_at) = replies(self.new, self.new_id, new.id, direction);
        if old_replies == new_replies {
            return;
        }
        let shown = |keys: &[String]| {
            keys.iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let (kind, breaks, reason) = match (old_replies.is_empty(), new_replies.is_empty()) {
            (false, true) => (
                Kind::ReplyRemoved,
                Breaks::CLIENTS,
                match direction {
                    Direction::ClientToServer => format!(
                        "no reply any more (was {}): clients built on OLD wait for one",
                        shown(&old_replies)
                    ),
                    Direction::ServerToClient => format!(
                        "no reply any more (was {}): clients built on OLD send one a NEW server \
                         does not expect",
                        shown(&old_replies)
                    ),
                },
            ),
            (true, false) => match direction {
                Direction::ClientToServer => (
                    Kind::ReplyAdded,
                    Breaks::NONE,
                    format!(
                        "now answered with {}: clients built on OLD do not wait for it",
                        shown(&new_replies)
                    ),
                ),
                Direction::ServerToClient => (
                    Kind::ReplyAdded,
                    Breaks::CLIENTS,
                    format!(
                        "now expects {} in reply: clients built on OLD do not send it",
                        shown(&new_replies)
                    ),
                ),
            },
            _ => (
                Kind::ReplyChanged,
                Breaks::CLIENTS,
                format!(
                    "reply {} → {}: clients built on OLD {} the old one",
                    shown(&old_replies),
                    shown(&new_replies),
                    match direction {
                        Direction::ClientToServer => "wait for",
                        Direction::ServerToClient => "send",
                    }
                ),
            ),
        };
        out.push(Change {
            kind,
            breaks,
            message: Some(old.key.clone()),
            direction: Some(direction),
            reason,
            old: old_at.unwrap_or_else(|| self.old_site(old.id)),
            new: new_at.unwrap_or_else(|| self.new_site(new.id)),
            ..self.change()
        });
    }
}

/// The messages of a channel in one direction.
fn ids(channel: &Channel, direction: Direction) -> &[MessageId] {
    match direction {
        Direction::ClientToServer => &channel.incoming,
        Direction::ServerToClient => &channel.outgoing,
    }
}

fn keyed(api: &Api, channel: &Channel, ids: &[MessageId], by_tag: bool) -> Vec<Keyed> {
    ids.iter()
        .map(|&id| Keyed {
            key: message_key(api, channel, id, by_tag),
            id,
        })
        .collect()
}

/// A message's tag value in `channel`, else its name.
fn message_key(api: &Api, channel: &Channel, id: MessageId, by_tag: bool) -> String {
    let tag = channel
        .messages
        .iter()
        .find(|m| m.message == id)
        .and_then(|m| m.tag.clone())
        .filter(|_| by_tag);
    tag.unwrap_or_else(|| api.messages[id].name.spec.clone())
}

/// `room (one of a, b), user` or `none`.
fn parameters(channel: &Channel) -> String {
    if channel.parameters.is_empty() {
        return "none".to_owned();
    }
    channel
        .parameters
        .iter()
        .map(|p| {
            if p.enum_values.is_empty() {
                format!("`{}`", p.name.spec)
            } else {
                format!("`{}` (one of {})", p.name.spec, p.enum_values.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys of the replies to `message` sent in `direction` on `channel`
/// (sorted), and where the first reply is declared.
fn replies(
    api: &Api,
    channel: ChannelId,
    message: MessageId,
    direction: Direction,
) -> (Vec<String>, Option<Site>) {
    let action = match direction {
        Direction::ClientToServer => Action::Receive,
        Direction::ServerToClient => Action::Send,
    };
    let mut keys = Vec::new();
    let mut site = None;
    for op in &api.operations {
        if op.channel != channel || op.action != action || !op.messages.contains(&message) {
            continue;
        }
        let Some(reply) = &op.reply else { continue };
        site.get_or_insert_with(|| below(&op.origin, &["reply"]));
        let on = &api.channels[reply.channel.unwrap_or(op.channel)];
        for &id in &reply.messages {
            let key = message_key(api, on, id, on.tag_key.is_some());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.sort();
    (keys, site)
}

/// What a payload change means for the side that built on OLD.
fn consequence(direction: Direction, shift: Shift) -> &'static str {
    match (direction, shift) {
        (Direction::ClientToServer, Shift::Tighter | Shift::Incompatible) => {
            "a client built on OLD may send a value a NEW server rejects"
        }
        (Direction::ClientToServer, Shift::Looser | Shift::Neutral) => {
            "NEW servers accept everything clients built on OLD send"
        }
        (Direction::ServerToClient, Shift::Looser) => {
            "a NEW server may send a value a client built on OLD rejects"
        }
        (Direction::ServerToClient, Shift::Tighter) => {
            "a server built on OLD may send a value NEW no longer allows"
        }
        (Direction::ServerToClient, Shift::Incompatible) => {
            "a NEW server may send a value a client built on OLD rejects, and a server built on \
             OLD one NEW no longer allows"
        }
        (Direction::ServerToClient, Shift::Neutral) => {
            "clients built on OLD accept everything a NEW server sends"
        }
    }
}
