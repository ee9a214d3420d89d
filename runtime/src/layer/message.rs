//! What crosses the layer, shaped like chanx's channel-layer messages.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type")]
pub(crate) enum LayerMessage {
    /// `ctx.broadcast`: an outgoing frame relayed to every member's client.
    #[serde(rename = "handle_group_message")]
    GroupMessage {
        /// The frame as its clients get it (written as `json.dumps` writes).
        message: Box<RawValue>,
        exclude_current: bool,
        from_channel: String,
    },
    /// `send_event` / `broadcast_event`: handed to `Handler::on_event`.
    #[serde(rename = "handle_channel_event")]
    ChannelEvent { event_data: Value },
    /// `Layer::topic_broadcast`: handed to the subscription of `topic`, if
    /// the connection has one; its frames carry `seq` when set.
    #[serde(rename = "handle_topic_event")]
    TopicEvent {
        topic: String,
        #[serde(default)]
        seq: Option<Value>,
        event_data: Value,
    },
}

/// A group relay read without parsing its frame: `message` stays the JSON
/// text it was serialized to.
#[derive(Debug, Deserialize)]
pub(crate) struct RelayedFrame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) message: Option<&'a RawValue>,
    #[serde(default)]
    pub(crate) exclude_current: bool,
    #[serde(borrow, default)]
    pub(crate) from_channel: Cow<'a, str>,
}

/// A relay with its frame.
pub(crate) struct Relay<'a> {
    pub(crate) message: &'a RawValue,
    pub(crate) exclude_current: bool,
    pub(crate) from_channel: Cow<'a, str>,
}

impl<'a> RelayedFrame<'a> {
    /// The relay in `bytes`, or `None` when they hold anything else (an
    /// event, or a relay without a frame: [`LayerMessage::from_bytes`] reports it).
    pub(crate) fn from_bytes(bytes: &'a [u8]) -> Option<Relay<'a>> {
        let relay: RelayedFrame<'a> = serde_json::from_slice(bytes).ok()?;
        if relay.kind != "handle_group_message" {
            return None;
        }
        Some(Relay {
            message: relay.message?,
            exclude_current: relay.exclude_current,
            from_channel: relay.from_channel,
        })
    }
}

impl LayerMessage {
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_relay_keeps_its_frame_as_serialized() {
        let message = crate::json::to_string(
            &json!({"action": "chat_notification", "payload": {"message": "a \"quoted\" é"}}),
        )
        .unwrap();
        let bytes = LayerMessage::GroupMessage {
            message: RawValue::from_string(message.clone()).unwrap(),
            exclude_current: true,
            from_channel: "inmemory.1!\"2\"".into(),
        }
        .to_bytes()
        .unwrap();
        let relay = RelayedFrame::from_bytes(&bytes).expect("a relay");
        assert_eq!(relay.message.get(), message);
        assert!(relay.exclude_current);
        assert_eq!(relay.from_channel, "inmemory.1!\"2\"");
    }

    #[test]
    fn events_and_broken_bytes_are_not_relays() {
        let event = LayerMessage::ChannelEvent {
            event_data: json!({"action": "notify", "payload": {"message": "hi"}}),
        }
        .to_bytes()
        .unwrap();
        assert!(RelayedFrame::from_bytes(&event).is_none());
        assert!(RelayedFrame::from_bytes(b"{not json").is_none());
        assert!(RelayedFrame::from_bytes(br#"{"type":"handle_group_message"}"#).is_none());
    }
}
