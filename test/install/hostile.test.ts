// Attacks on the installer by a hostile plugin author: links that would widen what a plugin can reach
// at run time, modes, special files, and git source specs that try to smuggle in options.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloneRepository } from '../../electron/engine/install/git-source.js';
import { parseSource } from '../../electron/engine/install/source.js';
import { stagePlugin, swapIntoPlace } from '../../electron/engine/install/staging.js';
import { git } from '../host/helpers.js';
import { MANIFEST, makeTar } from './archives.js';
import { makePluginDir, refusal, world } from './helpers.js';

describe('links that would hand a plugin its own install folder', () => {
  // `filesystem = "plugin"` mounts <plugin>/data read-write after resolving it: a `data` link to `.`
  // would give the plugin write access to its plugin.toml, binaries and compiled-module cache.
  for (const [name, target] of [
    ['data', '.'],
    ['data', 'bin'],
    ['state.json', 'plugin.toml'],
  ] as const) {
    it(`a folder whose ${name} is a link (to ${target}) is refused`, async () => {
      const { base, pluginsDir } = world();
      const src = makePluginDir(join(base, 'src'));
      symlinkSync(target, join(src, name));
      const err = await refusal(stagePlugin(src, { pluginsDir }));
      expect(err.code).toBe('source_reserved_name');
      expect(err.message).toContain(`"${name}"`);
    });
  }

  it('the same from a git repository', async () => {
    const { base, pluginsDir } = world();
    const work = makePluginDir(join(base, 'work'));
    symlinkSync('.', join(work, 'data'));
    git(work, 'init', '-q');
    git(work, 'add', '.');
    git(work, 'commit', '-qm', 'x');
    const err = await refusal(stagePlugin(`git+file://${work}`, { pluginsDir }));
    expect(err.code).toBe('source_reserved_name');
  });

  it('a repository with a link leaving it, or a submodule, installs neither', async () => {
    const { base, pluginsDir } = world();
    const work = makePluginDir(join(base, 'work'));
    symlinkSync('/etc/passwd', join(work, 'bin', 'passwd'));
    git(work, 'init', '-q');
    git(work, 'add', '.');
    git(work, 'commit', '-qm', 'x');
    const err = await refusal(stagePlugin(`git+file://${work}`, { pluginsDir }));
    expect(err.code).toBe('source_symlink_escapes');

    const sub = makePluginDir(join(base, 'sub'));
    git(sub, 'init', '-q');
    git(sub, 'add', '.');
    git(sub, 'commit', '-qm', 'x');
    const top = makePluginDir(join(base, 'top'));
    git(top, 'init', '-q');
    git(top, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'vendor');
    git(top, 'add', '.');
    git(top, 'commit', '-qm', 'x');
    const staged = await stagePlugin(`git+file://${top}`, { pluginsDir });
    expect(existsSync(join(staged.dir, 'vendor', 'plugin.toml'))).toBe(false);
    await staged.discard();
  });

  it('a real data/ folder shipped with the plugin is fine', async () => {
    const { base, pluginsDir } = world();
    const src = makePluginDir(join(base, 'src'));
    mkdirSync(join(src, 'data'));
    writeFileSync(join(src, 'data', 'seed.txt'), 'x');
    const staged = await stagePlugin(src, { pluginsDir });
    const { path } = await swapIntoPlace(staged, pluginsDir, 'demo');
    expect(readFileSync(join(path, 'data', 'seed.txt'), 'utf8')).toBe('x');
  });
});

describe('archives', () => {
  it('setuid, setgid, sticky and world-writable modes are not kept', async () => {
    const { base, pluginsDir } = world();
    const tgz = join(base, 'modes.tar.gz');
    await makeTar(tgz, [
      { name: 'plugin.toml', data: MANIFEST },
      { name: 'bin/demo.sh', data: '#!/bin/sh\n', mode: 0o6777 },
      { name: 'bin/other', data: 'x', mode: 0o1666 },
    ]);
    const staged = await stagePlugin(tgz, { pluginsDir });
    expect(statSync(join(staged.dir, 'bin', 'demo.sh')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(staged.dir, 'bin', 'other')).mode & 0o7777).toBe(0o644);
    await staged.discard();
  });

  it('a file then a folder of the same name, and a duplicate entry, are refused', async () => {
    const { base, pluginsDir } = world();
    const a = join(base, 'a.tar');
    await makeTar(
      a,
      [
        { name: 'plugin.toml', data: MANIFEST },
        { name: 'x', data: '1' },
        { name: 'x/y', data: '2' },
      ],
      false,
    );
    await refusal(stagePlugin(a, { pluginsDir }));
    const b = join(base, 'b.tar');
    await makeTar(
      b,
      [
        { name: 'plugin.toml', data: MANIFEST },
        { name: 'x', data: '1' },
        { name: './x', data: '2' },
      ],
      false,
    );
    expect((await refusal(stagePlugin(b, { pluginsDir }))).code).toBe('archive_duplicate_entry');
  });
});

describe('a fifo in a plugin folder', () => {
  it('is refused without hanging the copy', async () => {
    const { base, pluginsDir } = world();
    const src = makePluginDir(join(base, 'src'));
    execFileSync('mkfifo', [join(src, 'bin', 'pipe')]);
    expect((await refusal(stagePlugin(src, { pluginsDir }))).code).toBe('source_special_file');
  });
});

describe('git source specs cannot smuggle options or transports', () => {
  it('option-looking specs, ext:: and other transports are refused before git runs', async () => {
    const { base } = world();
    const marker = join(base, 'pwned');
    for (const spec of [
      `--upload-pack=touch ${marker}`,
      `-c core.sshCommand=touch ${marker}`,
      `ext::sh -c touch% ${marker}`,
      `fd::3`,
      `CorvidLabs/x@--upload-pack=touch`,
      `CorvidLabs/x@-oops`,
      `https://github.com/a/b@--upload-pack=x`,
    ]) {
      await refusal(parseSource(spec, base));
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('an ssh host that is an option never reaches ssh', async () => {
    const { base } = world();
    const marker = join(base, 'pwned');
    for (const url of [
      `ssh://-oProxyCommand=touch%20${marker}/x`,
      `ssh://git@-oProxyCommand=touch%20${marker}/x`,
      'git@-oProxyCommand:x',
      `-oProxyCommand=touch:x`,
    ]) {
      await refusal(cloneRepository(url, null, join(base, 'dest'), { timeoutMs: 20_000 }));
    }
    expect(existsSync(marker)).toBe(false);
  });
});
