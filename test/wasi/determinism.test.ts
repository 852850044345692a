// Virtual clock and seeded random: the same inputs give the same run; real ones when granted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIRTUAL_EPOCH_NS } from '../../electron/sandbox/wasi/clock.js';
import { buildProbe, type Fixture, makeFixture, runProbe } from './helpers.js';

let f: Fixture;
let probe: WebAssembly.Module;

beforeAll(() => {
  f = makeFixture();
  probe = buildProbe(f.base);
});
afterAll(() => f.dispose());

const OPS = ['clock', 'random', '16', 'sleep', '5000000', 'clock', 'random', '16'];

function clockOf(line: string | undefined): [bigint, bigint] {
  const m = /^clock: ok (\d+) (\d+)$/.exec(line ?? '');
  expect(m).not.toBeNull();
  return [BigInt(m![1]!), BigInt(m![2]!)];
}

describe('deterministic mode (realClock=false, realRandom=false)', () => {
  it('two runs with the same seed print exactly the same', () => {
    const a = runProbe(probe, [], OPS, { randomSeed: 'seed-1' });
    const b = runProbe(probe, [], OPS, { randomSeed: 'seed-1' });
    expect(a.stdout).toBe(b.stdout);
    expect(a.lines).toHaveLength(5);
  });

  it('the seed changes the random stream, and the stream never repeats within a run', () => {
    const a = runProbe(probe, [], OPS, { randomSeed: 'seed-1' });
    const b = runProbe(probe, [], OPS, { randomSeed: 'seed-2' });
    expect(a.lines[1]).not.toBe(b.lines[1]);
    expect(a.lines[1]).not.toBe(a.lines[4]);
  });

  it('the virtual clock starts at the fixed epoch and advances with requested sleeps', () => {
    const r = runProbe(probe, [], OPS);
    const [rt1, mono1] = clockOf(r.lines[0]);
    const [rt2, mono2] = clockOf(r.lines[3]);
    expect(rt1 - VIRTUAL_EPOCH_NS).toBeLessThan(1_000_000n);
    expect(mono2 - mono1).toBeGreaterThanOrEqual(5_000_000n);
    expect(rt2 - rt1).toBeGreaterThanOrEqual(5_000_000n);
    expect(r.lines[2]).toMatch(/^sleep: ok events=1 userdata=7 elapsed=\d+$/);
  });

  it('virtualNanos drives the monotonic clock', () => {
    let now = 1_000n;
    const r = runProbe(probe, [], ['clock', 'clock'], { virtualNanos: () => (now += 1_000_000n) });
    const [, m1] = clockOf(r.lines[0]);
    const [, m2] = clockOf(r.lines[1]);
    expect(m2 - m1).toBe(2_000_000n); // two readings per probe "clock" op
  });
});

describe('granted mode (realClock=true, realRandom=true)', () => {
  it('reads the real wall clock and real random bytes', () => {
    const a = runProbe(probe, [], OPS, { realClock: true, realRandom: true });
    const b = runProbe(probe, [], OPS, { realClock: true, realRandom: true });
    const [rt] = clockOf(a.lines[0]);
    const wall = BigInt(Date.now()) * 1_000_000n;
    expect(rt > wall - 5_000_000_000n && rt < wall + 5_000_000_000n).toBe(true);
    expect(a.lines[1]).not.toBe(b.lines[1]);
  });
});
