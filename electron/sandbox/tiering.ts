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
// So "eager" compiles every function with TurboFan before its first instruction (--no-liftoff), for
// modules up to EAGER_MAX_BYTES. V8 compiles lazily (a function at its first call), so this costs
// TurboFan time for the functions a run calls, not for the whole module; huge modules (an interpreter
// of tens of MB, thousands of functions called once at start-up) stay on dynamic tiering.
//
// Eager also turns TurboFan's wasm loop unrolling off. Unrolling grows the graph of every function
// with a loop, and that compile time is paid on the run's thread, at the first call: one printf
// (musl's vfprintf) cost 40 ms of CPU with it and 30 ms without (Node 20; 55 -> 39 ms on Node 24),
// and the hot loops of the bench's programs ran no slower without it (CPU, medians of 5 alternated,
// prepared modules, Node 20: vm 0.965x, interp 0.99x, fib 0.98x, loops 0.99x, strhash 0.93x; Node 24:
// 0.96x, 0.87x, 1.02x, 0.99x, 0.99x). Dynamic tiering keeps V8's defaults.
import { setFlagsFromString } from 'node:v8';

export type WasmTiering = 'eager' | 'dynamic';

/** Up to this many bytes of (prepared) module, every function is compiled with TurboFan up front. */
export const EAGER_MAX_BYTES = 2 * 1024 * 1024;

/** The tiering for a prepared module of `bytes` bytes. */
export function chooseTiering(bytes: number): WasmTiering {
  return bytes <= EAGER_MAX_BYTES ? 'eager' : 'dynamic';
}

/**
 * V8 flags per tiering for V8 `version`, applied in order (dynamic: V8's defaults back).
 *
 * From V8 13, optimized wasm code can deoptimize (--wasm-deopt, on by default in V8 14), and then
 * wants the feedback Liftoff collects: with Liftoff turned off after start-up, as here, V8 14.1
 * (Node 25) stops the whole process on a fatal CHECK ("function_feedback != ...") at the first
 * function that inlines a call; --no-wasm-inlining instead fails another CHECK. Turning deopts off
 * first runs every program of the bench (Electron 45 runs V8 14.0). Older V8s have no such flag
 * (an unknown one is reported on stderr), so it is set only where it exists.
 */
export function tieringFlagsFor(version: string): Readonly<Record<WasmTiering, readonly string[]>> {
  const major = Number(version.split('.')[0]);
  return {
    eager: [...(major >= 13 ? ['--no-wasm-deopt'] : []), '--no-liftoff', '--no-wasm-loop-unrolling'],
    dynamic: [
      '--liftoff',
      '--wasm-dynamic-tiering',
      '--wasm-loop-unrolling',
      ...(major >= 14 ? ['--wasm-deopt'] : []),
    ],
  };
}

/** The flags for this process's V8. */
export const TIERING_FLAGS = tieringFlagsFor(process.versions.v8);

let current: WasmTiering | undefined;
let held = false;

/**
 * From now on applyTiering changes no V8 flag (V8's defaults stay): for the build's own run that makes
 * the worker's code cache, which V8 would refuse under any other flags (worker.ts).
 */
export function holdV8Flags(): void {
  held = true;
}

/**
 * Sets V8's wasm tiering for the modules compiled from now on in this process (V8 reads the flags when
 * it compiles a function; both threads of a sandbox process share them). Call it before compiling.
 */
export function applyTiering(tiering: WasmTiering): void {
  if (held || current === tiering) return;
  for (const flag of TIERING_FLAGS[tiering]) setFlagsFromString(flag);
  current = tiering;
}
