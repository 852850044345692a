// Runs one WASI command module to completion and reports how it ended. This is the single seam
// the conformance runner goes through: today it instantiates directly with WebAssembly and our
// createWasi; later it can be routed through the real sandbox process.
import fs from 'node:fs';
import { createWasi, WasiExit, type WasiMount } from '../../electron/sandbox/wasi/index.js';

export interface WasiTestOptions {
  /** Arguments after the program name. */
  args: string[];
  env: Record<string, string>;
  mounts: WasiMount[];
  realClock?: boolean;
  realRandom?: boolean;
}

export interface WasiTestResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the module trapped or failed to load. */
  error?: string;
}

export async function runWasiTest(wasmPath: string, opts: WasiTestOptions): Promise<WasiTestResult> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = createWasi({
    args: [wasmPath.split('/').pop() ?? 'main.wasm', ...opts.args],
    env: opts.env,
    mounts: opts.mounts,
    realClock: opts.realClock ?? true,
    realRandom: opts.realRandom ?? true,
    stdout: (b) => out.push(b.slice()),
    stderr: (b) => err.push(b.slice()),
  });
  const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString('utf8');
  let exitCode = 0;
  let error: string | undefined;
  try {
    const module = await WebAssembly.compile(fs.readFileSync(wasmPath));
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.imports });
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new Error('module exports no memory');
    wasi.setMemory(memory);
    const start = instance.exports._start;
    if (typeof start !== 'function') throw new Error('module exports no _start');
    start();
  } catch (e) {
    if (e instanceof WasiExit) exitCode = e.code;
    else {
      exitCode = 134;
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  } finally {
    wasi.close();
  }
  return { exitCode, stdout: text(out), stderr: text(err), ...(error ? { error } : {}) };
}
