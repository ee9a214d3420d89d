//! Message bytes as channels_redis / fast-channels write them: optional
//! random bytes, then the message map in msgpack (or JSON), with the
//! routing key `__asgi_channel__` last.
//!
//! Inside the runtime a layer message is JSON bytes (`LayerMessage`); this
//! module converts at the Redis boundary, both ways. Incoming bytes are
//! untrusted: anything unreadable is an error, never a panic.

use serde_json::{Map, Value};

use super::ids::Ids;

/// The routing key channels_redis adds to a message for a process queue.
pub(super) const ROUTING_KEY: &str = "__asgi_channel__";

/// The message types chanx consumers handle (the receiver calls the method
/// named by `type`).
const HANDLED: [&str; 3] = [
    "handle_group_message",
    "handle_channel_event",
    "handle_topic_event",
];

/// How messages are written in Redis (`serializer_format` in channels_redis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Serializer {
    /// msgpack: a map with str keys, strings as str (the default).
    #[default]
    Msgpack,
    /// UTF-8 JSON text.
    Json,
}

/// Who a message is for on the process that reads its queue.
#[derive(Debug, Clone, Copy)]
pub(super) enum Route<'a> {
    /// No routing key (pub/sub flavour: the Redis channel says who).
    None,
    /// `send`: the full channel name.
    Channel(&'a str),
    /// `group_send`: the members that share one process queue.
    Channels(&'a [String]),
}

/// A message read from Redis.
#[derive(Debug, PartialEq)]
pub(super) struct Decoded {
    /// The channels named by the routing key (empty without one).
    pub(super) channels: Vec<String>,
    /// The message as the runtime's JSON layer bytes.
    pub(super) message: Vec<u8>,
}

/// Why bytes from Redis were not delivered.
#[derive(Debug, thiserror::Error, PartialEq)]
pub(super) enum DecodeError {
    #[error("shorter than its {0}-byte random prefix")]
    Short(usize),
    #[error("not a {0:?} message map: {1}")]
    Unreadable(Serializer, String),
    #[error("routing key `__asgi_channel__` is neither a channel name nor a list of them")]
    BadRoute,
    #[error("message type {0:?} is not one a chanx consumer handles")]
    Unhandled(String),
}

/// Reads and writes one serializer's bytes.
#[derive(Debug)]
pub(super) struct Codec {
    serializer: Serializer,
    random_prefix: usize,
}

impl Codec {
    pub(super) fn new(serializer: Serializer, random_prefix: usize) -> Self {
        Codec {
            serializer,
            random_prefix,
        }
    }

    /// `message` (runtime JSON layer bytes) as Redis bytes for `route`.
    pub(super) fn encode(
        &self,
        message: &[u8],
        route: Route<'_>,
        ids: &Ids,
    ) -> Result<Vec<u8>, String> {
        let mut map: Map<String, Value> =
            serde_json::from_slice(message).map_err(|e| e.to_string())?;
        match route {
            Route::None => {}
            Route::Channel(channel) => {
                map.insert(ROUTING_KEY.to_owned(), Value::from(channel));
            }
            Route::Channels(channels) => {
                map.insert(ROUTING_KEY.to_owned(), Value::from(channels.to_vec()));
            }
        }
        let mut out = Vec::with_capacity(self.random_prefix + message.len() + 64);
        ids.fill(&mut out, self.random_prefix);
        match self.serializer {
            Serializer::Msgpack => {
                rmp_serde::encode::write(&mut out, &map).map_err(|e| e.to_string())?
            }
            Serializer::Json => {
                let text = crate::json::to_string(&map).map_err(|e| e.to_string())?;
                out.extend_from_slice(text.as_bytes());
            }
        }
        Ok(out)
    }

    /// Redis bytes to the runtime's JSON layer bytes and the routing key's
    /// channels. A message whose `type` no chanx consumer handles is an
    /// error ([`DecodeError::Unhandled`]): the caller logs and drops it.
    pub(super) fn decode(&self, bytes: &[u8]) -> Result<Decoded, DecodeError> {
        let body = bytes
            .get(self.random_prefix..)
            .ok_or(DecodeError::Short(self.random_prefix))?;
        let unreadable = |e: String| DecodeError::Unreadable(self.serializer, e);
        let mut map: Map<String, Value> = match self.serializer {
            Serializer::Msgpack => {
                rmp_serde::from_slice(body).map_err(|e| unreadable(e.to_string()))?
            }
            Serializer::Json => {
                serde_json::from_slice(body).map_err(|e| unreadable(e.to_string()))?
            }
        };
        let channels = match map.shift_remove(ROUTING_KEY) {
            None => Vec::new(),
            Some(Value::String(channel)) => vec![channel],
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(channel) => Ok(channel),
                    _ => Err(DecodeError::BadRoute),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(DecodeError::BadRoute),
        };
        match map.get("type") {
            Some(Value::String(kind)) if HANDLED.contains(&kind.as_str()) => {}
            Some(Value::String(kind)) => return Err(DecodeError::Unhandled(kind.clone())),
            other => {
                return Err(DecodeError::Unhandled(
                    other.map_or_else(|| "<none>".to_owned(), Value::to_string),
                ));
            }
        }
        // Written as `json.dumps` writes: a group relay's frame goes to the
        // client as this text.
        let message = crate::json::to_string(&map)
            .map_err(|e| unreadable(e.to_string()))?
            .into_bytes();
        Ok(Decoded { channels, message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A relay as Python chanx 2.13 on fast-channels wrote it to a process
    /// queue (captured with `redis-cli monitor`).
    const PYTHON_RELAY: &[u8] = b"F\xfc\xcecmb\xe8f\xeaFz\xb5\x85\xa4type\xb4handle_group_message\xa7message\x82\xa6action\xb1chat_notification\xa7payload\x81\xa7message\xa8User: hi\xafexclude_current\xc2\xacfrom_channel\xd9Jspecific.e9965943f5a140d88f990c54e7d83975!2f552ef1d96d4763a32b69163bc926cf\xb0__asgi_channel__\x91\xd9Jspecific.e9965943f5a140d88f990c54e7d83975!2f552ef1d96d4763a32b69163bc926cf";
    const PYTHON_CHANNEL: &str =
        "specific.e9965943f5a140d88f990c54e7d83975!2f552ef1d96d4763a32b69163bc926cf";

    fn relay_json() -> Vec<u8> {
        crate::json::to_string(&json!({
            "type": "handle_group_message",
            "message": {"action": "chat_notification", "payload": {"message": "User: hi"}},
            "exclude_current": false,
            "from_channel": PYTHON_CHANNEL,
        }))
        .unwrap()
        .into_bytes()
    }

    #[test]
    fn reads_what_python_writes() {
        let decoded = Codec::new(Serializer::Msgpack, 12)
            .decode(PYTHON_RELAY)
            .unwrap();
        assert_eq!(decoded.channels, vec![PYTHON_CHANNEL.to_owned()]);
        assert_eq!(decoded.message, relay_json());
    }

    #[test]
    fn writes_what_python_writes() {
        let ids = Ids::new();
        let channels = [PYTHON_CHANNEL.to_owned()];
        let bytes = Codec::new(Serializer::Msgpack, 12)
            .encode(&relay_json(), Route::Channels(&channels), &ids)
            .unwrap();
        // Only the 12 random bytes differ.
        assert_eq!(&bytes[12..], &PYTHON_RELAY[12..]);
    }

    #[test]
    fn json_serializer_and_single_channel_route() {
        let ids = Ids::new();
        let codec = Codec::new(Serializer::Json, 12);
        let event = br#"{"type":"handle_channel_event","event_data":{"action":"notify","payload":{"message":"hi","level":"info"}}}"#;
        let bytes = codec
            .encode(event, Route::Channel("specific.a!b"), &ids)
            .unwrap();
        assert_eq!(
            &bytes[12..],
            br#"{"type": "handle_channel_event", "event_data": {"action": "notify", "payload": {"message": "hi", "level": "info"}}, "__asgi_channel__": "specific.a!b"}"#
        );
        let decoded = codec.decode(&bytes).unwrap();
        assert_eq!(decoded.channels, vec!["specific.a!b".to_owned()]);
        let back: Value = serde_json::from_slice(&decoded.message).unwrap();
        assert_eq!(back, serde_json::from_slice::<Value>(event).unwrap());
    }

    #[test]
    fn pubsub_messages_have_no_prefix_and_no_route() {
        let ids = Ids::new();
        let codec = Codec::new(Serializer::Msgpack, 0);
        let event = br#"{"type":"handle_topic_event","topic":"room:1","seq":null,"event_data":{"action":"room_chat","payload":1.5}}"#;
        let bytes = codec.encode(event, Route::None, &ids).unwrap();
        assert_eq!(bytes[0], 0x84, "a map of four entries, first byte");
        let decoded = codec.decode(&bytes).unwrap();
        assert!(decoded.channels.is_empty());
        assert_eq!(
            decoded.message,
            br#"{"type": "handle_topic_event", "topic": "room:1", "seq": null, "event_data": {"action": "room_chat", "payload": 1.5}}"#
        );
    }

    #[test]
    fn hostile_bytes_are_errors() {
        let codec = Codec::new(Serializer::Msgpack, 12);
        assert_eq!(codec.decode(b"short"), Err(DecodeError::Short(12)));
        let garbage = [0xc1u8; 40];
        assert!(matches!(
            codec.decode(&garbage),
            Err(DecodeError::Unreadable(..))
        ));
        let ids = Ids::new();
        let other = codec
            .encode(br#"{"type":"chat.message","text":"x"}"#, Route::None, &ids)
            .unwrap();
        assert_eq!(
            codec.decode(&other),
            Err(DecodeError::Unhandled("chat.message".to_owned()))
        );
        // A binary value (Python bytes) has no JSON form.
        let mut binary = vec![0u8; 12];
        binary.extend_from_slice(b"\x82\xa4type\xb4handle_channel_event\xaaevent_data\xc4\x01x");
        assert!(matches!(
            codec.decode(&binary),
            Err(DecodeError::Unreadable(..))
        ));
        let mut route = vec![0u8; 12];
        route.extend_from_slice(b"\x82\xa4type\xb4handle_channel_event\xb0__asgi_channel__\x01");
        assert_eq!(codec.decode(&route), Err(DecodeError::BadRoute));
    }
}
