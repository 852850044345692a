// A native plugin's runtime badge comes from the engine (sandboxed / contained / full access), and the
// person can allow or take back full access from the app (plugins.setFullAccess), recorded where the
// CLI's `plugins grant NAME full-access` records it, so each sees the other's choice.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasFullAccess, nativeAccessFile } from '../../electron/engine/native/access-store.js';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { makeProject, nativePlugin } from '../native/helpers.js';
import { runCli } from '../support/cli.js';
import { appWorld, closeAll, installViaApp, pluginFolder, runEnded } from './helpers.js';

afterAll(closeAll);
const contained = (await containmentSupport()).available;

async function nativeWorld(declared: Record<string, boolean> = {}) {
  const world = await appWorld();
  const plugin = nativePlugin('plain.sh', { protocol: false, declared });
  expect((await installViaApp(world, plugin.dir, declared)).state).toBe('succeeded');
  return { world, plugin, pluginDir: join(world.configDir, 'plugins', plugin.name) };
}

/** How the run says it ran (its host log line). */
async function ranAs(world: Awaited<ReturnType<typeof appWorld>>, name: string): Promise<string> {
  await world.client.projects.open({ path: makeProject() });
  const run = await world.client.runs.start({ plugin: name, args: ['0'] });
  await runEnded(world.client, run.id);
  const record = await world.client.runs.get({ runId: run.id });
  const line = record.output.events.find((e) => e.type === 'log' && /runs native/.test(e.message));
  return line && line.type === 'log' ? line.message : '(no line)';
}

describe('the runtime badge comes from the engine', () => {
  it('a WASM plugin: sandboxed', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello');
    await installViaApp(world, dir);
    const [p] = await world.client.plugins.list();
    expect(p?.access).toEqual({
      mode: 'sandboxed',
      detail: expect.stringMatching(/^Runs in Fledge's sandbox/),
      fullAccessAllowed: false,
      containable: true,
    });
  });

  it('a native plugin: contained where bwrap works (read-only project, no network unless granted), in the list and the detail page', async () => {
    const { world, plugin } = await nativeWorld();
    const [row] = await world.client.plugins.list();
    const detail = await world.client.plugins.get({ name: plugin.name });
    for (const view of [row!, detail]) {
      expect(view.access.fullAccessAllowed).toBe(false);
      if (contained) {
        expect(view.access.mode).toBe('contained');
        expect(view.access.detail).toMatch(/can read this project but not change it/);
        expect(view.access.detail).toMatch(/has no network \(unless you grant it\)/);
      } else {
        expect(view.access).toMatchObject({ mode: 'full', containable: false });
      }
    }
  });

  it.skipIf(!contained)('says so when the network is granted and its data folder is writable', async () => {
    const { world } = await nativeWorld({ network: true });
    const [row] = await world.client.plugins.list();
    expect(row?.access.detail).toMatch(/can use the network \(you granted it\)/);
  });
});

describe('plugins.setFullAccess', () => {
  it('allows full access as the CLI records it (the run, the audit and the badge agree), and takes it back in one call', async () => {
    const { world, plugin, pluginDir } = await nativeWorld();
    const env = { FLEDGE_CONFIG_DIR: world.configDir };
    const changed = world.seen.length;
    const allowed = await world.client.plugins.setFullAccess({ name: plugin.name, allowed: true });
    expect(allowed.access).toMatchObject({ mode: 'full', fullAccessAllowed: true });
    expect(allowed.access.detail).toMatch(/It can do anything you can do/);
    // Events travel in batches at most every 16 ms: the reply can come first.
    await expect.poll(() => world.seen.slice(changed).some((e) => e.name === 'plugins.changed')).toBe(true);
    // Where the CLI keeps it, bound to the program as it is now.
    const record = JSON.parse(readFileSync(nativeAccessFile(world.configDir), 'utf8'))[plugin.name];
    expect(record.binaries[plugin.binary]).toMatch(/^[0-9a-f]{64}$/);
    expect(await hasFullAccess(world.configDir, plugin.name, pluginDir)).toBe(true);
    expect(runCli(['plugins', 'audit'], env).stdout).toMatch(
      /full access: you allowed it to run uncontained/,
    );
    expect(await ranAs(world, plugin.name)).toMatch(/runs native, full access/);

    const back = await world.client.plugins.setFullAccess({ name: plugin.name, allowed: false });
    expect(back.access.fullAccessAllowed).toBe(false);
    expect(back.access.mode).toBe(contained ? 'contained' : 'full');
    expect(await hasFullAccess(world.configDir, plugin.name, pluginDir)).toBe(false);
    if (contained) expect(await ranAs(world, plugin.name)).toMatch(/runs native, contained/);
  });

  it('sees the CLI allowing and taking back full access', async () => {
    const { world, plugin } = await nativeWorld();
    const env = { FLEDGE_CONFIG_DIR: world.configDir };
    expect(runCli(['plugins', 'grant', plugin.name, 'full-access'], env).code).toBe(0);
    expect((await world.client.plugins.get({ name: plugin.name })).access).toMatchObject({
      mode: 'full',
      fullAccessAllowed: true,
    });
    expect(runCli(['plugins', 'revoke', plugin.name, 'full-access'], env).code).toBe(0);
    expect((await world.client.plugins.get({ name: plugin.name })).access.fullAccessAllowed).toBe(false);
  });

  it('a changed program is contained again, and full access is refused until it is approved', async () => {
    const { world, plugin, pluginDir } = await nativeWorld();
    await world.client.plugins.setFullAccess({ name: plugin.name, allowed: true });
    writeFileSync(join(pluginDir, plugin.binary), '#!/bin/sh\necho changed\n');
    const after = await world.client.plugins.get({ name: plugin.name });
    expect(after.access.fullAccessAllowed).toBe(false);
    expect(after.consent.state).toBe('needs_approval');
    await expect(
      world.client.plugins.setFullAccess({ name: plugin.name, allowed: true }),
    ).rejects.toMatchObject({
      code: 'plugin_needs_approval',
    });
    expect(await hasFullAccess(world.configDir, plugin.name, pluginDir)).toBe(false);
  });

  it('refuses a WASM plugin, a plugin that is not installed, and malformed requests, changing nothing', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello');
    await installViaApp(world, dir);
    await expect(
      world.client.plugins.setFullAccess({ name: 'fledge-hello', allowed: true }),
    ).rejects.toMatchObject({
      code: 'grant_not_native',
    });
    await expect(world.client.plugins.setFullAccess({ name: 'nobody', allowed: true })).rejects.toMatchObject(
      {
        code: 'plugin_not_installed',
      },
    );
    for (const params of [
      { name: 'fledge-hello', allowed: 'yes' },
      { name: 'fledge-hello' },
      { name: 'fledge-hello', allowed: true, binaries: {} },
      { name: '../fledge-hello', allowed: true },
      JSON.parse('{"name":"fledge-hello","allowed":true,"__proto__":{"x":1}}'),
    ]) {
      const reply = await world.service.dispatch('plugins.setFullAccess', params);
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    }
    expect(() => readFileSync(nativeAccessFile(world.configDir))).toThrow();
  });
});
