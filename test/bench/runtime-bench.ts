// `npm run bench`: the sandbox runtime's figures from issue 3, each printed with its goal.
//   warm start   run request -> first output, 100 KB plugin, pool warm, prepared module cached
//   cold start   the same with a new sandbox process per run
//   throughput   200,000 output messages from one plugin to the engine's consumer (none lost)
//   memory       the sandbox process's peak RSS for a small plugin
// Medians of several runs. Then runs the module-preparation benchmark (test/bench/prepare-bench.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import wabtInit from 'wabt';
// @ts-expect-error plain ESM build script without types
import { bundle } from '../../build/bundle.mjs';
import { type Run, RunManager, type StartRunOptions } from '../../electron/engine/runs/index.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'fledge-bench-'));
const wabt = await wabtInit();

function wat(text: string): Uint8Array {
  const m = wabt.parseWat('bench.wat', text);
  try {
    return new Uint8Array(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

function plugin(
  name: string,
  wasm: Uint8Array,
): Omit<StartRunOptions, 'grants'> & { grants: typeof NO_CAPABILITIES } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'plugin.wasm'), wasm);
  return {
    plugin: { name, version: '0.1.0', dir, declared: NO_CAPABILITIES },
    command: name,
    binary: 'plugin.wasm',
    grants: NO_CAPABILITIES,
  };
}

const SEND_HELLO = `(import "fledge" "send" (func $send (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{\\"type\\":\\"output\\",\\"text\\":\\"hello\\"}")`;

/** About 100 KB of code in many small functions (not exported, like a real program's), then one output. */
function bigPlugin(): Uint8Array {
  const funcs: string[] = [];
  for (let i = 0; funcs.join('').length < 800_000; i++) {
    funcs.push(`(func $f${i} (param i32) (result i32)
      (local.get 0) (i32.const ${i}) (i32.add) (i32.const 3) (i32.mul) (i32.const ${i % 7}) (i32.xor)
      (local.get 0) (i32.const 5) (i32.shl) (i32.add) (i32.const 1234567) (i32.rem_u))`);
  }
  return wat(`(module ${SEND_HELLO} ${funcs.join('\n')}
    (func (export "_start") (call $send (i32.const 0) (i32.const 32))))`);
}

function floodPlugin(count: number): Uint8Array {
  return wat(
    readFileSync(join(root, 'test/fixtures/wat/flood.wat'), 'utf8').replaceAll('{{COUNT}}', String(count)),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** ms from the run request to the first output event. */
async function timeToFirstOutput(
  manager: RunManager,
  options: StartRunOptions,
): Promise<{ ms: number; run: Run }> {
  const t0 = performance.now();
  const run = manager.start(options);
  const ms = await new Promise<number>((resolveMs, reject) => {
    run.subscribe((events) => {
      for (const e of events) if (e.type === 'output') resolveMs(performance.now() - t0);
    });
    void run.ended.then((end) => reject(new Error(`run ended without output: ${end.message}`)));
  }).catch((err) => {
    throw err;
  });
  await run.ended;
  return { ms, run };
}

const FLOOR_CHILD = `const { Worker } = require('node:worker_threads');
new Worker('require("node:worker_threads").parentPort.postMessage(1)', { eval: true }).on('message', () => process.send(1));`;

/** ms from fork to the first message of a Node process that only starts an empty worker. */
async function processAndWorkerFloor(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', FLOOR_CHILD], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  await new Promise((r) => child.once('message', r));
  const ms = performance.now() - t0;
  child.kill();
  await new Promise((r) => child.once('exit', r));
  return ms;
}

const rows: [string, string, string, boolean][] = [];
function report(figure: string, value: string, goal: string, ok: boolean) {
  rows.push([figure, value, goal, ok]);
  console.log(`${ok ? 'ok  ' : 'MISS'}  ${figure.padEnd(44)} ${value.padEnd(26)} goal ${goal}`);
}

await bundle();
const big = plugin('fledge-bench-big', bigPlugin());
const size = readFileSync(join(big.plugin.dir, 'plugin.wasm')).length;
console.log(`fledge-desktop runtime benchmark (node ${process.version}, ${size} byte plugin)`);

const only = process.env.BENCH_ONLY; // e.g. BENCH_ONLY=throughput
const want = (name: string) => !only || only.split(',').includes(name);

// ---- warm start --------------------------------------------------------------------------------
if (want('warm')) {
  const manager = new RunManager({ poolSize: 2 });
  try {
    await timeToFirstOutput(manager, big); // prepares and caches the module
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      await manager.pool.warm();
      await new Promise((r) => setTimeout(r, 30));
      times.push((await timeToFirstOutput(manager, big)).ms);
    }
    const p50 = median(times);
    report('warm start p50 (request -> first output)', `${p50.toFixed(1)} ms`, '<= 15 ms', p50 <= 15);
  } finally {
    await manager.close();
  }
}

// ---- cold start --------------------------------------------------------------------------------
if (want('cold')) {
  const manager = new RunManager({ poolSize: 0 });
  try {
    // Interleaved with the floor that no sandbox can go below here: a forked Node process that starts
    // an empty worker thread and says so. The difference is what our code costs, whatever the load.
    const times: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < 9; i++) {
      times.push((await timeToFirstOutput(manager, big)).ms);
      floors.push(await processAndWorkerFloor());
    }
    const p50 = median(times);
    report('cold start p50 (new sandbox process)', `${p50.toFixed(1)} ms`, '<= 150 ms', p50 <= 150);
    const floor = median(floors);
    console.log(
      `      (floor, a bare forked Node + empty worker: ${floor.toFixed(1)} ms; ours on top: ${(p50 - floor).toFixed(1)} ms)`,
    );
  } finally {
    await manager.close();
  }
}

// ---- throughput --------------------------------------------------------------------------------
if (want('throughput')) {
  const COUNT = 200_000;
  const flood = plugin('fledge-bench-flood', floodPlugin(COUNT));
  const manager = new RunManager({ poolSize: 1 });
  try {
    const rates: number[] = [];
    const totals: number[] = [];
    let lost = 0;
    for (let i = 0; i < 5; i++) {
      await manager.pool.warm();
      let n = 0;
      let first = 0;
      let last = 0;
      let inOrder = true;
      let firstBatch = 0;
      const t0 = performance.now();
      const run = manager.start(flood);
      run.subscribe((events) => {
        const before = n;
        for (const e of events) {
          if (e.type !== 'output') continue;
          if (e.text !== String(n)) inOrder = false;
          n++;
        }
        if (n > before) {
          last = performance.now();
          if (before === 0) {
            first = last;
            firstBatch = n; // the rate counts the messages after the first batch, over the time after it
          }
        }
      });
      const end = await run.ended;
      if (end.reason !== 'exit' || n !== COUNT || !inOrder) lost++;
      rates.push((COUNT - firstBatch) / ((last - first) / 1000));
      totals.push(COUNT / ((performance.now() - t0) / 1000));
    }
    const rate = median(rates);
    report(
      'output throughput (first -> last batch)',
      `${Math.round(rate).toLocaleString('en')} msg/s`,
      '>= 500,000 msg/s',
      rate >= 500_000 && lost === 0,
    );
    console.log(
      `      (whole run incl. start and exit: ${Math.round(median(totals)).toLocaleString('en')} msg/s; runs with loss or disorder: ${lost})`,
    );
  } finally {
    await manager.close();
  }
}

// ---- memory ------------------------------------------------------------------------------------
if (want('rss')) {
  const small = plugin(
    'fledge-bench-small',
    wat(`(module ${SEND_HELLO} (func (export "_start") (call $send (i32.const 0) (i32.const 32))))`),
  );
  const manager = new RunManager({ poolSize: 1 });
  try {
    const rss: number[] = [];
    for (let i = 0; i < 5; i++) {
      await manager.pool.warm();
      const { run } = await timeToFirstOutput(manager, small);
      const end = await run.ended;
      if (end.peakRssBytes) rss.push(end.peakRssBytes);
    }
    const mb = median(rss) / (1024 * 1024);
    report('sandbox process peak RSS, small plugin', `${mb.toFixed(1)} MB`, '<= 60 MB', mb <= 60);
  } finally {
    await manager.close();
  }
}

rmSync(work, { recursive: true, force: true });

const prepareBench = join(root, 'test/bench/prepare-bench.ts');
if (!only && existsSync(prepareBench)) {
  console.log('\nmodule preparation (test/bench/prepare-bench.ts):');
  const r = spawnSync(process.execPath, ['--import', 'tsx', prepareBench], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
