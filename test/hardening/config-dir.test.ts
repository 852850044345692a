// Item 8 of the hardening issue: when the project folder holds the config dir (a person picks their
// home folder), a plugin granted filesystem = "project" must still not read prepare-cache.key (or
// plugins.toml, or other plugins' folders, wherever they are). The config dir and the other plugins'
// folders are hidden from /project, by identity: directly, through a link, through `..`, and in listings.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunManager } from '../../electron/engine/runs/index.js';
import type { RunEvent } from '../../electron/sandbox/protocol.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { makePlugin } from '../sandbox/helpers.js';
import { tempDir, writeTree } from '../support/temp.js';

describe('the config dir inside the project', () => {
  const managers: RunManager[] = [];
  afterAll(async () => {
    for (const m of managers) await m.close();
  });

  it('is hidden from /project: no key, no registry, no other plugin, however it is reached', async () => {
    const home = tempDir('home');
    const config = join(home, '.config', 'fledge');
    writeTree(home, {
      'notes.txt': 'mine',
      '.config/fledge/prepare-cache.key': 'a'.repeat(64),
      '.config/fledge/plugins.toml': '[[plugins]]\nname = "other"\n',
      '.config/fledge/plugins/other/state.json': '{"token":"x"}',
      '.config/other-app/settings.json': '{}',
      'src/other-plugin/state.json': '{"token":"y"}',
      'src/other-plugin/plugin.toml': '',
    });
    // A linked install of another plugin whose folder is inside the project.
    symlinkSync(join(home, 'src', 'other-plugin'), join(config, 'plugins', 'linked'));
    symlinkSync('.config/fledge', join(home, 'link-to-config'));
    const out = join(tempDir('peek-c'), 'peek.wasm');
    execFileSync('clang', [
      '--target=wasm32-wasi',
      '-O2',
      resolve(import.meta.dirname, 'fixtures', 'peek-project.c'),
      '-o',
      out,
    ]);
    const plugin = makePlugin(new Uint8Array(readFileSync(out)), { declared: { filesystem: 'project' } });
    mkdirSync(join(plugin.dir, 'data'), { recursive: true });
    const manager = new RunManager({ poolSize: 0, configDir: config });
    managers.push(manager);
    const run = manager.start({
      plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
      command: plugin.name,
      binary: plugin.binary,
      project: { name: 'home', root: home, language: 'unknown', git: null },
      grants: { ...NO_CAPABILITIES, filesystem: 'project' },
    });
    const events: RunEvent[] = [];
    run.subscribe((b) => events.push(...b));
    const end = await run.ended;
    const output = events.map((e) => (e.type === 'output' ? e.text : '')).join('');
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(output).toContain('read /project/notes.txt: ok (4 bytes)');
    for (const path of [
      '/project/.config/fledge/prepare-cache.key',
      '/project/.config/fledge/plugins.toml',
      '/project/.config/fledge/plugins/other/state.json',
      '/project/link-to-config/prepare-cache.key',
      '/project/.config/../.config/fledge/prepare-cache.key',
      '/project/src/other-plugin/state.json',
    ])
      expect(output).toContain(`read ${path}: No such file or directory`);
    expect(output).toContain('list /project/.config: other-app\n');
    expect(output).toContain('list /project/.config/fledge: No such file or directory');
    expect(output).toContain('list /project/src:\n');
    expect(output).not.toContain('aaaa');
    writeFileSync(join(home, 'notes.txt'), 'still mine');
  }, 60_000);
});
