// A flood of output from a native plugin (a C program writing as fast as it can): every line
// delivered, in order, and with back-pressure: while the engine's subscriber is busy, the plugin is
// held back by the pipe instead of the engine buffering what it writes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCPlugin, nativePlugin, runNative } from './helpers.js';

const LINES = 200_000;

describe('a flood of 200,000 lines from a native plugin', () => {
  const program = compileCPlugin();

  it('is delivered whole and in order, batched', async () => {
    let next = 0;
    let outOfOrder = 0;
    let batches = 0;
    const r = await runNative(nativePlugin(program), {
      args: ['flood', String(LINES)],
      onBatch: (events) => {
        batches++;
        for (const e of events)
          if (e.type === 'output') {
            if (e.text !== `line ${next}\n`) outOfOrder++;
            next++;
          }
      },
    });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(next).toBe(LINES);
    expect(outOfOrder).toBe(0);
    expect(batches).toBeLessThan(LINES / 10); // many lines per batch, never one message per line
  });

  it('holds the plugin back while the subscriber is busy (nothing piles up in the engine)', async () => {
    // In its data folder: the one place a contained plugin may write.
    const plugin = nativePlugin(program, { declared: { filesystem: 'plugin' } });
    const mark = join(plugin.dir, 'data', 'finished-writing');
    let blocked = false;
    let finishedWhileBlocked: boolean | null = null;
    let received = 0;
    const r = await runNative(plugin, {
      grants: { filesystem: 'plugin' },
      args: ['flood', String(LINES), mark],
      onBatch: (events) => {
        for (const e of events) if (e.type === 'output') received++;
        if (!blocked && received > 0) {
          blocked = true;
          // A subscriber that takes 1.5 s over one batch: the plugin has ~4 MB to write, the pipe holds 64 KB.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
          finishedWhileBlocked = existsSync(mark);
        }
      },
    });
    expect(finishedWhileBlocked).toBe(false);
    expect(existsSync(mark)).toBe(true); // and it did finish once the subscriber kept up
    expect(received).toBe(LINES);
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
  });
});
