// Which `fledge` host imports need which capability (docs/fledge-reference.md, WASM host interface).
import type { Capabilities } from './capabilities.js';

export type ImportCapability = 'exec' | 'store' | 'metadata';

export const FLEDGE_IMPORT_MODULE = 'fledge';

/** fledge import name -> the capability it needs. send, recv and exit need none. */
export const CAPABILITY_IMPORTS: Readonly<Record<string, ImportCapability>> = Object.freeze({
  exec: 'exec',
  store_set: 'store',
  store_get: 'store',
  metadata: 'metadata',
});

export interface ModuleImport {
  module: string;
  name: string;
}

/** Capabilities the module's imports need but the manifest does not declare, in a stable order. */
export function undeclaredImportCapabilities(
  imports: ModuleImport[],
  declared: Capabilities,
): ImportCapability[] {
  const missing = new Set<ImportCapability>();
  for (const imp of imports) {
    if (imp.module !== FLEDGE_IMPORT_MODULE) continue;
    const cap = CAPABILITY_IMPORTS[imp.name];
    if (cap && !declared[cap]) missing.add(cap);
  }
  return (['exec', 'store', 'metadata'] as const).filter((c) => missing.has(c));
}

/** The fledge CLI's wording for a module that imports what it may not use. */
export function undeclaredImportsMessage(missing: ImportCapability[]): string {
  return `imports functions that require capabilities not granted: ${missing.join(', ')}`;
}
