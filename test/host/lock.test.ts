import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock, writeFileAtomic } from '../../electron/engine/fs/atomic.js';
import { HostError } from '../../electron/engine/host/errors.js';
import { tempDir } from './helpers.js';

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('withFileLock', () => {
  it('serialises callers in one process', async () => {
    const lock = join(tempDir(), 'x.lock');
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        withFileLock(lock, async () => {
          order.push(`${id}+`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`${id}-`);
        }),
      ),
    );
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a dead process's lock at once", async () => {
    const lock = join(tempDir(), 'x.lock');
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), nonce: 'n', at: Date.now() }));
    const t0 = Date.now();
    expect(await withFileLock(lock, async () => 42)).toBe(42);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('waits for a live holder, then gives up with a message naming it', async () => {
    const lock = join(tempDir(), 'x.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), nonce: 'n', at: Date.now() }));
    const err = await withFileLock(lock, async () => 1, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).code).toBe('lock_timeout');
    expect((err as HostError).message).toMatch(new RegExp(`held by process ${process.ppid}.*gave up after`));
    // A lock older than staleMs is taken over even if its pid is alive (the pid may have been reused).
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    expect(await withFileLock(lock, async () => 2, { timeoutMs: 300, staleMs: 60_000 })).toBe(2);
  });

  it('writeFileAtomic replaces the file whole', async () => {
    const file = join(tempDir(), 'f.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
  });
});
