// Runs the chat scenario in Node: `node node-main.js WS_URL NOTIFY_URL`.
// NOTIFY_URL receives a POST of the notification payload (JSON) and makes the
// server push it. Exits 0 when every step passed.

import WebSocket from "ws";
import { runChatScenario } from "./chat-scenario";

async function main(): Promise<void> {
  const [url, notifyUrl] = process.argv.slice(2);
  if (url === undefined || notifyUrl === undefined) {
    throw new Error("usage: node node-main.js WS_URL NOTIFY_URL");
  }
  const passed = await runChatScenario({
    url,
    WebSocket,
    notify: async (payload) => {
      const response = await fetch(notifyUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
      if (!response.ok) throw new Error(`POST ${notifyUrl}: HTTP ${response.status}`);
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
