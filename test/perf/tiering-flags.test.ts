// The V8 flags each tiering sets (electron/sandbox/tiering.ts), seen at node:v8's setFlagsFromString:
// eager = TurboFan first and no loop unrolling (its compile time is paid on the run's thread at the
// first call), dynamic = V8's defaults back; a repeated choice sets nothing again.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { pinnedNode } from '../../electron/engine/runs/sandbox-node.js';

/** The pinned Node (build/setup.sh installs it); where it is not, nothing runs there. */
const pinned = pinnedNode();

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

  it('turns wasm deopts off before Liftoff from V8 13 on (V8 14 stops the process otherwise), and back on from 14', async () => {
    const { tieringFlagsFor } = await import('../../electron/sandbox/tiering.js');
    expect(tieringFlagsFor('11.3.244.8-node.38').eager).toEqual(['--no-liftoff', '--no-wasm-loop-unrolling']);
    expect(tieringFlagsFor('13.6.233.17').eager[0]).toBe('--no-wasm-deopt');
    expect(tieringFlagsFor('13.6.233.17').dynamic).not.toContain('--wasm-deopt');
    const v14 = tieringFlagsFor('14.1.146.11-node.25');
    expect(v14.eager).toEqual(['--no-wasm-deopt', '--no-liftoff', '--no-wasm-loop-unrolling']);
    expect(v14.dynamic.at(-1)).toBe('--wasm-deopt');
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

  it.runIf(pinned !== undefined)(
    "every flag it sets is one the pinned Node knows too (the engine's sandboxes run there)",
    async () => {
      const { tieringFlagsFor } = await import('../../electron/sandbox/tiering.js');
      const { execFileSync } = await import('node:child_process');
      const v8 = execFileSync(pinned!, ['-p', 'process.versions.v8'], { encoding: 'utf8' }).trim();
      const known = execFileSync(pinned!, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 << 20 });
      const flags = Object.values(tieringFlagsFor(v8)).flat();
      expect(flags).toContain('--no-wasm-deopt');
      for (const flag of flags) expect(known, flag).toContain(`--${flag.replace(/^--(no-)?/, '')} `);
    },
  );
});
