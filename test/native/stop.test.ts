// Stopping native runs: the wall clock and Stop send `cancel`, and 5 s later the whole process tree
// is killed (the plugin's own children included), contained or not.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { nativePlugin, runNative } from './helpers.js';

const support = await containmentSupport();
const ACCESS = support.available ? (['full', 'contained'] as const) : (['full'] as const);

function tagged(tag: string): string[] {
  return spawnSync('pgrep', ['-af', tag], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

describe.each(ACCESS)('a native plugin that ignores cancel (%s access)', (access) => {
  it('is killed with its children 5 s after the wall clock sent cancel {reason: "timeout"}', async () => {
    const tag = `fledge-stubborn-${randomBytes(5).toString('hex')}`;
    let sawChildren = 0;
    const r = await runNative(nativePlugin('stubborn.sh'), {
      access,
      args: [tag],
      limits: { timeoutMs: 1000 },
      onEvent: (e) => {
        if (e.type === 'output' && e.text === 'children started')
          setTimeout(() => {
            sawChildren = tagged(tag).length;
          }, 300);
      },
    });
    expect(sawChildren).toBeGreaterThanOrEqual(2); // the probe works: the child and the grandchild (and the shell between) ran
    expect(r.end.reason).toBe('timeout');
    expect(r.end.message).toMatch(/exceeded time limit \(1 seconds\)/);
    expect(r.events).toContainEqual(
      expect.objectContaining({ type: 'log', message: 'got cancel, ignoring it' }),
    );
    // Not before the 5 s grace: the run lasted the limit plus the grace.
    expect(r.end.durationMs).toBeGreaterThanOrEqual(5900);
    expect(tagged(tag)).toEqual([]);
  });

  it('Stop sends cancel {reason: "user_interrupt"}, then kills the tree; the run ends as cancelled', async () => {
    const tag = `fledge-stopped-${randomBytes(5).toString('hex')}`;
    const r = await runNative(nativePlugin('stubborn.sh'), {
      access,
      args: [tag],
      timings: { cancelGraceMs: 500 },
      onEvent: (e, run) => {
        if (e.type === 'output' && e.text === 'children started') setTimeout(() => run.cancel(), 100);
      },
    });
    expect(r.events).toContainEqual(
      expect.objectContaining({ type: 'log', message: 'got cancel, ignoring it' }),
    );
    expect(r.end).toMatchObject({ reason: 'error', code: 130 });
    expect(r.end.message).toMatch(/was cancelled/);
    expect(tagged(tag)).toEqual([]);
  });
});

describe('a native plugin that closes stdout but keeps running', () => {
  it('is still killed at the limit', async () => {
    const r = await runNative(nativePlugin('closes-stdout.sh'), {
      limits: { timeoutMs: 800 },
      timings: { cancelGraceMs: 200 },
    });
    expect(r.end.reason).toBe('timeout');
    expect(r.end.durationMs).toBeLessThan(10_000);
  });
});
