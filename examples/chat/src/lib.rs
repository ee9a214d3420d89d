//! The chanx README chat consumer in Rust, on code generated from
//! `specs/chat.yaml` by this crate's build script.
//!
//! - `ping` → `pong` (request/reply);
//! - `chat` → `chat_notification` broadcast to everyone in the room;
//! - a [`ChatEvent`] sent from anywhere in the program (the HTTP endpoint,
//!   a background task) → a `notification` to each client;
//! - rooms (`room:{room}`, a chanx topic on the same connection): a client
//!   subscribes to `room:lobby`, gets `room_joined`, and every `room_post`
//!   reaches each subscriber of that room as `room_chat`.

use chanx_runtime::HandlerError;
use serde::{Deserialize, Serialize};

/// The generated API: `types`, `channels::chat` and `channels::chat_room_topic`.
pub mod api {
    chanx_runtime::include_api!("chat");
}

use api::channels::chat::{Consumer, Ctx, Outgoing};
use api::channels::chat_room_topic::{self as room, Topic};
use api::types::{
    ChatMessage, ChatNotificationMessage, ChatPayload, NotificationMessage, NotificationPayload,
    PingMessage, PongMessage, RoomChat, RoomChatMessage, RoomJoined, RoomJoinedMessage,
    RoomPostMessage,
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
    type RoomTopic = Room;

    fn room_topic(&self) -> &Room {
        &Room
    }

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

/// The rooms: anyone may join but `room:private`; a post reaches every
/// subscriber of the room.
pub struct Room;

impl Topic for Room {
    type Event = ();

    async fn authorize(&self, ctx: &mut room::Ctx) -> Result<bool, HandlerError> {
        Ok(ctx.params().room != "private")
    }

    async fn on_subscribe(&self, ctx: &mut room::Ctx) -> Result<(), HandlerError> {
        let joined = RoomJoined {
            room: ctx.params().room.clone(),
        };
        ctx.send(&RoomJoinedMessage::new(joined).into())?;
        Ok(())
    }

    async fn handle_room_post(
        &self,
        ctx: &mut room::Ctx,
        message: RoomPostMessage,
    ) -> Result<(), HandlerError> {
        let chat = RoomChatMessage::new(RoomChat {
            room: ctx.params().room.clone(),
            message: message.payload.message,
        });
        // A passthrough message: each subscriber's connection forwards it.
        let topic = ctx.params().topic();
        room::broadcast(ctx.layer(), &topic, &chat, None).await?;
        Ok(())
    }
}
