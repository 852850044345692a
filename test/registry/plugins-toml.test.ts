import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fledgePaths, resolveConfigDir } from '../../electron/engine/registry/config-dir.js';
import {
  parseRegistry,
  RegistryError,
  readRegistry,
  serializeRegistry,
  updateRegistry,
} from '../../electron/engine/registry/plugins-toml.js';
import { tempDir } from '../support/temp.js';

// A plugins.toml in the shape the fledge CLI writes it, with a field and a table this version does not know.
const CLI_FILE = `future_setting = "keep me"

[[plugins]]
name = "fledge-lint"
source = "CorvidLabs/fledge-lint"
version = "1.2.0"
installed = "2026-03-01T10:00:00Z"
commands = ["lint", "lint-fix"]
pinned_ref = "v1.2.0"
runtime = "wasm"
mirror = "somewhere"

[plugins.capabilities]
exec = false
store = true
metadata = false
filesystem = "project"
network = false

[[plugins]]
name = "fledge-deploy"
source = "/home/me/src/deploy"
version = "0.3.1"
installed = 2026-03-02T11:30:00Z
commands = ["deploy"]
`;

describe('config dir', () => {
  const home = '/home/me';
  it('FLEDGE_CONFIG_DIR wins', () => {
    expect(resolveConfigDir({ env: { FLEDGE_CONFIG_DIR: '/tmp/cfg' }, platform: 'linux', home })).toBe(
      '/tmp/cfg',
    );
  });
  it('is the platform config dir + fledge, as the fledge CLI', () => {
    expect(resolveConfigDir({ env: {}, platform: 'linux', home })).toBe('/home/me/.config/fledge');
    expect(resolveConfigDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home })).toBe(
      '/xdg/fledge',
    );
    expect(resolveConfigDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home })).toBe(
      '/home/me/.config/fledge',
    );
    expect(resolveConfigDir({ env: {}, platform: 'darwin', home })).toBe(
      '/home/me/Library/Application Support/fledge',
    );
  });
  it('names plugins.toml and plugins/ under it', () => {
    expect(fledgePaths('/c')).toEqual({
      configDir: '/c',
      registryFile: '/c/plugins.toml',
      pluginsDir: '/c/plugins',
    });
  });
});

describe('plugins.toml', () => {
  it('reads the fields the fledge CLI writes', () => {
    const reg = parseRegistry(CLI_FILE);
    expect(reg.plugins).toHaveLength(2);
    expect(reg.plugins[0]).toMatchObject({
      name: 'fledge-lint',
      source: 'CorvidLabs/fledge-lint',
      version: '1.2.0',
      installed: '2026-03-01T10:00:00Z',
      commands: ['lint', 'lint-fix'],
      pinned_ref: 'v1.2.0',
      runtime: 'wasm',
      capabilities: { exec: false, store: true, metadata: false, filesystem: 'project', network: false },
    });
    // A TOML datetime (unquoted) reads as the same RFC 3339 text.
    expect(reg.plugins[1]?.installed).toBe('2026-03-02T11:30:00.000Z');
    expect(reg.plugins[1]?.capabilities).toBeUndefined();
  });

  it('keeps entries and fields it does not understand when written back', () => {
    const again = parseRegistry(serializeRegistry(parseRegistry(CLI_FILE)));
    expect(again.extra).toEqual({ future_setting: 'keep me' });
    expect(again.plugins[0]?.extra).toEqual({ mirror: 'somewhere' });
    expect(again.plugins.map((p) => p.name)).toEqual(['fledge-lint', 'fledge-deploy']);
  });

  it('writes capabilities in the CLI shape, never the desktop-only grants (the CLI would drop them)', () => {
    const reg = parseRegistry(CLI_FILE);
    const text = serializeRegistry(reg);
    expect(text).toContain(
      '[plugins.capabilities]\nexec = false\nstore = true\nmetadata = false\nfilesystem = "project"\nnetwork = false\n',
    );
    expect(text).not.toContain('clock');
    reg.plugins[0]!.capabilities!.clock = true;
    expect(serializeRegistry(reg)).not.toContain('clock');
  });

  it('a missing file is an empty registry', async () => {
    const dir = tempDir('reg-missing');
    expect(await readRegistry(join(dir, 'plugins.toml'))).toEqual({ plugins: [], extra: {} });
  });

  it('updates atomically and leaves no temp files behind', async () => {
    const dir = tempDir('reg-update');
    const file = join(dir, 'plugins.toml');
    writeFileSync(file, CLI_FILE);
    await updateRegistry(file, (reg) => {
      reg.plugins = reg.plugins.filter((p) => p.name !== 'fledge-deploy');
    });
    // No temp file left; the app's own records beside it, in its own folder.
    expect(readdirSync(dir).sort()).toEqual(['fledge-desktop', 'plugins.toml']);
    expect(readdirSync(join(dir, 'fledge-desktop')).sort()).toEqual(['registry.json']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('future_setting = "keep me"');
    expect(text).not.toContain('fledge-deploy');
  });

  it.each([
    ['a TOML syntax error', '[[plugins]\nname = "x"\n', /line 1, column \d+/],
    ['a plugin without a name', '[[plugins]]\nsource = "x"\n', /plugins\[0\]\.name is missing/],
    ['plugins that is not a list', 'plugins = "x"\n', /"plugins" must be a list/],
    [
      'a bad granted capability',
      '[[plugins]]\nname = "x"\n[plugins.capabilities]\nexec = "yes"\n',
      /plugins\[0\]\.capabilities\.exec must be true or false \(got "yes"\)/,
    ],
    ['a plugin listed twice', '[[plugins]]\nname = "x"\n[[plugins]]\nname = "x"\n', /listed twice/],
  ])('a damaged file (%s) is reported clearly and never overwritten', async (_what, text, pattern) => {
    const dir = tempDir('reg-corrupt');
    const file = join(dir, 'plugins.toml');
    writeFileSync(file, text);
    await expect(readRegistry(file)).rejects.toThrow(pattern);
    await expect(
      updateRegistry(file, (reg) => {
        reg.plugins = [];
      }),
    ).rejects.toBeInstanceOf(RegistryError);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
