// Item 7 of the hardening issue: a command's binary can never be swapped between the consent check
// and the load. A binary under data/ (the folder `filesystem = "plugin"` lets a run write) is refused
// at validation and install; and a run of an installed plugin loads exactly the bytes that were
// approved: a binary whose bytes changed after the check is refused, whoever changed it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostError } from '../../electron/engine/host/errors.js';
import { loadManifest } from '../../electron/engine/manifest/load-manifest.js';
import type { ConsentPrompt } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { validateManifestText } from '../../shared/manifest/validate-manifest.js';
import { runs, sendingModule } from '../sandbox/helpers.js';
import { tempDir, writeTree } from '../support/temp.js';

const manifest = (binary: string) => `[plugin]
name = "swapme"
version = "1.0.0"
description = "d"
author = "a"
protocol = "fledge-v1"
runtime = "wasm"

[[commands]]
name = "swapme"
binary = "${binary}"

[capabilities]
filesystem = "plugin"
`;

const grantAll: ConsentPrompt = async () => ({
  granted: { ...NO_CAPABILITIES, filesystem: 'plugin' },
  allowBuild: false,
});

describe('a binary in the data folder', () => {
  for (const binary of ['data/p.wasm', './data/p.wasm', 'Data/p.wasm', 'data\\\\p.wasm', 'data//sub/p.wasm'])
    it(`"${binary}" is refused by validation`, async () => {
      const report = validateManifestText(manifest(binary));
      expect(report.errors.map((e) => e.rule)).toContain('binary-not-in-data');
    });

  it('is refused at install, naming the reason', async () => {
    const root = tempDir('bin-data');
    const wasm = await sendingModule(['{"type":"output","text":"hi"}']);
    const src = writeTree(join(root, 'src'), { 'plugin.toml': manifest('data/p.wasm'), 'data/p.wasm': wasm });
    const err = await new PluginService(join(root, 'config'), root).install(src, grantAll).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostError);
    expect((err as Error).message).toMatch(/must not be in data\//);
    expect((await loadManifest(src)).errors.some((e) => e.rule === 'binary-not-in-data')).toBe(true);
  });
});

describe('an installed binary swapped after the consent check', () => {
  it('is not run: exactly the approved bytes run, or nothing', async () => {
    type Started = ReturnType<ReturnType<typeof runs>['start']>;
    const root = tempDir('bin-swap');
    const good = await sendingModule(['{"type":"output","text":"approved"}']);
    const evil = await sendingModule(['{"type":"output","text":"swapped"}']);
    const src = writeTree(join(root, 'src'), { 'plugin.toml': manifest('bin/p.wasm'), 'bin/p.wasm': good });
    const service = new PluginService(join(root, 'config'), root);
    await service.install(src, grantAll);
    const start = async () => {
      const runnable = await service.resolveRunnable('swapme');
      const binary = runnable.manifest.commands[0]!.binary;
      return {
        runnable,
        binary,
        go: () =>
          runs().start({
            plugin: {
              name: 'swapme',
              version: '1.0.0',
              dir: runnable.pluginDir,
              declared: runnable.manifest.capabilities,
            },
            command: 'swapme',
            binary,
            binarySha256: runnable.approvedSha256[binary]!,
            grants: runnable.granted,
          }),
      };
    };
    const collect = async (run: Started) => {
      let out = '';
      run.subscribe((batch) => {
        for (const e of batch) if (e.type === 'output') out += e.text;
      });
      return { end: await run.ended, out };
    };
    // Untouched: it runs.
    const ok = await start();
    expect(await collect(ok.go())).toMatchObject({ out: 'approved', end: { reason: 'exit', code: 0 } });
    // Checked, then swapped before the load (what a writable binary folder would allow).
    const swap = await start();
    writeFileSync(join(swap.runnable.pluginDir, swap.binary), evil);
    const after = await collect(swap.go());
    expect(after.out).toBe('');
    expect(after.end.reason).toBe('error');
    expect(after.end.message).toMatch(/changed on disk after it was checked/);
  }, 60_000);
});
