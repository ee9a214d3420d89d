//! The routing envelope chanx carries on the same flat frame as a message:
//! `version`, `topic`, `ref` and `seq`. It is validated (as chanx's
//! `Envelope` pydantic model) and stripped before the message itself is.

use crate::decode::DecodeError;
use crate::json::Json;
use crate::validate::Program;

/// The envelope version chanx 2.x writes next to a `ref`.
pub const VERSION: u64 = 1;

/// The reserved frame keys; never part of a message.
pub const FIELDS: [&str; 4] = ["version", "topic", "ref", "seq"];

/// chanx's `Envelope(BaseModel)`: `version: int = 1`, `topic: str | None = None`,
/// `ref: str | None = None`, `seq: int | None = None`.
static ENVELOPE: Program = Program::new(
    r#"{"version":1,"defs":[],"roots":[{"t":"model","name":"Envelope","fields":[
        {"name":"version","schema":{"t":"int","unbounded":true},"default":1},
        {"name":"topic","schema":{"t":"nullable","inner":{"t":"str"}},"default":null},
        {"name":"ref","schema":{"t":"nullable","inner":{"t":"str"}},"default":null},
        {"name":"seq","schema":{"t":"nullable","inner":{"t":"int","unbounded":true}},"default":null}]}]}"#,
);

/// A frame's routing keys, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Envelope {
    pub topic: Option<String>,
    pub reference: Option<String>,
    pub seq: Option<Json>,
}

/// Validates and removes the envelope keys of `frame`.
///
/// A frame that is not an object fails as chanx's envelope model does
/// (`model_type`); a badly typed key gets pydantic's error at its name.
pub fn take(frame: &mut Json) -> Result<Envelope, DecodeError> {
    // Most frames carry no envelope key: nothing to check or strip.
    if let Json::Object(map) = &*frame
        && !FIELDS.iter().any(|key| map.contains_key(key))
    {
        return Ok(Envelope::default());
    }
    let (_, validated) = ENVELOPE.validate(0, frame)?;
    let validated = validated.into_owned();
    let field = |key: &str| validated.as_object().and_then(|m| m.get(key)).cloned();
    let text = |value: Option<Json>| match value {
        Some(Json::Str(s)) => Some(s.into_string()),
        _ => None,
    };
    let envelope = Envelope {
        topic: text(field("topic")),
        reference: text(field("ref")),
        seq: field("seq").filter(|s| !s.is_null()),
    };
    if let Some(map) = frame.as_object_mut() {
        for key in FIELDS {
            map.shift_remove(key);
        }
    }
    Ok(envelope)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn frame(value: serde_json::Value) -> Json {
        Json::from(value)
    }

    #[test]
    fn strips_the_envelope_and_returns_the_ref() {
        let mut f =
            frame(json!({"action": "ping", "ref": "r1", "version": 1, "topic": null, "seq": 3}));
        let envelope = take(&mut f).unwrap();
        assert_eq!(envelope.reference.as_deref(), Some("r1"));
        assert_eq!(envelope.seq, Some(Json::Int(3)));
        assert_eq!(f, frame(json!({"action": "ping"})));
    }

    #[test]
    fn reads_the_envelope_as_pydantic_does() {
        // Lax: a numeric string is an int.
        assert!(take(&mut frame(json!({"action": "ping", "version": "2"}))).is_ok());
        let error = take(&mut frame(json!({"action": "ping", "ref": 5}))).unwrap_err();
        assert_eq!(
            error.errors[0].to_json(false),
            json!({"type": "string_type", "loc": ["ref"], "msg": "Input should be a valid string"})
        );
        let error = take(&mut frame(json!({"version": 1.5, "seq": "x"}))).unwrap_err();
        let kinds: Vec<&str> = error.errors.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["int_from_float", "int_parsing"]);
        let error = take(&mut frame(json!([1, 2]))).unwrap_err();
        assert_eq!(
            error.errors[0].to_json(false),
            json!({"type": "model_type", "loc": [], "msg": "Input should be a valid dictionary or instance of Envelope"})
        );
    }
}
