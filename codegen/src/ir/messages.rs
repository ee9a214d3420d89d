//! Message Objects → [`Message`]s, deduplicated by their resolved node, with
//! payloads dispatched on their `schemaFormat`.

use crate::load::Members;
use foldhash::{HashMap, HashSet};
use std::sync::mpsc::Sender;

use serde_json::{Map, Value};

use crate::diag::Code;
use crate::ir::avro::avro_type;
use crate::ir::context::{Context, last_token, str_field};
use crate::ir::naming::Namespace;
use crate::ir::schema::TypeBuilder;
use crate::ir::validation::Payload;
use crate::ir::{CorrelationId, Message, MessageExample, MessageId, TypeRef};
use crate::load::NodeRef;

/// How a payload schema is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaFormat {
    /// AsyncAPI Schema, JSON Schema of any draft, OpenAPI 3.0 schema objects.
    JsonSchema,
    Avro,
    Unknown(String),
}

impl SchemaFormat {
    pub fn parse(format: &str) -> SchemaFormat {
        let media = format.trim().to_ascii_lowercase();
        let json_like = [
            "application/vnd.aai.asyncapi",
            "application/schema+json",
            "application/schema+yaml",
            "application/vnd.oai.openapi",
        ];
        if json_like.iter().any(|p| media.starts_with(p)) {
            SchemaFormat::JsonSchema
        } else if media.starts_with("application/vnd.apache.avro") {
            SchemaFormat::Avro
        } else {
            SchemaFormat::Unknown(format.to_string())
        }
    }
}

pub struct MessageBuilder {
    /// Each message's `validator` is, until the program is built, the
    /// number of its payload among those sent to `payloads`.
    pub messages: Vec<Message>,
    by_node: HashMap<NodeRef, MessageId>,
    names: Namespace,
    /// The root's `defaultContentType`.
    default_content_type: Option<String>,
    /// Where each payload goes to have its validator built.
    payloads: Sender<Payload>,
    sent: usize,
}

impl MessageBuilder {
    pub fn new(default_content_type: Option<String>, payloads: Sender<Payload>) -> Self {
        MessageBuilder {
            messages: Vec::new(),
            by_node: HashMap::default(),
            names: Namespace::new(),
            default_content_type,
            payloads,
            sent: 0,
        }
    }

    /// Sends `payload` to the program's builder; its number among those sent.
    fn validator(&mut self, payload: Payload) -> usize {
        // The builder only stops once this sender is dropped.
        let _ = self.payloads.send(payload);
        self.sent += 1;
        self.sent - 1
    }

    /// The id of the message at `node` (a Message Object or a ref to one),
    /// building it on first sight. `key` names it when its location does not.
    pub fn message(
        &mut self,
        cx: &mut Context<'_>,
        types: &mut TypeBuilder,
        node: &NodeRef,
        key: &str,
    ) -> Option<MessageId> {
        let (target, map) = cx.object(node)?;
        if let Some(&id) = self.by_node.get(&target) {
            return Some(id);
        }
        let spec = last_token(&target.pointer)
            .filter(|t| !t.is_empty() && !t.chars().all(|c| c.is_ascii_digit()))
            .or_else(|| str_field(map, "name"))
            .unwrap_or_else(|| key.to_string());
        let name = self.names.claim(&spec, key, "N");
        let id = self.messages.len();
        self.by_node.insert(target.clone(), id);

        let field = |cx: &mut Context<'_>, k: &str| with_traits(cx, &target, map, k);
        let text = |cx: &mut Context<'_>, k: &str| {
            let at = with_traits(cx, &target, map, k)?;
            cx.raw(&at).and_then(Value::as_str).map(str::to_string)
        };
        let payload_at = field(cx, "payload");
        let payload = payload_at
            .as_ref()
            .map(|at| schema_of(cx, types, at, &format!("{}Payload", name.pascal)));
        let validator = payload_at.map(|at| self.validator(validated_as(cx, &at)));
        let headers = field(cx, "headers")
            .map(|at| schema_of(cx, types, &at, &format!("{}Headers", name.pascal)));
        let correlation_id = field(cx, "correlationId").and_then(|at| correlation(cx, &at));
        let examples = field(cx, "examples")
            .map(|at| examples(cx, &at))
            .unwrap_or_default();
        let message = Message {
            title: text(cx, "title"),
            summary: text(cx, "summary"),
            description: text(cx, "description"),
            content_type: text(cx, "contentType").or_else(|| self.default_content_type.clone()),
            payload,
            validator,
            headers,
            correlation_id,
            examples,
            origin: cx.origin(&target),
            name,
        };
        self.messages.push(message);
        Some(id)
    }
}

/// A field of a Message (or Operation) Object, else of its first trait that has it.
pub fn with_traits(
    cx: &mut Context<'_>,
    node: &NodeRef,
    map: &Map<String, Value>,
    key: &str,
) -> Option<NodeRef> {
    if map.has(key) {
        return Some(node.child(key));
    }
    let count = map
        .member("traits")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    for i in 0..count {
        let Some((trait_node, trait_map)) = cx.object(&node.child("traits").child(&i.to_string()))
        else {
            continue;
        };
        if trait_map.has(key) {
            return Some(trait_node.child(key));
        }
    }
    None
}

/// The type of a payload or headers schema, honouring a Multi Format Schema.
fn schema_of(cx: &mut Context<'_>, types: &mut TypeBuilder, at: &NodeRef, hint: &str) -> TypeRef {
    let doc = cx.doc;
    let Ok((resolved, value)) = doc.value(at) else {
        return types.schema(cx, at, hint);
    };
    let format = value
        .as_object()
        .filter(|m| m.has("schema"))
        .and_then(|m| m.member("schemaFormat"))
        .and_then(Value::as_str);
    let Some(format) = format else {
        return types.schema(cx, at, hint);
    };
    let schema = resolved.child("schema");
    match SchemaFormat::parse(format) {
        SchemaFormat::JsonSchema => types.schema(cx, &schema, hint),
        SchemaFormat::Avro => avro_type(types, cx, &schema, hint),
        SchemaFormat::Unknown(format) => {
            cx.warn(
                Code::UnknownSchemaFormat,
                &resolved,
                format!("schema format '{format}' is not supported; the payload is modelled as any value"),
            );
            TypeRef::Any
        }
    }
}

/// What validates the payload at `at`.
fn validated_as(cx: &Context<'_>, at: &NodeRef) -> Payload {
    match json_schema_of(cx, at) {
        Some(schema) => Payload::Schema(schema),
        None => Payload::Any,
    }
}

/// The payloads the model sends the program's builder, in its order, as
/// far as the channels' and the components' messages tell: each channel
/// in order, each of its messages, then the components' messages, each
/// message once. (Operations and replies may name messages of their own,
/// or channels the `channels` object does not hold; the builder then
/// finds the model sends others.) Within the model's limits on members:
/// a document past them is refused, and reading it here would be waste.
pub fn expected_payloads(cx: &mut Context<'_>) -> Vec<Payload> {
    use crate::ir::context::{MAX_MEMBERS, MAX_MEMBERS_TOTAL};
    let root = cx.doc.root();
    let mut channels_seen = HashSet::default();
    let mut messages_seen = HashSet::default();
    let mut payloads = Vec::new();
    let mut read = 0usize;
    let mut lists = Vec::new();
    let channels = cx.entries(&root.child("channels"));
    if channels.len() <= MAX_MEMBERS {
        for (_, channel) in channels {
            if let Some((target, _)) = cx.object(&channel)
                && channels_seen.insert(target.clone())
            {
                lists.push(target.child("messages"));
            }
        }
    }
    lists.push(root.child("components").child("messages"));
    for list in lists {
        let messages = cx.entries(&list);
        read = read.saturating_add(messages.len());
        if messages.len() > MAX_MEMBERS || read > MAX_MEMBERS_TOTAL {
            continue;
        }
        for (_, message) in messages {
            let Some((target, map)) = cx.object(&message) else {
                continue;
            };
            if !messages_seen.insert(target.clone()) {
                continue;
            }
            if let Some(at) = with_traits(cx, &target, map, "payload") {
                payloads.push(validated_as(cx, &at));
            }
        }
    }
    payloads
}

/// The JSON Schema a payload is written in, if it is one (not Avro or an
/// unknown format).
fn json_schema_of(cx: &Context<'_>, at: &NodeRef) -> Option<NodeRef> {
    let Ok((resolved, value)) = cx.value(at) else {
        return Some(at.clone());
    };
    let format = value
        .as_object()
        .filter(|m| m.has("schema"))
        .and_then(|m| m.member("schemaFormat"))
        .and_then(Value::as_str);
    match format.map(SchemaFormat::parse) {
        None => Some(at.clone()),
        Some(SchemaFormat::JsonSchema) => Some(resolved.child("schema")),
        Some(_) => None,
    }
}

fn correlation(cx: &mut Context<'_>, at: &NodeRef) -> Option<CorrelationId> {
    let (target, map) = cx.object(at)?;
    match str_field(map, "location") {
        Some(location) => Some(CorrelationId {
            location,
            description: str_field(map, "description"),
        }),
        None => {
            cx.warn(
                Code::CorrelationId,
                &target,
                "correlationId without a `location` is ignored",
            );
            None
        }
    }
}

fn examples(cx: &mut Context<'_>, at: &NodeRef) -> Vec<MessageExample> {
    let doc = cx.doc;
    let count = doc.raw(at).and_then(Value::as_array).map_or(0, Vec::len);
    (0..count)
        .filter_map(|i| {
            let (_, map) = cx.object(&at.child(&i.to_string()))?;
            Some(MessageExample {
                name: str_field(map, "name"),
                summary: str_field(map, "summary"),
                payload: map.member("payload").cloned(),
                headers: map.member("headers").cloned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_formats_are_recognised() {
        for f in [
            "application/vnd.aai.asyncapi;version=3.0.0",
            "application/vnd.aai.asyncapi+json;version=3.0.0",
            "application/vnd.aai.asyncapi+yaml;version=3.0.0",
            "application/schema+json;version=draft-07",
            "application/schema+yaml;version=draft-07",
            "application/schema+json;version=2020-12",
            "application/vnd.oai.openapi;version=3.0.0",
        ] {
            assert_eq!(SchemaFormat::parse(f), SchemaFormat::JsonSchema, "{f}");
        }
        assert_eq!(
            SchemaFormat::parse("application/vnd.apache.avro;version=1.9.0"),
            SchemaFormat::Avro
        );
        assert_eq!(
            SchemaFormat::parse("application/raml+yaml;version=1.0"),
            SchemaFormat::Unknown("application/raml+yaml;version=1.0".into())
        );
    }
}
