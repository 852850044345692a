// The Electron main process entry (bundled to dist/main.js, package.json "main").
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as electron from 'electron';
import ElectronStore from 'electron-store';
import type { KeyValueStore } from '../engine/app/index.js';
import { startMain } from './start-main.js';

export const started = startMain(electron, {
  distDir: dirname(fileURLToPath(import.meta.url)),
  env: process.env,
  createStore: ({ cwd, name }) =>
    new ElectronStore<Record<string, unknown>>({
      cwd,
      name,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: true,
    }) as unknown as KeyValueStore,
}).catch((err: Error) => {
  process.stderr.write(`Fledge could not start: ${err.stack ?? err.message}\n`);
  electron.app.exit(1);
  return null;
});
