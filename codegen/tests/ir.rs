//! The model built from documents: shapes, names, tags, formats.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use chanx_codegen::Code;
use chanx_codegen::Diagnostics;
use chanx_codegen::internal::ir::{
    Additional, Api, BuildOptions, TypeDef, TypeKind, TypeRef, build,
};
use chanx_codegen::internal::load::{LoadOptions, load};

fn spec(name: &str) -> PathBuf {
    // Relative (tests run in the crate directory) so origins in snapshots are portable.
    PathBuf::from("../specs").join(name)
}

fn build_file(path: &std::path::Path, options: &BuildOptions) -> (Api, Diagnostics) {
    let (doc, _) = load(path, &LoadOptions::default()).expect("document loads");
    build(&doc, options).expect("document builds")
}

/// Builds a document given as text (written to a scratch file first).
fn build_text(text: &str, options: &BuildOptions) -> Result<(Api, Diagnostics), Diagnostics> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ir-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(format!("doc-{}-{n}.yaml", std::process::id()));
    std::fs::write(&path, text).expect("scratch file");
    let (doc, _) = load(&path, &LoadOptions::default()).expect("document loads");
    build(&doc, options)
}

fn ty<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types
        .types
        .iter()
        .find(|t| t.name.pascal == name)
        .unwrap_or_else(|| panic!("no type {name}"))
}

fn fields(def: &TypeDef) -> Vec<(&str, &TypeRef, bool)> {
    match &def.kind {
        TypeKind::Struct { fields, .. } => fields
            .iter()
            .map(|f| (f.name.spec.as_str(), &f.ty, f.required))
            .collect(),
        other => panic!("{} is not a struct: {other:?}", def.name.pascal),
    }
}

fn field<'a>(def: &'a TypeDef, wire: &str) -> (&'a TypeRef, bool) {
    fields(def)
        .into_iter()
        .find(|(n, _, _)| *n == wire)
        .map(|(_, t, r)| (t, r))
        .unwrap_or_else(|| panic!("{} has no field {wire}", def.name.pascal))
}

const CHANNEL_DOC: &str = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: /ws/c
    messages:
      a: {payload: {type: object, properties: {type: {const: x}, action: {const: same}, kind: {const: k1}}}}
      b: {payload: {type: object, properties: {type: {const: y}, action: {const: same}, kind: {const: k2}}}}
"#;

fn channel_tag(text: &str, options: &BuildOptions) -> (Option<String>, Vec<Option<String>>) {
    let (api, _) = build_text(text, options).expect("builds");
    let c = &api.channels[0];
    (
        c.tag_key.clone(),
        c.messages.iter().map(|m| m.tag.clone()).collect(),
    )
}

#[test]
fn tag_is_action_when_every_message_has_one() {
    let (key, tags) = channel_tag(CHANNEL_DOC, &BuildOptions::default());
    assert_eq!(key.as_deref(), Some("action"));
    assert_eq!(tags, [Some("same".into()), Some("same".into())]);
}

#[test]
fn tag_falls_back_to_type_then_none() {
    let without_action = CHANNEL_DOC.replace("action: {const: same}, ", "");
    let (key, tags) = channel_tag(&without_action, &BuildOptions::default());
    assert_eq!(key.as_deref(), Some("type"));
    assert_eq!(tags, [Some("x".into()), Some("y".into())]);

    let untagged = without_action
        .replace("type: {const: y}", "type: {const: x}")
        .replace("kind: {const: k2}", "kind: {const: k1}");
    let (key, tags) = channel_tag(&untagged, &BuildOptions::default());
    assert_eq!(key, None);
    assert_eq!(tags, [None, None]);
}

#[test]
fn tag_override_and_extensions() {
    let forced = BuildOptions {
        action_key: Some("kind".into()),
    };
    let (key, tags) = channel_tag(CHANNEL_DOC, &forced);
    assert_eq!(key.as_deref(), Some("kind"));
    assert_eq!(tags, [Some("k1".into()), Some("k2".into())]);

    let on_channel = CHANNEL_DOC.replace(
        "    address: /ws/c",
        "    address: /ws/c\n    x-chanx-action-key: kind",
    );
    assert_eq!(
        channel_tag(&on_channel, &BuildOptions::default())
            .0
            .as_deref(),
        Some("kind")
    );

    let on_root = CHANNEL_DOC.replace("info:", "x-chanx-action-key: type\ninfo:");
    assert_eq!(
        channel_tag(&on_root, &BuildOptions::default()).0.as_deref(),
        Some("type")
    );
    let on_info = CHANNEL_DOC.replace("version: '1'}", "version: '1', x-chanx-action-key: type}");
    assert_eq!(
        channel_tag(&on_info, &BuildOptions::default()).0.as_deref(),
        Some("type")
    );

    // The channel's extension beats the document's; the option beats both.
    let both = on_channel.replace("info:", "x-chanx-action-key: type\ninfo:");
    assert_eq!(
        channel_tag(&both, &BuildOptions::default()).0.as_deref(),
        Some("kind")
    );
    let forced_action = BuildOptions {
        action_key: Some("action".into()),
    };
    assert_eq!(
        channel_tag(&both, &forced_action).0.as_deref(),
        Some("action")
    );
}

#[test]
fn tagged_spec_detects_each_channels_key() {
    let (api, _) = build_file(&spec("tagged.yaml"), &BuildOptions::default());
    let keys: Vec<(&str, Option<&str>)> = api
        .channels
        .iter()
        .map(|c| (c.name.spec.as_str(), c.tag_key.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            ("events", Some("type")),
            ("notifications", Some("event")),
            ("raw", None),
            ("commands", Some("kind")),
            ("rpc", Some("action")),
        ]
    );
    // A send operation's reply is incoming; a receive operation's reply outgoing.
    let notifications = &api.channels[1];
    let names = |ids: &[usize]| -> Vec<String> {
        ids.iter()
            .map(|i| api.messages[*i].name.spec.clone())
            .collect()
    };
    assert_eq!(names(&notifications.incoming), ["ackMessage"]);
    assert_eq!(
        names(&notifications.outgoing),
        ["alertMessage", "heartbeatMessage"]
    );
    let rpc = &api.channels[4];
    assert_eq!(names(&rpc.outgoing), ["userMessage"]);
    let request = &api.messages[rpc.incoming[0]];
    assert_eq!(
        request.correlation_id.as_ref().map(|c| c.location.as_str()),
        Some("$message.payload#/ref")
    );
}

#[test]
fn optional_nullable_and_both_are_distinct() {
    let (api, _) = build_file(&spec("types.yaml"), &BuildOptions::default());
    let profile = ty(&api, "Profile");
    let string = TypeRef::String { format: None };
    assert_eq!(field(profile, "nickname"), (&string, false));
    let nullable_uri = TypeRef::Nullable(Box::new(TypeRef::String {
        format: Some("uri".into()),
    }));
    assert_eq!(field(profile, "avatarUrl"), (&nullable_uri, true));
    assert_eq!(
        field(profile, "bio"),
        (&TypeRef::Nullable(Box::new(string.clone())), false)
    );
    let int32 = TypeRef::Integer {
        format: Some("int32".into()),
    };
    assert_eq!(field(profile, "age").0, &TypeRef::Nullable(Box::new(int32)));
    // `anyOf: [Profile, null]` refers back to the struct being built.
    assert_eq!(
        field(profile, "manager").0,
        &TypeRef::Nullable(Box::new(TypeRef::Named(profile.id)))
    );
    let matrix = TypeRef::Array(Box::new(TypeRef::Array(Box::new(TypeRef::Number {
        format: None,
    }))));
    assert_eq!(field(profile, "matrix").0, &matrix);
    assert_eq!(field(profile, "extra").0, &TypeRef::Any);
    assert_eq!(
        field(profile, "attributes").0,
        &TypeRef::Map(Box::new(string))
    );
}

#[test]
fn enum_values_get_identifier_names() {
    let (api, _) = build_file(&spec("types.yaml"), &BuildOptions::default());
    let TypeKind::Enum { values } = &ty(&api, "TaskStatus").kind else {
        panic!("TaskStatus is an enum");
    };
    let names: Vec<(&str, &str)> = values
        .iter()
        .map(|v| (v.name.pascal.as_str(), v.name.snake.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("InProgress", "in_progress"),
            ("V1", "v_1"),
            ("Empty", "empty"),
            ("Self", "self"),
            ("Done", "done")
        ]
    );
}

#[test]
fn unions_with_and_without_tags() {
    let (api, _) = build_file(&spec("types.yaml"), &BuildOptions::default());
    let TypeKind::Union {
        variants,
        tag,
        exclusive,
    } = &ty(&api, "Shape").kind
    else {
        panic!("Shape is a union");
    };
    assert_eq!((tag.as_deref(), *exclusive), (Some("kind"), true));
    let values: Vec<Option<&str>> = variants.iter().map(|v| v.tag_value.as_deref()).collect();
    assert_eq!(values, [Some("circle"), Some("square")]);

    let TypeKind::Union { variants, tag, .. } = &ty(&api, "Contact").kind else {
        panic!("Contact is a union");
    };
    assert_eq!(tag, &None);
    let names: Vec<&str> = variants.iter().map(|v| v.name.pascal.as_str()).collect();
    assert_eq!(names, ["ContactEmail", "ContactNamedEmail"]);

    let TypeKind::Union {
        variants,
        exclusive,
        ..
    } = &ty(&api, "Identifier").kind
    else {
        panic!("Identifier is a union");
    };
    assert!(!exclusive);
    assert_eq!(variants.len(), 2);
}

#[test]
fn all_of_merges_parts_and_recursion_uses_ids() {
    let (api, _) = build_file(&spec("types.yaml"), &BuildOptions::default());
    let note = ty(&api, "Note");
    let merged: Vec<(&str, bool)> = fields(note).iter().map(|(n, _, r)| (*n, *r)).collect();
    assert_eq!(merged, [("createdAt", true), ("text", true)]);

    let tree = ty(&api, "TreeNode");
    assert_eq!(
        field(tree, "children").0,
        &TypeRef::Array(Box::new(TypeRef::Named(tree.id)))
    );

    let settings = ty(&api, "Settings");
    let TypeKind::Struct { additional, .. } = &settings.kind else {
        panic!("struct");
    };
    assert_eq!(additional, &Additional::Forbidden);
    assert_eq!(
        field(settings, "schemaVersion").0,
        &TypeRef::Const(2.into())
    );
    let labels = ty(&api, "SettingsLabels");
    let TypeKind::Struct { additional, .. } = &labels.kind else {
        panic!("struct");
    };
    assert_eq!(
        additional,
        &Additional::Allowed(TypeRef::String { format: None })
    );
}

#[test]
fn all_of_with_non_object_parts_warns_and_falls_back() {
    let doc = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
components:
  schemas:
    Mixed:
      allOf:
        - {type: object, properties: {a: {type: string}}}
        - {oneOf: [{type: string}, {type: integer}]}
    Strings:
      allOf:
        - {type: string}
        - {type: string, format: email}
"#;
    let (api, warnings) = build_text(doc, &BuildOptions::default()).expect("builds");
    assert_eq!(fields(ty(&api, "Mixed")).len(), 1);
    assert!(matches!(
        ty(&api, "Strings").kind,
        TypeKind::Alias {
            target: TypeRef::String { .. }
        }
    ));
    let codes: Vec<&str> = warnings.0.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["ir-allof-not-object", "ir-allof-not-object"]);
}

#[test]
fn names_are_unique_and_keep_the_spec_name() {
    let (api, _) = build_file(&spec("names.yaml"), &BuildOptions::default());
    let cases: Vec<(String, String)> = fields(ty(&api, "Cases"))
        .iter()
        .map(|(spec, _, _)| spec.to_string())
        .zip(match &ty(&api, "Cases").kind {
            TypeKind::Struct { fields, .. } => fields
                .iter()
                .map(|f| f.name.snake.clone())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .collect();
    let expected = [
        ("userName", "user_name"),
        ("user_name", "user_name_2"),
        ("UserName", "user_name_3"),
        ("user-name", "user_name_4"),
        ("2fa", "n_2fa"),
        ("1st", "n_1st"),
        ("café", "cafe"),
        ("名前", "given_name"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(cases, expected);

    let mut type_names: Vec<&str> = api
        .types
        .types
        .iter()
        .map(|t| t.name.pascal.as_str())
        .collect();
    for std_name in [
        "Option",
        "Result",
        "Vec",
        "String",
        "Box",
        "Value",
        "Serialize",
        "Self",
        "Self_2",
        "N2faSettings",
        "Cafe",
    ] {
        assert!(type_names.contains(&std_name), "missing type {std_name}");
    }
    let count = type_names.len();
    type_names.sort_by_key(|n| n.to_lowercase());
    type_names.dedup_by_key(|n| n.to_lowercase());
    assert_eq!(type_names.len(), count, "type names collide");

    let channels: Vec<&str> = api
        .channels
        .iter()
        .map(|c| c.name.pascal.as_str())
        .collect();
    assert_eq!(channels, ["UserEvents", "UserEvents_2"]);
    let operations: Vec<&str> = api
        .operations
        .iter()
        .map(|o| o.name.snake.as_str())
        .collect();
    assert_eq!(operations, ["send_message", "send_message_2", "self"]);
    // `casesMessage` is declared by both channels but is one message.
    let cases_messages = api
        .messages
        .iter()
        .filter(|m| m.name.spec == "casesMessage")
        .count();
    assert_eq!(cases_messages, 1);
    assert_eq!(
        api.channels[0].messages[1].message,
        api.channels[1].messages[0].message
    );
}

#[test]
fn avro_records_become_structs() {
    let doc = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: /ws/avro
    messages:
      m:
        payload:
          schemaFormat: application/vnd.apache.avro;version=1.9.0
          schema:
            type: record
            name: Reading
            namespace: com.example
            fields:
              - {name: id, type: long}
              - {name: at, type: {type: long, logicalType: timestamp-millis}}
              - {name: note, type: ['null', string], default: null}
              - {name: values, type: {type: array, items: double}}
              - {name: labels, type: {type: map, values: string}}
              - {name: unit, type: {type: enum, name: Unit, symbols: [C, F]}}
              - {name: next, type: ['null', com.example.Reading], default: null}
"#;
    let (api, _) = build_text(doc, &BuildOptions::default()).expect("builds");
    let reading = ty(&api, "Reading");
    let int64 = TypeRef::Integer {
        format: Some("int64".into()),
    };
    assert_eq!(field(reading, "id"), (&int64, true));
    assert_eq!(
        field(reading, "at").0,
        &TypeRef::Integer {
            format: Some("timestamp-millis".into())
        }
    );
    assert_eq!(
        field(reading, "note"),
        (
            &TypeRef::Nullable(Box::new(TypeRef::String { format: None })),
            false
        )
    );
    assert_eq!(
        field(reading, "values").0,
        &TypeRef::Array(Box::new(TypeRef::Number {
            format: Some("double".into())
        }))
    );
    assert!(matches!(field(reading, "labels").0, TypeRef::Map(_)));
    let unit = ty(&api, "Unit");
    assert!(matches!(&unit.kind, TypeKind::Enum { values } if values.len() == 2));
    assert_eq!(field(reading, "unit").0, &TypeRef::Named(unit.id));
    assert_eq!(
        field(reading, "next").0,
        &TypeRef::Nullable(Box::new(TypeRef::Named(reading.id)))
    );
    assert_eq!(api.messages[0].payload, Some(TypeRef::Named(reading.id)));
}

#[test]
fn additional_properties_unset_false_true_and_a_schema_are_distinct() {
    let doc = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: /ws/extra
    messages:
      m:
        payload:
          type: object
          properties:
            unset: {$ref: '#/components/schemas/Unset'}
            closed: {$ref: '#/components/schemas/Closed'}
            open: {$ref: '#/components/schemas/Open'}
            counted: {$ref: '#/components/schemas/Counted'}
            merged: {$ref: '#/components/schemas/Merged'}
components:
  schemas:
    Unset:
      type: object
      properties: {a: {type: string}}
    Closed:
      type: object
      properties: {a: {type: string}}
      additionalProperties: false
    Open:
      type: object
      properties: {a: {type: string}}
      additionalProperties: true
    Counted:
      type: object
      properties: {a: {type: string}}
      additionalProperties: {type: integer}
    Merged:
      allOf:
        - $ref: '#/components/schemas/Open'
        - properties: {b: {type: string}}
"#;
    let (api, _) = build_text(doc, &BuildOptions::default()).expect("builds");
    let additional = |name: &str| match &ty(&api, name).kind {
        TypeKind::Struct { additional, .. } => additional.clone(),
        other => panic!("{name} is not a struct: {other:?}"),
    };
    assert_eq!(additional("Unset"), Additional::Unset);
    assert_eq!(additional("Closed"), Additional::Forbidden);
    assert_eq!(additional("Open"), Additional::Allowed(TypeRef::Any));
    assert_eq!(
        additional("Counted"),
        Additional::Allowed(TypeRef::Integer { format: None })
    );
    // An `allOf` part's `additionalProperties` applies to the merged struct.
    assert_eq!(additional("Merged"), Additional::Allowed(TypeRef::Any));
}

#[test]
fn openapi_nullable_and_unknown_formats() {
    let doc = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: /ws/formats
    messages:
      oas:
        payload:
          schemaFormat: application/vnd.oai.openapi;version=3.0.0
          schema:
            type: object
            properties:
              name: {type: string, nullable: true}
      raml:
        payload:
          schemaFormat: application/raml+yaml;version=1.0
          schema: {type: string}
"#;
    let (api, warnings) = build_text(doc, &BuildOptions::default()).expect("builds");
    let oas = ty(&api, "OasPayload");
    assert_eq!(
        field(oas, "name").0,
        &TypeRef::Nullable(Box::new(TypeRef::String { format: None }))
    );
    assert_eq!(api.messages[1].payload, Some(TypeRef::Any));
    let warning = warnings
        .0
        .iter()
        .find(|d| d.code == Code::UnknownSchemaFormat)
        .expect("a warning for the unknown format");
    assert!(
        warning
            .message
            .contains("application/raml+yaml;version=1.0")
    );
    assert!(warning.location.is_some());
}

#[test]
fn draft_2020_defs_and_whole_file_names() {
    let doc = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: /ws/defs
    messages:
      m:
        payload:
          schemaFormat: application/schema+json;version=2020-12
          schema:
            $defs:
              Point: {type: object, properties: {x: {type: number}}}
            type: object
            properties:
              at: {$ref: '#/channels/c/messages/m/payload/schema/$defs/Point'}
"#;
    let (api, _) = build_text(doc, &BuildOptions::default()).expect("builds");
    let point = ty(&api, "Point");
    assert_eq!(
        field(ty(&api, "MPayload"), "at").0,
        &TypeRef::Named(point.id)
    );
}

#[test]
fn broken_documents_give_diagnostics_not_panics() {
    let doc = r#"
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: 5
    parameters: [1, 2]
    messages:
      m: {payload: 5}
      n: {payload: {type: object, properties: [], required: 3, allOf: 7}}
      o: {payload: {oneOf: {}, enum: 3}}
      p: 7
operations:
  bad:
    action: jump
    channel: {$ref: '#/channels/c'}
  lost:
    action: send
"#;
    let errors = build_text(doc, &BuildOptions::default()).expect_err("operations are broken");
    let codes: Vec<&str> = errors.errors().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["ir-operation-action", "operation-channel"]);
}

#[test]
fn the_same_input_builds_the_same_model() {
    for name in ["chat.yaml", "types.yaml", "names.yaml", "tagged.yaml"] {
        let first = serde_json::to_string(&build_file(&spec(name), &BuildOptions::default()).0)
            .expect("json");
        let second = serde_json::to_string(&build_file(&spec(name), &BuildOptions::default()).0)
            .expect("json");
        assert_eq!(first, second, "{name}");
    }
}

#[test]
fn snapshots_of_the_example_specs() {
    for name in ["chat.yaml", "types.yaml", "names.yaml", "tagged.yaml"] {
        let (api, warnings) = build_file(&spec(name), &BuildOptions::default());
        assert!(warnings.is_empty(), "{name}: {warnings}");
        let mut api = api;
        api.source = name.to_string();
        insta::assert_snapshot!(
            name.replace(".yaml", ""),
            chanx_codegen::internal::inspect::render(&api)
        );
    }
}

#[test]
fn model_snapshot_of_chat() {
    let (mut api, _) = build_file(&spec("chat.yaml"), &BuildOptions::default());
    api.source = "chat.yaml".into();
    insta::assert_yaml_snapshot!("chat_model", api);
}

#[test]
fn each_message_validates_with_its_own_payload_definition() {
    // The program is built beside the model, from the payloads it sends in
    // order: shared payloads share a definition, a payload in a format not
    // read here gets a definition of its own, and each message keeps its own.
    let text = r##"
asyncapi: 3.0.0
info: {title: Validators, version: 1.0.0}
channels:
  c:
    address: /c
    messages:
      first: {$ref: '#/components/messages/first'}
      avro: {$ref: '#/components/messages/avro'}
      second: {$ref: '#/components/messages/second'}
      again: {$ref: '#/components/messages/again'}
      inline: {$ref: '#/components/messages/inline'}
components:
  messages:
    first: {payload: {$ref: '#/components/schemas/Shared'}}
    avro:
      payload:
        schemaFormat: application/vnd.apache.avro;version=1.9.0
        schema: {type: record, name: A, fields: [{name: x, type: int}]}
    second: {payload: {$ref: '#/components/schemas/Other'}}
    again: {payload: {$ref: '#/components/schemas/Shared'}}
    inline: {payload: {type: object, properties: {n: {type: integer, maximum: 3}}}}
  schemas:
    Shared: {type: object, properties: {s: {type: string, minLength: 2}}, required: [s]}
    Other: {type: object, properties: {b: {type: boolean}}, required: [b]}
"##;
    let (api, _) = build_text(text, &BuildOptions::default()).expect("builds");
    let definition = |message: &str| {
        let message = api
            .messages
            .iter()
            .find(|m| m.name.spec == message)
            .unwrap_or_else(|| panic!("no message {message}"));
        let index = message.validator.expect("a validator");
        api.program.defs[index].to_string()
    };
    let shared = definition("first");
    assert!(shared.contains(r#""name":"Shared""#), "{shared}");
    assert!(shared.contains(r#""min_length":2"#), "{shared}");
    assert_eq!(definition("again"), shared);
    assert_eq!(definition("avro"), r#"{"t":"any"}"#);
    let other = definition("second");
    assert!(other.contains(r#""name":"Other""#), "{other}");
    let inline = definition("inline");
    assert!(inline.contains(r#""name":"n""#), "{inline}");
    let indexes: Vec<usize> = ["first", "avro", "second", "again", "inline"]
        .iter()
        .map(|m| {
            api.messages
                .iter()
                .find(|x| x.name.spec == *m)
                .and_then(|x| x.validator)
                .expect("a validator")
        })
        .collect();
    assert_eq!(indexes[0], indexes[3]);
    let mut distinct = indexes.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{indexes:?}");
    assert!(indexes.iter().all(|&i| i < api.program.defs.len()));
}
