//! The chat consumer the tests serve, and helpers to start servers.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use chanx_runtime::{
    AuthRejection, Authenticator, ConnectRequest, Context, HandlerError, Router, Server,
    ShutdownHandle,
};
use serde_json::json;

use super::chat::{
    channels::{
        chat::{Consumer, Outgoing, Params},
        chat_room_topic::{self as room, Topic},
    },
    types::*,
};

/// Who an accepted connection is.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
}

/// The consumer under test. Chat messages steer it:
/// `fail` → internal error, `reject` → public error, `slow` → sleeps first,
/// `quiet …` → broadcast excluding the sender.
#[derive(Default, Clone)]
pub struct ChatApp {
    /// Channel names of connected clients, in connection order.
    pub channels: Arc<Mutex<Vec<String>>>,
    /// Chat messages handled and broadcast, all clients together.
    pub relayed: Arc<AtomicUsize>,
    /// The rooms topic of the same connection.
    pub rooms: Rooms,
}

impl ChatApp {
    pub fn channel(&self, index: usize) -> String {
        self.channels.lock().expect("lock")[index].clone()
    }

    /// Chat messages handled and broadcast so far.
    pub fn relayed(&self) -> usize {
        self.relayed.load(Ordering::SeqCst)
    }
}

impl Consumer for ChatApp {
    type Event = NotificationPayload;
    type RoomTopic = Rooms;

    fn room_topic(&self) -> &Rooms {
        &self.rooms
    }

    async fn handle_ping(
        &self,
        _ctx: &mut Context<Outgoing, Params>,
        _message: PingMessage,
    ) -> Result<PongMessage, HandlerError> {
        Ok(PongMessage::default())
    }

    async fn handle_chat(
        &self,
        ctx: &mut Context<Outgoing, Params>,
        message: ChatMessage,
    ) -> Result<(), HandlerError> {
        let text = message.payload.message;
        match text.as_str() {
            "fail" => return Err(std::io::Error::other("db password=hunter2 refused").into()),
            "reject" => return Err(HandlerError::new("Message rejected")),
            "slow" => tokio::time::sleep(Duration::from_millis(300)).await,
            _ => {}
        }
        let who = ctx
            .user::<User>()
            .map_or("anonymous".to_owned(), |u| u.name.clone());
        let (exclude_current, text) = match text.strip_prefix("quiet ") {
            Some(rest) => (true, rest.to_owned()),
            None => (false, text),
        };
        let relayed = Outgoing::ChatNotification(ChatNotificationMessage {
            action: Default::default(),
            payload: ChatPayload {
                message: format!("{who}: {text}"),
            },
        });
        ctx.broadcast_to_joined(&relayed, exclude_current).await?;
        self.relayed.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn on_connect(&self, ctx: &mut Context<Outgoing, Params>) -> Result<(), HandlerError> {
        // A computed group besides the static ones from the config.
        if let Some(user) = ctx.user::<User>() {
            let group = format!("user_{}", user.name);
            ctx.join(&group).await?;
        }
        self.channels
            .lock()
            .expect("lock")
            .push(ctx.channel_name().to_owned());
        Ok(())
    }

    async fn on_event(
        &self,
        _ctx: &mut Context<Outgoing, Params>,
        event: NotificationPayload,
    ) -> Result<Option<Outgoing>, HandlerError> {
        if event.message == "boom" {
            return Err(HandlerError::new("event failed"));
        }
        Ok(Some(Outgoing::Notification(NotificationMessage {
            action: Default::default(),
            payload: event,
        })))
    }
}

/// The `room:{room}` topic. `room:private` is refused; subscribing sends
/// `room_joined`; a post is broadcast to the room as `room_chat` (a
/// passthrough message), except `fail`, which errors. Every unsubscribe, by
/// request or at disconnect, is recorded in `left`.
#[derive(Default, Clone)]
pub struct Rooms {
    pub left: Arc<Mutex<Vec<String>>>,
    /// Posts handled and broadcast, all clients together.
    pub posted: Arc<AtomicUsize>,
}

impl Rooms {
    pub fn left(&self) -> Vec<String> {
        self.left.lock().expect("lock").clone()
    }

    /// Posts handled and broadcast so far.
    pub fn posted(&self) -> usize {
        self.posted.load(Ordering::SeqCst)
    }
}

impl Topic for Rooms {
    type Event = NotificationPayload;

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

    async fn on_unsubscribe(&self, ctx: &mut room::Ctx) -> Result<(), HandlerError> {
        self.left.lock().expect("lock").push(ctx.params().topic());
        Ok(())
    }

    async fn handle_room_post(
        &self,
        ctx: &mut room::Ctx,
        message: RoomPostMessage,
    ) -> Result<(), HandlerError> {
        if message.payload.message == "fail" {
            return Err(HandlerError::new("Post refused"));
        }
        let chat = RoomChatMessage::new(RoomChat {
            room: ctx.params().room.clone(),
            message: message.payload.message,
        });
        room::broadcast(ctx.layer(), &ctx.params().topic(), &chat, None).await?;
        self.posted.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn on_event(
        &self,
        ctx: &mut room::Ctx,
        event: NotificationPayload,
    ) -> Result<Option<room::Outgoing>, HandlerError> {
        // An event becomes a chat line in the room it was sent to.
        Ok(Some(
            RoomChatMessage::new(RoomChat {
                room: ctx.params().room.clone(),
                message: event.message,
            })
            .into(),
        ))
    }
}

/// Token authentication: `?token=`, `Authorization: Bearer`, or a `token` cookie.
pub struct TokenAuth;

impl Authenticator for TokenAuth {
    type User = User;

    async fn authenticate(&self, request: &ConnectRequest) -> Result<User, AuthRejection> {
        let token = request
            .query_param("token")
            .or_else(|| {
                request
                    .header("authorization")
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .map(str::to_owned)
            })
            .or_else(|| request.cookie("token"));
        match token.as_deref() {
            None => Err(AuthRejection::unauthorized(
                json!({"detail": "Authentication credentials were not provided."}),
            )),
            Some(token) => match token.strip_prefix("user-") {
                Some(name) => Ok(User {
                    name: name.to_owned(),
                }),
                None => Err(AuthRejection::forbidden(json!({"detail": "Invalid token"}))),
            },
        }
    }
}

/// A running server on 127.0.0.1.
pub struct Running {
    pub addr: SocketAddr,
    pub shutdown: ShutdownHandle,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }
}

pub async fn start(router: Router) -> Running {
    let server = Server::bind("127.0.0.1:0", router).await.expect("bind");
    let addr = server.local_addr().expect("addr");
    let shutdown = server.shutdown_handle();
    let task = tokio::spawn(server.shutdown_grace(Duration::from_secs(5)).run());
    Running {
        addr,
        shutdown,
        task,
    }
}
