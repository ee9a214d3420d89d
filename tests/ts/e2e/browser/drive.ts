// Drives the browser run: `node drive.js WS_URL NOTIFY_URL`. Opens this
// directory's page in headless Chromium (`run-page.ts`), triggers
// notifications for it by POSTing to NOTIFY_URL, and checks what the page
// shows. Exits 0 when the scenario passed and the frames are on the page.

import { runPage } from "./run-page";

async function main(): Promise<void> {
  const [wsUrl, notifyUrl] = process.argv.slice(2);
  if (wsUrl === undefined || notifyUrl === undefined) throw new Error("usage: node drive.js WS_URL NOTIFY_URL");
  const run = await runPage(
    __dirname,
    { ws: wsUrl },
    {
      chanxNotify: async (payload: unknown) => {
        const response = await fetch(notifyUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(payload),
        });
        if (!response.ok) throw new Error(`POST ${notifyUrl}: HTTP ${response.status}`);
      },
    },
  );
  for (const line of run.lines) console.log(`page shows: ${line}`);
  if (!run.passed) throw new Error(`the page says: ${run.status}`);

  const expected = [
    `bob received {"action":"chat_notification","payload":{"message":"User: hello from alice"}}`,
    `alice received {"action":"notification","payload":{"message":"Server restarts in 5 minutes","level":"warning"}}`,
    `ok - an invalid chat message gets the error frame`,
    `ok - close() closes the socket`,
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
