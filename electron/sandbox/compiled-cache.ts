// The compiled-code cache: V8's serialization of a prepared module's compiled code (the functions it
// optimised in earlier runs) kept beside the plugin binary, as the fledge CLI keeps Wasmtime's .cwasm.
// Without it every run of a big module compiles its hot functions again: ruby.wasm spends ~2.4 s of
// CPU in V8's optimising compiler per run, on a run of one second (npm run bench:wasmtime).
//
//   <binary>.fuel.v8-<V8 version>.code   "fledge-wasm-code 1\n" <HMAC, hex> "\n" <V8's bytes>
//
// V8 takes its cache as machine code it made itself, so nothing that does not carry the HMAC reaches
// it. The HMAC is keyed with the engine's cache key (the prepared copy's, prepare/cache.ts: kept in
// the config dir, which no plugin's /project shows) and binds V8's bytes to the exact module they
// were compiled from and to the V8 version. The module is named by `moduleId` (moduleIdOf): the
// prepared copy's own HMAC (which the run has just checked against its bytes), the memory cap written
// into it for this run, and its length; hashing the module itself again would cost ruby.wasm's run
// 30 ms. A file the plugin author shipped, one from another installation, another module, another
// memory cap or another V8, or a modified one, is not used (and is replaced after the run). One file
// per V8 version: the CLI's Node and the app's Electron each keep their own.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { basename } from 'node:path';
import { readRegular, reason, writeAtomic } from './prepare/cache.js';
import { joinParts } from './prepare/memory-cap.js';
import type { WasmSerializer } from './v8-wasm-serializer.js';

const MAGIC = 'fledge-wasm-code 1\n';
const MAC_HEX = 64;
/** V8 refuses modules over 1 GiB; its code for one is smaller. */
const MAX_CACHE_BYTES = 1 << 30;

/** Beside the prepared copy (<binary>.fuel.wasm): <binary>.fuel.v8-<V8 version>.code. */
export function compiledCachePath(wasmPath: string, v8Version: string = process.versions.v8): string {
  return `${wasmPath}.fuel.v8-${v8Version.replace(/[^0-9A-Za-z.-]/g, '_')}.code`;
}

/**
 * What names the module a run instantiates: its prepared copy (by the stamp's HMAC of those bytes),
 * the memory cap applied to it per run (capMemory: change CAP_FORMAT if its output ever changes for
 * the same inputs), and the resulting length.
 */
const CAP_FORMAT = 'capMemory/1';
export function moduleIdOf(preparedMac: string, memoryCapBytes: number, wireLength: number): string {
  return `${preparedMac} ${CAP_FORMAT} ${memoryCapBytes} ${wireLength}`;
}

function mac(key: Uint8Array, moduleId: string, v8Version: string, code: Uint8Array): string {
  return createHmac('sha256', key).update(`${MAGIC}${moduleId}\n${v8Version}\n`).update(code).digest('hex');
}

export type CompiledCacheRead =
  | { kind: 'hit'; code: Uint8Array }
  | { kind: 'miss' }
  | { kind: 'bad'; why: string };

/** Reads the cache for the module `moduleId` names; a hit carries a valid HMAC. */
export function readCompiledCache(
  path: string,
  moduleId: string,
  key: Uint8Array,
  v8Version: string = process.versions.v8,
): CompiledCacheRead {
  let raw: Buffer;
  try {
    raw = readRegular(path, MAX_CACHE_BYTES, false);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { kind: 'miss' };
    return { kind: 'bad', why: `could not be read (${reason(e)})` };
  }
  const head = MAGIC.length + MAC_HEX + 1;
  if (raw.length <= head || raw.subarray(0, MAGIC.length).toString('latin1') !== MAGIC)
    return { kind: 'bad', why: 'is not a compiled-code cache of this engine' };
  const stamp = raw.subarray(MAGIC.length, MAGIC.length + MAC_HEX);
  const code = new Uint8Array(raw.buffer, raw.byteOffset + head, raw.length - head);
  const expected = Buffer.from(mac(key, moduleId, v8Version, code), 'latin1');
  if (raw[head - 1] !== 0x0a || !timingSafeEqual(stamp, expected))
    return {
      kind: 'bad',
      why: 'did not match its stamp (it was made for another module or installation, or modified)',
    };
  return { kind: 'hit', code };
}

/** Writes the cache atomically (a rename never writes through a link). Returns a warning, or null. */
export function writeCompiledCache(
  path: string,
  moduleId: string,
  key: Uint8Array,
  code: Uint8Array,
  v8Version: string = process.versions.v8,
): string | null {
  try {
    const stamp = Buffer.from(`${MAGIC}${mac(key, moduleId, v8Version, code)}\n`, 'latin1');
    writeAtomic(path, Buffer.concat([stamp, code]));
    return null;
  } catch (e) {
    return `Could not save the compiled code of ${basename(path).replace(/\.fuel\.v8-.*$/, '')} beside it (${reason(e)}); it will be compiled again next time.`;
  }
}

/** Where one module's compiled code is kept, the key that authenticates it, and the module (moduleIdOf). */
export interface CodeCacheSlot {
  path: string;
  key: Uint8Array;
  moduleId: string;
}

export interface CompiledModule {
  module: WebAssembly.Module;
  /** Whether V8 started from the cache; null when this module has none (no slot or no serializer). */
  cachedUsed: boolean | null;
  /** After the run: saves the module's code when that is worth it. A warning, or null. */
  keep(ranMs: number): string | null;
}

/**
 * A run that started from the cache and lasted this long has likely optimised more functions: its
 * code is saved again when it grew (serialising ruby.wasm's takes ~10 ms; a short run skips it).
 */
export const REFRESH_AFTER_MS = 250;

/**
 * Compiles the module the run will instantiate (`wire`: prepared, memory cap applied, in parts), from
 * the compiled-code cache in `slot` when there is a valid one and a serializer (v8-wasm-serializer.ts);
 * otherwise as `new WebAssembly.Module` would.
 */
export async function compileWithCodeCache(
  wire: readonly Uint8Array[],
  slot: CodeCacheSlot | null,
  serializer: WasmSerializer | null,
): Promise<CompiledModule> {
  if (slot === null || serializer === null) {
    const bytes = wire.length === 1 ? wire[0]! : joinParts(wire);
    return {
      module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
      cachedUsed: null,
      keep: () => null,
    };
  }
  const read = readCompiledCache(slot.path, slot.moduleId, slot.key);
  const cached = read.kind === 'hit' ? read.code : undefined;
  const { module, cachedUsed } = await serializer.compile(wire, cached);
  return {
    module,
    cachedUsed,
    keep(ranMs) {
      if (cachedUsed && ranMs < REFRESH_AFTER_MS) return null;
      const code = serializer.serialize(module);
      if (code.length === 0 || (cachedUsed && cached && code.length <= cached.length * 1.02)) return null;
      return writeCompiledCache(slot.path, slot.moduleId, slot.key, code);
    },
  };
}
