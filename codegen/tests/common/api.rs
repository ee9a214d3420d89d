//! Hand-built `Api` values for the TypeScript emitter tests (independent of
//! the IR builder).

use chanx_codegen::internal::ir::*;
use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Value, json};

pub fn name(spec: &str) -> Name {
    let pascal = spec.to_upper_camel_case();
    let pascal = if pascal.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{pascal}")
    } else {
        pascal
    };
    Name {
        spec: spec.to_string(),
        snake: pascal.to_snake_case(),
        pascal,
    }
}

fn origin(pointer: &str) -> Origin {
    Origin {
        file: "test.yaml".into(),
        pointer: pointer.into(),
    }
}

/// Builds an `Api` piece by piece, handing out ids as it goes.
pub struct ApiBuilder {
    api: Api,
}

impl ApiBuilder {
    pub fn new(source: &str, title: &str) -> Self {
        ApiBuilder {
            api: Api {
                source: source.into(),
                asyncapi_version: "3.0.0".into(),
                title: title.into(),
                version: "1.0.0".into(),
                description: None,
                servers: Vec::new(),
                channels: Vec::new(),
                operations: Vec::new(),
                messages: Vec::new(),
                types: TypeSpace::default(),
                program: Default::default(),
                document: None,
            },
        }
    }

    pub fn description(mut self, text: &str) -> Self {
        self.api.description = Some(text.into());
        self
    }

    pub fn ty(&mut self, spec: &str, description: Option<&str>, kind: TypeKind) -> TypeId {
        let id = self.api.types.types.len();
        self.api.types.types.push(TypeDef {
            id,
            name: name(spec),
            title: Some(spec.into()),
            description: description.map(Into::into),
            kind,
            default: None,
            examples: Vec::new(),
            origin: origin(&format!("/components/schemas/{spec}")),
        });
        id
    }

    pub fn message(&mut self, spec: &str, payload: Option<TypeRef>) -> MessageId {
        let id = self.api.messages.len();
        self.api.messages.push(Message {
            name: name(spec),
            title: None,
            summary: None,
            description: None,
            content_type: None,
            payload,
            validator: None,
            headers: None,
            correlation_id: None,
            examples: Vec::new(),
            origin: origin(&format!("/components/messages/{spec}")),
        });
        id
    }

    pub fn message_mut(&mut self, id: MessageId) -> &mut Message {
        &mut self.api.messages[id]
    }

    /// A channel; `messages` are `(key, message, tag)`; `incoming`/`outgoing`
    /// are computed from the operations added later.
    pub fn channel(
        &mut self,
        spec: &str,
        address: Option<&str>,
        tag_key: Option<&str>,
        parameters: Vec<Parameter>,
        messages: &[(&str, MessageId, Option<&str>)],
    ) -> ChannelId {
        let id = self.api.channels.len();
        self.api.channels.push(Channel {
            name: name(spec),
            address: address.map(Into::into),
            title: Some(spec.into()),
            summary: None,
            description: None,
            parameters,
            messages: messages
                .iter()
                .map(|(key, message, tag)| ChannelMessage {
                    key: key.to_string(),
                    message: *message,
                    tag: tag.map(Into::into),
                    variant: name(tag.unwrap_or(key)),
                })
                .collect(),
            incoming: Vec::new(),
            outgoing: Vec::new(),
            tag_key: tag_key.map(Into::into),
            bindings: None,
            topic: None,
            hosted_topics: Vec::new(),
            synthesized: false,
            binding_credentials: Vec::new(),
            origin: origin(&format!("/channels/{spec}")),
        });
        id
    }

    pub fn channel_mut(&mut self, id: ChannelId) -> &mut Channel {
        &mut self.api.channels[id]
    }

    /// An operation; a receive operation's messages become the channel's
    /// incoming ones and its replies outgoing, a send operation's outgoing.
    pub fn operation(
        &mut self,
        spec: &str,
        action: Action,
        channel: ChannelId,
        messages: &[MessageId],
        reply: Option<&[MessageId]>,
        summary: Option<&str>,
    ) -> OperationId {
        let id = self.api.operations.len();
        let ch = &mut self.api.channels[channel];
        let (mine, theirs) = match action {
            Action::Receive => (&mut ch.incoming, &mut ch.outgoing),
            Action::Send => (&mut ch.outgoing, &mut ch.incoming),
        };
        for m in messages {
            if !mine.contains(m) {
                mine.push(*m);
            }
        }
        for m in reply.unwrap_or(&[]) {
            if !theirs.contains(m) {
                theirs.push(*m);
            }
        }
        self.api.operations.push(Operation {
            name: name(spec),
            action,
            channel,
            messages: messages.to_vec(),
            reply: reply.map(|messages| Reply {
                channel: Some(channel),
                messages: messages.to_vec(),
                address_location: None,
            }),
            title: None,
            summary: summary.map(Into::into),
            description: None,
            security: Vec::new(),
            credentials: Vec::new(),
            origin: origin(&format!("/operations/{spec}")),
        });
        id
    }

    pub fn finish(self) -> Api {
        self.api
    }
}

pub fn field(spec: &str, ty: TypeRef, required: bool) -> Field {
    Field {
        name: name(spec),
        ty,
        required,
        description: None,
        default: None,
        deprecated: false,
    }
}

pub fn string() -> TypeRef {
    TypeRef::String { format: None }
}

pub fn integer() -> TypeRef {
    TypeRef::Integer { format: None }
}

pub fn constant(value: Value) -> TypeRef {
    TypeRef::Const(value)
}

pub fn parameter(spec: &str, description: Option<&str>) -> Parameter {
    Parameter {
        name: name(spec),
        description: description.map(Into::into),
        enum_values: Vec::new(),
        default: None,
        examples: Vec::new(),
        location: None,
    }
}

/// A chanx frame struct: `{action: const tag (optional, defaulted), payload}`.
fn frame(
    b: &mut ApiBuilder,
    spec: &str,
    tag: &str,
    payload: TypeRef,
    required: bool,
    doc: Option<&str>,
) -> TypeId {
    let mut action = field("action", constant(json!(tag)), false);
    action.default = Some(json!(tag));
    let mut payload = field("payload", payload, required);
    if !required {
        payload.default = Some(Value::Null);
    }
    b.ty(
        spec,
        doc,
        TypeKind::Struct {
            fields: vec![action, payload],
            additional: Additional::Unset,
        },
    )
}

/// `specs/chat.yaml` as the IR builder is expected to model it, with a
/// `{room}` parameter added to the address, plus a `jobs` channel whose
/// request/reply is matched by a `ref` correlation id.
pub fn chat_api() -> Api {
    let mut b = ApiBuilder::new("specs/chat.yaml", "Chat API")
        .description("The chat consumer from the chanx README: ping/pong, chat messages broadcast\nto the room, and notifications pushed by the server.\n");
    let ping = frame(&mut b, "PingMessage", "ping", TypeRef::Null, false, None);
    let pong = frame(&mut b, "PongMessage", "pong", TypeRef::Null, false, None);
    let chat_payload = b.ty(
        "ChatPayload",
        None,
        TypeKind::Struct {
            fields: vec![field("message", string(), true)],
            additional: Additional::Unset,
        },
    );
    let chat = frame(
        &mut b,
        "ChatMessage",
        "chat",
        TypeRef::Named(chat_payload),
        true,
        Some("A chat message from a client."),
    );
    let chat_notification = frame(
        &mut b,
        "ChatNotificationMessage",
        "chat_notification",
        TypeRef::Named(chat_payload),
        true,
        Some("A chat message relayed to everyone in the room."),
    );
    let level = b.ty(
        "NotificationPayloadLevel",
        None,
        TypeKind::Enum {
            values: ["info", "warning", "error"]
                .iter()
                .map(|v| EnumValue {
                    name: name(v),
                    value: json!(v),
                    description: None,
                })
                .collect(),
        },
    );
    let mut level_field = field("level", TypeRef::Named(level), false);
    level_field.default = Some(json!("info"));
    let notification_payload = b.ty(
        "NotificationPayload",
        None,
        TypeKind::Struct {
            fields: vec![field("message", string(), true), level_field],
            additional: Additional::Unset,
        },
    );
    let notification = frame(
        &mut b,
        "NotificationMessage",
        "notification",
        TypeRef::Named(notification_payload),
        true,
        Some("A notification pushed by the server."),
    );

    let m_ping = b.message("pingMessage", Some(TypeRef::Named(ping)));
    let m_pong = b.message("pongMessage", Some(TypeRef::Named(pong)));
    let m_chat = b.message("chatMessage", Some(TypeRef::Named(chat)));
    let m_chat_notification = b.message(
        "chatNotificationMessage",
        Some(TypeRef::Named(chat_notification)),
    );
    let m_notification = b.message("notificationMessage", Some(TypeRef::Named(notification)));

    let ch = b.channel(
        "chat",
        Some("/ws/chat/{room}"),
        Some("action"),
        vec![parameter("room", Some("The room to join."))],
        &[
            ("pingMessage", m_ping, Some("ping")),
            ("pongMessage", m_pong, Some("pong")),
            ("chatMessage", m_chat, Some("chat")),
            (
                "chatNotificationMessage",
                m_chat_notification,
                Some("chat_notification"),
            ),
            ("notificationMessage", m_notification, Some("notification")),
        ],
    );
    b.channel_mut(ch).description = Some("Real-time chat API".into());
    b.operation(
        "handlePing",
        Action::Receive,
        ch,
        &[m_ping],
        Some(&[m_pong]),
        Some("Handle ping requests"),
    );
    b.operation(
        "handleChat",
        Action::Receive,
        ch,
        &[m_chat],
        None,
        Some("Send chat message to all users"),
    );
    b.operation(
        "handleChatNotification",
        Action::Send,
        ch,
        &[m_chat_notification],
        None,
        Some("Chat message broadcast to the room"),
    );
    b.operation(
        "handleNotification",
        Action::Send,
        ch,
        &[m_notification],
        None,
        Some("Notification pushed by the server"),
    );

    add_jobs_channel(&mut b);
    b.finish()
}

/// Jobs: correlated request/reply (`ref` in the frame), a parameter with an
/// enum and a default, and a server `error` message (a lifecycle name).
fn add_jobs_channel(b: &mut ApiBuilder) {
    let start_payload = b.ty(
        "StartJobPayload",
        None,
        TypeKind::Struct {
            fields: vec![
                field("name", string(), true),
                field("priority", integer(), false),
            ],
            additional: Additional::Forbidden,
        },
    );
    let start = b.ty(
        "StartJob",
        Some("Starts a job."),
        TypeKind::Struct {
            fields: vec![
                field("action", constant(json!("start")), true),
                field("ref", string(), false),
                field("payload", TypeRef::Named(start_payload), true),
            ],
            additional: Additional::Forbidden,
        },
    );
    let started = b.ty(
        "JobStarted",
        None,
        TypeKind::Struct {
            fields: vec![
                field("action", constant(json!("started")), true),
                field("ref", string(), false),
                field("payload", TypeRef::Map(Box::new(integer())), true),
            ],
            additional: Additional::Forbidden,
        },
    );
    let failure = b.ty(
        "JobError",
        None,
        TypeKind::Struct {
            fields: vec![
                field("action", constant(json!("error")), true),
                field("payload", TypeRef::Any, true),
            ],
            additional: Additional::Forbidden,
        },
    );
    let m_start = b.message("startJob", Some(TypeRef::Named(start)));
    let m_started = b.message("jobStarted", Some(TypeRef::Named(started)));
    let m_error = b.message("jobError", Some(TypeRef::Named(failure)));
    for m in [m_start, m_started] {
        b.message_mut(m).correlation_id = Some(CorrelationId {
            location: "$message.payload#/ref".into(),
            description: None,
        });
    }
    b.message_mut(m_start).summary = Some("Queue a job".into());
    let mut kind = parameter("kind", None);
    kind.enum_values = vec!["build".into(), "test".into()];
    kind.default = Some("build".into());
    let ch = b.channel(
        "jobs",
        Some("ws/jobs/{kind}/"),
        Some("action"),
        vec![kind],
        &[
            ("startJob", m_start, Some("start")),
            ("jobStarted", m_started, Some("started")),
            ("jobError", m_error, Some("error")),
        ],
    );
    b.operation(
        "startJob",
        Action::Receive,
        ch,
        &[m_start],
        Some(&[m_started]),
        None,
    );
    b.operation("reportError", Action::Send, ch, &[m_error], None, None);
}

/// An untagged echo channel without an address or parameters.
pub fn untagged_api() -> Api {
    let mut b = ApiBuilder::new("echo.yaml", "Echo");
    let echo = b.ty(
        "Echo",
        None,
        TypeKind::Struct {
            fields: vec![
                field("text", string(), true),
                field("count", integer(), false),
            ],
            additional: Additional::Forbidden,
        },
    );
    let m_text = b.message("text", Some(string()));
    let m_echo = b.message("echo", Some(TypeRef::Named(echo)));
    let m_raw = b.message("raw", None);
    let ch = b.channel(
        "echo",
        None,
        None,
        Vec::new(),
        &[
            ("text", m_text, None),
            ("echo", m_echo, None),
            ("raw", m_raw, None),
        ],
    );
    b.operation(
        "sendText",
        Action::Receive,
        ch,
        &[m_text],
        Some(&[m_echo]),
        Some("Echoes text back"),
    );
    b.operation("sendRaw", Action::Receive, ch, &[m_raw], None, None);
    b.operation("pushEcho", Action::Send, ch, &[m_echo, m_raw], None, None);
    b.finish()
}

/// Every type shape, awkward property names, and type names that clash
/// with TypeScript globals, the runtime and the generated client.
pub fn shapes_api() -> Api {
    let mut b = ApiBuilder::new("shapes.yaml", "Shapes");
    let color = b.ty(
        "Color",
        Some("Colours, */ closed."),
        TypeKind::Enum {
            values: [json!("red"), json!("green"), json!(3), Value::Null]
                .into_iter()
                .map(|value| EnumValue {
                    name: name(&value.to_string()),
                    value,
                    description: None,
                })
                .collect(),
        },
    );
    let tree = b.ty(
        "Tree",
        Some("A recursive struct."),
        TypeKind::Struct {
            fields: Vec::new(),
            additional: Additional::Forbidden,
        },
    );
    let json_value = b.ty(
        "JsonValue",
        Some("A recursive alias through a map and an array."),
        TypeKind::Union {
            variants: Vec::new(),
            tag: None,
            exclusive: false,
        },
    );
    let circle = b.ty(
        "Circle",
        None,
        TypeKind::Struct {
            fields: vec![
                field("shape", constant(json!("circle")), true),
                field("radius", TypeRef::Number { format: None }, true),
            ],
            additional: Additional::Forbidden,
        },
    );
    let square = b.ty(
        "Square",
        None,
        TypeKind::Struct {
            fields: vec![field("side", TypeRef::Number { format: None }, true)],
            additional: Additional::Forbidden,
        },
    );
    let shape = b.ty(
        "Shape",
        Some("Tagged by `shape`; `Square` lacks the constant."),
        TypeKind::Union {
            variants: vec![
                Variant {
                    name: name("circle"),
                    ty: TypeRef::Named(circle),
                    tag_value: Some("circle".into()),
                },
                Variant {
                    name: name("square"),
                    ty: TypeRef::Named(square),
                    tag_value: Some("square".into()),
                },
            ],
            tag: Some("shape".into()),
            exclusive: true,
        },
    );
    let error = b.ty(
        "Error",
        Some("Shadows the global `Error`."),
        TypeKind::Struct {
            fields: vec![
                field("code", integer(), true),
                field("detail", TypeRef::Nullable(Box::new(string())), false),
            ],
            additional: Additional::Forbidden,
        },
    );
    let promise = b.ty(
        "Promise",
        None,
        TypeKind::Alias {
            target: TypeRef::Array(Box::new(TypeRef::Named(error))),
        },
    );
    let record = b.ty(
        "Record",
        None,
        TypeKind::Alias {
            target: TypeRef::Map(Box::new(TypeRef::Named(color))),
        },
    );
    let client_clash = b.ty(
        "ShapesClient",
        Some("Named like the generated client."),
        TypeKind::Alias { target: string() },
    );
    let runtime_clash = b.ty(
        "ChanxClientBase",
        None,
        TypeKind::Alias {
            target: TypeRef::Any,
        },
    );
    let mut class_field = field("class", string(), true);
    class_field.description = Some("A reserved word as a property.".into());
    let mut old = field("default", TypeRef::Boolean, false);
    old.deprecated = true;
    let everything = b.ty(
        "Everything",
        Some("One property of each shape."),
        TypeKind::Struct {
            fields: vec![
                class_field,
                old,
                field("delete", TypeRef::Null, true),
                field("content-type", string(), false),
                field("2fa", TypeRef::Nullable(Box::new(integer())), true),
                field("kind", constant(json!("everything")), true),
                field("answer", constant(json!(42)), false),
                field("nested", constant(json!({"a": [1, "b"]})), false),
                field("color", TypeRef::Named(color), false),
                field(
                    "colors",
                    TypeRef::Array(Box::new(TypeRef::Nullable(Box::new(TypeRef::Named(color))))),
                    false,
                ),
                field("shape", TypeRef::Named(shape), false),
                field("tree", TypeRef::Named(tree), false),
                field("json", TypeRef::Named(json_value), false),
                field("error", TypeRef::Named(error), false),
                field("promise", TypeRef::Named(promise), false),
                field("record", TypeRef::Named(record), false),
                field("client", TypeRef::Named(client_clash), false),
                field("runtime", TypeRef::Named(runtime_clash), false),
                field("anything", TypeRef::Any, false),
                field("flags", TypeRef::Map(Box::new(TypeRef::Boolean)), false),
            ],
            additional: Additional::Forbidden,
        },
    );
    let open = b.ty(
        "OpenObject",
        None,
        TypeKind::Struct {
            fields: vec![field("id", string(), true)],
            additional: Additional::Allowed(TypeRef::Any),
        },
    );
    let typed_extra = b.ty(
        "Counters",
        None,
        TypeKind::Struct {
            fields: Vec::new(),
            additional: Additional::Allowed(integer()),
        },
    );
    let mixed_extra = b.ty(
        "Labelled",
        None,
        TypeKind::Struct {
            fields: vec![field("label", string(), true)],
            additional: Additional::Allowed(integer()),
        },
    );
    let plain_union = b.ty(
        "IdOrName",
        None,
        TypeKind::Union {
            variants: vec![
                Variant {
                    name: name("integer"),
                    ty: integer(),
                    tag_value: None,
                },
                Variant {
                    name: name("string"),
                    ty: string(),
                    tag_value: None,
                },
                Variant {
                    name: name("labels"),
                    ty: TypeRef::Array(Box::new(TypeRef::Named(mixed_extra))),
                    tag_value: None,
                },
            ],
            tag: None,
            exclusive: false,
        },
    );
    // Close the recursive knots now that the ids exist.
    b_set_kind(
        &mut b,
        tree,
        TypeKind::Struct {
            fields: vec![
                field("value", TypeRef::Named(plain_union), true),
                field(
                    "children",
                    TypeRef::Array(Box::new(TypeRef::Named(tree))),
                    false,
                ),
            ],
            additional: Additional::Forbidden,
        },
    );
    b_set_kind(
        &mut b,
        json_value,
        TypeKind::Union {
            variants: vec![
                Variant {
                    name: name("string"),
                    ty: string(),
                    tag_value: None,
                },
                Variant {
                    name: name("number"),
                    ty: TypeRef::Number { format: None },
                    tag_value: None,
                },
                Variant {
                    name: name("boolean"),
                    ty: TypeRef::Boolean,
                    tag_value: None,
                },
                Variant {
                    name: name("null"),
                    ty: TypeRef::Null,
                    tag_value: None,
                },
                Variant {
                    name: name("array"),
                    ty: TypeRef::Array(Box::new(TypeRef::Named(json_value))),
                    tag_value: None,
                },
                Variant {
                    name: name("object"),
                    ty: TypeRef::Map(Box::new(TypeRef::Named(json_value))),
                    tag_value: None,
                },
            ],
            tag: None,
            exclusive: false,
        },
    );
    let m_everything = b.message("everything", Some(TypeRef::Named(everything)));
    let m_error = b.message("error", Some(TypeRef::Named(error)));
    let m_open = b.message("open", Some(TypeRef::Named(open)));
    let m_counters = b.message("counters", Some(TypeRef::Named(typed_extra)));
    let ch = b.channel(
        "shapes",
        Some("/shapes/{class}/{2fa}"),
        Some("kind"),
        vec![parameter("class", None), parameter("2fa", None)],
        &[
            ("everything", m_everything, Some("everything")),
            ("error", m_error, None),
            ("open", m_open, None),
            ("counters", m_counters, None),
        ],
    );
    b.operation(
        "submit",
        Action::Receive,
        ch,
        &[m_everything, m_open],
        Some(&[m_error, m_counters]),
        None,
    );
    b.operation("push", Action::Send, ch, &[m_everything], None, None);
    b.finish()
}

fn b_set_kind(b: &mut ApiBuilder, id: TypeId, kind: TypeKind) {
    b.api.types.types[id].kind = kind;
}
