// Drives the browser run: `node drive.js WS_URL NOTIFY_URL`. Serves this
// directory's index.html and main.js on a free local port, opens the page in
// headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium), triggers
// notifications for it by POSTing to NOTIFY_URL, and checks what the page
// shows. Exits 0 when the scenario passed and the frames are on the page.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const PAGE_TIMEOUT_MS = 30000;

const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/main.js": { file: "main.js", type: "text/javascript; charset=utf-8" },
};

function serve(): Promise<Server> {
  const server = createServer((request, response) => {
    const entry = FILES[(request.url ?? "/").split("?")[0] ?? "/"];
    if (entry === undefined) {
      response.writeHead(request.url === "/favicon.ico" ? 204 : 404).end();
      return;
    }
    response.writeHead(200, { "content-type": entry.type }).end(readFileSync(join(__dirname, entry.file)));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function main(): Promise<void> {
  const [wsUrl, notifyUrl] = process.argv.slice(2);
  if (wsUrl === undefined || notifyUrl === undefined) throw new Error("usage: node drive.js WS_URL NOTIFY_URL");
  const server = await serve();
  const port = (server.address() as AddressInfo).port;
  const profile = mkdtempSync(join(tmpdir(), "chanx-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    headless: true,
    timeout: PAGE_TIMEOUT_MS,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => console.log(`page: ${message.text()}`));
    page.on("pageerror", (error) => console.log(`page error: ${error.message}`));
    await page.exposeFunction("chanxNotify", async (payload: unknown) => {
      const response = await fetch(notifyUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
      if (!response.ok) throw new Error(`POST ${notifyUrl}: HTTP ${response.status}`);
    });
    await page.goto(`http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsUrl)}`);
    await page.waitForSelector("#status[data-done]", { timeout: PAGE_TIMEOUT_MS });
    const status = await page.textContent("#status");
    const lines = await page.locator("#log li").allTextContents();
    for (const line of lines) console.log(`page shows: ${line}`);
    if ((await page.getAttribute("#status", "data-done")) !== "passed") throw new Error(`the page says: ${status}`);

    const expected = [
      `bob received {"action":"chat_notification","payload":{"message":"User: hello from alice"}}`,
      `alice received {"action":"notification","payload":{"message":"Server restarts in 5 minutes","level":"warning"}}`,
      `ok - an invalid chat message gets the error frame`,
      `ok - close() closes the socket`,
    ];
    for (const line of expected) {
      if (!lines.includes(line)) throw new Error(`the page does not show: ${line}`);
    }
    console.log(`PASSED in the browser: ${status}`);
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`FAILED: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
