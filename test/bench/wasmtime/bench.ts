// `npm run bench:wasmtime`: whole programs (0.3-3 s each) beside Wasmtime, each printed with its goal.
//   (a) cli       this project's CLI `run` through its launcher (dist/fledge-desktop: on the pinned
//                 Node when installed), whole process (wall and CPU), prepared module cached; its
//                 sandbox where the CLI puts it (in its process)
//   (b) engine    the engine API with a warm pool (what the app does): start -> end of the run, its
//                 sandbox processes on the Node the engine picks (sandbox-node.ts: the pinned one)
//   (c) wasmtime  Wasmtime (the `wasmtime` PyPI package) with fuel and epoch interruption on, as the
//                 fledge CLI configures it; module precompiled once; deserialise + instantiate + run
//   (d) fledge    the real fledge CLI (`fledge plugins run`), whole process, when it is installed
//                 (FLEDGE_BENCH_FLEDGE, else /opt/fledge/bin/fledge, else `fledge` on PATH)
// Variants alternate within each round (the order rotates); medians of --runs rounds (default 5).
// Then "metering alone": the prepared module against the original in one harness on plain V8, under
// this Node and under the pinned Node (FLEDGE_BENCH_NODE24, else build/sandbox-node's), and
// any more Nodes named in FLEDGE_BENCH_MORE_NODES (comma-separated paths; Node 25 runs V8 14, as
// Electron 45 does), and the tiering choice against V8's default. A trivial program (prints one line) gives the fixed cost.
// Then what Wasmtime's own metering costs it (fuel and epochs against neither), as a yardstick.
// Not in CI: it takes minutes. Options: --runs N, --only vm,fib,..., --skip a,b,c,d,meter,wasmtime-meter,
// --meter-procs N (processes per Node for metering alone, default 3).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error plain ESM build script without types
import { bundle } from '../../../build/bundle.mjs';
import { prepareCacheKey } from '../../../electron/engine/runs/cache-key.js';
import { NodeSandboxLauncher, RunManager } from '../../../electron/engine/runs/index.js';
import { pinnedNode, sandboxNode } from '../../../electron/engine/runs/sandbox-node.js';
import { NO_CAPABILITIES } from '../../../shared/capabilities.js';
import { bundleMeterHarness } from './meter-harness.js';
import { buildPrograms, PROGRAMS_DIR, type Program } from './programs.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    skip: { type: 'string', default: '' },
    'meter-procs': { type: 'string', default: '3' },
  },
});
const RUNS = Math.max(1, Number(values.runs));
/** Metering alone runs in this many fresh processes per Node (each compiles and lays out its code anew). */
const METER_PROCS = Math.max(1, Number(values['meter-procs']));
const skip = new Set(values.skip!.split(',').filter(Boolean));
const work = mkdtempSync(join(tmpdir(), 'fledge-bench-wasmtime-'));

const median = (xs: number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : '-');
const ratio = (x: number, y: number) =>
  Number.isFinite(x) && Number.isFinite(y) && y > 0 ? x / y : Number.NaN;
const fmtRatio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : '-');

// ---- the programs ----------------------------------------------------------------------------
await bundle();
const programs: Program[] = await buildPrograms(PROGRAMS_DIR, values.only?.split(','));
const hello = join(PROGRAMS_DIR, 'hello.wasm');
{
  const src = join(work, 'hello.c');
  writeFileSync(
    src,
    '#include <stdio.h>\nint main(void) { puts("hello from a trivial plugin"); return 0; }\n',
  );
  const path = (process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules'));
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', src, '-o', hello], {
    env: { ...process.env, PATH: path.join(':') },
  });
}
const trivial: Program = { name: 'trivial', what: 'prints one line', wasm: hello, args: [], size: 0 };

/** A plugin folder per program (a copy of the wasm, its plugin.toml), shared by (a), (b) and (d). */
function pluginDir(p: Program): string {
  const dir = join(work, 'plugins', `bench-${p.name}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(p.wasm, join(dir, 'program.wasm'));
  writeFileSync(
    join(dir, 'plugin.toml'),
    `[plugin]\nname = "bench-${p.name}"\nversion = "1.0.0"\nprotocol = "fledge-v1"\nruntime = "wasm"\n\n[[commands]]\nname = "bench-${p.name}"\nbinary = "program.wasm"\n`,
  );
  return dir;
}
const all = [...programs, trivial];
const dirs = new Map(all.map((p) => [p.name, pluginDir(p)]));

// ---- the pinned Node (the engine's sandboxes run on it; metering alone) ------------------------
const node24 = process.env.FLEDGE_BENCH_NODE24 ?? pinnedNode();

// ---- the anchors ------------------------------------------------------------------------------
const python = process.env.FLEDGE_BENCH_PYTHON ?? 'python3';
const wasmtimeInstalled = spawnSync(python, ['-c', 'import wasmtime'], { stdio: 'ignore' }).status === 0;
const wasmtimeOk = !skip.has('c') && wasmtimeInstalled;
if (!wasmtimeInstalled)
  console.log(
    'Wasmtime is missing: (c) and its metering cost are left out. Install it with `pip install wasmtime` (set FLEDGE_BENCH_PYTHON for another python).',
  );
const fledgeBin = (() => {
  if (skip.has('d')) return undefined;
  const c = [process.env.FLEDGE_BENCH_FLEDGE, '/opt/fledge/bin/fledge'].filter(Boolean) as string[];
  for (const b of c) if (existsSync(b)) return b;
  const which = spawnSync('sh', ['-c', 'command -v fledge'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
})();
if (!skip.has('d') && !fledgeBin) console.log('The fledge CLI is not installed: (d) is left out.');
const fledgeHome = join(work, 'fledge-home');
const fledgeEnv = {
  ...process.env,
  HOME: fledgeHome,
  XDG_CONFIG_HOME: join(fledgeHome, '.config'),
  FLEDGE_NON_INTERACTIVE: '1',
};
if (fledgeBin) {
  mkdirSync(fledgeHome, { recursive: true });
  for (const p of all) {
    if (p.args.length > 0) continue; // the fledge CLI gives a WASM plugin no arguments
    const r = spawnSync(fledgeBin, ['plugins', 'install', dirs.get(p.name)!, '--yes'], {
      env: fledgeEnv,
      encoding: 'utf8',
    });
    if (r.status !== 0) console.log(`fledge could not install bench-${p.name}: ${r.stderr.trim()}`);
  }
}

// ---- one run of each variant -----------------------------------------------------------------
interface Sample {
  ms: number;
  cpuMs?: number;
  fuel?: number;
  out?: string;
}
const cliConfig = join(work, 'cli-config');
mkdirSync(cliConfig, { recursive: true });
const timeFile = join(work, 'time.txt');

/** A whole process under /usr/bin/time: wall and CPU (user + system, children included). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Sample {
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S', cmd, ...args], {
    env,
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const [wall, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { ms: wall! * 1000, cpuMs: (user! + sys!) * 1000, out: r.stdout };
}

/**
 * The CLI, whole process, its own choice of sandbox, started as a person starts it: its launcher
 * (dist/fledge-desktop: on the pinned Node when installed, build/cli-launcher.mjs). `sandboxNode`:
 * instead this Node's CLI, with its sandbox forked on that Node.
 */
function runCli(p: Program, sandboxNode?: string): Sample {
  const dir = dirs.get(p.name)!;
  const args = ['run', dir, ...(p.args.length ? ['--', ...p.args] : [])];
  const env: NodeJS.ProcessEnv = { ...process.env, FLEDGE_CONFIG_DIR: cliConfig };
  delete env.FLEDGE_SANDBOX_NODE;
  delete env.FLEDGE_CLI_SANDBOX;
  if (!sandboxNode) return timed(join(root, 'dist', 'fledge-desktop'), args, env, work);
  env.FLEDGE_SANDBOX_NODE = sandboxNode;
  return timed(process.execPath, [join(root, 'dist', 'cli.cjs'), ...args], env, work);
}

function runFledge(p: Program): Sample | undefined {
  if (!fledgeBin || p.args.length > 0) return undefined;
  return timed(fledgeBin, ['plugins', 'run', `bench-${p.name}`], fledgeEnv, work);
}

/** One run under Wasmtime (wasmtime_run.py), with its fuel and epochs or (`metering` false) without. */
function wasmtimeOnce(p: Program, metering = true) {
  const script = join(import.meta.dirname, 'wasmtime_run.py');
  const args = [...(metering ? [] : ['--no-metering']), p.wasm, '1', ...p.args];
  const r = spawnSync(python, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`wasmtime run of ${p.name} failed: ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    ms: number;
    cpuMs: number;
    fuel: number;
    stdout: string;
  };
}

function runWasmtime(p: Program): Sample | undefined {
  if (!wasmtimeOk) return undefined;
  const line = wasmtimeOnce(p);
  return { ms: line.ms, fuel: line.fuel, out: line.stdout };
}

// The engine keeps the CLI's config dir, as the app and the CLI share one: one cache key, so the
// caches beside each plugin (its prepared copy, its compiled code) made by one serve the other. With
// two keys each run would find the other's caches invalid and prepare and compile again.
const engineCaches = { configDir: cliConfig, prepareCacheKey: prepareCacheKey(cliConfig) };
// (b): the engine's own choice of Node; b20: the same on this Node, when that is another.
const manager = new RunManager({ poolSize: 1, launcher: new NodeSandboxLauncher(), ...engineCaches });
const ownNode = sandboxNode() !== process.execPath;
const manager24 = ownNode
  ? new RunManager({
      poolSize: 1,
      launcher: new NodeSandboxLauncher({ nodePath: process.execPath }),
      ...engineCaches,
    })
  : undefined;
async function runEngine(p: Program, m = manager): Promise<Sample> {
  await m.pool.warm();
  const dir = dirs.get(p.name)!;
  const t0 = performance.now();
  const run = m.start({
    plugin: { name: `bench-${p.name}`, version: '1.0.0', dir, declared: NO_CAPABILITIES },
    command: `bench-${p.name}`,
    binary: 'program.wasm',
    args: p.args,
    grants: NO_CAPABILITIES,
  });
  let out = '';
  run.subscribe((events) => {
    for (const e of events) if (e.type === 'output') out += e.text;
  });
  const end = await run.ended;
  const ms = performance.now() - t0;
  if (end.reason !== 'exit' || end.code !== 0) throw new Error(`${p.name}: ${end.reason} ${end.message}`);
  return { ms, fuel: end.fuelUsed, out };
}

// Warm-up: prepares and caches each module (as an install does), fills Wasmtime's compiled cache.
console.log(`Preparing ${all.length} programs (${all.map((p) => p.name).join(', ')}) ...`);
for (const p of all) {
  if (!skip.has('a')) runCli(p);
  if (!skip.has('a') && node24) runCli(p, node24);
  if (!skip.has('b')) await runEngine(p);
  if (!skip.has('b') && manager24) await runEngine(p, manager24);
  if (wasmtimeOk) runWasmtime(p);
  if (!skip.has('d')) runFledge(p);
}

// a24: (a) with its sandbox forked on the pinned Node; b20: (b) with its sandboxes on this Node.
const variants = ['a', 'b', 'c', 'd', ...(node24 ? ['a24'] : []), ...(manager24 ? ['b20'] : [])].filter(
  (v) => !skip.has(v.slice(0, 1)),
);
const results = new Map<string, Map<string, Sample[]>>();
for (const p of all) results.set(p.name, new Map(variants.map((v) => [v, []])));
for (let round = 0; round < RUNS; round++) {
  for (const p of all) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + round) % variants.length]!;
      // Both warm pools refilled first: a pool replaces the process of the run it just served, and
      // that start-up would otherwise run beside whichever variant comes next.
      await manager.pool.warm();
      await manager24?.pool.warm();
      const s =
        v === 'a'
          ? runCli(p)
          : v === 'a24'
            ? runCli(p, node24)
            : v === 'b'
              ? await runEngine(p)
              : v === 'b20'
                ? await runEngine(p, manager24)
                : v === 'c'
                  ? runWasmtime(p)
                  : runFledge(p);
      if (s) results.get(p.name)!.get(v)!.push(s);
    }
  }
  process.stdout.write(`round ${round + 1}/${RUNS} done\n`);
}
await manager.close();
await manager24?.close();

// ---- whole programs -----------------------------------------------------------------------------
const med = (name: string, v: string, key: 'ms' | 'cpuMs' = 'ms') =>
  median((results.get(name)!.get(v) ?? []).map((s) => s[key] ?? Number.NaN));
console.log(`\nWhole programs, medians of ${RUNS} alternated runs (wall; CPU for whole processes)`);
console.log(
  `(load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores: on a busy machine wall times wait for CPU, compare the CPU columns)\n`,
);
console.log(
  [
    'program'.padEnd(12),
    '(a) cli'.padStart(9),
    'cpu'.padStart(8),
    '(b) engine'.padStart(11),
    '(c) wasmtime'.padStart(13),
    '(d) fledge'.padStart(11),
    'cpu'.padStart(8),
    'b/c'.padStart(7),
    'a/d'.padStart(7),
    'a/d cpu'.padStart(8),
    '  fuel (b), identical',
  ].join(' '),
);
const bc: number[] = [];
const adLong: { name: string; r: number }[] = [];
for (const p of all) {
  const a = med(p.name, 'a');
  const b = med(p.name, 'b');
  const c = med(p.name, 'c');
  const d = med(p.name, 'd');
  const fuels = (results.get(p.name)!.get('b') ?? []).map((s) => s.fuel);
  const same = fuels.length > 0 && fuels.every((f) => f === fuels[0]);
  if (p !== trivial && Number.isFinite(ratio(b, c))) bc.push(ratio(b, c));
  if (p !== trivial && d >= 1000 && Number.isFinite(ratio(a, d)))
    adLong.push({ name: p.name, r: ratio(a, d) });
  console.log(
    [
      p.name.padEnd(12),
      fmt(a).padStart(9),
      fmt(med(p.name, 'a', 'cpuMs')).padStart(8),
      fmt(b).padStart(11),
      fmt(c).padStart(13),
      fmt(d).padStart(11),
      fmt(med(p.name, 'd', 'cpuMs')).padStart(8),
      fmtRatio(ratio(b, c)).padStart(7),
      fmtRatio(ratio(a, d)).padStart(7),
      fmtRatio(ratio(med(p.name, 'a', 'cpuMs'), med(p.name, 'd', 'cpuMs'))).padStart(8),
      `  ${fuels[0] ?? '-'}, ${fuels.length ? (same ? 'yes' : `NO: ${[...new Set(fuels)].join(' ')}`) : '-'}`,
    ].join(' '),
  );
}
if (node24 || manager24) {
  console.log(
    `\n(b) ran its sandboxes on ${sandboxNode()}. Same rounds: (a) with its sandbox forked on ${node24 ?? '-'}, and (b) on ${process.execPath}`,
  );
  for (const p of all) {
    const a = med(p.name, 'a');
    const a24 = med(p.name, 'a24');
    const b = med(p.name, 'b');
    const b20 = med(p.name, 'b20');
    console.log(
      `  ${p.name.padEnd(12)} (a) ${fmt(a)} -> ${fmt(a24)} (cpu ${fmt(med(p.name, 'a', 'cpuMs'))} -> ${fmt(med(p.name, 'a24', 'cpuMs'))})   (b) ${fmt(b)}, on this Node ${fmt(b20)}  b/c there ${fmtRatio(ratio(b20, med(p.name, 'c')))}`,
    );
  }
}
const bcMed = median(bc);
const bcMax = bc.length ? Math.max(...bc) : Number.NaN;
/** MET / NOT MET, or "not measured" when a variant was left out. */
const verdict = (x: number, ok: boolean) =>
  Number.isFinite(x) ? (ok ? 'MET' : 'NOT MET') : '(not measured)';
console.log('');
console.log(
  `goal: warm engine (b) at or below Wasmtime (c) on the median program: ${fmtRatio(bcMed)} (goal <= 1.00x) ${verdict(bcMed, bcMed <= 1)}`,
);
console.log(
  `goal: no program above 1.25x Wasmtime: worst ${fmtRatio(bcMax)} ${verdict(bcMax, bcMax <= 1.25)}`,
);
console.log(
  adLong.length
    ? `goal: whole-process CLI (a) at or below the fledge CLI (d) on programs of 1 s or more: ${adLong
        .map((x) => `${x.name} ${fmtRatio(x.r)}`)
        .join(', ')} ${adLong.every((x) => x.r <= 1) ? 'MET' : 'NOT MET'}`
    : `goal: whole-process CLI (a) at or below the fledge CLI (d) on programs of 1 s or more: (not measured: ${
        fledgeBin && !skip.has('a')
          ? 'no program ran 1 s or more under the fledge CLI; see a/d above'
          : 'the fledge CLI or (a) was left out'
      })`,
);
const tCpu = med('trivial', 'a', 'cpuMs');
const tWall = med('trivial', 'a');
const baseline = Number(process.env.FLEDGE_BENCH_TRIVIAL_CPU_BASELINE_MS ?? 250);
console.log(
  `goal: a trivial run through the CLI uses at most half the CPU of before (${baseline} ms): ${fmt(tCpu)} CPU, ${fmt(tWall)} wall (fledge CLI: ${fmt(med('trivial', 'd', 'cpuMs'))} CPU, ${fmt(med('trivial', 'd'))} wall) ${verdict(tCpu, tCpu <= baseline / 2)}`,
);

// ---- metering alone ----------------------------------------------------------------------------
if (!skip.has('meter')) {
  const harness = await bundleMeterHarness(work);
  const cfg = (tiering: string) =>
    JSON.stringify({
      programs: programs.map(({ name, wasm, args }) => ({ name, wasm, args })),
      runs: RUNS,
      tiering,
    });
  const meter = (node: string, tiering: string) => {
    const r = spawnSync(node, [harness, cfg(tiering)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`metering harness failed under ${node}: ${r.stderr.slice(-800)}`);
    return r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            name: string;
            original: number[];
            prepared: number[];
            fuel: number[];
            node: string;
            v8: string;
          },
      );
  };
  const nodes: [string, string][] = [['this Node', process.execPath]];
  if (node24) nodes.push(['current Node', node24]);
  else
    console.log(
      '\nA current Node is not installed (set FLEDGE_BENCH_NODE24): metering alone under this Node only.',
    );
  for (const more of (process.env.FLEDGE_BENCH_MORE_NODES ?? '').split(',').filter(Boolean)) {
    if (existsSync(more)) nodes.push(['another Node', more]);
    else console.log(`\nFLEDGE_BENCH_MORE_NODES: ${more} does not exist; left out.`);
  }
  for (const [label, node] of nodes) {
    // One process's ratio can sit a few per cent off another's with the same bytes (where V8 lays the
    // code out): the figure is the median of the per-process ratios (each a ratio of medians).
    const procs = Array.from({ length: METER_PROCS }, () => meter(node, 'auto'));
    const rows = procs[0]!;
    console.log(
      `\nMetering alone (${label}: ${rows[0]?.node}, V8 ${rows[0]?.v8}), tiering as the sandbox chooses, CPU time, medians of ${RUNS} in each of ${METER_PROCS} processes`,
    );
    let worst = 0;
    for (const [k, r] of rows.entries()) {
      const each = procs.map((rs) => ratio(median(rs[k]!.prepared), median(rs[k]!.original)));
      const x = median(each);
      worst = Math.max(worst, x);
      const fuel = procs.flatMap((rs) => rs[k]!.fuel);
      const same = fuel.every((f) => f === fuel[0]);
      const spread =
        METER_PROCS > 1 ? ` (${fmtRatio(Math.min(...each))}-${fmtRatio(Math.max(...each))})` : '';
      console.log(
        `  ${r.name.padEnd(12)} original ${fmt(median(procs.flatMap((rs) => rs[k]!.original)))}  prepared ${fmt(median(procs.flatMap((rs) => rs[k]!.prepared)))}  ${fmtRatio(x)}${spread}  fuel ${fuel[0]} ${same ? 'identical' : 'DIFFERS'}`,
      );
    }
    console.log(
      `  goal: metering alone <= 1.10x on every program: worst ${fmtRatio(worst)} ${worst <= 1.1 ? 'MET' : 'NOT MET'}`,
    );
  }
  // What the same guarantees cost Wasmtime: its fuel and epochs (as the fledge CLI sets them) against
  // neither, same process, same precompiled-code path. A yardstick for the figures above, not a goal.
  if (wasmtimeInstalled && !skip.has('wasmtime-meter')) {
    console.log(
      `\nWasmtime's own metering (fuel + epochs, as the fledge CLI) against none, CPU time of _start, medians of ${RUNS}`,
    );
    for (const p of programs) {
      const on: number[] = [];
      const off: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        for (const m of i % 2 ? [false, true] : [true, false]) (m ? on : off).push(wasmtimeOnce(p, m).cpuMs);
      }
      console.log(
        `  ${p.name.padEnd(12)} none ${fmt(median(off))}  metered ${fmt(median(on))}  ${fmtRatio(ratio(median(on), median(off)))}`,
      );
    }
  }
  // The tiering choice against V8's default (dynamic tiering): the FIRST run of each prepared module in
  // a fresh process, as every sandbox run is (V8 has no on-stack replacement for wasm: tiering.ts).
  const firstRun = (node: string, name: string, tiering: string) => {
    const one = programs
      .filter((p) => p.name === name)
      .map(({ name: n, wasm, args }) => ({ name: n, wasm, args }));
    const r = spawnSync(node, [harness, JSON.stringify({ programs: one, runs: 1, tiering, first: true })], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`first-run harness failed: ${r.stderr.slice(-800)}`);
    return (JSON.parse(r.stdout.trim()) as { prepared: number[] }).prepared[0]!;
  };
  // On this Node, and on the pinned one the engine's sandboxes run on.
  for (const [label, node] of [
    ['this Node', process.execPath],
    ...(node24 ? [['the pinned Node', node24]] : []),
  ] as [string, string][]) {
    console.log(
      `\nTiering: first run of each prepared module in a fresh process (as in the sandbox), CPU time, ${label}, medians of ${RUNS}`,
    );
    for (const p of programs) {
      const chosen: number[] = [];
      const dynamic: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        for (const t of i % 2 ? ['dynamic', 'auto'] : ['auto', 'dynamic'])
          (t === 'auto' ? chosen : dynamic).push(firstRun(node, p.name, t));
      }
      const a = median(chosen);
      const d = median(dynamic);
      console.log(
        `  ${p.name.padEnd(12)} chosen ${fmt(a)}  V8's default ${fmt(d)}  ${fmtRatio(ratio(a, d))}`,
      );
    }
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`\n(${basename(import.meta.filename)} done)`);
