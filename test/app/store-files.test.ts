// A CLI run reads the app's settings and per-plugin settings straight from the files conf writes
// (store-files.ts), without conf: it reads what conf wrote, treats what conf would treat as empty as
// empty, never changes a file, and refuses to be written through.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPolicyFor } from '../../electron/engine/app/run-policy.js';
import { readStoreFile, storeFile } from '../../electron/engine/app/store-files.js';
import { appDataDir, openStore } from '../../electron/engine/app/stores.js';
import { tempDir } from '../support/temp.js';

describe("the app's files, read without conf", () => {
  const root = tempDir('store-files');

  it('give back what conf wrote, key by key', () => {
    const configDir = `${root}/written`;
    const store = openStore(configDir, 'pluginPrefs');
    store.set('fledge-hello', { enabled: false, limits: { fuel: 5, timeoutMs: null, memoryMb: 64 } });
    store.set('other', { enabled: true });
    const read = readStoreFile(configDir, 'pluginPrefs');
    expect(read.get('fledge-hello')).toEqual({
      enabled: false,
      limits: { fuel: 5, timeoutMs: null, memoryMb: 64 },
    });
    expect(read.get('other')).toEqual({ enabled: true });
    expect(read.get('missing')).toBeUndefined();
    expect(read.get('constructor')).toBeUndefined(); // own keys only
    expect(storeFile(configDir, 'pluginPrefs')).toBe(`${appDataDir(configDir)}/plugins.json`);
  });

  it('read a missing, damaged or non-object file as empty and leave it as it is', () => {
    const configDir = `${root}/damaged`;
    mkdirSync(appDataDir(configDir), { recursive: true });
    expect(readStoreFile(configDir, 'settings').get('ceilings')).toBeUndefined(); // missing
    for (const text of ['{"ceilings": ', '[1, 2]', 'null', '"text"']) {
      writeFileSync(storeFile(configDir, 'settings'), text);
      expect(readStoreFile(configDir, 'settings').get('ceilings')).toBeUndefined();
      expect(readFileSync(storeFile(configDir, 'settings'), 'utf8')).toBe(text);
    }
  });

  it('cannot be written through', () => {
    const read = readStoreFile(`${root}/readonly`, 'pluginPrefs');
    expect(() => read.set('x', 1)).toThrow(/read only/);
    expect(() => read.delete('x')).toThrow(/read only/);
  });

  it("give a run the plugin's own limits and its disabling, as the app set them", () => {
    const configDir = `${root}/policy`;
    openStore(configDir, 'pluginPrefs').set('fledge-hello', {
      enabled: false,
      limits: { fuel: null, timeoutMs: 1500, memoryMb: null },
    });
    const policy = runPolicyFor(configDir, 'fledge-hello');
    expect(policy.enabled).toBe(false);
    expect(policy.limits.timeoutMs).toBe(1500);
    expect(runPolicyFor(configDir, 'another').enabled).toBe(true);
  });
});
