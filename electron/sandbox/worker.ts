// The sandbox's worker thread: runs the wasm of ONE run. Started (and warmed) before the run is
// known, so that a pooled sandbox process only has to load, link and call _start.
// Events go into a shared ring that the controller drains (event-ring.ts); blocking host calls wait
// with Atomics.wait on the shared signal word while the controller (main thread) does the async work.
import { setFlagsFromString } from 'node:v8';
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { codeCachePoint } from './code-cache-point.js';
import { type RingBuffers, RingWriter } from './event-ring.js';
import { nowMs } from './now-ms.js';
import { capMemory, instrumentFuel } from './prepare/index.js';
import type { FromWorker, ToWorkerSync } from './protocol.js';
import { SIGNAL_INDEX } from './protocol.js';
import { runPlugin, type WorkerChannel } from './runtime.js';
import { holdV8Flags } from './tiering.js';
import { wasmSerializer } from './v8-wasm-serializer.js';
import { createWasi } from './wasi/index.js';

/** Ask the controller to drain the event ring at most this often (its own timer also drains it). */
const KICK_MS = 4;

const port = parentPort!;
const {
  signal: signalBuffer,
  port: syncPort,
  ring: ringBuffers,
  maxPages,
} = workerData as {
  signal: SharedArrayBuffer;
  port: MessagePort;
  ring: RingBuffers;
  maxPages?: number;
};

// The build makes this thread's code cache (code-cache.ts) from one run of its own plugin: V8 refuses
// a cache made after any flag changed, so that run keeps V8's defaults (its module still has its
// memory cap) and the cache is written when it ends.
const makingCodeCache = process.env.FLEDGE_CODE_CACHE === 'write';
if (makingCodeCache) holdV8Flags();

// Defence in depth behind the per-run memory cap written into the module: V8 refuses to grow any
// wasm memory of this process (all threads: the flag is process-wide) past this many pages. Set here,
// before any wasm exists, and not by the controller before this thread starts: a V8 flag changed
// before a worker starts makes V8 refuse Node's built-in code cache in it (it then compiles Node's own
// modules from source: about 25 ms of CPU more per run, measured by test/bench/trivial-run.ts).
if (!makingCodeCache && maxPages !== undefined && Number.isInteger(maxPages) && maxPages > 0)
  setFlagsFromString(`--wasm-max-mem-pages=${maxPages}`);
const signal = new Int32Array(signalBuffer);
const ring = new RingWriter(ringBuffers);

const post = (msg: FromWorker) => port.postMessage(msg);

let sinceKick = 0;
let lastKick = Number.NEGATIVE_INFINITY;

function kick(): void {
  post({ kind: 'drain' });
  lastKick = nowMs();
  sinceKick = 0;
}

/** Makes sure the controller takes what is in the ring now (before blocking, at the end). */
function flush(): void {
  if (!ring.drained) kick();
}

/** Adds one serialised event (outputs are spliced from the plugin's own JSON). */
function add(json: string): void {
  if (json.length > ring.maxRecordChars) {
    // Too big for the ring: its own message, in order (see sendOutside).
    ring.sendOutside(() => post({ kind: 'events', json: `[${json}]` }));
    return;
  }
  ring.append(json, kick);
  // The first event after a quiet spell is announced at once (a lone message is not held back); in a
  // burst the clock is read every 64th event, and the controller's timer drains the rest.
  if ((++sinceKick === 1 || (sinceKick & 63) === 0) && nowMs() - lastKick >= KICK_MS) kick();
}

const channel: WorkerChannel = {
  emit(event) {
    add(JSON.stringify(event));
  },
  emitJson: add,
  flush,
  hostCall(callId, op, payload) {
    post({ kind: 'hostCall', callId, op, payload }); // the controller drains the ring before it
  },
  receive(block) {
    for (;;) {
      const seen = Atomics.load(signal, SIGNAL_INDEX);
      const got = receiveMessageOnPort(syncPort);
      if (got) return got.message as ToWorkerSync;
      if (!block) return undefined;
      Atomics.wait(signal, SIGNAL_INDEX, seen);
    }
  },
};

/**
 * Warms the code paths of a run (module preparation, WASI, compile, instantiate, JSON/UTF-8), so the
 * first real run does not pay for V8's lazy parsing and compilation of them.
 */
function warmUp(): void {
  // (module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  //   (memory (export "memory") 1) (func (export "_start")))
  const bytes = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 12, 2, 96, 4, 127, 127, 127, 127, 1, 127, 96, 0, 0, 2, 35, 1, 22, 119, 97,
    115, 105, 95, 115, 110, 97, 112, 115, 104, 111, 116, 95, 112, 114, 101, 118, 105, 101, 119, 49, 8, 102,
    100, 95, 119, 114, 105, 116, 101, 0, 0, 3, 2, 1, 1, 5, 3, 1, 0, 1, 7, 19, 2, 6, 109, 101, 109, 111, 114,
    121, 2, 0, 6, 95, 115, 116, 97, 114, 116, 0, 1, 10, 4, 1, 2, 0, 11,
  ]);
  const prepared = capMemory(instrumentFuel(bytes), 1 << 20);
  const wasi = createWasi({
    args: ['warm-up'],
    env: {},
    mounts: [],
    realClock: false,
    realRandom: false,
    randomSeed: 'warm-up',
    virtualNanos: () => 0n,
    stdout: () => {},
    stderr: () => {},
  });
  const module = new WebAssembly.Module(prepared as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: wasi.imports as unknown as WebAssembly.ModuleImports,
    fledge_fuel: { remaining: new WebAssembly.Global({ value: 'i64', mutable: true }, 1000n) },
  });
  wasi.setMemory(instance.exports.memory as WebAssembly.Memory);
  (instance.exports._start as () => void)();
  wasi.close();
  JSON.parse(
    JSON.stringify([
      {
        type: 'output',
        t: Date.now(),
        text: (Buffer.from('{}') as Buffer & { utf8Slice(a: number, b: number): string }).utf8Slice(0, 2),
      },
    ]),
  );
}

// A cold start sends the run before this thread is even up: then warming up would only delay it.
let first = channel.receive(false);
if (!first) {
  try {
    warmUp();
  } catch {
    // warming is an optimisation only
  }
}
post({ kind: 'ready' });

// Wait for the run blocked on the signal word: a futex wake is the quickest hand-over there is (the
// event loop would add a wake-up of its own). Nothing else can happen in this thread meanwhile.
while (first?.kind !== 'start') first = channel.receive(true);
// The compiled-code cache (compiled-cache.ts) for plugins: its addon takes over this thread's
// WebAssembly.compileStreaming, which nothing else here uses.
const serializer = first.start.mode === 'plugin' ? wasmSerializer() : null;
runPlugin(first.start, channel, serializer).then((outcome) => {
  codeCachePoint();
  flush();
  post({ kind: 'end', end: outcome });
});
