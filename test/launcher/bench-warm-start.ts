// Start latency of an Electron run, cold (a utilityProcess forked for the run) against warm (the
// launcher's spare, ready before the run starts), through the faithful utilityProcess stand-in and
// the engine's RunManager: the same one-line WASM plugin, alternated, N rounds. Prints the median
// time from RunManager.start() to the plugin's first output line and to the run's end, and the ratio.
//   npx tsx test/launcher/bench-warm-start.ts [rounds=15]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunManager } from '../../electron/engine/runs/index.js';
import { UtilitySandboxLauncher } from '../../electron/main/sandbox/utility-launcher.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { repoRoot } from '../support/cli.js';
import { StandInElectron } from '../support/utility-stand-in/index.js';
import { wat2wasm } from '../support/wat.js';

const rounds = Number(process.argv[2] ?? 15);
const hostScript = join(repoRoot, 'dist', 'sandbox-host.js');
const root = mkdtempSync(join(tmpdir(), 'fledge-bench-warm-'));
const dir = join(root, 'fledge-bench');
mkdirSync(dir);
const wat = readFileSync(join(repoRoot, 'test', 'fixtures', 'wat', 'hello.wat'), 'utf8');
writeFileSync(join(dir, 'plugin.wasm'), await wat2wasm(wat, 'hello.wat'));

const cold = new UtilitySandboxLauncher(new StandInElectron(), { hostScript });
const warm = new UtilitySandboxLauncher(new StandInElectron(), { hostScript, spares: 1 });
const managers = {
  cold: new RunManager({ launcher: cold, poolSize: 0 }),
  warm: new RunManager({ launcher: warm, poolSize: 0 }),
};
const keepAlive = setInterval(() => {}, 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(kind: 'cold' | 'warm'): Promise<{ firstOutput: number; end: number }> {
  const t0 = performance.now();
  let firstOutput = Number.NaN;
  const run = managers[kind].start({
    plugin: { name: 'fledge-bench', version: '0.1.0', dir, declared: NO_CAPABILITIES },
    command: 'fledge-bench',
    binary: join(dir, 'plugin.wasm'),
    grants: NO_CAPABILITIES,
  });
  run.subscribe((batch) => {
    if (Number.isNaN(firstOutput) && batch.some((e) => e.type === 'output'))
      firstOutput = performance.now() - t0;
  });
  const end = await run.ended;
  if (end.reason !== 'exit') throw new Error(`the ${kind} run ended: ${end.message}`);
  return { firstOutput, end: performance.now() - t0 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const results = {
  cold: { firstOutput: [] as number[], end: [] as number[] },
  warm: { firstOutput: [] as number[], end: [] as number[] },
};
// One untimed round each (the prepared-module cache, the file cache).
await once('cold');
await warm.spareProcesses!.whenReady();
await once('warm');
for (let i = 0; i < rounds; i++) {
  const order: ('cold' | 'warm')[] = i % 2 ? ['warm', 'cold'] : ['cold', 'warm'];
  for (const kind of order) {
    // Both start from the same quiet state: the spare ready, nothing else starting.
    await warm.spareProcesses!.whenReady();
    await sleep(200);
    const r = await once(kind);
    results[kind].firstOutput.push(r.firstOutput);
    results[kind].end.push(r.end);
  }
}
const f = (n: number) => `${n.toFixed(1)} ms`;
const [c, w] = [results.cold, results.warm];
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${rounds} rounds each, alternated`,
);
console.log(
  `start -> first output: cold ${f(median(c.firstOutput))}, warm ${f(median(w.firstOutput))}, warm/cold ${(median(w.firstOutput) / median(c.firstOutput)).toFixed(2)}x`,
);
console.log(
  `start -> end:          cold ${f(median(c.end))}, warm ${f(median(w.end))}, warm/cold ${(median(w.end) / median(c.end)).toFixed(2)}x`,
);
warm.dispose();
cold.dispose();
await managers.cold.close();
await managers.warm.close();
clearInterval(keepAlive);
rmSync(root, { recursive: true, force: true });
