// The bin/fledge-<command> links the fledge CLI dispatches through: made on install as the CLI makes
// them (golden layout), moved on update, removed on remove, a copy on Windows when links are refused.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkCommands, unlinkCommands } from '../../electron/engine/interop/bin-links.js';
import type { ConsentPrompt } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';
import { golden } from './golden.js';
import { writeWasmPlugin } from './wasm-plugin.js';

const yes: ConsentPrompt = async () => ({ granted: { ...NO_CAPABILITIES, store: true }, allowBuild: false });

function setup() {
  const root = tempDir('binlinks');
  const config = join(root, 'home', '.config', 'fledge');
  return { root, config, plugins: join(config, 'plugins'), service: new PluginService(config, root) };
}

describe('bin/ links', () => {
  it('install makes bin/fledge-<command> -> <plugins>/<name>/<binary>, exactly the CLI layout, binary executable', async () => {
    const { root, plugins, service } = setup();
    const src = await writeWasmPlugin(join(root, 'src', 'wasm-copied'), {
      name: 'fledge-wasm-copied',
      command: 'wasm-copied',
    });
    await service.install(src, yes);
    const link = join(plugins, 'bin', 'fledge-wasm-copied');
    // The CLI's line for the same plugin, from its own layout listing.
    const cliLine = golden('layout.txt', { root })
      .split('\n')
      .find((l) => l.startsWith('plugins/bin/fledge-wasm-copied'))!;
    const cliTarget = cliLine
      .split(' -> ')[1]!
      .replace(`${root}/home/.config/fledge`, join(root, 'home', '.config', 'fledge'));
    expect(readlinkSync(link)).toBe(cliTarget);
    expect(statSync(join(plugins, 'fledge-wasm-copied', 'plugin.wasm')).mode & 0o111).not.toBe(0);
    expect(readFileSync(link).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
  });

  it('an update moves the links to the new commands; remove deletes them (no dangling link)', async () => {
    const { root, plugins, service } = setup();
    const src = join(root, 'src', 'p');
    await writeWasmPlugin(src, { name: 'fledge-moving', command: 'old-cmd' });
    await service.install(src, yes);
    expect(existsSync(join(plugins, 'bin', 'fledge-old-cmd'))).toBe(true);
    await writeWasmPlugin(src, { name: 'fledge-moving', command: 'new-cmd', version: '0.2.0' });
    await service.update('fledge-moving', yes);
    expect(existsSync(join(plugins, 'bin', 'fledge-new-cmd'))).toBe(true);
    expect(() => lstatSync(join(plugins, 'bin', 'fledge-old-cmd'))).toThrow();
    await service.remove('fledge-moving');
    expect(readdirSync(join(plugins, 'bin'))).toEqual([]);
    expect(readdirSync(plugins)).toEqual(['bin']);
  });

  it("remove leaves alone a link that now belongs to another plugin's folder", async () => {
    const { plugins } = setup();
    const bin = join(plugins, 'bin');
    await linkCommands(plugins, 'fledge-a', [{ name: 'shared', binary: 'a.wasm' }]);
    // Another tool re-pointed it at fledge-b.
    const link = join(bin, 'fledge-shared');
    rmSync(link);
    symlinkSync(join(plugins, 'fledge-b', 'b.wasm'), link);
    await unlinkCommands(plugins, 'fledge-a', ['shared']);
    expect(readlinkSync(link)).toBe(join(plugins, 'fledge-b', 'b.wasm'));
    await unlinkCommands(plugins, 'fledge-b', ['shared']);
    expect(
      existsSync(link) ||
        (() => {
          try {
            return lstatSync(link).isSymbolicLink();
          } catch {
            return false;
          }
        })(),
    ).toBe(false);
  });

  it('on Windows: fledge-<command>.exe, and a copy of the binary when the OS refuses the link', async () => {
    const { plugins } = setup();
    const dir = join(plugins, 'fledge-win');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'w.wasm'), 'wasm bytes');
    const refused = async () => {
      throw Object.assign(new Error('A required privilege is not held by the client.'), { code: 'EPERM' });
    };
    const [made] = await linkCommands(plugins, 'fledge-win', [{ name: 'win', binary: 'w.wasm' }], {
      platform: 'win32',
      symlink: refused,
    });
    expect(made).toBe(join(plugins, 'bin', 'fledge-win.exe'));
    expect(lstatSync(made!).isFile()).toBe(true);
    expect(readFileSync(made!, 'utf8')).toBe('wasm bytes');
    await unlinkCommands(plugins, 'fledge-win', ['win'], { platform: 'win32' });
    expect(existsSync(made!)).toBe(false);
  });

  it('refuses command names and binaries that cannot be one link inside bin/, as the CLI does', async () => {
    const { plugins } = setup();
    for (const name of ['../x', 'a/b', '.hidden', '-flag', ''])
      await expect(linkCommands(plugins, 'p', [{ name, binary: 'x.wasm' }])).rejects.toThrow(
        /cannot be a command name/,
      );
    await expect(linkCommands(plugins, 'p', [{ name: 'ok', binary: '../../etc/passwd' }])).rejects.toThrow(
      /inside the plugin folder/,
    );
    expect(existsSync(join(plugins, 'bin', 'fledge-ok'))).toBe(false);
  });
});
