// CONTRACT (owned by the WASI work): our own wasi_snapshot_preview1, capability-scoped.
// Runs synchronously inside the sandbox worker thread. The sandbox runtime codes against these exports.
// The implementation is split by job: errno.ts, constants.ts, memory.ts, fd-table.ts, host.ts
// (openat-style host access), resolve.ts (confinement), clock.ts, random.ts, and one file per
// syscall family (args-env, fd-ops, path-ops, poll, misc), assembled in create.ts.

export { createWasi } from './create.js';
export { Errno } from './errno.js';
export { setBeforeOpenHookForTests } from './host.js';
export { type Wasi, WasiExit, type WasiMount, type WasiOptions } from './types.js';
