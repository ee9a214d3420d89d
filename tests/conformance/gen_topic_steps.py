"""Writes `topic_steps.jsonl`: the session of the differential topic test.

`python3 gen_topic_steps.py` (any Python 3.9+, no packages) rewrites
`topic_steps.jsonl` next to this file; `--check` exits 1 when the checked-in
copy differs. The output is deterministic.

The steps run in order against `topics_app.py` (chanx 2.13) and against its
Rust twin (`topics-server`); `tests/topics.rs` sends each step to both and,
after each step, compares what every open connection received. Each line is
one JSON object with a unique `name` and one of:

- `connect`: a path (`/ws/hub`, `/ws/feed/news`); `conn` names the connection;
- `text`: a raw frame sent on connection `conn`, verbatim;
- `broadcast`: the body of `POST /broadcast`
  (`{"topic_class", "topic", "event", "seq"}`);
- `disconnect`: `true`, closing connection `conn`.

Together they cover the subscription protocol (acks with and without a
`ref`, `unauthorized`, `unknown_topic`, `not_subscribed`, double subscribe
and unsubscribe, hooks and their frames), requests, validation and handler
errors inside topics, two topics and two connections at once, broadcasts
with and without `seq` (passthrough, handled, dropped), disconnect cleanup,
the standalone topic route, and hostile envelopes and topic strings.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "topic_steps.jsonl"

STEPS = []
NAMES = set()


def enc(value):
    """Compact JSON text of `value`; non-ASCII characters are written raw."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def step(name, **fields):
    assert name not in NAMES, f"duplicate step name {name}"
    NAMES.add(name)
    STEPS.append({"name": name, **fields})


def connect(name, conn, path):
    step(name, conn=conn, connect=path)


def send(name, conn, frame):
    """`frame`: a dict (written compact) or raw text."""
    text = frame if isinstance(frame, str) else enc(frame)
    step(name, conn=conn, text=text)


def broadcast(name, topic_class, topic, event, seq=None):
    body = {"topic_class": topic_class, "topic": topic, "event": event}
    if seq is not None:
        body["seq"] = seq
    step(name, broadcast=body)


def disconnect(name, conn):
    step(name, conn=conn, disconnect=True)


def post(user="ann", text="hi", **extra):
    return {"user_name": user, "text_body": text, **extra}


# --- the hub: refusals before any subscription ---------------------------------

connect("hub/connect", "a", "/ws/hub")
send("hub/own-ping", "a", {"action": "ping", "ref": "p1"})
send("sub/unauthorized", "a", {"action": "subscribe", "topic": "room:secret", "ref": "1"})
send("sub/unauthorized-no-ref", "a", {"action": "subscribe", "topic": "room:secret"})
send("sub/unknown", "a", {"action": "subscribe", "topic": "nope:1", "ref": "2"})
send("sub/unknown-extra-segment", "a", {"action": "subscribe", "topic": "room:a:b"})
send("sub/unknown-empty-param", "a", {"action": "subscribe", "topic": "room:", "ref": "x"})
send("sub/unknown-empty-topic", "a", {"action": "subscribe", "topic": ""})
send("sub/unknown-prefix", "a", {"action": "subscribe", "topic": "xroom:1"})
send("sub/unknown-case", "a", {"action": "subscribe", "topic": "Room:1"})
send("post/not-subscribed", "a", {"action": "post", "topic": "room:42", "ref": "3", "payload": post()})
send("post/not-subscribed-no-ref", "a", {"action": "post", "topic": "room:42", "payload": post()})
send("unsub/never-subscribed", "a", {"action": "unsubscribe", "topic": "room:42", "ref": "u0"})
send("unsub/unknown-topic", "a", {"action": "unsubscribe", "topic": "nope:1"})
send("topic/no-action", "a", {"topic": "room:42", "payload": post()})
send("topic/action-null", "a", {"action": None, "topic": "room:42"})

# --- hostile envelopes -----------------------------------------------------------

send("envelope/topic-number", "a", {"action": "subscribe", "topic": 42})
send("envelope/topic-null", "a", {"action": "ping", "topic": None, "ref": "n"})
send("envelope/topic-list", "a", {"action": "subscribe", "topic": ["room:1"]})
send("envelope/ref-number", "a", {"action": "subscribe", "topic": "room:1", "ref": 1})
send("envelope/version-string", "a", {"action": "subscribe", "topic": "room:v", "version": "2", "ref": "v"})
send("envelope/version-bad", "a", {"action": "subscribe", "topic": "room:v", "version": "x"})
send("envelope/seq-from-client", "a", {"action": "subscribe", "topic": "room:s", "seq": 5, "ref": "s"})
send("envelope/seq-bad", "a", {"action": "subscribe", "topic": "room:s", "seq": "soon"})
send("envelope/not-object", "a", '["subscribe","room:1"]')
send("envelope/not-json", "a", '{"action":"subscribe","topic":')

# --- subscribing room:42 ----------------------------------------------------------

send("sub/room-42", "a", {"action": "subscribe", "topic": "room:42", "ref": "4", "version": 1})
send("sub/room-42-again", "a", {"action": "subscribe", "topic": "room:42", "ref": "5"})
send("sub/room-42-again-no-ref", "a", {"action": "subscribe", "topic": "room:42"})
send("sub/with-payload", "a", {"action": "subscribe", "topic": "room:7", "payload": {"x": 1}, "ref": "7"})
send("hub/whoami", "a", {"action": "whoami", "ref": "w1"})

# --- requests within the room -----------------------------------------------------

send("post/ok", "a", {"action": "post", "topic": "room:42", "ref": "6", "payload": post()})
send("post/ok-no-ref", "a", {"action": "post", "topic": "room:42", "payload": post(text="no ref")})
send("post/ok-mood", "a", {"action": "post", "topic": "room:42", "ref": "m", "payload": post(mood="happy")})
send("post/missing-field", "a", {"action": "post", "topic": "room:42", "ref": "7", "payload": {"user_name": "ann"}})
send("post/missing-payload", "a", {"action": "post", "topic": "room:42", "ref": "7b"})
send("post/bad-types", "a", {"action": "post", "topic": "room:42", "ref": "8", "payload": {"user_name": 5, "text_body": None}})
send("post/too-long", "a", {"action": "post", "topic": "room:42", "ref": "9", "payload": post(user="x" * 21)})
send("post/bad-mood", "a", {"action": "post", "topic": "room:42", "ref": "10", "payload": post(mood="angry")})
send("post/extra-field", "a", {"action": "post", "topic": "room:42", "ref": "11", "payload": post(extra=1)})
send("post/camel-case-keys", "a", {"action": "post", "topic": "room:42", "ref": "12", "payload": {"userName": "ann", "textBody": "hi"}})
send("post/payload-list", "a", {"action": "post", "topic": "room:42", "ref": "13", "payload": [1, 2]})
send("post/handler-error", "a", {"action": "post", "topic": "room:42", "ref": "14", "payload": post(text="boom")})
send("post/handler-error-no-ref", "a", {"action": "post", "topic": "room:42", "payload": post(text="boom")})
send("topic/action-not-in-topic", "a", {"action": "ping", "topic": "room:42", "ref": "15"})
send("topic/action-of-other-topic", "a", {"action": "progress", "topic": "room:42", "payload": {"percent": 5}})
send("topic/action-number", "a", {"action": 5, "topic": "room:42", "ref": "16"})
send("topic/unicode", "a", {"action": "post", "topic": "room:42", "ref": "ü", "payload": post(user="zoë", text="naïve ☃ 🚀")})

# --- a second topic class with two parameters --------------------------------------

send("run/unauthorized", "a", {"action": "subscribe", "topic": "run:7:step:x", "ref": "r0"})
send("run/unknown", "a", {"action": "subscribe", "topic": "run:7:step:", "ref": "r1"})
send("run/subscribe", "a", {"action": "subscribe", "topic": "run:7:step:2", "ref": "r2"})
send("run/progress", "a", {"action": "progress", "topic": "run:7:step:2", "ref": "r3", "payload": {"percent": 50}})
send("run/progress-lax", "a", {"action": "progress", "topic": "run:7:step:2", "ref": "r4", "payload": {"percent": "75"}})
send("run/progress-invalid", "a", {"action": "progress", "topic": "run:7:step:2", "ref": "r5", "payload": {"percent": 101}})
send("run/post-in-run", "a", {"action": "post", "topic": "run:7:step:2", "ref": "r6", "payload": post()})
send("run/other-step-not-subscribed", "a", {"action": "progress", "topic": "run:7:step:3", "ref": "r7", "payload": {"percent": 1}})
send("hub/whoami-two-topics", "a", {"action": "whoami", "ref": "w2"})

# --- a second connection -------------------------------------------------------------

connect("hub/connect-b", "b", "/ws/hub")
send("b/sub-room-42", "b", {"action": "subscribe", "topic": "room:42", "ref": "b1"})
send("b/post-room-42", "b", {"action": "post", "topic": "room:42", "ref": "b2", "payload": post(user="bob")})

# --- broadcasts -----------------------------------------------------------------------

room_event = {"action": "room_event", "payload": {"user_name": "srv", "text_body": "pushed", "mood": None}}
broadcast("push/passthrough-seq", "RoomTopic", "room:42", room_event, seq=17)
broadcast("push/passthrough-no-seq", "RoomTopic", "room:42", room_event)
broadcast("push/passthrough-seq-zero", "RoomTopic", "room:42", room_event, seq=0)
broadcast("push/passthrough-seq-negative", "RoomTopic", "room:42", room_event, seq=-3)
broadcast(
    "push/handled-event",
    "RoomTopic",
    "room:42",
    {"action": "room_notice_event", "payload": {"text": "maintenance", "level": 2}},
    seq=18,
)
broadcast("push/other-room", "RoomTopic", "room:99", room_event, seq=1)
broadcast("push/room-7", "RoomTopic", "room:7", room_event, seq=2)
broadcast("push/run", "RunTopic", "run:7:step:2", {"action": "room_event", "payload": {"user_name": "x", "text_body": "y"}})

# --- unsubscribing ------------------------------------------------------------------------

send("unsub/room-42", "a", {"action": "unsubscribe", "topic": "room:42", "ref": "u1"})
send("unsub/room-42-again", "a", {"action": "unsubscribe", "topic": "room:42", "ref": "u2"})
send("post/after-unsubscribe", "a", {"action": "post", "topic": "room:42", "ref": "u3", "payload": post()})
broadcast("push/after-unsubscribe", "RoomTopic", "room:42", room_event, seq=19)
send("unsub/room-7-no-ref", "a", {"action": "unsubscribe", "topic": "room:7"})
send("hub/whoami-after-unsubscribe", "a", {"action": "whoami", "ref": "w3"})
send("sub/room-42-resubscribe", "a", {"action": "subscribe", "topic": "room:42", "ref": "u4"})

# --- odd topic strings ---------------------------------------------------------------------

odd_topics = [
    ("spaces", "room:a b"),
    ("unicode", "room:café☃"),
    ("dots-dashes", "room:my.room_1-x"),
    ("only-symbols", "room:!!!"),
    ("long", "room:" + "x" * 200),
    ("trailing-newline", "room:4\n"),
    ("newline-inside", "room:a\nb"),
    ("tab", "room:\t"),
    ("braces", "room:{room_id}"),
]
for label, topic in odd_topics:
    send(f"odd/{label}/subscribe", "a", {"action": "subscribe", "topic": topic, "ref": label})
    send(f"odd/{label}/post", "a", {"action": "post", "topic": topic, "ref": label, "payload": post(text=label)})
    broadcast(f"odd/{label}/push", "RoomTopic", topic, room_event, seq=100)
send("odd/whoami", "a", {"action": "whoami", "ref": "w4"})
for label, topic in odd_topics:
    send(f"odd/{label}/unsubscribe", "a", {"action": "unsubscribe", "topic": topic})

# --- disconnect undoes every subscription ----------------------------------------------------

disconnect("b/disconnect", "b")
broadcast("push/after-b-left", "RoomTopic", "room:42", room_event, seq=20)
connect("hub/connect-c", "c", "/ws/hub")
send("c/whoami", "c", {"action": "whoami", "ref": "c1"})
disconnect("a/disconnect", "a")
broadcast("push/after-a-left", "RoomTopic", "room:42", room_event, seq=21)

# --- a topic on its own address ---------------------------------------------------------------

feed_item = {"action": "feed_item", "payload": {"title": "Hello", "rank": 3}}
connect("feed/connect", "f", "/ws/feed/news")
send("feed/ping-no-topic", "f", {"action": "ping", "ref": "f1"})
send("feed/ping-no-topic-no-ref", "f", {"action": "ping"})
send("feed/ping-own-topic", "f", {"action": "ping", "topic": "feed:news", "ref": "f2"})
send("feed/ping-other-topic", "f", {"action": "ping", "topic": "feed:sports", "ref": "f3"})
send("feed/unknown-action", "f", {"action": "post", "ref": "f4"})
send("feed/invalid-frame", "f", {"action": "ping", "payload": {"x": 1}, "ref": "f5"})
send("feed/subscribe-again", "f", {"action": "subscribe", "ref": "f6"})
send("feed/subscribe-other", "f", {"action": "subscribe", "topic": "feed:sports", "ref": "f7"})
send("feed/subscribe-room", "f", {"action": "subscribe", "topic": "room:1", "ref": "f8"})
broadcast("feed/push", "FeedTopic", "feed:news", feed_item, seq=1)
broadcast("feed/push-other", "FeedTopic", "feed:sports", feed_item)
broadcast("feed/push-invalid", "FeedTopic", "feed:news", {"action": "feed_item", "payload": {"rank": 1}})
broadcast("feed/push-unknown-action", "FeedTopic", "feed:news", {"action": "room_event", "payload": {}})
send("feed/unsubscribe-own", "f", {"action": "unsubscribe", "ref": "f9"})
send("feed/ping-after-unsubscribe", "f", {"action": "ping", "ref": "f10"})
connect("feed/connect-closed", "g", "/ws/feed/closed")
send("feed/closed-ping", "g", {"action": "ping", "ref": "g1"})
connect("feed/connect-encoded", "h", "/ws/feed/a%20b")
send("feed/encoded-ping", "h", {"action": "ping", "ref": "h1"})
disconnect("feed/disconnect", "f")


def main():
    text = "".join(enc(s) + "\n" for s in STEPS)
    if sys.argv[1:] == ["--check"]:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT.name} is stale: run python3 gen_topic_steps.py", file=sys.stderr)
            sys.exit(1)
        return
    OUTPUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
