// Out of fuel in a threaded function that makes calls (meter.ts, exhaustFunc): its checks stop by
// calling one function the preparation adds, which stores the counter to the fuel global and traps,
// instead of storing it themselves (V8 hoists the global's address to the entry of a function that
// stores it on several ways out). Leaves keep the store. Either way the host reads exhaustion from
// the global, and fuel used is the same.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedNode } from '../../electron/engine/runs/sandbox-node.js';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import { tempDir } from '../support/temp.js';
import { runMetered, toText, wat } from './helpers.js';

const BIG = 10n ** 15n;

// $walk (threaded, makes calls) loops and recurses; $count (threaded, a leaf) loops.
const text = `(module
  (func (export "run") (param $n i32) (result i32)
    (call $walk (local.get $n)))
  (func $walk (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $count (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (call $walk (i32.sub (local.get $n) (i32.const 1)))))
  (func $count (param $k i32) (result i32) (local $s i32)
    (block $out
      (loop $l
        (br_if $out (i32.eqz (local.get $k)))
        (local.set $s (i32.add (local.get $s) (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $l)))
    (local.get $s)))`;

/** The text of each function body of `bytes`, in index order. */
function bodies(bytes: Uint8Array): string[] {
  return toText(bytes)
    .split('\n  (func')
    .slice(1)
    .map((f) => f.split('\n  (')[0]!);
}

describe('a threaded function that makes calls, out of fuel', () => {
  const { bytes } = instrumentFuelWithStats(wat(text));
  const plain = instrumentFuelWithStats(wat(text), { mergeCharges: false }).bytes;
  const funcs = bodies(bytes);

  it('stops in the one function the preparation adds, which stores the counter and traps', () => {
    expect(funcs).toHaveLength(4);
    const added = funcs[3]!;
    expect(added).toMatch(/\(param i64\)\)?\n\s+local\.get 0\n\s+global\.set 0\n\s+unreachable(\n\s+nop)+\)/);
    // $walk's checks call it; $count, a leaf, stores the counter itself (a call would give it a
    // stack check on entry).
    expect(funcs[1]!).toMatch(/call 3\n\s+unreachable/);
    expect(funcs[1]!).not.toMatch(/global\.set 0\n\s+unreachable/);
    expect(funcs[2]!).toMatch(/global\.set 0\n\s+unreachable/);
    expect(funcs[2]!).not.toMatch(/call 3/);
  });

  it('uses the fuel it used before, and is out of fuel, read from the global, at every budget short of it', () => {
    for (const n of [0, 1, 3, 6]) {
      const want = runMetered(plain, 'run', [n], BIG);
      const got = runMetered(bytes, 'run', [n], BIG);
      expect(got.result).toBe(want.result);
      const used = BIG - got.left;
      expect(used, `run(${n})`).toBe(BIG - want.left);
      const exact = runMetered(bytes, 'run', [n], used);
      expect(exact.trapped, `run(${n}) on exactly its fuel`).toBe(false);
      for (let budget = 0n; budget < used; budget++) {
        const short = runMetered(bytes, 'run', [n], budget);
        expect(short.trapped || short.left < 0n, `run(${n}) on ${budget} of ${used}`).toBe(true);
        if (short.trapped) expect(short.left < 0n, `run(${n}) on ${budget}: the global says why`).toBe(true);
      }
    }
  });

  // V8 13+ inlines small wasm functions into their callers (V8 11 inlines none); inlined, the store
  // and trap come back into the caller's loops, with the cost the call was made to avoid. Its body
  // is padded (fuel.ts, EXHAUST_BODY_BYTES) so that V8 ranks it last.
  it.runIf(pinnedNode() !== undefined)(
    'is not inlined by V8 14 into a caller that inlines its other callee, a leaf',
    () => {
      const file = join(tempDir('exhaust'), 'prepared.wasm');
      writeFileSync(file, bytes);
      const script = `
        const m = new WebAssembly.Module(require('fs').readFileSync(${JSON.stringify(file)}));
        const remaining = new WebAssembly.Global({ value: 'i64', mutable: true }, 10n ** 15n);
        const i = new WebAssembly.Instance(m, { fledge_fuel: { remaining } });
        i.exports.run(3);`;
      const r = spawnSync(pinnedNode()!, ['--no-liftoff', '--trace-wasm-inlining', '-e', script], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      // $walk (function 1) inlines $count (2), its other callee: the trace sees inlining at all.
      expect(r.stdout).toMatch(/function 1: inlining direct call #\d+ to function 2\]/);
      expect(r.stdout).not.toMatch(/inlining direct call #\d+ to function 3\]/);
    },
  );
});
