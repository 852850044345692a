// Install-time checks of each wasm binary: a real module, no import of a capability the manifest
// does not declare, and prepared (metered, cached) now so the first run does not pay for it.
import { resolve } from 'node:path';
import {
  undeclaredImportCapabilities,
  undeclaredImportsMessage,
} from '../../../shared/capability-imports.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { ModuleError, type OffThreadOptions, prepareOffThread } from '../../sandbox/prepare/index.js';
import { HostError } from '../host/errors.js';

export interface WasmCheckResult {
  warnings: string[];
}

/** `cacheKey`: the engine's prepared-cache key (hex), so the first run finds the cache valid. */
export async function checkAndPrepareWasm(
  pluginDir: string,
  manifest: PluginManifest,
  cacheKey: string,
  /** The time limit for preparing each module (default PREPARE_TIMEOUT_MS). */
  options: OffThreadOptions = {},
): Promise<WasmCheckResult> {
  const warnings: string[] = [];
  if (manifest.runtime !== 'wasm') return { warnings };
  const seen = new Set<string>();
  for (const command of manifest.commands) {
    if (seen.has(command.binary)) continue;
    seen.add(command.binary);
    const path = resolve(pluginDir, command.binary);
    // Compiled, checked and prepared in a worker thread, with a time limit: a big or hostile module
    // never holds up the thread that serves the app.
    let prepared: Awaited<ReturnType<typeof prepareOffThread>>;
    try {
      prepared = await prepareOffThread({ path, key: cacheKey, root: pluginDir }, options);
    } catch (err) {
      if (err instanceof ModuleError)
        throw new HostError(
          'install_bad_wasm',
          err.code === 'invalid' || err.code === 'not_wasm' || err.code === 'empty'
            ? `${manifest.name}: ${command.binary} is not a valid WebAssembly module (${err.message})`
            : `${manifest.name}: ${command.binary}: ${err.message}`,
        );
      throw err;
    }
    const missing = undeclaredImportCapabilities(prepared.imports, manifest.capabilities);
    if (missing.length > 0)
      throw new HostError(
        'install_undeclared_capability',
        `${manifest.name}: ${command.binary} ${undeclaredImportsMessage(missing)} (its plugin.toml does not declare ${missing.join(', ')})`,
      );
    warnings.push(...prepared.warnings);
  }
  return { warnings };
}
