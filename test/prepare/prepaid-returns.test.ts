// Prepaid returns (electron/sandbox/prepare/meter.ts): a function's callers pay part of its charges
// at the call, so its cheapest way out charges nothing. Fuel used stays exactly the same, a run still
// ends normally on exactly the fuel it needs, and the counter never runs ahead of what such a run uses.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import { SEC_CODE, splitSections } from '../../electron/sandbox/prepare/sections.js';
import {
  compileCFile,
  compiledCPrograms,
  expectSameRunAs,
  hasClang,
  runMetered,
  toText,
  wat,
} from './helpers.js';

const BIG = 10n ** 15n;

// Callers first, callees after (as clang writes a static helper after its first use): in one pass,
// the calls are written before their callees' credits are known, and patched when they are.
const forward = `(module
  (func $run (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $out
      (loop $l
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $fib (i32.and (local.get $i) (i32.const 15)))))
        (local.set $s (call $leaf (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $leaf (param $s i32) (param $i i32) (result i32)
    (i32.xor (i32.mul (local.get $s) (i32.const 31)) (local.get $i))))`;

// The same, with a function that cannot take the counter as a parameter (return_call_indirect):
// the one-pass mode gives up and every body is scanned before any is written (exact mode).
const exactMode = forward.replace(
  /\)$/,
  `(type $t (func (result i32)))
  (table 1 funcref)
  (func $tail (result i32) (return_call_indirect (type $t) (i32.const 0))))`,
);

function sameFuelEverywhere(text: string, expectExact: boolean) {
  const withCredit = instrumentFuelWithStats(wat(text));
  const without = instrumentFuelWithStats(wat(text), { prepaidReturns: false });
  expect(withCredit.stats.exact).toBe(expectExact);
  // $fib and $leaf: their callers pay their cheapest way out, which then charges nothing.
  expect(withCredit.stats.credited).toBe(2);
  expect(without.stats.credited).toBe(0);
  expect(withCredit.stats.charges).toBeLessThan(without.stats.charges);
  for (let n = 0; n < 40; n++) {
    const a = runMetered(withCredit.bytes, 'run', [n], BIG);
    const b = runMetered(without.bytes, 'run', [n], BIG);
    expect(a.result, `n ${n}`).toBe(b.result);
    expect(BIG - a.left, `n ${n}`).toBe(BIG - b.left);
  }
  return withCredit.bytes;
}

describe('prepaid returns', () => {
  it('use exactly the same fuel as functions paying their own charges, callees written after their callers', () => {
    sameFuelEverywhere(forward, false);
  });

  it('use exactly the same fuel in exact mode (every body scanned first)', () => {
    sameFuelEverywhere(exactMode, true);
  });

  it('let a recursion with a cheap way out end normally on exactly the fuel it needs, and no less', () => {
    const bytes = instrumentFuelWithStats(wat(forward)).bytes;
    for (const n of [1, 2, 5, 17, 33]) {
      const used = BIG - runMetered(bytes, 'run', [n], BIG).left;
      const exact = runMetered(bytes, 'run', [n], used);
      expect(exact.trapped, `n ${n}`).toBe(false);
      expect(exact.left).toBe(0n);
      const short = runMetered(bytes, 'run', [n], used - 1n);
      expect(short.trapped || short.left < 0n, `n ${n}`).toBe(true);
    }
  });

  it('never stop a run early: at every budget short of what it needs it is out of fuel, a little past', () => {
    const bytes = instrumentFuelWithStats(wat(forward)).bytes;
    const used = BIG - runMetered(bytes, 'run', [20], BIG).left;
    for (let budget = 0n; budget < used; budget += 7n) {
      const r = runMetered(bytes, 'run', [20], budget);
      expect(r.trapped || r.left < 0n, `budget ${budget}`).toBe(true);
      expect(r.left, `budget ${budget}`).toBeGreaterThan(-200n);
    }
  });

  it("let a callee's cheapest way out charge nothing: its callers paid it", () => {
    const text = toText(instrumentFuelWithStats(wat(forward, true)).bytes);
    const fib = text.slice(text.indexOf('(func $fib'), text.indexOf('(func $leaf'));
    // The way out through `then` (n < 2) charges nothing; the other pays the rest, and its two calls.
    expect(fib).toMatch(/if \(result i32\)[^\n]*\n\s*local\.get 0\s*\n\s*else/);
    const leaf = text.slice(text.indexOf('(func $leaf'));
    expect(leaf).not.toMatch(/i64\.(sub|add)/);
  });

  it('let a way out that traps keep its charge, so the way that returns still charges nothing', () => {
    const text = `(module
      (func $run (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (call $checked (i32.add (local.get $i) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s))
      (func $checked (param i32) (result i32)
        (if (i32.eqz (local.get 0)) (then (unreachable)))
        (i32.mul (local.get 0) (i32.const 3))))`;
    const out = toText(instrumentFuelWithStats(wat(text, true)).bytes);
    const checked = out.slice(out.indexOf('(func $checked'));
    const returning = checked.slice(checked.indexOf('unreachable'));
    expect(checked).toMatch(/i64\.sub[\s\S]*unreachable/); // the trap still counts its instructions
    expect(returning).not.toMatch(/i64\.sub/);
    const plain = instrumentFuelWithStats(wat(text), { prepaidReturns: false }).bytes;
    for (const n of [0, 1, 7]) {
      const a = runMetered(instrumentFuelWithStats(wat(text)).bytes, 'run', [n], BIG);
      expect(BIG - a.left).toBe(BIG - runMetered(plain, 'run', [n], BIG).left);
    }
  });

  it('give a callee no credit when a caller written before it could only pay with a new charge', () => {
    // The call sits in the loop's header, whose charge the placement moved further on (it charges
    // nothing): paying there would add a charge, so the callee pays its own way as before.
    const text = (calleeFirst: boolean) => {
      const callee = '(func $b (param i32) (result i32) (i32.add (local.get 0) (i32.const 3)))';
      const run = `(func $run (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (call $b (local.get $s)))
          (if (i32.and (local.get $i) (i32.const 1))
            (then (local.set $s (i32.mul (local.get $s) (i32.const 3)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s))`;
      return `(module ${calleeFirst ? callee + run : run + callee})`;
    };
    const after = instrumentFuelWithStats(wat(text(false)));
    const before = instrumentFuelWithStats(wat(text(true)));
    expect(after.stats.credited).toBe(0);
    // Written before its caller, the callee's credit is known: the caller pays it, with a charge.
    expect(before.stats.credited).toBe(1);
    for (const m of [after, before]) {
      const plain = instrumentFuelWithStats(wat(text(false)), { prepaidReturns: false });
      for (let n = 0; n < 12; n++) {
        expect(BIG - runMetered(m.bytes, 'run', [n], BIG).left).toBe(
          BIG - runMetered(plain.bytes, 'run', [n], BIG).left,
        );
      }
    }
  });

  it('refuse a module whose calls would prepay more than a charge can hold, instead of wrapping around', () => {
    // A leaf of 100 000 instructions, called 22 000 times in one straight line: 2.2e9 to prepay there.
    const leaf = `(func $big (result i32) ${'(drop (i32.const 1)) '.repeat(100_000)} (i32.const 0))`;
    const text = `(module ${leaf}
      (func (export "run") (result i32) ${'(drop (call $big)) '.repeat(22_000)} (i32.const 0)))`;
    expect(() => instrumentFuelWithStats(wat(text))).toThrow(/too many calls to count/);
    // A tenth of it is metered, with the same fuel as without prepaid returns.
    const small = text.replace(/(\(drop \(call \$big\)\) ){22000}/, '(drop (call $big)) '.repeat(2_200));
    const a = runMetered(instrumentFuelWithStats(wat(small)).bytes, 'run', [], BIG);
    const b = runMetered(
      instrumentFuelWithStats(wat(small), { prepaidReturns: false }).bytes,
      'run',
      [],
      BIG,
    );
    expect(BIG - a.left).toBe(BIG - b.left);
  });

  it('are off in a module that can throw: a throw past a prepaid call would skip its return', () => {
    const text = `(module
      (tag $e)
      (func $leaf (param i32) (result i32) (if (local.get 0) (then (throw $e))) (i32.const 1))
      (func (export "run") (param $n i32) (result i32)
        (try (result i32) (do (call $leaf (local.get $n))) (catch $e (i32.const 2)))))`;
    const r = instrumentFuelWithStats(wat(text));
    expect(r.stats.credited).toBe(0);
  });
});

describe.skipIf(!hasClang())('prepaid returns in real compiled C programs', () => {
  const programs = join(import.meta.dirname, '..', 'bench', 'wasmtime', 'programs');
  const cases: [string, () => Uint8Array][] = [
    ['naive recursive Fibonacci', () => compileCFile(join(programs, 'fib.c'), ['-DN=20'])],
    ...compiledCPrograms(),
  ];
  it('write call indices in their shortest form (V8 inlines by size in bytes)', () => {
    const src = compileCFile(join(programs, 'fib.c'), ['-DN=20']);
    // clang leaves call indices padded to 5 bytes for the linker: call, 4 bytes with the high bit, 0.
    const paddedCalls = (bytes: Uint8Array) => {
      const code = splitSections(bytes).find((s) => s.id === SEC_CODE)!;
      let n = 0;
      for (let i = code.start; i + 5 < code.end; i++) {
        if (bytes[i] !== 0x10 || bytes[i + 5] !== 0) continue;
        if ([1, 2, 3, 4].every((k) => bytes[i + k]! >= 0x80)) n++;
      }
      return n;
    };
    expect(paddedCalls(src)).toBeGreaterThan(5);
    expect(paddedCalls(instrumentFuelWithStats(src).bytes)).toBe(0);
  });

  for (const [what, build] of cases) {
    it(`${what}: same output and fuel as without, ends on exactly that fuel, out of fuel with one less`, () => {
      const src = build();
      const withCredit = instrumentFuelWithStats(src);
      const without = instrumentFuelWithStats(src, { prepaidReturns: false });
      expect(withCredit.stats.credited).toBeGreaterThan(0);
      expectSameRunAs(src, withCredit.bytes, without.bytes);
    });
  }
});
