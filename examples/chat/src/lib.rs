//! The chanx README chat consumer in Rust, on code generated from
//! `specs/chat.yaml` by this crate's build script.
//!
//! - `ping` → `pong` (request/reply);
//! - `chat` → `chat_notification` broadcast to everyone in the room;
//! - a [`ChatEvent`] sent from anywhere in the program (the HTTP endpoint,
//!   a background task) → a `notification` to each client.

use chanx_runtime::HandlerError;
use serde::{Deserialize, Serialize};

/// The generated API: `types` and `channels::chat`.
pub mod api {
    chanx_runtime::include_api!("chat");
}

use api::channels::chat::{Consumer, Ctx, Outgoing};
use api::types::{
    ChatMessage, ChatNotificationMessage, ChatPayload, NotificationMessage, NotificationPayload,
    PingMessage, PongMessage,
};

/// The group every chat connection joins.
pub const ROOM: &str = "chat_room";

/// Events the server sends to chat consumers through the channel layer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action", content = "payload", rename_all = "snake_case")]
pub enum ChatEvent {
    Notify(NotificationPayload),
}

pub struct Chat;

impl Consumer for Chat {
    type Event = ChatEvent;

    async fn handle_ping(&self, _: &mut Ctx, _: PingMessage) -> Result<PongMessage, HandlerError> {
        Ok(PongMessage::default())
    }

    async fn handle_chat(&self, ctx: &mut Ctx, message: ChatMessage) -> Result<(), HandlerError> {
        let text = format!("User: {}", message.payload.message);
        let relayed = ChatNotificationMessage::new(ChatPayload { message: text });
        ctx.broadcast(&relayed.into(), &[ROOM], false).await?;
        Ok(())
    }

    async fn on_event(
        &self,
        _: &mut Ctx,
        event: ChatEvent,
    ) -> Result<Option<Outgoing>, HandlerError> {
        let ChatEvent::Notify(payload) = event;
        Ok(Some(NotificationMessage::new(payload).into()))
    }
}
