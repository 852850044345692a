// The moment a CLI run has compiled what it needs before its sandbox starts (and changes V8 flags):
// cached-entry.ts writes the code cache then, when asked to (FLEDGE_CLI_CODE_CACHE=write).
export const CODE_CACHE_POINT = 'fledge-code-cache-point';

export function codeCachePoint(): void {
  (process as NodeJS.EventEmitter).emit(CODE_CACHE_POINT);
}
