// The compiled-code cache (electron/sandbox/compiled-cache.ts): V8's serialised code of a prepared
// module beside the plugin binary, used by the next run of the same module under the same key and
// nothing else. Real runs (the CLI's in-process sandbox, the addon built by build/native.mjs), real
// wasm, real files; the attacks are files someone else put where the cache goes.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessSandboxLauncher } from '../../electron/engine/runs/in-process.js';
import { NodeSandboxLauncher, RunManager } from '../../electron/engine/runs/index.js';
import type { SandboxLauncher } from '../../electron/engine/runs/launcher.js';
import { pinnedNode } from '../../electron/engine/runs/sandbox-node.js';
import {
  compiledCachePath,
  moduleIdOf,
  readCompiledCache,
  writeCompiledCache,
} from '../../electron/sandbox/compiled-cache.js';
import { workerResourceLimits } from '../../electron/sandbox/controller.js';
import type { Capabilities } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';
import { fixtureWasm, makePlugin, runPlugin, sendingModule, type TestPlugin } from './helpers.js';

const KEY = 'a1'.repeat(32);
const OTHER_KEY = 'b2'.repeat(32);
const MAGIC = 'fledge-wasm-code 1\n';

function manager(key: string, launcher: SandboxLauncher = new InProcessSandboxLauncher()): RunManager {
  return new RunManager({
    launcher,
    poolSize: 0,
    prepareCacheKey: key,
    configDir: tempDir('compiled-cache-config'),
  });
}

describe('the compiled-code cache beside a plugin', () => {
  const engine = manager(KEY);
  const otherInstall = manager(OTHER_KEY);
  afterAll(() => {
    engine.close();
    otherInstall.close();
  });
  const root = tempDir('compiled-cache-plugins');
  type Plugin = TestPlugin & { declared: Capabilities };
  const plugin = async (name: string): Promise<Plugin> =>
    makePlugin(await fixtureWasm('hello'), { name, root });
  const run = (p: Plugin, m = engine, memoryMb?: number) =>
    runPlugin(p, { manager: m, ...(memoryMb ? { limits: { memoryMb } } : {}) });
  const cacheOf = (p: Plugin) => compiledCachePath(p.binary);

  it('is saved by the first run and used by the next, with the same output and the same fuel', async () => {
    const p = await plugin('saves-and-uses');
    const first = await run(p);
    expect(first.end).toMatchObject({ reason: 'exit', code: 0, codeFromCache: false });
    expect(readFileSync(cacheOf(p)).subarray(0, MAGIC.length).toString()).toBe(MAGIC);
    const second = await run(p);
    expect(second.end).toMatchObject({ reason: 'exit', code: 0, codeFromCache: true });
    expect(second.output).toBe(first.output);
    expect(second.output).toBe('hello');
    expect(second.end.fuelUsed).toBe(first.end.fuelUsed);
  });

  it('one made by another installation (another key) is not used, and is replaced by a good one', async () => {
    const p = await plugin('other-installation');
    await run(p, otherInstall); // real V8 code for this very module, under the other key
    expect((await run(p, otherInstall)).end.codeFromCache).toBe(true);
    const shipped = await run(p);
    expect(shipped.end).toMatchObject({ reason: 'exit', codeFromCache: false });
    expect(shipped.output).toBe('hello');
    expect((await run(p)).end.codeFromCache).toBe(true);
  });

  it('one whose bytes were changed after it was written is not used', async () => {
    const p = await plugin('modified');
    await run(p);
    const bytes = readFileSync(cacheOf(p));
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    writeFileSync(cacheOf(p), bytes);
    const r = await run(p);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0, codeFromCache: false });
    expect(r.output).toBe('hello');
  });

  it("one copied from another plugin's module is not used", async () => {
    const a = await plugin('copy-from');
    const b = makePlugin(await sendingModule(['{"type":"output","text":"other"}']), {
      name: 'copy-to',
      root,
    });
    await run(a);
    await run(b);
    writeFileSync(cacheOf(b), readFileSync(cacheOf(a)));
    const r = await run(b);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0, codeFromCache: false });
    expect(r.output).toBe('other');
  });

  it('one made under another memory cap is not used (the cap is written into the module)', async () => {
    const p = await plugin('memory-cap');
    await run(p, engine, 64);
    expect((await run(p, engine, 64)).end.codeFromCache).toBe(true);
    expect((await run(p, engine, 128)).end.codeFromCache).toBe(false);
  });

  it('a link in its place is not followed, and the new cache replaces the link, not its target', async () => {
    const p = await plugin('link');
    const outside = join(tempDir('compiled-cache-outside'), 'target');
    writeFileSync(outside, 'not yours');
    symlinkSync(outside, cacheOf(p));
    const r = await run(p);
    expect(r.end).toMatchObject({ reason: 'exit', codeFromCache: false });
    expect(readFileSync(outside, 'utf8')).toBe('not yours');
    expect(lstatSync(cacheOf(p)).isSymbolicLink()).toBe(false);
    expect((await run(p)).end.codeFromCache).toBe(true);
  });

  it("serves the app's sandbox processes too (one process per run, the cache shared with the CLI's on one V8)", async () => {
    const p = await plugin('sandbox-process');
    const processes = manager(KEY, new NodeSandboxLauncher({ nodePath: process.execPath }));
    try {
      const first = await run(p, processes);
      expect(first.end).toMatchObject({ reason: 'exit', codeFromCache: false });
      const started = first.events.find((e) => e.type === 'started') as { pid?: number } | undefined;
      expect(started?.pid).toBeGreaterThan(0);
      expect(started?.pid).not.toBe(process.pid);
      expect((await run(p, processes)).end).toMatchObject({ reason: 'exit', codeFromCache: true });
      // The same key (one config dir), the same V8 and flags: the CLI's in-process run takes it as is.
      expect((await run(p)).end.codeFromCache).toBe(true);
    } finally {
      processes.close();
    }
  });

  it.runIf(pinnedNode() !== undefined)(
    "the pinned Node keeps a cache of its own V8 beside the CLI's (build/native.mjs builds the addon for both)",
    async () => {
      const p = await plugin('pinned-node');
      const pinned = manager(KEY, new NodeSandboxLauncher({ nodePath: pinnedNode()! }));
      try {
        expect((await run(p, pinned)).end).toMatchObject({ reason: 'exit', codeFromCache: false });
        expect((await run(p, pinned)).end).toMatchObject({ reason: 'exit', codeFromCache: true });
        expect((await run(p)).end).toMatchObject({ reason: 'exit', codeFromCache: false }); // this V8's own
        expect((await run(p)).end.codeFromCache).toBe(true);
        expect((await run(p, pinned)).end.codeFromCache).toBe(true); // and the pinned one's is still there
        const v8s = readdirSync(dirname(p.binary)).filter((f) => f.endsWith('.code'));
        expect(v8s).toHaveLength(2);
        expect(v8s).toContain(basename(compiledCachePath(p.binary)));
      } finally {
        pinned.close();
      }
    },
  );

  it('a plugin folder that cannot hold the prepared copy gets one warning, and no compiled code either', async () => {
    const p = await plugin('unwritable');
    mkdirSync(`${p.binary}.fuel.wasm`); // as root ignores permissions: the prepared copy cannot be written
    const r = await run(p);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.end.codeFromCache).toBeUndefined();
    expect(r.output).toBe('hello');
    expect(r.logs.map((l) => l.message).filter((m) => /^Could not save/.test(m))).toEqual([
      expect.stringMatching(/^Could not save the prepared copy of plugin\.wasm beside it/),
    ]);
    expect(existsSync(cacheOf(p))).toBe(false);
  });

  it('a FIFO in its place is not read (the run does not hang) and the run goes on', async () => {
    const p = await plugin('fifo');
    execFileSync('mkfifo', [cacheOf(p)]);
    const r = await run(p);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0, codeFromCache: false });
    expect(lstatSync(cacheOf(p)).isFile()).toBe(true);
  });
});

describe("the sandbox worker's JS heap", () => {
  it('is never smaller than the largest wasm memory its process allows (V8 would collect at every grow)', () => {
    expect(workerResourceLimits(undefined).maxOldGenerationSizeMb).toBe(128);
    expect(workerResourceLimits(1024).maxOldGenerationSizeMb).toBe(128); // 64 MiB of wasm
    expect(workerResourceLimits(4096).maxOldGenerationSizeMb).toBe(256); // the default 256 MiB cap
    expect(workerResourceLimits(16384).maxOldGenerationSizeMb).toBe(1024);
    expect(workerResourceLimits(65536 * 4).maxOldGenerationSizeMb).toBe(4096);
    expect(workerResourceLimits(4096).maxYoungGenerationSizeMb).toBe(32);
  });
});

describe('the compiled-code file', () => {
  const dir = tempDir('compiled-cache-file');
  const key = Buffer.from(KEY, 'hex');
  const id = moduleIdOf('c3'.repeat(32), 256 << 20, 1234);
  const code = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);

  it('reads back what was written, under the same key, module and V8 only', () => {
    const path = join(dir, 'plugin.wasm.fuel.v8-test.code');
    expect(writeCompiledCache(path, id, key, code, '1.2.3')).toBeNull();
    const hit = readCompiledCache(path, id, key, '1.2.3');
    expect(hit.kind).toBe('hit');
    expect(hit.kind === 'hit' && Buffer.from(hit.code).equals(Buffer.from(code))).toBe(true);
    expect(readCompiledCache(path, id, Buffer.from(OTHER_KEY, 'hex'), '1.2.3').kind).toBe('bad');
    expect(readCompiledCache(path, moduleIdOf('c3'.repeat(32), 128 << 20, 1234), key, '1.2.3').kind).toBe(
      'bad',
    );
    expect(readCompiledCache(path, id, key, '1.2.4').kind).toBe('bad');
  });

  it('a missing file is a miss; a truncated, foreign or empty one is refused', () => {
    expect(readCompiledCache(join(dir, 'none.code'), id, key).kind).toBe('miss');
    const path = join(dir, 'bad.code');
    for (const text of ['', MAGIC, `${MAGIC}${'0'.repeat(64)}`, `not a cache\n${'0'.repeat(64)}\nxx`]) {
      writeFileSync(path, text);
      expect(readCompiledCache(path, id, key).kind).toBe('bad');
    }
    expect(existsSync(path)).toBe(true);
  });
});
