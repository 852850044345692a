// Where the fuel meter checks the counter (meter.ts): only where a run could otherwise go on without
// bound. A function whose every call sits inside a loop (or that makes none) charges its entry without
// a check, and so does a checked segment that runs straight into a loop header. Fuel used stays the
// exact instruction count, every run; only a check that could never be the first to see the counter
// below zero is gone.
import { describe, expect, it } from 'vitest';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import { instrumentFuel } from '../../electron/sandbox/prepare/index.js';
import { instantiateMetered, runMetered, thrown, toText, wat } from '../prepare/helpers.js';

const BIG = 10n ** 15n;

/** The number of fuel checks (`i64.lt_s` on the counter) in the metered text of `f`. */
function checksIn(text: string, name: string): number {
  const start = text.indexOf(`(func $${name}`);
  const next = text.indexOf('(func ', start + 1);
  const body = text.slice(start, next < 0 ? undefined : next);
  return body.split('i64.lt_s').length - 1;
}

describe('fuel checks', () => {
  const mod = wat(
    `(module
      (func $leaf (export "leaf") (param i32) (result i32)
        (i32.add (i32.mul (local.get 0) (i32.const 3)) (i32.const 1)))
      (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (local.set $i (i32.const 0))
        (loop $l
          (local.set $s (i32.add (local.get $s) (call $leaf (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s))
      (func $calls_first (export "calls_first") (param $n i32) (result i32)
        (drop (call $leaf (local.get $n)))
        (loop $l (br_if $l (i32.eqz (local.get $n))))
        (local.get $n))
      (func $forever (export "forever") (loop $l (call $forever) (br $l))))`,
    true,
  );
  const metered = instrumentFuel(mod);
  const text = toText(metered);

  it('checks no entry of a function without calls, or with every call inside a loop', () => {
    expect(checksIn(text, 'leaf')).toBe(0);
    expect(checksIn(text, 'sum')).toBe(1); // the loop header only
    expect(checksIn(text, 'calls_first')).toBe(2); // a call before the loop: the entry is checked
  });

  it('counts the same exact fuel as before: one unit per instruction', () => {
    // leaf: local.get, i32.const, i32.mul, i32.const, i32.add = 5
    const m = instantiateMetered(metered, BIG);
    expect(m.exports.leaf(4)).toBe(13);
    expect(BIG - m.fuel.value).toBe(5n);
    // sum(n): i32.const, local.set, then 18 per iteration (13 of its own, the call's 5), then local.get
    for (const n of [1, 7, 1000]) {
      const s = instantiateMetered(metered, BIG);
      s.exports.sum(n);
      expect(BIG - s.fuel.value).toBe(BigInt(2 + 18 * n + 1));
    }
  });

  it('tests the counter before taking its charge, and leaves the global negative when it is short', () => {
    // sum's loop header: local.get L, i64.const c, i64.lt_s, if (out of fuel: -1 to the global), then
    // the charge. The branch does not wait for the subtraction (meter.ts).
    const start = text.indexOf('(func $sum');
    const sum = text.slice(start, text.indexOf('(func ', start + 1));
    expect(sum).toMatch(
      /local\.get (\d+)\s+i64\.const [1-9]\d*\s+i64\.lt_s\s+if[^\n]*\s+i64\.const -1\s+global\.set \d+\s+unreachable\s+end\s+local\.get \1\s+i64\.const [1-9]\d*\s+i64\.sub\s+local\.set \1/,
    );
    for (const n of [1, 7]) {
      const need = BigInt(2 + 18 * n + 1);
      const exact = instantiateMetered(metered, need);
      exact.exports.sum(n);
      expect(exact.fuel.value).toBe(0n);
      // One short: the run ends below zero (its last instruction is charged after the last check).
      const short = instantiateMetered(metered, need - 1n);
      short.exports.sum(n);
      expect(short.fuel.value).toBe(-1n);
    }
    // Short by an iteration: the header's check stops it, and stores -1.
    const stopped = instantiateMetered(metered, BigInt(2 + 18 * 6 + 1));
    expect(thrown(() => stopped.exports.sum(7))).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(stopped.fuel.value).toBe(-1n);
  });

  it('gives the same fuel on every run', () => {
    const used = [1, 2, 3].map(() => {
      const m = instantiateMetered(metered, BIG);
      m.exports.sum(12345);
      return BIG - m.fuel.value;
    });
    expect(new Set(used).size).toBe(1);
  });

  it('still stops unbounded recursion through a loop with the fuel trap, not a stack overflow', () => {
    const m = instantiateMetered(metered, 1000n);
    const e = thrown(() => m.exports.forever());
    expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(m.fuel.value).toBeLessThan(0n);
  });

  it('lets an unchecked leaf end with the counter below zero, for the next check or the host to see', () => {
    const m = instantiateMetered(metered, 3n);
    expect(m.exports.leaf(1)).toBe(4);
    expect(m.fuel.value).toBe(-2n);
    // and the next checked loop header traps
    const s = instantiateMetered(metered, 30n);
    thrown(() => s.exports.sum(100));
    expect(s.fuel.value).toBeLessThan(0n);
  });

  it('checks a loop header that runs straight into an inner loop only at the inner one', () => {
    const nested = instrumentFuel(
      wat(
        `(module (func $grid (export "grid") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
          (loop $outer
            (local.set $j (i32.const 0))
            (loop $inner
              (local.set $s (i32.add (local.get $s) (i32.const 1)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $inner (i32.lt_u (local.get $j) (local.get $n))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
          (local.get $s)))`,
        true,
      ),
    );
    expect(checksIn(toText(nested), 'grid')).toBe(1);
    const m = instantiateMetered(nested, BIG);
    expect(m.exports.grid(30)).toBe(900);
    // per outer iteration: 2 + 30 * 12 (inner) + 8, then local.get
    expect(BIG - m.fuel.value).toBe(BigInt(30 * (2 + 30 * 12 + 8) + 1));
    const exact = instantiateMetered(nested, 11101n);
    expect(exact.exports.grid(30)).toBe(900);
    expect(exact.fuel.value).toBe(0n);
    const short = instantiateMetered(nested, 5000n);
    thrown(() => short.exports.grid(1000));
    expect(short.fuel.value).toBeLessThan(0n);
    expect(short.fuel.value).toBeGreaterThan(-20n);
  });
});

describe('loops that leave their check to the function they call', () => {
  // The shape of a tree-walking interpreter: eval's entry runs straight into a loop (so every call of it
  // checks), and the statement loop calls eval first, then does I/O.
  const text = `(module
    (import "env" "out" (func $out (param i32)))
    (type $t (func (param i32) (result i32)))
    (table 1 funcref)
    (elem (i32.const 0) $leaf)
    (func $eval (param $n i32) (result i32)
      (loop $l (result i32)
        (if (i32.gt_u (local.get $n) (i32.const 100))
          (then (local.set $n (i32.shr_u (local.get $n) (i32.const 1))) (br $l)))
        (i32.mul (local.get $n) (i32.const 3))))
    (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func $run (export "run") (param $k i32) (result i32) (local $i i32) (local $s i32)
      (local.set $i (call $leaf (i32.const -1))) ;; a call before the loop: the entry is checked
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $eval (i32.mul (local.get $i) (i32.const 37)))))
        (call $out (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $k))))
      (local.get $s))
    (func $leafLoop (export "leafLoop") (param $k i32) (result i32) (local $s i32)
      (drop (call $leaf (i32.const 0)))
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $leaf (local.get $k))))
        (br_if $l (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (local.get $s))
    (func $indirectFirst (export "indirectFirst") (param $k i32) (result i32) (local $s i32)
      (drop (call $leaf (i32.const 0)))
      (loop $l
        (local.set $s (i32.add (local.get $s) (call_indirect (type $t) (local.get $k) (i32.const 0))))
        (local.set $s (i32.add (local.get $s) (call $eval (local.get $k))))
        (br_if $l (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (local.get $s))
    (func $callsLater (export "callsLater") (param $k i32) (result i32) (local $s i32)
      (drop (call $leaf (i32.const 0)))
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $evalLater (local.get $k))))
        (br_if $l (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (local.get $s))
    (func $evalLater (param $n i32) (result i32)
      (loop $l (result i32)
        (br_if $l (i32.gt_u (local.tee $n (i32.shr_u (local.get $n) (i32.const 1))) (i32.const 100)))
        (local.get $n))))`;
  const deferred = instrumentFuelWithStats(wat(text, true)).bytes;
  const kept = instrumentFuelWithStats(wat(text, true), { deferChecks: false }).bytes;

  /** Runs `run(k)` on `bytes` with `budget`: what it wrote, whether it trapped, the counter left. */
  function run(bytes: Uint8Array, k: number, budget: bigint) {
    const written: number[] = [];
    const r = runMetered(bytes, 'run', [k], budget, { env: { out: (i: number) => written.push(i) } });
    return { written, ...r };
  }

  it('drops the check of a loop whose first call checks on entry, and keeps the others', () => {
    const d = toText(deferred);
    const k = toText(kept);
    // Each exported function's entry is checked (it calls before its loop); then its loop:
    expect(checksIn(d, 'run')).toBe(1); // eval checks on every call
    expect(checksIn(k, 'run')).toBe(2);
    expect(checksIn(d, 'eval')).toBe(1); // the check every call of eval passes stays
    expect(checksIn(d, 'leafLoop')).toBe(2); // leaf has no check of its own
    expect(checksIn(d, 'indirectFirst')).toBe(2); // the first call could be anything
    expect(checksIn(d, 'callsLater')).toBe(2); // one pass: evalLater is not scanned yet
  });

  it('counts exactly the same fuel, every run', () => {
    for (const n of [1, 7, 200]) {
      const a = run(deferred, n, BIG);
      const b = run(kept, n, BIG);
      expect(a.result).toBe(b.result);
      expect(a.written).toEqual(b.written);
      expect(BIG - a.left).toBe(BIG - b.left);
      expect(BIG - run(deferred, n, BIG).left).toBe(BIG - a.left);
    }
  });

  it('runs out of fuel before the same I/O as with the check, at every budget', () => {
    const used = BIG - run(kept, 40, BIG).left;
    const exact = run(deferred, 40, used);
    expect(exact.trapped).toBe(false);
    expect(exact.left).toBe(0n);
    for (let budget = 1n; budget < used; budget += 7n) {
      const a = run(deferred, 40, budget);
      const b = run(kept, 40, budget);
      expect(a.written, `budget ${budget}`).toEqual(b.written);
      // Stopped, or ended with the counter below zero (charges owed after the last check, moved there
      // by potentials.ts): the host reports both as out of fuel.
      expect(a.trapped || a.left < 0n, `budget ${budget}`).toBe(true);
      expect(b.trapped || b.left < 0n).toBe(true);
      expect(a.left).toBeLessThan(0n);
      expect(a.left).toBeGreaterThan(-100n);
    }
  });
});
