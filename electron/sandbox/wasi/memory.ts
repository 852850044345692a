// Bounds-checked access to the guest's linear memory. The buffer is read fresh on every access
// because memory.grow replaces it; an out-of-range pointer becomes EFAULT, never a host exception.
import { Errno, WasiError } from './errno.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  private buffer(): ArrayBuffer {
    if (!this.memory) throw new WasiError(Errno.FAULT);
    return this.memory.buffer;
  }

  /** Checks [ptr, ptr+len) lies in memory; returns the current buffer. */
  private range(ptr: number, len: number): ArrayBuffer {
    const buf = this.buffer();
    if (!Number.isSafeInteger(ptr) || !Number.isSafeInteger(len) || ptr < 0 || len < 0) {
      throw new WasiError(Errno.FAULT);
    }
    if (ptr + len > buf.byteLength) throw new WasiError(Errno.FAULT);
    return buf;
  }

  u8(ptr: number): number {
    return new DataView(this.range(ptr, 1)).getUint8(ptr);
  }
  u16(ptr: number): number {
    return new DataView(this.range(ptr, 2)).getUint16(ptr, true);
  }
  u32(ptr: number): number {
    return new DataView(this.range(ptr, 4)).getUint32(ptr, true);
  }
  u64(ptr: number): bigint {
    return new DataView(this.range(ptr, 8)).getBigUint64(ptr, true);
  }
  setU8(ptr: number, v: number): void {
    new DataView(this.range(ptr, 1)).setUint8(ptr, v);
  }
  setU16(ptr: number, v: number): void {
    new DataView(this.range(ptr, 2)).setUint16(ptr, v, true);
  }
  setU32(ptr: number, v: number): void {
    new DataView(this.range(ptr, 4)).setUint32(ptr, v >>> 0, true);
  }
  setU64(ptr: number, v: bigint): void {
    new DataView(this.range(ptr, 8)).setBigUint64(ptr, BigInt.asUintN(64, v), true);
  }

  /** A live view of guest bytes (valid until the next call into the guest). */
  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.range(ptr, len), ptr, len);
  }

  /** Checks a range without touching it (for output buffers written later). */
  check(ptr: number, len: number): void {
    this.range(ptr, len);
  }

  write(ptr: number, data: Uint8Array): void {
    this.bytes(ptr, data.length).set(data);
  }

  /** A UTF-8 string from guest memory; invalid UTF-8 is EILSEQ. */
  string(ptr: number, len: number): string {
    const copy = this.bytes(ptr, len).slice();
    try {
      return decoder.decode(copy);
    } catch {
      throw new WasiError(Errno.ILSEQ);
    }
  }

  /** Reads an array of (buf, len) iovecs. */
  iovecs(ptr: number, count: number): { ptr: number; len: number }[] {
    this.check(ptr, count * 8);
    const out: { ptr: number; len: number }[] = [];
    for (let i = 0; i < count; i++) {
      const p = this.u32(ptr + i * 8);
      const l = this.u32(ptr + i * 8 + 4);
      this.check(p, l);
      out.push({ ptr: p, len: l });
    }
    return out;
  }
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Guest i32 arguments arrive as signed JS numbers; pointers and lengths are unsigned. */
export function u32(v: number): number {
  return v >>> 0;
}

/** Guest i64 arguments arrive as signed BigInts; most are unsigned. */
export function u64(v: bigint | number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}
