"""The chanx topic app of the differential topic test, on FastAPI, served by uvicorn.

`python topics_app.py PORT` serves:

- `/ws/hub`: a consumer with handlers of its own (`ping`) hosting two topics,
  `RoomTopic` (`room:{room_id}`: `authorize` refuses `secret`, `on_subscribe`
  and `on_unsubscribe` push state, a request, an event handler and a
  passthrough event) and `RunTopic` (`run:{run_id}:step:{step}`, two
  parameters, `authorize` wants a step of ASCII digits);
- `/ws/feed/{feed_id}`: `FeedTopic` served on its own address with
  `as_consumer()` (connecting subscribes `feed:<feed_id>`; `authorize`
  refuses `closed`);
- `POST /broadcast`: `{"topic_class", "topic", "event", "seq"}` makes
  `<TopicClass>.broadcast(topic, event, seq=seq)`, as any part of a program
  would (an event no model here accepts goes into the layer as it is, as
  another process might push it);
- `/asyncapi.json`: the AsyncAPI document chanx emits (checked in
  as `specs/topics.json`; the Rust twin is generated from it).

`python topics_app.py --asyncapi` prints that document without serving.
Only the packages pinned in `tests/interop/requirements.txt` are used.
"""

import json
import re
import sys
from typing import Any, Literal, Optional

import uvicorn
from fastapi import FastAPI
from fast_channels.layers import InMemoryChannelLayer, register_channel_layer
from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from chanx.core.decorators import channel, event_handler, ws_handler
from chanx.core.envelope import TOPIC_EVENT_TYPE
from chanx.core.topic import Topic
from chanx.fast_channels.views import generate_asyncapi_schema
from chanx.fast_channels.websocket import AsyncJsonWebsocketConsumer
from chanx.messages.base import BaseMessage
from chanx.messages.incoming import PingMessage
from chanx.messages.outgoing import PongMessage

register_channel_layer("topics", InMemoryChannelLayer())


# --- room: a hosted topic with authorize, hooks, a request and events ---------


class PostPayload(BaseModel):
    user_name: str = Field(min_length=1, max_length=20)
    text_body: str
    mood: Optional[Literal["happy", "sad"]] = None


class PostMessage(BaseMessage):
    """A post to a room."""

    action: Literal["post"] = "post"
    payload: PostPayload


class PostedMessage(BaseMessage):
    """A post, as the room accepted it."""

    action: Literal["posted"] = "posted"
    payload: PostPayload


class RoomState(BaseModel):
    room_id: str
    subscriptions: int


class RoomStateMessage(BaseMessage):
    """The room as a subscriber finds it."""

    action: Literal["room_state"] = "room_state"
    payload: RoomState


class RoomLeft(BaseModel):
    room_id: str
    leaving: bool = True


class RoomLeftMessage(BaseMessage):
    """Sent to a subscriber that leaves."""

    action: Literal["room_left"] = "room_left"
    payload: RoomLeft


class RoomEvent(BaseMessage):
    """A post pushed into a room from anywhere (forwarded unchanged)."""

    action: Literal["room_event"] = "room_event"
    payload: PostPayload


class NoticePayload(BaseModel):
    text: str
    level: int = Field(default=1, ge=1, le=3)


class RoomNoticeEvent(BaseMessage):
    """A notice for a room, turned into a `room_notice` by the topic."""

    action: Literal["room_notice_event"] = "room_notice_event"
    payload: NoticePayload


class RoomNoticeMessage(BaseMessage):
    """A notice shown to a room's subscribers."""

    action: Literal["room_notice"] = "room_notice"
    payload: NoticePayload


class RoomTopic(Topic[RoomNoticeEvent]):
    """A chat room, multiplexed on the hub connection."""

    pattern = "room:{room_id}"
    channel_layer_alias = "topics"
    passthrough_events = [RoomEvent]
    # Sent by the hooks: listed so the document describes them.
    emits = [RoomStateMessage, RoomLeftMessage]

    async def authorize(self, room_id: str) -> bool:
        return room_id != "secret"

    async def on_subscribe(self) -> None:
        await self.send_message(
            RoomStateMessage(
                payload=RoomState(
                    room_id=self.params["room_id"],
                    subscriptions=len(self.consumer.subscriptions),
                )
            )
        )

    async def on_unsubscribe(self) -> None:
        await self.send_message(RoomLeftMessage(payload=RoomLeft(room_id=self.params["room_id"])))

    @ws_handler(summary="Post to the room")
    async def handle_post(self, message: PostMessage) -> PostedMessage:
        if message.payload.text_body == "boom":
            raise RuntimeError("the room handler failed")
        return PostedMessage(payload=message.payload)

    @event_handler
    async def handle_notice(self, event: RoomNoticeEvent) -> RoomNoticeMessage:
        return RoomNoticeMessage(payload=event.payload)


# --- run: two pattern parameters -----------------------------------------------


class ProgressPayload(BaseModel):
    percent: int = Field(ge=0, le=100)


class ProgressMessage(BaseMessage):
    """Report a step's progress."""

    action: Literal["progress"] = "progress"
    payload: ProgressPayload


class StepInfo(BaseModel):
    run_id: str
    step: str
    percent: int


class ProgressAckMessage(BaseMessage):
    """A step's progress, acknowledged."""

    action: Literal["progress_ack"] = "progress_ack"
    payload: StepInfo


class RunTopic(Topic):
    """One step of a run."""

    pattern = "run:{run_id}:step:{step}"
    channel_layer_alias = "topics"

    async def authorize(self, run_id: str, step: str) -> bool:
        return re.fullmatch("[0-9]+", step) is not None

    @ws_handler(summary="Report progress")
    async def handle_progress(self, message: ProgressMessage) -> ProgressAckMessage:
        return ProgressAckMessage(
            payload=StepInfo(
                run_id=self.params["run_id"],
                step=self.params["step"],
                percent=message.payload.percent,
            )
        )


# --- the hub: its own handlers, hosting both topics ----------------------------


class WhoAmIMessage(BaseMessage):
    """Ask which topics this connection is subscribed to."""

    action: Literal["whoami"] = "whoami"
    payload: None = None


class Subscriptions(BaseModel):
    topics: list[str]


class YouAreMessage(BaseMessage):
    """This connection's subscriptions."""

    action: Literal["you_are"] = "you_are"
    payload: Subscriptions


@channel(name="hub", description="One connection, many rooms and runs")
class HubConsumer(AsyncJsonWebsocketConsumer):
    channel_layer_alias = "topics"
    topics = [RoomTopic, RunTopic]

    @ws_handler(summary="Ping the hub")
    async def handle_ping(self, _message: PingMessage) -> PongMessage:
        return PongMessage()

    @ws_handler(summary="List this connection's subscriptions")
    async def handle_whoami(self, _message: WhoAmIMessage) -> YouAreMessage:
        return YouAreMessage(payload=Subscriptions(topics=sorted(self.subscriptions)))


# --- feed: a topic served on its own address ---------------------------------


class FeedItemPayload(BaseModel):
    title: str
    rank: int = 0


class FeedItemEvent(BaseMessage):
    """An item pushed into a feed (forwarded unchanged)."""

    action: Literal["feed_item"] = "feed_item"
    payload: FeedItemPayload


class FeedHello(BaseModel):
    feed_id: str


class FeedHelloMessage(BaseMessage):
    """Greets a new subscriber of the feed."""

    action: Literal["feed_hello"] = "feed_hello"
    payload: FeedHello


class FeedTopic(Topic):
    """A news feed, one per address."""

    pattern = "feed:{feed_id}"
    channel_layer_alias = "topics"
    passthrough_events = [FeedItemEvent]
    emits = [FeedHelloMessage]

    async def authorize(self, feed_id: str) -> bool:
        return feed_id != "closed"

    async def on_subscribe(self) -> None:
        await self.send_message(FeedHelloMessage(payload=FeedHello(feed_id=self.params["feed_id"])))

    @ws_handler(summary="Ping the feed")
    async def handle_ping(self, _message: PingMessage) -> PongMessage:
        return PongMessage()


TOPIC_CLASSES: dict[str, Any] = {"RoomTopic": RoomTopic, "RunTopic": RunTopic, "FeedTopic": FeedTopic}
EVENTS: dict[str, Any] = {
    "room_event": RoomEvent,
    "room_notice_event": RoomNoticeEvent,
    "feed_item": FeedItemEvent,
}

app = FastAPI()
app.router.add_websocket_route("/ws/hub", HubConsumer.as_asgi())
app.router.add_websocket_route("/ws/feed/{feed_id}", FeedTopic.as_consumer().as_asgi())


@app.post("/broadcast")
async def broadcast(request: Request) -> dict[str, bool]:
    """`<TopicClass>.broadcast(topic, event, seq=seq)` from outside any consumer."""
    body = await request.json()
    topic_class = TOPIC_CLASSES[body["topic_class"]]
    try:
        event = EVENTS[body["event"]["action"]].model_validate(body["event"])
    except (KeyError, ValidationError):
        # What another process might push: the layer message Topic.broadcast
        # writes, around an event no model here accepts.
        layer = topic_class.get_channel_layer(topic_class.channel_layer_alias)
        await layer.group_send(
            topic_class.group_name(body["topic"]),
            {
                "type": TOPIC_EVENT_TYPE,
                "topic": body["topic"],
                "seq": body.get("seq"),
                "event_data": body["event"],
            },
        )
        return {"ok": True}
    await topic_class.broadcast(body["topic"], event, seq=body.get("seq"))
    return {"ok": True}


@app.get("/asyncapi.json")
async def asyncapi_json(request: Request) -> JSONResponse:
    """The AsyncAPI 3.0 document chanx emits for this app."""
    return JSONResponse(generate_asyncapi_schema(request, app))


def emitted_document() -> str:
    """The document as checked in: pretty-printed in chanx's key order, for a
    request to localhost:8767 (the host is the only part taken from the request)."""
    request = Request(
        {
            "type": "http",
            "scheme": "http",
            "method": "GET",
            "path": "/asyncapi.json",
            "query_string": b"",
            "server": ("localhost", 8767),
            "headers": [(b"host", b"localhost:8767")],
        }
    )
    return json.dumps(generate_asyncapi_schema(request, app), indent=2) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--asyncapi"]:
        # python topics_app.py --asyncapi > ../../specs/topics.json
        sys.stdout.write(emitted_document())
    else:
        port = int(sys.argv[1]) if len(sys.argv) > 1 else 8767
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
