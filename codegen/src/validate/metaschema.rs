//! The official AsyncAPI meta-schemas, compiled for the document at hand.
//!
//! Compiling a whole meta-schema (1,692 subschemas for 3.0.0) was half of
//! the time `chanx generate` took on a 1,000-line document. Most of it
//! describes protocol bindings and schema formats a given document never
//! uses, so each document gets a copy with those parts emptied, which gives
//! exactly the same verdict:
//!
//! - a bindings object's schema for protocol `P` only ever applies to an
//!   object with a key `P`: if no object in the document has that key, the
//!   schema is replaced by `{}`. The key stays listed, so what
//!   `additionalProperties: false` allows does not change;
//! - a Multi Format Schema's `then` for a group of `schemaFormat` values
//!   only applies when `schemaFormat` is one of them: if no `schemaFormat`
//!   in the document is, that `then` is replaced by `{}` (an `if` never
//!   reports errors of its own).
//!
//! - more generally, any `properties` entry for a key `K` only applies to
//!   an object with a key `K`: if no object in the document has that key,
//!   its schema is replaced by `{}` as well. Most of the meta-schema is
//!   reached only through keys a given document never writes (`traits`,
//!   `correlationId`, OAuth flows, `externalDocs`, …).
//!
//! Compiled variants are kept per process, keyed by what was kept.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use boon::{Compiler, Draft, SchemaIndex, Schemas};
use serde_json::{Map, Value};

use super::schema::SpecVersion;
use crate::source::append_token;

const SCHEMA_3_0: &str = include_str!("../../schemas/asyncapi-3.0.0-schema.json");
const SCHEMA_3_1: &str = include_str!("../../schemas/asyncapi-3.1.0-schema.json");

/// Compiled variants kept per process; beyond it (a fuzzing run meets many
/// protocol mixes) a variant is compiled for its document and dropped.
const MAX_CACHED: usize = 32;

/// A meta-schema compiled for some documents.
pub struct Compiled {
    pub schemas: Schemas,
    pub index: SchemaIndex,
}

/// A compiled meta-schema and what it kept.
type Variant = (Kept, Arc<Compiled>);

/// What a document uses of the parts that can be left out.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Kept {
    version: u8,
    /// Binding protocols (`kafka`, `ws`, …) some object in the document has as a key.
    protocols: BTreeSet<String>,
    /// Indexes of the Multi Format Schema branches whose formats occur.
    formats: BTreeSet<usize>,
    /// Property names the meta-schema declares that some object in the
    /// document has as a key.
    properties: BTreeSet<String>,
}

impl Kept {
    /// What of `full` (the meta-schema of `version`) `document` can reach.
    fn of(version: SpecVersion, full: &Value, document: &Value) -> Self {
        let used = Used::of(document);
        Kept {
            version: version as u8,
            protocols: binding_protocols(full)
                .filter(|protocol| used.keys.contains(*protocol))
                .map(str::to_owned)
                .collect(),
            formats: format_branches(full)
                .filter(|(_, formats)| formats.iter().any(|f| used.schema_formats.contains(*f)))
                .map(|(index, _)| index)
                .collect(),
            properties: declared(version, full)
                .iter()
                .filter(|name| used.keys.contains(name.as_str()))
                .cloned()
                .collect(),
        }
    }
}

impl Kept {
    /// Whether a variant keeping this keeps everything `needed` does.
    fn covers(&self, needed: &Kept) -> bool {
        self.version == needed.version
            && needed.protocols.is_subset(&self.protocols)
            && needed.formats.is_subset(&self.formats)
            && needed.properties.is_subset(&self.properties)
    }
}

/// [`declared_properties`] of `full`, the meta-schema of `version`, worked
/// out once per process.
fn declared(version: SpecVersion, full: &Value) -> &'static BTreeSet<String> {
    static V3_0: OnceLock<BTreeSet<String>> = OnceLock::new();
    static V3_1: OnceLock<BTreeSet<String>> = OnceLock::new();
    let cell = match version {
        SpecVersion::V3_0 => &V3_0,
        SpecVersion::V3_1 => &V3_1,
    };
    cell.get_or_init(|| {
        declared_properties(full)
            .into_iter()
            .map(str::to_owned)
            .collect()
    })
}

/// Every name a `properties` keyword of `schema` declares.
fn declared_properties(schema: &Value) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut stack = vec![schema];
    while let Some(schema) = stack.pop() {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            names.extend(properties.keys().map(String::as_str));
        }
        stack.extend(subschemas(schema));
    }
    names
}

/// Draft-07 keywords whose value is an object of subschemas (not `enum`,
/// `const`, `default` or `examples`, which hold data).
const SCHEMA_MAPS: [&str; 4] = [
    "properties",
    "patternProperties",
    "definitions",
    "dependencies",
];
/// Keywords whose value is an array of subschemas.
const SCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "items"];
/// Keywords whose value is one subschema.
const SCHEMA_SINGLES: [&str; 9] = [
    "additionalProperties",
    "items",
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
];

/// The subschemas of a draft-07 schema, under the keywords that hold them.
fn subschemas(schema: &Value) -> impl Iterator<Item = &Value> {
    let object = schema.as_object();
    let get = move |keyword: &str| object.and_then(|object| object.get(keyword));
    let maps = SCHEMA_MAPS
        .into_iter()
        .filter_map(get)
        .filter_map(Value::as_object)
        .flat_map(Map::values);
    let lists = SCHEMA_LISTS
        .into_iter()
        .filter_map(get)
        .filter_map(Value::as_array)
        .flatten();
    let single = SCHEMA_SINGLES.into_iter().filter_map(get);
    maps.chain(lists)
        .chain(single)
        .filter(|value| value.is_object())
}

/// Replaces with `{}` the schema of each `properties` entry whose name
/// `kept` does not hold, unless a `$ref` points at or into it (`reached`
/// holds every `$ref` target and each of its ancestors, as JSON pointers).
fn prune_properties(
    schema: &mut Value,
    kept: &BTreeSet<String>,
    reached: &HashSet<String>,
    at: &mut String,
) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    for (keyword, value) in object.iter_mut() {
        let depth = at.len();
        append_token(at, keyword);
        let keyword = keyword.as_str();
        match value {
            Value::Object(properties) if keyword == "properties" => {
                for (name, property) in properties.iter_mut() {
                    let depth = at.len();
                    append_token(at, name);
                    if kept.contains(name) || reached.contains(at.as_str()) {
                        prune_properties(property, kept, reached, at);
                    } else {
                        *property = Value::Object(Map::new());
                    }
                    at.truncate(depth);
                }
            }
            Value::Object(map) if SCHEMA_MAPS.contains(&keyword) => {
                for (name, sub) in map.iter_mut() {
                    let depth = at.len();
                    append_token(at, name);
                    prune_properties(sub, kept, reached, at);
                    at.truncate(depth);
                }
            }
            Value::Array(items) if SCHEMA_LISTS.contains(&keyword) => {
                for (index, sub) in items.iter_mut().enumerate() {
                    let depth = at.len();
                    append_token(at, &index.to_string());
                    prune_properties(sub, kept, reached, at);
                    at.truncate(depth);
                }
            }
            sub if SCHEMA_SINGLES.contains(&keyword) => prune_properties(sub, kept, reached, at),
            _ => {}
        }
        at.truncate(depth);
    }
}

/// Every local `$ref` target of `schema` (a JSON Pointer) and each of its
/// ancestors: what pruning must leave in place.
fn reached_pointers(schema: &Value) -> HashSet<String> {
    let mut reached = HashSet::new();
    let mut stack = vec![schema];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref")
                    && let Some(pointer) = target.strip_prefix('#')
                {
                    // The target and its ancestors; the root only when it
                    // is the target.
                    for (step, up) in crate::load::pointer_ancestors(pointer).enumerate() {
                        if step > 0 && up.is_empty() {
                            break;
                        }
                        reached.insert(up.to_string());
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    reached
}

/// The meta-schema of `version`, compiled with only what `document` can reach.
///
/// A variant that keeps more than a document needs gives the same verdict,
/// so any cached variant that covers the document is used. A process's
/// first variant keeps only what its document names (`chanx generate` of
/// one document compiles least); later ones keep every property, as a
/// process that checks many documents (tests, fuzzing, a build script with
/// several) would otherwise compile one variant per document.
pub fn compiled_for(version: SpecVersion, document: &Value) -> Result<Arc<Compiled>, String> {
    let full = parsed(version)?;
    let needed = Kept::of(version, full, document);
    static CACHE: OnceLock<Mutex<Vec<Variant>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let lock = || {
        cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    let first = {
        let cache = lock();
        if let Some((_, compiled)) = cache.iter().find(|(kept, _)| kept.covers(&needed)) {
            return Ok(Arc::clone(compiled));
        }
        cache.is_empty()
    };
    let kept = if first {
        needed
    } else {
        Kept {
            properties: declared(version, full).clone(),
            ..needed
        }
    };
    let compiled = Arc::new(compile(version, pruned(full, &kept))?);
    let mut cache = lock();
    if cache.len() < MAX_CACHED {
        cache.push((kept, Arc::clone(&compiled)));
    }
    Ok(compiled)
}

/// Parses the embedded meta-schema of the version `text` (the start of a
/// document) most likely declares, and lists its declared properties:
/// the part of checking a document that does not depend on it, for a
/// thread to do while the document is still being parsed. Whatever the
/// version, the check itself is unchanged (the cells are filled once).
pub fn prepare(text: &[u8]) {
    let version = if sniffs_3_1(text) {
        SpecVersion::V3_1
    } else {
        SpecVersion::V3_0
    };
    if let Ok(full) = parsed(version) {
        declared(version, full);
    }
}

/// Whether `text` has `asyncapi` followed, within a few characters, by
/// `3.1` (`asyncapi: 3.1.0`, `"asyncapi": "3.1.0"`).
fn sniffs_3_1(text: &[u8]) -> bool {
    let key = b"asyncapi";
    text.windows(key.len())
        .position(|w| w == key)
        .map(|at| &text[at + key.len()..])
        .is_some_and(|rest| {
            let rest = &rest[..rest.len().min(16)];
            rest.windows(3).any(|w| w == b"3.1")
        })
}

/// The embedded meta-schema of `version`, parsed once per process.
fn parsed(version: SpecVersion) -> Result<&'static Value, String> {
    static V3_0: OnceLock<Result<Value, String>> = OnceLock::new();
    static V3_1: OnceLock<Result<Value, String>> = OnceLock::new();
    let (cell, text) = match version {
        SpecVersion::V3_0 => (&V3_0, SCHEMA_3_0),
        SpecVersion::V3_1 => (&V3_1, SCHEMA_3_1),
    };
    cell.get_or_init(|| {
        let mut schema = serde_json::from_str(text).map_err(|e| e.to_string())?;
        check_draft_07_once(&mut schema);
        rename_format(&mut schema, "regex", LENIENT_REGEX);
        Ok(schema)
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The name `format: regex` takes in the meta-schemas, so that
/// [`super::schema::lenient_regex`] checks it: boon keeps `regex` for its
/// own reader.
pub(super) const LENIENT_REGEX: &str = "chanx-regex";

/// Renames every `"format": from` in `schema` to `to`.
fn rename_format(schema: &mut Value, from: &str, to: &str) {
    match schema {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some(from) {
                map.insert("format".to_owned(), Value::String(to.to_owned()));
            }
            map.values_mut()
                .for_each(|value| rename_format(value, from, to));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|value| rename_format(value, from, to)),
        _ => {}
    }
}

/// Draft-07's meta-schema, as the meta-schemas name it.
const DRAFT_07: &str = "json-schema-draft-07-schema";
/// The copy of it the Schema Object uses (see [`check_draft_07_once`]).
const DRAFT_07_IN_SCHEMA_OBJECT: &str = "json-schema-draft-07-schema-in-schema-object";

/// The keywords whose subschemas AsyncAPI's additions to the Schema Object
/// check against the Schema Object again.
const RECHECKED_KEYWORDS: [&str; 10] = [
    "additionalProperties",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "properties",
    "patternProperties",
    "propertyNames",
    "contains",
];

/// The Schema Object is `allOf` [draft-07's meta-schema, AsyncAPI's
/// additions]; the additions check the subschemas under `properties`,
/// `items`, … against the Schema Object again, so against draft-07 again,
/// and draft-07 itself also checks them against draft-07: a subschema `d`
/// levels deep was checked against draft-07 `d + 1` times. The Schema
/// Object now refers to a copy of draft-07 that leaves to the additions
/// the subschemas they check (those references become `{}`); the rest of
/// the copy, and draft-07 wherever else it is used, are unchanged. The
/// verdict is the same: a subschema that fails draft-07 fails the Schema
/// Object, which the additions check it against at the same place.
fn check_draft_07_once(schema: &mut Value) {
    let Some(definitions) = schema.get_mut("definitions").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(Value::Object(mut copy)) = definitions.get(DRAFT_07).cloned() else {
        return;
    };
    let rechecked: Vec<&str> = definitions
        .get("schema")
        .and_then(|object| object.pointer("/allOf/1/properties"))
        .and_then(Value::as_object)
        .map(|additions| {
            RECHECKED_KEYWORDS
                .into_iter()
                .filter(|keyword| {
                    additions
                        .get(*keyword)
                        .is_some_and(|checked| refers_to(checked, "#/definitions/schema"))
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(Value::Object(properties)) = copy.get_mut("properties") else {
        return;
    };
    let left = [
        format!("#/definitions/{DRAFT_07}"),
        format!("#/definitions/{DRAFT_07}/definitions/schemaArray"),
    ];
    for keyword in rechecked {
        if let Some(value) = properties.get_mut(keyword) {
            leave_subschemas(value, &left);
        }
    }
    // Only references to the original's definitions are used.
    copy.remove("definitions");
    let in_schema_object = definitions
        .get_mut("schema")
        .and_then(|object| object.pointer_mut("/allOf/0"));
    let refers_to_draft_07 = Value::Object(Map::from_iter([(
        "$ref".to_owned(),
        Value::String(format!("#/definitions/{DRAFT_07}")),
    )]));
    if let Some(first) = in_schema_object.filter(|first| **first == refers_to_draft_07) {
        *first = Value::Object(Map::from_iter([(
            "$ref".to_owned(),
            Value::String(format!("#/definitions/{DRAFT_07_IN_SCHEMA_OBJECT}")),
        )]));
        definitions.insert(DRAFT_07_IN_SCHEMA_OBJECT.to_owned(), Value::Object(copy));
    }
}

/// Whether `value` holds a `$ref` to `target`.
fn refers_to(value: &Value, target: &str) -> bool {
    match value {
        Value::Object(map) => {
            map.get("$ref").and_then(Value::as_str) == Some(target)
                || map.values().any(|v| refers_to(v, target))
        }
        Value::Array(items) => items.iter().any(|v| refers_to(v, target)),
        _ => false,
    }
}

/// Replaces with `{}` each reference in `value` to one of `left`
/// (draft-07's meta-schema and its list of schemas): what these
/// subschemas are checked against is left to the Schema Object's additions.
fn leave_subschemas(value: &mut Value, left: &[String]) {
    match value {
        Value::Object(map) => {
            let target = map.get("$ref").and_then(Value::as_str);
            if target.is_some_and(|target| left.iter().any(|l| l == target)) {
                map.clear();
            } else {
                map.values_mut().for_each(|v| leave_subschemas(v, left));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| leave_subschemas(v, left)),
        _ => {}
    }
}

/// Where a compiled meta-schema lives. boon checks every schema it compiles
/// against the JSON Schema meta-schema first (a sixth of a small document's
/// generate run), except those under `json-schema.org`; the embedded
/// meta-schemas are checked once, by a test, instead of in every process.
fn base_url(version: SpecVersion) -> &'static str {
    match version {
        SpecVersion::V3_0 => "https://json-schema.org/chanx/asyncapi-3.0.0.json",
        SpecVersion::V3_1 => "https://json-schema.org/chanx/asyncapi-3.1.0.json",
    }
}

fn compile(version: SpecVersion, schema: Value) -> Result<Compiled, String> {
    compile_at(base_url(version), schema)
}

fn compile_at(url: &str, schema: Value) -> Result<Compiled, String> {
    let mut schemas = Schemas::new();
    let mut compiler = Compiler::new();
    compiler.set_default_draft(Draft::V7);
    compiler.register_format(boon::Format {
        name: "uri-reference",
        func: super::schema::lenient_uri_reference,
    });
    compiler.register_format(boon::Format {
        name: LENIENT_REGEX,
        func: super::schema::lenient_regex,
    });
    compiler
        .add_resource(url, schema)
        .map_err(|e| e.to_string())?;
    let index = compiler
        .compile(url, &mut schemas)
        .map_err(|e| e.to_string())?;
    Ok(Compiled { schemas, index })
}

/// Every object key in the document, and every `schemaFormat` string.
/// (foldhash's sets: every key of the document is hashed, and SipHash made
/// this walk a sixth of the check's time on a large document.)
#[derive(Default)]
struct Used<'d> {
    keys: foldhash::HashSet<&'d str>,
    schema_formats: foldhash::HashSet<&'d str>,
}

impl<'d> Used<'d> {
    fn of(document: &'d Value) -> Self {
        let mut used = Used::default();
        let mut stack = vec![document];
        while let Some(value) = stack.pop() {
            match value {
                Value::Object(map) => {
                    for (key, value) in map {
                        used.keys.insert(key.as_str());
                        if let ("schemaFormat", Value::String(format)) = (key.as_str(), value) {
                            used.schema_formats.insert(format);
                        }
                        stack.push(value);
                    }
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
        used
    }
}

fn definitions(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("definitions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// The bindings objects: `serverBindingsObject`, `channelBindingsObject`, …
fn is_bindings_object(name: &str) -> bool {
    name.ends_with("BindingsObject")
}

/// Every protocol a bindings object describes.
fn binding_protocols(schema: &Value) -> impl Iterator<Item = &str> {
    definitions(schema)
        .filter(|(name, _)| is_bindings_object(name))
        .filter_map(|(_, object)| object.get("properties").and_then(Value::as_object))
        .flat_map(Map::keys)
        .map(String::as_str)
}

/// The Multi Format Schema's `allOf` branches chosen by `schemaFormat`
/// values, with those values.
fn format_branches(schema: &Value) -> impl Iterator<Item = (usize, Vec<&str>)> {
    multi_format_branches(schema)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, branch)| {
            let formats = branch
                .pointer("/if/properties/schemaFormat/enum")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Some((index, formats))
        })
}

fn multi_format_branches(schema: &Value) -> Option<&Vec<Value>> {
    schema
        .pointer("/definitions/multiFormatSchema/else/allOf")?
        .as_array()
}

/// A copy of the meta-schema with what `kept` does not list emptied.
fn pruned(full: &Value, kept: &Kept) -> Value {
    let mut schema = full.clone();
    if let Some(definitions) = schema.get_mut("definitions").and_then(Value::as_object_mut) {
        for (name, object) in definitions.iter_mut() {
            if !is_bindings_object(name) {
                continue;
            }
            let Some(protocols) = object.get_mut("properties").and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (protocol, binding) in protocols.iter_mut() {
                if !kept.protocols.contains(protocol) {
                    *binding = Value::Object(Map::new());
                }
            }
        }
    }
    let format_indexes: Vec<usize> = format_branches(full).map(|(index, _)| index).collect();
    if let Some(branches) = schema
        .pointer_mut("/definitions/multiFormatSchema/else/allOf")
        .and_then(Value::as_array_mut)
    {
        for index in format_indexes {
            if kept.formats.contains(&index) {
                continue;
            }
            if let Some(then) = branches[index].get_mut("then") {
                *then = Value::Object(Map::new());
            }
        }
    }
    let reached = reached_pointers(full);
    prune_properties(&mut schema, &kept.properties, &reached, &mut String::new());
    schema
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_version_is_guessed_from_the_start_of_a_file() {
        assert!(sniffs_3_1(b"asyncapi: 3.1.0\ninfo: {}"));
        assert!(sniffs_3_1(b"{\n  \"asyncapi\": \"3.1.0\","));
        assert!(!sniffs_3_1(b"asyncapi: 3.0.0\n"));
        assert!(!sniffs_3_1(
            b"info:\n  description: 3.1 is out\nasyncapi: 3.0.0"
        ));
        assert!(!sniffs_3_1(b""));
        // Filling the caches for either guess leaves compiling unchanged.
        prepare(b"asyncapi: 3.1.0");
        prepare(b"");
        assert!(compiled_for(SpecVersion::V3_1, &Value::Null).is_ok());
    }

    fn kept_for(document: Value) -> Kept {
        let version = SpecVersion::V3_0;
        Kept::of(version, parsed(version).unwrap(), &document)
    }

    #[test]
    fn keeps_only_what_the_document_names() {
        let kept = kept_for(json!({
            "channels": {"a": {"bindings": {"kafka": {}, "ws": {}}}},
            "components": {"schemas": {"s": {
                "schemaFormat": "application/vnd.apache.avro;version=1.9.0", "schema": {}
            }}}
        }));
        assert_eq!(
            kept.protocols
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["kafka", "ws"]
        );
        assert_eq!(kept.formats.len(), 1, "only the Avro branch");
        let empty = kept_for(json!({"asyncapi": "3.0.0"}));
        assert!(empty.protocols.is_empty() && empty.formats.is_empty());
    }

    #[test]
    fn properties_are_pruned_unless_named_or_pointed_at() {
        let schema = json!({
            "definitions": {
                "a": {"properties": {
                    "kept": {"type": "string"},
                    "pointed": {"type": "string"},
                    "unused": {"properties": {"inner": {"type": "string"}}}
                }},
                "b": {"$ref": "#/definitions/a/properties/pointed"},
                "data": {"enum": [{"properties": {"unused": 1}}]}
            }
        });
        let kept = BTreeSet::from(["kept".to_string()]);
        let mut pruned = schema.clone();
        prune_properties(
            &mut pruned,
            &kept,
            &reached_pointers(&schema),
            &mut String::new(),
        );
        let a = &pruned["definitions"]["a"]["properties"];
        assert_eq!(a["kept"], json!({"type": "string"}));
        assert_eq!(
            a["pointed"],
            json!({"type": "string"}),
            "a $ref target stays"
        );
        assert_eq!(a["unused"], json!({}));
        assert_eq!(
            pruned["definitions"]["data"], schema["definitions"]["data"],
            "data is data"
        );
        assert_eq!(pruned["definitions"]["b"], schema["definitions"]["b"]);
    }

    #[test]
    fn a_variant_covers_documents_that_need_less() {
        let more = kept_for(json!({"channels": {"a": {"bindings": {"ws": {}}, "title": "A"}}}));
        let less = kept_for(json!({"channels": {"a": {"title": "A"}}}));
        assert!(more.covers(&less));
        assert!(!less.covers(&more), "no ws binding, no `bindings`");
        assert!(more.covers(&more));
    }

    #[test]
    fn both_meta_schemas_have_the_parts_that_are_pruned() {
        for version in [SpecVersion::V3_0, SpecVersion::V3_1] {
            let full = parsed(version).unwrap();
            assert!(binding_protocols(full).count() > 20, "{version:?}");
            assert_eq!(format_branches(full).count(), 4, "{version:?}");
        }
    }

    /// What boon skips in [`compile`]: each embedded meta-schema, whole or
    /// pruned, is a valid draft-07 schema (compiled under another host, it
    /// is checked against draft-07's meta-schema).
    #[test]
    fn the_embedded_meta_schemas_are_valid_json_schemas() {
        for version in [SpecVersion::V3_0, SpecVersion::V3_1] {
            let full = parsed(version).unwrap();
            for schema in [full.clone(), pruned(full, &Kept::default())] {
                compile_at("chanx:/checked.json", schema).unwrap();
            }
            let broken = serde_json::json!({"type": 5});
            assert!(compile_at("chanx:/broken.json", broken).is_err());
        }
    }

    #[test]
    fn a_pruned_schema_compiles_to_fewer_subschemas() {
        let full = parsed(SpecVersion::V3_0).unwrap();
        let small = compile(SpecVersion::V3_0, pruned(full, &Kept::default())).unwrap();
        let whole = compile(SpecVersion::V3_0, full.clone()).unwrap();
        assert!(small.schemas.size() * 3 < whole.schemas.size() * 2);
    }

    /// Every document the repository holds, and the shared corpus when it
    /// is there, but the meta-schemas themselves.
    fn document_files() -> Vec<std::path::PathBuf> {
        let mut files = crate::test_files::under(
            &[
                "specs",
                "tests/broken",
                "tests/corpus",
                "tests/accepted",
                "../shared/specs-corpus",
            ],
            &["yaml", "yml", "json"],
        );
        files.retain(|path| !path.to_string_lossy().ends_with("-schema.json"));
        files
    }

    /// The leaves of a failed check: where each error is, and what it says.
    fn leaf_errors(error: &boon::ValidationError, out: &mut BTreeSet<String>) {
        if error.causes.is_empty() {
            out.insert(format!("{}: {}", error.instance_location, error.kind));
        }
        for cause in &error.causes {
            leaf_errors(cause, out);
        }
    }

    /// Documents whose schemas break draft-07 deep inside, under each
    /// keyword whose subschemas the Schema Object's additions check again.
    fn broken_schemas() -> Vec<Value> {
        let deep = |schema: Value| {
            json!({"type": "object", "properties": {"outer": {
                "type": "object",
                "properties": {"inner": schema},
                "items": [{"type": "string"}, schema],
                "additionalProperties": schema,
                "patternProperties": {"^a": schema},
                "allOf": [schema],
                "anyOf": [{"type": "string"}, schema],
                "oneOf": [schema],
                "not": schema,
                "propertyNames": schema,
                "contains": schema,
                "if": schema,
                "then": schema,
                "else": schema,
                "definitions": {"d": schema},
                "dependencies": {"a": schema, "b": ["c", 1]},
                "additionalItems": schema
            }}})
        };
        let bad = [
            json!({"type": "strin"}),
            json!({"minLength": -1}),
            json!({"required": "name"}),
            json!({"allOf": []}),
            json!({"items": 5}),
            json!({"properties": {"x": {"enum": 3}}}),
            json!({"patternProperties": {"(": {}}}),
            json!({"additionalProperties": "no"}),
            json!({"discriminator": {"propertyName": "kind"}}),
            json!({"deprecated": "yes"}),
            json!({"externalDocs": {"description": "no url"}}),
            json!(7),
        ];
        let mut documents: Vec<Value> = bad
            .into_iter()
            .map(|schema| {
                json!({
                    "asyncapi": "3.0.0",
                    "info": {"title": "t", "version": "1"},
                    "components": {
                        "schemas": {"S": deep(schema.clone())},
                        "messages": {"m": {"payload": {"schemaFormat": "application/schema+json;version=draft-07", "schema": deep(schema)}}}
                    }
                })
            })
            .collect();
        documents.push(json!({
            "asyncapi": "3.0.0",
            "info": {"title": "t", "version": "1"},
            "components": {"schemas": {"S": deep(json!({"type": "string", "minLength": 1}))}}
        }));
        documents
    }

    /// The Schema Object checking its subschemas against draft-07 once
    /// (see [`check_draft_07_once`]) gives every document the same verdict,
    /// with the same errors at the same places, as the meta-schema as
    /// published.
    #[test]
    fn checking_draft_07_once_never_changes_a_verdict() {
        let mut documents = broken_schemas();
        for path in document_files() {
            if let (Some(doc), _) = crate::load::load_collecting(&path, &Default::default())
                && let Some(value) = doc.raw(&doc.root())
            {
                documents.push(value.clone());
            }
        }
        let mut compared = 0;
        let mut invalid = 0;
        for (version, text) in [
            (SpecVersion::V3_0, SCHEMA_3_0),
            (SpecVersion::V3_1, SCHEMA_3_1),
        ] {
            let mut published: Value = serde_json::from_str(text).unwrap();
            // The lenient `regex` is another change, of its own verdicts.
            rename_format(&mut published, "regex", LENIENT_REGEX);
            let once = parsed(version).unwrap();
            assert_ne!(
                &published, once,
                "{version:?}: the Schema Object is changed"
            );
            let published = compile(version, published).unwrap();
            let once = compile(version, once.clone()).unwrap();
            for document in &documents {
                let verdict = |c: &Compiled| match c.schemas.validate(document, c.index) {
                    Ok(()) => None,
                    Err(error) => {
                        let mut leaves = BTreeSet::new();
                        leaf_errors(&error, &mut leaves);
                        Some(leaves)
                    }
                };
                let expected = verdict(&published);
                invalid += usize::from(expected.is_some());
                assert_eq!(verdict(&once), expected, "{document}");
                compared += 1;
            }
        }
        assert!(
            compared > 200 && invalid > 50,
            "{compared} compared, {invalid} invalid"
        );
    }

    /// Every document the repository holds (and the shared corpus, when it
    /// is there) gets the same verdict, error for error, from its pruned
    /// meta-schema as from the whole one.
    #[test]
    fn pruning_never_changes_a_verdict() {
        let files = document_files();
        let whole = [
            compile(
                SpecVersion::V3_0,
                parsed(SpecVersion::V3_0).unwrap().clone(),
            )
            .unwrap(),
            compile(
                SpecVersion::V3_1,
                parsed(SpecVersion::V3_1).unwrap().clone(),
            )
            .unwrap(),
        ];
        let mut compared = 0;
        for path in files {
            let (Some(doc), _) = crate::load::load_collecting(&path, &Default::default()) else {
                continue;
            };
            let Some(value) = doc.raw(&doc.root()) else {
                continue;
            };
            for (version, whole) in [SpecVersion::V3_0, SpecVersion::V3_1]
                .into_iter()
                .zip(&whole)
            {
                // The variant kept for exactly this document, and the one
                // the process cache hands out.
                let full = parsed(version).unwrap();
                let exact =
                    compile(version, pruned(full, &Kept::of(version, full, value))).unwrap();
                let cached = compiled_for(version, value).unwrap();
                let verdict = |c: &Compiled| match c.schemas.validate(value, c.index) {
                    Ok(()) => String::from("valid"),
                    Err(error) => format!("{error:#}"),
                };
                let expected = verdict(whole);
                assert_eq!(verdict(&exact), expected, "{}", path.display());
                assert_eq!(verdict(&cached), expected, "{}", path.display());
                compared += 1;
            }
        }
        assert!(compared > 150, "only {compared} comparisons");
    }
}
