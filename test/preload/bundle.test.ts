// The bundled preload (dist/preload.cjs) as a sandboxed renderer runs it: one CommonJS script whose
// only require is `electron` (a sandboxed preload gets nothing else: no fs, no path, no npm), which
// exposes exactly window.fledge and window.fledgeFiles, and whose client talks over ipcRenderer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

describe('dist/preload.cjs', () => {
  it('requires only electron and exposes window.fledge and window.fledgeFiles', async () => {
    const code = readFileSync(join(repoRoot, 'dist', 'preload.cjs'), 'utf8');
    const required: string[] = [];
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
      ipcRenderer: {
        invoke: async (channel: string, message: unknown) => {
          invoked.push([channel, message]);
          return {
            ok: true,
            result: {
              name: 'Fledge Desktop',
              version: '0',
              mode: 'electron',
              platform: 'linux',
              configDir: '/c',
              appDataDir: '/c/fledge-desktop',
              fledgeVersion: '1.7.0',
            },
          };
        },
        on() {},
        removeListener() {},
      },
      webUtils: { getPathForFile: () => '/dropped/plugin.zip' },
    };
    const require = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    };
    const module = { exports: {} };
    runInNewContext(code, {
      require,
      module,
      exports: module.exports,
      console,
      setTimeout,
      clearTimeout,
      queueMicrotask,
    });
    expect([...new Set(required)]).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['fledge', 'fledgeFiles']);
    const fledge = exposed.fledge as { app: { info(): Promise<{ mode: string }> } };
    expect((await fledge.app.info()).mode).toBe('electron');
    expect(invoked).toEqual([['fledge:call', { method: 'app.info', params: {} }]]);
    expect((exposed.fledgeFiles as { pathForFile(f: unknown): string | null }).pathForFile({})).toBe(
      '/dropped/plugin.zip',
    );
  });
});
