// A run's wasm memory is backed by transparent huge pages where Linux offers them only when asked
// (huge-pages.ts, the addon's adviseHugePages): the memory's own reservation is advised up to the
// cap, and nothing else is.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adviseHugePages } from '../../electron/sandbox/huge-pages.js';
import { sandboxAddon } from '../../electron/sandbox/sandbox-addon.js';
import { makePlugin, startPlugin, wat2wasm } from './helpers.js';

const MB = 1 << 20;
const thpMode = (() => {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
})();
/** Linux with transparent huge pages on ("always" or "madvise"), as on the build machines. */
const offered = process.platform === 'linux' && (thpMode === 'always' || thpMode === 'madvise');

/** kB of anonymous memory in huge pages, of this process or of `pid`. */
function hugeKb(pid: number | 'self' = 'self'): number {
  const m = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

describe.skipIf(!offered)('huge pages for wasm memory', () => {
  it('the addon is built with adviseHugePages', () => {
    expect(typeof sandboxAddon()?.adviseHugePages).toBe('function');
  });

  it('advises a wasm memory up to the cap, and the pages it touches, grown ones too, are huge', () => {
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 1024 }); // 16 MB, at most 64 MB
    expect(adviseHugePages(memory, 64 * MB)).toBe(64 * MB);
    const before = hugeKb();
    new Uint8Array(memory.buffer).fill(1);
    memory.grow(256);
    new Uint8Array(memory.buffer).fill(2, 16 * MB);
    // 32 MB touched: all but the partial 2 MB regions at the edges of the reservation are huge.
    expect(hugeKb() - before).toBeGreaterThanOrEqual(24 * 1024);
  });

  it('advises nothing that is not a wasm memory reservation, nor past 4 GiB', () => {
    const advise = sandboxAddon()!.adviseHugePages!;
    // A plain ArrayBuffer lives in malloc's heap (or a mapping of its own, not 4 GiB long).
    expect(advise(new ArrayBuffer(16 * MB), 16 * MB)).toBe(0);
    expect(advise(new ArrayBuffer(4096), 4096)).toBe(0);
    const memory = new WebAssembly.Memory({ initial: 16 });
    for (const bytes of [0, -1, Number.NaN, 2 ** 32 + 65536, Number.POSITIVE_INFINITY])
      expect(advise(memory.buffer, bytes), String(bytes)).toBe(0);
    expect(() => advise(new Uint8Array(8) as unknown as ArrayBuffer, 8)).toThrow(/ArrayBuffer/);
    // A memory of no pages has no accessible mapping that starts at its buffer: left alone.
    expect(advise(new WebAssembly.Memory({ initial: 0 }).buffer, 16 * MB)).toBe(0);
  });

  it("a run's memory in its sandbox process is in huge pages", async () => {
    // Touches 16 MB, says so, then spins until cancelled (the test reads the process meanwhile).
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 288)
      (data (i32.const 0) "ready\\0a")
      (func (export "_start") (local $i i32)
        (local.set $i (i32.const 65536))
        (loop $touch
          (i32.store8 (local.get $i) (i32.const 1))
          (local.set $i (i32.add (local.get $i) (i32.const 4096)))
          (br_if $touch (i32.lt_u (local.get $i) (i32.const ${17 * MB}))))
        (i32.store (i32.const 16) (i32.const 0))
        (i32.store (i32.const 20) (i32.const 6))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        (loop $spin (br $spin))))`);
    let pid = 0;
    let kb = -1;
    const { run } = startPlugin(makePlugin(wasm), {
      timings: { cancelGraceMs: 100 }, // it never reads the cancel: killed 100 ms after it
      onEvent: (e, r) => {
        if (e.type === 'started') pid = e.pid ?? 0;
        if (e.type === 'output' && e.text.includes('ready') && kb < 0) {
          kb = hugeKb(pid);
          r.cancel();
        }
      },
    });
    const end = await run.ended;
    expect(end.message, JSON.stringify(end)).toMatch(/cancelled/);
    expect(pid).toBeGreaterThan(0);
    expect(kb).toBeGreaterThanOrEqual(12 * 1024);
  });
});
