// The preparation worker (dist/prepare-worker.js): checks and prepares ONE wasm binary off the thread
// that serves the app (see off-thread.ts). It compiles the module to list its imports, then prepares
// it through the cache beside the binary (loadPrepared), and posts the outcome once.
import { parentPort, workerData } from 'node:worker_threads';
import { loadPrepared } from './cache.js';
import { ModuleError } from './errors.js';
import type { OffThreadOutcome, OffThreadRequest } from './off-thread.js';

const request = workerData as OffThreadRequest;

function run(): OffThreadOutcome {
  try {
    const prepared = loadPrepared(request.path, {
      key: Buffer.from(request.key, 'hex'),
      ...(request.root !== undefined ? { root: request.root } : {}),
    });
    // The source validated (loadPrepared refuses an invalid one); its imports are the source's.
    const source = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
    const imports = WebAssembly.Module.imports(source).filter((i) => i.module !== 'fledge_fuel');
    return { ok: true, imports, warnings: prepared.warnings, fromCache: prepared.fromCache };
  } catch (e) {
    if (e instanceof ModuleError) return { ok: false, kind: 'module', code: e.code, message: e.message };
    const err = e as Error & { code?: string };
    return {
      ok: false,
      kind: 'error',
      message: err?.message ?? String(e),
      ...(err?.code ? { code: err.code } : {}),
    };
  }
}

parentPort!.postMessage(run());
