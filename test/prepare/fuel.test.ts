import { describe, expect, it } from 'vitest';
import { Reader } from '../../electron/sandbox/prepare/bytes.js';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import {
  FUEL_IMPORT_MODULE,
  FUEL_IMPORT_NAME,
  instrumentFuel,
  ModuleError,
} from '../../electron/sandbox/prepare/index.js';
import { SEC_TABLE, splitSections } from '../../electron/sandbox/prepare/sections.js';
import { compileC, hasClang, instantiate, instantiateMetered, thrown, toText, wat } from './helpers.js';
import { runWasi } from './wasi-shim.js';
import { WAT_FIXTURES } from './wat-fixtures.js';

const BIG = 10n ** 15n;

/** Runs the fixture's `run` export unmetered and metered (twice), returning results and fuel used. */
function compare(bytes: Uint8Array, args: number[], imports: () => WebAssembly.Imports = () => ({})) {
  const plain = instantiate(bytes, imports()).run(...args);
  const metered = instrumentFuel(bytes);
  expect(WebAssembly.validate(metered as Uint8Array<ArrayBuffer>)).toBe(true);
  const used: bigint[] = [];
  const results: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const m = instantiateMetered(metered, BIG, imports());
    const before = m.fuel.value;
    results.push(m.exports.run(...args));
    used.push(before - m.fuel.value);
  }
  return { plain, results, used, metered };
}

describe('fuel metering of each feature family', () => {
  for (const f of WAT_FIXTURES.filter((x) => x.v8)) {
    it(`${f.name}: same result metered, same fuel every run`, () => {
      const { plain, results, used } = compare(wat(f.text), f.args ?? [], f.imports);
      expect(results[0]).toBe(plain);
      expect(results[1]).toBe(plain);
      expect(used[0]).toBeGreaterThan(0n);
      expect(used[1]).toBe(used[0]);
    });
  }

  for (const f of WAT_FIXTURES.filter((x) => !x.v8)) {
    it(`${f.name}: meters the instructions into a module wabt validates`, () => {
      const { bytes } = instrumentFuelWithStats(wat(f.text), { validate: false });
      const text = toText(bytes);
      expect(text).toContain(`(import "${FUEL_IMPORT_MODULE}" "${FUEL_IMPORT_NAME}" (global (;`);
    });
  }
});

describe('fuel counting', () => {
  const spin = wat(`(module
    (func (export "spin") (param $n i32) (local $i i32)
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
    (func (export "forever") (loop $l (br $l))))`);
  const metered = instrumentFuel(spin);

  it('charges one unit per instruction: N iterations of 8 instructions cost 8N', () => {
    for (const n of [1, 10, 1000, 123457]) {
      const m = instantiateMetered(metered, BIG);
      m.exports.spin(n);
      expect(BIG - m.fuel.value).toBe(BigInt(8 * n));
    }
  });

  it('traps an infinite loop at a small budget, leaving the counter below zero', () => {
    const m = instantiateMetered(metered, 1000n);
    const e = thrown(() => m.exports.forever());
    expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(m.fuel.value).toBeLessThan(0n);
    expect(m.fuel.value).toBeGreaterThan(-10n);
  });

  it('traps when the budget runs out exactly as the count says', () => {
    const ok = instantiateMetered(metered, 8000n);
    ok.exports.spin(1000);
    expect(ok.fuel.value).toBe(0n);
    const short = instantiateMetered(metered, 7999n);
    thrown(() => short.exports.spin(1000));
    expect(short.fuel.value).toBeLessThan(0n);
  });

  it('meters a loop in the start function', () => {
    const mod = instrumentFuel(
      wat(`(module (global $g (mut i32) (i32.const 0))
        (func $start (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1)))
          (br_if $l (i32.lt_u (global.get $g) (i32.const 1000)))))
        (start $start)
        (export "g" (global $g)))`),
    );
    const done = instantiateMetered(mod, BIG);
    expect(done.exports.g.value).toBe(1000);
    expect(BIG - done.fuel.value).toBe(8000n);
    const forever = instrumentFuel(wat('(module (func $s (loop $l (br $l))) (start $s))'));
    const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 5000n);
    const module = new WebAssembly.Module(forever as Uint8Array<ArrayBuffer>);
    expect(() => new WebAssembly.Instance(module, { fledge_fuel: { remaining: fuel } })).toThrow(
      WebAssembly.RuntimeError,
    );
    expect(fuel.value).toBeLessThan(0n);
  });

  it('traps deep recursion without loops (checked at function entry)', () => {
    const m = instantiateMetered(
      instrumentFuel(
        wat(`(module (func $f (export "f") (param i32) (result i32)
          (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
            (else (i32.add (call $f (i32.sub (local.get 0) (i32.const 1))) (call $f (i32.sub (local.get 0) (i32.const 2))))))))`),
      ),
      100_000n,
    );
    thrown(() => m.exports.f(40));
    expect(m.fuel.value).toBeLessThan(0n);
  });

  it('counts instructions exactly across branches, calls and returns', () => {
    // f(x): 3 instructions on the then-path plus entry (local.get, i32.eqz, if) ...
    const m = instantiateMetered(
      instrumentFuel(
        wat(`(module
          (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (func (export "f") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 7))
              (else (call $leaf (local.get 0))))))`),
      ),
      BIG,
    );
    let before = m.fuel.value;
    expect(m.exports.f(0)).toBe(7);
    expect(before - m.fuel.value).toBe(4n); // local.get i32.eqz if i32.const
    before = m.fuel.value;
    expect(m.exports.f(5)).toBe(6);
    expect(before - m.fuel.value).toBe(8n); // local.get i32.eqz if local.get call + local.get i32.const i32.add
  });
});

describe('exits from functions with a local counter copy', () => {
  const mod = instrumentFuel(
    wat(`(module
      (tag $e)
      (func $throws (throw $e))
      (func (export "br_if_out") (param $n i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
          (br $l)))
      (func (export "br_out") (param $n i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (if (i32.ge_u (local.get $i) (local.get $n)) (then (br 2)))
          (br $l)))
      (func (export "br_table_out") (param $n i32) (local $i i32)
        (block $b (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_table $l 2 (i32.ge_u (local.get $i) (local.get $n))))))
      (func (export "trap") (param $n i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (unreachable))
      (func (export "caught") (param $n i32) (result i32) (local $i i32) (local $c i32)
        (loop $l
          (try (do (call $throws)) (catch $e (local.set $c (i32.add (local.get $c) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $c)))`),
  );

  it('writes the counter back on every way out, so fuel used grows with the work', () => {
    for (const name of ['br_if_out', 'br_out', 'br_table_out', 'trap', 'caught']) {
      const used: bigint[] = [];
      for (const n of [10, 20, 30]) {
        const m = instantiateMetered(mod, BIG);
        try {
          m.exports[name](n);
        } catch (e) {
          expect(name).toBe('trap');
          expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
        }
        used.push(BIG - m.fuel.value);
      }
      expect(used[0], name).toBeGreaterThan(10n);
      // Linear in n: the same cost for each 10 more iterations.
      expect(used[2]! - used[1]!, name).toBe(used[1]! - used[0]!);
      expect(used[1]! - used[0]!, name).toBeGreaterThanOrEqual(40n);
    }
  });
});

describe('internal functions threaded with the counter as a parameter', () => {
  const text = `(module
    (tag $e (param i32))
    (global $g (mut i32) (i32.const 0))
    (table 1 funcref)
    (elem (i32.const 0) $escapes)
    ;; multi-value results, a moved first local, branches and returns leaving the function
    (func $divmod (param $a i32) (param $b i32) (result i32 i32) (local $q i32) (local $x i64)
      (local.set $q (i32.div_u (local.get $a) (local.get $b)))
      (if (i32.eqz (local.get $q)) (then (return (i32.const 0) (local.get $a))))
      (block $out
        (br_if $out (i32.gt_u (local.get $q) (i32.const 100))))
      (br_if 0 (local.get $q) (i32.rem_u (local.get $a) (local.get $b)) (i32.eq (local.get $q) (i32.const 7)))
      (drop)
      (drop)
      (local.get $q) (i32.rem_u (local.get $a) (local.get $b)))
    ;; a loop, a call to another threaded function, a table of exits
    (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
      (loop $l
        (call $divmod (local.get $i) (i32.const 3))
        (local.set $s (i32.add (local.get $s)))
        (local.set $s (i32.add (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (block $a (result i32)
        (br_table $a 1 (local.get $s) (i32.and (local.get $n) (i32.const 1))))
      (i32.const 1)
      (i32.add))
    ;; tail calls between threaded functions
    (func $count (param $n i32) (param $acc i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (local.get $acc))
        (else (return_call $count2 (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (i32.const 2))))))
    (func $count2 (param $n i32) (param $acc i32) (result i32)
      (return_call $count (local.get $n) (local.get $acc)))
    ;; an exception thrown through a threaded function, and a call in unreachable code
    (func $thrower (param $x i32) (result i32)
      (if (i32.gt_u (local.get $x) (i32.const 3)) (then (throw $e (local.get $x))))
      (local.get $x)
      (return)
      (drop (call $divmod (i32.const 1) (i32.const 1))))
    (func $catcher (param $n i32) (result i32) (local $i i32) (local $c i32)
      (loop $l
        (try (do (local.set $c (i32.add (local.get $c) (call $thrower (local.get $i)))))
          (catch $e (drop) (local.set $c (i32.add (local.get $c) (i32.const 100)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $c))
    ;; in a table: keeps its signature, and so does its tail callee
    (func $escapes (param $n i32) (result i32) (return_call $helper (local.get $n)))
    (func $helper (param $n i32) (result i32) (global.set $g (local.get $n)) (i32.mul (local.get $n) (i32.const 3)))
    (func (export "run") (param $n i32) (result i32)
      (i32.add
        (i32.add (call $sum (local.get $n)) (call $count (local.get $n) (i32.const 0)))
        (i32.add (call $catcher (local.get $n)) (call_indirect (param i32) (result i32) (local.get $n) (i32.const 0))))))`;

  it('gives the same results with exact, repeatable fuel, passing the counter in registers', () => {
    const src = wat(text);
    const { bytes, stats } = instrumentFuelWithStats(src);
    // divmod sum count count2 thrower catcher, and helper: $escapes (in a table) tail-calls it, so
    // its body becomes its threaded twin and $helper is threaded with it (threading.ts).
    expect(stats.threaded).toBe(7);
    // Found in the one-pass mode, decided in the exact one.
    expect(stats.exact).toBe(true);
    for (const n of [0, 1, 5, 9, 50]) {
      const plain = instantiate(src).run(n);
      const used: bigint[] = [];
      for (let i = 0; i < 2; i++) {
        const m = instantiateMetered(bytes, BIG);
        expect(m.exports.run(n)).toBe(plain);
        used.push(BIG - m.fuel.value);
      }
      expect(used[1]).toBe(used[0]);
    }
  });

  it('counts the same fuel as the non-threaded schemes', () => {
    // The same program with every function exported (so nothing is threaded) uses exactly as much fuel.
    const exported = text.replace(/\(func \$(\w+)/g, '(func $$$1 (export "$1")');
    const a = instrumentFuelWithStats(wat(text));
    const b = instrumentFuelWithStats(wat(exported));
    expect(b.stats.threaded).toBe(0);
    for (const n of [3, 17]) {
      const ma = instantiateMetered(a.bytes, BIG);
      const mb = instantiateMetered(b.bytes, BIG);
      expect(ma.exports.run(n)).toBe(mb.exports.run(n));
      expect(BIG - ma.fuel.value).toBe(BIG - mb.fuel.value);
    }
  });

  it('runs out of fuel inside threaded recursion, leaving the counter below zero', () => {
    const mod = instrumentFuel(
      wat(`(module
        (func $fib (param i32) (result i32)
          (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
            (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
        (func (export "fib") (param i32) (result i32) (call $fib (local.get 0))))`),
    );
    const ok = instantiateMetered(mod, BIG);
    expect(ok.exports.fib(20)).toBe(6765);
    const used = BIG - ok.fuel.value;
    const half = instantiateMetered(mod, used / 2n);
    thrown(() => half.exports.fib(20));
    expect(half.fuel.value).toBeLessThan(0n);
    // One unit short: checks are at function entry and loop headers, so the run may end normally, but
    // the counter says the budget was exceeded.
    const short = instantiateMetered(mod, used - 1n);
    try {
      short.exports.fib(20);
    } catch {
      // a trap is fine too
    }
    expect(short.fuel.value).toBeLessThan(0n);
    const exact = instantiateMetered(mod, used);
    expect(exact.exports.fib(20)).toBe(6765);
    expect(exact.fuel.value).toBe(0n);
  });
});

/** How many tables a module defines. */
function tableCount(bytes: Uint8Array): number {
  const sec = splitSections(bytes).find((x) => x.id === SEC_TABLE);
  return sec ? new Reader(bytes, sec.start, sec.end).u32() : 0;
}

describe('threaded twins of table functions, in table 0 or in a table of their own', () => {
  // Every kind of table element: loop-free, with a loop, multi-value, recursive through the table,
  // tail-calling another table function, an import (a shim), and a null slot; the table is private.
  const text = (extra = '') => `(module
    (import "env" "ext" (func $ext (param i32) (result i32)))
    (type $un (func (param i32) (result i32)))
    (type $bin (func (param i32 i32) (result i32 i32)))
    (table $t 8 8 funcref)
    (elem (table $t) (i32.const 0) func $leaf $loop $mv $rec $tail $ext)
    (elem (table $t) (i32.const 7) funcref (ref.func $leaf))
    (func $leaf (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
    (func $loop (param $n i32) (result i32) (local $i i32) (local $s i32)
      (loop $l
        (local.set $s (i32.add (local.get $s) (call_indirect (type $un) (local.get $i) (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.and (local.get $n) (i32.const 15)))))
      (local.get $s))
    (func $mv (param $a i32) (param $b i32) (result i32 i32)
      (if (i32.eqz (local.get $b)) (then (return (local.get $a) (i32.const 0))))
      (i32.div_u (local.get $a) (local.get $b)) (i32.rem_u (local.get $a) (local.get $b)))
    (func $rec (param $n i32) (result i32)
      (if (result i32) (i32.le_s (local.get $n) (i32.const 0)) (then (i32.const 0))
        (else (i32.add (i32.const 2) (call_indirect (type $un) (i32.sub (local.get $n) (i32.const 1)) (i32.const 3))))))
    (func $tail (param $n i32) (result i32) (return_call $leaf (i32.mul (local.get $n) (i32.const 3))))
    ${extra}
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $k i32)
      (loop $l
        (local.set $k (i32.rem_u (local.get $i) (i32.const 6)))
        (if (i32.eq (local.get $k) (i32.const 2))
          (then (local.set $s (i32.add (local.get $s) (i32.mul
            (call_indirect (type $bin) (i32.add (local.get $s) (i32.const 1000)) (local.get $i) (local.get $k))))))
          (else (local.set $s (i32.add (local.get $s)
            (call_indirect (type $un) (local.get $i) (local.get $k))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (i32.add (local.get $s) (i32.add (call $leaf (local.get $n)) (call $rec (local.get $n)))))
    (func (export "at") (param $i i32) (result i32) (call_indirect (type $un) (i32.const 5) (local.get $i))))`;
  const imports = () => ({ env: { ext: (x: number) => x * 7 } });

  it('gives the same results and exactly the same fuel as without twins', () => {
    const src = wat(text());
    const withTwins = instrumentFuelWithStats(src);
    const without = instrumentFuelWithStats(src, { twins: false });
    expect(withTwins.stats.twins).toBe(5); // leaf loop mv rec tail
    expect(withTwins.stats.shims).toBe(1); // ext
    expect(without.stats.twins + without.stats.shims).toBe(0);
    for (const n of [0, 1, 2, 7, 40]) {
      const plain = instantiate(src, imports()).run(n);
      const a = instantiateMetered(withTwins.bytes, BIG, imports());
      const b = instantiateMetered(without.bytes, BIG, imports());
      expect(a.exports.run(n)).toBe(plain);
      expect(b.exports.run(n)).toBe(plain);
      expect(BIG - a.fuel.value).toBe(BIG - b.fuel.value);
    }
  });

  it('traps as the original does on a null slot, a signature mismatch or an index out of bounds', () => {
    const src = wat(text());
    const metered = instrumentFuel(src);
    for (const i of [6, 2, 8, -1]) {
      const plain = thrown(() => instantiate(src, imports()).at(i));
      const m = instantiateMetered(metered, BIG, imports());
      const e = thrown(() => m.exports.at(i));
      expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
      expect(e.message).toBe(plain.message);
    }
    expect(instantiateMetered(metered, BIG, imports()).exports.at(7)).toBe(6);
  });

  it('runs out of fuel inside a twin exactly where the count says', () => {
    const metered = instrumentFuel(wat(text()));
    const ok = instantiateMetered(metered, BIG, imports());
    const result = ok.exports.run(30);
    const used = BIG - ok.fuel.value;
    const exact = instantiateMetered(metered, used, imports());
    expect(exact.exports.run(30)).toBe(result);
    expect(exact.fuel.value).toBe(0n);
    for (const budget of [used / 3n, used - 1n]) {
      const short = instantiateMetered(metered, budget, imports());
      try {
        short.exports.run(30);
      } catch (e) {
        expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
      }
      expect(short.fuel.value).toBeLessThan(0n);
    }
  });

  it('puts the twins in table 0 itself when only call_indirect reaches its elements', () => {
    const src = wat(text('(func (export "size") (result i32) (table.size $t))'));
    const own = instrumentFuelWithStats(src);
    expect(own.stats.twins).toBe(5);
    expect(tableCount(own.bytes)).toBe(1);
    const m = instantiateMetered(own.bytes, BIG, imports());
    expect(m.exports.size()).toBe(8);
    expect(m.exports.at(0)).toBe(6);
  });

  // Each reaches table 0's elements as functions of their original types, so table 0 keeps the
  // originals and the twins get a parallel table: with the twins in table 0, `get` would hand out a
  // function that takes and returns the counter too, and the other two would trap on the signature.
  const readers: [string, string, (e: WebAssembly.Exports, i: number) => unknown][] = [
    [
      'table.get',
      '(func (export "get") (param i32) (result funcref) (table.get $t (local.get 0)))',
      (e, i) => (e.get as (i: number) => (x: number) => unknown)(i)(41),
    ],
    [
      'table.copy from it',
      `(table $u 8 8 funcref)
       (func (export "copied") (param i32) (result i32)
         (table.copy $u $t (i32.const 0) (i32.const 0) (i32.const 6))
         (call_indirect $u (type $un) (i32.const 41) (local.get 0)))`,
      (e, i) => (e.copied as (i: number) => unknown)(i),
    ],
    [
      'return_call_indirect through it',
      '(func (export "tail_at") (param i32) (result i32) (return_call_indirect $t (type $un) (i32.const 41) (local.get 0)))',
      (e, i) => (e.tail_at as (i: number) => unknown)(i),
    ],
  ];
  readers.push([
    'call_indirect from a body with no room for one more local',
    `(func (export "crowded") (param i32) (result i32) (local ${'i32 '.repeat(49_998)})
       (call_indirect $t (type $un) (i32.const 41) (local.get 0)))`,
    (e, i) => (e.crowded as (i: number) => unknown)(i),
  ]);
  for (const [what, extra, use] of readers) {
    it(`gives the twins a table of their own when code reaches table 0 by ${what}`, () => {
      const src = wat(text(extra));
      const metered = instrumentFuelWithStats(src);
      expect(metered.stats.twins + metered.stats.shims).toBe(6);
      expect(tableCount(metered.bytes)).toBe(tableCount(src) + 1);
      const without = instrumentFuelWithStats(src, { twins: false });
      for (const i of [0, 1, 3, 4, 5]) {
        const plain = use(instantiate(src, imports()) as unknown as WebAssembly.Exports, i);
        const a = instantiateMetered(metered.bytes, BIG, imports());
        const b = instantiateMetered(without.bytes, BIG, imports());
        expect(use(a.exports, i)).toBe(plain);
        expect(use(b.exports, i)).toBe(plain);
        expect(a.fuel.value).toBe(b.fuel.value);
      }
    });
  }

  it('gives the twins a table of their own for a crowded body found in one pass, too', () => {
    // No tail calls here, so no exact mode: the one-pass scan must notice it itself.
    const src = wat(`(module (type $un (func (param i32) (result i32)))
      (table $t 2 2 funcref) (elem (i32.const 0) func $leaf)
      (func $leaf (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
      (func (export "crowded") (param i32) (result i32) (local ${'i32 '.repeat(49_998)})
        (call_indirect $t (type $un) (i32.const 41) (local.get 0))))`);
    const metered = instrumentFuelWithStats(src);
    expect(metered.stats.exact).toBe(false);
    expect(tableCount(metered.bytes)).toBe(2);
    expect(instantiateMetered(metered.bytes, BIG).exports.crowded(0)).toBe(42);
  });

  it('leaves a table that code writes, or that is exported, as it is', () => {
    const written = wat(text('(func (export "set") (table.set $t (i32.const 6) (ref.func $leaf)))'));
    const w = instrumentFuelWithStats(written);
    expect(w.stats.twins + w.stats.shims).toBe(0);
    const a = instantiateMetered(w.bytes, BIG, imports());
    expect(() => a.exports.at(6)).toThrow(WebAssembly.RuntimeError);
    a.exports.set();
    expect(a.exports.at(6)).toBe(6);
    const exported = instrumentFuelWithStats(wat(text('(export "t" (table $t))')));
    expect(exported.stats.twins + exported.stats.shims).toBe(0);
  });
});

describe('global indices after adding the fuel import', () => {
  it('rewrites global.get/set, global exports, init expressions and segment offsets', () => {
    const f = WAT_FIXTURES.find((x) => x.name === 'mvp')!;
    const { plain, results, metered } = compare(wat(f.text), f.args ?? [], f.imports);
    expect(results[0]).toBe(plain);
    const m = instantiateMetered(metered, BIG, f.imports!());
    m.exports.run(10);
    expect(typeof m.exports.acc.value).toBe('bigint');
    expect(m.exports.acc.value).toBeGreaterThan(0n);
  });

  it('keeps the name section with global names moved to their new indices', () => {
    const src = wat(
      `(module (import "env" "a" (global $imported i32)) (global $mine (mut i32) (i32.const 1))
        (func $get_mine (export "f") (result i32) (global.get $mine)))`,
      true,
    );
    const text = toText(instrumentFuel(src));
    expect(text).toContain('(import "fledge_fuel" "remaining" (global (;1;) (mut i64)))');
    expect(text).toContain('(global $mine (mut i32) (i32.const 1))');
    expect(text).toMatch(/\(func \$get_mine/);
    expect(text).toMatch(/global\.get 2\)/);
  });

  it('adds an import section when there is none, and preserves imports before it', () => {
    const text = toText(instrumentFuel(wat('(module (func (export "f")))')));
    expect(text).toContain('(import "fledge_fuel" "remaining" (global (;0;) (mut i64)))');
  });
});

describe('refusals', () => {
  it('names an opcode it cannot meter', () => {
    const src = wat('(module (func (export "f") nop))');
    const at = src.lastIndexOf(0x01); // the nop
    const bytes = src.slice();
    bytes[at] = 0x17; // unassigned opcode
    const e = thrown(() => instrumentFuelWithStats(bytes, { validate: false }));
    expect(e).toBeInstanceOf(ModuleError);
    expect((e as ModuleError).code).toBe('unmeterable');
    expect(e.message).toMatch(/opcode 0x17/);
    bytes[at] = 0xfb; // GC prefix
    const gc = thrown(() => instrumentFuelWithStats(bytes, { validate: false }));
    expect(gc.message).toMatch(/opcode 0xfb 0x0b .*garbage-collection/);
  });

  it('refuses a function with too many locals to add the counter', () => {
    const src = wat(`(module (func (param i32) (local ${'i64 '.repeat(49_999)})))`);
    expect(WebAssembly.validate(src as Uint8Array<ArrayBuffer>)).toBe(true);
    const e = thrown(() => instrumentFuel(src));
    expect((e as ModuleError).code).toBe('unmeterable');
    expect(e.message).toMatch(/50000 locals/);
  });
});

describe.skipIf(!hasClang())('a real compiled C program', () => {
  it('prints the same output metered, with the same fuel every run', () => {
    const src = compileC('kernel.c');
    const { bytes: metered, stats } = instrumentFuelWithStats(src);
    expect(stats.exact).toBe(false);
    expect(stats.threaded).toBeGreaterThan(10);
    const plain = runWasi(src);
    expect(plain.error).toBeUndefined();
    expect(plain.stdout).toContain('fib 10946');
    const a = runWasi(metered, BIG);
    const b = runWasi(metered, BIG);
    expect(a.error).toBeUndefined();
    expect(a.stdout).toBe(plain.stdout);
    expect(b.stdout).toBe(plain.stdout);
    expect(a.fuelUsed).toBeGreaterThan(1_000_000n);
    expect(b.fuelUsed).toBe(a.fuelUsed);
  });

  for (const flags of [
    ['-O0'],
    ['-O1'],
    ['-Os', '-mtail-call'],
    ['-O3', '-msimd128', '-mbulk-memory', '-msign-ext', '-mnontrapping-fptoint'],
  ]) {
    it(`compiled with ${flags.join(' ')}: same output metered, deterministic fuel`, () => {
      const src = compileC('kernel.c', flags);
      const metered = instrumentFuel(src);
      const plain = runWasi(src);
      const a = runWasi(metered, BIG);
      const b = runWasi(metered, BIG);
      expect(a.error).toBeUndefined();
      expect(a.stdout).toBe(plain.stdout);
      expect(b.fuelUsed).toBe(a.fuelUsed);
    });
  }

  it('counts the same fuel with twins of table functions as without, for indirect calls of every kind', () => {
    for (const flags of [['-O0'], ['-O2'], ['-O3', '-mtail-call']]) {
      const src = compileC('indirect.c', flags);
      const withTwins = instrumentFuelWithStats(src);
      const without = instrumentFuelWithStats(src, { twins: false });
      expect(withTwins.stats.twins).toBeGreaterThan(5);
      const plain = runWasi(src);
      expect(plain.stdout).toMatch(/^acc -?\d+ sorted/);
      const a = runWasi(withTwins.bytes, BIG);
      const b = runWasi(without.bytes, BIG);
      expect(a.stdout).toBe(plain.stdout);
      expect(b.stdout).toBe(plain.stdout);
      expect(a.fuelUsed).toBe(b.fuelUsed);
      expect(runWasi(withTwins.bytes, a.fuelUsed).fuelLeft).toBe(0n);
    }
  });

  it('stops it with the counter below zero when the budget runs out', () => {
    const metered = instrumentFuel(compileC('kernel.c'));
    const r = runWasi(metered, 1_000_000n);
    expect(r.error).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(r.fuelLeft).toBeLessThan(0n);
  });

  it('drops DWARF sections and keeps the module valid', () => {
    const src = compileC('kernel.c', ['-g']);
    const before = new WebAssembly.Module(src as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.customSections(before, '.debug_info').length).toBe(1);
    const after = new WebAssembly.Module(instrumentFuel(src) as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.customSections(after, '.debug_info').length).toBe(0);
    // Debian's wasm-ld 14 writes no name section here; whatever the linker wrote is kept.
    expect(WebAssembly.Module.customSections(after, 'name').length).toBe(
      WebAssembly.Module.customSections(before, 'name').length,
    );
    expect(runWasi(instrumentFuel(src), BIG).stdout).toBe(runWasi(src).stdout);
  });

  it('keeps the name section (function names for traces)', () => {
    const src = wat('(module (func $answer (export "answer") (result i32) i32.const 42))', true);
    expect(
      WebAssembly.Module.customSections(new WebAssembly.Module(src as Uint8Array<ArrayBuffer>), 'name')
        .length,
    ).toBe(1);
    const after = new WebAssembly.Module(instrumentFuel(src) as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.customSections(after, 'name').length).toBe(1);
  });
});
