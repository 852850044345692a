// V8's serialization of compiled WebAssembly code, which Node does not expose: through the native
// addon in native/wasm-code-cache, built by build/native.mjs for the Node that builds the project and
// the pinned Node sandboxes are forked on (node-abi-<ABI>/: a Node loads only an addon of its own
// ABI) and, for a packaged app, for its Electron (electron/, `npm run dist`). null when
// the addon is not there or not built for this runtime: then modules compile as they always did.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findUp } from './find-up.js';

interface Addon {
  install(): void;
  serialize(module: WebAssembly.Module): ArrayBuffer;
  lastCachedAccepted(): boolean;
}

export interface WasmSerializer {
  /**
   * Compiles the module whose bytes are the parts of `wire` in order (fed to V8 as they are, with no
   * copy made first), its code taken from `cached` when V8 accepts it (the same V8, flags and CPU
   * features that made it; anything else is compiled as usual). `cached` must be bytes this engine
   * serialised itself, authenticated (compiled-cache.ts): V8 runs them as its own machine code.
   */
  compile(
    wire: readonly Uint8Array[],
    cached: Uint8Array | undefined,
  ): Promise<{ module: WebAssembly.Module; cachedUsed: boolean }>;
  /** The module's compiled code as V8 serialises it (its optimised functions; the rest stay lazy). */
  serialize(module: WebAssembly.Module): Uint8Array;
}

const ADDON = process.versions.electron
  ? join('native', 'wasm-code-cache', 'electron', 'wasm_code_cache.node')
  : join('native', 'wasm-code-cache', `node-abi-${process.versions.modules}`, 'wasm_code_cache.node');

type StreamingWebAssembly = { compileStreaming(source: unknown): Promise<WebAssembly.Module> };

let loaded: WasmSerializer | null | undefined;

/**
 * This thread's serializer, loaded on first use. Installing it takes over WebAssembly.compileStreaming
 * on this thread (the sandbox worker, which fetches nothing): it then takes { wire: parts, cached? }.
 */
export function wasmSerializer(): WasmSerializer | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  // In the repository (or app) this file was built into: dist/ and electron/sandbox/ (find-up.ts).
  const path = findUp(import.meta.url, ADDON, 2);
  if (path === undefined) return null;
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
    addon.install();
  } catch {
    return null; // built for another Node or Electron: compile as before
  }
  loaded = {
    async compile(wire, cached) {
      const module = await (WebAssembly as unknown as StreamingWebAssembly).compileStreaming(
        cached === undefined ? { wire } : { wire, cached },
      );
      // V8 runs the addon's callback (which records this) before it settles the promise.
      return { module, cachedUsed: cached !== undefined && addon.lastCachedAccepted() };
    },
    serialize: (module) => new Uint8Array(addon.serialize(module)),
  };
  return loaded;
}
