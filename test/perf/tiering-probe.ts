// Run by tiering.test.ts in a child process with --allow-natives-syntax: applies each tiering given
// on the command line, compiles a small module, calls it and prints whether its code is Liftoff's.
import { applyTiering, type WasmTiering } from '../../electron/sandbox/tiering.js';

// (module (func (export "f") (result i32) i32.const 7))
const bytes = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65,
  7, 11,
]);
const isLiftoff = new Function('f', 'return %IsLiftoffFunction(f)') as (f: unknown) => boolean;
const out: string[] = [];
for (const [k, t] of process.argv.slice(2).entries()) {
  applyTiering(t as WasmTiering);
  // A distinct module each time (V8 shares compiled code between identical modules).
  const b = bytes.slice();
  b[b.length - 2] = 7 + k;
  const f = new WebAssembly.Instance(new WebAssembly.Module(b)).exports.f as () => number;
  f();
  out.push(`${t}:${isLiftoff(f) ? 'liftoff' : 'turbofan'}`);
}
console.log(out.join(' '));
