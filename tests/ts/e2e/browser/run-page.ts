// Runs a scenario page in headless Chromium (CHROMIUM_PATH, default
// /usr/bin/chromium): serves DIR's index.html and main.js on a free local
// port, gives the page the driver's functions (`page.exposeFunction`), opens
// it with a query string and waits until it marks `#status[data-done]`.
// Shared by the chat and topic drivers.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const PAGE_TIMEOUT_MS = 30000;

/** What the page showed when it was done. */
export interface PageRun {
  /** `#status`'s text. */
  status: string;
  /** Whether the page marked itself passed. */
  passed: boolean;
  /** The lines of `#log`. */
  lines: string[];
}

function serve(dir: string): Promise<Server> {
  const files: Record<string, { file: string; type: string }> = {
    "/": { file: "index.html", type: "text/html; charset=utf-8" },
    "/main.js": { file: "main.js", type: "text/javascript; charset=utf-8" },
  };
  const server = createServer((request, response) => {
    const entry = files[(request.url ?? "/").split("?")[0] ?? "/"];
    if (entry === undefined) {
      response.writeHead(request.url === "/favicon.ico" ? 204 : 404).end();
      return;
    }
    response.writeHead(200, { "content-type": entry.type }).end(readFileSync(join(dir, entry.file)));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export async function runPage(
  dir: string,
  query: Record<string, string>,
  functions: Record<string, (argument: never) => Promise<void>>,
): Promise<PageRun> {
  const server = await serve(dir);
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
    for (const [name, fn] of Object.entries(functions)) await page.exposeFunction(name, fn);
    await page.goto(`http://127.0.0.1:${port}/?${new URLSearchParams(query).toString()}`);
    await page.waitForSelector("#status[data-done]", { timeout: PAGE_TIMEOUT_MS });
    return {
      status: (await page.textContent("#status")) ?? "",
      passed: (await page.getAttribute("#status", "data-done")) === "passed",
      lines: await page.locator("#log li").allTextContents(),
    };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
