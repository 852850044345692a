// The V8 flags each tiering sets (electron/sandbox/tiering.ts), seen at node:v8's setFlagsFromString:
// eager = TurboFan first and no loop unrolling (its compile time is paid on the run's thread at the
// first call), dynamic = V8's defaults back; a repeated choice sets nothing again.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const set = vi.fn<(flag: string) => void>();
vi.mock('node:v8', () => ({ setFlagsFromString: (flag: string) => set(flag) }));

describe('wasm tiering flags', () => {
  beforeEach(() => {
    set.mockClear();
  });

  it('eager turns Liftoff and loop unrolling off; dynamic restores both and dynamic tiering', async () => {
    const { applyTiering } = await import('../../electron/sandbox/tiering.js');
    applyTiering('eager');
    expect(set.mock.calls.map((c) => c[0])).toEqual(['--no-liftoff', '--no-wasm-loop-unrolling']);
    set.mockClear();
    applyTiering('eager');
    expect(set).not.toHaveBeenCalled();
    applyTiering('dynamic');
    expect(set.mock.calls.map((c) => c[0])).toEqual([
      '--liftoff',
      '--wasm-dynamic-tiering',
      '--wasm-loop-unrolling',
    ]);
  });

  it('every flag it sets is one this V8 knows (an unknown flag would be ignored, silently)', async () => {
    const { TIERING_FLAGS } = await import('../../electron/sandbox/tiering.js');
    const { execFileSync } = await import('node:child_process');
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 << 20 });
    for (const flag of Object.values(TIERING_FLAGS).flat()) {
      const name = flag.replace(/^--(no-)?/, '');
      expect(known, flag).toContain(`--${name} `);
    }
  });
});
