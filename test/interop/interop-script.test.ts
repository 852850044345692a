// `npm run interop` is not tied to CI: with no fledge CLI on PATH it says so plainly and exits 0.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { repoRoot } from './fledge-cli.js';

describe('npm run interop', () => {
  it('without a fledge CLI it says so and exits 0', () => {
    const { FLEDGE_BIN: _unset, ...env } = process.env;
    const emptyBin = tempDir('no-fledge');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'interop', 'run.ts')], {
      cwd: repoRoot,
      env: { ...env, PATH: emptyBin },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no fledge CLI found .*skipped/);
    expect(r.stdout).not.toMatch(/passed|FAIL/);
  });

  it('a FLEDGE_BIN that is not a fledge CLI fails the check plainly, it is not skipped', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'interop', 'run.ts')], {
      cwd: repoRoot,
      env: { ...process.env, FLEDGE_BIN: '/bin/false' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\/bin\/false is not a working fledge CLI/);
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });
});
