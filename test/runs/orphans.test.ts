// A sandbox process never outlives the engine that started it, even if the engine dies while the
// process is still starting (the warm pool starts processes ahead of time, so this happens).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function countTagged(tag: string): number {
  const r = spawnSync('pgrep', ['-f', tag], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).length;
}

describe('sandbox processes and a dying engine', () => {
  it.each([
    ['while they start', 20],
    ['once they are warm', 1500],
  ])('exit by themselves when the engine is killed %s', async (_when, delayMs) => {
    const tag = `fledge-orphan-${randomBytes(6).toString('hex')}`;
    const host = join(repoRoot, 'dist', 'sandbox-host.js');
    // A stand-in engine: forks four sandbox processes as the launcher does, then is killed hard.
    const engine = `
      const { fork } = require('node:child_process');
      for (let i = 0; i < 4; i++)
        fork(${JSON.stringify(host)}, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
          execArgv: ['--title=${tag}'] });
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), ${delayMs});`;
    spawnSync(process.execPath, ['-e', engine], { timeout: 20_000 });
    for (let i = 0; i < 50 && countTagged(tag) > 0; i++) await sleep(100);
    expect(countTagged(tag)).toBe(0);
  });
});
