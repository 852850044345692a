// CONTRACT (owned by the module-preparation work): validation, fuel instrumentation, memory cap, cache.
// The sandbox runtime codes against exactly these exports.

/** The instrumented module imports its fuel counter as a mutable i64 global: (import "fledge_fuel" "remaining" (global (mut i64))). */
export const FUEL_IMPORT_MODULE = 'fledge_fuel';
export const FUEL_IMPORT_NAME = 'remaining';

export type ModuleErrorCode = 'empty' | 'not_wasm' | 'invalid' | 'unmeterable' | 'memory_over_cap';

/** A module that cannot be prepared; `message` is written for a person. */
export class ModuleError extends Error {
  constructor(
    readonly code: ModuleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModuleError';
  }
}

/** Validates `source` and returns a new module metered for fuel (imports the fuel global above). Pure and deterministic. */
export function instrumentFuel(_source: Uint8Array): Uint8Array {
  throw new Error('instrumentFuel: not implemented yet');
}

/** Rewrites every memory's limits (defined or imported) so it can never grow past capBytes. */
export function capMemory(_module: Uint8Array, _capBytes: number): Uint8Array {
  throw new Error('capMemory: not implemented yet');
}

export interface PreparedModule {
  /** Instrumented bytes (memory cap NOT applied; apply capMemory per run). */
  bytes: Uint8Array;
  fromCache: boolean;
  /** Plain-words warnings, e.g. "stale cache rebuilt". */
  warnings: string[];
}

/** Loads the prepared module for a .wasm file from its cache beside the binary, preparing (and caching) it if needed. */
export function loadPrepared(_wasmPath: string): PreparedModule {
  throw new Error('loadPrepared: not implemented yet');
}
