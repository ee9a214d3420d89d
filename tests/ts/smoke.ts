// Uses the generated chat client the way an application would; this file is
// only type-checked (`cargo test -p chanx-codegen --test ts_typecheck`).
// `generated/` is written by that test from hand-built models.

import WebSocket from "ws";
import {
  ChanxClientError,
  ChatClient,
  ChatReceiveMessage,
  JobsClient,
  JobStarted,
  PongMessage,
} from "./generated/chat";
import { EchoClient } from "./generated/echo";

export async function chat(): Promise<string[]> {
  const client = new ChatClient({
    url: "ws://127.0.0.1:8000",
    params: { room: "lobby" },
    WebSocket,
    reconnect: { initialDelayMs: 100, maxDelayMs: 5000, factor: 2 },
    requestTimeoutMs: 2000,
  });
  const seen: string[] = [];

  const stop = client.on("pong", (message) => {
    const payload: null | undefined = message.payload;
    seen.push(`pong ${String(payload)}`);
  });
  client.on("chat_notification", (message) => seen.push(message.payload.message));
  client.on("notification", (message) => {
    const level: "info" | "warning" | "error" | undefined = message.payload.level;
    seen.push(`${level ?? "info"}: ${message.payload.message}`);
  });
  client.on("message", (message: ChatReceiveMessage) => seen.push(String(message.action)));
  client.on("open", () => seen.push("open"));
  client.on("close", (info) => seen.push(`closed ${info.code} ${info.reason}`));
  client.on("error", (error: ChanxClientError) => seen.push(`${error.kind}: ${error.message}`));

  await client.connect();
  client.sendPing();
  client.sendChat({ message: "hi" });
  const pong: PongMessage = await client.requestPing(null, { timeoutMs: 500 });
  seen.push(String(pong.action));
  stop();

  // @ts-expect-error: the chat payload needs a string `message`
  client.sendChat({ message: 42 });
  // @ts-expect-error: the client cannot send what only the server sends
  client.send({ action: "notification", payload: { message: "no" } });
  // @ts-expect-error: no such message tag
  client.on("pingg", () => undefined);
  // @ts-expect-error: a pong handler gets a pong, which has no chat payload
  client.on("pong", (message) => message.payload.message);
  // @ts-expect-error: the room parameter is required
  new ChatClient({ url: "ws://127.0.0.1:8000", params: {} });

  client.close();
  return seen;
}

export async function jobs(): Promise<number | undefined> {
  const jobs = new JobsClient({ url: "ws://127.0.0.1:8000", WebSocket, reconnect: false });
  await jobs.connect();
  const started: JobStarted = await jobs.requestStart({ payload: { name: "build-1", priority: 2 } });
  // @ts-expect-error: the kind parameter is an enum
  new JobsClient({ url: "ws://127.0.0.1:8000", params: { kind: "deploy" } });
  jobs.close();
  return started.payload["build-1"];
}

export async function echo(): Promise<string> {
  const echo = new EchoClient({ url: "ws://127.0.0.1:9000/echo", WebSocket });
  echo.on("message", (message) => {
    if (typeof message === "string") echo.sendText(message.toUpperCase());
  });
  await echo.connect();
  const reply = await echo.requestText("hello");
  // @ts-expect-error: untagged channels have no tag events
  echo.on("echo", () => undefined);
  echo.close();
  return reply.text;
}
