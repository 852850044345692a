// How runs end: exit codes, fuel, wall clock, memory, stack, start functions, load errors.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureWasm, makePlugin, runFixture, runPlugin, startPlugin, wat2wasm } from './helpers.js';

describe('exit', () => {
  it('_start returning is exit 0, with the output delivered', async () => {
    const r = await runFixture('hello');
    expect(r.end).toMatchObject({ code: 0, reason: 'exit' });
    expect(r.end.message).toMatch(/^Plugin 'fledge-test-\d+' finished\.$/);
    expect(r.output).toBe('hello');
    expect(r.events[0]?.type).toBe('started');
    expect(r.events.at(-1)).toMatchObject({ type: 'exit', code: 0, reason: 'exit' });
  });

  it('fledge.exit(42) ends with code 42 and says so', async () => {
    const r = await runFixture('exit-code', { CODE: 42 });
    expect(r.end).toMatchObject({ code: 42, reason: 'exit' });
    expect(r.end.message).toMatch(/exited with code 42/);
  });

  it('fledge.exit(0) is a success', async () => {
    const r = await runFixture('exit-code', { CODE: 0 });
    expect(r.end).toMatchObject({ code: 0, reason: 'exit' });
  });
});

describe('fuel', () => {
  it('an infinite loop ends with fuel exhaustion at a small budget', async () => {
    const r = await runFixture('loop', {}, { limits: { fuel: 1_000_000n } });
    expect(r.end.reason).toBe('fuel');
    expect(r.end.code).not.toBe(0);
    expect(r.end.message).toMatch(/^Plugin 'fledge-test-\d+' exceeded its compute budget\.$/);
    expect(r.end.fuelUsed).toBe(1_000_000);
  });

  it('a loop in a start function is stopped by fuel too', async () => {
    const r = await runFixture('start-loop', {}, { limits: { fuel: 500_000n } });
    expect(r.end.reason).toBe('fuel');
  });

  it('fuel used is the same on every run', async () => {
    const plugin = makePlugin(await fixtureWasm('flood', { COUNT: 1000 }));
    const a = await runPlugin(plugin);
    const b = await runPlugin(plugin);
    expect(a.end.reason).toBe('exit');
    expect(a.end.fuelUsed).toBeGreaterThan(1000);
    expect(b.end.fuelUsed).toBe(a.end.fuelUsed);
  });
});

describe('wall clock', () => {
  it('an infinite loop with a huge budget ends at the time limit', async () => {
    const r = await runFixture('loop', {}, { limits: { fuel: 10n ** 15n, timeoutMs: 400 } });
    expect(r.end.reason).toBe('timeout');
    expect(r.end.code).not.toBe(0);
    expect(r.end.message).toMatch(/^Plugin 'fledge-test-\d+' exceeded time limit \(0\.4 seconds\)$/);
    expect(r.end.durationMs).toBeGreaterThanOrEqual(400);
  });

  it('a loop in a start function ends at the time limit', async () => {
    const r = await runFixture('start-loop', {}, { limits: { fuel: 10n ** 15n, timeoutMs: 300 } });
    expect(r.end.reason).toBe('timeout');
  });
});

describe('memory', () => {
  it('memory.grow stops at the cap: it returns -1 there, as under Wasmtime', async () => {
    const r = await runFixture(
      'grow',
      { STEP: 1, THEN: '(call $exit (memory.size))' },
      { limits: { memoryMb: 2 } },
    );
    expect(r.end).toMatchObject({ reason: 'exit', code: 32 });
    expect(r.end.peakMemoryBytes).toBe(2 * 1024 * 1024);
  });

  it('a trap after growth failed is reported as running out of memory', async () => {
    const r = await runFixture('grow', { STEP: 1, THEN: 'unreachable' }, { limits: { memoryMb: 4 } });
    expect(r.end.reason).toBe('memory');
    expect(r.end.message).toMatch(/ran out of memory \(limit 4 MiB\)/);
  });

  it('the default cap (256 MiB) holds in a warm pooled process', async () => {
    // 64 pages (4 MiB) at a time: growing page by page is slow on V8 (each grow re-commits memory).
    const r = await runFixture('grow', { STEP: 64, THEN: '(call $exit (memory.size))' });
    // 1 page + 63 steps of 64 = 4033 pages; one more step would pass 4096 pages (256 MiB).
    expect(r.end).toMatchObject({ reason: 'exit', code: 1 + 63 * 64 });
    expect(r.end.peakMemoryBytes).toBeLessThanOrEqual(256 * 1024 * 1024);
  });
});

describe('stack', () => {
  it('infinite recursion is a stack overflow, not a crash', async () => {
    const r = await runFixture('recurse', {}, { limits: { fuel: 10n ** 12n } });
    expect(r.end.reason).toBe('stack');
    expect(r.end.message).toMatch(/overflowed its stack/);
  });
});

describe('traps', () => {
  it('an unreachable is a trap with the trap named', async () => {
    const wasm = await wat2wasm('(module (memory (export "memory") 1) (func (export "_start") unreachable))');
    const r = await runPlugin(makePlugin(wasm));
    expect(r.end.reason).toBe('trap');
    expect(r.end.message).toMatch(/^Plugin 'fledge-test-\d+' trapped: .*unreachable/);
  });
});

describe('modules that cannot run', () => {
  it('a module without _start is refused with a clear message', async () => {
    const r = await runFixture('no-start');
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/has no _start function/);
  });

  it('an empty file is refused', async () => {
    const plugin = makePlugin(new Uint8Array(0));
    const r = await runPlugin(plugin);
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/could not be run: .*empty/i);
  });

  it('a file that is not wasm is refused', async () => {
    const plugin = makePlugin(new TextEncoder().encode('#!/bin/sh\necho not wasm\n'));
    const r = await runPlugin(plugin);
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/not a WebAssembly module|not wasm/i);
  });

  it('a missing binary is refused', async () => {
    const plugin = makePlugin(null);
    const r = await runPlugin(plugin);
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/plugin\.wasm/);
  });

  it('an import the host does not provide is refused, naming it', async () => {
    const wasm = await wat2wasm('(module (import "env" "system" (func)) (func (export "_start")))');
    const r = await runPlugin(makePlugin(wasm));
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(/env\.system/);
  });
});

describe('crash', () => {
  it('a sandbox process that dies is reported as a crash, and the next run works', async () => {
    const plugin = makePlugin(await fixtureWasm('loop'));
    const { run } = startPlugin(plugin, {
      limits: { fuel: 10n ** 15n },
      onEvent: (e) => {
        if (e.type === 'started' && e.pid) setTimeout(() => process.kill(e.pid!, 'SIGKILL'), 50);
      },
    });
    const end = await run.ended;
    expect(end.reason).toBe('crash');
    expect(end.message).toMatch(/sandbox running plugin .* crashed/);
    const next = await runFixture('hello');
    expect(next.output).toBe('hello');
  });
});

describe('cache', () => {
  it('a corrupt prepared cache is rebuilt with a warning', async () => {
    const plugin = makePlugin(await fixtureWasm('hello'));
    const first = await runPlugin(plugin);
    expect(first.output).toBe('hello');
    writeFileSync(`${plugin.binary}.fuel.wasm`, 'garbage, not a module');
    const second = await runPlugin(plugin);
    expect(second.end.reason).toBe('exit');
    expect(second.output).toBe('hello');
    expect(second.logs.some((l) => l.level === 'warn' && /prepared again/.test(l.message))).toBe(true);
    const third = await runPlugin(plugin);
    expect(third.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('a tampered prepared cache (valid wasm, wrong hash) is not run', async () => {
    const plugin = makePlugin(await fixtureWasm('hello'));
    await runPlugin(plugin);
    // Someone swaps in a different module (even a prepared one) and leaves the stamp alone.
    const evil = makePlugin(await fixtureWasm('exit-code', { CODE: 66 }));
    await runPlugin(evil);
    writeFileSync(`${plugin.binary}.fuel.wasm`, readFileSync(`${evil.binary}.fuel.wasm`));
    const r = await runPlugin(plugin);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.output).toBe('hello');
    expect(r.logs.some((l) => l.level === 'warn' && /prepared again/.test(l.message))).toBe(true);
  });
});

describe('linking', () => {
  it("send declared returning i32 (as in the seed page's Rust example) is accepted", async () => {
    const wasm = await wat2wasm(
      '(module (import "fledge" "send" (func $s (param i32 i32) (result i32))) (memory (export "memory") 1) (data (i32.const 0) "{\\"type\\":\\"output\\",\\"text\\":\\"ok\\"}") (func (export "_start") (drop (call $s (i32.const 0) (i32.const 29)))))',
    );
    const r = await runPlugin(makePlugin(wasm));
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.output).toBe('ok');
  });

  it('a fledge import with the wrong signature is a load error, not a trap', async () => {
    const wasm = await wat2wasm(
      '(module (import "fledge" "send" (func (param i64))) (memory (export "memory") 1) (func (export "_start")))',
    );
    const r = await runPlugin(makePlugin(wasm));
    expect(r.end.reason).toBe('error');
    expect(r.end.message).toMatch(
      /could not be run: its imports do not match the fledge host interface: fledge\.send is imported as \(i64\) -> \(\) but must be \(i32, i32\) -> \(\)/,
    );
  });
});
