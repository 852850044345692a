// Dispatch loops (meter.ts, EV_DISPATCH): a loop whose header runs straight into a br_table only
// charges at its header, and every branch back to the header checks instead, the br_table's own
// targets that are the loop itself through a block of their own. Same fuel, still bounded.
import { describe, expect, it } from 'vitest';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import { instantiateMetered, runMetered, thrown, wat } from './helpers.js';

const BIG = 10n ** 15n;

// A bytecode VM's shape: the header steps pc and dispatches; one target is the loop itself (a no-op),
// one leaves; the arms go back by br and by br_if.
const text = `(module
  (func $vm (export "vm") (param $n i32) (result i32) (local $pc i32) (local $acc i32)
    (block $halt
      (loop $next
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (block $op1
          (block $op0
            (br_table $op0 $op1 $next $halt
              (select (i32.const 3) (i32.rem_u (local.get $pc) (i32.const 3))
                (i32.ge_u (local.get $pc) (local.get $n)))))
          ;; op0
          (local.set $acc (i32.add (local.get $acc) (i32.const 3)))
          (br $next))
        ;; op1
        (local.set $acc (i32.xor (i32.mul (local.get $acc) (i32.const 7)) (local.get $pc)))
        (br_if $next (i32.lt_u (local.get $pc) (local.get $n)))))
    (local.get $acc))
  (func (export "spinSelf") (local $i i32)
    ;; Only ever the br_table's way to the loop itself.
    (block $out
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_table $l $out (i32.const 0)))))
  (func (export "spinArms") (local $i i32)
    (block $out
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (block $a
          (br_table $a $out (i32.const 0)))
        (br $l))))
  (func $deep (export "deep") (param $d i32) (result i32)
    ;; Each level dispatches once and calls itself from an arm.
    (block $done
      (loop $l
        (block $a
          (br_table $a $done (i32.and (local.get $d) (i32.const 0))))
        (local.set $d (call $deep (i32.add (local.get $d) (i32.const 1))))
        (br $l)))
    (local.get $d)))`;

describe('a dispatch loop checked on its ways back', () => {
  const moved = instrumentFuelWithStats(wat(text));
  const atHeader = instrumentFuelWithStats(wat(text), { dispatchChecks: false });
  const plain = instrumentFuelWithStats(wat(text), { mergeCharges: false, dispatchChecks: false });

  it('moves the check of every loop whose header runs straight into a br_table', () => {
    expect(moved.stats.dispatchLoops).toBe(4);
    expect(atHeader.stats.dispatchLoops).toBe(0);
    expect(() => new WebAssembly.Module(moved.bytes as Uint8Array<ArrayBuffer>)).not.toThrow();
  });

  it('uses exactly the fuel of one charge per segment, and ends on exactly that fuel', () => {
    for (let n = 0; n < 40; n++) {
      const want = runMetered(plain.bytes, 'vm', [n], BIG);
      for (const bytes of [moved.bytes, atHeader.bytes]) {
        const got = runMetered(bytes, 'vm', [n], BIG);
        expect(got.result, `vm(${n})`).toBe(want.result);
        expect(BIG - got.left, `vm(${n})`).toBe(BIG - want.left);
      }
      const used = BIG - want.left;
      const exact = runMetered(moved.bytes, 'vm', [n], used);
      expect(exact.trapped, `vm(${n}) on exactly its fuel`).toBe(false);
      expect(exact.left).toBe(0n);
      const short = runMetered(moved.bytes, 'vm', [n], used - 1n);
      expect(short.trapped || short.left < 0n, `vm(${n}) one unit short`).toBe(true);
    }
  });

  it('is out of fuel at every budget short of what a run needs, a few units past it at most', () => {
    const used = BIG - runMetered(plain.bytes, 'vm', [30], BIG).left;
    for (let budget = 0n; budget < used; budget += 1n) {
      const r = runMetered(moved.bytes, 'vm', [30], budget);
      expect(r.trapped || r.left < 0n, `budget ${budget}`).toBe(true);
      expect(r.left, `budget ${budget}`).toBeGreaterThan(-50n);
    }
  });

  it('stops an endless loop through the br_table to the loop itself by fuel', () => {
    const m = instantiateMetered(moved.bytes, 10_000n);
    expect(thrown(() => m.exports.spinSelf!())).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(m.fuel.value).toBeLessThan(0n);
    expect(m.fuel.value).toBeGreaterThan(-50n);
  });

  it('stops an endless loop through an arm by fuel', () => {
    const m = instantiateMetered(moved.bytes, 10_000n);
    expect(thrown(() => m.exports.spinArms!())).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(m.fuel.value).toBeLessThan(0n);
    expect(m.fuel.value).toBeGreaterThan(-50n);
  });

  it('stops endless recursion from an arm: the entry keeps its check', () => {
    const m = instantiateMetered(moved.bytes, 10_000n);
    const e = thrown(() => m.exports.deep!(0));
    if (e instanceof RangeError) expect(e.message).toMatch(/call stack/i);
    else {
      expect(e).toBeInstanceOf(WebAssembly.RuntimeError);
      expect(m.fuel.value).toBeLessThan(0n);
    }
    expect(m.fuel.value).toBeLessThanOrEqual(10_000n);
  });
});
