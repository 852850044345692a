// V8's serialization of compiled WebAssembly code, which Node does not expose: through the sandbox's
// native addon (sandbox-addon.ts). null when the addon is not there or not built for this runtime:
// then modules compile as they always did.
import { sandboxAddon } from './sandbox-addon.js';

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

type StreamingWebAssembly = { compileStreaming(source: unknown): Promise<WebAssembly.Module> };

let loaded: WasmSerializer | null | undefined;

/**
 * This thread's serializer, loaded on first use. Installing it takes over WebAssembly.compileStreaming
 * on this thread (the sandbox worker, which fetches nothing): it then takes { wire: parts, cached? }.
 */
export function wasmSerializer(): WasmSerializer | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const addon = sandboxAddon();
  if (addon === null) return null;
  try {
    addon.install();
  } catch {
    return null; // compile as before
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
