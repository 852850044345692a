// The fixed cost of a run through the CLI (test/bench/trivial-run.ts): a run that asks nothing loads
// none of Node's modules it does not use. Node's own list of what the CLI's thread loaded
// (process.moduleLoadList) is written at exit by a preloaded script. (The sandbox worker's cannot be
// read so: it is terminated, and a terminated thread runs no exit handler.)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedNode } from '../../electron/engine/runs/sandbox-node.js';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

// Preloaded into the sandbox worker too (it inherits execArgv), whose env has no LOADS_FILE: there it
// does nothing, since a worker that reached its own exit before the CLI terminated it would otherwise
// fail the run. (It loads no module itself: the list stays the run's.)
const RECORDER = `if (process.env.LOADS_FILE) process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADS_FILE, JSON.stringify(process.moduleLoadList)));
`;

function loadsOfRun(root: string, pluginDir: string, stdin: 'ignore' | 'pipe', node = process.execPath) {
  const recorder = join(root, 'recorder.cjs');
  writeFileSync(recorder, RECORDER);
  const loadsFile = join(root, `loads-${stdin}.jsonl`);
  const r = spawnSync(node, ['--require', recorder, resolve(repoRoot, 'dist/cli.cjs'), 'run', pluginDir], {
    env: { ...process.env, FLEDGE_CONFIG_DIR: join(root, 'cfg'), LOADS_FILE: loadsFile },
    encoding: 'utf8',
    stdio: [stdin, 'pipe', 'pipe'],
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, loaded: JSON.parse(readFileSync(loadsFile, 'utf8')) as string[] };
}

describe('what a run through the CLI loads', () => {
  it('neither readline nor perf_hooks nor the stdin stream, when the plugin asks nothing', async () => {
    const root = tempDir('run-loads');
    const plugin = makePlugin(await fixtureWasm('hello'), { root, name: 'fledge-hello' });
    for (const stdin of ['ignore', 'pipe'] as const) {
      const { stdout, loaded } = loadsOfRun(root, plugin.dir, stdin);
      expect(stdout).toBe('hello');
      expect(loaded).toContain('NativeModule worker_threads'); // the list is the run's
      expect(loaded).not.toContain('NativeModule readline/promises');
      expect(loaded).not.toContain('NativeModule perf_hooks');
      // The CLI did not build the stdin stream to learn whether stdin is a terminal: /dev/null is
      // read through an fs stream, a pipe through a net.Socket (which stdout, a pipe here, needs anyway).
      if (stdin === 'ignore') expect(loaded).not.toContain('NativeModule internal/fs/streams');
    }
  });

  it("nor node:crypto on the CLI's thread, on this Node and on the launcher's (the pinned Node)", async () => {
    // Only the sandbox worker checks HMACs (sandbox/lazy-crypto.ts): on Node 26 crypto costs ~17 ms to load.
    const root = tempDir('run-loads-crypto');
    const plugin = makePlugin(await fixtureWasm('hello'), { root, name: 'fledge-hello' });
    loadsOfRun(root, plugin.dir, 'ignore'); // the first run makes the config dir's cache key (with crypto)
    for (const node of new Set([process.execPath, pinnedNode() ?? process.execPath])) {
      const { stdout, loaded } = loadsOfRun(root, plugin.dir, 'ignore', node);
      expect(stdout).toBe('hello');
      expect(loaded).toContain('NativeModule worker_threads');
      expect(loaded, node).not.toContain('NativeModule crypto');
    }
  });
});

describe('the run bundle (dist/cli-run.cjs, what dist/cli.cjs starts for a run)', () => {
  const bundle = readFileSync(resolve(repoRoot, 'dist/cli-run.cjs'), 'latin1');
  const whole = readFileSync(resolve(repoRoot, 'dist/cli-main.cjs'), 'latin1');
  /** The bundles keep their names (build/bundle.mjs minifies whitespace and syntax only). */
  const names = (text: string, name: string) => new RegExp(`\\b${name}\\b`).test(text);

  it('holds the run path: the engine runs, the sandbox controller, what finds an installed plugin', () => {
    for (const name of ['RunManager', 'InProcessSandboxLauncher', 'startController', 'resolveRunnable'])
      expect(names(bundle, name), name).toBe(true);
  });

  it("and none of the install, catalog, pack or settings code (zod, conf), a ninth of the CLI's", () => {
    for (const name of ['PluginService', 'CatalogService', 'stagePlugin', 'packPlugin', 'readPluginPrefs']) {
      expect(names(whole, name), name).toBe(true);
      expect(names(bundle, name), name).toBe(false);
    }
    expect(whole).toMatch(/node_modules\/(zod|conf|ajv)\//);
    expect(bundle).not.toMatch(/node_modules\/(zod|conf|ajv|yauzl|tar-stream)\//);
    expect(bundle.length).toBeLessThan(whole.length / 5);
  });

  it("reads an installed plugin's settings with dist/cli-run-limits.cjs: zod's schemas, not conf or ajv", () => {
    const limits = readFileSync(resolve(repoRoot, 'dist/cli-run-limits.cjs'), 'latin1');
    for (const name of ['runPolicyFor', 'readPluginPrefs', 'readStoreFile'])
      expect(names(limits, name), name).toBe(true);
    for (const name of ['Ajv2020', 'semver', 'openStore']) expect(names(limits, name), name).toBe(false);
  });
});
