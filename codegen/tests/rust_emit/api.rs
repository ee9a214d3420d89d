//! Hand-built IR values for the Rust emitter tests (no document loading).

use chanx_codegen::internal::ir::*;
use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Value, json};

pub fn name(spec: &str) -> Name {
    Name {
        spec: spec.to_string(),
        pascal: spec.to_upper_camel_case(),
        snake: spec.to_snake_case(),
    }
}

/// A name whose identifier forms are given explicitly (keywords, odd values).
pub fn name_as(spec: &str, pascal: &str, snake: &str) -> Name {
    Name {
        spec: spec.to_string(),
        pascal: pascal.to_string(),
        snake: snake.to_string(),
    }
}

pub fn origin(pointer: &str) -> Origin {
    Origin {
        file: "test.yaml".to_string(),
        pointer: pointer.to_string(),
    }
}

pub fn string() -> TypeRef {
    TypeRef::String { format: None }
}

pub fn integer(format: Option<&str>) -> TypeRef {
    TypeRef::Integer {
        format: format.map(str::to_string),
    }
}

pub fn named(id: TypeId) -> TypeRef {
    TypeRef::Named(id)
}

pub fn nullable(ty: TypeRef) -> TypeRef {
    TypeRef::Nullable(Box::new(ty))
}

pub fn array(ty: TypeRef) -> TypeRef {
    TypeRef::Array(Box::new(ty))
}

pub fn map(ty: TypeRef) -> TypeRef {
    TypeRef::Map(Box::new(ty))
}

pub fn field(spec: &str, ty: TypeRef, required: bool) -> Field {
    field_named(name(spec), ty, required)
}

pub fn field_named(name: Name, ty: TypeRef, required: bool) -> Field {
    Field {
        name,
        ty,
        required,
        description: None,
        default: None,
        deprecated: false,
    }
}

pub fn def(id: TypeId, spec: &str, kind: TypeKind) -> TypeDef {
    TypeDef {
        id,
        name: name(spec),
        title: Some(spec.to_string()),
        description: None,
        kind,
        default: None,
        examples: Vec::new(),
        origin: origin(&format!("/components/schemas/{spec}")),
    }
}

/// A struct as pydantic emits it by default: `additionalProperties` unset.
pub fn object(id: TypeId, spec: &str, fields: Vec<Field>) -> TypeDef {
    def(
        id,
        spec,
        TypeKind::Struct {
            fields,
            additional: Additional::Unset,
        },
    )
}

pub fn string_enum(id: TypeId, spec: &str, values: &[(&str, &str)]) -> TypeDef {
    def(
        id,
        spec,
        TypeKind::Enum {
            values: values
                .iter()
                .map(|(value, pascal)| enum_value(json!(value), pascal))
                .collect(),
        },
    )
}

pub fn enum_value(value: Value, pascal: &str) -> EnumValue {
    EnumValue {
        name: name_as(&value.to_string(), pascal, &pascal.to_snake_case()),
        value,
        description: None,
    }
}

pub fn variant(spec: &str, ty: TypeRef, tag_value: Option<&str>) -> Variant {
    Variant {
        name: name(spec),
        ty,
        tag_value: tag_value.map(str::to_string),
    }
}

pub fn message(spec: &str, payload: Option<TypeRef>) -> Message {
    Message {
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
    }
}

pub fn channel_message(key: &str, message: MessageId, tag: Option<&str>) -> ChannelMessage {
    ChannelMessage {
        key: key.to_string(),
        message,
        tag: tag.map(str::to_string),
        variant: name(key.trim_end_matches("Message")),
    }
}

pub fn channel(spec: &str, address: Option<&str>, messages: Vec<ChannelMessage>) -> Channel {
    Channel {
        name: name(spec),
        address: address.map(str::to_string),
        title: None,
        summary: None,
        description: None,
        parameters: Vec::new(),
        messages,
        incoming: Vec::new(),
        outgoing: Vec::new(),
        tag_key: Some("action".to_string()),
        bindings: None,
        topic: None,
        hosted_topics: Vec::new(),
        synthesized: false,
        binding_credentials: Vec::new(),
        origin: origin(&format!("/channels/{spec}")),
    }
}

pub fn operation(
    spec: &str,
    action: Action,
    channel: ChannelId,
    messages: Vec<MessageId>,
) -> Operation {
    Operation {
        name: name(spec),
        action,
        channel,
        messages,
        reply: None,
        title: None,
        summary: None,
        description: None,
        security: Vec::new(),
        credentials: Vec::new(),
        origin: origin(&format!("/operations/{spec}")),
    }
}

pub fn reply(channel: ChannelId, messages: Vec<MessageId>) -> Option<Reply> {
    Some(Reply {
        channel: Some(channel),
        messages,
        address_location: None,
    })
}

pub fn api(
    types: Vec<TypeDef>,
    messages: Vec<Message>,
    channels: Vec<Channel>,
    operations: Vec<Operation>,
) -> Api {
    Api {
        source: "specs/test.yaml".to_string(),
        asyncapi_version: "3.0.0".to_string(),
        title: "Test".to_string(),
        version: "1.0.0".to_string(),
        description: None,
        servers: Vec::new(),
        channels,
        operations,
        messages,
        types: TypeSpace { types },
        program: Default::default(),
        document: None,
    }
}

/// A frame struct as chanx emits it: `action` const (optional, with itself
/// as the default) plus `payload`.
fn frame(id: TypeId, spec: &str, action: &str, payload: TypeRef, required: bool) -> TypeDef {
    let mut action_field = field("action", TypeRef::Const(json!(action)), false);
    action_field.default = Some(json!(action));
    let mut payload_field = field("payload", payload, required);
    if !required && payload_field.ty == TypeRef::Null {
        payload_field.default = Some(serde_json::Value::Null);
    }
    object(id, spec, vec![action_field, payload_field])
}

/// `specs/chat.yaml` as the IR builder is expected to model it.
pub fn chat() -> Api {
    let mut chat_message = frame(3, "ChatMessage", "chat", named(2), true);
    chat_message.description = Some("A chat message from a client.".to_string());
    let mut level = string_enum(
        6,
        "Level",
        &[("info", "Info"), ("warning", "Warning"), ("error", "Error")],
    );
    level.default = Some(json!("info"));
    let types = vec![
        frame(0, "PingMessage", "ping", TypeRef::Null, false),
        frame(1, "PongMessage", "pong", TypeRef::Null, false),
        object(2, "ChatPayload", vec![field("message", string(), true)]),
        chat_message,
        frame(
            4,
            "ChatNotificationMessage",
            "chat_notification",
            named(2),
            true,
        ),
        object(
            5,
            "NotificationPayload",
            vec![
                field("message", string(), true),
                field("level", named(6), false),
            ],
        ),
        level,
        frame(7, "NotificationMessage", "notification", named(5), true),
    ];
    let messages = vec![
        message("pingMessage", Some(named(0))),
        message("pongMessage", Some(named(1))),
        message("chatMessage", Some(named(3))),
        message("chatNotificationMessage", Some(named(4))),
        message("notificationMessage", Some(named(7))),
    ];
    let mut chat = channel(
        "chat",
        Some("/ws/chat"),
        vec![
            channel_message("pingMessage", 0, Some("ping")),
            channel_message("pongMessage", 1, Some("pong")),
            channel_message("chatMessage", 2, Some("chat")),
            channel_message("chatNotificationMessage", 3, Some("chat_notification")),
            channel_message("notificationMessage", 4, Some("notification")),
        ],
    );
    chat.title = Some("chat".to_string());
    chat.description = Some("Real-time chat API".to_string());
    chat.incoming = vec![0, 2];
    chat.outgoing = vec![1, 3, 4];
    let mut handle_ping = operation("handlePing", Action::Receive, 0, vec![0]);
    handle_ping.reply = reply(0, vec![1]);
    handle_ping.summary = Some("Handle ping requests".to_string());
    handle_ping.description = Some("Simple ping-pong for connectivity testing".to_string());
    let operations = vec![
        handle_ping,
        operation("handleChat", Action::Receive, 0, vec![2]),
        operation("handleChatNotification", Action::Send, 0, vec![3]),
        operation("handleNotification", Action::Send, 0, vec![4]),
    ];
    api(types, messages, vec![chat], operations)
}

fn alias(id: TypeId, spec: &str, target: TypeRef) -> TypeDef {
    def(id, spec, TypeKind::Alias { target })
}

fn union(id: TypeId, spec: &str, variants: Vec<Variant>, tag: Option<&str>) -> TypeDef {
    def(
        id,
        spec,
        TypeKind::Union {
            variants,
            tag: tag.map(str::to_string),
            exclusive: true,
        },
    )
}

/// Every shape the emitter handles, with names chosen to collide with
/// keywords, std types and generated items.
pub fn kitchen_sink() -> Api {
    let mut record = def(
        0,
        "Record",
        TypeKind::Struct {
            fields: vec![
                field("type", string(), true),
                field_named(name_as("self", "Self", "self"), string(), false),
                field("wireName", integer(Some("int32")), true),
                field("count64", integer(Some("int64")), false),
                field("small", integer(Some("uint32")), false),
                field("big", integer(Some("uint64")), false),
                field("plain", integer(None), false),
                field("ratio", TypeRef::Number { format: None }, true),
                field("note", nullable(string()), true),
                field("maybe", nullable(string()), false),
                field("kind", TypeRef::Const(json!(1)), false),
                field("flag", TypeRef::Const(json!(true)), true),
                field("anything", TypeRef::Any, false),
                field("tags", map(string()), true),
                field("options", array(named(11)), false),
                field("status", named(1), true),
                field("priority", named(2), false),
            ],
            additional: Additional::Forbidden,
        },
    );
    record.description = Some("A record.\n\n```\nnot rust\n```".to_string());
    let mut priority = def(
        2,
        "Priority",
        TypeKind::Enum {
            values: vec![
                enum_value(json!(1), "P1"),
                enum_value(json!(2), "P2"),
                enum_value(json!(3), "P3"),
            ],
        },
    );
    priority.default = Some(json!(2));
    let types = vec![
        record,
        string_enum(
            1,
            "Status",
            &[
                ("in-progress", "InProgress"),
                ("1", "V1"),
                ("", "Empty"),
                ("self", "Self"),
                ("type", "Type"),
            ],
        ),
        priority,
        def(
            3,
            "Mixed",
            TypeKind::Enum {
                values: vec![
                    enum_value(json!(1), "V1"),
                    enum_value(json!("one"), "One"),
                    enum_value(json!(true), "True"),
                    enum_value(json!(null), "Null"),
                    enum_value(json!(2.5), "V25"),
                ],
            },
        ),
        union(
            4,
            "Shape",
            vec![
                variant("circle", named(5), Some("circle")),
                variant("square", named(6), Some("square")),
            ],
            Some("kind"),
        ),
        object(
            5,
            "Circle",
            vec![
                field("kind", TypeRef::Const(json!("circle")), false),
                field("radius", TypeRef::Number { format: None }, true),
            ],
        ),
        object(
            6,
            "Square",
            vec![
                field("kind", TypeRef::Const(json!("square")), false),
                field("side", TypeRef::Number { format: None }, true),
            ],
        ),
        union(
            7,
            "Loose",
            vec![
                variant("any", TypeRef::Any, None),
                variant("number", TypeRef::Number { format: None }, None),
                variant("integer", integer(None), None),
                variant("extra", named(8), None),
                variant("circle", named(5), None),
                variant("text", string(), None),
            ],
            None,
        ),
        def(
            8,
            "Extra",
            TypeKind::Struct {
                fields: vec![field("name", string(), true)],
                additional: Additional::Allowed(integer(None)),
            },
        ),
        object(
            9,
            "Tree",
            vec![
                field("value", string(), true),
                field("children", array(named(9)), false),
                field("parent", nullable(named(9)), false),
                field("next", named(10), false),
            ],
        ),
        union(
            10,
            "Expr",
            vec![
                variant("tree", named(9), None),
                variant("text", string(), None),
            ],
            None,
        ),
        object(11, "Option", vec![field("some", string(), false)]),
        alias(12, "Result", array(named(11))),
        alias(13, "Vec", map(named(12))),
        alias(14, "String", string()),
        alias(15, "Box", named(14)),
        alias(16, "Value", TypeRef::Any),
        object(17, "Serialize", vec![field("default", named(16), true)]),
        alias(18, "Nested", array(named(18))),
        object(19, "Self", vec![field("crate", named(15), false)]),
        union(20, "Empty", Vec::new(), None),
        object(21, "RecordKind", Vec::new()),
        frame(22, "JoinMessage", "join", named(23), true),
        object(23, "JoinPayload", vec![field("user", string(), true)]),
        frame(24, "LeaveMessage", "leave", TypeRef::Null, false),
        frame(25, "SayMessage", "say", string(), true),
        frame(26, "JoinedMessage", "joined", named(23), true),
        frame(27, "LeftMessage", "left", TypeRef::Null, false),
        frame(28, "RejectedMessage", "rejected", string(), true),
        frame(29, "ServerPingMessage", "server_ping", TypeRef::Null, false),
        union(
            30,
            "Event",
            vec![
                variant("strict", named(31), Some("strict")),
                variant("join", named(23), Some("join")),
            ],
            Some("type"),
        ),
        def(
            31,
            "Strict",
            TypeKind::Struct {
                fields: vec![field("id", string(), true)],
                additional: Additional::Forbidden,
            },
        ),
    ];
    let messages = vec![
        message("joinMessage", Some(named(22))),
        message("leaveMessage", Some(named(24))),
        message("sayMessage", Some(named(25))),
        message("joinedMessage", Some(named(26))),
        message("leftMessage", Some(named(27))),
        message("rejectedMessage", Some(named(28))),
        message("serverPingMessage", Some(named(29))),
        message("textMessage", Some(string())),
        message("blobMessage", None),
        message("recordMessage", Some(named(0))),
    ];
    let mut room = channel(
        "room",
        Some("/ws/room/{roomId}"),
        vec![
            channel_message("joinMessage", 0, Some("join")),
            channel_message("leaveMessage", 1, Some("leave")),
            channel_message("sayMessage", 2, Some("say")),
            channel_message("joinedMessage", 3, Some("joined")),
            channel_message("leftMessage", 4, Some("left")),
            channel_message("rejectedMessage", 5, Some("rejected")),
            channel_message("serverPingMessage", 6, Some("server_ping")),
        ],
    );
    room.parameters = vec![
        Parameter {
            name: name("roomId"),
            description: Some("The room to join.".to_string()),
            enum_values: vec!["lobby".to_string(), "games".to_string()],
            default: None,
            examples: Vec::new(),
            location: None,
        },
        Parameter {
            name: name("lang"),
            description: None,
            enum_values: Vec::new(),
            default: Some("en".to_string()),
            examples: Vec::new(),
            location: None,
        },
    ];
    room.incoming = vec![0, 1, 2, 6];
    room.outgoing = vec![3, 4, 5];
    let mut feed = channel(
        "feed",
        Some("/ws/feed"),
        vec![channel_message("joinedMessage", 3, Some("joined"))],
    );
    feed.outgoing = vec![3];
    let mut raw = channel(
        "raw",
        None,
        vec![
            channel_message("textMessage", 7, None),
            channel_message("blobMessage", 8, None),
            channel_message("recordMessage", 9, None),
        ],
    );
    raw.tag_key = None;
    raw.incoming = vec![7, 8, 9];
    let mut membership = operation("membership", Action::Receive, 0, vec![0, 1]);
    membership.reply = reply(0, vec![3, 4, 5]);
    let mut on_connect = operation("onConnect", Action::Receive, 0, vec![2]);
    on_connect.reply = reply(0, vec![5]);
    let operations = vec![
        membership,
        on_connect,
        operation("say", Action::Receive, 0, vec![2]),
        operation("announce", Action::Send, 1, vec![3]),
        operation("receiveRaw", Action::Receive, 2, vec![7, 8, 9]),
    ];
    api(types, messages, vec![room, feed, raw], operations)
}
