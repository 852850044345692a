// Module-preparation benchmarks: fuel overhead on CPU-bound C kernels, and preparation speed.
// Run: npx tsx test/bench/prepare-bench.ts   (exports prepareBench() for `npm run bench`)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader, Writer } from '../../electron/sandbox/prepare/bytes.js';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import {
  capMemory,
  FUEL_IMPORT_MODULE,
  FUEL_IMPORT_NAME,
  loadPrepared,
} from '../../electron/sandbox/prepare/index.js';
import { SEC_CODE, SEC_FUNCTION, splitSections } from '../../electron/sandbox/prepare/sections.js';
import { wasiShim } from '../prepare/wasi-shim.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'c');

export interface PrepareBenchResult {
  /** Medians of wall time, and the ratio of CPU-time medians (steadier on a busy machine). */
  kernels: { name: string; unmeteredMs: number; meteredMs: number; ratio: number; cpuRatio: number }[];
  /** Geometric mean of the kernels' metered/unmetered ratios (wall time, CPU time). */
  geomeanRatio: number;
  geomeanCpuRatio: number;
  moduleMB: number;
  prepareMs: number;
  prepareMBps: number;
  prepareCpuMBps: number;
  rewriteMBps: number;
  rewriteCpuMBps: number;
  missMs: number;
  cachedLoadMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function compile(name: string, args: string[], dir: string): Uint8Array {
  const out = join(dir, name.replace(/\.c$/, '.wasm'));
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', ...args, join(FIXTURES, name), '-o', out]);
  return new Uint8Array(readFileSync(out));
}

type Kernel = (arg: number) => number;

function instantiateKernels(module: WebAssembly.Module, metered: boolean): Record<string, Kernel> {
  const shim = wasiShim(module);
  const imports: WebAssembly.Imports = { ...shim.imports };
  if (metered) {
    const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 2n ** 62n);
    imports[FUEL_IMPORT_MODULE] = { [FUEL_IMPORT_NAME]: fuel };
  }
  const instance = new WebAssembly.Instance(module, imports);
  shim.setMemory(instance.exports.memory as WebAssembly.Memory);
  (instance.exports._initialize as (() => void) | undefined)?.();
  return instance.exports as unknown as Record<string, Kernel>;
}

/** (a) Metered vs unmetered time on CPU-bound C kernels, interleaved, medians of `runs`. */
function fuelOverhead(dir: string, runs: number): PrepareBenchResult['kernels'] {
  const src = compile('bench.c', ['-mexec-model=reactor'], dir);
  const metered = capMemory(instrumentFuelWithStats(src).bytes, 256 * 1024 * 1024);
  const plain = instantiateKernels(new WebAssembly.Module(src as Uint8Array<ArrayBuffer>), false);
  const fueled = instantiateKernels(new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>), true);
  const kernels: [string, number][] = [
    ['fib', 27],
    ['sieve', 2_000_000],
    ['matmul', 120],
    ['sort', 100_000],
    ['hash', 1500],
  ];
  const out: PrepareBenchResult['kernels'] = [];
  for (const [name, arg] of kernels) {
    const a: number[] = [];
    const b: number[] = [];
    const ca: number[] = [];
    const cb: number[] = [];
    // Warm up both (V8 tiers hot functions up from Liftoff to TurboFan).
    for (let i = 0; i < 3; i++) {
      if (plain[name]!(arg) !== fueled[name]!(arg)) throw new Error(`${name}: metered result differs`);
    }
    for (let i = 0; i < runs; i++) {
      for (const which of i % 2 === 0 ? [0, 1] : [1, 0]) {
        const f = which === 0 ? plain[name]! : fueled[name]!;
        const t = performance.now();
        const c = process.cpuUsage();
        f(arg);
        const d = process.cpuUsage(c);
        (which === 0 ? a : b).push(performance.now() - t);
        (which === 0 ? ca : cb).push((d.user + d.system) / 1000);
      }
    }
    const unmeteredMs = median(a);
    const meteredMs = median(b);
    const cpuRatio = median(cb) / median(ca);
    out.push({ name, unmeteredMs, meteredMs, ratio: meteredMs / unmeteredMs, cpuRatio });
  }
  return out;
}

/** Builds a module with >= `targetBytes` of code by repeating every function body of a compiled C program. */
function bigModule(src: Uint8Array, targetBytes: number): Uint8Array {
  const sections = splitSections(src);
  const funcSec = sections.find((s) => s.id === SEC_FUNCTION)!;
  const codeSec = sections.find((s) => s.id === SEC_CODE)!;
  const fr = new Reader(src, funcSec.start, funcSec.end);
  const nFuncs = fr.u32();
  const typesStart = fr.pos;
  const cr = new Reader(src, codeSec.start, codeSec.end);
  cr.u32();
  const bodiesStart = cr.pos;
  const copies = Math.ceil(targetBytes / (codeSec.end - bodiesStart));
  const out = new Writer(targetBytes + src.length + 1024);
  out.bytes(src, 0, 8);
  const sec = new Writer(1024);
  for (const s of sections) {
    if (s.id === SEC_FUNCTION) {
      sec.pos = 0;
      sec.u32(nFuncs * copies);
      for (let i = 0; i < copies; i++) sec.bytes(src, typesStart, funcSec.end);
      out.sized(s.id, sec);
    } else if (s.id === SEC_CODE) {
      sec.pos = 0;
      sec.u32(nFuncs * copies);
      for (let i = 0; i < copies; i++) sec.bytes(src, bodiesStart, codeSec.end);
      out.sized(s.id, sec);
    } else if (s.id !== 0) {
      out.u8(s.id);
      out.u32(s.end - s.start);
      out.bytes(src, s.start, s.end);
    }
  }
  return out.result();
}

/** Median wall and CPU milliseconds of `runs` calls. */
function timeIt(fn: () => void, runs: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** (b) Preparation speed on a large module, and a cached load. */
function preparationSpeed(dir: string, runs: number) {
  const big = bigModule(compile('kernel.c', [], dir), 12 * 1024 * 1024);
  const mb = big.length / (1024 * 1024);
  instrumentFuelWithStats(big); // warm up
  const prepare = timeIt(() => instrumentFuelWithStats(big), runs);
  const rewrite = timeIt(() => instrumentFuelWithStats(big, { validate: false }), runs);
  const wasm = join(dir, 'big.wasm');
  writeFileSync(wasm, big);
  const t = performance.now();
  const first = loadPrepared(wasm);
  const missMs = performance.now() - t;
  if (first.fromCache) throw new Error('expected a cache miss');
  const cached = timeIt(() => {
    if (!loadPrepared(wasm).fromCache) throw new Error('expected a cache hit');
  }, runs);
  return {
    moduleMB: mb,
    prepareMs: prepare.wall,
    prepareMBps: mb / (prepare.wall / 1000),
    prepareCpuMBps: mb / (prepare.cpu / 1000),
    rewriteMBps: mb / (rewrite.wall / 1000),
    rewriteCpuMBps: mb / (rewrite.cpu / 1000),
    missMs,
    cachedLoadMs: cached.wall,
  };
}

export async function prepareBench(options: { runs?: number } = {}): Promise<PrepareBenchResult> {
  const runs = options.runs ?? 15;
  const dir = mkdtempSync(join(tmpdir(), 'fledge-prepare-bench-'));
  try {
    const kernels = fuelOverhead(dir, runs);
    const geomean = (xs: number[]) => Math.exp(xs.reduce((sum, x) => sum + Math.log(x), 0) / xs.length);
    const geomeanRatio = geomean(kernels.map((k) => k.ratio));
    const geomeanCpuRatio = geomean(kernels.map((k) => k.cpuRatio));
    const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    console.log(`fuel overhead on C kernels (medians of ${runs} interleaved runs after warm-up)`);
    console.log('  goal: metered <= 1.25x unmetered (aim 1.10x)');
    console.log('  kernel     unmetered     metered  wall ratio  cpu ratio');
    for (const k of kernels) {
      console.log(
        `  ${k.name.padEnd(8)} ${k.unmeteredMs.toFixed(2).padStart(8)} ms ${k.meteredMs.toFixed(2).padStart(8)} ms` +
          `  ${k.ratio.toFixed(3).padStart(8)}x ${k.cpuRatio.toFixed(3).padStart(8)}x`,
      );
    }
    console.log(
      `  geometric mean: wall ${geomeanRatio.toFixed(3)}x, cpu ${geomeanCpuRatio.toFixed(3)}x ` +
        `(goal <= 1.25x: ${verdict(geomeanCpuRatio <= 1.25)})`,
    );
    const p = preparationSpeed(dir, Math.max(3, Math.min(runs, 7)));
    console.log(
      `preparation of a ${p.moduleMB.toFixed(1)} MB module (1 MB = 2^20 bytes; medians; goal >= 30 MB/s)`,
    );
    console.log(
      `  validate + instrument: ${p.prepareMs.toFixed(0)} ms, wall ${p.prepareMBps.toFixed(0)} MB/s, ` +
        `cpu ${p.prepareCpuMBps.toFixed(0)} MB/s (${verdict(p.prepareMBps >= 30)})`,
    );
    console.log(
      `  instrument only (no V8 validation): wall ${p.rewriteMBps.toFixed(0)} MB/s, cpu ${p.rewriteCpuMBps.toFixed(0)} MB/s`,
    );
    console.log(
      `  loadPrepared: first load (prepare + write cache) ${p.missMs.toFixed(0)} ms, ` +
        `cached load (read + 2 hashes, no instrumentation) ${p.cachedLoadMs.toFixed(0)} ms`,
    );
    return { kernels, geomeanRatio, geomeanCpuRatio, ...p };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await prepareBench();
}
