import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('cli plugins list', () => {
  it('says so when nothing is installed', () => {
    const config = tempDir('list-empty');
    const r = runCli(['plugins', 'list'], { FLEDGE_CONFIG_DIR: config });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No plugins installed');
  });

  it('lists name, version, runtime, source and granted capabilities', () => {
    const config = tempDir('list');
    writeFileSync(
      join(config, 'plugins.toml'),
      '[[plugins]]\nname = "fledge-lint"\nsource = "CorvidLabs/fledge-lint"\nversion = "1.2.0"\ninstalled = "2026-03-01T10:00:00Z"\ncommands = ["lint"]\nruntime = "wasm"\n[plugins.capabilities]\nstore = true\nfilesystem = "project"\n',
    );
    const plain = runCli(['plugins', 'list'], { FLEDGE_CONFIG_DIR: config });
    expect(plain.code).toBe(0);
    expect(plain.stdout.split('\n')[1]).toMatch(
      /^fledge-lint\s+1\.2\.0\s+wasm\s+CorvidLabs\/fledge-lint\s+store, filesystem=project$/,
    );
    const json = runCli(['plugins', 'list', '--json'], { FLEDGE_CONFIG_DIR: config });
    expect(JSON.parse(json.stdout)).toEqual([
      {
        name: 'fledge-lint',
        version: '1.2.0',
        runtime: 'wasm',
        source: 'CorvidLabs/fledge-lint',
        installed: '2026-03-01T10:00:00Z',
        commands: ['lint'],
        capabilities: {
          exec: false,
          store: true,
          metadata: false,
          filesystem: 'project',
          network: false,
          clock: false,
          random: false,
        },
      },
    ]);
  });

  it('reports a damaged plugins.toml and exits 1', () => {
    const config = tempDir('list-bad');
    writeFileSync(join(config, 'plugins.toml'), '[[plugins]\n');
    const r = runCli(['plugins', 'list'], { FLEDGE_CONFIG_DIR: config });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plugins\.toml is damaged: TOML syntax error at line 1/);
  });
});
