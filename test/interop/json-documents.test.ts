// The --json documents of this CLI have the shape the fledge CLI 1.8 prints (golden files): the same
// schema_version, the same field names and types, so a script written for one reads the other.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { golden, goldenJson, shapeOf } from './golden.js';
import { writeWasmPlugin } from './wasm-plugin.js';

function setup() {
  const root = tempDir('json-docs');
  const env = { FLEDGE_CONFIG_DIR: join(root, 'config') };
  return { root, env, cli: (args: string[]) => runCli(args, env) };
}

const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('--json documents, as the fledge CLI prints them', () => {
  it('validate --json: {schema_version: 1, path, plugin_name, errors, warnings}', async () => {
    const { root, cli } = setup();
    const ok = await writeWasmPlugin(join(root, 'ok'), { name: 'fledge-ok', command: 'ok' });
    const valid = cli(['validate', ok, '--json']);
    expect(valid.code).toBe(0);
    expect(shapeOf(parse(valid.stdout))).toEqual(shapeOf(goldenJson('validate-valid.json')));
    expect(parse(valid.stdout).schema_version).toBe(1);
    const bad = join(root, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'plugin.toml'), '[plugin]\nname = "fledge-bad"\nversion = "1.0"\n');
    const invalid = cli(['validate', bad, '--json']);
    expect(invalid.code).toBe(1); // the CLI exits 1 too (validate-invalid.exit)
    expect(shapeOf(parse(invalid.stdout))).toEqual(shapeOf(goldenJson('validate-invalid.json')));
  });

  it('plugins install --json: the action document with the installed report', async () => {
    const { root, cli } = setup();
    const src = await writeWasmPlugin(join(root, 'p'), { name: 'fledge-p', command: 'p', storeKeys: 1 });
    const r = cli(['plugins', 'install', src, '--yes', '--json']);
    expect(r.code).toBe(0);
    const doc = parse(r.stdout);
    expect(shapeOf(doc)).toEqual(shapeOf(goldenJson('install-linked.json')));
    expect(doc).toMatchObject({
      schema_version: 1,
      action: 'install',
      scope: 'single',
      installed: [
        {
          name: 'fledge-p',
          source: src,
          trust_tier: 'local',
          commands: ['p'],
          pinned_ref: null,
          capabilities: { exec: false, store: true, metadata: false, network: false },
        },
      ],
      summary: { total: 1, installed: 1, failed: 0 },
    });
  });

  it('plugins update --json: updated and skipped results in the CLI shape', async () => {
    const { root, env, cli } = setup();
    const src = await writeWasmPlugin(join(root, 'p'), { name: 'fledge-p', command: 'p' });
    expect(cli(['plugins', 'install', src, '--yes']).code).toBe(0);
    // A linked install as the CLI makes it: skipped, as the CLI skips local installs.
    const linkedSrc = await writeWasmPlugin(join(root, 'l'), { name: 'fledge-l', command: 'l' });
    symlinkSync(linkedSrc, join(env.FLEDGE_CONFIG_DIR, 'plugins', 'fledge-l'));
    const { updateRegistry } = await import('../../electron/engine/registry/plugins-toml.js');
    await updateRegistry(join(env.FLEDGE_CONFIG_DIR, 'plugins.toml'), (reg) => {
      reg.plugins.push({
        name: 'fledge-l',
        source: linkedSrc,
        version: '0.1.0',
        installed: '2026-12-01',
        commands: ['l'],
        extra: {},
      });
    });
    const r = cli(['plugins', 'update', '--yes', '--json']);
    expect(r.code).toBe(0);
    const doc = parse(r.stdout);
    const cliDoc = goldenJson('update-all.json');
    const cliResults = cliDoc.results as Record<string, unknown>[];
    expect(Object.keys(doc).sort()).toEqual(Object.keys(cliDoc).sort());
    expect(shapeOf(doc.summary)).toEqual(shapeOf(cliDoc.summary));
    const results = doc.results as Record<string, unknown>[];
    const updated = results.find((x) => x.name === 'fledge-p')!;
    const skipped = results.find((x) => x.name === 'fledge-l')!;
    expect(shapeOf(updated)).toEqual(shapeOf(cliResults.find((x) => x.status === 'updated')));
    expect(shapeOf(skipped)).toEqual(
      shapeOf(cliResults.find((x) => x.status === 'skipped' && !('pinned_ref' in x))),
    );
    expect(doc).toMatchObject({
      schema_version: 1,
      action: 'update',
      scope: 'all',
      summary: { total: 2, updated: 1, skipped: 1, failed: 0 },
    });
  });

  it('plugins remove --json of the same plugin is, byte for byte, what the CLI printed', async () => {
    const { root, cli } = setup();
    const src = await writeWasmPlugin(join(root, 'src', 'wasm-linked'), {
      name: 'fledge-wasm-linked',
      command: 'wasm-linked',
    });
    expect(cli(['plugins', 'install', src, '--yes']).code).toBe(0);
    expect(cli(['plugins', 'remove', 'fledge-wasm-linked', '--json']).stdout).toBe(
      golden('remove-linked.json', { root }),
    );
  });

  it('plugins remove --json: {schema_version, action: "remove", removed: {name, source, version, commands}}', async () => {
    const { root, cli } = setup();
    const src = await writeWasmPlugin(join(root, 'p'), { name: 'fledge-p', command: 'p' });
    expect(cli(['plugins', 'install', src, '--yes']).code).toBe(0);
    const r = cli(['plugins', 'remove', 'fledge-p', '--json']);
    expect(r.code).toBe(0);
    expect(shapeOf(parse(r.stdout))).toEqual(shapeOf(goldenJson('remove-linked.json')));
    expect(parse(r.stdout)).toMatchObject({
      removed: { name: 'fledge-p', source: src, version: '0.1.0', commands: ['p'] },
    });
  });
});
