// Item 9 of the hardening issue: a plugin granted filesystem = "plugin" cannot fill the disk. Its
// data folder has a quota (default 1 GiB, RunLimits.dataQuotaBytes); writes past it fail with ENOSPC
// as on a full disk, the run's log says why, and the count is kept without walking the tree on every
// write (counted once at the start of a run, then charged and credited as files change).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_QUOTA_BYTES, DEFAULT_LIMITS } from '../../electron/engine/runs/index.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { makePlugin, runPlugin } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';

const QUOTA = 1 << 20;
const PLUGIN_GRANT = { ...NO_CAPABILITIES, filesystem: 'plugin' as const };

function fillPlugin() {
  const out = join(tempDir('fill-c'), 'fill.wasm');
  execFileSync('clang', [
    '--target=wasm32-wasi',
    '-O2',
    resolve(import.meta.dirname, 'fixtures', 'fill-data.c'),
    '-o',
    out,
  ]);
  return makePlugin(new Uint8Array(readFileSync(out)), { declared: { filesystem: 'plugin' } });
}

function bytesIn(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) total += statSync(join(dir, name)).size;
  return total;
}

describe('the data folder quota', () => {
  it('is 1 GiB unless set, and a run takes it in its limits', () => {
    expect(DEFAULT_DATA_QUOTA_BYTES).toBe(1024 ** 3);
    expect(DEFAULT_LIMITS.dataQuotaBytes).toBe(DEFAULT_DATA_QUOTA_BYTES);
  });

  it('a plugin filling /plugin gets ENOSPC at the quota, the log says why, and freeing space works', async () => {
    const plugin = fillPlugin();
    const { end, output, logs } = await runPlugin(plugin, {
      grants: PLUGIN_GRANT,
      limits: { dataQuotaBytes: QUOTA, timeoutMs: 30_000 },
    });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    const big = Number(/big file: (\d+) bytes, then: (.*)/.exec(output)?.[1]);
    expect(output).toMatch(/big file: \d+ bytes, then: No space left on device/);
    expect(big).toBeLessThanOrEqual(QUOTA);
    expect(big).toBeGreaterThan(QUOTA / 2);
    expect(output).toMatch(/empty files: \d+, then: No space left on device/);
    expect(Number(/empty files: (\d+)/.exec(output)?.[1])).toBeLessThan(QUOTA / 4096);
    expect(output).toMatch(/after freeing: 1000/);
    expect(logs.some((l) => l.source === 'host' && /quota of 1 MiB.*no space left/i.test(l.message))).toBe(
      true,
    );
    expect(bytesIn(join(plugin.dir, 'data'))).toBeLessThanOrEqual(QUOTA);

    // The next run counts what is already there: it cannot write much more.
    const again = await runPlugin(plugin, { grants: PLUGIN_GRANT, limits: { dataQuotaBytes: QUOTA } });
    expect(again.output).toMatch(/No space left on device/);
    expect(bytesIn(join(plugin.dir, 'data'))).toBeLessThanOrEqual(QUOTA);
  }, 60_000);
});
