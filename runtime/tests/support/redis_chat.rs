//! A chat server for several processes on one Redis: the `redis_chat`
//! example and the processes the Redis tests start run this.
//!
//! Chat messages steer it:
//! - `whoami` → a `notification` to the sender carrying its channel name;
//! - `event TEXT` → `broadcast_event` of a notification to group `chat`;
//! - `to CHANNEL TEXT` → `send_event` of a notification to that channel;
//! - anything else → a `chat_notification` broadcast to group `chat`.

use std::{error::Error, time::Duration};

use chanx_runtime::{
    ConsumerConfig, Context, HandlerError, Layer, Route, Router, Server,
    layer::redis::{Flavour, RedisConfig, RedisLayer},
};

use crate::chat::{
    channels::{
        chat::{ChatServer, Consumer, Outgoing, Params},
        chat_room_topic::{self as room, Topic},
    },
    types::*,
};

pub const GROUP: &str = "chat";

/// Command line: `--bind ADDR --redis URL [--prefix P] [--group-expiry-ms N]
/// [--process-ttl-ms N] [--pubsub]`.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: String,
    pub redis: RedisConfig,
}

impl Options {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut bind = "127.0.0.1:8000".to_owned();
        let mut url = None;
        let mut prefix = None;
        let mut group_expiry = None;
        let mut process_ttl = None;
        let mut flavour = Flavour::Core;
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            if flag == "--pubsub" {
                flavour = Flavour::PubSub;
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let ms = || {
                value
                    .parse()
                    .map(Duration::from_millis)
                    .map_err(|_| format!("{flag}: not a number: {value}"))
            };
            match flag.as_str() {
                "--bind" => bind = value.clone(),
                "--redis" => url = Some(value.clone()),
                "--prefix" => prefix = Some(value.clone()),
                "--group-expiry-ms" => group_expiry = Some(ms()?),
                "--process-ttl-ms" => process_ttl = Some(ms()?),
                other => return Err(format!("unknown option {other}")),
            }
        }
        let url = url
            .or_else(|| std::env::var("CHANX_REDIS_URL").ok())
            .ok_or("--redis URL (or CHANX_REDIS_URL) is required")?;
        let mut redis = RedisConfig::new(url).flavour(flavour);
        if let Some(prefix) = prefix {
            redis = redis.prefix(prefix);
        }
        if let Some(expiry) = group_expiry {
            redis = redis.group_expiry(expiry);
        }
        if let Some(ttl) = process_ttl {
            redis = redis.process_ttl(ttl);
        }
        Ok(Options { bind, redis })
    }
}

/// Connects to Redis, binds, prints `listening on ADDR` and serves forever.
pub async fn serve(options: Options) -> Result<(), Box<dyn Error>> {
    let layer = Layer::new(RedisLayer::connect(options.redis).await?);
    let config = ConsumerConfig {
        groups: vec![GROUP.into()],
        ..ConsumerConfig::default()
    };
    let router =
        Router::with_layer(layer).route(Route::new(ChatServer::new(RedisChat)).config(config));
    let server = Server::bind(&options.bind, router).await?;
    println!("listening on {}", server.local_addr()?);
    server.run().await?;
    Ok(())
}

pub fn notice(message: &str) -> NotificationPayload {
    NotificationPayload {
        message: message.to_owned(),
        level: NotificationPayloadLevel::Info,
    }
}

pub struct RedisChat;

impl Consumer for RedisChat {
    type Event = NotificationPayload;
    type RoomTopic = Rooms;

    fn room_topic(&self) -> &Rooms {
        &Rooms
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
        if text == "whoami" {
            let name = ctx.channel_name().to_owned();
            ctx.send(&notification(notice(&name)))?;
        } else if let Some(rest) = text.strip_prefix("event ") {
            ctx.layer().broadcast_event(&notice(rest), &[GROUP]).await?;
        } else if let Some((channel, rest)) =
            text.strip_prefix("to ").and_then(|r| r.split_once(' '))
        {
            ctx.layer().send_event(&notice(rest), channel).await?;
        } else {
            let relayed = Outgoing::ChatNotification(ChatNotificationMessage {
                action: Default::default(),
                payload: ChatPayload { message: text },
            });
            ctx.broadcast_to_joined(&relayed, false).await?;
        }
        Ok(())
    }

    async fn on_event(
        &self,
        _ctx: &mut Context<Outgoing, Params>,
        event: NotificationPayload,
    ) -> Result<Option<Outgoing>, HandlerError> {
        Ok(Some(notification(event)))
    }
}

/// Rooms: a post reaches every subscriber of the room, in any process.
pub struct Rooms;

impl Topic for Rooms {
    type Event = ();

    async fn handle_room_post(
        &self,
        ctx: &mut room::Ctx,
        message: RoomPostMessage,
    ) -> Result<(), HandlerError> {
        let chat = RoomChatMessage::new(RoomChat {
            room: ctx.params().room.clone(),
            message: message.payload.message,
        });
        room::broadcast(ctx.layer(), &ctx.params().topic(), &chat, None).await?;
        Ok(())
    }
}

fn notification(payload: NotificationPayload) -> Outgoing {
    Outgoing::Notification(NotificationMessage {
        action: Default::default(),
        payload,
    })
}
