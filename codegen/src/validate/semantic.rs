//! Rules the JSON Schema cannot express: refs that must land on particular
//! nodes, unique message tags per channel and direction, and channel address
//! parameters.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use serde_json::Value;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::build::{action_key_extension, document_action_key};
use crate::load::{Document, NodeRef};

/// The property whose `const` tags a message (chanx's wire format).
pub const TAG_PROPERTY: &str = "action";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Direction {
    Send,
    Receive,
}

impl Direction {
    fn opposite(self) -> Self {
        match self {
            Direction::Send => Direction::Receive,
            Direction::Receive => Direction::Send,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Direction::Send => "send",
            Direction::Receive => "receive",
        }
    }
}

struct Checker<'d> {
    doc: &'d Document,
    diags: Diagnostics,
    /// Resolved root channel → its name under `channels`.
    channels: HashMap<NodeRef, String>,
    /// Channels some operation uses (as its channel or reply channel).
    used_channels: HashSet<NodeRef>,
    /// (channel, direction) → messages travelling that way.
    /// Resolved message nodes, in the order operations first list them.
    traffic: BTreeMap<(NodeRef, Direction), Traffic>,
    /// Resolved channel → its messages (see [`Checker::channel_messages`]).
    channel_messages: HashMap<NodeRef, Rc<ChannelMessages>>,
}

/// The messages of one channel and direction, each once.
#[derive(Default)]
struct Traffic {
    listed: Vec<NodeRef>,
    seen: HashSet<NodeRef>,
    /// Whether an operation without a list added all the channel's.
    all_added: bool,
}

/// A channel's resolved messages with their names, and the other way round.
#[derive(Default)]
struct ChannelMessages {
    list: Vec<(String, NodeRef)>,
    name_of: HashMap<NodeRef, String>,
}

pub fn check(doc: &Document) -> Diagnostics {
    let mut checker = Checker {
        doc,
        diags: Diagnostics::default(),
        channels: HashMap::new(),
        used_channels: HashSet::new(),
        traffic: BTreeMap::new(),
        channel_messages: HashMap::new(),
    };
    checker.collect_channels();
    checker.check_operations();
    checker.check_tags();
    checker.check_unused_channels();
    checker.diags
}

impl<'d> Checker<'d> {
    /// Follows refs; a broken ref is reported (load reports the same one, and
    /// identical diagnostics merge) and the caller skips the node.
    fn resolve(&mut self, node: &NodeRef) -> Option<(NodeRef, &'d Value)> {
        self.doc.raw(node)?;
        match self.doc.value(node) {
            Ok(found) => Some(found),
            Err(e) => {
                self.diags.push(e.diagnostic(self.doc, node));
                None
            }
        }
    }

    /// The entries of a mapping (after following refs), as child nodes.
    fn entries(&mut self, node: &NodeRef) -> Vec<(String, NodeRef)> {
        match self.resolve(node) {
            Some((at, Value::Object(map))) => {
                map.keys().map(|k| (k.clone(), at.child(k))).collect()
            }
            _ => Vec::new(),
        }
    }

    fn items(&mut self, node: &NodeRef) -> Vec<NodeRef> {
        match self.resolve(node) {
            Some((at, Value::Array(items))) => {
                (0..items.len()).map(|i| at.child(&i.to_string())).collect()
            }
            _ => Vec::new(),
        }
    }

    fn error(&mut self, code: Code, at: &NodeRef, message: String, hint: Option<String>) {
        let mut d = Diagnostic::error(code, message).at(self.doc.location(at), at.pointer.clone());
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        self.diags.push(d);
    }

    fn collect_channels(&mut self) {
        let root = self.doc.root();
        for (name, node) in self.entries(&root.child("channels")) {
            if let Some((channel, _)) = self.resolve(&node) {
                self.check_address_parameters(&name, &channel);
                self.channels.entry(channel).or_insert(name);
            }
        }
    }

    /// Resolved messages of a channel, with their names there.
    /// Worked out once per channel: every operation on it asks again.
    fn channel_messages(&mut self, channel: &NodeRef) -> Rc<ChannelMessages> {
        if let Some(found) = self.channel_messages.get(channel) {
            return found.clone();
        }
        let mut out = ChannelMessages::default();
        for (name, node) in self.entries(&channel.child("messages")) {
            if let Some((message, _)) = self.resolve(&node) {
                out.name_of.entry(message.clone()).or_insert(name.clone());
                out.list.push((name, message));
            }
        }
        let out = Rc::new(out);
        self.channel_messages.insert(channel.clone(), out.clone());
        out
    }

    fn channel_name(&self, channel: &NodeRef) -> String {
        self.channels
            .get(channel)
            .cloned()
            .unwrap_or_else(|| channel.pointer.rsplit('/').next().unwrap_or("").to_string())
    }

    fn check_operations(&mut self) {
        let root = self.doc.root();
        for (op_name, node) in self.entries(&root.child("operations")) {
            let Some((op, op_value)) = self.resolve(&node) else {
                continue;
            };
            let direction = match op_value.get("action").and_then(Value::as_str) {
                Some("send") => Direction::Send,
                Some("receive") => Direction::Receive,
                _ => continue, // the schema reports it
            };
            let channel_at = op.child("channel");
            if self.doc.raw(&channel_at).is_none() {
                continue; // the schema reports the missing channel
            }
            let Some((channel, _)) = self.resolve(&channel_at) else {
                continue;
            };
            if !self.channels.contains_key(&channel) {
                self.error(
                    Code::OperationChannel,
                    &channel_at,
                    format!("operation '{op_name}' must use one of the document's channels"),
                    Some("point it at '#/channels/<name>'".into()),
                );
                continue;
            }
            self.used_channels.insert(channel.clone());
            self.check_listed_messages(
                &op_name,
                &op.child("messages"),
                &channel,
                direction,
                "operation",
            );
            if self.doc.raw(&op.child("reply")).is_some() {
                self.check_reply(&op_name, &op.child("reply"), &channel, direction);
            }
        }
    }

    /// Every listed message must be one of the channel's; records the traffic.
    /// No `messages` list means every message of the channel.
    fn check_listed_messages(
        &mut self,
        op_name: &str,
        list: &NodeRef,
        channel: &NodeRef,
        direction: Direction,
        what: &str,
    ) {
        let available = self.channel_messages(channel);
        let listed: Vec<NodeRef> = if self.doc.raw(list).is_none() {
            // Every operation without a list carries all of them: added once.
            let traffic = self
                .traffic
                .entry((channel.clone(), direction))
                .or_default();
            if std::mem::replace(&mut traffic.all_added, true) {
                return;
            }
            available.list.iter().map(|(_, m)| m.clone()).collect()
        } else {
            let mut listed = Vec::new();
            for item in self.items(list) {
                let Some((message, _)) = self.resolve(&item) else {
                    continue;
                };
                if available.name_of.contains_key(&message) {
                    listed.push(message);
                    continue;
                }
                let channel_name = self.channel_name(channel);
                let shown = self.doc.ref_of(&item).unwrap_or("this message").to_string();
                let hint = if available.list.is_empty() {
                    format!("channel '{channel_name}' declares no messages")
                } else {
                    format!(
                        "reference one of channel '{channel_name}''s messages ({}) as '#/channels/{channel_name}/messages/<name>'",
                        some_names(&available.list)
                    )
                };
                self.error(
                    Code::MessageNotInChannel,
                    &item,
                    format!("{what} '{op_name}': message '{shown}' is not one of channel '{channel_name}''s messages"),
                    Some(hint),
                );
            }
            listed
        };
        let traffic = self
            .traffic
            .entry((channel.clone(), direction))
            .or_default();
        for message in listed {
            if traffic.seen.insert(message.clone()) {
                traffic.listed.push(message);
            }
        }
    }

    /// A reply travels the other way, on its own channel or the operation's.
    fn check_reply(
        &mut self,
        op_name: &str,
        reply_at: &NodeRef,
        op_channel: &NodeRef,
        direction: Direction,
    ) {
        let Some((reply, _)) = self.resolve(reply_at) else {
            return;
        };
        let channel = if self.doc.raw(&reply.child("channel")).is_some() {
            let Some((channel, _)) = self.resolve(&reply.child("channel")) else {
                return;
            };
            self.used_channels.insert(channel.clone());
            channel
        } else {
            op_channel.clone()
        };
        self.check_listed_messages(
            op_name,
            &reply.child("messages"),
            &channel,
            direction.opposite(),
            "reply of operation",
        );
    }

    /// Two messages of one channel and direction may not share a tag value,
    /// or a receiver could not tell them apart.
    fn check_tags(&mut self) {
        let traffic = std::mem::take(&mut self.traffic);
        for ((channel, direction), traffic) in &traffic {
            let key = self.tag_key(channel);
            // Tag (as JSON text) → the first message with it.
            let mut seen: HashMap<String, &NodeRef> = HashMap::new();
            for message in &traffic.listed {
                let Some((tag_at, tag)) = self.tag_of(message, &key) else {
                    continue;
                };
                match seen.get(&tag.to_string()) {
                    Some(&first) => {
                        let channel_name = self.channel_name(channel);
                        let first_name = self.message_name(channel, first);
                        let this_name = self.message_name(channel, message);
                        self.error(
                            Code::DuplicateTag,
                            &tag_at,
                            format!(
                                "messages '{first_name}' and '{this_name}' of channel '{channel_name}' ({}) share {key} {tag}",
                                direction.name()
                            ),
                            Some(format!(
                                "give each message a channel carries in one direction its own '{key}' const"
                            )),
                        );
                    }
                    None => {
                        seen.insert(tag.to_string(), message);
                    }
                }
            }
        }
        self.traffic = traffic;
    }

    fn message_name(&mut self, channel: &NodeRef, message: &NodeRef) -> String {
        self.channel_messages(channel)
            .name_of
            .get(message)
            .cloned()
            .unwrap_or_else(|| message.pointer.rsplit('/').next().unwrap_or("").to_string())
    }

    /// The property that tags a channel's messages: the `x-chanx-action-key`
    /// extension on the channel, else the document's, else `action` (the
    /// same precedence the IR uses).
    fn tag_key(&self, channel: &NodeRef) -> String {
        let object = |node: &NodeRef| self.doc.value(node).ok().and_then(|(_, v)| v.as_object());
        object(channel)
            .and_then(action_key_extension)
            .or_else(|| object(&self.doc.root()).and_then(document_action_key))
            .unwrap_or_else(|| TAG_PROPERTY.to_string())
    }

    /// The message's `payload.properties.<key>.const`, looking through
    /// multi-format wrappers and `allOf`.
    fn tag_of(&mut self, message: &NodeRef, key: &str) -> Option<(NodeRef, Value)> {
        let doc = self.doc;
        let (payload, value) = doc.value(&message.child("payload")).ok()?;
        let schema = match value.get("schemaFormat") {
            Some(_) if value.get("schema").is_some() => doc.value(&payload.child("schema")).ok()?.0,
            _ => payload,
        };
        tag_in_schema(doc, &schema, key, 0)
    }

    fn check_address_parameters(&mut self, name: &str, channel: &NodeRef) {
        let Some(Value::String(address)) = self.doc.raw(channel).and_then(|c| c.get("address"))
        else {
            return;
        };
        let in_address = crate::ir::address_parameters(address);
        let params_at = channel.child("parameters");
        let declared: Vec<String> = self
            .entries(&params_at)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let declared_set: HashSet<&String> = declared.iter().collect();
        let in_address_set: HashSet<&String> = in_address.iter().collect();
        let address_at = channel.child("address");
        // Without a `parameters` object at all, the official parser accepts
        // the address as it is; the model takes each parameter as a string
        // and warns. A `parameters` object that misses one is an error.
        let has_parameters = self.doc.raw(&params_at).is_some();
        for param in &in_address {
            if !declared_set.contains(param) {
                let hint = self
                    .doc
                    .did_you_mean(param, declared.iter().map(String::as_str))
                    .map(|s| format!("did you mean '{s}'?"))
                    .unwrap_or_else(|| format!("declare it under channels.{name}.parameters"));
                let d = if has_parameters {
                    Diagnostic::error(
                        Code::AddressParameterUndeclared,
                        format!(
                            "address parameter '{{{param}}}' of channel '{name}' is not declared in its parameters"
                        ),
                    )
                } else {
                    Diagnostic::warning(
                        Code::AddressParameterUndeclared,
                        format!(
                            "address parameter '{{{param}}}' of channel '{name}' is not declared (the channel has no parameters); it is read as a string parameter"
                        ),
                    )
                };
                let d = d
                    .at(self.doc.location(&address_at), address_at.pointer.clone())
                    .with_hint(hint);
                self.diags.push(d);
            }
        }
        for param in &declared {
            if !in_address_set.contains(param) {
                let at = params_at.child(param);
                let at = if self.doc.raw(&at).is_some() {
                    at
                } else {
                    params_at.clone()
                };
                let hint = self
                    .doc
                    .did_you_mean(param, in_address.iter().map(String::as_str))
                    .map(|s| format!("did you mean '{s}'?"))
                    .unwrap_or_else(|| format!("the address is '{address}'"));
                self.error(
                    Code::ParameterNotInAddress,
                    &at,
                    format!(
                        "parameter '{param}' of channel '{name}' does not appear in its address"
                    ),
                    Some(hint),
                );
            }
        }
    }

    fn check_unused_channels(&mut self) {
        let mut unused: Vec<(NodeRef, String)> = self
            .channels
            .iter()
            .filter(|(c, _)| !self.used_channels.contains(*c))
            .map(|(c, n)| (c.clone(), n.clone()))
            .collect();
        unused.sort();
        let has_operations = self
            .doc
            .raw(&self.doc.root().child("operations"))
            .is_some_and(Value::is_object);
        if !has_operations {
            return; // a document of shared components, not an API
        }
        for (_, name) in unused {
            let at = self.doc.root().child("channels").child(&name);
            self.diags.push(
                Diagnostic::warning(
                    Code::UnusedChannel,
                    format!("channel '{name}' is not used by any operation, so no code is generated for it"),
                )
                .at(self.doc.key_location(&at), at.pointer.clone()),
            );
        }
    }
}

fn tag_in_schema(
    doc: &Document,
    schema: &NodeRef,
    key: &str,
    depth: usize,
) -> Option<(NodeRef, Value)> {
    tag_in_schema_once(doc, schema, key, depth, &mut HashSet::new())
}

/// Each schema is looked into once: `allOf` parts that name the same
/// schemas again and again would otherwise multiply at every level.
fn tag_in_schema_once(
    doc: &Document,
    schema: &NodeRef,
    key: &str,
    depth: usize,
    visited: &mut HashSet<NodeRef>,
) -> Option<(NodeRef, Value)> {
    if depth > 8 {
        return None;
    }
    let (schema, value) = doc.value(schema).ok()?;
    if !visited.insert(schema.clone()) {
        return None;
    }
    if value.get("properties").is_some()
        && let Ok((property, prop_value)) = doc.value(&schema.child("properties").child(key))
        && let Some(tag) = prop_value.get("const")
    {
        return Some((property.child("const"), tag.clone()));
    }
    let parts = value
        .get("allOf")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    (0..parts).find_map(|i| {
        tag_in_schema_once(
            doc,
            &schema.child("allOf").child(&i.to_string()),
            key,
            depth + 1,
            visited,
        )
    })
}

/// Up to ten quoted names, then how many more.
fn some_names(list: &[(String, NodeRef)]) -> String {
    let mut names: Vec<String> = list
        .iter()
        .take(10)
        .map(|(n, _)| format!("'{n}'"))
        .collect();
    if list.len() > 10 {
        names.push(format!("and {} more", list.len() - 10));
    }
    names.join(", ")
}
