"""The chat of specs/chat.yaml in Python chanx, on fast-channels' Redis layer.

Serves the same document as the Rust `chat-server` (ping/pong, chat relayed to
the `chat_room` group, `notify` events, the `room:{room}` topic of
`RoomTopic`), so a Rust and a Python process can share one Redis:

    python chanx_redis_chat.py serve PORT --redis URL [--pubsub]

The other commands act like a Django view or a Celery task: no server, just
the layer.

    python chanx_redis_chat.py notify  --redis URL [--pubsub] MESSAGE
    python chanx_redis_chat.py send-event --redis URL [--pubsub] CHANNEL MESSAGE
    python chanx_redis_chat.py room-post --redis URL [--pubsub] ROOM MESSAGE [--seq N]
"""

import argparse
import asyncio
import sys
from typing import Literal

from fast_channels.layers import register_channel_layer
from fast_channels.layers.redis import RedisChannelLayer, RedisPubSubChannelLayer
from pydantic import BaseModel, Field
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from chanx.core.decorators import channel, event_handler, ws_handler
from chanx.core.topic import Topic
from chanx.fast_channels.websocket import AsyncJsonWebsocketConsumer
from chanx.messages.base import BaseMessage
from chanx.messages.incoming import PingMessage
from chanx.messages.outgoing import PongMessage

LAYER = "chat"
ROOM = "chat_room"


class ChatPayload(BaseModel):
    message: str


class ChatMessage(BaseMessage):
    """A chat message from a client."""

    action: Literal["chat"] = "chat"
    payload: ChatPayload


class ChatNotificationMessage(BaseMessage):
    """A chat message relayed to everyone in the room."""

    action: Literal["chat_notification"] = "chat_notification"
    payload: ChatPayload


class NotificationPayload(BaseModel):
    message: str
    level: Literal["info", "warning", "error"] = "info"


class NotificationMessage(BaseMessage):
    """A notification pushed by the server."""

    action: Literal["notification"] = "notification"
    payload: NotificationPayload


class NotifyEvent(BaseMessage):
    """The event both servers turn into a `notification` (Rust: `ChatEvent::Notify`)."""

    action: Literal["notify"] = "notify"
    payload: NotificationPayload


class RoomPost(BaseModel):
    message: str = Field(min_length=1, max_length=500)


class RoomPostMessage(BaseMessage):
    """A message posted to a room."""

    action: Literal["room_post"] = "room_post"
    payload: RoomPost


class RoomChat(BaseModel):
    room: str
    message: str


class RoomChatMessage(BaseMessage):
    """A message posted to a room, as every subscriber gets it."""

    action: Literal["room_chat"] = "room_chat"
    payload: RoomChat


class RoomJoined(BaseModel):
    room: str


class RoomJoinedMessage(BaseMessage):
    """Sent to a connection once it has joined a room."""

    action: Literal["room_joined"] = "room_joined"
    payload: RoomJoined


class RoomTopic(Topic[RoomChatMessage]):
    """The rooms: anyone may join but `room:private`."""

    pattern = "room:{room}"
    channel_layer_alias = LAYER
    passthrough_events = [RoomChatMessage]

    async def authorize(self, **params: str) -> bool:
        return params["room"] != "private"

    async def on_subscribe(self) -> None:
        await self.send_message(RoomJoinedMessage(payload=RoomJoined(room=self.params["room"])))

    @ws_handler(summary="Post a message to everyone subscribed to the room")
    async def handle_room_post(self, message: RoomPostMessage) -> None:
        chat = RoomChatMessage(payload=RoomChat(room=self.params["room"], message=message.payload.message))
        await RoomTopic.broadcast(self.topic, chat)


@channel(name="chat", description="Real-time chat API")
class ChatConsumer(AsyncJsonWebsocketConsumer[NotifyEvent]):
    channel_layer_alias = LAYER
    groups = [ROOM]
    topics = [RoomTopic]

    @ws_handler(summary="Handle ping requests")
    async def handle_ping(self, _message: PingMessage) -> PongMessage:
        return PongMessage()

    @ws_handler(summary="Send chat message to all users", output_type=ChatNotificationMessage)
    async def handle_chat(self, message: ChatMessage) -> None:
        # The room only: chanx's default groups also hold the topics joined.
        await self.broadcast_message(
            ChatNotificationMessage(payload=ChatPayload(message=f"User: {message.payload.message}")),
            [ROOM],
        )

    @event_handler
    async def handle_notify(self, event: NotifyEvent) -> NotificationMessage:
        return NotificationMessage(payload=event.payload)


def register_layer(url: str, pubsub: bool) -> None:
    # redis-py's default 5 s socket timeout would cut the layer's 5 s
    # BZPOPMIN short (channels_redis#422): no read timeout. And without
    # retries, a Redis restart ends every consumer's receive loop (its
    # connection closes): retry on a lost connection for up to ~30 s.
    host = {
        "address": url,
        "socket_timeout": None,
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 40),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    }
    layer = RedisPubSubChannelLayer(hosts=[host]) if pubsub else RedisChannelLayer(hosts=[host])
    register_channel_layer(LAYER, layer)


def serve(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()
    app.router.add_websocket_route("/ws/chat", ChatConsumer.as_asgi())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["serve", "notify", "send-event", "room-post"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--redis", required=True, help="redis://host:port/db")
    parser.add_argument("--pubsub", action="store_true", help="RedisPubSubChannelLayer")
    parser.add_argument("--seq", type=int, default=None)
    options = parser.parse_intermixed_args()
    register_layer(options.redis, options.pubsub)
    args = options.args

    if options.command == "serve":
        serve(int(args[0]))
    elif options.command == "notify":
        event = NotifyEvent(payload=NotificationPayload(message=args[0]))
        asyncio.run(ChatConsumer.broadcast_event(event, [ROOM]))
    elif options.command == "send-event":
        event = NotifyEvent(payload=NotificationPayload(message=args[1]))
        asyncio.run(ChatConsumer.send_event(event, args[0]))
    else:
        chat = RoomChatMessage(payload=RoomChat(room=args[0], message=args[1]))
        asyncio.run(RoomTopic.broadcast(f"room:{args[0]}", chat, seq=options.seq))


if __name__ == "__main__":
    sys.exit(main())
