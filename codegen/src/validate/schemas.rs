//! Checks inside the JSON Schemas of every loaded file (payloads, headers,
//! components, and whole schema files reached through `$ref`).
//!
//! The walk is structural: it skips literal data (`examples`, `default`,
//! `const`, `enum`, extensions) and payloads in a non-JSON-Schema format
//! (Avro, OpenAPI, ...), where these rules do not apply.

use crate::load::Members;
use serde_json::{Map, Value};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::{Document, NodeRef};

pub const DISCRIMINATOR_OBJECT_PREFIX: &str = "discriminator must be a string";

/// Message and hint for an OpenAPI-style `discriminator: {propertyName: ...}`.
pub fn discriminator_object_message(object: &Value) -> (String, String) {
    let name = object
        .member("propertyName")
        .and_then(Value::as_str)
        .unwrap_or("<propertyName>");
    (
        format!(
            "{DISCRIMINATOR_OBJECT_PREFIX} (the tag property's name), not an OpenAPI discriminator object"
        ),
        format!("AsyncAPI 3 expects a string: use discriminator: {name}"),
    )
}

pub fn check(doc: &Document) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for (file, source) in doc.files.iter().enumerate() {
        walk(
            doc,
            &NodeRef::new(file, ""),
            &source.parsed.value,
            &mut diags,
        );
    }
    diags
}

/// Keys whose value is literal data, never a schema.
const DATA_KEYS: &[&str] = &["examples", "example", "default", "const", "enum"];

fn walk(doc: &Document, node: &NodeRef, value: &Value, diags: &mut Diagnostics) {
    match value {
        Value::Object(map) => {
            check_object(doc, node, map, diags);
            let foreign = has_foreign_format(map);
            for (key, child) in map {
                if DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                if foreign && key == "schema" {
                    continue;
                }
                walk(doc, &node.child(key), child, diags);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(doc, &node.child(&i.to_string()), child, diags);
            }
        }
        _ => {}
    }
}

/// A Multi Format Schema Object whose `schema` is not JSON Schema.
fn has_foreign_format(map: &Map<String, Value>) -> bool {
    let Some(format) = map.member("schemaFormat").and_then(Value::as_str) else {
        return false;
    };
    let format = format.to_ascii_lowercase();
    !(format.contains("vnd.aai.asyncapi")
        || format.contains("schema+json")
        || format.contains("schema+yaml"))
}

fn check_object(doc: &Document, node: &NodeRef, map: &Map<String, Value>, diags: &mut Diagnostics) {
    if let Some(discriminator @ Value::Object(d)) = map.member("discriminator")
        && d.contains_key("propertyName")
    {
        let at = node.child("discriminator");
        let (message, hint) = discriminator_object_message(discriminator);
        diags.push(
            Diagnostic::error(Code::DiscriminatorObject, message)
                .with_hint(hint)
                .at(doc.location(&at), at.pointer.clone()),
        );
    }
    check_required(doc, node, map, diags);
}

/// Keywords that can bring properties from elsewhere, so `required` may
/// rightly name a property this object does not list.
const COMPOSING_KEYS: &[&str] = &[
    "allOf",
    "anyOf",
    "oneOf",
    "$ref",
    "if",
    "then",
    "else",
    "patternProperties",
    "dependentSchemas",
    "dependencies",
];

fn check_required(
    doc: &Document,
    node: &NodeRef,
    map: &Map<String, Value>,
    diags: &mut Diagnostics,
) {
    let (Some(Value::Array(required)), Some(Value::Object(properties))) =
        (map.member("required"), map.member("properties"))
    else {
        return;
    };
    if map
        .member("additionalProperties")
        .is_some_and(Value::is_object)
        || COMPOSING_KEYS.iter().any(|k| map.contains_key(*k))
    {
        return;
    }
    for (i, name) in required.iter().enumerate() {
        let Some(name) = name.as_str() else { continue };
        if properties.contains_key(name) {
            continue;
        }
        let at = node.child("required").child(&i.to_string());
        let mut d = Diagnostic::warning(
            Code::RequiredUnknownProperty,
            format!("'{name}' is required but not declared in properties"),
        );
        if let Some(similar) = doc.did_you_mean(name, properties.keys().map(String::as_str)) {
            d = d.with_hint(format!("did you mean '{similar}'?"));
        }
        diags.push(d.at(doc.location(&at), at.pointer.clone()));
    }
}
