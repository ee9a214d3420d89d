// Topic handles are typed per topic: what a topic accepts and sends is what
// the document lists for that topic, and nothing of another topic or of the
// host compiles. Only type-checked (`cargo test -p chanx-codegen --test
// ts_typecheck`), against the client that test generates from
// specs/topics.json (docs/generated-typescript.md, "Topics").

import {
  ChanxTopicError,
  FeedTopicClient,
  HubClient,
  HubRoomTopicHandle,
  HubRunTopicHandle,
  PostedMessage,
  ProgressAckMessage,
} from "./generated/spec_topics";

export async function usesTopics(hub: HubClient, feed: FeedTopicClient): Promise<void> {
  // Handles from the pattern's parameters or from the topic string.
  const room: HubRoomTopicHandle = hub.roomTopic({ room_id: 42 });
  const sameRoom: HubRoomTopicHandle = hub.roomTopic("room:42");
  const run: HubRunTopicHandle = hub.runTopic({ run_id: "r1", step: 3 });
  // @ts-expect-error: the room pattern's parameter is `room_id`
  hub.roomTopic({ room: 42 });
  // @ts-expect-error: a run needs both `run_id` and `step`
  hub.runTopic({ run_id: "r1" });
  // @ts-expect-error: a topic is a string or the parameters, not a number
  hub.roomTopic(42);

  await room.subscribe();
  await room.unsubscribe();

  // Requests: the payload of that topic's message, the reply of that topic.
  const posted: PostedMessage = await room.requestPost({ user_name: "ann", text_body: "hi" });
  const ack: ProgressAckMessage = await run.requestProgress({ percent: 50 });
  const topic: string = (await room.requestPost({ user_name: "ann", text_body: "hi" })).topic;
  // @ts-expect-error: `text_body` is required
  await room.requestPost({ user_name: "ann" });
  // @ts-expect-error: `percent` is a number
  await run.requestProgress({ percent: "50" });
  // @ts-expect-error: a room has no `progress` request (that is the run topic's)
  await room.requestProgress({ percent: 50 });
  // @ts-expect-error: the reply of a post is not a progress ack
  const wrongReply: ProgressAckMessage = await room.requestPost({ user_name: "ann", text_body: "hi" });

  // Sends: the topic's own messages only.
  room.sendPost({ user_name: "ann", text_body: "hi", mood: "happy" });
  room.send({ action: "post", payload: { user_name: "ann", text_body: "hi" } });
  // @ts-expect-error: `angry` is not a mood
  room.sendPost({ user_name: "ann", text_body: "hi", mood: "angry" });
  // @ts-expect-error: `progress` is the run topic's message
  room.send({ action: "progress", payload: { percent: 1 } });
  // @ts-expect-error: `ping` is the hub's own message, not the room's
  room.send({ action: "ping", payload: null });
  // @ts-expect-error: a misspelt payload key
  room.send({ action: "post", payload: { user_name: "ann", txt_body: "hi" } });

  // Pushes: the topic's tags, typed, with the envelope and its optional `seq`.
  room.on("room_event", (event) => {
    const text: string = event.payload.text_body;
    const seq: number | undefined = event.seq;
    const where: string = event.topic;
    void [text, seq, where];
  });
  room.on("room_state", (state) => {
    const count: number = state.payload.subscriptions;
    void count;
  });
  room.on("subscribed", (frame) => {
    const ref: string | undefined = frame.ref;
    void ref;
  });
  room.on("error", (error) => {
    if (error instanceof ChanxTopicError) {
      const reason: "unauthorized" | "unknown_topic" | "not_subscribed" = error.reason;
      void reason;
    }
  });
  // @ts-expect-error: `progress_ack` is sent on run topics, not on rooms
  room.on("progress_ack", () => undefined);
  // @ts-expect-error: `pong` is the hub's, not the room's
  room.on("pong", () => undefined);
  // @ts-expect-error: a room_event's payload has no `percent`
  room.on("room_event", (event) => event.payload.percent);
  // @ts-expect-error: the hub's own listeners do not get topic messages
  hub.on("room_event", () => undefined);

  // A topic served on its own address: subscribed on connect.
  await feed.whenSubscribed();
  const subscribed: boolean = feed.subscribed;
  feed.on("feed_item", (item) => {
    const title: string = item.payload.title;
    const seq: number | undefined = item.seq;
    void [title, seq];
  });
  // @ts-expect-error: a feed has no `post`
  feed.send({ action: "post", payload: { user_name: "ann", text_body: "hi" } });

  void [sameRoom, posted, ack, topic, wrongReply, subscribed];
}
