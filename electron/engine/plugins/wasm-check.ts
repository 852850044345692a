// Install-time checks of each wasm binary: a real module, no import of a capability the manifest
// does not declare, and prepared (metered, cached) now so the first run does not pay for it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  undeclaredImportCapabilities,
  undeclaredImportsMessage,
} from '../../../shared/capability-imports.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { loadPrepared, ModuleError } from '../../sandbox/prepare/index.js';
import { HostError } from '../host/errors.js';

export interface WasmCheckResult {
  warnings: string[];
}

/** `cacheKey`: the engine's prepared-cache key (hex), so the first run finds the cache valid. */
export async function checkAndPrepareWasm(
  pluginDir: string,
  manifest: PluginManifest,
  cacheKey: string,
): Promise<WasmCheckResult> {
  const warnings: string[] = [];
  if (manifest.runtime !== 'wasm') return { warnings };
  const seen = new Set<string>();
  for (const command of manifest.commands) {
    if (seen.has(command.binary)) continue;
    seen.add(command.binary);
    const path = resolve(pluginDir, command.binary);
    const bytes = await readFile(path);
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(bytes);
    } catch (err) {
      throw new HostError(
        'install_bad_wasm',
        `${manifest.name}: ${command.binary} is not a valid WebAssembly module (${(err as Error).message})`,
      );
    }
    const missing = undeclaredImportCapabilities(WebAssembly.Module.imports(module), manifest.capabilities);
    if (missing.length > 0)
      throw new HostError(
        'install_undeclared_capability',
        `${manifest.name}: ${command.binary} ${undeclaredImportsMessage(missing)} (its plugin.toml does not declare ${missing.join(', ')})`,
      );
    try {
      warnings.push(...loadPrepared(path, { key: Buffer.from(cacheKey, 'hex'), root: pluginDir }).warnings);
    } catch (err) {
      if (err instanceof ModuleError)
        throw new HostError('install_bad_wasm', `${manifest.name}: ${command.binary}: ${err.message}`);
      throw err;
    }
  }
  return { warnings };
}
