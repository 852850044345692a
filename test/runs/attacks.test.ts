// A hostile plugin author against the run path: each attack is a plugin that tries to outlive its
// limits, break the host, or poison what the next run gets. Each test names the attack.
import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_KEY_FILE, prepareCacheKey } from '../../electron/engine/runs/cache-key.js';
import { sha256 } from '../../electron/sandbox/prepare/cache.js';
import { PREPARE_ENGINE_VERSION } from '../../electron/sandbox/prepare/index.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { wat } from '../prepare/helpers.js';
import { makePlugin, runPlugin, sendingModule, startPlugin, wat2wasm } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';

const SEND_EXIT = `
  (import "fledge" "send" (func $send (param i32 i32)))
  (import "fledge" "exit" (func $exit (param i32)))`;
const MEMORY = '(memory (export "memory") 1)';

/** Limits that a run escaping its ending would hit: then the reason is 'timeout' or 'fuel', not the real one. */
const ROOMY = { fuel: 10n ** 15n, timeoutMs: 8000 };

describe('endings are sticky', () => {
  it('exit() caught by catch_all ends the run anyway, at once', async () => {
    const wasm = await wat2wasm(`(module ${SEND_EXIT} ${MEMORY}
      (func (export "_start")
        (try (do (call $exit (i32.const 7))) (catch_all))
        (loop $forever (br $forever))))`);
    const { end } = await runPlugin(makePlugin(wasm), { limits: ROOMY });
    expect(end).toMatchObject({ reason: 'exit', code: 7 });
  }, 15_000);

  it('exit() caught inside an internal (threaded) function ends the run anyway', async () => {
    const wasm = await wat2wasm(`(module ${SEND_EXIT} ${MEMORY}
      (func $inner (param $n i32) (result i32)
        (try (do (call $exit (i32.const 9))) (catch_all))
        (loop $forever (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $forever))
        (local.get $n))
      (func (export "_start") (drop (call $inner (i32.const 0)))))`);
    const { end } = await runPlugin(makePlugin(wasm), { limits: ROOMY });
    expect(end).toMatchObject({ reason: 'exit', code: 9 });
  }, 15_000);

  it('a host trap (bad pointer) caught by catch_all ends the run anyway', async () => {
    const wasm = await wat2wasm(`(module ${SEND_EXIT} ${MEMORY}
      (func (export "_start")
        (try (do (call $send (i32.const -1) (i32.const 4))) (catch_all))
        (loop $forever (br $forever))))`);
    const { end } = await runPlugin(makePlugin(wasm), { limits: ROOMY });
    expect(end).toMatchObject({ reason: 'trap' });
  }, 15_000);
});

describe('the prepared-module cache shipped in the plugin folder', () => {
  it('a forged prepared module (unmetered, stamp hashes right) is not run: the loop runs out of fuel', async () => {
    const source = await wat2wasm(
      `(module ${SEND_EXIT} ${MEMORY} (func (export "_start") (loop $l (br $l))))`,
    );
    const forged = await wat2wasm(`(module ${SEND_EXIT}
      (import "fledge_fuel" "remaining" (global (mut i64))) ${MEMORY}
      (func (export "_start") (loop $l (br $l))))`);
    const plugin = makePlugin(source);
    writeFileSync(`${plugin.binary}.fuel.wasm`, forged);
    writeFileSync(
      `${plugin.binary}.fuel.stamp`,
      `${sha256(source)}\n${PREPARE_ENGINE_VERSION}\n${sha256(forged)}\n`,
    );
    const { end } = await runPlugin(plugin, { limits: { fuel: 5_000_000n, timeoutMs: 8000 } });
    expect(end).toMatchObject({ reason: 'fuel' });
  }, 15_000);

  it('a binary reached through a folder link out of the plugin gets no cache files written there', async () => {
    const wasm = await sendingModule(['{"type":"output","text":"ok"}']);
    const plugin = makePlugin(null);
    const outside = tempDir('victim');
    writeFileSync(join(outside, 'plugin.wasm'), wasm);
    symlinkSync(outside, join(plugin.dir, 'bin'));
    const { end, output } = await runPlugin({ ...plugin, binary: join(plugin.dir, 'bin', 'plugin.wasm') });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(output).toBe('ok');
    expect(readdirSync(outside)).toEqual(['plugin.wasm']);
  });

  it('the engine keeps its cache key in the config dir, private, and reuses it', () => {
    const dir = tempDir('cache-key');
    const key = prepareCacheKey(dir);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(prepareCacheKey(dir)).toBe(key);
    expect(statSync(join(dir, CACHE_KEY_FILE)).mode & 0o077).toBe(0);
  });

  it('a first run with no config dir makes it, private, and the next run gets the same key', () => {
    const none = join(tempDir('cache-key-first'), 'config', 'fledge');
    const key = prepareCacheKey(none);
    expect(prepareCacheKey(none)).toBe(key);
    expect(statSync(none).mode & 0o077).toBe(0);
    expect(statSync(join(none, CACHE_KEY_FILE)).mode & 0o077).toBe(0);
  });

  it('a config dir that cannot be made gives a key for this process only, and nothing is written', () => {
    const file = join(tempDir('cache-key-blocked'), 'a-file');
    writeFileSync(file, 'not a folder');
    const under = join(file, 'fledge');
    expect(prepareCacheKey(under)).toMatch(/^[0-9a-f]{64}$/);
    expect(prepareCacheKey(under)).not.toBe(prepareCacheKey(under));
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });
});

describe('floods of requests', () => {
  it('100,000 prompts with one id, then 100,000 with distinct ids: bounded state, the run goes on', async () => {
    const msg = '{"type":"prompt","id":"000000","message":"m"}';
    const idAt = 16 + msg.indexOf('000000');
    const wasm = await wat2wasm(`(module ${SEND_EXIT} ${MEMORY}
      (data (i32.const 16) "${msg.replaceAll('"', '\\"')}")
      (data (i32.const 200) "{\\"type\\":\\"output\\",\\"text\\":\\"done\\"}")
      (func $digits (param $n i32) (local $k i32)
        (local.set $k (i32.const 5))
        (loop $d
          (i32.store8 (i32.add (i32.const ${idAt}) (local.get $k))
            (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
          (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $d (i32.ge_s (local.get $k) (i32.const 0)))))
      (func (export "_start") (local $i i32)
        (call $digits (i32.const 999999))
        (loop $same
          (call $send (i32.const 16) (i32.const ${msg.length}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $same (i32.lt_u (local.get $i) (i32.const 100000))))
        (local.set $i (i32.const 0))
        (loop $distinct
          (call $digits (local.get $i))
          (call $send (i32.const 16) (i32.const ${msg.length}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $distinct (i32.lt_u (local.get $i) (i32.const 100000))))
        (call $send (i32.const 200) (i32.const 31))))`);
    let requests = 0;
    const { end, output, logs } = await runPlugin(makePlugin(wasm), {
      limits: { timeoutMs: 9000 },
      onEvent: (e) => {
        if (e.type === 'request') requests++;
      },
    });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(output).toBe('done');
    expect(requests).toBeLessThanOrEqual(1000);
    expect(logs.filter((l) => /requests waiting for answers|still open/.test(l.message)).length).toBe(2);
  }, 15_000);
});

describe('odd ways in', () => {
  it('fledge.send from a start function (memory not yet exported) is a clean trap', async () => {
    const wasm = await wat2wasm(`(module ${SEND_EXIT} ${MEMORY}
      (func $s (call $send (i32.const 0) (i32.const 2))) (start $s)
      (func (export "_start")))`);
    const { end } = await runPlugin(makePlugin(wasm));
    expect(end.reason).toBe('trap');
    expect(end.message).toMatch(/start function/);
  });

  it('exit from a start function ends the run with that code', async () => {
    const wasm = await wat2wasm(`(module ${SEND_EXIT} ${MEMORY}
      (func $s (call $exit (i32.const 3)) (loop $l (br $l))) (start $s)
      (func (export "_start")))`);
    const { end } = await runPlugin(makePlugin(wasm), { limits: ROOMY });
    expect(end).toMatchObject({ reason: 'exit', code: 3 });
  }, 15_000);

  it('a module importing a table or a memory is refused at load (nothing for JS to hand it)', async () => {
    for (const imp of ['(import "env" "t" (table 1 funcref))', '(import "env" "memory" (memory 1))']) {
      const wasm = await wat2wasm(`(module ${imp} (func (export "_start")))`);
      const { end } = await runPlugin(makePlugin(wasm));
      expect(end.reason).toBe('error');
      expect(end.message).toMatch(/does not provide/);
    }
  });

  it('store_set with a 1 MB key and value is refused by the host, and the run goes on', async () => {
    const key = 'k'.repeat(1 << 20);
    const wasm = await wat2wasm(`(module
      (import "fledge" "store_set" (func $set (param i32 i32)))
      (import "fledge" "send" (func $send (param i32 i32)))
      (memory (export "memory") 40)
      (data (i32.const 0) "{\\"type\\":\\"output\\",\\"text\\":\\"on\\"}")
      (data (i32.const 64) "{\\"key\\":\\"${key}\\",\\"value\\":\\"${key}\\"}")
      (func (export "_start")
        (call $set (i32.const 64) (i32.const ${key.length * 2 + 21}))
        (call $send (i32.const 0) (i32.const 29))))`);
    const plugin = makePlugin(wasm, { declared: { store: true } });
    const { end, output, logs } = await runPlugin(plugin, {
      grants: { ...NO_CAPABILITIES, store: true },
      limits: { timeoutMs: 9000 },
    });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(output).toBe('on');
    expect(logs.some((l) => /storeSet failed/.test(l.message))).toBe(true);
  }, 15_000);
});

describe('stderr', () => {
  it('300,000 one-byte writes without a newline: no quadratic re-splitting, long lines are cut', async () => {
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      ${MEMORY}
      (data (i32.const 0) "x")
      (func (export "_start") (local $i i32)
        (i32.store (i32.const 16) (i32.const 0))
        (i32.store (i32.const 20) (i32.const 1))
        (loop $more
          (drop (call $w (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 32)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $more (i32.lt_u (local.get $i) (i32.const 300000))))))`);
    const { end, events } = await runPlugin(makePlugin(wasm), { limits: { timeoutMs: 9000 } });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    const lines = events.flatMap((e) => (e.type === 'stderr' ? [e.line] : []));
    expect(lines.join('').length).toBe(300_000);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(64 * 1024);
  }, 15_000);
});

describe('bad ranges', () => {
  for (const [what, call] of [
    ['len 0x7fffffff', '(call $send (i32.const 0) (i32.const 0x7fffffff))'],
    ['ptr + len past 4 GiB', '(call $send (i32.const 0x7ffffff0) (i32.const 0x7ffffff0))'],
    ['negative len', '(call $send (i32.const 16) (i32.const -1))'],
    ['recv past the end', '(drop (call $recv (i32.const 65530) (i32.const 100)))'],
    ['recv with a huge max', '(drop (call $recv (i32.const 0) (i32.const 0x7fffffff)))'],
  ] as const) {
    it(`${what}: a clean trap`, async () => {
      const wasm = await wat2wasm(`(module ${SEND_EXIT}
        (import "fledge" "recv" (func $recv (param i32 i32) (result i32))) ${MEMORY}
        (func (export "_start") ${call}))`);
      const { end } = await runPlugin(makePlugin(wasm));
      expect(end.reason).toBe('trap');
      expect(end.message).toMatch(/fledge\.(send|recv)/);
    });
  }
});

describe('the worker thread', () => {
  it('memory.atomic.wait32 forever on a shared memory: the wall clock still ends it', async () => {
    const wasm = wat(`(module
      (memory (export "memory") 1 1 shared)
      (func (export "_start")
        (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))`);
    const { end } = await runPlugin(makePlugin(wasm), { limits: { timeoutMs: 1500 } });
    expect(end.reason).toBe('timeout');
  }, 15_000);

  it('memory.atomic.wait32 forever: cancel ends it after the grace period', async () => {
    const wasm = wat(`(module
      (memory (export "memory") 1 1 shared)
      (func (export "_start")
        (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))`);
    const { end } = await runPlugin(makePlugin(wasm), {
      limits: { timeoutMs: 30_000 },
      timings: { cancelGraceMs: 200 },
      onEvent: (e, run) => {
        if (e.type === 'started') setTimeout(() => run.cancel(), 300);
      },
    });
    expect(end.reason).toBe('error');
    expect(end.code).toBe(130);
  }, 15_000);

  it('deeply nested JSON (fine for JSON.parse, not for serialising) is cut with a warning (bounded.ts)', async () => {
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const wasm = await sendingModule([
      `{"type":"prompt","id":"q","message":"m","default":${deep}}`,
      `{"type":"log","message":${deep}}`,
      `{"type":"exec","id":"e","command":${deep}}`,
      '{"type":"output","text":"after"}',
    ]);
    const { end, output, logs } = await runPlugin(makePlugin(wasm), { limits: { timeoutMs: 8000 } });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(output).toBe('after');
    expect(logs.filter((l) => /nested deeper than 32 levels/.test(l.message)).length).toBe(3);
  }, 15_000);

  it('an output with 5 million escapes (too many for the fast path regex) still arrives whole', async () => {
    // {"type":"output","text":"a\na\n...a\n"}, written by the module itself (15 MB).
    const prefix = '{"type":"output","text":"';
    const n = 5_000_000;
    const total = prefix.length + 3 * n + 2;
    const wasm = await wat2wasm(`(module ${SEND_EXIT} (memory (export "memory") 256)
      (data (i32.const 0) "${prefix.replaceAll('"', '\\"')}")
      (func (export "_start") (local $p i32)
        (local.set $p (i32.const ${prefix.length}))
        (loop $more
          (i32.store8 (local.get $p) (i32.const 0x61))
          (i32.store8 offset=1 (local.get $p) (i32.const 0x5c))
          (i32.store8 offset=2 (local.get $p) (i32.const 0x6e))
          (local.set $p (i32.add (local.get $p) (i32.const 3)))
          (br_if $more (i32.lt_u (local.get $p) (i32.const ${prefix.length + 3 * n}))))
        (i32.store8 (local.get $p) (i32.const 0x22))
        (i32.store8 offset=1 (local.get $p) (i32.const 0x7d))
        (call $send (i32.const 0) (i32.const ${total}))))`);
    const { end, output } = await runPlugin(makePlugin(wasm), { limits: { timeoutMs: 9000 } });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(output.length).toBe(2 * n);
    expect(output).toBe('a\n'.repeat(n));
  }, 15_000);

  it("a message bigger than the worker's JS heap: that run alone ends (or copes), the next run works", async () => {
    // 255 MB of text in one send: the worker's heap is capped at 128 MB. V8 may abort the whole
    // sandbox process for it (a crash of this run only) or get it through.
    const wasm = await wat2wasm(`(module ${SEND_EXIT} ${MEMORY}
      (func (export "_start")
        (drop (memory.grow (i32.const 3900)))
        (memory.fill (i32.const 0) (i32.const 0x41) (i32.const 255000000))
        (call $send (i32.const 0) (i32.const 255000000))))`);
    const { end } = await runPlugin(makePlugin(wasm), { limits: { timeoutMs: 9000 } });
    expect(['exit', 'memory', 'crash']).toContain(end.reason);
    if (end.reason === 'crash') expect(end.message).toMatch(/heap|memory/i);
    const hello = await sendingModule(['{"type":"output","text":"ok"}']);
    const next = await runPlugin(makePlugin(hello));
    expect(next.end.reason).toBe('exit');
    expect(next.output).toBe('ok');
  }, 20_000);

  it('big outputs (past the ring) to a slow consumer do not grow the sandbox without bound', async () => {
    const N = 1500; // 600 MB in all
    const text = 'x'.repeat(400_000);
    const msg = `{"type":"output","text":"${text}"}`;
    const wasm = await wat2wasm(`(module ${SEND_EXIT} (memory (export "memory") 8)
      (data (i32.const 0) "${msg.replaceAll('"', '\\"')}")
      (func (export "_start") (local $i i32)
        (loop $more
          (call $send (i32.const 0) (i32.const ${msg.length}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $more (i32.lt_u (local.get $i) (i32.const ${N}))))))`);
    // Counted, not kept: the test must not hold the text itself.
    const { run } = startPlugin(makePlugin(wasm), { limits: { timeoutMs: 60_000 } });
    let chars = 0;
    run.subscribe((events) => {
      for (const e of events) if (e.type === 'output') chars += e.text.length;
      const until = performance.now() + 2; // a slow consumer
      while (performance.now() < until) {}
    });
    const end = await run.ended;
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(chars).toBe(N * 400_000);
    expect(end.peakRssBytes).toBeLessThan(450 * 1024 * 1024);
  }, 60_000);
});
