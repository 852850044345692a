// V8's compilation strategy for one prepared module, chosen by the sandbox at run time (never in
// execArgv: any V8 flag there costs a Node process ~30 ms of start-up).
//
// V8 starts wasm in its baseline compiler (Liftoff) and, with dynamic tiering (its default), moves a
// function to the optimising compiler (TurboFan) once it has run for a while. But V8 has no on-stack
// replacement for wasm: new code is used from the function's NEXT call. A plugin's hot loop usually
// sits in one call that lasts the whole run (an interpreter's dispatch loop, a VM's `run`, a kernel
// called once from main), so under dynamic tiering, and even with --no-wasm-dynamic-tiering (which
// compiles TurboFan code in the background, too late for a function already running), it runs in
// Liftoff from start to end: 1.5-2.5x slower on such programs (measured by `npm run
// bench:wasmtime`, which prints the figures). Wasmtime compiles everything with Cranelift first.
// So "eager" compiles every function with TurboFan BEFORE the first instruction (--no-liftoff), for
// modules up to EAGER_MAX_BYTES: TurboFan compiles a typical plugin (25-150 KB prepared) in a few ms
// of CPU, spread over V8's compile threads. Huge modules (an interpreter of tens of MB) stay on
// dynamic tiering: compiling all of them with TurboFan would cost seconds for code they never run.
import { setFlagsFromString } from 'node:v8';

export type WasmTiering = 'eager' | 'dynamic';

/** Up to this many bytes of (prepared) module, every function is compiled with TurboFan up front. */
export const EAGER_MAX_BYTES = 2 * 1024 * 1024;

/** The tiering for a prepared module of `bytes` bytes. */
export function chooseTiering(bytes: number): WasmTiering {
  return bytes <= EAGER_MAX_BYTES ? 'eager' : 'dynamic';
}

let current: WasmTiering | undefined;

/**
 * Sets V8's wasm tiering for the modules compiled from now on in this process (V8 reads the flag when
 * it compiles a module; both threads of a sandbox process share it). Call it before compiling.
 */
export function applyTiering(tiering: WasmTiering): void {
  if (current === tiering) return;
  if (tiering === 'eager') setFlagsFromString('--no-liftoff');
  else {
    setFlagsFromString('--liftoff');
    setFlagsFromString('--wasm-dynamic-tiering');
  }
  current = tiering;
}
