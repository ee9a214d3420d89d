//! The errors a frame gets, shaped as pydantic's, so a client written
//! against the Python chanx sees the same error payloads.
//!
//! Each error entry is `{"type", "loc", "msg"}` (chanx sends pydantic's
//! `errors(include_url=False, include_context=False, include_input=False)`);
//! the `ctx` pydantic would give is kept and sent only when
//! `ConsumerConfig::include_error_context` is on.

use std::fmt;

use serde::de::{self, Deserializer, Unexpected};
use serde_json::{Map, Value, json};

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
}

fn quoted_list(items: &[&str], separator: &str) -> String {
    items
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(separator)
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

    #[test]
    fn const_markers_accept_only_their_constant() {
        #[derive(Debug)]
        struct Chat;
        impl<'de> Deserialize<'de> for Chat {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const_str(d, "chat").map(|()| Chat)
            }
        }
        assert!(serde_json::from_value::<Chat>(json!("chat")).is_ok());
        let error = serde_json::from_value::<Chat>(json!("chit")).unwrap_err();
        assert!(error.to_string().contains("'chat'"), "{error}");
        assert!(serde_json::from_value::<Chat>(json!(3)).is_err());
    }

    #[test]
    fn tag_errors_carry_pydantic_context() {
        let invalid = DecodeError::tag_invalid("action", "x", &["ping", "chat"]);
        assert_eq!(
            invalid.errors[0].to_json(true),
            json!({
                "type": "union_tag_invalid",
                "loc": [],
                "msg": "Input tag 'x' found using 'action' does not match any of the expected tags: 'chat', 'ping'",
                "ctx": {"discriminator": "'action'", "tag": "x", "expected_tags": "'chat', 'ping'"}
            })
        );
        let missing = DecodeError::tag_not_found("action");
        assert_eq!(
            missing.to_string(),
            "1 validation error; Unable to extract tag using discriminator 'action' [union_tag_not_found]"
        );
    }
}
