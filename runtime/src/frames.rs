//! The runtime's own frames, shaped exactly as the Python chanx sends them.

use serde_json::{Map, Value};

use crate::{auth::AuthRejection, decode::DecodeError, util::camel_case};

/// Builds runtime frames for one consumer's settings.
#[derive(Debug, Clone)]
pub(crate) struct Frames {
    pub(crate) action_key: String,
    pub(crate) camelize: bool,
    pub(crate) include_error_context: bool,
}

/// The three completion frames chanx sends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Completion {
    /// After a client frame was handled.
    Message,
    /// After a relayed group message.
    Group,
    /// After an event was handled.
    Event,
}

impl Frames {
    /// `{"<key>": action, "payload": payload}`.
    pub(crate) fn frame(&self, action: &str, payload: Value) -> Value {
        let mut map = Map::new();
        map.insert(self.action_key.clone(), Value::from(action));
        map.insert("payload".into(), payload);
        Value::Object(map)
    }

    pub(crate) fn completion(&self, kind: Completion) -> Value {
        let action = match kind {
            Completion::Message => "complete",
            Completion::Group => "group_complete",
            Completion::Event => "event_complete",
        };
        self.frame(action, Value::Null)
    }

    /// `{"action":"error","payload":[{"type","loc","msg"}, …]}`.
    pub(crate) fn validation_error(&self, error: &DecodeError) -> Value {
        let entries = error
            .errors
            .iter()
            .map(|e| e.to_json(self.include_error_context))
            .collect();
        self.frame("error", Value::Array(entries))
    }

    /// `{"action":"error","payload":{"reason": …, "detail": …}}`: a topic
    /// frame that cannot be served.
    pub(crate) fn topic_error(&self, reason: &str, detail: &str) -> Value {
        let mut payload = Map::new();
        payload.insert("reason".into(), Value::from(reason));
        payload.insert("detail".into(), Value::from(detail));
        self.frame("error", Value::Object(payload))
    }

    /// `{"action":"error","payload":{"detail": …}}`.
    pub(crate) fn handler_error(&self, detail: String) -> Value {
        let mut payload = Map::new();
        payload.insert("detail".into(), Value::from(detail));
        self.frame("error", Value::Object(payload))
    }

    /// `{"action":"authentication","payload":{"status_code","status_text","data"}}`.
    pub(crate) fn authentication(&self, rejection: &AuthRejection) -> Value {
        self.authentication_frame(
            rejection.status_code,
            &rejection.status_text,
            rejection.data.clone(),
        )
    }

    /// The success frame chanx sends after a connection is authenticated.
    pub(crate) fn authenticated(&self) -> Value {
        self.authentication_frame(200, "OK", serde_json::json!({"detail": "OK"}))
    }

    fn authentication_frame(&self, status_code: u16, status_text: &str, data: Value) -> Value {
        let mut payload = Map::new();
        payload.insert(self.key("status_code"), Value::from(status_code));
        payload.insert(self.key("status_text"), Value::from(status_text));
        payload.insert(self.key("data"), data);
        self.frame("authentication", Value::Object(payload))
    }

    fn key(&self, snake: &str) -> String {
        if self.camelize {
            camel_case(snake)
        } else {
            snake.to_owned()
        }
    }
}
