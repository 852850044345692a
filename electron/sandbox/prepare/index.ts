// CONTRACT (owned by the module-preparation work): validation, fuel instrumentation, memory cap, cache.
// The sandbox runtime codes against exactly these exports. Each job lives in its own file:
//   validate.ts     empty / not wasm / invalid, with messages for people
//   bytes.ts        LEB128 reader and writer          opcodes.ts   the instruction set table
//   sections.ts     section splitting, imports, types  codec.ts     full decoder/encoder (round trip)
//   meter.ts        fuel metering of a function body   fuel.ts      the module-level fuel rewrite
//   threading.ts    which functions get the counter as a parameter, and their types
//   twins.ts        threaded twins of table functions, in table 0 or a parallel table, for call_indirect
//   const-expr.ts / global-shift.ts   global indices moved by the fuel import, outside code
//   memory-cap.ts   memory limits rewrite              cache.ts     prepared-module cache beside the binary
//   constants.ts    names and the cache version        errors.ts    ModuleError
//   off-thread.ts   preparation in a worker thread (prepare-worker.ts), with a time limit

export { loadPrepared, type PreparedModule } from './cache.js';
export { FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME, PREPARE_ENGINE_VERSION } from './constants.js';
export { ModuleError, type ModuleErrorCode } from './errors.js';
export { instrumentFuel } from './fuel.js';
export { capMemory, capMemoryParts, joinParts, partsLength } from './memory-cap.js';
export { type OffThreadOptions, PREPARE_TIMEOUT_MS, prepareOffThread } from './off-thread.js';
