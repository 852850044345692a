// The sandbox process (one per run): its main thread is the controller (controller.ts), which talks
// to the engine over IPC and does the async work; a worker thread runs the wasm. Started ahead of
// time by the warm pool: it reports `ready` once its worker is up and warm, then serves exactly one
// `start` and exits.
import { existsSync } from 'node:fs';
import { startController } from './controller.js';
import type { FromSandbox, ToSandbox } from './protocol.js';
import { WASM_MAX_PAGES_ARG } from './protocol.js';

// Defence in depth behind the per-run memory cap written into the module: V8 refuses to grow any
// wasm memory of this process (both threads) past this many pages. The worker sets it before any
// wasm exists (worker.ts says why there).
const maxPagesArg = process.argv.find((a) => a.startsWith(WASM_MAX_PAGES_ARG));
const maxPages = maxPagesArg ? Number(maxPagesArg.slice(WASM_MAX_PAGES_ARG.length)) : Number.NaN;

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
  // A last resort only: the engine kills this process once it has the end, and a dead engine means
  // a disconnect. A short timer here could cut the end message off on a busy machine.
  if (msg.kind === 'end') setTimeout(() => process.exit(0), 30_000).unref();
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

/**
 * The worker script beside this one: the CommonJS build when it is there (a CommonJS worker starts
 * ~9 ms of CPU sooner than an ES module one), else the ES module build (a packaged app ships that).
 */
function workerScript(): URL {
  const cjs = new URL('./sandbox-worker.cjs', import.meta.url);
  return existsSync(cjs) ? cjs : new URL('./sandbox-worker.js', import.meta.url);
}

startController(
  {
    send,
    onMessage(listener) {
      const handle = (msg: ToSandbox) => {
        if (msg.kind === 'delivered') unread.shift()?.();
        else listener(msg);
      };
      if (electronPort) electronPort.on('message', (event) => handle(event.data as ToSandbox));
      else process.on('message', handle);
    },
    leave() {
      process.exit(0);
    },
    peakRssBytes: () => process.resourceUsage().maxRSS * 1024,
  },
  {
    workerScript: workerScript(),
    ...(Number.isInteger(maxPages) && maxPages > 0 ? { maxPages } : {}),
  },
);
