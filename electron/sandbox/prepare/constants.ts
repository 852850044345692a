// Names shared with the sandbox runtime, and the version that stamps cached prepared modules.

/** The instrumented module imports its fuel counter as a mutable i64 global: (import "fledge_fuel" "remaining" (global (mut i64))). */
export const FUEL_IMPORT_MODULE = 'fledge_fuel';
export const FUEL_IMPORT_NAME = 'remaining';

/**
 * Identifies the preparation (instrumentation) algorithm in cache stamps. Bump it whenever the bytes
 * instrumentFuel produces for the same input change, or the stamp's format (3: keyed stamps; 4:
 * charges placed by potentials; 5: prepaid returns, call indices in their shortest form, twins in
 * table 0; 6: checks that test the counter before their charge; 7: counted loops charged before
 * they start; 8: loops counted on entry; 11: out of fuel through one added function; 13: that
 * function padded so that V8 14 does not inline it), so every cached prepared module is rebuilt.
 */
export const PREPARE_ENGINE_VERSION = 'fledge-desktop-prepare/13';

/** Suffixes of the cache files written beside a plugin binary. */
export const PREPARED_SUFFIX = '.fuel.wasm';
export const STAMP_SUFFIX = '.fuel.stamp';

/** V8 refuses functions with more locals than this. */
export const MAX_FUNCTION_LOCALS = 50000;
