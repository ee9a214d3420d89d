// The generated client of specs/tagged.yaml against a bare `ws` server in
// this process: the document's credentials reach the server (the API key in
// the query, the bearer token as a header), the address parameter is filled
// in, and a request the server sends (`sendHeartbeat`) is answered with
// `replyAck`, carrying the request's `ref`. Prints PASSED or exits 1.

import WebSocket, { WebSocketServer } from "ws";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { NotificationsClient } from "tagged-client";

function fail(message: string): never {
  console.error(`FAILED: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;

  const answered = new Promise<{ url: string; authorization: string; answer: unknown }>((resolve) => {
    server.once("connection", (socket: WebSocket, request: IncomingMessage) => {
      socket.once("message", (data) => {
        resolve({
          url: request.url ?? "",
          authorization: String(request.headers["authorization"] ?? ""),
          answer: JSON.parse(String(data)),
        });
      });
      socket.send(JSON.stringify({ event: "heartbeat", beat: 7, version: 1, ref: "s1" }));
    });
  });

  const client = new NotificationsClient({
    url: `ws://127.0.0.1:${port}`,
    params: { userId: "u 1" },
    credentials: { apiKey: "k&1", bearerToken: "t1" },
    WebSocket,
    reconnect: false,
  });
  client.on("heartbeat", (heartbeat) => {
    client.replyAck(heartbeat, { beat: heartbeat.beat });
  });
  await client.connect();

  const timeout = setTimeout(() => fail("no answer within 10 s"), 10_000);
  const seen = await answered;
  clearTimeout(timeout);
  if (seen.url !== "/ws/users/u%201/notifications?api_key=k%261") fail(`url ${seen.url}`);
  if (seen.authorization !== "Bearer t1") fail(`authorization ${seen.authorization}`);
  // Keys in any order: compare them sorted.
  const sorted = (value: unknown): string =>
    JSON.stringify(Object.fromEntries(Object.entries(value as object).sort(([a], [b]) => a.localeCompare(b))));
  const expected = sorted({ event: "ack", beat: 7, version: 1, ref: "s1" });
  if (sorted(seen.answer) !== expected) fail(`answer ${JSON.stringify(seen.answer)}`);

  client.close();
  server.close();
  console.log("PASSED credentials and server requests");
}

main().catch((error: unknown) => fail(String(error)));
