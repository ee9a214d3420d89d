//! chanx topics in the client.
//!
//! A topic hosted on another channel's connection gets a handle class
//! (`HubRoomTopicHandle`) that the host's client makes
//! (`hub.roomTopic({ room_id: 42 })`, or `hub.roomTopic("room:42")`) instead
//! of a client of its own. A topic served on its own address gets a client
//! whose connection the server subscribes on connect. Frames of a topic are
//! received with chanx's envelope (`version`, `topic`, `ref`, `seq`), which
//! their types say.

use serde::Serialize;

use super::client::{ChannelNames, string_array};
use super::doc::{Doc, inline};
use super::names::{
    HOST_MEMBERS, LIFECYCLE_EVENTS, OWN_TOPIC_EVENTS, TOPIC_EVENTS, is_identifier, json_string,
    property_key,
};
use super::types::FieldDecl;
use crate::ir::naming::{Namespace as Members, suffixed};
use crate::ir::{Api, Channel, ChannelId};

/// The type of chanx's routing keys, intersected with every received topic frame.
const ENVELOPE: &str = "ChanxTopicEnvelope";

/// What kind of class a channel gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A client of its own, hosting topics or not.
    Client,
    /// A topic served on its own address: a client whose connection the
    /// server subscribes on connect.
    OwnTopic,
    /// A topic hosted on another channel's connection: a handle class.
    Hosted,
}

impl Role {
    pub fn of(channel: &Channel) -> Role {
        match &channel.topic {
            Some(topic) if topic.host.is_some() => Role::Hosted,
            Some(_) => Role::OwnTopic,
            None => Role::Client,
        }
    }

    /// Event names the runtime emits itself; a message tag equal to one is
    /// only delivered through `on("message")`.
    pub fn lifecycle_events(self) -> &'static [&'static str] {
        match self {
            Role::Client => LIFECYCLE_EVENTS,
            Role::OwnTopic => OWN_TOPIC_EVENTS,
            Role::Hosted => TOPIC_EVENTS,
        }
    }

    /// `ty` as this role receives it: topic frames carry the envelope.
    pub fn received(self, ty: String) -> String {
        match self {
            Role::Client => ty,
            Role::OwnTopic | Role::Hosted if ty.contains(" | ") => format!("({ty}) & {ENVELOPE}"),
            Role::OwnTopic | Role::Hosted => format!("{ty} & {ENVELOPE}"),
        }
    }

    /// The interface a channel's events extend.
    pub fn events_base(self, receive_union: &str) -> String {
        let received = self.received(receive_union.to_string());
        match self {
            Role::Client => format!("ChanxLifecycleEvents<{received}>"),
            Role::OwnTopic => format!("ChanxTopicClientEvents<{received}>"),
            Role::Hosted => format!("ChanxTopicEvents<{received}>"),
        }
    }
}

/// The members of a host's client that make topic handles.
#[derive(Debug, Clone)]
pub struct HostMembers {
    /// The member taking any topic string (`topic`).
    pub any: String,
    /// The member making each hosted topic's typed handle (`roomTopic`).
    pub topics: Vec<(ChannelId, String)>,
}

/// The topic members of every host's client, by channel (`None` for
/// channels hosting no topic). `taken(id)` lists the members channel `id`'s
/// class declares itself (`sendPing`, …); the runtime's public members and
/// its `chanx…` ones are avoided too.
pub fn host_members(
    api: &Api,
    taken: impl Fn(ChannelId) -> Vec<String>,
) -> Vec<Option<HostMembers>> {
    api.channels
        .iter()
        .enumerate()
        .map(|(id, channel)| {
            if channel.hosted_topics.is_empty() {
                return None;
            }
            let mut members = Members::exact();
            members.reserve(HOST_MEMBERS);
            members.reserve(taken(id));
            let mut take = |wanted: &str| {
                let n = members.take_family_where(
                    |n| vec![suffixed(wanted, n)],
                    |name| is_identifier(name) && !name.starts_with("chanx"),
                );
                suffixed(wanted, n)
            };
            let any = take("topic");
            let topics = channel
                .hosted_topics
                .iter()
                .filter_map(|hosted| {
                    let topic = api.channels.get(*hosted)?.topic.as_ref()?;
                    let pascal = &topic.name.pascal;
                    let camel = lower_first(pascal);
                    // `chanx…` members belong to the runtime.
                    let wanted = if camel.starts_with("chanx") {
                        format!("topic{pascal}")
                    } else {
                        camel
                    };
                    Some((*hosted, take(&wanted)))
                })
                .collect();
            Some(HostMembers { any, topics })
        })
        .collect()
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// What the template says about topics for one channel.
#[derive(Debug, Default, Serialize)]
pub struct TopicDecl {
    /// Set for a topic hosted on another channel's connection.
    pub handle: Option<HandleDecl>,
    /// Set for a topic served on its own address.
    pub own: Option<OwnTopicDecl>,
    /// Set for a channel whose connection carries topics.
    pub host: Option<HostDecl>,
}

/// Where a hosted topic's handle comes from.
#[derive(Debug, Serialize)]
pub struct HandleDecl {
    /// The topic pattern, for comments.
    pub pattern: String,
    /// The host's client class.
    pub host: String,
    /// The host's member making this handle.
    pub method: String,
}

/// The topic a channel's connections are subscribed to on connect.
#[derive(Debug, Serialize)]
pub struct OwnTopicDecl {
    /// The pattern, for comments.
    pub pattern: String,
}

/// A host's members making topic handles.
#[derive(Debug, Serialize)]
pub struct HostDecl {
    /// The member taking any topic string.
    pub any: String,
    pub methods: Vec<TopicMethodDecl>,
}

/// A member of a host's client making a typed topic handle.
#[derive(Debug, Serialize)]
pub struct TopicMethodDecl {
    pub doc: String,
    pub name: String,
    /// The parameters interface, or empty for a pattern without parameters.
    pub params: String,
    pub handle: String,
    /// The topic pattern as a string literal.
    pub literal: String,
    /// Its parameters as an array literal (`["room_id"]`).
    pub names: String,
    /// The pattern, for comments.
    pub pattern: String,
}

/// The topic declarations of channel `id`; `names` and `hosts` hold every
/// channel's declared names and topic members.
pub fn topic_decl(
    api: &Api,
    id: ChannelId,
    names: &[ChannelNames],
    hosts: &[Option<HostMembers>],
) -> TopicDecl {
    let Some(channel) = api.channels.get(id) else {
        return TopicDecl::default();
    };
    let topic = channel.topic.as_ref();
    let handle = topic.zip(topic.and_then(|t| t.host)).map(|(topic, host)| {
        let method = hosts
            .get(host)
            .and_then(Option::as_ref)
            .and_then(|h| h.topics.iter().find(|(c, _)| *c == id))
            .map_or_else(String::new, |(_, m)| m.clone());
        HandleDecl {
            pattern: inline(&topic.pattern),
            host: names[host].with("Client"),
            method,
        }
    });
    let own = topic
        .filter(|t| t.host.is_none())
        .map(|topic| OwnTopicDecl {
            pattern: inline(&topic.pattern),
        });
    let host = hosts
        .get(id)
        .and_then(Option::as_ref)
        .map(|members| HostDecl {
            any: members.any.clone(),
            methods: members
                .topics
                .iter()
                .filter_map(|(hosted, name)| {
                    topic_method(api.channels.get(*hosted)?, &names[*hosted], name)
                })
                .collect(),
        });
    TopicDecl { handle, own, host }
}

/// The paragraph a channel's class comment gets about its topics, if any.
pub fn class_doc(decl: &TopicDecl) -> Option<String> {
    if let Some(handle) = &decl.handle {
        return Some(format!(
            "Topic `{}` on the connection of `{}` (`{}.{}(…)`).",
            handle.pattern, handle.host, handle.host, handle.method
        ));
    }
    if let Some(own) = &decl.own {
        return Some(format!(
            "Topic `{}`: the server subscribes every connection to it (`whenSubscribed()`).",
            own.pattern
        ));
    }
    let host = decl.host.as_ref().filter(|h| !h.methods.is_empty())?;
    let listed: Vec<String> = host
        .methods
        .iter()
        .map(|m| format!("`{}(…)` (`{}`)", m.name, m.pattern))
        .collect();
    Some(format!("Topics on this connection: {}.", listed.join(", ")))
}

/// The fields of a hosted topic's parameters interface: the pattern's
/// placeholders, each one `:`-free segment of the topic string.
pub fn param_fields(channel: &Channel) -> Vec<FieldDecl> {
    let Some(topic) = &channel.topic else {
        return Vec::new();
    };
    topic
        .parameters
        .iter()
        .map(|p| FieldDecl {
            doc: String::new(),
            key: property_key(&p.spec),
            optional: false,
            ty: "string | number".into(),
        })
        .collect()
}

/// The host's member making a handle of the topic `hosted`.
fn topic_method(hosted: &Channel, names: &ChannelNames, name: &str) -> Option<TopicMethodDecl> {
    let topic = hosted.topic.as_ref()?;
    let pattern = inline(&topic.pattern);
    let how = if topic.parameters.is_empty() {
        format!(
            "A handle of the topic `{pattern}` on this connection, not subscribed until \
             `subscribe()`."
        )
    } else {
        format!(
            "A handle of a `{pattern}` topic on this connection, not subscribed until \
             `subscribe()`: from its parameters, or from its topic string (one the \
             pattern does not match throws)."
        )
    };
    let doc = Doc::new()
        .text(hosted.summary.as_deref())
        .text(hosted.description.as_deref())
        .text(Some(&how))
        .text(Some(
            "Handles of one topic share their subscription and listeners.",
        ));
    Some(TopicMethodDecl {
        doc: doc.render(2),
        name: name.to_string(),
        params: if topic.parameters.is_empty() {
            String::new()
        } else {
            names.with("Params")
        },
        handle: names.with("Handle"),
        literal: json_string(&topic.pattern),
        names: string_array(
            &topic
                .parameters
                .iter()
                .map(|p| p.spec.clone())
                .collect::<Vec<_>>(),
        ),
        pattern,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_topic_frames_carry_the_envelope() {
        assert_eq!(Role::Client.received("A".into()), "A");
        assert_eq!(Role::Hosted.received("A".into()), "A & ChanxTopicEnvelope");
        assert_eq!(
            Role::OwnTopic.received("A | B".into()),
            "(A | B) & ChanxTopicEnvelope"
        );
        assert_eq!(
            Role::Hosted.events_base("RoomReceiveMessage"),
            "ChanxTopicEvents<RoomReceiveMessage & ChanxTopicEnvelope>"
        );
    }

    #[test]
    fn member_names_start_lower_case() {
        assert_eq!(lower_first("RoomTopic"), "roomTopic");
        assert_eq!(lower_first(""), "");
    }
}
