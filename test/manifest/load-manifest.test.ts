import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../electron/engine/manifest/load-manifest.js';
import { tempDir, WASM_HEADER, writeTree } from '../support/temp.js';

const root = tempDir('manifest');
let n = 0;

/** A plugin directory on disk with this plugin.toml (and extra files). */
function plugin(toml: string, files: Record<string, string | Uint8Array> = {}): string {
  const dir = join(root, `p${n++}`);
  return writeTree(dir, { 'plugin.toml': toml, ...files });
}

const GOOD = `[plugin]
name = "fledge-good"
version = "0.1.0"
description = "A well-formed plugin"
author = "Ada"
protocol = "fledge-v1"
runtime = "wasm"

[[commands]]
name = "good"
description = "Do good"
binary = "good.wasm"

[hooks]
build = "make"

[capabilities]
exec = false
store = true
metadata = false
filesystem = "project"
network = false
`;

const rules = (issues: { rule: string }[]) => issues.map((i) => i.rule);

describe('loadManifest: a valid plugin', () => {
  it('accepts a complete wasm plugin with no errors or warnings', async () => {
    const r = await loadManifest(plugin(GOOD, { 'good.wasm': WASM_HEADER }));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.manifest).toMatchObject({
      name: 'fledge-good',
      version: '0.1.0',
      runtime: 'wasm',
      protocol: 'fledge-v1',
      commands: [{ name: 'good', binary: 'good.wasm', description: 'Do good' }],
      hooks: { build: 'make' },
      capabilities: { exec: false, store: true, metadata: false, filesystem: 'project', network: false },
    });
  });

  it('defaults runtime to native and every capability to denied', async () => {
    const r = await loadManifest(
      plugin(
        '[plugin]\nname="n"\nversion="1.2.3"\ndescription="d"\nauthor="a"\n[[commands]]\nname="n"\nbinary="bin/n"\n',
        {
          'bin/n': '#!/bin/sh\n',
        },
      ),
    );
    expect(r.errors).toEqual([]);
    expect(r.manifest?.runtime).toBe('native');
    expect(r.manifest?.capabilities).toEqual({
      exec: false,
      store: false,
      metadata: false,
      filesystem: 'none',
      network: false,
      clock: false,
      random: false,
    });
  });
});

describe('loadManifest: errors', () => {
  const errorCase = async (toml: string, files: Record<string, string | Uint8Array> = {}) => {
    const r = await loadManifest(plugin(toml, files));
    expect(r.manifest).toBeNull();
    return r;
  };

  it('a missing plugin.name', async () => {
    const r = await errorCase('[plugin]\nversion="0.1.0"\n');
    expect(r.errors[0]).toMatchObject({ path: 'plugin.name', rule: 'required' });
  });

  it('an empty plugin.name', async () => {
    const r = await errorCase('[plugin]\nname="  "\nversion="0.1.0"\n');
    expect(r.errors.find((e) => e.path === 'plugin.name')?.rule).toBe('non-empty');
  });

  it('a plugin.name that is not a safe folder name', async () => {
    const r = await errorCase('[plugin]\nname="../evil"\nversion="0.1.0"\n');
    expect(r.errors.find((e) => e.path === 'plugin.name')?.message).toContain('"../evil"');
  });

  it.each(['1.0', '1', 'v1.0.0', '1.0.0.0', 'latest', '01.0.0'])(
    'a version "%s" that is not major.minor.patch',
    async (v) => {
      const r = await errorCase(`[plugin]\nname="x"\nversion="${v}"\n`);
      const e = r.errors.find((x) => x.path === 'plugin.version');
      expect(e?.rule).toBe('version-format');
      expect(e?.message).toContain(`(got "${v}")`);
    },
  );

  it('a command with an empty name or an empty binary', async () => {
    const r = await errorCase(
      '[plugin]\nname="x"\nversion="0.1.0"\n[[commands]]\nname=""\nbinary="a"\n[[commands]]\nname="b"\nbinary=""\n',
      {
        a: 'x',
      },
    );
    expect(r.errors.map((e) => e.path)).toEqual(['commands[0].name', 'commands[1].binary']);
    expect(rules(r.errors)).toEqual(['non-empty', 'non-empty']);
  });

  it('a binary that does not exist and no build hook', async () => {
    const r = await errorCase(
      '[plugin]\nname="x"\nversion="0.1.0"\n[[commands]]\nname="a"\nbinary="missing"\n',
    );
    expect(r.errors).toEqual([
      expect.objectContaining({ path: 'commands[0].binary', rule: 'binary-missing' }),
    ]);
  });

  it('a runtime other than wasm or native', async () => {
    const r = await errorCase('[plugin]\nname="x"\nversion="0.1.0"\nruntime="docker"\n');
    expect(r.errors.find((e) => e.path === 'plugin.runtime')?.message).toBe(
      'plugin.runtime: must be "wasm" or "native" (got "docker")',
    );
  });

  it('a filesystem capability other than none, project or plugin', async () => {
    const r = await errorCase('[plugin]\nname="x"\nversion="0.1.0"\n[capabilities]\nfilesystem="home"\n');
    expect(r.errors.find((e) => e.path === 'capabilities.filesystem')?.message).toContain('(got "home")');
  });

  it('a wasm plugin without protocol = "fledge-v1"', async () => {
    const r = await errorCase('[plugin]\nname="x"\nversion="0.1.0"\nruntime="wasm"\n');
    expect(r.errors.find((e) => e.path === 'plugin.protocol')?.rule).toBe('wasm-protocol');
  });

  it('an unknown protocol', async () => {
    const r = await errorCase('[plugin]\nname="x"\nversion="0.1.0"\nprotocol="fledge-v9"\n');
    expect(r.errors.find((e) => e.path === 'plugin.protocol')?.rule).toBe('protocol');
  });

  it.each(['/usr/bin/ls', '../outside.wasm', 'bin/../../x.wasm', 'C:\\\\x.wasm'])(
    'a binary "%s" that is absolute or climbs out',
    async (b) => {
      const r = await errorCase(
        `[plugin]\nname="x"\nversion="0.1.0"\n[[commands]]\nname="a"\nbinary='${b}'\n`,
      );
      expect(r.errors.find((e) => e.path === 'commands[0].binary')?.rule).toBe('binary-inside');
    },
  );

  it('a binary that is a symlink leading outside the plugin directory', async () => {
    const dir = plugin('[plugin]\nname="x"\nversion="0.1.0"\n[[commands]]\nname="a"\nbinary="link"\n');
    writeFileSync(join(root, 'outside-target'), 'x');
    symlinkSync(join(root, 'outside-target'), join(dir, 'link'));
    const r = await loadManifest(dir);
    expect(r.errors.find((e) => e.path === 'commands[0].binary')?.rule).toBe('binary-inside');
  });

  it('duplicate command names', async () => {
    const r = await errorCase(
      '[plugin]\nname="x"\nversion="0.1.0"\n[[commands]]\nname="a"\nbinary="f"\n[[commands]]\nname="a"\nbinary="f"\n',
      {
        f: 'x',
      },
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        path: 'commands[1].name',
        rule: 'duplicate-command',
        message: expect.stringContaining('commands[0].name'),
      }),
    ]);
  });

  it.each([
    ['exec', '"yes"', 'must be true or false (got "yes")'],
    ['store', '1', 'must be true or false (got number 1)'],
    ['network', '["a"]', 'must be true or false (got a list)'],
    ['filesystem', 'true', 'must be "none", "project" or "plugin" (got boolean true)'],
  ])('a capability of the wrong type: %s = %s', async (name, value, message) => {
    const r = await errorCase(`[plugin]\nname="x"\nversion="0.1.0"\n[capabilities]\n${name} = ${value}\n`);
    expect(r.errors.map((e) => e.message)).toContain(`capabilities.${name}: ${message}`);
  });

  it('a present wasm binary that is not WebAssembly', async () => {
    const toml =
      '[plugin]\nname="x"\nversion="0.1.0"\nruntime="wasm"\nprotocol="fledge-v1"\n[[commands]]\nname="a"\nbinary="a.wasm"\n';
    const r = await errorCase(toml, { 'a.wasm': '#!/bin/sh\necho hi\n' });
    expect(r.errors).toEqual([
      expect.objectContaining({
        rule: 'wasm-magic',
        message: expect.stringContaining('23 21 2f 62, not 00 61 73 6d'),
      }),
    ]);
    const empty = await errorCase(toml, { 'a.wasm': '' });
    expect(empty.errors[0]?.message).toContain('it is empty');
  });

  it('reports every error at once, not just the first', async () => {
    const r = await errorCase(`[plugin]
name = ""
version = "one"
runtime = "jvm"

[[commands]]
name = "a"
binary = "/abs"

[[commands]]
name = "a"
binary = "ok"

[capabilities]
exec = "yes"
filesystem = "everything"
`);
    expect(r.errors.map((e) => e.path)).toEqual([
      'plugin.name',
      'plugin.version',
      'plugin.runtime',
      'commands[0].binary',
      'commands[1].name',
      'capabilities.exec',
      'capabilities.filesystem',
    ]);
    expect(r.name).toBeNull();
  });

  it('a TOML syntax error names the line and column', async () => {
    const r = await errorCase('[plugin]\nversion = "0.1.0"\nname "x"\n');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ rule: 'toml-syntax', line: 3, column: 6 });
    expect(r.errors[0]?.message).toBe('TOML syntax error at line 3, column 6: illegal character in key');
  });

  it('a directory without plugin.toml is a clear error', async () => {
    const dir = join(root, 'empty-dir');
    mkdirSync(dir);
    const r = await loadManifest(dir);
    expect(r.errors).toEqual([
      expect.objectContaining({
        rule: 'no-manifest',
        message: `no plugin.toml in ${dir}; a fledge plugin directory must contain one`,
      }),
    ]);
  });

  it('a path that does not exist is a clear error', async () => {
    const r = await loadManifest(join(root, 'nope'));
    expect(r.errors[0]?.rule).toBe('no-manifest');
  });
});

describe('loadManifest: warnings', () => {
  it('no description, no author, no commands', async () => {
    const r = await loadManifest(plugin('[plugin]\nname="x"\nversion="0.1.0"\n'));
    expect(r.errors).toEqual([]);
    expect(rules(r.warnings)).toEqual(['recommended', 'recommended', 'recommended']);
    expect(r.warnings.map((w) => w.path)).toEqual(['plugin.description', 'plugin.author', 'commands']);
  });

  it('a missing binary that a build hook will create, and a wasm binary not ending in .wasm', async () => {
    const r = await loadManifest(
      plugin(
        '[plugin]\nname="x"\nversion="0.1.0"\ndescription="d"\nauthor="a"\nruntime="wasm"\nprotocol="fledge-v1"\n[hooks]\nbuild="make"\n[[commands]]\nname="a"\nbinary="out/a.bin"\n',
      ),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => `${w.path} ${w.rule}`)).toEqual([
      'commands[0].binary wasm-extension',
      'commands[0].binary binary-built',
    ]);
  });

  it('a wasm plugin without a build hook', async () => {
    const r = await loadManifest(
      plugin(
        '[plugin]\nname="x"\nversion="0.1.0"\ndescription="d"\nauthor="a"\nruntime="wasm"\nprotocol="fledge-v1"\n[[commands]]\nname="a"\nbinary="a.wasm"\n',
        {
          'a.wasm': WASM_HEADER,
        },
      ),
    );
    expect(r.warnings.map((w) => w.rule)).toEqual(['wasm-build-hook']);
  });

  it('unknown keys at every level', async () => {
    const r = await loadManifest(
      plugin(
        'colour="red"\n[plugin]\nname="x"\nversion="0.1.0"\ndescription="d"\nauthor="a"\nhomepage="h"\n[[commands]]\nname="a"\nbinary="f"\nalias="b"\n[hooks]\nprebuild="x"\n[capabilities]\ngpu=true\n',
        {
          f: 'x',
        },
      ),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => w.rule === 'unknown-key').map((w) => w.path)).toEqual([
      'colour',
      'plugin.homepage',
      'hooks.prebuild',
      'commands[0].alias',
      'capabilities.gpu',
    ]);
  });
});
