import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { runCli } from '../support/cli.js';
import { tempDir, writeTree } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

let hello: Uint8Array;
beforeAll(async () => {
  hello = await wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))');
});

const toml = (name: string, caps: string, extra = '') => `[plugin]
name = "${name}"
version = "1.0.0"
description = "d"
author = "a"
protocol = "fledge-v1"
runtime = "wasm"
${extra}
[[commands]]
name = "${name}"
binary = "hello.wasm"

[capabilities]
${caps}
`;

function grantsOf(config: string, name: string) {
  return parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8')).plugins.find(
    (p) => p.name === name,
  )?.capabilities;
}

describe('cli plugins install', () => {
  it('without a terminal and without --grant, shows the request and grants nothing', () => {
    const root = tempDir('cli-install');
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': toml('fledge-a', 'store = true\nexec = true'),
      'hello.wasm': hello,
    });
    const r = runCli(['plugins', 'install', src], { FLEDGE_CONFIG_DIR: join(root, 'cfg') });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('[high risk] Run commands on your computer (exec)');
    expect(r.stderr).toContain(
      'Not granted: exec, store (no terminal to ask on: pass --grant LIST or --yes)',
    );
    expect(grantsOf(join(root, 'cfg'), 'fledge-a')).toMatchObject({ exec: false, store: false });
  });

  it('--grant grants exactly the list, --yes everything asked for', () => {
    const root = tempDir('cli-install');
    const cfg = join(root, 'cfg');
    const a = writeTree(join(root, 'a'), {
      'plugin.toml': toml('fledge-a', 'store = true\nexec = true'),
      'hello.wasm': hello,
    });
    const b = writeTree(join(root, 'b'), {
      'plugin.toml': toml('fledge-b', 'store = true\nfilesystem = "plugin"'),
      'hello.wasm': hello,
    });
    expect(runCli(['plugins', 'install', a, '--grant', 'store'], { FLEDGE_CONFIG_DIR: cfg }).code).toBe(0);
    expect(grantsOf(cfg, 'fledge-a')).toMatchObject({ exec: false, store: true });
    expect(runCli(['plugins', 'install', b, '--yes'], { FLEDGE_CONFIG_DIR: cfg }).code).toBe(0);
    expect(grantsOf(cfg, 'fledge-b')).toMatchObject({ store: true, filesystem: 'plugin' });
    const audit = JSON.parse(runCli(['plugins', 'audit', '--json'], { FLEDGE_CONFIG_DIR: cfg }).stdout);
    expect(
      audit.map((r: { name: string; sandboxed: boolean; tier: string }) => [r.name, r.sandboxed, r.tier]),
    ).toEqual([
      ['fledge-a', true, 'local'],
      ['fledge-b', true, 'local'],
    ]);
  });

  it('a build hook runs only with --allow-build, showing the exact command first', () => {
    const root = tempDir('cli-build');
    const cfg = join(root, 'cfg');
    const marker = join(root, 'built-marker');
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': toml('fledge-built', '', '\n[hooks]\nbuild = "build.sh"\n'),
      // The file form (hooks run without a shell, as the fledge CLI 1.8 runs them).
      'build.sh': `#!/bin/sh\ncp prebuilt.bin hello.wasm && touch '${marker}'\n`,
      'prebuilt.bin': hello,
    });
    chmodSync(join(src, 'build.sh'), 0o755);
    const refused = runCli(['plugins', 'install', src, '--yes'], { FLEDGE_CONFIG_DIR: cfg });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Build hook (a native shell command, run only if you approve it): build.sh`,
    );
    expect(refused.stderr).toContain('must be built first with its build hook');
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(cfg, 'plugins', 'fledge-built'))).toBe(false);
    const ok = runCli(['plugins', 'install', src, '--yes', '--allow-build'], { FLEDGE_CONFIG_DIR: cfg });
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(join(cfg, 'plugins', 'fledge-built', 'hello.wasm'))).toBe(true);
    // The source folder itself was not touched: the build ran in the staged copy.
    expect(existsSync(join(src, 'hello.wasm'))).toBe(false);
  });

  it('update keeps the old grants without a terminal, grant and revoke change them, remove deletes', () => {
    const root = tempDir('cli-update');
    const cfg = join(root, 'cfg');
    const src = writeTree(join(root, 'src'), {
      'plugin.toml': toml('fledge-u', 'store = true'),
      'hello.wasm': hello,
    });
    expect(runCli(['plugins', 'install', src, '--yes'], { FLEDGE_CONFIG_DIR: cfg }).code).toBe(0);
    writeFileSync(
      join(src, 'plugin.toml'),
      toml('fledge-u', 'store = true\nmetadata = true').replace('1.0.0', '1.1.0'),
    );
    const up = runCli(['plugins', 'update', 'fledge-u'], { FLEDGE_CONFIG_DIR: cfg });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('Withheld until you approve them: metadata');
    expect(grantsOf(cfg, 'fledge-u')).toMatchObject({ store: true, metadata: false });
    expect(runCli(['plugins', 'grant', 'fledge-u', 'metadata'], { FLEDGE_CONFIG_DIR: cfg }).code).toBe(0);
    expect(grantsOf(cfg, 'fledge-u')).toMatchObject({ store: true, metadata: true });
    expect(runCli(['plugins', 'revoke', 'fledge-u', 'store'], { FLEDGE_CONFIG_DIR: cfg }).code).toBe(0);
    expect(grantsOf(cfg, 'fledge-u')).toMatchObject({ store: false, metadata: true });
    const bad = runCli(['plugins', 'grant', 'fledge-u', 'teleport'], { FLEDGE_CONFIG_DIR: cfg });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown capability "teleport"');
    expect(runCli(['plugins', 'remove', 'fledge-u'], { FLEDGE_CONFIG_DIR: cfg }).code).toBe(0);
    expect(existsSync(join(cfg, 'plugins', 'fledge-u'))).toBe(false);
  });
});
