// Builds the end-to-end programs of one scenario for one server:
//   node e2e/build.mjs DIR [chat|topics]
// DIR holds the client chanx generated for that server: `chat.ts` for the
// chat scenario (the default), `topics.ts` for the topic one. The scenario's
// sources are type-checked against it (tsc, the strict settings of
// tsconfig.json) and bundled into DIR: node-main.js, drive.js, main.js and
// index.html. `chat-client` / `topics-client` imports resolve to that file.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const e2e = dirname(fileURLToPath(import.meta.url));
const pkg = dirname(e2e);
const SCENARIOS = {
  chat: { client: "chat.ts", module: "chat-client", sources: e2e, include: ["*.ts", "browser/*.ts"] },
  topics: { client: "topics.ts", module: "topics-client", sources: join(e2e, "topics"), include: ["*.ts", "browser/*.ts"] },
  // Node only: a server of its own in the same process.
  tagged: { client: "tagged.ts", module: "tagged-client", sources: join(e2e, "tagged"), include: ["*.ts"], nodeOnly: true },
};
const target = resolve(process.argv[2] ?? "");
const scenario = SCENARIOS[process.argv[3] ?? "chat"];
if (scenario === undefined) {
  console.error(`usage: node e2e/build.mjs DIR [${Object.keys(SCENARIOS).join("|")}]`);
  process.exit(2);
}
const client = join(target, scenario.client);
if (!existsSync(client)) {
  console.error(`usage: node e2e/build.mjs DIR [scenario] (with DIR/${scenario.client}); ${client} is missing`);
  process.exit(2);
}

// Type-check: the scenario's sources and the generated client, as one program.
const rel = (p) => relative(target, p).split("\\").join("/");
writeFileSync(
  join(target, "tsconfig.json"),
  JSON.stringify(
    {
      extends: rel(join(pkg, "tsconfig.json")),
      compilerOptions: { baseUrl: ".", paths: { [scenario.module]: [`./${scenario.client}`] } },
      include: [...scenario.include.map((glob) => rel(join(scenario.sources, glob))), `./${scenario.client}`],
    },
    null,
    2,
  ),
);
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(target, "tsconfig.json")], { stdio: "inherit" });

// Bundle.
const generatedClient = {
  name: scenario.module,
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${scenario.module}$`) }, () => ({ path: client }));
  },
};
const common = { bundle: true, logLevel: "warning", plugins: [generatedClient], target: "es2020" };
const source = (path) => join(scenario.sources, path);
const nodeMain = build({ ...common, entryPoints: [source("node-main.ts")], outfile: join(target, "node-main.js"), platform: "node", external: ["ws"] });
if (scenario.nodeOnly) {
  await nodeMain;
} else {
  await Promise.all([
    nodeMain,
    build({ ...common, entryPoints: [source("browser/drive.ts")], outfile: join(target, "drive.js"), platform: "node", external: ["playwright-core"] }),
    build({ ...common, entryPoints: [source("browser/main.ts")], outfile: join(target, "main.js"), platform: "browser" }),
  ]);
  copyFileSync(source("browser/index.html"), join(target, "index.html"));
}
