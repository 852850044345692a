// The sandbox process (one per run): this controller thread talks to the engine over IPC and does
// the async work; a worker thread runs the wasm. Started ahead of time by the warm pool: it reports
// `ready` once its worker is up and warm, then serves exactly one `start` and exits.
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, Worker } from 'node:worker_threads';
import { createRing, RingReader } from './event-ring.js';
import type { FromSandbox, FromWorker, ToSandbox, ToWorkerSync, WorkerEnd } from './protocol.js';
import { SIGNAL_INDEX, WASM_MAX_PAGES_ARG } from './protocol.js';

// Defence in depth behind the per-run memory cap written into the module: V8 refuses to grow any
// wasm memory of this process (both threads) past this many pages. Set before any wasm exists.
const maxPagesArg = process.argv.find((a) => a.startsWith(WASM_MAX_PAGES_ARG));
const maxPages = maxPagesArg ? Number(maxPagesArg.slice(WASM_MAX_PAGES_ARG.length)) : Number.NaN;
if (Number.isInteger(maxPages) && maxPages > 0) setFlagsFromString(`--wasm-max-mem-pages=${maxPages}`);

/** Electron's utilityProcess gives the child `process.parentPort`; child_process.fork gives process.send. */
interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}
const electronPort = (process as { parentPort?: ParentPort }).parentPort;

// The engine went away: nothing left to serve. If it died while this process was still starting,
// the channel is already closed and no 'disconnect' event will come: leave at once.
if (!electronPort) {
  if (!process.connected) process.exit(0);
  process.on('disconnect', () => process.exit(0));
}

/** utilityProcess: the `done` of each events batch and end sent, called once the parent says it has it. */
const unread: (() => void)[] = [];

const send = (msg: FromSandbox, done?: () => void): void => {
  if (electronPort) {
    electronPort.postMessage(msg);
    if (!done) return;
    if (msg.kind === 'events' || msg.kind === 'end') unread.push(done);
    else setImmediate(done);
    return;
  }
  if (!process.connected) return;
  process.send!(msg, undefined, undefined, done ? () => done() : undefined);
};

function onParentMessage(listener: (msg: ToSandbox) => void): void {
  if (electronPort) electronPort.on('message', (event) => listener(event.data as ToSandbox));
  else process.on('message', listener);
}

const signalBuffer = new SharedArrayBuffer(4);
const signal = new Int32Array(signalBuffer);
const { port1: syncOut, port2: syncIn } = new MessageChannel();

const ring = createRing();
const events = new RingReader(ring);
const DRAIN_MS = 4;
let drainTimer: NodeJS.Timeout | null = null;

/** Characters of event batches handed to IPC but not yet written out (the engine reads slowly). */
let inFlight = 0;
const MAX_IN_FLIGHT = 8 << 20;

/**
 * Forwards what the worker has put in the event ring, as one batch. Unless `force`d (before any
 * other message from the worker, to keep the order), it waits while much is still in flight: the
 * ring then fills up and the worker, and so the plugin, waits. Memory stays bounded.
 */
function drain(force = false): void {
  if (!force && inFlight > MAX_IN_FLIGHT) return;
  const json = events.drain();
  if (!json) return;
  inFlight += json.length;
  send({ kind: 'events', json }, () => {
    inFlight -= json.length;
  });
}

const worker = new Worker(new URL('./sandbox-worker.js', import.meta.url), {
  workerData: { signal: signalBuffer, port: syncIn, ring },
  transferList: [syncIn],
  resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
});

let started = false;
let ended = false;

function toWorker(msg: ToWorkerSync): void {
  syncOut.postMessage(msg);
  Atomics.add(signal, SIGNAL_INDEX, 1);
  Atomics.notify(signal, SIGNAL_INDEX);
}

function end(result: WorkerEnd): void {
  if (ended) return;
  ended = true;
  if (drainTimer) clearInterval(drainTimer);
  drain(true);
  result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const exit = () => process.exit(0);
  send({ kind: 'end', end: result }, exit);
  // A last resort only: the engine kills this process once it has the end, and a dead engine means
  // a disconnect. A short timer here could cut the end message off on a busy machine.
  setTimeout(exit, 30_000).unref();
}

worker.on('message', (msg: FromWorker) => {
  if (msg.kind === 'drain') {
    drain();
    return;
  }
  drain(true); // events the worker wrote before this message go first
  switch (msg.kind) {
    case 'ready':
      send({ kind: 'ready', pid: process.pid });
      return;
    case 'events': {
      // An event too big for the ring: the worker waits until it is written out, so a plugin
      // sending big messages in a loop is held back as a slow reader holds back the ring.
      const size = msg.json.length;
      inFlight += size;
      send(msg, () => {
        inFlight -= size;
        events.outsideDone();
      });
      return;
    }
    case 'hostCall':
      send(msg);
      return;
    case 'end':
      end(msg.end);
      return;
  }
});

worker.on('error', (err: Error & { code?: string }) => {
  const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
  end({
    reason: memory ? 'memory' : 'crash',
    code: 1,
    detail: memory ? 'the sandbox ran out of JavaScript heap' : `the sandbox worker failed: ${err.message}`,
    fuelUsed: 0,
    peakMemoryBytes: 0,
  });
});

worker.on('exit', (code) => {
  end({
    reason: 'crash',
    code: 1,
    detail: `the sandbox worker stopped (code ${code})`,
    fuelUsed: 0,
    peakMemoryBytes: 0,
  });
});

onParentMessage((msg) => {
  switch (msg.kind) {
    case 'start': {
      if (started) return;
      started = true;
      drainTimer = setInterval(drain, DRAIN_MS);
      toWorker({ kind: 'start', start: msg.start });
      return;
    }
    case 'answer':
      toWorker({ kind: 'answer', id: msg.id, value: msg.value });
      return;
    case 'cancel':
      toWorker({ kind: 'cancel', reason: msg.reason });
      return;
    case 'hostResult':
      toWorker({ kind: 'hostResult', callId: msg.callId, value: msg.value });
      return;
    case 'delivered':
      unread.shift()?.();
      return;
  }
});
