// Byte-level reading and writing: LEB128 and growable output. Hot paths: keep them monomorphic and allocation-free.

import { ModuleError } from './errors.js';

/** Sequential reader over a byte array. Every read is bounds-checked and fails as an 'invalid' ModuleError. */
export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    public end = buf.length,
  ) {
    this.pos = pos;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  fail(what: string): never {
    throw new ModuleError('invalid', `the module is malformed: ${what} at byte offset ${this.pos}`);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data');
    return this.buf[this.pos++]!;
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) this.fail('unexpected end of data in an integer');
      const b = buf[pos++]!;
      if (shift === 28) {
        if (b & 0xf0) this.fail('integer too large');
        result += b * 0x10000000;
        break;
      }
      result |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = pos;
    return result >>> 0;
  }

  /** Signed LEB128 up to 33 bits (block types, heap types), as a JS number. */
  s33(): number {
    let result = 0;
    let mul = 1;
    let b: number;
    let n = 0;
    do {
      if (this.pos >= this.end) this.fail('unexpected end of data in an integer');
      b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (++n > 5) this.fail('integer too large');
    } while (b & 0x80);
    if (b & 0x40) result -= mul;
    return result;
  }

  /** Signed LEB128 up to 32 bits. */
  s32(): number {
    return this.s33() | 0;
  }

  /** Signed LEB128 up to 64 bits as a bigint (only for the full decoder; scanning uses skipLeb). */
  s64(): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      if (this.pos >= this.end) this.fail('unexpected end of data in an integer');
      b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (shift > 70n) this.fail('integer too large');
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return BigInt.asIntN(64, result);
  }

  /** Skips one LEB128 number of any size (at most 10 bytes). */
  skipLeb(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    const limit = pos + 10;
    for (;;) {
      if (pos >= end || pos >= limit) this.fail('bad integer encoding');
      if (buf[pos++]! < 0x80) break;
    }
    this.pos = pos;
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) this.fail('unexpected end of data');
    this.pos += n;
  }

  bytes(n: number): Uint8Array {
    const start = this.pos;
    this.skip(n);
    return this.buf.subarray(start, start + n);
  }

  name(): string {
    const n = this.u32();
    return utf8.decode(this.bytes(n));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8e = new TextEncoder();

export function encodeUtf8(s: string): Uint8Array {
  return utf8e.encode(s);
}

/** Growable output buffer. */
export class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(initial = 1024) {
    this.buf = new Uint8Array(Math.max(16, initial));
  }

  reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(b: number): void {
    if (this.pos >= this.buf.length) this.reserve(1);
    this.buf[this.pos++] = b;
  }

  u32(v: number): void {
    this.reserve(5);
    const buf = this.buf;
    let pos = this.pos;
    v >>>= 0;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Signed LEB128 of a safe integer (|v| < 2^53). */
  sNum(v: number): void {
    this.reserve(10);
    const buf = this.buf;
    let pos = this.pos;
    for (;;) {
      const b = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      buf[pos++] = done ? b : b | 0x80;
      if (done) break;
    }
    this.pos = pos;
  }

  s64(v: bigint): void {
    this.reserve(10);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.buf[this.pos++] = done ? b : b | 0x80;
      if (done) break;
    }
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(n);
    if (n < 32) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = start; i < end; i++) buf[pos++] = src[i]!;
      this.pos = pos;
    } else {
      this.buf.set(src.subarray(start, end), this.pos);
      this.pos += n;
    }
  }

  name(s: string): void {
    const b = encodeUtf8(s);
    this.u32(b.length);
    this.bytes(b);
  }

  /** Writes a section or body: its id byte (when >= 0), its length, then the content of `w`. */
  sized(id: number, w: Writer): void {
    if (id >= 0) this.u8(id);
    this.u32(w.pos);
    this.bytes(w.buf, 0, w.pos);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Number of bytes the unsigned LEB128 of v takes. */
export function u32Size(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes an unsigned LEB128 of a safe non-negative integer (up to 64 bits). */
export function writeU64Number(w: Writer, v: number): void {
  do {
    const b = v % 128;
    v = Math.floor(v / 128);
    w.u8(v > 0 ? b | 0x80 : b);
  } while (v > 0);
}

/** A copy of typed array `a` with room for at least `min` elements (twice its length, or `min`). */
export function grown<T extends Uint8Array | Int8Array | Int32Array | Float64Array>(a: T, min: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}
