// Eight hostile runs at once: each ends with its own reason, the engine stays healthy, and no
// sandbox process is left behind.
import { describe, expect, it } from 'vitest';
import { RunManager } from '../../electron/engine/runs/index.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { fixtureWasm, makePlugin, wat2wasm } from '../sandbox/helpers.js';

describe('hostile runs', () => {
  it('eight at once, then a normal run works and nothing leaks', async () => {
    const manager = new RunManager({ poolSize: 2 });
    try {
      const cases = [
        { wasm: await fixtureWasm('loop'), limits: { fuel: 5_000_000n }, expect: 'fuel' },
        { wasm: await fixtureWasm('loop'), limits: { fuel: 10n ** 15n, timeoutMs: 1500 }, expect: 'timeout' },
        { wasm: await fixtureWasm('start-loop'), limits: { fuel: 5_000_000n }, expect: 'fuel' },
        { wasm: await fixtureWasm('recurse'), limits: { fuel: 10n ** 12n }, expect: 'stack' },
        {
          wasm: await fixtureWasm('grow', { STEP: 1, THEN: 'unreachable' }),
          limits: { memoryMb: 8 },
          expect: 'memory',
        },
        {
          wasm: await fixtureWasm('bad-pointer', { CALL: '(call $send (i32.const -1) (i32.const 10))' }),
          limits: {},
          expect: 'trap',
        },
        { wasm: await fixtureWasm('flood', { COUNT: 50_000 }), limits: {}, expect: 'exit' },
        { wasm: await fixtureWasm('prompt'), limits: { timeoutMs: 1500 }, expect: 'timeout' },
      ];
      const runs = cases.map((c, i) => {
        const plugin = makePlugin(c.wasm, { name: `fledge-hostile-${i}` });
        return manager.start({
          plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
          command: plugin.name,
          binary: plugin.binary,
          grants: NO_CAPABILITIES,
          limits: c.limits,
        });
      });
      const ends = await Promise.all(runs.map((r) => r.ended));
      expect(ends.map((e) => e.reason)).toEqual(cases.map((c) => c.expect));

      const hello = makePlugin(
        await wat2wasm(
          '(module (import "fledge" "send" (func $s (param i32 i32))) (memory (export "memory") 1) (data (i32.const 0) "{\\"type\\":\\"output\\",\\"text\\":\\"ok\\"}") (func (export "_start") (call $s (i32.const 0) (i32.const 29))))',
        ),
      );
      const run = manager.start({
        plugin: { name: hello.name, version: '0.1.0', dir: hello.dir, declared: hello.declared },
        command: hello.name,
        binary: hello.binary,
        grants: NO_CAPABILITIES,
      });
      const texts: string[] = [];
      run.subscribe((events) => {
        for (const e of events) if (e.type === 'output') texts.push(e.text);
      });
      expect(await run.ended).toMatchObject({ reason: 'exit', code: 0 });
      expect(texts).toEqual(['ok']);
    } finally {
      await manager.close();
    }
    // Every process of the pool is gone once it is closed (processes exit after their one run).
    for (let i = 0; i < 50 && manager.pool.liveProcesses() > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(manager.pool.liveProcesses()).toBe(0);
  });
});

describe('back-pressure', () => {
  it('a plugin flooding big outputs to a slow consumer does not grow the sandbox without bound', async () => {
    const text = 'x'.repeat(60_000);
    const msg = `{"type":"output","text":"${text}"}`;
    const flood = (times: number) =>
      wat2wasm(`(module
      (import "fledge" "send" (func $send (param i32 i32)))
      (memory (export "memory") 2)
      (data (i32.const 0) "${msg.replaceAll('"', '\\"')}")
      (func (export "_start") (local $i i32)
        (loop $more
          (call $send (i32.const 0) (i32.const ${msg.length}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $more (i32.lt_u (local.get $i) (i32.const ${times}))))))`);
    const manager = new RunManager({ poolSize: 0 });
    const runOf = async (times: number, slow: boolean) => {
      const plugin = makePlugin(await flood(times));
      const run = manager.start({
        plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
        command: plugin.name,
        binary: plugin.binary,
        grants: NO_CAPABILITIES,
      });
      let chars = 0;
      run.subscribe((events) => {
        for (const e of events) if (e.type === 'output') chars += e.text.length;
        const until = performance.now() + (slow ? 3 : 0); // a slow consumer
        while (performance.now() < until) {}
      });
      const end = await run.ended;
      expect(end).toMatchObject({ reason: 'exit', code: 0 });
      expect(chars).toBe(times * 60_000); // none lost
      return end.peakRssBytes!;
    };
    try {
      const idle = await runOf(1, false);
      // 240 MB of output: held back, the sandbox grows by what its heap lets garbage reach before a
      // collection (~110 MB on Node 26, ~90 on Node 20); piled up unsent, by all of it and more.
      const peak = await runOf(4000, true);
      expect(peak - idle).toBeLessThan(160 * 1024 * 1024);
    } finally {
      await manager.close();
    }
  });
});
