//! Everything a connection sends in answer to something: replies, errors
//! and completion frames, stamped with the envelope chanx adds.

use std::sync::Arc;

use serde_json::Value;

use crate::{
    HandlerError,
    decode::DecodeError,
    frames::{Completion, Frames},
    json::Json,
    message::ChannelMessage,
    outbox::Outbox,
};

/// The envelope keys chanx adds to a frame it sends.
///
/// On a consumer's own frames: `"version": 1, "ref": …` while a frame with
/// a `ref` is being handled, nothing otherwise. On a topic's frames, always
/// `"version": 1, "topic": …`, then the `ref` being answered and the `seq`
/// of the event being pushed, when there is one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stamp<'a> {
    pub(crate) topic: Option<&'a str>,
    pub(crate) reference: Option<&'a str>,
    pub(crate) seq: Option<&'a Json>,
}

impl<'a> Stamp<'a> {
    /// A consumer's own frame, answering `reference`.
    pub(crate) fn reply(reference: Option<&'a str>) -> Self {
        Stamp {
            reference,
            ..Stamp::default()
        }
    }

    fn is_empty(&self) -> bool {
        self.topic.is_none() && self.reference.is_none()
    }

    /// The keys and values to add, in chanx's order.
    fn entries(&self) -> Vec<(&'static str, Json)> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut entries = vec![("version", Json::Int(crate::envelope::VERSION as i64))];
        if let Some(topic) = self.topic {
            entries.push(("topic", Json::from(topic.to_owned())));
        }
        if let Some(reference) = self.reference {
            entries.push(("ref", Json::from(reference.to_owned())));
        }
        if let (Some(seq), Some(_)) = (self.seq, self.topic) {
            entries.push(("seq", seq.clone()));
        }
        entries
    }

    /// `frame | envelope`: a key the frame already has keeps its place and
    /// takes the envelope's value, as Python's dict union does.
    pub(crate) fn apply(&self, mut frame: Json) -> Json {
        if let Json::Object(map) = &mut frame {
            for (key, value) in self.entries() {
                map.insert(key, value);
            }
        }
        frame
    }

    /// [`Stamp::apply`] on serialized JSON (`json.dumps` layout) without
    /// parsing it; `Err` gives the text back when it is not an object or
    /// already has one of the keys.
    pub(crate) fn apply_text(&self, mut text: String) -> Result<String, String> {
        let entries = self.entries();
        if entries.is_empty() {
            return Ok(text);
        }
        let is_object = text.starts_with('{') && text.ends_with('}');
        if !is_object
            || entries
                .iter()
                .any(|(key, _)| text.contains(&format!("\"{key}\"")))
        {
            return Err(text);
        }
        text.pop();
        for (key, value) in entries {
            if text.len() > 1 {
                text.push_str(", ");
            }
            text.push('"');
            text.push_str(key);
            text.push_str("\": ");
            match crate::json::to_string(&value) {
                Ok(value) => text.push_str(&value),
                Err(_) => text.push_str("null"),
            }
        }
        text.push('}');
        Ok(text)
    }
}

/// Queues a connection's answers: shared by the consumer and its topics.
#[derive(Clone)]
pub(crate) struct Responder {
    pub(crate) outbox: Outbox,
    pub(crate) frames: Arc<Frames>,
    pub(crate) send_completion: bool,
}

impl Responder {
    /// A runtime frame (error, completion, …), stamped.
    pub(crate) fn send(&self, frame: &Value, stamp: Stamp<'_>) {
        let queued = if stamp.is_empty() {
            self.outbox.push_json(frame)
        } else {
            let stamped = stamp.apply(Json::from(frame.clone()));
            match crate::json::to_string(&stamped) {
                Ok(text) => self
                    .outbox
                    .push_serialized(text, self.outbox.log().action_of(frame)),
                Err(error) => Err(error.into()),
            }
        };
        if let Err(error) = queued {
            tracing::debug!(%error, "frame not queued");
        }
    }

    /// A serialized message (compact `json.dumps` text), stamped.
    pub(crate) fn send_text(&self, text: String, action: Option<&str>, stamp: Stamp<'_>) {
        let queued = match stamp.apply_text(text) {
            Ok(text) => self.outbox.push_serialized(text, action),
            // The message has keys of its own named like the envelope's:
            // merge as a tree so they are overwritten, as chanx does.
            Err(text) => match crate::json::parse(&text) {
                Ok(frame) => crate::json::to_string(&stamp.apply(frame))
                    .map_err(crate::SendError::from)
                    .and_then(|text| self.outbox.push_serialized(text, action)),
                Err(error) => {
                    tracing::error!(%error, "a serialized message does not read back");
                    Ok(())
                }
            },
        };
        if let Err(error) = queued {
            tracing::debug!(%error, "frame not queued");
        }
    }

    /// A frame already serialized, sent as it is (a relayed broadcast).
    pub(crate) fn send_relayed(&self, frame: &str) {
        if let Err(error) = self.outbox.push_json_text(frame) {
            tracing::debug!(%error, "frame not queued");
        }
    }

    /// Validation errors, as chanx reports them.
    pub(crate) fn validation_error(&self, error: &DecodeError, stamp: Stamp<'_>) {
        if let Some(first) = error.errors.first() {
            crate::observe::validation_error(&first.kind);
        }
        self.send(&self.frames.validation_error(error), stamp);
    }

    /// A handler's result: its reply, or the error frame chanx sends when
    /// it fails (`tag` names the action being handled).
    pub(crate) fn reply<M: ChannelMessage + serde::Serialize>(
        &self,
        result: Result<Option<M>, HandlerError>,
        tag: Option<&'static str>,
        stamp: Stamp<'_>,
    ) {
        match result {
            Ok(None) => {}
            Ok(Some(reply)) => match crate::json::to_frame(&reply) {
                Ok(text) => self.send_text(text, reply.tag(), stamp),
                Err(error) => {
                    tracing::error!(%error, "cannot serialize the reply");
                    let detail = HandlerError::internal(error).client_detail(tag);
                    self.send(&self.frames.handler_error(detail), stamp);
                }
            },
            Err(error) => {
                let action = tag.unwrap_or("");
                tracing::error!(error = %error, action, "handler failed");
                crate::observe::handler_error("message", action);
                self.send(&self.frames.handler_error(error.client_detail(tag)), stamp);
            }
        }
    }

    /// The completion frame of `kind`, when completion is on.
    pub(crate) fn complete(&self, kind: Completion, stamp: Stamp<'_>) {
        if self.send_completion {
            self.send(&self.frames.completion(kind), stamp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Stamp;
    use crate::json::Json;

    fn text(stamp: Stamp<'_>, text: &str) -> Result<String, String> {
        stamp.apply_text(text.to_owned())
    }

    #[test]
    fn appends_the_envelope_after_the_message_keys() {
        assert_eq!(
            text(
                Stamp::reply(Some("r1")),
                r#"{"action": "pong", "payload": null}"#
            )
            .unwrap(),
            r#"{"action": "pong", "payload": null, "version": 1, "ref": "r1"}"#
        );
        assert_eq!(
            text(Stamp::reply(Some("r\u{e9}")), "{}").unwrap(),
            r#"{"version": 1, "ref": "r\u00e9"}"#
        );
        assert_eq!(text(Stamp::default(), "[1]").unwrap(), "[1]");
        let seq = Json::Int(17);
        let pushed = Stamp {
            topic: Some("room:42"),
            reference: None,
            seq: Some(&seq),
        };
        assert_eq!(
            text(pushed, r#"{"action": "e", "payload": 1}"#).unwrap(),
            r#"{"action": "e", "payload": 1, "version": 1, "topic": "room:42", "seq": 17}"#
        );
        let answered = Stamp {
            topic: Some("t"),
            reference: Some("9"),
            seq: None,
        };
        assert_eq!(
            text(answered, r#"{"action": "x"}"#).unwrap(),
            r#"{"action": "x", "version": 1, "topic": "t", "ref": "9"}"#
        );
    }

    #[test]
    fn gives_back_what_it_cannot_append_to() {
        for frame in [
            r#"[1]"#,
            r#"{"action":"x","version":"2"}"#,
            r#"{"ref":"mine"}"#,
        ] {
            assert_eq!(text(Stamp::reply(Some("r")), frame), Err(frame.to_string()));
        }
        let on_topic = Stamp {
            topic: Some("t"),
            ..Stamp::default()
        };
        assert!(text(on_topic, r#"{"topic":"other"}"#).is_err());
    }

    #[test]
    fn merges_into_existing_keys_in_place() {
        let frame = crate::json::parse(r#"{"ref":"mine","action":"x","version":"2"}"#).unwrap();
        let stamped = Stamp::reply(Some("r")).apply(frame);
        assert_eq!(
            crate::json::to_string(&stamped).unwrap(),
            r#"{"ref": "r", "action": "x", "version": 1}"#
        );
    }
}
