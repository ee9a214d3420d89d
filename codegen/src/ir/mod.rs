//! The intermediate model: what a document describes, independent of YAML,
//! serde and any target language. Emitters read only this.
//!
//! Every named thing carries a [`Name`]: the name in the spec beside the
//! identifier-safe, collision-free names the emitters use. Emitters still
//! escape their own language's keywords (`type` → `r#type`), since that
//! differs per language.

mod avro;
pub mod build;
mod context;
pub mod credentials;
mod messages;
pub mod naming;
mod schema;
pub mod tags;
pub mod topics;
pub mod validation;

pub use build::{BuildOptions, build};
pub use messages::SchemaFormat;

use serde::Serialize;
use serde_json::Value;

/// A name as written in the spec and the forms emitters use.
///
/// `pascal` and `snake` contain only ASCII letters, digits and `_`, never
/// start with a digit, and are unique within their namespace (types,
/// channels, operations, fields of one struct, variants of one enum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name {
    /// As in the document (a component key, a property's wire name, …).
    pub spec: String,
    /// `ChatMessagePayload`: for types, variants, classes.
    pub pascal: String,
    /// `chat_message_payload`: for fields, functions, modules.
    pub snake: String,
}

/// Where a node comes from: the file (as shown to the user) and JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub file: String,
    pub pointer: String,
}

/// The whole described API.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    /// The root document as the user named it (for `@generated` headers).
    pub source: String,
    /// `3.0.0`, `3.1.0`.
    pub asyncapi_version: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    pub channels: Vec<Channel>,
    pub operations: Vec<Operation>,
    /// Every distinct message (a message shared by channels appears once).
    pub messages: Vec<Message>,
    pub types: TypeSpace,
    /// What the runtime validates payloads with (see [`validation`]).
    pub program: validation::Program,
    /// The document itself as compact JSON, every `$ref`'d file merged in
    /// (what a server serves at `/asyncapi.json`); `None` for models not
    /// read from one.
    #[serde(skip)]
    pub document: Option<String>,
}

impl Api {
    /// What a client of `channel` sends when it connects: its binding's
    /// values, then the credentials of the schemes its operations use.
    pub fn connect_credentials(&self, channel: ChannelId) -> Vec<credentials::Credential> {
        let Some(found) = self.channels.get(channel) else {
            return Vec::new();
        };
        let from_operations = self
            .operations
            .iter()
            .filter(|op| op.channel == channel)
            .flat_map(|op| op.credentials.iter().cloned());
        credentials::dedup(
            found
                .binding_credentials
                .iter()
                .cloned()
                .chain(from_operations),
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Server {
    pub name: Name,
    pub host: String,
    pub protocol: String,
    pub pathname: Option<String>,
    pub description: Option<String>,
}

/// The `{name}` placeholders of a channel address, in order, each once.
pub fn address_parameters(address: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = address;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].to_string();
        if !out.contains(&name) {
            out.push(name);
        }
        rest = &after[end + 1..];
    }
    out
}

pub type ChannelId = usize;
pub type OperationId = usize;
pub type MessageId = usize;

#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub name: Name,
    /// `None` for dynamic channels (`address: null` or absent).
    pub address: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// In the order they appear in the address, then any others declared.
    pub parameters: Vec<Parameter>,
    /// The messages the channel declares, in document order.
    pub messages: Vec<ChannelMessage>,
    /// Messages the described application receives on this channel.
    pub incoming: Vec<MessageId>,
    /// Messages it sends on this channel (replies included).
    pub outgoing: Vec<MessageId>,
    /// The property that tags this channel's messages (`action` for chanx),
    /// or `None` when they are not tagged by one const property.
    pub tag_key: Option<String>,
    /// Protocol bindings as written (`ws`, `mqtt`, …).
    pub bindings: Option<Value>,
    /// Set when the channel is a chanx topic (`x-topic`).
    pub topic: Option<topics::Topic>,
    /// Topic channels this channel's connection carries, in document order.
    pub hosted_topics: Vec<ChannelId>,
    /// Made by the model for topics whose host the document leaves out.
    pub synthesized: bool,
    /// The `ws` binding's `query` and `headers` values.
    pub binding_credentials: Vec<credentials::Credential>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelMessage {
    /// The key under `channels.X.messages`.
    pub key: String,
    pub message: MessageId,
    /// The value of the channel's tag property for this message (`"ping"`).
    pub tag: Option<String>,
    /// Variant name, unique within the channel's enums.
    pub variant: Name,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    pub name: Name,
    pub description: Option<String>,
    /// Allowed values when the parameter declares an `enum`.
    pub enum_values: Vec<String>,
    pub default: Option<String>,
    pub examples: Vec<String>,
    /// `location` runtime expression, when given.
    pub location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The described application sends.
    Send,
    /// The described application receives.
    Receive,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub name: Name,
    pub action: Action,
    pub channel: ChannelId,
    /// The messages of the operation (all of the channel's when not listed).
    pub messages: Vec<MessageId>,
    pub reply: Option<Reply>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Names of the security schemes that apply.
    pub security: Vec<String>,
    /// What those schemes ask a WebSocket client to send.
    pub credentials: Vec<credentials::Credential>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    /// The reply channel; `None` when the reply address is dynamic or unset.
    pub channel: Option<ChannelId>,
    /// The reply messages (all of the reply channel's when not listed).
    pub messages: Vec<MessageId>,
    /// A runtime expression for a dynamic reply address.
    pub address_location: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub name: Name,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub content_type: Option<String>,
    /// The payload type; `Untyped` payloads are `TypeRef::Any` with a warning.
    pub payload: Option<TypeRef>,
    /// The payload's definition in [`Api::program`].
    pub validator: Option<usize>,
    /// Headers schema type, when given.
    pub headers: Option<TypeRef>,
    pub correlation_id: Option<CorrelationId>,
    pub examples: Vec<MessageExample>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorrelationId {
    /// Runtime expression, e.g. `$message.payload#/ref`.
    pub location: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessageExample {
    pub name: Option<String>,
    pub summary: Option<String>,
    pub payload: Option<Value>,
    pub headers: Option<Value>,
}

pub type TypeId = usize;

/// Every named type, indexed by [`TypeId`]; names are unique.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TypeSpace {
    pub types: Vec<TypeDef>,
}

impl TypeSpace {
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    pub id: TypeId,
    pub name: Name,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: TypeKind,
    pub default: Option<Value>,
    pub examples: Vec<Value>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeKind {
    /// An object with declared properties (allOf parts already merged).
    Struct {
        fields: Vec<Field>,
        /// What the schema says about properties it does not declare.
        additional: Additional,
    },
    /// A closed set of scalar values (`enum`).
    Enum { values: Vec<EnumValue> },
    /// `oneOf` / `anyOf`. `tag` is the discriminating property, when there is one.
    Union {
        variants: Vec<Variant>,
        tag: Option<String>,
        exclusive: bool,
    },
    /// A named alias of another shape (a component that is an array, a map, a primitive).
    Alias { target: TypeRef },
}

/// A struct's `additionalProperties`: whether the object is closed (exactly
/// the declared properties) or open (other keys belong to the value).
///
/// Emitters follow one rule (docs/generated-rust.md, "Unknown properties"):
/// `Unset` and `Forbidden` are closed types for code that builds messages
/// (undeclared keys of a received frame are dropped, or rejected when
/// `Forbidden`); only `Allowed` opens the type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Additional {
    /// `additionalProperties` absent: pydantic's `extra="ignore"`.
    Unset,
    /// `additionalProperties: false`: pydantic's `extra="forbid"`.
    Forbidden,
    /// `additionalProperties: true` (`Any`) or a schema: pydantic's
    /// `extra="allow"`; other keys hold values of this type.
    Allowed(TypeRef),
}

impl Additional {
    /// The type of other properties when the schema allows them.
    pub fn allowed(&self) -> Option<&TypeRef> {
        match self {
            Additional::Allowed(ty) => Some(ty),
            Additional::Unset | Additional::Forbidden => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// `spec` is the wire name.
    pub name: Name,
    pub ty: TypeRef,
    pub required: bool,
    pub description: Option<String>,
    pub default: Option<Value>,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumValue {
    pub name: Name,
    pub value: Value,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Variant {
    pub name: Name,
    pub ty: TypeRef,
    /// The value of the union's tag property for this variant.
    pub tag_value: Option<String>,
}

/// The shape of a value, referring to named types by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "of", rename_all = "snake_case")]
pub enum TypeRef {
    Named(TypeId),
    String {
        format: Option<String>,
    },
    Integer {
        format: Option<String>,
    },
    Number {
        format: Option<String>,
    },
    Boolean,
    /// Only `null` (`type: null`).
    Null,
    /// Anything (untyped, `{}`, unsupported schema formats, `not`).
    Any,
    /// Exactly this JSON value (`const`).
    Const(Value),
    Array(Box<TypeRef>),
    /// `additionalProperties`-only objects: string keys to values of this type.
    Map(Box<TypeRef>),
    /// The inner type or `null`.
    Nullable(Box<TypeRef>),
}

impl TypeRef {
    /// A string of format `password` (pydantic's `SecretStr`, `SecretBytes`):
    /// held in Rust as `chanx_runtime::Secret`, which a server writes masked
    /// as pydantic does.
    pub fn is_secret(&self) -> bool {
        matches!(self, TypeRef::String { format: Some(format) } if format == "password")
    }
}
