// The sandbox's native addon (native/wasm-code-cache), built by build/native.mjs for the Node that
// builds the project and the pinned Node sandboxes are forked on (node-abi-<ABI>/: a Node loads only
// an addon of its own ABI) and, for a packaged app, for its Electron (electron/, `npm run dist`).
// What it gives: V8's compiled-code cache (v8-wasm-serializer.ts) and huge pages for a wasm memory
// (huge-pages.ts). null when it is not there or not built for this runtime: then each of those does
// without (slower, nothing else).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findUp } from './find-up.js';

export interface SandboxAddon {
  install(): void;
  serialize(module: WebAssembly.Module): ArrayBuffer;
  lastCachedAccepted(): boolean;
  /** Absent from an addon built before it (an app's Electron build is made by `npm run dist`). */
  adviseHugePages?(buffer: ArrayBuffer, bytes: number): number;
}

const ADDON = process.versions.electron
  ? join('native', 'wasm-code-cache', 'electron', 'wasm_code_cache.node')
  : join('native', 'wasm-code-cache', `node-abi-${process.versions.modules}`, 'wasm_code_cache.node');

let loaded: SandboxAddon | null | undefined;

/** This thread's addon (a context-aware addon: each thread loads its own), loaded on first use. */
export function sandboxAddon(): SandboxAddon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  // In the repository (or app) this file was built into: dist/ and electron/sandbox/ (find-up.ts).
  const path = findUp(import.meta.url, ADDON, 2);
  if (path === undefined) return null;
  try {
    loaded = createRequire(import.meta.url)(path) as SandboxAddon;
  } catch {
    // built for another Node or Electron: do without
  }
  return loaded;
}
