// Checks a docs page in headless Chromium:
//   node docs/check.mjs URL SCREENSHOT_PREFIX SEARCH
// Opens URL (http:// or file://) with every other request refused (the page
// must work offline), waits for it to render, searches for SEARCH (which must
// narrow the page without emptying it), and writes SCREENSHOT_PREFIX-light.png
// and -dark.png. Prints one JSON line of what the page shows; exits 1 on any
// console error or warning, page error, or request the page made.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, prefix, query] = process.argv.slice(2);
if (!url || !prefix || !query) {
  console.error("usage: node docs/check.mjs URL SCREENSHOT_PREFIX SEARCH");
  process.exit(2);
}

const problems = [];
const profile = mkdtempSync(join(tmpdir(), "chanx-docs-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 900 },
  colorScheme: "light",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  await context.route("**/*", (route) => {
    const wanted = route.request().url();
    if (wanted.split("#")[0] === url.split("#")[0]) return route.continue();
    problems.push(`the page requested ${wanted}`);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  await page.waitForSelector("main#doc[data-rendered]", { timeout: 20000 });

  const count = (selector) => page.locator(selector).count();
  const shown = {
    title: await page.title(),
    channels: await count("#channels .card"),
    operations: await count("#operations .card"),
    messages: await count(".message"),
    fields: await count("ul.tree li"),
    topics: await count(".badge.topic"),
    messageLinks: await count(".links a[href^='#message-']"),
  };
  await page.screenshot({ path: `${prefix}-light.png` });

  await page.fill("#search", query);
  const cards = await count(".card.searchable");
  const matching = Number(await page.getAttribute("main#doc", "data-shown"));
  if (!(matching > 0 && matching < cards)) problems.push(`searching "${query}" shows ${matching} of ${cards} cards`);
  shown.search = { query, matching, cards };
  await page.fill("#search", "");

  await page.click("#theme");
  const theme = await page.getAttribute("html", "data-theme");
  if (theme !== "dark") problems.push(`the theme button made the theme ${theme}`);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  shown.dark = background;
  await page.screenshot({ path: `${prefix}-dark.png` });

  console.log(JSON.stringify(shown));
} catch (error) {
  problems.push(String(error));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
for (const problem of problems) console.log(`PROBLEM ${problem}`);
process.exit(problems.length ? 1 : 0);
