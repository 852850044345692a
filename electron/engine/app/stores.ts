/**
 * Where the app keeps its own data, under <config>/fledge-desktop/: settings.json, app-state.json
 * and plugins.json (per-plugin limits and enabled/disabled) in conf's format, which is
 * electron-store's (electron-store is conf underneath): Electron passes electron-store instances made
 * with `cwd: appDataDir(configDir)` and these names; headless, conf writes the same files.
 */
import Conf from 'conf';
import { appDataDir, type KeyValueStore, STORE_NAMES, type StoreName } from './store-files.js';

export { appDataDir, type KeyValueStore, STORE_NAMES, type StoreName } from './store-files.js';

/** A conf store for one of the app's files (the same JSON electron-store writes). */
export function openStore(configDir: string, name: StoreName): KeyValueStore {
  return new Conf<Record<string, unknown>>({
    cwd: appDataDir(configDir),
    configName: STORE_NAMES[name],
    projectName: 'fledge-desktop',
    // Keys are plugin names and setting names: never paths into nested objects.
    accessPropertiesByDotNotation: false,
    // A damaged file is replaced by the defaults rather than stopping the app.
    clearInvalidConfig: true,
  });
}
