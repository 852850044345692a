// Counted loops (counted-loops.ts): a loop whose trip count is static is charged whole by the segment
// that enters it, with no charge or check on its trips. Fuel used stays the exact instruction count.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_HOISTED, tripCount } from '../../electron/sandbox/prepare/counted-loops.js';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import {
  compileCFile,
  compiledCPrograms,
  expectSameRunAs,
  instantiateMetered,
  runMetered,
  thrown,
  toText,
  wat,
} from './helpers.js';

const BIG = 10n ** 15n;
const NE = 0x47;
const LT_S = 0x48;
const LT_U = 0x49;

/** Metered two ways: counted loops charged up front, and every trip charged and checked. */
function both(text: string) {
  const src = wat(text, true);
  const counted = instrumentFuelWithStats(src);
  const perTrip = instrumentFuelWithStats(src, { countedLoops: false });
  return {
    counted: counted.bytes,
    perTrip: perTrip.bytes,
    stats: counted.stats,
    text: toText(counted.bytes),
  };
}

/** Fuel instructions (charges and checks: i64.sub/add/lt_s) on the trips of the last loop of `name` (up to its back edge). */
function fuelOpsInLoop(text: string, name: string): number {
  const lines = text.slice(text.indexOf(`(func $${name}`)).split('\n');
  const at = lines.findLastIndex((l) => /^\s*loop\b/.test(l));
  const end = lines.findIndex((l, k) => k > at && /br_if 0 /.test(l));
  return lines.slice(at, end).filter((l) => /i64\.(sub|add|lt_s)/.test(l)).length;
}

/** A function `f` counting local $i from `first` by `step` while `i cmp bound`, summing a little work. */
function loopModule(first: number, step: number, cmp: string, bound: number | null): string {
  const test =
    bound === null
      ? `(local.tee $i (i32.add (local.get $i) (i32.const ${step})))`
      : `(i32.${cmp} (local.tee $i (i32.add (local.get $i) (i32.const ${step}))) (i32.const ${bound}))`;
  return `(module (func $f (export "f") (result i32) (local $i i32) (local $s i32)
    (local.set $i (i32.const ${first}))
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.xor (local.get $i) (i32.const 5))))
      (br_if $l ${test}))
    (local.get $s)))`;
}

/** The do-while the module runs, simulated: how many trips (up to `limit`). */
function simulate(
  first: number,
  step: number,
  bound: number,
  cmp: number,
  limit: number,
): number | undefined {
  let i = first | 0;
  for (let t = 1; t <= limit; t++) {
    i = (i + step) | 0;
    const go = cmp === NE ? i !== bound : cmp === LT_S ? i < bound : i >>> 0 < bound >>> 0;
    if (!go) return t;
  }
  return undefined;
}

describe('counted loops', () => {
  it('charges a loop of 64 trips before it starts, with nothing on its trips, and the same fuel as per trip', () => {
    const m = both(loopModule(0, 1, 'ne', 64));
    expect(m.stats.countedLoops).toBe(1);
    expect(fuelOpsInLoop(m.text, 'f')).toBe(0);
    const a = instantiateMetered(m.counted, BIG);
    const b = instantiateMetered(m.perTrip, BIG);
    expect(a.exports.f()).toBe(b.exports.f());
    // entry: i32.const, local.set (2); a trip: 6 for the sum, 6 for the count, br_if (13); local.get
    expect(BIG - a.fuel.value).toBe(BigInt(2 + 64 * 13 + 1));
    expect(a.fuel.value).toBe(b.fuel.value);
    // A budget of exactly that ends normally with none left; one less ends below zero.
    const exact = instantiateMetered(m.counted, BigInt(2 + 64 * 13 + 1));
    exact.exports.f();
    expect(exact.fuel.value).toBe(0n);
    const short = instantiateMetered(m.counted, BigInt(2 + 64 * 13));
    short.exports.f();
    expect(short.fuel.value).toBeLessThan(0n);
  });

  it('counts every form of the count exactly: !=, <u, <s, != 0, downwards, from a declared local at 0', () => {
    const cases: [number, number, string, number | null][] = [
      [0, 8, 'ne', 1280],
      [-206080, 6440, 'ne', null],
      [160, -1, 'ne', 0],
      [0, 3, 'lt_u', 100],
      [5, 7, 'lt_s', -3], // already past the bound: one trip
      [-50, 7, 'lt_s', 40],
      [-294967296, 1, 'lt_u', 5], // 4000000000, above the bound unsigned: one trip
      [10, -2, 'ne', 0],
    ];
    for (const [first, step, cmp, bound] of cases) {
      const m = both(loopModule(first, step, cmp, bound));
      expect(m.stats.countedLoops, `${first} ${step} ${cmp} ${bound}`).toBe(1);
      const a = runMetered(m.counted, 'f', [], BIG);
      const b = runMetered(m.perTrip, 'f', [], BIG);
      expect(a).toEqual(b);
    }
    // No i32.const before the loop: a declared local starts at 0.
    const fromZero = both(`(module (func $f (export "f") (result i32) (local $i i32)
      (loop $l (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50)))) (local.get $i)))`);
    expect(fromZero.stats.countedLoops).toBe(1);
    expect(runMetered(fromZero.counted, 'f', [], BIG)).toEqual(runMetered(fromZero.perTrip, 'f', [], BIG));
  });

  it('knows the trip count of a do-while exactly, or not at all', () => {
    const edges = [0, 1, -1, 2, 7, 100, 2 ** 31 - 1, -(2 ** 31), -7, 1280, 65535, -65536];
    let rng = 12345;
    const next = () => {
      rng = (rng * 1103515245 + 12345) & 0x7fffffff;
      return rng >>> 8; // the high bits: an LCG's low bits repeat quickly
    };
    const pick = () => (next() % 3 === 0 ? edges[next() % edges.length]! : (next() % 2001) - 1000);
    let known = 0;
    for (let k = 0; k < 20000; k++) {
      const [first, step, bound, cmp] = [pick(), pick(), pick(), [NE, LT_S, LT_U][next() % 3]!];
      const t = tripCount(first, step, bound, cmp);
      // Counted loops run at most MAX_HOISTED trips: longer counts are not simulated.
      if (t === undefined || t > 100_000) continue;
      known++;
      // Claimed: exactly t trips. The loop goes on for t-1 trips and stops at the t-th.
      expect(simulate(first, step, bound, cmp, t), `${first} ${step} ${bound} ${cmp}`).toBe(t);
    }
    expect(known).toBeGreaterThan(2000);
    // Loops that never end have no count.
    expect(tripCount(0, 0, 5, LT_U)).toBeUndefined();
    expect(tripCount(0, 2, 1, NE)).toBeUndefined(); // even values never reach 1
    expect(tripCount(2 ** 31 - 10, 16, 2 ** 31 - 1, LT_S)).toBeUndefined(); // wraps below the bound
    expect(tripCount(-16, 16, -1, LT_U)).toBeUndefined(); // 0xfffffff0 + 16 wraps to 0
    expect(tripCount(3, 5, 3, NE)).toBeUndefined(); // 2^32 trips
  });

  it('leaves a loop alone that it cannot count: an unknown start, a second write, a branch or call inside', () => {
    const modules = [
      // The start is a parameter.
      `(module (func $f (export "f") (param $i i32) (result i32)
        (loop $l (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50)))) (local.get $i)))`,
      // The counter is written inside the body too.
      `(module (func $f (export "f") (result i32) (local $i i32)
        (loop $l (local.set $i (i32.or (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50)))) (local.get $i)))`,
      // A branch out of the body.
      `(module (func $f (export "f") (result i32) (local $i i32)
        (block $out (loop $l (br_if $out (i32.eq (local.get $i) (i32.const 7)))
          (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50))))) (local.get $i)))`,
      // A call inside the body.
      `(module (func $g (param i32) (result i32) (local.get 0)) (func $f (export "f") (result i32) (local $i i32)
        (loop $l (drop (call $g (local.get $i)))
          (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50)))) (local.get $i)))`,
      // Set to a constant, then to something else before the loop.
      `(module (func $f (export "f") (param $n i32) (result i32) (local $i i32)
        (local.set $i (i32.const 0)) (local.set $i (local.get $n))
        (loop $l (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50)))) (local.get $i)))`,
      // Set to a constant before a branch: the loop's segment starts after it.
      `(module (func $f (export "f") (param $n i32) (result i32) (local $i i32)
        (local.set $i (i32.const 0)) (block $b (br_if $b (local.get $n)) (local.set $i (i32.const 9)))
        (loop $l (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 50)))) (local.get $i)))`,
    ];
    for (const text of modules) {
      const m = both(text);
      expect(m.stats.countedLoops, text).toBe(0);
      expect(fuelOpsInLoop(m.text, 'f')).toBeGreaterThan(0);
      for (const n of [0, 3])
        expect(runMetered(m.counted, 'f', [n], BIG)).toEqual(runMetered(m.perTrip, 'f', [n], BIG));
    }
  });

  it(`charges no loop of more than ${MAX_HOISTED} units up front`, () => {
    // 13 units a trip.
    const fits = both(loopModule(0, 1, 'ne', Math.floor(MAX_HOISTED / 13)));
    const over = both(loopModule(0, 1, 'ne', Math.floor(MAX_HOISTED / 13) + 1));
    expect(fits.stats.countedLoops).toBe(1);
    expect(over.stats.countedLoops).toBe(0);
  });

  it('still stops an endless loop around a counted one, with the fuel trap and a small overshoot', () => {
    const m = both(`(module (func $f (export "f") (local $i i32) (local $s i32)
      (loop $outer
        (local.set $i (i32.const 0))
        (loop $inner
          (local.set $s (i32.add (local.get $s) (local.get $i)))
          (br_if $inner (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100))))
        (br $outer))))`);
    expect(m.stats.countedLoops).toBe(1);
    const run = instantiateMetered(m.counted, 1_000_000n);
    expect(thrown(() => run.exports.f())).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(run.fuel.value).toBeLessThan(0n);
    expect(run.fuel.value).toBeGreaterThan(-BigInt(MAX_HOISTED));
  });

  it('traps the same way on every run when a counted loop traps inside, with the whole loop charged', () => {
    // Stores walk past the end of one page on trip 20 of 64.
    const m = both(`(module (memory 1) (func $f (export "f") (local $i i32)
      (local.set $i (i32.const 65456))
      (loop $l
        (i32.store (local.get $i) (i32.const 1))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 65712))))))`);
    expect(m.stats.countedLoops).toBe(1);
    const runs = [1, 2, 3].map(() => runMetered(m.counted, 'f', [], BIG));
    for (const r of runs) expect(r).toEqual({ result: undefined, trapped: true, left: runs[0]!.left });
    // The counter is not negative: the host reads this trap as out of bounds, not out of fuel.
    expect(runs[0]!.left).toBeGreaterThan(0n);
  });

  describe('counted on entry', () => {
    // i from a parameter, by a parameter, while i <u n: the count is known only when the loop starts.
    const m = both(`(module (global $g (mut i32) (i32.const 0))
      (func $f (export "f") (param $i i32) (param $step i32) (param $n i32) (result i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.xor (local.get $i) (i32.const 5))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (local.get $step))) (local.get $n))))
        (local.get $s))
      (func $touches_a_global (export "g") (param $i i32) (param $n i32) (result i32)
        (loop $l
          (global.set $g (i32.add (global.get $g) (i32.const 1)))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
        (global.get $g)))`);
    /** Runs f both ways on `budget` and expects the same result, trap and counter. */
    const same = (args: number[], budget: bigint) => {
      const a = runMetered(m.counted, 'f', args, budget);
      expect(a, args.join(' ')).toEqual(runMetered(m.perTrip, 'f', args, budget));
      return a;
    };

    it('guards a copy of the body without charges, and keeps the metered loop for the rest', () => {
      expect(m.stats.countedLoops).toBe(1); // f's, not the loop that touches a global
      const f = m.text.slice(m.text.indexOf('(func $f'), m.text.indexOf('(func $touches_a_global'));
      expect(f.match(/^\s*loop\b/gm)).toHaveLength(2);
      expect(f).toContain('i64.div_u');
      expect(fuelOpsInLoop(m.text, 'touches_a_global')).toBeGreaterThan(0);
    });

    it('uses the same fuel as the metered loop for every start, step and bound, and runs out the same way', () => {
      const edges = [0, 1, 2, 3, 7, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32 - 16, 2 ** 32 - 100];
      let rng = 99;
      const next = () => {
        rng = (rng * 1103515245 + 12345) & 0x7fffffff;
        return rng >>> 8; // the high bits: an LCG's low bits repeat quickly
      };
      const pick = () => (next() % 4 === 0 ? edges[next() % edges.length]! : next() % 300) | 0;
      let fast = 0;
      for (let k = 0; k < 3000; k++) {
        const kind = next() % 5;
        const step = kind === 0 ? -(next() % 4) : kind < 3 ? 1 + (next() % 8) : pick();
        const i = pick();
        const n = next() % 2 ? (i + (next() % 400)) | 0 : pick();
        const trips = simulate(i, step, n, LT_U, 20_000);
        if (trips === undefined) {
          // Endless (a step of 0) or too long to run here: both run out of fuel the same way.
          expect(same([i, step, n], 50_000n).trapped).toBe(true);
          continue;
        }
        const run = same([i, step, n], BIG);
        expect(run.trapped).toBe(false);
        const need = BIG - run.left;
        // Exactly enough ends at 0; short by one below it; short by half a run out of fuel.
        expect(same([i, step, n], need).left).toBe(0n);
        expect(same([i, step, n], need - 1n).left).toBeLessThan(0n);
        same([i, step, n], need / 2n);
        if (step >= 1 && trips > 1) fast++;
      }
      expect(fast).toBeGreaterThan(800);
    });
  });

  it.each(compiledCPrograms())(
    '%s: same output and fuel as per trip, ends on exactly that fuel',
    (_, build) => {
      const src = build();
      const counted = instrumentFuelWithStats(src).bytes;
      const perTrip = instrumentFuelWithStats(src, { countedLoops: false }).bytes;
      expectSameRunAs(src, counted, perTrip);
    },
  );

  it("the bench's loop kernels (a sieve, a matrix multiply): counted loops found, same output and fuel", () => {
    const src = compileCFile(join(import.meta.dirname, '..', 'bench', 'wasmtime', 'programs', 'loops.c'), [
      '-DREPS=1',
    ]);
    const counted = instrumentFuelWithStats(src);
    expect(counted.stats.countedLoops).toBeGreaterThanOrEqual(3);
    expectSameRunAs(src, counted.bytes, instrumentFuelWithStats(src, { countedLoops: false }).bytes);
  });
});
