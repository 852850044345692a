// dist/cli.cjs starts the CLI bundle from V8's code cache, and dist/sandbox-worker.cjs the sandbox
// worker's (electron/sandbox/code-cache.ts): used when it belongs to the bundle, ignored when the
// bundle changed or the cache is damaged, and never needed.
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { pinnedNode } from '../../electron/engine/runs/sandbox-node.js';
import { codeCacheFile } from '../../electron/sandbox/code-cache.js';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const dist = join(repoRoot, 'dist');
/** This Node's caches (one per Node ABI: codeCacheFile). */
const CLI_CACHE = basename(codeCacheFile('cli-main.cjs'));
const WORKER_CACHE = basename(codeCacheFile('sandbox-worker-main.cjs'));

/** A copy of the CLI's two files in a folder of its own, with its own cache (made as the build makes it). */
function copyCli(dir: string): void {
  for (const f of ['cli.cjs', 'cli-main.cjs']) copyFileSync(join(dist, f), join(dir, f));
  const r = spawnSync(process.execPath, [join(dir, 'cli.cjs'), '--help'], {
    env: { ...process.env, FLEDGE_CLI_CODE_CACHE: 'write' },
    stdio: 'ignore',
  });
  expect(r.status).toBe(0);
}

function help(dir: string) {
  const r = spawnSync(process.execPath, [join(dir, 'cli.cjs'), '--help'], {
    env: { ...process.env, FLEDGE_CLI_CODE_CACHE: 'check' },
    encoding: 'utf8',
  });
  return {
    code: r.status,
    cache: /code cache: (\w+)/.exec(r.stderr)?.[1],
    bundle: /code cache: \w+ \((.+)\)/.exec(r.stderr)?.[1],
    stdout: r.stdout,
  };
}

describe('the CLI code cache', () => {
  const root = tempDir('cli-code-cache');

  it('is made by the build and used', () => {
    const r = help(dist);
    expect(r.code).toBe(0);
    expect(r.cache).toBe('used');
    expect(r.bundle).toBe('cli-main.cjs');
    expect(r.stdout).toMatch(/^fledge-desktop: run fledge plugins safely/);
  });

  it('a run starts the run bundle instead, from its own cache the build made', async () => {
    const plugin = makePlugin(await fixtureWasm('hello'), { root, name: 'fledge-hello' });
    const r = runCli(['run', plugin.dir], {
      FLEDGE_CLI_CODE_CACHE: 'check',
      FLEDGE_CONFIG_DIR: join(root, 'cfg'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello');
    expect(r.stderr).toMatch(/^code cache: used \(cli-run\.cjs\) on Node /m);
    expect(r.stderr).not.toMatch(/cli-run-limits/); // a plugin folder has no settings to read
  });

  it("an installed plugin's run reads its settings with the settings reader, from its cache too", async () => {
    const plugin = makePlugin(await fixtureWasm('hello'), { root, name: 'fledge-hello-installed' });
    const env = { FLEDGE_CONFIG_DIR: join(root, 'cfg-installed') };
    expect(runCli(['plugins', 'install', plugin.dir, '--yes'], env).code).toBe(0);
    const r = runCli(['run', 'fledge-hello-installed'], { ...env, FLEDGE_CLI_CODE_CACHE: 'check' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('hello');
    expect(r.stderr).toMatch(/^code cache: used \(cli-run\.cjs\) on Node /m);
    expect(r.stderr).toMatch(/^code cache: used \(cli-run-limits\.cjs\) on Node /m);
  });

  it('is not used once the bundle changed, even at the same length', () => {
    const dir = join(root, 'changed');
    spawnSync('mkdir', ['-p', dir]);
    copyCli(dir);
    expect(help(dir).cache).toBe('used');
    const bundle = readFileSync(join(dir, 'cli-main.cjs'), 'utf8');
    // Same length, other text, a later mtime: V8 alone (it checks the length) would take the cache.
    writeFileSync(
      join(dir, 'cli-main.cjs'),
      bundle.replace('run fledge plugins safely', 'run fledge plugins SAFELY'),
    );
    const r = help(dir);
    expect(r.cache).toBe('none');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run fledge plugins SAFELY/);
    appendFileSync(join(dir, 'cli-main.cjs'), '\n// more\n');
    expect(help(dir)).toMatchObject({ cache: 'none', code: 0 });
  });

  it('a damaged cache is refused by V8 and the CLI starts without it', () => {
    const dir = join(root, 'damaged');
    spawnSync('mkdir', ['-p', dir]);
    copyCli(dir);
    const raw = readFileSync(join(dir, CLI_CACHE));
    const headerEnd = raw.indexOf(10) + 1;
    const damaged = Buffer.from(raw);
    for (let i = headerEnd; i < damaged.length; i += 97) damaged[i] = damaged[i]! ^ 0xff;
    writeFileSync(join(dir, CLI_CACHE), damaged);
    const r = help(dir);
    expect(r.cache).toBe('refused');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fledge-desktop: run fledge plugins safely/);
  });
});

/**
 * Starts the sandbox worker of `dir` as the controller does (its data, a plain environment) with the
 * cache checked, and reads what it says about its cache; the worker then waits for a run: ended.
 */
async function workerCache(dir: string): Promise<string | undefined> {
  const { port1 } = new MessageChannel();
  const worker = new Worker(join(dir, 'sandbox-worker.cjs'), {
    workerData: { signal: new SharedArrayBuffer(4), port: port1, ring: {} },
    transferList: [port1],
    env: { NODE_ENV: 'production', FLEDGE_CODE_CACHE: 'check' },
    stderr: true,
  });
  let text = '';
  worker.stderr.setEncoding('utf8');
  try {
    return await new Promise((resolve, reject) => {
      worker.stderr.on('data', (chunk: string) => {
        text += chunk;
        const said = /code cache: (\w+)/.exec(text);
        if (said) resolve(said[1]);
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve(/code cache: (\w+)/.exec(text)?.[1]));
    });
  } finally {
    await worker.terminate();
  }
}

describe("the sandbox worker's code cache", () => {
  const root = tempDir('worker-code-cache');

  it("is made by the build, under V8's own flags, and used by a worker started as a run starts it", async () => {
    // V8 refuses a cache made after a flag changed: so this also says the build's run held them.
    expect(await workerCache(dist)).toBe('used');
  });

  it.runIf(pinnedNode() !== undefined)(
    "is made for the pinned Node too, and used by its sandbox processes' workers",
    () => {
      // A sandbox process on the pinned Node, as NodeSandboxLauncher forks it, with the cache checked
      const r = spawnSync(
        pinnedNode()!,
        [
          '-e',
          `const { Worker, MessageChannel } = require('node:worker_threads');
           const { port1 } = new MessageChannel();
           const w = new Worker(${JSON.stringify(join(dist, 'sandbox-worker.cjs'))}, {
             workerData: { signal: new SharedArrayBuffer(4), port: port1, ring: {} }, transferList: [port1],
             env: { NODE_ENV: 'production', FLEDGE_CODE_CACHE: 'check' }, stderr: true });
           let text = '';
           w.stderr.on('data', (c) => { text += c; if (/code cache: \\w+/.test(text)) { process.stdout.write(text); w.terminate(); } });`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(r.stdout).toMatch(/code cache: used/);
      expect(
        readdirSync(dist).filter((f) => /^sandbox-worker-main\.cjs\.node-abi-\d+\.cache$/.test(f)),
      ).toHaveLength(2);
    },
  );

  it('is not used once the bundle changed, and the worker starts all the same', async () => {
    const dir = join(root, 'changed');
    mkdirSync(dir, { recursive: true });
    for (const f of ['sandbox-worker.cjs', 'sandbox-worker-main.cjs', WORKER_CACHE])
      copyFileSync(join(dist, f), join(dir, f));
    // A copy has a new mtime: the header no longer matches, even though the text is the same.
    expect(await workerCache(dir)).toBe('none');
  });

  it('a damaged cache is refused by V8 and the worker starts without it', async () => {
    const dir = join(root, 'damaged');
    mkdirSync(dir, { recursive: true });
    for (const f of ['sandbox-worker.cjs', 'sandbox-worker-main.cjs'])
      copyFileSync(join(dist, f), join(dir, f));
    const raw = readFileSync(join(dist, WORKER_CACHE));
    const headerEnd = raw.indexOf(10) + 1;
    const st = statSync(join(dir, 'sandbox-worker-main.cjs'));
    const header = `fledge-code-cache 1 ${st.size} ${st.mtimeMs} ${process.version}\n`;
    const body = Buffer.from(raw.subarray(headerEnd));
    for (let i = 0; i < body.length; i += 97) body[i] = body[i]! ^ 0xff;
    writeFileSync(join(dir, WORKER_CACHE), Buffer.concat([Buffer.from(header), body]));
    expect(await workerCache(dir)).toBe('refused');
  });
});
