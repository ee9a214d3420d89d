// The topic scenario in a browser page, with the browser's own WebSocket.
// The server is named by the query string (`?ws=ws://127.0.0.1:8000`); the
// page shows every step and frame in `#log` and the outcome in `#status`
// (`data-done` is set once it is known). Broadcasts go through
// `window.chanxBroadcast`, which the test driver provides.

import { runTopicScenario } from "../scenario";

declare global {
  interface Window {
    chanxBroadcast?: (body: object) => Promise<void>;
  }
}

function show(line: string): void {
  const item = document.createElement("li");
  item.textContent = line;
  document.getElementById("log")?.appendChild(item);
}

function finish(text: string, ok: boolean): void {
  const status = document.getElementById("status");
  if (status === null) return;
  status.textContent = text;
  status.dataset["done"] = ok ? "passed" : "failed";
}

const url = new URLSearchParams(window.location.search).get("ws");
if (url === null) {
  finish("no ?ws= server URL", false);
} else {
  runTopicScenario({
    url,
    broadcast: async (body) => {
      if (window.chanxBroadcast === undefined) throw new Error("window.chanxBroadcast is not provided");
      await window.chanxBroadcast(body);
    },
    log: show,
  }).then(
    (passed) => finish(`passed ${passed.length} steps`, true),
    (error: unknown) => finish(`failed: ${error instanceof Error ? error.message : String(error)}`, false),
  );
}
