// Charges placed by potentials (electron/sandbox/prepare/potentials.ts): fewer charges on the hot
// paths, the same fuel on every run that ends normally, never ahead of the true count.
import { describe, expect, it } from 'vitest';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import { EXIT_GROUP, placeCharges } from '../../electron/sandbox/prepare/potentials.js';
import {
  compiledCPrograms,
  expectSameRunAs,
  hasClang,
  instantiateMetered,
  runMetered,
  thrown,
  toText,
  wat,
} from './helpers.js';
import { runWasi } from './wasi-shim.js';

const BIG = 10n ** 15n;

/** A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it. */
function rng(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) | 0;
  };
}

/**
 * A random control-flow graph as the meter sees it: segment 0 is the entry; each segment's successors
 * are other segments or the way out (-1), and the successors of one segment form one group.
 */
function randomGraph(seed: number) {
  const r = rng(seed);
  const n = 2 + r(40);
  const succs: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = 1 + r(3);
    const s = new Set<number>();
    for (let j = 0; j < k; j++) {
      const t = r(5) === 0 ? -1 : r(n);
      s.add(t === 0 ? -1 : t); // nothing branches back to the entry (a function's entry is no label)
    }
    succs.push([...s]);
  }
  const parent = Array.from({ length: n + 1 }, (_, i) => i); // n: the way out's group
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x]!;
    return x;
  };
  const node = (t: number) => (t < 0 ? n : t);
  parent[0] = n; // the entry's group is the way out's
  for (const s of succs) for (const t of s.slice(1)) parent[find(node(t))] = find(node(s[0]!));
  const dense = new Map<number, number>([[find(n), EXIT_GROUP]]);
  const id = (x: number) => {
    const g = find(x);
    if (!dense.has(g)) dense.set(g, dense.size);
    return dense.get(g)!;
  };
  const head = new Int32Array(n);
  const succ = new Int32Array(n);
  const cost = new Int32Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    head[i] = id(i);
    succ[i] = id(node(succs[i]![0]!));
    cost[i] = 1 + r(20);
    weight[i] = r(4);
  }
  return { n, succs, head, succ, cost, weight, groups: dense.size, r };
}

describe('placing charges by potentials', () => {
  it('charges the true cost of every path that leaves the function, and never more than it so far', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const g = randomGraph(seed);
      const x = placeCharges(g.n, g.head, g.succ, g.cost, g.weight, g.groups);
      for (let walk = 0; walk < 20; walk++) {
        let at = 0;
        let charged = 0;
        let truth = 0;
        for (let step = 0; step < 300 && at >= 0; step++) {
          charged += x[at]!;
          truth += g.cost[at]!;
          // The counter may owe charges (lag) but never runs ahead of the instructions entered.
          expect(charged, `seed ${seed}`).toBeLessThanOrEqual(truth);
          const s = g.succs[at]!;
          at = s[g.r(s.length)]!;
        }
        if (at < 0) expect(charged, `seed ${seed}: a way out`).toBe(truth);
      }
    }
  });

  it('charges nothing on the segments of a spanning tree, the hottest first', () => {
    // A diamond in a loop, entered from the entry (4): header(0) -> then(1) | else(2) -> join(3) ->
    // header | out. Groups: the join's successors (the header, the way out) are EXIT (0), which the
    // entry leads to as well; the arms are 1; the join is 2.
    const head = Int32Array.from([0, 1, 1, 2, 0]);
    const succ = Int32Array.from([1, 2, 2, 0, 0]);
    const cost = Int32Array.from([5, 3, 4, 2, 7]);
    const weight = Float64Array.from([8, 4, 4, 8, 1]);
    const x = placeCharges(5, head, succ, cost, weight, 3);
    // Every loop iteration costs header + arm + join: 10 or 11, charged on one segment.
    expect([x[0]! + x[1]! + x[3]!, x[0]! + x[2]! + x[3]!]).toEqual([10, 11]);
    expect(Array.from(x).filter((c) => c !== 0).length).toBeLessThanOrEqual(3);
  });
});

describe('a metered module with charges placed', () => {
  // A switch in a loop, one arm with an if/else: the shape of an interpreter's dispatch.
  const text = `(module
    (func $step (param $i i32) (param $s i32) (result i32)
      (block $b3 (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 $b3 (i32.and (local.get $i) (i32.const 3))))
        (return (i32.add (local.get $s) (i32.const 1))))
        (if (i32.gt_u (local.get $s) (i32.const 100))
          (then (local.set $s (i32.sub (local.get $s) (i32.const 7))))
          (else (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 3)) (i32.const 1)))))
        (br $b3))
        (local.set $s (i32.xor (local.get $s) (local.get $i))))
      (local.get $s))
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32)
      (block $out
        (loop $l
          (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
          (block $skip
            (br_if $skip (i32.eq (i32.rem_u (local.get $i) (i32.const 5)) (i32.const 4)))
            (local.set $s (call $step (local.get $i) (local.get $s))))
          (if (i32.and (local.get $s) (i32.const 1))
            (then (local.set $s (i32.shr_u (local.get $s) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
      (local.get $s))
    (func (export "spin") (param $s i32) (result i32)
      (loop $l
        (if (i32.and (local.get $s) (i32.const 1))
          (then (local.set $s (i32.add (local.get $s) (i32.const 3))))
          (else (local.set $s (i32.shr_u (local.get $s) (i32.const 1)))))
        (br $l))
      (local.get $s))
    (func $deep (export "deep") (param $n i32) (result i32)
      (if (result i32) (i32.and (local.get $n) (i32.const 1))
        (then (i32.add (call $deep (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
        (else (i32.sub (call $deep (i32.add (local.get $n) (i32.const 1))) (i32.const 1))))))`;
  const placed = instrumentFuelWithStats(wat(text));
  const plain = instrumentFuelWithStats(wat(text), { mergeCharges: false });

  const run = (bytes: Uint8Array, n: number, budget: bigint) => runMetered(bytes, 'run', [n], budget);

  it('emits fewer charges than one per segment', () => {
    expect(placed.stats.charges).toBeLessThan(plain.stats.charges);
  });

  it('uses exactly the same fuel as one charge per segment, on every input', () => {
    for (let n = 0; n < 60; n++) {
      const a = run(placed.bytes, n, BIG);
      const b = run(plain.bytes, n, BIG);
      expect(a.result).toBe(b.result);
      expect(BIG - a.left, `n ${n}`).toBe(BIG - b.left);
    }
  });

  it('ends normally on exactly the fuel it needs, and is out of fuel with one unit less', () => {
    for (const n of [0, 1, 2, 3, 9, 40]) {
      const used = BIG - run(plain.bytes, n, BIG).left;
      const exact = run(placed.bytes, n, used);
      expect(exact.trapped, `n ${n}`).toBe(false);
      expect(exact.left).toBe(0n);
      const short = run(placed.bytes, n, used - 1n);
      // Stopped by a check, or ended with the counter below zero (the host reports both as out of fuel).
      expect(short.trapped || short.left < 0n, `n ${n}`).toBe(true);
    }
  });

  it('is out of fuel at every budget short of what a run needs, never stopping early', () => {
    const used = BIG - run(plain.bytes, 40, BIG).left;
    for (let budget = 0n; budget < used; budget += 3n) {
      const r = run(placed.bytes, 40, budget);
      expect(r.trapped || r.left < 0n, `budget ${budget}`).toBe(true);
      expect(r.left, `budget ${budget}`).toBeGreaterThan(-200n);
    }
  });

  it('still stops an endless loop with a branch in it by fuel, a few units past the budget', () => {
    const m = instantiateMetered(placed.bytes, 10_000n);
    expect(thrown(() => m.exports.spin(7))).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(m.fuel.value).toBeLessThan(0n);
    expect(m.fuel.value).toBeGreaterThan(-50n);
  });

  it('stops endless recursion, by fuel or (when each level owes its charges past the call) by the stack', () => {
    const d = instantiateMetered(placed.bytes, 10_000n);
    const e = thrown(() => d.exports.deep(0));
    if (e instanceof RangeError)
      expect(e.message).toMatch(/call stack/i); // V8's stack overflow: a trap
    else {
      expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
      expect(d.fuel.value).toBeLessThan(0n);
    }
    expect(d.fuel.value).toBeLessThanOrEqual(10_000n);
  });
});

describe.skipIf(!hasClang())('real compiled C programs with charges placed', () => {
  const cases = compiledCPrograms();
  for (const [what, build] of cases) {
    it(`${what}: same output, same fuel as one charge per segment, ends on exactly that fuel`, () => {
      const src = build();
      const placed = instrumentFuelWithStats(src);
      const plain = instrumentFuelWithStats(src, { mergeCharges: false });
      expect(placed.stats.charges).toBeLessThan(plain.stats.charges);
      const used = expectSameRunAs(src, placed.bytes, plain.bytes);
      expect(runWasi(placed.bytes, BIG).fuelUsed).toBe(used);
    });
  }
});

describe('a br_if to a shared join, metered as an edge of its own', () => {
  // A chain of side exits to one block end: the shape of `if (a && b && c)` and of a search loop's exits.
  const text = `(module
    (func (export "chain") (param $a i32) (result i32) (local $s i32)
      (block $out
        (local.set $s (i32.add (local.get $a) (i32.const 1)))
        (br_if $out (i32.eq (local.get $a) (i32.const 1)))
        (local.set $s (i32.mul (local.get $s) (i32.const 3)))
        (br_if $out (i32.eq (local.get $a) (i32.const 2)))
        (local.set $s (i32.xor (local.get $s) (i32.const 5)))
        (br_if $out (i32.eq (local.get $a) (i32.const 3)))
        (local.set $s (i32.sub (local.get $s) (i32.const 7)))
        (br_if $out (i32.eq (local.get $a) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 11))))
      (local.get $s))
    (func (export "search") (param $n i32) (result i32) (local $i i32)
      (block $found
        (loop $next
          (br_if $found (i32.ge_u (local.get $i) (local.get $n)))
          (br_if $found (i32.eq (i32.rem_u (i32.mul (local.get $i) (local.get $i)) (i32.const 97)) (i32.const 50)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (local.get $i)))`;
  const split = instrumentFuelWithStats(wat(text));
  const unsplit = instrumentFuelWithStats(wat(text), { splitEdges: false });

  /** Charges (i64.sub of the counter) in function `index`'s text that run on the way through: outside every `if`. */
  const chargesOutsideIfs = (bytes: Uint8Array, index: number) => {
    const body = toText(bytes).split(/\n {2}\(func /)[index + 1]!;
    const open: string[] = [];
    let n = 0;
    for (const line of body.split('\n').map((l) => l.trim())) {
      const op = line.split(/\s/)[0];
      if (op === 'block' || op === 'loop' || op === 'if') open.push(op);
      else if (op === 'end') open.pop();
      else if (op === 'i64.sub' && !open.includes('if')) n++;
    }
    return n;
  };

  it('charges the way through a chain of side exits once, not once per segment', () => {
    expect(chargesOutsideIfs(unsplit.bytes, 0)).toBe(5);
    // Once in the block, once after the join every way reaches.
    expect(chargesOutsideIfs(split.bytes, 0)).toBe(2);
  });

  it('charges a search loop with two exits once per trip, not twice', () => {
    expect(chargesOutsideIfs(unsplit.bytes, 1)).toBe(3);
    expect(chargesOutsideIfs(split.bytes, 1)).toBe(2);
  });

  it('uses exactly the fuel of one charge per segment on every way, and ends on exactly that fuel', () => {
    const plain = instrumentFuelWithStats(wat(text), { mergeCharges: false });
    for (const [name, inputs] of [
      ['chain', [0, 1, 2, 3, 4, 5]],
      ['search', [0, 1, 5, 200]],
    ] as const) {
      for (const a of inputs) {
        const want = runMetered(plain.bytes, name, [a], BIG);
        for (const bytes of [split.bytes, unsplit.bytes]) {
          const got = runMetered(bytes, name, [a], BIG);
          expect(got.result, `${name}(${a})`).toBe(want.result);
          expect(BIG - got.left, `${name}(${a})`).toBe(BIG - want.left);
        }
        const used = BIG - want.left;
        const exact = runMetered(split.bytes, name, [a], used);
        expect(exact.trapped || exact.left !== 0n, `${name}(${a}) on exactly its fuel`).toBe(false);
        const short = runMetered(split.bytes, name, [a], used - 1n);
        expect(short.trapped || short.left < 0n, `${name}(${a}) one unit short`).toBe(true);
      }
    }
  });
});
