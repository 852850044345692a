import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTALL_LIMITS } from '../../electron/engine/install/limits.js';
import { parseSource, recordedSource } from '../../electron/engine/install/source.js';
import { STAGING_DIR, stagePlugin, swapIntoPlace } from '../../electron/engine/install/staging.js';
import { git } from '../host/helpers.js';
import { MANIFEST, makeTar, makeZip, manifestVersion } from './archives.js';
import { makePluginDir, refusal, world } from './helpers.js';

/** Nothing half-installed: no staging leftovers and no plugins/<name>. */
function expectNothingLeft(pluginsDir: string, name = 'demo') {
  const staging = join(pluginsDir, STAGING_DIR);
  expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
  expect(existsSync(join(pluginsDir, name))).toBe(false);
}

async function install(spec: string, pluginsDir: string, cwd?: string) {
  const staged = await stagePlugin(spec, { pluginsDir, cwd });
  return { staged, ...(await swapIntoPlace(staged, pluginsDir, 'demo')) };
}

describe('install from each source kind', () => {
  it('a local folder: copied without .git and node_modules, links inside kept, exec bit kept', async () => {
    const { base, pluginsDir } = world();
    const src = makePluginDir(join(base, 'src'));
    mkdirSync(join(src, '.git'));
    writeFileSync(join(src, '.git', 'HEAD'), 'ref: x');
    mkdirSync(join(src, 'node_modules', 'x'), { recursive: true });
    symlinkSync('bin/demo.sh', join(src, 'run'));
    const { path, replaced } = await install(src, pluginsDir);
    expect(replaced).toBe(false);
    expect(path).toBe(join(pluginsDir, 'demo'));
    expect(readdirSync(path).sort()).toEqual(['bin', 'plugin.toml', 'run']);
    expect(readFileSync(join(path, 'run'), 'utf8')).toContain('echo demo');
    expect(statSync(join(path, 'bin', 'demo.sh')).mode & 0o111).toBeTruthy();
    expectNothingLeft(pluginsDir, 'nothing-else');
  });

  it('a local folder with a symlink escaping it is refused, leaving nothing', async () => {
    const { base, pluginsDir } = world();
    const src = makePluginDir(join(base, 'src'));
    writeFileSync(join(base, 'secret.txt'), 'secret');
    symlinkSync(join(base, 'secret.txt'), join(src, 'bin', 'sneaky'));
    const err = await refusal(stagePlugin(src, { pluginsDir }));
    expect(err.code).toBe('source_symlink_escapes');
    expect(err.message).toMatch(/symbolic link "bin\/sneaky" points outside the plugin/);
    expectNothingLeft(pluginsDir);
  });

  it('a .zip, unwrapping its single top-level folder', async () => {
    const { base, pluginsDir } = world();
    const zip = join(base, 'demo-0.1.0.zip');
    await makeZip(zip, [
      { name: 'demo-0.1.0/', dir: true },
      { name: 'demo-0.1.0/plugin.toml', data: MANIFEST },
      { name: 'demo-0.1.0/bin/demo.sh', data: '#!/bin/sh\necho demo\n', mode: 0o100755 },
    ]);
    const { path } = await install(zip, pluginsDir);
    expect(readdirSync(path).sort()).toEqual(['bin', 'plugin.toml']);
    expect(statSync(join(path, 'bin', 'demo.sh')).mode & 0o777).toBe(0o755);
    expectNothingLeft(pluginsDir, 'nothing-else');
  });

  it('a .tar.gz (and a .tgz)', async () => {
    const { base, pluginsDir } = world();
    for (const file of ['demo.tar.gz', 'demo.tgz']) {
      const tgz = join(base, file);
      await makeTar(tgz, [
        { name: 'plugin.toml', data: MANIFEST },
        { name: 'bin/', type: 'directory', mode: 0o755 },
        { name: 'bin/demo.sh', data: '#!/bin/sh\necho demo\n', mode: 0o755 },
      ]);
      const { path } = await install(tgz, pluginsDir);
      expect(readFileSync(join(path, 'plugin.toml'), 'utf8')).toBe(MANIFEST);
      expect(statSync(join(path, 'bin', 'demo.sh')).mode & 0o777).toBe(0o755);
    }
    expectNothingLeft(pluginsDir, 'nothing-else');
  });

  it('a local bare git repository, at its default branch and at a tag', async () => {
    const { base, pluginsDir } = world();
    const work = makePluginDir(join(base, 'work'));
    git(work, 'init', '-q');
    git(work, 'add', '.');
    git(work, 'commit', '-qm', 'v0.1.0');
    git(work, 'tag', 'v0.1.0');
    writeFileSync(join(work, 'plugin.toml'), manifestVersion('0.2.0'));
    git(work, 'commit', '-qam', 'v0.2.0');
    const bare = join(base, 'demo.git');
    git(base, 'init', '-q', '--bare', bare);
    git(work, 'push', '-q', bare, 'main', '--tags');

    const source = await parseSource(bare);
    expect(source).toMatchObject({ kind: 'git', url: bare, ref: null, local: true });
    const latest = await install(bare, pluginsDir);
    expect(readFileSync(join(latest.path, 'plugin.toml'), 'utf8')).toContain('0.2.0');
    expect(latest.staged.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(statSync(join(latest.path, 'bin', 'demo.sh')).mode & 0o111).toBeTruthy();

    const tagged = await install(`${bare}@v0.1.0`, pluginsDir);
    expect(tagged.replaced).toBe(true);
    expect(readFileSync(join(tagged.path, 'plugin.toml'), 'utf8')).toContain('0.1.0');

    const err = await refusal(stagePlugin(`${bare}@v9.9.9`, { pluginsDir }));
    expect(err.code).toBe('git_ref_not_found');
    expect(err.message).toMatch(/no branch, tag or commit "v9.9.9"/);
    expect(readdirSync(join(pluginsDir, STAGING_DIR))).toEqual([]);
  });

  it('a repository that does not exist is reported in plain words', async () => {
    const { base, pluginsDir } = world();
    const err = await refusal(stagePlugin(`git+file://${join(base, 'nope.git')}`, { pluginsDir }));
    expect(err.code).toBe('source_not_found');
  });
});

describe('hostile archives are refused with the reason and leave nothing behind', () => {
  it('zip-slip (../ in a zip entry)', async () => {
    const { base, pluginsDir } = world();
    const zip = join(base, 'slip.zip');
    await makeZip(
      zip,
      [
        { name: 'plugin.toml', data: MANIFEST },
        { name: 'AA/evil.txt', data: 'pwned' },
      ],
      {
        'AA/evil.txt': '../evil.txt',
      },
    );
    const err = await refusal(stagePlugin(zip, { pluginsDir }));
    expect(err.code).toBe('archive_unsafe_path');
    expect(err.message).toMatch(/slip\.zip was refused: .*climbs out with "\.\."/);
    expect(existsSync(join(pluginsDir, STAGING_DIR, 'evil.txt'))).toBe(false);
    expect(existsSync(join(pluginsDir, 'evil.txt'))).toBe(false);
    expectNothingLeft(pluginsDir);
  });

  it('an absolute path in a zip entry', async () => {
    const { base, pluginsDir } = world();
    const zip = join(base, 'abs.zip');
    await makeZip(zip, [{ name: 'Xtmp/evil.txt', data: 'pwned' }], { 'Xtmp/evil.txt': '/tmp/evil.txt' });
    const err = await refusal(stagePlugin(zip, { pluginsDir }));
    expect(err.code).toBe('archive_unsafe_path');
    expect(err.message).toMatch(/absolute path/);
    expectNothingLeft(pluginsDir);
  });

  it('zip-slip in a tar.gz', async () => {
    const { base, pluginsDir } = world();
    const tgz = join(base, 'slip.tar.gz');
    await makeTar(tgz, [
      { name: 'plugin.toml', data: MANIFEST },
      { name: 'bin/../../../evil.txt', data: 'pwned' },
    ]);
    const err = await refusal(stagePlugin(tgz, { pluginsDir }));
    expect(err.code).toBe('archive_unsafe_path');
    expect(err.message).toMatch(/climbs out/);
    expect(existsSync(join(pluginsDir, 'evil.txt'))).toBe(false);
    expectNothingLeft(pluginsDir);
  });

  it('a symlink in a zip', async () => {
    const { base, pluginsDir } = world();
    const zip = join(base, 'link.zip');
    await makeZip(zip, [
      { name: 'plugin.toml', data: MANIFEST },
      { name: 'bin/demo.sh', data: '/etc/passwd', mode: 0o120777 },
    ]);
    const err = await refusal(stagePlugin(zip, { pluginsDir }));
    expect(err.code).toBe('archive_symlink');
    expect(err.message).toBe('link.zip was refused: it contains a symbolic link ("bin/demo.sh").');
    expectNothingLeft(pluginsDir);
  });

  for (const [type, code, linkname] of [
    ['symlink', 'archive_symlink', '/etc/passwd'],
    ['link', 'archive_hardlink', 'plugin.toml'],
    ['fifo', 'archive_special_file', undefined],
    ['character-device', 'archive_special_file', undefined],
  ] as const) {
    it(`a ${type} entry in a tar.gz`, async () => {
      const { base, pluginsDir } = world();
      const tgz = join(base, `${type}.tar.gz`);
      await makeTar(tgz, [
        { name: 'plugin.toml', data: MANIFEST },
        { name: 'bin/thing', type, ...(linkname ? { linkname } : {}) },
      ]);
      const err = await refusal(stagePlugin(tgz, { pluginsDir }));
      expect(err.code).toBe(code);
      expect(err.message).toMatch(/was refused: .*"bin\/thing"/);
      expectNothingLeft(pluginsDir);
    });
  }

  it('a zip bomb (an entry expanding over 100 times)', async () => {
    const { base, pluginsDir } = world();
    const zip = join(base, 'bomb.zip');
    await makeZip(zip, [
      { name: 'plugin.toml', data: MANIFEST },
      { name: 'zeros.bin', data: Buffer.alloc(50 * 1024 * 1024) },
    ]);
    expect(statSync(zip).size).toBeLessThan(1024 * 1024);
    const err = await refusal(stagePlugin(zip, { pluginsDir }));
    expect(err.code).toBe('archive_ratio');
    expect(err.message).toMatch(/"zeros\.bin" expands \d+ times .* looks like a zip bomb/);
    expectNothingLeft(pluginsDir);
  });

  it('a gzip bomb in a tar.gz', async () => {
    const { base, pluginsDir } = world();
    const tgz = join(base, 'bomb.tar.gz');
    await makeTar(tgz, [
      { name: 'plugin.toml', data: MANIFEST },
      { name: 'zeros.bin', data: Buffer.alloc(30 * 1024 * 1024) },
    ]);
    const err = await refusal(stagePlugin(tgz, { pluginsDir }));
    expect(err.code).toBe('archive_ratio');
    expect(err.message).toMatch(/expands more than 100 times/);
    expectNothingLeft(pluginsDir);
  });

  it('an oversized archive (over the total size limit), zip and tar.gz', async () => {
    const { base, pluginsDir } = world();
    const limits = { ...DEFAULT_INSTALL_LIMITS, maxTotalBytes: 1024 * 1024 };
    const random = randomBytes(600 * 1024);
    const zip = join(base, 'big.zip');
    await makeZip(zip, [
      { name: 'plugin.toml', data: MANIFEST },
      { name: 'a.bin', data: random },
      { name: 'b.bin', data: random },
    ]);
    const e1 = await refusal(stagePlugin(zip, { pluginsDir, limits }));
    expect(e1.code).toBe('install_too_large');
    expect(e1.message).toBe('big.zip was refused: its contents would unpack to more than 1 MB.');
    const tgz = join(base, 'big.tar.gz');
    await makeTar(tgz, [
      { name: 'plugin.toml', data: MANIFEST },
      { name: 'a.bin', data: random },
      { name: 'b.bin', data: random },
    ]);
    const e2 = await refusal(stagePlugin(tgz, { pluginsDir, limits }));
    expect(e2.code).toBe('install_too_large');
    expect(e2.message).toBe('big.tar.gz was refused: its contents are larger than 1 MB.');
    expectNothingLeft(pluginsDir);
  });

  it('too many files', async () => {
    const { base, pluginsDir } = world();
    const limits = { ...DEFAULT_INSTALL_LIMITS, maxEntries: 10 };
    const items = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }));
    const zip = join(base, 'many.zip');
    await makeZip(zip, items);
    expect((await refusal(stagePlugin(zip, { pluginsDir, limits }))).message).toMatch(
      /at most 10 are allowed/,
    );
    const tgz = join(base, 'many.tgz');
    await makeTar(tgz, items);
    expect((await refusal(stagePlugin(tgz, { pluginsDir, limits }))).code).toBe('install_too_many_files');
    expectNothingLeft(pluginsDir);
  });

  it('a damaged archive', async () => {
    const { base, pluginsDir } = world();
    const zip = join(base, 'broken.zip');
    writeFileSync(zip, 'PK\u0003\u0004 not really a zip');
    const err = await refusal(stagePlugin(zip, { pluginsDir }));
    expect(err.code).toBe('archive_damaged');
    expect(err.message).toMatch(/^broken\.zip could not be unpacked/);
    expectNothingLeft(pluginsDir);
  });
});

describe('updates', () => {
  it('an update replaces the plugin and keeps its state.json and data/', async () => {
    const { base, pluginsDir } = world();
    await install(makePluginDir(join(base, 'v1'), '0.1.0'), pluginsDir);
    const dir = join(pluginsDir, 'demo');
    writeFileSync(join(dir, 'state.json'), '{"k":"v"}');
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'notes.txt'), 'mine');
    const r = await install(makePluginDir(join(base, 'v2'), '0.2.0'), pluginsDir);
    expect(r.replaced).toBe(true);
    expect(readFileSync(join(dir, 'plugin.toml'), 'utf8')).toContain('0.2.0');
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{"k":"v"}');
    expect(readFileSync(join(dir, 'data', 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(join(pluginsDir, STAGING_DIR))).toEqual([]);
  });

  it('a refused update (hostile archive) leaves the previous version intact', async () => {
    const { base, pluginsDir } = world();
    await install(makePluginDir(join(base, 'v1'), '0.1.0'), pluginsDir);
    const before = readFileSync(join(pluginsDir, 'demo', 'plugin.toml'), 'utf8');
    const zip = join(base, 'v2.zip');
    await makeZip(
      zip,
      [
        { name: 'plugin.toml', data: manifestVersion('0.2.0') },
        { name: 'AA/x', data: 'x' },
      ],
      {
        'AA/x': '../x',
      },
    );
    await refusal(stagePlugin(zip, { pluginsDir }));
    expect(readFileSync(join(pluginsDir, 'demo', 'plugin.toml'), 'utf8')).toBe(before);
    expect(readdirSync(join(pluginsDir, STAGING_DIR))).toEqual([]);
  });

  for (const step of ['carried', 'backed-up'] as const) {
    it(`a swap failing after "${step}" puts the previous version and its data back`, async () => {
      const { base, pluginsDir } = world();
      await install(makePluginDir(join(base, 'v1'), '0.1.0'), pluginsDir);
      const dir = join(pluginsDir, 'demo');
      writeFileSync(join(dir, 'state.json'), '{"k":"v"}');
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'notes.txt'), 'mine');
      const staged = await stagePlugin(makePluginDir(join(base, 'v2'), '0.2.0'), { pluginsDir });
      const err = await refusal(
        swapIntoPlace(staged, pluginsDir, 'demo', {
          onStep: (s) => {
            if (s === step) throw new Error('disk on fire');
          },
        }),
      );
      expect(err.code).toBe('install_swap_failed');
      expect(err.message).toMatch(/disk on fire.*the installed version was kept/);
      expect(readFileSync(join(dir, 'plugin.toml'), 'utf8')).toContain('0.1.0');
      expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{"k":"v"}');
      expect(readFileSync(join(dir, 'data', 'notes.txt'), 'utf8')).toBe('mine');
      expect(readdirSync(join(pluginsDir, STAGING_DIR))).toEqual([]);
    });
  }

  it('refuses a plugin folder name that could escape plugins/', async () => {
    const { base, pluginsDir } = world();
    const staged = await stagePlugin(makePluginDir(join(base, 'v1')), { pluginsDir });
    for (const name of ['..', '../x', '.staging', 'a/b', '']) {
      expect((await refusal(swapIntoPlace(staged, pluginsDir, name))).code).toBe('plugin_bad_name');
    }
    expectNothingLeft(pluginsDir);
    // Nothing of the app's in the CLI's plugins/ (staging lives in <config>/fledge-desktop/staging).
    expect(existsSync(pluginsDir) ? readdirSync(pluginsDir) : []).toEqual([]);
  });
});

describe('sources', () => {
  it('classifies what the person typed', async () => {
    const { base } = world();
    expect(await parseSource('CorvidLabs/fledge-plugin-x@v1.0.0', base)).toMatchObject({
      kind: 'git',
      url: 'https://github.com/CorvidLabs/fledge-plugin-x.git',
      ref: 'v1.0.0',
      local: false,
    });
    expect(await parseSource('https://user:tok@example.com/o/r.git', base)).toMatchObject({
      kind: 'git',
      url: 'https://user:tok@example.com/o/r.git',
      ref: null,
    });
    expect(await parseSource('git@github.com:o/r.git@main', base)).toMatchObject({
      kind: 'git',
      url: 'git@github.com:o/r.git',
      ref: 'main',
    });
    expect(recordedSource(await parseSource('https://user:tok@example.com/o/r.git@v2', base))).toBe(
      'https://example.com/o/r.git',
    );
    for (const bad of [
      'http://example.com/r.git',
      'git://example.com/r',
      'ext::sh -c evil',
      '--upload-pack=x',
      'owner/repo@-x',
    ]) {
      await refusal(parseSource(bad, base));
    }
    expect((await refusal(parseSource('./missing', base))).code).toBe('source_not_found');
    writeFileSync(join(base, 'notes.txt'), '');
    expect((await refusal(parseSource('notes.txt', base))).message).toMatch(/not an archive/);
  });
});
