// Times Modelina's Rust and TypeScript generators on one AsyncAPI document.
//
//   node bench.mjs FILE RUNS [BUDGET_MS]
//
// Prints one JSON line: for each generator, the first call's time and the
// median of up to RUNS further calls made within BUDGET_MS (milliseconds), or the first line of the
// error it failed with; and the process's peak RSS (KiB).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RustGenerator, TypeScriptGenerator } from '@asyncapi/modelina';

const [file, runsArg, budgetArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench.mjs FILE RUNS [BUDGET_MS]');
  process.exit(2);
}
const runs = Math.max(0, Number.parseInt(runsArg ?? '5', 10) || 0);
const budgetMs = Number.parseInt(budgetArg ?? '5000', 10) || 0;
// Each call gets the document as text, as a user would pass a file's contents.
const text = readFileSync(file, 'utf8');
const input = file.endsWith('.json') ? JSON.parse(text) : text;

async function time(makeGenerator) {
  const generator = makeGenerator();
  const once = async () => {
    const start = performance.now();
    const models = await generator.generate(typeof input === 'string' ? input : structuredClone(input));
    const elapsed = performance.now() - start;
    if (models.length === 0) throw new Error('no models generated');
    return elapsed;
  };
  try {
    const first = await once();
    const samples = [];
    const started = performance.now();
    while (samples.length < runs && (samples.length === 0 || performance.now() - started < budgetMs)) {
      samples.push(await once());
    }
    samples.sort((a, b) => a - b);
    const median = samples.length ? samples[Math.floor(samples.length / 2)] : first;
    return { first_ms: first, median_ms: median, runs: samples.length };
  } catch (error) {
    const message = String(error?.message ?? error).split('\n')[0];
    return { error: message || String(error) };
  }
}

const rust = await time(() => new RustGenerator());
const ts = await time(() => new TypeScriptGenerator());
console.log(JSON.stringify({ rust, ts, max_rss_kb: process.resourceUsage().maxRSS }));
