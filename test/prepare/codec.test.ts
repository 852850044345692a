import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../electron/sandbox/prepare/bytes.js';
import { decodeModule, encodeModule } from '../../electron/sandbox/prepare/codec.js';
import { compileC, hasClang, instantiate, wat } from './helpers.js';
import { runWasi } from './wasi-shim.js';
import { WAT_FIXTURES } from './wat-fixtures.js';

function roundTrip(bytes: Uint8Array): Uint8Array {
  return encodeModule(decodeModule(bytes));
}

describe('LEB128', () => {
  it('reads and writes unsigned and signed numbers at the edges', () => {
    const w = new Writer(4);
    const u = [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 - 1];
    const s = [0, -1, 63, 64, -64, -65, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, -(2 ** 32)];
    for (const v of u) w.u32(v);
    for (const v of s) w.sNum(v);
    const big = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 1234567890123n];
    for (const v of big) w.s64(v);
    const r = new Reader(w.result());
    for (const v of u) expect(r.u32()).toBe(v);
    for (const v of s) expect(r.s33()).toBe(v);
    for (const v of big) expect(r.s64()).toBe(v);
    expect(r.eof()).toBe(true);
  });

  it('rejects overlong and truncated numbers', () => {
    expect(() => new Reader(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).u32()).toThrow(/too large/);
    expect(() => new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f])).u32()).toThrow(/too large/);
    expect(() => new Reader(new Uint8Array([0x80])).u32()).toThrow(/end of data/);
  });
});

describe('decode + encode round trip', () => {
  for (const f of WAT_FIXTURES) {
    it(`${f.name}: gives back the same bytes${f.v8 ? ' and the same behaviour' : ''}`, () => {
      const src = wat(f.text);
      const out = roundTrip(src);
      // wabt writes canonical LEB128 like the encoder, so the bytes match exactly.
      expect(Buffer.from(out).equals(Buffer.from(src))).toBe(true);
      if (f.v8) {
        expect(WebAssembly.validate(out as Uint8Array<ArrayBuffer>)).toBe(true);
        expect(instantiate(out, f.imports?.()).run(...(f.args ?? []))).toBe(
          instantiate(src, f.imports?.()).run(...(f.args ?? [])),
        );
      }
    });
  }

  it('decodes every instruction into opcode and immediates', () => {
    const m = decodeModule(wat(WAT_FIXTURES.find((f) => f.name === 'SIMD')!.text));
    const ops = m.functions[0]!.code.map((i) => i.op);
    expect(ops).toContain((0xfd << 16) | 0x0d); // i8x16.shuffle
    const shuffle = m.functions[0]!.code.find((i) => i.op === ((0xfd << 16) | 0x0d))!;
    expect(Array.from(shuffle.imm[0] as Uint8Array)).toEqual([
      4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11,
    ]);
    const lane = m.functions[0]!.code.find((i) => i.op === ((0xfd << 16) | 0x1c))!; // i32x4.replace_lane
    expect(lane.imm).toEqual([3]);
  });

  it.skipIf(!hasClang())('a compiled C program round-trips and runs the same', () => {
    const src = compileC('kernel.c');
    const out = roundTrip(src);
    expect(WebAssembly.validate(out as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(runWasi(out).stdout).toBe(runWasi(src).stdout);
  });
});
