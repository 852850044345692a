// Preparing a module off the calling thread: the engine's install path runs on the thread that serves
// the app (the CLI's, the Electron main process's), and preparing a big module takes a while. A worker
// thread (dist/prepare-worker.js) does it, with a wall-clock limit and a bounded heap; past the
// limit the worker is terminated and the module is refused with a message saying why.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModuleError, type ModuleErrorCode } from './errors.js';

/** How long preparing one module may take at install (a 10 MB module prepares in about a second). */
export const PREPARE_TIMEOUT_MS = 60_000;
/** The preparation worker's JavaScript heap (the largest accepted module is 64 MB). */
const PREPARE_HEAP_MB = 1024;

export interface OffThreadRequest {
  path: string;
  /** The prepared-cache key, hex. */
  key: string;
  /** The plugin folder: the cache is written only inside it. */
  root?: string;
}

export type OffThreadOutcome =
  | {
      ok: true;
      imports: WebAssembly.ModuleImportDescriptor[];
      warnings: string[];
      fromCache: boolean;
    }
  | { ok: false; kind: 'module'; code: ModuleErrorCode; message: string }
  | { ok: false; kind: 'error'; message: string; code?: string };

export interface OffThreadOptions {
  timeoutMs?: number;
  /** The worker script (default: dist/prepare-worker.js beside the running bundle or in the repository). */
  script?: string;
}

/** Finds dist/prepare-worker.js: beside the running bundle, or in the repository's dist/. */
export function defaultPrepareWorkerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'prepare-worker.js'),
    join(here, '..', '..', '..', 'dist', 'prepare-worker.js'),
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(
    `the preparation worker is missing (looked for ${candidates.join(' and ')}); run "npm run build" first`,
  );
}

/**
 * Checks and prepares the module at `request.path` in a worker thread: its imports and warnings, or
 * a ModuleError (refused: invalid, unmeterable, or `too_expensive` past the time limit). Other
 * failures (the file cannot be read) reject with an Error carrying its `code`.
 */
export function prepareOffThread(
  request: OffThreadRequest,
  options: OffThreadOptions = {},
): Promise<Extract<OffThreadOutcome, { ok: true }>> {
  const timeoutMs = options.timeoutMs ?? PREPARE_TIMEOUT_MS;
  const worker = new Worker(options.script ?? defaultPrepareWorkerScript(), {
    workerData: request,
    resourceLimits: { maxOldGenerationSizeMb: PREPARE_HEAP_MB },
    stdout: true,
    stderr: true,
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new ModuleError(
              'too_expensive',
              `preparing ${basename(request.path)} for the sandbox took longer than ${seconds(timeoutMs)}, so it was stopped: the module is too large or too complex to meter`,
            ),
          ),
        ),
      timeoutMs,
    );
    worker.once('message', (outcome: OffThreadOutcome) =>
      settle(() => {
        if (outcome.ok) resolve(outcome);
        else if (outcome.kind === 'module') reject(new ModuleError(outcome.code, outcome.message));
        else reject(Object.assign(new Error(outcome.message), outcome.code ? { code: outcome.code } : {}));
      }),
    );
    worker.once('error', (err: Error & { code?: string }) =>
      settle(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ModuleError(
                'too_expensive',
                `preparing ${basename(request.path)} for the sandbox needed more than ${PREPARE_HEAP_MB} MB of memory, so it was stopped`,
              )
            : err,
        ),
      ),
    );
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`the preparation worker stopped unexpectedly (code ${code})`))),
    );
  });
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
