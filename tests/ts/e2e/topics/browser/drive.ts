// Drives the browser run of the topic scenario:
// `node drive.js WS_URL BROADCAST_URL`. Opens this directory's page in
// headless Chromium (`../../browser/run-page.ts`), broadcasts for it by
// POSTing to BROADCAST_URL, and checks what the page shows. Exits 0 when the
// scenario passed and the pushed frames are on the page.

import { runPage } from "../../browser/run-page";

async function main(): Promise<void> {
  const [wsUrl, broadcastUrl] = process.argv.slice(2);
  if (wsUrl === undefined || broadcastUrl === undefined) throw new Error("usage: node drive.js WS_URL BROADCAST_URL");
  const run = await runPage(
    __dirname,
    { ws: wsUrl },
    {
      chanxBroadcast: async (body: unknown) => {
        const response = await fetch(broadcastUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`POST ${broadcastUrl}: HTTP ${response.status}`);
      },
    },
  );
  for (const line of run.lines) console.log(`page shows: ${line}`);
  if (!run.passed) throw new Error(`the page says: ${run.status}`);

  const expected = [
    `room:42 received {"action":"room_event","payload":{"user_name":"srv","text_body":"pushed","mood":null},"version":1,"topic":"room:42","seq":17}`,
    `ok - a refused subscription rejects with a typed error`,
    `ok - a dropped connection reconnects and resubscribes what was subscribed`,
  ];
  for (const line of expected) {
    if (!run.lines.includes(line)) throw new Error(`the page does not show: ${line}`);
  }
  console.log(`PASSED in the browser: ${run.status}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`FAILED: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
