// Shared helpers for the module-preparation tests: WAT and C compilation, metered instantiation.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { expect } from 'vitest';
import wabtInit from 'wabt';
import { FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME } from '../../electron/sandbox/prepare/index.js';
import { tempDir } from '../support/temp.js';
import { runWasi } from './wasi-shim.js';

const wabt = await wabtInit();

/** Features V8 in Node 20 runs by default, plus the ones only the decoder needs to know. */
export const ALL_FEATURES = {
  exceptions: true,
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  threads: true,
  multi_value: true,
  tail_call: true,
  bulk_memory: true,
  reference_types: true,
  relaxed_simd: true,
  extended_const: true,
};

/** Compiles WebAssembly text to a binary (with the name section when `names` is set). */
export function wat(text: string, names = false): Uint8Array {
  const m = wabt.parseWat('test.wat', text, ALL_FEATURES);
  if (names) m.resolveNames();
  return m.toBinary({ write_debug_names: names }).buffer;
}

export function toText(bytes: Uint8Array): string {
  return wabt.readWasm(bytes, { readDebugNames: true, ...ALL_FEATURES }).toText({});
}

export function hasClang(): boolean {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cDir = tempDir('prepare-c');

/** Compiles test/fixtures/c/<name> with clang for wasm32-wasi into a temp dir and returns the bytes. */
export function compileC(name: string, extra: string[] = []): Uint8Array {
  return compileCFile(join(import.meta.dirname, '..', 'fixtures', 'c', name), extra);
}

/**
 * Real compiled C programs the metering tests run whole: the bench's programs (test/bench/wasmtime)
 * scaled down, and the fixtures at several optimisation levels. Each builds when called.
 */
export function compiledCPrograms(): [string, () => Uint8Array][] {
  const programs = join(import.meta.dirname, '..', 'bench', 'wasmtime', 'programs');
  return [
    ['a tree-walking interpreter', () => compileCFile(join(programs, 'interp.c'), ['-DSCALE="1"'])],
    ['a switch-dispatch VM', () => compileCFile(join(programs, 'vm.c'), ['-DITERS=20'])],
    ['strings, hashing and qsort', () => compileCFile(join(programs, 'strhash.c'), ['-DKEYS=3000'])],
    ['kernels at -O0', () => compileC('kernel.c', ['-O0'])],
    ['kernels at -O3 with tail calls', () => compileC('kernel.c', ['-O3', '-mtail-call'])],
    ['indirect calls', () => compileC('indirect.c')],
  ];
}

/**
 * Runs the WASI program `src` metered two ways and expects what every metering scheme owes: the
 * original's output from both, the same fuel from both, a budget of exactly that fuel ending normally
 * with none left, and one unit less running out. Returns that fuel.
 */
export function expectSameRunAs(src: Uint8Array, metered: Uint8Array, baseline: Uint8Array): bigint {
  const budget = 10n ** 15n;
  const a = runWasi(metered, budget);
  const b = runWasi(baseline, budget);
  expect(a.error).toBeUndefined();
  expect(a.stdout).toBe(runWasi(src).stdout);
  expect(a.stdout).toBe(b.stdout);
  expect(a.fuelUsed).toBe(b.fuelUsed);
  const exact = runWasi(metered, a.fuelUsed!);
  expect(exact.error).toBeUndefined();
  expect(exact.fuelLeft).toBe(0n);
  const short = runWasi(metered, a.fuelUsed! - 1n);
  expect(short.error !== undefined || short.fuelLeft! < 0n).toBe(true);
  return a.fuelUsed!;
}

/** Compiles the C file at `src` (any path) like compileC. */
export function compileCFile(src: string, extra: string[] = []): Uint8Array {
  const out = join(cDir, `${basename(src)}.${extra.join('_').replace(/[^\w]/g, '')}.wasm`);
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', ...extra, src, '-o', out], { env: clangEnv() });
  return new Uint8Array(readFileSync(out));
}

/**
 * The environment without node_modules/.bin on PATH: clang runs any `wasm-opt` it finds there after
 * linking (binaryen's, from assemblyscript), which strips the name section and rewrites the code.
 */
function clangEnv(): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules'));
  return { ...process.env, PATH: path.join(delimiter) };
}

// biome-ignore lint/suspicious/noExplicitAny: test modules' exports are called with whatever they take
export type Exports = Record<string, any>;

export function fuelGlobal(budget: bigint): WebAssembly.Global<'i64'> {
  return new WebAssembly.Global({ value: 'i64', mutable: true }, budget);
}

/** Instantiates a metered module with a fresh fuel global. */
export function instantiateMetered(
  bytes: Uint8Array,
  budget: bigint,
  imports: WebAssembly.Imports = {},
): { exports: Exports; fuel: WebAssembly.Global<'i64'> } {
  const fuel = fuelGlobal(budget);
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, {
    ...imports,
    [FUEL_IMPORT_MODULE]: { [FUEL_IMPORT_NAME]: fuel },
  });
  return { exports: instance.exports as Exports, fuel };
}

export function instantiate(bytes: Uint8Array, imports: WebAssembly.Imports = {}): Exports {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module, imports).exports as Exports;
}

/**
 * Calls export `name` of metered `bytes` with `args` on `budget`: its result, whether it trapped (a
 * WebAssembly.RuntimeError; anything else fails the test) and the counter left.
 */
export function runMetered(
  bytes: Uint8Array,
  name: string,
  args: number[],
  budget: bigint,
  imports: WebAssembly.Imports = {},
): { result: unknown; trapped: boolean; left: bigint } {
  const m = instantiateMetered(bytes, budget, imports);
  let result: unknown;
  let trapped = false;
  try {
    result = m.exports[name]!(...args);
  } catch (e) {
    expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
    trapped = true;
  }
  return { result, trapped, left: m.fuel.value };
}

/** Runs `fn` and returns the thrown error (fails the test when nothing is thrown). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
