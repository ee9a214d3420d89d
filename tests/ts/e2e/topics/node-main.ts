// Runs the topic scenario in Node: `node node-main.js WS_URL BROADCAST_URL`.
// BROADCAST_URL receives a POST of `{topic_class, topic, event, seq}` and
// makes the server broadcast into that topic. Exits 0 when every step passed.

import WebSocket from "ws";
import { runTopicScenario } from "./scenario";

async function main(): Promise<void> {
  const [url, broadcastUrl] = process.argv.slice(2);
  if (url === undefined || broadcastUrl === undefined) {
    throw new Error("usage: node node-main.js WS_URL BROADCAST_URL");
  }
  const passed = await runTopicScenario({
    url,
    WebSocket,
    broadcast: async (body) => {
      const response = await fetch(broadcastUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`POST ${broadcastUrl}: HTTP ${response.status}`);
    },
    log: (line) => console.log(line),
  });
  console.log(`PASSED ${passed.length} steps`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`FAILED: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
