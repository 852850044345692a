/**
 * The app's own data files, under <config>/fledge-desktop/ (settings.json, app-state.json,
 * plugins.json), as conf (electron-store underneath) writes them: one JSON object each. stores.ts
 * opens them with conf to read and write; a run of this project's CLI only reads two of them, with
 * `readStoreFile`, and so loads neither conf nor its schema compiler.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What AppService needs of a store; electron-store and conf both have it. */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

export const STORE_NAMES = {
  settings: 'settings',
  appState: 'app-state',
  pluginPrefs: 'plugins',
} as const;

export type StoreName = keyof typeof STORE_NAMES;

export function appDataDir(configDir: string): string {
  return join(configDir, 'fledge-desktop');
}

/** The file conf keeps a store in (its `cwd` + `configName` + ".json"). */
export function storeFile(configDir: string, name: StoreName): string {
  return join(appDataDir(configDir), `${STORE_NAMES[name]}.json`);
}

/**
 * What one of the app's files holds now, read-only. A missing file, or one that is not a JSON object,
 * reads as empty, as conf reads it (clearInvalidConfig: the app replaces a damaged file with the
 * defaults when it next opens it; this reader leaves the file as it is).
 */
export function readStoreFile(configDir: string, name: StoreName): KeyValueStore {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(storeFile(configDir, name), 'utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      data = parsed as Record<string, unknown>;
  } catch {
    // missing or damaged: empty, as above
  }
  const readOnly = (): never => {
    throw new Error(`${STORE_NAMES[name]}.json was opened to be read only`);
  };
  return {
    get: (key) => (Object.hasOwn(data, key) ? data[key] : undefined),
    set: readOnly,
    delete: readOnly,
  };
}
