//! Building the [`Api`] model from a loaded document.
//!
//! Order of work: component schemas (so they keep their own names), servers,
//! channels with their messages, operations, then each channel's directions
//! and tag. Everything is visited in document order, so the same input
//! always gives the same model.

use crate::load::Members;
use foldhash::{HashMap, HashSet};
use std::sync::mpsc::Sender;

use serde_json::{Map, Value};

use crate::diag::{Code, Diagnostics};
use crate::ir::context::{Context, last_token, str_field};
use crate::ir::credentials;
use crate::ir::messages::{MessageBuilder, with_traits};
use crate::ir::naming::{Namespace, ident_forms};
use crate::ir::schema::TypeBuilder;
use crate::ir::tags;
use crate::ir::validation::{Payload, Program, build_program};
use crate::ir::{
    Action, Api, Channel, ChannelId, ChannelMessage, MessageId, Operation, Parameter, Reply, Server,
};
use crate::load::{Document, NodeRef};

/// Options that change how the model is built.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Overrides tag-key detection for every channel (`--action-key`).
    pub action_key: Option<String>,
}

/// The extension that names a channel's tag property.
pub const ACTION_KEY_EXTENSION: &str = "x-chanx-action-key";

/// Builds the model. Returns warnings with it, or all errors found.
pub fn build(doc: &Document, options: &BuildOptions) -> Result<(Api, Diagnostics), Diagnostics> {
    let mut cx = Context::new(doc);
    let root = doc.root();
    let Some(root_map) = doc.raw(&root).and_then(Value::as_object) else {
        cx.error(Code::NotAMapping, &root, "the document is not an object");
        return Err(cx.diags);
    };
    // The bundled document is made beside the model (it needs nothing from
    // it: a sixth of the model's time, off the path to the output). Kept as
    // text: the tree is five times the size, and only its text is used.
    // So is the validator program, from the payloads the model sends it.
    std::thread::scope(|scope| {
        let document = scope.spawn(|| crate::bundle::bundle_text(doc));
        let (payloads, received) = std::sync::mpsc::channel();
        let program = scope.spawn(|| build_program(doc, received));
        // Returns once its sender is dropped, so the program is complete.
        let (mut cx, mut api) = build_model(doc, options, cx, root_map, payloads);
        let program = crate::generate::join_or_resume(program);
        let document = crate::generate::join_or_resume(document);
        if program.over_limit && !cx.diags.0.iter().any(|d| d.code == Code::ModelTooLarge) {
            cx.error(
                Code::ModelTooLarge,
                &root,
                "the validation of incoming messages grows past its limit: `allOf` copies schemas too many times",
            );
        }
        let mut diags = cx.diags;
        diags.sort();
        if diags.has_errors() {
            return Err(diags);
        }
        for message in &mut api.messages {
            message.validator = message
                .validator
                .and_then(|sent| program.definitions.get(sent).copied());
        }
        api.program = program.program;
        api.document = Some(document);
        Ok((api, diags))
    })
}

/// The model of `doc` but its bundled document and validator program; each
/// message's `validator` is the number of its payload among those sent to
/// `payloads`. Diagnostics are left in the context.
fn build_model<'d>(
    doc: &'d Document,
    options: &BuildOptions,
    mut cx: Context<'d>,
    root_map: &Map<String, Value>,
    payloads: Sender<Payload>,
) -> (Context<'d>, Api) {
    let root = doc.root();
    let mut b = ModelBuilder {
        types: TypeBuilder::default(),
        messages: MessageBuilder::new(str_field(root_map, "defaultContentType"), payloads),
        channels: Vec::new(),
        channel_by_node: HashMap::default(),
        channel_names: Namespace::new(),
        channel_variants: Vec::new(),
        channel_meta: Vec::new(),
    };

    b.component_schemas(&mut cx, &root);
    let servers = servers(&mut cx, &root);
    let channels = cx.entries(&root.child("channels"));
    if cx.members(&root.child("channels"), channels.len(), "channels") {
        for (key, node) in channels {
            b.channel(&mut cx, &node, &key);
        }
    }
    let operations = b.operations(&mut cx, &root);
    // Messages only declared in components are still part of the API.
    for (key, node) in cx.entries(&root.child("components").child("messages")) {
        b.messages.message(&mut cx, &mut b.types, &node, &key);
    }
    b.directions(&operations);
    b.place_topics();
    b.passthrough(&operations);
    let root_key = document_action_key(root_map);
    b.tag_channels(&mut cx, options.action_key.as_deref(), root_key.as_deref());

    let info = root_map.member("info").and_then(Value::as_object);
    let info_str = |k: &str| info.and_then(|i| str_field(i, k));
    let api = Api {
        source: doc
            .files
            .first()
            .map(|f| f.display.clone())
            .unwrap_or_default(),
        asyncapi_version: str_field(root_map, "asyncapi").unwrap_or_default(),
        title: info_str("title").unwrap_or_default(),
        version: info_str("version").unwrap_or_default(),
        description: info_str("description"),
        servers,
        channels: b.channels,
        operations,
        messages: b.messages.messages,
        types: b.types.space,
        program: Program::default(),
        document: None,
    };
    (cx, api)
}

struct ModelBuilder {
    types: TypeBuilder,
    messages: MessageBuilder,
    channels: Vec<Channel>,
    channel_by_node: HashMap<NodeRef, ChannelId>,
    channel_names: Namespace,
    /// Per channel: the variant names already used.
    channel_variants: Vec<Namespace>,
    /// Per channel: its resolved node and its `x-chanx-action-key`.
    channel_meta: Vec<(NodeRef, Option<String>)>,
}

impl ModelBuilder {
    fn component_schemas(&mut self, cx: &mut Context<'_>, root: &NodeRef) {
        let schemas = cx.entries(&root.child("components").child("schemas"));
        let nodes = cx.doc.files.iter().map(|f| f.parsed.positions.len()).sum();
        self.types.expect(nodes, schemas.len());
        // Claim every component's own name before any inline schema is named.
        for (key, node) in &schemas {
            if cx.ref_of(node).is_none() {
                self.types.reserve(node.clone(), key);
            }
        }
        for (key, node) in &schemas {
            self.types.schema(cx, node, key);
        }
    }

    /// The channel at `node` (a Channel Object or a ref to one), built on first sight.
    fn channel(&mut self, cx: &mut Context<'_>, node: &NodeRef, key: &str) -> Option<ChannelId> {
        let (target, map) = cx.object(node)?;
        if let Some(&id) = self.channel_by_node.get(&target) {
            return Some(id);
        }
        let id = self.channels.len();
        self.channel_by_node.insert(target.clone(), id);
        let spec = last_token(&target.pointer)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| key.to_string());
        let name = self.channel_names.claim(&spec, "Channel", "N");
        let address = match map.member("address") {
            Some(Value::String(a)) => Some(a.clone()),
            Some(Value::Null) | None => None,
            Some(_) => {
                cx.warn(
                    Code::ChannelAddress,
                    &target.child("address"),
                    "address is not a string; treated as dynamic",
                );
                None
            }
        };
        let parameters = parameters(cx, &target, address.as_deref());
        let bindings = map
            .member("bindings")
            .and_then(|_| cx.resolve(&target.child("bindings")))
            .map(|(_, v)| v.clone());
        self.channels.push(Channel {
            name,
            address,
            title: str_field(map, "title"),
            summary: str_field(map, "summary"),
            description: str_field(map, "description"),
            parameters,
            messages: Vec::new(),
            incoming: Vec::new(),
            outgoing: Vec::new(),
            tag_key: None,
            binding_credentials: credentials::from_bindings(bindings.as_ref()),
            bindings,
            topic: crate::ir::topics::read(cx, &target, &spec),
            hosted_topics: Vec::new(),
            synthesized: false,
            origin: cx.origin(&target),
        });
        self.channel_variants.push(Namespace::new());
        self.channel_meta
            .push((target.clone(), action_key_extension(map)));
        let mut messages = cx.entries(&target.child("messages"));
        if !cx.members(&target.child("messages"), messages.len(), "messages") {
            messages = Vec::new();
        }
        for (msg_key, msg_node) in messages {
            let Some(message) = self
                .messages
                .message(cx, &mut self.types, &msg_node, &msg_key)
            else {
                continue;
            };
            let variant = self.variant_name(id, &msg_key, message);
            self.channels[id].messages.push(ChannelMessage {
                key: msg_key,
                message,
                tag: None,
                variant,
            });
        }
        Some(id)
    }

    /// `pingMessage` → `Ping`: the channel's enums already say it is a message.
    fn variant_name(
        &mut self,
        channel: ChannelId,
        key: &str,
        message: MessageId,
    ) -> crate::ir::Name {
        let message_name = &self.messages.messages[message].name;
        let (pascal, snake) = ident_forms(key, "N")
            .unwrap_or_else(|| (message_name.pascal.clone(), message_name.snake.clone()));
        let (pascal, snake) = match (
            pascal.strip_suffix("Message"),
            snake.strip_suffix("_message"),
        ) {
            (Some(p), Some(s)) if !p.is_empty() && !s.is_empty() => (p.to_string(), s.to_string()),
            _ => (pascal, snake),
        };
        self.channel_variants[channel].claim_forms(key, pascal, snake)
    }

    fn operations(&mut self, cx: &mut Context<'_>, root: &NodeRef) -> Vec<Operation> {
        let mut names = Namespace::new();
        let mut operations = Vec::new();
        let entries = cx.entries(&root.child("operations"));
        if !cx.members(&root.child("operations"), entries.len(), "operations") {
            return operations;
        }
        for (key, node) in entries {
            let Some((target, map)) = cx.object(&node) else {
                continue;
            };
            let action = match map.member("action").and_then(Value::as_str) {
                Some("send") => Action::Send,
                Some("receive") => Action::Receive,
                other => {
                    let found = other.map_or("nothing".to_string(), |a| format!("'{a}'"));
                    cx.error(
                        Code::OperationAction,
                        &target.child("action"),
                        format!(
                            "operation '{key}': action must be 'send' or 'receive', found {found}"
                        ),
                    );
                    continue;
                }
            };
            let Some(channel) = self.channel_ref(cx, &target.child("channel")) else {
                cx.error(
                    Code::OperationChannel,
                    &target,
                    format!("operation '{key}' has no channel that can be resolved"),
                );
                continue;
            };
            let mut messages = self
                .message_list(cx, &target.child("messages"))
                .unwrap_or_else(|| self.channel_message_ids(channel));
            // Each operation's messages are routed (and generated) on their own.
            if !cx.members(&target, messages.len(), "messages") {
                messages = Vec::new();
            }
            let reply = with_traits(cx, &target, map, "reply").and_then(|at| self.reply(cx, &at));
            let security_at = with_traits(cx, &target, map, "security");
            let security = security_at
                .as_ref()
                .map(|at| security_names(cx, at))
                .unwrap_or_default();
            let credentials = security_at
                .map(|at| credentials::from_security(cx, &at))
                .unwrap_or_default();
            let text = |cx: &mut Context<'_>, k: &str| {
                let at = with_traits(cx, &target, map, k)?;
                cx.raw(&at).and_then(Value::as_str).map(str::to_string)
            };
            operations.push(Operation {
                name: names.claim(&key, "Operation", "N"),
                action,
                channel,
                messages,
                reply,
                title: text(cx, "title"),
                summary: text(cx, "summary"),
                description: text(cx, "description"),
                security,
                credentials,
                origin: cx.origin(&target),
            });
        }
        operations
    }

    fn channel_ref(&mut self, cx: &mut Context<'_>, at: &NodeRef) -> Option<ChannelId> {
        cx.raw(at)?;
        let (target, _) = cx.resolve(at)?;
        let key = last_token(&target.pointer).unwrap_or_else(|| "channel".into());
        self.channel(cx, at, &key)
    }

    fn channel_message_ids(&self, channel: ChannelId) -> Vec<MessageId> {
        self.channels
            .get(channel)
            .map(|c| c.messages.iter().map(|m| m.message).collect())
            .unwrap_or_default()
    }

    /// The messages of a `messages` list, or `None` when there is no list.
    fn message_list(&mut self, cx: &mut Context<'_>, at: &NodeRef) -> Option<Vec<MessageId>> {
        let count = cx.raw(at)?.as_array()?.len();
        if count > crate::ir::context::MAX_MEMBERS {
            // Refused (and reported) before any is built.
            cx.members(at, count, "messages");
            return Some(Vec::new());
        }
        let mut ids = Vec::new();
        let mut seen = HashSet::default();
        for i in 0..count {
            let item = at.child(&i.to_string());
            let key = cx
                .doc
                .resolve(&item)
                .ok()
                .and_then(|t| last_token(&t.pointer))
                .unwrap_or_else(|| "message".into());
            if let Some(id) = self.messages.message(cx, &mut self.types, &item, &key)
                && seen.insert(id)
            {
                ids.push(id);
            }
        }
        Some(ids)
    }

    fn reply(&mut self, cx: &mut Context<'_>, at: &NodeRef) -> Option<Reply> {
        let (target, map) = cx.object(at)?;
        let channel = if map.has("channel") {
            self.channel_ref(cx, &target.child("channel"))
        } else {
            None
        };
        let address_location = if map.has("address") {
            cx.object(&target.child("address"))
                .and_then(|(_, a)| str_field(a, "location"))
        } else {
            None
        };
        let messages = self
            .message_list(cx, &target.child("messages"))
            .unwrap_or_else(|| {
                // Without a list, every message of the reply channel.
                channel
                    .map(|c| self.channel_message_ids(c))
                    .unwrap_or_default()
            });
        Some(Reply {
            channel,
            messages,
            address_location,
        })
    }

    /// Fills `incoming` / `outgoing` of every channel from the operations.
    fn directions(&mut self, operations: &[Operation]) {
        let mut incoming: Vec<UniqueIds> = vec![UniqueIds::default(); self.channels.len()];
        let mut outgoing: Vec<UniqueIds> = vec![UniqueIds::default(); self.channels.len()];
        for op in operations {
            let (own, replies) = match op.action {
                Action::Receive => (&mut incoming, &mut outgoing),
                Action::Send => (&mut outgoing, &mut incoming),
            };
            own[op.channel].extend(&op.messages);
            if let Some(reply) = &op.reply {
                let on = reply.channel.unwrap_or(op.channel);
                replies[on].extend(&reply.messages);
            }
        }
        for (id, channel) in self.channels.iter_mut().enumerate() {
            channel.incoming = in_channel_order(channel, &incoming[id].ids);
            channel.outgoing = in_channel_order(channel, &outgoing[id].ids);
        }
    }

    /// Gives every topic its host (see [`crate::ir::topics`]), making hosts
    /// the document leaves out.
    fn place_topics(&mut self) {
        use crate::ir::topics::{Placement, TopicSite, place};
        let topic_ids: Vec<ChannelId> = (0..self.channels.len())
            .filter(|&id| self.channels[id].topic.is_some())
            .collect();
        if topic_ids.is_empty() {
            return;
        }
        let placements = {
            let sites: Vec<TopicSite<'_>> = topic_ids
                .iter()
                .filter_map(|&id| {
                    let channel = &self.channels[id];
                    Some(TopicSite {
                        key: &channel.name.spec,
                        address: channel.address.as_deref(),
                        topic: channel.topic.as_ref()?,
                    })
                })
                .collect();
            let plain: Vec<(ChannelId, Option<&str>)> = self
                .channels
                .iter()
                .enumerate()
                .filter(|(_, c)| c.topic.is_none())
                .map(|(id, c)| (id, c.address.as_deref()))
                .collect();
            place(&sites, &plain)
        };
        let mut made: Vec<(String, Option<String>, ChannelId)> = Vec::new();
        for (&id, placement) in topic_ids.iter().zip(placements) {
            let host = match placement {
                Placement::Standalone => continue,
                Placement::Hosted(host) => host,
                Placement::NewHost(key) => {
                    let address = self.channels[id].address.clone();
                    match made.iter().find(|(k, a, _)| *k == key && *a == address) {
                        Some((_, _, host)) => *host,
                        None => {
                            let host = self.synthesized_host(&key, id);
                            made.push((key, address, host));
                            host
                        }
                    }
                }
            };
            if let Some(topic) = self.channels[id].topic.as_mut() {
                topic.host = Some(host);
            }
            self.channels[host].hosted_topics.push(id);
        }
    }

    /// Records each topic's passthrough messages.
    fn passthrough(&mut self, operations: &[Operation]) {
        let mut passthrough: HashMap<ChannelId, UniqueIds> = HashMap::default();
        for op in operations
            .iter()
            .filter(|op| crate::ir::topics::is_passthrough(op))
        {
            if let Some(topic) = self.channels[op.channel].topic.as_ref() {
                passthrough
                    .entry(op.channel)
                    .or_insert_with(|| UniqueIds::from(&topic.passthrough))
                    .extend(&op.messages);
            }
        }
        for (channel, ids) in passthrough {
            if let Some(topic) = self.channels[channel].topic.as_mut() {
                topic.passthrough = ids.ids;
            }
        }
    }

    /// A channel with no messages of its own at the address of `topic`.
    fn synthesized_host(&mut self, key: &str, topic: ChannelId) -> ChannelId {
        let id = self.channels.len();
        let name = self.channel_names.claim(key, "Channel", "N");
        let template = &self.channels[topic];
        let host = Channel {
            name,
            address: template.address.clone(),
            title: None,
            summary: None,
            description: None,
            parameters: template.parameters.clone(),
            messages: Vec::new(),
            incoming: Vec::new(),
            outgoing: Vec::new(),
            tag_key: None,
            bindings: template.bindings.clone(),
            topic: None,
            hosted_topics: Vec::new(),
            synthesized: true,
            binding_credentials: template.binding_credentials.clone(),
            origin: template.origin.clone(),
        };
        let node = self.channel_meta[topic].0.clone();
        self.channels.push(host);
        self.channel_variants.push(Namespace::new());
        self.channel_meta.push((node, None));
        id
    }

    fn tag_channels(&mut self, cx: &mut Context<'_>, forced: Option<&str>, document: Option<&str>) {
        let space = &self.types.space;
        for (channel, (node, own)) in self.channels.iter_mut().zip(&self.channel_meta) {
            let consts: Vec<Vec<(String, String)>> = channel
                .messages
                .iter()
                .map(|m| {
                    match self
                        .messages
                        .messages
                        .get(m.message)
                        .and_then(|m| m.payload.as_ref())
                    {
                        Some(payload) => tags::const_properties(space, payload),
                        None => Vec::new(),
                    }
                })
                .collect();
            let key = tags::channel_tag_key(&consts, forced.or(own.as_deref()).or(document));
            for (message, consts) in channel.messages.iter_mut().zip(&consts) {
                message.tag = key.as_deref().and_then(|k| tags::value_of(consts, k));
                if let (Some(k), None) = (&key, &message.tag) {
                    cx.warn(
                        Code::UntaggedMessage,
                        node,
                        format!(
                            "message '{}' of channel '{}' has no string const at '{k}'",
                            message.key, channel.name.spec
                        ),
                    );
                }
            }
            channel.tag_key = key;
        }
    }
}

/// Message ids, each once, in the order first added.
#[derive(Debug, Clone, Default)]
struct UniqueIds {
    ids: Vec<MessageId>,
    seen: HashSet<MessageId>,
}

impl UniqueIds {
    fn from(ids: &[MessageId]) -> Self {
        let mut unique = UniqueIds::default();
        unique.extend(ids);
        unique
    }

    fn extend(&mut self, ids: &[MessageId]) {
        for &id in ids {
            if self.seen.insert(id) {
                self.ids.push(id);
            }
        }
    }
}

/// `ids` in the order the channel declares them, then any others as listed.
fn in_channel_order(channel: &Channel, ids: &[MessageId]) -> Vec<MessageId> {
    let wanted: HashSet<MessageId> = ids.iter().copied().collect();
    let mut ordered: Vec<MessageId> = channel
        .messages
        .iter()
        .map(|m| m.message)
        .filter(|m| wanted.contains(m))
        .collect();
    let mut seen: HashSet<MessageId> = ordered.iter().copied().collect();
    for id in ids {
        if seen.insert(*id) {
            ordered.push(*id);
        }
    }
    ordered.dedup();
    ordered
}

/// The tag property an object (a channel, the root, `info`) names with
/// `x-chanx-action-key`.
pub(crate) fn action_key_extension(map: &Map<String, Value>) -> Option<String> {
    str_field(map, ACTION_KEY_EXTENSION)
}

/// The tag property the whole document names: at its root, else in `info`.
/// A channel's own extension wins over this one.
pub(crate) fn document_action_key(root: &Map<String, Value>) -> Option<String> {
    action_key_extension(root).or_else(|| {
        root.member("info")
            .and_then(Value::as_object)
            .and_then(action_key_extension)
    })
}

fn servers(cx: &mut Context<'_>, root: &NodeRef) -> Vec<Server> {
    let mut names = Namespace::new();
    let mut servers = Vec::new();
    for (key, node) in cx.entries(&root.child("servers")) {
        let Some((_, map)) = cx.object(&node) else {
            continue;
        };
        servers.push(Server {
            name: names.claim(&key, "Server", "N"),
            host: str_field(map, "host").unwrap_or_default(),
            protocol: str_field(map, "protocol").unwrap_or_default(),
            pathname: str_field(map, "pathname"),
            description: str_field(map, "description"),
        });
    }
    servers
}

/// A channel's parameters: the address's in its order, then other declared ones.
fn parameters(cx: &mut Context<'_>, channel: &NodeRef, address: Option<&str>) -> Vec<Parameter> {
    let declared = cx.entries(&channel.child("parameters"));
    let in_address = address
        .map(crate::ir::address_parameters)
        .unwrap_or_default();
    let mut order: Vec<(String, Option<NodeRef>)> = Vec::new();
    for name in &in_address {
        let node = declared
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, n)| n.clone());
        // An undeclared one is a string parameter; validation warns about it.
        order.push((name.clone(), node));
    }
    for (name, node) in &declared {
        if !in_address.contains(name) {
            order.push((name.clone(), Some(node.clone())));
        }
    }
    let mut names = Namespace::new();
    order
        .into_iter()
        .map(|(spec, node)| {
            let map = node.and_then(|n| cx.object(&n)).map(|(_, m)| m);
            let strings = |k: &str| -> Vec<String> {
                map.and_then(|m| m.get(k))
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(scalar_text).collect())
                    .unwrap_or_default()
            };
            Parameter {
                name: names.claim(&spec, "Param", "N"),
                description: map.and_then(|m| str_field(m, "description")),
                enum_values: strings("enum"),
                default: map.and_then(|m| m.member("default")).map(scalar_text),
                examples: strings("examples"),
                location: map.and_then(|m| str_field(m, "location")),
            }
        })
        .collect()
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Security scheme names: the component key of each referenced scheme.
fn security_names(cx: &mut Context<'_>, at: &NodeRef) -> Vec<String> {
    let count = cx.raw(at).and_then(Value::as_array).map_or(0, Vec::len);
    let mut names = Vec::new();
    for i in 0..count {
        let item = at.child(&i.to_string());
        let Some((target, map)) = cx.object(&item) else {
            continue;
        };
        let name = if cx.ref_of(&item).is_some() {
            last_token(&target.pointer)
        } else {
            str_field(map, "name").or_else(|| str_field(map, "type"))
        };
        names.push(name.unwrap_or_else(|| format!("scheme{}", i + 1)));
    }
    names
}
