//! What crosses the layer, shaped like chanx's channel-layer messages.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub(crate) enum Envelope {
    /// `ctx.broadcast`: an outgoing frame relayed to every member's client.
    #[serde(rename = "handle_group_message")]
    GroupMessage {
        message: Value,
        exclude_current: bool,
        from_channel: String,
    },
    /// `send_event` / `broadcast_event`: handed to `Handler::on_event`.
    #[serde(rename = "handle_channel_event")]
    ChannelEvent { event_data: Value },
}

impl Envelope {
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}
