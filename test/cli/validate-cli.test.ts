import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir, WASM_HEADER, writeTree } from '../support/temp.js';

const root = tempDir('cli-validate');
const valid = writeTree(join(root, 'valid'), {
  'plugin.toml':
    '[plugin]\nname="fledge-ok"\nversion="1.0.0"\ndescription="d"\nauthor="a"\nruntime="wasm"\nprotocol="fledge-v1"\n[hooks]\nbuild="make"\n[[commands]]\nname="ok"\nbinary="ok.wasm"\n',
  'ok.wasm': WASM_HEADER,
});
const warned = writeTree(join(root, 'warned'), {
  'plugin.toml': '[plugin]\nname="fledge-warn"\nversion="1.0.0"\n[[commands]]\nname="w"\nbinary="w.sh"\n',
  'w.sh': '#!/bin/sh\n',
});
const broken = writeTree(join(root, 'broken'), {
  'plugin.toml': '[plugin]\nname="fledge-bad"\nversion="1"\n[[commands]]\nname="b"\nbinary="../b"\n',
});
const bare = join(root, 'bare');
mkdirSync(bare);

describe('cli validate --json', () => {
  it('a valid plugin: exit 0 and the JSON shape', () => {
    const r = runCli(['validate', valid, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      schema_version: 1,
      path: valid,
      plugin_name: 'fledge-ok',
      errors: [],
      warnings: [],
    });
  });

  it('a plugin with errors: exit 1, every error listed, the name still given', () => {
    const r = runCli(['validate', broken, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.plugin_name).toBe('fledge-bad');
    expect(out.errors).toEqual([
      'plugin.version: must be major.minor.patch, e.g. "1.2.0" (got "1")',
      'commands[0].binary: must be a relative path inside the plugin directory, without ".." (got "../b")',
    ]);
    expect(out.warnings.length).toBeGreaterThan(0);
  });

  it('a directory without plugin.toml: exit 1 and a clear error', () => {
    const r = runCli(['validate', bare, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      schema_version: 1,
      path: bare,
      plugin_name: null,
      errors: [`no plugin.toml in ${bare}; a fledge plugin directory must contain one`],
      warnings: [],
    });
  });

  it('--strict fails on warnings alone', () => {
    expect(runCli(['validate', warned]).code).toBe(0);
    const strict = runCli(['validate', warned, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('warning: plugin.description: no description');
  });
});

describe('cli usage', () => {
  it('--help for every command', () => {
    for (const args of [
      ['--help'],
      ['validate', '--help'],
      ['plugins', '--help'],
      ['plugins', 'list', '--help'],
    ]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: fledge-desktop/);
    }
  });

  it('a mistake in the call exits 2 and points to --help', () => {
    const r = runCli(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing <plugin-dir>');
    expect(r.stderr).toContain('fledge-desktop validate --help');
    expect(runCli(['frobnicate']).code).toBe(2);
  });
});
