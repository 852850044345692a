// Metering alone: the prepared (fuel-metered, memory-capped) module against the original, in ONE
// harness on plain V8 (no sandbox process, no worker, no IPC): the same WASI, the same instantiate
// and _start, alternated run by run. Bundled by bench.ts and run under each Node to compare (Node 20,
// and a current Node: the app's Electron V8 is newer still).
//
// argv[2]: JSON { programs: {name, wasm, args}[], runs, tiering: "default" | "eager" | "dynamic" | "auto" }
// Prints one JSON line per program: { name, original: ms[], prepared: ms[], fuel: number[], node, v8 }
// (ms of CPU time of this process per run: instantiate + _start).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { capMemory, instrumentFuel } from '../../../electron/sandbox/prepare/index.js';
import { applyTiering, chooseTiering } from '../../../electron/sandbox/tiering.js';
import { createWasi, WasiExit } from '../../../electron/sandbox/wasi/index.js';

interface Config {
  programs: { name: string; wasm: string; args: string[] }[];
  runs: number;
  tiering: 'default' | 'eager' | 'dynamic' | 'auto';
  /** Measure ONE run of the prepared module, the first in this process (as every sandbox run is). */
  first?: boolean;
  /**
   * With `first`: run the original instead, or neither (compile nothing, run nothing: what the
   * harness itself costs, for count.ts to subtract).
   */
  which?: 'prepared' | 'original' | 'none';
}

const config = JSON.parse(process.argv[2]!) as Config;
const CAP = 256 * 1024 * 1024;
const BUDGET = 1n << 62n;
/** Unmeasured runs of each module under dynamic tiering before the measured ones (see below). */
const WARM_UP_DYNAMIC = 8;

function runOnce(
  module: WebAssembly.Module,
  name: string,
  args: string[],
  metered: boolean,
): { ms: number; fuel: number; out: string } {
  let out = '';
  const dec = new TextDecoder();
  const c0 = process.cpuUsage();
  const wasi = createWasi({
    args: [name, ...args],
    env: {},
    mounts: [],
    realClock: false,
    realRandom: false,
    randomSeed: 'bench',
    virtualNanos: () => 0n,
    stdout: (b) => {
      out += dec.decode(b);
    },
    stderr: () => {},
  });
  const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, BUDGET);
  const imports: WebAssembly.Imports = {
    wasi_snapshot_preview1: wasi.imports as unknown as WebAssembly.ModuleImports,
  };
  if (metered) imports.fledge_fuel = { remaining: fuel };
  const instance = new WebAssembly.Instance(module, imports);
  wasi.setMemory(instance.exports.memory as WebAssembly.Memory);
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (!(e instanceof WasiExit)) throw e;
  } finally {
    wasi.close();
  }
  // CPU time, not wall time: on a busy machine a run also waits for a core.
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  return { ms, fuel: metered ? Number(BUDGET - (fuel.value as bigint)) : 0, out };
}

for (const p of config.programs) {
  const original = new Uint8Array(readFileSync(p.wasm));
  const prepared = capMemory(instrumentFuel(original), CAP);
  if (config.tiering === 'auto') applyTiering(chooseTiering(prepared.length));
  else if (config.tiering !== 'default') applyTiering(config.tiering);
  const mOrig = new WebAssembly.Module(original);
  const mPrep = new WebAssembly.Module(prepared as Uint8Array<ArrayBuffer>);
  const name = basename(p.wasm);
  if (config.first) {
    const which = config.which ?? 'prepared';
    const r =
      which === 'none'
        ? { ms: 0, fuel: 0 }
        : runOnce(which === 'original' ? mOrig : mPrep, name, p.args, which === 'prepared');
    console.log(
      JSON.stringify({
        name: p.name,
        original: which === 'original' ? [r.ms] : [],
        prepared: which === 'prepared' ? [r.ms] : [],
        fuel: [r.fuel],
        node: process.version,
        v8: process.versions.v8,
      }),
    );
    continue;
  }
  // Unmeasured runs of each first (lazy parts of the harness, tier-up): one where every function is
  // compiled with TurboFan up front; WARM_UP_DYNAMIC under dynamic tiering, whose TurboFan compiles
  // go on in the background over several runs and count in this process's CPU time. ruby.wasm, 15
  // alternated runs: the prepared module's ratio over runs 1-5 is 1.13x on Node 20 and 26, over runs
  // 11-15 1.05x and 1.09x: its bigger functions take longer to compile, which the compiled-code
  // cache spares every sandbox run after the first (the whole-program figures include it all).
  const eager =
    config.tiering === 'eager' || (config.tiering === 'auto' && chooseTiering(prepared.length) === 'eager');
  for (let w = 0; w < (eager ? 1 : WARM_UP_DYNAMIC); w++) {
    const a = runOnce(mOrig, name, p.args, false);
    const b = runOnce(mPrep, name, p.args, true);
    if (a.out !== b.out) throw new Error(`${p.name}: the prepared module printed something else`);
  }
  const res = { name: p.name, original: [] as number[], prepared: [] as number[], fuel: [] as number[] };
  for (let i = 0; i < config.runs; i++) {
    // Alternate which goes first.
    const order = i % 2 === 0 ? [false, true] : [true, false];
    for (const metered of order) {
      const r = runOnce(metered ? mPrep : mOrig, name, p.args, metered);
      if (metered) {
        res.prepared.push(r.ms);
        res.fuel.push(r.fuel);
      } else res.original.push(r.ms);
    }
  }
  console.log(JSON.stringify({ ...res, node: process.version, v8: process.versions.v8 }));
}
