//! Topics: channels carrying chanx's `x-topic` extension.
//!
//! chanx 2.13 documents each topic as a channel of its own with
//! `"x-topic": {"name", "pattern", "parameters"}`. A topic mounted on a
//! consumer (`topics = [RoomTopic]`) shares the consumer's address and is
//! reached over the consumer's connection by `{"action":"subscribe","topic":…}`;
//! a topic served with `Topic.as_consumer()` has an address of its own and
//! connecting subscribes it. The document does not say which is which, so
//! the model decides, in this order:
//!
//! 1. a channel without `x-topic` at the same address hosts the topic;
//! 2. several topics at one address share a host (chanx leaves a host out of
//!    the document when it has no handlers of its own), named by what their
//!    channel keys have in common (`hub_room_topic` and `hub_run_topic` →
//!    `hub`);
//! 3. a single topic whose pattern parameters are all address parameters,
//!    keyed by its own name (as chanx keys a standalone topic) or by a name
//!    with no host prefix, is served on its own address;
//! 4. any other topic gets a host of its own, with no handlers.

use serde_json::Value;

use crate::diag::Code;
use crate::ir::context::{Context, kind_of};
use crate::ir::naming::Namespace;
use crate::ir::{Name, address_parameters};
use crate::load::{Members, NodeRef};

use serde::Serialize;

/// The extension chanx writes on topic channels.
pub const TOPIC_EXTENSION: &str = "x-topic";

/// A channel's topic: how clients address it and where it is served.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    /// `x-topic.name` (`room_topic`), or the channel key when absent.
    pub name: Name,
    /// `room:{room_id}`: each `{param}` matches one or more characters other
    /// than `:`, the rest literally, anchored at both ends.
    pub pattern: String,
    /// The pattern's parameters, in pattern order.
    pub parameters: Vec<Name>,
    /// The class name chanx namespaces the topic's groups with
    /// (`RoomTopic`: groups are `RoomTopic.room-42`).
    pub group_namespace: String,
    /// The channel whose connection carries this topic; `None` when the
    /// topic is served on its own address.
    pub host: Option<super::ChannelId>,
    /// Messages forwarded unchanged when they arrive as topic events
    /// (chanx's `passthrough_events`): those of the topic's send operations
    /// that chanx documents as passthrough handlers.
    pub passthrough: Vec<super::MessageId>,
}

/// Whether `operation` is one chanx writes for a `passthrough_events`
/// entry: `handle_passthrough_<message>`, "Passthrough handler for <Message>".
pub fn is_passthrough(operation: &super::Operation) -> bool {
    operation.action == super::Action::Send
        && (operation.name.spec.starts_with("handle_passthrough_")
            || operation
                .description
                .as_deref()
                .is_some_and(|d| d.starts_with("Passthrough handler for ")))
}

/// What `x-topic` says, before hosts are assigned.
pub(crate) fn read(cx: &mut Context<'_>, channel: &NodeRef, key: &str) -> Option<Topic> {
    let at = channel.child(TOPIC_EXTENSION);
    let value = cx.raw(&at)?;
    let Some(map) = value.as_object() else {
        cx.error(
            Code::TopicExtension,
            &at,
            format!("`x-topic` must be an object, found {}", kind_of(value)),
        );
        return None;
    };
    let Some(pattern) = map.member("pattern").and_then(Value::as_str) else {
        cx.error(
            Code::TopicExtension,
            &at,
            "`x-topic` has no string `pattern` (e.g. `room:{room_id}`)",
        );
        return None;
    };
    let name = match map.member("name") {
        None => key.to_string(),
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        Some(other) => {
            cx.error(
                Code::TopicExtension,
                &at.child("name"),
                format!(
                    "`x-topic.name` must be a non-empty string, found {}",
                    kind_of(other)
                ),
            );
            return None;
        }
    };
    let in_pattern = pattern_parameters(pattern);
    if let Some(listed) = map.member("parameters") {
        let listed: Option<Vec<&str>> = listed
            .as_array()
            .and_then(|items| items.iter().map(Value::as_str).collect());
        match listed {
            None => cx.error(
                Code::TopicExtension,
                &at.child("parameters"),
                "`x-topic.parameters` must be a list of strings",
            ),
            Some(listed) if listed != in_pattern => cx.warn(
                Code::TopicParameters,
                &at.child("parameters"),
                format!(
                    "`x-topic.parameters` lists [{}] but the pattern `{pattern}` has [{}]; the pattern's are used",
                    listed.join(", "),
                    in_pattern.join(", ")
                ),
            ),
            Some(_) => {}
        }
    }
    let mut names = Namespace::new();
    let parameters = in_pattern
        .iter()
        .map(|p| names.claim(p, "param", "p"))
        .collect();
    let mut topic_names = Namespace::new();
    let name = topic_names.claim(&name, "topic", "T");
    Some(Topic {
        group_namespace: name.pascal.clone(),
        name,
        pattern: pattern.to_string(),
        parameters,
        host: None,
        passthrough: Vec::new(),
    })
}

/// The `{name}` placeholders of a topic pattern, in order, as chanx finds
/// them (`\{(\w+)\}`: a placeholder is a run of word characters).
pub fn pattern_parameters(pattern: &str) -> Vec<String> {
    pattern_parts(pattern)
        .into_iter()
        .filter_map(|part| match part {
            PatternPart::Param(name) => Some(name.to_string()),
            PatternPart::Literal(_) => None,
        })
        .collect()
}

/// A piece of a topic pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternPart<'a> {
    Literal(&'a str),
    Param(&'a str),
}

/// Splits a pattern into literals and `{word}` placeholders, as Python's
/// `re.split(r"\{(\w+)\}", pattern)` does (a `{` not followed by word
/// characters and `}` is literal).
pub fn pattern_parts(pattern: &str) -> Vec<PatternPart<'_>> {
    let mut parts = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    let bytes = pattern.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'{' {
            let rest = &pattern[i + 1..];
            let word_len: usize = rest
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                .map_or(rest.len(), |(at, _)| at);
            if word_len > 0 && rest[word_len..].starts_with('}') {
                if literal_start < i {
                    parts.push(PatternPart::Literal(&pattern[literal_start..i]));
                }
                parts.push(PatternPart::Param(&rest[..word_len]));
                i += 1 + word_len + 1;
                literal_start = i;
                continue;
            }
        }
        i += 1;
    }
    if literal_start < pattern.len() {
        parts.push(PatternPart::Literal(&pattern[literal_start..]));
    }
    parts
}

/// Where a topic is served: decided once every channel is read.
pub(crate) enum Placement {
    /// On the connection of this channel.
    Hosted(super::ChannelId),
    /// On a host to be made for it, named by this key.
    NewHost(String),
    /// On its own address.
    Standalone,
}

/// One topic channel as seen by [`place`].
pub(crate) struct TopicSite<'a> {
    pub key: &'a str,
    pub address: Option<&'a str>,
    pub topic: &'a Topic,
}

/// Decides where each topic is served (see the module docs). `plain` are
/// the channels without `x-topic`: (id, address).
pub(crate) fn place(
    topics: &[TopicSite<'_>],
    plain: &[(super::ChannelId, Option<&str>)],
) -> Vec<Placement> {
    topics
        .iter()
        .map(|site| {
            if let Some((host, _)) = plain
                .iter()
                .find(|(_, address)| address.is_some() && *address == site.address)
            {
                return Placement::Hosted(*host);
            }
            let siblings: Vec<&TopicSite<'_>> = topics
                .iter()
                .filter(|other| other.address.is_some() && other.address == site.address)
                .collect();
            if siblings.len() > 1 {
                return Placement::NewHost(common_host_key(&siblings));
            }
            let address_params = site.address.map(address_parameters).unwrap_or_default();
            let all_in_address = site
                .topic
                .parameters
                .iter()
                .all(|p| address_params.contains(&p.spec));
            let host_prefix = host_prefix(site.key, &site.topic.name.spec);
            if site.address.is_some() && all_in_address && host_prefix.is_none() {
                Placement::Standalone
            } else {
                Placement::NewHost(host_prefix.unwrap_or_else(|| format!("{}_host", site.key)))
            }
        })
        .collect()
}

/// `hub_room_topic` keyed for topic `room_topic` → `hub`: chanx keys a
/// hosted topic `<host>_<topic>`.
fn host_prefix(key: &str, name: &str) -> Option<String> {
    let prefix = key.strip_suffix(name)?.strip_suffix('_')?;
    (!prefix.is_empty()).then(|| prefix.to_string())
}

/// The host key topics at one address agree on, else one made from the first.
fn common_host_key(sites: &[&TopicSite<'_>]) -> String {
    let prefixes: Vec<Option<String>> = sites
        .iter()
        .map(|s| host_prefix(s.key, &s.topic.name.spec))
        .collect();
    match prefixes.first() {
        Some(Some(first)) if prefixes.iter().all(|p| p.as_deref() == Some(first)) => first.clone(),
        _ => format!("{}_host", sites[0].key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_patterns_as_python_re_split_does() {
        use PatternPart::*;
        assert_eq!(
            pattern_parts("run:{run_id}:step:{step}"),
            vec![
                Literal("run:"),
                Param("run_id"),
                Literal(":step:"),
                Param("step")
            ]
        );
        assert_eq!(pattern_parts("{a}{b}"), vec![Param("a"), Param("b")]);
        assert_eq!(
            pattern_parts("x{}:{not-word}:{ok}"),
            vec![Literal("x{}:{not-word}:"), Param("ok")]
        );
        assert_eq!(pattern_parts("{é_1}"), vec![Param("é_1")]);
        assert_eq!(pattern_parts("plain"), vec![Literal("plain")]);
        assert_eq!(pattern_parts(""), Vec::<PatternPart<'_>>::new());
        assert_eq!(pattern_parameters("room:{room_id}"), vec!["room_id"]);
    }

    #[test]
    fn host_prefix_follows_chanx_channel_keys() {
        assert_eq!(
            host_prefix("hub_room_topic", "room_topic").as_deref(),
            Some("hub")
        );
        assert_eq!(host_prefix("room_topic", "room_topic"), None);
        assert_eq!(host_prefix("_room_topic", "room_topic"), None);
        assert_eq!(host_prefix("hubroom_topic", "room_topic"), None);
    }
}
