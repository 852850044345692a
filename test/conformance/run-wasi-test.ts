// Runs one WASI command module to completion and reports how it ended. This is the single seam
// the conformance runner goes through: the same sandbox path plugins use (a sandbox process from
// the pool, the module prepared with fuel metering and a memory cap, the worker thread, our WASI
// with the mounts), through the engine's RunManager.startWasiProgram.
import type { RunManager } from '../../electron/engine/runs/index.js';
import type { WasiMount } from '../../electron/sandbox/wasi/index.js';

export interface WasiTestOptions {
  /** Arguments after the program name. */
  args: string[];
  env: Record<string, string>;
  mounts: WasiMount[];
  realClock?: boolean;
  realRandom?: boolean;
  /** Wall clock for the test. */
  timeoutMs: number;
}

export interface WasiTestResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the module trapped, failed to load or ran out of time. */
  error?: string;
}

export async function runWasiTest(
  runs: RunManager,
  wasmPath: string,
  opts: WasiTestOptions,
): Promise<WasiTestResult> {
  const end = await runs.startWasiProgram({
    binary: wasmPath,
    args: opts.args,
    env: opts.env,
    mounts: opts.mounts,
    realClock: opts.realClock ?? true,
    realRandom: opts.realRandom ?? true,
    limits: { timeoutMs: opts.timeoutMs },
  }).ended;
  const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
  return {
    exitCode: end.code,
    stdout: text(end.stdout),
    stderr: text(end.stderr),
    ...(end.reason === 'exit' ? {} : { error: `${end.reason}: ${end.message}` }),
  };
}
