//! The Rust twin of `topics_app.py`, on the code generated from
//! `specs/topics.json` (the document chanx emits for it): the hub with
//! its two topics and the feed topic served on its own address, answering
//! every frame as the Python consumers and topics do.

use chanx_runtime::HandlerError;
use serde::{Deserialize, Serialize};

/// The generated API: `types` and `channels::{hub, hub_room_topic, hub_run_topic, feed_topic}`.
pub mod api {
    chanx_runtime::include_api!("topics");
}

use api::channels::{feed_topic as feed, hub, hub_room_topic as room, hub_run_topic as run};
use api::types::*;

/// `/ws/hub`: `ping`, `whoami`, and the room and run topics.
pub struct Hub;

impl hub::Consumer for Hub {
    type Event = ();
    type RoomTopic = Room;
    type RunTopic = Run;

    fn room_topic(&self) -> &Room {
        &Room
    }

    fn run_topic(&self) -> &Run {
        &Run
    }

    async fn handle_ping(
        &self,
        _: &mut hub::Ctx,
        _: PingMessage,
    ) -> Result<PongMessage, HandlerError> {
        Ok(PongMessage::default())
    }

    async fn handle_whoami(
        &self,
        ctx: &mut hub::Ctx,
        _: WhoAmIMessage,
    ) -> Result<YouAreMessage, HandlerError> {
        let mut topics = ctx.subscriptions();
        // Python's sorted(): code point order, which is UTF-8 byte order.
        topics.sort();
        Ok(YouAreMessage::new(Subscriptions { topics }))
    }
}

/// The events `RoomTopic` handles itself (`handle_notice`); `room_event` is
/// a passthrough message.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "action")]
pub enum RoomEvents {
    /// A notice, shown to subscribers as `room_notice`.
    #[serde(rename = "room_notice_event")]
    Notice {
        /// What to show.
        payload: NoticePayload,
    },
}

/// `room:{room_id}`: refuses `secret`, pushes state on subscribe and unsubscribe.
pub struct Room;

impl room::Topic for Room {
    type Event = RoomEvents;

    async fn authorize(&self, ctx: &mut room::Ctx) -> Result<bool, HandlerError> {
        Ok(ctx.params().room_id != "secret")
    }

    async fn on_subscribe(&self, ctx: &mut room::Ctx) -> Result<(), HandlerError> {
        let state = RoomState {
            room_id: ctx.params().room_id.clone(),
            subscriptions: ctx.subscriptions().len() as i64,
        };
        ctx.send(&RoomStateMessage::new(state).into())?;
        Ok(())
    }

    async fn on_unsubscribe(&self, ctx: &mut room::Ctx) -> Result<(), HandlerError> {
        let left = RoomLeft::new(ctx.params().room_id.clone());
        ctx.send(&RoomLeftMessage::new(left).into())?;
        Ok(())
    }

    async fn handle_post(
        &self,
        _: &mut room::Ctx,
        message: PostMessage,
    ) -> Result<PostedMessage, HandlerError> {
        if message.payload.text_body == "boom" {
            return Err(HandlerError::internal("the room handler failed"));
        }
        Ok(PostedMessage::new(message.payload))
    }

    async fn on_event(
        &self,
        _: &mut room::Ctx,
        event: RoomEvents,
    ) -> Result<Option<room::Outgoing>, HandlerError> {
        let RoomEvents::Notice { payload } = event;
        Ok(Some(RoomNoticeMessage::new(payload).into()))
    }
}

/// `run:{run_id}:step:{step}`: the step must be ASCII digits.
pub struct Run;

impl run::Topic for Run {
    type Event = ();

    async fn authorize(&self, ctx: &mut run::Ctx) -> Result<bool, HandlerError> {
        let step = &ctx.params().step;
        Ok(!step.is_empty() && step.bytes().all(|b| b.is_ascii_digit()))
    }

    async fn handle_progress(
        &self,
        ctx: &mut run::Ctx,
        message: ProgressMessage,
    ) -> Result<ProgressAckMessage, HandlerError> {
        let params = ctx.params();
        Ok(ProgressAckMessage::new(StepInfo {
            run_id: params.run_id.clone(),
            step: params.step.clone(),
            percent: message.payload.percent,
        }))
    }
}

/// `feed:{feed_id}` on `/ws/feed/{feed_id}`: refuses `closed`, greets subscribers.
pub struct Feed;

impl feed::Topic for Feed {
    type Event = ();

    async fn authorize(&self, ctx: &mut feed::Ctx) -> Result<bool, HandlerError> {
        Ok(ctx.params().feed_id != "closed")
    }

    async fn on_subscribe(&self, ctx: &mut feed::Ctx) -> Result<(), HandlerError> {
        let hello = FeedHello {
            feed_id: ctx.params().feed_id.clone(),
        };
        ctx.send(&FeedHelloMessage::new(hello).into())?;
        Ok(())
    }

    async fn handle_ping(
        &self,
        _: &mut feed::Ctx,
        _: PingMessage,
    ) -> Result<PongMessage, HandlerError> {
        Ok(PongMessage::default())
    }
}

/// What `POST /broadcast` asks: `<topic_class>.broadcast(topic, event, seq=seq)`.
#[derive(Debug, Deserialize)]
pub struct BroadcastRequest {
    /// `RoomTopic`, `RunTopic` or `FeedTopic`.
    pub topic_class: String,
    /// The topic to push into.
    pub topic: String,
    /// The event, as JSON.
    pub event: serde_json::Value,
    /// Optional sequence number for the frames.
    #[serde(default)]
    pub seq: Option<i64>,
}

/// Pushes the requested event into its topic.
pub async fn broadcast(
    layer: &chanx_runtime::Layer,
    request: &BroadcastRequest,
) -> Result<(), String> {
    let (topic, event, seq) = (&request.topic, &request.event, request.seq);
    let pushed = match request.topic_class.as_str() {
        "RoomTopic" => room::broadcast(layer, topic, event, seq).await,
        "RunTopic" => run::broadcast(layer, topic, event, seq).await,
        "FeedTopic" => feed::broadcast(layer, topic, event, seq).await,
        other => return Err(format!("unknown topic class {other:?}")),
    };
    pushed.map_err(|e| e.to_string())
}
