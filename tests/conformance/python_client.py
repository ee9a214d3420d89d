"""Drives a topics server with the Python client chanx itself generates.

`python python_client.py CLIENT_DIR WS_URL HTTP_URL` imports the package
`topics_client` from CLIENT_DIR (written by `chanx generate-client --schema
specs/topics.json`), runs one scenario against the server at WS_URL (pushes go
through HTTP_URL/broadcast, as `topics_app.py` and the Rust `topics-server`
both serve it) and prints a JSON transcript: for each step, what the
generated client returned (its class and fields) and every frame the
connection received meanwhile. The same transcript from chanx and from a
chanx-runtime server means the generated Python client cannot tell them apart.
"""

import asyncio
import json
import sys
import urllib.request
import warnings
from typing import Any, Awaitable, Callable

# The invalid request below is built on purpose; pydantic warns when dumping it.
warnings.filterwarnings("ignore", category=UserWarning, module="pydantic")
sys.path.insert(0, sys.argv[1])
WS_URL, HTTP_URL = sys.argv[2], sys.argv[3]

from topics_client.base.topic_client import BaseTopicConnection  # noqa: E402
from topics_client.feed_topic.client import FeedTopicClient  # noqa: E402
from topics_client.feed_topic.messages import IncomingMessage as FeedMessages  # noqa: E402
from topics_client.hub.client import HubClient  # noqa: E402
from topics_client.hub.messages import WhoAmIMessage  # noqa: E402
from topics_client.hub_room_topic.messages import PostMessage, PostPayload  # noqa: E402
from topics_client.hub_run_topic.messages import (  # noqa: E402
    ProgressMessage,
    ProgressPayload,
)
from topics_client.shared.messages import PingMessage  # noqa: E402

TIMEOUT = 10.0


class Recording:
    """Keeps every frame a connection receives, in arrival order."""

    frames: list[dict[str, Any]]

    def start_recording(self) -> None:
        self.frames = []

    async def dispatch_frame(self, py_object: dict[str, Any]) -> None:
        self.frames.append(py_object)
        await super().dispatch_frame(py_object)  # type: ignore[misc]


class Hub(Recording, HubClient):
    pass


class Feed(Recording, BaseTopicConnection):
    """The generator gives a standalone topic a handle only: its connection is this."""

    path = "/ws/feed/{feed_id}"
    # Every frame on a topic's own address carries its topic: none reach this.
    incoming_message = FeedMessages


def describe(result: Any) -> Any:
    """A client's return value as JSON: the model's class name and its fields."""
    if result is None:
        return None
    if isinstance(result, list):
        return [describe(item) for item in result]
    if hasattr(result, "model_dump"):
        return {"class": type(result).__name__, "value": result.model_dump(mode="json")}
    return {"class": type(result).__name__, "value": repr(result)}


def post(path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        HTTP_URL + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        response.read()


async def connected(client: Recording, task: asyncio.Task[None]) -> None:
    for _ in range(int(TIMEOUT * 100)):
        if getattr(client, "websocket", None) is not None:
            return
        if task.done():
            raise RuntimeError(f"the client stopped: {task.exception()!r}")
        await asyncio.sleep(0.01)
    raise TimeoutError("no connection")


class Transcript:
    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    async def step(
        self,
        name: str,
        client: Recording,
        run: Callable[[], Awaitable[Any]],
        frames: int,
        ordered: bool = True,
    ) -> Any:
        """Runs `run`, waits for `frames` frames, then for stragglers."""
        start = len(client.frames)
        result = await asyncio.wait_for(run(), TIMEOUT)
        for _ in range(int(TIMEOUT * 100)):
            if len(client.frames) - start >= frames:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        got = client.frames[start:]
        if not ordered:
            got = sorted(got, key=lambda f: json.dumps(f, sort_keys=True))
        self.steps.append({"step": name, "result": describe(result), "frames": got})
        return result


async def scenario() -> list[dict[str, Any]]:
    t = Transcript()

    hub = Hub(WS_URL)
    hub.start_recording()
    task = asyncio.create_task(hub.handle())
    await connected(hub, task)

    room = hub.room_topic("42")
    run = hub.run_topic("7", "2")
    secret = hub.room_topic("secret")
    await t.step("subscribe room", hub, room.subscribe, frames=2)
    await t.step("subscribe run", hub, run.subscribe, frames=1)
    await t.step("subscribe refused", hub, secret.subscribe, frames=1)

    def post_message(text: str) -> PostMessage:
        return PostMessage(payload=PostPayload(user_name="ann", text_body=text, mood="happy"))

    await t.step("request in room", hub, lambda: room.request(post_message("hi")), frames=1)

    async def both() -> list[Any]:
        return list(
            await asyncio.gather(
                room.request(post_message("together")),
                run.request(ProgressMessage(payload=ProgressPayload(percent=50))),
            )
        )

    await t.step("requests in two topics at once", hub, both, frames=2, ordered=False)

    # The generated models check nothing beyond types: the server validates.
    invalid = PostMessage.model_construct(
        payload=PostPayload.model_construct(user_name="", text_body=3)
    )
    await t.step("invalid request", hub, lambda: room.request(invalid), frames=1)

    await t.step(
        "broadcast with seq",
        hub,
        lambda: asyncio.to_thread(
            post,
            "/broadcast",
            {
                "topic_class": "RoomTopic",
                "topic": "room:42",
                "event": {
                    "action": "room_event",
                    "payload": {"user_name": "srv", "text_body": "pushed"},
                },
                "seq": 17,
            },
        ),
        frames=1,
    )
    await t.step(
        "event handled by the topic",
        hub,
        lambda: asyncio.to_thread(
            post,
            "/broadcast",
            {
                "topic_class": "RoomTopic",
                "topic": "room:42",
                "event": {"action": "room_notice_event", "payload": {"text": "hello"}},
            },
        ),
        frames=1,
    )
    await t.step("hub ping", hub, lambda: hub.send_message(PingMessage()), frames=1)
    await t.step("whoami", hub, lambda: hub.send_message(WhoAmIMessage()), frames=1)
    await t.step("unsubscribe room", hub, room.unsubscribe, frames=2)
    await t.step("unsubscribe again", hub, room.unsubscribe, frames=1)

    # Reconnect: a new socket, and every handle subscribes again.
    await hub.disconnect()
    await asyncio.wait_for(task, TIMEOUT)
    task = asyncio.create_task(hub.handle())
    hub.websocket = None
    await connected(hub, task)
    await t.step("resubscribe after reconnect", hub, hub.resubscribe, frames=4)
    await t.step("whoami after reconnect", hub, lambda: hub.send_message(WhoAmIMessage()), frames=1)
    await hub.disconnect()
    await asyncio.wait_for(task, TIMEOUT)

    # A topic served on its own address: subscribed on connect.
    feed = Feed(WS_URL, path_params={"feed_id": "news"})
    feed.start_recording()
    news = feed.topic(FeedTopicClient, feed_id="news")

    async def connect_feed() -> None:
        nonlocal feed_task
        feed_task = asyncio.create_task(feed.handle())
        await connected(feed, feed_task)

    feed_task: asyncio.Task[None] | None = None
    await t.step("connect to the feed", feed, connect_feed, frames=2)
    await t.step("request in the feed", feed, lambda: news.request(PingMessage()), frames=1)
    await t.step(
        "feed broadcast",
        feed,
        lambda: asyncio.to_thread(
            post,
            "/broadcast",
            {
                "topic_class": "FeedTopic",
                "topic": "feed:news",
                "event": {"action": "feed_item", "payload": {"title": "t", "rank": 2}},
                "seq": 3,
            },
        ),
        frames=1,
    )
    await feed.disconnect()
    if feed_task is not None:
        await asyncio.wait_for(feed_task, TIMEOUT)
    return t.steps


if __name__ == "__main__":
    print(json.dumps(asyncio.run(scenario()), indent=1))
