// The moment a process or worker started from a code cache (code-cache.ts) has compiled what it
// needs and is about to change V8's flags (the CLI's `run` before its sandbox starts, the sandbox
// worker after its run): code-cache.ts writes the cache then, when asked to (mode 'write').
export const CODE_CACHE_POINT = 'fledge-code-cache-point';

export function codeCachePoint(): void {
  (process as NodeJS.EventEmitter).emit(CODE_CACHE_POINT);
}
