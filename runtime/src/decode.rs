//! Decoding frames into generated types with pydantic-shaped errors, so a
//! client written against the Python chanx sees the same error payloads.
//!
//! Each error entry is `{"type", "loc", "msg"}` (chanx sends pydantic's
//! `errors(include_url=False, include_context=False, include_input=False)`);
//! the `ctx` pydantic would give is kept and sent only when
//! `ConsumerConfig::include_error_context` is on.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Unexpected};
use serde_json::{Map, Value, json};
use serde_path_to_error::Segment;

/// How many problems one frame reports at most.
const MAX_REPORTED_ERRORS: usize = 16;

/// One pydantic-style validation error.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDetail {
    /// pydantic's error type: `missing`, `string_type`, `union_tag_invalid`, …
    pub kind: String,
    /// Where: `["chat", "payload", "message"]`; `[]` for the whole frame.
    pub loc: Vec<Value>,
    /// pydantic's message: `Field required`, `Input should be a valid string`, …
    pub msg: String,
    /// pydantic's `ctx`, when it has one.
    pub ctx: Option<Map<String, Value>>,
}

impl ErrorDetail {
    /// An entry with pydantic's error type, location and message.
    pub fn new(kind: &str, loc: Vec<Value>, msg: impl Into<String>) -> Self {
        ErrorDetail {
            kind: kind.to_owned(),
            loc,
            msg: msg.into(),
            ctx: None,
        }
    }

    fn with_ctx(mut self, ctx: Value) -> Self {
        if let Value::Object(map) = ctx {
            self.ctx = Some(map);
        }
        self
    }

    /// The entry as sent on the wire, keys in pydantic's order.
    pub fn to_json(&self, include_ctx: bool) -> Value {
        let mut map = Map::new();
        map.insert("type".into(), Value::from(self.kind.clone()));
        map.insert("loc".into(), Value::Array(self.loc.clone()));
        map.insert("msg".into(), Value::from(self.msg.clone()));
        if let (true, Some(ctx)) = (include_ctx, &self.ctx) {
            map.insert("ctx".into(), Value::Object(ctx.clone()));
        }
        Value::Object(map)
    }
}

/// A frame that does not match the channel's messages.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// Every problem found, at least one.
    pub errors: Vec<ErrorDetail>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors.len();
        write!(
            f,
            "{count} validation error{}",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.errors {
            let loc: Vec<String> = error.loc.iter().map(loc_text).collect();
            if loc.is_empty() {
                write!(f, "; {} [{}]", error.msg, error.kind)?;
            } else {
                write!(f, "; {}: {} [{}]", loc.join("."), error.msg, error.kind)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

fn loc_text(item: &Value) -> String {
    match item {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl DecodeError {
    fn one(detail: ErrorDetail) -> Self {
        DecodeError {
            errors: vec![detail],
        }
    }

    /// The frame is not valid JSON (`json_invalid`, `loc: []`).
    pub fn json_invalid(reason: impl fmt::Display) -> Self {
        let reason = reason.to_string();
        Self::one(
            ErrorDetail::new("json_invalid", vec![], format!("Invalid JSON: {reason}"))
                .with_ctx(json!({ "error": reason })),
        )
    }

    /// The frame has no tag (`union_tag_not_found`).
    pub fn tag_not_found(key: &str) -> Self {
        Self::one(
            ErrorDetail::new(
                "union_tag_not_found",
                vec![],
                format!("Unable to extract tag using discriminator '{key}'"),
            )
            .with_ctx(json!({ "discriminator": format!("'{key}'") })),
        )
    }

    /// The frame's tag names no message of the channel (`union_tag_invalid`).
    pub fn tag_invalid(key: &str, tag: &str, expected: &[&str]) -> Self {
        // pydantic lists the expected tags sorted.
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        let expected_tags = quoted_list(&expected, ", ");
        Self::one(
            ErrorDetail::new(
                "union_tag_invalid",
                vec![],
                format!(
                    "Input tag '{tag}' found using '{key}' does not match any of the expected tags: {expected_tags}"
                ),
            )
            .with_ctx(json!({
                "discriminator": format!("'{key}'"),
                "tag": tag,
                "expected_tags": expected_tags,
            })),
        )
    }

    /// A channel direction that has no messages cannot decode any frame.
    pub fn no_messages(channel: &str) -> Self {
        Self::one(ErrorDetail::new(
            "union_tag_not_found",
            vec![],
            format!("Channel '{channel}' receives no messages"),
        ))
    }

    /// The frame is JSON but not an object.
    pub fn not_an_object() -> Self {
        Self::one(ErrorDetail::new(
            "model_attributes_type",
            vec![],
            "Input should be a valid dictionary or object to extract fields from",
        ))
    }

    /// No variant of an untagged union matched; `tried` are the variants' errors.
    pub fn no_variant_matched(tried: Vec<DecodeError>) -> Self {
        let errors: Vec<ErrorDetail> = tried.into_iter().flat_map(|e| e.errors).collect();
        if errors.is_empty() {
            return Self::one(ErrorDetail::new(
                "union_tag_not_found",
                vec![],
                "Input does not match any message of this channel",
            ));
        }
        DecodeError { errors }
    }
}

fn quoted_list(items: &[&str], separator: &str) -> String {
    items
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(separator)
}

/// Reads the tag of a frame and checks it against the channel's tags.
///
/// Returns the matching entry of `tags`, so generated code can `match` on it.
pub fn tag(
    value: &Value,
    key: &str,
    tags: &'static [&'static str],
) -> Result<&'static str, DecodeError> {
    let Value::Object(map) = value else {
        return Err(DecodeError::not_an_object());
    };
    let Some(found) = map.get(key) else {
        return Err(DecodeError::tag_not_found(key));
    };
    let text = match found {
        Value::String(s) => s.clone(),
        Value::Null => "None".to_owned(),
        other => other.to_string(),
    };
    tags.iter()
        .find(|t| **t == text)
        .copied()
        .ok_or_else(|| DecodeError::tag_invalid(key, &text, tags))
}

/// Deserializes one message; error locations start with `loc_prefix`
/// (the tag, as pydantic reports errors inside a tagged union).
///
/// Reports several problems: after each one, the offending spot is patched
/// with a placeholder that satisfies it and decoding runs again.
pub fn from_value<T: DeserializeOwned>(
    value: Value,
    loc_prefix: &[&str],
) -> Result<T, DecodeError> {
    let mut current = value;
    let mut errors = Vec::new();
    while errors.len() < MAX_REPORTED_ERRORS {
        let problem = match first_problem::<T>(&current) {
            Ok(decoded) if errors.is_empty() => return Ok(decoded),
            Ok(_) => break,
            Err(problem) => problem,
        };
        errors.push(problem.detail(loc_prefix));
        if !patch::<T>(&mut current, &problem) {
            break;
        }
    }
    Err(DecodeError { errors })
}

/// The first problem serde finds, located by path.
struct Problem {
    /// Path to the spot, including a missing field's name.
    path: Vec<PathItem>,
    /// The missing field is absent (insert) rather than wrong (replace).
    missing: bool,
    /// The path holds segments we cannot walk (enum variants, unknown).
    opaque: bool,
    message: String,
}

#[derive(Clone, PartialEq)]
enum PathItem {
    Key(String),
    Index(usize),
}

impl Problem {
    fn detail(&self, loc_prefix: &[&str]) -> ErrorDetail {
        let mut loc: Vec<Value> = loc_prefix.iter().map(|p| Value::from(*p)).collect();
        loc.extend(self.path.iter().map(|item| match item {
            PathItem::Key(k) => Value::from(k.clone()),
            PathItem::Index(i) => Value::from(*i),
        }));
        let (kind, msg) = pydantic_error(&self.message);
        ErrorDetail::new(kind, loc, msg)
    }
}

fn first_problem<T: DeserializeOwned>(value: &Value) -> Result<T, Problem> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|error| {
        let mut path = Vec::new();
        let mut opaque = false;
        for segment in error.path().iter() {
            match segment {
                Segment::Map { key } => path.push(PathItem::Key(key.clone())),
                Segment::Seq { index } => path.push(PathItem::Index(*index)),
                Segment::Enum { .. } | Segment::Unknown => opaque = true,
            }
        }
        let message = error.inner().to_string();
        let missing_field = between(&message, "missing field `", "`").map(str::to_owned);
        let missing = missing_field.is_some();
        if let Some(field) =
            missing_field.or_else(|| between(&message, "unknown field `", "`").map(str::to_owned))
        {
            path.push(PathItem::Key(field));
        }
        Problem {
            path,
            missing,
            opaque,
            message,
        }
    })
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(start)?;
    rest.find(end).map(|i| &rest[..i])
}

/// Values tried in place of a missing or wrong value, cheapest first.
fn placeholders() -> [Value; 7] {
    [
        Value::Null,
        Value::from(""),
        Value::from(0),
        Value::from(0.5),
        Value::from(false),
        Value::Array(vec![]),
        Value::Object(Map::new()),
    ]
}

/// A value the error message itself names: the first variant of an enum or
/// the constant of a const marker.
fn hinted_placeholder(message: &str) -> Option<Value> {
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let expected = rest.split_once(", expected ")?.1;
        let first = expected.trim_start_matches("one of ").split(", ").next()?;
        return Some(Value::from(first.trim_matches('`')));
    }
    let expected = message.rsplit_once(", expected ")?.1;
    let constant = expected.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(Value::from(constant))
}

/// Patches the spot of `problem` so decoding can go on to the next problem;
/// false when no placeholder satisfies it (decoding then stops).
fn patch<T: DeserializeOwned>(value: &mut Value, problem: &Problem) -> bool {
    if problem.opaque || problem.path.is_empty() {
        return false;
    }
    if problem.message.starts_with("unknown field `") {
        return remove_at(value, &problem.path);
    }
    for candidate in hinted_placeholder(&problem.message)
        .into_iter()
        .chain(placeholders())
    {
        let mut trial = value.clone();
        if !set_at(&mut trial, &problem.path, candidate, problem.missing) {
            return false;
        }
        // Keep a placeholder only when nothing at or below its spot fails:
        // errors inside it would be ours, not the client's.
        let spot_ok = match first_problem::<T>(&trial) {
            Ok(_) => true,
            Err(next) => !next.path.starts_with(&problem.path),
        };
        if spot_ok {
            *value = trial;
            return true;
        }
    }
    false
}

fn set_at(value: &mut Value, path: &[PathItem], new: Value, insert: bool) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let Some(parent) = walk_mut(value, parents) else {
        return false;
    };
    match (parent, last) {
        (Value::Object(map), PathItem::Key(key)) if insert || map.contains_key(key) => {
            map.insert(key.clone(), new);
            true
        }
        (Value::Array(items), PathItem::Index(i)) => match items.get_mut(*i) {
            Some(slot) => {
                *slot = new;
                true
            }
            None => false,
        },
        _ => false,
    }
}

fn remove_at(value: &mut Value, path: &[PathItem]) -> bool {
    let Some((PathItem::Key(key), parents)) = path.split_last() else {
        return false;
    };
    match walk_mut(value, parents) {
        Some(Value::Object(map)) => map.shift_remove(key).is_some(),
        _ => false,
    }
}

fn walk_mut<'a>(mut value: &'a mut Value, path: &[PathItem]) -> Option<&'a mut Value> {
    for item in path {
        value = match (value, item) {
            (Value::Object(map), PathItem::Key(key)) => map.get_mut(key)?,
            (Value::Array(items), PathItem::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Maps a serde message to pydantic's error type and message.
fn pydantic_error(message: &str) -> (&'static str, String) {
    if message.starts_with("missing field `") {
        return ("missing", "Field required".into());
    }
    if message.starts_with("unknown field `") {
        return ("extra_forbidden", "Extra inputs are not permitted".into());
    }
    if let Some(expected) = message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split_once(", expected ").map(|(_, e)| e))
    {
        let options: Vec<&str> = expected
            .trim_start_matches("one of ")
            .split(", ")
            .map(|o| o.trim_matches('`'))
            .collect();
        return ("enum", format!("Input should be {}", or_list(&options)));
    }
    let expected = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.rsplit_once(", expected "))
        .map(|(_, e)| e);
    let Some(expected) = expected else {
        return ("value_error", message.to_owned());
    };
    if let Some(constant) = expected
        .strip_prefix('\'')
        .and_then(|e| e.strip_suffix('\''))
    {
        return ("literal_error", format!("Input should be '{constant}'"));
    }
    let kind = match expected {
        "a string" | "string" | "a borrowed string" | "a character" | "char" => {
            ("string_type", "Input should be a valid string".to_owned())
        }
        "a boolean" => ("bool_type", "Input should be a valid boolean".into()),
        "unit" | "null" => ("none_required", "Input should be None".into()),
        "a sequence" | "a tuple" => ("list_type", "Input should be a valid list".into()),
        "a map" => ("dict_type", "Input should be a valid dictionary".into()),
        "f32" | "f64" | "a float" | "a number" => {
            ("float_type", "Input should be a valid number".into())
        }
        e if is_integer_name(e) => ("int_type", "Input should be a valid integer".into()),
        e => match e.strip_prefix("struct ") {
            Some(name) => (
                "model_type",
                format!("Input should be a valid dictionary or instance of {name}"),
            ),
            None => ("value_error", message.to_owned()),
        },
    };
    // An integer out of range is a value problem, not a type problem.
    if kind.0 == "int_type" && message.starts_with("invalid value: ") {
        return ("value_error", message.to_owned());
    }
    kind
}

fn is_integer_name(expected: &str) -> bool {
    matches!(
        expected,
        "i8" | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "isize"
            | "usize"
            | "an integer"
    )
}

/// `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'` as pydantic writes choices.
fn or_list(options: &[&str]) -> String {
    match options.split_last() {
        None => String::new(),
        Some((last, [])) => format!("'{last}'"),
        Some((last, rest)) => format!("{} or '{last}'", quoted_list(rest, ", ")),
    }
}

/// Deserializes the constant string `expected` (the body of a generated
/// const marker's `Deserialize`); anything else is a `literal_error`.
pub fn const_str<'de, D: Deserializer<'de>>(
    deserializer: D,
    expected: &'static str,
) -> Result<(), D::Error> {
    struct ConstVisitor(&'static str);
    impl<'de> de::Visitor<'de> for ConstVisitor {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "'{}'", self.0)
        }
        fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
            if value == self.0 {
                Ok(())
            } else {
                Err(E::invalid_value(Unexpected::Str(value), &self))
            }
        }
    }
    deserializer.deserialize_str(ConstVisitor(expected))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
        count: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Level {
        #[serde(rename = "info")]
        Info,
        #[serde(rename = "warning")]
        Warning,
        #[serde(rename = "error")]
        Error,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
        tags: Vec<String>,
        level: Level,
        flag: Option<bool>,
    }

    fn errors(value: Value) -> Vec<Value> {
        match from_value::<Outer>(value, &["msg"]) {
            Ok(decoded) => panic!("decoded {decoded:?}"),
            Err(error) => error.errors.iter().map(|e| e.to_json(false)).collect(),
        }
    }

    #[test]
    fn reports_every_missing_field() {
        assert_eq!(
            errors(json!({"inner": {}, "tags": []})),
            vec![
                json!({"type": "missing", "loc": ["msg", "inner", "name"], "msg": "Field required"}),
                json!({"type": "missing", "loc": ["msg", "inner", "count"], "msg": "Field required"}),
                json!({"type": "missing", "loc": ["msg", "level"], "msg": "Field required"}),
            ]
        );
    }

    #[test]
    fn reports_type_errors_with_indexes() {
        assert_eq!(
            errors(
                json!({"inner": {"name": 1, "count": "x"}, "tags": ["a", 2], "level": "loud", "flag": "yes"})
            ),
            vec![
                json!({"type": "string_type", "loc": ["msg", "inner", "name"], "msg": "Input should be a valid string"}),
                json!({"type": "int_type", "loc": ["msg", "inner", "count"], "msg": "Input should be a valid integer"}),
                json!({"type": "string_type", "loc": ["msg", "tags", 1], "msg": "Input should be a valid string"}),
                json!({"type": "enum", "loc": ["msg", "level"], "msg": "Input should be 'info', 'warning' or 'error'"}),
                json!({"type": "bool_type", "loc": ["msg", "flag"], "msg": "Input should be a valid boolean"}),
            ]
        );
    }

    #[test]
    fn a_missing_nested_object_is_one_error() {
        assert_eq!(
            errors(json!({"tags": "no", "level": "info"})),
            vec![
                json!({"type": "list_type", "loc": ["msg", "tags"], "msg": "Input should be a valid list"}),
                json!({"type": "missing", "loc": ["msg", "inner"], "msg": "Field required"}),
            ]
        );
    }

    #[test]
    fn const_markers_give_literal_errors() {
        #[derive(Debug)]
        struct Chat;
        impl<'de> Deserialize<'de> for Chat {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const_str(d, "chat").map(|()| Chat)
            }
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Message {
            action: Chat,
        }
        let error = from_value::<Message>(json!({"action": "chit"}), &["chat"])
            .expect_err("wrong constant");
        assert_eq!(
            error.errors[0].to_json(false),
            json!({"type": "literal_error", "loc": ["chat", "action"], "msg": "Input should be 'chat'"})
        );
        let error = from_value::<Message>(json!({"action": 3}), &[]).expect_err("not a string");
        assert_eq!(error.errors[0].kind, "literal_error");
        assert!(from_value::<Message>(json!({"action": "chat"}), &[]).is_ok());
    }

    #[test]
    fn tag_errors_carry_pydantic_context() {
        let tags: &'static [&'static str] = &["ping", "chat"];
        assert_eq!(
            tag(&json!({"action": "chat"}), "action", tags).ok(),
            Some("chat")
        );
        let invalid = tag(&json!({"action": "x"}), "action", tags).expect_err("unknown tag");
        assert_eq!(
            invalid.errors[0].to_json(true),
            json!({
                "type": "union_tag_invalid",
                "loc": [],
                "msg": "Input tag 'x' found using 'action' does not match any of the expected tags: 'chat', 'ping'",
                "ctx": {"discriminator": "'action'", "tag": "x", "expected_tags": "'chat', 'ping'"}
            })
        );
        let missing = tag(&json!({}), "action", tags).expect_err("no tag");
        assert_eq!(
            missing.errors[0].to_json(true),
            json!({
                "type": "union_tag_not_found",
                "loc": [],
                "msg": "Unable to extract tag using discriminator 'action'",
                "ctx": {"discriminator": "'action'"}
            })
        );
        assert_eq!(
            missing.to_string(),
            "1 validation error; Unable to extract tag using discriminator 'action' [union_tag_not_found]"
        );
    }
}
