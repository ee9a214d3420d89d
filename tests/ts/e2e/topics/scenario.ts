// The end-to-end scenario for a topic server (the Python chanx app
// `tests/conformance/topics_app.py` or its Rust twin `topics-server`): the
// client chanx generates from `specs/topics.json` subscribes, requests in two
// topics at once, gets a broadcast with `seq`, unsubscribes, is refused, and
// resubscribes after its connection drops. Every frame it writes and every
// frame it gets is checked exactly.
//
// "topics-client" is the module generated for the server under test; the
// build (e2e/build.mjs DIR topics) points it at that file.

import {
  ChanxClientError,
  ChanxSocket,
  ChanxSocketConstructor,
  ChanxTopicError,
  ChanxTopicFrame,
  FeedTopicClient,
  FeedTopicEvents,
  HubClient,
  HubRoomTopicEvents,
} from "topics-client";
import { expectEqual, expectTrue, within } from "../expect";

export interface TopicScenarioOptions {
  /** The server's base URL, e.g. `ws://127.0.0.1:8000`; channel addresses are appended. */
  url: string;
  /** A WebSocket constructor (the `ws` package in Node; the browser's own by default). */
  WebSocket?: ChanxSocketConstructor;
  /** `POST /broadcast` with `body`: `<topic_class>.broadcast(topic, event, seq=seq)` on the server. */
  broadcast(body: object): Promise<void>;
  /** Reports a passed step or a received frame. */
  log(line: string): void;
}

const TIMEOUT_MS = 5000;

type Frame = Record<string, unknown>;

/** A socket constructor recording what clients write, whose open socket can be dropped. */
class Wire {
  readonly sent: Frame[] = [];
  private current: ChanxSocket | null = null;
  readonly WebSocket: ChanxSocketConstructor;

  constructor(Base: ChanxSocketConstructor) {
    const wire = this;
    // A constructor returning another object makes `new` yield that object.
    function Recording(url: string): ChanxSocket {
      const socket = new Base(url);
      const send = socket.send.bind(socket);
      socket.send = (data: string) => {
        wire.sent.push(JSON.parse(data) as Frame);
        send(data);
      };
      wire.current = socket;
      return socket;
    }
    this.WebSocket = Recording as unknown as ChanxSocketConstructor;
  }

  /** What was written since the last call. */
  take(): Frame[] {
    return this.sent.splice(0);
  }

  /** Closes the socket under the client, as a lost connection would. */
  drop(): void {
    this.current?.close(4000, "dropped by the test");
  }
}

/** The next value `on` hands a handler that `accept` accepts. */
function next<T>(on: (handler: (value: T) => void) => () => void, what: string, accept: (value: T) => boolean = () => true): Promise<T> {
  return within(
    new Promise<T>((resolve) => {
      const off = on((value) => {
        if (!accept(value)) return;
        off();
        resolve(value);
      });
    }),
    TIMEOUT_MS,
    what,
  );
}

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await within(promise, TIMEOUT_MS, what);
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: resolved, expected a rejection`);
}

function expectTopicError(error: unknown, reason: string, detail: string, topic: string, what: string): void {
  expectTrue(error instanceof ChanxTopicError, `${what}: expected a ChanxTopicError, got ${String(error)}`);
  const topicError = error as ChanxTopicError;
  expectEqual(
    { kind: topicError.kind, reason: topicError.reason, detail: topicError.detail, topic: topicError.topic },
    { kind: "server", reason, detail, topic },
    what,
  );
}

const POST = { user_name: "ann", text_body: "hi", mood: null };
const PUSHED = { user_name: "srv", text_body: "pushed", mood: null };

/** Runs every step; resolves with the names of the passed steps. */
export async function runTopicScenario(options: TopicScenarioOptions): Promise<string[]> {
  const Base = options.WebSocket ?? (globalThis as unknown as { WebSocket: ChanxSocketConstructor }).WebSocket;
  const passed: string[] = [];
  const step = async (name: string, body: () => Promise<void>) => {
    await body();
    passed.push(name);
    options.log(`ok - ${name}`);
  };

  const wire = new Wire(Base);
  const hub = new HubClient({
    url: options.url,
    WebSocket: wire.WebSocket,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    requestTimeoutMs: TIMEOUT_MS,
  });
  const hubMessages: Frame[] = [];
  hub.on("message", (message) => hubMessages.push(message as unknown as Frame));
  const room = hub.roomTopic({ room_id: 42 });
  const run = hub.runTopic("run:7:step:1");
  const roomFrames: Frame[] = [];
  room.on("message", (message) => {
    roomFrames.push(message as unknown as Frame);
    options.log(`room:42 received ${JSON.stringify(message)}`);
  });
  const feeds: FeedTopicClient[] = [];

  try {
    await step("connect the hub", () => within(hub.connect(), TIMEOUT_MS, "connect"));

    await step("subscribe: resolves on chanx's ack, then the topic's on_subscribe push", async () => {
      const state = next<HubRoomTopicEvents["room_state"]>((h) => room.on("room_state", h), "room_state");
      const acked = next<ChanxTopicFrame>((h) => room.on("subscribed", h), "subscribed");
      await within(room.subscribe(), TIMEOUT_MS, "subscribe room:42");
      expectTrue(room.subscribed, "room:42 is subscribed");
      expectEqual(await acked, { action: "subscribed", payload: null, version: 1, topic: "room:42", ref: "1" }, "the ack");
      expectEqual(
        await state,
        { action: "room_state", payload: { room_id: "42", subscriptions: 1 }, version: 1, topic: "room:42" },
        "the on_subscribe push",
      );
      await within(run.subscribe(), TIMEOUT_MS, "subscribe run:7:step:1");
      expectEqual(
        wire.take(),
        [
          { action: "subscribe", version: 1, topic: "room:42", ref: "1" },
          { action: "subscribe", version: 1, topic: "run:7:step:1", ref: "2" },
        ],
        "the subscribe frames",
      );
    });

    await step("requests in two topics at once, each answered by its ref", async () => {
      const [posted, ack] = await Promise.all([
        room.requestPost({ user_name: "ann", text_body: "hi" }),
        run.requestProgress({ percent: 50 }),
      ]);
      expectEqual(
        wire.take(),
        [
          { action: "post", payload: { user_name: "ann", text_body: "hi" }, version: 1, topic: "room:42", ref: "3" },
          { action: "progress", payload: { percent: 50 }, version: 1, topic: "run:7:step:1", ref: "4" },
        ],
        "the request frames",
      );
      expectEqual(posted, { action: "posted", payload: POST, version: 1, topic: "room:42", ref: "3" }, "the room's reply");
      expectEqual(
        ack,
        { action: "progress_ack", payload: { run_id: "7", step: "1", percent: 50 }, version: 1, topic: "run:7:step:1", ref: "4" },
        "the run's reply",
      );
    });

    await step("the host's own requests beside its topics", async () => {
      const you = await hub.requestWhoAmI();
      expectEqual(you.payload, { topics: ["room:42", "run:7:step:1"] }, "whoami");
      expectEqual(
        hubMessages.map((m) => m["action"]),
        ["you_are"],
        "the hub's own listeners get no topic frames",
      );
      wire.take();
    });

    await step("a broadcast with seq reaches the topic's listeners", async () => {
      const pushed = next<HubRoomTopicEvents["room_event"]>((h) => room.on("room_event", h), "room_event");
      await options.broadcast({ topic_class: "RoomTopic", topic: "room:42", event: { action: "room_event", payload: PUSHED }, seq: 17 });
      const event = await pushed;
      expectEqual(event, { action: "room_event", payload: PUSHED, version: 1, topic: "room:42", seq: 17 }, "the push");
      expectEqual(event.seq, 17, "its seq");
    });

    await step("a refused subscription rejects with a typed error", async () => {
      const secret = hub.roomTopic("room:secret");
      const refused = next((h) => secret.on("error", h), "the secret room's error event");
      expectTopicError(
        await rejection(secret.subscribe(), "subscribe room:secret"),
        "unauthorized",
        "Not allowed to subscribe to 'room:secret'",
        "room:secret",
        "room:secret",
      );
      expectTopicError(await refused, "unauthorized", "Not allowed to subscribe to 'room:secret'", "room:secret", "the event");
      expectTrue(!secret.subscribed, "room:secret is not subscribed");
      expectTopicError(
        await rejection(hub.topic("nope:1").subscribe(), "subscribe nope:1"),
        "unknown_topic",
        "Unknown topic 'nope:1'",
        "nope:1",
        "nope:1",
      );
      expectEqual(
        wire.take(),
        [
          { action: "subscribe", version: 1, topic: "room:secret", ref: "5" },
          { action: "subscribe", version: 1, topic: "nope:1", ref: "6" },
        ],
        "the refused subscribe frames",
      );
    });

    await step("unsubscribe: the on_unsubscribe push, then the ack; requests are refused after", async () => {
      roomFrames.length = 0;
      await within(room.unsubscribe(), TIMEOUT_MS, "unsubscribe room:42");
      expectTrue(!room.subscribed, "room:42 is no longer subscribed");
      expectEqual(
        roomFrames,
        [{ action: "room_left", payload: { room_id: "42", leaving: true }, version: 1, topic: "room:42", ref: "7" }],
        "the on_unsubscribe push, before the ack",
      );
      expectTopicError(
        await rejection(room.requestPost({ user_name: "ann", text_body: "late" }), "a post after unsubscribing"),
        "not_subscribed",
        "Not subscribed to 'room:42'",
        "room:42",
        "a post after unsubscribing",
      );
      expectEqual(
        wire.take(),
        [
          { action: "unsubscribe", version: 1, topic: "room:42", ref: "7" },
          { action: "post", payload: { user_name: "ann", text_body: "late" }, version: 1, topic: "room:42", ref: "8" },
        ],
        "the unsubscribe frames",
      );
    });

    await step("a dropped connection reconnects and resubscribes what was subscribed", async () => {
      await within(room.subscribe(), TIMEOUT_MS, "subscribe room:42 again");
      wire.take();
      const closed = next((h) => hub.on("close", h), "close");
      const roomBack = next((h) => room.on("subscribed", h), "room:42 subscribed again");
      const runBack = next((h) => run.on("subscribed", h), "run:7:step:1 subscribed again");
      const stateBack = next<HubRoomTopicEvents["room_state"]>((h) => room.on("room_state", h), "room:42's on_subscribe push");
      wire.drop();
      await closed;
      expectTrue(!room.subscribed && !run.subscribed, "subscriptions lapse with the connection");
      const [roomAck, runAck] = await Promise.all([roomBack, runBack]);
      expectEqual(
        wire.take(),
        [
          { action: "subscribe", version: 1, topic: "room:42", ref: "10" },
          { action: "subscribe", version: 1, topic: "run:7:step:1", ref: "11" },
        ],
        "the resubscribe frames",
      );
      expectEqual(roomAck, { action: "subscribed", payload: null, version: 1, topic: "room:42", ref: "10" }, "room ack");
      expectEqual(runAck, { action: "subscribed", payload: null, version: 1, topic: "run:7:step:1", ref: "11" }, "run ack");
      expectTrue(room.subscribed && run.subscribed, "both are subscribed again");
      expectEqual((await stateBack).payload.room_id, "42", "the on_subscribe push after the reconnect");
      const you = await hub.requestWhoAmI();
      expectEqual(you.payload, { topics: ["room:42", "run:7:step:1"] }, "the server's view after the reconnect");
      const pushed = next<HubRoomTopicEvents["room_event"]>((h) => room.on("room_event", h), "room_event after the reconnect");
      await options.broadcast({ topic_class: "RoomTopic", topic: "room:42", event: { action: "room_event", payload: PUSHED }, seq: 18 });
      expectEqual((await pushed).seq, 18, "the push after the reconnect");
      const ack = await run.requestProgress({ percent: 100 });
      expectEqual(ack.payload, { run_id: "7", step: "1", percent: 100 }, "a request after the reconnect");
    });

    await step("a topic on its own address: subscribed on connect, pushes with seq", async () => {
      const feed = new FeedTopicClient({ url: options.url, params: { feed_id: "news" }, WebSocket: Base, reconnect: false, requestTimeoutMs: TIMEOUT_MS });
      feeds.push(feed);
      const acked = next((h) => feed.on("subscribed", h), "the feed's subscribed");
      const hello = next((h) => feed.on("feed_hello", h), "feed_hello");
      await within(feed.connect(), TIMEOUT_MS, "connect the feed");
      await within(feed.whenSubscribed(), TIMEOUT_MS, "the feed's subscription");
      expectTrue(feed.subscribed, "the feed is subscribed");
      expectEqual(await acked, { action: "subscribed", payload: null, version: 1, topic: "feed:news" }, "its ack");
      expectEqual(await hello, { action: "feed_hello", payload: { feed_id: "news" }, version: 1, topic: "feed:news" }, "its hello");
      const pong = await feed.requestPing();
      expectEqual({ action: pong.action, topic: pong.topic }, { action: "pong", topic: "feed:news" }, "a request on it");
      const item = next<FeedTopicEvents["feed_item"]>((h) => feed.on("feed_item", h), "feed_item");
      await options.broadcast({ topic_class: "FeedTopic", topic: "feed:news", event: { action: "feed_item", payload: { title: "t", rank: 2 } }, seq: 5 });
      expectEqual(await item, { action: "feed_item", payload: { title: "t", rank: 2 }, version: 1, topic: "feed:news", seq: 5 }, "its push");
    });

    await step("a topic on its own address that refuses: whenSubscribed rejects, the socket stays open", async () => {
      const closedFeed = new FeedTopicClient({ url: options.url, params: { feed_id: "closed" }, WebSocket: Base, reconnect: false });
      feeds.push(closedFeed);
      await within(closedFeed.connect(), TIMEOUT_MS, "connect the closed feed");
      expectTopicError(
        await rejection(closedFeed.whenSubscribed(), "the closed feed's subscription"),
        "unauthorized",
        "Not allowed to subscribe to 'feed:closed'",
        "feed:closed",
        "feed:closed",
      );
      expectTrue(closedFeed.connected && !closedFeed.subscribed, "open, subscribed to nothing");
    });

    await step("close() ends every subscription's requests", async () => {
      const pending = run.requestProgress({ percent: 1 }, { timeoutMs: TIMEOUT_MS });
      hub.close();
      const error = await rejection(pending, "a request pending at close");
      expectTrue(error instanceof ChanxClientError && error.kind === "closed", `closed, got ${String(error)}`);
      expectTrue(!room.subscribed && !run.subscribed, "nothing is subscribed");
    });
  } finally {
    hub.close();
    for (const feed of feeds) feed.close();
  }
  return passed;
}
