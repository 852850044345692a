// `run <name>` for installed plugins: recorded grants, consent re-approval, the current project.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('run an installed plugin', () => {
  it('runs by plugin or command name with the grants recorded at install, and only those', async () => {
    const root = tempDir('run-installed');
    const cfg = { FLEDGE_CONFIG_DIR: join(root, 'cfg') };
    const src = makePlugin(await fixtureWasm('capabilities'), {
      root,
      name: 'fledge-caps',
      declared: { exec: true, store: true, metadata: true },
    });
    expect(runCli(['plugins', 'install', src.dir, '--grant', 'store'], cfg).code).toBe(0);
    // By name: store works (the value comes back), exec is denied (code 126), metadata is {}.
    const r = runCli(['run', 'fledge-caps'], cfg);
    expect(r.code, r.stderr).toBe(0);
    const [exec, stored, metadata] = r.stdout.split('\n');
    expect(JSON.parse(exec!)).toMatchObject({ code: 126 });
    expect(stored).toBe('"v"');
    expect(metadata).toBe('{}');
    // The store wrote state.json in the INSTALLED plugin's folder.
    expect(
      JSON.parse(readFileSync(join(root, 'cfg', 'plugins', 'fledge-caps', 'state.json'), 'utf8')),
    ).toMatchObject({
      k: 'v',
    });
    // --grant narrows a recorded grant, never widens it.
    const narrowed = runCli(['run', 'fledge-caps', '--grant', 'exec'], cfg);
    expect(JSON.parse(narrowed.stdout.split('\n')[0]!)).toMatchObject({ code: 126 });
    expect(narrowed.stdout.split('\n')[1]).toBe('null');
  });

  it('refuses a plugin whose wasm changed after consent until it is approved again', async () => {
    const root = tempDir('run-changed');
    const cfg = { FLEDGE_CONFIG_DIR: join(root, 'cfg') };
    const src = makePlugin(await fixtureWasm('hello'), { root, name: 'fledge-hello' });
    expect(runCli(['plugins', 'install', src.dir, '--yes'], cfg).code).toBe(0);
    expect(runCli(['run', 'fledge-hello'], cfg).stdout).toBe('hello');
    const installed = join(root, 'cfg', 'plugins', 'fledge-hello', 'plugin.wasm');
    writeFileSync(installed, await fixtureWasm('exit-code', { CODE: 7 }));
    const refused = runCli(['run', 'fledge-hello', '--json'], cfg);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      type: 'exit',
      reason: 'error',
      message: expect.stringContaining('plugin.wasm changed on disk after you approved it'),
    });
    expect(runCli(['plugins', 'approve', 'fledge-hello'], cfg).code).toBe(0);
    expect(runCli(['run', 'fledge-hello'], cfg).code).toBe(7);
  });

  it('an unknown name is a clear error', () => {
    const root = tempDir('run-unknown');
    const r = runCli(['run', 'nothing-here'], { FLEDGE_CONFIG_DIR: join(root, 'cfg') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no installed plugin or command is named "nothing-here"');
  });
});

describe('the prepared module made at install', () => {
  it('is the one the first run uses (same cache key), with no rebuild warning', async () => {
    const root = tempDir('run-prepared');
    const cfg = { FLEDGE_CONFIG_DIR: join(root, 'cfg') };
    const src = makePlugin(await fixtureWasm('hello'), { root, name: 'fledge-prepared' });
    expect(runCli(['plugins', 'install', src.dir, '--yes'], cfg).code).toBe(0);
    const installed = join(root, 'cfg', 'plugins', 'fledge-prepared');
    const stampBefore = readFileSync(join(installed, 'plugin.wasm.fuel.stamp'), 'utf8');
    const r = runCli(['run', 'fledge-prepared', '--json'], cfg);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/stamp|rebuilt|prepared again/i);
    expect(readFileSync(join(installed, 'plugin.wasm.fuel.stamp'), 'utf8')).toBe(stampBefore);
  });
});
