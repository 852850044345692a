// The bundled main process (dist/main.js, what Electron loads: electron external, electron-store and
// the engine inside) starts under Node against a minimal fake `electron`, answers its own window
// and refuses a forged sender. Catches what the source-level tests cannot: bundling and ESM interop.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('dist/main.js', () => {
  it('starts, opens the secure window, answers our window and refuses a forged sender', () => {
    const dir = tempDir('main-bundle');
    const r = spawnSync(
      process.execPath,
      ['--import', join(import.meta.dirname, 'bundle', 'register.mjs'), join(repoRoot, 'dist', 'main.js')],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          FLEDGE_CONFIG_DIR: join(dir, 'config'),
          FAKE_USER_DATA: join(dir, 'ud'),
        },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { what: string; value: unknown })
        .map((l) => [l.what, l.value]),
    ) as Record<string, Record<string, unknown>>;
    expect(lines.window?.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    expect((lines.window?.webPreferences as { preload?: string } | undefined)?.preload).toBe(
      join(repoRoot, 'dist', 'preload.cjs'),
    );
    expect(lines.ours).toMatchObject({
      ok: true,
      result: { mode: 'electron', configDir: join(dir, 'config') },
    });
    expect(lines.forged).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(lines.outside).toMatchObject({ status: 404, csp: expect.stringContaining("default-src 'none'") });
    expect(r.stderr).toMatch(/refused an IPC message: it came from a page that is not Fledge's own/);
  });
});
