// The sandbox controller: the thread that talks to the engine and does the async work of ONE run,
// while a worker thread (sandbox-worker.js) runs the wasm. It drains the worker's event ring in
// batches, forwards host calls and answers, and ends once the worker has ended.
//
// It runs in two places: as the main thread of a sandbox process (host.ts, one process per run), or
// inside the CLI's own process (engine/runs/in-process.ts), where the engine is its parent. The
// `ControllerLink` is the only difference: how messages go to and come from the engine, and what
// "leave" means (process.exit, or ending the worker).
import { MessageChannel, Worker } from 'node:worker_threads';
import { createRing, RingReader } from './event-ring.js';
import type { FromSandbox, FromWorker, ToSandbox, ToWorkerSync, WorkerEnd } from './protocol.js';
import { SIGNAL_INDEX } from './protocol.js';

export interface ControllerLink {
  /** Sends a message to the engine; `done` once it is written out (for back-pressure). */
  send(msg: FromSandbox, done?: () => void): void;
  /** Registers the engine's messages. */
  onMessage(listener: (msg: ToSandbox) => void): void;
  /** The run's end has been delivered: leave (the worker is done). */
  leave(): void;
  /** The peak RSS to report with the end, in bytes. */
  peakRssBytes(): number;
}

export interface ControllerOptions {
  /** The worker script (dist/sandbox-worker.js). */
  workerScript: URL | string;
  /** V8's page cap for every wasm memory of the process, set by the worker before any wasm exists. */
  maxPages?: number;
  /** Options for the worker thread beyond its data (env, stdio). */
  workerOptions?: { env?: Record<string, string>; stdout?: boolean; stderr?: boolean };
}

/**
 * The JS heap of the worker that runs the wasm (wasm memory is capped apart, per run): at least 128
 * MiB, and no less than the largest wasm memory the process allows (`maxPages`). At each memory.grow
 * V8 counts the whole wasm memory again as new external memory, and collects fully once that is half
 * the heap limit past its low point: with a limit under the wasm cap, a plugin whose memory grows a
 * little at a time pays a full collection per grow (a 100 MiB memory grown 40 times by a page: 41
 * with 128 MiB, 11 with 256; ruby.wasm under the 256 MiB cap: 63 and a third of its run with 128 MiB,
 * 12 with 256).
 */
export function workerResourceLimits(maxPages?: number): {
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
} {
  const wasmMb = maxPages !== undefined && Number.isFinite(maxPages) ? Math.ceil(maxPages / 16) : 0;
  return { maxOldGenerationSizeMb: Math.min(Math.max(128, wasmMb), 4096), maxYoungGenerationSizeMb: 32 };
}

const DRAIN_MS = 4;
/** Characters of event batches handed to the link but not yet written out (the engine reads slowly). */
const MAX_IN_FLIGHT = 8 << 20;

/** Starts the worker and serves one run over `link`. Returns the worker (the in-process launcher ends it). */
export function startController(link: ControllerLink, options: ControllerOptions): Worker {
  const signalBuffer = new SharedArrayBuffer(4);
  const signal = new Int32Array(signalBuffer);
  const { port1: syncOut, port2: syncIn } = new MessageChannel();

  const ring = createRing();
  const events = new RingReader(ring);
  let drainTimer: NodeJS.Timeout | null = null;
  let inFlight = 0;

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
    link.send({ kind: 'events', json }, () => {
      inFlight -= json.length;
    });
  }

  const worker = new Worker(options.workerScript, {
    workerData: {
      signal: signalBuffer,
      port: syncIn,
      ring,
      ...(options.maxPages !== undefined ? { maxPages: options.maxPages } : {}),
    },
    transferList: [syncIn],
    resourceLimits: workerResourceLimits(options.maxPages),
    ...options.workerOptions,
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
    result.peakRssBytes = link.peakRssBytes();
    link.send({ kind: 'end', end: result }, () => link.leave());
  }

  worker.on('message', (msg: FromWorker) => {
    if (msg.kind === 'drain') {
      drain();
      return;
    }
    drain(true); // events the worker wrote before this message go first
    switch (msg.kind) {
      case 'ready':
        link.send({ kind: 'ready', pid: process.pid });
        return;
      case 'events': {
        // An event too big for the ring: the worker waits until it is written out, so a plugin
        // sending big messages in a loop is held back as a slow reader holds back the ring.
        const size = msg.json.length;
        inFlight += size;
        link.send(msg, () => {
          inFlight -= size;
          events.outsideDone();
        });
        return;
      }
      case 'hostCall':
        link.send(msg);
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

  link.onMessage((msg) => {
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
        // utilityProcess only (host.ts answers it); the in-process link never asks for it
        return;
    }
  });

  return worker;
}
