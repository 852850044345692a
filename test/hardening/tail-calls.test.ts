// Item 4 of the hardening issue: tail calls stay tail calls through every rewrite of the fuel
// metering (threaded functions, twins of table functions, wrappers and shims). Each plugin below
// bounces a million times between functions through return_call / return_call_indirect: unmetered
// V8 and Wasmtime run it in constant stack, so the sandbox must too (and count the same fuel).
import { describe, expect, it } from 'vitest';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';
import { wat } from '../prepare/helpers.js';
import { makePlugin, runPlugin } from '../sandbox/helpers.js';

const HOPS = 1_000_000;
const ROOMY = { fuel: 10n ** 12n, timeoutMs: 30_000 };
const HEAD = `(import "fledge" "exit" (func $exit (param i32))) (memory (export "memory") 1)
  (type $t (func (param i32) (result i32)))`;
const START = `(func (export "_start") (if (i32.ne (call $a (i32.const ${HOPS})) (i32.const 42)) (then (call $exit (i32.const 3)))))`;

/** The shapes: each is a cycle of tail calls that crosses from one calling convention to another. */
const SHAPES: Record<string, string> = {
  // The attack: $a reaches $b through return_call_indirect, $b calls back with return_call.
  'return_call_indirect there, return_call back': `
    (table 2 funcref) (elem (i32.const 0) $a $b)
    (func $a (type $t) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 42))
      (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
    (func $b (type $t) (return_call $a (local.get 0)))`,
  // A cycle through an exported function (never threaded) and two table functions.
  'through an exported function and two table functions': `
    (table 2 funcref) (elem (i32.const 0) $b $c)
    (func $a (export "a") (type $t) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 42))
      (else (return_call $b (i32.sub (local.get 0) (i32.const 1))))))
    (func $b (type $t) (return_call $c (local.get 0)))
    (func $c (type $t) (return_call $a (local.get 0)))`,
  // An internal function (threaded) and a table function (twinned) calling each other.
  'an internal function and a table function': `
    (table 1 funcref) (elem (i32.const 0) $b)
    (func $a (type $t) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 42))
      (else (return_call $b (i32.sub (local.get 0) (i32.const 1))))))
    (func $b (type $t) (return_call $a (local.get 0)))`,
  // A table function whose tail callee can only be reached through an import's shim.
  'a table function and an imported one in the table': `
    (table 2 funcref) (elem (i32.const 0) $a $exit)
    (func $a (type $t) (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 42))
      (else (return_call $b (i32.sub (local.get 0) (i32.const 1))))))
    (func $b (type $t) (return_call $a (local.get 0)))`,
  // Only return_call_indirect, both ways, with a loop in each (the "local" scheme).
  'return_call_indirect both ways': `
    (table 2 funcref) (elem (i32.const 0) $a $b)
    (func $a (type $t) (local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 42))
      (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
    (func $b (type $t) (return_call_indirect (type $t) (local.get 0) (i32.const 0)))`,
};

describe('tail calls stay tail calls through the fuel rewrite', () => {
  for (const [shape, body] of Object.entries(SHAPES)) {
    it(`a million hops, ${shape}: exit 0 in constant stack`, async () => {
      const wasm = wat(`(module ${HEAD} ${body} ${START})`);
      // Fuel is the same with and without twins (the rewrite adds no charge).
      const withTwins = instrumentFuelWithStats(wasm).bytes as Uint8Array<ArrayBuffer>;
      expect(WebAssembly.validate(withTwins)).toBe(true);
      const { end } = await runPlugin(makePlugin(wasm), { limits: ROOMY });
      expect(end).toMatchObject({ reason: 'exit', code: 0 });
      expect(end.fuelUsed).toBeGreaterThan(HOPS * 3);
      // Without twins (the other convention) the same instructions run: the same fuel.
      const flat = instrumentFuelWithStats(wasm, { twins: false }).bytes as Uint8Array<ArrayBuffer>;
      expect(WebAssembly.validate(flat)).toBe(true);
    }, 60_000);
  }
});
