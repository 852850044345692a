// Plugins the fledge CLI 1.8 installed (its own plugins.toml and layout, golden): listed with what
// the screens say about them, run here after review, removed without touching a linked folder.
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostError } from '../../electron/engine/host/errors.js';
import { PluginStore } from '../../electron/engine/host/store.js';
import type { ConsentPrompt } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { readRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { golden } from './golden.js';
import { writeWasmPlugin } from './wasm-plugin.js';

/** The state the CLI leaves after installing a linked WASM plugin and a plain native one (layout.txt). */
async function cliInstalled() {
  const root = tempDir('cli-installed');
  const config = join(root, 'home', '.config', 'fledge');
  const plugins = join(config, 'plugins');
  mkdirSync(join(plugins, 'bin'), { recursive: true });
  const linkedSrc = await writeWasmPlugin(join(root, 'src', 'wasm-linked'), {
    name: 'fledge-wasm-linked',
    command: 'wasm-linked',
    storeKeys: 3,
  });
  writeFileSync(join(linkedSrc, 'state.json'), golden('state.json'));
  const nativeSrc = join(root, 'src', 'native-plain');
  mkdirSync(join(nativeSrc, 'bin'), { recursive: true });
  writeFileSync(
    join(nativeSrc, 'plugin.toml'),
    '[plugin]\nname = "fledge-native-plain"\nversion = "1.0.0"\n\n[[commands]]\nname = "native-plain"\nbinary = "bin/native-plain"\n\n[capabilities]\nexec = true\n',
  );
  writeFileSync(join(nativeSrc, 'bin', 'native-plain'), '#!/bin/sh\necho native\n', { mode: 0o755 });
  symlinkSync(linkedSrc, join(plugins, 'fledge-wasm-linked'));
  symlinkSync(nativeSrc, join(plugins, 'fledge-native-plain'));
  symlinkSync(join(plugins, 'fledge-wasm-linked', 'plugin.wasm'), join(plugins, 'bin', 'fledge-wasm-linked'));
  symlinkSync(
    join(plugins, 'fledge-native-plain', 'bin', 'native-plain'),
    join(plugins, 'bin', 'fledge-native-plain'),
  );
  // Only the two entries made above, exactly as the CLI wrote them.
  const file = golden('plugins.toml', { root, date: '2026-12-01' });
  const entries = file.split('[[plugins]]\n').filter((e) => /fledge-(wasm-linked|native-plain)"/.test(e));
  writeFileSync(
    join(config, 'plugins.toml'),
    entries
      .map((e) => `[[plugins]]\n${e}`)
      .join('')
      .trimEnd() + '\n',
  );
  return { root, config, plugins, linkedSrc, nativeSrc, service: new PluginService(config, root) };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as HostError,
  );

describe('plugins installed by the fledge CLI', () => {
  it('audit rows say "linked to <folder>", "granted everything it declares, by the fledge CLI" and "installed by the CLI"', async () => {
    const { service, linkedSrc, nativeSrc } = await cliInstalled();
    const rows = Object.fromEntries((await service.audit()).map((r) => [r.name, r]));
    expect(rows['fledge-wasm-linked']).toMatchObject({
      linkedTo: linkedSrc,
      // Installed with the CLI's all-or-nothing consent: the whole declared set (store) is granted.
      grantedAllByCli: true,
      changedByCli: 'installed',
      installedBy: 'fledge-cli',
      granted: { ...NO_CAPABILITIES, store: true },
      sandboxed: true,
    });
    // Its store is the author's folder's state.json (the CLI's linked install).
    expect(rows['fledge-wasm-linked']?.store?.keys).toBe(3);
    expect(rows['fledge-native-plain']).toMatchObject({
      linkedTo: nativeSrc,
      grantedAllByCli: true,
      changedByCli: 'installed',
      granted: { ...NO_CAPABILITIES, exec: true },
    });
  });

  it('plugins audit and plugins list say it in words', async () => {
    const { config, linkedSrc } = await cliInstalled();
    const audit = runCli(['plugins', 'audit'], { FLEDGE_CONFIG_DIR: config });
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain(
      `linked to ${linkedSrc} (its files are that folder's; remove deletes only the link)`,
    );
    expect(audit.stdout).toContain('granted everything it declares, by the fledge CLI');
    expect(audit.stdout).toContain(
      'installed by the fledge CLI since this app last looked: check it, then "fledge-desktop plugins approve fledge-wasm-linked"',
    );
    const list = runCli(['plugins', 'list'], { FLEDGE_CONFIG_DIR: config });
    expect(list.stdout).toMatch(/fledge-native-plain .* all it declares \(by the fledge CLI\)/);
  });

  it('runs here only after review; then with the grants the CLI recorded', async () => {
    const { service } = await cliInstalled();
    const err = await refusal(service.resolveRunnable('wasm-linked'));
    expect(err?.code).toBe('consent_required');
    expect(err?.message).toMatch(
      /"fledge-wasm-linked" was installed by the fledge CLI since this app last looked/,
    );
    // The engine's usual last sentence, which each front end rewords (the app: "on its page").
    expect(err?.message).toMatch(/ Run "plugins approve fledge-wasm-linked" after checking it\.$/);
    await service.approve('fledge-wasm-linked');
    const runnable = await service.resolveRunnable('wasm-linked');
    expect(runnable.granted).toEqual({ ...NO_CAPABILITIES, store: true });
    const row = (await service.audit()).find((r) => r.name === 'fledge-wasm-linked');
    expect(row).toMatchObject({ changedByCli: null, installedBy: 'fledge-desktop', grantedAllByCli: false });
  });

  it('a plugin the CLI changed after approval (e.g. re-granted with --force) is reviewed again', async () => {
    const { service, config } = await cliInstalled();
    await service.approve('fledge-wasm-linked');
    const file = join(config, 'plugins.toml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('store = true', 'store = false'));
    expect((await service.audit()).find((r) => r.name === 'fledge-wasm-linked')?.changedByCli).toBe(
      'changed',
    );
    expect((await refusal(service.resolveRunnable('wasm-linked')))?.message).toMatch(
      /was changed by the fledge CLI/,
    );
  });

  it('removing a linked install removes the link and its bin/ link, never the folder or its store', async () => {
    const { service, plugins, linkedSrc } = await cliInstalled();
    await service.remove('fledge-wasm-linked');
    expect(() => lstatSync(join(plugins, 'fledge-wasm-linked'))).toThrow();
    expect(() => lstatSync(join(plugins, 'bin', 'fledge-wasm-linked'))).toThrow();
    expect(existsSync(join(linkedSrc, 'plugin.toml'))).toBe(true);
    expect(await new PluginStore(linkedSrc).keys()).toHaveLength(3);
    expect(existsSync(join(plugins, 'bin', 'fledge-native-plain'))).toBe(true);
    expect((await readRegistry(join(plugins, '..', 'plugins.toml'))).plugins.map((p) => p.name)).toEqual([
      'fledge-native-plain',
    ]);
  });

  it('update of a linked install is refused plainly, as the CLI skips it, and moves nothing out of the folder', async () => {
    const { service, linkedSrc } = await cliInstalled();
    const yes: ConsentPrompt = async () => ({
      granted: { ...NO_CAPABILITIES, store: true },
      allowBuild: false,
    });
    const err = await refusal(service.update('fledge-wasm-linked', yes));
    expect(err?.code).toBe('update_linked');
    expect(err?.message).toContain(`is linked to ${linkedSrc}`);
    expect(existsSync(join(linkedSrc, 'state.json'))).toBe(true);
  });

  it('revoking from an entry without a capabilities table starts from what the CLI grants it', async () => {
    const { service } = await cliInstalled();
    const granted = await service.revoke('fledge-native-plain', ['store']);
    expect(granted).toEqual({ ...NO_CAPABILITIES, exec: true });
    const row = (await service.audit()).find((r) => r.name === 'fledge-native-plain');
    expect(row).toMatchObject({ grantedAllByCli: false, granted: { ...NO_CAPABILITIES, exec: true } });
  });
});

describe('what this app installs, the CLI finds', () => {
  it('no folder of the app is left in the CLI plugins dir after installs, a failed install and a remove', async () => {
    const root = tempDir('no-clutter');
    const config = join(root, 'config');
    const service = new PluginService(config, root);
    const yes: ConsentPrompt = async () => ({ granted: { ...NO_CAPABILITIES }, allowBuild: false });
    const a = await writeWasmPlugin(join(root, 'a'), { name: 'fledge-a', command: 'a' });
    await service.install(a, yes);
    const broken = join(root, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'plugin.toml'), '[plugin]\nname = "x"\n');
    await expect(service.install(broken, yes)).rejects.toThrow();
    // An older version's plugins/.staging, empty: cleaned away.
    mkdirSync(join(config, 'plugins', '.staging'));
    const b = await writeWasmPlugin(join(root, 'b'), { name: 'fledge-b', command: 'b' });
    await service.install(b, yes);
    await service.remove('fledge-a');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(config, 'plugins')).sort()).toEqual(['bin', 'fledge-b']);
    expect(readdirSync(join(config, 'plugins', 'bin'))).toEqual(['fledge-b']);
  });
});
