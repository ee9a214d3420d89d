//! The routing envelope chanx carries on the same flat frame as a message:
//! `version`, `topic`, `ref` and `seq`. It is validated and stripped before
//! the message itself is decoded, with pydantic-shaped errors.

use serde_json::Value;

use crate::decode::{DecodeError, ErrorDetail};

/// The envelope version chanx 2.x writes next to a `ref`.
pub const VERSION: u64 = 1;

/// The reserved frame keys; never part of a message.
pub const FIELDS: [&str; 4] = ["version", "topic", "ref", "seq"];

/// Checks and removes the envelope keys of `frame`; returns its `ref`.
///
/// A frame that is not an object fails like chanx's envelope model does
/// (`model_type`). `topic` is accepted and ignored: topic routing is not
/// part of this runtime, so a topic-addressed frame is handled as a plain one.
pub fn take(frame: &mut Value) -> Result<Option<Value>, DecodeError> {
    let Value::Object(map) = frame else {
        return Err(DecodeError {
            errors: vec![ErrorDetail::new(
                "model_type",
                vec![],
                "Input should be a valid dictionary or instance of Envelope",
            )],
        });
    };
    let mut errors = Vec::new();
    let mut check = |key: &str, ok: fn(&Value) -> bool, kind: &str, msg: &str| {
        if let Some(value) = map.get(key)
            && !value.is_null()
            && !ok(value)
        {
            errors.push(ErrorDetail::new(kind, vec![Value::from(key)], msg));
        }
    };
    check(
        "version",
        is_integer,
        "int_type",
        "Input should be a valid integer",
    );
    check(
        "topic",
        Value::is_string,
        "string_type",
        "Input should be a valid string",
    );
    check(
        "ref",
        Value::is_string,
        "string_type",
        "Input should be a valid string",
    );
    check(
        "seq",
        is_integer,
        "int_type",
        "Input should be a valid integer",
    );
    if !errors.is_empty() {
        return Err(DecodeError { errors });
    }
    let reference = map.shift_remove("ref").filter(|r| !r.is_null());
    for key in FIELDS {
        map.shift_remove(key);
    }
    Ok(reference)
}

fn is_integer(value: &Value) -> bool {
    value.is_i64() || value.is_u64()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn strips_the_envelope_and_returns_the_ref() {
        let mut frame =
            json!({"action": "ping", "ref": "r1", "version": 1, "topic": null, "seq": 3});
        assert_eq!(take(&mut frame).unwrap(), Some(json!("r1")));
        assert_eq!(frame, json!({"action": "ping"}));
    }

    #[test]
    fn rejects_badly_typed_envelope_keys_as_chanx_does() {
        let mut frame = json!({"action": "ping", "ref": 5});
        let error = take(&mut frame).unwrap_err();
        assert_eq!(
            error.errors[0].to_json(false),
            json!({"type": "string_type", "loc": ["ref"], "msg": "Input should be a valid string"})
        );
        let error = take(&mut json!([1, 2])).unwrap_err();
        assert_eq!(error.errors[0].kind, "model_type");
    }
}
