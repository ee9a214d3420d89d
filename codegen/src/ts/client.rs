//! One typed client class per channel, from the client's side: the client
//! sends what the described server receives and receives what it sends.
//! Topics change the class a channel gets (see [`super::topics`]).

use serde::Serialize;

use super::doc::{Doc, comment_text};
use super::names::{json_string, property_key};
use super::topics::{self, HostMembers, Role, TopicDecl};
use super::types::{FieldDecl, MapStyle, TypeNames, union};
use crate::ir::{Action, Api, Channel, ChannelId, MessageId, Operation, TypeKind, TypeRef};

/// Declared names of one channel's family (see [`super::CHANNEL_SUFFIXES`],
/// and [`super::HANDLE_SUFFIXES`] for hosted topics).
pub struct ChannelNames {
    pub base: String,
}

impl ChannelNames {
    pub fn with(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.base)
    }
}

/// The members channel `id`'s class declares itself (`sendPing`,
/// `requestPing`, …), which its topic members must not take.
pub fn own_members(api: &Api, id: ChannelId, types: &TypeNames<'_>) -> Vec<String> {
    let Some(channel) = api.channels.get(id) else {
        return Vec::new();
    };
    let view = ChannelView {
        api,
        id,
        channel,
        types,
    };
    let sends = channel
        .incoming
        .iter()
        .map(|m| format!("send{}", view.variant(*m)));
    sends
        .chain(view.request_methods().into_iter().map(|m| m.name))
        .chain(view.reply_methods().into_iter().map(|m| m.name))
        .collect()
}

/// Everything the template needs for one channel.
#[derive(Debug, Serialize)]
pub struct ChannelDecl {
    /// The channel's name in the document, for comments ([`comment_text`]).
    pub spec_name: String,
    pub doc: String,
    /// The class: `<Base>Client`, or `<Base>Handle` for a hosted topic.
    pub client: String,
    pub options: String,
    pub params: String,
    pub send_union: String,
    pub receive_union: String,
    pub events: String,
    /// The interface the events extend (`ChanxLifecycleEvents<…>`, …).
    pub events_base: String,
    /// Right-hand sides of the unions, with their leading space or newline.
    pub send_type: String,
    pub receive_type: String,
    pub param_fields: Vec<FieldDecl>,
    pub params_optional: bool,
    /// `name: "default", ` entries for parameters with defaults.
    pub param_defaults: String,
    pub event_entries: Vec<EventEntry>,
    pub address: String,
    pub tag_key: String,
    pub receive_tags: String,
    pub sends: Vec<MethodDecl>,
    pub requests: Vec<MethodDecl>,
    /// `reply…` methods: answers to requests the server sends.
    pub replies: Vec<MethodDecl>,
    pub topics: TopicDecl,
    /// `<Base>Credentials`: what the document asks a client to send when it
    /// connects (empty: no such interface).
    pub credentials_type: String,
    pub credentials: Vec<CredentialDecl>,
}

/// One credential of a channel's connection.
#[derive(Debug, Serialize)]
pub struct CredentialDecl {
    pub doc: String,
    /// The property of the credentials object.
    pub key: String,
    /// The query parameter or header, as a JSON string.
    pub name: String,
    /// `"query"` or `"header"`.
    pub location: &'static str,
    /// The value sent, as an expression over the client's `options`.
    pub value: String,
}

/// The credentials of the connection a channel's client opens.
fn credential_decls(api: &Api, id: ChannelId) -> Vec<CredentialDecl> {
    use crate::ir::credentials::Location;
    let mut seen = std::collections::HashSet::new();
    api.connect_credentials(id)
        .into_iter()
        .map(|c| {
            let mut key = if c.bearer {
                "bearerToken".to_owned()
            } else {
                heck::ToLowerCamelCase::to_lower_camel_case(c.name.as_str())
            };
            if key.is_empty() {
                key = "credential".into();
            }
            while !seen.insert(key.clone()) {
                key.push('_');
            }
            let place = match (c.bearer, c.location) {
                (true, _) => "`Authorization: Bearer <token>` header".to_owned(),
                (false, Location::Query) => format!("Query parameter `{}`", c.name),
                (false, Location::Header) => format!("Header `{}`", c.name),
            };
            let browsers = match c.location {
                Location::Query => None,
                Location::Header => Some(
                    "Browsers cannot set WebSocket headers: sent only by implementations that take them (Node's `ws`).",
                ),
            };
            let summary = format!("{place}{}.", if c.required { " (required)" } else { "" });
            CredentialDecl {
                doc: Doc::new()
                    .text(Some(summary.as_str()))
                    .text(c.description.as_deref())
                    .text(browsers)
                    .render(2),
                value: {
                    let read = format!("options.credentials?.[{}]", json_string(&key));
                    if c.bearer {
                        format!("{read} === undefined ? undefined : `Bearer ${{{read}}}`")
                    } else {
                        read
                    }
                },
                key: property_key(&key),
                name: json_string(&c.name),
                location: match c.location {
                    Location::Query => "query",
                    Location::Header => "header",
                },
            }
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct EventEntry {
    pub key: String,
    pub ty: String,
}

/// A `send…` or `request…` method.
#[derive(Debug, Serialize)]
pub struct MethodDecl {
    pub doc: String,
    pub name: String,
    /// The parameter list (without the request options).
    pub params: String,
    /// The expression of the frame sent.
    pub frame: String,
    /// The reply type of requests.
    pub reply: String,
    /// Tags a reply may have (`null`: the next message is the reply).
    pub reply_tags: String,
    /// Path of the correlation property in the frame (`null`: none).
    pub correlation: String,
}

/// Builds the declarations of `channel` (the channel's index is `id`):
/// `names` and `hosts` hold every channel's declared names and topic members.
pub fn channel_decl(
    api: &Api,
    id: usize,
    channel: &Channel,
    names: &[ChannelNames],
    hosts: &[Option<HostMembers>],
    types: &TypeNames<'_>,
) -> ChannelDecl {
    let role = Role::of(channel);
    let view = ChannelView {
        api,
        id,
        channel,
        types,
    };
    let own = &names[id];
    let send_types: Vec<String> = channel
        .incoming
        .iter()
        .map(|m| view.message_type(*m))
        .collect();
    let receive_types: Vec<String> = channel
        .outgoing
        .iter()
        .map(|m| view.message_type(*m))
        .collect();

    let mut event_entries = Vec::new();
    let mut receive_tags = Vec::new();
    for message in &channel.outgoing {
        let Some(tag) = view.tag_of(*message) else {
            continue;
        };
        if receive_tags.contains(&tag) {
            continue;
        }
        receive_tags.push(tag.clone());
        if channel.tag_key.is_some() && !role.lifecycle_events().contains(&tag.as_str()) {
            event_entries.push(EventEntry {
                key: property_key(&tag),
                ty: role.received(view.tagged_receive_type(&tag)),
            });
        }
    }

    let param_fields = match role {
        Role::Hosted => topics::param_fields(channel),
        Role::Client | Role::OwnTopic => channel_param_fields(channel),
    };
    let defaults: Vec<String> = channel
        .parameters
        .iter()
        .filter_map(|p| {
            let value = p.default.as_deref()?;
            Some(format!(
                "{}: {}",
                property_key(&p.name.spec),
                json_string(value)
            ))
        })
        .collect();

    let sends: Vec<MethodDecl> = channel
        .incoming
        .iter()
        .map(|m| view.send_method(*m))
        .collect();
    let mut requests = view.request_methods();
    for request in &mut requests {
        request.reply = role.received(std::mem::take(&mut request.reply));
    }

    let topics = topics::topic_decl(api, id, names, hosts);
    // A hosted topic lives at its host's address, which its host's class says.
    let address = channel
        .address
        .as_deref()
        .filter(|_| role != Role::Hosted)
        .map(|a| format!("Address: `{a}`"));
    let doc = Doc::new()
        .text(channel.title.as_deref().filter(|t| *t != channel.name.spec))
        .text(channel.summary.as_deref())
        .text(channel.description.as_deref())
        .text(address.as_deref())
        .text(topics::class_doc(&topics).as_deref());

    let receive_union = own.with("ReceiveMessage");
    ChannelDecl {
        spec_name: comment_text(&channel.name.spec),
        doc: doc.render(0),
        client: own.with(if role == Role::Hosted {
            "Handle"
        } else {
            "Client"
        }),
        options: own.with("ClientOptions"),
        credentials_type: own.with("Credentials"),
        credentials: if role == Role::Hosted {
            Vec::new()
        } else {
            credential_decls(api, id)
        },
        params: own.with("Params"),
        send_union: own.with("SendMessage"),
        events_base: role.events_base(&receive_union),
        receive_union,
        events: own.with("Events"),
        send_type: union_rhs(&send_types),
        receive_type: union_rhs(&receive_types),
        params_optional: param_fields.iter().all(|f| f.optional),
        param_fields,
        param_defaults: defaults.iter().map(|d| format!("{d}, ")).collect(),
        event_entries,
        address: channel
            .address
            .as_deref()
            .map_or("null".into(), json_string),
        tag_key: channel
            .tag_key
            .as_deref()
            .map_or("null".into(), json_string),
        receive_tags: string_array(&receive_tags),
        sends,
        requests,
        replies: if role == Role::Hosted {
            Vec::new()
        } else {
            view.reply_methods()
        },
        topics,
    }
}

/// The fields of a channel's address parameters.
fn channel_param_fields(channel: &Channel) -> Vec<FieldDecl> {
    channel
        .parameters
        .iter()
        .map(|p| FieldDecl {
            doc: Doc::new().text(p.description.as_deref()).render(2),
            key: property_key(&p.name.spec),
            optional: p.default.is_some(),
            ty: if p.enum_values.is_empty() {
                "string | number".into()
            } else {
                let values: Vec<String> = p.enum_values.iter().map(|v| json_string(v)).collect();
                union(&values)
            },
        })
        .collect()
}

struct ChannelView<'a> {
    api: &'a Api,
    id: usize,
    channel: &'a Channel,
    types: &'a TypeNames<'a>,
}

/// How a tagged message is built from a method's arguments.
enum FrameShape {
    /// `{ tag, payload }` only: the method takes the payload.
    Payload {
        ty: String,
        optional: bool,
        null: bool,
    },
    /// Any other message: the method takes the message and sets the tag.
    Message,
    /// A closed struct whose tag is a required property: the method takes
    /// the message without it.
    MessageWithoutTag,
}

impl ChannelView<'_> {
    fn message_type(&self, id: MessageId) -> String {
        match self.api.messages.get(id).and_then(|m| m.payload.as_ref()) {
            Some(ty) => self.types.render(ty, MapStyle::Record),
            None => "unknown".into(),
        }
    }

    fn channel_message(&self, id: MessageId) -> Option<&crate::ir::ChannelMessage> {
        self.channel.messages.iter().find(|cm| cm.message == id)
    }

    fn tag_of(&self, id: MessageId) -> Option<String> {
        self.channel_message(id)?.tag.clone()
    }

    /// The type of received messages with `tag` (several when messages share it).
    fn tagged_receive_type(&self, tag: &str) -> String {
        let types: Vec<String> = self
            .channel
            .outgoing
            .iter()
            .filter(|m| self.tag_of(**m).as_deref() == Some(tag))
            .map(|m| self.message_type(*m))
            .collect();
        union(&types)
    }

    fn message_doc(&self, id: MessageId, operation: Option<&Operation>) -> Doc {
        let message = self.api.messages.get(id);
        Doc::new()
            .text(operation.and_then(|o| o.summary.as_deref()))
            .text(operation.and_then(|o| o.description.as_deref()))
            .text(message.and_then(|m| m.summary.as_deref()))
            .text(message.and_then(|m| m.description.as_deref()))
    }

    /// The receive operation of this channel that lists `id`, if any.
    fn operation_of(&self, id: MessageId) -> Option<&Operation> {
        self.api.operations.iter().find(|o| {
            o.action == Action::Receive && o.channel == self.id && o.messages.contains(&id)
        })
    }

    fn frame_shape(&self, id: MessageId) -> FrameShape {
        let Some(tag_key) = self.channel.tag_key.as_deref() else {
            return FrameShape::Message;
        };
        let Some(TypeRef::Named(type_id)) =
            self.api.messages.get(id).and_then(|m| m.payload.as_ref())
        else {
            return FrameShape::Message;
        };
        let Some(def) = self.types.space.types.get(*type_id) else {
            return FrameShape::Message;
        };
        let TypeKind::Struct { fields, additional } = &def.kind else {
            return FrameShape::Message;
        };
        let tag = fields.iter().find(|f| f.name.spec == tag_key);
        let has_tag = tag.is_some();
        let payload = fields.iter().find(|f| f.name.spec == "payload");
        match payload {
            Some(payload) if has_tag && fields.len() == 2 => {
                let style = self.types.map_style(Some(*type_id));
                FrameShape::Payload {
                    ty: self.types.render(&payload.ty, style),
                    optional: !payload.required,
                    null: payload.ty == TypeRef::Null,
                }
            }
            // `Omit` over an index signature would drop every property.
            _ if tag.is_some_and(|t| t.required) && additional.allowed().is_none() => {
                FrameShape::MessageWithoutTag
            }
            _ => FrameShape::Message,
        }
    }

    /// Parameters and frame expression for sending message `id`.
    fn arguments(&self, id: MessageId) -> (String, String) {
        let message_type = self.message_type(id);
        let (Some(tag_key), Some(tag)) = (self.channel.tag_key.as_deref(), self.tag_of(id)) else {
            return (format!("message: {message_type}"), "message".into());
        };
        let tag_entry = format!("{}: {}", json_string(tag_key), json_string(&tag));
        match self.frame_shape(id) {
            FrameShape::Payload { null: true, .. } => (
                "payload: null = null".into(),
                format!("{{ {tag_entry}, \"payload\": payload }}"),
            ),
            FrameShape::Payload { ty, optional, .. } => (
                format!("payload{}: {ty}", if optional { "?" } else { "" }),
                format!("{{ {tag_entry}, \"payload\": payload }}"),
            ),
            FrameShape::Message => (
                format!("message: {message_type}"),
                format!("{{ ...message, {tag_entry} }}"),
            ),
            FrameShape::MessageWithoutTag => (
                format!("message: Omit<{message_type}, {}>", json_string(tag_key)),
                format!("{{ ...message, {tag_entry} }}"),
            ),
        }
    }

    fn variant(&self, id: MessageId) -> String {
        match self.channel_message(id) {
            Some(cm) => cm.variant.pascal.clone(),
            None => self
                .api
                .messages
                .get(id)
                .map_or_else(|| format!("Message{id}"), |m| m.name.pascal.clone()),
        }
    }

    fn send_method(&self, id: MessageId) -> MethodDecl {
        let (params, frame) = self.arguments(id);
        let doc = self.message_doc(id, self.operation_of(id));
        MethodDecl {
            doc: doc.render(2),
            name: format!("send{}", self.variant(id)),
            params,
            frame,
            reply: String::new(),
            reply_tags: String::new(),
            correlation: String::new(),
        }
    }

    /// `request…` methods: receive operations of this channel with a reply
    /// on this same channel (a reply elsewhere never reaches this socket).
    fn request_methods(&self) -> Vec<MethodDecl> {
        let channel_id = self.id;
        let mut methods: Vec<MethodDecl> = Vec::new();
        let mut seen: Vec<MessageId> = Vec::new();
        for operation in &self.api.operations {
            if operation.action != Action::Receive || operation.channel != channel_id {
                continue;
            }
            let Some(reply) = &operation.reply else {
                continue;
            };
            if reply.channel.is_some_and(|c| c != channel_id) || reply.messages.is_empty() {
                continue;
            }
            let reply_types: Vec<String> = reply
                .messages
                .iter()
                .map(|m| self.message_type(*m))
                .collect();
            let reply_tags: Option<Vec<String>> = match self.channel.tag_key {
                Some(_) => reply.messages.iter().map(|m| self.tag_of(*m)).collect(),
                None => None,
            };
            for message in &operation.messages {
                if seen.contains(message) || !self.channel.incoming.contains(message) {
                    continue;
                }
                seen.push(*message);
                let (params, frame) = self.arguments(*message);
                let correlation = self.correlation_path(*message, &reply.messages);
                let doc = self.message_doc(*message, Some(operation)).text(Some(
                    "Resolves with the reply; rejects on timeout, close or an error frame.",
                ));
                methods.push(MethodDecl {
                    doc: doc.render(2),
                    name: format!("request{}", self.variant(*message)),
                    params,
                    frame,
                    reply: union(&reply_types),
                    reply_tags: reply_tags.as_deref().map_or("null".into(), string_array),
                    correlation: correlation.as_deref().map_or("null".into(), string_array),
                });
            }
        }
        methods
    }

    /// `reply…` methods: send operations of this channel whose reply the
    /// client sends on this same channel (the server asks, the client answers).
    fn reply_methods(&self) -> Vec<MethodDecl> {
        let mut methods: Vec<MethodDecl> = Vec::new();
        for operation in &self.api.operations {
            if operation.action != Action::Send || operation.channel != self.id {
                continue;
            }
            let Some(reply) = &operation.reply else {
                continue;
            };
            if reply.channel.is_some_and(|c| c != self.id) {
                continue;
            }
            for message in &reply.messages {
                let name = format!("reply{}", self.variant(*message));
                if !self.channel.incoming.contains(message)
                    || methods.iter().any(|m| m.name == name)
                {
                    continue;
                }
                let (params, frame) = self.arguments(*message);
                let doc = self.message_doc(*message, Some(operation)).text(Some(
                    "Answers `request`, a message the server sent with a `ref`: the reply carries that `ref` (and its topic).",
                ));
                methods.push(MethodDecl {
                    doc: doc.render(2),
                    name,
                    params: format!("request: object, {params}"),
                    frame,
                    reply: String::new(),
                    reply_tags: String::new(),
                    correlation: String::new(),
                });
            }
        }
        methods
    }

    /// The frame path of the correlation id of a request (or else its
    /// replies), when it lives in the payload: a WebSocket frame has no headers.
    fn correlation_path(&self, request: MessageId, replies: &[MessageId]) -> Option<Vec<String>> {
        std::iter::once(&request)
            .chain(replies)
            .filter_map(|m| self.api.messages.get(*m)?.correlation_id.as_ref())
            .find_map(|c| payload_pointer(&c.location))
    }
}

/// `$message.payload#/a/b` → `["a", "b"]`; `None` for headers or bad syntax.
pub fn payload_pointer(location: &str) -> Option<Vec<String>> {
    let pointer = location.trim().strip_prefix("$message.payload#")?;
    if pointer.is_empty() {
        return None;
    }
    let pointer = pointer.strip_prefix('/')?;
    Some(
        pointer
            .split('/')
            .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

pub fn string_array(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| json_string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// ` never`, ` A`, or one `| A` line per member.
fn union_rhs(members: &[String]) -> String {
    match union(members).as_str() {
        "never" => " never".into(),
        "unknown" => " unknown".into(),
        single if members.len() == 1 => format!(" {single}"),
        _ => {
            let mut unique: Vec<&String> = Vec::new();
            for m in members {
                if !unique.contains(&m) {
                    unique.push(m);
                }
            }
            if unique.len() == 1 {
                return format!(" {}", unique[0]);
            }
            unique.iter().map(|m| format!("\n  | {m}")).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_pointers() {
        assert_eq!(
            payload_pointer("$message.payload#/ref"),
            Some(vec!["ref".to_string()])
        );
        assert_eq!(
            payload_pointer("$message.payload#/meta/a~1b"),
            Some(vec!["meta".to_string(), "a/b".to_string()])
        );
        assert_eq!(payload_pointer("$message.header#/correlationId"), None);
        assert_eq!(payload_pointer("$message.payload#"), None);
    }

    #[test]
    fn union_right_hand_sides() {
        assert_eq!(union_rhs(&[]), " never");
        assert_eq!(union_rhs(&["A".into()]), " A");
        assert_eq!(union_rhs(&["A".into(), "A".into()]), " A");
        assert_eq!(union_rhs(&["A".into(), "B".into()]), "\n  | A\n  | B");
        assert_eq!(union_rhs(&["A".into(), "unknown".into()]), " unknown");
    }
}
