// The sandbox's per-module choice of V8 tiering (electron/sandbox/tiering.ts): TurboFan before the
// first instruction for modules up to EAGER_MAX_BYTES (V8 has no on-stack replacement for wasm, so a
// long-running call would otherwise stay in Liftoff code), dynamic tiering for huge modules; set at run
// time, never in execArgv. The bench (npm run bench:wasmtime) measures what it buys.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseTiering, EAGER_MAX_BYTES } from '../../electron/sandbox/tiering.js';

describe('wasm tiering', () => {
  it('compiles a plugin-sized module with TurboFan up front, a huge one with dynamic tiering', () => {
    expect(chooseTiering(25_000)).toBe('eager');
    expect(chooseTiering(EAGER_MAX_BYTES)).toBe('eager');
    expect(chooseTiering(EAGER_MAX_BYTES + 1)).toBe('dynamic');
    expect(chooseTiering(30 * 1024 * 1024)).toBe('dynamic');
  });

  it('takes effect at run time for the modules compiled after it, both ways', () => {
    const probe = join(import.meta.dirname, 'tiering-probe.ts');
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', probe, 'dynamic', 'eager', 'dynamic', 'eager'],
      { encoding: 'utf8' },
    ).trim();
    expect(out).toBe('dynamic:liftoff eager:turbofan dynamic:liftoff eager:turbofan');
  });
});
