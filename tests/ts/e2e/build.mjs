// Builds the end-to-end programs for one server:
//   node e2e/build.mjs DIR
// DIR holds `chat.ts`, the client chanx generated for that server. The e2e
// sources are type-checked against it (tsc, the strict settings of
// tsconfig.json) and bundled into DIR: node-main.js, drive.js, main.js and
// index.html. `chat-client` imports resolve to DIR/chat.ts.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const e2e = dirname(fileURLToPath(import.meta.url));
const pkg = dirname(e2e);
const target = resolve(process.argv[2] ?? "");
const client = join(target, "chat.ts");
if (!existsSync(client)) {
  console.error(`usage: node e2e/build.mjs DIR (with DIR/chat.ts); ${client} is missing`);
  process.exit(2);
}

// Type-check: the e2e sources and the generated client, as one program.
const rel = (p) => relative(target, p).split("\\").join("/");
writeFileSync(
  join(target, "tsconfig.json"),
  JSON.stringify(
    {
      extends: rel(join(pkg, "tsconfig.json")),
      compilerOptions: { baseUrl: ".", paths: { "chat-client": ["./chat.ts"] } },
      include: [rel(join(e2e, "*.ts")), rel(join(e2e, "browser", "*.ts")), "./chat.ts"],
    },
    null,
    2,
  ),
);
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(target, "tsconfig.json")], { stdio: "inherit" });

// Bundle.
const chatClient = {
  name: "chat-client",
  setup(b) {
    b.onResolve({ filter: /^chat-client$/ }, () => ({ path: client }));
  },
};
const common = { bundle: true, logLevel: "warning", plugins: [chatClient], target: "es2020" };
await Promise.all([
  build({ ...common, entryPoints: [join(e2e, "node-main.ts")], outfile: join(target, "node-main.js"), platform: "node", external: ["ws"] }),
  build({ ...common, entryPoints: [join(e2e, "browser", "drive.ts")], outfile: join(target, "drive.js"), platform: "node", external: ["playwright-core"] }),
  build({ ...common, entryPoints: [join(e2e, "browser", "main.ts")], outfile: join(target, "main.js"), platform: "browser" }),
]);
copyFileSync(join(e2e, "browser", "index.html"), join(target, "index.html"));
